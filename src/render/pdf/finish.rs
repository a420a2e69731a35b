//! The finishing pass over the document printpdf made: page boxes (media,
//! bleed, trim), link annotations, the Info dictionary, `/Lang`, a stable
//! `/ID`, the subset tags of the fonts, and PDF/X-4 for print.

use super::claims::{add_output_intent, replace_xmp};
use super::ops::text_string;
use super::pdfx::{images_to_cmyk, profile_first};
use super::{PDFX_VERSION, Pages, PdfOptions};
use crate::plan::Variant;
use lopdf::Object;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The finishing pass over the PDF objects: what printpdf does not write the way
/// print and accessibility need it (subset tags, language, boxes, metadata,
/// stable ids).
pub(super) struct PageBoxes {
    pub(super) mw: f32,
    pub(super) mh: f32,
    pub(super) trim: (f32, f32, f32, f32),
    pub(super) bleed: f32,
    /// Link rectangles in PDF coordinates and their addresses.
    pub(super) links: Vec<(f32, f32, f32, f32, String)>,
    /// Whether the page has printer's marks (which need the registration
    /// colour space among its resources).
    pub(super) marks: bool,
}

/// The registration colour: a separation named `All`, which every plate
/// prints; where a device shows it instead, all four inks at the tint.
fn registration_space() -> Object {
    let tint = lopdf::Dictionary::from_iter(vec![
        ("FunctionType", Object::Integer(2)),
        ("Domain", Object::Array(vec![0.into(), 1.into()])),
        (
            "C0",
            Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]),
        ),
        (
            "C1",
            Object::Array(vec![1.into(), 1.into(), 1.into(), 1.into()]),
        ),
        ("N", Object::Integer(1)),
    ]);
    Object::Array(vec![
        Object::Name(b"Separation".to_vec()),
        Object::Name(b"All".to_vec()),
        Object::Name(b"DeviceCMYK".to_vec()),
        Object::Dictionary(tint),
    ])
}

/// Adds the registration colour space to page `id`'s resources.
fn add_registration(lo: &mut lopdf::Document, id: lopdf::ObjectId) {
    let resources = match lo.get_dictionary(id).and_then(|d| d.get(b"Resources")) {
        Ok(Object::Reference(r)) => Some(*r),
        _ => None,
    };
    let dict = match resources {
        Some(r) => lo.get_dictionary_mut(r),
        None => lo
            .get_dictionary_mut(id)
            .and_then(|d| d.get_mut(b"Resources"))
            .and_then(Object::as_dict_mut),
    };
    if let Ok(res) = dict {
        let mut spaces = res
            .get(b"ColorSpace")
            .and_then(Object::as_dict)
            .cloned()
            .unwrap_or_default();
        spaces.set(super::ops::REGISTRATION, registration_space());
        res.set("ColorSpace", Object::Dictionary(spaces));
    }
}

