//! Content-stream operators for text runs, written byte for byte as printpdf
//! writes them through lopdf 0.44 (operands each followed by a space, operators
//! one to a line, numbers as Rust prints an `f32`, strings in upper-case hex),
//! and PDF text strings.

use lopdf::Object;
use std::io::Write;

/// Marks where the text-only section that tells printpdf the glyphs begins
/// and ends.
pub const FONTS_FROM: &str = "lpFonts";
pub const FONTS_TO: &str = "lpFontsEnd";
/// Text run `n`'s marker is `lpT` then `n`.
const TEXT: &str = "lpT";

/// The marker printpdf writes in place of text run `n`.
pub fn text_marker(n: usize) -> String {
    format!("{TEXT}{n}")
}

/// The page resource name of the registration colour space.
pub const REGISTRATION: &str = "Reg";

/// Printer's marks as content: an artifact stroked in the registration
/// colour (`Separation /All`, which every plate prints: ISO 32000-1, 8.6.6.4),
/// crop marks solid and fold marks dashed, as print shops read them. `at`
/// turns trim coordinates into the page's.
pub fn marks(marks: &[crate::pages::Mark], at: impl Fn(f32, f32) -> (f32, f32)) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = write!(
        out,
        "/Artifact BMC\nq\n/{REGISTRATION} CS\n1 SCN\n{} w\n",
        crate::pages::MARK_WIDTH
    );
    for kind in [crate::pages::MarkKind::Crop, crate::pages::MarkKind::Fold] {
        let mut first = true;
        for m in marks.iter().filter(|m| m.kind == kind) {
            if std::mem::take(&mut first) {
                let _ = match kind {
                    crate::pages::MarkKind::Crop => writeln!(out, "[] 0 d"),
                    crate::pages::MarkKind::Fold => {
                        let (on, off) = crate::pages::FOLD_DASH;
                        writeln!(out, "[{on} {off}] 0 d")
                    }
                };
            }
            let ((x1, y1), (x2, y2)) = (at(m.x1, m.y1), at(m.x2, m.y2));
            for (v, op) in [(x1, " "), (y1, " m\n"), (x2, " "), (y2, " l\nS\n")] {
                real(&mut out, v);
                out.extend_from_slice(op.as_bytes());
            }
        }
    }
    out.extend_from_slice(b"Q\nEMC");
    out
}

fn real(out: &mut Vec<u8>, v: f32) {
    let _ = write!(out, "{v}");
}

fn hex(out: &mut Vec<u8>, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    out.push(b'<');
    for &b in bytes {
        out.push(DIGITS[(b >> 4) as usize]);
        out.push(DIGITS[(b & 15) as usize]);
    }
    out.push(b'>');
}

/// `BT`, the font and size, the fill colour.
pub fn begin_text(out: &mut Vec<u8>, font: &str, size: f32, colour: &printpdf::Color) {
    out.extend_from_slice(b"BT\n/");
    out.extend_from_slice(font.as_bytes());
    out.push(b' ');
    real(out, size);
    out.extend_from_slice(b" Tf\n");
    for v in colour.into_vec() {
        real(out, v);
        out.push(b' ');
    }
    out.extend_from_slice(match colour {
        printpdf::Color::Rgb(_) => b"rg\n",
        printpdf::Color::Greyscale(_) => b"g\n",
        printpdf::Color::Cmyk(_) | printpdf::Color::SpotColor(_) => b"k\n",
    });
}

/// A span whose text is `utf16` (UTF-16BE with its byte-order mark).
pub fn begin_actual_text(out: &mut Vec<u8>, utf16: &[u8]) {
    out.extend_from_slice(b"/Span <</ActualText");
    hex(out, utf16);
    out.extend_from_slice(b">> BDC\n");
}

/// Content of structure element type `tag`, marked `mcid` on its page.
pub fn begin_marked(out: &mut Vec<u8>, tag: &str, mcid: u32) {
    let _ = writeln!(out, "/{tag} <</MCID {mcid}>> BDC");
}

/// Decoration: never read aloud, never in the structure tree.
pub fn begin_artifact(out: &mut Vec<u8>) {
    out.extend_from_slice(b"/Artifact BMC\n");
}

pub fn end_marked_content(out: &mut Vec<u8>) {
    out.extend_from_slice(b"EMC\n");
}

