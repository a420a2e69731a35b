//! A page's pixels: indices into a palette of at most 256 colours (flat
//! fills, and glyph and block edges at 16 coverage levels), becoming RGB only
//! if a page outgrows the palette; and their encoding as PNG.

use crate::units::Rgb;

/// Coverage (of glyph edges and block edges) is drawn at this many levels, from
/// none to full. At preview resolution 16 levels look as smooth as 256, and
/// they keep a page's colours within a 256-colour palette.
pub(super) const LEVELS: u32 = 16;

/// 255 / (LEVELS - 1): the coverage between two levels.
pub(super) const STEP: u32 = 255 / (LEVELS - 1);

/// The coverage level (0 to LEVELS - 1) nearest to `a` (0-255).
pub(super) fn level(a: u8) -> u32 {
    (a as u32 + STEP / 2) / STEP
}

/// `a` (0-255) rounded to the nearest of the `LEVELS` coverage levels.
pub(super) fn quantise(a: u8) -> u8 {
    (level(a) * STEP) as u8
}

/// `c` over `old` at coverage `a` (0-255), in integers.
pub(super) fn mix(old: Rgb, c: Rgb, a: u8) -> Rgb {
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
    pub(super) pixels: Pixels,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Pixels {
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

pub(super) const UNKNOWN: u16 = u16::MAX;

/// Up to 256 colours and the index of each, found by an open-addressing table
/// (a page looks a colour up for every edge pixel it draws).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Palette {
    pub(super) colours: Vec<Rgb>,
    /// Packed colour, or `EMPTY`; and its index.
    pub(super) slots: Vec<(u32, u8)>,
}

pub(super) const EMPTY: u32 = u32::MAX;

pub(super) const SLOTS: usize = 1024;

impl Palette {
    pub(super) fn new() -> Palette {
        Palette {
            colours: Vec::new(),
            slots: vec![(EMPTY, 0); SLOTS],
        }
    }

    /// The index of `c`, added if new; `None` when the palette is full.
    pub(super) fn index(&mut self, c: Rgb) -> Option<u8> {
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
pub(super) struct PixelBuffer(pub(super) Vec<u8>);

impl Raster {
    /// A white raster, drawn into `index` (a spare buffer, or a new one).
    pub(super) fn new(width: usize, height: usize, mut index: Vec<u8>) -> Raster {
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

    #[cfg(test)]
    pub fn pixel(&self, x: usize, y: usize) -> [u8; 3] {
        let c = self.get(y * self.width + x);
        [c.0, c.1, c.2]
    }

    pub(super) fn get(&self, i: usize) -> Rgb {
        match &self.pixels {
            Pixels::Indexed { index, palette, .. } => palette.colours[index[i] as usize],
            Pixels::Rgb(rgb) => Rgb(rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2]),
        }
    }

    /// Paints the pixels `range` (row-major, within one row) with `c`.
    pub(super) fn paint(&mut self, range: std::ops::Range<usize>, c: Rgb) {
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
    pub(super) fn outgrow_palette(&mut self) {
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
    pub(super) fn blend_coverage(&mut self, x: i64, y: i64, c: Rgb, a: u8) {
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
    pub(super) fn blend(&mut self, x: i64, y: i64, c: Rgb, alpha: f32) {
        self.blend_coverage(x, y, c, (alpha.clamp(0.0, 1.0) * 255.0).round() as u8);
    }

    /// Draws a glyph's coverage image (`w` wide, row by row) in `c` with its
    /// top left corner at pixel (x0, y0).
    pub(super) fn glyph(&mut self, x0: i64, y0: i64, w: usize, cov: &[u8], c: Rgb) {
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
    pub(super) fn fill(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, c: Rgb) {
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
