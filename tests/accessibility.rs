//! Accessible PDFs, read back as a screen reader and a checker would: the
//! structure tree poppler sees (`pdfinfo -struct-text`), the tree itself
//! walked with lopdf (so a failure names the element), text extraction in
//! reading order, and page-validation's PDF/UA-1 and PDF/A-2a rule sets.

mod common;

use common::{Project, pdf_text, shipped_content, tool};
use lopdf::{Document, Object, ObjectId};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn built() -> &'static Project {
    static P: OnceLock<Project> = OnceLock::new();
    P.get_or_init(|| {
        let p = Project::shipped();
        p.run(&["build", "--for", "print", "--for", "screen"]).ok();
        p
    })
}

/// Every language the shipped content has, each in its own folder.
const LANGUAGES: [&str; 4] = ["en", "fr", "ar", "hi"];

fn pdfs(p: &Project) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for lang in LANGUAGES {
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

/// One element of the structure tree as poppler reads it: its depth, type,
/// and the text of its own content, joined.
#[derive(Debug)]
struct Elem {
    depth: usize,
    kind: String,
    text: String,
}

fn struct_text(pdf: &Path) -> Vec<Elem> {
    let out = tool("pdfinfo", &["-struct-text", pdf.to_str().unwrap()]);
    let mut elems: Vec<Elem> = Vec::new();
    for line in out.lines() {
        let depth = (line.len() - line.trim_start().len()) / 2;
        let t = line.trim();
        if let Some(q) = t.strip_prefix('"') {
            let last = elems.last_mut().expect("text inside an element");
            last.text.push_str(q.strip_suffix('"').unwrap_or(q));
            last.text.push(' ');
        } else if !t.starts_with('/') && !t.is_empty() {
            let kind = t.split([' ', ':']).next().unwrap().to_string();
            elems.push(Elem {
                depth,
                kind,
                text: String::new(),
            });
        }
    }
    for e in &mut elems {
        e.text = common::normalise(&e.text);
    }
    elems
}

/// Words of `s`, without the hyphens and breaks a line end may add.
fn words(s: &str) -> String {
    common::normalise(&s.replace("- ", "").replace('-', ""))
}

#[test]
fn the_leaflet_reads_in_the_order_a_reader_meets_it() {
    let c = shipped_content();
    let p = built();
    for a in &c.audiences {
        for name in [
            format!("leaflet-{}", a.id),
            format!("leaflet-{}-screen", a.id),
        ] {
            let pdf = p.file(&format!("out/en/{name}.pdf"));
            let tree = struct_text(&pdf);
            let top: Vec<&Elem> = tree.iter().filter(|e| e.depth == 1).collect();
            let kinds: Vec<&str> = top.iter().map(|e| e.kind.as_str()).collect();
            // The cover (its picture, title, audience, organisation), the
            // flap (the definition and its note), the inside (heading, intro,
            // the list of messages), the back (call to action, the QR code,
            // the web address, attribution, the picture's credit).
            let mut expected = vec![
                "Figure", "H1", "P", "P", "H2", "P", "Note", "H2", "P", "L", "P", "Figure", "P",
                "P", "P",
            ];
            if a.intro.is_none() {
                expected.remove(8);
            }
            assert_eq!(kinds, expected, "{name}: {tree:#?}");
            assert_eq!(tree[0].kind, "Document");
            assert!(top[0].text.is_empty(), "a figure is read by its Alt");
            // The figures' places are the picture's and the code's; the rest
            // read as before, counted after the picture.
            let top: Vec<&Elem> = top[1..].to_vec();
            let text = |i: usize| words(&top[i].text);
            assert_eq!(text(0), words(&c.title), "{name}");
            assert_eq!(text(3), words(&c.definition.heading), "{name}");
            assert!(
                text(4).starts_with(&words("The social service workforce is an inclusive")),
                "{name}: {}",
                text(4)
            );
            assert!(text(5).starts_with("*Given the diversities"), "{name}");
            assert_eq!(text(6), words(&a.heading), "{name}");
            if let Some(intro) = &a.intro {
                assert_eq!(text(7), words(intro), "{name}");
            }
            let n = top.len();
            assert_eq!(text(2), words(&c.organisation.name), "{name}");
            assert!(text(n - 5).starts_with("Join the Alliance"), "{name}");
            // The address: the paragraph's own text in print, its link's on screen.
            assert!(
                tree.iter()
                    .any(|e| e.depth >= 1 && e.text == "www.socialserviceworkforce.org"),
                "{name}"
            );
            assert_eq!(top[n - 4].kind, "Figure", "{name}: the QR code");
            assert_eq!(text(n - 2), words(&c.attribution), "{name}");
            assert_eq!(
                text(n - 1),
                words("Illustration: leafpress, public domain (CC0)")
            );
            // The list: one LI per message, each a label (its number) and a body.
            let list: Vec<&Elem> = tree
                .iter()
                .skip_while(|e| e.kind != "L")
                .skip(1)
                .take_while(|e| e.depth > 1)
                .collect();
            let labels: Vec<&str> = list
                .iter()
                .filter(|e| e.kind == "Lbl")
                .map(|e| e.text.as_str())
                .collect();
            let bodies: Vec<String> = list
                .iter()
                .filter(|e| e.kind == "LBody")
                .map(|e| words(&e.text))
                .collect();
            let numbers: Vec<String> = (1..=a.messages.len()).map(|n| n.to_string()).collect();
            assert_eq!(labels, numbers, "{name}");
            let messages: Vec<String> = a.messages.iter().map(|m| words(&m.text)).collect();
            assert_eq!(bodies, messages, "{name}");
            assert_eq!(
                list.iter().filter(|e| e.kind == "LI").count(),
                a.messages.len()
            );
        }
    }
}

#[test]
fn text_extraction_follows_the_reading_order_on_each_page() {
    // pdftotext -raw reads content in the order it is drawn: page by page,
    // the reading order (the back panel, read last, is on the first page).
    let c = shipped_content();
    let a = &c.audiences[2];
    let pdf = built().file(&format!("out/en/leaflet-{}.pdf", a.id));
    let pages: Vec<String> = (1..=2)
        .map(|n| {
            let raw = tool(
                "pdftotext",
                &[
                    "-raw",
                    "-f",
                    &n.to_string(),
                    "-l",
                    &n.to_string(),
                    pdf.to_str().unwrap(),
                    "-",
                ],
            );
            common::normalise(&raw.replace("-\n", "-"))
        })
        .collect();
    let in_order = |page: &str, parts: &[&str]| {
        let mut from = 0;
        for part in parts {
            let part = common::normalise(part);
            let at = page[from..]
                .find(&part)
                .unwrap_or_else(|| panic!("`{part}` not after byte {from} in:\n{page}"));
            from += at + part.len();
        }
    };
    let title_start: String = c
        .title
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    in_order(
        &pages[0],
        &[
            &title_start,
            &c.definition.heading,
            "The social service workforce is an",
            "*Given the diversities",
            "Developed by the Advocacy Interest Group",
        ],
    );
    let mut inside: Vec<&str> = vec![&a.heading, a.intro.as_deref().unwrap()];
    inside.extend(a.messages.iter().map(|m| m.text.as_str()));
    in_order(&pages[1], &inside);
}

#[test]
fn a_compound_broken_at_its_own_hyphen_extracts_whole() {
    // "discipline-specific" breaks after its hyphen in the English leaflet's
    // flap at its layout's 10 pt (the shipped flap fills to a larger size) in
    // a narrower flap; a reader (and pdftotext) must get the compound,
    // hyphen kept.
    let p = Project::shipped();
    p.edit(
        "layouts/leaflet.yaml",
        "    fit: fill\n    max-size: 11.5pt\n",
        "",
    );
    // A flap 7 mm narrower than shipped, where the compound lands at a
    // line end (ragged text hyphenates only when it must, so where words
    // break moves with the measure).
    p.edit(
        "layouts/leaflet.yaml",
        "padding: [14mm, 10mm, 12mm, 10mm]",
        "padding: [14mm, 17mm, 12mm, 10mm]",
    );
    p.run(&[
        "build",
        "--lang",
        "en",
        "--layout",
        "leaflet",
        "--audience",
        "workforce",
        "--for",
        "print",
        "--for",
        "screen",
        "--no-preview",
    ])
    .ok();
    for name in ["leaflet-workforce", "leaflet-workforce-screen"] {
        let pdf = p.file(&format!("out/en/{name}.pdf"));
        let raw = tool("pdftotext", &[pdf.to_str().unwrap(), "-"]);
        assert!(!raw.contains("disciplinespecific"), "{raw}");
        assert!(raw.contains("discipline-specific"), "{raw}");
        let tree = struct_text(&pdf);
        let def = tree.iter().find(|e| e.text.contains("discipline")).unwrap();
        // The line really breaks there (else this test proves nothing).
        assert!(def.text.contains("discipline- specific"), "{}", def.text);
    }
    // A word hyphenated by the typesetter still extracts whole.
    let text = pdf_text(&p.file("out/en/leaflet-workforce.pdf"));
    assert!(text.contains("inclusive concept"), "{text}");
}

/// The structure tree, walked: each element's type, attributes and kids.
struct Tree<'a> {
    doc: &'a Document,
}

