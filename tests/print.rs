//! Print production: bleed and page boxes, crop and fold marks in registration
//! colour outside the bleed, CMYK only, PDF/X-4 preflight, the roll fold, and the
//! screen variant.

mod common;

use common::{Project, tool};
use lopdf::{Document, Object};
use std::path::Path;
use std::sync::OnceLock;

const MM: f32 = 72.0 / 25.4;

/// The shipped content built for print and for screen, once for this file.
fn built() -> &'static Project {
    static P: OnceLock<Project> = OnceLock::new();
    P.get_or_init(|| {
        let p = Project::shipped();
        p.run(&["build", "--for", "print", "--for", "screen"]).ok();
        p
    })
}

fn print_pdfs() -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(built().file("out/en"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "pdf")
                && !p.to_string_lossy().ends_with("-screen.pdf")
        })
        .collect();
    v.sort();
    assert_eq!(v.len(), 6);
    v
}

fn rect(doc: &Document, page: &lopdf::Dictionary, key: &[u8]) -> [f32; 4] {
    let a = page
        .get(key)
        .unwrap_or_else(|_| panic!("page has no {}", String::from_utf8_lossy(key)));
    let a = match a {
        Object::Reference(r) => doc.get_object(*r).unwrap(),
        o => o,
    };
    let v: Vec<f32> = a
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_float().unwrap())
        .collect();
    [v[0], v[1], v[2], v[3]]
}

fn pages(doc: &Document) -> Vec<(lopdf::ObjectId, &lopdf::Dictionary)> {
    doc.get_pages()
        .into_values()
        .map(|id| (id, doc.get_dictionary(id).unwrap()))
        .collect()
}

fn content_ops(doc: &Document, page: lopdf::ObjectId) -> Vec<lopdf::content::Operation> {
    lopdf::content::Content::decode(&doc.get_page_content(page))
        .unwrap()
        .operations
}

#[test]
fn every_page_has_media_over_bleed_over_trim_with_bleed_of_3mm() {
    for pdf in print_pdfs() {
        let doc = Document::load(&pdf).unwrap();
        for (_, page) in pages(&doc) {
            let media = rect(&doc, page, b"MediaBox");
            let bleed = rect(&doc, page, b"BleedBox");
            let trim = rect(&doc, page, b"TrimBox");
            let b = 3.0 * MM;
            for i in 0..2 {
                assert!(
                    (trim[i] - b - bleed[i]).abs() < 0.01,
                    "{pdf:?}: bleed {bleed:?} trim {trim:?}"
                );
                assert!(
                    (trim[i + 2] + b - bleed[i + 2]).abs() < 0.01,
                    "{pdf:?}: bleed {bleed:?} trim {trim:?}"
                );
                assert!(
                    media[i] <= bleed[i] && media[i + 2] >= bleed[i + 2],
                    "{pdf:?}: media {media:?} bleed {bleed:?}"
                );
            }
        }
    }
}

/// The colour spaces among a page's resources (inline or referenced).
fn colour_spaces(doc: &Document, page: lopdf::ObjectId) -> lopdf::Dictionary {
    let (inline, referenced) = doc.get_page_resources(page).unwrap();
    inline
        .into_iter()
        .chain(
            referenced
                .iter()
                .filter_map(|&id| doc.get_dictionary(id).ok()),
        )
        .filter_map(|r| r.get(b"ColorSpace").ok())
        .filter_map(|c| doc.dereference(c).ok())
        .filter_map(|(_, c)| c.as_dict().ok().cloned())
        .next()
        .unwrap_or_default()
}

