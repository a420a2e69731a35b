//! Properties of the typesetter on the shipped content: every line inside its
//! panel, no word lost, the same input giving the same pages.

mod common;

use leafpress::layout::Format;
use leafpress::plan::Variant;
use leafpress::typeset::{Item, typeset};
use leafpress::{Filter, Paths};

fn project() -> leafpress::Project {
    let root = common::repo();
    leafpress::check(&Paths {
        content: root.join("content"),
        layouts: root.join("layouts"),
        fonts: root.join("fonts"),
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_line_lies_inside_a_panel_of_its_page() {
    let p = project();
    for job in leafpress::list(&p, &Filter::default()).unwrap() {
        if job.format != Format::Pdf {
            continue;
        }
        let doc = leafpress::doc::resolve(&p, &job, false).unwrap().0;
        let pages = typeset(&p, &doc, Variant::Print)
            .unwrap_or_else(|o| panic!("{}: {}", job.layout, o[0]));
        let layout = p.layout(&job.layout).unwrap();
        let (pw, ph) = layout.page_dims();
        for (side, page) in layout.layout.sides.iter().zip(&pages.pages) {
            let boxes: Vec<_> = side
                .panels
                .iter()
                .zip(side.rects(pw, ph))
                .map(|(pn, r)| {
                    (
                        r.x + pn.padding.left,
                        r.y + pn.padding.top,
                        r.x + r.w - pn.padding.right,
                        r.y + r.h - pn.padding.bottom,
                    )
                })
                .collect();
            for item in &page.items {
                if let Item::Text(run) = item {
                    let (x0, x1) = (run.x, run.x + run.width);
                    let inside = boxes.iter().any(|&(l, t, r, b)| {
                        x0 >= l - 0.01
                            && x1 <= r + 0.01
                            && run.baseline > t
                            && run.baseline <= b + 0.01
                    });
                    assert!(
                        inside,
                        "{} {}: a line at x {x0:.1}..{x1:.1}, baseline {:.1} is outside every panel",
                        job.layout, job.audience, run.baseline
                    );
                }
            }
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
    let doc = leafpress::doc::resolve(&p, &jobs[0], false).unwrap().0;
    let a = typeset(&p, &doc, Variant::Print).unwrap();
    let b = typeset(&p, &doc, Variant::Print).unwrap();
    // The text as a reader gets it: ActualText where a run gives it (the halves
    // of a hyphenated word), the glyphs' own text elsewhere.
    let text = |pages: &leafpress::typeset::Pages| -> String {
        let mut s = String::new();
        for page in &pages.pages {
            for item in &page.items {
                if let Item::Text(run) = item {
                    let mut i = 0;
                    while i < run.glyphs.len() {
                        if let Some((_, end, t)) = run.actual.iter().find(|(a, _, _)| *a == i) {
                            s.push_str(t);
                            i = *end;
                        } else {
                            s.push_str(&run.glyphs[i].text);
                            i += 1;
                        }
                    }
                    s.push(' ');
                }
            }
        }
        common::normalise(&s)
    };
    assert_eq!(text(&a), text(&b));
    let all = text(&a).replace("- ", "-");
    for m in &p.content.audiences[2].messages {
        assert!(
            all.contains(&common::normalise(&m.text)),
            "lost words of {}",
            m.id
        );
    }
}