impl Tree<'_> {
    fn dict(&self, o: &Object) -> lopdf::Dictionary {
        match o {
            Object::Reference(r) => self.doc.get_dictionary(*r).unwrap().clone(),
            Object::Dictionary(d) => d.clone(),
            other => panic!("not a dictionary: {other:?}"),
        }
    }

    /// Every structure element under `d` (depth first), with its id.
    fn elements(&self, o: &Object, out: &mut Vec<(Option<ObjectId>, lopdf::Dictionary)>) {
        let d = self.dict(o);
        if d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"StructElem".as_slice()) {
            out.push((o.as_reference().ok(), d.clone()));
        }
        let kids = match d.get(b"K") {
            Ok(Object::Array(a)) => a.clone(),
            Ok(k) => vec![k.clone()],
            Err(_) => Vec::new(),
        };
        for k in kids {
            if matches!(k, Object::Reference(_))
                || matches!(&k, Object::Dictionary(d) if d.get(b"S").is_ok())
            {
                self.elements(&k, out);
            }
        }
    }
}

/// page-validation's verdict on `files` (tests/tools/validate_pdf.py): whether
/// every rule passed, and its report.
fn validate(files: &[PathBuf]) -> (bool, String) {
    let o = std::process::Command::new("python3")
        .arg(common::repo().join("tests/tools/validate_pdf.py"))
        .args(files)
        .output()
        .unwrap();
    let report =
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    (o.status.success(), report)
}

