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
    shape_run(fonts, face, size, tracking, language, text, false)
}

/// [`shape`], right to left when `rtl` (glyphs in display order: the text's
/// end first, each cluster's text on its first glyph).
pub(super) fn shape_run(
    fonts: Fonts<'_>,
    face: FaceId,
    size: f32,
    tracking: f32,
    language: &str,
    text: &str,
    rtl: bool,
) -> Shaped {
    let f = fonts.book.face(face);
    let scale = size / f.units_per_em;
    let track = tracking * size / 1000.0;
    let shaped = f.shape(text, language, rtl, fonts.caches);
    let mut glyphs = Vec::with_capacity(shaped.len());
    let mut clusters = Vec::with_capacity(shaped.len());
    let mut pen = 0.0f32;
    for g in shaped.iter() {
        glyphs.push(Glyph {
            id: g.id,
            x: pen + g.x_offset as f32 * scale,
            text: GlyphText::default(),
        });
        clusters.push(g.cluster as usize);
        pen += g.x_advance as f32 * scale + track;
    }
    cluster_texts(text, &mut glyphs, &clusters, rtl);
    Shaped {
        glyphs,
        clusters,
        width: pen,
    }
}

/// Gives each glyph the text it stands for, for text extraction: a
/// cluster's text goes to its glyphs one character each where there are as
/// many of both (a base and its marks, in the text's order: right to left,
/// a cluster's glyphs come last first), and otherwise all to its first glyph
/// in the text's order (a ligature, a conjunct).
fn cluster_texts(text: &str, glyphs: &mut [Glyph], clusters: &[usize], rtl: bool) {
    let mut i = 0;
    while i < glyphs.len() {
        let start = clusters[i];
        let mut j = i + 1;
        while j < glyphs.len() && clusters[j] == start {
            j += 1;
        }
        // The cluster ends where the next one in text order starts.
        let end = if rtl {
            clusters
                .iter()
                .filter(|&&c| c > start)
                .min()
                .copied()
                .unwrap_or(text.len())
        } else {
            clusters.get(j).copied().unwrap_or(text.len())
        };
        let piece = text.get(start..end.max(start)).unwrap_or("");
        let cluster = &mut glyphs[i..j];
        if rtl {
            cluster.reverse();
        }
        if cluster.len() > 1 && piece.chars().count() == cluster.len() {
            let mut at = 0;
            for (g, c) in cluster.iter_mut().zip(piece.chars()) {
                g.text = piece[at..at + c.len_utf8()].into();
                at += c.len_utf8();
            }
        } else if let Some(first) = cluster.first_mut() {
            first.text = piece.into();
        }
        if rtl {
            cluster.reverse();
        }
        i = j;
    }
}

/// A word between two break opportunities (UAX #14), shaped whole so kerning
/// inside it survives, with where it may be split.
#[derive(Debug, Clone)]
pub(super) struct Word {
    pub(super) text: String,
    pub(super) shaped: Shaped,
    /// Glyph indices where fragments start (the first is 0), and the kind of
    /// split before each.
    pub(super) splits: Vec<(usize, Split)>,
    pub(super) space_after: bool,
    pub(super) hard_break: bool,
    /// A web address in the word: its glyphs `[from, to)` (trailing
    /// punctuation left out), the address a link opens, and the address as
    /// written.
    pub(super) link: Option<(usize, usize, String, String)>,
    /// Where the face changes inside the word (`*emphasis*`, `**strong**`):
    /// the first glyph of each stretch and its face; empty when the whole
    /// word is in the style's own face.
    pub(super) faces: Vec<(usize, FaceId)>,
    /// Where each shaped run of the word starts (its first glyph and the pen
    /// there) and its bidi level; empty when the paragraph is all left to
    /// right (level 0).
    pub(super) runs: Vec<(usize, f32, u8)>,
    /// The bidi level of the space after the word.
    pub(super) space_level: u8,
}

