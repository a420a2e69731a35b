//! Emphasis, strong words and links in the texts, read back from every
//! output as a reader, Word, LibreOffice and a translator's tool would, and
//! through the translation round trips.

mod common;

use common::{Project, docx_part, tool};

/// The shipped project with a message that stresses words and links.
fn marked() -> Project {
    let p = Project::shipped();
    p.edit(
        "content/messages.yaml",
        "Commit to self-care, reflective practice, knowledge-building, and",
        "**Commit** to *self-care*, reflective practice, [knowledge-building](https://example.org/learn), and",
    );
    p
}

/// `marked()`, its English leaflets built for print and screen.
fn marked_and_built() -> Project {
    let p = marked();
    p.run(&[
        "build",
        "--for",
        "print",
        "--for",
        "screen",
        "--audience",
        "workforce",
        "--lang",
        "en",
        "--layout",
        "leaflet",
    ])
    .ok();
    p
}

/// The workforce audience's English handout, built.
fn english_handout(p: &Project) -> std::path::PathBuf {
    p.run(&[
        "build",
        "--layout",
        "handout",
        "--audience",
        "workforce",
        "--lang",
        "en",
    ])
    .ok();
    p.file("out/en/handout-workforce.docx")
}

#[test]
fn emphasis_and_strong_are_set_in_their_faces_and_read_as_plain_text() {
    let p = marked_and_built();
    for file in [
        "out/en/leaflet-workforce.pdf",
        "out/en/leaflet-workforce-screen.pdf",
    ] {
        let path = p.file(file);
        let fonts = tool("pdffonts", &[path.to_str().unwrap()]);
        assert!(fonts.contains("NotoSans-Italic"), "{fonts}");
        assert!(fonts.contains("NotoSans-Bold"), "{fonts}");
        let text = common::pdf_text(&path);
        assert!(
            text.contains("1 Commit to self-care, reflective practice, knowledge-building"),
            "{text}"
        );
        assert!(!text.contains("**") && !text.contains("](http"), "{text}");
        // The shipped note's lone asterisk is a character, as written.
        assert!(text.contains("*Given the diversities"), "{text}");
    }
}

#[test]
fn links_are_clickable_on_screen_and_plain_text_in_print() {
    let p = marked_and_built();
    let urls = |file: &str| tool("pdfinfo", &["-url", p.file(file).to_str().unwrap()]);
    let screen = urls("out/en/leaflet-workforce-screen.pdf");
    assert!(screen.contains("https://example.org/learn"), "{screen}");
    // The shipped call to action on the back panel.
    assert!(
        screen.contains("https://www.socialserviceworkforce.org"),
        "{screen}"
    );
    let print = urls("out/en/leaflet-workforce.pdf");
    assert!(
        !print.contains("http"),
        "print files have no links: {print}"
    );
    let text = common::pdf_text(&p.file("out/en/leaflet-workforce.pdf"));
    assert!(
        text.contains(
            "Join the Alliance and find resources for the workforce at socialserviceworkforce.org."
        ),
        "{text}"
    );
}