/// Every structure element of `doc`, depth first, from the tree's root.
fn elements(doc: &Document) -> Vec<(Option<ObjectId>, lopdf::Dictionary)> {
    let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    let cat = doc.get_dictionary(root).unwrap();
    let tr = doc
        .get_dictionary(cat.get(b"StructTreeRoot").unwrap().as_reference().unwrap())
        .unwrap();
    let mut out = Vec::new();
    Tree { doc }.elements(tr.get(b"K").unwrap(), &mut out);
    out
}

fn name(d: &lopdf::Dictionary, key: &[u8]) -> String {
    String::from_utf8_lossy(d.get(key).and_then(|n| n.as_name()).unwrap_or(b"")).into_owned()
}

fn string(d: &lopdf::Dictionary, key: &[u8]) -> Option<String> {
    match d.get(key).ok()? {
        Object::String(b, _) if b.starts_with(&[0xFE, 0xFF]) => {
            let u: Vec<u16> = b[2..]
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            Some(String::from_utf16(&u).unwrap())
        }
        Object::String(b, _) => Some(String::from_utf8_lossy(b).into_owned()),
        _ => None,
    }
}

/// The marked content of a page's stream: each MCID, and whether every path
/// painted lies inside an artifact.
fn marked_content(doc: &Document, page: ObjectId) -> (Vec<i64>, Vec<String>) {
    let content = lopdf::content::Content::decode(&doc.get_page_content(page)).unwrap();
    let mut stack: Vec<String> = Vec::new();
    let mut mcids = Vec::new();
    let mut untagged = Vec::new();
    for op in &content.operations {
        match op.operator.as_str() {
            "BMC" => {
                stack.push(String::from_utf8_lossy(op.operands[0].as_name().unwrap()).into_owned())
            }
            "BDC" => {
                let tag = String::from_utf8_lossy(op.operands[0].as_name().unwrap()).into_owned();
                if let Ok(d) = op.operands[1].as_dict()
                    && let Ok(m) = d.get(b"MCID").and_then(|m| m.as_i64())
                {
                    mcids.push(m);
                }
                stack.push(tag);
            }
            "EMC" => {
                stack.pop();
            }
            "f" | "F" | "S" | "s" | "B" | "b" | "Do" | "TJ" | "Tj" if stack.is_empty() => {
                untagged.push(op.operator.clone())
            }
            _ => {}
        }
    }
    (mcids, untagged)
}

