//! The typesetter: measures text with the font's real advances and kerning
//! (shaped by rustybuzz, so GPOS kerning applies), breaks it at Unicode line-break
//! opportunities (UAX #14), fills panels and flows, and reports what does not fit.
//! Its output, `Pages`, is positioned: everything a PDF or preview needs, in points
//! from the top-left corner of the trim box.

use crate::doc::{Document, Origin, Para};
use crate::fonts::{FaceId, FontBook};
use crate::layout::{Align, OverflowPolicy, Panel, PanelRect, Style};
use crate::model::{NamedLayout, Project};
use crate::plan::Variant;
use crate::units::MM;

pub mod breaking;
pub mod hyphenate;
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
    /// Shared with the line it was set as: a page copies runs, not glyphs.
    pub glyphs: std::sync::Arc<[Glyph]>,
    /// Width of the inked line (from the first glyph's origin to the last's advance).
    pub width: f32,
    /// Glyph ranges `[from, to)` whose text differs from what they show (the
    /// halves of a hyphenated word): the PDF writer marks them with ActualText.
    pub actual: Vec<(usize, usize, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub id: u16,
    /// Offset from the run's x.
    pub x: f32,
    /// The text this glyph stands for (empty for the second glyph of a cluster).
    pub text: GlyphText,
}

/// The text one glyph stands for: nearly always a character or two, kept
/// inline so glyphs copy without allocating (glyphs are copied from shaped
/// words into lines and pages; as Strings that was a tenth of typesetting).
#[derive(Clone, PartialEq, Eq)]
pub enum GlyphText {
    Inline { len: u8, bytes: [u8; INLINE] },
    Shared(std::sync::Arc<str>),
}

const INLINE: usize = 22;

impl GlyphText {
    pub fn as_str(&self) -> &str {
        match self {
            // Only ever filled from a whole `&str` of `len` bytes.
            GlyphText::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..*len as usize]).unwrap_or_default()
            }
            GlyphText::Shared(s) => s,
        }
    }
}

impl From<&str> for GlyphText {
    fn from(s: &str) -> GlyphText {
        if s.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            GlyphText::Inline {
                len: s.len() as u8,
                bytes,
            }
        } else {
            GlyphText::Shared(s.into())
        }
    }
}

impl Default for GlyphText {
    fn default() -> GlyphText {
        "".into()
    }
}

impl std::ops::Deref for GlyphText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for GlyphText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