/// Glyphs (id in the subset, then the TJ adjustment after it) from (x, y).
pub fn show_glyphs(out: &mut Vec<u8>, x: f32, y: f32, glyphs: &[(u16, f32)]) {
    out.extend_from_slice(b"1 0 0 1 ");
    real(out, x);
    out.push(b' ');
    real(out, y);
    out.extend_from_slice(b" Tm\n[");
    for &(gid, adjust) in glyphs {
        hex(out, &gid.to_be_bytes());
        if adjust != 0.0 {
            out.push(b' ');
            real(out, adjust);
        }
    }
    out.extend_from_slice(b"] TJ\n");
}

/// `ET`: the last operator of a run (no line end: the marker it replaces
/// had none).
pub fn end_text(out: &mut Vec<u8>) {
    out.extend_from_slice(b"ET");
}

/// The page's content with each text marker replaced by its run and the
/// glyph section cut out.
pub fn splice(content: &[u8], texts: &[Vec<u8>]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(content.len() + texts.iter().map(Vec::len).sum::<usize>());
    let mut rest = content;
    let fonts_from = format!("/{FONTS_FROM} MP");
    let fonts_to = format!("/{FONTS_TO} MP");
    let text = format!("/{TEXT}");
    // Every marker begins `/lp`.
    while let Some(at) = find(rest, b"/lp") {
        out.extend_from_slice(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with(fonts_from.as_bytes()) {
            let end = find(rest, fonts_to.as_bytes())
                .ok_or("cannot write PDF: the glyph section has no end")?;
            if out.last() == Some(&b'\n') {
                out.pop();
            }
            rest = &rest[end + fonts_to.len()..];
            continue;
        }
        let number = rest
            .strip_prefix(text.as_bytes())
            .ok_or("cannot write PDF: a text marker is malformed")?;
        let digits = number.iter().take_while(|b| b.is_ascii_digit()).count();
        let n: usize = std::str::from_utf8(&number[..digits])
            .ok()
            .and_then(|d| d.parse().ok())
            .filter(|_| number[digits..].starts_with(b" MP"))
            .ok_or("cannot write PDF: a text marker is malformed")?;
        out.extend_from_slice(texts.get(n).ok_or("cannot write PDF: no such text run")?);
        rest = &number[digits + " MP".len()..];
    }
    out.extend_from_slice(rest);
    Ok(out)
}

/// UTF-16BE with a byte-order mark, as PDF text strings outside ASCII need.
pub fn utf16be(s: &str) -> Vec<u8> {
    let mut b = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        b.extend(u.to_be_bytes());
    }
    b
}

