//! The PDF writer: translates positioned `Pages` into PDF through printpdf, with
//! fonts subset by `subsetter` and embedded as CID fonts. It decides nothing about
//! layout; it converts coordinates (PDF's origin is bottom-left) and colours.

use super::Output;
use super::subset::{Subset, Subsets};
use crate::fonts::{FaceId, FontBook};
use crate::pages::{Item, MARK_WIDTH, Pages};
use crate::plan::Variant;
use lopdf::Object;
use printpdf::{
    Codepoint, Color, FontId, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Pt, Rect,
    TextItem,
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
) -> Result<Output, String> {
    let mut doc = PdfDocument::new(&pages.title);
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
    }

    let colour = |c: &crate::pages::Colour| match opts.variant {
        Variant::Print => Color::Cmyk(printpdf::Cmyk::new(
            c.cmyk.c / 100.0,
            c.cmyk.m / 100.0,
            c.cmyk.y / 100.0,
            c.cmyk.k / 100.0,
            None,
        )),
        Variant::Screen => Color::Rgb(printpdf::Rgb::new(
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
                doc.resources
                    .xobjects
                    .map
                    .insert(id.clone(), printpdf::XObject::Image(raw));
                images.push((png.clone(), id, w, h));
            }
        }
    }

    let mut pdf_pages = Vec::new();
    let mut boxes = Vec::new();
    // Text runs are written here as content-stream bytes (`ops`), and printpdf
    // is given a marker in their place: its per-glyph operators and lopdf's
    // encoding of them were a tenth of a PDF's time. It is still told every
    // glyph a face shows, once, with the text it stands for (for the font's
    // widths and ToUnicode map), in a section cut out of the page afterwards.
    let mut texts: Vec<Vec<u8>> = Vec::new();
    let mut used: BTreeMap<FaceId, BTreeMap<u16, &str>> = BTreeMap::new();
    for page in &pages.pages {
        // The media box holds the trim, the bleed and the marks around it.
        let b = page.bleed + page.slug;
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
                    let (_, id, pw_px, ph_px) = images
                        .iter()
                        .find(|(d, ..)| std::sync::Arc::ptr_eq(d, png))
                        .ok_or("image not registered")?;
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
                    let shaper = face.shaper();
                    let remap = &subsets[&run.face].remap;
                    let scale = 1000.0 / face.units_per_em;
                    let used = used.entry(run.face).or_default();
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
                        let gid = remap.get(g.id).unwrap_or(0);
                        // printpdf keeps the last text given for a glyph.
                        used.insert(gid, g.text.as_str());
                        glyphs.push((gid, adjust));
                    }
                    // Segments: plain glyphs, and glyphs whose text is given by
                    // ActualText (the halves of a hyphenated word), each placed at
                    // its own start so positions stay exact.
                    let mut cuts: Vec<usize> = vec![0, glyphs.len()];
                    for (a, b, _) in &run.actual {
                        cuts.push(*a);
                        cuts.push(*b);
                    }
                    cuts.sort_unstable();
                    cuts.dedup();
                    let mut text = Vec::with_capacity(64 + 12 * glyphs.len());
                    ops::begin_text(
                        &mut text,
                        &font_id(run.face).0,
                        run.size,
                        &colour(&run.colour),
                    );
                    for w in cuts.windows(2) {
                        let (a, b) = (w[0], w[1].min(glyphs.len()));
                        if a >= b {
                            continue;
                        }
                        let actual = run
                            .actual
                            .iter()
                            .find(|(s, e, _)| *s == a && *e == b)
                            .map(|(_, _, t)| t);
                        if let Some(t) = actual {
                            ops::begin_actual_text(&mut text, &utf16be(t));
                        }
                        ops::show_glyphs(
                            &mut text,
                            px(run.x + run.glyphs[a].x),
                            py(run.baseline),
                            &glyphs[a..b],
                        );
                        if actual.is_some() {
                            ops::end_marked_content(&mut text);
                        }
                    }
                    ops::end_text(&mut text);
                    ops.push(Op::Marker {
                        id: ops::text_marker(texts.len()),
                    });
                    texts.push(text);
                }
            }
        }
        if !page.marks.is_empty() {
            // Registration colour: every ink at 100%, so marks show on every plate.
            ops.push(Op::SaveGraphicsState);
            ops.push(Op::SetOutlineColor {
                col: Color::Cmyk(printpdf::Cmyk::new(1.0, 1.0, 1.0, 1.0, None)),
            });
            ops.push(Op::SetOutlineThickness { pt: Pt(MARK_WIDTH) });
            for m in &page.marks {
                ops.push(Op::DrawLine {
                    line: printpdf::Line {
                        points: vec![
                            printpdf::LinePoint {
                                p: printpdf::Point {
                                    x: Pt(px(m.x1)),
                                    y: Pt(py(m.y1)),
                                },
                                bezier: false,
                            },
                            printpdf::LinePoint {
                                p: printpdf::Point {
                                    x: Pt(px(m.x2)),
                                    y: Pt(py(m.y2)),
                                },
                                bezier: false,
                            },
                        ],
                        is_closed: false,
                    },
                });
            }
            ops.push(Op::RestoreGraphicsState);
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
        let links: Vec<(f32, f32, f32, f32, String)> = page
            .links
            .iter()
            .map(|l| {
                (
                    px(l.x),
                    py(l.y + l.h),
                    px(l.x + l.w),
                    py(l.y),
                    l.uri.clone(),
                )
            })
            .collect();
        boxes.push(PageBoxes {
            mw,
            mh,
            trim: (b, b, mw - b, mh - b),
            bleed: page.bleed,
            links,
        });
        pdf_pages.push(PdfPage {
            media_box: media.clone(),
            trim_box: trim,
            crop_box: media,
            ops,
        });
    }
    if let Some(last) = pdf_pages.last_mut() {
        last.ops.push(Op::Marker {
            id: ops::FONTS_FROM.into(),
        });
        for (&face, glyphs) in &used {
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
            let spliced = ops::splice(&stream.content, &texts)?;
            stream.set_content(spliced);
        }
    }
    finish(&mut lo, pages, opts, &tags, &boxes);
    compress(&mut lo);
    // A print file is mostly its output profile: room for it from the start.
    let mut bytes = Vec::with_capacity(PROFILE_ZLIB.len() + (64 << 10));
    lo.save_to(&mut bytes)
        .map_err(|e| format!("cannot write PDF: {e}"))?;
    let sha256 = sha256(&bytes);
    Ok(Output { bytes, sha256 })
}

