//! A side's panels: their rectangles (`Side::rects`), flows that run from panel
//! to panel, and the blocks a panel shows.

use super::{ColourRef, FlowRef, StyleRef};
use crate::units::{Insets, Length};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

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
    /// Instead of `x`: distance from the page's right edge to the panel's
    /// right edge (with `width`), so a panel keeps to the right on any paper.
    #[serde(default)]
    pub x_from_right: Option<Length>,
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
    /// Where `content` stands in the room `bottom` leaves it: at the top (the
    /// default), in the middle, or at the bottom.
    #[serde(default)]
    pub valign: VAlign,
}

/// Vertical placement of a panel's fixed content.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VAlign {
    #[default]
    Top,
    Middle,
    Bottom,
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
    /// [`Side::rects`], mirrored left to right when `mirror` (a right-to-left
    /// language): the first panel of a row lies at its right end.
    pub fn rects_facing(&self, pw: f32, ph: f32, mirror: bool) -> Vec<PanelRect> {
        let mut rects = self.rects(pw, ph);
        if mirror {
            for r in &mut rects {
                r.x = pw - r.x - r.w;
            }
        }
        rects
    }

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
        let spans: Vec<(f32, f32)> = self
            .panels
            .iter()
            .map(|p| match (p.x_from_right, p.width) {
                (Some(r), Some(w)) => (pw - r.0 - w.0, w.0),
                _ => (p.x.0, p.width.map(|w| w.0).unwrap_or(pw - p.x.0)),
            })
            .collect();
        self.panels
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let (x, w) = spans[i];
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
                            .filter(|&(j, _)| {
                                j != i && tops[j] > y + 0.01 && {
                                    let (qx, qw) = spans[j];
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
    /// `fit: fill`: set the flow as large as fits, in half-point steps, up to
    /// this size of its main text, so its panels end near their foot.
    pub max_size: Option<Length>,
}

/// Which way a flow's type may be sized to its panels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fit {
    /// Larger, up to `max-size`, to fill the panels.
    Fill,
    /// Smaller, down to `min-size`, to fit (`overflow: shrink`).
    Shrink,
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
            #[serde(default)]
            fit: Option<Fit>,
            #[serde(default)]
            max_size: Option<Length>,
        }
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Flow;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of blocks, or a mapping with `blocks`, `overflow`, `min-size`, `fit`, `max-size`, `balance`")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Flow, A::Error> {
                let blocks = Vec::<Block>::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
                Ok(Flow {
                    blocks,
                    overflow: OverflowPolicy::Error,
                    min_size: None,
                    balance: false,
                    max_size: None,
                })
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Flow, A::Error> {
                let f = Full::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let overflow = match f.fit {
                    Some(Fit::Shrink) => OverflowPolicy::Shrink,
                    _ => f.overflow,
                };
                if overflow == OverflowPolicy::Shrink && f.min_size.is_none() {
                    return Err(de::Error::custom(
                        "`overflow: shrink` needs `min-size`, the smallest size the text may take",
                    ));
                }
                if f.fit == Some(Fit::Fill) && f.max_size.is_none() {
                    return Err(de::Error::custom(
                        "`fit: fill` needs `max-size`, the largest size the text may take",
                    ));
                }
                Ok(Flow {
                    blocks: f.blocks,
                    overflow,
                    min_size: f.min_size,
                    balance: f.balance,
                    max_size: (f.fit == Some(Fit::Fill)).then_some(f.max_size).flatten(),
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
    /// For `show: logo`: its height (the width follows the image's
    /// proportions). For `show: image`: the picture's height (by default, as
    /// its proportions give at the panel's width; with `bleed`, the panel's).
    #[serde(default)]
    pub height: Option<Length>,
    /// For `show: image`: `cover` fills the box and crops (the default),
    /// `contain` shows the whole picture inside it.
    #[serde(default)]
    pub fit: Option<ImageFit>,
    /// For `show: image` with `fit: cover`: the point of the picture kept in
    /// view when it is cropped, across and down, such as `[50%, 30%]`.
    #[serde(default)]
    pub focus: Option<Focus>,
    /// For `show: image`: the picture runs to the panel's edges (its padding
    /// ignored) and, where the panel meets the trim, into the bleed.
    #[serde(default)]
    pub bleed: bool,
    /// For `show: qr`: the code's width and height, its quiet zone included
    /// (at least 20 mm, so phones read it from a printed page).
    #[serde(default)]
    pub size: Option<Length>,
    /// Decoration only: drawn, but never read aloud (an artifact in tagged PDF).
    #[serde(default)]
    pub decorative: bool,
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
    /// The organisation's call to action, if the content has one.
    #[serde(rename = "organisation.call-to-action")]
    CallToAction,
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
    /// The organisation's web address, printed (as a link).
    #[serde(rename = "organisation.url")]
    OrganisationUrl,
    /// The organisation's e-mail address, telephone and postal address,
    /// those the content gives, a line each.
    #[serde(rename = "organisation.contact")]
    OrganisationContact,
    /// The organisation's web address as a QR code (PDF layouts), `size`
    /// square.
    #[serde(rename = "qr")]
    Qr,
    /// The audience's picture, else the content's, else the brand's (PDF layouts
    /// and handouts).
    #[serde(rename = "image")]
    Image,
    /// Who made that picture, as the content gives it.
    #[serde(rename = "image.credit")]
    ImageCredit,
}

/// How a picture fills its box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImageFit {
    /// Fills the box; what overhangs is cropped, around the focus.
    #[default]
    Cover,
    /// The whole picture, as large as fits in the box.
    Contain,
}

/// A point of a picture, across and down, each from 0 to 1 (written `50%`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Focus(pub f32, pub f32);

impl<'de> Deserialize<'de> for Focus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let parts = Vec::<String>::deserialize(d)?;
        let share = |s: &str| -> Result<f32, D::Error> {
            crate::units::parse_share(s).ok_or_else(|| {
                D::Error::custom(format!(
                    "`{s}` is not a share from 0% to 100%; write the focus as `[50%, 30%]` (across, down)"
                ))
            })
        };
        match parts.as_slice() {
            [x, y] => Ok(Focus(share(x)?, share(y)?)),
            _ => Err(D::Error::custom(
                "a focus is two shares, across and down, such as `[50%, 30%]`",
            )),
        }
    }
}
