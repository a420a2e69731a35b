//! Setting: a paragraph of the document (text, numbered message, rule, logo,
//! space) in its style, resolved against the brand and fonts, composed at a
//! panel's measure and aligned, ready to be placed.

use super::compose::{Composed, Composer, Line, compose};
use super::shape::{Fonts, Shaped, shape};
use super::style::{LinkLook, Resolved};
use crate::doc::{Origin, Para, Role};
use crate::layout::{Align, Direction, Style, Weight};
use crate::pages::{Colour, GlyphRun, Tag};
use crate::project::{NamedLayout, Project};

/// A paragraph broken into lines, ready to be placed.
pub(super) struct Set {
    pub(super) lines: Vec<(Line, f32)>, // line and its x offset inside the column
    pub(super) number: Option<(GlyphRun, f32)>,
    pub(super) st: Resolved,
    /// A rule or the logo, drawn instead of lines.
    pub(super) figure: Option<Figure>,
    pub(super) space: f32,
    /// The measure its lines were set at (a flow sets at its narrowest
    /// panel's): right-to-left lines are moved to a wider panel's right edge.
    pub(super) measure: f32,
    pub(super) origin: Option<Origin>,
    /// Words cut where they have no break, being wider than the measure,
    /// and justified lines looser than the style allows: a size that makes
    /// more of these than the layout's own is no fit.
    pub(super) flaws: usize,
    /// Its block in the document's structure (set by the caller, which knows
    /// where a reader meets it), or decoration.
    pub(super) tag: Tag,
}

/// What a paragraph draws that is not text.
pub(super) enum Figure {
    /// A filled bar.
    Rule {
        thickness: f32,
        length: f32,
        colour: Colour,
    },
    /// A picture (or the brand's logo), `width` × `height` at the measure,
    /// filling its box as `fit` says; with `bleed`, its box is the panel's.
    Image {
        width: f32,
        height: f32,
        picture: std::sync::Arc<crate::picture::Picture>,
        fit: crate::layout::ImageFit,
        focus: (f32, f32),
        bleed: bool,
    },
    /// A QR code, `size` square: its dark modules, from its top-left corner.
    Qr {
        size: f32,
        modules: Vec<crate::pages::Area>,
        address: String,
    },
}

impl Set {
    pub(super) fn height(&self, at_top: bool) -> f32 {
        let before = if at_top { 0.0 } else { self.st.space_before };
        match self.figure {
            Some(Figure::Rule { thickness, .. }) => return thickness,
            Some(Figure::Image { height, .. }) => return height,
            Some(Figure::Qr { size, .. }) => return size,
            None => {}
        }
        before + self.space + self.lines.len() as f32 * self.st.leading
    }
}

pub(super) struct Typesetter<'a> {
    pub(super) project: &'a Project,
    pub(super) layout: &'a NamedLayout,
    pub(super) language: &'a str,
    pub(super) composer: Composer,
    /// Type size multiplier (below 1 when a flow is shrunk to fit).
    pub(super) scale: f32,
    pub(super) warnings: std::cell::RefCell<Vec<String>>,
}

impl Typesetter<'_> {
    /// A title or heading of several lines broken to even lengths, as a
    /// designer sets them: of the breaks that keep its number of lines and
    /// split no word, found at measures from the lines' average length to
    /// the full measure, the one whose shortest line is longest against its
    /// longest (the last line counts), so no word stands alone at the end.
    /// The lines still stand at the full measure.
    fn even_lines(
        &self,
        fonts: Fonts<'_>,
        st: &Resolved,
        text: &str,
        width: f32,
        full: Composed,
    ) -> Composed {
        let n = full.lines.len();
        if n < 2 {
            return full;
        }
        let splits = |c: &Composed| c.lines.iter().map(|l| l.actual.len()).sum::<usize>();
        let whole = splits(&full);
        let evenness = |c: &Composed| {
            let (short, long) = c.lines.iter().fold((f32::MAX, 0.0f32), |(s, l), line| {
                (s.min(line.width), l.max(line.width))
            });
            short / long.max(1.0)
        };
        // No measure narrower than the lines' average length keeps them.
        let average = full.lines.iter().map(|l| l.width).sum::<f32>() / n as f32;
        let mut best_score = evenness(&full);
        let mut best = full;
        const STEPS: usize = 8;
        for k in 0..STEPS {
            let w = average + (width - average) * k as f32 / STEPS as f32;
            let c = compose(fonts, st, self.language, text, w, self.composer);
            let score = evenness(&c);
            if c.lines.len() == n
                && c.cut_words == best.cut_words
                && splits(&c) == whole
                && c.lines.iter().all(|l| l.width <= w + 0.01)
                && score > best_score + 0.01
            {
                best_score = score;
                best = c;
            }
        }
        // The breaker leaves the last line free to be short, so a word may
        // still stand alone there ("Service / Workforce"). A title's few words
        // are then shared out by hand: each measured once, every way of
        // cutting them into as many lines tried by arithmetic, the evenest
        // set with line breaks.
        let longest = best.lines.iter().map(|l| l.width).fold(0.0, f32::max);
        let last = best.lines.last().map_or(longest, |l| l.width);
        let plain = !text.contains(['*', '[', '<', '\\', '\n']);
        if last < 0.6 * longest
            && plain
            && let Some(lines) = even_cut(fonts, st, self, text, n, width)
        {
            let c = compose(
                fonts,
                st,
                self.language,
                &lines.join("<br>"),
                width,
                self.composer,
            );
            if c.lines.len() == n && c.lines.iter().all(|l| l.width <= width + 0.01) {
                return c;
            }
        }
        best
    }
}

