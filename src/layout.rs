//! The templates: `layouts/brand.yaml` and one YAML file per layout. Everything
//! visual is here as data; the Rust only interprets it.

use crate::units::{Cmyk, Insets, Length, Rgb};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::marker::PhantomData;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Brand {
    pub organisation: String,
    pub colours: BTreeMap<String, BrandColour>,
    /// Font families by role (`body`, `heading`, ...): file names in `fonts/`.
    pub fonts: BTreeMap<String, FontFamily>,
    #[serde(default)]
    pub logo: Option<String>,
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Pdf,
    Docx,
}

impl Format {
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
    #[serde(default = "two")]
    pub orphans: usize,
    /// PDF: the fewest lines of a paragraph carried to the top of the next panel.
    #[serde(default = "two")]
    pub widows: usize,
    /// PDF: the sides of the sheet (pages), each with its panels in reading order.
    #[serde(default)]
    pub sides: Vec<Side>,
    /// DOCX: the body, in order.
    #[serde(default)]
    pub content: Vec<Block>,
    /// DOCX: the page footer.
    #[serde(default)]
    pub footer: Vec<Block>,
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
pub enum MarkKind {
    Crop,
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

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Side {
    pub name: String,
    pub panels: Vec<Panel>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Panel {
    pub name: String,
    /// Distance from the page's left edge (trim).
    #[serde(default)]
    pub x: Length,
    /// Distance from the page's top edge (trim).
    #[serde(default)]
    pub y: Option<Length>,
    /// Instead of `y`: distance from the page's bottom edge to the panel's bottom.
    #[serde(default)]
    pub y_from_bottom: Option<Length>,
    /// Defaults to the rest of the page right of `x`.
    #[serde(default)]
    pub width: Option<Length>,
    /// Defaults to the space down to the next panel below it on the side, or to
    /// the page's bottom edge.
    #[serde(default)]
    pub height: Option<Length>,
    #[serde(default)]
    pub padding: Insets,
    /// A colour filling the panel; where the panel touches the trim edge it runs into the bleed.
    #[serde(default)]
    pub background: Option<ColourRef>,
    /// The flow whose content this panel takes, after the panels before it.
    #[serde(default)]
    pub flow: Option<FlowRef>,
    /// Fixed content from the top of the panel.
    #[serde(default)]
    pub content: Vec<Block>,
    /// Fixed content stacked at the bottom of the panel.
    #[serde(default)]
    pub bottom: Vec<Block>,
}

/// A panel's rectangle in points from the trim box's top-left: `(x, y, w, h)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PanelRect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Side {
    /// Where each panel of this side lies on a `pw` × `ph` page: sizes left out
    /// stretch to the page edge or to the next panel, so one layout fits A4 and Letter.
    pub fn rects(&self, pw: f32, ph: f32) -> Vec<PanelRect> {
        let tops: Vec<f32> = self
            .panels
            .iter()
            .map(|p| match (p.y, p.y_from_bottom, p.height) {
                (Some(y), _, _) => y.0,
                (None, Some(b), Some(h)) => ph - b.0 - h.0,
                (None, Some(b), None) => ph - b.0,
                (None, None, _) => 0.0,
            })
            .collect();
        self.panels
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let x = p.x.0;
                let w = p.width.map(|w| w.0).unwrap_or(pw - x);
                let y = tops[i];
                let h = match (p.height, p.y_from_bottom) {
                    (Some(h), _) => h.0,
                    (None, Some(b)) if p.y.is_some() => ph - b.0 - y,
                    (None, Some(_)) => 0.0,
                    (None, None) => {
                        // Down to the nearest panel below that overlaps horizontally.
                        let below = self
                            .panels
                            .iter()
                            .enumerate()
                            .filter(|&(j, q)| {
                                j != i && tops[j] > y + 0.01 && {
                                    let qx = q.x.0;
                                    let qw = q.width.map(|w| w.0).unwrap_or(pw - qx);
                                    qx < x + w - 0.01 && qx + qw > x + 0.01
                                }
                            })
                            .map(|(j, _)| tops[j])
                            .fold(ph, f32::min);
                        below - y
                    }
                };
                PanelRect { x, y, w, h }
            })
            .collect()
    }
}

