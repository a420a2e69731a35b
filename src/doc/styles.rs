//! The layout's type styles resolved against the brand: each style's family,
//! the family that draws the job's script, its size, colour and spacing.

use super::TextStyle;
use crate::layout::{Layout, Weight};
use crate::project::Project;
use crate::units::Colour;
use std::collections::BTreeMap;

/// Every style of layout `l`, resolved; `title` (in the job's language)
/// shows which script the job is in.
pub(super) fn text_styles(p: &Project, l: &Layout, title: &str) -> BTreeMap<String, TextStyle> {
    l.styles
        .iter()
        .map(|(name, s)| {
            let c = p.brand.colours[s.colour.as_str()];
            let role = &p.brand.fonts[s.font.as_str()];
            let family = role.family.clone();
            let script_family =
                script_family(p, s.font.as_str(), title).unwrap_or_else(|| family.clone());
            let ts = TextStyle {
                family,
                script_family,
                bold: s.weight == Weight::Bold,
                italic: s.italic,
                size: s.size.0,
                leading: s.leading(),
                colour: Colour {
                    cmyk: c.cmyk,
                    rgb: c.rgb,
                },
                align: s.align,
                space_before: s.space_before.0,
                space_after: s.space_after.0,
                uppercase: s.uppercase,
                keep_with_next: s.keep_with_next,
                keep_together: s.keep_together,
            };
            (name.clone(), ts)
        })
        .collect()
}

/// The fallback family of font role `role` that draws the first letter of
/// `sample` (the title, in the job's language) the role's own face lacks.
fn script_family(p: &Project, role: &str, sample: &str) -> Option<String> {
    let own = p.fonts.face_for(role, Weight::Regular, false)?;
    let letter = sample
        .chars()
        .find(|&c| c.is_alphabetic() && !p.fonts.face(own).covers(c))?;
    p.fonts
        .fallbacks_for(role, Weight::Regular, false)
        .iter()
        .find(|f| p.fonts.face(f.face).covers(letter))
        .map(|f| f.family.clone())
}
