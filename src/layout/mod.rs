//! The templates: `layouts/brand.yaml` and one YAML file per layout. Everything
//! visual is here as data; the Rust only interprets it. The page and the brand
//! are here; a side's panels and what they show in `panels`, type styles in
//! `style`, and the checking of names that refer to something defined
//! elsewhere in `names`.

mod names;
mod panels;
mod style;

pub use names::{ColourRef, FlowRef, FontRef, Names, StyleRef, local_names, with_names};
pub use panels::{Block, Flow, ImageFit, OverflowPolicy, Panel, PanelRect, Show, Side, VAlign};
pub use style::{Align, Direction, HyphenRules, Style, Weight};

use crate::units::{Cmyk, Insets, Length, Rgb};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Brand {
    pub organisation: String,
    pub colours: BTreeMap<String, BrandColour>,
    /// Font families by role (`body`, `heading`, ...): file names in `fonts/`.
    pub fonts: BTreeMap<String, FontFamily>,
    #[serde(default)]
    pub logo: Option<LogoSpec>,
    /// A picture for outputs whose content names none (a file in the layouts folder).
    #[serde(default)]
    pub image: Option<crate::picture::PictureSpec>,
}

/// How links look in a layout.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LinkStyle {
    /// A brand colour.
    #[serde(default)]
    pub colour: Option<ColourRef>,
    /// Underlined (screen readers and readers who cannot tell colours apart
    /// still see it is a link).
    #[serde(default)]
    pub underline: bool,
}

/// The brand's logo: a PNG in the layouts folder, and what it shows for those
/// who cannot see it (`alt: ""` marks it decorative).
#[derive(Debug, Clone, Serialize)]
pub struct LogoSpec {
    pub file: String,
    /// Required; `None` only when the brand gave a bare file name (an error
    /// when the brand loads, which says how to add it).
    pub alt: Option<String>,
}

