//! Preflight of a print file's pictures: the resolution each reaches where it
//! is placed, against the layout's limits (`picture-resolution`).

use crate::pages::{Item, Pages};
use crate::project::Project;

/// What the pictures of `pages` (a print file of `layout`) come to: warnings,
/// and errors that fail the job. The brand's logo only ever warns: it is the
/// brand's, in every output, and was accepted before pictures had limits.
pub fn preflight(project: &Project, pages: &Pages) -> (Vec<String>, Vec<String>) {
    let (mut warnings, mut errors) = (Vec::new(), Vec::new());
    let Some(layout) = project.layout(&pages.layout) else {
        return (warnings, errors);
    };
    let limits = layout.layout.picture_resolution;
    for page in &pages.pages {
        for item in &page.items {
            let Item::Image {
                area,
                placed,
                picture,
                ..
            } = item
            else {
                continue;
            };
            // Pixels per inch across the whole picture as placed (a cropped
            // one is enlarged: its pixels cover more).
            let ppi = picture.width as f32 / (placed.w / 72.0);
            let logo = project
                .logo
                .as_ref()
                .is_some_and(|l| l.picture.digest == picture.digest);
            let (cx, cy) = (area.x + area.w / 2.0, area.y + area.h / 2.0);
            // The smallest panel under its centre: panels may overlap.
            let panel = page
                .panels
                .iter()
                .filter(|p| {
                    let a = p.panel;
                    (a.x..=a.x + a.w).contains(&cx.clamp(0.0, page.width))
                        && (a.y..=a.y + a.h).contains(&cy.clamp(0.0, page.height))
                })
                .min_by(|a, b| (a.panel.w * a.panel.h).total_cmp(&(b.panel.w * b.panel.h)))
                .map_or(String::new(), |p| format!(" in panel `{}`", p.name));
            let wide = |at: f32| (placed.w / 72.0 * at).ceil();
            let what = if logo { "the logo" } else { "picture" };
            let said = format!(
                "{what} `{}` prints at {ppi:.0} ppi{panel} of layout `{}`",
                picture.file, pages.layout
            );
            if ppi < limits.error && !logo {
                errors.push(format!(
                    "{said}, under the {:.0} ppi the layout allows: use a picture at least {:.0} pixels wide (as placed), or place it smaller",
                    limits.error,
                    wide(limits.warning)
                ));
            } else if ppi < limits.warning {
                warnings.push(format!(
                    "{said}, under the {:.0} ppi print needs to look sharp: use a picture at least {:.0} pixels wide",
                    limits.warning,
                    wide(limits.warning)
                ));
            }
        }
    }
    (warnings, errors)
}
