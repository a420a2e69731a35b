//! The typesetter: measures text with the font's real advances and kerning
//! (shaped by rustybuzz, so GPOS kerning applies), breaks it at Unicode line-break
//! opportunities (UAX #14), fills panels and flows, and reports what does not fit.
//! Its output, `Pages`, is positioned: everything a PDF or preview needs, in points
//! from the top-left corner of the trim box.

use crate::doc::{Document, Origin, Para};
use crate::fonts::{FaceId, FontBook};
use crate::layout::{Align, Panel, PanelRect, Style};
use crate::model::{NamedLayout, Project};
use crate::plan::Variant;
use crate::units::MM;
use std::collections::BTreeMap;

pub use crate::units::Colour;

#[derive(Debug, Clone)]
pub struct Pages {
    /// The layout these pages were set from.
    pub layout: String,
    pub title: String,
    pub author: String,
    pub language: String,
    pub variant: Variant,
    pub pages: Vec<Page>,
    /// Things to look at before printing (an image under 300 ppi, ...).
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Page {
    /// Trim size.
    pub width: f32,
    pub height: f32,
    /// Bleed beyond the trim on every side (0 for screen).
    pub bleed: f32,
    /// Room beyond the bleed for printer's marks (0 without marks).
    pub slug: f32,
    pub items: Vec<Item>,
    /// Printer's marks, outside the bleed, in registration colour.
    pub marks: Vec<Mark>,
    /// Clickable areas (screen variant).
    pub links: Vec<Link>,
}

/// A printer's mark: a hairline from (x1, y1) to (x2, y2), in trim coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mark {
    pub kind: MarkKind,
    pub x1: f32,
    pub y1: f32,
    pub x2: f32,
    pub y2: f32,
}

pub use crate::layout::MarkKind;

/// Stroke width of printer's marks, in points.
pub const MARK_WIDTH: f32 = 0.25;

/// A clickable web address on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    pub uri: String,
}

#[derive(Debug, Clone)]
pub enum Item {
    /// A filled rectangle (backgrounds, bands, rules).
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        colour: Colour,
    },
    /// A PNG image scaled into the box.
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        png: std::sync::Arc<[u8]>,
    },
    Text(GlyphRun),
}

/// One line of text in one face, size and colour.
#[derive(Debug, Clone)]
pub struct GlyphRun {
    pub face: FaceId,
    pub size: f32,
    pub colour: Colour,
    /// Left end of the baseline.
    pub x: f32,
    pub baseline: f32,
    pub glyphs: Vec<Glyph>,
    /// Width of the inked line (from the first glyph's origin to the last's advance).
    pub width: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub id: u16,
    /// Offset from the run's x.
    pub x: f32,
    /// The text this glyph stands for (empty for the second glyph of a cluster).
    pub text: String,
}

/// A piece of text that did not fit: which layout, panel and content.
#[derive(Debug, Clone)]
pub struct Overflow {
    pub layout: String,
    pub panel: String,
    pub origin: Origin,
    pub overflow_mm: f32,
}

impl std::fmt::Display for Overflow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} does not fit: layout `{}`, panel `{}`, overflows by {:.1} mm",
            self.origin.what, self.layout, self.panel, self.overflow_mm
        )?;
        if let Some(l) = self.origin.line {
            write!(f, " (content line {l})")?;
        }
        Ok(())
    }
}

// ---- Measuring ----------------------------------------------------------------

/// A shaped word: glyphs with positions relative to the word's start.
#[derive(Debug, Clone)]
struct Word {
    glyphs: Vec<Glyph>,
    width: f32,
    /// Whether a space follows it in the text.
    space_after: bool,
    /// A mandatory break follows it.
    hard_break: bool,
}

