//! Paragraph composition: choosing where lines break. `total_fit` is the
//! Knuth–Plass algorithm (optimal over the whole paragraph); `first_fit` fills
//! each line greedily, kept for comparison. Both work on an abstract list of
//! boxes, glue and penalties, so they know nothing of fonts.

/// One element of a paragraph, in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Item {
    /// A word or a word fragment; on a justified line the space between its
    /// letters may open by up to `stretch` in all or close by `shrink`.
    Box {
        width: f32,
        stretch: f32,
        shrink: f32,
    },
    /// A space: natural width, and how far it may stretch or shrink.
    Glue {
        width: f32,
        stretch: f32,
        shrink: f32,
    },
    /// A possible break with a cost; `width` is added when the line breaks here
    /// (a hyphen). `flagged` marks hyphen breaks, of which only so many may follow
    /// each other.
    Penalty {
        width: f32,
        cost: f32,
        flagged: bool,
    },
}

/// A break cost that forces a break.
pub const FORCED: f32 = -10_000.0;
/// A break cost that forbids a break.
pub const NEVER: f32 = 10_000.0;

#[derive(Debug, Clone, Copy)]
pub struct Params {
    pub width: f32,
    /// Justified: lines stretch or shrink their glue. Otherwise the glue keeps its
    /// natural width and the line end is ragged.
    pub justify: bool,
    /// Largest adjustment ratio accepted for a line with glue (1.0 = the style's
    /// maximum word space).
    pub max_ratio: f32,
    /// For ragged lines: the slack that counts as a ratio of 1.
    pub rag: f32,
    /// A justified line holding one word (nothing to stretch) weighs as much
    /// as a line stretched this far.
    pub lone_ratio: f32,
    /// At most this many hyphenated (flagged) line ends in a row.
    pub max_hyphen_run: usize,
}

/// Where a line ends and how much its glue was adjusted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Break {
    /// Index of the item the line breaks at (glue or penalty).
    pub at: usize,
    /// Adjustment ratio: > 0 stretched, < 0 shrunk, in units of the glue's
    /// stretch or shrink (for ragged lines, of `rag`). Infinite for a line with
    /// nothing to stretch that is short of the measure.
    pub ratio: f32,
    /// Whether the line's glue was stretched past `max_ratio` because the line has
    /// no glue to share it (a single word on a justified line).
    pub overfull_stretch: bool,
}

const LINE_PENALTY: f32 = 10.0;
const DOUBLE_HYPHEN_DEMERITS: f32 = 3000.0;
const FITNESS_DEMERITS: f32 = 100.0;

#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    width: f32,
    stretch: f32,
    shrink: f32,
    /// What the letters of the boxes give, kept apart from the glue's: a
    /// line with no glue is a lone word, however far its letters open.
    letters_stretch: f32,
    letters_shrink: f32,
}

impl Sums {
    /// Counts a box's or a glue's width, stretch and shrink.
    fn add(&mut self, it: &Item) {
        match *it {
            Item::Box {
                width,
                stretch,
                shrink,
            } => {
                self.width += width;
                self.letters_stretch += stretch;
                self.letters_shrink += shrink;
            }
            Item::Glue {
                width,
                stretch,
                shrink,
            } => {
                self.width += width;
                self.stretch += stretch;
                self.shrink += shrink;
            }
            Item::Penalty { .. } => {}
        }
    }
}

/// Ends a paragraph the way its last line must end: a place it may not break,
/// glue that fills the rest of the line (so the last line is not stretched),
/// and a forced break.
pub fn finish_paragraph(items: &mut Vec<Item>) {
    items.push(Item::Penalty {
        width: 0.0,
        cost: NEVER,
        flagged: false,
    });
    items.push(Item::Glue {
        width: 0.0,
        stretch: 1e9,
        shrink: 0.0,
    });
    items.push(Item::Penalty {
        width: 0.0,
        cost: FORCED,
        flagged: false,
    });
}

#[derive(Debug, Clone)]
struct Node {
    at: usize,
    line: usize,
    fitness: u8,
    hyphen_run: usize,
    total: Sums,
    demerits: f32,
    ratio: f32,
    prev: Option<usize>,
}