/// Stroked lines drawn in the registration colour: (x1, y1, x2, y2, width,
/// dashed). The registration colour is a `Separation /All` colour space among
/// the page's resources (ISO 32000-1, 8.6.6.4), at full tint.
fn registration_lines(
    doc: &Document,
    page: lopdf::ObjectId,
) -> Vec<(f32, f32, f32, f32, f32, bool)> {
    let spaces = colour_spaces(doc, page);
    let is_all = |name: &[u8]| {
        spaces.get(name).and_then(|s| s.as_array()).is_ok_and(|a| {
            a.len() == 4
                && a[0].as_name().ok() == Some(b"Separation".as_slice())
                && a[1].as_name().ok() == Some(b"All".as_slice())
                && a[2].as_name().ok() == Some(b"DeviceCMYK".as_slice())
        })
    };
    let mut out = Vec::new();
    let (mut space_all, mut reg, mut width, mut dashed) = (false, false, 1.0, false);
    let mut path: Vec<(f32, f32)> = Vec::new();
    for op in content_ops(doc, page) {
        let nums: Vec<f32> = op
            .operands
            .iter()
            .filter_map(|o| o.as_float().ok())
            .collect();
        match op.operator.as_str() {
            "CS" => space_all = is_all(op.operands[0].as_name().unwrap()),
            "SCN" => reg = space_all && nums == [1.0],
            "K" | "RG" | "G" => reg = false,
            "w" => width = nums[0],
            "d" => dashed = !op.operands[0].as_array().unwrap().is_empty(),
            "m" => path = vec![(nums[0], nums[1])],
            "l" => path.push((nums[0], nums[1])),
            "S" if reg && path.len() == 2 => {
                out.push((path[0].0, path[0].1, path[1].0, path[1].1, width, dashed));
            }
            _ => {}
        }
    }
    out
}

#[test]
fn crop_and_fold_marks_are_registration_hairlines_outside_the_bleed() {
    let leaflet = built().file("out/en/leaflet-workforce.pdf");
    let doc = Document::load(&leaflet).unwrap();
    for (n, (id, page)) in pages(&doc).into_iter().enumerate() {
        let bleed = rect(&doc, page, b"BleedBox");
        let trim = rect(&doc, page, b"TrimBox");
        let media = rect(&doc, page, b"MediaBox");
        let lines = registration_lines(&doc, id);
        assert_eq!(
            lines.len(),
            8 + 4,
            "page {}: 8 crop lines and 2 folds × 2 ends: {lines:?}",
            n + 1
        );
        for &(x1, y1, x2, y2, w, _) in &lines {
            assert_eq!(w, 0.25);
            for (x, y) in [(x1, y1), (x2, y2)] {
                let inside_bleed = x > bleed[0] && x < bleed[2] && y > bleed[1] && y < bleed[3];
                assert!(
                    !inside_bleed,
                    "mark point ({x}, {y}) inside the bleed {bleed:?}"
                );
                assert!(x >= media[0] && x <= media[2] && y >= media[1] && y <= media[3]);
            }
        }
        // Crop marks solid, fold marks dashed, as print shops read them.
        assert_eq!(lines.iter().filter(|l| !l.5).count(), 8, "{lines:?}");
        assert_eq!(lines.iter().filter(|l| l.5).count(), 4, "{lines:?}");
        // Crop marks line up with the four trim edges.
        for x in [trim[0], trim[2]] {
            assert_eq!(
                lines
                    .iter()
                    .filter(|l| (l.0 - x).abs() < 0.01 && (l.2 - x).abs() < 0.01)
                    .count(),
                2,
                "vertical crop marks at x={x}"
            );
        }
        for y in [trim[1], trim[3]] {
            assert_eq!(
                lines
                    .iter()
                    .filter(|l| (l.1 - y).abs() < 0.01 && (l.3 - y).abs() < 0.01)
                    .count(),
                2,
                "horizontal crop marks at y={y}"
            );
        }
        // Fold marks at the roll fold's fold lines: 97 and 197 mm outside; 100 and 200 mm inside.
        let folds: &[f32] = if n == 0 {
            &[97.0, 197.0]
        } else {
            &[100.0, 200.0]
        };
        for f in folds {
            let x = trim[0] + f * MM;
            assert_eq!(
                lines
                    .iter()
                    .filter(|l| l.5 && (l.0 - x).abs() < 0.05 && (l.2 - x).abs() < 0.05)
                    .count(),
                2,
                "fold marks at {f} mm"
            );
        }
    }
    // The flyer asks for crop marks only.
    let doc = Document::load(built().file("out/en/flyer-workforce.pdf")).unwrap();
    let (id, _) = pages(&doc)[0];
    assert_eq!(registration_lines(&doc, id).len(), 8);
}