/// A stretch `[from, to)` of a paragraph's text (bytes) in one face, at one
/// bidi level (odd: right to left), and the address of the link it is part of.
#[derive(Debug, Clone)]
pub(super) struct Styled {
    pub(super) from: usize,
    pub(super) to: usize,
    pub(super) face: FaceId,
    pub(super) link: Option<String>,
    pub(super) level: u8,
}

/// The bidi level of the text at byte `at`.
fn level_at(styled: &[Styled], at: usize) -> u8 {
    styled
        .iter()
        .find(|s| s.from <= at && at < s.to)
        .map_or(0, |s| s.level)
}

/// What [`shape_styled`] gives: the word's glyphs, where its face changes,
/// its link (glyph range, address, the linked text), and its runs.
type StyledWord = (
    Shaped,
    Vec<(usize, FaceId)>,
    Option<(usize, usize, String, String)>,
    Vec<(usize, f32, u8)>,
);

/// `text` (from byte `at` of its paragraph) shaped in the faces `styled`
/// gives it: each stretch shaped on its own (kerning does not cross a
/// change of face or direction) and set after the one before (a line puts
/// them in display order once it is broken). With `bidi`, where each run
/// starts and its level.
fn shape_styled(
    fonts: Fonts<'_>,
    st: &Resolved,
    language: &str,
    text: &str,
    at: usize,
    styled: &[Styled],
    bidi: bool,
) -> StyledWord {
    let end = at + text.len();
    let mut out = Shaped {
        glyphs: Vec::new(),
        clusters: Vec::new(),
        width: 0.0,
    };
    let mut faces = Vec::new();
    let mut runs = Vec::new();
    let mut link: Option<(usize, usize, String, String)> = None;
    for s in styled.iter().filter(|s| s.to > at && s.from < end) {
        let (a, b) = (s.from.max(at) - at, s.to.min(end) - at);
        let rtl = s.level % 2 == 1;
        let part = shape_run(
            fonts,
            s.face,
            st.size,
            st.tracking,
            language,
            &text[a..b],
            rtl,
        );
        let first = out.glyphs.len();
        if bidi {
            runs.push((first, out.width, s.level));
        }
        if faces.last().map_or(st.face, |f: &(usize, FaceId)| f.1) != s.face {
            faces.push((first, s.face));
        }
        out.glyphs.extend(part.glyphs.into_iter().map(|g| Glyph {
            x: g.x + out.width,
            ..g
        }));
        out.clusters
            .extend(part.clusters.into_iter().map(|c| c + a));
        out.width += part.width;
        if let Some(uri) = &s.link {
            match &mut link {
                Some((_, to, u, written)) if u == uri => {
                    *to = out.glyphs.len();
                    written.push_str(&text[a..b]);
                }
                None => link = Some((first, out.glyphs.len(), uri.clone(), text[a..b].into())),
                Some(_) => {}
            }
        }
    }
    (out, faces, link, runs)
}

/// Where a word may be split, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Split {
    /// The word's start.
    Start,
    /// A hyphenation point: the first part takes a hyphen.
    Hyphen,
    /// Inside a web address, after `/`, `.`, `-`, `?`, `&`, `=`, `#` or `@`, with no
    /// hyphen added (a hyphen would read as part of the address).
    Address,
    /// Anywhere, for a piece wider than the measure.
    Emergency,
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

impl Word {
    /// The places inside fragment `k` where a justified line may open or
    /// close the space between letters: before each of its grapheme
    /// clusters but its first. None in a word whose letters join or combine
    /// (Arabic, Hebrew, the Indic scripts…), where spacing would tear them.
    pub(super) fn letter_gaps(&self, k: usize) -> usize {
        // Latin, Greek, Cyrillic and Armenian letters, their extensions,
        // punctuation and symbols: letters that stand apart.
        let apart = |c: char| c < '\u{0590}' || ('\u{1D00}'..='\u{2BFF}').contains(&c);
        if !self.text.chars().all(apart) {
            return 0;
        }
        let (g0, g1, ..) = self.fragment(k);
        (g0 + 1..g1)
            .filter(|&g| !self.shaped.glyphs[g].text.is_empty())
            .count()
    }
}

