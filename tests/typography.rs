//! Typography as a careful typesetter does it: total fit beats first fit,
//! hyphenated words extract whole, justified edges line up, overflow policies,
//! orphans and widows, lone-word warnings.

mod common;

use common::{Project, tool};
use leafpress::{Composer, composition_quality};

const MM: f32 = 72.0 / 25.4;

fn shipped() -> leafpress::Project {
    common::shipped_project()
}

/// A long paragraph (about 330 words) for measuring composition on more than a
/// few lines.
const LONG: &str = "Social service workers meet people at the hardest moments of their lives: when a family is separated by conflict or disaster, when a child is at risk of violence, when an older person can no longer live alone, when a young person leaves care with nowhere to go. Their work is often invisible, because when it succeeds nothing dramatic happens. A family stays together. A child goes to school. A survivor of abuse finds a safe place to live and the support to rebuild. Yet in many countries the workforce is too small, too thinly spread and too poorly paid to reach everyone who needs it. Caseloads are high, supervision is rare and training is uneven. Workers in rural areas may travel for hours to reach a single household, and those in cities may be responsible for hundreds of cases at once. Strengthening the workforce means planning it, developing it and supporting it. Planning means knowing how many workers are needed, where, and with which skills, and making sure that budgets follow those plans. Developing means education and training that prepare workers for the realities of practice, including continuous learning once they are in post. Supporting means fair pay, manageable caseloads, supervision, protection from harm and recognition of the value of the profession. Governments, donors, employers, training institutions and professional associations all have a part to play, and the voices of people who have used services should shape how those services are designed and delivered. When the workforce is strong, other sectors benefit too: health workers can refer patients with social needs, teachers can get help for children in difficulty, and justice systems can find alternatives to detention. Investing in the social service workforce is therefore not a luxury but a foundation for inclusive, resilient communities, and a practical step towards meeting the commitments that countries have made to children, families and older people.";

#[test]
fn total_fit_beats_first_fit_on_the_shipped_content_and_a_long_paragraph() {
    let p = shipped();
    let c = common::shipped_content();
    let mut texts: Vec<&str> = vec![&c.definition.text];
    for a in &c.audiences {
        texts.extend(a.intro.as_deref());
        texts.extend(a.messages.iter().map(|m| m.text.as_str()));
    }
    // The flyer's justified intro style, at the measure of the flyer's body panel
    // (210 mm less 20 and 22 mm of padding).
    let width = 168.0 * MM;
    let measure = |texts: &[&str], composer| {
        texts.iter().fold((0.0f32, 0.0f32), |(sum, worst), t| {
            let (s, w) = composition_quality(&p, "flyer", "intro", "en", t, width, composer);
            (sum + s, worst.max(w))
        })
    };
    let (tf_sum, tf_worst) = measure(&texts, Composer::TotalFit);
    let (ff_sum, ff_worst) = measure(&texts, Composer::FirstFit);
    eprintln!(
        "shipped content at 168 mm: total fit sum r² {tf_sum:.2}, worst r {tf_worst:.2}; first fit sum r² {ff_sum:.2}, worst r {ff_worst:.2}"
    );
    assert!(tf_sum < ff_sum, "total fit {tf_sum} vs first fit {ff_sum}");
    assert!(
        tf_worst <= ff_worst,
        "loosest line: total fit {tf_worst} vs first fit {ff_worst}"
    );

    let (tf_sum, tf_worst) = measure(&[LONG], Composer::TotalFit);
    let (ff_sum, ff_worst) = measure(&[LONG], Composer::FirstFit);
    eprintln!(
        "long paragraph at 168 mm: total fit sum r² {tf_sum:.2}, worst r {tf_worst:.2}; first fit sum r² {ff_sum:.2}, worst r {ff_worst:.2}"
    );
    assert!(tf_sum < ff_sum, "total fit {tf_sum} vs first fit {ff_sum}");
    assert!(
        tf_worst <= ff_worst,
        "loosest line: total fit {tf_worst} vs first fit {ff_worst}"
    );
}