/// The words of `text` cut into `n` lines no wider than `width`, the
/// shortest line as long as can be against the longest; `None` for more
/// than 16 words (a title has fewer) or when no cut fits.
fn even_cut(
    fonts: Fonts<'_>,
    st: &Resolved,
    ts: &Typesetter<'_>,
    text: &str,
    n: usize,
    width: f32,
) -> Option<Vec<String>> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() > 16 || words.len() < n {
        return None;
    }
    let wide = |t: &str| {
        let c = compose(fonts, st, ts.language, t, f32::MAX / 4.0, ts.composer);
        c.lines.first().map_or(0.0, |l| l.width)
    };
    let w: Vec<f32> = words.iter().map(|t| wide(t)).collect();
    let space = wide(&format!("{} {}", words[0], words[1])) - w[0] - w[1];
    let line = |a: usize, b: usize| w[a..b].iter().sum::<f32>() + space * (b - a - 1) as f32;
    // Every choice of n - 1 cuts among the gaps between words.
    let mut best: Option<(f32, Vec<usize>)> = None;
    let mut cuts: Vec<usize> = (1..n).collect();
    loop {
        let ends: Vec<usize> = cuts.iter().copied().chain([words.len()]).collect();
        let widths: Vec<f32> = std::iter::once(0)
            .chain(cuts.iter().copied())
            .zip(&ends)
            .map(|(a, &b)| line(a, b))
            .collect();
        let long = widths.iter().copied().fold(0.0, f32::max);
        let short = widths.iter().copied().fold(f32::MAX, f32::min);
        if long <= width && best.as_ref().is_none_or(|(s, _)| short / long > *s) {
            best = Some((short / long, cuts.clone()));
        }
        // The next choice of cuts, in order.
        let mut i = n - 1;
        loop {
            if i == 0 {
                let (_, cuts) = best?;
                let ends: Vec<usize> = cuts.iter().copied().chain([words.len()]).collect();
                return Some(
                    std::iter::once(0)
                        .chain(cuts)
                        .zip(ends)
                        .map(|(a, b)| words[a..b].join(" "))
                        .collect(),
                );
            }
            i -= 1;
            if cuts[i] < words.len() - (n - 1 - i) {
                cuts[i] += 1;
                for j in i + 1..n - 1 {
                    cuts[j] = cuts[j - 1] + 1;
                }
                break;
            }
        }
    }
}

