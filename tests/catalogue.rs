//! The catalogue of bad inputs: each case is a fixture (the shipped project with
//! one mistake made in it) and what a user must be told. Every case: exit status
//! 1, no panic, the message, the position (`file:line:column`) where one exists,
//! a message in our style (lowercase start, then what to do), nothing written.
//! More cases, each with its own test, are in `errors.rs` (YAML syntax, tabs,
//! typos, wrong types, colours and lengths, missing fields, duplicate ids,
//! missing and non-font font files, logos), `batch.rs` (an output folder that is
//! a file, damaged logos), `print.rs` and `translation.rs`.

mod common;

use common::{Project, Run};

/// Where the problem must be pointed at: the file, the line holding `needle`
/// (its `nth` occurrence, from 0), and the column, when it is known.
struct At {
    file: &'static str,
    needle: &'static str,
    nth: usize,
    column: Option<usize>,
}

fn at(file: &'static str, needle: &'static str) -> Option<At> {
    Some(At {
        file,
        needle,
        nth: 0,
        column: None,
    })
}

/// Runs the case: `check`, then `build`, both must fail alike and write nothing.
fn expect(p: &Project, says: &[&str], where_: Option<At>) -> String {
    let check = p.run(&["check"]);
    let build = p.run(&["build"]);
    for (what, r) in [("check", &check), ("build", &build)] {
        assert_eq!(r.code, 1, "{what} should fail:\n{}\n{}", r.stdout, r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        for s in says {
            assert!(
                r.stderr.contains(s),
                "{what}: `{s}` not said:\n{}",
                r.stderr
            );
        }
        in_style(r);
    }
    assert!(
        !p.file("out").exists(),
        "a failed input check wrote outputs"
    );
    if let Some(a) = where_ {
        let line = p
            .read(a.file)
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains(a.needle))
            .nth(a.nth)
            .unwrap_or_else(|| panic!("`{}` not in {}", a.needle, a.file))
            .0
            + 1;
        let pos = match a.column {
            Some(c) => format!("{}:{line}:{c}", a.file),
            None => format!("{}:{line}:", a.file),
        };
        assert!(
            build.stderr.contains(&pos),
            "not pointed at {pos}:\n{}",
            build.stderr
        );
    }
    build.stderr
}

/// One style for every message: `error: ` and a lowercase start (or a quoted
/// name), each followed by where, and the run ends with the count.
fn in_style(r: &Run) {
    let errors: Vec<&str> = r
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("error: "))
        .collect();
    assert!(!errors.is_empty(), "no `error: ` line:\n{}", r.stderr);
    for e in errors {
        let first = e.chars().next().unwrap();
        assert!(
            first.is_lowercase() || matches!(first, '`' | '\'' | '"') || first.is_ascii_digit(),
            "message does not start in lowercase: {e}"
        );
    }
}

/// Runs leafpress as an unprivileged user when the tests run as root (root reads
/// and writes whatever the permissions say, so a read-only folder would not be).
fn run_unprivileged(p: &Project, args: &[&str]) -> Run {
    use std::os::unix::fs::PermissionsExt;
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return p.run(args);
    }
    // The project must be readable (and its root writable where the test wants).
    std::fs::set_permissions(p.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let mut c = std::process::Command::new("setpriv");
    c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_leafpress"))
        .args(args)
        .current_dir(p.path());
    Run::from(
        c.output()
            .expect("setpriv (util-linux) runs the test as nobody"),
    )
}

#[test]
fn a_key_written_twice() {
    let p = Project::shipped();
    p.edit(
        "content/messages.yaml",
        "\ntitle:",
        "\ntitle: Again\ntitle:",
    );
    expect(
        &p,
        &["duplicate field `title`", "each key may appear once"],
        Some(At {
            file: "content/messages.yaml",
            needle: "title:",
            nth: 1,
            column: Some(1),
        }),
    );
}

#[test]
fn an_empty_file() {
    let p = Project::shipped();
    p.write("content/messages.yaml", "# nothing here yet\n\n");
    expect(
        &p,
        &[
            "content/messages.yaml",
            "the file is empty",
            "leafpress init",
        ],
        None,
    );
}

