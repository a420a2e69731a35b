//! Lengths and colours as authors write them in YAML (`12mm`, `10pt`, `#1f4e79`),
//! converted at the edge into points, the one unit used inside.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

pub const MM: f32 = 72.0 / 25.4;

/// A length in points (1/72 in). Written in YAML with a unit: `mm`, `cm`, `in` or `pt`.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default, Serialize)]
pub struct Length(pub f32);

impl Length {
    /// A length of `mm` millimetres.
    pub fn from_mm(mm: f32) -> Self {
        Length(mm * MM)
    }
}

/// Parses a share of a whole written as a percentage from 0% to 100%, such as
/// `15%`, into 0 to 1; `None` for anything else (the caller says what it is
/// a share of).
pub fn parse_share(s: &str) -> Option<f32> {
    s.trim()
        .strip_suffix('%')
        .and_then(|n| n.trim().parse::<f32>().ok())
        .filter(|v| (0.0..=100.0).contains(v))
        .map(|v| v / 100.0)
}

/// Parses `12mm`, `1.5 cm`, `0.25in`, `10pt`. A bare number is refused because
/// "10" could mean points or millimetres and the wrong guess ruins a print job.
pub fn parse_length(s: &str) -> Result<Length, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let unit = unit.trim();
    let value: f32 = num.parse().map_err(|_| {
        format!("`{s}` is not a length; write a number and a unit, such as `12mm` or `10pt`")
    })?;
    if !value.is_finite() {
        return Err(format!("`{s}` is not a finite length"));
    }
    let factor = match unit {
        "mm" => MM,
        "cm" => MM * 10.0,
        "in" => 72.0,
        "pt" => 1.0,
        "" => {
            return Err(format!(
                "`{s}` has no unit; write `{s}mm` or `{s}pt` (units: mm, cm, in, pt)"
            ));
        }
        other => {
            return Err(format!(
                "`{other}` in `{s}` is not a unit; use mm, cm, in or pt"
            ));
        }
    };
    Ok(Length(value * factor))
}

impl<'de> Deserialize<'de> for Length {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Length;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a length with a unit, such as `12mm` or `10pt`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Length, E> {
                parse_length(v).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Length, E> {
                Err(E::custom(format!(
                    "`{v}` has no unit; write `{v}mm` or `{v}pt` (units: mm, cm, in, pt)"
                )))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Length, E> {
                self.visit_i64(v as i64)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Length, E> {
                Err(E::custom(format!(
                    "`{v}` has no unit; write `{v}mm` or `{v}pt` (units: mm, cm, in, pt)"
                )))
            }
        }
        d.deserialize_any(V)
    }
}

/// Space inside a panel, CSS-style: one length for all sides, or a list of
/// two (vertical, horizontal) or four (top, right, bottom, left).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Insets {
    pub top: f32,
    pub right: f32,
    pub bottom: f32,
    pub left: f32,
}

impl<'de> Deserialize<'de> for Insets {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Insets;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a length such as `10mm`, or a list `[top, right, bottom, left]`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Insets, E> {
                let l = parse_length(v).map_err(E::custom)?.0;
                Ok(Insets {
                    top: l,
                    right: l,
                    bottom: l,
                    left: l,
                })
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Insets, A::Error> {
                let mut v = Vec::new();
                while let Some(l) = seq.next_element::<Length>()? {
                    v.push(l.0);
                }
                match v[..] {
                    [a] => Ok(Insets {
                        top: a,
                        right: a,
                        bottom: a,
                        left: a,
                    }),
                    [a, b] => Ok(Insets {
                        top: a,
                        right: b,
                        bottom: a,
                        left: b,
                    }),
                    [t, r, b, l] => Ok(Insets {
                        top: t,
                        right: r,
                        bottom: b,
                        left: l,
                    }),
                    _ => Err(de::Error::custom(format!(
                        "padding takes 1, 2 or 4 lengths, not {}",
                        v.len()
                    ))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// An sRGB colour from `#rrggbb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb`.
    pub fn hex(self) -> String {
        format!("{:02X}{:02X}{:02X}", self.0, self.1, self.2)
    }
}

pub fn parse_hex(s: &str) -> Result<Rgb, String> {
    let h = s.trim().strip_prefix('#').ok_or_else(|| {
        format!("`{s}` is not a hex colour; write it as `#rrggbb`, such as `#1f4e79`")
    })?;
    if h.len() != 6 || !h.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!(
            "`{s}` is not a hex colour; it needs six hex digits after `#`, such as `#1f4e79`"
        ));
    }
    let byte = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).unwrap_or(0);
    Ok(Rgb(byte(0), byte(2), byte(4)))
}

impl<'de> Deserialize<'de> for Rgb {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_hex(&s).map_err(de::Error::custom)
    }
}

