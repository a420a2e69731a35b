//! QR codes and the organisation's contact details: every shipped leaflet and
//! flyer, in every language, print and screen, carries a code that a reader
//! (`zbarimg`, from Debian's `zbar-tools`) decodes to the organisation's
//! exact address from a 300 dpi rendering; the code is vectors in black ink
//! alone with its quiet zone, a link on screen; a code too small to scan is a
//! located error; the handout prints the address as a link.

mod common;

use common::{Project, tool};
use leafpress::{Filter, Format, Item, Variant};
use std::path::{Path, PathBuf};

const URL: &str = "https://www.socialserviceworkforce.org";
const MM: f32 = 72.0 / 25.4;

/// The shipped project built for print and screen, in every language.
fn built() -> &'static Project {
    static P: std::sync::OnceLock<Project> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        let p = Project::shipped();
        p.run(&["build", "--for", "print", "--for", "screen", "--no-preview"])
            .ok();
        p
    })
}

fn pdfs(p: &Project) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for lang in ["en", "fr", "ar", "hi"] {
        for e in std::fs::read_dir(p.file(&format!("out/{lang}"))).unwrap() {
            let path = e.unwrap().path();
            if path.extension().is_some_and(|e| e == "pdf") {
                v.push(path);
            }
        }
    }
    v.sort();
    v
}