impl Node {
    /// The paragraph's start, before its first line.
    fn start() -> Node {
        Node {
            at: 0,
            line: 0,
            fitness: 1,
            hyphen_run: 0,
            total: Sums::default(),
            demerits: 0.0,
            ratio: 0.0,
            prev: None,
        }
    }
}

fn is_break(items: &[Item], i: usize) -> Option<f32> {
    match items[i] {
        Item::Penalty { cost, .. } if cost < NEVER => Some(cost),
        Item::Glue { .. } if i > 0 && matches!(items[i - 1], Item::Box { .. }) => Some(0.0),
        _ => None,
    }
}

/// The adjustment ratio of a line from node `a` to break `b`.
fn ratio(items: &[Item], p: &Params, sums: &[Sums], a: &Node, b: usize) -> (f32, bool) {
    let s = sums[b];
    let mut width = s.width - a.total.width;
    let stretch = s.stretch - a.total.stretch;
    let shrink = s.shrink - a.total.shrink;
    let letters_stretch = s.letters_stretch - a.total.letters_stretch;
    let letters_shrink = s.letters_shrink - a.total.letters_shrink;
    if let Item::Penalty { width: w, .. } = items[b] {
        width += w;
    }
    let slack = p.width - width;
    if !p.justify {
        // Ragged: nothing stretches, the slack is the measure of the line. The
        // last line (finishing glue) is always fine.
        return if slack < -0.01 {
            (-f32::INFINITY, false)
        } else if stretch > 1e6 {
            (0.0, false)
        } else {
            (slack / p.rag, false)
        };
    }
    if slack >= 0.0 {
        if stretch > 0.0 {
            (slack / (stretch + letters_stretch), false)
        } else if slack < 0.01 {
            (0.0, false)
        } else {
            // Nothing to stretch: a lone word.
            (f32::INFINITY, true)
        }
    } else if shrink + letters_shrink > 0.0 {
        (slack / (shrink + letters_shrink), false)
    } else {
        (-f32::INFINITY, false)
    }
}

fn fitness(r: f32) -> u8 {
    if r < -0.5 {
        0
    } else if r <= 0.5 {
        1
    } else if r <= 1.0 {
        2
    } else {
        3
    }
}

fn running_sums(items: &[Item]) -> Vec<Sums> {
    // sums[i] = totals of items before i, counting glue only.
    let mut out = Vec::with_capacity(items.len() + 1);
    let mut s = Sums::default();
    for it in items {
        out.push(s);
        s.add(it);
    }
    out.push(s);
    out
}

/// The totals just after a break at `b`: glue and penalties there are dropped.
fn after_break(items: &[Item], sums: &[Sums], b: usize) -> Sums {
    let mut s = sums[b];
    for it in &items[b..] {
        match *it {
            Item::Box { .. } => break,
            Item::Glue { .. } => s.add(it),
            Item::Penalty { cost, .. } if cost <= FORCED && !std::ptr::eq(it, &items[b]) => break,
            Item::Penalty { .. } => {}
        }
    }
    s
}

/// Knuth–Plass: the breaks that minimise the paragraph's total demerits. Lines
/// whose glue would stretch past `max_ratio` are refused, and so are lines
/// that hold no glue at all (a single word, flagged in the result). If no
/// breaking fits those rules, they are relaxed rather than failing.
pub fn total_fit(items: &[Item], p: &Params) -> Vec<Break> {
    // First within the style's bounds and with no lone words; then anything
    // that fits, lines looser than the bounds and lone words (each reported)
    // weighed by their badness.
    total_fit_with(items, p, p.max_ratio, false)
        .or_else(|| total_fit_with(items, p, f32::INFINITY, true))
        .unwrap_or_else(|| first_fit(items, p))
}

