//! The positioned model: pages with everything placed on them (glyph runs,
//! rectangles, images), their bleed, printer's marks and links, in points from
//! the top-left corner of the trim box. The typesetter makes it; the PDF and
//! preview writers read it, and decide nothing about layout.

use crate::fonts::FaceId;
use crate::plan::Variant;
use crate::units::MM;

pub use crate::units::Colour;

#[derive(Debug, Clone)]
/// A PDF job's pages, positioned: what the PDF and the previews are made from.
pub struct Pages {
    /// The layout these pages were set from.
    pub layout: String,
    /// The document's title (for the PDF's metadata).
    pub title: String,
    /// The document's author.
    pub author: String,
    /// The language (BCP 47).
    pub language: String,
    /// Print or screen.
    pub variant: Variant,
    /// The pages, in order.
    pub pages: Vec<Page>,
    /// The document's structure: its blocks in the order a reader meets them
    /// (the layout's `reading-order`), which is also the order each page
    /// draws them in. Tagged PDF is made from it.
    pub blocks: Vec<Block>,
    /// Things to look at before printing (an image under 300 ppi, ...).
    pub warnings: Vec<String>,
    /// Flows set at a size of their own (`fit: fill`, or shrunk to fit): each
    /// flow's name and its main text's size, in points.
    pub sizes: Vec<(String, f32)>,
}

#[derive(Debug, Clone)]
/// One page, in points from the trim box's top-left corner.
pub struct Page {
    /// Trim size.
    pub width: f32,
    /// Trim height.
    pub height: f32,
    /// Bleed beyond the trim on every side (0 for screen).
    pub bleed: f32,
    /// Room beyond the bleed for printer's marks (0 without marks).
    pub slug: f32,
    /// What is drawn, in drawing order (backgrounds first).
    pub items: Vec<Item>,
    /// Printer's marks, outside the bleed, in registration colour.
    pub marks: Vec<Mark>,
    /// Clickable areas (screen variant).
    pub links: Vec<Link>,
    /// The panels of the page's side, in the layout's order.
    pub panels: Vec<PanelArea>,
}

/// A panel on a page: its rectangle, and the box its content is set in
/// (padding taken off).
#[derive(Debug, Clone, PartialEq)]
pub struct PanelArea {
    /// The panel's name in its layout.
    pub name: String,
    /// The panel's rectangle.
    pub panel: Area,
    /// Where its content goes.
    pub content: Area,
}

/// A rectangle, in points from the trim box's top-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
}

/// A printer's mark: a hairline from (x1, y1) to (x2, y2), in trim coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mark {
    /// Crop or fold.
    pub kind: MarkKind,
    /// Start, x.
    pub x1: f32,
    /// Start, y.
    pub y1: f32,
    /// End, x.
    pub x2: f32,
    /// End, y.
    pub y2: f32,
}

pub use crate::layout::MarkKind;

/// Stroke width of printer's marks, in points.
pub const MARK_WIDTH: f32 = 0.25;

/// The dash of fold marks, in points: drawn, then left out.
pub const FOLD_DASH: (f32, f32) = (2.0, 1.5);

/// A clickable web address on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
    /// The address it opens.
    pub uri: String,
    /// The text it covers.
    pub tag: Tag,
}

/// What a drawn thing is to a reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    /// Decoration, never read aloud: backgrounds, rules, printer's marks, and
    /// whatever a layout marks decorative.
    Artifact,
    /// Part of block `block` of `Pages::blocks`; `label` for a message's number.
    Block {
        /// Its index in `Pages::blocks`.
        block: u32,
        /// The number of a numbered message, not its text.
        label: bool,
    },
}

/// One unit of the document's structure: a heading, a paragraph, a message,
/// a picture.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// What it is.
    pub kind: BlockKind,
    /// Its language, when it is not the document's (a source text standing in
    /// for a missing translation).
    pub lang: Option<String>,
}

/// What a block is.
#[derive(Debug, Clone, PartialEq)]
pub enum BlockKind {
    /// Text in a role (never `Role::Decorative`: decoration is an artifact).
    Text(Role),
    /// One message of the numbered list.
    Message {
        /// Its number.
        number: usize,
    },
    /// A picture, with what it shows.
    Figure {
        /// The alternative text.
        alt: String,
    },
}

pub use crate::doc::Role;

#[derive(Debug, Clone)]
/// Something drawn on a page.
pub enum Item {
    /// A filled rectangle (backgrounds, bands, rules).
    Rect {
        /// Left edge.
        x: f32,
        /// Top edge.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Its colour.
        colour: Colour,
    },
    /// A picture (JPEG or PNG, the logo too), shown in `area`: where it is
    /// cropped (`fit: cover`), `placed` reaches past it and is clipped.
    Image {
        /// The box it shows in.
        area: Area,
        /// Where the whole picture lies.
        placed: Area,
        /// Its file.
        picture: std::sync::Arc<crate::picture::Picture>,
        /// A figure of the structure, or decoration.
        tag: Tag,
    },
    /// A QR code: its dark modules as rectangles in one colour, and the
    /// address it holds (a link on screen).
    Qr {
        /// The code's square, its quiet zone included.
        area: Area,
        /// The dark modules, merged into rectangles, in page coordinates.
        modules: Vec<Area>,
        /// Their colour (100% black in print).
        colour: Colour,
        /// The address it holds.
        address: String,
        /// A figure of the structure, or decoration.
        tag: Tag,
    },
    /// A line of text.
    Text(GlyphRun),
}

