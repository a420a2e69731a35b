//! A flow poured through its panels, balanced if its layout asks: of the
//! ways to break it that keep the layout's rules (keep-with-next,
//! keep-together, orphans and widows), the one whose panels end at the
//! closest depths.
//!
//! Filling panels one after another up to the lowest common height leaves
//! the last panel with whatever is over (a page of three kept-together
//! messages could end 95, 49 and 45% down); every break a panel may start at
//! is tried instead, and the chosen breaks are then poured as any flow is,
//! each panel held to its share.

use super::flow::{Frame, Keep, Placed, Spill, pour};
use super::set::{Figure, Set};

/// A place a panel may start: before line `line` of set `set` (0: the set's
/// start; `set == sets.len()`: the flow's end).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Break {
    set: usize,
    line: usize,
}

/// Where panels may start, in order: the flow's start first, its end last.
/// Never after a heading (`keep-with-next`), a rule or a space (they belong
/// to what they introduce), never inside a kept-together paragraph, and
/// inside any other only where enough lines stay behind and go ahead.
fn breaks(sets: &[Set], keep: Keep) -> Vec<Break> {
    let mut out = vec![Break { set: 0, line: 0 }];
    for (i, s) in sets.iter().enumerate() {
        if i > 0 {
            let prev = &sets[i - 1];
            let spacer = prev.figure.is_none() && prev.lines.is_empty();
            let rule = matches!(prev.figure, Some(Figure::Rule { .. }));
            if !prev.st.keep_with_next && !rule && !spacer {
                out.push(Break { set: i, line: 0 });
            }
        }
        if s.figure.is_none() && !s.st.keep_together && !s.st.keep_with_next {
            let n = s.lines.len();
            let last = n.saturating_sub(keep.widows);
            out.extend((keep.orphans.max(1)..=last).map(|line| Break { set: i, line }));
        }
    }
    out.push(Break {
        set: sets.len(),
        line: 0,
    });
    out
}

/// How deep a panel holding the flow from `a` to `b` runs, measured as
/// `flow::pour` places it: the first paragraph at the panel's top without its
/// space before, a paragraph's lines carried over without it either.
fn depth(sets: &[Set], a: Break, b: Break) -> f32 {
    let mut d = 0.0;
    for i in a.set..sets.len() {
        if i > b.set || (i == b.set && b.line == 0) {
            break;
        }
        let s = &sets[i];
        let first = i == a.set;
        let from = if first { a.line } else { 0 };
        let to = if i == b.set { b.line } else { s.lines.len() };
        if !first {
            d += sets[i - 1].st.space_after;
        }
        d += if from > 0 {
            (to - from) as f32 * s.st.leading
        } else if to < s.lines.len() {
            let before = if first { 0.0 } else { s.st.space_before };
            before + to as f32 * s.st.leading
        } else {
            s.height(first)
        };
    }
    d
}

/// One way to fill the panels so far: its deepest and shallowest panel, and
/// where it came from (the break its last panel starts at, and the way there).
#[derive(Clone, Copy)]
struct Way {
    deepest: f32,
    shallowest: f32,
    from: usize,
    via: usize,
}

/// Beyond this many places to break, the search (which grows with their
/// square) gives way to filling panels to a common height.
const MOST_BREAKS: usize = 400;

