//! A paragraph style resolved for setting: the layout's style with its face
//! found in the fonts, its colour in the brand, and its sizes scaled.

use crate::fonts::{FaceId, Fallback};
use crate::layout::Align;
use crate::pages::Colour;
use std::sync::Arc;

/// The paragraph's style, resolved against the brand and fonts.
pub(super) struct Resolved {
    pub(super) face: FaceId,
    /// The faces of `*emphasis*`, `**strong**` and both, in this style: the
    /// italic (upright in an italic style), the bold, the bold italic.
    pub(super) emphasis: FaceId,
    pub(super) strong: FaceId,
    pub(super) strong_emphasis: FaceId,
    pub(super) size: f32,
    pub(super) leading: f32,
    pub(super) colour: Colour,
    pub(super) align: Align,
    /// The paragraph runs right to left.
    pub(super) rtl: bool,
    /// For each of the four faces above, the faces tried after it.
    pub(super) fallbacks: [(FaceId, Arc<[Fallback]>); 4],
    pub(super) space_before: f32,
    pub(super) space_after: f32,
    /// Ascender and descender in ems (descender negative).
    pub(super) ascent: f32,
    pub(super) descent: f32,
    pub(super) keep_with_next: bool,
    pub(super) keep_together: bool,
    pub(super) uppercase: bool,
    pub(super) tracking: f32,
    pub(super) word_spacing: [f32; 3],
    pub(super) letter_spacing: [f32; 2],
    pub(super) hyphenate: bool,
    /// Ragged lines: the shortfall, as a share of the measure, that a word
    /// is hyphenated to avoid.
    pub(super) rag: f32,
    pub(super) hyphen_rules: crate::layout::HyphenRules,
    /// How links look, if the layout says.
    pub(super) link: Option<LinkLook>,
}

/// How links look in a layout: their colour, and whether they are underlined.
#[derive(Debug, Clone, Copy)]
pub(super) struct LinkLook {
    pub(super) colour: Option<Colour>,
    pub(super) underline: bool,
}

impl Resolved {
    /// The face for text with this emphasis and strength.
    pub(super) fn face_of(&self, emphasis: bool, strong: bool) -> FaceId {
        match (emphasis, strong) {
            (false, false) => self.face,
            (true, false) => self.emphasis,
            (false, true) => self.strong,
            (true, true) => self.strong_emphasis,
        }
    }

    /// The faces tried after `face` (one of this style's) for what it lacks.
    pub(super) fn fallbacks_of(&self, face: FaceId) -> &[Fallback] {
        self.fallbacks
            .iter()
            .find(|f| f.0 == face)
            .map_or(&[], |f| &f.1[..])
    }

    /// Where a line of `width` starts in a measure of `measure`.
    pub(super) fn line_x(&self, width: f32, measure: f32) -> f32 {
        let room = (measure - width).max(0.0);
        match (self.align, self.rtl) {
            (Align::Left, _) | (Align::Start | Align::Justify, false) | (Align::End, true) => 0.0,
            (Align::Center, _) => room / 2.0,
            (Align::Right, _) | (Align::Start | Align::Justify, true) | (Align::End, false) => room,
        }
    }
}
