//! The typesetter: turns a job's `Document` into positioned `Pages`. It
//! measures text with the font's real advances and kerning, breaks it into
//! lines, fills panels and flows, and reports what does not fit. Each step is a
//! module of its own: `shape` (measuring), `compose` (lines), `set`
//! (paragraphs in their styles), `flow` (placing in panels), with `breaking`
//! (Knuth–Plass) and `hyphenate` beneath them.

mod balance;
pub mod breaking;
mod compose;
mod flow;
mod handout;
pub mod hyphenate;
mod preflight;
mod qr;
mod runs;
mod set;
mod shape;
mod structure;
mod style;

pub use compose::Composer;
pub use handout::handout_preview;
pub use preflight::preflight;

use crate::doc::{Document, Origin, Para};
use crate::layout::{MarkKind, Mirror, OverflowPolicy, VAlign};
use crate::pages::{Area, Item, Link, MARK_GAP, MARK_LEN, Page, Pages, PanelArea, marks};
use crate::plan::Variant;
use crate::project::Project;
use crate::units::MM;
use balance::pour_flow;
use flow::{Frame, Keep, depths, frame, heights, place_all};
use set::{Set, Typesetter};
use std::collections::BTreeMap;
use structure::{BACKGROUND, Rank, Structure};

/// A piece of text that did not fit: which layout, panel and content.
#[derive(Debug, Clone)]
pub struct Overflow {
    /// The layout's name.
    pub layout: String,
    /// The last panel tried.
    pub panel: String,
    /// The text that did not fit.
    pub origin: Origin,
    /// How much did not fit, in millimetres.
    pub overflow_mm: f32,
    /// With `overflow: shrink`: the smallest size tried.
    pub at_min_size: Option<f32>,
}

impl std::fmt::Display for Overflow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} does not fit", self.origin.what)?;
        if let Some(s) = self.at_min_size {
            write!(f, " even at the minimum size, {s:.1} pt")?;
        }
        write!(
            f,
            ": layout `{}`, panel `{}`, overflows by {:.1} mm",
            self.layout, self.panel, self.overflow_mm
        )?;
        let place = self.origin.place();
        if !place.is_empty() {
            write!(f, " ({place})")?;
        }
        Ok(())
    }
}

/// The composition quality of `text` in `style` of `layout` at `width` points:
/// (sum of squared adjustment ratios, loosest line), over all lines but the last.
pub fn composition_quality(
    project: &Project,
    layout: &str,
    style: &str,
    language: &str,
    text: &str,
    width: f32,
    composer: Composer,
) -> (f32, f32) {
    let layout = project.layout(layout).expect("known layout");
    let ts = Typesetter::new(project, layout, language, composer);
    let st = ts.style(style);
    let c = compose::compose(ts.fonts(), &st, language, text, width, composer);
    breaking::quality(&c.breaks)
}

/// Panel rectangle `r` run out into the bleed on each side that lies on the
/// trim line, so trimming leaves no white hairline.
fn into_bleed(r: crate::layout::PanelRect, pw: f32, ph: f32, bleed: f32) -> Area {
    let near = |a: f32, b: f32| (a - b).abs() < 0.01;
    let x0 = if near(r.x, 0.0) { -bleed } else { r.x };
    let y0 = if near(r.y, 0.0) { -bleed } else { r.y };
    let x1 = if near(r.x + r.w, pw) {
        pw + bleed
    } else {
        r.x + r.w
    };
    let y1 = if near(r.y + r.h, ph) {
        ph + bleed
    } else {
        r.y + r.h
    };
    Area {
        x: x0,
        y: y0,
        w: x1 - x0,
        h: y1 - y0,
    }
}

