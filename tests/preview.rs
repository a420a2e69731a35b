//! Previews are drawn from the same pages as the PDF: they must look like the
//! PDF as poppler renders it. Also the contact sheet.

mod common;

use common::{Project, tool};
use std::path::Path;
use std::sync::OnceLock;

struct Img {
    w: usize,
    h: usize,
    rgb: Vec<u8>,
}

fn load(path: &Path) -> Img {
    let mut dec = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    // Previews of few colours are palette images, as any viewer reads them.
    dec.set_transformations(png::Transformations::EXPAND);
    let mut r = dec.read_info().unwrap();
    let mut buf = vec![0; r.output_buffer_size().unwrap()];
    let info = r.next_frame(&mut buf).unwrap();
    let ch = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Grayscale => 1,
        c => panic!("{c:?}"),
    };
    let rgb = buf[..info.buffer_size()]
        .chunks_exact(ch)
        .flat_map(|p| {
            if ch == 1 {
                [p[0], p[0], p[0]]
            } else {
                [p[0], p[1], p[2]]
            }
        })
        .collect();
    Img {
        w: info.width as usize,
        h: info.height as usize,
        rgb,
    }
}

impl Img {
    fn px(&self, x: usize, y: usize) -> [u8; 3] {
        let i = (y * self.w + x) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }
    fn dark(&self, x: usize, y: usize) -> bool {
        let [r, g, b] = self.px(x, y);
        (r as u32 * 299 + g as u32 * 587 + b as u32 * 114) / 1000 < 160
    }
}

fn built() -> &'static Project {
    static P: OnceLock<Project> = OnceLock::new();
    P.get_or_init(|| {
        // At the layouts' own type sizes (`fit: fill` off), where the
        // thresholds below were measured: filled to larger sizes, lines of
        // 17 pt and more come within a pixel of each other at 72 dpi, where
        // one renderer's anti-aliasing joins them and the other's does not.
        let p = Project::shipped();
        for (layout, fill) in [
            (
                "layouts/leaflet.yaml",
                "    fit: fill\n    max-size: 11.5pt\n",
            ),
            (
                "layouts/leaflet.yaml",
                "    fit: fill\n    max-size: 18pt\n",
            ),
            ("layouts/flyer.yaml", "    fit: fill\n    max-size: 15pt\n"),
        ] {
            p.edit(layout, fill, "");
        }
        p.run(&[
            "build", "--for", "print", "--for", "screen", "--lang", "en", "--lang", "ar", "--lang",
            "hi",
        ])
        .ok();
        p
    })
}