#[test]
fn an_audience_without_messages() {
    let p = Project::shipped();
    let text = p.read("content/messages.yaml");
    let start = text.find("    messages:\n").unwrap();
    let end = start + text[start..].find("\n  - id:").unwrap();
    p.write(
        "content/messages.yaml",
        &format!("{}    messages: []{}", &text[..start], &text[end..]),
    );
    std::fs::remove_dir_all(p.file("content/translations")).unwrap();
    expect(
        &p,
        &[
            "audience `donors-government` has no messages",
            "add at least one message",
        ],
        at("content/messages.yaml", "- id: donors-government"),
    );
}

#[test]
fn no_audiences_at_all() {
    let p = Project::shipped();
    let text = p.read("content/messages.yaml");
    let i = text.find("audiences:").unwrap();
    p.write(
        "content/messages.yaml",
        &format!("{}audiences: []\n", &text[..i]),
    );
    std::fs::remove_dir_all(p.file("content/translations")).unwrap();
    expect(
        &p,
        &["there are no audiences", "add at least one audience"],
        at("content/messages.yaml", "audiences: []"),
    );
}

#[test]
fn an_unknown_style_name() {
    let p = Project::shipped();
    p.edit("layouts/flyer.yaml", "style: heading }", "style: headng }");
    expect(
        &p,
        &["unknown style `headng`; did you mean `heading`?"],
        at("layouts/flyer.yaml", "style: headng"),
    );
}

#[test]
fn an_unknown_font_role() {
    let p = Project::shipped();
    p.edit(
        "layouts/flyer.yaml",
        "band-title:     { font: heading",
        "band-title:     { font: headline",
    );
    expect(
        &p,
        &["unknown font role `headline`; did you mean `heading`?"],
        Some(At {
            file: "layouts/flyer.yaml",
            needle: "font: headline",
            nth: 0,
            column: Some(27),
        }),
    );
}

#[test]
fn a_panel_taking_an_unknown_flow() {
    let p = Project::shipped();
    p.edit("layouts/flyer.yaml", "flow: messages", "flow: mesages");
    expect(
        &p,
        &["unknown flow `mesages`; did you mean `messages`?"],
        at("layouts/flyer.yaml", "- name: body"),
    );
}

#[test]
fn two_panels_with_one_name() {
    let p = Project::shipped();
    p.edit("layouts/flyer.yaml", "- name: footer", "- name: band");
    expect(
        &p,
        &[
            "panel name `band` is used twice",
            "give each panel its own name",
        ],
        Some(At {
            file: "layouts/flyer.yaml",
            needle: "- name: band",
            nth: 1,
            column: None,
        }),
    );
}

#[test]
fn a_zero_or_negative_page_size() {
    for size in ["[0mm, 297mm]", "[-210mm, 297mm]"] {
        let p = Project::shipped();
        p.edit("layouts/flyer.yaml", "size: A4", &format!("size: {size}"));
        expect(
            &p,
            &[
                "page width and height must be greater than zero",
                "such as [210mm, 297mm]",
            ],
            at("layouts/flyer.yaml", "size: ["),
        );
    }
}

#[test]
fn a_negative_bleed() {
    let p = Project::shipped();
    p.edit("layouts/flyer.yaml", "bleed: 3mm", "bleed: -3mm");
    expect(
        &p,
        &["`bleed` is below zero", "zero or more"],
        at("layouts/flyer.yaml", "bleed: -3mm"),
    );
}

#[test]
fn margins_larger_than_the_page() {
    let p = Project::shipped();
    p.edit(
        "layouts/handout.yaml",
        "margins: [25mm, 22mm, 25mm, 22mm]",
        "margins: [150mm, 22mm, 150mm, 22mm]",
    );
    expect(
        &p,
        &[
            "the margins are larger than the page",
            "make the margins smaller",
        ],
        at("layouts/handout.yaml", "margins: [150mm"),
    );
}

#[test]
fn padding_larger_than_its_panel() {
    let p = Project::shipped();
    p.edit(
        "layouts/flyer.yaml",
        "padding: [16mm, 22mm, 8mm, 20mm]",
        "padding: [160mm, 22mm, 160mm, 20mm]",
    );
    expect(
        &p,
        &["panel `body` has padding larger than the panel"],
        at("layouts/flyer.yaml", "- name: body"),
    );
}