/// A flow: its blocks, and what to do when they do not fit its panels. Written
/// as a plain list of blocks, or as a mapping with `blocks` and options.
#[derive(Debug, Clone, Serialize)]
pub struct Flow {
    pub blocks: Vec<Block>,
    pub overflow: OverflowPolicy,
    /// With `overflow: shrink`: the smallest size the flow's main text may take.
    pub min_size: Option<Length>,
    /// Fill the panels to an even depth instead of one after another.
    pub balance: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OverflowPolicy {
    /// Too much text is an error naming the panel, the message and the excess.
    #[default]
    Error,
    /// Lower the type size in small steps, down to `min-size`.
    Shrink,
}

impl<'de> Deserialize<'de> for Flow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "kebab-case")]
        struct Full {
            blocks: Vec<Block>,
            #[serde(default)]
            overflow: OverflowPolicy,
            #[serde(default)]
            min_size: Option<Length>,
            #[serde(default)]
            balance: bool,
        }
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Flow;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of blocks, or a mapping with `blocks`, `overflow`, `min-size`, `balance`")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Flow, A::Error> {
                let blocks = Vec::<Block>::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
                Ok(Flow {
                    blocks,
                    overflow: OverflowPolicy::Error,
                    min_size: None,
                    balance: false,
                })
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Flow, A::Error> {
                let f = Full::deserialize(de::value::MapAccessDeserializer::new(map))?;
                if f.overflow == OverflowPolicy::Shrink && f.min_size.is_none() {
                    return Err(de::Error::custom(
                        "`overflow: shrink` needs `min-size`, the smallest size the text may take",
                    ));
                }
                Ok(Flow {
                    blocks: f.blocks,
                    overflow: f.overflow,
                    min_size: f.min_size,
                    balance: f.balance,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// One piece of a panel, flow or handout: text from the content (`show`), a rule,
/// or vertical space.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Block {
    #[serde(default)]
    pub show: Option<Show>,
    #[serde(default)]
    pub style: Option<StyleRef>,
    /// For `show: messages`: the style of the message numbers.
    #[serde(default)]
    pub number_style: Option<StyleRef>,
    /// For `show: messages`: how far the text is indented past the number.
    #[serde(default)]
    pub indent: Option<Length>,
    /// A horizontal rule in this colour.
    #[serde(default)]
    pub rule: Option<ColourRef>,
    #[serde(default)]
    pub thickness: Option<Length>,
    /// The rule's length (defaults to the panel's width).
    #[serde(default)]
    pub length: Option<Length>,
    /// Vertical space.
    #[serde(default)]
    pub space: Option<Length>,
    /// For `show: logo`: its height (the width follows the image's proportions).
    #[serde(default)]
    pub height: Option<Length>,
}

/// Which piece of the content a block shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum Show {
    #[serde(rename = "title")]
    Title,
    #[serde(rename = "attribution")]
    Attribution,
    #[serde(rename = "organisation")]
    Organisation,
    #[serde(rename = "definition.heading")]
    DefinitionHeading,
    #[serde(rename = "definition.text")]
    DefinitionText,
    #[serde(rename = "definition.note")]
    DefinitionNote,
    #[serde(rename = "audience.name")]
    AudienceName,
    #[serde(rename = "audience.heading")]
    AudienceHeading,
    #[serde(rename = "audience.intro")]
    AudienceIntro,
    #[serde(rename = "messages")]
    Messages,
    /// The brand's logo (PDF layouts), `height` tall.
    #[serde(rename = "logo")]
    Logo,
}

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
    /// Break words at hyphenation points of the content's language.
    #[serde(default)]
    pub hyphenate: bool,
    #[serde(default)]
    pub hyphenation: HyphenRules,
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

fn two() -> usize {
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
    #[default]
    Left,
    Center,
    Right,
    Justify,
}

// ---- Names that refer to something defined elsewhere -------------------------
//
// A style, colour, font role or flow name is checked while it is parsed, so that
// serde_yaml attaches the line and column of the bad name to the error. The
// valid names are known before the parse (brand first; styles and flows from a
// quick pre-pass over the same file) and handed in through `with_names`.

#[derive(Debug, Default, Clone)]
pub struct Names {
    pub colours: Vec<String>,
    pub fonts: Vec<String>,
    pub styles: Vec<String>,
    pub flows: Vec<String>,
}

thread_local! {
    static NAMES: RefCell<Option<Names>> = const { RefCell::new(None) };
}

/// Runs `f` (a parse) with `names` as the valid references.
pub fn with_names<T>(names: Names, f: impl FnOnce() -> T) -> T {
    NAMES.with(|n| *n.borrow_mut() = Some(names));
    let out = f();
    NAMES.with(|n| *n.borrow_mut() = None);
    out
}

pub trait RefKind {
    const WHAT: &'static str;
    const DEFINED_IN: &'static str;
    fn names(n: &Names) -> &[String];
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Ref<K> {
    pub name: String,
    #[serde(skip)]
    kind: PhantomData<K>,
}

impl<K> Ref<K> {
    pub fn as_str(&self) -> &str {
        &self.name
    }
}

impl<'de, K: RefKind> Deserialize<'de> for Ref<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        let problem = NAMES.with(|n| {
            let n = n.borrow();
            let n = n.as_ref()?;
            let valid = K::names(n);
            if valid.contains(&name) {
                return None;
            }
            let mut msg = format!("unknown {} `{name}`", K::WHAT);
            match crate::diag::did_you_mean(&name, valid.iter().map(|s| s.as_str())) {
                Some(s) => msg.push_str(&format!("; did you mean `{s}`?")),
                None if valid.is_empty() => {
                    msg.push_str(&format!("; none are defined in {}", K::DEFINED_IN))
                }
                None => msg.push_str(&format!(
                    "; expected one of {} (defined in {})",
                    valid.join(", "),
                    K::DEFINED_IN
                )),
            }
            Some(msg)
        });
        match problem {
            Some(m) => Err(de::Error::custom(m)),
            None => Ok(Ref {
                name,
                kind: PhantomData,
            }),
        }
    }
}

