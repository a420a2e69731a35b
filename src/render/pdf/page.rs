//! Drawing one page: its rectangles, images and text runs as content-stream
//! operators (text runs as bytes, see `ops`), its printer's marks in
//! registration colour, and its boxes and links for the finishing pass.

use super::finish::PageBoxes;
use super::ops::utf16be;
use super::tags::{Marked, Part, content_tag};
use super::{font_id, ops};
use crate::fonts::{FaceId, FontBook};
use crate::pages::{Colour, Item, Page, Tag};
use crate::plan::Variant;
use crate::render::subset::Subsets;
use printpdf::{Color, DictItem, Op, PdfPage, Pt, Rect};
use std::collections::BTreeMap;

use super::images::Image;

/// What drawing the pages of one PDF needs and collects.
pub(super) struct Drawing<'a> {
    pub(super) book: &'a FontBook,
    pub(super) subsets: &'a Subsets,
    pub(super) variant: Variant,
    pub(super) images: &'a [Image],
    /// Text runs as content-stream bytes: printpdf is given a marker in their
    /// place (`ops::text_marker`), and they are spliced in afterwards. Its
    /// per-glyph operators and lopdf's encoding of them were a tenth of a
    /// PDF's time.
    pub(super) texts: Vec<Vec<u8>>,
    /// Every glyph each face shows, with the text it stands for.
    pub(super) used: BTreeMap<FaceId, BTreeMap<u16, &'a str>>,
    /// Each block's structure type (`tags::struct_types`).
    pub(super) types: Vec<&'static str>,
    /// Each page's marked content, by MCID.
    pub(super) marked: Vec<Vec<Marked>>,
}

impl<'a> Drawing<'a> {
    /// A colour as the variant paints it: the brand's inks for print, sRGB for screen.
    fn colour(&self, c: &Colour) -> Color {
        match self.variant {
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
        }
    }

    /// A new marked-content id on the current page.
    fn mark(&mut self, block: u32, part: Part) -> u32 {
        let page = self.marked.last_mut().expect("a page is being drawn");
        page.push(Marked { block, part });
        page.len() as u32 - 1
    }

    /// Opens the marked content of a picture: part `part` of its block, or
    /// an artifact.
    fn begin_figure(&mut self, ops: &mut Vec<Op>, tag: Tag, part: Part) {
        match tag {
            Tag::Block { block, .. } => {
                let mcid = self.mark(block, part);
                let map = [("MCID".to_string(), DictItem::Int(mcid.into()))];
                ops.push(Op::BeginMarkedContentWithProperties {
                    tag: content_tag(&self.types, Marked { block, part }).into(),
                    properties: DictItem::Dict {
                        map: map.into_iter().collect(),
                    },
                });
            }
            Tag::Artifact => ops.push(Op::BeginMarkedContent {
                tag: "Artifact".into(),
            }),
        }
    }

