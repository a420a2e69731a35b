//! The preview writer: draws positioned `Pages` into PNG images with fontdue's
//! anti-aliased glyph coverage — the same pages the PDF is made from, so a
//! preview shows what prints. The image covers the PDF's media box (trim, bleed
//! and marks), as a PDF viewer shows it.

use super::subset::{Subset, Subsets};
use crate::cache::{Caches, Kind};
use crate::fonts::FaceId;
use crate::pages::{Item, Page, Pages};
use crate::plan::Variant;
use crate::units::Rgb;
use std::collections::HashMap;

/// Coverage (of glyph edges and block edges) is drawn at this many levels, from
/// none to full. At preview resolution 16 levels look as smooth as 256, and
/// they keep a page's colours within a 256-colour palette.
const LEVELS: u32 = 16;

/// 255 / (LEVELS - 1): the coverage between two levels.
const STEP: u32 = 255 / (LEVELS - 1);

/// The coverage level (0 to LEVELS - 1) nearest to `a` (0-255).
fn level(a: u8) -> u32 {
    (a as u32 + STEP / 2) / STEP
}

/// `a` (0-255) rounded to the nearest of the `LEVELS` coverage levels.
fn quantise(a: u8) -> u8 {
    (level(a) * STEP) as u8
}

/// `c` over `old` at coverage `a` (0-255), in integers.
fn mix(old: Rgb, c: Rgb, a: u8) -> Rgb {
    let one = |old: u8, v: u8| {
        let (old, v) = (old as i32, v as i32);
        let half = if v >= old { 127 } else { -127 };
        (old + ((v - old) * a as i32 + half) / 255) as u8
    };
    Rgb(one(old.0, c.0), one(old.1, c.1), one(old.2, c.2))
}

/// A drawn page, row by row: palette indices while the page has at most 256
/// colours (flat fills, and their glyph and block edges at `LEVELS` coverage
/// levels: nearly every page), RGB once it has more (a photograph, say).
/// Indices are a third of the bytes to draw and to compress.
#[derive(Debug, Clone, PartialEq)]
pub struct Raster {
    pub width: usize,
    pub height: usize,
    pixels: Pixels,
}

#[derive(Debug, Clone, PartialEq)]
enum Pixels {
    Indexed {
        index: Vec<u8>,
        palette: Palette,
        /// Per text colour, what each (index, coverage level) blends to
        /// (`UNKNOWN` until first needed): a glyph's pixels are then drawn
        /// by two table reads each.
        blends: Vec<(Rgb, Vec<u16>)>,
    },
    Rgb(Vec<u8>),
}

const UNKNOWN: u16 = u16::MAX;

/// Up to 256 colours and the index of each, found by an open-addressing table
/// (a page looks a colour up for every edge pixel it draws).
#[derive(Debug, Clone, PartialEq)]
struct Palette {
    colours: Vec<Rgb>,
    /// Packed colour, or `EMPTY`; and its index.
    slots: Vec<(u32, u8)>,
}

const EMPTY: u32 = u32::MAX;
const SLOTS: usize = 1024;

impl Palette {
    fn new() -> Palette {
        Palette {
            colours: Vec::new(),
            slots: vec![(EMPTY, 0); SLOTS],
        }
    }

    /// The index of `c`, added if new; `None` when the palette is full.
    fn index(&mut self, c: Rgb) -> Option<u8> {
        let key = (c.0 as u32) << 16 | (c.1 as u32) << 8 | c.2 as u32;
        let mut slot = (key.wrapping_mul(0x9E37_79B1) >> 22) as usize;
        loop {
            match self.slots[slot] {
                (k, i) if k == key => return Some(i),
                (EMPTY, _) => break,
                _ => slot = (slot + 1) % SLOTS,
            }
        }
        if self.colours.len() == 256 {
            return None;
        }
        let i = self.colours.len() as u8;
        self.colours.push(c);
        self.slots[slot] = (key, i);
        Some(i)
    }
}

/// A page's pixel buffer, kept for the next page: fresh half-megabyte
/// buffers cost a page fault every 4 KB.
struct PixelBuffer(Vec<u8>);

