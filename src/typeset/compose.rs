//! Composition: a paragraph becomes boxes, glue and penalties (words,
//! hyphenation points, spaces), is broken into lines by total fit (or first
//! fit), and each line is built from its words' glyphs.

use super::breaking::{self, Item};
use super::hyphenate;
use super::runs::{self, Run};
use super::shape::{Fonts, Split, shape, words};
use super::style::Resolved;
use crate::fonts::FaceId;
use crate::layout::Align;
use crate::pages::Glyph;

/// One set line before placement.
#[derive(Debug, Clone)]
pub(super) struct Line {
    pub(super) glyphs: std::sync::Arc<[Glyph]>,
    pub(super) width: f32,
    /// Glyph ranges whose text, for extraction and screen readers, is not what
    /// they show: a hyphenated word reads whole where it starts and empty where it ends.
    pub(super) actual: Vec<(usize, usize, String)>,
    /// Glyph ranges `[from, to)` that are (part of) a web address, and the whole address.
    pub(super) links: Vec<(usize, usize, String)>,
    /// Where the face changes along the line (`*emphasis*`, `**strong**`):
    /// the first glyph of each stretch and its face; empty when the whole
    /// line is in the style's face.
    pub(super) faces: Vec<(usize, FaceId)>,
}

/// Notes that the glyphs from `at` on are in `face`, if that is a change.
fn face_from(faces: &mut Vec<(usize, FaceId)>, at: usize, face: FaceId, base: FaceId) {
    if faces.last().map_or(base, |f| f.1) != face {
        faces.push((at, face));
    }
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
pub(super) enum Elem {
    Frag { word: usize, k: usize },
    Space,
    Split { word: usize },
    Other,
}

/// A paragraph broken into lines, with each line's adjustment ratio.
#[derive(Clone)]
pub struct Composed {
    pub(super) lines: Vec<Line>,
    pub(super) breaks: Vec<breaking::Break>,
    /// Words left alone on a justified line (they cannot be spread to the measure).
    pub(super) lone_words: Vec<String>,
    /// Justified lines whose word spaces had to open past the style's
    /// maximum (nothing better was possible): the line's text and its word
    /// space, in multiples of the font's space.
    pub(super) loose_lines: Vec<(String, f32)>,
    /// Fallback families whose regular face stood in for the style's bold
    /// or italic.
    pub(super) stand_ins: Vec<String>,
    /// How many words are cut where they have no break, being wider than the
    /// measure.
    pub(super) cut_words: usize,
}

impl Composed {
    /// Words cut where they have no break, and justified lines looser than
    /// the style allows: what makes a size no fit for `fit: fill`.
    pub(super) fn flaws(&self) -> usize {
        self.cut_words + self.loose_lines.len()
    }
}

/// Breaks a paragraph into lines no wider than `width`.
pub(super) fn compose(
    fonts: Fonts<'_>,
    st: &Resolved,
    language: &str,
    text: &str,
    width: f32,
    composer: Composer,
) -> Composed {
    let (text, styled) = runs::styled(&runs::normalise(text, false), st);
    let (styled, stand_ins) = runs::split(fonts.book, st, &text, styled);
    let bidi = styled.iter().any(|s| s.level > 0);
    let mut words = words(fonts, st, language, &text, &styled);
    let space = shape(fonts, st.face, st.size, 0.0, language, " ");
    let (space_glyph, space_w) = (space.glyphs.into_iter().next(), space.width);
    let hyphen = shape(fonts, st.face, st.size, st.tracking, language, "-");
    let dict = if st.hyphenate && !st.uppercase {
        hyphenate::dictionary(language, fonts.caches)
    } else {
        None
    };

    let mut cut_words = 0;
    // Where each word may split: hyphenation points, then emergency splits for
    // any piece still wider than the measure (never outside the panel).
    for w in &mut words {
        if let Some(d) = &dict {
            for b in hyphenate::points(d, &w.text, &st.hyphen_rules, fonts.caches) {
                if let Some(g) = w.shaped.clusters.iter().position(|&c| c >= b)
                    && g > 0
                {
                    w.splits.push((g, Split::Hyphen));
                }
            }
            w.splits.dedup_by_key(|s| s.0);
        }
        let mut k = 0;
        while k < w.splits.len() {
            let (g0, g1, x0, fw) = w.fragment(k);
            // A piece that ends where the word is hyphenated carries the hyphen too.
            let hyphen_after = w.splits.get(k + 1).is_some_and(|s| s.1 == Split::Hyphen);
            let needs = fw + if hyphen_after { hyphen.width } else { 0.0 };
            if needs > width && g1 - g0 > 1 {
                let cut = (g0 + 1..g1)
                    .rev()
                    .find(|&g| {
                        w.shaped.glyphs[g].x - x0 <= width && !w.shaped.glyphs[g].text.is_empty()
                    })
                    .unwrap_or(g0 + 1);
                w.splits.insert(k + 1, (cut, Split::Emergency));
                cut_words += 1;
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
    // Letters open or close only on a justified line, only as far as its
    // style allows (1/1000 em), and never in a line of mixed direction,
    // whose runs are placed by their pens.
    let [close, open] = if justify && !bidi {
        let [least, most] = st.letter_spacing;
        [(-least).max(0.0), most.max(0.0)].map(|l| l / 1000.0 * st.size)
    } else {
        [0.0; 2]
    };
    let mut items = Vec::new();
    let mut elems = Vec::new();
    let finish = |items: &mut Vec<Item>, elems: &mut Vec<Elem>| {
        breaking::finish_paragraph(items);
        elems.extend([Elem::Other, Elem::Other, Elem::Other]);
    };
    for (wi, w) in words.iter().enumerate() {
        for k in 0..w.splits.len() {
            if k > 0 {
                let hyphenated = w.splits[k].1 == Split::Hyphen;
                items.push(Item::Penalty {
                    width: if hyphenated { hyphen.width } else { 0.0 },
                    cost: match w.splits[k].1 {
                        Split::Hyphen if justify => 20.0,
                        // Ragged text hyphenates only when it must: a hyphen
                        // outweighs any line that ends within the rag limit
                        // (squared, 9e6 demerits against at most 1.2e4), so
                        // it is taken only where every unhyphenated choice
                        // leaves a line shorter than the limit allows.
                        Split::Hyphen => 3000.0,
                        // An address is broken only where that pays.
                        Split::Address => 50.0,
                        Split::Start | Split::Emergency => 0.0,
                    },
                    flagged: hyphenated,
                });
                elems.push(Elem::Split { word: wi });
            }
            let (_, _, _, fw) = w.fragment(k);
            let gaps = if open + close > 0.0 {
                w.letter_gaps(k) as f32
            } else {
                0.0
            };
            items.push(Item::Box {
                width: fw,
                stretch: gaps * open,
                shrink: gaps * close,
            });
            elems.push(Elem::Frag { word: wi, k });
        }
        if wi + 1 == words.len() || w.hard_break {
            finish(&mut items, &mut elems);
        } else if w.space_after {
            items.push(Item::Glue {
                width: space_nat,
                stretch,
                shrink,
            });
            elems.push(Elem::Space);
        } else {
            // A break after a hyphen or slash inside a compound: no space to add.
            let after_hyphen = w.text.ends_with(['-', '\u{2010}', '\u{2013}']);
            items.push(Item::Penalty {
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
            loose_lines: Vec::new(),
            stand_ins,
            cut_words,
        };
    }
    let params = breaking::Params {
        width,
        justify,
        max_ratio: 1.0,
        // A ragged line may fall short by the style's rag limit (15% of the
        // measure by default), more only if it must.
        rag: st.rag * width,
        // A lone word on a justified line looks as bad as word spaces opened
        // to three times the space.
        lone_ratio: (3.0 - natural) / (max - natural).max(0.01),
        // Never two hyphenated lines in a row in ragged text.
        max_hyphen_run: if justify {
            st.hyphen_rules.max_in_a_row
        } else {
            st.hyphen_rules.max_in_a_row.min(1)
        },
    };
    let breaks = match composer {
        Composer::TotalFit => breaking::total_fit(&items, &params),
        Composer::FirstFit => breaking::first_fit(&items, &params),
    };

    // Build the lines from the chosen breaks.
    let mut lines = Vec::new();
    let mut lone_words = Vec::new();
    let mut loose_lines = Vec::new();
    let mut from = 0;
    // A word split over lines whose start has been given its whole text already.
    let mut continued: Option<usize> = None;
    // A compound broken after its own hyphen ("discipline-" / "specific"):
    // the line ending in the hyphen reads as the whole compound, and its
    // rest, at the start of the next line, as nothing; text extraction would
    // take a hyphen at a line's end for a hyphenation and drop it.
    let mut compound_continued = false;
    for br in &breaks {
        let stretchy = justify
            && br.ratio.is_finite()
            && !matches!(items[br.at], Item::Penalty { cost, .. } if cost <= breaking::FORCED && from < br.at && matches!(items[br.at - 1], Item::Glue { stretch, .. } if stretch > 1e6));
        let r = if stretchy { br.ratio } else { 0.0 };
        let (r, letter) = breaking::words_then_letters(&items[from..br.at], r);
        let letter = if letter >= 0.0 {
            letter * open
        } else {
            letter * close
        };
        let mut glyphs: Vec<Glyph> = Vec::new();
        let mut actual = Vec::new();
        let mut links: Vec<(usize, usize, String)> = Vec::new();
        let mut faces: Vec<(usize, FaceId)> = Vec::new();
        let mut x = 0.0f32;
        let mut first_box = true;
        let mut span_start: Option<(usize, usize)> = None; // (word, first glyph index on the line)
        let mut boxes = 0;
        // The word being laid and its first glyph on the line.
        let mut last_word: Option<(usize, usize)> = None;
        let mut compound_rest = compound_continued.then_some(0);
        // With right-to-left text: the line's runs, to show in bidi order.
        let mut line_runs: Vec<Run> = Vec::new();
        for i in from..br.at {
            match (items[i], elems[i]) {
                (
                    Item::Box {
                        stretch, shrink, ..
                    },
                    Elem::Frag { word, k },
                ) => {
                    let w = &words[word];
                    let (g0, g1, x0, fw) = w.fragment(k);
                    if last_word.is_none_or(|(lw, _)| lw != word) {
                        last_word = Some((word, glyphs.len()));
                    }
                    if first_box && continued == Some(word) {
                        span_start = Some((word, glyphs.len()));
                    }
                    if span_start.is_some_and(|(sw, _)| sw != word) {
                        // The carried-over end of a hyphenated word reads as nothing.
                        let (_, s) = span_start.take().unwrap_or_default();
                        actual.push((s, glyphs.len(), String::new()));
                    }
                    // The part of a web address on this line links to all of it.
                    if let Some((l0, l1, uri, written)) = &w.link {
                        let (a, b) = (g0.max(*l0), g1.min(*l1));
                        if a < b {
                            let (la, lb) = (glyphs.len() + a - g0, glyphs.len() + b - g0);
                            // One link across the words of its text (and
                            // the spaces between them).
                            let joins = |last: &(usize, usize, String)| {
                                last.2 == *uri
                                    && (last.1 == la
                                        || (last.1 + 1 == la
                                            && glyphs
                                                .get(last.1)
                                                .is_some_and(|g| g.text.as_str() == " ")))
                            };
                            match links.last_mut() {
                                Some(last) if joins(last) => last.1 = lb,
                                _ => links.push((la, lb, uri.clone())),
                            }
                            // An address broken over lines reads whole where
                            // it starts and as nothing where it goes on (text
                            // extraction would take a `-` at a line's end for
                            // a hyphen, and drop it).
                            if (a, b) != (*l0, *l1) {
                                let text = if a == *l0 {
                                    written.clone()
                                } else {
                                    String::new()
                                };
                                match actual.last_mut() {
                                    Some(last) if last.1 == la && a != *l0 => last.1 = lb,
                                    _ => actual.push((la, lb, text)),
                                }
                            }
                        }
                    }
                    if !w.faces.is_empty() || !faces.is_empty() {
                        // The face at the fragment's start, then its changes.
                        let at_start = w.faces.iter().take_while(|f| f.0 <= g0).last();
                        let first = at_start.map_or(st.face, |f| f.1);
                        face_from(&mut faces, glyphs.len(), first, st.face);
                        for &(g, f) in w.faces.iter().filter(|f| f.0 > g0 && f.0 < g1) {
                            face_from(&mut faces, glyphs.len() + g - g0, f, st.face);
                        }
                    }
                    if bidi {
                        // The runs of the word on this line, or where a
                        // fragment starts inside one.
                        let inside = w.runs.iter().rev().find(|r| r.0 <= g0);
                        for r in inside
                            .into_iter()
                            .chain(w.runs.iter().filter(|r| r.0 > g0 && r.0 < g1))
                        {
                            let (g, pen) = if r.0 <= g0 { (g0, x0) } else { (r.0, r.1) };
                            line_runs.push(Run {
                                from: glyphs.len() + g - g0,
                                x: pen - x0 + x,
                                level: r.2,
                            });
                        }
                    }
                    // Each grapheme cluster after the first moves on by what
                    // the letters opened before it.
                    let mut opened = 0.0;
                    // Only where the paragraph gave its letters room.
                    let spaced = (letter > 0.0 && stretch > 0.0) || (letter < 0.0 && shrink > 0.0);
                    glyphs.extend(w.shaped.glyphs[g0..g1].iter().enumerate().map(|(i, g)| {
                        if spaced && i > 0 && !g.text.is_empty() {
                            opened += letter;
                        }
                        Glyph {
                            id: g.id,
                            x: g.x - x0 + x + opened,
                            text: g.text.clone(),
                        }
                    }));
                    x += fw + opened;
                    first_box = false;
                    boxes += 1;
                }
                (
                    Item::Glue {
                        width,
                        stretch,
                        shrink,
                    },
                    Elem::Space,
                ) if !first_box => {
                    if let Some((_, s)) = span_start.take() {
                        actual.push((s, glyphs.len(), String::new()));
                    }
                    if let Some(s) = compound_rest.take() {
                        actual.push((s, glyphs.len(), String::new()));
                    }
                    if bidi && let Some((word, _)) = last_word {
                        line_runs.push(Run {
                            from: glyphs.len(),
                            x,
                            level: words[word].space_level,
                        });
                    }
                    if let Some(sg) = &space_glyph {
                        // A space between words in a fallback face is set in
                        // that face's space, so the line stays one run.
                        let face = faces.last().map_or(st.face, |f| f.1);
                        let id = if face == st.face {
                            sg.id
                        } else {
                            fonts
                                .book
                                .face(face)
                                .shaper()
                                .glyph_index(' ')
                                .map_or(sg.id, |g| g.0)
                        };
                        glyphs.push(Glyph {
                            id,
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
        // The line ends inside a compound, after its own hyphen.
        let compound_break = last_word.filter(|&(lw, _)| {
            let w = &words[lw];
            matches!(elems[br.at], Elem::Other)
                && lw + 1 < words.len()
                && !w.space_after
                && !w.hard_break
                && w.link.is_none()
                && w.text.ends_with(['-', '\u{2010}'])
        });
        match (compound_rest.take(), compound_break) {
            // The whole line is the middle of a compound begun above.
            (Some(s), Some(_)) => actual.push((s, glyphs.len(), String::new())),
            (Some(s), None) => actual.push((s, glyphs.len(), String::new())),
            // The compound's first word began on a line above (cut there)
            // and was read whole there: its piece here reads as the rest of
            // the compound, whose own glyphs follow as nothing.
            (None, Some((lw, g))) if continued == Some(lw) => {
                if let Some(piece) = actual.iter_mut().find(|a| a.0 == g) {
                    piece.2 = compound(&words[lw + 1..]);
                }
            }
            (None, Some((lw, g))) => actual.push((g, glyphs.len(), compound(&words[lw..]))),
            (None, None) => {}
        }
        compound_continued = compound_break.is_some();
        // A word broken at the line's end, at a hyphen or (too wide for the
        // measure) anywhere: its first part reads as the whole word, and
        // what follows on the next lines as nothing. An address has its own
        // (its link's) text.
        continued = None;
        if let (Item::Penalty { width: hw, .. }, Elem::Split { word }) =
            (items[br.at], elems[br.at])
            && (hw > 0.0 || words[word].link.is_none())
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
            if hw > 0.0 {
                let hg = hyphen.glyphs.first().map(|g| g.id).unwrap_or(0);
                if let Some(last) = line_runs.last().copied() {
                    line_runs.push(Run {
                        from: glyphs.len(),
                        x,
                        ..last
                    });
                }
                if !faces.is_empty() {
                    face_from(&mut faces, glyphs.len(), st.face, st.face);
                }
                glyphs.push(Glyph {
                    id: hg,
                    x,
                    text: "-".into(),
                });
                x += hw;
            }
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
        if r > 1.0 + 1e-3 {
            // The words in reading order (glyphs of a right-to-left run
            // come in display order).
            let mut line_words: Vec<&str> = Vec::new();
            for e in &elems[from..br.at] {
                if let Elem::Frag { word, .. } = *e
                    && line_words.last() != Some(&words[word].text.as_str())
                {
                    line_words.push(&words[word].text);
                }
            }
            loose_lines.push((line_words.join(" "), natural + (max - natural) * r));
        }
        if line_runs.iter().any(|r| r.level > 0) {
            runs::reorder(
                &mut glyphs,
                x,
                &line_runs,
                st.face,
                &mut faces,
                &mut links,
                &mut actual,
            );
        }
        lines.push(Line {
            glyphs: glyphs.into(),
            width: x,
            actual,
            links,
            faces,
        });
        // The next line starts after the break and any glue or penalties there.
        from = br.at + 1;
        while from < items.len() && !matches!(items[from], Item::Box { .. }) {
            if matches!(items[from], Item::Penalty { cost, .. } if cost <= breaking::FORCED) {
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
        loose_lines,
        stand_ins,
        cut_words,
    }
}

/// The text of the first of `words` and of those joined to it without a
/// space (a compound broken after its hyphen): what it reads as whole.
fn compound(words: &[super::shape::Word]) -> String {
    let mut whole = String::new();
    for w in words {
        whole.push_str(&w.text);
        if w.space_after || w.hard_break {
            break;
        }
    }
    whole
}