fn total_fit_with(
    items: &[Item],
    p: &Params,
    max_ratio: f32,
    allow_lone: bool,
) -> Option<Vec<Break>> {
    let sums = running_sums(items);
    let mut nodes: Vec<Node> = vec![Node::start()];
    let mut active: Vec<usize> = vec![0];
    for b in 0..items.len() {
        let Some(cost) = is_break(items, b) else {
            continue;
        };
        let flagged = matches!(items[b], Item::Penalty { flagged: true, .. });
        let forced = cost <= FORCED;
        // Best new node per (fitness class, hyphen run).
        let mut best: Vec<(u8, usize, f32, usize, f32)> = Vec::new();
        let mut keep = Vec::with_capacity(active.len());
        for &ai in &active {
            let a = &nodes[ai];
            let (r, lone) = ratio(items, p, &sums, a, b);

            let too_tight = r < -1.0;
            if too_tight || forced {
                // This node can never start a line that reaches past here.
            } else {
                keep.push(ai);
            }
            if too_tight {
                continue;
            }
            let feasible = if lone { allow_lone } else { r <= max_ratio };
            if !feasible {
                continue;
            }
            if flagged && a.hyphen_run >= p.max_hyphen_run {
                continue;
            }
            // Ragged text never hyphenates a paragraph's first line.
            if !p.justify
                && a.line == 0
                && matches!(items[b], Item::Penalty { width, flagged: true, .. } if width > 0.0)
            {
                continue;
            }
            // Badness grows with the cube of the stretch, without the cap
            // TeX puts on it: past the bounds (when nothing within them
            // works) a line twice as loose must cost more, or the loosest
            // would cost no more than one just past the limit. A lone word
            // that cannot fill its line counts as a line stretched to
            // `lone_ratio`.
            let badness = if lone || !r.is_finite() {
                100.0 * p.lone_ratio.powi(3)
            } else {
                100.0 * r.abs().powi(3)
            };
            let mut d = (LINE_PENALTY + badness).powi(2);
            if cost > 0.0 {
                d += cost * cost;
            } else if cost > FORCED {
                d -= cost * cost;
            }
            let a_flagged =
                matches!(items.get(a.at), Some(Item::Penalty { flagged: true, .. })) && a.at > 0;
            if flagged && a_flagged {
                d += DOUBLE_HYPHEN_DEMERITS;
            }
            let fit = fitness(if r.is_finite() { r } else { 2.0 });
            if fit.abs_diff(a.fitness) > 1 {
                d += FITNESS_DEMERITS;
            }
            let total = a.demerits + d;
            let run = if flagged { a.hyphen_run + 1 } else { 0 };
            match best.iter_mut().find(|(f, h, ..)| *f == fit && *h == run) {
                Some(slot) if slot.2 <= total => {}
                Some(slot) => *slot = (fit, run, total, ai, r),
                None => best.push((fit, run, total, ai, r)),
            }
        }
        active = keep;
        let total = after_break(items, &sums, b);
        for (fit, run, demerits, prev, r) in best {
            nodes.push(Node {
                at: b,
                line: nodes[prev].line + 1,
                fitness: fit,
                hyphen_run: run,
                total,
                demerits,
                ratio: r,
                prev: Some(prev),
            });
            active.push(nodes.len() - 1);
        }
        if active.is_empty() {
            return None;
        }
    }
    // The paragraph ends with a forced break: the best node there wins.
    let last = items.len().checked_sub(1)?;
    let end = active
        .iter()
        .copied()
        .filter(|&i| nodes[i].at == last)
        .min_by(|&x, &y| nodes[x].demerits.total_cmp(&nodes[y].demerits))?;
    let mut out = Vec::new();
    let mut cur = Some(end);
    while let Some(i) = cur {
        let n = &nodes[i];
        if n.prev.is_some() {
            out.push(Break {
                at: n.at,
                ratio: n.ratio,
                overfull_stretch: n.ratio.is_infinite() && n.ratio > 0.0,
            });
        }
        cur = n.prev;
    }
    out.reverse();
    Some(out)
}

