//! Glyph images for previews: outlines parsed by fontdue from the job's font
//! subsets (only glyphs not parsed before), drawn at each size once, shared
//! by jobs through the project's caches.

use crate::cache::{Caches, Kind};
use crate::fonts::FaceId;
use crate::render::subset::{Subset, Subsets};

/// A glyph's image: fontdue's metrics and coverage bytes.
pub(super) type GlyphImage = std::sync::Arc<(fontdue::Metrics, Vec<u8>)>;

/// (face digest, original glyph id, size in px) -> image.
pub(super) type GlyphKey = ([u8; 32], u16, u32);

/// Glyph images already drawn, shared by jobs: a batch draws the same
/// letters at the same sizes in every preview.
pub(super) struct Drawn;

impl Kind for Drawn {
    type Key = GlyphKey;
    type Value = GlyphImage;
    fn cost(_: &GlyphKey, value: &GlyphImage) -> usize {
        96 + value.1.len()
    }
}

/// A glyph's outline as fontdue holds it: the parse it is in, and its id there.
pub(super) type Outline = (std::sync::Arc<fontdue::Font>, u16);

/// Glyph outlines parsed before, by (face digest, original glyph id): an
/// outline serves every size, so each glyph is parsed once however many jobs
/// and sizes draw it.
pub(super) struct Outlined;

impl Kind for Outlined {
    type Key = ([u8; 32], u16);
    type Value = Outline;
    fn cost(_: &Self::Key, _: &Outline) -> usize {
        // The glyph's share of the parse it is in.
        512
    }
}

/// Glyph images of one job, drawn by fontdue from the job's font subsets, or
/// taken from what earlier jobs drew.
pub struct Glyphs<'a> {
    pub(super) subsets: &'a Subsets,
    pub(super) caches: &'a Caches,
    /// FxHash: a lookup per glyph drawn.
    pub(super) images: rustc_hash::FxHashMap<(FaceId, u16, u32), GlyphImage>,
}

impl<'a> Glyphs<'a> {
    pub fn new(subsets: &'a Subsets, caches: &'a Caches) -> Glyphs<'a> {
        Glyphs {
            subsets,
            caches,
            images: Default::default(),
        }
    }

    pub(super) fn get(&mut self, face: FaceId, gid: u16, size_px: f32) -> Option<GlyphImage> {
        let key = (face, gid, size_px.to_bits());
        if let Some(hit) = self.images.get(&key) {
            return Some(hit.clone());
        }
        let subset = self.subsets.get(&face)?;
        let shared_key = (subset.face_digest, gid, size_px.to_bits());
        let caches = self.caches;
        let image = caches.try_get_or_make::<Drawn, _>(shared_key, |_| {
            let (font, local) = match caches.get::<Outlined>(&(subset.face_digest, gid)) {
                Some(o) => o,
                None => parse_missing(subset, gid, caches).ok_or(())?,
            };
            Ok::<_, ()>(std::sync::Arc::new(font.rasterize_indexed(local, size_px)))
        });
        let image = image.ok()?;
        self.images.insert(key, image.clone());
        Some(image)
    }
}

/// A glyph's size in pixels at `dpi`.
pub(super) fn size_px(size_pt: f32, dpi: f32) -> f32 {
    size_pt * (dpi / 72.0)
}

