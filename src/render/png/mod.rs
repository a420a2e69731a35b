//! The preview writer: draws positioned `Pages` as PNG images (`raster`),
//! glyphs from the job's font subsets (`glyphs`), so a preview shows what
//! prints: text, colour blocks, the logo, and on print files the bleed and
//! crop marks.

mod glyphs;
mod raster;

use super::subset::Subsets;
use crate::cache::Caches;
use crate::pages::{Item, Page, Pages};
use crate::picture::{Format, Picture};
use crate::plan::Variant;
use crate::units::Rgb;
use glyphs::{Glyphs, size_px};
use raster::{PixelBuffer, Pixels, Raster};

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
    for item in &page.items {
        match item {
            Item::Rect { x, y, w, h, colour } => {
                r.fill(px(*x), px(*y), px(x + w), px(y + h), colour.rgb)
            }
            Item::Qr {
                modules, colour, ..
            } => {
                for m in modules {
                    r.fill(px(m.x), px(m.y), px(m.x + m.w), px(m.y + m.h), colour.rgb)
                }
            }
            Item::Image {
                area,
                placed,
                picture,
                ..
            } => {
                if let Some(levels) = decoded(picture, glyphs.caches) {
                    // The smallest level still as wide as the picture is drawn.
                    let across = placed.w * s;
                    let img = levels
                        .iter()
                        .take_while(|l| l.0 as f32 >= across)
                        .last()
                        .unwrap_or(&levels[0]);
                    let (x0, y0) = (px(area.x), px(area.y));
                    let (x1, y1) = (px(area.x + area.w), px(area.y + area.h));
                    let to_u = |xx: f32| (xx - px(placed.x)) / (placed.w * s) * img.0 as f32;
                    let to_v = |yy: f32| (yy - px(placed.y)) / (placed.h * s) * img.1 as f32;
                    for yy in y0.floor() as i64..y1.ceil() as i64 {
                        let (v0, v1) = (to_v(yy as f32), to_v(yy as f32 + 1.0));
                        for xx in x0.floor() as i64..x1.ceil() as i64 {
                            let (u0, u1) = (to_u(xx as f32), to_u(xx as f32 + 1.0));
                            let p = average(img, u0, u1, v0, v1);
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
        // Marks in registration colour, as a PDF viewer shows them: fold
        // marks dashed as the PDF draws them.
        for m in &page.marks {
            let (x0, y0, x1, y1) = (px(m.x1), px(m.y1), px(m.x2), px(m.y2));
            let lw = (crate::pages::MARK_WIDTH * s).max(1.0);
            let len = ((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt();
            let dashes: Vec<(f32, f32)> = match m.kind {
                crate::pages::MarkKind::Crop => vec![(0.0, 1.0)],
                crate::pages::MarkKind::Fold => {
                    let (on, off) = crate::pages::FOLD_DASH;
                    let (on, period) = (on * s / len, (on + off) * s / len);
                    (0..)
                        .map(|i| i as f32 * period)
                        .take_while(|t| *t < 1.0)
                        .map(|t| (t, (t + on).min(1.0)))
                        .collect()
                }
            };
            for (a, b) in dashes {
                let (ax, ay) = (x0 + (x1 - x0) * a, y0 + (y1 - y0) * a);
                let (bx, by) = (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b);
                r.fill(
                    ax.min(bx) - lw / 2.0,
                    ay.min(by) - lw / 2.0,
                    ax.max(bx) + lw / 2.0,
                    ay.max(by) + lw / 2.0,
                    Rgb(0, 0, 0),
                );
            }
        }
    }
    r
}

/// A decoded image: width, height and RGBA pixels.
type Decoded = (usize, usize, Vec<[u8; 4]>);

/// Pictures decoded before, by their digest: every preview of a batch shows
/// the content's picture, and decoding it was most of a preview's work.
struct DecodedPictures;

impl crate::cache::Kind for DecodedPictures {
    type Key = [u8; 32];
    type Value = std::sync::Arc<Vec<Decoded>>;
    fn cost(_: &[u8; 32], value: &std::sync::Arc<Vec<Decoded>>) -> usize {
        value.iter().map(|l| l.2.len() * 4).sum::<usize>() + 64
    }
}

/// `picture`'s pixels, decoded once per batch, at full size and then halved
/// level by level down to a few dozen pixels: a preview averages the level
/// nearest its own scale, a few pixels per dot rather than every pixel of a
/// photograph (which made a preview of the shipped cover cost more than its
/// PDF).
fn decoded(picture: &Picture, caches: &Caches) -> Option<std::sync::Arc<Vec<Decoded>>> {
    caches
        .try_get_or_make::<DecodedPictures, ()>(picture.digest, |_| {
            let full = match picture.format {
                Format::Png => decode(&picture.bytes),
                Format::Jpeg => picture.decode_rgb().ok().map(|rgb| {
                    let px = rgb.chunks_exact(3).map(|c| [c[0], c[1], c[2], 255]);
                    (
                        picture.width as usize,
                        picture.height as usize,
                        px.collect(),
                    )
                }),
            };
            let mut levels = vec![full.ok_or(())?];
            while let Some(l) = levels.last().filter(|l| l.0 > 32 && l.1 > 32) {
                let half = halved(l);
                levels.push(half);
            }
            // Only levels up to 1,024 pixels wide are kept: a preview shows a
            // picture smaller than that (a whole A4 page is 842 pixels at the
            // default 72 dpi), and a photograph's full size would crowd the
            // other caches out under their bound (and be decoded again).
            let first = levels.iter().position(|l| l.0 <= 1024).unwrap_or(0);
            levels.drain(..first);
            Ok(std::sync::Arc::new(levels))
        })
        .ok()
}

/// `img` at half its size, each pixel the mean of the two by two it covers.
fn halved(img: &Decoded) -> Decoded {
    let (w, h) = (img.0.div_ceil(2), img.1.div_ceil(2));
    let at = |x: usize, y: usize| img.2[y.min(img.1 - 1) * img.0 + x.min(img.0 - 1)];
    let mut px = Vec::with_capacity(w * h);
    for y in 0..h {
        for x in 0..w {
            let four = [
                at(2 * x, 2 * y),
                at(2 * x + 1, 2 * y),
                at(2 * x, 2 * y + 1),
                at(2 * x + 1, 2 * y + 1),
            ];
            px.push(
                [0, 1, 2, 3].map(|c| (four.iter().map(|p| p[c] as u32).sum::<u32>() / 4) as u8),
            );
        }
    }
    (w, h, px)
}

/// The mean of the pixels of `img` under a preview pixel, which covers
/// `[u0, u1)` × `[v0, v1)` of it: a picture shrunk to a preview keeps its
/// tones (one pixel picked in ten would shimmer).
fn average(img: &Decoded, u0: f32, u1: f32, v0: f32, v1: f32) -> [u8; 4] {
    let (w, h, px) = (img.0 as i64, img.1 as i64, &img.2);
    let span = |a: f32, b: f32, n: i64| {
        let lo = (a.floor() as i64).clamp(0, n - 1);
        (lo, (b.ceil() as i64).clamp(lo + 1, n))
    };
    let ((ua, ub), (va, vb)) = (span(u0, u1, w), span(v0, v1, h));
    let mut sum = [0u64; 4];
    for v in va..vb {
        for p in &px[(v * w + ua) as usize..(v * w + ub) as usize] {
            for (s, c) in sum.iter_mut().zip(p) {
                *s += *c as u64;
            }
        }
    }
    let n = ((ub - ua) * (vb - va)) as u64;
    sum.map(|s| (s / n) as u8)
}

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
            blocks: Vec::new(),
            warnings: Vec::new(),
            sizes: Vec::new(),
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
            panels: Vec::new(),
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
            links: Vec::new(),
            tag: crate::pages::Tag::Artifact,
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
            links: Vec::new(),
            tag: crate::pages::Tag::Artifact,
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
