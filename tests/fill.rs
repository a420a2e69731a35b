//! Panels that are full: with `fit: fill` on the shipped layouts' flows, every
//! flow of every PDF of the shipped content (all audiences and languages,
//! print and screen) that runs panel after panel ends in the last
//! 20% of its last panel, or its text is at the layout's `max-size`; balanced
//! flows are measured and printed panel by panel, and no whole message moved
//! to a neighbouring panel would end them more evenly. Also for a generated
//! audience with two short messages and one with eight long ones.

mod common;

use leafpress::{BlockKind, Filter, Format, Item, Pages, Tag, Variant};
use std::collections::BTreeMap;

/// A flow's panels in order, whether it is balanced, and its `max-size` in
/// points.
type FlowPanels = (Vec<String>, bool, Option<f32>);

/// Each layout's flows, read from the layout files.
fn flows(layouts: &std::path::Path) -> BTreeMap<String, Vec<FlowPanels>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(layouts).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        if name == "brand" {
            continue;
        }
        let v: serde_yaml::Value =
            serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let Some(specs) = v["flows"].as_mapping() else {
            continue;
        };
        let mut list = Vec::new();
        for (flow, spec) in specs {
            let flow = flow.as_str().unwrap();
            let panels: Vec<String> = v["sides"]
                .as_sequence()
                .unwrap()
                .iter()
                .flat_map(|s| s["panels"].as_sequence().unwrap())
                .filter(|p| p["flow"].as_str() == Some(flow))
                .map(|p| p["name"].as_str().unwrap().to_string())
                .collect();
            let max = spec["max-size"]
                .as_str()
                .map(|s| s.trim_end_matches("pt").parse::<f32>().unwrap());
            list.push((panels, spec["balance"].as_bool() == Some(true), max));
        }
        out.insert(name, list);
    }
    out
}

/// The page a panel is on, and its text area.
fn panel<'a>(pages: &'a Pages, name: &str) -> (&'a leafpress::Page, &'a leafpress::Area) {
    pages
        .pages
        .iter()
        .find_map(|pg| {
            pg.panels
                .iter()
                .find(|p| p.name == name)
                .map(|p| (pg, &p.content))
        })
        .unwrap()
}

/// How far down each named panel its text goes, as a share of the panel's
/// text area, and the size most of its text is set in (its main text).
fn depths(pages: &Pages, panels: &[String]) -> (Vec<f32>, f32) {
    let mut sizes: BTreeMap<u32, usize> = BTreeMap::new();
    let depths = panels
        .iter()
        .map(|name| {
            let (page, c) = panel(pages, name);
            let mut bottom = c.y;
            for item in &page.items {
                let Item::Text(run) = item else { continue };
                let x = run.x + run.width / 2.0;
                if x < c.x || x > c.x + c.w || run.baseline < c.y || run.baseline > c.y + c.h + 1.0
                {
                    continue;
                }
                bottom = bottom.max(run.baseline);
                if let Tag::Block { label: false, .. } = run.tag {
                    *sizes.entry((run.size * 100.0).round() as u32).or_default() +=
                        run.glyphs.len();
                }
            }
            (bottom - c.y) / c.h
        })
        .collect();
    let main = sizes.iter().max_by_key(|(_, n)| **n).map_or(0, |(s, _)| *s);
    (depths, main as f32 / 100.0)
}

/// The messages in each named panel, top to bottom: the baselines of their
/// first and last lines, as shares of the panel's text area.
fn messages(pages: &Pages, panels: &[String]) -> Vec<Vec<(f32, f32)>> {
    panels
        .iter()
        .map(|name| {
            let (page, c) = panel(pages, name);
            let mut spans: BTreeMap<u32, (f32, f32)> = BTreeMap::new();
            for item in &page.items {
                let Item::Text(run) = item else { continue };
                let Tag::Block { block, .. } = run.tag else {
                    continue;
                };
                let x = run.x + run.width / 2.0;
                if x < c.x || x > c.x + c.w || run.baseline < c.y || run.baseline > c.y + c.h + 1.0
                {
                    continue;
                }
                if !matches!(pages.blocks[block as usize].kind, BlockKind::Message { .. }) {
                    continue;
                }
                let y = (run.baseline - c.y) / c.h;
                let span = spans.entry(block).or_insert((y, y));
                *span = (span.0.min(y), span.1.max(y));
            }
            let mut list: Vec<(f32, f32)> = spans.into_values().collect();
            list.sort_by(|a, b| a.0.total_cmp(&b.0));
            list
        })
        .collect()
}

