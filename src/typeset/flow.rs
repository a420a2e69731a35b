//! Placing: set paragraphs emitted into a panel's frame, and flows poured
//! through their panels in order, keeping orphans and widows, keep-with-next
//! and keep-together, and balancing the panels' depth when asked.

use super::set::{Figure, Set};
use super::style::LinkLook;
use crate::doc::Origin;
use crate::layout::{ImageFit, Panel, PanelRect};
use crate::pages::{Area, GlyphRun, Item, Tag};

/// The usable box of a panel, in points from the trim box's top-left.
pub(super) struct Frame {
    pub(super) name: String,
    pub(super) x: f32,
    pub(super) y: f32,
    pub(super) w: f32,
    pub(super) h: f32,
    pub(super) page: usize,
    /// The panel's own box, run out into the bleed where it meets the trim:
    /// where a picture with `bleed` goes.
    pub(super) edges: Area,
}

/// A panel's text frame: its rectangle inside its padding (left and right
/// swapped on a mirrored side).
pub(super) fn frame(p: &Panel, r: PanelRect, page: usize, mirror: bool) -> Frame {
    let (left, right) = if mirror {
        (p.padding.right, p.padding.left)
    } else {
        (p.padding.left, p.padding.right)
    };
    Frame {
        name: p.name.clone(),
        x: r.x + left,
        y: r.y + p.padding.top,
        w: r.w - left - right,
        h: r.h - p.padding.top - p.padding.bottom,
        page,
        edges: Area {
            x: r.x,
            y: r.y,
            w: r.w,
            h: r.h,
        },
    }
}

/// Where the whole of `picture` lies to fill `area`: `cover` scales it to
/// cover the box, its overhang shared out so `focus` stays in view (as far as
/// the picture reaches); `contain` scales it to fit, centred.
pub(super) fn fit_picture(
    area: Area,
    picture: &crate::picture::Picture,
    fit: ImageFit,
    focus: (f32, f32),
) -> Area {
    let (iw, ih) = (picture.width as f32, picture.height as f32);
    let (sx, sy) = (area.w / iw, area.h / ih);
    let scale = match fit {
        ImageFit::Cover => sx.max(sy),
        ImageFit::Contain => sx.min(sy),
    };
    let (w, h) = (iw * scale, ih * scale);
    let (fx, fy) = match fit {
        ImageFit::Cover => focus,
        ImageFit::Contain => (0.5, 0.5),
    };
    Area {
        x: area.x - (w - area.w) * fx,
        y: area.y - (h - area.h) * fy,
        w,
        h,
    }
}

/// Where a figure `w` wide starts in `frame`: at the side lines start from.
fn start(set: &Set, frame: &Frame, w: f32) -> f32 {
    if set.st.rtl {
        frame.x + frame.w - w
    } else {
        frame.x
    }
}

