//! The flow model: what one job says, in which style, where — resolved from the
//! project but not yet positioned. It feeds the typesetter (PDF) and the DOCX
//! writer, which lets Word lay out its own text.

use crate::layout::{Align, Block, Format, Show};
use crate::plan::Job;
use crate::project::Project;
use crate::units::{Colour, Insets};
use std::collections::BTreeMap;

mod contact;
mod picture;
mod styles;
use contact::{contact_markup, linked, printed_address};

/// Where a piece of text came from, so late problems can point at it.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    /// The content key or message id, such as `message sdg-ally` or `definition.text`.
    pub what: String,
    /// The translation unit id: `message.sdg-ally`, `definition.text`, ...
    pub unit: String,
    /// The file the text came from (the content, or a translation) and its line.
    pub file: Option<std::path::PathBuf>,
    /// The line there, when known.
    pub line: Option<usize>,
    /// The text's language when it is not the document's: a source text
    /// standing in for a missing translation (`--allow-fallback`).
    pub lang: Option<String>,
}

/// What a text is to a reader: tagged PDFs and screen readers go by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The document's title (`H1`).
    Title,
    /// A section heading (`H2`).
    Heading,
    /// A paragraph (`P`).
    Paragraph,
    /// A remark on the text before it (`Note`).
    Note,
    /// Decoration the layout marks as such: never read aloud.
    Decorative,
}

impl Role {
    /// The role of what a block shows, unless the layout marks it decorative.
    pub fn of(show: Show, decorative: bool) -> Role {
        match show {
            _ if decorative => Role::Decorative,
            Show::Title => Role::Title,
            Show::DefinitionHeading | Show::AudienceHeading => Role::Heading,
            Show::DefinitionNote => Role::Note,
            _ => Role::Paragraph,
        }
    }
}