/// A piece of text that did not fit: which layout, panel and content.
#[derive(Debug, Clone)]
pub struct Overflow {
    pub layout: String,
    pub panel: String,
    pub origin: Origin,
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

// ---- Measuring ----------------------------------------------------------------

/// A shaped piece of text: glyphs positioned from its start, the byte offset of
/// each glyph's cluster, and the advance of the whole.
#[derive(Debug, Clone)]
struct Shaped {
    glyphs: Vec<Glyph>,
    clusters: Vec<usize>,
    width: f32,
}

/// Shapes `text` in `face` at `size`: glyph ids and positions with the font's
/// kerning (GPOS), plus `tracking` (1/1000 em) after every glyph.
fn shape(
    book: &FontBook,
    face: FaceId,
    size: f32,
    tracking: f32,
    language: &str,
    text: &str,
) -> Shaped {
    let f = book.face(face);
    let scale = size / f.units_per_em;
    let track = tracking * size / 1000.0;
    let shaped = f.shape(text, language);
    let mut glyphs = Vec::with_capacity(shaped.len());
    let mut clusters = Vec::with_capacity(shaped.len());
    let mut pen = 0.0f32;
    for (i, g) in shaped.iter().enumerate() {
        let start = g.cluster as usize;
        let first_of_cluster = i == 0 || shaped[i - 1].cluster != g.cluster;
        let end = shaped[i + 1..]
            .iter()
            .map(|g| g.cluster as usize)
            .find(|&c| c != start)
            .unwrap_or(text.len());
        let piece = if first_of_cluster && start <= end {
            text.get(start..end).unwrap_or("").into()
        } else {
            GlyphText::default()
        };
        glyphs.push(Glyph {
            id: g.id,
            x: pen + g.x_offset as f32 * scale,
            text: piece,
        });
        clusters.push(start);
        pen += g.x_advance as f32 * scale + track;
    }
    Shaped {
        glyphs,
        clusters,
        width: pen,
    }
}

/// A word between two break opportunities (UAX #14), shaped whole so kerning
/// inside it survives, with where it may be split.
#[derive(Debug, Clone)]
struct Word {
    text: String,
    shaped: Shaped,
    /// Glyph indices where fragments start (the first is 0), and whether the
    /// split before that fragment takes a hyphen.
    splits: Vec<(usize, bool)>,
    space_after: bool,
    hard_break: bool,
}

impl Word {
    /// Glyph range and width of fragment `k`.
    fn fragment(&self, k: usize) -> (usize, usize, f32, f32) {
        let g0 = self.splits[k].0;
        let g1 = self
            .splits
            .get(k + 1)
            .map(|s| s.0)
            .unwrap_or(self.shaped.glyphs.len());
        let x0 = self.shaped.glyphs.get(g0).map(|g| g.x).unwrap_or(0.0);
        let x1 = self
            .shaped
            .glyphs
            .get(g1)
            .map(|g| g.x)
            .unwrap_or(self.shaped.width);
        (g0, g1, x0, x1 - x0)
    }
}

/// Splits text into words at UAX #14 break opportunities and shapes each.
fn words(book: &FontBook, st: &Resolved, language: &str, text: &str) -> Vec<Word> {
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
        let shaped = shape(book, st.face, st.size, st.tracking, language, trimmed);
        out.push(Word {
            text: trimmed.to_string(),
            shaped,
            splits: vec![(0, false)],
            space_after,
            hard_break,
        });
    }
    out
}

/// One set line before placement.
#[derive(Debug, Clone)]
struct Line {
    glyphs: std::sync::Arc<[Glyph]>,
    width: f32,
    /// Glyph ranges whose text, for extraction and screen readers, is not what
    /// they show: a hyphenated word reads whole where it starts and empty where it ends.
    actual: Vec<(usize, usize, String)>,
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
    tracking: f32,
    word_spacing: [f32; 3],
    hyphenate: bool,
    hyphen_rules: crate::layout::HyphenRules,
}

/// Which way to compose a paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Composer {
    /// Knuth–Plass: optimal over the paragraph.
    TotalFit,
    /// Greedy, line by line (for comparison).
    FirstFit,
}

/// What one item of the paragraph stands for.
#[derive(Debug, Clone, Copy)]
enum Elem {
    Frag { word: usize, k: usize },
    Space,
    Split { word: usize },
    Other,
}

/// A paragraph broken into lines, with each line's adjustment ratio.
#[derive(Clone)]
pub struct Composed {
    lines: Vec<Line>,
    breaks: Vec<breaking::Break>,
    /// Words left alone on a justified line (they cannot be spread to the measure).
    lone_words: Vec<String>,
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
    let ts = Typesetter {
        project,
        layout,
        language,
        composer,
        scale: 1.0,
        warnings: Default::default(),
    };
    let st = ts.style(style);
    let c = compose(&project.fonts, &st, language, text, width, composer);
    breaking::quality(&c.breaks)
}

