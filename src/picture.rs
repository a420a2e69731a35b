//! Pictures: what the content or brand names (`image: { file, alt, credit }`)
//! and the files themselves, JPEG or PNG, read and measured from their headers
//! without decoding: a print file embeds a JPEG's bytes as they are.

use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A picture as the content (one for all, or an audience's) or the brand names it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PictureSpec {
    /// A JPEG or PNG file, inside the folder of the file that names it.
    pub file: String,
    /// What it shows, for readers who cannot see it; `""` marks decoration.
    /// Required: `None` is an error when the project loads, saying how to give it.
    #[serde(default)]
    pub alt: Option<String>,
    /// Who made it, and its licence, as printed (`show: image.credit`).
    #[serde(default)]
    pub credit: Option<String>,
}

/// Where the translation units of a picture's `alt` and `credit` start, for
/// the content's picture (`audience` None) or an audience's: `image` gives
/// `image.alt` and `image.credit`.
pub fn unit(audience: Option<&str>) -> String {
    match audience {
        Some(id) => format!("audience.{id}.image"),
        None => "image".into(),
    }
}

/// Calls `f` with the unit id, text and note of each translatable text of
/// `spec` (its non-empty `alt`, its `credit`), where `whose` says whose it is.
pub fn each_text<'c>(
    spec: &'c PictureSpec,
    audience: Option<&str>,
    f: &mut impl FnMut(&dyn Fn() -> String, &'c str, &dyn Fn() -> String),
) {
    let whose = || match audience {
        Some(id) => format!("Audience `{id}`: its picture"),
        None => "The picture of every output".into(),
    };
    if let Some(alt) = spec.alt.as_deref().filter(|a| !a.is_empty()) {
        f(&|| format!("{}.alt", unit(audience)), alt, &|| {
            format!(
                "{}: what it shows, read aloud to readers who cannot see it",
                whose()
            )
        });
    }
    if let Some(credit) = &spec.credit {
        f(&|| format!("{}.credit", unit(audience)), credit, &|| {
            format!("{}: its credit line (who made it, its licence)", whose())
        });
    }
}

/// Decoding a picture needs its pixels in memory: a file whose pixels would
/// take more than this is refused before it is decoded (a 12,000 × 8,000
/// photograph in CMYK is 384 MB).
pub const MAX_DECODED_BYTES: u64 = 256 << 20;

/// How a picture's pixels are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
}

/// A picture's colours, as its file stores them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colours {
    Grey,
    Rgb,
    /// Four inks. `inverted`: an Adobe (Photoshop) JPEG, which stores
    /// 255 for no ink (its APP14 marker says so).
    Cmyk {
        inverted: bool,
    },
}

/// A picture file, read and measured.
#[derive(Debug, Clone)]
pub struct Picture {
    /// Its file, as messages name it.
    pub file: String,
    pub bytes: Arc<[u8]>,
    pub format: Format,
    pub width: u32,
    pub height: u32,
    pub colours: Colours,
    /// A PNG with an alpha channel or transparent colour.
    pub alpha: bool,
    /// The ICC profile the file embeds (JPEG APP2), if any.
    pub icc: Option<Vec<u8>>,
    /// BLAKE3 of the bytes: what an output depends on.
    pub digest: [u8; 32],
}

/// Two pictures are the same when their bytes are.
impl PartialEq for Picture {
    fn eq(&self, other: &Picture) -> bool {
        self.digest == other.digest
    }
}

impl Picture {
    /// Reads `bytes` as a JPEG or PNG file; the error says what is wrong in
    /// words for the person who exported it.
    pub fn inspect(bytes: Arc<[u8]>) -> Result<Picture, String> {
        let digest = blake3::hash(&bytes).into();
        let mut p = if bytes.starts_with(&[0xFF, 0xD8]) {
            jpeg(&bytes)?
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            png(&bytes)?
        } else {
            return Err("is neither a JPEG nor a PNG image".into());
        };
        if p.width == 0 || p.height == 0 {
            return Err("has no pixels (its header says 0 wide or high)".into());
        }
        let channels = match p.colours {
            Colours::Grey => 1,
            Colours::Rgb => 3,
            Colours::Cmyk { .. } => 4,
        } + p.alpha as u64;
        let need = p.width as u64 * p.height as u64 * channels;
        if need > MAX_DECODED_BYTES {
            return Err(format!(
                "is {} × {} pixels, which take {} MB to decode, over the {} MB leafpress allows",
                p.width,
                p.height,
                need >> 20,
                MAX_DECODED_BYTES >> 20
            ));
        }
        p.bytes = bytes;
        p.digest = digest;
        Ok(p)
    }

