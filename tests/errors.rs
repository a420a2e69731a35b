//! Bad input gets a clear error naming the file, line and column and the fix;
//! exit status 1 (2 for a usage error); nothing half-written.

mod common;

use common::Project;

/// Runs `check` and `build` on the project and returns build's stderr, after
/// asserting both fail with status 1 and build wrote nothing.
fn fails(p: &Project) -> String {
    let check = p.run(&["check"]);
    assert_eq!(
        check.code, 1,
        "check should fail:\n{}\n{}",
        check.stdout, check.stderr
    );
    let build = p.run(&["build"]);
    assert_eq!(
        build.code, 1,
        "build should fail:\n{}\n{}",
        build.stdout, build.stderr
    );
    assert!(
        !p.file("out").exists(),
        "a failed input check must write nothing"
    );
    assert!(!build.stderr.contains("panicked"), "{}", build.stderr);
    build.stderr
}

#[test]
fn yaml_syntax_error_names_file_line_and_column() {
    let p = Project::shipped();
    p.edit(
        "content/messages.yaml",
        "  name: Global Social Service Workforce Alliance",
        "  name: \"Global Social Service Workforce Alliance",
    );
    let err = fails(&p);
    assert!(err.contains("content/messages.yaml:"), "{err}");
    assert!(err.contains("error: "), "{err}");
    // Shown where the unclosed quote opens.
    let line = p.line_of("content/messages.yaml", "name: \"Global");
    assert!(err.contains(&format!("messages.yaml:{line}:9")), "{err}");
    assert!(err.contains("never closed"), "{err}");
}

#[test]
fn tab_indentation_says_to_use_spaces() {
    let p = Project::shipped();
    p.edit("content/messages.yaml", "  name: Global", "\tname: Global");
    let err = fails(&p);
    let line = p.line_of("content/messages.yaml", "\tname: Global");
    assert!(err.contains(&format!("messages.yaml:{line}:")), "{err}");
    assert!(err.contains("tab"), "{err}");
}

#[test]
fn unknown_field_typo_gets_did_you_mean() {
    let p = Project::shipped();
    p.edit(
        "layouts/flyer.yaml",
        "colour: white, space-after: 4mm",
        "color: white, space-after: 4mm",
    );
    let err = fails(&p);
    assert!(err.contains("unknown field `color`"), "{err}");
    let line = p.line_of("layouts/flyer.yaml", "color: white");
    assert!(
        err.contains(&format!("layouts/flyer.yaml:{line}:77")),
        "{err}"
    );
    assert!(err.contains("did you mean `colour`?"), "{err}");
}

#[test]
fn wrong_type_says_what_was_expected() {
    let p = Project::shipped();
    p.edit(
        "content/messages.yaml",
        "    messages:\n      - id: sdg-ally",
        "    messages: three\n    old:\n      - id: sdg-ally",
    );
    let err = fails(&p);
    assert!(
        err.contains("invalid type: string \"three\", expected a sequence"),
        "{err}"
    );
    let line = p.line_of("content/messages.yaml", "messages: three");
    assert!(err.contains(&format!("messages.yaml:{line}:")), "{err}");
}

#[test]
fn unknown_colour_name_points_at_the_name_with_a_hint() {
    let p = Project::shipped();
    p.edit(
        "layouts/leaflet.yaml",
        "colour: primary, space-before: 4mm",
        "colour: primry, space-before: 4mm",
    );
    let err = fails(&p);
    assert!(
        err.contains("unknown colour `primry`; did you mean `primary`?"),
        "{err}"
    );
    let line = p.line_of("layouts/leaflet.yaml", "primry");
    let col = p
        .read("layouts/leaflet.yaml")
        .lines()
        .nth(line - 1)
        .unwrap()
        .find("primry")
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!("layouts/leaflet.yaml:{line}:{col}")),
        "{err}"
    );
}

#[test]
fn malformed_length_and_colour_are_explained() {
    let p = Project::shipped();
    p.edit("layouts/flyer.yaml", "bleed: 3mm", "bleed: 3 mmm");
    let err = fails(&p);
    assert!(
        err.contains("`mmm` in `3 mmm` is not a unit; use mm, cm, in or pt"),
        "{err}"
    );
    let line = p.line_of("layouts/flyer.yaml", "bleed: 3 mmm");
    assert!(
        err.contains(&format!("layouts/flyer.yaml:{line}:12")),
        "{err}"
    );

    let p = Project::shipped();
    p.edit("layouts/brand.yaml", "rgb: \"#00537F\"", "rgb: \"#00537\"");
    let err = fails(&p);
    assert!(err.contains("needs six hex digits"), "{err}");
    assert!(err.contains("layouts/brand.yaml:"), "{err}");

    let p = Project::shipped();
    p.edit(
        "layouts/brand.yaml",
        "cmyk: [0, 60, 100, 0]",
        "cmyk: [0, 60, 120, 0]",
    );
    let err = fails(&p);
    assert!(err.contains("ink percentage 120 is out of range"), "{err}");
}

