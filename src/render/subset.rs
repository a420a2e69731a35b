//! Font subsets of one job: per face, the glyphs its pages use, as a small font
//! file. The PDF writer embeds them and the preview writer rasterises from them,
//! so a job parses a few dozen outlines instead of every glyph of every face.

use crate::fonts::{FaceId, FontBook};
use crate::pages::{Item, Pages};
use std::collections::{BTreeMap, BTreeSet};

pub struct Subset {
    /// SHA-256 of the whole face's file: names the face across jobs.
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
pub fn subset_fonts(pages: &Pages, book: &FontBook) -> Result<Subsets, String> {
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
            let earlier = made()
                .lock()
                .ok()
                .and_then(|m| m.subsets.get(&key).cloned());
            let (remap, data) = match earlier {
                Some(hit) => hit,
                None => {
                    let mut remap = subsetter::GlyphRemapper::new();
                    remap.remap(0);
                    for &g in &gids {
                        remap.remap(g);
                    }
                    let data = subsetter::subset(face.data, 0, &remap)
                        .map_err(|e| format!("cannot subset font `{}`: {e}", face.file))?;
                    let made_now = (remap, std::sync::Arc::new(data));
                    if let Ok(mut m) = made().lock() {
                        if m.bytes + made_now.1.len() > MADE_LIMIT {
                            m.subsets.clear();
                            m.bytes = 0;
                        }
                        m.bytes += made_now.1.len();
                        m.subsets.insert(key, made_now.clone());
                    }
                    made_now
                }
            };
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

/// A subset's glyph remapping and font file.
type MadeSubset = (subsetter::GlyphRemapper, std::sync::Arc<Vec<u8>>);

#[derive(Default)]
struct Made {
    subsets: std::collections::HashMap<([u8; 32], Vec<u16>), MadeSubset>,
    bytes: usize,
}

/// Subsets already made in this process, by (face digest, glyph ids): outputs
/// of one language and layout often use the same glyphs, and making a subset
/// again gives the same bytes. Bounded by size, so memory stays flat however
/// many distinct glyph sets a batch has.
fn made() -> &'static std::sync::Mutex<Made> {
    static MADE: std::sync::OnceLock<std::sync::Mutex<Made>> = std::sync::OnceLock::new();
    MADE.get_or_init(Default::default)
}
const MADE_LIMIT: usize = 2 << 20;