pub(super) fn finish(
    lo: &mut lopdf::Document,
    pages: &Pages,
    opts: &PdfOptions,
    tags: &BTreeMap<String, String>,
    boxes: &[PageBoxes],
    marked: &[Vec<super::tags::Marked>],
) {
    let print = opts.variant == Variant::Print;
    // PDF/X-4 is built on PDF 1.6.
    lo.version = if print { "1.6" } else { "1.7" }.to_string();
    // Subset fonts carry an `ABCDEF+` tag on BaseFont and FontName (ISO 32000-1, 9.6.4).
    for obj in lo.objects.values_mut() {
        if let Object::Dictionary(d) = obj {
            for key in [b"BaseFont".as_slice(), b"FontName".as_slice()] {
                if let Ok(Object::Name(n)) = d.get(key) {
                    let name = String::from_utf8_lossy(n).to_string();
                    if let Some(tag) = tags.get(&name) {
                        d.set(key, Object::Name(format!("{tag}+{name}").into_bytes()));
                    }
                }
            }
        }
    }
    // Page boxes: trim inside bleed inside media.
    let page_ids: Vec<_> = lo.get_pages().into_values().collect();
    let mut page_annots = Vec::new();
    for (id, pb) in page_ids.iter().zip(boxes) {
        let rect = |x0: f32, y0: f32, x1: f32, y1: f32| {
            Object::Array(vec![x0.into(), y0.into(), x1.into(), y1.into()])
        };
        // Indirect, so the structure tree can hold them (OBJR); printed
        // (`/F 4`, as PDF/A asks), and described for screen readers.
        let annots: Vec<lopdf::ObjectId> = pb
            .links
            .iter()
            .map(|(x0, y0, x1, y1, uri)| {
                lo.add_object(lopdf::Dictionary::from_iter(vec![
                    ("Type", Object::Name(b"Annot".to_vec())),
                    ("Subtype", Object::Name(b"Link".to_vec())),
                    ("Rect", rect(*x0, *y0, *x1, *y1)),
                    ("Border", Object::Array(vec![0.into(), 0.into(), 0.into()])),
                    ("F", Object::Integer(4)),
                    ("Contents", text_string(uri)),
                    (
                        "A",
                        Object::Dictionary(lopdf::Dictionary::from_iter(vec![
                            ("S", Object::Name(b"URI".to_vec())),
                            ("URI", Object::string_literal(uri.as_str())),
                        ])),
                    ),
                ]))
            })
            .collect();
        if pb.marks {
            add_registration(lo, *id);
        }
        let refs: Vec<Object> = annots.iter().map(|&a| Object::Reference(a)).collect();
        page_annots.push(annots);
        if let Ok(Object::Dictionary(d)) = lo.get_object_mut(*id) {
            let (tx0, ty0, tx1, ty1) = pb.trim;
            let b = pb.bleed;
            d.set("MediaBox", rect(0.0, 0.0, pb.mw, pb.mh));
            d.set("BleedBox", rect(tx0 - b, ty0 - b, tx1 + b, ty1 + b));
            d.set("TrimBox", rect(tx0, ty0, tx1, ty1));
            d.remove(b"CropBox");
            d.remove(b"ArtBox");
            if refs.is_empty() {
                d.remove(b"Annots");
            } else {
                d.set("Annots", Object::Array(refs));
            }
        }
    }
    let date = pdf_date(opts.epoch);
    let info = lopdf::Dictionary::from_iter(vec![
        ("Title", text_string(&pages.title)),
        ("Author", text_string(&pages.author)),
        ("Creator", text_string("leafpress")),
        (
            "Producer",
            text_string(&format!("leafpress {}", env!("CARGO_PKG_VERSION"))),
        ),
        ("CreationDate", Object::string_literal(date.clone())),
        ("ModDate", Object::string_literal(date)),
    ]);
    let mut info = info;
    if print {
        info.set("Trapped", Object::Name(b"False".to_vec()));
        info.set("GTS_PDFXVersion", Object::string_literal(PDFX_VERSION));
    }
    let info_id = lo.add_object(info);
    lo.trailer.set("Info", Object::Reference(info_id));
    if let Ok(root) = lo.trailer.get(b"Root").and_then(|r| r.as_reference())
        && let Ok(Object::Dictionary(cat)) = lo.get_object_mut(root)
    {
        cat.set("Lang", text_string(&pages.language));
        cat.set(
            "ViewerPreferences",
            lopdf::Dictionary::from_iter(vec![("DisplayDocTitle", Object::Boolean(true))]),
        );
    }
    // A stable file identifier: the same inputs give the same bytes.
    let mut h = Sha256::new();
    for part in [
        &pages.title,
        &pages.layout,
        &pages.language,
        opts.variant.name(),
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.update(opts.epoch.to_be_bytes());
    let id = h.finalize()[..16].to_vec();
    lo.trailer.set(
        "ID",
        Object::Array(vec![
            Object::String(id.clone(), lopdf::StringFormat::Hexadecimal),
            Object::String(id, lopdf::StringFormat::Hexadecimal),
        ]),
    );
    super::tags::build(lo, pages, &page_ids, marked, &page_annots);
    add_output_intent(lo, opts.variant);
    replace_xmp(lo, pages, opts, &id_hex(&lo.trailer));
    if print {
        images_to_cmyk(lo);
    }
    lo.prune_objects();
    lo.renumber_objects();
    if print {
        profile_first(lo);
    }
}

pub(super) fn id_hex(trailer: &lopdf::Dictionary) -> String {
    match trailer.get(b"ID") {
        Ok(Object::Array(a)) => match a.first() {
            Some(Object::String(b, _)) => crate::text::hex(b),
            _ => String::new(),
        },
        _ => String::new(),
    }
}

pub(super) fn pdf_date(epoch: i64) -> String {
    crate::text::timestamps(epoch).1
}