/// Emits the items of `set`, its top at `y`, into `items`; lines `from..to` only.
pub(super) fn emit(
    set: &Set,
    frame: &Frame,
    y: f32,
    from: usize,
    to: usize,
    items: &mut Vec<(usize, Item)>,
) {
    match &set.figure {
        Some(Figure::Rule {
            thickness,
            length,
            colour,
        }) => {
            let (w, h, colour) = (*length, *thickness, *colour);
            items.push((
                frame.page,
                Item::Rect {
                    x: start(set, frame, w),
                    y,
                    w,
                    h,
                    colour,
                },
            ));
            return;
        }
        Some(Figure::Image {
            width,
            height,
            picture,
            fit,
            focus,
            bleed,
        }) => {
            let (w, h) = (*width, *height);
            let area = if *bleed {
                // To the panel's edges; at its top or foot, past the padding
                // (and the trim, where the panel meets it).
                let e = frame.edges;
                let top = if y <= frame.y + 0.01 { e.y } else { y };
                let foot = if y + h >= frame.y + frame.h - 0.01 {
                    e.y + e.h
                } else {
                    y + h
                };
                Area {
                    x: e.x,
                    y: top,
                    w: e.w,
                    h: foot - top,
                }
            } else {
                Area {
                    x: start(set, frame, w),
                    y,
                    w,
                    h,
                }
            };
            let placed = fit_picture(area, picture, *fit, *focus);
            items.push((
                frame.page,
                Item::Image {
                    // Whole inside its box: the picture is its own box.
                    area: match fit {
                        ImageFit::Contain => placed,
                        ImageFit::Cover => area,
                    },
                    placed,
                    picture: picture.clone(),
                    tag: set.tag,
                },
            ));
            return;
        }
        Some(Figure::Qr {
            size,
            modules,
            address,
        }) => {
            let (x, size) = (start(set, frame, *size), *size);
            items.push((
                frame.page,
                Item::Qr {
                    area: crate::pages::Area {
                        x,
                        y,
                        w: size,
                        h: size,
                    },
                    modules: modules
                        .iter()
                        .map(|m| crate::pages::Area {
                            x: x + m.x,
                            y: y + m.y,
                            ..*m
                        })
                        .collect(),
                    // Full black alone in print: a code in rich black or
                    // registration colour blurs where the plates misregister.
                    colour: crate::units::Colour::BLACK,
                    address: address.clone(),
                    tag: set.tag,
                },
            ));
            return;
        }
        None => {}
    }
    let st = &set.st;
    // Right-to-left lines keep to the right edge of a panel wider than the
    // measure they were set at.
    let from_right = if st.rtl {
        (frame.w - set.measure).max(0.0)
    } else {
        0.0
    };
    // Centre the font's ascender-to-descender box in the leading.
    let half_gap = (st.leading - st.size * (st.ascent - st.descent)) / 2.0;
    for (i, (line, dx)) in set.lines[from..to].iter().enumerate() {
        let top = y + i as f32 * st.leading;
        let baseline = top + half_gap + st.ascent * st.size;
        // The number goes first, so text extraction and screen readers meet it
        // before the message it numbers.
        if from == 0
            && i == 0
            && let Some((run, _)) = &set.number
        {
            items.push((
                frame.page,
                Item::Text(GlyphRun {
                    x: frame.x + run.x + from_right,
                    baseline,
                    tag: match set.tag {
                        Tag::Block { block, .. } => Tag::Block { block, label: true },
                        Tag::Artifact => Tag::Artifact,
                    },
                    ..run.clone()
                }),
            ));
        }
        let run = GlyphRun {
            face: st.face,
            size: st.size,
            colour: st.colour,
            x: frame.x + dx + from_right,
            baseline,
            glyphs: line.glyphs.clone(),
            width: line.width,
            actual: line.actual.clone(),
            links: line.links.clone(),
            tag: set.tag,
        };
        let runs = if line.faces.is_empty() {
            vec![run]
        } else {
            by_face(run, &line.faces)
        };
        for run in runs {
            match &st.link {
                Some(look) => styled_links(run, look, frame.page, items),
                None => items.push((frame.page, Item::Text(run))),
            }
        }
    }
}

/// The glyphs `[a, b)` of `run` as a run of their own, in `face`: its glyph
/// ranges (ActualText, links) cut to it; a whole text given at a range's
/// start stays at its start.
fn slice(run: &GlyphRun, a: usize, b: usize, face: crate::fonts::FaceId) -> GlyphRun {
    let x0 = run.glyphs[a].x;
    let x1 = run.glyphs.get(b).map_or(run.width, |g| g.x);
    let cut = |ranges: &[(usize, usize, String)], keep_text: bool| {
        ranges
            .iter()
            .filter(|r| r.0 < b && r.1 > a)
            .map(|(s, e, t)| {
                let text = if keep_text && *s < a {
                    String::new()
                } else {
                    t.clone()
                };
                (s.max(&a) - a, e.min(&b) - a, text)
            })
            .collect::<Vec<_>>()
    };
    GlyphRun {
        face,
        x: run.x + x0,
        glyphs: run.glyphs[a..b]
            .iter()
            .map(|g| crate::pages::Glyph {
                x: g.x - x0,
                ..g.clone()
            })
            .collect(),
        width: x1 - x0,
        actual: cut(&run.actual, true),
        links: cut(&run.links, false),
        ..run.clone()
    }
}

