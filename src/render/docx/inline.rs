//! A text's inline markup in Word's terms: `*emphasis*` and `**strong**` as
//! the character styles `Emphasis` and `Strong` (named, so translators'
//! tools and Word users see them), links as `w:hyperlink` with their
//! relationship, `<br>` as a line break. A text without markup stays one run.

use crate::markup::{Piece, has_markup, parse};
use docx_rs::{BreakType, Hyperlink, HyperlinkData, Paragraph, Run, Style, StyleType};

/// The character styles inline markup uses, unless the layout defines them:
/// `Emphasis` italic, `Strong` bold, `Hyperlink` underlined in `link`'s colour
/// (`rrggbb`).
pub(super) fn character_styles(link: &str) -> [Style; 3] {
    [
        Style::new("Emphasis", StyleType::Character)
            .name("Emphasis")
            .italic()
            .q_format(true),
        Style::new("Strong", StyleType::Character)
            .name("Strong")
            .bold()
            .q_format(true),
        Style::new("Hyperlink", StyleType::Character)
            .name("Hyperlink")
            .color(link)
            .underline("single"),
    ]
}

/// A document's hyperlinks, numbered in it, with their addresses for the
/// caller to add to the relationships. docx-rs numbers them from a counter
/// shared by every job of the process (the same handout would differ from
/// batch to batch), and leaves a link inside a content control, where every
/// text is, out of the relationships.
#[derive(Default)]
pub(super) struct LinkIds(pub(super) Vec<(String, String)>);

impl LinkIds {
    fn next(&mut self, address: &str) -> String {
        let id = format!("rIdHyperlink{}", self.0.len() + 1);
        self.0.push((id.clone(), address.to_string()));
        id
    }
}

/// `par` with `text` added: white space collapsed, upper-cased when the
/// style says so, its markup as styled runs and links. Without `links` (a
/// footer, whose part has no relationships for them) a link is its text.
pub(super) fn add_text(
    mut par: Paragraph,
    text: &str,
    upper: bool,
    mut links: Option<&mut LinkIds>,
) -> Paragraph {
    let text = text.split_ascii_whitespace().collect::<Vec<_>>().join(" ");
    let case = |s: &str| {
        if upper {
            s.to_uppercase()
        } else {
            s.to_string()
        }
    };
    let pieces = match has_markup(&text).then(|| parse(&text)) {
        // The project's checks stop a text with a mistake; as written if not.
        Some(Ok(pieces)) => pieces,
        _ => {
            for part in by_script(&text) {
                par = par.add_run(Run::new().add_text(case(part)));
            }
            return par;
        }
    };
    for piece in pieces {
        match piece {
            Piece::Break => par = par.add_run(Run::new().add_break(BreakType::TextWrapping)),
            Piece::Text {
                text,
                emphasis,
                strong,
                link,
            } => {
                // Latin inside right-to-left text in runs of its own (see `by_script`).
                let parts = by_script(&text);
                let (last, before) = parts.split_last().expect("one part at least");
                for part in before {
                    par = par.add_run(Run::new().add_text(case(part)));
                }
                let mut run = Run::new().add_text(case(last));
                // One style per run: both is the strong style, in italic.
                run = match (emphasis, strong) {
                    (true, true) => run.style("Strong").italic(),
                    (false, true) => run.style("Strong"),
                    (true, false) => run.style("Emphasis"),
                    (false, false) => run,
                };
                match (link, links.as_deref_mut()) {
                    (Some(address), Some(ids)) => {
                        let run = if emphasis || strong {
                            run
                        } else {
                            run.style("Hyperlink")
                        };
                        par = par.add_hyperlink(
                            Hyperlink {
                                link: HyperlinkData::External {
                                    rid: ids.next(&address),
                                    path: address,
                                },
                                history: None,
                                children: Vec::new(),
                            }
                            .add_run(run),
                        );
                    }
                    _ => par = par.add_run(run),
                }
            }
        }
    }
    par
}

/// `text` cut where it changes between right-to-left letters and letters
/// of left-to-right scripts (spaces and punctuation go with what is before
/// them), so a right-to-left handout marks only its right-to-left runs
/// `w:rtl` and Word sets a Latin name in the Latin font. Whole when it has
/// no right-to-left letter.
pub(super) fn by_script(text: &str) -> Vec<&str> {
    if !text.chars().any(crate::text::strong_rtl) {
        return vec![text];
    }
    let mut parts = Vec::new();
    let (mut from, mut rtl) = (0, None);
    for (at, c) in text.char_indices() {
        let this = if crate::text::strong_rtl(c) {
            Some(true)
        } else if c.is_alphabetic() {
            Some(false)
        } else {
            None
        };
        if let (Some(now), Some(was)) = (this, rtl)
            && now != was
        {
            parts.push(&text[from..at]);
            from = at;
        }
        rtl = this.or(rtl);
    }
    parts.push(&text[from..]);
    parts
}
