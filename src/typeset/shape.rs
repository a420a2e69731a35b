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
}

/// A stretch `[from, to)` of a paragraph's text (bytes) in one face, and the
/// address of the link it is part of.
#[derive(Debug, Clone)]
pub(super) struct Styled {
    pub(super) from: usize,
    pub(super) to: usize,
    pub(super) face: FaceId,
    pub(super) link: Option<String>,
}

/// `text` (from byte `at` of its paragraph) shaped in the faces `styled`
/// gives it: each stretch shaped on its own (kerning does not cross a
/// change of face) and set after the one before. The faces and the link
/// (glyph range, address, the linked text) come with it.
#[allow(clippy::type_complexity)]
fn shape_styled(
    fonts: Fonts<'_>,
    st: &Resolved,
    language: &str,
    text: &str,
    at: usize,
    styled: &[Styled],
) -> (
    Shaped,
    Vec<(usize, FaceId)>,
    Option<(usize, usize, String, String)>,
) {
    let end = at + text.len();
    let mut out = Shaped {
        glyphs: Vec::new(),
        clusters: Vec::new(),
        width: 0.0,
    };
    let mut faces = Vec::new();
    let mut link: Option<(usize, usize, String, String)> = None;
    for s in styled.iter().filter(|s| s.to > at && s.from < end) {
        let (a, b) = (s.from.max(at) - at, s.to.min(end) - at);
        let part = shape(fonts, s.face, st.size, st.tracking, language, &text[a..b]);
        let first = out.glyphs.len();
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
    (out, faces, link)
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
                let shaped = shape(fonts, face, st.size, st.tracking, language, &token);
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
                });
                i = j + 1;
            }
            None => {
                let (piece, space_after, hard_break) = pieces[i];
                // Pieces are slices of `text`: their place in it, by address.
                let at = piece.as_ptr() as usize - text.as_ptr() as usize;
                let (shaped, faces, link) = if styled.is_empty() {
                    let shaped = shape(fonts, st.face, st.size, st.tracking, language, piece);
                    (shaped, Vec::new(), None)
                } else {
                    shape_styled(fonts, st, language, piece, at, styled)
                };
                out.push(Word {
                    text: piece.to_string(),
                    shaped,
                    splits: vec![(0, Split::Start)],
                    space_after,
                    hard_break,
                    link,
                    faces,
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
