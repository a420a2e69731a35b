//! The PDF writer: turns positioned `Pages` into PDF through printpdf, with
//! fonts subset by `subsetter` and embedded as CID fonts. It decides nothing
//! about layout; it converts coordinates (PDF's origin is bottom-left) and
//! colours. Text runs are written as content-stream bytes (`ops`), the
//! document is finished with lopdf (`finish`, `pdfx` for print) and its
//! streams compressed (`compress`).

mod claims;
mod compress;
mod finish;
mod images;
mod ops;
mod page;
mod pdfx;
mod tags;

use super::Output;
use super::subset::{Subset, Subsets};
use crate::cache::Caches;
use crate::fonts::{FaceId, FontBook};
use crate::pages::Pages;
use crate::plan::Variant;
use compress::compress;
use finish::finish;
use lopdf::Object;
use pdfx::{PROFILE_ZLIB, sha256};
use printpdf::{
    Codepoint, FontId, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Pt, TextItem,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

pub struct PdfOptions {
    /// Print: DeviceCMYK from the brand's inks, marks, PDF/X-4. Screen: DeviceRGB
    /// from the brand's sRGB values, links.
    pub variant: Variant,
    /// Seconds since 1970 written as the creation date.
    pub epoch: i64,
}

/// The PDF/X version print files claim, in Info and XMP alike.
pub const PDFX_VERSION: &str = "PDF/X-4";

/// Writes `pages` as PDF bytes.
pub fn write(
    pages: &Pages,
    book: &FontBook,
    subsets: &Subsets,
    opts: &PdfOptions,
    caches: &Caches,
) -> Result<Output, String> {
    let mut doc = PdfDocument::new(&pages.title);
    let tags = embed_fonts(&mut doc, book, subsets)?;
    let images = images::embed(&mut doc, pages, opts.variant)?;
    let mut drawing = page::Drawing {
        book,
        subsets,
        variant: opts.variant,
        images: &images,
        texts: Vec::new(),
        used: BTreeMap::new(),
        types: tags::struct_types(&pages.blocks),
        marked: Vec::new(),
    };
    let mut pdf_pages = Vec::new();
    let mut boxes = Vec::new();
    for page in &pages.pages {
        let (pdf_page, page_boxes) = drawing.page(page)?;
        pdf_pages.push(pdf_page);
        boxes.push(page_boxes);
    }
    if let Some(last) = pdf_pages.last_mut() {
        glyph_section(last, &drawing.used);
    }
    doc.with_pages(pdf_pages);

    let mut warnings = Vec::new();
    let save = PdfSaveOptions {
        optimize: true,
        subset_fonts: false,
        secure: true,
        image_optimization: None,
    };
    let mut lo = doc.to_lopdf_document(&save, &mut warnings);
    for page in lo.get_pages().into_values() {
        let contents = lo
            .get_dictionary(page)
            .and_then(|d| d.get(b"Contents"))
            .and_then(|c| c.as_reference());
        if let Ok(Object::Stream(stream)) = contents.and_then(|id| lo.get_object_mut(id)) {
            let spliced = ops::splice(&stream.content, &drawing.texts)?;
            stream.set_content(spliced);
        }
    }
    finish(&mut lo, pages, opts, &tags, &boxes, &drawing.marked);
    compress(&mut lo, caches);
    // A print file is mostly its output profile: room for it from the start.
    let mut bytes = Vec::with_capacity(PROFILE_ZLIB.len() + (64 << 10));
    lo.save_to(&mut bytes)
        .map_err(|e| format!("cannot write PDF: {e}"))?;
    let sha256 = sha256(&bytes, caches);
    Ok(Output { bytes, sha256 })
}

/// Hands printpdf each face's subset under its PostScript name; returns the
/// subset tag of each name (`ABCDEF+`), derived from the glyph set so equal
/// inputs give equal files.
fn embed_fonts(
    doc: &mut PdfDocument,
    book: &FontBook,
    subsets: &Subsets,
) -> Result<BTreeMap<String, String>, String> {
    let mut tags: BTreeMap<String, String> = BTreeMap::new();
    for (&face_id, Subset { gids, data, .. }) in subsets {
        let face = book.face(face_id);
        let mut warnings = Vec::new();
        let mut parsed =
            printpdf::ParsedFont::from_bytes(data, 0, &mut warnings).ok_or_else(|| {
                format!(
                    "cannot embed font `{}`: the subset could not be read back",
                    face.file
                )
            })?;
        let name = postscript_name(face).unwrap_or_else(|| format!("Font{face_id}"));
        let mut h = Sha256::new();
        h.update(name.as_bytes());
        for g in gids {
            h.update(g.to_be_bytes());
        }
        let tag: String = h.finalize()[..6]
            .iter()
            .map(|b| (b'A' + b % 26) as char)
            .collect();
        tags.insert(name.clone(), tag);
        parsed.font_name = Some(name);
        doc.resources
            .fonts
            .map
            .insert(font_id(face_id), printpdf::PdfFont::new(parsed));
    }
    Ok(tags)
}

/// Tells printpdf every glyph a face shows, once, with the text it stands for
/// (for the font's widths and ToUnicode map), in a section of the last page
/// that is cut out again when the text runs are spliced in.
fn glyph_section(last: &mut PdfPage, used: &BTreeMap<FaceId, BTreeMap<u16, &str>>) {
    last.ops.push(Op::Marker {
        id: ops::FONTS_FROM.into(),
    });
    for (&face, glyphs) in used {
        last.ops.push(Op::StartTextSection);
        last.ops.push(Op::SetFont {
            font: PdfFontHandle::External(font_id(face)),
            size: Pt(1.0),
        });
        last.ops.push(Op::ShowText {
            items: vec![TextItem::GlyphIds(
                glyphs
                    .iter()
                    .map(|(&gid, &text)| Codepoint {
                        gid,
                        offset: 0.0,
                        cid: Some(text.to_string()),
                    })
                    .collect(),
            )],
        });
        last.ops.push(Op::EndTextSection);
    }
    last.ops.push(Op::Marker {
        id: ops::FONTS_TO.into(),
    });
}

fn font_id(face: FaceId) -> FontId {
    FontId(format!("F{face}"))
}

/// The face's PostScript name (name id 6), as a PDF name wants it.
fn postscript_name(face: &crate::fonts::Face) -> Option<String> {
    let f = rustybuzz::ttf_parser::Face::parse(face.data(), 0).ok()?;
    let n = f.names().into_iter().find(|n| {
        n.name_id == rustybuzz::ttf_parser::name_id::POST_SCRIPT_NAME && n.is_unicode()
    })?;
    let s = n.to_string()?;
    let s: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    (!s.is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_print_pdf_begins_with_the_shared_head_and_its_hash_is_its_bytes_hash() {
        use sha2::{Digest, Sha256};
        let p = crate::project::load(&crate::project::Paths {
            content: "content".into(),
            layouts: "layouts".into(),
            fonts: "fonts".into(),
        })
        .unwrap();
        let jobs = crate::plan::plan(&p, &Default::default()).unwrap();
        let job = jobs.iter().find(|j| j.layout == "flyer").unwrap();
        let (doc, _) = crate::doc::resolve(&p, job, false).unwrap();
        let head = super::pdfx::shared_head();
        assert!(head.len() > 400_000, "the profile is in the shared head");
        for variant in [super::Variant::Print, super::Variant::Screen] {
            let pages = crate::typeset::typeset(&p, &doc, variant).unwrap();
            let subsets = crate::render::subset::subset_fonts(&pages, &p.fonts, &p.caches).unwrap();
            let opts = super::PdfOptions { variant, epoch: 0 };
            let a = super::write(&pages, &p.fonts, &subsets, &opts, &p.caches).unwrap();
            let b = super::write(&pages, &p.fonts, &subsets, &opts, &p.caches).unwrap();
            assert_eq!(a, b);
            assert!(a.bytes.starts_with(b"%PDF-1."));
            assert!(a.bytes.ends_with(b"%%EOF"));
            assert_eq!(a.sha256, <[u8; 32]>::from(Sha256::digest(&a.bytes)));
            let print = variant == super::Variant::Print;
            assert_eq!(a.bytes.starts_with(&head), print, "{variant:?}");
            assert_eq!(a.bytes.windows(8).any(|w| w == b"GTS_PDFX"), print);
            assert_eq!(a.bytes.windows(9).any(|w| w == b"GTS_PDFA1"), !print);
        }
    }
}