#[test]
fn the_tree_is_complete_and_decoration_is_an_artifact() {
    for pdf in pdfs(built()) {
        let doc = Document::load(&pdf).unwrap();
        let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
        let cat = doc.get_dictionary(root).unwrap();
        let path = pdf.to_string_lossy();
        let lang = LANGUAGES
            .into_iter()
            .find(|l| path.contains(&format!("/out/{l}/")))
            .unwrap();
        assert_eq!(string(cat, b"Lang").as_deref(), Some(lang), "{pdf:?}");
        let mark = doc
            .dereference(cat.get(b"MarkInfo").unwrap())
            .unwrap()
            .1
            .as_dict()
            .unwrap()
            .clone();
        assert!(mark.get(b"Marked").unwrap().as_bool().unwrap());
        let tree_root = doc
            .get_dictionary(cat.get(b"StructTreeRoot").unwrap().as_reference().unwrap())
            .unwrap();
        let tree = Tree { doc: &doc };
        let mut elems = Vec::new();
        tree.elements(tree_root.get(b"K").unwrap(), &mut elems);
        assert_eq!(name(&elems[0].1, b"S"), "Document", "{pdf:?}");
        // Every MCID of every page leads back to an element through the parent tree.
        let nums = tree
            .dict(tree_root.get(b"ParentTree").unwrap())
            .get(b"Nums")
            .unwrap()
            .as_array()
            .unwrap()
            .clone();
        for (i, (_, page)) in doc.get_pages().into_iter().enumerate() {
            let pd = doc.get_dictionary(page).unwrap();
            let key = pd.get(b"StructParents").unwrap().as_i64().unwrap();
            assert_eq!(key, i as i64);
            let at = nums
                .chunks(2)
                .find(|c| c[0].as_i64().unwrap() == key)
                .unwrap();
            let parents = at[1].as_array().unwrap();
            let (mcids, untagged) = marked_content(&doc, page);
            assert!(
                untagged.is_empty(),
                "{pdf:?} page {i}: untagged {untagged:?}"
            );
            assert_eq!(mcids.len(), parents.len(), "{pdf:?} page {i}");
            for (n, m) in mcids.iter().enumerate() {
                assert_eq!(*m, n as i64, "MCIDs count up from 0");
                let parent = doc
                    .get_dictionary(parents[n].as_reference().unwrap())
                    .unwrap();
                assert_eq!(name(parent, b"Type"), "StructElem");
            }
        }
        // The note has an id; the messages are a numbered list.
        let kinds: Vec<String> = elems.iter().map(|(_, d)| name(d, b"S")).collect();
        let note = elems.iter().find(|(_, d)| name(d, b"S") == "Note");
        if let Some((_, n)) = note {
            assert!(string(n, b"ID").is_some(), "{pdf:?}: a Note needs an ID");
        }
        let list = elems.iter().find(|(_, d)| name(d, b"S") == "L").unwrap();
        let attrs = tree.dict(list.1.get(b"A").unwrap());
        assert_eq!(name(&attrs, b"ListNumbering"), "Decimal");
        assert!(kinds.iter().filter(|k| *k == "LI").count() >= 2);
        assert_eq!(
            kinds.iter().filter(|k| *k == "LI").count(),
            kinds.iter().filter(|k| *k == "Lbl").count()
        );
    }
}

#[test]
fn every_shipped_pdf_passes_pdf_ua_1_and_screen_pdfs_pdf_a_2a() {
    let files = pdfs(built());
    assert_eq!(files.len(), 2 * 4 * 6, "print and screen, four languages");
    let (ok, out) = validate(&files);
    assert!(ok, "page-validation found problems:\n{out}");
    assert_eq!(out.matches("PDF_UA_1 compliant").count(), 48, "{out}");
    assert_eq!(out.matches("PDF_A_2A compliant").count(), 24, "{out}");
}

