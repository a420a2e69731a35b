//! Properties of the typesetter on the shipped content: every line inside its
//! panel, no word lost, the same input giving the same pages.

mod common;

use leafpress::Filter;
use leafpress::Format;
use leafpress::Variant;
use leafpress::typeset;

fn project() -> leafpress::Project {
    common::shipped_project()
}

#[test]
fn every_line_lies_inside_a_panel_of_its_page() {
    let p = project();
    for job in leafpress::list(&p, &Filter::default()).unwrap() {
        if job.format != Format::Pdf {
            continue;
        }
        let doc = leafpress::document(&p, &job, false).unwrap().0;
        let pages = typeset(&p, &doc, Variant::Print)
            .unwrap_or_else(|o| panic!("{}: {}", job.layout, o[0]));
        if let Some(problem) = common::line_outside_panels(&pages) {
            panic!("{} {}: {problem}", job.layout, job.audience);
        }
    }
}

#[test]
fn no_word_is_lost_and_typesetting_is_deterministic() {
    let p = project();
    let jobs = leafpress::list(
        &p,
        &Filter {
            audiences: vec!["workforce".into()],
            layouts: vec!["leaflet".into()],
            variants: Vec::new(),
            languages: Vec::new(),
        },
    )
    .unwrap();
    let doc = leafpress::document(&p, &jobs[0], false).unwrap().0;
    let a = typeset(&p, &doc, Variant::Print).unwrap();
    let b = typeset(&p, &doc, Variant::Print).unwrap();
    let text = |pages: &leafpress::Pages| common::normalise(&common::reader_text(pages));
    assert_eq!(text(&a), text(&b));
    let all = text(&a).replace("- ", "-");
    for m in &common::shipped_content().audiences[2].messages {
        assert!(
            all.contains(&common::normalise(&m.text)),
            "lost words of {}",
            m.id
        );
    }
}

#[test]
fn a_long_web_address_breaks_after_its_scheme_and_links_whole_from_every_line() {
    let p = common::Project::shipped();
    let uri = "https://www.socialserviceworkforce.org/resources/advocacy-toolkit/key-messages-for-advocating-2024?lang=en&format=print";
    p.edit(
        "content/messages.yaml",
        "Commit to self-care,",
        &format!("Read {uri}. Commit to self-care,"),
    );
    // Set as large as fits (the shipped leaflet fills): a size at which the
    // address would be cut where it has no break does not fit.
    assert!(
        p.read("layouts/leaflet.yaml")
            .contains("    fit: fill\n    max-size: 18pt\n")
    );
    let project = leafpress::load(&leafpress::Paths {
        content: p.file("content"),
        layouts: p.file("layouts"),
        fonts: p.file("fonts"),
    })
    .unwrap();
    let jobs = leafpress::list(
        &project,
        &Filter {
            audiences: vec!["workforce".into()],
            layouts: vec!["leaflet".into()],
            variants: vec![Variant::Screen],
            languages: vec!["en".into()],
        },
    )
    .unwrap();
    let doc = leafpress::document(&project, &jobs[0], false).unwrap().0;
    let pages = typeset(&project, &doc, Variant::Screen).unwrap();
    let mut parts = Vec::new();
    for page in &pages.pages {
        for item in &page.items {
            if let leafpress::Item::Text(run) = item {
                let text: String = run.glyphs.iter().map(|g| g.text.as_str()).collect();
                assert!(
                    !text.trim_end().ends_with("https://") && !text.trim_end().ends_with("http://"),
                    "a line ends inside the scheme: {text}"
                );
                // (The call to action on the back links elsewhere.)
                let ours = run.links.iter().filter(|l| !l.2.ends_with("workforce.org"));
                for (a, b, u) in ours {
                    assert_eq!(u, uri, "each part links to the whole address");
                    parts.push(
                        run.glyphs[*a..*b]
                            .iter()
                            .map(|g| g.text.as_str())
                            .collect::<String>(),
                    );
                }
            }
        }
    }
    // The address is broken over lines (the panel is narrower than it), each
    // part ends where an address may break, and together they are the address.
    assert!(parts.len() >= 2, "{parts:?}");
    for part in &parts[..parts.len() - 1] {
        assert!(part.ends_with(['/', '.', '-', '?', '&', '=']), "{parts:?}");
    }
    assert_eq!(parts.concat(), uri);
    // And the page has a link over each part.
    let links: Vec<&leafpress::Link> = pages.pages.iter().flat_map(|p| &p.links).collect();
    assert_eq!(links.iter().filter(|l| l.uri == uri).count(), parts.len());
}

#[test]
fn a_panels_content_stands_at_the_top_middle_or_bottom_of_its_room() {
    // The leaflet's back panel: its content (the call to action, the QR
    // code, the address) above what stands at its bottom (the attribution).
    let qr_top = |valign: &str| {
        let p = common::Project::shipped();
        p.edit(
            "layouts/leaflet.yaml",
            "valign: middle",
            &format!("valign: {valign}"),
        );
        let project = p.load();
        let jobs = leafpress::list(
            &project,
            &Filter {
                audiences: vec!["workforce".into()],
                layouts: vec!["leaflet".into()],
                variants: vec![Variant::Print],
                languages: vec!["en".into()],
            },
        )
        .unwrap();
        let doc = leafpress::document(&project, &jobs[0], false).unwrap().0;
        let pages = typeset(&project, &doc, Variant::Print).unwrap();
        pages.pages[0]
            .items
            .iter()
            .find_map(|i| match i {
                leafpress::Item::Qr { area, .. } => Some(area.y),
                _ => None,
            })
            .unwrap()
    };
    let (top, middle, bottom) = (qr_top("top"), qr_top("middle"), qr_top("bottom"));
    assert!(
        top + 20.0 < middle && middle + 20.0 < bottom,
        "{top} {middle} {bottom}"
    );
    assert!(
        (middle - (top + bottom) / 2.0).abs() < 0.01,
        "{top} {middle} {bottom}"
    );
}