    /// The picture's pixels as 8-bit RGB (alpha dropped over white),
    /// decoded; for previews.
    pub fn decode_rgb(&self) -> Result<Vec<u8>, String> {
        match self.format {
            Format::Jpeg => decode_jpeg(self),
            Format::Png => {
                let raw = printpdf::RawImage::decode_from_bytes(&self.bytes, &mut Vec::new())
                    .map_err(|e| format!("cannot be decoded: {e}"))?;
                let printpdf::RawImageData::U8(px) = raw.pixels else {
                    return Err("has more than 8 bits per channel".into());
                };
                let n = px.len() / (raw.width * raw.height).max(1);
                let over_white =
                    |v: u8, a: u8| ((v as u32 * a as u32 + 255 * (255 - a as u32)) / 255) as u8;
                Ok(px
                    .chunks_exact(n.max(1))
                    .flat_map(|p| match n {
                        1 => [p[0]; 3],
                        2 => [over_white(p[0], p[1]); 3],
                        3 => [p[0], p[1], p[2]],
                        _ => [0, 1, 2].map(|i| over_white(p[i], p[3])),
                    })
                    .collect())
            }
        }
    }
}

/// A JPEG's size, colours and profile from its markers; a file that stops
/// before its end marker is truncated (a broken download or copy).
fn jpeg(b: &[u8]) -> Result<Picture, String> {
    let truncated = || "is truncated: it stops before the end of its image data".to_string();
    let mut i = 2;
    let mut frame = None;
    let mut adobe = false;
    let mut icc: Vec<(u8, Vec<u8>)> = Vec::new();
    loop {
        // Markers may be padded with 0xFF bytes.
        while b.get(i) == Some(&0xFF) && b.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        if i + 4 > b.len() {
            return Err(truncated());
        }
        if b[i] != 0xFF {
            return Err("is a damaged JPEG file (a marker is missing)".into());
        }
        let marker = b[i + 1];
        let len = u16::from_be_bytes([b[i + 2], b[i + 3]]) as usize;
        let body = b.get(i + 4..i + 2 + len).ok_or_else(truncated)?;
        match marker {
            // Start of frame (not DHT 0xC4, JPG 0xC8, DAC 0xCC).
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                if body.len() < 6 {
                    return Err(truncated());
                }
                let h = u16::from_be_bytes([body[1], body[2]]) as u32;
                let w = u16::from_be_bytes([body[3], body[4]]) as u32;
                frame = Some((body[0], w, h, body[5]));
            }
            0xEE if body.starts_with(b"Adobe") => adobe = true,
            0xE2 if body.starts_with(b"ICC_PROFILE\0") && body.len() > 14 => {
                icc.push((body[12], body[14..].to_vec()));
            }
            // Start of scan: the image data follows, to the end marker.
            0xDA => break,
            _ => {}
        }
        i += 2 + len;
    }
    let (precision, width, height, components) =
        frame.ok_or("is a damaged JPEG file (it has no image header)")?;
    if precision != 8 {
        return Err(format!(
            "has {precision} bits per channel; export it with 8"
        ));
    }
    // The end marker, allowing the padding some programs add after it.
    let end = b.len() - b.iter().rev().take_while(|&&x| x == 0).count();
    if !b[..end].ends_with(&[0xFF, 0xD9]) {
        return Err(truncated());
    }
    let colours = match components {
        1 => Colours::Grey,
        3 => Colours::Rgb,
        4 => Colours::Cmyk { inverted: adobe },
        n => return Err(format!("has {n} colour channels; export it as RGB or CMYK")),
    };
    icc.sort_by_key(|(n, _)| *n);
    let icc = (!icc.is_empty()).then(|| icc.into_iter().flat_map(|(_, d)| d).collect());
    Ok(Picture {
        file: String::new(),
        bytes: Arc::from(&[][..]),
        format: Format::Jpeg,
        width,
        height,
        colours,
        alpha: false,
        icc,
        digest: [0; 32],
    })
}

