//! Builds the shipped content with the real binary and checks the outputs the
//! way a print shop, a translator or a communications officer would.

mod common;

use common::{Project, docx_part, pdf_text, shipped_content, tool};
use leafpress::Manifest;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::OnceLock;

/// One shipped build shared by the tests in this file (building is the slow part).
fn shipped() -> &'static (Project, Manifest) {
    static BUILT: OnceLock<(Project, Manifest)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let p = Project::shipped();
        let r = p.run(&["build"]);
        r.ok();
        let m: Manifest = serde_json::from_str(&p.read("out/manifest.json")).unwrap();
        (p, m)
    })
}

fn out(rel: &str) -> PathBuf {
    shipped().0.file("out").join(rel)
}

#[test]
fn build_writes_every_audience_times_layout_and_a_true_manifest() {
    let (p, m) = shipped();
    let c = shipped_content();
    // Every audience × layout, in English and in the shipped French, Arabic and Hindi.
    assert_eq!(m.outputs.len(), c.audiences.len() * 3 * 4);
    for a in &c.audiences {
        for (layout, lang) in ["leaflet", "flyer", "handout"]
            .into_iter()
            .flat_map(|l| [(l, "en"), (l, "fr")])
        {
            let row = m
                .outputs
                .iter()
                .find(|r| r.audience == a.id && r.layout == layout && r.language == lang)
                .unwrap_or_else(|| panic!("no manifest row for {} / {layout} / {lang}", a.id));
            assert_eq!(row.format, if layout == "handout" { "docx" } else { "pdf" });
            assert!(
                !row.path.starts_with('/') && !row.path.contains(".."),
                "path is relative: {}",
                row.path
            );
            let bytes = std::fs::read(p.file("out").join(&row.path)).unwrap();
            assert_eq!(row.bytes, bytes.len() as u64);
            let sha: String = Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(row.sha256, sha, "{}", row.path);
        }
    }
    let leaflet = m.outputs.iter().find(|r| r.layout == "leaflet").unwrap();
    assert_eq!(leaflet.pages, Some(2));
    let flyer = m.outputs.iter().find(|r| r.layout == "flyer").unwrap();
    assert_eq!(flyer.pages, Some(1));
    // No temporary files are left behind.
    for e in std::fs::read_dir(p.file("out/en")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".tmp"), "left a temp file: {name}");
    }
}

#[test]
fn every_pdf_has_its_audiences_messages_word_for_word_and_no_others() {
    let c = shipped_content();
    for a in &c.audiences {
        for layout in ["leaflet", "flyer"] {
            let text = pdf_text(&out(&format!("en/{layout}-{}.pdf", a.id)));
            let mut expected = vec![a.heading.clone(), c.title.clone()];
            expected.extend(a.intro.clone());
            expected.extend(a.messages.iter().map(|m| m.text.clone()));
            if layout == "leaflet" {
                expected.push(c.definition.text.clone());
                expected.extend(c.definition.note.clone());
                expected.push(c.attribution.clone());
            }
            for e in expected {
                let e = common::normalise(&e);
                assert!(
                    text.contains(&e),
                    "{layout}/{}: missing text:\n{e}\n--- in ---\n{text}",
                    a.id
                );
            }
            for other in c.audiences.iter().filter(|o| o.id != a.id) {
                for m in &other.messages {
                    assert!(
                        !text.contains(&common::normalise(&m.text)),
                        "{layout}/{} shows {}'s message {}",
                        a.id,
                        other.id,
                        m.id
                    );
                }
            }
        }
    }
}