/// Breaks a paragraph into lines no wider than `width`.
fn compose(
    book: &FontBook,
    st: &Resolved,
    language: &str,
    text: &str,
    width: f32,
    composer: Composer,
) -> Composed {
    use breaking::Item as It;
    let text: String = normalise(text, st.uppercase);
    let mut words = words(book, st, language, &text);
    let space = shape(book, st.face, st.size, 0.0, language, " ");
    let (space_glyph, space_w) = (space.glyphs.into_iter().next(), space.width);
    let hyphen = shape(book, st.face, st.size, st.tracking, language, "-");
    let dict = if st.hyphenate && !st.uppercase {
        hyphenate::dictionary(language)
    } else {
        None
    };

    // Where each word may split: hyphenation points, then emergency splits for
    // any piece still wider than the measure (never outside the panel).
    for w in &mut words {
        if let Some(d) = &dict {
            for b in hyphenate::points(d, &w.text, &st.hyphen_rules) {
                if let Some(g) = w.shaped.clusters.iter().position(|&c| c >= b)
                    && g > 0
                {
                    w.splits.push((g, true));
                }
            }
            w.splits.dedup_by_key(|s| s.0);
        }
        let mut k = 0;
        while k < w.splits.len() {
            let (g0, g1, x0, fw) = w.fragment(k);
            // A piece that ends where the word is hyphenated carries the hyphen too.
            let hyphen_after = w.splits.get(k + 1).is_some_and(|s| s.1);
            let needs = fw + if hyphen_after { hyphen.width } else { 0.0 };
            if needs > width && g1 - g0 > 1 {
                let cut = (g0 + 1..g1)
                    .rev()
                    .find(|&g| {
                        w.shaped.glyphs[g].x - x0 <= width && !w.shaped.glyphs[g].text.is_empty()
                    })
                    .unwrap_or(g0 + 1);
                w.splits.insert(k + 1, (cut, false));
            }
            k += 1;
        }
    }

    let [min, natural, max] = st.word_spacing;
    let justify = st.align == Align::Justify;
    let (stretch, shrink) = if justify {
        (
            space_w * (max - natural).max(0.0),
            space_w * (natural - min).max(0.0),
        )
    } else {
        (0.0, 0.0)
    };
    let space_nat = space_w * natural;
    let mut items = Vec::new();
    let mut elems = Vec::new();
    let finish = |items: &mut Vec<It>, elems: &mut Vec<Elem>| {
        breaking::finish_paragraph(items);
        elems.extend([Elem::Other, Elem::Other, Elem::Other]);
    };
    for (wi, w) in words.iter().enumerate() {
        for k in 0..w.splits.len() {
            if k > 0 {
                let hyphenated = w.splits[k].1;
                items.push(It::Penalty {
                    width: if hyphenated { hyphen.width } else { 0.0 },
                    // Ragged text has room to avoid a hyphen, so one costs more there.
                    cost: if !hyphenated {
                        0.0
                    } else if justify {
                        20.0
                    } else {
                        150.0
                    },
                    flagged: hyphenated,
                });
                elems.push(Elem::Split { word: wi });
            }
            let (_, _, _, fw) = w.fragment(k);
            items.push(It::Box { width: fw });
            elems.push(Elem::Frag { word: wi, k });
        }
        if wi + 1 == words.len() || w.hard_break {
            finish(&mut items, &mut elems);
        } else if w.space_after {
            items.push(It::Glue {
                width: space_nat,
                stretch,
                shrink,
            });
            elems.push(Elem::Space);
        } else {
            // A break after a hyphen or slash inside a compound: no space to add.
            let after_hyphen = w.text.ends_with(['-', '\u{2010}', '\u{2013}']);
            items.push(It::Penalty {
                width: 0.0,
                cost: if after_hyphen { 50.0 } else { 0.0 },
                flagged: after_hyphen,
            });
            elems.push(Elem::Other);
        }
    }
    if items.is_empty() {
        return Composed {
            lines: Vec::new(),
            breaks: Vec::new(),
            lone_words: Vec::new(),
        };
    }
    let params = breaking::Params {
        width,
        justify,
        max_ratio: if justify { 1.0 } else { 2.0 },
        // A ragged line may fall short by about a sixth of the measure at no
        // great cost, more only if it must.
        rag: (2.5 * st.size).max(width / 6.0),
        max_hyphen_run: st.hyphen_rules.max_in_a_row,
    };
    let breaks = match composer {
        Composer::TotalFit => breaking::total_fit(&items, &params),
        Composer::FirstFit => breaking::first_fit(&items, &params),
    };

    // Build the lines from the chosen breaks.
    let mut lines = Vec::new();
    let mut lone_words = Vec::new();
    let mut from = 0;
    // A word split over lines whose start has been given its whole text already.
    let mut continued: Option<usize> = None;
    for br in &breaks {
        let stretchy = justify
            && br.ratio.is_finite()
            && !matches!(items[br.at], It::Penalty { cost, .. } if cost <= breaking::FORCED && from < br.at && matches!(items[br.at - 1], It::Glue { stretch, .. } if stretch > 1e6));
        let r = if stretchy { br.ratio } else { 0.0 };
        let mut glyphs: Vec<Glyph> = Vec::new();
        let mut actual = Vec::new();
        let mut x = 0.0f32;
        let mut first_box = true;
        let mut span_start: Option<(usize, usize)> = None; // (word, first glyph index on the line)
        let mut boxes = 0;
        for i in from..br.at {
            match (items[i], elems[i]) {
                (It::Box { .. }, Elem::Frag { word, k }) => {
                    let w = &words[word];
                    let (g0, g1, x0, fw) = w.fragment(k);
                    if first_box && continued == Some(word) {
                        span_start = Some((word, glyphs.len()));
                    }
                    if span_start.is_some_and(|(sw, _)| sw != word) {
                        // The carried-over end of a hyphenated word reads as nothing.
                        let (_, s) = span_start.take().unwrap_or_default();
                        actual.push((s, glyphs.len(), String::new()));
                    }
                    glyphs.extend(w.shaped.glyphs[g0..g1].iter().map(|g| Glyph {
                        id: g.id,
                        x: g.x - x0 + x,
                        text: g.text.clone(),
                    }));
                    x += fw;
                    first_box = false;
                    boxes += 1;
                }
                (
                    It::Glue {
                        width,
                        stretch,
                        shrink,
                    },
                    Elem::Space,
                ) if !first_box => {
                    if let Some((_, s)) = span_start.take() {
                        actual.push((s, glyphs.len(), String::new()));
                    }
                    if let Some(sg) = &space_glyph {
                        glyphs.push(Glyph {
                            id: sg.id,
                            x,
                            text: " ".into(),
                        });
                    }
                    x += width + if r >= 0.0 { r * stretch } else { r * shrink };
                }
                _ => {}
            }
        }
        if let Some((_, s)) = span_start.take() {
            actual.push((s, glyphs.len(), String::new()));
        }
        // A hyphen at the break: the word's first part reads as the whole word.
        continued = None;
        if let (It::Penalty { width: hw, .. }, Elem::Split { word }) = (items[br.at], elems[br.at])
            && hw > 0.0
        {
            let w = &words[word];
            let first_on_line = glyphs.len()
                - (from..br.at)
                    .filter_map(|i| match elems[i] {
                        Elem::Frag { word: fw, k } if fw == word => {
                            let (g0, g1, ..) = w.fragment(k);
                            Some(g1 - g0)
                        }
                        _ => None,
                    })
                    .sum::<usize>();
            let starts_here = !matches!(elems.get(from.wrapping_sub(1)), Some(Elem::Split { word: pw }) if *pw == word)
                || from == 0;
            let hg = hyphen.glyphs.first().map(|g| g.id).unwrap_or(0);
            glyphs.push(Glyph {
                id: hg,
                x,
                text: "-".into(),
            });
            x += hw;
            let text = if starts_here {
                w.text.clone()
            } else {
                String::new()
            };
            actual.retain(|(s, _, _)| *s != first_on_line);
            actual.push((first_on_line, glyphs.len(), text));
            continued = Some(word);
        }
        if justify && br.overfull_stretch && boxes > 0 {
            let t: String = glyphs.iter().map(|g| g.text.as_str()).collect();
            lone_words.push(t.trim().to_string());
        }
        lines.push(Line {
            glyphs: glyphs.into(),
            width: x,
            actual,
        });
        // The next line starts after the break and any glue or penalties there.
        from = br.at + 1;
        while from < items.len() && !matches!(items[from], It::Box { .. }) {
            if matches!(items[from], It::Penalty { cost, .. } if cost <= breaking::FORCED) {
                break;
            }
            from += 1;
        }
    }
    lines.retain(|l| !l.glyphs.is_empty());
    Composed {
        lines,
        breaks,
        lone_words,
    }
}

