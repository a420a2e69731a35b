//! Measuring: text shaped in one face at one size (rustybuzz, so GPOS
//! kerning applies), and split into words at Unicode line-break
//! opportunities (UAX #14), each shaped whole.

use super::style::Resolved;
use crate::cache::Caches;
use crate::fonts::{FaceId, FontBook};
use crate::pages::{Glyph, GlyphText};

/// A shaped piece of text: glyphs positioned from its start, the byte offset of
/// each glyph's cluster, and the advance of the whole.
#[derive(Debug, Clone)]
pub(super) struct Shaped {
    pub(super) glyphs: Vec<Glyph>,
    pub(super) clusters: Vec<usize>,
    pub(super) width: f32,
}

/// Shapes `text` in `face` at `size`: glyph ids and positions with the font's
/// kerning (GPOS), plus `tracking` (1/1000 em) after every glyph.
/// The fonts a job sets text in, and the caches their shaped words are kept in.
#[derive(Clone, Copy)]
pub(super) struct Fonts<'a> {
    pub(super) book: &'a FontBook,
    pub(super) caches: &'a Caches,
}

pub(super) fn shape(
    fonts: Fonts<'_>,
    face: FaceId,
    size: f32,
    tracking: f32,
    language: &str,
    text: &str,
) -> Shaped {
    let f = fonts.book.face(face);
    let scale = size / f.units_per_em;
    let track = tracking * size / 1000.0;
    let shaped = f.shape(text, language, fonts.caches);
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
pub(super) struct Word {
    pub(super) text: String,
    pub(super) shaped: Shaped,
    /// Glyph indices where fragments start (the first is 0), and whether the
    /// split before that fragment takes a hyphen.
    pub(super) splits: Vec<(usize, bool)>,
    pub(super) space_after: bool,
    pub(super) hard_break: bool,
}

impl Word {
    /// Glyph range and width of fragment `k`.
    pub(super) fn fragment(&self, k: usize) -> (usize, usize, f32, f32) {
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
pub(super) fn words(fonts: Fonts<'_>, st: &Resolved, language: &str, text: &str) -> Vec<Word> {
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
        let shaped = shape(fonts, st.face, st.size, st.tracking, language, trimmed);
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