/// poppler's rendering of one page at 72 dpi.
fn poppler(pdf: &Path, page: usize) -> Img {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("p");
    tool(
        "pdftoppm",
        &[
            "-r",
            "72",
            "-f",
            &page.to_string(),
            "-l",
            &page.to_string(),
            "-png",
            "-singlefile",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    load(&dir.path().join("p.png"))
}

fn mean_abs_diff(a: &Img, b: &Img) -> f64 {
    let (w, h) = (a.w.min(b.w), a.h.min(b.h));
    let mut sum = 0u64;
    for y in 0..h {
        for x in 0..w {
            let (p, q) = (a.px(x, y), b.px(x, y));
            sum += (0..3)
                .map(|i| (p[i] as i32 - q[i] as i32).unsigned_abs() as u64)
                .sum::<u64>();
        }
    }
    sum as f64 / (w * h * 3) as f64
}

/// Bounding boxes (x0, y0, x1, y1) of the bands of rows holding dark ink, in the
/// part of the page between `top` and `bottom` (pixels).
fn text_lines(img: &Img, top: usize, bottom: usize) -> Vec<(usize, usize, usize, usize)> {
    let mut out = Vec::new();
    let mut band: Option<(usize, usize, usize, usize)> = None;
    for y in top..bottom.min(img.h) {
        let xs: Vec<usize> = (0..img.w).filter(|&x| img.dark(x, y)).collect();
        match (xs.is_empty(), band.as_mut()) {
            (false, Some(b)) => {
                b.0 = b.0.min(xs[0]);
                b.2 = b.2.max(*xs.last().unwrap());
                b.3 = y;
            }
            (false, None) => band = Some((xs[0], y, *xs.last().unwrap(), y)),
            // A blank row inside a line (above an i's dot) does not end it.
            (true, Some(b))
                if y == b.3 + 1 && y + 1 < img.h && (0..img.w).any(|x| img.dark(x, y + 1)) => {}
            (true, Some(_)) => out.push(band.take().unwrap()),
            (true, None) => {}
        }
    }
    out.extend(band);
    out
}

fn compare(pdf: &str, preview: &str, page: usize, band: (usize, usize)) -> (f64, usize) {
    compare_in("en", pdf, preview, page, band, 1)
}

fn compare_in(
    lang: &str,
    pdf: &str,
    preview: &str,
    page: usize,
    band: (usize, usize),
    px: usize,
) -> (f64, usize) {
    let p = built();
    let ours = load(&p.file(&format!("out/{lang}/{preview}")));
    let theirs = poppler(&p.file(&format!("out/{lang}/{pdf}")), page);
    assert!(
        ours.w.abs_diff(theirs.w) <= 1 && ours.h.abs_diff(theirs.h) <= 1,
        "{}x{} vs {}x{}",
        ours.w,
        ours.h,
        theirs.w,
        theirs.h
    );
    let diff = mean_abs_diff(&ours, &theirs);
    let (a, b) = (
        text_lines(&ours, band.0, band.1),
        text_lines(&theirs, band.0, band.1),
    );
    assert_eq!(a.len(), b.len(), "{pdf}: text lines {a:?} vs {b:?}");
    for (x, y) in a.iter().zip(&b) {
        for (u, v) in [(x.0, y.0), (x.1, y.1), (x.2, y.2), (x.3, y.3)] {
            assert!(
                u.abs_diff(v) <= px,
                "{pdf}: text line {x:?} vs poppler's {y:?}"
            );
        }
    }
    eprintln!(
        "{lang}/{preview}: mean absolute difference {diff:.2} per channel, {} text lines matched within {px} px",
        a.len()
    );
    (diff, a.len())
}

#[test]
fn screen_previews_match_poppler() {
    // The flyer's body (below the band, above the footer) and the leaflet inside.
    let (d, n) = compare(
        "flyer-workforce-screen.pdf",
        "flyer-workforce-screen.p1.png",
        1,
        (230, 740),
    );
    // Thresholds from measurement: glyph edges are anti-aliased differently by
    // fontdue and poppler; everything else is the same to the pixel.
    assert!(n >= 10);
    assert!(d < 6.0, "mean difference {d}");
    let (d, n) = compare(
        "leaflet-donors-government-screen.pdf",
        "leaflet-donors-government-screen.p2.png",
        2,
        (20, 575),
    );
    assert!(n >= 10);
    assert!(d < 6.0, "mean difference {d}");
    let (d, _) = compare(
        "leaflet-donors-government-screen.pdf",
        "leaflet-donors-government-screen.p1.png",
        1,
        (20, 575),
    );
    assert!(d < 6.0, "mean difference {d}");
}

#[test]
fn arabic_and_hindi_previews_match_poppler() {
    // The same glyphs as the PDF: joined Arabic set right to left on a
    // mirrored sheet, Devanagari conjuncts and vowel signs. Lines are matched
    // within 2 px: the thin marks above and below (harakat, vowel signs)
    // join lines into bands whose faintest anti-aliased rows fall either
    // side of the threshold in fontdue and in poppler (measured: 2 px).
    for lang in ["ar", "hi"] {
        let (d, n) = compare_in(
            lang,
            "leaflet-donors-government-screen.pdf",
            "leaflet-donors-government-screen.p2.png",
            2,
            (125, 575),
            2,
        );
        assert!(n >= 10, "{lang}: {n} lines");
        assert!(d < 6.0, "{lang}: mean difference {d}");
        let (d, n) = compare_in(
            lang,
            "flyer-workforce-screen.pdf",
            "flyer-workforce-screen.p1.png",
            1,
            (230, 740),
            2,
        );
        assert!(n >= 8, "{lang}: {n} lines");
        assert!(d < 6.0, "{lang}: mean difference {d}");
    }
}

#[test]
fn print_previews_match_poppler() {
    // Print pages include the bleed and marks; the brand colours are shown in
    // their sRGB equivalents, which poppler's own CMYK conversion does not give
    // exactly, so the threshold is looser (set from measurement).
    let (d, n) = compare(
        "flyer-workforce.pdf",
        "flyer-workforce.p1.png",
        1,
        (255, 760),
    );
    assert!(n >= 10);
    assert!(d < 7.5, "mean difference {d}");
    let (d, n) = compare(
        "leaflet-workforce.pdf",
        "leaflet-workforce.p2.png",
        2,
        (45, 620),
    );
    assert!(n >= 10);
    assert!(d < 7.5, "mean difference {d}");
}

#[test]
fn the_manifest_lists_previews_and_the_contact_sheet_links_everything() {
    let p = built();
    let m: leafpress::Manifest = serde_json::from_str(&p.read("out/manifest.json")).unwrap();
    let leaflet = m
        .outputs
        .iter()
        .find(|r| r.path == "en/leaflet-workforce.pdf")
        .unwrap();
    assert_eq!(
        leaflet.previews,
        ["en/leaflet-workforce.p1.png", "en/leaflet-workforce.p2.png"]
    );
    for r in &m.outputs {
        for pv in &r.previews {
            assert!(p.file("out").join(pv).is_file(), "{pv}");
        }
    }
    let html = p.read("out/index.html");
    for r in &m.outputs {
        assert!(
            html.contains(&format!("href=\"{}\"", r.path)),
            "links {}",
            r.path
        );
        // Every page, not only the first.
        for pv in &r.previews {
            assert!(html.contains(&format!("src=\"{pv}\"")), "page {pv}");
        }
    }
    // Handouts as an approximate picture of their pages, said to be one.
    let handout = m
        .outputs
        .iter()
        .find(|r| r.path == "en/handout-workforce.docx")
        .unwrap();
    assert!(!handout.previews.is_empty());
    assert!(html.contains("Approximate preview: Word lays out the handout itself"));
    // Audiences and languages by their names.
    assert!(html.contains("<h2>Members of the social service workforce</h2>"));
    assert!(html.contains(">English</p>"));
    // Nothing from the network; its scripts (the filters, and the live
    // review of `leafpress serve`, which does nothing opened from disk) are
    // in the page.
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no network"
    );
    assert_eq!(html.matches("<script").count(), 2);
    assert!(html.contains("if (!/^https?:$/.test(location.protocol)"));
}

#[test]
fn no_preview_skips_them() {
    let p = Project::shipped();
    p.run(&[
        "build",
        "--no-preview",
        "--layout",
        "flyer",
        "--lang",
        "en",
        "--audience",
        "workforce",
    ])
    .ok();
    assert!(!p.file("out/en/flyer-workforce.p1.png").exists());
    p.run(&[
        "build",
        "--force",
        "--preview-dpi",
        "144",
        "--layout",
        "flyer",
        "--lang",
        "en",
        "--audience",
        "workforce",
    ])
    .ok();
    let img = load(&p.file("out/en/flyer-workforce.p1.png"));
    // A4 width plus 3 mm of bleed and the room for crop marks on each side, at 144 dpi.
    assert_eq!(img.w, ((595.28 + 2.0 * 31.18) * 2.0f64).round() as usize);
}