impl Raster {
    /// A white raster, drawn into `index` (a spare buffer, or a new one).
    fn new(width: usize, height: usize, mut index: Vec<u8>) -> Raster {
        let mut palette = Palette::new();
        palette.index(Rgb(255, 255, 255));
        index.clear();
        index.resize(width * height, 0);
        Raster {
            width,
            height,
            pixels: Pixels::Indexed {
                index,
                palette,
                blends: Vec::new(),
            },
        }
    }

    pub fn pixel(&self, x: usize, y: usize) -> [u8; 3] {
        let c = self.get(y * self.width + x);
        [c.0, c.1, c.2]
    }

    fn get(&self, i: usize) -> Rgb {
        match &self.pixels {
            Pixels::Indexed { index, palette, .. } => palette.colours[index[i] as usize],
            Pixels::Rgb(rgb) => Rgb(rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2]),
        }
    }

    /// Paints the pixels `range` (row-major, within one row) with `c`.
    fn paint(&mut self, range: std::ops::Range<usize>, c: Rgb) {
        if let Pixels::Indexed { index, palette, .. } = &mut self.pixels {
            if let Some(i) = palette.index(c) {
                index[range].fill(i);
                return;
            }
            self.outgrow_palette();
        }
        if let Pixels::Rgb(rgb) = &mut self.pixels {
            for px in rgb[range.start * 3..range.end * 3].chunks_exact_mut(3) {
                px.copy_from_slice(&[c.0, c.1, c.2]);
            }
        }
    }

    /// From palette indices to RGB: the page has outgrown its palette.
    fn outgrow_palette(&mut self) {
        if let Pixels::Indexed { index, palette, .. } = &self.pixels {
            let rgb = index
                .iter()
                .flat_map(|&i| {
                    let c = palette.colours[i as usize];
                    [c.0, c.1, c.2]
                })
                .collect();
            self.pixels = Pixels::Rgb(rgb);
        }
    }

    /// Blends `c` over pixel (x, y) at coverage `a` (0-255), rounded to a
    /// coverage level.
    fn blend_coverage(&mut self, x: i64, y: i64, c: Rgb, a: u8) {
        if x < 0 || y < 0 || x >= self.width as i64 || y >= self.height as i64 {
            return;
        }
        let a = quantise(a);
        if a == 0 {
            return;
        }
        let i = y as usize * self.width + x as usize;
        let new = if a == 255 { c } else { mix(self.get(i), c, a) };
        self.paint(i..i + 1, new);
    }

    /// Blends `c` over pixel (x, y) with `alpha` from 0 to 1.
    fn blend(&mut self, x: i64, y: i64, c: Rgb, alpha: f32) {
        self.blend_coverage(x, y, c, (alpha.clamp(0.0, 1.0) * 255.0).round() as u8);
    }

    /// Draws a glyph's coverage image (`w` wide, row by row) in `c` with its
    /// top left corner at pixel (x0, y0).
    fn glyph(&mut self, x0: i64, y0: i64, w: usize, cov: &[u8], c: Rgb) {
        let (width, height) = (self.width as i64, self.height as i64);
        let h = (cov.len() / w.max(1)) as i64;
        // The part of the glyph on the page.
        let (cx0, cx1) = ((-x0).clamp(0, w as i64), (width - x0).clamp(0, w as i64));
        let (cy0, cy1) = ((-y0).clamp(0, h), (height - y0).clamp(0, h));
        let at = |gx: i64, gy: i64| ((y0 + gy) * width + x0 + gx) as usize;
        // Where an RGB page starts drawing: the whole glyph, or the rest of it
        // from the pixel that took a palette page past 256 colours.
        let mut from = (cy0, cx0);
        if let Pixels::Indexed {
            index,
            palette,
            blends,
        } = &mut self.pixels
        {
            let t = match blends.iter().position(|(k, _)| *k == c) {
                Some(t) => t,
                None => {
                    blends.push((c, vec![UNKNOWN; 256 * LEVELS as usize]));
                    blends.len() - 1
                }
            };
            let table = &mut blends[t].1;
            let mut overflow = None;
            'rows: for gy in cy0..cy1 {
                let row = &cov[gy as usize * w..];
                for gx in cx0..cx1 {
                    let l = level(row[gx as usize]);
                    if l == 0 {
                        continue;
                    }
                    let i = at(gx, gy);
                    let old = index[i];
                    let slot = old as usize * LEVELS as usize + l as usize;
                    if table[slot] == UNKNOWN {
                        let mixed = mix(palette.colours[old as usize], c, (l * STEP) as u8);
                        match palette.index(mixed) {
                            Some(n) => table[slot] = n as u16,
                            None => {
                                overflow = Some((gy, gx));
                                break 'rows;
                            }
                        }
                    }
                    index[i] = table[slot] as u8;
                }
            }
            match overflow {
                None => return,
                Some(p) => from = p,
            }
            self.outgrow_palette();
        }
        for gy in from.0..cy1 {
            let first = if gy == from.0 { from.1 } else { cx0 };
            for gx in first..cx1 {
                self.blend_coverage(x0 + gx, y0 + gy, c, cov[gy as usize * w + gx as usize]);
            }
        }
    }

    /// Fills the rectangle [x0, x1) × [y0, y1) (pixels, fractional), with partial
    /// coverage at its edges.
    fn fill(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, c: Rgb) {
        let (px0, py0) = (x0.floor().max(0.0) as i64, y0.floor().max(0.0) as i64);
        let (px1, py1) = (
            x1.ceil().min(self.width as f32) as i64,
            y1.ceil().min(self.height as f32) as i64,
        );
        // Whole pixels inside the block, column-wise.
        let (ix0, ix1) = (
            (x0.ceil() as i64).clamp(px0, px1),
            (x1.floor() as i64)
                .clamp(px0, px1)
                .max((x0.ceil() as i64).clamp(px0, px1)),
        );
        for y in py0..py1 {
            let cy = (y1.min(y as f32 + 1.0) - y0.max(y as f32)).clamp(0.0, 1.0);
            for x in (px0..ix0).chain(ix1..px1) {
                let cx = (x1.min(x as f32 + 1.0) - x0.max(x as f32)).clamp(0.0, 1.0);
                self.blend(x, y, c, cx * cy);
            }
            if cy >= 0.999 {
                // Inside the block: the colour itself, no blending.
                let row = y as usize * self.width;
                self.paint(row + ix0 as usize..row + ix1 as usize, c);
            } else {
                for x in ix0..ix1 {
                    self.blend(x, y, c, cy);
                }
            }
        }
    }

    /// Encodes as PNG (deterministic: no dates, no text chunks).
    pub fn png(&self) -> Result<Vec<u8>, String> {
        // A page packs to some 40-60 KB: room for that at once, not by doubling.
        let mut out = Vec::with_capacity(64 << 10);
        let mut enc = png::Encoder::new(&mut out, self.width as u32, self.height as u32);
        enc.set_depth(png::BitDepth::Eight);
        let data = match &self.pixels {
            Pixels::Indexed { index, palette, .. } => {
                enc.set_color(png::ColorType::Indexed);
                enc.set_palette(
                    palette
                        .colours
                        .iter()
                        .flat_map(|c| [c.0, c.1, c.2])
                        .collect::<Vec<u8>>(),
                );
                // Previews are looked at, not archived. fdeflate with the Up
                // filter packs a leaflet page's indices in 0.12 ms to 42 KB;
                // zlib level 1 takes 1.0 ms (33 KB), and 1.45 ms (58 KB) for
                // the same page in RGB.
                enc.set_deflate_compression(png::DeflateCompression::FdeflateUltraFast);
                enc.set_filter(png::Filter::Up);
                index
            }
            Pixels::Rgb(rgb) => {
                // Rare (a page of more than 256 colours): mostly flat colour,
                // which zlib packs well unfiltered.
                enc.set_color(png::ColorType::Rgb);
                enc.set_deflate_compression(png::DeflateCompression::Level(1));
                enc.set_filter(png::Filter::NoFilter);
                rgb
            }
        };
        let mut w = enc
            .write_header()
            .map_err(|e| format!("cannot write preview: {e}"))?;
        w.write_image_data(data)
            .map_err(|e| format!("cannot write preview: {e}"))?;
        w.finish()
            .map_err(|e| format!("cannot write preview: {e}"))?;
        Ok(out)
    }
}