/// Collapses runs of white space (YAML folding, pasted tabs) into single spaces,
/// keeping explicit line breaks.
fn normalise(text: &str, uppercase: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.trim().split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&line.split_ascii_whitespace().collect::<Vec<_>>().join(" "));
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
    composer: Composer,
    /// Type size multiplier (below 1 when a flow is shrunk to fit).
    scale: f32,
    warnings: std::cell::RefCell<Vec<String>>,
}

impl<'a> Typesetter<'a> {
    /// A copy with the same project, layout and language.
    fn clone_shallow(&self) -> Typesetter<'a> {
        Typesetter {
            project: self.project,
            layout: self.layout,
            language: self.language,
            composer: self.composer,
            scale: self.scale,
            warnings: Default::default(),
        }
    }

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
            size: s.size.0 * self.scale,
            leading: s.leading() * self.scale,
            colour: self.colour(s.colour.as_str()),
            align: s.align,
            space_before: s.space_before.0 * self.scale,
            space_after: s.space_after.0 * self.scale,
            ascent: f.ascent,
            descent: f.descent,
            keep_with_next: s.keep_with_next,
            keep_together: s.keep_together,
            uppercase: s.uppercase,
            tracking: s.tracking,
            word_spacing: s.word_spacing,
            hyphenate: s.hyphenate,
            hyphen_rules: s.hyphenation,
        }
    }

    fn lone_word_warnings(&self, c: &Composed, origin: &Origin) {
        for w in &c.lone_words {
            self.warnings.borrow_mut().push(format!(
                "{}: a justified line holds only `{w}`, which cannot be spread to the measure without stretching past the style's maximum word space",
                origin.what
            ));
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
                let c = compose(book, &st, self.language, text, width, self.composer);
                self.lone_word_warnings(&c, origin);
                let lines = c
                    .lines
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
                let c = compose(
                    book,
                    &st,
                    self.language,
                    text,
                    width - indent,
                    self.composer,
                );
                self.lone_word_warnings(&c, origin);
                let lines = c
                    .lines
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
                let Shaped {
                    glyphs, width: w, ..
                } = shape(
                    book,
                    nst.face,
                    nst.size,
                    nst.tracking,
                    self.language,
                    &label,
                );
                let run = GlyphRun {
                    face: nst.face,
                    size: nst.size,
                    colour: nst.colour,
                    x: 0.0,
                    baseline: 0.0,
                    glyphs: glyphs.into(),
                    width: w,
                    actual: Vec::new(),
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
                actual: line.actual.clone(),
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
        if g.text.as_str() == " " {
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
        composer: Composer::TotalFit,
        scale: 1.0,
        warnings: Default::default(),
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
            unit: String::new(),
            file: None,
            line: None,
        }),
        overflow_mm: by / MM,
        at_min_size: None,
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
    let keep = Keep {
        orphans: layout.layout.orphans.max(1),
        widows: layout.layout.widows.max(1),
    };
    for (flow, paras) in &doc.flows {
        let spec = &layout.layout.flows[flow];
        let frames = flow_frames.remove(flow.as_str()).unwrap_or_default();
        // Set at the narrowest panel's measure, so every line fits wherever it lands.
        let Some(width) = frames.iter().map(|f| f.w).reduce(f32::min) else {
            continue;
        };
        // The flow's main text: its messages' style, else its first text's.
        let body_size = paras
            .iter()
            .find_map(|p| match p {
                Para::Numbered { style, .. } => Some(style),
                _ => None,
            })
            .or_else(|| {
                paras.iter().find_map(|p| match p {
                    Para::Text { style, .. } => Some(style),
                    _ => None,
                })
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
        // Try the layout's sizes, then (shrink) half a point smaller at a time.
        let mut size = body_size;
        let placed = loop {
            let ts = Typesetter {
                scale: size / body_size,
                warnings: Default::default(),
                ..ts.clone_shallow()
            };
            let sets: Vec<Set> = paras.iter().map(|para| ts.set(para, width)).collect();
            let result = pour_flow(&sets, &frames, spec.balance, keep);
            match result {
                Ok(items) => {
                    warnings.extend(ts.warnings.take());
                    if size < body_size {
                        warnings.push(format!(
                            "flow `{flow}` set at {size:.1} pt instead of {body_size:.1} pt to fit its panels"
                        ));
                    }
                    break Ok(items);
                }
                Err(e) if size - 0.5 >= min_size - 0.001 => {
                    let _ = e;
                    size -= 0.5;
                }
                Err(e) => break Err(e),
            }
        };
        match placed {
            Ok(items) => {
                for (page, item) in items {
                    pages[page].items.push(item);
                }
            }
            Err((panel, origin, rest)) => {
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

/// The fewest lines of a paragraph at the foot of a panel (orphans) and at the
/// head of the next (widows).
#[derive(Debug, Clone, Copy)]
struct Keep {
    orphans: usize,
    widows: usize,
}

type Placed = Vec<(usize, Item)>;

/// Pours a flow, balanced if asked: the lowest panel height at which everything
/// still fits, found by bisection (pouring is cheap; nothing is drawn yet).
fn pour_flow(
    sets: &[Set],
    frames: &[Frame],
    balance: bool,
    keep: Keep,
) -> Result<Placed, (String, Option<Origin>, f32)> {
    let pour_capped = |cap: f32, items: &mut Placed| {
        let capped: Vec<Frame> = frames
            .iter()
            .map(|f| Frame {
                name: f.name.clone(),
                h: f.h.min(cap),
                ..*f
            })
            .collect();
        pour(sets, &capped, keep, items)
    };
    let mut cap = f32::INFINITY;
    if balance {
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
    pour_capped(cap, &mut items).map(|()| items)
}

/// Pours `sets` through `frames` in order. On overflow, returns the last panel,
/// the content that did not fit, and how much was left over (points).
fn pour(
    sets: &[Set],
    frames: &[Frame],
    lines: Keep,
    out: &mut Placed,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn style() -> Resolved {
        Resolved {
            face: 0,
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
            space_before: 0.0,
            space_after: 0.0,
            ascent: 0.8,
            descent: -0.2,
            keep_with_next: false,
            keep_together: false,
            uppercase: false,
            tracking: 0.0,
            word_spacing: [0.8, 1.0, 2.0],
            hyphenate: false,
            hyphen_rules: Default::default(),
        }
    }

    fn paragraph(lines: usize) -> Set {
        let line = Line {
            glyphs: vec![Glyph {
                id: 1,
                x: 0.0,
                text: "x".into(),
            }]
            .into(),
            width: 5.0,
            actual: Vec::new(),
        };
        Set {
            lines: vec![(line, 0.0); lines],
            number: None,
            st: style(),
            rect: None,
            image: None,
            png: None,
            space: 0.0,
            origin: None,
        }
    }

    fn frames(heights: &[f32]) -> Vec<Frame> {
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
