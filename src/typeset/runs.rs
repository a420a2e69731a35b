//! Runs: a paragraph cut into stretches set one way (one face, one bidi
//! level), and a broken line put into display order.
//!
//! Fallback goes by grapheme cluster (a base and its marks stay in one
//! face): each is set in the first face of the style's fallback chain that
//! draws all of it. Direction follows the Unicode bidi algorithm (UAX #9):
//! levels are resolved over the paragraph in logical order, lines are broken
//! in that order, and each line's runs are then reordered (rule L2).

use super::shape::Styled;
use super::style::Resolved;
use crate::fonts::{FaceId, FontBook};
use crate::pages::Glyph;
use unicode_bidi::{BidiInfo, Level};
use unicode_segmentation::UnicodeSegmentation;

/// Cuts `text` into stretches of one face and one bidi level, starting from
/// the markup's stretches (`styled`; empty means all in the style's face).
/// Empty when all of it is in the style's face, left to right and unlinked
/// (most paragraphs). Also gives the fallback families that stood in for a
/// bold or italic face they do not have.
pub(super) fn split(
    book: &FontBook,
    st: &Resolved,
    text: &str,
    styled: Vec<Styled>,
) -> (Vec<Styled>, Vec<String>) {
    let mut stand_ins = Vec::new();
    let base = if styled.is_empty() {
        vec![Styled {
            from: 0,
            to: text.len(),
            face: st.face,
            link: None,
            level: 0,
        }]
    } else {
        styled
    };
    let mut out = Vec::with_capacity(base.len());
    for s in base {
        let chain = st.fallbacks_of(s.face);
        let piece = &text[s.from..s.to];
        if chain.is_empty() || piece.chars().all(|c| book.face(s.face).covers(c)) {
            out.push(s);
            continue;
        }
        let mut face = s.face;
        let mut from = s.from;
        for (at, cluster) in piece.grapheme_indices(true) {
            let at = s.from + at;
            let draws = |f: FaceId| cluster.chars().all(|c| book.face(f).covers(c));
            // White space and punctuation the current face has stay in it.
            let neutral = !cluster.chars().any(char::is_alphanumeric);
            let want = if neutral && draws(face) {
                face
            } else if draws(s.face) {
                s.face
            } else {
                match chain.iter().find(|f| draws(f.face)) {
                    Some(f) => {
                        if f.stand_in && !stand_ins.contains(&f.family) {
                            stand_ins.push(f.family.clone());
                        }
                        f.face
                    }
                    // The coverage check stops such text before it is set.
                    None => s.face,
                }
            };
            if want != face {
                if at > from {
                    out.push(Styled {
                        from,
                        to: at,
                        face,
                        ..s.clone()
                    });
                }
                (face, from) = (want, at);
            }
        }
        out.push(Styled { from, face, ..s });
    }
    if st.rtl || text.chars().any(crate::text::strong_rtl) {
        out = by_level(text, st.rtl, out);
    }
    if out
        .iter()
        .all(|s| s.face == st.face && s.link.is_none() && s.level == 0)
    {
        out.clear();
    }
    (out, stand_ins)
}

/// `stretches` cut again where the bidi level changes, each with its level.
fn by_level(text: &str, rtl: bool, stretches: Vec<Styled>) -> Vec<Styled> {
    let base = if rtl { Level::rtl() } else { Level::ltr() };
    let info = BidiInfo::new(text, Some(base));
    let mut levels = info.levels;
    // Rule L1: white space before a paragraph separator or the end takes the
    // paragraph's level (a line's trailing space is dropped anyway).
    for para in &info.paragraphs {
        let r = para.range.clone();
        let trail = text[r.clone()].trim_end().len();
        for l in &mut levels[r.start + trail..r.end] {
            *l = base;
        }
    }
    let mut out = Vec::with_capacity(stretches.len());
    for s in stretches {
        let mut from = s.from;
        for at in s.from + 1..s.to {
            if text.is_char_boundary(at) && levels[at] != levels[from] {
                out.push(Styled {
                    from,
                    to: at,
                    level: levels[from].number(),
                    ..s.clone()
                });
                from = at;
            }
        }
        if from < s.to {
            out.push(Styled {
                from,
                level: levels[from].number(),
                ..s
            });
        }
    }
    out
}

/// A run of a line: its first glyph (it ends where the next begins), where
/// the pen stood at its start, and its bidi level.
#[derive(Debug, Clone, Copy)]
pub(super) struct Run {
    pub(super) from: usize,
    pub(super) x: f32,
    pub(super) level: u8,
}