/// What `zbarimg` reads on the first page of `pdf` rendered at 300 dpi.
fn scan(pdf: &Path, dir: &Path) -> Vec<String> {
    // The language's folder in the name: each language has the same names.
    let lang = pdf.parent().unwrap().file_name().unwrap().to_str().unwrap();
    let stem = dir.join(format!(
        "{lang}-{}",
        pdf.file_stem().unwrap().to_str().unwrap()
    ));
    tool(
        "pdftoppm",
        &[
            "-r",
            "300",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            pdf.to_str().unwrap(),
            stem.to_str().unwrap(),
        ],
    );
    let png = stem.with_extension("png");
    let out = std::process::Command::new("zbarimg")
        .args(["-q", "--raw", png.to_str().unwrap()])
        .output()
        .expect("zbarimg (Debian zbar-tools) is installed by tests/run.sh");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn every_shipped_leaflet_and_flyer_scans_to_the_organisations_address() {
    let p = built();
    let files = pdfs(p);
    assert_eq!(
        files.len(),
        2 * 4 * 6,
        "leaflets and flyers, print and screen, 4 languages"
    );
    let dir = tempfile::tempdir().unwrap();
    // Two at a time: rendering at 300 dpi is most of the test.
    let read: Vec<(PathBuf, Vec<String>)> = std::thread::scope(|s| {
        let halves: Vec<_> = files
            .chunks(files.len().div_ceil(2))
            .map(|part| {
                let dir = dir.path();
                s.spawn(move || {
                    part.iter()
                        .map(|f| (f.clone(), scan(f, dir)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        halves.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    for (file, codes) in &read {
        assert_eq!(codes, &[URL.to_string()], "{file:?}");
    }
    eprintln!("{} files, each one code reading {URL}", read.len());
}

#[test]
fn the_code_is_vectors_in_black_ink_alone_with_its_quiet_zone() {
    let project = common::shipped_project();
    let mut codes = 0;
    for job in leafpress::list(&project, &Filter::default()).unwrap() {
        if job.format != Format::Pdf {
            continue;
        }
        let doc = leafpress::document(&project, &job, false).unwrap().0;
        for variant in [Variant::Print, Variant::Screen] {
            let pages = leafpress::typeset(&project, &doc, variant).unwrap();
            let found: Vec<_> = pages
                .pages
                .iter()
                .flat_map(|pg| pg.items.iter().map(move |i| (pg, i)))
                .filter_map(|(pg, i)| match i {
                    Item::Qr {
                        area,
                        modules,
                        colour,
                        address,
                        ..
                    } => Some((pg, area, modules, colour, address)),
                    _ => None,
                })
                .collect();
            assert_eq!(found.len(), 1, "{} {}: one code", job.layout, job.language);
            let (page, area, modules, colour, address) = found[0];
            codes += 1;
            assert_eq!(address, URL);
            // 100% K for print (not rich black, not registration), black on screen.
            assert_eq!(
                (colour.cmyk.c, colour.cmyk.m, colour.cmyk.y, colour.cmyk.k),
                (0.0, 0.0, 0.0, 100.0)
            );
            assert_eq!((colour.rgb.0, colour.rgb.1, colour.rgb.2), (0, 0, 0));
            assert!(area.w >= 20.0 * MM && (area.w - area.h).abs() < 1e-3);
            // Four light modules on every side: the smallest module (a
            // rectangle one module wide) gives the module's size.
            let module = modules
                .iter()
                .map(|m| m.w.min(m.h))
                .fold(f32::MAX, f32::min);
            let left = modules.iter().map(|m| m.x).fold(f32::MAX, f32::min) - area.x;
            let top = modules.iter().map(|m| m.y).fold(f32::MAX, f32::min) - area.y;
            let right = area.x + area.w - modules.iter().map(|m| m.x + m.w).fold(0.0, f32::max);
            for margin in [left, top, right] {
                assert!(
                    (margin / module - 4.0).abs() < 0.01,
                    "{}: quiet zone {margin} for module {module}",
                    job.layout
                );
            }
            // Merged into rectangles, far fewer than modules.
            let cells: f32 = modules
                .iter()
                .map(|m| (m.w / module) * (m.h / module))
                .sum();
            assert!(
                (modules.len() as f32) < cells / 2.0,
                "{} rectangles",
                modules.len()
            );
            // Inside its panel and on the page.
            assert!(page.panels.iter().any(|pa| {
                let c = &pa.content;
                area.x >= c.x - 0.01
                    && area.x + area.w <= c.x + c.w + 0.01
                    && area.y >= c.y - 0.01
                    && area.y + area.h <= c.y + c.h + 0.01
            }));
            // On screen it is a link over the code.
            let link = page.links.iter().find(|l| l.uri == URL && l.w == area.w);
            assert_eq!(link.is_some(), variant == Variant::Screen, "{}", job.layout);
        }
    }
    assert_eq!(
        codes,
        2 * 2 * 3 * 4,
        "leaflet and flyer, print and screen, 3 audiences, 4 languages"
    );
}

#[test]
fn the_pdfs_hold_no_picture_for_the_code_and_screen_files_link_it() {
    let p = built();
    // No logo in the shipped brand: a code drawn as a picture would be
    // listed beside the content's picture.
    for f in [
        "out/en/leaflet-workforce.pdf",
        "out/ar/flyer-media-public.pdf",
    ] {
        let list = tool("pdfimages", &["-list", p.file(f).to_str().unwrap()]);
        // The content's picture alone (1600 × 1400 pixels): nothing square.
        let rows: Vec<Vec<&str>> = list
            .lines()
            .skip(2)
            .map(|l| l.split_whitespace().collect())
            .collect();
        assert_eq!(rows.len(), 1, "{f}: {list}");
        assert_eq!(&rows[0][3..5], ["1600", "1400"], "{f}: {list}");
    }
    let doc = lopdf::Document::load(p.file("out/en/flyer-workforce-screen.pdf")).unwrap();
    let page = doc.get_pages()[&1];
    let annots = doc.get_page_annotations(page).unwrap();
    let sizes: Vec<f32> = annots
        .iter()
        .filter(|a| {
            a.get(b"A")
                .and_then(|a| a.as_dict())
                .and_then(|a| a.get(b"URI"))
                .and_then(|u| u.as_str())
                .is_ok_and(|u| u == URL.as_bytes())
        })
        .map(|a| {
            let r: Vec<f32> = a
                .get(b"Rect")
                .unwrap()
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_float().unwrap())
                .collect();
            r[2] - r[0]
        })
        .collect();
    // The code, 26 mm square, and the printed address under it.
    assert!(
        sizes.iter().any(|w| (w - 26.0 * MM).abs() < 0.1),
        "{sizes:?}"
    );
}

#[test]
fn a_code_under_20_mm_is_an_error_naming_the_block() {
    let p = Project::shipped();
    p.edit(
        "layouts/flyer.yaml",
        "{ show: qr, size: 26mm }",
        "{ show: qr, size: 15mm }",
    );
    let line = p.line_of("layouts/flyer.yaml", "show: qr");
    let r = p.run(&["build"]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains(&format!("flyer.yaml:{line}"))
            && r.stderr.contains("15.0 mm, under the 20 mm")
            && r.stderr.contains("size: 20mm"),
        "{}",
        r.stderr
    );
}

#[test]
fn contact_details_print_under_the_code_and_the_handout_links_the_address() {
    let p = Project::shipped();
    p.edit(
        "content/messages.yaml",
        "  url: https://www.socialserviceworkforce.org\n",
        "  url: https://www.socialserviceworkforce.org\n  email: office@example.org\n  phone: +41 22 555 01 23\n  address: |\n    Rue de l'Exemple 1\n    1201 Genève\n",
    );
    p.run(&[
        "build",
        "--lang",
        "en",
        "--audience",
        "workforce",
        "--for",
        "screen",
    ])
    .ok();
    let text = common::normalise(&common::pdf_text(
        &p.file("out/en/leaflet-workforce-screen.pdf"),
    ));
    let want = "www.socialserviceworkforce.org office@example.org +41 22 555 01 23 Rue de l'Exemple 1 1201 Genève";
    assert!(text.contains(want), "{text}");
    // The organisation's name is on the cover and in the attribution, not
    // three times across the outside.
    let outside = tool(
        "pdftotext",
        &[
            "-f",
            "1",
            "-l",
            "1",
            p.file("out/en/leaflet-workforce-screen.pdf")
                .to_str()
                .unwrap(),
            "-",
        ],
    );
    assert_eq!(
        common::normalise(&outside)
            .matches("Global Social Service Workforce Alliance")
            .count(),
        2,
        "{outside}"
    );
    // The e-mail address is a mailto: link.
    let doc = lopdf::Document::load(p.file("out/en/leaflet-workforce-screen.pdf")).unwrap();
    let uris: Vec<String> = doc
        .get_pages()
        .values()
        .flat_map(|&pg| doc.get_page_annotations(pg).unwrap_or_default())
        .filter_map(|a| {
            let u = a
                .get(b"A")
                .ok()?
                .as_dict()
                .ok()?
                .get(b"URI")
                .ok()?
                .as_str()
                .ok()?;
            Some(String::from_utf8_lossy(u).into_owned())
        })
        .collect();
    assert!(
        uris.contains(&"mailto:office@example.org".to_string()),
        "{uris:?}"
    );
    // The handout prints the address as a link, and the details.
    let docx = p.file("out/en/handout-workforce.docx");
    let body = common::docx_part(&docx, "word/document.xml");
    let rels = common::docx_part(&docx, "word/_rels/document.xml.rels");
    assert!(
        body.contains("www.socialserviceworkforce.org"),
        "address printed"
    );
    assert!(body.contains("1201 Genève") && body.contains("+41 22 555 01 23"));
    assert!(rels.contains(&format!("Target=\"{URL}\"")), "{rels}");
    common::assert_valid_docx(&docx);
}