#[test]
fn print_content_is_cmyk_only_and_black_text_is_100_percent_k() {
    for pdf in print_pdfs() {
        let doc = Document::load(&pdf).unwrap();
        for (id, _) in pages(&doc) {
            let ops = content_ops(&doc, id);
            let spaces = colour_spaces(&doc, id);
            // Strokes may use the registration colour (the marks): a
            // `Separation /All` over DeviceCMYK, every plate.
            let mut registration = false;
            for op in &ops {
                match op.operator.as_str() {
                    "CS" => {
                        let space = spaces
                            .get(op.operands[0].as_name().unwrap())
                            .and_then(|s| s.as_array())
                            .unwrap();
                        assert_eq!(space[1].as_name().unwrap(), b"All", "{pdf:?}");
                        registration = true;
                    }
                    "SCN" => assert!(registration, "{pdf:?}: SCN outside the marks"),
                    other => assert!(
                        !["rg", "RG", "sc", "scn", "SC", "cs", "g", "G"].contains(&other),
                        "{pdf:?} uses `{other}`: only DeviceCMYK (k/K) belongs in print"
                    ),
                }
            }
            let fills: Vec<Vec<f32>> = ops
                .iter()
                .filter(|o| o.operator == "k")
                .map(|o| o.operands.iter().map(|x| x.as_float().unwrap()).collect())
                .collect();
            assert!(
                fills.contains(&vec![0.0, 0.0, 0.0, 1.0]),
                "{pdf:?}: body text in 100% K"
            );
            assert!(
                !fills
                    .iter()
                    .any(|f| f[3] > 0.99 && f[..3].iter().any(|c| *c > 0.0)),
                "{pdf:?}: no rich black"
            );
        }
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(
            !bytes.windows(10).any(|w| w == b"/DeviceRGB"),
            "{pdf:?} mentions DeviceRGB"
        );
    }
}

fn info_string(doc: &Document, key: &[u8]) -> Option<String> {
    let info = doc.trailer.get(b"Info").ok()?.as_reference().ok()?;
    let d = doc.get_dictionary(info).ok()?;
    match d.get(key).ok()? {
        Object::String(s, _) => Some(String::from_utf8_lossy(s).into_owned()),
        Object::Name(n) => Some(String::from_utf8_lossy(n).into_owned()),
        _ => None,
    }
}

/// A preflight of the PDF/X-4 rules a print shop's checker looks at first.
fn preflight(pdf: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let doc = Document::load(pdf).unwrap();
    if doc.version != "1.6" {
        problems.push(format!("PDF version {} (PDF/X-4 is PDF 1.6)", doc.version));
    }
    let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    let cat = doc.get_dictionary(root).unwrap();
    // OutputIntent with an embedded CMYK profile.
    match cat.get(b"OutputIntents").and_then(|o| o.as_array()) {
        Ok(a) if !a.is_empty() => {
            let oi = match &a[0] {
                Object::Reference(r) => doc.get_dictionary(*r).unwrap(),
                Object::Dictionary(d) => d,
                _ => panic!("bad OutputIntent"),
            };
            if oi.get(b"S").and_then(|s| s.as_name()).ok() != Some(b"GTS_PDFX".as_slice()) {
                problems.push("OutputIntent is not GTS_PDFX".into());
            }
            match oi
                .get(b"DestOutputProfile")
                .and_then(|r| r.as_reference())
                .and_then(|r| doc.get_object(r))
            {
                Ok(Object::Stream(s)) => {
                    if s.dict.get(b"N").and_then(|n| n.as_i64()).ok() != Some(4) {
                        problems.push("output profile is not CMYK (N 4)".into());
                    }
                }
                _ => problems.push("OutputIntent has no embedded DestOutputProfile".into()),
            }
            if oi.get(b"OutputConditionIdentifier").is_err() {
                problems.push("OutputIntent has no OutputConditionIdentifier".into());
            }
        }
        _ => problems.push("no OutputIntents".into()),
    }
    // Info: title, trapping, version.
    if info_string(&doc, b"GTS_PDFXVersion").as_deref() != Some("PDF/X-4") {
        problems.push("Info GTS_PDFXVersion is not PDF/X-4".into());
    }
    if !matches!(
        info_string(&doc, b"Trapped").as_deref(),
        Some("True" | "False")
    ) {
        problems.push("Info Trapped is not True or False".into());
    }
    if info_string(&doc, b"Title").is_none_or(|t| t.is_empty()) {
        problems.push("no Title".into());
    }
    // XMP says the same.
    match cat
        .get(b"Metadata")
        .and_then(|r| r.as_reference())
        .and_then(|r| doc.get_object(r))
    {
        Ok(Object::Stream(s)) => {
            let xmp = String::from_utf8_lossy(&s.content).into_owned();
            for needle in [
                "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>",
                "<pdf:Trapped>False</pdf:Trapped>",
                "<dc:title>",
                "<xmp:CreateDate>",
                "<xmpMM:DocumentID>",
            ] {
                if !xmp.contains(needle) {
                    problems.push(format!("XMP lacks {needle}"));
                }
            }
        }
        _ => problems.push("no XMP metadata stream".into()),
    }
    // Fonts embedded.
    for obj in doc.objects.values() {
        if let Object::Dictionary(d) = obj
            && d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"FontDescriptor".as_slice())
            && d.get(b"FontFile2").is_err()
            && d.get(b"FontFile3").is_err()
        {
            problems.push("a font is not embedded".into());
        }
    }
    // Every page has a TrimBox and an ID exists.
    for (_, page) in pages(&doc) {
        if page.get(b"TrimBox").is_err() {
            problems.push("a page has no TrimBox".into());
        }
    }
    if doc.trailer.get(b"ID").is_err() {
        problems.push("no file ID".into());
    }
    problems
}

