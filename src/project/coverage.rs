//! Glyph coverage: every character of every text, in every language, is one
//! the fonts can draw, found before any layout is tried.

use crate::content::Content;
use crate::diag::{Diagnostic, Span};
use crate::fonts::FontBook;
use crate::source::SourceFile;

/// Characters the fonts cannot draw, per language: an error naming the language,
/// the text's id and the character, found before any layout is tried.
pub(super) fn check_coverage(
    fonts: &FontBook,
    content: &Content,
    content_src: &SourceFile,
    translations: &[crate::translate::Translation],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Each distinct character is looked up in the fonts once: a large content
    // repeats the same few hundred characters millions of times.
    // A character is missing when a role (body, heading) has no face for it,
    // its own or a fallback: the message names the families tried.
    let roles: Vec<(&str, Vec<crate::fonts::FaceId>, &[String])> = fonts.roles().collect();
    let mut known: std::collections::HashMap<char, Option<usize>> = Default::default();
    let mut check = |lang: &str,
                     id: &dyn Fn() -> String,
                     text: &str,
                     src: &SourceFile,
                     span: Option<Span>| {
        let mut missing: Vec<(char, usize)> = Vec::new();
        for c in text.chars() {
            let role = *known.entry(c).or_insert_with(|| {
                roles
                    .iter()
                    .position(|(_, faces, _)| !faces.iter().any(|&f| fonts.face(f).covers(c)))
            });
            if let Some(role) = role
                && !missing.iter().any(|m| m.0 == c)
            {
                missing.push((c, role));
            }
        }
        missing.sort_unstable();
        for (c, role) in missing {
            let (name, _, families) = &roles[role];
            let tried = families
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let which = if families.len() == 1 {
                format!("the font role `{name}`'s family {tried} cannot draw")
            } else {
                format!("none of the families the font role `{name}` tries ({tried}) can draw")
            };
            out.push(
                Diagnostic::error(
                    &src.path,
                    format!(
                        "{lang}: `{}` has `{c}` (U+{:04X}), which {which}",
                        id(),
                        c as u32
                    ),
                )
                .with_span(
                    span.clone()
                        .or_else(|| src.text.find(c).map(|o| Span::at_offset(&src.text, o))),
                )
                .with_hint(
                    "replace the character, or add a font that has it to fonts/ and name it under the role's `fallback:` in brand.yaml",
                ),
            );
        }
    };
    crate::translate::each_unit(content, |id, text, _| {
        check(&content.language, id, text, content_src, None)
    });
    for t in translations {
        for (id, e) in &t.texts {
            check(
                &t.language,
                &|| id.clone(),
                &e.text,
                &t.source,
                t.span_of(id),
            );
        }
    }
    out
}
