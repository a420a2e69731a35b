//! The document's structure as it is set: which block of the structure each
//! paragraph is, and where a reader meets it. A folded leaflet is not read in
//! sheet order, so the layout's `reading-order` ranks the panels; pages draw
//! their content in that order, and tagged PDF states it.

use crate::doc::{Para, Role};
use crate::layout::Layout;
use crate::pages::{Block, BlockKind, Item, Tag};
use std::collections::HashMap;

/// Where a reader meets something: the panel's place in the reading order
/// (from 1; 0 is kept for backgrounds, drawn first), then the part of the
/// panel (0 its fixed top, 1 its flow, 2 its fixed bottom).
pub(super) type Rank = (u32, u32);

/// Backgrounds come before everything they lie under.
pub(super) const BACKGROUND: Rank = (0, 0);

/// Each panel's place in the reading order: the layout's `reading-order`, or
/// sides and panels in file order (the project checks that the list names
/// each panel once).
pub(super) fn panel_ranks(layout: &Layout) -> HashMap<&str, u32> {
    let in_file = layout
        .sides
        .iter()
        .flat_map(|s| &s.panels)
        .map(|p| p.name.as_str());
    let order: Vec<&str> = if layout.reading_order.is_empty() {
        in_file.collect()
    } else {
        layout.reading_order.iter().map(String::as_str).collect()
    };
    order
        .into_iter()
        .enumerate()
        .map(|(i, name)| (name, i as u32 + 1))
        .collect()
}

/// The blocks met while setting, each with where a reader meets it.
#[derive(Default)]
pub(super) struct Structure {
    blocks: Vec<(Rank, Block)>,
}

impl Structure {
    /// The tag of `para`, met at `rank`: a new block, or decoration.
    pub(super) fn tag(&mut self, para: &Para, rank: Rank) -> Tag {
        let (kind, lang) = match para {
            Para::Text { role, .. } if *role == Role::Decorative => return Tag::Artifact,
            Para::Text { role, origin, .. } => (BlockKind::Text(*role), origin.lang.clone()),
            Para::Numbered { number, origin, .. } => {
                (BlockKind::Message { number: *number }, origin.lang.clone())
            }
            Para::Logo { alt, .. } | Para::Picture { alt, .. } if !alt.is_empty() => {
                (BlockKind::Figure { alt: alt.clone() }, None)
            }
            Para::Qr { alt, .. } if !alt.is_empty() => {
                (BlockKind::Figure { alt: alt.clone() }, None)
            }
            Para::Logo { .. }
            | Para::Picture { .. }
            | Para::Qr { .. }
            | Para::Rule { .. }
            | Para::Space(_) => {
                return Tag::Artifact;
            }
        };
        self.blocks.push((rank, Block { kind, lang }));
        Tag::Block {
            block: self.blocks.len() as u32 - 1,
            label: false,
        }
    }

    /// The blocks in reading order, with every page's items retagged to
    /// match and put in the same order (backgrounds first; within a part of a
    /// panel, the order they were set in).
    pub(super) fn finish(self, staged: Vec<Vec<(Rank, Item)>>) -> (Vec<Block>, Vec<Vec<Item>>) {
        let mut order: Vec<usize> = (0..self.blocks.len()).collect();
        // Stable: blocks met at one rank keep the order they were set in.
        order.sort_by_key(|&i| self.blocks[i].0);
        let mut renumber = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            renumber[old] = new as u32;
        }
        let retag = |t: &mut Tag| {
            if let Tag::Block { block, .. } = t {
                *block = renumber[*block as usize];
            }
        };
        let pages = staged
            .into_iter()
            .map(|mut items| {
                items.sort_by_key(|(rank, _)| *rank);
                items
                    .into_iter()
                    .map(|(_, mut item)| {
                        match &mut item {
                            Item::Text(run) => retag(&mut run.tag),
                            Item::Image { tag, .. } | Item::Qr { tag, .. } => retag(tag),
                            Item::Rect { .. } => {}
                        }
                        item
                    })
                    .collect()
            })
            .collect();
        let mut blocks: Vec<Option<Block>> =
            self.blocks.into_iter().map(|(_, b)| Some(b)).collect();
        let blocks = order.iter().filter_map(|&i| blocks[i].take()).collect();
        (blocks, pages)
    }
}

#[cfg(test)]
mod tests {
    use super::panel_ranks;

    fn layout(reading_order: &str) -> crate::layout::Layout {
        serde_yaml::from_str(&format!(
            "format: pdf\npage: {{ size: A4 }}\nstyles: {{}}\n{reading_order}\nsides:\n  - name: outside\n    panels: [{{ name: a }}, {{ name: b }}]\n  - name: inside\n    panels: [{{ name: c }}]\n"
        ))
        .unwrap()
    }

    #[test]
    fn panels_rank_in_the_declared_order_else_in_file_order() {
        let l = layout("");
        let r = panel_ranks(&l);
        assert!(r["a"] < r["b"] && r["b"] < r["c"] && r["a"] > 0);
        let l = layout("reading-order: [b, c, a]");
        let r = panel_ranks(&l);
        assert!(r["b"] < r["c"] && r["c"] < r["a"] && r["b"] > 0);
    }
}