macro_rules! ref_kind {
    ($kind:ident, $alias:ident, $what:literal, $where:literal, $field:ident) => {
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
        pub struct $kind;
        impl RefKind for $kind {
            const WHAT: &'static str = $what;
            const DEFINED_IN: &'static str = $where;
            fn names(n: &Names) -> &[String] {
                &n.$field
            }
        }
        pub type $alias = Ref<$kind>;
    };
}

ref_kind!(
    ColourKind,
    ColourRef,
    "colour",
    "brand.yaml `colours`",
    colours
);
ref_kind!(FontKind, FontRef, "font role", "brand.yaml `fonts`", fonts);
ref_kind!(
    StyleKind,
    StyleRef,
    "style",
    "this layout's `styles`",
    styles
);
ref_kind!(FlowKind, FlowRef, "flow", "this layout's `flows`", flows);

/// The names a layout file defines for itself (its styles and flows), read in a
/// lenient pre-pass so that references to them can be checked during the real parse.
pub fn local_names(text: &str) -> (Vec<String>, Vec<String>) {
    plain_local_names(text)
        .or_else(|| parsed_local_names(text))
        .unwrap_or_default()
}

/// `local_names` by a YAML parse of the whole file (`None` if it does not parse).
fn parsed_local_names(text: &str) -> Option<(Vec<String>, Vec<String>)> {
    let v = serde_yaml::from_str::<serde_yaml::Value>(text).ok()?;
    let keys = |k: &str| -> Vec<String> {
        v.get(k)
            .and_then(|m| m.as_mapping())
            .map(|m| {
                m.keys()
                    .filter_map(|k| k.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    Some((keys("styles"), keys("flows")))
}

/// `local_names` read from the lines, when `styles:` and `flows:` are written
/// as layouts are (top-level block mappings with one plain name a line);
/// `None` for anything else, which a YAML parse then reads. Parsing each layout
/// twice was a third of reading the layouts.
fn plain_local_names(text: &str) -> Option<(Vec<String>, Vec<String>)> {
    // A name as YAML reads it as a string: a letter, then letters, digits, `-`,
    // `_` and spaces (Word's style names: `Heading 1`).
    let plain_key = |body: &str| -> Option<String> {
        let (key, rest) = body.split_once(':')?;
        let ok = key.starts_with(|c: char| c.is_ascii_alphabetic())
            && !key.ends_with(' ')
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == ' ')
            && !matches!(
                key.to_ascii_lowercase().as_str(),
                "true" | "false" | "null" | "y" | "n" | "yes" | "no" | "on" | "off"
            )
            && (rest.is_empty() || rest.starts_with(' '));
        ok.then(|| key.to_string())
    };
    // Styles' names, then flows'; and whether each section was seen.
    let mut names: [Vec<String>; 2] = Default::default();
    let mut seen = [false; 2];
    // The section being read (0 styles, 1 flows) and its names' indentation.
    let mut section: Option<(usize, Option<usize>)> = None;
    // Brackets of a flow collection left open at the end of a line.
    let mut open = 0i32;
    for line in text.lines() {
        if line.contains('\t') {
            return None;
        }
        let indent = line.len() - line.trim_start_matches(' ').len();
        let body = line[indent..].trim_end();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let inside = open > 0;
        // Quotes could hide brackets or `#`: leave such files to the parse.
        if body.contains(['"', '\'', '&', '*', '|', '>', '?', '!']) && section.is_some() {
            return None;
        }
        open += body.matches(['{', '[']).count() as i32 - body.matches(['}', ']']).count() as i32;
        if inside {
            continue;
        }
        if indent == 0 {
            if body.starts_with(['-', '.', '%']) {
                return None;
            }
            let key = plain_key(body)?;
            section = match key.as_str() {
                k @ ("styles" | "flows") => {
                    let which = usize::from(k == "flows");
                    // `styles: { … }` or a second `styles:` are left to the parse.
                    let value = body[k.len() + 1..].trim_start();
                    if std::mem::replace(&mut seen[which], true)
                        || !(value.is_empty() || value.starts_with('#'))
                    {
                        return None;
                    }
                    Some((which, None))
                }
                _ => None,
            };
            continue;
        }
        let Some((which, names_at)) = &mut section else {
            continue;
        };
        let at = *names_at.get_or_insert(indent);
        if indent < at {
            return None;
        }
        if indent == at {
            let names = &mut names[*which];
            let name = plain_key(body)?;
            if names.contains(&name) {
                return None;
            }
            names.push(name);
        }
    }
    let [styles, flows] = names;
    Some((styles, flows))
}

#[cfg(test)]
mod tests {
    use super::{local_names, plain_local_names};

    /// What the YAML parse reads (the reading `plain_local_names` stands in for).
    fn parsed(text: &str) -> (Vec<String>, Vec<String>) {
        super::parsed_local_names(text).unwrap()
    }

    #[test]
    fn the_shipped_layouts_are_read_from_their_lines_as_the_parse_reads_them() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("layouts");
        for name in ["leaflet", "flyer", "handout"] {
            let text = std::fs::read_to_string(root.join(format!("{name}.yaml"))).unwrap();
            let plain = plain_local_names(&text).expect(name);
            assert_eq!(plain, parsed(&text), "{name}");
            assert!(!plain.0.is_empty(), "{name}");
        }
    }

    #[test]
    fn names_written_otherwise_are_left_to_the_parse() {
        let cases = [
            // Flow style, quoted names, a second `styles:`, anchors, block
            // scalars, a name YAML reads as a boolean, tabs.
            "styles: { body: { size: 9pt } }\n",
            "styles:\n  \"body\": { size: 9pt }\n",
            "styles:\n  a: {}\nstyles:\n  b: {}\n",
            "styles:\n  a: &x { size: 9pt }\n  b: *x\n",
            "flows:\n  a: |\n    text\n",
            "styles:\n  yes: {}\n",
            "styles:\n\tbody: {}\n",
            "\"styles\":\n  body: {}\n",
            "styles:\n  a: {}\n  a: {}\n",
        ];
        for text in cases {
            assert_eq!(plain_local_names(text), None, "{text:?}");
        }
        // What the lines can tell is told as the parse tells it.
        let text = "# a layout\nformat: pdf\nstyles:\n  # the body\n  body: { font: body,\n    size: 9pt }\n\n  head-1:\n    size: 12pt\n  List Number: {}\npage: { size: A4 }\nflows:\n  main:\n    - { style: body }\n";
        assert_eq!(plain_local_names(text), Some(parsed(text)));
        assert_eq!(local_names(text), parsed(text));
        assert_eq!(
            local_names("styles: { a: {} }"),
            parsed("styles: { a: {} }")
        );
        assert_eq!(local_names(": ]["), (Vec::new(), Vec::new()));
    }
}
