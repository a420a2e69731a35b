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