/// Splits text into words at UAX #14 break opportunities and shapes each. A
/// web address is one word, split only where an address may be (see
/// [`Split::Address`]), never inside its scheme.
pub(super) fn words(
    fonts: Fonts<'_>,
    st: &Resolved,
    language: &str,
    text: &str,
    styled: &[Styled],
) -> Vec<Word> {
    // Any text right to left: words keep their runs, for lines to reorder.
    let bidi = styled.iter().any(|s| s.level > 0);
    // (text, space after, hard break after) of each piece between opportunities.
    let mut pieces: Vec<(&str, bool, bool)> = Vec::new();
    let mut start = 0;
    for (end, kind) in unicode_linebreak::linebreaks(text) {
        let seg = &text[start..end];
        start = end;
        let trimmed = seg.trim_end();
        let space_after =
            trimmed.len() < seg.len() && seg[trimmed.len()..].contains([' ', '\u{a0}']);
        let hard_break = kind == unicode_linebreak::BreakOpportunity::Mandatory && end < text.len();
        if trimmed.is_empty() {
            if let Some(last) = pieces.last_mut() {
                last.2 |= hard_break;
            }
            continue;
        }
        pieces.push((trimmed, space_after, hard_break));
    }
    let mut out: Vec<Word> = Vec::new();
    let mut i = 0;
    while i < pieces.len() {
        // The pieces of a token: up to a space or a hard break.
        let mut j = i;
        while j + 1 < pieces.len() && !pieces[j].1 && !pieces[j].2 {
            j += 1;
        }
        // Only a token that starts like an address is put together and looked
        // at: words are set on every try at a panel's depth.
        let token: Option<String> =
            starts_address(pieces[i].0).then(|| pieces[i..=j].iter().map(|p| p.0).collect());
        match token.as_deref().and_then(address) {
            Some((from, to, uri)) => {
                let token = token.unwrap_or_default();
                // An address is set in the face its start is in.
                let at = pieces[i].0.as_ptr() as usize - text.as_ptr() as usize;
                let face = styled
                    .iter()
                    .find(|s| s.from <= at && at < s.to)
                    .map_or(st.face, |s| s.face);
                // An address reads left to right wherever it stands.
                let shaped = shape(fonts, face, st.size, st.tracking, language, &token);
                let level = level_at(styled, at);
                let glyph_at = |byte: usize| {
                    shaped
                        .clusters
                        .iter()
                        .position(|&c| c >= byte)
                        .unwrap_or(shaped.glyphs.len())
                };
                // After the scheme (or a leading `www.`), at an address's own
                // punctuation, unless more of it follows.
                let breaks_after =
                    |c: char| matches!(c, '/' | '.' | '-' | '?' | '&' | '=' | '#' | '@');
                let mut splits = vec![(0, Split::Start)];
                let scheme_end = from + scheme_len(&token[from..]);
                let mut chars = token[..to].char_indices().peekable();
                while let Some((_, c)) = chars.next() {
                    let next = chars.peek().map(|&(i, n)| (i, breaks_after(n)));
                    if let Some((after, false)) = next
                        && breaks_after(c)
                        && after > scheme_end
                    {
                        splits.push((glyph_at(after), Split::Address));
                    }
                }
                splits.dedup_by_key(|s| s.0);
                let link = Some((
                    glyph_at(from),
                    glyph_at(to),
                    uri,
                    token[from..to].to_string(),
                ));
                let end = at + token.len();
                out.push(Word {
                    text: token,
                    shaped,
                    splits,
                    space_after: pieces[j].1,
                    hard_break: pieces[j].2,
                    link,
                    faces: if face == st.face {
                        Vec::new()
                    } else {
                        vec![(0, face)]
                    },
                    runs: if bidi {
                        vec![(0, 0.0, level + level % 2)]
                    } else {
                        Vec::new()
                    },
                    space_level: level_at(styled, end),
                });
                i = j + 1;
            }
            None => {
                let (piece, space_after, hard_break) = pieces[i];
                // Pieces are slices of `text`: their place in it, by address.
                let at = piece.as_ptr() as usize - text.as_ptr() as usize;
                let (shaped, faces, link, runs) = if styled.is_empty() {
                    let shaped = shape(fonts, st.face, st.size, st.tracking, language, piece);
                    (shaped, Vec::new(), None, Vec::new())
                } else {
                    shape_styled(fonts, st, language, piece, at, styled, bidi)
                };
                out.push(Word {
                    text: piece.to_string(),
                    shaped,
                    splits: vec![(0, Split::Start)],
                    space_after,
                    hard_break,
                    link,
                    faces,
                    runs,
                    space_level: level_at(styled, at + piece.len()),
                });
                i += 1;
            }
        }
    }
    out
}