/// A print colour as four ink percentages (0 to 100).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Cmyk {
    /// Cyan, 0 to 100.
    pub c: f32,
    /// Magenta, 0 to 100.
    pub m: f32,
    /// Yellow, 0 to 100.
    pub y: f32,
    /// Black, 0 to 100.
    pub k: f32,
}

impl<'de> Deserialize<'de> for Cmyk {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Vec::<f32>::deserialize(d)?;
        if v.len() != 4 {
            return Err(de::Error::custom(format!(
                "a CMYK colour is four ink percentages `[c, m, y, k]`, got {} numbers",
                v.len()
            )));
        }
        if let Some(bad) = v.iter().find(|x| !(0.0..=100.0).contains(*x)) {
            return Err(de::Error::custom(format!(
                "ink percentage {bad} is out of range; each of c, m, y, k is from 0 to 100"
            )));
        }
        Ok(Cmyk {
            c: v[0],
            m: v[1],
            y: v[2],
            k: v[3],
        })
    }
}

/// A colour as both writers need it: inks for print, sRGB for screen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Colour {
    /// For print.
    pub cmyk: Cmyk,
    /// For screen.
    pub rgb: Rgb,
}

impl Colour {
    /// Black ink alone in print (0/0/0/100), black on screen.
    pub const BLACK: Colour = Colour {
        cmyk: Cmyk {
            c: 0.0,
            m: 0.0,
            y: 0.0,
            k: 100.0,
        },
        rgb: Rgb(0, 0, 0),
    };
}

/// A named paper size, or explicit dimensions.
pub fn paper_size(name: &str) -> Option<(Length, Length)> {
    let (w, h) = match name.to_ascii_lowercase().as_str() {
        "a3" => (297.0, 420.0),
        "a4" => (210.0, 297.0),
        "a5" => (148.0, 210.0),
        "a6" => (105.0, 148.0),
        "letter" => (215.9, 279.4),
        "legal" => (215.9, 355.6),
        "tabloid" => (279.4, 431.8),
        _ => return None,
    };
    Some((Length::from_mm(w), Length::from_mm(h)))
}

pub const PAPER_NAMES: &str = "A3, A4, A5, A6, Letter, Legal, Tabloid";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_length_needs_its_unit() {
        assert_eq!(parse_length("1in").unwrap().0, 72.0);
        assert!(parse_length("12").unwrap_err().contains("no unit"));
    }

    #[test]
    fn lengths_convert_to_points() {
        assert!((parse_length("25.4mm").unwrap().0 - 72.0).abs() < 1e-4);
        assert!((parse_length("1in").unwrap().0 - 72.0).abs() < 1e-6);
        assert!((parse_length("2 cm").unwrap().0 / MM - 20.0).abs() < 1e-4);
        assert_eq!(parse_length("10pt").unwrap().0, 10.0);
    }

    #[test]
    fn bad_lengths_say_what_to_write() {
        assert!(parse_length("3 mmm").unwrap_err().contains("not a unit"));
        assert!(parse_length("12").unwrap_err().contains("no unit"));
        assert!(parse_length("mm").unwrap_err().contains("not a length"));
    }

    #[test]
    fn hex_colours() {
        assert_eq!(parse_hex("#1f4E79").unwrap(), Rgb(0x1f, 0x4e, 0x79));
        assert!(parse_hex("#12345").is_err());
        assert!(parse_hex("1f4e79").is_err());
    }
}