#[test]
fn every_print_pdf_passes_the_pdfx4_preflight() {
    for pdf in print_pdfs() {
        let problems = preflight(&pdf);
        assert!(problems.is_empty(), "{pdf:?}: {problems:?}");
        let check = std::process::Command::new("qpdf")
            .arg("--check")
            .arg(&pdf)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stdout)
        );
    }
}

#[test]
fn preflight_catches_a_screen_file() {
    // The preflight is not a rubber stamp: a screen PDF fails it.
    let problems = preflight(&built().file("out/en/leaflet-workforce-screen.pdf"));
    // Its output intent is the sRGB one of PDF/A, not a print condition.
    assert!(
        problems.iter().any(|p| p == "OutputIntent is not GTS_PDFX"),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p == "output profile is not CMYK (N 4)"),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("GTS_PDFXVersion")),
        "{problems:?}"
    );
}

#[test]
fn screen_variant_is_rgb_trimmed_markless_smaller_and_listed_as_screen() {
    let p = built();
    let screen = p.file("out/en/leaflet-workforce-screen.pdf");
    let print = p.file("out/en/leaflet-workforce.pdf");
    let doc = Document::load(&screen).unwrap();
    for (id, page) in pages(&doc) {
        assert_eq!(rect(&doc, page, b"MediaBox"), rect(&doc, page, b"TrimBox"));
        assert!(registration_lines(&doc, id).is_empty());
        let ops = content_ops(&doc, id);
        assert!(ops.iter().any(|o| o.operator == "rg"));
        assert!(!ops.iter().any(|o| o.operator == "k" || o.operator == "K"));
    }
    let info = tool("pdfinfo", &[screen.to_str().unwrap()]);
    assert!(info.contains("Page size:       841.89 x 595.2"), "{info}");
    let (s, pr) = (
        std::fs::metadata(&screen).unwrap().len(),
        std::fs::metadata(&print).unwrap().len(),
    );
    assert!(s * 4 < pr, "screen {s} bytes vs print {pr}");
    let m: leafpress::Manifest = serde_json::from_str(&p.read("out/manifest.json")).unwrap();
    let variant = |path: &str| m.outputs.iter().find(|r| r.path == path).unwrap().variant;
    assert_eq!(
        variant("en/leaflet-workforce-screen.pdf"),
        Some(leafpress::Variant::Screen)
    );
    assert_eq!(
        variant("en/leaflet-workforce.pdf"),
        Some(leafpress::Variant::Print)
    );
    assert_eq!(variant("en/handout-workforce.docx"), None);
    assert_eq!(
        m.outputs.len(),
        60,
        "(6 print + 6 screen PDFs + 3 handouts) × English, French, Arabic and Hindi"
    );
}

#[test]
fn web_addresses_become_links_on_screen_only() {
    let p = Project::shipped();
    p.edit(
        "content/messages.yaml",
        "continuous learning;",
        "continuous learning; see https://example.org/learn.",
    );
    p.run(&[
        "build",
        "--for",
        "screen",
        "--for",
        "print",
        "--layout",
        "flyer",
        "--audience",
        "workforce",
    ])
    .ok();
    let annots = |f: &str| -> Vec<String> {
        let doc = Document::load(p.file(f)).unwrap();
        let mut out = Vec::new();
        for (_, page) in pages(&doc) {
            if let Ok(a) = page.get(b"Annots").and_then(|a| a.as_array()) {
                for an in a {
                    let d = match an {
                        Object::Reference(r) => doc.get_dictionary(*r).unwrap(),
                        Object::Dictionary(d) => d,
                        _ => continue,
                    };
                    let action = d.get(b"A").unwrap().as_dict().unwrap();
                    out.push(
                        String::from_utf8_lossy(action.get(b"URI").unwrap().as_str().unwrap())
                            .into_owned(),
                    );
                }
            }
        }
        out
    };
    // The message's address, the shipped call to action's, the printed
    // address's and the QR code's.
    assert_eq!(
        annots("out/en/flyer-workforce-screen.pdf"),
        [
            "https://example.org/learn",
            "https://www.socialserviceworkforce.org",
            "https://www.socialserviceworkforce.org",
            "https://www.socialserviceworkforce.org"
        ]
    );
    assert!(annots("out/en/flyer-workforce.pdf").is_empty());
}