fn font_id(face: FaceId) -> FontId {
    FontId(format!("F{face}"))
}

/// The face's PostScript name (name id 6), as a PDF name wants it.
fn postscript_name(face: &crate::fonts::Face) -> Option<String> {
    let f = rustybuzz::ttf_parser::Face::parse(face.data, 0).ok()?;
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
struct PageBoxes {
    mw: f32,
    mh: f32,
    trim: (f32, f32, f32, f32),
    bleed: f32,
    /// Link rectangles in PDF coordinates and their addresses.
    links: Vec<(f32, f32, f32, f32, String)>,
}

fn finish(
    lo: &mut lopdf::Document,
    pages: &Pages,
    opts: &PdfOptions,
    tags: &BTreeMap<String, String>,
    boxes: &[PageBoxes],
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
    for (id, pb) in page_ids.iter().zip(boxes) {
        let rect = |x0: f32, y0: f32, x1: f32, y1: f32| {
            Object::Array(vec![x0.into(), y0.into(), x1.into(), y1.into()])
        };
        let annots: Vec<Object> = pb
            .links
            .iter()
            .map(|(x0, y0, x1, y1, uri)| {
                Object::Dictionary(lopdf::Dictionary::from_iter(vec![
                    ("Type", Object::Name(b"Annot".to_vec())),
                    ("Subtype", Object::Name(b"Link".to_vec())),
                    ("Rect", rect(*x0, *y0, *x1, *y1)),
                    ("Border", Object::Array(vec![0.into(), 0.into(), 0.into()])),
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
        if let Ok(Object::Dictionary(d)) = lo.get_object_mut(*id) {
            let (tx0, ty0, tx1, ty1) = pb.trim;
            let b = pb.bleed;
            d.set("MediaBox", rect(0.0, 0.0, pb.mw, pb.mh));
            d.set("BleedBox", rect(tx0 - b, ty0 - b, tx1 + b, ty1 + b));
            d.set("TrimBox", rect(tx0, ty0, tx1, ty1));
            d.remove(b"CropBox");
            d.remove(b"ArtBox");
            if annots.is_empty() {
                d.remove(b"Annots");
            } else {
                d.set("Annots", Object::Array(annots));
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
    let mut info = info;
    if print {
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
    if print {
        add_output_intent(lo);
        replace_xmp(lo, pages, opts.epoch, &id_hex(&lo.trailer));
        images_to_cmyk(lo);
    }
    lo.prune_objects();
    lo.renumber_objects();
    if print {
        profile_first(lo);
    }
}

/// Makes the output profile object 1, so every print file starts with the same
/// half megabyte (header and profile), hashed once (see `sha256`).
fn profile_first(lo: &mut lopdf::Document) {
    let profile = lo
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .and_then(|root| lo.get_dictionary(root))
        .and_then(|cat| cat.get(b"OutputIntents"))
        .and_then(Object::as_array)
        .ok()
        .and_then(|intents| intents.first())
        .and_then(|i| i.as_dict().ok())
        .and_then(|i| i.get(b"DestOutputProfile").ok())
        .and_then(|p| p.as_reference().ok());
    let Some(profile) = profile else {
        return;
    };
    let first = (1, 0);
    if profile == first {
        return;
    }
    fn swap(o: &mut Object, a: lopdf::ObjectId, b: lopdf::ObjectId) {
        match o {
            Object::Reference(id) if *id == a => *id = b,
            Object::Reference(id) if *id == b => *id = a,
            Object::Array(v) => v.iter_mut().for_each(|o| swap(o, a, b)),
            Object::Dictionary(d) => d.iter_mut().for_each(|(_, o)| swap(o, a, b)),
            Object::Stream(s) => s.dict.iter_mut().for_each(|(_, o)| swap(o, a, b)),
            _ => {}
        }
    }
    let (Some(p), Some(f)) = (lo.objects.remove(&profile), lo.objects.remove(&first)) else {
        return;
    };
    lo.objects.insert(first, p);
    lo.objects.insert(profile, f);
    for o in lo.objects.values_mut() {
        swap(o, profile, first);
    }
    for (_, o) in lo.trailer.iter_mut() {
        swap(o, profile, first);
    }
}

/// SHA-256 of a PDF, for the manifest. Every print PDF begins with the same
/// half megabyte (header and output profile): the hash's state after it is
/// made once, and a file that begins with it is hashed only from there on.
/// Hashing the profile again for each file cost 12% of the wall time of a
/// batch of 1,000 audiences (4.41 -> 3.88 s median, A/B, 8 runs each).
fn sha256(bytes: &[u8]) -> [u8; 32] {
    static HEAD: std::sync::OnceLock<(Vec<u8>, Sha256)> = std::sync::OnceLock::new();
    let (head, state) = HEAD.get_or_init(|| {
        let head = shared_head();
        let state = Sha256::new_with_prefix(&head);
        (head, state)
    });
    match bytes.strip_prefix(head.as_slice()) {
        Some(rest) if !head.is_empty() => state.clone().chain_update(rest).finalize().into(),
        _ => Sha256::digest(bytes).into(),
    }
}

/// The bytes every print PDF starts with (header and the profile object), as
/// lopdf writes them.
fn shared_head() -> Vec<u8> {
    {
        let mut lo = lopdf::Document::with_version("1.6");
        let mut profile = lopdf::Stream::new(profile_dict(), PROFILE_ZLIB.to_vec());
        profile.allows_compression = false;
        lo.objects.insert((1, 0), Object::Stream(profile));
        lo.max_id = 1;
        let mut out = Vec::new();
        if lo.save_to(&mut out).is_err() {
            return Vec::new();
        }
        // The profile object ends after its content: looked for from there, not
        // by scanning half a megabyte of profile from the start.
        let from = PROFILE_ZLIB.len().min(out.len());
        match out[from..].windows(7).position(|w| w == b"endobj\n") {
            Some(i) => {
                out.truncate(from + i + 7);
                out
            }
            None => Vec::new(),
        }
    }
}

fn profile_dict() -> lopdf::Dictionary {
    lopdf::Dictionary::from_iter(vec![
        ("N", Object::Integer(4)),
        ("Alternate", Object::Name(b"DeviceCMYK".to_vec())),
        ("Filter", Object::Name(b"FlateDecode".to_vec())),
    ])
}

/// Converts 8-bit DeviceRGB images (a PNG logo) to DeviceCMYK, so a print file
/// holds no RGB at all. The conversion is the plain device one (grey becomes pure
/// K); a designer who needs exact inks supplies the logo in brand colours.
fn images_to_cmyk(lo: &mut lopdf::Document) {
    for obj in lo.objects.values_mut() {
        let Object::Stream(s) = obj else { continue };
        let is_rgb_image = s.dict.get(b"Subtype").and_then(|o| o.as_name()).ok()
            == Some(b"Image".as_slice())
            && s.dict.get(b"ColorSpace").and_then(|o| o.as_name()).ok()
                == Some(b"DeviceRGB".as_slice())
            && s.dict
                .get(b"BitsPerComponent")
                .and_then(|o| o.as_i64())
                .ok()
                == Some(8);
        if !is_rgb_image {
            continue;
        }
        let Ok(rgb) = s.decompressed_content() else {
            continue;
        };
        let mut cmyk = Vec::with_capacity(rgb.len() / 3 * 4);
        for px in rgb.chunks_exact(3) {
            let (r, g, b) = (
                px[0] as f32 / 255.0,
                px[1] as f32 / 255.0,
                px[2] as f32 / 255.0,
            );
            let k = 1.0 - r.max(g).max(b);
            let ink = |v: f32| {
                if k >= 1.0 {
                    0.0
                } else {
                    (1.0 - v - k) / (1.0 - k)
                }
            };
            cmyk.extend(
                [ink(r), ink(g), ink(b), k].map(|v| (v * 255.0).round().clamp(0.0, 255.0) as u8),
            );
        }
        s.dict
            .set("ColorSpace", Object::Name(b"DeviceCMYK".to_vec()));
        s.dict.remove(b"DecodeParms");
        s.dict.remove(b"Filter");
        s.set_content(cmyk);
    }
}

/// The PDF/X OutputIntent: the Coated FOGRA39 characterisation (the profile
/// printpdf ships, redistributable under the licence in LICENSES/), embedded
/// pre-compressed.
fn add_output_intent(lo: &mut lopdf::Document) {
    let mut profile = lopdf::Stream::new(profile_dict(), PROFILE_ZLIB.to_vec());
    profile.allows_compression = false;
    let profile_id = lo.add_object(profile);
    let intent = lopdf::Dictionary::from_iter(vec![
        ("Type", Object::Name(b"OutputIntent".to_vec())),
        ("S", Object::Name(b"GTS_PDFX".to_vec())),
        (
            "OutputConditionIdentifier",
            Object::string_literal("FOGRA39"),
        ),
        (
            "OutputCondition",
            Object::string_literal(
                "Commercial and special offset print according to ISO 12647-2:2004 / Amd 1, paper type 1 or 2 (matte or gloss-coated offset paper, 115 g/m2), screen ruling 60/cm",
            ),
        ),
        (
            "RegistryName",
            Object::string_literal("http://www.color.org"),
        ),
        (
            "Info",
            Object::string_literal("Coated FOGRA39 (ISO 12647-2:2004)"),
        ),
        ("DestOutputProfile", Object::Reference(profile_id)),
    ]);
    if let Ok(root) = lo.trailer.get(b"Root").and_then(|r| r.as_reference())
        && let Ok(Object::Dictionary(cat)) = lo.get_object_mut(root)
    {
        cat.set(
            "OutputIntents",
            Object::Array(vec![Object::Dictionary(intent)]),
        );
    }
}

fn id_hex(trailer: &lopdf::Dictionary) -> String {
    match trailer.get(b"ID") {
        Ok(Object::Array(a)) => match a.first() {
            Some(Object::String(b, _)) => crate::text::hex(b),
            _ => String::new(),
        },
        _ => String::new(),
    }
}

/// Swaps printpdf's XMP packet (which carries a random instance id) for one made
/// from the inputs alone, stating the same title, dates, trapping and PDF/X
/// version as the Info dictionary, as PDF/X requires. Left uncompressed, so
/// prepress tools can read it.
fn replace_xmp(lo: &mut lopdf::Document, pages: &Pages, epoch: i64, id: &str) {
    let date = crate::text::timestamps(epoch).0;
    let uuid = format!(
        "{}-{}-{}-{}-{}",
        &id[0..8],
        &id[8..12],
        &id[12..16],
        &id[16..20],
        &id[20..32]
    );
    let title = crate::text::escape_xml(&pages.title);
    let author = crate::text::escape_xml(&pages.author);
    let lang = crate::text::escape_xml(&pages.language);
    let producer = format!("leafpress {}", env!("CARGO_PKG_VERSION"));
    let xmp = format!(
        r#"<?xpacket begin="{bom}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/">
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <xmp:MetadataDate>{date}</xmp:MetadataDate>
   <xmp:CreatorTool>leafpress</xmp:CreatorTool>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
   <dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
   <pdf:Producer>{producer}</pdf:Producer>
   <pdf:Trapped>False</pdf:Trapped>
   <xmpMM:DocumentID>uuid:{uuid}</xmpMM:DocumentID>
   <xmpMM:InstanceID>uuid:{uuid}</xmpMM:InstanceID>
   <xmpMM:VersionID>1</xmpMM:VersionID>
   <xmpMM:RenditionClass>default</xmpMM:RenditionClass>
   <pdfxid:GTS_PDFXVersion>{PDFX_VERSION}</pdfxid:GTS_PDFXVersion>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"#,
        bom = '\u{FEFF}'
    );
    let mut stream = lopdf::Stream::new(
        lopdf::Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Metadata".to_vec())),
            ("Subtype", Object::Name(b"XML".to_vec())),
        ]),
        xmp.into_bytes(),
    );
    stream.allows_compression = false;
    let xmp_id = lo.add_object(stream);
    if let Ok(root) = lo.trailer.get(b"Root").and_then(|r| r.as_reference())
        && let Ok(Object::Dictionary(cat)) = lo.get_object_mut(root)
    {
        cat.set("Metadata", Object::Reference(xmp_id));
    }
}

/// The Coated FOGRA39 profile printpdf embeds, zlib-compressed ahead of time (the
/// same bytes, packed; see LICENSES/): compressing 650 KB at run time would cost
/// more than the rest of a small batch.
const PROFILE_ZLIB: &[u8] = include_bytes!("../../res/CoatedFOGRA39.icc.zlib");

/// Content-stream operators for text runs, written byte for byte as printpdf
/// writes them through lopdf 0.44 (operands each followed by a space, operators
/// one to a line, numbers as Rust prints an `f32`, strings in upper-case hex).
mod ops {
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

    fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
        hay.windows(needle.len()).position(|w| w == needle)
    }
}

#[cfg(test)]
const PROFILE_LEN: usize = 654_352;

/// Compresses every stream not compressed yet (fonts, page content) at zlib's
/// fastest level: against the default it saved 7% of a small batch's time for
/// 1% more bytes (the output profile is most of a print file anyway). Font files
/// are remembered by their hash: jobs in one batch mostly embed the same font
/// subsets, and compressing them again would be most of a job's work.
fn compress(lo: &mut lopdf::Document) {
    use std::collections::HashMap;
    type Cache = std::sync::Mutex<HashMap<[u8; 32], std::sync::Arc<Vec<u8>>>>;
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    for obj in lo.objects.values_mut() {
        let Object::Stream(s) = obj else { continue };
        if !s.allows_compression || s.dict.get(b"Filter").is_ok() || s.content.len() < 64 {
            continue;
        }
        // Only font files recur across jobs (page content never does): only
        // they are looked up, by their BLAKE3.
        let packed = if s.content.len() >= 4096 && s.dict.has(b"Length1") {
            let key: [u8; 32] = blake3::hash(&s.content).into();
            let hit = cache.lock().ok().and_then(|c| c.get(&key).cloned());
            match hit {
                Some(c) => Some(c.as_ref().clone()),
                None => deflate(&s.content).inspect(|c| {
                    if let Ok(mut m) = cache.lock() {
                        // Bounded: a batch of very different texts must not grow it forever.
                        if m.len() >= 128 {
                            m.clear();
                        }
                        m.insert(key, std::sync::Arc::new(c.clone()));
                    }
                }),
            }
        } else {
            deflate(&s.content)
        };
        if let Some(c) = packed.filter(|c| c.len() + 19 < s.content.len()) {
            s.dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
            s.set_content(c);
        }
    }
}

/// `data` zlib-compressed at the fastest level.
fn deflate(data: &[u8]) -> Option<Vec<u8>> {
    thread_local! {
        /// One compressor per thread, reset for each stream: setting one up
        /// allocates and clears its window and tables, which showed up as a
        /// tenth of a small batch's page faults.
        static DEFLATE: std::cell::RefCell<flate2::Compress> =
            std::cell::RefCell::new(flate2::Compress::new(flate2::Compression::fast(), true));
    }
    DEFLATE.with_borrow_mut(|z| {
        z.reset();
        let mut out = Vec::with_capacity(data.len() / 2 + 64);
        loop {
            let read = z.total_in() as usize;
            match z.compress_vec(&data[read..], &mut out, flate2::FlushCompress::Finish) {
                Ok(flate2::Status::StreamEnd) => return Some(out),
                Ok(_) => out.reserve(out.capacity().max(64)),
                Err(_) => return None,
            }
        }
    })
}

/// UTF-16BE with a byte-order mark, as PDF text strings outside ASCII need.
fn utf16be(s: &str) -> Vec<u8> {
    let mut b = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        b.extend(u.to_be_bytes());
    }
    b
}

/// A PDF text string: plain when ASCII, else UTF-16BE with a byte-order mark.
fn text_string(s: &str) -> Object {
    if s.is_ascii() {
        Object::string_literal(s)
    } else {
        Object::String(utf16be(s), lopdf::StringFormat::Hexadecimal)
    }
}

fn pdf_date(epoch: i64) -> String {
    crate::text::timestamps(epoch).1
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_packed_profile_is_the_fogra39_profile() {
        use std::io::Read;
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(super::PROFILE_ZLIB)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out.len(), super::PROFILE_LEN);
        assert_eq!(&out[36..40], b"acsp");
        assert_eq!(&out[16..20], b"CMYK");
    }

    #[test]
    fn a_stream_compresses_alike_whatever_the_thread_compressed_before() {
        use std::io::Read;
        let a: Vec<u8> = (0..50_000u32)
            .map(|i| (i % 251) as u8 ^ (i / 97) as u8)
            .collect();
        let b = b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET\n".repeat(300);
        let first = super::deflate(&a).unwrap();
        super::deflate(&b).unwrap();
        assert_eq!(super::deflate(&a).unwrap(), first);
        let mut back = Vec::new();
        flate2::read::ZlibDecoder::new(&first[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, a);
    }

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
                    id: super::ops::text_marker(0),
                },
            ]);
            let mut ours = Vec::new();
            super::ops::begin_text(&mut ours, "F0", 10.5, &colour);
            super::ops::show_glyphs(&mut ours, 12.25, -0.0, &glyphs[..2]);
            super::ops::begin_actual_text(&mut ours, &actual);
            super::ops::show_glyphs(&mut ours, 40.123456, 700.5, &glyphs[2..]);
            super::ops::end_marked_content(&mut ours);
            super::ops::end_text(&mut ours);
            // printpdf's: the colour set before the text, then the run, then
            // a marker that the splice replaces by the same run.
            let theirs = String::from_utf8(theirs).unwrap();
            let (colour_op, run) = theirs.split_once('\n').unwrap();
            let (run, marker) = run.rsplit_once('\n').unwrap();
            assert_eq!(run, String::from_utf8(ours.clone()).unwrap());
            let spliced = super::ops::splice(marker.as_bytes(), &[ours.clone()]).unwrap();
            assert_eq!(spliced, ours);
            assert!(colour_op.ends_with(" k") || colour_op.ends_with(" rg"));
        }
    }

    #[test]
    fn the_glyph_section_is_cut_out_and_markers_are_checked() {
        use super::ops::{FONTS_FROM, FONTS_TO, splice};
        let page = format!("q\n/lpT1 MP\nQ\n/{FONTS_FROM} MP\nBT\n[<0001>] TJ\nET\n/{FONTS_TO} MP");
        let texts = [b"A".to_vec(), b"BT\nET".to_vec()];
        assert_eq!(splice(page.as_bytes(), &texts).unwrap(), b"q\nBT\nET\nQ");
        assert!(splice(b"/lpT7 MP", &texts).is_err(), "no such run");
        assert!(splice(b"/lpTx MP", &texts).is_err(), "no number");
        assert!(splice(format!("/{FONTS_FROM} MP\nBT").as_bytes(), &texts).is_err());
        assert_eq!(splice(b"0 0 m", &texts).unwrap(), b"0 0 m");
    }

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
        let head = super::shared_head();
        assert!(head.len() > 400_000, "the profile is in the shared head");
        for variant in [super::Variant::Print, super::Variant::Screen] {
            let pages = crate::typeset::typeset(&p, &doc, variant).unwrap();
            let subsets = crate::render::subset::subset_fonts(&pages, &p.fonts).unwrap();
            let opts = super::PdfOptions { variant, epoch: 0 };
            let a = super::write(&pages, &p.fonts, &subsets, &opts).unwrap();
            let b = super::write(&pages, &p.fonts, &subsets, &opts).unwrap();
            assert_eq!(a, b);
            assert!(a.bytes.starts_with(b"%PDF-1."));
            assert!(a.bytes.ends_with(b"%%EOF"));
            assert_eq!(a.sha256, <[u8; 32]>::from(Sha256::digest(&a.bytes)));
            let print = variant == super::Variant::Print;
            assert_eq!(a.bytes.starts_with(&head), print, "{variant:?}");
            assert_eq!(a.bytes.windows(4).any(|w| w == b"GTS_"), print);
        }
    }
}