/// A PDF text string: plain when ASCII, else UTF-16BE with a byte-order mark.
pub fn text_string(s: &str) -> Object {
    if s.is_ascii() {
        Object::string_literal(s)
    } else {
        Object::String(utf16be(s), lopdf::StringFormat::Hexadecimal)
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    /// The content of `ops` on a page, as printpdf writes it, with face 0 of
    /// the shipped fonts as `F0`.
    fn printpdf_content(ops: Vec<printpdf::Op>) -> Vec<u8> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let data = std::fs::read(root.join("fonts/NotoSans-Regular.ttf")).unwrap();
        let mut doc = printpdf::PdfDocument::new("t");
        let font = printpdf::ParsedFont::from_bytes(&data, 0, &mut Vec::new()).unwrap();
        doc.resources
            .fonts
            .map
            .insert(printpdf::FontId("F0".into()), printpdf::PdfFont::new(font));
        let media = printpdf::Rect::from_wh(printpdf::Pt(200.0), printpdf::Pt(200.0));
        doc.with_pages(vec![printpdf::PdfPage {
            media_box: media.clone(),
            trim_box: media.clone(),
            crop_box: media,
            ops,
        }]);
        let save = printpdf::PdfSaveOptions {
            optimize: true,
            subset_fonts: false,
            secure: true,
            image_optimization: None,
        };
        let lo = doc.to_lopdf_document(&save, &mut Vec::new());
        let page = *lo.get_pages().values().next().unwrap();
        let id = lo
            .get_dictionary(page)
            .unwrap()
            .get(b"Contents")
            .unwrap()
            .as_reference()
            .unwrap();
        lo.get_object(id)
            .unwrap()
            .as_stream()
            .unwrap()
            .content
            .clone()
    }

    #[test]
    fn text_runs_are_written_as_printpdf_writes_them() {
        // The PDF writer writes text runs itself (`ops`) to keep files as
        // printpdf made them; a printpdf or lopdf that writes them otherwise
        // shows here.
        use printpdf::{Codepoint, Op, Pt, TextItem, TextMatrix};
        let glyphs = [
            (36u16, 0.0f32),
            (72, -12.5),
            (79, 0.0012715658),
            (79, 19.999504),
            (82, 0.0),
        ];
        let codepoints = |g: &[(u16, f32)]| {
            vec![TextItem::GlyphIds(
                g.iter()
                    .map(|&(gid, offset)| Codepoint {
                        gid,
                        offset,
                        cid: Some("x".into()),
                    })
                    .collect(),
            )]
        };
        for colour in [
            printpdf::Color::Cmyk(printpdf::Cmyk::new(1.0, 0.5, 0.1, 0.35, None)),
            printpdf::Color::Rgb(printpdf::Rgb::new(0.0, 0.2, 0.6, None)),
        ] {
            let actual = super::utf16be("Sus-");
            let mut map = std::collections::BTreeMap::new();
            map.insert(
                "ActualText".to_string(),
                printpdf::DictItem::String {
                    data: actual.clone(),
                    literal: false,
                },
            );
            let theirs = printpdf_content(vec![
                Op::SetFillColor {
                    col: colour.clone(),
                },
                Op::StartTextSection,
                Op::SetFont {
                    font: printpdf::PdfFontHandle::External(printpdf::FontId("F0".into())),
                    size: Pt(10.5),
                },
                Op::SetFillColor {
                    col: colour.clone(),
                },
                Op::SetTextMatrix {
                    matrix: TextMatrix::Translate(Pt(12.25), Pt(-0.0)),
                },
                Op::ShowText {
                    items: codepoints(&glyphs[..2]),
                },
                Op::BeginMarkedContentWithProperties {
                    tag: "Span".into(),
                    properties: printpdf::DictItem::Dict { map },
                },
                Op::SetTextMatrix {
                    matrix: TextMatrix::Translate(Pt(40.123456), Pt(700.5)),
                },
                Op::ShowText {
                    items: codepoints(&glyphs[2..]),
                },
                Op::EndMarkedContent,
                Op::EndTextSection,
                Op::Marker {
                    id: super::text_marker(0),
                },
            ]);
            let mut ours = Vec::new();
            super::begin_text(&mut ours, "F0", 10.5, &colour);
            super::show_glyphs(&mut ours, 12.25, -0.0, &glyphs[..2]);
            super::begin_actual_text(&mut ours, &actual);
            super::show_glyphs(&mut ours, 40.123456, 700.5, &glyphs[2..]);
            super::end_marked_content(&mut ours);
            super::end_text(&mut ours);
            // printpdf's: the colour set before the text, then the run, then
            // a marker that the splice replaces by the same run.
            let theirs = String::from_utf8(theirs).unwrap();
            let (colour_op, run) = theirs.split_once('\n').unwrap();
            let (run, marker) = run.rsplit_once('\n').unwrap();
            assert_eq!(run, String::from_utf8(ours.clone()).unwrap());
            let spliced = super::splice(marker.as_bytes(), &[ours.clone()]).unwrap();
            assert_eq!(spliced, ours);
            assert!(colour_op.ends_with(" k") || colour_op.ends_with(" rg"));
        }
    }

    #[test]
    fn the_glyph_section_is_cut_out_and_markers_are_checked() {
        use super::{FONTS_FROM, FONTS_TO, splice};
        let page = format!("q\n/lpT1 MP\nQ\n/{FONTS_FROM} MP\nBT\n[<0001>] TJ\nET\n/{FONTS_TO} MP");
        let texts = [b"A".to_vec(), b"BT\nET".to_vec()];
        assert_eq!(splice(page.as_bytes(), &texts).unwrap(), b"q\nBT\nET\nQ");
        assert!(splice(b"/lpT7 MP", &texts).is_err(), "no such run");
        assert!(splice(b"/lpTx MP", &texts).is_err(), "no number");
        assert!(splice(format!("/{FONTS_FROM} MP\nBT").as_bytes(), &texts).is_err());
        assert_eq!(splice(b"0 0 m", &texts).unwrap(), b"0 0 m");
    }
}