/// First fit: each line takes as much as fits (shrinking glue if it must), then
/// breaks at the last place it could.
pub fn first_fit(items: &[Item], p: &Params) -> Vec<Break> {
    let sums = running_sums(items);
    let mut out = Vec::new();
    let mut start = Node::start();
    let mut last_ok: Option<(usize, f32)> = None;
    let mut b = 0;
    while b < items.len() {
        let Some(cost) = is_break(items, b) else {
            b += 1;
            continue;
        };
        let (r, _) = ratio(items, p, &sums, &start, b);
        let fits = r >= -1.0;
        if fits && cost <= FORCED {
            out.push(Break {
                at: b,
                ratio: r,
                overfull_stretch: r.is_infinite(),
            });
            start = Node {
                at: b,
                total: after_break(items, &sums, b),
                ..start
            };
            last_ok = None;
            b += 1;
            continue;
        }
        if fits {
            last_ok = Some((b, r));
            b += 1;
            continue;
        }
        match last_ok.take() {
            Some((at, r)) => {
                out.push(Break {
                    at,
                    ratio: r,
                    overfull_stretch: r.is_infinite(),
                });
                start = Node {
                    at,
                    total: after_break(items, &sums, at),
                    ..start
                };
                b = at + 1;
            }
            None => {
                // Nothing fits: break here anyway (the caller splits over-wide words).
                out.push(Break {
                    at: b,
                    ratio: r,
                    overfull_stretch: false,
                });
                start = Node {
                    at: b,
                    total: after_break(items, &sums, b),
                    ..start
                };
                b += 1;
            }
        }
    }
    out
}

/// The quality figures of a breaking: the sum of squared adjustment ratios and
/// the loosest line, over all lines but the last (which is meant to be short).
pub fn quality(breaks: &[Break]) -> (f32, f32) {
    let body = &breaks[..breaks.len().saturating_sub(1)];
    let finite: Vec<f32> = body
        .iter()
        .map(|b| if b.ratio.is_finite() { b.ratio } else { 10.0 })
        .collect();
    let sum_sq = finite.iter().map(|r| r * r).sum();
    let worst = finite.iter().copied().fold(0.0, f32::max);
    (sum_sq, worst)
}