#[test]
fn the_checker_is_no_rubber_stamp() {
    // The same file without its structure tree must fail both rule sets.
    let src = built().file("out/en/flyer-workforce-screen.pdf");
    let mut doc = Document::load(&src).unwrap();
    let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    doc.get_dictionary_mut(root)
        .unwrap()
        .remove(b"StructTreeRoot");
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("untagged-screen.pdf");
    doc.save(&bad).unwrap();
    let (ok, out) = validate(&[bad]);
    assert!(!ok, "{out}");
    assert!(out.contains("PDF_UA_1 NOT compliant"), "{out}");
    assert!(out.contains("PDF_A_2A NOT compliant"), "{out}");
}

#[test]
fn links_hold_their_annotations_and_fallback_text_says_its_language() {
    let p = Project::shipped();
    // A call to action with the organisation's address, and a French build
    // that lacks one translation (so English stands in).
    p.edit(
        "content/messages.yaml",
        "Commit to self-care,",
        "Visit https://socialserviceworkforce.org and commit to self-care,",
    );
    // The French translation loses its text for that message.
    let fr = p.read("content/translations/fr.yaml");
    let from = fr.find("  message.self-care:").unwrap();
    let to = from + fr[from..].find("  message.identify-register:").unwrap();
    p.write(
        "content/translations/fr.yaml",
        &format!("{}{}", &fr[..from], &fr[to..]),
    );
    p.run(&[
        "build",
        "--for",
        "screen",
        "--for",
        "print",
        "--audience",
        "workforce",
        "--layout",
        "leaflet",
        "--allow-fallback",
    ])
    .ok();
    for (file, screen) in [
        ("out/en/leaflet-workforce-screen.pdf", true),
        ("out/en/leaflet-workforce.pdf", false),
    ] {
        let doc = Document::load(p.file(file)).unwrap();
        let elems = elements(&doc);
        // The message's link (the call to action on the back has its own).
        let links: Vec<_> = elems
            .iter()
            .filter(|(_, d)| name(d, b"S") == "Link")
            .filter(|(_, d)| {
                let parent = d.get(b"P").unwrap().as_reference().unwrap();
                name(doc.get_dictionary(parent).unwrap(), b"S") == "LBody"
            })
            .collect();
        let annots: Vec<ObjectId> = doc
            .get_pages()
            .values()
            .flat_map(|&pg| {
                let d = doc.get_dictionary(pg).unwrap();
                let tabs = name(d, b"Tabs");
                match d.get(b"Annots") {
                    Ok(Object::Array(a)) => {
                        assert_eq!(tabs, "S", "a page with annotations tabs in structure order");
                        a.iter().map(|o| o.as_reference().unwrap()).collect()
                    }
                    _ => Vec::new(),
                }
            })
            .filter(|a| {
                let d = doc.get_dictionary(*a).unwrap();
                !string(d, b"Contents").unwrap().contains("www.")
            })
            .collect();
        if !screen {
            // Print files have no annotations (PDF/X): the address is plain text.
            assert!(annots.is_empty() && links.is_empty(), "{file}");
            continue;
        }
        assert_eq!(links.len(), 1, "{file}: one address, one Link");
        assert!(!annots.is_empty());
        for a in &annots {
            let d = doc.get_dictionary(*a).unwrap();
            assert_eq!(
                string(d, b"Contents").as_deref(),
                Some("https://socialserviceworkforce.org")
            );
            assert_eq!(d.get(b"F").unwrap().as_i64().unwrap(), 4);
            d.get(b"StructParent").unwrap().as_i64().unwrap();
            // The Link element holds it as an object reference.
            let k = links[0].1.get(b"K").unwrap().as_array().unwrap();
            assert!(
                k.iter().any(|o| {
                    o.as_dict().is_ok_and(|o| {
                        name(o, b"Type") == "OBJR"
                            && o.get(b"Obj").unwrap().as_reference().unwrap() == *a
                    })
                }),
                "{file}: the Link holds annotation {a:?}"
            );
        }
        // It sits inside the message's body, and has the address's text.
        let link_parent = links[0].1.get(b"P").unwrap().as_reference().unwrap();
        assert_eq!(
            name(doc.get_dictionary(link_parent).unwrap(), b"S"),
            "LBody"
        );
    }
    let (ok, report) = validate(&[
        p.file("out/en/leaflet-workforce-screen.pdf"),
        p.file("out/fr/leaflet-workforce-screen.pdf"),
    ]);
    assert!(ok, "{report}");
    // The French file: the English message stands in, and says so.
    let doc = Document::load(p.file("out/fr/leaflet-workforce-screen.pdf")).unwrap();
    let elems = elements(&doc);
    let english: Vec<_> = elems
        .iter()
        .filter(|(_, d)| string(d, b"Lang").as_deref() == Some("en"))
        .map(|(_, d)| name(d, b"S"))
        .collect();
    assert_eq!(english, ["LI"], "only the untranslated message is English");
}

