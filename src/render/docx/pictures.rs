//! Pictures in a handout: the logo and the content's picture as they are
//! (a JPEG stays a JPEG), and what each shows, for screen readers.

use crate::doc::Para;
use crate::picture::Picture;
use docx_rs::{Paragraph, Run};

/// The relationship ids of the logo and the picture: docx-rs numbers
/// pictures from a counter shared by every job of the process, so the same
/// handout would differ from batch to batch. A handout has at most these two.
pub(super) const LOGO_ID: &str = "rIdImage1";
pub(super) const PICTURE_ID: &str = "rIdImage2";

/// `picture`, `w` × `h` points, in a paragraph of its own; its bytes as they
/// are (docx-rs would re-encode any JPEG as PNG).
pub(super) fn picture_paragraph(picture: &Picture, w: f32, h: f32, id: &str) -> Paragraph {
    const EMU_PER_PT: f32 = 12_700.0;
    let mut pic =
        docx_rs::Pic::new_with_dimensions(picture.bytes.to_vec(), picture.width, picture.height)
            .size(
                (w * EMU_PER_PT).round() as u32,
                (h * EMU_PER_PT).round() as u32,
            );
    pic.id = id.into();
    let par = Paragraph::new().add_run(Run::new().add_image(pic));
    match id {
        // The content's picture stands centred, as the preview shows it.
        PICTURE_ID => par.align(docx_rs::AlignmentType::Center),
        _ => par,
    }
}

/// docx-rs stores every picture as `media/ID.png`: a JPEG is taken out of
/// the package it is about to write and its relationship pointed at
/// `media/ID.jpeg` (a type docx-rs declares), and it is returned to be added
/// under that name.
pub(super) fn jpegs_apart(xml: &mut docx_rs::XMLDocx, body: &[Para]) -> Vec<(String, Vec<u8>)> {
    let jpeg = body.iter().any(|p| {
        matches!(p, Para::Picture { picture, .. } if picture.format == crate::picture::Format::Jpeg)
    });
    if !jpeg {
        return Vec::new();
    }
    let mut apart = Vec::new();
    xml.media.retain(|(id, bytes)| {
        if !bytes.starts_with(&[0xFF, 0xD8]) {
            return true;
        }
        let (png, jpeg) = (format!("media/{id}.png"), format!("media/{id}.jpeg"));
        replace(&mut xml.document_rels, &png, &jpeg);
        apart.push((format!("word/{jpeg}"), bytes.clone()));
        false
    });
    apart
}

/// `xml` with each `from` replaced by `to`.
fn replace(xml: &mut Vec<u8>, from: &str, to: &str) {
    *xml = String::from_utf8_lossy(xml).replace(from, to).into_bytes();
}

/// Gives each picture (the logo, in the body's order) what it shows, for
/// screen readers (`wp:docPr descr`), or marks it decorative as Word's
/// "Mark as decorative" does; docx-rs names every picture `Figure` and
/// describes none.
pub(super) fn with_picture_descriptions(document: &[u8], body: &[Para]) -> Vec<u8> {
    const NAMED: &[u8] = b"name=\"Figure\" />";
    let mut alts = body.iter().filter_map(|p| match p {
        Para::Logo { alt, .. } => Some(("Logo", alt.as_str())),
        // Named by its unit id: a handout translated in place brings its
        // translated description back (`translate::docx`).
        Para::Picture { alt, unit, .. } if !unit.is_empty() => Some((unit.as_str(), alt.as_str())),
        Para::Picture { alt, .. } => Some(("Picture", alt.as_str())),
        _ => None,
    });
    let mut out = Vec::with_capacity(document.len() + 256);
    let mut rest = document;
    while let Some(at) = rest.windows(NAMED.len()).position(|w| w == NAMED) {
        out.extend_from_slice(&rest[..at]);
        rest = &rest[at + NAMED.len()..];
        match alts.next() {
            Some((name, "")) => {
                out.extend_from_slice(format!("name=\"{name}\"").as_bytes());
                out.extend_from_slice(
                b" descr=\"\"><a:extLst xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\"><a:ext uri=\"{C183D7F6-B498-43B3-948B-1728B52AA6E4}\"><adec:decorative xmlns:adec=\"http://schemas.microsoft.com/office/drawing/2017/decorative\" val=\"1\"/></a:ext></a:extLst></wp:docPr>",
            );
            }
            Some((name, alt)) => {
                out.extend_from_slice(format!("name=\"{name}\" descr=\"").as_bytes());
                out.extend_from_slice(crate::text::escape_xml(alt).as_bytes());
                out.extend_from_slice(b"\" />");
            }
            None => out.extend_from_slice(NAMED),
        }
    }
    out.extend_from_slice(rest);
    out
}