/// Shapes `text` in `face` at `size`: glyph ids and positions with kerning.
fn shape(
    book: &FontBook,
    face: FaceId,
    size: f32,
    language: &str,
    text: &str,
) -> (Vec<Glyph>, f32) {
    let f = book.face(face);
    let Some(shaper) = f.shaper() else {
        return (Vec::new(), 0.0);
    };
    let scale = size / f.units_per_em;
    let mut buf = rustybuzz::UnicodeBuffer::new();
    buf.push_str(text);
    if let Ok(lang) = language.parse() {
        buf.set_language(lang);
    }
    let out = rustybuzz::shape(&shaper, &[], buf);
    let infos = out.glyph_infos();
    let positions = out.glyph_positions();
    let mut glyphs = Vec::with_capacity(infos.len());
    let mut pen = 0.0f32;
    for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
        let start = info.cluster as usize;
        let first_of_cluster = i == 0 || infos[i - 1].cluster != info.cluster;
        let end = infos[i + 1..]
            .iter()
            .map(|g| g.cluster as usize)
            .find(|&c| c != start)
            .unwrap_or(text.len());
        let piece = if first_of_cluster && start <= end {
            text.get(start..end).unwrap_or("").to_string()
        } else {
            String::new()
        };
        glyphs.push(Glyph {
            id: info.glyph_id as u16,
            x: pen + pos.x_offset as f32 * scale,
            text: piece,
        });
        pen += pos.x_advance as f32 * scale;
    }
    (glyphs, pen)
}

/// Splits text into words at UAX #14 break opportunities and shapes each.
fn words(book: &FontBook, face: FaceId, size: f32, language: &str, text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start = 0;
    for (end, kind) in unicode_linebreak::linebreaks(text) {
        let seg = &text[start..end];
        start = end;
        let trimmed = seg.trim_end();
        let space_after =
            trimmed.len() < seg.len() && seg[trimmed.len()..].contains([' ', '\u{a0}']);
        let hard_break = kind == unicode_linebreak::BreakOpportunity::Mandatory && end < text.len();
        if trimmed.is_empty() {
            if let Some(last) = out.last_mut() {
                let w: &mut Word = last;
                w.hard_break |= hard_break;
            }
            continue;
        }
        let (glyphs, width) = shape(book, face, size, language, trimmed);
        out.push(Word {
            glyphs,
            width,
            space_after,
            hard_break,
        });
    }
    out
}

/// One set line before placement.
#[derive(Debug, Clone)]
struct Line {
    glyphs: Vec<Glyph>,
    width: f32,
}

/// The paragraph's style, resolved against the brand and fonts.
struct Resolved {
    face: FaceId,
    size: f32,
    leading: f32,
    colour: Colour,
    align: Align,
    space_before: f32,
    space_after: f32,
    /// Ascender and descender in ems (descender negative).
    ascent: f32,
    descent: f32,
    keep_with_next: bool,
    keep_together: bool,
    uppercase: bool,
}