#[test]
fn markup_mistakes_are_located_and_reported_together() {
    let p = Project::shipped();
    p.edit(
        "content/messages.yaml",
        "Commit to self-care,",
        "Commit to **self-care,",
    );
    p.edit(
        "content/messages.yaml",
        "Identify and register",
        "Identify [and register](socialserviceworkforce.org)",
    );
    p.edit(
        "content/translations/fr.yaml",
        "**Rejoignez l’Alliance** et",
        "*Rejoignez **l’Alliance* et**",
    );
    let r = p.run(&["check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let line = p.line_of("content/messages.yaml", "Commit to **self-care,");
    assert!(
        r.stderr.contains(&format!("content/messages.yaml:{line}:")),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("`message.self-care`: `**` opens strong text that is never closed"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("`message.identify-register`: `socialserviceworkforce.org` is not a web or e-mail address"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(
            "`organisation.call-to-action` (fr): `*` closes before the `**` opened inside it"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("3 problems found"), "{}", r.stderr);
}

#[test]
fn handouts_use_named_character_styles_and_real_hyperlinks() {
    let p = marked();
    let path = english_handout(&p);
    let script = r#"
import sys, docx
from docx.oxml.ns import qn
d = docx.Document(sys.argv[1])
rels = {r.rId: r.target_ref for r in d.part.rels.values()}
for r in d.element.body.iter(qn("w:r")):
    style = r.find(qn("w:rPr"))
    s = style.find(qn("w:rStyle")) if style is not None else None
    if s is not None:
        print("RUN\t%s\t%s" % (s.get(qn("w:val")), "".join(t.text for t in r.iter(qn("w:t")))))
for h in d.element.body.iter(qn("w:hyperlink")):
    print("LINK\t%s\t%s" % (rels[h.get(qn("r:id"))], "".join(t.text for t in h.iter(qn("w:t")))))
"#;
    let out = common::python(script, &path);
    for line in [
        "RUN\tStrong\tCommit",
        "RUN\tEmphasis\tself-care",
        "LINK\thttps://example.org/learn\tknowledge-building",
        "LINK\thttps://www.socialserviceworkforce.org\tsocialserviceworkforce.org",
    ] {
        assert!(out.contains(line), "`{line}` not in:\n{out}");
    }
    // Each text stays in its content control.
    let doc = docx_part(&path, "word/document.xml");
    assert!(doc.contains(r#"<w:tag w:val="message.self-care"/>"#));
    common::assert_valid_docx(&path);
}

/// The unit `id` of an XLIFF file, from `<unit` to `</unit>`.
fn unit<'a>(xlf: &'a str, id: &str) -> (usize, &'a str) {
    let from = xlf.find(&format!(r#"<unit id="{id}">"#)).unwrap();
    let to = from + xlf[from..].find("</unit>").unwrap();
    (from, &xlf[from..to])
}

#[test]
fn xliff_carries_codes_that_may_move_but_not_vanish() {
    let p = Project::shipped();
    p.run(&["export", "--lang", "fr", "-o", "fr.xlf"]).ok();
    let xlf = p.read("fr.xlf");
    let (at, cta) = unit(&xlf, "organisation.call-to-action");
    // The address is original data, not translatable text.
    assert!(
        cta.contains(r#"<data id="d2">https://www.socialserviceworkforce.org</data>"#),
        "{cta}"
    );
    let source = &cta[cta.find("<source>").unwrap()..cta.find("</source>").unwrap()];
    // The address is no translatable text (only the tag's attributes hold it).
    let text: String = source
        .split('<')
        .map(|part| part.split_once('>').map_or(part, |(_, t)| t))
        .collect();
    assert!(!text.contains("https://"), "{text}");
    assert!(
        source.contains(
            r#"<pc id="1" canDelete="no" type="fmt" subType="xlf:b">Join the Alliance</pc>"#
        ),
        "{source}"
    );
    assert!(
        source.contains(r#"<pc id="2" canDelete="no" type="link" dataRefStart="d2" dispStart="https://www.socialserviceworkforce.org">socialserviceworkforce.org</pc>"#),
        "{source}"
    );
    // A translator moves the link to the front.
    let moved = r#"<target>Sur <pc id="2" canDelete="no" type="link" dataRefStart="d2">socialserviceworkforce.org</pc>, <pc id="1" canDelete="no" type="fmt" subType="xlf:b">rejoignez l’Alliance</pc> et trouvez des ressources.</target>"#;
    let t0 = at + cta.find("<target>").unwrap();
    let t1 = at + cta.find("</target>").unwrap() + "</target>".len();
    p.write("moved.xlf", &format!("{}{moved}{}", &xlf[..t0], &xlf[t1..]));
    p.run(&["import", "moved.xlf"]).ok();
    let fr = p.read("content/translations/fr.yaml");
    assert!(
        fr.contains("Sur [socialserviceworkforce.org](https://www.socialserviceworkforce.org), **rejoignez l’Alliance** et trouvez des ressources."),
        "{fr}"
    );
    // One that drops the link and makes up a code is refused, named.
    let dropped = r#"<target>Sur socialserviceworkforce.org, <pc id="1" canDelete="no" type="fmt" subType="xlf:b">rejoignez</pc> <pc id="7" type="fmt" subType="xlf:i">l’Alliance</pc>.</target>"#;
    p.write(
        "dropped.xlf",
        &format!("{}{dropped}{}", &xlf[..t0], &xlf[t1..]),
    );
    let r = p.run(&["import", "dropped.xlf"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("unit `organisation.call-to-action`: code 2 (the link to https://www.socialserviceworkforce.org) is missing"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("unit `organisation.call-to-action`: code 7 is not in the source text"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("nothing was imported"), "{}", r.stderr);
    assert_eq!(
        p.read("content/translations/fr.yaml"),
        fr,
        "nothing written"
    );
}

#[test]
fn a_translated_handout_brings_its_styling_back() {
    // As Word saves a translated handout: direct italic on one word, the
    // strong style kept, the hyperlink kept.
    let p = Project::shipped();
    p.run(&[
        "build",
        "--layout",
        "handout",
        "--audience",
        "workforce",
        "--lang",
        "fr",
    ])
    .ok();
    let path = p.file("out/fr/handout-workforce.docx");
    let mut z = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let out_path = p.file("edited.docx");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&out_path).unwrap());
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let name = f.name().to_string();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut data).unwrap();
        if name == "word/document.xml" {
            let xml = String::from_utf8(data).unwrap();
            let xml = xml.replacen(
                "et trouvez des ressources pour",
                r#"et trouvez des </w:t></w:r><w:r><w:rPr><w:i/></w:rPr><w:t>ressources</w:t></w:r><w:r><w:rPr/><w:t xml:space="preserve"> pour"#,
                1,
            );
            data = xml.into_bytes();
        }
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut w, &data).unwrap();
    }
    w.finish().unwrap();
    p.run(&["import", "--lang", "fr", "edited.docx"]).ok();
    let fr = p.read("content/translations/fr.yaml");
    assert!(
        fr.contains("**Rejoignez l’Alliance** et trouvez des *ressources* pour le personnel sur [socialserviceworkforce.org](https://www.socialserviceworkforce.org)."),
        "{fr}"
    );
}

#[test]
fn changing_only_the_emphasis_makes_a_translation_stale() {
    let p = Project::shipped();
    p.edit(
        "content/messages.yaml",
        "**Join the Alliance** and",
        "Join the **Alliance** and",
    );
    let r = p.run(&["check"]);
    r.ok();
    assert!(
        r.stderr
            .contains("`organisation.call-to-action` (fr) is stale"),
        "{}",
        r.stderr
    );
    // The translation file shows the markup it was made from.
    assert!(
        p.read("content/translations/fr.yaml")
            .contains("source-text: '**Join the Alliance** and find resources")
    );
}

#[test]
fn a_cat_tool_round_trip_through_the_npm_xliff_package() {
    // The npm package `xliff` (xliff2js, then js2xliff) stands in for a CAT
    // tool: it reads the codes, a translator fills the targets (moving the
    // call to action's link first), and it writes the file leafpress imports.
    let modules = common::repo().join("target/test-tools/node_modules");
    assert!(
        modules.join("xliff").exists(),
        "the npm package `xliff` is not in {modules:?}; tests/run.sh installs it"
    );
    let p = Project::shipped();
    p.run(&["export", "--lang", "fr", "-o", "fr.xlf"]).ok();
    let o = std::process::Command::new("node")
        .arg(common::repo().join("tests/tools/xliff_translate.js"))
        .arg(p.file("fr.xlf"))
        .arg(p.file("fr-done.xlf"))
        .env("NODE_PATH", &modules)
        .output()
        .expect("node, installed by tests/run.sh");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let written = p.read("fr-done.xlf");
    assert!(written.contains("<pc id=\"2\""), "{written}");
    let r = p.run(&["import", "fr-done.xlf"]);
    r.ok();
    assert!(
        r.stdout.contains("27 of 27 texts translated"),
        "{}",
        r.stdout
    );
    let fr = p.read("content/translations/fr.yaml");
    assert!(
        fr.contains("FR [socialserviceworkforce.org](https://www.socialserviceworkforce.org) : **Join the Alliance** and find resources for the workforce at ."),
        "{fr}"
    );
    // The shipped note's lone asterisk came back as a character.
    assert!(fr.contains("text: FR *Given the diversities"), "{fr}");
    p.run(&[
        "build",
        "--lang",
        "fr",
        "--layout",
        "flyer",
        "--audience",
        "workforce",
    ])
    .ok();
}

#[test]
fn links_take_the_layouts_link_style() {
    // The shipped leaflet says `link: { colour: primary, underline: true }`:
    // the address is its own run in the brand's blue, with a rule under it.
    let project = common::shipped_project();
    let jobs = leafpress::list(
        &project,
        &leafpress::Filter {
            audiences: vec!["workforce".into()],
            layouts: vec!["leaflet".into()],
            variants: vec![leafpress::Variant::Screen],
            languages: vec!["en".into()],
        },
    )
    .unwrap();
    let doc = leafpress::document(&project, &jobs[0], false).unwrap().0;
    let pages = leafpress::typeset(&project, &doc, leafpress::Variant::Screen).unwrap();
    let items: Vec<&leafpress::Item> = pages.pages.iter().flat_map(|p| &p.items).collect();
    let (at, run) = items
        .iter()
        .enumerate()
        .find_map(|(i, it)| match it {
            leafpress::Item::Text(r)
                if r.glyphs.iter().map(|g| g.text.as_str()).collect::<String>()
                    == "socialserviceworkforce.org" =>
            {
                Some((i, r))
            }
            _ => None,
        })
        .expect("the address is a run of its own");
    assert_eq!(run.colour.rgb, leafpress::Rgb(0x00, 0x53, 0x7F), "primary");
    assert_eq!(run.links.len(), 1);
    let rule = items[..at]
        .iter()
        .rev()
        .find_map(|it| match it {
            leafpress::Item::Rect { x, y, w, h, .. } => Some((*x, *y, *w, *h)),
            _ => None,
        })
        .unwrap();
    assert!(
        (rule.0 - run.x).abs() < 0.01 && (rule.2 - run.width).abs() < 0.5,
        "{rule:?} {}",
        run.width
    );
    assert!(
        rule.1 > run.baseline && rule.1 < run.baseline + run.size * 0.3,
        "{rule:?}"
    );
    assert!(rule.3 > 0.0 && rule.3 < 2.0);
}

#[test]
fn libreoffice_shows_the_styling_and_keeps_it_through_a_translators_edit() {
    let p = marked();
    let handout = english_handout(&p);
    // Opened and exported to PDF by LibreOffice: bold and italic faces, the
    // links live, no field code in the text.
    let pdf_dir = p.file("lo-pdf");
    let o = std::process::Command::new("soffice")
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&pdf_dir)
        .arg(&handout)
        .env("HOME", p.path())
        .output()
        .expect("LibreOffice, installed by tests/run.sh");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pdf = pdf_dir.join("handout-workforce.pdf");
    let fonts = tool("pdffonts", &[pdf.to_str().unwrap()]);
    assert!(
        // DejaVu's italic is "Oblique"; where Noto Sans is installed, LibreOffice
        // uses it, and its italic is "Italic".
        fonts.contains("Bold") && (fonts.contains("Oblique") || fonts.contains("Italic")),
        "{fonts}"
    );
    let urls = tool("pdfinfo", &["-url", pdf.to_str().unwrap()]);
    assert!(urls.contains("https://example.org/learn"), "{urls}");
    assert!(
        urls.contains("https://www.socialserviceworkforce.org"),
        "{urls}"
    );
    let text = common::normalise(&tool("pdftotext", &[pdf.to_str().unwrap(), "-"]));
    assert!(!text.contains("HYPERLINK"), "{text}");
    assert!(
        text.contains("Commit to self-care, reflective practice, knowledge-building"),
        "{text}"
    );
    // A translator's edit in LibreOffice (" the " -> " le "), saved as DOCX:
    // the styling and links come back as markup.
    let edited = p.file("translated.docx");
    let o = std::process::Command::new("/usr/bin/python3")
        .arg(common::repo().join("tests/tools/lo_translate.py"))
        .arg(&handout)
        .arg(&edited)
        .arg(p.file("lo-profile"))
        .env("HOME", p.path())
        .output()
        .expect("python3 with LibreOffice's UNO bridge (python3-uno)");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    p.run(&["import", "--lang", "fr", "translated.docx"]).ok();
    let fr = p.read("content/translations/fr.yaml");
    assert!(
        fr.contains("**Commit** to *self-care*, reflective practice, [knowledge-building](https://example.org/learn), and continuous learning;"),
        "{fr}"
    );
    // (LibreOffice writes the address of a site's root with its `/`.)
    assert!(
        fr.contains("**Join le Alliance** and find resources for le workforce at [socialserviceworkforce.org](https://www.socialserviceworkforce.org/)."),
        "{fr}"
    );
}