#[test]
fn missing_required_field_is_named() {
    let p = Project::shipped();
    p.edit("content/messages.yaml", "language: en\n", "");
    let err = fails(&p);
    assert!(err.contains("missing field `language`"), "{err}");
}

#[test]
fn duplicate_ids_point_at_the_second_one() {
    let p = Project::shipped();
    p.edit("content/messages.yaml", "- id: inclusion", "- id: partners");
    let err = fails(&p);
    assert!(err.contains("message id `partners` is used twice"), "{err}");
    let line = p
        .read("content/messages.yaml")
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("id: partners"))
        .nth(1)
        .unwrap()
        .0
        + 1;
    assert!(err.contains(&format!("messages.yaml:{line}:")), "{err}");
}

#[test]
fn missing_font_file_names_brand_yaml_line() {
    let p = Project::shipped();
    std::fs::remove_file(p.file("fonts/NotoSans-Italic.ttf")).unwrap();
    let err = fails(&p);
    assert!(err.contains("cannot read font file"), "{err}");
    assert!(err.contains("NotoSans-Italic.ttf"), "{err}");
    let line = p.line_of("layouts/brand.yaml", "italic: NotoSans-Italic.ttf");
    assert!(
        err.contains(&format!("layouts/brand.yaml:{line}:13")),
        "{err}"
    );
    assert_eq!(
        err.matches("cannot read font file").count(),
        1,
        "reported once: {err}"
    );
}

#[test]
fn a_file_that_is_not_a_font_is_refused() {
    let p = Project::shipped();
    std::fs::write(p.file("fonts/NotoSans-Bold.ttf"), b"not a font at all").unwrap();
    let err = fails(&p);
    assert!(err.contains("is not a usable font file"), "{err}");
}

#[test]
fn missing_or_bad_logo_is_reported() {
    let p = Project::shipped();
    p.enable_logo();
    let err = fails(&p);
    assert!(err.contains("cannot read logo"), "{err}");
    assert!(err.contains("layouts/brand.yaml:"), "{err}");
    std::fs::write(p.file("layouts/logo.png"), b"GIF89a").unwrap();
    let err = fails(&p);
    assert!(err.contains("is not a PNG image"), "{err}");
    p.edit(
        "layouts/brand.yaml",
        "logo: { file: logo.png",
        "logo: { file: ../../etc/passwd",
    );
    let err = fails(&p);
    assert!(err.contains("leaves the project folder"), "{err}");
}