/// A PNG's size and colours from its header.
fn png(b: &[u8]) -> Result<Picture, String> {
    if b.len() < 33 || &b[12..16] != b"IHDR" {
        return Err("is a damaged PNG file".into());
    }
    let be = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    let (colours, alpha) = match b[25] {
        0 => (Colours::Grey, false),
        4 => (Colours::Grey, true),
        6 => (Colours::Rgb, true),
        _ => (Colours::Rgb, false),
    };
    // Transparency given as a colour (tRNS) also needs a mask.
    let alpha = alpha || b.windows(4).any(|w| w == b"tRNS");
    Ok(Picture {
        file: String::new(),
        bytes: Arc::from(&[][..]),
        format: Format::Png,
        width: be(16),
        height: be(20),
        colours,
        alpha,
        icc: None,
        digest: [0; 32],
    })
}

/// A JPEG decoded to RGB: CMYK is converted with the plain device formula,
/// undoing Adobe's inversion.
fn decode_jpeg(p: &Picture) -> Result<Vec<u8>, String> {
    use zune_jpeg::zune_core::{
        bytestream::ZCursor, colorspace::ColorSpace, options::DecoderOptions,
    };
    let cmyk = matches!(p.colours, Colours::Cmyk { .. });
    let out = if cmyk {
        ColorSpace::CMYK
    } else {
        ColorSpace::RGB
    };
    let opts = DecoderOptions::default()
        .jpeg_set_out_colorspace(out)
        .set_max_width(1 << 16)
        .set_max_height(1 << 16);
    let mut d = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(&p.bytes[..]), opts);
    let px = d
        .decode()
        .map_err(|e| format!("is a damaged JPEG file ({e})"))?;
    if !cmyk {
        return Ok(px);
    }
    let inverted = matches!(p.colours, Colours::Cmyk { inverted: true });
    Ok(px
        .chunks_exact(4)
        .flat_map(|c| {
            let ink = |v: u8| if inverted { 255 - v } else { v } as u32;
            let k = ink(c[3]);
            [0, 1, 2].map(|i| ((255 - ink(c[i])) * (255 - k) / 255) as u8)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG's headers only: SOI, APP14 (Adobe), SOF0 w × h with `n`
    /// components, SOS, then EOI.
    fn headers(w: u16, h: u16, n: u8, adobe: bool, eoi: bool) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8];
        if adobe {
            b.extend([0xFF, 0xEE, 0, 14]);
            b.extend(b"Adobe\0\x64\0\0\0\0\0");
        }
        b.extend([0xFF, 0xC0, 0, 8 + 3 * n as u16 as u8, 8]);
        b.extend(h.to_be_bytes());
        b.extend(w.to_be_bytes());
        b.push(n);
        for c in 0..n {
            b.extend([c + 1, 0x11, 0]);
        }
        b.extend([0xFF, 0xDA, 0, 2]);
        b.extend([1, 2, 3]);
        if eoi {
            b.extend([0xFF, 0xD9]);
        }
        b
    }

    #[test]
    fn a_jpeg_is_measured_from_its_headers() {
        let p = Picture::inspect(headers(640, 480, 4, true, true).into()).unwrap();
        assert_eq!((p.width, p.height), (640, 480));
        assert_eq!(p.colours, Colours::Cmyk { inverted: true });
        let p = Picture::inspect(headers(64, 48, 3, false, true).into()).unwrap();
        assert_eq!(p.colours, Colours::Rgb);
        assert_eq!(p.format, Format::Jpeg);
    }

    #[test]
    fn a_truncated_or_huge_jpeg_is_refused_before_decoding() {
        let e = Picture::inspect(headers(64, 48, 3, false, false).into()).unwrap_err();
        assert!(e.contains("truncated"), "{e}");
        let mut cut = headers(64, 48, 3, false, true);
        cut.truncate(10);
        assert!(
            Picture::inspect(cut.into())
                .unwrap_err()
                .contains("truncated")
        );
        // 10,000 × 9,000 in CMYK: 343 MB.
        let e = Picture::inspect(headers(10_000, 9_000, 4, true, true).into()).unwrap_err();
        assert!(e.contains("343 MB") && e.contains("256 MB"), "{e}");
        let e = Picture::inspect(b"GIF89a....".to_vec().into()).unwrap_err();
        assert!(e.contains("neither a JPEG nor a PNG"), "{e}");
    }
}