impl<'de> Deserialize<'de> for LogoSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            file: String,
            #[serde(default)]
            alt: Option<String>,
        }
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = LogoSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mapping with `file` and `alt`")
            }
            fn visit_str<E: de::Error>(self, file: &str) -> Result<LogoSpec, E> {
                Ok(LogoSpec {
                    file: file.to_string(),
                    alt: None,
                })
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<LogoSpec, A::Error> {
                let f = Full::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(LogoSpec {
                    file: f.file,
                    alt: f.alt,
                })
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BrandColour {
    /// Ink percentages for print.
    pub cmyk: Cmyk,
    /// The screen and DOCX equivalent.
    pub rgb: Rgb,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FontFamily {
    /// The family name written into DOCX styles (Word looks it up on the reader's machine).
    pub family: String,
    pub regular: String,
    pub bold: String,
    pub italic: String,
    pub bold_italic: String,
    /// Families tried, in order, for the characters this one has no glyph
    /// for (another script): each grapheme cluster is set in the first that
    /// covers it.
    #[serde(default)]
    pub fallback: Vec<FallbackFamily>,
}

/// A family a role falls back to. Only the regular face is required: a
/// style in bold or italic uses it where the family has no such face (with a
/// warning); naming the regular file for a variant says that is meant
/// (Arabic and Devanagari have no italic), and quiets the warning.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FallbackFamily {
    pub family: String,
    pub regular: String,
    #[serde(default)]
    pub bold: Option<String>,
    #[serde(default)]
    pub italic: Option<String>,
    #[serde(default)]
    pub bold_italic: Option<String>,
}

/// Whether a layout's sides are mirrored for right-to-left languages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mirror {
    Auto,
    #[default]
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
/// What a layout makes.
pub enum Format {
    /// A PDF (leaflet, flyer), typeset by leafpress.
    Pdf,
    /// A Word handout, laid out by Word.
    Docx,
}

impl Format {
    /// The file extension: `pdf` or `docx`.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Docx => "docx",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    pub format: Format,
    #[serde(default)]
    pub description: Option<String>,
    pub page: PageSpec,
    pub styles: BTreeMap<String, Style>,
    /// PDF: named flows of content that fill the panels that name them, in order.
    #[serde(default)]
    pub flows: BTreeMap<String, Flow>,
    /// PDF: the fewest lines of a paragraph left at the bottom of a panel when it
    /// continues in the next one.
    #[serde(default = "style::two")]
    pub orphans: usize,
    /// PDF: the fewest lines of a paragraph carried to the top of the next panel.
    #[serde(default = "style::two")]
    pub widows: usize,
    /// PDF: the sides of the sheet (pages), each with its panels.
    #[serde(default)]
    pub sides: Vec<Side>,
    /// PDF: the panels in the order a reader meets them (a folded leaflet is
    /// not read in sheet order); by default, sides and panels in file order.
    /// Screen readers and text extraction follow it.
    #[serde(default, rename = "reading-order")]
    pub reading_order: Vec<String>,
    /// PDF: how links look (their colour, an underline); as the text around
    /// them if not given.
    #[serde(default)]
    pub link: Option<LinkStyle>,
    /// PDF: `auto` mirrors each side for right-to-left languages (panels,
    /// their padding, folds), so a leaflet opens the way its reader reads;
    /// `never` (the default) keeps the sheet as designed.
    #[serde(default)]
    pub mirror: Mirror,
    /// DOCX: the body, in order.
    #[serde(default)]
    pub content: Vec<Block>,
    /// DOCX: the page footer.
    #[serde(default)]
    pub footer: Vec<Block>,
    /// PDF: the resolution pictures must reach where they are placed.
    #[serde(default, rename = "picture-resolution")]
    pub picture_resolution: Resolution,
}

/// The effective resolution a placed picture needs, in pixels per inch:
/// under `warning` the build warns, under `error` the job fails.
#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    #[serde(default = "ppi_warning")]
    pub warning: f32,
    #[serde(default = "ppi_error")]
    pub error: f32,
}

impl Default for Resolution {
    fn default() -> Self {
        Resolution {
            warning: ppi_warning(),
            error: ppi_error(),
        }
    }
}

/// What offset printing needs for a photograph to look sharp.
fn ppi_warning() -> f32 {
    300.0
}

/// Under this, pixels show at reading distance.
fn ppi_error() -> f32 {
    150.0
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PageSpec {
    /// A paper name (`A4`, `Letter`, ...) or `[width, height]`.
    pub size: PageSize,
    #[serde(default)]
    pub orientation: Orientation,
    /// Print bleed around the trim edge (PDF).
    #[serde(default = "default_bleed")]
    pub bleed: Length,
    /// Page margins (DOCX).
    #[serde(default)]
    pub margins: Option<Insets>,
    /// Printer's marks on print PDFs: `crop`, `fold`.
    #[serde(default)]
    pub marks: Vec<MarkKind>,
    /// How far inside the trim text must stay (print PDFs).
    #[serde(default = "default_safe")]
    pub safe_margin: Length,
    /// How the sheet folds, checked against the panels.
    #[serde(default)]
    pub fold: Option<Fold>,
}

fn default_safe() -> Length {
    Length::from_mm(5.0)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
/// A kind of printer's mark.
pub enum MarkKind {
    /// Crop marks at the trim corners.
    Crop,
    /// Fold marks where panels meet.
    Fold,
}

/// A folding scheme. `roll`: panels side by side, the one that folds in first
/// narrower by `fold-in-narrower-by`, and the back side a mirror of the front.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Fold {
    pub style: FoldStyle,
    pub fold_in_narrower_by: Length,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FoldStyle {
    Roll,
}

fn default_bleed() -> Length {
    Length::from_mm(3.0)
}

#[derive(Debug, Clone, Serialize)]
pub enum PageSize {
    Named(String, Length, Length),
    Custom(Length, Length),
}

impl PageSize {
    pub fn portrait_dims(&self) -> (f32, f32) {
        let (w, h) = match self {
            PageSize::Named(_, w, h) | PageSize::Custom(w, h) => (w.0, h.0),
        };
        (w.min(h), w.max(h))
    }
}

impl<'de> Deserialize<'de> for PageSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Name(String),
            Dims(Vec<Length>),
        }
        match Raw::deserialize(d).map_err(|_| {
            de::Error::custom(format!(
                "page size must be a paper name ({}) or `[width, height]` such as `[210mm, 99mm]`",
                crate::units::PAPER_NAMES
            ))
        })? {
            Raw::Name(n) => match crate::units::paper_size(&n) {
                Some((w, h)) => Ok(PageSize::Named(n, w, h)),
                None => Err(de::Error::custom(format!(
                    "unknown paper size `{n}`; use one of {} or `[width, height]`",
                    crate::units::PAPER_NAMES
                ))),
            },
            Raw::Dims(v) => match v[..] {
                [w, h] if w.0 > 0.0 && h.0 > 0.0 => Ok(PageSize::Custom(w, h)),
                [_, _] => Err(de::Error::custom(
                    "page width and height must be greater than zero",
                )),
                _ => Err(de::Error::custom(
                    "a custom page size is two lengths, `[width, height]`",
                )),
            },
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Orientation {
    #[default]
    Portrait,
    Landscape,
}