#[test]
fn unknown_audience_or_layout_on_the_command_line() {
    let p = Project::shipped();
    // A command-line mistake exits 2, as the README says.
    let r = p.run(&["build", "--audience", "workforse"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("unknown audience `workforse` on the command line"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("did you mean `workforce`?"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("1 mistake on the command line; nothing was built"),
        "{}",
        r.stderr
    );
    let r = p.run(&["build", "--layout", "poster", "--lang", "xx"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown layout `poster`"), "{}", r.stderr);
    assert!(r.stderr.contains("flyer, handout, leaflet"), "{}", r.stderr);
    assert!(
        r.stderr.contains("there is no `xx` version"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("2 mistakes on the command line"),
        "{}",
        r.stderr
    );
    assert_eq!(p.run(&["list", "--audience", "nobody"]).code, 2);
    assert!(!p.file("out/en").exists());
}

#[test]
fn usage_errors_exit_2() {
    let p = Project::shipped();
    assert_eq!(p.run(&["build", "--no-such-flag"]).code, 2);
    assert_eq!(p.run(&["frobnicate"]).code, 2);
}

#[test]
fn several_files_with_mistakes_are_all_reported_in_one_run() {
    let p = Project::shipped();
    p.edit("content/messages.yaml", "title:", "titel:");
    p.edit("layouts/flyer.yaml", "size: A4", "size: A44");
    p.edit("layouts/handout.yaml", "colour: ink", "colour: inc");
    let err = fails(&p);
    assert!(err.contains("did you mean `title`?"), "{err}");
    assert!(err.contains("unknown paper size `A44`"), "{err}");
    assert!(err.contains("unknown colour `inc`"), "{err}");
    assert!(err.contains("3 problems found"), "{err}");
}

#[test]
fn five_independent_mistakes_in_one_content_file_are_all_reported() {
    let p = Project::shipped();
    p.edit(
        "content/messages.yaml",
        "language: en\n",
        "language: en\ncolour: red\n",
    );
    p.edit(
        "content/messages.yaml",
        "organisation:\n  name:",
        "organisation:\n  nam:",
    );
    p.edit(
        "content/messages.yaml",
        "  heading: Definition of",
        "  heding: Definition of",
    );
    p.edit(
        "content/messages.yaml",
        "      - id: partners\n        text:",
        "      - id: partners\n        txt:",
    );
    p.edit(
        "content/messages.yaml",
        "    intro: >-\n      The social",
        "    intro: [not, text]\n    old: >-\n      The social",
    );
    let err = fails(&p);
    assert!(err.contains("5 problems found"), "{err}");
    for (needle, what) in [
        ("colour: red", "unknown field `colour`"),
        ("  nam: Global", "unknown field `nam`"),
        ("  heding: Definition", "unknown field `heding`"),
        ("        txt: >-", "unknown field `txt`"),
        (
            "intro: [not, text]",
            "invalid type: sequence, expected a string",
        ),
    ] {
        let line = p.line_of("content/messages.yaml", needle);
        assert!(err.contains(what), "{what} missing:\n{err}");
        assert!(
            err.contains(&format!("content/messages.yaml:{line}:")),
            "{needle} (line {line}) not pointed at:\n{err}"
        );
    }
}

#[test]
fn problems_are_reported_content_first_then_brand() {
    let p = Project::shipped();
    p.edit("content/messages.yaml", "\ntitle:", "\ntitel:");
    p.edit(
        "layouts/brand.yaml",
        "regular: NotoSans-Regular.ttf",
        "regular: Missing.ttf",
    );
    let err = fails(&p);
    let content = err.find("unknown field `titel`").expect(&err);
    let brand = err.find("Missing.ttf").expect(&err);
    assert!(content < brand, "{err}");
}

#[test]
fn one_check_reports_every_mistake_in_content_and_layouts() {
    // Six mistakes of six kinds; none may hide another.
    let p = Project::shipped();
    std::fs::remove_dir_all(p.file("content/translations")).unwrap();
    let msg = "content/messages.yaml";
    p.edit(msg, "Commit to self-care,", "Commit to self\u{200b}-care,");
    p.edit(
        msg,
        "  - id: media-public\n",
        "  - id: media-public\n    headline: Oops\n",
    );
    p.edit(msg, "id: solidarity", "id: self-care");
    p.edit(
        msg,
        "  - id: donors-government",
        "  - id: Donors Government",
    );
    p.edit("layouts/leaflet.yaml", "colour: primary", "colour: primry");
    let size = p.read("layouts/flyer.yaml");
    let at = size.find("size: 1").expect("a size in the flyer");
    let end = at + size[at..].find("pt").unwrap() + 2;
    p.write(
        "layouts/flyer.yaml",
        &format!("{}size: 11{}", &size[..at], &size[end..]),
    );
    let r = p.run(&["check"]);
    assert_eq!(r.code, 1);
    let expect = [
        (
            "the invisible character U+200B (zero width space)",
            "content/messages.yaml:",
            "self\u{200b}-care",
        ),
        (
            "unknown field `headline`",
            "content/messages.yaml:",
            "headline: Oops",
        ),
        (
            "message id `self-care` is used twice",
            "content/messages.yaml:",
            "id: self-care",
        ),
        (
            "audience id `Donors Government` is not a slug",
            "content/messages.yaml:",
            "id: Donors Government",
        ),
        (
            "unknown colour `primry`",
            "layouts/leaflet.yaml:",
            "colour: primry",
        ),
        ("no unit", "layouts/flyer.yaml:", "size: 11"),
    ];
    for (what, file, line_text) in expect {
        let at = r
            .stderr
            .find(what)
            .unwrap_or_else(|| panic!("`{what}` not reported:\n{}", r.stderr));
        // Each with its place: the file and line, and the line itself.
        let after = &r.stderr[at..];
        let place = &after[after.find("-->").unwrap()..];
        assert!(
            place[..place.find('\n').unwrap()].contains(file),
            "{what}: {place}"
        );
        assert!(
            place[..300.min(place.len())].contains(line_text),
            "{what}: {place}"
        );
    }
    assert!(r.stderr.contains("6 problems found"), "{}", r.stderr);
}

#[test]
fn check_lays_out_every_output_and_finds_what_build_would() {
    let p = Project::shipped();
    let long = "Convene and support community actors. ".repeat(80);
    p.edit(
        "content/messages.yaml",
        "Convene and support community actors, civil society and other actors\n          to intensify",
        &format!("{long} to intensify"),
    );
    let check = p.run(&["check"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(
        check.stderr.contains("2 outputs of 36 would fail to build"),
        "{}",
        check.stderr
    );
    assert!(!p.file("out").exists(), "check writes nothing");
    // The same words as the build's.
    let build = p.run(&["build"]);
    let errors = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.starts_with("error: "))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(errors(&check.stderr).len(), 2);
    assert_eq!(errors(&check.stderr), errors(&build.stderr));
}
