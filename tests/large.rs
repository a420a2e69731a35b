//! A content too large to hold (from 512 KB) is checked as it streams past and each
//! audience is read back from disk when its jobs run. What users see must not
//! change: the same files, and errors and warnings at the file's own lines.

mod common;
use common::Project;

/// The shipped project without translations, its content followed by `n`
/// generated audiences (`gen-0` …), each with three messages; `edit` changes
/// the generated text of one audience.
fn large(n: usize, edit: impl Fn(usize, &mut String)) -> Project {
    let p = Project::shipped();
    std::fs::remove_dir_all(p.file("content/translations")).unwrap();
    let mut text = p.read("content/messages.yaml");
    for i in 0..n {
        let mut a = format!(
            "  - id: gen-{i}\n    name: Audience {i}\n    heading: Messages to audience {i}\n    intro: >-\n      Members of audience {i} work with children, youth, adults, older persons, families and communities.\n    messages:\n"
        );
        for m in 0..3 {
            a.push_str(&format!(
                "      - id: m-{i}-{m}\n        text: >-\n          Message {m} for audience {i}: the social service workforce is critical to achieving the Sustainable Development Goals.\n"
            ));
        }
        edit(i, &mut a);
        text.push_str(&a);
    }
    assert!(
        text.len() > 512 << 10,
        "the content must be large enough to stream"
    );
    p.write("content/messages.yaml", &text);
    p
}

#[test]
fn a_large_content_builds_each_audience_as_a_small_one_would() {
    let big = large(3500, |_, _| {});
    let r = big.run(&["check"]);
    r.ok();
    assert!(r.stdout.contains("3503 audiences"), "{}", r.stdout);
    big.run(&[
        "build",
        "--audience",
        "workforce",
        "--audience",
        "gen-3499",
        "--layout",
        "flyer",
        "--layout",
        "handout",
    ])
    .ok();
    let small = Project::shipped();
    std::fs::remove_dir_all(small.file("content/translations")).unwrap();
    small
        .run(&[
            "build",
            "--audience",
            "workforce",
            "--layout",
            "flyer",
            "--layout",
            "handout",
        ])
        .ok();
    for f in [
        "out/en/flyer-workforce.pdf",
        "out/en/flyer-workforce.p1.png",
        "out/en/handout-workforce.docx",
    ] {
        assert!(
            std::fs::read(big.file(f)).unwrap() == std::fs::read(small.file(f)).unwrap(),
            "{f} differs between the large and the small content"
        );
    }
    let text = common::pdf_text(&big.file("out/en/flyer-gen-3499.pdf"));
    assert!(
        common::normalise(&text).contains("Message 2 for audience 3499"),
        "{text}"
    );
}

#[test]
fn a_text_too_long_in_a_large_content_is_named_at_its_line() {
    let p = large(3500, |i, a| {
        if i == 3000 {
            *a = a.replacen(
                "Message 1 for audience 3000:",
                &format!("Message 1 for audience 3000: {}", "and also ".repeat(150)),
                1,
            );
        }
    });
    p.edit(
        "layouts/flyer.yaml",
        "    overflow: shrink\n    min-size: 10pt\n",
        "",
    );
    let r = p.run(&["build", "--layout", "flyer", "--audience", "gen-3000"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let line = p.line_of("content/messages.yaml", "id: m-3000-1");
    assert!(
        r.stderr.contains("message m-3000-1 does not fit")
            && r.stderr
                .contains(&format!(" mm (content/messages.yaml:{line})")),
        "line {line}: {}",
        r.stderr
    );
}

#[test]
fn a_mistake_deep_in_a_large_content_is_reported_at_its_line() {
    let p = large(3500, |i, a| {
        if i == 3400 {
            *a = a.replacen("id: gen-3400", "id: gen-12", 1);
        }
    });
    let r = p.run(&["check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let line = p
        .read("content/messages.yaml")
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "- id: gen-12")
        .nth(1)
        .unwrap()
        .0
        + 1;
    assert!(
        r.stderr.contains("audience id `gen-12` is used twice")
            && r.stderr.contains(&format!("content/messages.yaml:{line}:")),
        "line {line}: {}",
        r.stderr
    );
}