/// The depth each panel should be filled to (points; 0 for a panel left
/// empty) so the panels end as evenly as the rules allow, or `None` if no way
/// of breaking fits (a kept-together paragraph deeper than a panel: pouring
/// splits it) or there are too many ways to try.
pub(super) fn shares(sets: &[Set], frames: &[Frame], keep: Keep) -> Option<Vec<f32>> {
    let at = breaks(sets, keep);
    let end = at.len() - 1;
    if frames.is_empty() || end == 0 || end > MOST_BREAKS {
        return None;
    }
    // How deep each run of the flow from one break to a later one goes, as
    // far as the deepest panel holds.
    let room = frames.iter().map(|f| f.h).fold(0.0, f32::max) + 0.01;
    let rows: Vec<Vec<f32>> = (0..end)
        .map(|a| {
            (a + 1..=end)
                .map(|b| depth(sets, at[a], at[b]))
                .take_while(|&d| d <= room)
                .collect()
        })
        .collect();
    // ways[j][k]: the ways to fill panels 0..=j ending at break k that no
    // other way beats on both its deepest and its shallowest panel.
    let mut ways: Vec<Vec<Vec<Way>>> = vec![vec![Vec::new(); end + 1]; frames.len()];
    for (j, frame) in frames.iter().enumerate() {
        for a in 0..end {
            let start: Vec<Way> = if j == 0 {
                if a > 0 {
                    continue;
                }
                vec![Way {
                    deepest: 0.0,
                    shallowest: f32::INFINITY,
                    from: 0,
                    via: 0,
                }]
            } else {
                ways[j - 1][a].clone()
            };
            if start.is_empty() {
                continue;
            }
            // More of the flow only runs deeper.
            for (b, &d) in (a + 1..).zip(&rows[a]) {
                if d > frame.h + 0.01 {
                    break;
                }
                for (via, w) in start.iter().enumerate() {
                    let way = Way {
                        deepest: w.deepest.max(d),
                        shallowest: w.shallowest.min(d),
                        from: a,
                        via,
                    };
                    keep_unbeaten(&mut ways[j][b], way);
                }
            }
        }
    }
    // The best: the smallest spread between the deepest and the shallowest
    // panel (one left empty counts as 0), then the shallower deepest.
    let spread = |j: usize, w: &Way| {
        let shallowest = if j + 1 < frames.len() {
            0.0
        } else {
            w.shallowest
        };
        (w.deepest - shallowest, w.deepest)
    };
    let (mut j, mut via) = (0..frames.len())
        .flat_map(|j| (0..ways[j][end].len()).map(move |v| (j, v)))
        .min_by(|&(j1, v1), &(j2, v2)| {
            spread(j1, &ways[j1][end][v1])
                .partial_cmp(&spread(j2, &ways[j2][end][v2]))
                .unwrap_or(std::cmp::Ordering::Equal)
        })?;
    // Walk back from the flow's end to each panel's share.
    let mut out = vec![0.0; frames.len()];
    let mut b = end;
    loop {
        let w = ways[j][b][via];
        out[j] = rows[w.from][b - w.from - 1];
        if j == 0 {
            break;
        }
        (b, via, j) = (w.from, w.via, j - 1);
    }
    Some(out)
}

/// Adds `way` to `list` unless a way there is at least as shallow at its
/// deepest and as deep at its shallowest; drops those it beats.
fn keep_unbeaten(list: &mut Vec<Way>, way: Way) {
    let beats =
        |a: &Way, b: &Way| a.deepest <= b.deepest + 0.01 && a.shallowest + 0.01 >= b.shallowest;
    if list.iter().any(|w| beats(w, &way)) {
        return;
    }
    list.retain(|w| !beats(&way, w));
    list.push(way);
}

/// Pours a flow, balanced if asked: broken where its panels end most evenly
/// (`shares`), or, where no such breaking keeps the rules, at the
/// lowest common panel height at which everything still fits, found by
/// bisection (pouring is cheap; nothing is drawn yet).
pub(super) fn pour_flow(
    sets: &[Set],
    frames: &[Frame],
    balance: bool,
    keep: Keep,
) -> Result<Placed, Spill> {
    let pour_capped = |caps: &dyn Fn(usize) -> f32, items: &mut Placed| {
        let capped: Vec<Frame> = frames
            .iter()
            .enumerate()
            .map(|(j, f)| Frame {
                name: f.name.clone(),
                h: f.h.min(caps(j)),
                ..*f
            })
            .collect();
        pour(sets, &capped, keep, items)
    };
    let mut cap = f32::INFINITY;
    if balance {
        if let Some(shares) = shares(sets, frames, keep) {
            let mut items = Vec::new();
            if pour_capped(&|j| shares[j] + 0.05, &mut items).is_ok() {
                return Ok(items);
            }
        }
        let (mut lo, mut hi) = (0.0f32, frames.iter().map(|f| f.h).fold(0.0, f32::max));
        if pour_capped(&|_| hi, &mut Vec::new()).is_ok() {
            for _ in 0..20 {
                let mid = (lo + hi) / 2.0;
                if pour_capped(&|_| mid, &mut Vec::new()).is_ok() {
                    hi = mid
                } else {
                    lo = mid
                }
            }
            cap = hi + 0.01;
        }
    }
    let mut items = Vec::new();
    pour_capped(&|_| cap, &mut items).map(|()| items)
}

#[cfg(test)]
mod tests {
    use super::super::flow::tests::{frames, paragraph};
    use super::*;

    #[test]
    fn balanced_panels_take_the_breaks_that_end_them_most_evenly() {
        // Kept-together paragraphs of 1, 3, 1, 1, 1 and 6 lines over three
        // panels: filling each to the lowest common height (6 lines) leaves
        // 6, 1 and 6; breaking for the closest depths gives 4, 3 and 6.
        let sets: Vec<Set> = [1, 3, 1, 1, 1, 6]
            .into_iter()
            .map(|n| {
                let mut s = paragraph(n);
                s.st.keep_together = true;
                s
            })
            .collect();
        let fr = frames(&[100.0, 100.0, 100.0]);
        let keep = Keep {
            orphans: 2,
            widows: 2,
        };
        let out = pour_flow(&sets, &fr, true, keep).unwrap();
        let lines: Vec<usize> = (0..3)
            .map(|p| out.iter().filter(|(pg, _)| *pg == p).count())
            .collect();
        assert_eq!(lines, [4, 3, 6]);
    }
}
