//! Every script: the shipped Arabic and Hindi translations set as HarfBuzz's
//! own `hb-shape` sets them, text that extracts in logical order, leaflets
//! mirrored for right-to-left readers, and handouts Word and LibreOffice
//! read right to left.

mod common;

use common::{Project, docx_part, normalise, tool};
use leafpress::{Item, Pages, Variant};
use std::path::Path;

fn pages(project: &leafpress::Project, lang: &str, layout: &str, variant: Variant) -> Pages {
    let jobs = leafpress::list(
        project,
        &leafpress::Filter {
            audiences: vec!["donors-government".into()],
            layouts: vec![layout.into()],
            variants: vec![variant],
            languages: vec![lang.into()],
        },
    )
    .unwrap();
    let doc = leafpress::document(project, &jobs[0], false).unwrap().0;
    leafpress::typeset(project, &doc, variant).unwrap()
}

/// HarfBuzz's glyphs for `text` in `font`: (glyph id, x offset, x advance),
/// in font units, in display order.
fn hb_shape(font: &Path, text: &str, rtl: bool, lang: &str) -> Vec<(u16, i32, i32)> {
    let out = tool(
        "hb-shape",
        &[
            font.to_str().unwrap(),
            &format!("--direction={}", if rtl { "rtl" } else { "ltr" }),
            &format!("--language={lang}"),
            "--no-glyph-names",
            "--output-format=json",
            "--",
            text,
        ],
    );
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["g"].as_u64().unwrap() as u16,
                g["dx"].as_i64().unwrap() as i32,
                g["ax"].as_i64().unwrap() as i32,
            )
        })
        .collect()
}

/// For every line set in the script's own face: the glyph ids leafpress
/// wrote equal HarfBuzz's for the line's text, and each glyph's place in its
/// word (from the word's first glyph) equals HarfBuzz's to 0.01 pt. Returns
/// the lines compared and the clusters that were one glyph for several
/// characters (ligatures, conjuncts).
fn compare_with_harfbuzz(lang: &str, rtl: bool, family_file: &str) -> (usize, usize) {
    let project = common::shipped_project();
    let fonts = common::repo().join("fonts");
    let (mut lines, mut ligatures) = (0, 0);
    for layout in ["leaflet", "flyer"] {
        let p = pages(&project, lang, layout, Variant::Screen);
        for item in p.pages.iter().flat_map(|pg| &pg.items) {
            let Item::Text(run) = item else { continue };
            let face = project.face(run.face);
            if face.file != family_file {
                continue;
            }
            // The line's text in logical order: right to left, its glyphs
            // were put last first.
            let mut glyphs: Vec<&leafpress::Glyph> = run.glyphs.iter().collect();
            if rtl {
                glyphs.reverse();
            }
            let text: String = glyphs.iter().map(|g| g.text.as_str()).collect();
            let hb = hb_shape(&fonts.join(&face.file), &text, rtl, lang);
            let ours: Vec<u16> = run.glyphs.iter().map(|g| g.id).collect();
            let theirs: Vec<u16> = hb.iter().map(|g| g.0).collect();
            assert_eq!(ours, theirs, "{lang} {layout}: glyphs of `{text}`");
            let scale = run.size / face.units_per_em;
            let space = run
                .glyphs
                .iter()
                .find(|g| g.text.as_str() == " ")
                .map(|g| g.id);
            let mut pen = 0i32;
            let mut word_start: Option<(f32, i32)> = None;
            for (g, h) in run.glyphs.iter().zip(&hb) {
                if Some(g.id) == space {
                    word_start = None;
                } else {
                    let (ours0, theirs0) = *word_start.get_or_insert((g.x, pen + h.1));
                    let (a, b) = (g.x - ours0, (pen + h.1 - theirs0) as f32 * scale);
                    assert!(
                        (a - b).abs() < 0.01,
                        "{lang} {layout}: glyph {} of `{text}` at {a:.3} pt, HarfBuzz {b:.3}",
                        g.id
                    );
                }
                pen += h.2;
            }
            ligatures += run
                .glyphs
                .iter()
                .filter(|g| {
                    let n = g.text.as_str().chars().count();
                    n > 1
                        && !g.text.as_str().chars().any(|c| {
                            "\u{64b}\u{64c}\u{64d}\u{64e}\u{64f}\u{650}\u{651}\u{652}".contains(c)
                        })
                })
                .count();
            lines += 1;
        }
    }
    (lines, ligatures)
}

