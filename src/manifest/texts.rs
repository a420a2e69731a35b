//! The contact sheet's search index: `out/texts.js`, every audience's texts
//! in every language, lower-cased and without markup. The page loads it only
//! when a reviewer first searches, as a script (which a page opened from disk
//! may load, where it may not fetch), so a sheet of 1,000 audiences opens as
//! fast as before and its search still finds a word inside a message.

use crate::project::Project;
use crate::translate::Translation;
use std::io::Write;

/// A text as the search compares it: markup taken out, white space made one
/// space, lower case (what the page does to the words searched for).
fn searchable(text: &str, out: &mut String) {
    let plain = match crate::markup::parse(text) {
        Ok(pieces) => pieces
            .iter()
            .map(|p| match p {
                crate::markup::Piece::Text { text, .. } => text.as_str(),
                crate::markup::Piece::Break => " ",
            })
            .collect::<String>(),
        // Checked when the project loaded; as written if not.
        Err(_) => text.to_string(),
    };
    for word in plain.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word.to_lowercase());
    }
}

/// The text of unit `id` in `t`'s language: its translation, or the source
/// text where it has none (as a build with fallback prints it).
fn translated<'a>(t: Option<&'a Translation>, id: &dyn Fn() -> String, source: &'a str) -> &'a str {
    t.and_then(|t| t.text(&id())).unwrap_or(source)
}

/// Writes `leafpressTexts({...})`: for each language, the texts every output
/// shares (title, definition, organisation), and for each audience, its own
/// texts in each language: the translatable units, as translators get them.
/// Audiences come one at a time, as a large content is read back from disk.
pub fn write_js(w: &mut dyn Write, p: &Project) -> std::io::Result<()> {
    let languages = p.languages();
    let translation = |lang: &str| p.translations.iter().find(|t| t.language == lang);
    let json = |s: &str| serde_json::to_string(s).map_err(std::io::Error::other);
    // The content without its audiences: the units every output shares.
    let shared = crate::content::Content::join(&p.head, Vec::new());
    w.write_all(b"leafpressTexts({\"shared\":{")?;
    for (i, lang) in languages.iter().enumerate() {
        let t = translation(lang);
        let mut s = String::new();
        crate::translate::each_unit(&shared, |id, text, _| {
            searchable(translated(t, id, text), &mut s)
        });
        let comma = if i > 0 { "," } else { "" };
        write!(w, "{comma}{}:{}", json(lang)?, json(&s)?)?;
    }
    w.write_all(b"},\"audiences\":{")?;
    let mut first = true;
    for i in 0..p.audiences.len() {
        // One that cannot be read back is left out: its jobs report why.
        let Ok(text) = p.audiences.get(i) else {
            continue;
        };
        let a = &*text.audience;
        write!(w, "{}{}:{{", if first { "" } else { "," }, json(&a.id)?)?;
        first = false;
        for (k, lang) in languages.iter().enumerate() {
            let t = translation(lang);
            let mut s = String::new();
            crate::translate::each_audience_unit(a, &mut |id, text, _| {
                searchable(translated(t, id, text), &mut s)
            });
            let comma = if k > 0 { "," } else { "" };
            write!(w, "{comma}{}:{}", json(lang)?, json(&s)?)?;
        }
        w.write_all(b"}")?;
    }
    w.write_all(b"}});\n")
}