pub fn typeset(
    project: &Project,
    doc: &Document,
    variant: Variant,
) -> Result<Pages, Vec<Overflow>> {
    let layout = project.layout(&doc.layout).expect("job layouts exist");
    let ts = Typesetter::new(project, layout, &doc.language, Composer::TotalFit);
    let (pw, ph) = layout.page_dims();
    let mirror = layout.layout.mirror == Mirror::Auto && crate::text::rtl_language(&doc.language);
    let print = variant == Variant::Print;
    // A screen file is cut to the trim: no bleed, no marks.
    let bleed = if print {
        layout.layout.page.bleed.0
    } else {
        0.0
    };
    let mark_kinds: &[MarkKind] = if print {
        &layout.layout.page.marks
    } else {
        &[]
    };
    let slug = if mark_kinds.is_empty() {
        0.0
    } else {
        MARK_GAP + MARK_LEN + 1.0 * MM
    };
    let mut pages: Vec<Page> = layout
        .layout
        .sides
        .iter()
        .enumerate()
        .map(|(si, side)| {
            // Folds lie where panels meet side by side.
            let mut folds: Vec<f32> = side
                .rects_facing(pw, ph, mirror)
                .iter()
                .map(|r| r.x)
                .filter(|&x| x > 0.01 && x < pw - 0.01)
                .collect();
            folds.sort_by(f32::total_cmp);
            folds.dedup_by(|a, b| (*a - *b).abs() < 0.01);
            Page {
                width: pw,
                height: ph,
                bleed,
                slug,
                items: Vec::new(),
                marks: marks(pw, ph, bleed, mark_kinds, &folds),
                links: Vec::new(),
                panels: side
                    .panels
                    .iter()
                    .zip(side.rects_facing(pw, ph, mirror))
                    .map(|(p, r)| {
                        let f = frame(p, r, si, mirror);
                        PanelArea {
                            name: f.name,
                            panel: Area {
                                x: r.x,
                                y: r.y,
                                w: r.w,
                                h: r.h,
                            },
                            content: Area {
                                x: f.x,
                                y: f.y,
                                w: f.w,
                                h: f.h,
                            },
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let mut warnings = Vec::new();
    let mut sizes = Vec::new();
    let mut overflows = Vec::new();
    // Each page's items with where a reader meets them: drawn in that order.
    let ranks = structure::panel_ranks(&layout.layout);
    let mut structure = Structure::default();
    let mut staged: Vec<Vec<(Rank, Item)>> = pages.iter().map(|_| Vec::new()).collect();
    let overflow = |panel: &str, origin: &Option<Origin>, by: f32| Overflow {
        layout: layout.name.clone(),
        panel: panel.to_string(),
        origin: origin.clone().unwrap_or(Origin {
            what: "content".into(),
            unit: String::new(),
            file: None,
            line: None,
            lang: None,
        }),
        overflow_mm: by / MM,
        at_min_size: None,
    };

    // Backgrounds first, so text is drawn over them; an edge on the trim line
    // runs out into the bleed so trimming leaves no white hairline.
    for (si, side) in layout.layout.sides.iter().enumerate() {
        for (p, r) in side.panels.iter().zip(side.rects_facing(pw, ph, mirror)) {
            if let Some(bg) = &p.background {
                let e = into_bleed(r, pw, ph, bleed);
                staged[si].push((
                    BACKGROUND,
                    Item::Rect {
                        x: e.x,
                        y: e.y,
                        w: e.w,
                        h: e.h,
                        colour: ts.colour(bg.as_str()),
                    },
                ));
            }
        }
    }

    // Fixed panel content: top-down from the top, and stacked up from the bottom.
    let mut flow_frames: BTreeMap<&str, Vec<Frame>> = BTreeMap::new();
    for (si, side) in layout.layout.sides.iter().enumerate() {
        for (p, r) in side.panels.iter().zip(side.rects_facing(pw, ph, mirror)) {
            let fr = Frame {
                edges: into_bleed(r, pw, ph, bleed),
                ..frame(p, r, si, mirror)
            };
            let content = &doc.panels[&p.name];
            let rank = ranks[p.name.as_str()];
            let mut set_all = |paras: &[Para], part: u32| -> Vec<Set> {
                paras
                    .iter()
                    .map(|para| Set {
                        tag: structure.tag(para, (rank, part)),
                        ..ts.set(para, fr.w)
                    })
                    .collect()
            };
            let top = set_all(&content.top, 0);
            let bottom = set_all(&content.bottom, 2);
            let top_h: f32 = heights(&top);
            let bottom_h: f32 = heights(&bottom);
            if top_h + bottom_h > fr.h + 0.01 {
                let origin = top
                    .iter()
                    .chain(&bottom)
                    .rev()
                    .find_map(|s| s.origin.clone());
                overflows.push(overflow(&p.name, &origin, top_h + bottom_h - fr.h));
                continue;
            }
            // The room left between the content and what stands at the
            // bottom (a flow's panel keeps its content on top: the flow
            // takes that room).
            let room = if p.flow.is_some() {
                0.0
            } else {
                fr.h - top_h - bottom_h
            };
            let top_y = fr.y
                + match p.valign {
                    VAlign::Top => 0.0,
                    VAlign::Middle => room / 2.0,
                    VAlign::Bottom => room,
                };
            let mut placed = Vec::new();
            place_all(&top, &fr, top_y, &mut placed);
            staged[si].extend(placed.drain(..).map(|(_, it)| ((rank, 0), it)));
            place_all(&bottom, &fr, fr.y + fr.h - bottom_h, &mut placed);
            staged[si].extend(placed.drain(..).map(|(_, it)| ((rank, 2), it)));
            if let Some(f) = &p.flow {
                // A flow panel starts below any fixed content on top of it.
                flow_frames.entry(f.as_str()).or_default().push(Frame {
                    y: fr.y + top_h,
                    h: fr.h - top_h - bottom_h,
                    ..fr
                });
            }
        }
    }

    // Flows: pour paragraphs through their panels, in reading order.
    let keep = Keep {
        orphans: layout.layout.orphans.max(1),
        widows: layout.layout.widows.max(1),
    };
    for (flow, paras) in &doc.flows {
        let spec = &layout.layout.flows[flow];
        let frames = flow_frames.remove(flow.as_str()).unwrap_or_default();
        // A flow is read where a reader meets the first of its panels.
        let rank: Rank = (
            layout
                .layout
                .sides
                .iter()
                .flat_map(|s| &s.panels)
                .filter(|p| p.flow.as_ref().is_some_and(|f| f.as_str() == flow))
                .map(|p| ranks[p.name.as_str()])
                .min()
                .unwrap_or(u32::MAX),
            1,
        );
        let tags: Vec<_> = paras.iter().map(|p| structure.tag(p, rank)).collect();
        // Set at the narrowest panel's measure, so every line fits wherever it lands.
        let Some(width) = frames.iter().map(|f| f.w).reduce(f32::min) else {
            continue;
        };
        // The flow's main text: its messages' style, else its longest text's.
        let body_size = paras
            .iter()
            .find_map(|p| match p {
                Para::Numbered { style, .. } => Some(style),
                _ => None,
            })
            .or_else(|| {
                paras
                    .iter()
                    .filter_map(|p| match p {
                        Para::Text { style, text, .. } => Some((text.len(), style)),
                        _ => None,
                    })
                    .max_by_key(|(len, _)| *len)
                    .map(|(_, style)| style)
            })
            .map(|s| layout.layout.styles[s].size.0)
            .unwrap_or(10.0);
        let min_size = match spec.overflow {
            OverflowPolicy::Error => body_size,
            OverflowPolicy::Shrink => spec
                .min_size
                .map(|m| m.0)
                .unwrap_or(body_size)
                .min(body_size),
        };
        // The flow set with its main text at `size`, every style scaled with it.
        let attempt = |size: f32| {
            let ts = Typesetter {
                scale: size / body_size,
                warnings: Default::default(),
                ..ts.clone_shallow()
            };
            let sets: Vec<Set> = paras
                .iter()
                .zip(&tags)
                .map(|(para, &tag)| Set {
                    tag,
                    ..ts.set(para, width)
                })
                .collect();
            let flaws = sets.iter().map(|s| s.flaws).sum::<usize>();
            pour_flow(&sets, &frames, spec.balance, keep)
                .map(|items| (items, ts.warnings.take(), flaws))
        };
        // Try the layout's sizes, then (shrink) half a point smaller at a time.
        let mut size = body_size;
        let mut placed = loop {
            match attempt(size) {
                Ok(done) => break Ok(done),
                Err(_) if size - 0.5 >= min_size - 0.001 => size -= 0.5,
                Err(e) => break Err(e),
            }
        };
        let steps = spec
            .max_size
            .map_or(0, |max| ((max.0 - body_size) / 0.5 + 0.001).floor() as i32);
        if let Ok((items, _, flaws_at_body)) = &placed
            && size == body_size
            && steps > 0
        {
            // A larger size that cuts a word where it has no break (a long
            // address wider than the measure), or opens a justified line's
            // word spaces past the style's maximum, is no fit.
            let flaws_at_body = *flaws_at_body;
            // Fill: the largest half-point step up to `max-size` that still
            // fits. Text takes room as the square of its size (lines get
            // longer and taller), so the share of the panels it fills now
            // gives a first guess; from there the search steps up while the
            // flow fits, or down until it does: the guess is rarely more than
            // a step off, and whole paragraphs kept together can fit at a
            // size where half a point less does not (halving would miss it).
            let used = depths(items, &frames);
            let share = used.iter().sum::<f32>() / used.len().max(1) as f32;
            let guess = ((body_size / share.max(0.05).sqrt() - body_size) / 0.5).floor() as i32;
            let mut fits = 0;
            if flaws_at_body > 0 {
                // Flawed at its own size (a justified line too loose): every
                // step is tried, from the top, for the largest with the
                // fewest flaws; sizes that set it well come and go with its
                // line breaks.
                let mut fewest = flaws_at_body;
                for probe in (1..=steps).rev() {
                    if let Ok(done) = attempt(body_size + probe as f32 * 0.5)
                        && (done.2 < fewest || (done.2 == fewest && fits == 0))
                    {
                        (fewest, fits) = (done.2, probe);
                        placed = Ok(done);
                        if fewest == 0 {
                            break;
                        }
                    }
                }
            } else {
                let mut fails = steps + 1;
                let mut probe = guess.clamp(1, steps);
                loop {
                    match attempt(body_size + probe as f32 * 0.5) {
                        Ok(done) if done.2 == 0 => {
                            fits = probe;
                            placed = Ok(done);
                        }
                        _ => fails = probe,
                    }
                    if fails - fits <= 1 {
                        break;
                    }
                    probe = if fits == probe { probe + 1 } else { probe - 1 };
                }
            }
            size = body_size + fits as f32 * 0.5;
        }
        if spec.max_size.is_some() || spec.overflow == OverflowPolicy::Shrink {
            sizes.push((flow.clone(), size));
        }
        let placed = placed.map(|(items, set_warnings, _)| {
            warnings.extend(set_warnings);
            if size < body_size {
                warnings.push(format!(
                    "flow `{flow}` set at {size:.1} pt instead of {body_size:.1} pt to fit its panels"
                ));
            }
            items
        });
        match placed {
            Ok(items) => {
                for (page, item) in items {
                    staged[page].push((rank, item));
                }
            }
            Err(spill) => {
                let (panel, origin, rest) = *spill;
                let mut o = overflow(&panel, &origin, rest);
                if spec.overflow == OverflowPolicy::Shrink {
                    o.at_min_size = Some(size);
                }
                overflows.push(o);
            }
        }
    }
    if !overflows.is_empty() {
        return Err(overflows);
    }
    warnings.extend(ts.warnings.take());
    let (blocks, items) = structure.finish(staged);
    for (page, items) in pages.iter_mut().zip(items) {
        page.items = items;
    }
    for page in &mut pages {
        for item in &page.items {
            match item {
                Item::Text(run) if !print => {
                    for (a, b, uri) in &run.links {
                        let x0 = run.x + run.glyphs[*a].x;
                        let x1 = run.x + run.glyphs.get(*b).map(|g| g.x).unwrap_or(run.width);
                        let f = project.fonts.face(run.face);
                        page.links.push(Link {
                            x: x0,
                            y: run.baseline - f.ascent * run.size,
                            w: x1 - x0,
                            h: (f.ascent - f.descent) * run.size,
                            uri: uri.clone(),
                            tag: run.tag,
                        });
                    }
                }
                // A code on screen opens its address when clicked.
                Item::Qr {
                    area, address, tag, ..
                } if !print => page.links.push(Link {
                    x: area.x,
                    y: area.y,
                    w: area.w,
                    h: area.h,
                    uri: address.clone(),
                    tag: *tag,
                }),
                _ => {}
            }
        }
    }
    Ok(Pages {
        layout: doc.layout.clone(),
        title: doc.title.clone(),
        author: doc.author.clone(),
        language: doc.language.clone(),
        variant,
        pages,
        blocks,
        warnings,
        sizes,
    })
}