#[test]
fn a_font_named_by_a_path() {
    let p = Project::shipped();
    p.edit(
        "layouts/brand.yaml",
        "bold: NotoSans-Bold.ttf",
        "bold: ../../etc/passwd",
    );
    expect(
        &p,
        &["must be a file name inside the fonts folder"],
        at("layouts/brand.yaml", "bold: ../../etc/passwd"),
    );
}

#[test]
fn a_font_file_cut_short() {
    let p = Project::shipped();
    let font = std::fs::read(p.file("fonts/NotoSans-Bold.ttf")).unwrap();
    std::fs::write(p.file("fonts/NotoSans-Bold.ttf"), &font[..font.len() / 2]).unwrap();
    expect(
        &p,
        &[
            "is not a usable font file (it is cut short",
            "copy it again",
        ],
        at("layouts/brand.yaml", "bold: NotoSans-Bold.ttf"),
    );
}

#[test]
fn a_font_that_is_a_folder() {
    let p = Project::shipped();
    std::fs::remove_file(p.file("fonts/NotoSans-Bold.ttf")).unwrap();
    std::fs::create_dir(p.file("fonts/NotoSans-Bold.ttf")).unwrap();
    expect(
        &p,
        &["cannot read font file", "is a directory"],
        at("layouts/brand.yaml", "bold: NotoSans-Bold.ttf"),
    );
}

#[test]
fn a_font_file_nobody_may_read() {
    use std::os::unix::fs::PermissionsExt;
    let p = Project::shipped();
    let font = p.file("fonts/NotoSans-Bold.ttf");
    std::fs::set_permissions(&font, std::fs::Permissions::from_mode(0o000)).unwrap();
    let r = run_unprivileged(&p, &["check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("cannot read font file"), "{}", r.stderr);
    assert!(r.stderr.contains("permission denied"), "{}", r.stderr);
    assert!(r.stderr.contains("make the file readable"), "{}", r.stderr);
    let line = p.line_of("layouts/brand.yaml", "bold: NotoSans-Bold.ttf");
    assert!(
        r.stderr.contains(&format!("layouts/brand.yaml:{line}:11")),
        "{}",
        r.stderr
    );
    in_style(&r);
}

#[test]
fn files_linking_outside_the_project() {
    let outside = tempfile::tempdir().unwrap();
    // A font, the logo and a translation, each a link to a file elsewhere.
    let p = Project::shipped();
    let real = outside.path().join("NotoSans-Bold.ttf");
    std::fs::rename(p.file("fonts/NotoSans-Bold.ttf"), &real).unwrap();
    std::os::unix::fs::symlink(&real, p.file("fonts/NotoSans-Bold.ttf")).unwrap();
    expect(
        &p,
        &[
            "`fonts/NotoSans-Bold.ttf` links to",
            "outside the folder `fonts`",
            "copy the file into the folder",
        ],
        at("layouts/brand.yaml", "bold: NotoSans-Bold.ttf"),
    );

    let p = Project::shipped();
    std::os::unix::fs::symlink("/etc/passwd", p.file("layouts/logo.png")).unwrap();
    p.enable_logo();
    expect(
        &p,
        &["`layouts/logo.png` links to `/etc/passwd`, outside the folder `layouts`"],
        at("layouts/brand.yaml", "logo: { file: logo.png"),
    );

    let p = Project::shipped();
    let real = outside.path().join("fr.yaml");
    std::fs::rename(p.file("content/translations/fr.yaml"), &real).unwrap();
    std::os::unix::fs::symlink(&real, p.file("content/translations/fr.yaml")).unwrap();
    expect(
        &p,
        &[
            "content/translations/fr.yaml` links to",
            "outside the folder",
        ],
        None,
    );
}

#[test]
fn a_logo_given_by_an_absolute_path() {
    let p = Project::shipped();
    p.edit(
        "layouts/brand.yaml",
        "# logo: { file: logo.png",
        "logo: { file: /etc/passwd",
    );
    expect(
        &p,
        &["logo path `/etc/passwd` leaves the project folder"],
        at("layouts/brand.yaml", "logo: { file: /etc/passwd"),
    );
}

#[test]
fn a_logo_without_alternative_text() {
    // A screen reader has nothing to say for a logo without `alt`: an error
    // at the line, with the form to write.
    let p = Project::shipped();
    std::fs::write(p.file("layouts/logo.png"), common::png(40, 20)).unwrap();
    p.edit(
        "layouts/brand.yaml",
        "# logo: { file: logo.png, alt: \"Global Social Service Workforce Alliance logo\" }",
        "logo: logo.png",
    );
    let err = expect(
        &p,
        &["logo `logo.png` has no alternative text"],
        at("layouts/brand.yaml", "logo: logo.png"),
    );
    assert!(
        err.contains("alt: \"Global Social Service Workforce Alliance logo\"")
            && err.contains("alt: \"\"` if it is decoration only"),
        "{err}"
    );
}

#[test]
fn a_reading_order_that_misses_or_misnames_a_panel() {
    let p = Project::shipped();
    p.edit(
        "layouts/leaflet.yaml",
        "[front-cover, inside-flap,",
        "[front-covr, inside-flap,",
    );
    expect(
        &p,
        &[
            "`reading-order` names `front-covr`, which is not a panel of this layout",
            "`reading-order` leaves out a panel: front-cover",
        ],
        at("layouts/leaflet.yaml", "reading-order:"),
    );
}

#[test]
fn an_alias_bomb() {
    // "Billion laughs": nine levels of nine aliases, 387 million strings if expanded.
    let mut y =
        String::from("language: en\ntitle: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (name, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        y.push_str(&format!(
            "{name}: &{name} [{}]\n",
            vec![format!("*{prev}"); 9].join(", ")
        ));
    }
    let p = Project::shipped();
    p.write("content/messages.yaml", &y);
    expect(
        &p,
        &[
            "title: invalid type: sequence, expected a string",
            "aliases (`*name`) in this file expand beyond what leafpress reads",
            "write the text out instead",
        ],
        at("content/messages.yaml", "title: &a"),
    );
}

