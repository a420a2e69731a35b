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
fn translated<'a>(
    t: Option<&'a Translation>,
    id: impl FnOnce() -> String,
    source: &'a str,
) -> &'a str {
    t.and_then(|t| t.texts.get(&id()))
        .map(|e| e.text.as_str())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or(source)
}

/// Writes `leafpressTexts({...})`: for each language, the texts every output
/// shares (title, definition, organisation), and for each audience, its own
/// texts in each language. Audiences come one at a time, as a large content
/// is read back from disk.
pub fn write_js(w: &mut dyn Write, p: &Project) -> std::io::Result<()> {
    let languages = p.languages();
    let translation = |lang: &str| p.translations.iter().find(|t| t.language == lang);
    let json = |s: &str| serde_json::to_string(s).map_err(std::io::Error::other);
    w.write_all(b"leafpressTexts({\"shared\":{")?;
    for (i, lang) in languages.iter().enumerate() {
        let t = translation(lang);
        let h = &p.head;
        let mut s = String::new();
        searchable(translated(t, || "title".into(), &h.title), &mut s);
        searchable(
            translated(t, || "attribution".into(), &h.attribution),
            &mut s,
        );
        searchable(
            translated(t, || "organisation.name".into(), &h.organisation.name),
            &mut s,
        );
        if let Some(a) = &h.organisation.call_to_action {
            searchable(
                translated(t, || "organisation.call-to-action".into(), a),
                &mut s,
            );
        }
        let d = &h.definition;
        searchable(
            translated(t, || "definition.heading".into(), &d.heading),
            &mut s,
        );
        searchable(translated(t, || "definition.text".into(), &d.text), &mut s);
        if let Some(n) = &d.note {
            searchable(translated(t, || "definition.note".into(), n), &mut s);
        }
        write!(
            w,
            "{}{}:{}",
            if i > 0 { "," } else { "" },
            json(lang)?,
            json(&s)?
        )?;
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
            searchable(
                translated(t, || format!("audience.{}.name", a.id), &a.name),
                &mut s,
            );
            searchable(
                translated(t, || format!("audience.{}.heading", a.id), &a.heading),
                &mut s,
            );
            if let Some(intro) = &a.intro {
                searchable(
                    translated(t, || format!("audience.{}.intro", a.id), intro),
                    &mut s,
                );
            }
            for m in &a.messages {
                searchable(
                    translated(t, || format!("message.{}", m.id), &m.text),
                    &mut s,
                );
            }
            write!(
                w,
                "{}{}:{}",
                if k > 0 { "," } else { "" },
                json(lang)?,
                json(&s)?
            )?;
        }
        w.write_all(b"}")?;
    }
    w.write_all(b"}});\n")
}