/// Whether `piece` may begin a web address: after any opening bracket or
/// quote, `http` or `www.`.
fn starts_address(piece: &str) -> bool {
    piece
        .find(|c: char| c.is_alphanumeric())
        .and_then(|from| piece.get(from..from + 4))
        .is_some_and(|s| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("www."))
        || piece.contains('@')
}

/// Whether `s` is an e-mail address (`name@example.org`).
fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "._%+-".contains(c))
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || ".-".contains(c))
}

/// The web address in `token`, if it is one (`https://…`, `http://…` or
/// `www.…`, after any opening bracket or quote): its byte range without
/// trailing punctuation, and the address a link opens.
pub(super) fn address(token: &str) -> Option<(usize, usize, String)> {
    let from = token.find(|c: char| c.is_alphanumeric())?;
    let rest = &token[from..];
    let lower = rest.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("www."))
    {
        // An e-mail address opens a message to it.
        let trimmed =
            rest.trim_end_matches(['.', ',', ';', ':', ')', '!', '?', '”', '’', '"', '\'']);
        return is_email(trimmed)
            .then(|| (from, from + trimmed.len(), format!("mailto:{trimmed}")));
    }
    let trimmed = rest.trim_end_matches(['.', ',', ';', ':', ')', '!', '?', '”', '’', '"', '\'']);
    if trimmed.len() <= scheme_len(trimmed) {
        return None;
    }
    let to = from + trimmed.len();
    let uri = if lower.starts_with("www.") {
        format!("https://{trimmed}")
    } else {
        trimmed.to_string()
    };
    Some((from, to, uri))
}

/// How long the start of an address that is never broken is: its scheme
/// (`https://`), or a leading `www.`.
fn scheme_len(address: &str) -> usize {
    match address.find("://") {
        Some(i) => i + 3,
        None => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::address;

    #[test]
    fn an_address_is_found_without_its_trailing_punctuation() {
        let t = "(https://www.example.org/a-b?c=d).";
        let (from, to, uri) = address(t).unwrap();
        assert_eq!(&t[from..to], "https://www.example.org/a-b?c=d");
        assert_eq!(uri, "https://www.example.org/a-b?c=d");
        assert_eq!(
            address("www.example.org,").unwrap().2,
            "https://www.example.org"
        );
        assert!(address("https://").is_none());
        assert!(address("example.org").is_none());
        assert_eq!(super::scheme_len("https://www.x.org"), 8);
        assert_eq!(super::scheme_len("http://x.org"), 7);
        assert_eq!(super::scheme_len("www.x.org"), 4);
        let t = "(info@example.org).";
        let (from, to, uri) = address(t).unwrap();
        assert_eq!(&t[from..to], "info@example.org");
        assert_eq!(uri, "mailto:info@example.org");
        assert!(address("a@b").is_none());
        assert!(address("@handle").is_none());
    }
}