/// A glyph's image: fontdue's metrics and coverage bytes.
type GlyphImage = std::sync::Arc<(fontdue::Metrics, Vec<u8>)>;

/// (face digest, original glyph id, size in px) -> image.
type GlyphKey = ([u8; 32], u16, u32);

/// Glyph images already drawn, shared by jobs: a batch draws the same
/// letters at the same sizes in every preview.
struct Drawn;

impl Kind for Drawn {
    type Key = GlyphKey;
    type Value = GlyphImage;
    fn cost(_: &GlyphKey, value: &GlyphImage) -> usize {
        96 + value.1.len()
    }
}

/// A glyph's outline as fontdue holds it: the parse it is in, and its id there.
type Outline = (std::sync::Arc<fontdue::Font>, u16);

/// Glyph outlines parsed before, by (face digest, original glyph id): an
/// outline serves every size, so each glyph is parsed once however many jobs
/// and sizes draw it.
struct Outlined;

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
    subsets: &'a Subsets,
    caches: &'a Caches,
    /// FxHash: a lookup per glyph drawn.
    images: rustc_hash::FxHashMap<(FaceId, u16, u32), GlyphImage>,
}

impl<'a> Glyphs<'a> {
    pub fn new(subsets: &'a Subsets, caches: &'a Caches) -> Glyphs<'a> {
        Glyphs {
            subsets,
            caches,
            images: Default::default(),
        }
    }

    fn get(&mut self, face: FaceId, gid: u16, size_px: f32) -> Option<GlyphImage> {
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
fn size_px(size_pt: f32, dpi: f32) -> f32 {
    size_pt * (dpi / 72.0)
}

/// Parses the outlines of the subset's glyphs that this process has not parsed
/// yet (`gid` among them), keeps them in `outlined`, and returns `gid`'s.
/// fontdue outlines every glyph a font's character map reaches when it parses
/// it: parsing each job's whole subsets was a tenth of a build's time.
fn parse_missing(subset: &Subset, gid: u16, caches: &Caches) -> Option<Outline> {
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
fn with_glyph_cmap(font: &[u8], local: &[u16]) -> Option<Vec<u8>> {
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

/// Draws one page at `dpi`.
pub fn rasterise(page: &Page, variant: Variant, glyphs: &mut Glyphs, dpi: f32) -> Raster {
    let s = size_px(1.0, dpi);
    let off = page.bleed + page.slug;
    let (w_pt, h_pt) = (page.width + 2.0 * off, page.height + 2.0 * off);
    let spare = glyphs.caches.spare::<PixelBuffer>().map(|b| b.0);
    let mut r = Raster::new(
        (w_pt * s).round() as usize,
        (h_pt * s).round() as usize,
        spare.unwrap_or_default(),
    );
    let px = |x: f32| (x + off) * s;
    let mut images: HashMap<usize, Option<Decoded>> = HashMap::new();
    for item in &page.items {
        match item {
            Item::Rect { x, y, w, h, colour } => {
                r.fill(px(*x), px(*y), px(x + w), px(y + h), colour.rgb)
            }
            Item::Image { x, y, w, h, png } => {
                let key = png.as_ptr() as usize;
                let img = images.entry(key).or_insert_with(|| decode(png));
                if let Some((iw, ih, pixels)) = img {
                    let (x0, y0, x1, y1) = (px(*x), px(*y), px(x + w), px(y + h));
                    for yy in y0.floor() as i64..y1.ceil() as i64 {
                        for xx in x0.floor() as i64..x1.ceil() as i64 {
                            let u = (((xx as f32 + 0.5 - x0) / (x1 - x0)) * *iw as f32)
                                .clamp(0.0, *iw as f32 - 1.0)
                                as usize;
                            let v = (((yy as f32 + 0.5 - y0) / (y1 - y0)) * *ih as f32)
                                .clamp(0.0, *ih as f32 - 1.0)
                                as usize;
                            let p = pixels[v * *iw + u];
                            r.blend(xx, yy, Rgb(p[0], p[1], p[2]), p[3] as f32 / 255.0);
                        }
                    }
                }
            }
            Item::Text(run) => {
                let size_px = size_px(run.size, dpi);
                let baseline = px(run.baseline);
                for g in run.glyphs.iter() {
                    let Some(image) = glyphs.get(run.face, g.id, size_px) else {
                        continue;
                    };
                    let (m, cov) = &*image;
                    if m.width == 0 {
                        continue;
                    }
                    let ox = px(run.x + g.x).round() as i64 + m.xmin as i64;
                    let oy = baseline.round() as i64 - m.ymin as i64 - m.height as i64;
                    r.glyph(ox, oy, m.width, cov, run.colour.rgb);
                }
            }
        }
    }
    if variant == Variant::Print {
        // Marks in registration colour, as a PDF viewer shows them.
        for m in &page.marks {
            let (x0, y0, x1, y1) = (px(m.x1), px(m.y1), px(m.x2), px(m.y2));
            let lw = (crate::pages::MARK_WIDTH * s).max(1.0);
            r.fill(
                x0.min(x1) - lw / 2.0,
                y0.min(y1) - lw / 2.0,
                x0.max(x1) + lw / 2.0,
                y0.max(y1) + lw / 2.0,
                Rgb(0, 0, 0),
            );
        }
    }
    r
}

/// A decoded image: width, height and RGBA pixels.
type Decoded = (usize, usize, Vec<[u8; 4]>);

/// Decodes a PNG (the logo) to RGBA pixels.
fn decode(bytes: &[u8]) -> Option<Decoded> {
    let dec = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = dec.read_info().ok()?;
    let mut buf = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut buf).ok()?;
    let (w, h) = (info.width as usize, info.height as usize);
    let data = &buf[..info.buffer_size()];
    let px: Vec<[u8; 4]> = match (info.color_type, info.bit_depth) {
        (png::ColorType::Rgb, png::BitDepth::Eight) => data
            .chunks_exact(3)
            .map(|c| [c[0], c[1], c[2], 255])
            .collect(),
        (png::ColorType::Rgba, png::BitDepth::Eight) => data
            .chunks_exact(4)
            .map(|c| [c[0], c[1], c[2], c[3]])
            .collect(),
        (png::ColorType::Grayscale, png::BitDepth::Eight) => {
            data.iter().map(|&g| [g, g, g, 255]).collect()
        }
        (png::ColorType::GrayscaleAlpha, png::BitDepth::Eight) => data
            .chunks_exact(2)
            .map(|c| [c[0], c[0], c[0], c[1]])
            .collect(),
        _ => return None,
    };
    Some((w, h, px))
}

/// PNG previews of every page.
pub fn previews(
    pages: &Pages,
    subsets: &Subsets,
    dpi: f32,
    caches: &Caches,
) -> Result<Vec<Vec<u8>>, String> {
    let mut glyphs = Glyphs::new(subsets, caches);
    pages
        .pages
        .iter()
        .map(|p| {
            let r = rasterise(p, pages.variant, &mut glyphs, dpi);
            let png = r.png();
            if let Pixels::Indexed { index, .. } = r.pixels {
                caches.keep_spare(PixelBuffer(index));
            }
            png
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::{Colour, Glyph, GlyphRun};
    use crate::units::Cmyk;

    /// Draws `p` as a job would: from the subsets of the fonts it uses.
    fn draw(p: &Page, dpi: f32) -> Raster {
        draw_with(p, dpi, &Caches::default())
    }

    /// Like `draw`, with the glyphs and outlines earlier drawings left in `caches`.
    fn draw_with(p: &Page, dpi: f32, caches: &Caches) -> Raster {
        let book = book();
        let pages = Pages {
            layout: "test".into(),
            title: "test".into(),
            author: String::new(),
            language: "en".into(),
            variant: Variant::Screen,
            pages: vec![p.clone()],
            warnings: Vec::new(),
        };
        let subsets = super::super::subset::subset_fonts(&pages, &book, caches).unwrap();
        rasterise(p, Variant::Screen, &mut Glyphs::new(&subsets, caches), dpi)
    }

    fn book() -> crate::fonts::FontBook {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let src = crate::source::SourceFile::read(&root.join("layouts/brand.yaml")).unwrap();
        let brand: crate::layout::Brand = src.parse().unwrap();
        crate::fonts::FontBook::load(&brand, &src, &root.join("fonts")).unwrap()
    }

    fn colour(rgb: Rgb) -> Colour {
        Colour {
            cmyk: Cmyk {
                c: 0.0,
                m: 0.0,
                y: 0.0,
                k: 100.0,
            },
            rgb,
        }
    }

    /// A block of colour `c`, in points.
    fn rect(x: f32, y: f32, w: f32, h: f32, c: Rgb) -> Item {
        Item::Rect {
            x,
            y,
            w,
            h,
            colour: colour(c),
        }
    }

    fn page(items: Vec<Item>) -> Page {
        Page {
            width: 72.0,
            height: 72.0,
            bleed: 0.0,
            slug: 0.0,
            items,
            marks: Vec::new(),
            links: Vec::new(),
        }
    }

    #[test]
    fn colour_blocks_are_exact() {
        let p = page(vec![rect(18.0, 18.0, 36.0, 18.0, Rgb(0x00, 0x53, 0x7F))]);
        let r = draw(&p, 144.0);
        assert_eq!((r.width, r.height), (144, 144));
        // 18 pt at 144 dpi is pixel 36; the block covers x 36..108, y 36..72.
        assert_eq!(r.pixel(36, 36), [0x00, 0x53, 0x7F]);
        assert_eq!(r.pixel(107, 71), [0x00, 0x53, 0x7F]);
        assert_eq!(r.pixel(35, 36), [255, 255, 255]);
        assert_eq!(r.pixel(108, 50), [255, 255, 255]);
        assert_eq!(r.pixel(60, 72), [255, 255, 255]);
    }

    /// An H at 36 pt in `c`, its origin at x 10, on the baseline at y 50.
    fn letter_h(c: Rgb) -> Item {
        let gid = book().face(0).shaper().glyph_index('H').unwrap().0;
        Item::Text(GlyphRun {
            face: 0,
            size: 36.0,
            colour: colour(c),
            x: 10.0,
            baseline: 50.0,
            glyphs: vec![Glyph {
                id: gid,
                x: 0.0,
                text: "H".into(),
            }]
            .into(),
            width: 20.0,
            actual: Vec::new(),
        })
    }

    /// A run of `text` (one glyph per letter, no shaping) in face 0.
    fn word(text: &str, size: f32, x: f32) -> Item {
        let face = book();
        let glyphs: Vec<Glyph> = text
            .chars()
            .enumerate()
            .map(|(i, ch)| Glyph {
                id: face.face(0).shaper().glyph_index(ch).unwrap().0,
                x: i as f32 * size * 0.7,
                text: ch.to_string().as_str().into(),
            })
            .collect();
        Item::Text(GlyphRun {
            face: 0,
            size,
            colour: colour(Rgb(0, 0, 0)),
            x,
            baseline: 60.0,
            glyphs: glyphs.into(),
            width: text.len() as f32 * size * 0.7,
            actual: Vec::new(),
        })
    }

    #[test]
    fn a_page_draws_alike_whatever_earlier_jobs_drew() {
        // Only outlines no job has parsed are parsed, and images no job drew
        // drawn; a page must not lose any glyph, at any size, whatever an
        // earlier page left behind.
        let later = page(vec![word("HIx", 12.0, 2.0), word("Hx", 20.0, 30.0)]);
        let earlier = page(vec![word("HH", 12.0, 2.0), word("x", 20.0, 30.0)]);
        let alone = draw(&later, 72.0);
        let caches = Caches::default();
        draw_with(&earlier, 72.0, &caches);
        let after = draw_with(&later, 72.0, &caches);
        let dark = |r: &Raster| {
            (0..r.height)
                .flat_map(|y| (0..r.width).map(move |x| (x, y)))
                .filter(|&(x, y)| r.pixel(x, y)[0] < 128)
                .count()
        };
        assert!(dark(&alone) > 100, "five letters are drawn");
        assert!(alone.pixels == after.pixels);
    }

    #[test]
    fn a_glyph_lights_the_pixels_where_it_is_placed() {
        let r = draw(&page(vec![letter_h(Rgb(0, 0, 0))]), 72.0);
        // Dark pixels only inside the H's box: from x 10 (plus side bearing) and
        // from the cap height down to the baseline at y 50.
        let dark: Vec<(usize, usize)> = (0..72)
            .flat_map(|y| (0..72).map(move |x| (x, y)))
            .filter(|&(x, y)| r.pixel(x, y)[0] < 128)
            .collect();
        assert!(!dark.is_empty());
        let (xmin, xmax) = (
            dark.iter().map(|p| p.0).min().unwrap(),
            dark.iter().map(|p| p.0).max().unwrap(),
        );
        let (ymin, ymax) = (
            dark.iter().map(|p| p.1).min().unwrap(),
            dark.iter().map(|p| p.1).max().unwrap(),
        );
        assert!((10..=16).contains(&xmin), "{xmin}");
        assert!((30..=40).contains(&xmax), "{xmax}");
        assert!((22..=28).contains(&ymin), "cap height of a 36 pt H: {ymin}");
        assert_eq!(ymax, 49, "the H stands on the baseline");
        // The H's crossbar is dark at its middle; the counter above it is not.
        let mid_x = (xmin + xmax) / 2;
        assert!(
            r.pixel(mid_x, (ymin + ymax) / 2)[0] < 128
                || r.pixel(mid_x, (ymin + ymax) / 2 + 1)[0] < 128
        );
        assert!(r.pixel(mid_x, ymin + 3)[0] > 200);
    }

    /// Reads a PNG back: its colour type and RGB pixels.
    fn decoded(png: &[u8]) -> (png::ColorType, Vec<u8>) {
        let mut dec = png::Decoder::new(std::io::Cursor::new(png));
        dec.set_transformations(png::Transformations::EXPAND);
        let mut r = dec.read_info().unwrap();
        let kind = r.info().color_type;
        let mut buf = vec![0; r.output_buffer_size().unwrap()];
        let info = r.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        (kind, buf)
    }

    #[test]
    fn a_page_of_few_colours_is_a_palette_image_of_the_same_pixels() {
        let p = page(vec![rect(10.3, 10.6, 30.0, 20.0, Rgb(0x00, 0x53, 0x7F))]);
        let r = draw(&p, 72.0);
        let (kind, rgb) = decoded(&r.png().unwrap());
        assert_eq!(kind, png::ColorType::Indexed);
        for (i, px) in rgb.chunks_exact(3).enumerate() {
            assert_eq!(px, r.pixel(i % 72, i / 72), "pixel {i}");
        }
        // The block's edges are partly covered: blends of blue over white.
        assert_ne!(r.pixel(10, 20), [255, 255, 255]);
        assert_ne!(r.pixel(10, 20), [0x00, 0x53, 0x7F]);
    }

    #[test]
    fn a_page_of_more_than_256_colours_keeps_every_colour() {
        // 300 one-pixel blocks, each its own colour, drawn at 72 dpi.
        let items = (0..300u32)
            .map(|i| Item::Rect {
                x: (i % 20) as f32,
                y: (i / 20) as f32,
                w: 1.0,
                h: 1.0,
                colour: colour(Rgb(i as u8, (i >> 8) as u8, 7)),
            })
            .collect();
        let r = draw(&page(items), 72.0);
        let (kind, rgb) = decoded(&r.png().unwrap());
        assert_eq!(kind, png::ColorType::Rgb);
        for i in 0..300u32 {
            let (x, y) = ((i % 20) as usize, (i / 20) as usize);
            assert_eq!(r.pixel(x, y), [i as u8, (i >> 8) as u8, 7]);
            let at = (y * 72 + x) * 3;
            assert_eq!(rgb[at..at + 3], [i as u8, (i >> 8) as u8, 7]);
        }
        assert_eq!(r.pixel(50, 50), [255, 255, 255]);
    }

    #[test]
    fn a_glyph_is_drawn_alike_in_a_palette_page_and_an_rgb_page() {
        let h = letter_h(Rgb(0x00, 0x53, 0x7F));
        // 300 colours in the bottom rows push the second page out of its palette
        // before the H is drawn.
        let mut many: Vec<Item> = (0..300u32)
            .map(|i| Item::Rect {
                x: (i % 72) as f32,
                y: 66.0 + (i / 72) as f32,
                w: 1.0,
                h: 1.0,
                colour: colour(Rgb(i as u8, (i >> 8) as u8, 200)),
            })
            .collect();
        many.push(h.clone());
        let (plain, rich) = (draw(&page(vec![h]), 72.0), draw(&page(many), 72.0));
        assert!(matches!(plain.pixels, Pixels::Indexed { .. }));
        assert!(matches!(rich.pixels, Pixels::Rgb(_)));
        for y in 0..60 {
            for x in 0..72 {
                assert_eq!(plain.pixel(x, y), rich.pixel(x, y), "pixel ({x}, {y})");
            }
        }
        assert!((0..60).any(|y| (0..72).any(|x| plain.pixel(x, y)[0] < 100)));
    }

    #[test]
    fn png_output_is_deterministic() {
        let p = page(vec![rect(0.0, 0.0, 10.0, 10.0, Rgb(1, 2, 3))]);
        let a = draw(&p, 72.0).png().unwrap();
        let b = draw(&p, 72.0).png().unwrap();
        assert_eq!(a, b);
        assert!(a.starts_with(b"\x89PNG"));
    }
}