/// A line whose face changes along it, as one run per stretch of a face:
/// a run is drawn in one face.
fn by_face(run: GlyphRun, faces: &[(usize, crate::fonts::FaceId)]) -> Vec<GlyphRun> {
    let mut starts: Vec<(usize, crate::fonts::FaceId)> = Vec::with_capacity(faces.len() + 1);
    if faces.first().is_none_or(|f| f.0 > 0) {
        starts.push((0, run.face));
    }
    starts.extend(faces.iter().copied());
    let n = run.glyphs.len();
    (0..starts.len())
        .filter_map(|i| {
            let (a, face) = starts[i];
            let b = starts.get(i + 1).map_or(n, |s| s.0).min(n);
            (a < b).then(|| slice(&run, a, b, face))
        })
        .collect()
}

/// A run with its links in the layout's link style: each link's glyphs a run
/// of its own in the link colour, underlined (a rule, decoration) if asked.
fn styled_links(run: GlyphRun, look: &LinkLook, page: usize, items: &mut Vec<(usize, Item)>) {
    if run.links.is_empty() {
        items.push((page, Item::Text(run)));
        return;
    }
    let mut cuts: Vec<usize> = vec![0, run.glyphs.len()];
    for (a, b, _) in &run.links {
        cuts.extend([*a, *b]);
    }
    cuts.sort_unstable();
    cuts.dedup();
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1].min(run.glyphs.len()));
        if a >= b {
            continue;
        }
        let mut part = slice(&run, a, b, run.face);
        if run.links.iter().any(|l| l.0 <= a && b <= l.1) {
            if let Some(c) = look.colour {
                part.colour = c;
            }
            if look.underline {
                // Under the ink, clear of descenders' tops: a tenth of the size down.
                let thickness = (part.size * 0.06).max(0.4);
                let text_w = part
                    .glyphs
                    .iter()
                    .rposition(|g| g.text.as_str() != " ")
                    .map_or(part.width, |i| {
                        part.glyphs.get(i + 1).map_or(part.width, |g| g.x)
                    });
                items.push((
                    page,
                    Item::Rect {
                        x: part.x,
                        y: part.baseline + part.size * 0.1,
                        w: text_w,
                        h: thickness,
                        colour: part.colour,
                    },
                ));
            }
        }
        items.push((page, Item::Text(part)));
    }
}

/// The fewest lines of a paragraph at the foot of a panel (orphans) and at the
/// head of the next (widows).
#[derive(Debug, Clone, Copy)]
pub(super) struct Keep {
    pub(super) orphans: usize,
    pub(super) widows: usize,
}

pub(super) type Placed = Vec<(usize, Item)>;

/// What did not fit: the last panel, the content, and how much was left over
/// (points). Boxed: it is the rare path, and a large error slows the common one.
pub(super) type Spill = Box<(String, Option<Origin>, f32)>;

/// How far down each frame what was poured into it goes, as a share of the
/// frame's depth (lines by their baselines).
pub(super) fn depths(items: &Placed, frames: &[Frame]) -> Vec<f32> {
    frames
        .iter()
        .map(|f| {
            let bottom = items
                .iter()
                .filter(|(page, _)| *page == f.page)
                .map(|(_, item)| match item {
                    Item::Text(run) => (run.x, run.baseline),
                    Item::Rect { x, y, h, .. } => (*x, y + h),
                    Item::Qr { area, .. } | Item::Image { area, .. } => (area.x, area.y + area.h),
                })
                .filter(|(x, _)| *x >= f.x - 0.5 && *x < f.x + f.w)
                .map(|(_, bottom)| bottom)
                .fold(f.y, f32::max);
            (bottom - f.y) / f.h
        })
        .collect()
}