/// Breaks a paragraph into lines no wider than `width`, first fit.
fn break_lines(
    book: &FontBook,
    st: &Resolved,
    language: &str,
    text: &str,
    width: f32,
) -> Vec<Line> {
    let text: String = normalise(text, st.uppercase);
    let words = words(book, st.face, st.size, language, &text);
    let (space, space_w) = {
        let (g, w) = shape(book, st.face, st.size, language, " ");
        (g.into_iter().next(), w)
    };
    let mut lines: Vec<Vec<&Word>> = vec![Vec::new()];
    let mut cur_w = 0.0f32;
    let mut pieces: Vec<Word> = Vec::new();
    // Words wider than the line are split at cluster boundaries: ugly, but never
    // outside the panel. (Hyphenation will make this rare.)
    for w in &words {
        if w.width <= width {
            pieces.push(w.clone());
            continue;
        }
        let mut chunk = Word {
            glyphs: Vec::new(),
            width: 0.0,
            space_after: false,
            hard_break: false,
        };
        let mut base = 0.0;
        for (i, g) in w.glyphs.iter().enumerate() {
            let next_x = w.glyphs.get(i + 1).map(|n| n.x).unwrap_or(w.width);
            if next_x - base > width && !chunk.glyphs.is_empty() {
                pieces.push(std::mem::replace(
                    &mut chunk,
                    Word {
                        glyphs: Vec::new(),
                        width: 0.0,
                        space_after: false,
                        hard_break: false,
                    },
                ));
                base = g.x;
            }
            chunk.glyphs.push(Glyph {
                id: g.id,
                x: g.x - base,
                text: g.text.clone(),
            });
            chunk.width = next_x - base;
        }
        chunk.space_after = w.space_after;
        chunk.hard_break = w.hard_break;
        pieces.push(chunk);
    }
    for w in &pieces {
        let line = lines.last_mut().unwrap();
        // A break after a hyphen or slash has no space to add.
        let joiner = match line.last() {
            Some(prev) if prev.space_after => space_w,
            _ => 0.0,
        };
        let extra = if line.is_empty() {
            w.width
        } else {
            joiner + w.width
        };
        if !line.is_empty() && cur_w + extra > width + 0.001 {
            lines.push(vec![w]);
            cur_w = w.width;
        } else {
            line.push(w);
            cur_w += extra;
        }
        if w.hard_break {
            lines.push(Vec::new());
            cur_w = 0.0;
        }
    }
    let n = lines.len();
    lines
        .into_iter()
        .enumerate()
        .filter(|(_, l)| !l.is_empty())
        .map(|(i, ws)| {
            let spaces = ws[..ws.len() - 1].iter().filter(|w| w.space_after).count();
            let natural: f32 = ws.iter().map(|w| w.width).sum::<f32>() + space_w * spaces as f32;
            let last = i + 1 == n || ws.last().is_some_and(|w| w.hard_break);
            let gap = if st.align == Align::Justify && !last && spaces > 0 {
                space_w + (width - natural) / spaces as f32
            } else {
                space_w
            };
            let mut glyphs = Vec::new();
            let mut x = 0.0;
            for (j, w) in ws.iter().enumerate() {
                if j > 0 && ws[j - 1].space_after {
                    if let Some(s) = &space {
                        glyphs.push(Glyph {
                            id: s.id,
                            x,
                            text: " ".into(),
                        });
                    }
                    x += gap;
                }
                glyphs.extend(w.glyphs.iter().map(|g| Glyph {
                    id: g.id,
                    x: g.x + x,
                    text: g.text.clone(),
                }));
                x += w.width;
            }
            Line { glyphs, width: x }
        })
        .collect()
}

/// Collapses runs of white space (YAML folding, pasted tabs) into single spaces,
/// keeping explicit line breaks.
fn normalise(text: &str, uppercase: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.trim().split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&line.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    if uppercase { out.to_uppercase() } else { out }
}

// ---- Placing ------------------------------------------------------------------

/// A paragraph broken into lines, ready to be placed.
struct Set {
    lines: Vec<(Line, f32)>, // line and its x offset inside the column
    number: Option<(GlyphRun, f32)>,
    st: Resolved,
    rect: Option<(f32, f32, Colour)>, // rule: thickness, length, colour
    image: Option<(f32, f32)>,        // logo: width, height
    png: Option<std::sync::Arc<[u8]>>,
    space: f32,
    origin: Option<Origin>,
}

impl Set {
    fn height(&self, at_top: bool) -> f32 {
        let before = if at_top { 0.0 } else { self.st.space_before };
        if let Some((t, _, _)) = self.rect {
            return t;
        }
        if let Some((_, h)) = self.image {
            return h;
        }
        before + self.space + self.lines.len() as f32 * self.st.leading
    }
}

struct Typesetter<'a> {
    project: &'a Project,
    layout: &'a NamedLayout,
    language: &'a str,
}