/// A balanced flow's panels cannot end more evenly by moving one whole
/// message to a neighbouring panel: its last to the head of the next panel,
/// or the next panel's first to its foot, where the message fits and no panel
/// is left empty. Measured from the pages alone: a moved message takes its
/// own depth and the gap between two messages (as set in any panel holding
/// two) with it. Returns what would have been more even.
fn no_move_evens(depths: &[f32], messages: &[Vec<(f32, f32)>]) -> Option<String> {
    let gap = messages
        .iter()
        .find_map(|m| m.windows(2).next().map(|w| w[1].0 - w[0].1))?;
    let spread = |d: &[f32]| {
        d.iter().copied().fold(0.0, f32::max) - d.iter().copied().fold(f32::MAX, f32::min)
    };
    let now = spread(depths);
    for j in 0..depths.len() - 1 {
        // (panel losing, panel gaining, message) for both directions.
        let moves = [
            (j, j + 1, messages[j].last(), messages[j].len()),
            (j + 1, j, messages[j + 1].first(), messages[j + 1].len()),
        ];
        for (from, to, message, count) in moves {
            let Some(&(top, bottom)) = message else {
                continue;
            };
            // What stays behind must not be left without a message: the
            // first panel's heading goes with its first message.
            if count < 2 {
                continue;
            }
            let moved = bottom - top + gap;
            let mut d = depths.to_vec();
            d[from] -= moved;
            d[to] += moved;
            if d[to] <= 1.0 && spread(&d) < now - 0.01 {
                return Some(format!(
                    "moving a message from panel {} to {} gives {:?}",
                    from + 1,
                    to + 1,
                    d
                ));
            }
        }
    }
    None
}

/// Checks every PDF job of `project`; returns the lines of figures.
fn check(project: &leafpress::Project, layouts: &std::path::Path) -> Vec<String> {
    let flows = flows(layouts);
    let mut lines = Vec::new();
    for job in leafpress::list(project, &Filter::default()).unwrap() {
        if job.format != Format::Pdf {
            continue;
        }
        let doc = leafpress::document(project, &job, true).unwrap().0;
        for variant in [Variant::Print, Variant::Screen] {
            let pages = leafpress::typeset(project, &doc, variant)
                .unwrap_or_else(|o| panic!("{job:?}: {}", o[0]));
            for (panels, balanced, max) in &flows[&job.layout] {
                let (d, size) = depths(&pages, panels);
                let at_max = max.is_some_and(|m| (size - m).abs() < 0.01);
                let shown: Vec<String> = d.iter().map(|x| format!("{:.0}%", x * 100.0)).collect();
                lines.push(format!(
                    "{} {} {} {:?}: {} at {size:.1} pt{}",
                    job.layout,
                    job.audience,
                    job.language,
                    variant,
                    shown.join(" "),
                    if at_max { " (max-size)" } else { "" }
                ));
                // A flow poured panel after panel ends in its last panel; a
                // balanced one is measured panel by panel and held to ending
                // as evenly as whole messages allow (they are kept
                // together, so its last panel need not be full).
                if *balanced && let Some(better) = no_move_evens(&d, &messages(&pages, panels)) {
                    lines
                        .last_mut()
                        .unwrap()
                        .push_str(&format!("  <-- uneven: {better}"));
                }
                if !balanced && d[d.len() - 1] < 0.8 && !at_max {
                    lines.last_mut().unwrap().push_str("  <-- under 80%");
                }
            }
        }
    }
    lines
}

/// The shipped project, whose flows say `fit: fill`: the inside flap's
/// definition up to 11.5 pt, the leaflet's messages up to 18 pt, the flyer's
/// up to 15 pt.
fn filled() -> common::Project {
    let p = common::Project::shipped();
    for (layout, needle) in [
        ("layouts/leaflet.yaml", "max-size: 11.5pt"),
        ("layouts/leaflet.yaml", "max-size: 18pt"),
        ("layouts/flyer.yaml", "max-size: 15pt"),
    ] {
        assert!(p.read(layout).contains(needle), "{layout} fills: {needle}");
    }
    p
}