/// How a justified line with adjustment ratio `r` reaches the measure: the
/// share of their stretch (or shrink) its word spaces take, then its letters'.
/// Word spaces go first, to their limit; the letters give only what is still
/// missing. A line looser than both limits (nothing better was possible)
/// takes both past them alike.
pub(super) fn words_then_letters(line: &[Item], r: f32) -> (f32, f32) {
    let (mut words, mut letters) = (0.0, 0.0);
    for item in line {
        match *item {
            Item::Glue {
                stretch, shrink, ..
            } if stretch < 1e6 => words += if r >= 0.0 { stretch } else { shrink },
            Item::Box {
                stretch, shrink, ..
            } => letters += if r >= 0.0 { stretch } else { shrink },
            _ => {}
        }
    }
    if letters == 0.0 || r.abs() >= 1.0 || words == 0.0 {
        return (r, if letters == 0.0 { 0.0 } else { r });
    }
    let want = r.abs() * (words + letters);
    let w = (want / words).min(1.0);
    let l = (want - w * words) / letters;
    (w.copysign(r), l.copysign(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words of the given widths separated by justifiable spaces, ending the
    /// paragraph TeX's way.
    fn para(words: &[f32]) -> Vec<Item> {
        let mut v = Vec::new();
        for (i, &w) in words.iter().enumerate() {
            if i > 0 {
                v.push(Item::Glue {
                    width: 3.0,
                    stretch: 1.5,
                    shrink: 1.0,
                });
            }
            v.push(Item::Box {
                width: w,
                stretch: 0.0,
                shrink: 0.0,
            });
        }
        finish_paragraph(&mut v);
        v
    }

    fn params(width: f32) -> Params {
        Params {
            width,
            justify: true,
            max_ratio: 1.0,
            rag: 12.0,
            lone_ratio: 6.0,
            max_hyphen_run: 2,
        }
    }

    fn line_widths(items: &[Item], breaks: &[Break]) -> Vec<f32> {
        let mut out = Vec::new();
        let mut from = 0;
        for b in breaks {
            let w: f32 = items[from..b.at]
                .iter()
                .map(|i| match i {
                    Item::Box { width, .. } => *width,
                    _ => 0.0,
                })
                .sum();
            out.push(w);
            from = b.at + 1;
        }
        out
    }

    #[test]
    fn every_box_ends_up_on_exactly_one_line() {
        let words = [10.0, 20.0, 15.0, 30.0, 5.0, 25.0, 12.0, 18.0, 9.0, 22.0];
        let items = para(&words);
        let breaks = total_fit(&items, &params(60.0));
        let total: f32 = line_widths(&items, &breaks).iter().sum();
        assert_eq!(total, words.iter().sum::<f32>());
        assert_eq!(breaks.last().unwrap().at, items.len() - 1);
    }

    #[test]
    fn lines_never_exceed_the_measure_after_shrinking() {
        let items = para(&[10.0, 20.0, 15.0, 30.0, 5.0, 25.0, 12.0, 18.0, 9.0, 22.0]);
        for b in total_fit(&items, &params(60.0)) {
            assert!(b.ratio >= -1.0, "{b:?}");
        }
    }

    #[test]
    fn total_fit_is_no_worse_than_first_fit() {
        let words: Vec<f32> = (0..60).map(|i| 8.0 + ((i * 37) % 23) as f32).collect();
        let mut items = para(&words);
        for it in &mut items {
            if let Item::Glue { stretch, .. } = it
                && *stretch < 1e6
            {
                *stretch = 3.0;
            }
        }
        let p = params(160.0);
        let tf_breaks =
            total_fit_with(&items, &p, p.max_ratio, false).expect("feasible within the bounds");
        let (tf, tf_worst) = quality(&tf_breaks);
        let (ff, ff_worst) = quality(&first_fit(&items, &p));
        assert!(tf <= ff, "total fit {tf} vs first fit {ff}");
        assert!(
            tf_worst <= ff_worst,
            "total fit's loosest {tf_worst} vs first fit's {ff_worst}"
        );
    }

    #[test]
    fn a_lone_word_line_is_flagged_not_refused() {
        // A word too wide to share its line with anything.
        let items = para(&[50.0, 95.0, 50.0]);
        let breaks = total_fit(&items, &params(100.0));
        assert!(breaks.iter().any(|b| b.overfull_stretch));
    }

    #[test]
    fn a_ragged_last_line_is_not_allowed_past_the_measure() {
        let mut items = para(&[40.0, 40.0, 40.0]);
        for it in &mut items {
            if let Item::Glue {
                stretch, shrink, ..
            } = it
                && *stretch < 1e6
            {
                (*stretch, *shrink) = (0.0, 0.0);
            }
        }
        let p = Params {
            justify: false,
            ..params(100.0)
        };
        let breaks = total_fit(&items, &p);
        assert_eq!(breaks.len(), 2, "{breaks:?}");
        assert!(line_widths(&items, &breaks).iter().all(|&w| w <= 100.0));
    }

    #[test]
    fn hyphen_runs_are_limited() {
        // Words that only fit by hyphenating every line: more than two flagged
        // breaks in a row must not happen.
        let mut items = Vec::new();
        for i in 0..8 {
            if i > 0 {
                items.push(Item::Glue {
                    width: 3.0,
                    stretch: 1.5,
                    shrink: 1.0,
                });
            }
            items.push(Item::Box {
                width: 30.0,
                stretch: 0.0,
                shrink: 0.0,
            });
            items.push(Item::Penalty {
                width: 3.0,
                cost: 50.0,
                flagged: true,
            });
            items.push(Item::Box {
                width: 30.0,
                stretch: 0.0,
                shrink: 0.0,
            });
        }
        finish_paragraph(&mut items);
        let breaks = total_fit(&items, &params(96.0));
        let mut run = 0;
        for b in &breaks {
            if matches!(items[b.at], Item::Penalty { flagged: true, .. }) {
                run += 1;
                assert!(run <= 2, "{breaks:?}");
            } else {
                run = 0;
            }
        }
    }
}