impl Typesetter<'_> {
    fn colour(&self, name: &str) -> Colour {
        let c = self.project.brand.colours[name];
        Colour {
            cmyk: c.cmyk,
            rgb: c.rgb,
        }
    }

    fn style(&self, name: &str) -> Resolved {
        let s: &Style = &self.layout.layout.styles[name];
        let book = &self.project.fonts;
        let face = book
            .face_for(s.font.as_str(), s.weight, s.italic)
            .expect("font roles are checked when the layout is loaded");
        let f = book.face(face);
        Resolved {
            face,
            size: s.size.0,
            leading: s.leading(),
            colour: self.colour(s.colour.as_str()),
            align: s.align,
            space_before: s.space_before.0,
            space_after: s.space_after.0,
            ascent: f.ascent,
            descent: f.descent,
            keep_with_next: s.keep_with_next,
            keep_together: s.keep_together,
            uppercase: s.uppercase,
        }
    }

    fn set(&self, para: &Para, width: f32) -> Set {
        let book = &self.project.fonts;
        let empty = |st: Resolved| Set {
            lines: Vec::new(),
            number: None,
            st,
            rect: None,
            image: None,
            png: None,
            space: 0.0,
            origin: None,
        };
        // Rules and spaces borrow a style only for its fields; they add no spacing of their own.
        let any_style = || Resolved {
            space_before: 0.0,
            space_after: 0.0,
            keep_with_next: false,
            keep_together: false,
            ..self.style(self.layout.layout.styles.keys().next().expect("styles"))
        };
        match para {
            Para::Space(h) => Set {
                space: *h,
                ..empty(any_style())
            },
            Para::Logo { height } => {
                let logo = self
                    .project
                    .logo
                    .as_ref()
                    .expect("logo paragraphs only exist with a logo");
                let mut h = *height;
                let mut w = h * logo.width_px as f32 / logo.height_px as f32;
                if w > width {
                    // Never wider than the panel.
                    h *= width / w;
                    w = width;
                }
                Set {
                    image: Some((w, h)),
                    png: Some(logo.png.clone()),
                    ..empty(any_style())
                }
            }
            Para::Rule {
                colour,
                thickness,
                length,
            } => Set {
                rect: Some((
                    *thickness,
                    length.unwrap_or(width).min(width),
                    self.colour(colour),
                )),
                ..empty(any_style())
            },
            Para::Text {
                text,
                style,
                origin,
            } => {
                let st = self.style(style);
                let lines = break_lines(book, &st, self.language, text, width);
                let lines = lines
                    .into_iter()
                    .map(|l| align(l, st.align, width))
                    .collect();
                Set {
                    lines,
                    origin: Some(origin.clone()),
                    ..empty(st)
                }
            }
            Para::Numbered {
                number,
                text,
                style,
                number_style,
                indent,
                origin,
            } => {
                let st = self.style(style);
                let indent = indent.unwrap_or(st.size * 2.0);
                let lines = break_lines(book, &st, self.language, text, width - indent)
                    .into_iter()
                    .map(|l| {
                        let (l, x) = align(l, st.align, width - indent);
                        (l, x + indent)
                    })
                    .collect();
                let nst = number_style
                    .as_deref()
                    .map(|n| self.style(n))
                    .unwrap_or_else(|| self.style(style));
                let label = number.to_string();
                let (glyphs, w) = shape(book, nst.face, nst.size, self.language, &label);
                let run = GlyphRun {
                    face: nst.face,
                    size: nst.size,
                    colour: nst.colour,
                    x: 0.0,
                    baseline: 0.0,
                    glyphs,
                    width: w,
                };
                Set {
                    lines,
                    number: Some((run, nst.ascent * nst.size)),
                    origin: Some(origin.clone()),
                    ..empty(st)
                }
            }
        }
    }
}

fn align(l: Line, a: Align, width: f32) -> (Line, f32) {
    let x = match a {
        Align::Left | Align::Justify => 0.0,
        Align::Center => ((width - l.width) / 2.0).max(0.0),
        Align::Right => (width - l.width).max(0.0),
    };
    (l, x)
}