#[test]
fn the_leaflet_panels_follow_the_roll_fold_rule() {
    let p = common::shipped_project();
    let filter = leafpress::Filter {
        audiences: vec!["workforce".into()],
        layouts: vec!["leaflet".into()],
        languages: vec!["en".into()],
        variants: vec![leafpress::Variant::Print],
    };
    let job = &leafpress::list(&p, &filter).unwrap()[0];
    let doc = leafpress::document(&p, job, false).unwrap().0;
    let sides = leafpress::typeset(&p, &doc, leafpress::Variant::Print)
        .unwrap()
        .pages;
    let widths: Vec<Vec<f32>> = sides
        .iter()
        .map(|s| {
            s.panels
                .iter()
                .map(|a| (a.panel.w / MM * 10.0).round() / 10.0)
                .collect()
        })
        .collect();
    // Outside: inside flap (folds in), back, front cover. Inside: three panels,
    // the right one (behind the flap) folding in.
    assert_eq!(widths, [vec![97.0, 100.0, 100.0], vec![100.0, 100.0, 97.0]]);
    let names: Vec<Vec<&str>> = sides
        .iter()
        .map(|s| s.panels.iter().map(|p| p.name.as_str()).collect())
        .collect();
    assert_eq!(
        names,
        [
            vec!["inside-flap", "back", "front-cover"],
            vec!["inside-left", "inside-middle", "inside-right"]
        ]
    );
    // Folds line up through the sheet: x on the outside is width - x inside.
    let folds = |s: usize| -> Vec<f32> {
        sides[s]
            .panels
            .iter()
            .skip(1)
            .map(|a| (a.panel.x / MM * 10.0).round() / 10.0)
            .collect()
    };
    let outside: Vec<f32> = folds(0).iter().map(|x| 297.0 - x).rev().collect();
    assert_eq!(outside, folds(1));

    // A layout that breaks the rule is refused with the widths it has.
    let bad = Project::shipped();
    bad.edit(
        "layouts/leaflet.yaml",
        "      - name: inside-flap\n        x: 0mm\n        width: 97mm",
        "      - name: inside-flap\n        x: 0mm\n        width: 99mm",
    );
    bad.edit(
        "layouts/leaflet.yaml",
        "      - name: back\n        x: 97mm\n        width: 100mm",
        "      - name: back\n        x: 99mm\n        width: 98mm",
    );
    let r = bad.run(&["check"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("must mirror each other for a roll fold: front 99.0 + 98.0 + 100.0 mm"),
        "{}",
        r.stderr
    );
}

#[test]
fn text_inside_the_safe_margin_is_refused() {
    let p = Project::shipped();
    p.edit(
        "layouts/flyer.yaml",
        "padding: [16mm, 22mm, 8mm, 20mm]",
        "padding: [16mm, 22mm, 8mm, 3mm]",
    );
    let r = p.run(&["check"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(
            "panel `body` lets text come 3.0 mm from the trim edge, inside the 5.0 mm safe margin"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn a_low_resolution_logo_is_flagged() {
    let p = Project::shipped();
    // 60 px across a 32 mm wide print: about 48 ppi.
    let mut png = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png, 60, 30);
        enc.set_color(png::ColorType::Rgb);
        let mut w = enc.write_header().unwrap();
        w.write_image_data(&[10u8; 60 * 30 * 3]).unwrap();
    }
    p.with_logo(&png);
    let r = p.run(&["build", "--layout", "leaflet", "--audience", "workforce"]);
    r.ok();
    assert!(
        r.stdout
            .contains(": the logo `layouts/logo.png` prints at 48 ppi in panel `back` of layout `leaflet`, under the 300 ppi print needs"),
        "{}",
        r.stdout
    );
    let m: leafpress::Manifest = serde_json::from_str(&p.read("out/manifest.json")).unwrap();
    assert_eq!(m.outputs[0].warnings.len(), 1);
}