#[test]
fn arabic_lines_are_shaped_as_harfbuzz_shapes_them() {
    let (lines, ligatures) = compare_with_harfbuzz("ar", true, "NotoSansArabic-Regular.ttf");
    eprintln!("ar: {lines} lines match hb-shape, {ligatures} ligature glyphs among them");
    assert!(lines >= 30, "{lines} lines");
    // Lam-alef (لا) and the other ligatures of the text were formed.
    assert!(ligatures >= 10, "{ligatures} ligatures");
}

#[test]
fn hindi_lines_are_shaped_as_harfbuzz_shapes_them() {
    let (lines, conjuncts) = compare_with_harfbuzz("hi", false, "NotoSansDevanagari-Regular.ttf");
    eprintln!("hi: {lines} lines match hb-shape, {conjuncts} conjunct clusters among them");
    assert!(lines >= 30, "{lines} lines");
    // Conjuncts (क्ष, प्र, स्व…) are single glyphs for several characters.
    assert!(conjuncts >= 10, "{conjuncts} conjuncts");
}

/// The shipped translation's texts for `lang`, by id.
fn translation(lang: &str) -> serde_yaml::Mapping {
    let y: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string(common::repo().join(format!("content/translations/{lang}.yaml")))
            .unwrap(),
    )
    .unwrap();
    y["texts"].as_mapping().unwrap().clone()
}

fn text_of(texts: &serde_yaml::Mapping, id: &str) -> String {
    texts[id]["text"].as_str().unwrap().to_string()
}

/// The letters of `text` in order, nothing else: poppler places neutral
/// punctuation and numbers around right-to-left words by its own rules (an
/// Arabic comma or `65%` may stick to the next word), breaks a word at a
/// mark, and puts the marks of an ActualText span (a base carrying a
/// shadda and a fatha) before their base, as it does ligatures (see
/// `as_poppler_reads`); the letters keep the text's order.
fn letters(text: &str) -> String {
    text.chars()
        .filter(|&c| c.is_alphabetic() && !('\u{64b}'..='\u{65f}').contains(&c))
        .collect()
}

/// poppler's reading of right-to-left text: bidi embedding marks dropped,
/// white space collapsed.
fn poppler_text(pdf: &Path) -> String {
    let raw = tool("pdftotext", &["-enc", "UTF-8", pdf.to_str().unwrap(), "-"]);
    normalise(&raw.replace(
        ['\u{202a}', '\u{202b}', '\u{202c}', '\u{200e}', '\u{200f}'],
        "",
    ))
}

/// What poppler (22.12) gives for a right-to-left ligature: its
/// `TextPage::addChar` writes the characters of a glyph that maps to
/// several right-to-left ones in reverse once more than it reads them, so
/// `لا` comes out `ال` (and LibreOffice's own Arabic PDFs read the same).
/// The ToUnicode maps hold them in logical order, as ISO 32000-1, 9.10.3
/// wants; this applies poppler's reversal to the expected text.
fn as_poppler_reads(text: &str, ligatures: &[String]) -> String {
    let mut out = text.to_string();
    for l in ligatures {
        out = out.replace(l.as_str(), &l.chars().rev().collect::<String>());
    }
    out
}