#[test]
fn hyphenated_words_extract_whole() {
    let p = Project::shipped();
    // The long paragraph as the definition: set ragged with hyphenation in the flap.
    p.edit(
        "content/messages.yaml",
        "  text: >-\n    The social service workforce is an inclusive",
        &format!("  text: >-\n    {LONG} The social service workforce is an inclusive"),
    );
    p.edit(
        "layouts/leaflet.yaml",
        "size: 10pt, leading: 15pt, colour: ink,",
        "size: 7pt, leading: 8.5pt, colour: ink, align: justify,",
    );
    p.run(&["build", "--layout", "leaflet", "--audience", "workforce"])
        .ok();
    let pdf = p.file("out/en/leaflet-workforce.pdf");
    // Hyphens were set at line ends (the raw glyphs show them)...
    let doc = lopdf::Document::load(&pdf).unwrap();
    let (_, page) = doc.get_pages().into_iter().next().unwrap();
    let content = String::from_utf8_lossy(&doc.get_page_content(page)).to_string();
    let spans = content.matches("/ActualText").count();
    assert!(
        spans >= 4,
        "expected hyphenated words marked with ActualText, found {spans}"
    );
    // ...and every word of the paragraph still reads whole.
    for mode in [&[][..], &["-raw"][..]] {
        let mut args: Vec<&str> = mode.to_vec();
        args.extend([pdf.to_str().unwrap(), "-"]);
        let text = common::normalise(&tool("pdftotext", &args));
        for word in LONG.split_whitespace().filter(|w| w.len() >= 7) {
            assert!(
                text.contains(word),
                "pdftotext {mode:?} lost `{word}`:\n{text}"
            );
        }
        assert!(
            !text.contains("- "),
            "a hyphen fragment leaked into the text ({mode:?})"
        );
    }
}

#[test]
fn justified_lines_end_on_the_same_edge_within_a_fifth_of_a_point() {
    let p = Project::shipped();
    p.run(&["build", "--layout", "flyer", "--audience", "workforce"])
        .ok();
    let html = tool(
        "pdftotext",
        &[
            "-bbox",
            p.file("out/en/flyer-workforce.pdf").to_str().unwrap(),
            "-",
        ],
    );
    // (yMin, xMax, word) of each word.
    let words: Vec<(f32, f32, String)> = html
        .lines()
        .filter(|l| l.trim_start().starts_with("<word"))
        .map(|l| {
            let attr = |k: &str| -> f32 {
                let i = l.find(&format!("{k}=\"")).unwrap() + k.len() + 2;
                l[i..i + l[i..].find('"').unwrap()].parse().unwrap()
            };
            let w = &l[l.find('>').unwrap() + 1..l.rfind("</word>").unwrap()];
            (attr("yMin"), attr("xMax"), w.to_string())
        })
        .collect();
    // The intro runs from "critical" (first line) to "workforce:" (last line).
    let y_of = |word: &str| {
        words
            .iter()
            .find(|(_, _, w)| w == word)
            .map(|(y, _, _)| *y)
            .unwrap()
    };
    let (top, bottom) = (y_of("critical"), y_of("workforce:"));
    // Lines of the intro, by baseline; the rightmost word of each.
    let mut lines: Vec<(f32, f32)> = Vec::new();
    for (y, x, _) in &words {
        if *y < top - 0.5 || *y > bottom + 0.5 {
            continue;
        }
        match lines.iter_mut().find(|(ly, _)| (ly - y).abs() < 1.0) {
            Some(l) => l.1 = l.1.max(*x),
            None => lines.push((*y, *x)),
        }
    }
    lines.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(lines.len() >= 4, "{lines:?}");
    let justified = &lines[..lines.len() - 1]; // the last line is ragged
    let right = justified[0].1;
    for (y, x) in justified {
        assert!(
            (x - right).abs() <= 0.2,
            "line at y {y}: right edge {x} vs {right}"
        );
    }
    // And that edge is the panel's: 210 mm less 22 mm padding, after the 31.18 pt margin.
    assert!((right - (31.18 + 188.0 * MM)).abs() < 0.3, "{right}");
}

