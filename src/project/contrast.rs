//! Colour contrast, the one part of accessibility a program can measure but
//! only a designer can fix: each text style against the background it is set
//! on (a panel's colour, else white paper), by WCAG 2.1's contrast ratio of
//! the brand's sRGB values. Under 4.5:1 (3:1 for large text: 18 pt, or 14 pt
//! bold) is a warning naming the style and both colours.

use super::NamedLayout;
use crate::diag::Diagnostic;
use crate::layout::{Block, Brand, Format, Weight};
use crate::units::Rgb;
use std::collections::BTreeSet;

/// WCAG 2.1 relative luminance of an sRGB colour.
fn luminance(c: Rgb) -> f64 {
    let lin = |v: u8| {
        let v = v as f64 / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2)
}

/// WCAG 2.1 contrast ratio, from 1 (none) to 21 (black on white).
pub(crate) fn ratio(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

const PAPER: Rgb = Rgb(255, 255, 255);

/// A warning for each style whose text is too faint on a background it is
/// set on in this layout.
pub(super) fn check_contrast(l: &NamedLayout, brand: &Brand) -> Vec<Diagnostic> {
    // (style, background colour name), once each.
    let mut pairs: BTreeSet<(String, Option<String>)> = BTreeSet::new();
    let mut add = |blocks: &[Block], bg: Option<&str>| {
        for b in blocks {
            for s in b.style.iter().chain(&b.number_style) {
                pairs.insert((s.as_str().to_string(), bg.map(str::to_string)));
            }
        }
    };
    match l.layout.format {
        Format::Pdf => {
            for p in l.layout.sides.iter().flat_map(|s| &s.panels) {
                let bg = p.background.as_ref().map(|c| c.as_str());
                add(&p.content, bg);
                add(&p.bottom, bg);
                if let Some(flow) = p.flow.as_ref().and_then(|f| l.layout.flows.get(f.as_str())) {
                    add(&flow.blocks, bg);
                }
            }
        }
        Format::Docx => {
            add(&l.layout.content, None);
            add(&l.layout.footer, None);
        }
    }
    let mut out = Vec::new();
    for (style, bg) in pairs {
        let (Some(st), Some(bg_colour)) = (
            l.layout.styles.get(&style),
            match &bg {
                Some(name) => brand.colours.get(name).map(|c| c.rgb),
                None => Some(PAPER),
            },
        ) else {
            continue;
        };
        let Some(fg) = brand.colours.get(st.colour.as_str()).map(|c| c.rgb) else {
            continue;
        };
        let size = st.size.0;
        let large = size >= 18.0 || (size >= 14.0 && st.weight == Weight::Bold);
        let need = if large { 3.0 } else { 4.5 };
        let r = ratio(fg, bg_colour);
        if r + 1e-9 < need {
            let on = match &bg {
                Some(name) => format!("`{name}` (#{})", bg_colour.hex()),
                None => "white paper".to_string(),
            };
            out.push(
                Diagnostic::warning(
                    &l.source.path,
                    format!(
                        "style `{style}` sets `{}` (#{}) on {on} at a contrast of {:.2}:1, under the {need}:1 WCAG 2.1 AA asks for {} text: readers with low vision may not make it out",
                        st.colour.as_str(),
                        fg.hex(),
                        // Rounded down, so 2.999 never shows as 3.00.
                        (r * 100.0).floor() / 100.0,
                        if large { "large" } else { "body" }
                    ),
                )
                .with_span(l.source.span_of(&style, ""))
                .with_hint("give the style a darker colour (or the panel a lighter background) from brand.yaml"),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Rgb, ratio};

    #[test]
    fn contrast_ratios_match_wcag() {
        // Black on white is 21:1, a colour on itself 1:1, and WCAG's own
        // example grey #767676 on white just passes 4.5:1.
        assert!((ratio(Rgb(0, 0, 0), Rgb(255, 255, 255)) - 21.0).abs() < 1e-9);
        assert!((ratio(Rgb(9, 99, 199), Rgb(9, 99, 199)) - 1.0).abs() < 1e-9);
        let grey = ratio(Rgb(0x76, 0x76, 0x76), Rgb(255, 255, 255));
        assert!((4.5..4.6).contains(&grey), "{grey}");
        let lighter = ratio(Rgb(0x77, 0x77, 0x77), Rgb(255, 255, 255));
        assert!(lighter < 4.5, "{lighter}");
    }
}