/// The multi-character right-to-left texts of a PDF's ToUnicode maps.
fn rtl_ligatures(pdf: &Path) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let qdf = dir.path().join("q.pdf");
    tool(
        "qpdf",
        &[
            "--qdf",
            "--object-streams=disable",
            pdf.to_str().unwrap(),
            qdf.to_str().unwrap(),
        ],
    );
    let bytes = std::fs::read(&qdf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let mut out = Vec::new();
    for block in text.split("beginbfchar").skip(1) {
        let block = &block[..block.find("endbfchar").unwrap_or(block.len())];
        for line in block.lines() {
            let hexes: Vec<&str> = line
                .split(['<', '>'])
                .filter(|s| !s.trim().is_empty())
                .collect();
            if hexes.len() != 2 || hexes[1].len() <= 4 {
                continue;
            }
            let units: Vec<u16> = (0..hexes[1].len() / 4)
                .map(|i| u16::from_str_radix(&hexes[1][i * 4..i * 4 + 4], 16).unwrap())
                .collect();
            let s = String::from_utf16(&units).unwrap();
            if s.chars().all(leafpress_rtl) && !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
    out
}

fn leafpress_rtl(c: char) -> bool {
    matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF)
}

#[test]
fn arabic_pdfs_extract_in_logical_order_with_ligatures_mapped_to_their_letters() {
    let p = Project::shipped();
    p.run(&[
        "build",
        "--lang",
        "ar",
        "--audience",
        "donors-government",
        "--for",
        "screen",
    ])
    .ok();
    let texts = translation("ar");
    for layout in ["leaflet", "flyer"] {
        let pdf = p.file(&format!("out/ar/{layout}-donors-government-screen.pdf"));
        let ligatures = rtl_ligatures(&pdf);
        // The lam-alef ligature maps to lam then alef, in the text's order.
        assert!(ligatures.contains(&"لا".to_string()), "{ligatures:?}");
        let got = poppler_text(&pdf);
        for id in [
            "message.sdg-ally",
            "message.complex-issues",
            "definition.heading",
        ] {
            if layout == "flyer" && id.starts_with("definition") {
                continue;
            }
            let want = letters(&as_poppler_reads(&text_of(&texts, id), &ligatures));
            assert!(
                letters(&got).contains(&want),
                "{layout}: `{id}` not in logical order in pdftotext's text:\n{want}\n---\n{got}"
            );
        }
        // Tagged, in Arabic.
        let info = tool("pdfinfo", &[pdf.to_str().unwrap()]);
        assert!(
            info.lines()
                .any(|l| l.starts_with("Tagged:") && l.ends_with("yes")),
            "{info}"
        );
        let qdf = tool(
            "qpdf",
            &[
                "--qdf",
                "--object-streams=disable",
                pdf.to_str().unwrap(),
                "-",
            ],
        );
        assert!(qdf.contains("/Lang (ar)"), "the catalog's language");
        // The address inside the Arabic call to action reads left to right
        // and its link covers it: the annotation's box is the address's
        // (the full stop after it, on its left, is not part of it).
        let rect: Vec<f32> = qdf
            .split("/Rect [")
            .nth(1)
            .unwrap()
            .split(']')
            .next()
            .unwrap()
            .split_whitespace()
            .map(|n| n.parse().unwrap())
            .collect();
        let bbox = tool("pdftotext", &["-bbox", pdf.to_str().unwrap(), "-"]);
        let word = bbox
            .lines()
            .find(|l| l.contains("socialserviceworkforce.org</word>"))
            .unwrap();
        let attr = |name: &str| -> f32 {
            let at = word.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            word[at..at + word[at..].find('"').unwrap()]
                .parse()
                .unwrap()
        };
        assert!((rect[2] - attr("xMax")).abs() < 1.0, "{rect:?} {word}");
        assert!(
            rect[0] >= attr("xMin") && rect[0] < attr("xMin") + 6.0,
            "{rect:?} {word}"
        );
    }
}

#[test]
fn right_to_left_leaflets_are_mirrored_and_never_keeps_the_sheet() {
    let project = common::shipped_project();
    let mm = 72.0 / 25.4;
    let panel = |p: &Pages, side: usize, name: &str| {
        p.pages[side]
            .panels
            .iter()
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("{name}"))
            .clone()
    };
    let en = pages(&project, "en", "leaflet", Variant::Print);
    let ar = pages(&project, "ar", "leaflet", Variant::Print);
    // English: the cover is the right outside panel; the narrower fold-in
    // panel is the inside's right one.
    assert!((panel(&en, 0, "front-cover").panel.x - 197.0 * mm).abs() < 0.1);
    assert!((panel(&en, 1, "inside-right").panel.x - 200.0 * mm).abs() < 0.1);
    // Arabic: the cover is the leftmost outside panel, the fold-in panel
    // (97 mm) moves to the inside's left end, and the flap to the right.
    let cover = panel(&ar, 0, "front-cover");
    assert!(cover.panel.x.abs() < 0.1, "{:?}", cover.panel);
    let fold_in = panel(&ar, 1, "inside-right");
    assert!(fold_in.panel.x.abs() < 0.1 && (fold_in.panel.w - 97.0 * mm).abs() < 0.1);
    assert!((panel(&ar, 0, "inside-flap").panel.x - 200.0 * mm).abs() < 0.1);
    // Padding follows: the inside-left panel's 10 mm margin at the sheet's
    // edge is on its right now, at the sheet's right edge.
    let il = panel(&ar, 1, "inside-left");
    let right_margin = il.panel.x + il.panel.w - (il.content.x + il.content.w);
    assert!((right_margin - 10.0 * mm).abs() < 0.1, "{right_margin}");
    assert!((il.content.x - il.panel.x - 12.0 * mm).abs() < 0.1);
    // Fold marks follow the folds: at 100 and 197 mm inside (not 100 and 200).
    let folds = |p: &Pages| {
        let mut xs: Vec<i32> = p.pages[1]
            .marks
            .iter()
            .filter(|m| m.kind == leafpress::MarkKind::Fold)
            .map(|m| (m.x1 / mm).round() as i32)
            .collect();
        xs.sort();
        xs.dedup();
        xs
    };
    assert_eq!(folds(&en), vec![100, 200]);
    assert_eq!(folds(&ar), vec![97, 197]);
    // Message numbers stand at the right of their column, where lines start.
    let mut numbers = 0;
    for r in ar.pages[1].items.iter().filter_map(|i| match i {
        Item::Text(r) if r.glyphs.len() == 1 && r.glyphs[0].text.as_str() == "1" => Some(r),
        _ => None,
    }) {
        let column = ar.pages[1]
            .panels
            .iter()
            .find(|a| a.content.x <= r.x + 0.1 && r.x < a.content.x + a.content.w)
            .unwrap();
        let end = r.x + r.width - (column.content.x + column.content.w);
        assert!(end.abs() < 0.5, "{} {end} {:?}", r.x, column.content);
        numbers += 1;
    }
    assert_eq!(numbers, 1);

    // `mirror: never` keeps the sheet as designed.
    let p = Project::shipped();
    p.edit("layouts/leaflet.yaml", "mirror: auto", "mirror: never");
    let never = p.load();
    let kept = pages(&never, "ar", "leaflet", Variant::Print);
    assert!((panel(&kept, 0, "front-cover").panel.x - 197.0 * mm).abs() < 0.1);
}