/// The usable box of a panel, in points from the trim box's top-left.
struct Frame {
    name: String,
    x: f32,
    y: f32,
    w: f32,
    h: f32,
    page: usize,
}

fn frame(p: &Panel, r: PanelRect, page: usize) -> Frame {
    Frame {
        name: p.name.clone(),
        x: r.x + p.padding.left,
        y: r.y + p.padding.top,
        w: r.w - p.padding.left - p.padding.right,
        h: r.h - p.padding.top - p.padding.bottom,
        page,
    }
}

/// Emits the items of `set`, its top at `y`, into `items`; lines `from..to` only.
fn emit(set: &Set, frame: &Frame, y: f32, from: usize, to: usize, items: &mut Vec<(usize, Item)>) {
    if let Some((t, len, colour)) = set.rect {
        items.push((
            frame.page,
            Item::Rect {
                x: frame.x,
                y,
                w: len,
                h: t,
                colour,
            },
        ));
        return;
    }
    if let Some((w, h)) = set.image {
        if let Some(png) = &set.png {
            items.push((
                frame.page,
                Item::Image {
                    x: frame.x,
                    y,
                    w,
                    h,
                    png: png.clone(),
                },
            ));
        }
        return;
    }
    let st = &set.st;
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
                    x: frame.x,
                    baseline,
                    ..run.clone()
                }),
            ));
        }
        items.push((
            frame.page,
            Item::Text(GlyphRun {
                face: st.face,
                size: st.size,
                colour: st.colour,
                x: frame.x + dx,
                baseline,
                glyphs: line.glyphs.clone(),
                width: line.width,
            }),
        ));
    }
}

/// Lays out one PDF job.
/// How far marks stand off the bleed, and how long they are.
const MARK_GAP: f32 = 2.0 * MM;
const MARK_LEN: f32 = 5.0 * MM;

/// The crop marks at the four trim corners and fold marks at `folds` (x positions),
/// all starting `MARK_GAP` outside the bleed so none reaches into it.
fn marks(w: f32, h: f32, bleed: f32, kinds: &[MarkKind], folds: &[f32]) -> Vec<Mark> {
    let (near, far) = (bleed + MARK_GAP, bleed + MARK_GAP + MARK_LEN);
    let mut out = Vec::new();
    if kinds.contains(&MarkKind::Crop) {
        for (x, y, sx, sy) in [
            (0.0, 0.0, -1.0, -1.0),
            (w, 0.0, 1.0, -1.0),
            (0.0, h, -1.0, 1.0),
            (w, h, 1.0, 1.0),
        ] {
            // A horizontal line level with the trim edge, and a vertical one.
            out.push(Mark {
                kind: MarkKind::Crop,
                x1: x + sx * near,
                y1: y,
                x2: x + sx * far,
                y2: y,
            });
            out.push(Mark {
                kind: MarkKind::Crop,
                x1: x,
                y1: y + sy * near,
                x2: x,
                y2: y + sy * far,
            });
        }
    }
    if kinds.contains(&MarkKind::Fold) {
        for &x in folds {
            out.push(Mark {
                kind: MarkKind::Fold,
                x1: x,
                y1: -near,
                x2: x,
                y2: -far,
            });
            out.push(Mark {
                kind: MarkKind::Fold,
                x1: x,
                y1: h + near,
                x2: x,
                y2: h + far,
            });
        }
    }
    out
}