/// Pours `sets` through `frames` in order. On overflow, returns the last panel,
/// the content that did not fit, and how much was left over (points).
pub(super) fn pour(
    sets: &[Set],
    frames: &[Frame],
    lines: Keep,
    out: &mut Placed,
) -> Result<(), Spill> {
    let mut fi = 0;
    let mut y = frames[0].y;
    let mut i = 0;
    let mut line_from = 0;
    let mut items = Vec::new();
    while i < sets.len() {
        let fr = &frames[fi];
        let set = &sets[i];
        let at_top = (y - fr.y).abs() < 0.01;
        let room = fr.y + fr.h - y;
        let before = if at_top || line_from > 0 {
            0.0
        } else {
            set.st.space_before
        };
        let need_all = if line_from > 0 {
            (set.lines.len() - line_from) as f32 * set.st.leading
        } else {
            set.height(at_top)
        };
        // Keep a heading with the first line of what follows.
        let keep = if set.st.keep_with_next && i + 1 < sets.len() {
            let next = &sets[i + 1];
            next.st.space_before + next.st.leading.min(next.height(false))
        } else {
            0.0
        };
        if need_all + keep <= room + 0.01 {
            let top = y + before + set.space;
            emit(set, fr, top, line_from, set.lines.len(), &mut items);
            y += need_all + set.st.space_after;
            i += 1;
            line_from = 0;
            continue;
        }
        // Split: as many lines as fit, but never one alone at the bottom
        // (orphan) or at the top of the next panel (widow).
        let total = set.lines.len() - line_from;
        let mut fit =
            if set.lines.is_empty() || set.st.keep_with_next || (set.st.keep_together && !at_top) {
                0
            } else {
                (((room - before) / set.st.leading + 0.001).floor().max(0.0) as usize).min(total)
            };
        // Too few lines would stay behind: move the whole rest on.
        if fit < lines.orphans.min(total) && fit < total {
            fit = 0;
        }
        // Too few would go ahead: hold some back, if enough stay behind.
        if fit > 0 && total - fit < lines.widows && total > fit {
            let held = fit.saturating_sub(lines.widows - (total - fit));
            fit = if held >= lines.orphans.min(total) {
                held
            } else {
                0
            };
        }
        if fit > 0 {
            emit(set, fr, y + before, line_from, line_from + fit, &mut items);
            line_from += fit;
        }
        if fi + 1 >= frames.len() {
            let rest: f32 = (set.lines.len() - line_from) as f32 * set.st.leading
                + sets[i + 1..].iter().map(|s| s.height(false)).sum::<f32>();
            let origin = set
                .origin
                .clone()
                .or_else(|| sets[i..].iter().find_map(|s| s.origin.clone()));
            return Err(Box::new((fr.name.clone(), origin, rest)));
        }
        fi += 1;
        y = frames[fi].y;
    }
    out.extend(items);
    Ok(())
}

pub(super) fn heights(sets: &[Set]) -> f32 {
    sets.iter()
        .enumerate()
        .map(|(i, s)| {
            s.height(i == 0)
                + if i + 1 < sets.len() {
                    s.st.space_after
                } else {
                    0.0
                }
        })
        .sum()
}

