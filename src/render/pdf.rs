//! The PDF writer: translates positioned `Pages` into PDF through printpdf, with
//! fonts subset by `subsetter` and embedded as CID fonts. It decides nothing about
//! layout; it converts coordinates (PDF's origin is bottom-left) and colours.

use crate::fonts::{FaceId, FontBook};
use crate::typeset::{Item, Pages};
use lopdf::Object;
use printpdf::{
    Codepoint, Color, FontId, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Pt, Rect,
    TextItem, TextMatrix,
};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// Which colour model the file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColourModel {
    /// DeviceCMYK from the brand's ink values: for print.
    Cmyk,
    /// DeviceRGB from the brand's sRGB values: for screens.
    Rgb,
}

pub struct PdfOptions {
    pub colour: ColourModel,
    /// Seconds since 1970 written as the creation date.
    pub epoch: i64,
}

/// Writes `pages` as PDF bytes.
pub fn write(pages: &Pages, book: &FontBook, opts: &PdfOptions) -> Result<Vec<u8>, String> {
    // Subset each face to the glyphs these pages use. Glyph 0 (.notdef) stays
    // first, as the PDF and TrueType specs require.
    let mut used: BTreeMap<FaceId, BTreeSet<u16>> = BTreeMap::new();
    for page in &pages.pages {
        for item in &page.items {
            if let Item::Text(run) = item {
                used.entry(run.face)
                    .or_default()
                    .extend(run.glyphs.iter().map(|g| g.id));
            }
        }
    }
    let mut doc = PdfDocument::new(&pages.title);
    let mut remaps: BTreeMap<FaceId, subsetter::GlyphRemapper> = BTreeMap::new();
    let mut tags: BTreeMap<String, String> = BTreeMap::new();
    for (&face_id, gids) in &used {
        let face = book.face(face_id);
        let mut remap = subsetter::GlyphRemapper::new();
        remap.remap(0);
        for &g in gids {
            remap.remap(g);
        }
        let subset = subsetter::subset(&face.data, 0, &remap)
            .map_err(|e| format!("cannot subset font `{}`: {e}", face.file))?;
        let mut warnings = Vec::new();
        let mut parsed =
            printpdf::ParsedFont::from_bytes(&subset, 0, &mut warnings).ok_or_else(|| {
                format!(
                    "cannot embed font `{}`: the subset could not be read back",
                    face.file
                )
            })?;
        let name = postscript_name(face).unwrap_or_else(|| format!("Font{face_id}"));
        // The subset tag is derived from the glyph set, so equal inputs give equal files.
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
        remaps.insert(face_id, remap);
    }

    let colour = |c: &crate::typeset::Colour| match opts.colour {
        ColourModel::Cmyk => Color::Cmyk(printpdf::Cmyk::new(
            c.cmyk.c / 100.0,
            c.cmyk.m / 100.0,
            c.cmyk.y / 100.0,
            c.cmyk.k / 100.0,
            None,
        )),
        ColourModel::Rgb => Color::Rgb(printpdf::Rgb::new(
            c.rgb.0 as f32 / 255.0,
            c.rgb.1 as f32 / 255.0,
            c.rgb.2 as f32 / 255.0,
            None,
        )),
    };

    // Images, once each, under stable names.
    let mut images: Vec<(std::sync::Arc<[u8]>, printpdf::XObjectId, u32, u32)> = Vec::new();
    for page in &pages.pages {
        for item in &page.items {
            if let Item::Image { png, .. } = item
                && !images.iter().any(|(d, ..)| std::sync::Arc::ptr_eq(d, png))
            {
                let raw = printpdf::RawImage::decode_from_bytes(png, &mut Vec::new())
                    .map_err(|e| format!("cannot embed the logo: {e}"))?;
                let id = printpdf::XObjectId(format!("Im{}", images.len() + 1));
                let (w, h) = (raw.width as u32, raw.height as u32);
                doc.resources.xobjects.map.insert(id.clone(), printpdf::XObject::Image(raw));
                images.push((png.clone(), id, w, h));
            }
        }
    }

    let mut pdf_pages = Vec::new();
    let mut boxes = Vec::new();
    for page in &pages.pages {
        let b = page.bleed;
        let (mw, mh) = (page.width + 2.0 * b, page.height + 2.0 * b);
        // Our y grows downwards from the trim box's top; PDF's grows up from the media box's bottom.
        let px = |x: f32| x + b;
        let py = |y: f32| mh - (y + b);
        let mut ops = Vec::new();
        for item in &page.items {
            match item {
                Item::Rect {
                    x,
                    y,
                    w,
                    h,
                    colour: c,
                } => {
                    ops.push(Op::SetFillColor { col: colour(c) });
                    ops.push(Op::DrawRectangle {
                        rectangle: Rect {
                            x: Pt(px(*x)),
                            y: Pt(py(*y + *h)),
                            width: Pt(*w),
                            height: Pt(*h),
                            mode: Some(printpdf::PaintMode::Fill),
                            winding_order: None,
                        },
                    });
                }
                Item::Image { x, y, w, h, png } => {
                    let (_, id, pw_px, ph_px) = images.iter().find(|(d, ..)| std::sync::Arc::ptr_eq(d, png)).ok_or("image not registered")?;
                    // printpdf sizes an image as pixels at `dpi`; pick the dpi that gives our width.
                    let dpi = *pw_px as f32 * 72.0 / w;
                    ops.push(Op::UseXobject {
                        id: id.clone(),
                        transform: printpdf::XObjectTransform {
                            translate_x: Some(Pt(px(*x))),
                            translate_y: Some(Pt(py(*y + *h))),
                            scale_y: Some(h / (*ph_px as f32 * 72.0 / dpi)),
                            dpi: Some(dpi),
                            ..Default::default()
                        },
                    });
                }
                Item::Text(run) => {
                    let face = book.face(run.face);
                    let shaper = face.shaper().ok_or("font cannot be read")?;
                    let remap = &remaps[&run.face];
                    let scale = 1000.0 / face.units_per_em;
                    let mut glyphs = Vec::with_capacity(run.glyphs.len());
                    for (i, g) in run.glyphs.iter().enumerate() {
                        // The viewer advances by the width in /W (truncated to 1/1000 em,
                        // as printpdf writes it); the TJ adjustment moves the pen from
                        // there to where the typesetter put the next glyph.
                        let adv_units = shaper
                            .glyph_hor_advance(rustybuzz::ttf_parser::GlyphId(g.id))
                            .unwrap_or(0);
                        let w_pdf = (adv_units as f32 * scale).trunc() * run.size / 1000.0;
                        let next_x = run.glyphs.get(i + 1).map(|n| n.x).unwrap_or(g.x + w_pdf);
                        let adjust = -((next_x - g.x) - w_pdf) * 1000.0 / run.size;
                        let adjust = if adjust.abs() < 0.001 { 0.0 } else { adjust };
                        glyphs.push(Codepoint {
                            gid: remap.get(g.id).unwrap_or(0),
                            offset: adjust,
                            cid: Some(g.text.clone()),
                        });
                    }
                    let x0 = run.x + run.glyphs.first().map(|g| g.x).unwrap_or(0.0);
                    ops.push(Op::StartTextSection);
                    ops.push(Op::SetFont {
                        font: PdfFontHandle::External(font_id(run.face)),
                        size: Pt(run.size),
                    });
                    ops.push(Op::SetFillColor {
                        col: colour(&run.colour),
                    });
                    ops.push(Op::SetTextMatrix {
                        matrix: TextMatrix::Translate(Pt(px(x0)), Pt(py(run.baseline))),
                    });
                    ops.push(Op::ShowText {
                        items: vec![TextItem::GlyphIds(glyphs)],
                    });
                    ops.push(Op::EndTextSection);
                }
            }
        }
        let media = Rect::from_wh(Pt(mw), Pt(mh));
        let trim = Rect {
            x: Pt(b),
            y: Pt(b),
            width: Pt(page.width),
            height: Pt(page.height),
            mode: None,
            winding_order: None,
        };
        boxes.push((mw, mh, b));
        pdf_pages.push(PdfPage {
            media_box: media.clone(),
            trim_box: trim,
            crop_box: media,
            ops,
        });
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
    finish(&mut lo, pages, opts, &tags, &boxes);
    lo.compress();
    let mut out = Vec::new();
    lo.save_to(&mut out)
        .map_err(|e| format!("cannot write PDF: {e}"))?;
    Ok(out)
}

fn font_id(face: FaceId) -> FontId {
    FontId(format!("F{face}"))
}

/// The face's PostScript name (name id 6), as a PDF name wants it.
fn postscript_name(face: &crate::fonts::Face) -> Option<String> {
    let f = rustybuzz::ttf_parser::Face::parse(&face.data, 0).ok()?;
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

/// The finishing pass over the PDF objects: what printpdf does not write the way
/// print and accessibility need it (subset tags, language, boxes, metadata,
/// stable ids).
fn finish(
    lo: &mut lopdf::Document,
    pages: &Pages,
    opts: &PdfOptions,
    tags: &BTreeMap<String, String>,
    boxes: &[(f32, f32, f32)],
) {
    lo.version = "1.7".to_string();
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
    for (id, &(mw, mh, b)) in page_ids.iter().zip(boxes) {
        if let Ok(Object::Dictionary(d)) = lo.get_object_mut(*id) {
            let rect = |x0: f32, y0: f32, x1: f32, y1: f32| {
                Object::Array(vec![x0.into(), y0.into(), x1.into(), y1.into()])
            };
            d.set("MediaBox", rect(0.0, 0.0, mw, mh));
            d.set("BleedBox", rect(0.0, 0.0, mw, mh));
            d.set("TrimBox", rect(b, b, mw - b, mh - b));
            d.remove(b"CropBox");
            if let Ok(Object::Array(a)) = d.get(b"Annots")
                && a.is_empty()
            {
                d.remove(b"Annots");
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
        ("Trapped", Object::Name(b"False".to_vec())),
    ]);
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
    h.update(pages.title.as_bytes());
    h.update(pages.language.as_bytes());
    h.update(opts.epoch.to_be_bytes());
    let id = h.finalize()[..16].to_vec();
    lo.trailer.set(
        "ID",
        Object::Array(vec![
            Object::String(id.clone(), lopdf::StringFormat::Hexadecimal),
            Object::String(id, lopdf::StringFormat::Hexadecimal),
        ]),
    );
    lo.prune_objects();
    lo.renumber_objects();
}

/// A PDF text string: plain when ASCII, else UTF-16BE with a byte-order mark.
fn text_string(s: &str) -> Object {
    if s.is_ascii() {
        Object::string_literal(s)
    } else {
        let mut b = vec![0xFE, 0xFF];
        for u in s.encode_utf16() {
            b.extend(u.to_be_bytes());
        }
        Object::String(b, lopdf::StringFormat::Hexadecimal)
    }
}

fn pdf_date(epoch: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(epoch)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}
