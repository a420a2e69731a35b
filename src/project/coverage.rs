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
    let mut known: std::collections::HashMap<char, Option<&str>> = Default::default();
    let mut check =
        |lang: &str, id: &dyn Fn() -> String, text: &str, src: &SourceFile, span: Option<Span>| {
            let mut missing: Vec<(char, &str)> = Vec::new();
            for c in text.chars() {
                let face = *known.entry(c).or_insert_with(|| {
                    fonts
                        .faces
                        .iter()
                        .find(|f| !f.covers(c))
                        .map(|f| f.file.as_str())
                });
                if let Some(face) = face
                    && !missing.iter().any(|m| m.0 == c)
                {
                    missing.push((c, face));
                }
            }
            missing.sort_unstable();
            for (c, face) in missing {
                out.push(
                Diagnostic::error(
                    &src.path,
                    format!(
                        "{lang}: `{}` has `{c}` (U+{:04X}), which the font `{face}` cannot draw",
                        id(),
                        c as u32
                    ),
                )
                .with_span(
                    span.clone()
                        .or_else(|| src.text.find(c).map(|o| Span::at_offset(&src.text, o))),
                )
                .with_hint(
                    "replace the character, or add fonts that cover it to fonts/ and brand.yaml",
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
