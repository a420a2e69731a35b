//! An approximate picture of a Word handout, for reviewers: its body set by
//! our typesetter in the handout's own styles, in one column on pages of its
//! size and margins. Word lays the file out itself, so line and page breaks
//! may differ; the review page says so.

use super::compose::Composer;
use super::flow::{Frame, Keep, pour};
use super::set::{Set, Typesetter};
use crate::doc::Document;
use crate::pages::{Area, Item, Page, Pages, PanelArea};
use crate::plan::Variant;
use crate::project::Project;

/// More pages than a handout of key messages ever needs: past this, the
/// preview stops (the DOCX itself is unaffected).
const MOST_PAGES: usize = 12;

/// The handout `doc` laid out on pages, as a screen file would show them.
pub fn handout_preview(project: &Project, doc: &Document) -> Pages {
    let layout = project.layout(&doc.layout).expect("job layouts exist");
    let ts = Typesetter::new(project, layout, &doc.language, Composer::TotalFit);
    let (pw, ph, m) = (doc.page_width, doc.page_height, doc.margins);
    let frame = |page: usize| Frame {
        name: format!("page {}", page + 1),
        x: m.left,
        y: m.top,
        w: pw - m.left - m.right,
        h: ph - m.top - m.bottom,
        page,
        edges: crate::pages::Area {
            x: 0.0,
            y: 0.0,
            w: pw,
            h: ph,
        },
    };
    let width = frame(0).w;
    // Word shows a picture whole (the DOCX writer does not crop), centred.
    let whole = |p: &crate::doc::Para| match p {
        crate::doc::Para::Picture { .. } => {
            let mut p = p.clone();
            if let crate::doc::Para::Picture { fit, .. } = &mut p {
                *fit = crate::layout::ImageFit::Contain;
            }
            ts.set(&p, width)
        }
        _ => ts.set(p, width),
    };
    let sets: Vec<Set> = doc.body.iter().map(whole).collect();
    let keep = Keep {
        orphans: 2,
        widows: 2,
    };
    // One more page each time the body does not fit.
    let mut items: Vec<(usize, Item)> = Vec::new();
    let mut n = 1;
    loop {
        let frames: Vec<Frame> = (0..n).map(frame).collect();
        items.clear();
        if pour(&sets, &frames, keep, &mut items).is_ok() || n == MOST_PAGES {
            break;
        }
        n += 1;
    }
    let mut pages: Vec<Page> = (0..n)
        .map(|i| {
            let f = frame(i);
            Page {
                width: pw,
                height: ph,
                bleed: 0.0,
                slug: 0.0,
                items: Vec::new(),
                marks: Vec::new(),
                links: Vec::new(),
                panels: vec![PanelArea {
                    name: f.name.clone(),
                    panel: Area {
                        x: 0.0,
                        y: 0.0,
                        w: pw,
                        h: ph,
                    },
                    content: Area {
                        x: f.x,
                        y: f.y,
                        w: f.w,
                        h: f.h,
                    },
                }],
            }
        })
        .collect();
    for (page, item) in items {
        pages[page].items.push(item);
    }
    Pages {
        layout: doc.layout.clone(),
        title: doc.title.clone(),
        author: doc.author.clone(),
        language: doc.language.clone(),
        variant: Variant::Screen,
        pages,
        blocks: Vec::new(),
        warnings: Vec::new(),
        sizes: Vec::new(),
    }
}
