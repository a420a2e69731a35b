//! Ragged text hyphenates only when it must: in every shipped leaflet and in
//! the flyers' messages (all ragged), in every language, no paragraph's first
//! line ends in a hyphen and no two lines in a row do. The count of hyphens
//! is printed, for the record.

mod common;

use leafpress::{BlockKind, Filter, Format, Item, Tag, Variant};

/// Whether the run ends with the first half of a word the typesetter
/// hyphenated (its ActualText is the whole word; a compound broken after its
/// own hyphen is not one).
fn hyphenated(run: &leafpress::GlyphRun) -> bool {
    run.actual.last().is_some_and(|(_, to, word)| {
        *to == run.glyphs.len() && !word.is_empty() && !word.contains('-')
    })
}

#[test]
fn ragged_paragraphs_hyphenate_only_when_they_must() {
    let p = common::shipped_project();
    let (mut hyphens, mut lines) = (0, 0);
    let mut problems = Vec::new();
    for job in leafpress::list(&p, &Filter::default()).unwrap() {
        if job.format != Format::Pdf {
            continue;
        }
        let doc = leafpress::document(&p, &job, false).unwrap().0;
        let pages = leafpress::typeset(&p, &doc, Variant::Print).unwrap();
        // Each ragged block's lines, in order.
        let mut blocks: std::collections::BTreeMap<u32, Vec<bool>> = Default::default();
        for page in &pages.pages {
            for item in &page.items {
                let Item::Text(run) = item else { continue };
                let Tag::Block {
                    block,
                    label: false,
                } = run.tag
                else {
                    continue;
                };
                // The flyer's intro is justified: its own rules apply.
                let kind = &pages.blocks[block as usize].kind;
                let ragged = job.layout == "leaflet" || matches!(kind, BlockKind::Message { .. });
                if ragged && !matches!(kind, BlockKind::Figure { .. }) {
                    blocks.entry(block).or_default().push(hyphenated(run));
                }
            }
        }
        for (block, ends) in &blocks {
            lines += ends.len();
            hyphens += ends.iter().filter(|h| **h).count();
            let name = format!(
                "{} {} {} block {block}",
                job.language, job.layout, job.audience
            );
            if ends[0] && ends.len() > 1 {
                problems.push(format!("{name}: its first line is hyphenated"));
            }
            if ends.windows(2).any(|w| w[0] && w[1]) {
                problems.push(format!("{name}: two hyphenated lines in a row: {ends:?}"));
            }
        }
    }
    eprintln!(
        "ragged lines: {lines}, hyphenated: {hyphens}, against the rules: {}",
        problems.len()
    );
    assert!(lines > 500, "{lines} lines looked at");
    assert!(problems.is_empty(), "{problems:#?}");
}
