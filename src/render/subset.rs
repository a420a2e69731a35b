//! Font subsets of one job: per face, the glyphs its pages use, as a small font
//! file. The PDF writer embeds them and the preview writer rasterises from them,
//! so a job parses a few dozen outlines instead of every glyph of every face.

use crate::cache::{Caches, Kind};
use crate::fonts::{FaceId, FontBook};
use crate::pages::{Item, Pages};
use std::collections::{BTreeMap, BTreeSet};

pub struct Subset {
    /// BLAKE3 of the whole face's file: names the face across jobs.
    pub face_digest: [u8; 32],
    /// Glyph ids of the original face, in order.
    pub gids: BTreeSet<u16>,
    /// Original glyph id -> id in `data`.
    pub remap: subsetter::GlyphRemapper,
    /// The subset font file.
    pub data: std::sync::Arc<Vec<u8>>,
}

pub type Subsets = BTreeMap<FaceId, Subset>;

/// Subsets every face the pages use. Glyph 0 (.notdef) stays first, as the PDF
/// and TrueType specs require.
pub fn subset_fonts(pages: &Pages, book: &FontBook, caches: &Caches) -> Result<Subsets, String> {
    let mut used: BTreeMap<FaceId, BTreeSet<u16>> = BTreeMap::new();
    for page in &pages.pages {
        for item in &page.items {
            if let Item::Text(run) = item {
                used.entry(run.face)
                    .or_default()
                    .extend(run.glyphs.iter().map(|g| g.id));
            }
        }
    }
    used.into_iter()
        .map(|(face_id, gids)| {
            let face = book.face(face_id);
            let key = (face.digest, gids.iter().copied().collect::<Vec<u16>>());
            let (remap, data) = caches.try_get_or_make::<Made, _>(key, |_| {
                let mut remap = subsetter::GlyphRemapper::new();
                remap.remap(0);
                for &g in &gids {
                    remap.remap(g);
                }
                let data = subsetter::subset(face.data(), 0, &remap)
                    .map_err(|e| format!("cannot subset font `{}`: {e}", face.file))?;
                Ok::<_, String>((remap, std::sync::Arc::new(data)))
            })?;
            Ok((
                face_id,
                Subset {
                    face_digest: face.digest,
                    gids,
                    remap,
                    data,
                },
            ))
        })
        .collect()
}

/// Subsets already made, by (face digest, glyph ids): outputs of one
/// language and layout often use the same glyphs, and making a subset again
/// gives the same bytes.
struct Made;

impl Kind for Made {
    type Key = ([u8; 32], Vec<u16>);
    /// A subset's glyph remapping and font file.
    type Value = (subsetter::GlyphRemapper, std::sync::Arc<Vec<u8>>);
    fn cost(key: &Self::Key, value: &Self::Value) -> usize {
        64 + 6 * key.1.len() + value.1.len()
    }
}