#[test]
fn pdf_fonts_are_embedded_and_subset() {
    for f in ["en/leaflet-workforce.pdf", "en/flyer-media-public.pdf"] {
        let listing = tool("pdffonts", &[out(f).to_str().unwrap()]);
        let rows: Vec<&str> = listing.lines().skip(2).collect();
        assert!(
            rows.len() >= 2,
            "expected regular and bold faces: {listing}"
        );
        for row in rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            // name type(2 words) encoding emb sub uni ...
            let n = cols.len();
            assert_eq!(
                &cols[n - 5..n - 2],
                ["yes", "yes", "yes"],
                "font not embedded+subset+unicode: {row}"
            );
            assert!(
                cols[0].contains('+') && cols[0].contains("NotoSans"),
                "{row}"
            );
        }
    }
    // Subsetting keeps files small: three faces together weigh well under one
    // whole Noto Sans face (~500 KB). (A print file also carries the ~650 KB
    // FOGRA39 output profile PDF/X needs, so measure a screen file.)
    let p = &shipped().0;
    p.run(&[
        "build",
        "--for",
        "screen",
        "--layout",
        "leaflet",
        "--audience",
        "workforce",
        "--out",
        "screen",
    ])
    .ok();
    let size = std::fs::metadata(p.file("screen/en/leaflet-workforce-screen.pdf"))
        .unwrap()
        .len();
    // Small enough to e-mail: its fonts and text under 120 KB, besides the
    // cover's picture (embedded as it is).
    let picture = std::fs::metadata(p.file("content/images/community.jpg"))
        .unwrap()
        .len();
    assert!(size < 120_000 + picture, "leaflet is {size} bytes");
}

fn page_boxes(pdf: &str) -> String {
    tool("pdfinfo", &["-box", out(pdf).to_str().unwrap()])
}

#[test]
fn pdf_pages_have_the_layout_size_and_bleed() {
    let info = page_boxes("en/leaflet-donors-government.pdf");
    assert!(info.contains("Pages:           2"), "{info}");
    // A4 landscape trim (841.89 x 595.28 pt) inside a 3 mm bleed (8.5 pt), inside
    // room for crop marks (14.2 pt).
    assert!(
        info.contains("TrimBox:            31.18    31.18   873.07   626.46"),
        "{info}"
    );
    assert!(
        info.contains("BleedBox:           22.68    22.68   881.57   634.96"),
        "{info}"
    );
    let info = page_boxes("en/flyer-workforce.pdf");
    assert!(info.contains("Pages:           1"), "{info}");
    assert!(
        info.contains("TrimBox:            31.18    31.18   626.46   873.07"),
        "{info}"
    );
}

#[test]
fn pdfs_pass_qpdf_check_and_carry_title_author_and_language() {
    for f in ["en/leaflet-workforce.pdf", "en/flyer-donors-government.pdf"] {
        let path = out(f);
        let o = std::process::Command::new("qpdf")
            .arg("--check")
            .arg(&path)
            .output()
            .expect("qpdf is installed by .ci/run");
        let text =
            String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{text}");
        assert!(
            text.contains("No syntax or stream encoding errors"),
            "{text}"
        );
        assert!(!text.to_lowercase().contains("warning"), "{text}");
        let info = tool("pdfinfo", &[path.to_str().unwrap()]);
        assert!(
            info.contains(
                "Title:           Key Messages for Advocating for the Social Service Workforce"
            ),
            "{info}"
        );
        assert!(
            info.contains("Author:          Global Social Service Workforce Alliance"),
            "{info}"
        );
        let doc = lopdf::Document::load(&path).unwrap();
        let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
        let lang = doc
            .get_dictionary(root)
            .unwrap()
            .get(b"Lang")
            .unwrap()
            .as_str()
            .unwrap()
            .to_vec();
        assert_eq!(lang, b"en");
    }
}

/// The glyph adjustments (TJ numbers) of every text line in the PDF.
fn tj_adjustments(pdf: &std::path::Path) -> Vec<Vec<f32>> {
    let doc = lopdf::Document::load(pdf).unwrap();
    let mut lines = Vec::new();
    for (_, page) in doc.get_pages() {
        let content = lopdf::content::Content::decode(&doc.get_page_content(page)).unwrap();
        for op in content.operations {
            if op.operator == "TJ"
                && let Some(lopdf::Object::Array(a)) = op.operands.first()
            {
                lines.push(a.iter().filter_map(|o| o.as_float().ok()).collect());
            }
        }
    }
    lines
}

