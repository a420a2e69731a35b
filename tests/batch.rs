//! The batch: one failing job does not stop the others or harm a good output;
//! layouts are data; init, check and list do what they say.

mod common;

use common::{Project, tool};

#[test]
fn an_overflowing_job_fails_alone_names_layout_panel_message_and_keeps_the_old_file() {
    let p = Project::shipped();
    p.run(&["build"]).ok();
    let good = std::fs::read(p.file("out/en/flyer-workforce.pdf")).unwrap();
    let manifest_before = p.read("out/manifest.json");

    // A message far too long for the flyer's body panel.
    let long = "Convene and support community actors. ".repeat(80);
    p.edit("content/messages.yaml", "Convene and support community actors, civil society and other actors\n          to intensify", &format!("{long} to intensify"));
    let r = p.run(&["build"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("FAILED out/en/flyer-workforce.pdf"),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr.contains(
            "message convene-advocacy does not fit even at the minimum size, 10.0 pt: layout `flyer`, panel `body`, overflows by"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("mm (content/messages.yaml:"),
        "{}",
        r.stderr
    );
    // The other jobs still ran (of this audience: the others' outputs do not
    // show the edited message and are up to date).
    assert!(
        r.stdout.contains("wrote  out/en/handout-workforce.docx"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("10 written, 24 up to date, 2 failed"),
        "{}",
        r.stdout
    );
    // The earlier good output is untouched, and no temp file is left.
    assert_eq!(
        std::fs::read(p.file("out/en/flyer-workforce.pdf")).unwrap(),
        good
    );
    let leftovers: Vec<_> = std::fs::read_dir(p.file("out/en"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".tmp")
        })
        .collect();
    assert!(leftovers.is_empty());
    // The manifest lists the failed output as failed, with its error, and the
    // file left from the earlier build as what it is: never as current.
    let m: leafpress::Manifest = serde_json::from_str(&p.read("out/manifest.json")).unwrap();
    let row = m
        .outputs
        .iter()
        .find(|r| r.path == "en/flyer-workforce.pdf")
        .expect("listed in the manifest");
    let before: leafpress::Manifest = serde_json::from_str(&manifest_before).unwrap();
    let earlier = before
        .outputs
        .iter()
        .find(|r| r.path == "en/flyer-workforce.pdf")
        .unwrap();
    assert_eq!(row.status, leafpress::Status::Failed);
    assert!(row.earlier_file);
    assert!(row.errors[0].contains("does not fit"), "{:?}", row.errors);
    assert_eq!((row.bytes, &row.sha256), (earlier.bytes, &earlier.sha256));
    assert!(
        row.fingerprint.is_empty(),
        "a failed output is never up to date"
    );
    let failed: Vec<&str> = m
        .outputs
        .iter()
        .filter(|r| r.status != leafpress::Status::Ok)
        .map(|r| r.path.as_str())
        .collect();
    assert_eq!(
        failed,
        ["en/flyer-workforce.pdf", "en/leaflet-workforce.pdf"]
    );
    assert!(
        m.outputs
            .iter()
            .all(|r| r.status != leafpress::Status::Ok || r.errors.is_empty())
    );
    // The contact sheet shows it failed, with the error, and no preview of it.
    let sheet = p.read("out/index.html");
    assert!(sheet.contains("Failed: not made by this build"), "{sheet}");
    assert!(sheet.contains("from an earlier build, out of date"));
    assert!(sheet.contains("does not fit even at the minimum size"));
    assert!(!sheet.contains(r#"<img src="en/flyer-workforce.p1.png""#));
    assert!(!sheet.contains(r#"src="en/flyer-workforce.p1.png""#));
    assert!(
        p.read("out/manifest.json")
            .contains(r#""status": "failed""#)
    );
    assert!(p.read("out/manifest.json").contains(r#""status": "ok""#));

    // Mended, the next build makes it again and it is current.
    p.write(
        "content/messages.yaml",
        &std::fs::read_to_string(common::repo().join("content/messages.yaml")).unwrap(),
    );
    let r = p.run(&["build"]);
    r.ok();
    // The audience's twelve outputs are made again (the failed two, the
    // handout that showed the long text, the French, Arabic and Hindi ones
    // whose stale-text warning goes); nothing else is.
    assert!(
        r.stdout.contains("12 written, 24 up to date, 0 failed"),
        "{}",
        r.stdout
    );
    let m: leafpress::Manifest = serde_json::from_str(&p.read("out/manifest.json")).unwrap();
    assert!(
        m.outputs
            .iter()
            .all(|r| r.status == leafpress::Status::Ok && !r.earlier_file)
    );
}

#[test]
fn outputs_the_content_no_longer_makes_are_removed_or_kept_as_orphans() {
    let p = Project::shipped();
    p.run(&["build"]).ok();
    // A stray file of the user's in out/ is never touched.
    p.write("out/en/notes.txt", "mine");
    // The media-public audience goes (its French texts with it).
    let content = p.read("content/messages.yaml");
    let start = content.find("  - id: media-public").unwrap();
    let end = content[start + 1..].find("\n  - id: ").unwrap() + start + 2;
    p.write(
        "content/messages.yaml",
        &format!("{}{}", &content[..start], &content[end..]),
    );
    for lang in ["fr", "ar", "hi"] {
        let file = format!("content/translations/{lang}.yaml");
        let fr = p.read(&file);
        let kept: String = fr
            .split_inclusive('\n')
            .fold((String::new(), false), |(mut out, skipping), line| {
                let entry = line.starts_with("  ") && !line.starts_with("    ");
                let skip = if entry {
                    line.contains("media-public") || line.contains("message.") && !fr_keeps(line)
                } else {
                    skipping
                };
                if !skip {
                    out.push_str(line);
                }
                (out, skip)
            })
            .0;
        p.write(&file, &kept);
    }

    let r = p.run(&["build", "--keep-orphans"]);
    r.ok();
    assert!(
        r.stdout.contains("12 outputs the content no longer makes"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("kept, and listed as orphans"),
        "{}",
        r.stdout
    );
    let m: leafpress::Manifest = serde_json::from_str(&p.read("out/manifest.json")).unwrap();
    let orphans: Vec<&str> = m
        .outputs
        .iter()
        .filter(|r| r.status == leafpress::Status::Orphan)
        .map(|r| r.path.as_str())
        .collect();
    assert_eq!(orphans.len(), 12, "{orphans:?}");
    assert!(orphans.iter().all(|o| o.contains("media-public")));
    assert!(p.file("out/en/leaflet-media-public.pdf").exists());
    assert!(
        p.read("out/index.html")
            .contains("No longer made by the content")
    );

    let r = p.run(&["build"]);
    r.ok();
    assert!(
        r.stdout.contains("12 outputs the content no longer makes"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("removed"), "{}", r.stdout);
    let m: leafpress::Manifest = serde_json::from_str(&p.read("out/manifest.json")).unwrap();
    assert_eq!(m.outputs.len(), 24);
    assert!(m.outputs.iter().all(|r| !r.path.contains("media-public")));
    for f in [
        "en/leaflet-media-public.pdf",
        "en/leaflet-media-public.p1.png",
        "fr/handout-media-public.docx",
    ] {
        assert!(!p.file(&format!("out/{f}")).exists(), "{f} is still there");
    }
    assert!(!p.read("out/index.html").contains("media-public"));
    assert_eq!(p.read("out/en/notes.txt"), "mine");
}

/// Whether a `message.…` line of the French translation belongs to an audience
/// other than media-public (whose messages go with it).
fn fr_keeps(line: &str) -> bool {
    let content = std::fs::read_to_string(common::repo().join("content/messages.yaml")).unwrap();
    let start = content.find("  - id: media-public").unwrap();
    let end = content[start + 1..].find("\n  - id: ").unwrap() + start + 2;
    let id = line
        .trim()
        .trim_end_matches(':')
        .trim_start_matches("message.");
    !content[start..end].contains(&format!("id: {id}\n"))
}

#[test]
fn paper_size_and_colours_are_data() {
    let p = Project::shipped();
    p.edit("layouts/flyer.yaml", "size: A4", "size: Letter");
    p.edit(
        "layouts/brand.yaml",
        "primary: { cmyk: [100, 50, 10, 35]",
        "primary: { cmyk: [0, 100, 0, 0]",
    );
    p.run(&["build", "--layout", "flyer", "--audience", "workforce"])
        .ok();
    let info = tool(
        "pdfinfo",
        &[
            "-box",
            p.file("out/en/flyer-workforce.pdf").to_str().unwrap(),
        ],
    );
    // US Letter is 612 x 792 pt, inside 8.5 pt of bleed and 14.2 pt for crop marks.
    assert!(
        info.contains("TrimBox:            31.18    31.18   643.18   823.18"),
        "{info}"
    );
    let doc = lopdf::Document::load(p.file("out/en/flyer-workforce.pdf")).unwrap();
    let (_, page) = doc.get_pages().into_iter().next().unwrap();
    let content = String::from_utf8_lossy(&doc.get_page_content(page)).to_string();
    assert!(
        content.contains("0 1 0 0 k"),
        "brand colour as CMYK fill: {content:.400}"
    );
}

#[test]
fn filters_select_jobs_and_list_shows_them() {
    let p = Project::shipped();
    let r = p.run(&["list"]);
    r.ok();
    assert_eq!(r.stdout.lines().count(), 36, "{}", r.stdout);
    let r = p.run(&[
        "list",
        "--audience",
        "workforce",
        "--layout",
        "leaflet",
        "--layout",
        "handout",
        "--lang",
        "en",
    ]);
    r.ok();
    assert_eq!(
        r.stdout.lines().collect::<Vec<_>>(),
        [
            "workforce\ten\thandout\ten/handout-workforce.docx",
            "workforce\ten\tleaflet\ten/leaflet-workforce.pdf"
        ]
    );
    p.run(&["build", "--audience", "workforce", "--layout", "leaflet"])
        .ok();
    let mut names: Vec<_> = std::fs::read_dir(p.file("out/en"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "leaflet-workforce.p1.png",
            "leaflet-workforce.p2.png",
            "leaflet-workforce.pdf"
        ]
    );
}

#[test]
fn check_validates_and_writes_nothing() {
    let p = Project::shipped();
    let r = p.run(&["check"]);
    r.ok();
    assert!(
        r.stdout.contains(
            "ok: 3 audiences, 3 layouts, 4 languages (en, ar, fr, hi), 36 outputs to build"
        ),
        "{}",
        r.stdout
    );
    assert!(!p.file("out").exists());
}

#[test]
fn init_starts_a_project_that_builds_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("campaign");
    let r = common::run_in(dir.path(), &["init", "campaign"], &[]);
    r.ok();
    for f in [
        "content/messages.yaml",
        "layouts/brand.yaml",
        "layouts/leaflet.yaml",
        "fonts/OFL.txt",
    ] {
        assert!(target.join(f).is_file(), "{f}");
    }
    common::run_in(&target, &["build"], &[]).ok();
    assert!(target.join("out/manifest.json").is_file());
    let again = common::run_in(dir.path(), &["init", "campaign"], &[]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
}

#[test]
fn output_folder_that_is_a_file_is_an_error() {
    let p = Project::shipped();
    p.write("out", "not a folder");
    let r = p.run(&["build"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("is a file"), "{}", r.stderr);
}

#[test]
fn the_brand_logo_is_placed_where_the_layout_says() {
    let p = Project::shipped();
    p.with_logo(&common::png(400, 200));
    p.run(&["build", "--layout", "leaflet", "--audience", "workforce"])
        .ok();
    let list = tool(
        "pdfimages",
        &[
            "-list",
            p.file("out/en/leaflet-workforce.pdf").to_str().unwrap(),
        ],
    );
    // The cover's picture, and the logo.
    let rows: Vec<&str> = list.lines().skip(2).collect();
    assert_eq!(rows.len(), 2, "{list}");
    let logo = rows
        .iter()
        .find(|r| r.split_whitespace().nth(3) == Some("400"));
    let cols: Vec<&str> = logo.expect("the logo").split_whitespace().collect();
    // page 1 (the back panel), 400 x 200 px, drawn 16 mm tall: 400 px over 32 mm = 317 ppi.
    assert_eq!((cols[0], cols[3], cols[4]), ("1", "400", "200"), "{list}");
    assert_eq!(cols[12], "317", "{list}");
    // In a print file even the logo is CMYK.
    assert_eq!(cols[5], "cmyk", "{list}");
}

#[test]
fn an_oversized_or_damaged_logo_is_an_input_error() {
    let p = Project::shipped();
    p.enable_logo();
    let mut broken = common::png(10, 10);
    broken.truncate(40);
    std::fs::write(p.file("layouts/logo.png"), broken).unwrap();
    let r = p.run(&["check"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("is a damaged PNG file"), "{}", r.stderr);
}