#[test]
fn right_to_left_handouts_open_right_to_left_in_libreoffice_and_come_back() {
    let p = Project::shipped();
    p.run(&[
        "build",
        "--lang",
        "ar",
        "--lang",
        "hi",
        "--audience",
        "workforce",
    ])
    .ok();
    let docx = p.file("out/ar/handout-workforce.docx");
    common::assert_valid_docx(&docx);
    let doc = docx_part(&docx, "word/document.xml");
    let paragraphs = doc.matches("<w:p ").count() + doc.matches("<w:p>").count();
    assert_eq!(
        doc.matches("<w:bidi").count(),
        paragraphs,
        "every paragraph w:bidi"
    );
    assert!(doc.matches("<w:rtl").count() >= paragraphs);
    let styles = docx_part(&docx, "word/styles.xml");
    assert!(
        styles.contains(r#"w:cs="Noto Sans Arabic""#),
        "complex-script font"
    );
    assert!(styles.contains(r#"w:bidi="ar""#), "complex-script language");
    // Hindi is left to right: no w:bidi; Devanagari's font for complex script.
    let hi = p.file("out/hi/handout-workforce.docx");
    assert!(!docx_part(&hi, "word/document.xml").contains("<w:bidi"));
    assert!(docx_part(&hi, "word/styles.xml").contains(r#"w:cs="Noto Sans Devanagari""#));

    // LibreOffice's PDF of it reads in logical order.
    let out = tempfile::tempdir().unwrap();
    tool(
        "soffice",
        &[
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            out.path().to_str().unwrap(),
            docx.to_str().unwrap(),
        ],
    );
    let pdf = out.path().join("handout-workforce.pdf");
    let ligatures = rtl_ligatures(&pdf);
    let got = poppler_text(&pdf);
    let texts = translation("ar");
    for id in [
        "message.self-care",
        "message.solidarity",
        "audience.workforce.heading",
    ] {
        let want = letters(&as_poppler_reads(&text_of(&texts, id), &ligatures));
        assert!(
            letters(&got).contains(&want),
            "`{id}` in LibreOffice's PDF:\n{want}\n---\n{got}"
        );
    }
    // The numbers come from the list (1. on the right of each message).
    let png = out.path().join("p");
    tool(
        "pdftoppm",
        &[
            "-r",
            "40",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            pdf.to_str().unwrap(),
            png.to_str().unwrap(),
        ],
    );
}

#[test]
fn arabic_and_hindi_translator_kits_come_back() {
    for lang in ["ar", "hi"] {
        let p = Project::shipped();
        let xlf = p.file(&format!("{lang}.xlf"));
        p.run(&["export", "--lang", lang, "-o", xlf.to_str().unwrap()])
            .ok();
        let x = std::fs::read_to_string(&xlf).unwrap();
        assert!(x.contains(&format!(r#"trgLang="{lang}""#)), "{x}");
        let before = p.read(&format!("content/translations/{lang}.yaml"));
        let texts = translation(lang);
        let intro = text_of(&texts, "message.solidarity");
        assert!(x.contains(&intro), "{lang}: target text in the XLIFF");
        // A translator's edit comes back into the translation.
        // A word the translator adds, in the language's own script.
        let added = if lang == "ar" {
            "جديد"
        } else {
            "नया"
        };
        let edited = x.replacen(&intro, &format!("{intro} {added}"), 1);
        std::fs::write(&xlf, edited).unwrap();
        p.run(&["import", xlf.to_str().unwrap()]).ok();
        let after = p.read(&format!("content/translations/{lang}.yaml"));
        assert_ne!(before, after);
        assert!(
            after.contains(&format!("{intro} {added}")),
            "{lang}: edit imported"
        );

        // The handout, edited in place by a translator, comes back too.
        p.run(&[
            "build",
            "--lang",
            lang,
            "--audience",
            "workforce",
            "--layout",
            "handout",
        ])
        .ok();
        let docx = p.file(&format!("out/{lang}/handout-workforce.docx"));
        let edited = p.file("edited.docx");
        let intro = text_of(&texts, "message.self-care");
        let mut src = zip::ZipArchive::new(std::fs::File::open(&docx).unwrap()).unwrap();
        let mut out = zip::ZipWriter::new(std::fs::File::create(&edited).unwrap());
        for i in 0..src.len() {
            let mut f = src.by_index(i).unwrap();
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut bytes).unwrap();
            if f.name() == "word/document.xml" {
                let xml = String::from_utf8(bytes).unwrap();
                assert!(xml.contains(&intro), "{lang}: the text in the handout");
                bytes = xml
                    .replacen(&intro, &format!("{intro} {added}"), 1)
                    .into_bytes();
            }
            out.start_file(f.name(), zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut out, &bytes).unwrap();
        }
        out.finish().unwrap();
        p.run(&["import", "--lang", lang, edited.to_str().unwrap()])
            .ok();
        assert!(
            p.read(&format!("content/translations/{lang}.yaml"))
                .contains(&format!("{intro} {added}")),
            "{lang}: the handout's edit imported"
        );
    }
}

#[test]
fn each_cluster_is_set_in_the_first_family_that_has_it() {
    let p = Project::shipped();
    p.edit(
        "content/messages.yaml",
        "Commit to self-care",
        "Commit (café, مرحبا بالعالم, नमस्ते क्षमता) to self-care",
    );
    let project = p.load();
    let jobs = leafpress::list(
        &project,
        &leafpress::Filter {
            audiences: vec!["workforce".into()],
            layouts: vec!["flyer".into()],
            variants: vec![Variant::Screen],
            languages: vec!["en".into()],
        },
    )
    .unwrap();
    let doc = leafpress::document(&project, &jobs[0], false).unwrap().0;
    let pages = leafpress::typeset(&project, &doc, Variant::Screen).unwrap();
    let mut by_face: Vec<(String, String)> = Vec::new();
    let mut arabic_ids: Vec<u16> = Vec::new();
    for item in pages.pages.iter().flat_map(|pg| &pg.items) {
        if let Item::Text(r) = item {
            let face = project.face(r.face).file.clone();
            let mut glyphs: Vec<&str> = r.glyphs.iter().map(|g| g.text.as_str()).collect();
            if face.starts_with("NotoSansArabic") {
                glyphs.reverse();
                arabic_ids.extend(r.glyphs.iter().map(|g| g.id));
            }
            by_face.push((face, glyphs.concat()));
        }
    }
    let in_face =
        |file: &str, text: &str| by_face.iter().any(|(f, t)| f == file && t.contains(text));
    // Arabic in the Arabic family, shaped as one run (the words join and
    // lam-alef is one glyph), Devanagari in its family (क्ष one cluster),
    // the Latin around them, accents and all, in the role's own family.
    assert!(
        in_face("NotoSansArabic-Regular.ttf", "مرحبا بالعالم"),
        "{by_face:?}"
    );
    assert!(
        in_face("NotoSansDevanagari-Regular.ttf", "नमस्ते क्षमता"),
        "{by_face:?}"
    );
    assert!(in_face("NotoSans-Regular.ttf", "café"), "{by_face:?}");
    // Joined as HarfBuzz joins them, the letters in their contextual forms.
    let hb = hb_shape(
        &common::repo().join("fonts/NotoSansArabic-Regular.ttf"),
        "مرحبا بالعالم",
        true,
        "en",
    );
    let ids: Vec<u16> = hb.iter().map(|g| g.0).collect();
    // Then the comma and space after it, in the Arabic face (which has them)
    // but left to right, as the English paragraph runs (UAX #9, N1).
    assert_eq!(arabic_ids[..ids.len()], ids[..]);
    assert_eq!(arabic_ids.len(), ids.len() + 2);
}

#[test]
fn a_fallback_family_without_italic_stands_in_with_a_warning_naming_the_style() {
    let p = Project::shipped();
    p.edit(
        "layouts/brand.yaml",
        "        italic: NotoSansArabic-Regular.ttf\n",
        "",
    );
    let r = p.run(&[
        "build",
        "--lang",
        "ar",
        "--layout",
        "leaflet",
        "--audience",
        "workforce",
    ]);
    r.ok();
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        all.contains(
            "style `note` is italic, but the fallback family `Noto Sans Arabic` has no italic face, so its regular face is used"
        ),
        "{all}"
    );
    // With the regular file named for italic, as shipped: no warning.
    let p = Project::shipped();
    let r = p.run(&[
        "build",
        "--lang",
        "ar",
        "--layout",
        "leaflet",
        "--audience",
        "workforce",
    ]);
    assert!(!format!("{}{}", r.stdout, r.stderr).contains("has no italic face"));
}