/// Parses the outlines of the subset's glyphs that this process has not parsed
/// yet (`gid` among them), keeps them in `outlined`, and returns `gid`'s.
/// fontdue outlines every glyph a font's character map reaches when it parses
/// it: parsing each job's whole subsets was a tenth of a build's time.
pub(super) fn parse_missing(subset: &Subset, gid: u16, caches: &Caches) -> Option<Outline> {
    // (glyph id, its id in the subset) of each glyph to parse.
    let mut missing: Vec<(u16, u16)> = subset
        .gids
        .iter()
        .copied()
        .filter(|&g| !caches.contains::<Outlined>(&(subset.face_digest, g)))
        .chain([gid])
        .filter_map(|g| Some((g, subset.remap.get(g)?)))
        .collect();
    missing.sort_unstable_by_key(|&(_, l)| l);
    missing.dedup();
    let local: Vec<u16> = missing.iter().map(|&(_, l)| l).collect();
    let data = with_glyph_cmap(&subset.data, &local)?;
    let settings = fontdue::FontSettings {
        // Substitutions would add glyphs the cmap does not reach; every glyph
        // drawn here is one the typesetter already chose.
        load_substitutions: false,
        ..Default::default()
    };
    let font = std::sync::Arc::new(fontdue::Font::from_bytes(data, settings).ok()?);
    for &(g, l) in &missing {
        caches.insert::<Outlined>((subset.face_digest, g), (font.clone(), l));
    }
    Some((font, subset.remap.get(gid)?))
}

/// The font file with a character map that reaches the glyphs `local` (ids in
/// this file, sorted): fontdue loads only the glyphs a cmap reaches, and
/// subsets carry no cmap (a PDF addresses glyphs by id). Glyph `i` gets the
/// private-use code point U+F0000 + `i`; nothing looks glyphs up by character
/// here.
pub(super) fn with_glyph_cmap(font: &[u8], local: &[u16]) -> Option<Vec<u8>> {
    let u16_at = |o: usize| Some(u16::from_be_bytes(font.get(o..o + 2)?.try_into().ok()?));
    let u32_at = |o: usize| Some(u32::from_be_bytes(font.get(o..o + 4)?.try_into().ok()?));
    let mut tables: Vec<([u8; 4], &[u8])> = Vec::new();
    for i in 0..u16_at(4)? as usize {
        let rec = 12 + 16 * i;
        let tag: [u8; 4] = font.get(rec..rec + 4)?.try_into().ok()?;
        let (off, len) = (u32_at(rec + 8)? as usize, u32_at(rec + 12)? as usize);
        let data = font.get(off..off.checked_add(len)?)?;
        if &tag != b"cmap" {
            tables.push((tag, data));
        }
    }
    // One group per run of consecutive glyph ids.
    let mut groups: Vec<(u32, u32)> = Vec::new();
    for &g in local {
        match groups.last_mut() {
            Some((_, end)) if *end + 1 == g as u32 => *end = g as u32,
            _ => groups.push((g as u32, g as u32)),
        }
    }
    // cmap: one Windows Unicode full-repertoire (3, 10) format 12 subtable.
    let sub_len = 16 + 12 * groups.len() as u32;
    let mut cmap = Vec::with_capacity(12 + sub_len as usize);
    for v in [0u16, 1, 3, 10] {
        cmap.extend(v.to_be_bytes());
    }
    cmap.extend(12u32.to_be_bytes());
    cmap.extend(12u16.to_be_bytes());
    cmap.extend(0u16.to_be_bytes());
    for v in [sub_len, 0, groups.len() as u32] {
        cmap.extend(v.to_be_bytes());
    }
    for (start, end) in groups {
        for v in [0xF0000 + start, 0xF0000 + end, start] {
            cmap.extend(v.to_be_bytes());
        }
    }
    tables.push((*b"cmap", &cmap));
    // Readers find tables by binary search on the tag.
    tables.sort_by_key(|(tag, _)| *tag);
    let mut out = Vec::with_capacity(font.len() + 64);
    out.extend(u32_at(0)?.to_be_bytes());
    out.extend((tables.len() as u16).to_be_bytes());
    out.extend([0u8; 6]); // search hints, unused by readers that check bounds
    let mut offset = 12 + 16 * tables.len();
    for (tag, data) in &tables {
        out.extend(tag);
        out.extend(0u32.to_be_bytes()); // checksum, not checked when reading
        out.extend((offset as u32).to_be_bytes());
        out.extend((data.len() as u32).to_be_bytes());
        offset += data.len().next_multiple_of(4);
    }
    for (_, data) in &tables {
        out.extend(*data);
        out.resize(out.len().next_multiple_of(4), 0);
    }
    Some(out)
}