pub(super) fn place_all(sets: &[Set], fr: &Frame, mut y: f32, items: &mut Vec<(usize, Item)>) {
    for (i, s) in sets.iter().enumerate() {
        if i > 0 {
            y += s.st.space_before;
        }
        y += s.space;
        emit(s, fr, y, 0, s.lines.len(), items);
        y += s.height(true) - s.space + s.st.space_after;
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::compose::Line;
    use super::super::style::Resolved;
    use super::*;
    use crate::layout::Align;
    use crate::pages::{Colour, Glyph};

    fn style() -> Resolved {
        Resolved {
            face: 0,
            emphasis: 0,
            strong: 0,
            strong_emphasis: 0,
            size: 10.0,
            leading: 10.0,
            colour: Colour {
                cmyk: crate::units::Cmyk {
                    c: 0.0,
                    m: 0.0,
                    y: 0.0,
                    k: 100.0,
                },
                rgb: crate::units::Rgb(0, 0, 0),
            },
            align: Align::Left,
            rtl: false,
            fallbacks: std::array::from_fn(|_| (0, std::sync::Arc::from([]))),
            space_before: 0.0,
            space_after: 0.0,
            ascent: 0.8,
            descent: -0.2,
            keep_with_next: false,
            keep_together: false,
            uppercase: false,
            tracking: 0.0,
            word_spacing: [0.8, 1.0, 2.0],
            letter_spacing: [0.0, 0.0],
            hyphenate: false,
            hyphen_rules: Default::default(),
            rag: 0.15,
            link: None,
        }
    }

    pub(in crate::typeset) fn paragraph(lines: usize) -> Set {
        let line = Line {
            glyphs: vec![Glyph {
                id: 1,
                x: 0.0,
                text: "x".into(),
            }]
            .into(),
            width: 5.0,
            actual: Vec::new(),
            links: Vec::new(),
            faces: Vec::new(),
        };
        Set {
            measure: 5.0,
            lines: vec![(line, 0.0); lines],
            number: None,
            st: style(),
            figure: None,
            space: 0.0,
            origin: None,
            tag: Tag::Artifact,
            flaws: 0,
        }
    }

    pub(in crate::typeset) fn frames(heights: &[f32]) -> Vec<Frame> {
        heights
            .iter()
            .enumerate()
            .map(|(i, &h)| Frame {
                name: format!("p{i}"),
                x: 0.0,
                y: 0.0,
                w: 100.0,
                h,
                page: i,
                edges: Area {
                    x: 0.0,
                    y: 0.0,
                    w: 100.0,
                    h,
                },
            })
            .collect()
    }

    /// Lines placed in each frame (frames are on distinct pages here).
    fn per_frame(sets: &[Set], fr: &[Frame], keep: Keep) -> Vec<usize> {
        let mut out = Vec::new();
        pour(sets, fr, keep, &mut out).unwrap();
        (0..fr.len())
            .map(|p| out.iter().filter(|(pg, _)| *pg == p).count())
            .collect()
    }

    #[test]
    fn no_orphan_at_the_foot_of_a_panel() {
        // 4 lines of a first paragraph leave room for exactly 1 more: the second
        // paragraph (5 lines) moves whole to the next panel.
        let sets = [paragraph(4), paragraph(5)];
        assert_eq!(
            per_frame(
                &sets,
                &frames(&[50.0, 100.0]),
                Keep {
                    orphans: 2,
                    widows: 2
                }
            ),
            [4, 5]
        );
    }

    #[test]
    fn no_widow_at_the_head_of_the_next_panel() {
        // 6 lines with room for 5: one would go over alone, so two do.
        let sets = [paragraph(6)];
        assert_eq!(
            per_frame(
                &sets,
                &frames(&[50.0, 100.0]),
                Keep {
                    orphans: 2,
                    widows: 2
                }
            ),
            [4, 2]
        );
    }

    #[test]
    fn the_layout_sets_the_limits() {
        let sets = [paragraph(6)];
        assert_eq!(
            per_frame(
                &sets,
                &frames(&[50.0, 100.0]),
                Keep {
                    orphans: 1,
                    widows: 1
                }
            ),
            [5, 1]
        );
        assert_eq!(
            per_frame(
                &sets,
                &frames(&[50.0, 100.0]),
                Keep {
                    orphans: 2,
                    widows: 3
                }
            ),
            [3, 3]
        );
    }
}