/// One line of text in one face, size and colour.
#[derive(Debug, Clone)]
pub struct GlyphRun {
    /// The face, by its place in the project's fonts.
    pub face: FaceId,
    /// Size, in points.
    pub size: f32,
    /// Its colour.
    pub colour: Colour,
    /// Left end of the baseline.
    pub x: f32,
    /// The baseline's y.
    pub baseline: f32,
    /// Shared with the line it was set as: a page copies runs, not glyphs.
    pub glyphs: std::sync::Arc<[Glyph]>,
    /// Width of the inked line (from the first glyph's origin to the last's advance).
    pub width: f32,
    /// Glyph ranges `[from, to)` whose text differs from what they show (the
    /// halves of a hyphenated word): the PDF writer marks them with ActualText.
    pub actual: Vec<(usize, usize, String)>,
    /// Glyph ranges `[from, to)` that are (part of) a web address, with the
    /// whole address: an address broken over lines links from each line.
    pub links: Vec<(usize, usize, String)>,
    /// The block of the structure it belongs to, or decoration.
    pub tag: Tag,
}

#[derive(Debug, Clone, PartialEq)]
/// One glyph of a run.
pub struct Glyph {
    /// Its id in the face.
    pub id: u16,
    /// Offset from the run's x.
    pub x: f32,
    /// The text this glyph stands for (empty for the second glyph of a cluster).
    pub text: GlyphText,
}

/// The text one glyph stands for: nearly always a character or two, kept
/// inline so glyphs copy without allocating (glyphs are copied from shaped
/// words into lines and pages; as Strings that was a tenth of typesetting).
#[derive(Clone, PartialEq, Eq)]
pub enum GlyphText {
    /// Up to 22 bytes of text, kept in place.
    Inline {
        /// How many of `bytes` are the text.
        len: u8,
        /// The text's bytes.
        bytes: [u8; INLINE],
    },
    /// Longer text, shared.
    Shared(std::sync::Arc<str>),
}

const INLINE: usize = 22;

impl GlyphText {
    /// The text.
    pub fn as_str(&self) -> &str {
        match self {
            // Only ever filled from a whole `&str` of `len` bytes.
            GlyphText::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..*len as usize]).unwrap_or_default()
            }
            GlyphText::Shared(s) => s,
        }
    }
}

impl From<&str> for GlyphText {
    fn from(s: &str) -> GlyphText {
        if s.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            GlyphText::Inline {
                len: s.len() as u8,
                bytes,
            }
        } else {
            GlyphText::Shared(s.into())
        }
    }
}

impl Default for GlyphText {
    fn default() -> GlyphText {
        "".into()
    }
}

impl std::ops::Deref for GlyphText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for GlyphText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

/// How far marks stand off the bleed, and how long they are.
pub const MARK_GAP: f32 = 2.0 * MM;
pub const MARK_LEN: f32 = 5.0 * MM;

/// The crop marks at the four trim corners and fold marks at `folds` (x positions),
/// all starting `MARK_GAP` outside the bleed so none reaches into it.
pub fn marks(w: f32, h: f32, bleed: f32, kinds: &[MarkKind], folds: &[f32]) -> Vec<Mark> {
    let (near, far) = (bleed + MARK_GAP, bleed + MARK_GAP + MARK_LEN);
    let mut out = Vec::new();
    if kinds.contains(&MarkKind::Crop) {
        for (x, y, sx, sy) in [
            (0.0, 0.0, -1.0, -1.0),
            (w, 0.0, 1.0, -1.0),
            (0.0, h, -1.0, 1.0),
            (w, h, 1.0, 1.0),
        ] {
            // A horizontal line level with the trim edge, and a vertical one.
            out.push(Mark {
                kind: MarkKind::Crop,
                x1: x + sx * near,
                y1: y,
                x2: x + sx * far,
                y2: y,
            });
            out.push(Mark {
                kind: MarkKind::Crop,
                x1: x,
                y1: y + sy * near,
                x2: x,
                y2: y + sy * far,
            });
        }
    }
    if kinds.contains(&MarkKind::Fold) {
        for &x in folds {
            out.push(Mark {
                kind: MarkKind::Fold,
                x1: x,
                y1: -near,
                x2: x,
                y2: -far,
            });
            out.push(Mark {
                kind: MarkKind::Fold,
                x1: x,
                y1: h + near,
                x2: x,
                y2: h + far,
            });
        }
    }
    out
}