impl<'a> Typesetter<'a> {
    /// A typesetter for `layout` in `language`, at the styles' own sizes.
    pub(super) fn new(
        project: &'a Project,
        layout: &'a NamedLayout,
        language: &'a str,
        composer: Composer,
    ) -> Typesetter<'a> {
        Typesetter {
            project,
            layout,
            language,
            composer,
            scale: 1.0,
            warnings: Default::default(),
        }
    }

    /// A copy with the same project, layout and language.
    pub(super) fn clone_shallow(&self) -> Typesetter<'a> {
        Typesetter {
            project: self.project,
            layout: self.layout,
            language: self.language,
            composer: self.composer,
            scale: self.scale,
            warnings: Default::default(),
        }
    }

    pub(super) fn colour(&self, name: &str) -> Colour {
        let c = self.project.brand.colours[name];
        Colour {
            cmyk: c.cmyk,
            rgb: c.rgb,
        }
    }

    /// The project's fonts and caches.
    pub(super) fn fonts(&self) -> Fonts<'a> {
        Fonts {
            book: &self.project.fonts,
            caches: &self.project.caches,
        }
    }

    pub(super) fn style(&self, name: &str) -> Resolved {
        let s: &Style = &self.layout.layout.styles[name];
        let book = &self.project.fonts;
        let face = book
            .face_for(s.font.as_str(), s.weight, s.italic)
            .expect("font roles are checked when the layout is loaded");
        let f = book.face(face);
        // Emphasis turns italic on (or off, in an italic style); strong is bold.
        let variant = |emphasis: bool, strong: bool| {
            let weight = if strong { Weight::Bold } else { s.weight };
            let italic = s.italic != emphasis;
            (
                book.face_for(s.font.as_str(), weight, italic)
                    .unwrap_or(face),
                book.fallbacks_for(s.font.as_str(), weight, italic),
            )
        };
        let fallbacks = [
            variant(false, false),
            variant(true, false),
            variant(false, true),
            variant(true, true),
        ];
        let rtl = match s.direction {
            Some(d) => d == Direction::Rtl,
            None => crate::text::rtl_language(self.language),
        };
        Resolved {
            face,
            emphasis: fallbacks[1].0,
            strong: fallbacks[2].0,
            strong_emphasis: fallbacks[3].0,
            rtl,
            fallbacks,
            size: s.size.0 * self.scale,
            leading: s.leading() * self.scale,
            colour: self.colour(s.colour.as_str()),
            align: s.align,
            space_before: s.space_before.0 * self.scale,
            space_after: s.space_after.0 * self.scale,
            ascent: f.ascent,
            descent: f.descent,
            keep_with_next: s.keep_with_next,
            keep_together: s.keep_together,
            uppercase: s.uppercase,
            tracking: s.tracking,
            word_spacing: s.word_spacing,
            letter_spacing: s.letter_spacing,
            hyphenate: s.hyphenate,
            hyphen_rules: s.hyphenation,
            rag: s.rag,
            link: self.layout.layout.link.as_ref().map(|l| LinkLook {
                colour: l.colour.as_ref().map(|c| self.colour(c.as_str())),
                underline: l.underline,
            }),
        }
    }

    pub(super) fn composition_warnings(&self, c: &Composed, origin: &Origin, style: &str) {
        for family in &c.stand_ins {
            let s = &self.layout.layout.styles[style];
            let look = match (s.weight == Weight::Bold, s.italic) {
                (true, true) => "bold italic",
                (true, false) => "bold",
                _ => "italic",
            };
            self.warnings.borrow_mut().push(format!(
                "{}: style `{style}` is {look}, but the fallback family `{family}` has no {look} face, so its regular face is used; name the file to use for it in brand.yaml (its regular file, if upright is meant)",
                origin.what
            ));
        }
        for (line, space) in &c.loose_lines {
            let max = self.layout.layout.styles[style].word_spacing[2];
            self.warnings.borrow_mut().push(format!(
                "{}: a justified line's word spaces open to {space:.2} × the font's space, past the style's maximum of {max} (`{line}`); it cannot be set closer: allow more `letter-spacing` or `word-spacing` in style `{style}`, or reword the text",
                origin.what
            ));
        }
        for w in &c.lone_words {
            self.warnings.borrow_mut().push(format!(
                "{}: a justified line holds only `{w}`, which cannot be spread to the measure without stretching past the style's maximum word space",
                origin.what
            ));
        }
    }

    pub(super) fn set(&self, para: &Para, width: f32) -> Set {
        let fonts = self.fonts();
        let empty = |st: Resolved| Set {
            measure: width,
            lines: Vec::new(),
            number: None,
            st,
            figure: None,
            space: 0.0,
            origin: None,
            tag: Tag::Artifact,
            flaws: 0,
        };
        // Rules and spaces borrow a style only for its fields; they add no spacing of their own.
        let any_style = || Resolved {
            space_before: 0.0,
            space_after: 0.0,
            keep_with_next: false,
            keep_together: false,
            ..self.style(self.layout.layout.styles.keys().next().expect("styles"))
        };
        match para {
            Para::Space(h) => Set {
                space: *h,
                ..empty(any_style())
            },
            Para::Logo { height, .. } => {
                let logo = self
                    .project
                    .logo
                    .as_ref()
                    .expect("logo paragraphs only exist with a logo");
                let pic = &logo.picture;
                let mut h = *height;
                let mut w = h * pic.width as f32 / pic.height as f32;
                if w > width {
                    // Never wider than the panel.
                    h *= width / w;
                    w = width;
                }
                Set {
                    figure: Some(Figure::Image {
                        width: w,
                        height: h,
                        picture: pic.clone(),
                        fit: crate::layout::ImageFit::Contain,
                        focus: (0.5, 0.5),
                        bleed: false,
                    }),
                    ..empty(any_style())
                }
            }
            Para::Picture {
                picture,
                height,
                fit,
                focus,
                bleed,
                ..
            } => Set {
                figure: Some(Figure::Image {
                    width,
                    // By default as tall as its proportions give at the measure.
                    height: height.unwrap_or(width * picture.height as f32 / picture.width as f32),
                    picture: picture.clone(),
                    fit: *fit,
                    focus: *focus,
                    bleed: *bleed,
                }),
                ..empty(any_style())
            },
            Para::Qr { address, size, .. } => {
                // Never wider than the panel; the layout check keeps it readable.
                let size = size.min(width);
                match super::qr::modules(address, size, &self.project.caches) {
                    Some((modules, _)) => Set {
                        figure: Some(Figure::Qr {
                            size,
                            modules,
                            address: address.clone(),
                        }),
                        ..empty(any_style())
                    },
                    None => {
                        self.warnings.borrow_mut().push(format!(
                            "the web address {address} is too long for a QR code (over 2,331 characters); the code is left out"
                        ));
                        empty(any_style())
                    }
                }
            }
            Para::Rule {
                colour,
                thickness,
                length,
            } => Set {
                figure: Some(Figure::Rule {
                    thickness: *thickness,
                    length: length.unwrap_or(width).min(width),
                    colour: self.colour(colour),
                }),
                ..empty(any_style())
            },
            Para::Text {
                text,
                style,
                origin,
                role,
            } => {
                let st = self.style(style);
                let c = compose(fonts, &st, self.language, text, width, self.composer);
                let c = match role {
                    Role::Title | Role::Heading if st.align != Align::Justify => {
                        self.even_lines(fonts, &st, text, width, c)
                    }
                    _ => c,
                };
                self.composition_warnings(&c, origin, style);
                let flaws = c.flaws();
                let lines = c
                    .lines
                    .into_iter()
                    .map(|l| {
                        let x = st.line_x(l.width, width);
                        (l, x)
                    })
                    .collect();
                Set {
                    lines,
                    origin: Some(origin.clone()),
                    flaws,
                    ..empty(st)
                }
            }
            Para::Numbered {
                number,
                text,
                style,
                number_style,
                indent,
                origin,
            } => {
                let st = self.style(style);
                let indent = indent.unwrap_or(st.size * 2.0);
                let c = compose(
                    fonts,
                    &st,
                    self.language,
                    text,
                    width - indent,
                    self.composer,
                );
                self.composition_warnings(&c, origin, style);
                let flaws = c.flaws();
                // The number stands where lines start: on the left, or on
                // the right in right-to-left text, the indent with it.
                let lead = if st.rtl { 0.0 } else { indent };
                let lines = c
                    .lines
                    .into_iter()
                    .map(|l| {
                        let x = st.line_x(l.width, width - indent);
                        (l, x + lead)
                    })
                    .collect();
                let nst = number_style
                    .as_deref()
                    .map(|n| self.style(n))
                    .unwrap_or_else(|| self.style(style));
                let label = number.to_string();
                let Shaped {
                    glyphs, width: w, ..
                } = shape(
                    fonts,
                    nst.face,
                    nst.size,
                    nst.tracking,
                    self.language,
                    &label,
                );
                let run = GlyphRun {
                    face: nst.face,
                    size: nst.size,
                    colour: nst.colour,
                    x: if st.rtl { width - w } else { 0.0 },
                    baseline: 0.0,
                    glyphs: glyphs.into(),
                    width: w,
                    actual: Vec::new(),
                    links: Vec::new(),
                    tag: Tag::Artifact,
                };
                Set {
                    lines,
                    number: Some((run, nst.ascent * nst.size)),
                    origin: Some(origin.clone()),
                    flaws,
                    ..empty(st)
                }
            }
        }
    }
}