#[test]
fn every_flow_of_the_shipped_content_fills_its_panels() {
    let p = filled();
    let lines = check(&p.load(), &p.file("layouts"));
    eprintln!("{}", lines.join("\n"));
    assert!(
        !lines
            .iter()
            .any(|l| l.contains("under 80%") || l.contains("uneven"))
    );
    assert!(lines.len() >= 2 * 3 * 4 * 3, "{}", lines.len());
}

#[test]
fn two_short_messages_and_eight_long_ones_fill_their_panels_too() {
    let p = filled();
    std::fs::remove_dir_all(p.file("content/translations")).unwrap();
    let mut text = p.read("content/messages.yaml");
    text.push_str(
        "  - id: few\n    name: Few words\n    heading: Two short messages\n    messages:\n      - id: few-1\n        text: Fund the workforce.\n      - id: few-2\n        text: Train the workforce.\n",
    );
    text.push_str(
        "  - id: many\n    name: Many words\n    heading: Eight long messages\n    messages:\n",
    );
    for i in 0..8 {
        text.push_str(&format!(
            "      - id: many-{i}\n        text: >-\n          Message {i}: a professional, trained social service workforce can tackle complex issues, including alleviating poverty and keeping families together, when it is funded and supported.\n"
        ));
    }
    p.write("content/messages.yaml", &text);
    let project = p.load();
    let lines: Vec<String> = check(&project, &p.file("layouts"))
        .into_iter()
        .filter(|l| l.contains(" few ") || l.contains(" many "))
        .collect();
    eprintln!("{}", lines.join("\n"));
    assert!(
        !lines
            .iter()
            .any(|l| l.contains("under 80%") || l.contains("uneven"))
    );
    assert_eq!(lines.len(), 2 * 2 * 3, "{lines:?}");
}

#[test]
fn the_summary_and_the_manifest_say_the_size_each_flow_took() {
    let p = filled();
    let r = p.run(&[
        "build",
        "--lang",
        "en",
        "--audience",
        "workforce",
        "--no-preview",
    ]);
    r.ok();
    let m: serde_json::Value = serde_json::from_str(&p.read("out/manifest.json")).unwrap();
    let rows = m["outputs"].as_array().unwrap();
    let leaflet = rows
        .iter()
        .find(|r| r["layout"] == "leaflet")
        .expect("the leaflet's row");
    let sizes = leaflet["sizes"].as_object().expect("sizes in the manifest");
    for (flow, base, max) in [("definition", 10.0, 11.5), ("messages", 15.0, 18.0)] {
        let size = sizes[flow].as_f64().unwrap();
        assert!((base..=max).contains(&size), "{flow} at {size}");
        assert!(
            r.stdout.contains(&format!("{flow} at {size:.1} pt")),
            "{flow}: {}",
            r.stdout
        );
    }
    // A handout has no flows of its own size.
    let handout = rows.iter().find(|r| r["layout"] == "handout").unwrap();
    assert!(handout.get("sizes").is_none());
}

/// Messages of 3, 20, 3, 3, 3 and 40 words: filling panels in turn to a
/// common height leaves the middle one a single short message (63%, 14%,
/// 67% at 18 pt); breaking where the panels end most evenly moves one more
/// into it (53%, 25%, 67%).
#[test]
fn messages_of_uneven_lengths_end_their_panels_as_evenly_as_whole_messages_allow() {
    let p = filled();
    std::fs::remove_dir_all(p.file("content/translations")).unwrap();
    let mut text = p.read("content/messages.yaml");
    let words = ["fund", "train", "support", "the", "workforce", "now"];
    text.push_str(
        "  - id: uneven\n    name: Uneven\n    heading: Uneven messages\n    messages:\n",
    );
    for (i, n) in [3, 20, 3, 3, 3, 40].into_iter().enumerate() {
        let message: Vec<&str> = (0..n).map(|k| words[k % words.len()]).collect();
        text.push_str(&format!(
            "      - id: uneven-{i}\n        text: {}.\n",
            message.join(" ")
        ));
    }
    p.write("content/messages.yaml", &text);
    let lines: Vec<String> = check(&p.load(), &p.file("layouts"))
        .into_iter()
        .filter(|l| l.starts_with("leaflet uneven"))
        .collect();
    eprintln!("{}", lines.join("\n"));
    assert_eq!(lines.len(), 2 * 2, "{lines:?}");
    assert!(!lines.iter().any(|l| l.contains("uneven:")), "{lines:?}");
}