/// Puts a line's glyphs in display order: its runs moved as wholes (see
/// [`display_order`]), set one after another from the left, with the glyph
/// ranges of its faces, links and actual texts moved with them. `width` is
/// where the line's pen ends.
#[allow(clippy::type_complexity)]
pub(super) fn reorder(
    glyphs: &mut Vec<Glyph>,
    width: f32,
    runs: &[Run],
    base_face: FaceId,
    faces: &mut Vec<(usize, FaceId)>,
    links: &mut Vec<(usize, usize, String)>,
    actual: &mut Vec<(usize, usize, String)>,
) {
    let order = display_order(runs);
    let end = |k: usize| runs.get(k + 1).map_or(glyphs.len(), |r| r.from);
    let pen_end = |k: usize| runs.get(k + 1).map_or(width, |r| r.x);
    // Glyphs before the first run (none, as lines are built) keep their place.
    let mut moved: Vec<usize> = (0..runs.first().map_or(0, |r| r.from)).collect();
    let mut out: Vec<Glyph> = moved.iter().map(|&i| glyphs[i].clone()).collect();
    let mut x = runs.first().map_or(0.0, |r| r.x);
    for &k in &order {
        let r = runs[k];
        for (i, g) in glyphs.iter().enumerate().take(end(k)).skip(r.from) {
            out.push(Glyph {
                x: g.x - r.x + x,
                ..g.clone()
            });
            moved.push(i);
        }
        x += pen_end(k) - r.x;
    }
    *glyphs = out;
    // `moved[new] = old`; and back.
    let mut place = vec![0; moved.len()];
    for (new, &old) in moved.iter().enumerate() {
        place[old] = new;
    }
    if !faces.is_empty() {
        let mut face_of = vec![base_face; moved.len()];
        for (k, &(at, f)) in faces.iter().enumerate() {
            let to = faces.get(k + 1).map_or(moved.len(), |n| n.0);
            face_of[at..to].fill(f);
        }
        faces.clear();
        for (new, &old) in moved.iter().enumerate() {
            if faces.last().map_or(base_face, |f| f.1) != face_of[old] {
                faces.push((new, face_of[old]));
            }
        }
    }
    let spread = |ranges: &mut Vec<(usize, usize, String)>, keep_text: bool| {
        let mut out: Vec<(usize, usize, String)> = Vec::new();
        for (a, b, text) in ranges.drain(..) {
            let mut news: Vec<usize> = (a..b).map(|i| place[i]).collect();
            news.sort_unstable();
            let mut first = true;
            let mut k = 0;
            while k < news.len() {
                let start = news[k];
                while k + 1 < news.len() && news[k + 1] == news[k] + 1 {
                    k += 1;
                }
                let t = if first || keep_text {
                    text.clone()
                } else {
                    String::new()
                };
                out.push((start, news[k] + 1, t));
                first = false;
                k += 1;
            }
        }
        out.sort_by_key(|r| r.0);
        *ranges = out;
    };
    spread(links, true);
    spread(actual, false);
}

/// The order a line's runs are shown in (rule L2: from the highest level
/// down to the lowest odd one, every stretch of runs at that level or above
/// is reversed). Each run's own glyphs are already in display order.
pub(super) fn display_order(runs: &[Run]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..runs.len()).collect();
    let Some(highest) = runs.iter().map(|r| r.level).max() else {
        return order;
    };
    let lowest_odd = runs
        .iter()
        .map(|r| r.level)
        .filter(|l| l % 2 == 1)
        .min()
        .unwrap_or(highest + 1);
    let mut level = highest;
    while level >= lowest_odd && level > 0 {
        let mut i = 0;
        while i < order.len() {
            if runs[order[i]].level >= level {
                let start = i;
                while i < order.len() && runs[order[i]].level >= level {
                    i += 1;
                }
                order[start..i].reverse();
            } else {
                i += 1;
            }
        }
        level -= 1;
    }
    order
}

/// The text a paragraph shows (its markup applied, upper-cased if the style
/// says so) and the stretches of it in another face than the style's, or in
/// a link; none when it has no markup (most texts).
pub(super) fn styled(text: &str, st: &Resolved) -> (String, Vec<Styled>) {
    let upper = |s: &str| {
        if st.uppercase {
            s.to_uppercase()
        } else {
            s.to_string()
        }
    };
    if !crate::markup::has_markup(text) {
        return (upper(text), Vec::new());
    }
    // A text with a mistake in its markup never gets here (the project's
    // checks stop it); set as written if one does.
    let Ok(pieces) = crate::markup::parse(text) else {
        return (upper(text), Vec::new());
    };
    let mut out = String::with_capacity(text.len());
    let mut styled = Vec::new();
    for p in pieces {
        match p {
            crate::markup::Piece::Text {
                text,
                emphasis,
                strong,
                link,
            } => {
                let from = out.len();
                out.push_str(&upper(&text));
                styled.push(Styled {
                    from,
                    to: out.len(),
                    face: st.face_of(emphasis, strong),
                    link,
                    level: 0,
                });
            }
            crate::markup::Piece::Break => out.push('\n'),
        }
    }
    if styled.iter().all(|s| s.face == st.face && s.link.is_none()) {
        styled.clear();
    }
    (out, styled)
}

/// Collapses runs of white space (YAML folding, pasted tabs) into single spaces,
/// keeping explicit line breaks.
pub(super) fn normalise(text: &str, uppercase: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.trim().split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&line.split_ascii_whitespace().collect::<Vec<_>>().join(" "));
    }
    if uppercase { out.to_uppercase() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(level: u8) -> Run {
        Run {
            from: 0,
            x: 0.0,
            level,
        }
    }

    #[test]
    fn runs_are_reordered_by_rule_l2() {
        // An Arabic sentence (level 1) holding a Latin name (level 2) and its
        // spaces: the Latin stays left to right, the rest reads from the right.
        let levels = [1, 1, 2, 2, 2, 1, 1];
        let runs: Vec<Run> = levels.iter().map(|&l| run(l)).collect();
        assert_eq!(display_order(&runs), vec![6, 5, 2, 3, 4, 1, 0]);
        // All left to right: as it is.
        let runs: Vec<Run> = [0, 0, 0].iter().map(|&l| run(l)).collect();
        assert_eq!(display_order(&runs), vec![0, 1, 2]);
        // Hebrew in an English line: only it turns.
        let runs: Vec<Run> = [0, 1, 1, 0].iter().map(|&l| run(l)).collect();
        assert_eq!(display_order(&runs), vec![0, 2, 1, 3]);
    }
}