#[test]
fn a_content_file_of_50_mb() {
    let p = Project::shipped();
    let mut text = p.read("content/messages.yaml");
    text.push_str(&format!("# {}\n", "x".repeat(50 << 20)));
    p.write("content/messages.yaml", &text);
    expect(
        &p,
        &[
            "file is 50 MB, larger than the 16 MB leafpress reads",
            "split the content",
        ],
        None,
    );
}

#[test]
fn invisible_and_control_characters_pasted_into_text() {
    for (c, says) in [
        (
            '\u{200b}',
            "the invisible character U+200B (zero width space) is in the text",
        ),
        ('\u{7}', "the control character U+0007 is in the text"),
        (
            '\u{feff}',
            "the invisible character U+FEFF (zero width no-break space)",
        ),
    ] {
        let p = Project::shipped();
        p.edit(
            "content/messages.yaml",
            "Global Social Service Workforce Alliance",
            &format!("Global Social{c} Service Workforce Alliance"),
        );
        let line = p.line_of("content/messages.yaml", &c.to_string());
        let col = p
            .read("content/messages.yaml")
            .lines()
            .nth(line - 1)
            .unwrap()
            .chars()
            .position(|x| x == c)
            .unwrap()
            + 1;
        let err = expect(&p, &[says, "delete it"], None);
        assert!(
            err.contains(&format!("content/messages.yaml:{line}:{col}")),
            "{err}"
        );
    }
}

#[test]
fn an_output_folder_nobody_may_write() {
    use std::os::unix::fs::PermissionsExt;
    let p = Project::shipped();
    std::fs::create_dir(p.file("out")).unwrap();
    std::fs::set_permissions(p.file("out"), std::fs::Permissions::from_mode(0o555)).unwrap();
    let r = run_unprivileged(&p, &["build", "--no-preview"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    assert!(r.stderr.contains("permission denied"), "{}", r.stderr);
    assert!(r.stderr.contains("out"), "names the folder: {}", r.stderr);
    in_style(&r);
    let left: Vec<_> = std::fs::read_dir(p.file("out")).unwrap().collect();
    assert!(left.is_empty(), "nothing written: {left:?}");
}