impl Origin {
    /// `content/messages.yaml:12`, or empty when unknown.
    pub fn place(&self) -> String {
        match (&self.file, self.line) {
            (Some(f), Some(l)) => format!("{}:{l}", f.display()),
            (Some(f), None) => f.display().to_string(),
            _ => String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
/// One paragraph of a document.
pub enum Para {
    /// Text in a named style.
    Text {
        /// The text, as resolved (translated where the job's language asks).
        text: String,
        /// The style's name in the layout.
        style: String,
        /// What the text is to a reader.
        role: Role,
        /// Where the text came from.
        origin: Origin,
    },
    /// One message of a numbered list.
    Numbered {
        /// Its number, from 1.
        number: usize,
        /// The message's text.
        text: String,
        /// The style of the text.
        style: String,
        /// The style of the number, if it has its own.
        number_style: Option<String>,
        /// How far the text stands in from the number, in points (default: twice the size).
        indent: Option<f32>,
        /// Where the message came from.
        origin: Origin,
    },
    /// A horizontal rule.
    Rule {
        /// The brand colour's name.
        colour: String,
        /// Thickness, in points.
        thickness: f32,
        /// Length in points (default: the panel's width).
        length: Option<f32>,
    },
    /// Vertical space, in points.
    Space(f32),
    /// A web address as a QR code, `size` points square (its quiet zone
    /// included).
    Qr {
        /// The address it holds.
        address: String,
        /// Width and height, in points.
        size: f32,
        /// What it is, for those who cannot see it; empty when decorative.
        alt: String,
    },
    /// A picture (JPEG or PNG) across the panel's measure, or with `bleed`
    /// to its edges and past the trim.
    Picture {
        /// Its file.
        picture: std::sync::Arc<crate::picture::Picture>,
        /// What it shows, for those who cannot see it; empty when decorative.
        alt: String,
        /// The translation unit of `alt` (`image.alt`), empty when it has none.
        unit: String,
        /// Height, in points; `None`: as its proportions give (with `bleed`:
        /// the panel's).
        height: Option<f32>,
        /// Cropped to fill its box, or whole inside it.
        fit: crate::layout::ImageFit,
        /// The point kept in view when cropped, across and down, 0 to 1.
        focus: (f32, f32),
        /// To the panel's edges, and into the bleed where they are the trim's.
        bleed: bool,
    },
    /// The brand logo (PNG), this tall.
    Logo {
        /// Height, in points.
        height: f32,
        /// What it shows, for those who cannot see it; empty when the brand
        /// marks it decorative.
        alt: String,
    },
}

/// A QR code's size when the layout gives none: 25 mm.
const QR_SIZE: f32 = 25.0 * crate::units::MM;

#[derive(Debug, Clone, Default)]
pub struct PanelContent {
    pub top: Vec<Para>,
    pub bottom: Vec<Para>,
}

#[derive(Debug, Clone)]
/// What one job says, in its language, in named styles, in panels and flows: resolved from the project, not yet positioned.
pub struct Document {
    /// The content's title, in the job's language.
    pub title: String,
    /// The organisation, as the document's author.
    pub author: String,
    /// The job's language (BCP 47).
    pub language: String,
    /// The audience's id.
    pub audience: String,
    /// The layout's name.
    pub layout: String,
    /// PDF or DOCX.
    pub format: Format,
    /// PDF: each flow's paragraphs, poured into its panels in order.
    pub flows: BTreeMap<String, Vec<Para>>,
    /// PDF: each panel's fixed content.
    pub panels: BTreeMap<String, PanelContent>,
    /// DOCX: the body and the footer.
    pub body: Vec<Para>,
    /// The footer's paragraphs (DOCX).
    pub footer: Vec<Para>,
    /// For translators: where each text appears, by unit id.
    pub notes: BTreeMap<String, String>,
    /// The layout's styles, resolved against the brand (for writers that style by name).
    pub styles: BTreeMap<String, TextStyle>,
    /// Page size (after orientation) and margins, in points.
    pub page_width: f32,
    /// Page height, in points (DOCX).
    pub page_height: f32,
    /// Page margins, in points (DOCX).
    pub margins: Insets,
}

/// A style with its references resolved: font family, colour values.
#[derive(Debug, Clone)]
pub struct TextStyle {
    pub family: String,
    /// The family for complex scripts (Arabic, Devanagari: Word's `w:cs`
    /// font): the first of the role's fallback families that draws the
    /// document's letters its own family lacks; the family itself otherwise.
    pub script_family: String,
    pub bold: bool,
    pub italic: bool,
    pub size: f32,
    pub leading: f32,
    pub colour: Colour,
    pub align: Align,
    pub space_before: f32,
    pub space_after: f32,
    pub uppercase: bool,
    pub keep_with_next: bool,
    pub keep_together: bool,
}

/// Resolves one job into its document, in the job's language. A translation
/// that lacks texts fails the job, listing them, unless `allow_fallback` lets the
/// source text stand in (returned as warnings). The plan only makes jobs for
/// audiences, layouts and languages that exist, so a missing one is a bug.
pub fn resolve(
    p: &Project,
    job: &Job,
    allow_fallback: bool,
) -> Result<(Document, Vec<String>), Vec<String>> {
    let layout = p
        .layout(&job.layout)
        .expect("plan only makes jobs for known layouts");
    let mut warnings = Vec::new();
    let translation = p.translations.iter().find(|t| t.language == job.language);
    // Only this job's audience: a job must cost the same with 3 audiences or 10,000.
    let own = p
        .audience(&job.audience)
        .expect("plan only makes jobs for known audiences")
        .map_err(|e| vec![e])?;
    // Where a text of the content is looked for: the audience's own lines (read
    // back from disk), then the content file.
    let own_lines = &own.lines;
    let sources = || own_lines.iter().chain(std::iter::once(&p.content_src));
    let only = crate::content::Content::join(&p.head, vec![own.audience.into_owned()]);
    let units = crate::translate::units(&only);
    let translated;
    // The units a source text stands in for (`--allow-fallback`).
    let mut fell_back: Vec<String> = Vec::new();
    let c = match translation {
        None => &only,
        Some(t) => {
            let (tc, missing) = crate::translate::apply(&only, t);
            let stale = crate::translate::stale(&units, t);
            if !stale.is_empty() {
                warnings.push(format!(
                    "{} {} from an older source text (the source changed since {} translated; `leafpress check` shows what changed): {}",
                    crate::text::count(stale.len(), &format!("{} translation", t.language)),
                    if stale.len() == 1 { "is" } else { "are" },
                    if stale.len() == 1 { "it was" } else { "they were" },
                    stale.join(", ")
                ));
            }
            if !missing.is_empty() {
                // Each id with the line of its source text, to find it by.
                let list = missing
                    .iter()
                    .map(
                        |id| match sources().find_map(|s| crate::translate::source_line(s, id)) {
                            Some(l) => format!("{id} ({}:{l})", p.content_src.path.display()),
                            None => id.clone(),
                        },
                    )
                    .collect::<Vec<_>>()
                    .join(", ");
                let msg = format!(
                    "{} {} no {} translation in {}: {list}",
                    crate::text::count(missing.len(), "text"),
                    if missing.len() == 1 { "has" } else { "have" },
                    t.language,
                    t.source.path.display()
                );
                if !allow_fallback {
                    return Err(vec![
                        msg + " (translate them, or build with --allow-fallback to use the source text)",
                    ]);
                }
                warnings.push(format!(
                    "{} used the {} source text for: {list}",
                    t.language, p.head.language
                ));
            }
            fell_back = missing;
            translated = tc;
            &translated
        }
    };
    let audience = c
        .audiences
        .iter()
        .find(|a| a.id == job.audience)
        .expect("plan only makes jobs for known audiences");
    // Where a text came from: the translation file when translated, else the content.
    let place =
        |unit: &str, key: &str, value: &str| -> (Option<std::path::PathBuf>, Option<usize>) {
            match translation {
                Some(t) if t.texts.contains_key(unit) => {
                    (Some(t.source.path.clone()), t.span_of(unit).map(|s| s.line))
                }
                _ => (
                    Some(p.content_src.path.clone()),
                    sources()
                        .find_map(|s| s.span_of(key, value))
                        .map(|s| s.line),
                ),
            }
        };
    let fallback = |unit: &str| {
        fell_back
            .iter()
            .any(|m| m == unit)
            .then(|| p.head.language.clone())
    };
    let chosen = if picture::shown(&layout.layout) {
        let lines: Vec<_> = sources().collect();
        picture::choose(p, c, audience, &lines).map_err(|e| vec![e])?
    } else {
        None
    };
    let resolve_blocks = |blocks: &[Block]| -> Vec<Para> {
        let mut out = Vec::new();
        for b in blocks {
            if let Some(space) = b.space {
                out.push(Para::Space(space.0));
                continue;
            }
            if let Some(colour) = &b.rule {
                out.push(Para::Rule {
                    colour: colour.as_str().to_string(),
                    thickness: b.thickness.map(|t| t.0).unwrap_or(1.0),
                    length: b.length.map(|l| l.0),
                });
                continue;
            }
            if b.show == Some(Show::Logo) {
                // No logo in the brand: the block shows nothing.
                if let Some(logo) = &p.logo {
                    out.push(Para::Logo {
                        height: b.height.map(|h| h.0).unwrap_or(36.0),
                        alt: if b.decorative {
                            String::new()
                        } else {
                            logo.alt.clone()
                        },
                    });
                }
                continue;
            }
            if b.show == Some(Show::Image) {
                // No picture in the content or brand: the block shows nothing.
                out.extend(chosen.as_ref().map(|ch| ch.para(b)));
                continue;
            }
            if b.show == Some(Show::Qr) {
                // No web address in the content: the block shows nothing.
                if let Some(url) = &c.organisation.url {
                    out.push(Para::Qr {
                        address: url.clone(),
                        size: b.size.map_or(QR_SIZE, |s| s.0),
                        alt: if b.decorative {
                            String::new()
                        } else {
                            url.clone()
                        },
                    });
                }
                continue;
            }
            let (Some(show), Some(style)) = (b.show, &b.style) else {
                continue;
            };
            let style = style.as_str().to_string();
            let role = Role::of(show, b.decorative);
            let mut text =
                |text: &str,
                 what: &str,
                 unit: &str,
                 (file, line): (Option<std::path::PathBuf>, Option<usize>)| {
                    out.push(Para::Text {
                        text: text.to_string(),
                        style: style.clone(),
                        role,
                        origin: Origin {
                            what: what.to_string(),
                            unit: unit.to_string(),
                            file,
                            line,
                            lang: fallback(unit),
                        },
                    })
                };
            match show {
                Show::Title => text(&c.title, "title", "title", place("title", "title", "")),
                Show::Attribution => text(
                    &c.attribution,
                    "attribution",
                    "attribution",
                    place("attribution", "attribution", ""),
                ),
                Show::Organisation => text(
                    &c.organisation.name,
                    "organisation.name",
                    "organisation.name",
                    place("organisation.name", "name", &p.head.organisation.name),
                ),
                Show::DefinitionHeading => text(
                    &c.definition.heading,
                    "definition.heading",
                    "definition.heading",
                    place("definition.heading", "heading", &p.head.definition.heading),
                ),
                Show::DefinitionText => text(
                    &c.definition.text,
                    "definition.text",
                    "definition.text",
                    place("definition.text", "text", ""),
                ),
                Show::CallToAction => {
                    if let Some(a) = &c.organisation.call_to_action {
                        text(
                            a,
                            "organisation.call-to-action",
                            "organisation.call-to-action",
                            place("organisation.call-to-action", "call-to-action", ""),
                        )
                    }
                }
                Show::DefinitionNote => {
                    if let Some(n) = &c.definition.note {
                        text(
                            n,
                            "definition.note",
                            "definition.note",
                            place("definition.note", "note", ""),
                        )
                    }
                }
                Show::AudienceName => {
                    let unit = format!("audience.{}.name", audience.id);
                    text(
                        &audience.name,
                        &format!("audience {} name", audience.id),
                        &unit,
                        place(&unit, "id", &audience.id),
                    )
                }
                Show::AudienceHeading => {
                    let unit = format!("audience.{}.heading", audience.id);
                    text(
                        &audience.heading,
                        &format!("audience {} heading", audience.id),
                        &unit,
                        place(&unit, "id", &audience.id),
                    )
                }
                Show::AudienceIntro => {
                    if let Some(i) = &audience.intro {
                        let unit = format!("audience.{}.intro", audience.id);
                        text(
                            i,
                            &format!("audience {} intro", audience.id),
                            &unit,
                            place(&unit, "intro", ""),
                        )
                    }
                }
                Show::Logo | Show::Qr | Show::Image => {}
                Show::ImageCredit => {
                    if let Some((credit, unit)) = chosen.as_ref().and_then(|ch| ch.credit()) {
                        text(credit, "picture credit", &unit, place(&unit, "credit", ""))
                    }
                }
                Show::OrganisationUrl => {
                    if let Some(url) = &c.organisation.url {
                        // No unit id: an address is not translated, and a
                        // handout marks only what a translator returns.
                        text(
                            &linked(printed_address(url), url),
                            "organisation.url",
                            "",
                            place("organisation.url", "url", url),
                        )
                    }
                }
                Show::OrganisationContact => {
                    let o = &c.organisation;
                    let contact = contact_markup(o);
                    if !contact.is_empty() {
                        let key = ["email", "phone", "address"]
                            .into_iter()
                            .zip([&o.email, &o.phone, &o.address])
                            .find_map(|(k, v)| v.as_ref().map(|_| k))
                            .unwrap_or("organisation");
                        text(
                            &contact,
                            "organisation contact",
                            "",
                            place("organisation.contact", key, ""),
                        )
                    }
                }
                Show::Messages => {
                    for (i, m) in audience.messages.iter().enumerate() {
                        out.push(Para::Numbered {
                            number: i + 1,
                            text: m.text.clone(),
                            style: style.clone(),
                            number_style: b.number_style.as_ref().map(|s| s.as_str().to_string()),
                            indent: b.indent.map(|l| l.0),
                            origin: {
                                let unit = format!("message.{}", m.id);
                                let (file, line) = place(&unit, "id", &m.id);
                                Origin {
                                    what: format!("message {}", m.id),
                                    lang: fallback(&unit),
                                    unit,
                                    file,
                                    line,
                                }
                            },
                        });
                    }
                }
            }
        }
        out
    };

    let l = &layout.layout;
    let styles = styles::text_styles(p, l, &c.title);
    let (page_width, page_height) = layout.page_dims();
    let doc = Document {
        notes: units.into_iter().map(|u| (u.id, u.note)).collect(),
        styles,
        page_width,
        page_height,
        margins: l.page.margins.unwrap_or_default(),
        title: format!("{} — {}", c.title, audience.name),
        author: c.organisation.name.clone(),
        language: job.language.clone(),
        audience: audience.id.clone(),
        layout: layout.name.clone(),
        format: l.format,
        flows: l
            .flows
            .iter()
            .map(|(k, v)| (k.clone(), resolve_blocks(&v.blocks)))
            .collect(),
        panels: l
            .sides
            .iter()
            .flat_map(|s| &s.panels)
            .map(|pn| {
                (
                    pn.name.clone(),
                    PanelContent {
                        top: resolve_blocks(&pn.content),
                        bottom: resolve_blocks(&pn.bottom),
                    },
                )
            })
            .collect(),
        body: resolve_blocks(&l.content),
        footer: resolve_blocks(&l.footer),
    };
    Ok((doc, warnings))
}