#[test]
fn the_logo_is_a_figure_with_its_alt_text_or_decoration() {
    let p = Project::shipped();
    p.with_logo(&common::png(400, 200));
    let build = |p: &Project| {
        p.run(&[
            "build",
            "--for",
            "screen",
            "--for",
            "print",
            "--audience",
            "workforce",
            "--layout",
            "leaflet",
            "--lang",
            "en",
        ])
        .ok();
    };
    build(&p);
    for file in [
        "out/en/leaflet-workforce.pdf",
        "out/en/leaflet-workforce-screen.pdf",
    ] {
        let tree = struct_text(&p.file(file));
        // The cover's picture, the logo, and the QR code on the back.
        let figures: Vec<&Elem> = tree.iter().filter(|e| e.kind == "Figure").collect();
        assert_eq!(figures.len(), 3, "{file}: {tree:#?}");
        let doc = Document::load(p.file(file)).unwrap();
        let alt: Vec<String> = doc
            .objects
            .values()
            .filter_map(|o| o.as_dict().ok())
            .filter(|d| name(d, b"S") == "Figure")
            .filter_map(|d| string(d, b"Alt"))
            .collect();
        let mut alt = alt;
        alt.sort();
        assert_eq!(
            alt,
            [
                "A social service worker with a clipboard stands with a family, two adults and their child, in front of their home.",
                "Global Social Service Workforce Alliance logo",
                "https://www.socialserviceworkforce.org"
            ]
        );
    }
    let (ok, report) = validate(&[
        p.file("out/en/leaflet-workforce.pdf"),
        p.file("out/en/leaflet-workforce-screen.pdf"),
    ]);
    assert!(ok, "{report}");
    // Marked decorative: drawn, but no figure to read.
    p.edit(
        "layouts/brand.yaml",
        "alt: \"Global Social Service Workforce Alliance logo\"",
        "alt: \"\"",
    );
    build(&p);
    let file = p.file("out/en/leaflet-workforce.pdf");
    let figures = struct_text(&file)
        .iter()
        .filter(|e| e.kind == "Figure")
        .count();
    assert_eq!(figures, 2, "the picture and the QR code");
    let list = tool("pdfimages", &["-list", file.to_str().unwrap()]);
    assert_eq!(list.lines().skip(2).count(), 2, "still drawn: {list}");
}

#[test]
fn a_block_marked_decorative_is_not_read() {
    let p = Project::shipped();
    p.edit(
        "layouts/leaflet.yaml",
        "- { show: organisation, style: cover-org }",
        "- { show: organisation, style: cover-org, decorative: true }",
    );
    p.run(&[
        "build",
        "--audience",
        "workforce",
        "--layout",
        "leaflet",
        "--lang",
        "en",
    ])
    .ok();
    let tree = struct_text(&p.file("out/en/leaflet-workforce.pdf"));
    let top: Vec<&str> = tree
        .iter()
        .filter(|e| e.depth == 1)
        .map(|e| e.kind.as_str())
        .collect();
    // The cover's organisation line is gone from the tree; the back stays.
    assert_eq!(
        top,
        [
            "Figure", "H1", "P", "H2", "P", "Note", "H2", "P", "L", "P", "Figure", "P", "P", "P"
        ]
    );
    let raw = tool(
        "pdftotext",
        &[
            p.file("out/en/leaflet-workforce.pdf").to_str().unwrap(),
            "-",
        ],
    );
    assert!(raw.contains("Global Social Service Workforce Alliance"));
}