    /// One page's operators, and its boxes and links.
    pub(super) fn page(&mut self, page: &'a Page) -> Result<(PdfPage, PageBoxes), String> {
        self.marked.push(Vec::new());
        // Links are numbered on the page as the typesetter listed them: by
        // item, then along the run.
        let mut link_no = 0;
        // The media box holds the trim, the bleed and the marks around it.
        let b = page.bleed + page.slug;
        let (mw, mh) = (page.width + 2.0 * b, page.height + 2.0 * b);
        // Our y grows downwards from the trim box's top; PDF's grows up from the media box's bottom.
        let px = |x: f32| x + b;
        let py = |y: f32| mh - (y + b);
        // A box given from its top-left in page points, filled or clipped to.
        let rect = |x: f32, y: f32, w: f32, h: f32, mode| Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(px(x)),
                y: Pt(py(y + h)),
                width: Pt(w),
                height: Pt(h),
                mode: Some(mode),
                winding_order: None,
            },
        };
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
                    ops.push(Op::BeginMarkedContent {
                        tag: "Artifact".into(),
                    });
                    ops.push(Op::SetFillColor {
                        col: self.colour(c),
                    });
                    ops.push(rect(*x, *y, *w, *h, printpdf::PaintMode::Fill));
                    ops.push(Op::EndMarkedContent);
                }
                Item::Image {
                    area,
                    placed,
                    picture,
                    tag,
                } => {
                    let (_, id) = self
                        .images
                        .iter()
                        .find(|(d, _)| *d == picture.digest)
                        .ok_or("image not registered")?;
                    let id = id.clone();
                    self.begin_figure(&mut ops, *tag, Part::Body);
                    // A cropped picture (`fit: cover`) is clipped to its box.
                    let clip = placed != area;
                    if clip {
                        ops.push(Op::SaveGraphicsState);
                        ops.push(rect(
                            area.x,
                            area.y,
                            area.w,
                            area.h,
                            printpdf::PaintMode::Clip,
                        ));
                    }
                    // The image's unit square scaled to where it lies.
                    ops.push(Op::UseXobject {
                        id,
                        transform: printpdf::XObjectTransform {
                            translate_x: Some(Pt(px(placed.x))),
                            translate_y: Some(Pt(py(placed.y + placed.h))),
                            scale_x: Some(placed.w),
                            scale_y: Some(placed.h),
                            no_auto_scale: true,
                            ..Default::default()
                        },
                    });
                    if clip {
                        ops.push(Op::RestoreGraphicsState);
                    }
                    ops.push(Op::EndMarkedContent);
                }
                Item::Qr {
                    modules,
                    colour,
                    tag,
                    ..
                } => {
                    // On screen the code is a link (the typesetter listed it).
                    let part = match self.variant {
                        Variant::Screen => {
                            link_no += 1;
                            Part::Link(link_no - 1)
                        }
                        Variant::Print => Part::Body,
                    };
                    self.begin_figure(&mut ops, *tag, part);
                    ops.push(Op::SetFillColor {
                        col: self.colour(colour),
                    });
                    for m in modules {
                        ops.push(rect(m.x, m.y, m.w, m.h, printpdf::PaintMode::Fill));
                    }
                    ops.push(Op::EndMarkedContent);
                }
                Item::Text(run) => {
                    let face = self.book.face(run.face);
                    let shaper = face.shaper();
                    let remap = &self.subsets[&run.face].remap;
                    let scale = 1000.0 / face.units_per_em;
                    let used = self.used.entry(run.face).or_default();
                    let mut glyphs = Vec::with_capacity(run.glyphs.len());
                    let mut retold: Vec<(usize, usize, String)> = Vec::new();
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
                        // A glyph's ToUnicode text is the first it was
                        // given; where it stands for other text here (a
                        // base that carries its marks, a mark whose text
                        // its base carries), an ActualText span says so.
                        let t = g.text.as_str();
                        let own = match used.get(&gid) {
                            // A glyph that stands for no text of its own (a
                            // reph, a conjunct's second half) still needs a
                            // ToUnicode entry (PDF/UA-1, ISO 14289-1 7.21.7):
                            // the text of its cluster, on the glyph before it;
                            // its ActualText (empty) keeps it from being read twice.
                            None if t.is_empty() => {
                                let cluster = run.glyphs[..i]
                                    .iter()
                                    .rev()
                                    .chain(&run.glyphs[i + 1..])
                                    .map(|g| g.text.as_str())
                                    .find(|t| !t.is_empty())
                                    .unwrap_or("\u{fffd}");
                                used.insert(gid, cluster);
                                true
                            }
                            None => {
                                used.insert(gid, t);
                                false
                            }
                            Some(&m) => m != t,
                        };
                        if own && !run.actual.iter().any(|(a, b, _)| *a <= i && i < *b) {
                            retold.push((i, i + 1, t.to_string()));
                        }
                        glyphs.push((gid, adjust));
                    }
                    let actual: std::borrow::Cow<[(usize, usize, String)]> = if retold.is_empty() {
                        std::borrow::Cow::Borrowed(&run.actual)
                    } else {
                        retold.extend(run.actual.iter().cloned());
                        std::borrow::Cow::Owned(retold)
                    };
                    // Segments: plain glyphs, and glyphs whose text is given by
                    // ActualText (the halves of a hyphenated word), each placed at
                    // its own start so positions stay exact.
                    // Links are marked apart from the text around them (screen
                    // only: print has no annotations for them to hold).
                    let links: &[(usize, usize, String)] = match self.variant {
                        Variant::Screen => &run.links,
                        Variant::Print => &[],
                    };
                    let mut cuts: Vec<usize> = vec![0, glyphs.len()];
                    for (a, b, _) in actual.iter().chain(links) {
                        cuts.push(*a);
                        cuts.push(*b);
                    }
                    cuts.sort_unstable();
                    cuts.dedup();
                    let mut text = Vec::with_capacity(64 + 12 * glyphs.len());
                    if run.tag == Tag::Artifact {
                        ops::begin_artifact(&mut text);
                    }
                    ops::begin_text(
                        &mut text,
                        &font_id(run.face).0,
                        run.size,
                        &self.colour(&run.colour),
                    );
                    for w in cuts.windows(2) {
                        let (a, b) = (w[0], w[1].min(glyphs.len()));
                        if a >= b {
                            continue;
                        }
                        let actual = actual
                            .iter()
                            .find(|(s, e, _)| *s == a && *e == b)
                            .map(|(_, _, t)| t);
                        if let Tag::Block { block, label } = run.tag {
                            let part = match links.iter().position(|l| l.0 <= a && b <= l.1) {
                                Some(n) => Part::Link(link_no + n),
                                None if label => Part::Label,
                                None => Part::Body,
                            };
                            let mcid = self.mark(block, part);
                            let m = Marked { block, part };
                            ops::begin_marked(&mut text, content_tag(&self.types, m), mcid);
                        }
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
                        if run.tag != Tag::Artifact {
                            ops::end_marked_content(&mut text);
                        }
                    }
                    link_no += links.len();
                    ops::end_text(&mut text);
                    if run.tag == Tag::Artifact {
                        text.extend_from_slice(b"\nEMC");
                    }
                    ops.push(Op::Marker {
                        id: ops::text_marker(self.texts.len()),
                    });
                    self.texts.push(text);
                }
            }
        }
        if !page.marks.is_empty() {
            // Written as the text runs are, spliced in at a marker: printpdf
            // has no Separation colour space to stroke in.
            ops.push(Op::Marker {
                id: ops::text_marker(self.texts.len()),
            });
            self.texts
                .push(ops::marks(&page.marks, |x, y| (px(x), py(y))));
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
        let boxes = PageBoxes {
            mw,
            mh,
            trim: (b, b, mw - b, mh - b),
            bleed: page.bleed,
            links,
            marks: !page.marks.is_empty(),
        };
        let pdf_page = PdfPage {
            media_box: media.clone(),
            trim_box: trim,
            crop_box: media,
            ops,
        };
        Ok((pdf_page, boxes))
    }
}