/// Web addresses in a line of text, as (first glyph, last glyph, address).
fn find_links(glyphs: &[Glyph]) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut word = String::new();
    for (i, g) in glyphs.iter().enumerate().chain(std::iter::once((
        glyphs.len(),
        &Glyph {
            id: 0,
            x: 0.0,
            text: " ".into(),
        },
    ))) {
        if g.text == " " {
            let trimmed = word.trim_end_matches(['.', ',', ';', ':', ')', '!', '?']);
            let lower = trimmed.to_ascii_lowercase();
            if lower.starts_with("https://")
                || lower.starts_with("http://")
                || lower.starts_with("www.")
            {
                let uri = if lower.starts_with("www.") {
                    format!("https://{trimmed}")
                } else {
                    trimmed.to_string()
                };
                // The link covers the glyphs of the address, not trailing punctuation.
                let cut = word.len() - trimmed.len();
                let mut end = i;
                let mut dropped = 0;
                while dropped < cut && end > start {
                    end -= 1;
                    dropped += glyphs[end].text.len();
                }
                if end > start {
                    out.push((start, end - 1, uri));
                }
            }
            word.clear();
            start = i + 1;
        } else {
            word.push_str(&g.text);
        }
    }
    out
}

pub fn typeset(
    project: &Project,
    doc: &Document,
    variant: Variant,
) -> Result<Pages, Vec<Overflow>> {
    let layout = project.layout(&doc.layout).expect("job layouts exist");
    let ts = Typesetter {
        project,
        layout,
        language: &doc.language,
    };
    let (pw, ph) = layout.page_dims();
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
        .map(|side| {
            // Folds lie where panels meet side by side.
            let mut folds: Vec<f32> = side
                .rects(pw, ph)
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
            }
        })
        .collect();
    let mut warnings = Vec::new();
    let mut overflows = Vec::new();
    let overflow = |panel: &str, origin: &Option<Origin>, by: f32| Overflow {
        layout: layout.name.clone(),
        panel: panel.to_string(),
        origin: origin.clone().unwrap_or(Origin {
            what: "content".into(),
            line: None,
        }),
        overflow_mm: by / MM,
    };

    // Backgrounds first, so text is drawn over them; an edge on the trim line
    // runs out into the bleed so trimming leaves no white hairline.
    for (si, side) in layout.layout.sides.iter().enumerate() {
        for (p, r) in side.panels.iter().zip(side.rects(pw, ph)) {
            if let Some(bg) = &p.background {
                let (mut x0, mut y0, mut x1, mut y1) = (r.x, r.y, r.x + r.w, r.y + r.h);
                let near = |a: f32, b: f32| (a - b).abs() < 0.01;
                if near(x0, 0.0) {
                    x0 = -bleed;
                }
                if near(y0, 0.0) {
                    y0 = -bleed;
                }
                if near(x1, pw) {
                    x1 = pw + bleed;
                }
                if near(y1, ph) {
                    y1 = ph + bleed;
                }
                pages[si].items.push(Item::Rect {
                    x: x0,
                    y: y0,
                    w: x1 - x0,
                    h: y1 - y0,
                    colour: ts.colour(bg.as_str()),
                });
            }
        }
    }

    // Fixed panel content: top-down from the top, and stacked up from the bottom.
    let mut flow_frames: BTreeMap<&str, Vec<Frame>> = BTreeMap::new();
    for (si, side) in layout.layout.sides.iter().enumerate() {
        for (p, r) in side.panels.iter().zip(side.rects(pw, ph)) {
            let fr = frame(p, r, si);
            let content = &doc.panels[&p.name];
            let top: Vec<Set> = content.top.iter().map(|para| ts.set(para, fr.w)).collect();
            let bottom: Vec<Set> = content
                .bottom
                .iter()
                .map(|para| ts.set(para, fr.w))
                .collect();
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
            let mut placed = Vec::new();
            place_all(&top, &fr, fr.y, &mut placed);
            place_all(&bottom, &fr, fr.y + fr.h - bottom_h, &mut placed);
            pages[si].items.extend(placed.into_iter().map(|(_, it)| it));
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
    for (flow, paras) in &doc.flows {
        let frames = flow_frames.remove(flow.as_str()).unwrap_or_default();
        // Set at the narrowest panel's measure, so every line fits wherever it lands.
        let Some(width) = frames.iter().map(|f| f.w).reduce(f32::min) else {
            continue;
        };
        let sets: Vec<Set> = paras.iter().map(|para| ts.set(para, width)).collect();
        let pour_capped = |cap: f32, items: &mut Vec<(usize, Item)>| {
            let capped: Vec<Frame> = frames
                .iter()
                .map(|f| Frame {
                    name: f.name.clone(),
                    h: f.h.min(cap),
                    ..*f
                })
                .collect();
            pour(&sets, &capped, items)
        };
        let mut cap = f32::INFINITY;
        if layout.layout.balance.iter().any(|b| b.as_str() == flow) {
            // Balanced columns: the lowest panel height at which everything still
            // fits, found by bisection (pouring is cheap; nothing is drawn yet).
            let (mut lo, mut hi) = (0.0f32, frames.iter().map(|f| f.h).fold(0.0, f32::max));
            if pour_capped(hi, &mut Vec::new()).is_ok() {
                for _ in 0..20 {
                    let mid = (lo + hi) / 2.0;
                    if pour_capped(mid, &mut Vec::new()).is_ok() {
                        hi = mid
                    } else {
                        lo = mid
                    }
                }
                cap = hi + 0.01;
            }
        }
        let mut items = Vec::new();
        match pour_capped(cap, &mut items) {
            Ok(()) => {
                for (page, item) in items {
                    pages[page].items.push(item);
                }
            }
            Err((panel, origin, rest)) => overflows.push(overflow(&panel, &origin, rest)),
        }
    }
    if !overflows.is_empty() {
        return Err(overflows);
    }
    for page in &mut pages {
        for item in &page.items {
            match item {
                Item::Text(run) if !print => {
                    for (a, b, uri) in find_links(&run.glyphs) {
                        let x0 = run.x + run.glyphs[a].x;
                        let x1 = run.x + run.glyphs.get(b + 1).map(|g| g.x).unwrap_or(run.width);
                        let f = project.fonts.face(run.face);
                        page.links.push(Link {
                            x: x0,
                            y: run.baseline - f.ascent * run.size,
                            w: x1 - x0,
                            h: (f.ascent - f.descent) * run.size,
                            uri,
                        });
                    }
                }
                Item::Image { w, png, .. } if print => {
                    let logo = project
                        .logo
                        .as_ref()
                        .filter(|l| std::sync::Arc::ptr_eq(&l.png, png));
                    if let Some(l) = logo {
                        let ppi = l.width_px as f32 / (w / 72.0);
                        if ppi < 300.0 {
                            warnings.push(format!(
                                "the logo prints at {ppi:.0} ppi, under the 300 ppi print needs; use an image at least {:.0} pixels wide",
                                (w / 72.0 * 300.0).ceil()
                            ));
                        }
                    }
                }
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
        warnings,
    })
}

/// Pours `sets` through `frames` in order. On overflow, returns the last panel,
/// the content that did not fit, and how much was left over (points).
fn pour(
    sets: &[Set],
    frames: &[Frame],
    out: &mut Vec<(usize, Item)>,
) -> Result<(), (String, Option<Origin>, f32)> {
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
        if fit == 1 && total > 1 {
            fit = 0;
        }
        if total - fit == 1 && fit >= 2 {
            fit -= 1;
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
            return Err((fr.name.clone(), origin, rest));
        }
        fi += 1;
        y = frames[fi].y;
    }
    out.extend(items);
    Ok(())
}

fn heights(sets: &[Set]) -> f32 {
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

fn place_all(sets: &[Set], fr: &Frame, mut y: f32, items: &mut Vec<(usize, Item)>) {
    for (i, s) in sets.iter().enumerate() {
        if i > 0 {
            y += s.st.space_before;
        }
        y += s.space;
        emit(s, fr, y, 0, s.lines.len(), items);
        y += s.height(true) - s.space + s.st.space_after;
    }
}