#[test]
fn overflow_error_names_layout_panel_message_and_millimetres() {
    let p = Project::shipped();
    p.edit(
        "layouts/flyer.yaml",
        "    overflow: shrink\n    min-size: 10pt\n",
        "",
    );
    p.edit(
        "content/messages.yaml",
        "to intensify advocacy",
        &format!("{} to intensify advocacy", "and also ".repeat(60)),
    );
    let r = p.run(&[
        "build",
        "--layout",
        "flyer",
        "--audience",
        "workforce",
        "--lang",
        "en",
    ]);
    assert_eq!(r.code, 1);
    let line = p.line_of("content/messages.yaml", "id: convene-advocacy");
    assert!(
        r.stderr.contains(
            "message convene-advocacy does not fit: layout `flyer`, panel `body`, overflows by"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains(&format!(" mm (content/messages.yaml:{line})")),
        "{}",
        r.stderr
    );
}

#[test]
fn shrink_sets_a_longer_text_smaller_and_says_so() {
    let p = Project::shipped();
    // Much longer, as a wordy translation might be.
    let more = &LONG[..700];
    p.edit(
        "content/messages.yaml",
        "to intensify advocacy",
        &format!("{more} to intensify advocacy"),
    );
    let r = p.run(&["build", "--layout", "leaflet", "--audience", "workforce"]);
    r.ok();
    assert!(
        r.stdout.contains(": flow `messages` set at "),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(" pt instead of 15.0 pt to fit its panels"),
        "{}",
        r.stdout
    );
    let m: leafpress::Manifest = serde_json::from_str(&p.read("out/manifest.json")).unwrap();
    let en = m
        .outputs
        .iter()
        .find(|o| o.path == "en/leaflet-workforce.pdf")
        .unwrap();
    assert!(en.warnings.iter().any(|w| w.contains("instead of 15.0 pt")));
}

#[test]
fn a_lone_word_on_a_justified_line_is_reported_with_its_message() {
    let p = Project::shipped();
    // A justified column and a word that fills it alone: no other word fits
    // beside it, so its line has no space to open.
    p.edit("layouts/flyer.yaml", "  message:        { font: body, size: 12pt, leading: 18pt, colour: ink,", "  message:        { font: body, size: 12pt, leading: 18pt, colour: ink, align: justify, word-spacing: [0.9, 1.0, 1.1],");
    p.edit(
        "content/messages.yaml",
        "Commit to self-care,",
        "Commit to Pneumonoultramicroscopicsilicovolcanoconiosispreventionprogrammesandpractices, self-care,",
    );
    let r = p.run(&[
        "build",
        "--layout",
        "flyer",
        "--audience",
        "workforce",
        "--lang",
        "en",
    ]);
    r.ok();
    assert!(
        r.stdout
            .contains(": message self-care: a justified line holds only `"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_language_without_patterns_gets_no_hyphens_and_no_crash() {
    let p = Project::shipped();
    p.edit("content/messages.yaml", "language: en", "language: sw");
    p.run(&["build", "--layout", "leaflet"]).ok();
    let doc = lopdf::Document::load(p.file("out/sw/leaflet-workforce.pdf")).unwrap();
    for (_, page) in doc.get_pages() {
        // A word hyphenated at a line's end reads whole through ActualText;
        // so does a compound broken at its own hyphen, which is no
        // hyphenation. Every whole text here must be such a compound.
        let content = String::from_utf8_lossy(&doc.get_page_content(page)).to_string();
        for rest in content.split("/ActualText<").skip(1) {
            let hex = &rest[..rest.find('>').unwrap()];
            let units: Vec<u16> = (4..hex.len())
                .step_by(4)
                .map(|i| u16::from_str_radix(&hex[i..i + 4], 16).unwrap())
                .collect();
            let text = String::from_utf16(&units).unwrap();
            // A web address may carry its whole text too (the shipped
            // back panel's `www.…` line): no hyphenation either.
            assert!(
                text.is_empty() || text.contains('-') || text.starts_with("www."),
                "`{text}` was hyphenated without patterns"
            );
        }
    }
}

/// A line by its baseline, and its glyphs' page x and text.
type Line = (f32, Vec<(f32, String)>);

/// Each line of every justified paragraph on `pages`, but its last, as the
/// widths its word spaces were set at over the font's own space (read from
/// the paragraph's last line, set at its natural spacing).
fn justified_word_spaces(pages: &leafpress::Pages) -> Vec<(String, f32)> {
    use leafpress::{BlockKind, Item, Role, Tag};
    let mut out = Vec::new();
    for page in &pages.pages {
        // Block -> lines (by baseline) -> glyphs (page x, text).
        let mut blocks: std::collections::BTreeMap<u32, Vec<Line>> = Default::default();
        for item in &page.items {
            let Item::Text(run) = item else { continue };
            let Tag::Block {
                block,
                label: false,
            } = run.tag
            else {
                continue;
            };
            if pages.blocks[block as usize].kind != BlockKind::Text(Role::Paragraph) {
                continue;
            }
            let lines = blocks.entry(block).or_default();
            let i = match lines.iter().position(|l| (l.0 - run.baseline).abs() < 0.5) {
                Some(i) => i,
                None => {
                    lines.push((run.baseline, Vec::new()));
                    lines.len() - 1
                }
            };
            lines[i].1.extend(
                run.glyphs
                    .iter()
                    .map(|g| (run.x + g.x, g.text.as_str().to_string())),
            );
            // Where the run ends, for a space at its end.
            lines[i].1.push((run.x + run.width, String::new()));
        }
        for lines in blocks.values_mut() {
            lines.sort_by(|a, b| a.0.total_cmp(&b.0));
            if lines.len() < 3 {
                continue;
            }
            let spaces = |glyphs: &mut Vec<(f32, String)>| -> Vec<f32> {
                glyphs.sort_by(|a, b| a.0.total_cmp(&b.0));
                glyphs
                    .windows(2)
                    .filter(|w| w[0].1 == " ")
                    .map(|w| w[1].0 - w[0].0)
                    .collect()
            };
            let edges = |glyphs: &[(f32, String)]| {
                let xs = glyphs.iter().map(|g| g.0);
                (xs.clone().fold(f32::MAX, f32::min), xs.fold(0.0, f32::max))
            };
            let (last, body) = lines.split_last_mut().unwrap();
            // Justified: every line but the last spans the same edges.
            let first = edges(&body[0].1);
            if !body.iter().all(|l| {
                let e = edges(&l.1);
                (e.0 - first.0).abs() < 0.3 && (e.1 - first.1).abs() < 0.3
            }) {
                continue;
            }
            let natural = spaces(&mut last.1);
            let Some(natural) = natural.first().copied() else {
                continue;
            };
            for (_, glyphs) in body.iter_mut() {
                let text: String = glyphs.iter().map(|g| g.1.as_str()).collect();
                let widest = spaces(glyphs).into_iter().fold(0.0, f32::max);
                out.push((text, widest / natural));
            }
        }
    }
    out
}

#[test]
fn justified_word_spaces_stay_within_the_styles_bounds_in_every_language() {
    let p = Project::shipped();
    // The shipped justified style keeps a typesetter's usual bounds.
    assert!(
        p.read("layouts/flyer.yaml")
            .contains("align: justify, word-spacing: [0.8, 1.0, 1.33]"),
        "the flyer's intro sets word spaces between 0.8 and 1.33 of the space"
    );
    let r = p.run(&["build", "--layout", "flyer", "--no-preview"]);
    r.ok();
    assert!(!r.stdout.contains("word spaces open to"), "{}", r.stdout);
    let project = p.load();
    let mut per_language: std::collections::BTreeMap<String, usize> = Default::default();
    for job in leafpress::list(&project, &leafpress::Filter::default()).unwrap() {
        if job.layout != "flyer" {
            continue;
        }
        let doc = leafpress::document(&project, &job, true).unwrap().0;
        let pages = leafpress::typeset(&project, &doc, leafpress::Variant::Print).unwrap();
        for (line, space) in justified_word_spaces(&pages) {
            eprintln!("{} {}: {space:.2}", job.audience, job.language);
            assert!(
                (0.8 - 0.01..=1.33 + 0.01).contains(&space),
                "{} {} {}: word space {space:.2} × the font's on `{line}`",
                job.layout,
                job.audience,
                job.language
            );
            *per_language.entry(job.language.clone()).or_default() += 1;
        }
    }
    eprintln!("justified lines measured: {per_language:?}");
    // The workforce intro (the only one the shipped content has), in each
    // language, several lines long.
    assert_eq!(per_language.len(), 4, "{per_language:?}");
    assert!(per_language.values().all(|&n| n >= 3), "{per_language:?}");
}

#[test]
fn letters_open_a_little_where_word_spaces_alone_would_pass_their_maximum() {
    // The flyer's intro style with and without room for its letters to open,
    // over a long paragraph (330 words) at measures from 200 to 320 pt. The
    // loosest line's ratio (1: word spaces at the style's 1.33) comes down at
    // every measure when letters may open by up to 25/1000 em: word spaces
    // take what they can, the letters the rest.
    let with = |letters: &str| {
        let p = Project::shipped();
        p.edit("layouts/flyer.yaml", "letter-spacing: [0, 10]", letters);
        let project = p.load();
        (200..=320)
            .step_by(10)
            .map(|w| {
                composition_quality(
                    &project,
                    "flyer",
                    "intro",
                    "en",
                    LONG,
                    w as f32,
                    Composer::TotalFit,
                )
                .1
            })
            .collect::<Vec<f32>>()
    };
    let (none, some) = (
        with("letter-spacing: [0, 0]"),
        with("letter-spacing: [0, 25]"),
    );
    eprintln!("loosest line per measure, letters fixed: {none:.2?}\nletters opening: {some:.2?}");
    for (a, b) in some.iter().zip(&none) {
        assert!(a < b, "{some:?} vs {none:?}");
    }
}
