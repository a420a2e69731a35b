//! Type styles: font role, weight, size, leading, colour, alignment, spacing,
//! tracking, hyphenation.

use super::{ColourRef, FontRef};
use crate::units::Length;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Style {
    /// A font role from `brand.yaml` (`body`, `heading`).
    pub font: FontRef,
    #[serde(default)]
    pub weight: Weight,
    #[serde(default)]
    pub italic: bool,
    pub size: Length,
    /// Baseline to baseline; defaults to 1.3 × size.
    #[serde(default)]
    pub leading: Option<Length>,
    pub colour: ColourRef,
    #[serde(default)]
    pub align: Align,
    /// The paragraph's direction; by default the language's (right to left
    /// for Arabic, Hebrew, Persian, Urdu and the like).
    #[serde(default)]
    pub direction: Option<Direction>,
    #[serde(default)]
    pub space_before: Length,
    #[serde(default)]
    pub space_after: Length,
    /// Set the text in capitals (display only: the content keeps its case).
    #[serde(default)]
    pub uppercase: bool,
    /// Never leave this paragraph last in a panel (headings).
    #[serde(default)]
    pub keep_with_next: bool,
    /// Move the whole paragraph to the next panel rather than split it.
    #[serde(default)]
    pub keep_together: bool,
    /// Letter spacing added after every glyph, in 1/1000 em (negative tightens).
    #[serde(default)]
    pub tracking: f32,
    /// Word space as multiples of the font's space: `[minimum, natural, maximum]`.
    /// Justified lines choose within these bounds.
    #[serde(default = "default_word_spacing")]
    pub word_spacing: [f32; 3],
    /// Justified lines whose word spaces cannot reach the measure within
    /// `word-spacing` may close or open the space between letters, in
    /// 1/1000 em like `tracking`: `[most closed, most opened]`, such as
    /// `[0, 25]`. None by default; never in scripts whose letters join.
    #[serde(default)]
    pub letter_spacing: [f32; 2],
    /// Ragged lines: how far short of the measure a line may end, as a share
    /// of it (`15%`), before a word is hyphenated to fill it out.
    #[serde(default = "default_rag", deserialize_with = "share")]
    pub rag: f32,
    /// Break words at hyphenation points of the content's language.
    #[serde(default)]
    pub hyphenate: bool,
    #[serde(default)]
    pub hyphenation: HyphenRules,
}

/// A ragged line may fall a sixth or so short of the measure unhyphenated.
fn default_rag() -> f32 {
    0.15
}

/// A share of a whole written as a percentage, such as `15%`.
fn share<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f32, D::Error> {
    use serde::de::Error;
    let s = String::deserialize(d)?;
    crate::units::parse_share(&s).ok_or_else(|| {
        D::Error::custom(format!(
            "`{s}` is not a share of the measure; write it as a percentage, such as `15%`"
        ))
    })
}

fn default_word_spacing() -> [f32; 3] {
    [0.8, 1.0, 2.0]
}

/// Limits on hyphenation, in characters and lines.
#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct HyphenRules {
    /// Only words at least this long are hyphenated.
    #[serde(default = "six")]
    pub min_word: usize,
    /// Characters kept before the hyphen.
    #[serde(default = "two")]
    pub min_before: usize,
    /// Characters carried to the next line.
    #[serde(default = "three")]
    pub min_after: usize,
    /// Hyphenated lines allowed in a row.
    #[serde(default = "two")]
    pub max_in_a_row: usize,
}

pub(super) fn two() -> usize {
    2
}
fn three() -> usize {
    3
}
fn six() -> usize {
    6
}

impl Default for HyphenRules {
    fn default() -> Self {
        HyphenRules {
            min_word: 6,
            min_before: 2,
            min_after: 3,
            max_in_a_row: 2,
        }
    }
}

impl Style {
    pub fn leading(&self) -> f32 {
        self.leading.map(|l| l.0).unwrap_or(self.size.0 * 1.3)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Weight {
    #[default]
    Regular,
    Bold,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Align {
    /// Where lines begin: left in left-to-right text, right in right-to-left.
    #[default]
    Start,
    /// Where lines end: right in left-to-right text, left in right-to-left.
    End,
    Left,
    Center,
    Right,
    Justify,
}

/// Which way a paragraph's lines run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ltr,
    Rtl,
}