#[test]
fn faint_text_is_a_warning_naming_the_style_and_colours() {
    // The shipped brand passes; the accent itself on white would not.
    let p = Project::shipped();
    let r = p.run(&["check"]);
    r.ok();
    assert!(!r.stderr.contains("contrast"), "{}", r.stderr);
    p.edit(
        "layouts/leaflet.yaml",
        "size: 32pt, leading: 21pt, colour: accent-text",
        "size: 32pt, leading: 21pt, colour: accent",
    );
    p.edit(
        "layouts/leaflet.yaml",
        "note:           { font: body, italic: true, size: 8pt, leading: 11pt, colour: muted,",
        "note:           { font: body, italic: true, size: 8pt, leading: 11pt, colour: tint,",
    );
    let r = p.run(&["check"]);
    r.ok();
    let line = p.line_of("layouts/leaflet.yaml", "message-number:");
    assert!(
        r.stderr.contains(
            "warning: style `message-number` sets `accent` (#EE7D11) on white paper at a contrast of 2.77:1, under the 3:1 WCAG 2.1 AA asks for large text"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&format!("layouts/leaflet.yaml:{line}:")),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("warning: style `note` sets `tint` (#E6F1FA) on white paper at a contrast of 1.14:1, under the 4.5:1 WCAG 2.1 AA asks for body text"),
        "{}",
        r.stderr
    );
    // White on the cover's blue is fine, and not reported.
    assert!(!r.stderr.contains("cover-title"), "{}", r.stderr);
}

#[test]
fn handouts_carry_title_language_and_headings_in_order() {
    // As python-docx reads them (Word's accessibility checker looks at the
    // same): the document's title and language, and heading styles that
    // start at the title and never skip a level.
    let script = r#"
import sys, docx
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
d = docx.Document(sys.argv[1])
print("TITLE\t" + d.core_properties.title)
print("LANG\t" + d.core_properties.language)
for p in d.element.body.iter(qn("w:p")):
    style = Paragraph(p, d).style.name
    if style == "Title" or style.startswith("Heading"):
        print("HEADING\t" + style)
"#;
    let c = shipped_content();
    for lang in ["en", "fr"] {
        for a in &c.audiences {
            let path = built().file(&format!("out/{lang}/handout-{}.docx", a.id));
            let out = common::python(script, &path);
            assert!(out.contains(&format!("LANG\t{lang}\n")), "{out}");
            let title = out.lines().find_map(|l| l.strip_prefix("TITLE\t")).unwrap();
            assert!(title.contains(" — "), "title and audience: {title}");
            let headings: Vec<&str> = out
                .lines()
                .filter_map(|l| l.strip_prefix("HEADING\t"))
                .collect();
            assert_eq!(headings, ["Title", "Heading 1", "Heading 1"], "{path:?}");
        }
    }
}

#[test]
fn the_handout_logo_carries_its_description_or_is_marked_decorative() {
    let p = Project::shipped();
    p.with_logo(&common::png(400, 200));
    let script = r#"
import sys, docx
from docx.oxml.ns import qn
d = docx.Document(sys.argv[1])
for pr in d.element.body.iter(qn("wp:docPr")):
    deco = any(e.tag.endswith("}decorative") and e.get("val") == "1" for e in pr.iter())
    print("PICTURE\t%s\t%s" % (pr.get("descr"), "decorative" if deco else "meaningful"))
"#;
    let pictures = |p: &Project| {
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
        let path = p.file("out/en/handout-workforce.docx");
        common::assert_valid_docx(&path);
        common::python(script, &path)
    };
    // The logo, then the content's picture.
    let picture = "PICTURE\tA social service worker with a clipboard stands with a family, two adults and their child, in front of their home.\tmeaningful\n";
    assert_eq!(
        pictures(&p),
        format!("PICTURE\tGlobal Social Service Workforce Alliance logo\tmeaningful\n{picture}")
    );
    // The same handout, whatever else the batch made before it.
    let before = std::fs::read(p.file("out/en/handout-workforce.docx")).unwrap();
    p.run(&["build", "--force"]).ok();
    let after = std::fs::read(p.file("out/en/handout-workforce.docx")).unwrap();
    assert!(
        before == after,
        "a handout with a picture changed with the batch"
    );
    p.edit(
        "layouts/brand.yaml",
        "alt: \"Global Social Service Workforce Alliance logo\"",
        "alt: \"\"",
    );
    assert_eq!(pictures(&p), format!("PICTURE\t\tdecorative\n{picture}"));
}