#[test]
fn kerning_from_the_font_is_in_the_pdf_glyph_positions() {
    // "AVATAR WAVE" has kerned pairs (AV, VA, AT, WA) in Noto Sans's GPOS table.
    let p = Project::shipped();
    p.edit(
        "content/messages.yaml",
        "title: Key Messages for Advocating for the Social Service Workforce",
        "title: AVATAR WAVE",
    );
    p.run(&["build", "--layout", "flyer", "--audience", "workforce"])
        .ok();
    let lines = tj_adjustments(&p.file("out/en/flyer-workforce.pdf"));
    // The title is the first text drawn on the flyer: left-aligned, so without
    // kerning every adjustment would be zero.
    let title = &lines[0];
    let kerned = title.iter().filter(|a| **a > 20.0).count();
    assert!(
        kerned >= 3,
        "expected kerning adjustments in the title's TJ, got {title:?}"
    );
    // A message line (left-aligned) without kerned pairs has no large adjustments:
    // the adjustments are the font's, not noise.
    assert!(lines.iter().any(|l| l.iter().all(|a| a.abs() < 1.0)));
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&apos;")
        .replace('"', "&quot;")
}

#[test]
fn docx_uses_named_styles_real_numbering_and_one_run_per_message() {
    let c = shipped_content();
    for a in &c.audiences {
        let path = out(&format!("en/handout-{}.docx", a.id));
        let doc = docx_part(&path, "word/document.xml");
        let paras: Vec<&str> = doc.split("<w:p ").skip(1).collect();
        for m in &a.messages {
            let p = paras
                .iter()
                .find(|p| p.contains(&xml_escape(&m.text)))
                .unwrap_or_else(|| panic!("message {} is not one whole paragraph text", m.id));
            assert!(p.contains(r#"<w:pStyle w:val="ListNumber" />"#), "{p}");
            assert!(p.contains(r#"<w:numId w:val="2" />"#), "{p}");
            assert_eq!(p.matches("<w:r>").count(), 1, "one run per message: {p}");
            assert!(!p.contains("<w:br"), "no manual line breaks: {p}");
            assert!(!p.contains(&format!("{}.", m.id)), "no typed numbers");
        }
        assert!(
            !doc.contains("<w:txbxContent") && !doc.contains("<w:tbl>"),
            "no text boxes or layout tables"
        );
        for style in ["Title", "Heading1", "Normal"] {
            assert!(
                doc.contains(&format!(r#"<w:pStyle w:val="{style}" />"#)),
                "style {style} is used"
            );
        }
        let styles = docx_part(&path, "word/styles.xml");
        let mut ids: Vec<&str> = styles
            .split(r#"w:styleId=""#)
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap()])
            .collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "each style defined once: {ids:?}");
        for name in ["Title", "Heading 1", "Normal", "List Number", "Footer"] {
            assert!(
                styles.contains(&format!(r#"<w:name w:val="{name}" />"#)),
                "style {name} defined"
            );
        }
        assert!(
            styles.contains(r#"<w:lang w:val="en""#),
            "document language"
        );
        let numbering = docx_part(&path, "word/numbering.xml");
        assert!(
            numbering.contains(r#"<w:num w:numId="2"><w:abstractNumId w:val="2" />"#),
            "{numbering}"
        );
        assert!(numbering.contains(r#"<w:numFmt w:val="decimal" /><w:lvlText w:val="%1." />"#));
        let footer = docx_part(&path, "word/footer1.xml");
        assert!(
            footer.contains(&c.organisation.name)
                && footer.contains(r#"<w:pStyle w:val="Footer" />"#),
            "{footer}"
        );
        let core = docx_part(&path, "docProps/core.xml");
        assert!(
            core.contains(&format!("<dc:title>{} — {}</dc:title>", c.title, a.name)),
            "{core}"
        );
        assert!(
            core.contains(&format!("<dc:creator>{}</dc:creator>", c.organisation.name)),
            "{core}"
        );
    }
}

#[test]
fn docx_opens_in_python_docx_with_styles_and_list() {
    let path = out("en/handout-workforce.docx");
    let script = r#"
import sys, docx
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
d = docx.Document(sys.argv[1])
# Each text sits in a content control (w:sdt) inside its paragraph, whose
# runs python-docx's Paragraph.text does not reach: read the paragraph's w:t.
for p in d.element.body.iter(qn('w:p')):
    text = "".join(t.text or "" for t in p.iter(qn('w:t')))
    p = Paragraph(p, d)
    print(p.style.name + "\t" + text)
# The footer's text sits in a content control too.
footer = d.sections[0].footer
print("FOOTER\t" + Paragraph(next(footer._element.iter(qn('w:p'))), footer).text)
print("TITLE\t" + d.core_properties.title)
"#;
    let o = std::process::Command::new("python3")
        .args(["-c", script, path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "python-docx could not open the handout (.ci/run installs it): {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = String::from_utf8_lossy(&o.stdout);
    let c = shipped_content();
    assert!(text.contains(&format!("Title\t{}", c.title)), "{text}");
    assert!(
        text.contains(&format!("Heading 1\t{}", c.audiences[2].heading)),
        "{text}"
    );
    for m in &c.audiences[2].messages {
        assert!(text.contains(&format!("List Number\t{}", m.text)), "{text}");
    }
    assert!(
        text.contains(&format!("FOOTER\t{}", c.organisation.name)),
        "{text}"
    );
}

#[test]
fn docx_opens_in_libreoffice_with_every_message() {
    let text = pdf_text(&common::docx_to_pdf(&out("en/handout-media-public.docx")));
    let c = shipped_content();
    for m in &c.audiences[1].messages {
        assert!(
            text.contains(&common::normalise(&m.text)),
            "LibreOffice render lacks {}:\n{text}",
            m.id
        );
    }
    // Word numbering renders as "1." .. "4."
    assert!(text.contains("4. "), "{text}");
}

#[test]
fn two_builds_are_byte_identical_and_dates_follow_source_date_epoch() {
    let p = Project::shipped();
    p.run(&["build", "--out", "a"]).ok();
    p.run(&["build", "--out", "b"]).ok();
    p.run_env(
        &["build", "--out", "c"],
        &[("SOURCE_DATE_EPOCH", "1700000000")],
    )
    .ok();
    let names: Vec<_> = std::fs::read_dir(p.file("a/en"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    // 9 outputs, 9 page previews of the PDFs and 6 of the handouts (two
    // pages each, with the picture), every one the same twice.
    assert_eq!(names.len(), 24);
    for n in &names {
        let a = std::fs::read(p.file("a/en").join(n)).unwrap();
        let b = std::fs::read(p.file("b/en").join(n)).unwrap();
        assert!(a == b, "{n:?} differs between two builds");
    }
    assert_eq!(p.read("a/manifest.json"), p.read("b/manifest.json"));
    let info = tool(
        "pdfinfo",
        &[
            "-isodates",
            p.file("c/en/flyer-workforce.pdf").to_str().unwrap(),
        ],
    );
    assert!(
        info.contains("CreationDate:    2023-11-14T22:13:20Z"),
        "{info}"
    );
    let core = docx_part(&p.file("c/en/handout-workforce.docx"), "docProps/core.xml");
    assert!(core.contains("2023-11-14T22:13:20Z"), "{core}");
}

#[test]
fn every_handout_is_valid_ooxml_for_word() {
    // openxml-audit (PyPI), modelled on the Open XML SDK's validator: what Word
    // would repair or refuse. tests/run.sh installs it.
    let out = shipped().0.file("out");
    let mut handouts: Vec<_> = ["en", "fr"]
        .iter()
        .flat_map(|l| std::fs::read_dir(out.join(l)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "docx"))
        .collect();
    handouts.sort();
    assert_eq!(handouts.len(), 6);
    for h in &handouts {
        // Run as a module: a fresh pyenv has no shim for its script until a rehash.
        let o = std::process::Command::new("python3")
            .args(["-m", "openxml_audit", "-m", "0", "-o", "json"])
            .arg(h)
            .output()
            .expect("openxml-audit runs (tests/run.sh installs it: pip install openxml-audit)");
        let report: serde_json::Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)));
        assert_eq!(
            report[0]["error_count"],
            0,
            "{}: {}",
            h.display(),
            serde_json::to_string_pretty(&report[0]["errors"]).unwrap()
        );
    }
}

#[test]
fn the_handout_keeps_headings_with_what_follows_as_the_layout_says() {
    let styles = docx_part(&out("en/handout-workforce.docx"), "word/styles.xml");
    let heading = &styles[styles.find(r#"w:styleId="Heading1""#).unwrap()..];
    let heading = &heading[..heading.find("</w:style>").unwrap()];
    assert!(heading.contains("<w:keepNext"), "{heading}");
    let normal = &styles[styles.find(r#"w:styleId="Normal""#).unwrap()..];
    let normal = &normal[..normal.find("</w:style>").unwrap()];
    assert!(!normal.contains("<w:keepNext"), "{normal}");
}
