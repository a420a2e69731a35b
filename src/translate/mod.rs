//! Translations: the content's translatable units and their stable ids, the
//! translation files (`content/translations/<lang>.yaml`, with a fingerprint
//! of the source each text was made from, so stale ones are found), applying
//! one to the content; the XLIFF round trip (`xliff`), reading translated DOCX
//! handouts (`docx`), and merging what a translator sends back (`import`).

mod codes;
mod docx;
mod import;
mod xliff;

pub use docx::read_docx;
pub use import::import;
pub use xliff::{Counts, export_xliff, read_xliff};

use crate::content::Content;
use crate::diag::{Diagnostic, Error, Span};
use crate::source::SourceFile;
use quick_xml::events::BytesStart;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One text a translator translates.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Stable id: `title`, `definition.text`, `audience.<id>.heading`, `message.<id>`.
    pub id: String,
    /// The source text.
    pub text: String,
    /// Where the text appears, for the translator.
    pub note: String,
}

/// Every translatable text of the content, in reading order.
pub fn units(c: &Content) -> Vec<Unit> {
    let mut out = Vec::new();
    each_unit(c, |id, text, note| {
        out.push(Unit {
            id: id(),
            text: text.to_string(),
            note: note(),
        })
    });
    out
}

/// Calls `f` with each translatable text of the content, in reading order: its
/// id and its note (where it appears) are made only when asked for, since a
/// 10,000-audience content has 50,000 texts and a check reads them all.
pub fn each_unit<'c>(
    c: &'c Content,
    mut f: impl FnMut(&dyn Fn() -> String, &'c str, &dyn Fn() -> String),
) {
    f(&|| "title".into(), &c.title, &|| {
        "Title of every leaflet, flyer and handout".into()
    });
    f(&|| "attribution".into(), &c.attribution, &|| {
        "Attribution line, on the back of leaflets and in footers".into()
    });
    f(
        &|| "organisation.name".into(),
        &c.organisation.name,
        &|| "Name of the organisation (cover and footers)".into(),
    );
    if let Some(a) = &c.organisation.call_to_action {
        f(&|| "organisation.call-to-action".into(), a, &|| {
            "Call to action with the organisation's web address (back of leaflets, foot of flyers, end of handouts); keep its tags".into()
        });
    }
    f(
        &|| "definition.heading".into(),
        &c.definition.heading,
        &|| "Heading of the definition (inside flap of the leaflet)".into(),
    );
    f(&|| "definition.text".into(), &c.definition.text, &|| {
        "The definition (inside flap of the leaflet)".into()
    });
    if let Some(n) = &c.definition.note {
        f(&|| "definition.note".into(), n, &|| {
            "Footnote to the definition (starts with an asterisk)".into()
        });
    }
    if let Some(spec) = &c.image {
        crate::picture::each_text(spec, None, &mut f);
    }
    for a in &c.audiences {
        each_audience_unit(a, &mut f);
    }
}

/// Calls `f` with each translatable text of one audience, in reading order,
/// as [`each_unit`] does.
pub fn each_audience_unit<'c>(
    a: &'c crate::content::Audience,
    f: &mut impl FnMut(&dyn Fn() -> String, &'c str, &dyn Fn() -> String),
) {
    f(&|| format!("audience.{}.name", a.id), &a.name, &|| {
        format!("Audience `{}`: its short name, on covers", a.id)
    });
    f(
        &|| format!("audience.{}.heading", a.id),
        &a.heading,
        &|| format!("Audience `{}`: heading above its messages", a.id),
    );
    if let Some(i) = &a.intro {
        f(&|| format!("audience.{}.intro", a.id), i, &|| {
            format!("Audience `{}`: introduction before its messages", a.id)
        });
    }
    for (n, m) in a.messages.iter().enumerate() {
        f(&|| format!("message.{}", m.id), &m.text, &|| {
            format!("Audience `{}`: message {}", a.id, n + 1)
        });
    }
    if let Some(spec) = &a.image {
        crate::picture::each_text(spec, Some(&a.id), f);
    }
}

/// The line of the content file where the text of unit `id` is written.
pub fn source_line(src: &SourceFile, id: &str) -> Option<usize> {
    let (key, value) = match id.split('.').collect::<Vec<_>>()[..] {
        ["message", m] => ("id", m),
        ["audience", a, _] | ["audience", a, "image", _] => ("id", a),
        ["image", field] => (field, ""),
        ["organisation", "name"] => ("name", ""),
        ["organisation", "call-to-action"] => ("call-to-action", ""),
        ["definition", field] => (field, ""),
        [field] => (field, ""),
        _ => return None,
    };
    src.span_of(key, value).map(|s| s.line)
}

/// Collapses white space, so a change of line wrapping in the YAML is not a change
/// of text. Only ASCII white space: a no-break space (French `:`) is the author's.
pub fn normalise(text: &str) -> String {
    text.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
}

/// The name of the bookmark around a text's content control in a handout:
/// `lp_` and 12 hex digits of the id's SHA-256 (a bookmark name is at most 40
/// letters, digits and underscores; ids are longer and have dots). Tools that
/// drop a control's tag keep it.
pub fn bookmark(id: &str) -> String {
    format!(
        "lp_{}",
        &crate::text::hex(&Sha256::digest(id.as_bytes())[..6])
    )
}

/// A short fingerprint of a source text: a translation made from other wording is stale.
pub fn fingerprint(text: &str) -> String {
    Sha256::digest(normalise(text).as_bytes())[..4]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One translated text and the source it was made from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Entry {
    pub text: String,
    /// Fingerprint of the source text this translates.
    pub source: String,
    /// That source text, so a stale translation can show what changed.
    #[serde(default)]
    pub source_text: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileForm {
    language: String,
    #[serde(default)]
    texts: BTreeMap<String, Entry>,
}

/// A translation file, loaded.
#[derive(Debug, Clone)]
pub struct Translation {
    pub language: String,
    pub texts: BTreeMap<String, Entry>,
    pub source: SourceFile,
}

impl Translation {
    /// The translation of unit `id`, unless it has none or a blank one.
    pub fn text(&self, id: &str) -> Option<&str> {
        self.texts
            .get(id)
            .map(|e| e.text.as_str())
            .filter(|s| !s.trim().is_empty())
    }

    pub fn span_of(&self, id: &str) -> Option<Span> {
        self.source.span_of(id, "")
    }
}

/// The folder translations live in.
pub fn dir(content_dir: &Path) -> PathBuf {
    content_dir.join("translations")
}

/// Loads every `<lang>.yaml` in the translations folder, checking each against
/// the content: unknown ids are errors; stale texts are warnings.
pub fn load_all(content_dir: &Path, content: &Content) -> (Vec<Translation>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let dir = dir(content_dir);
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return (out, problems);
    };
    let mut files: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    let units = units(content);
    for path in files {
        let src = match SourceFile::read_inside_all(&path, &dir) {
            Ok((s, unwanted)) => {
                problems.extend(unwanted);
                s
            }
            Err(d) => {
                problems.push(d);
                continue;
            }
        };
        let form: FileForm = match src.parse() {
            Ok(f) => f,
            Err(d) => {
                problems.push(d);
                continue;
            }
        };
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if !stem.eq_ignore_ascii_case(&form.language) {
            problems.push(
                Diagnostic::error(
                    &path,
                    format!(
                        "the file says `language: {}` but is named for `{stem}`",
                        form.language
                    ),
                )
                .with_span(src.span_of("language", ""))
                .with_hint(format!(
                    "rename the file to `{}.yaml`, or correct `language:`",
                    form.language
                )),
            );
            continue;
        }
        if form.language.eq_ignore_ascii_case(&content.language) {
            problems.push(
                Diagnostic::error(
                    &path,
                    format!("`{}` is the content's own language", form.language),
                )
                .with_span(src.span_of("language", ""))
                .with_hint("a translation is into another language; remove this file"),
            );
            continue;
        }
        let t = Translation {
            language: form.language,
            texts: form.texts,
            source: src,
        };
        for id in t.texts.keys() {
            if !units.iter().any(|u| &u.id == id) {
                let hint = match crate::diag::did_you_mean(id, units.iter().map(|u| u.id.as_str()))
                {
                    Some(s) => format!("did you mean `{s}`? Ids come from the content"),
                    None => "remove it, or check the id in content/messages.yaml".to_string(),
                };
                problems.push(
                    Diagnostic::error(
                        &t.source.path,
                        format!("`{id}` is not a text of the content"),
                    )
                    .with_span(t.span_of(id))
                    .with_hint(hint),
                );
            }
        }
        for (id, e) in &t.texts {
            let near = t.span_of(id).map(|s| s.line);
            problems.extend(crate::markup::check(
                &e.text,
                &format!("`{id}` ({})", t.language),
                &t.source,
                near,
            ));
        }
        // Stale: the source changed since this was translated.
        for u in &units {
            if let Some(e) = t.texts.get(&u.id)
                && e.source != fingerprint(&u.text)
            {
                let old = e
                    .source_text
                    .as_deref()
                    .map(normalise)
                    .unwrap_or_else(|| "(not recorded)".into());
                problems.push(
                    Diagnostic::warning(
                        &t.source.path,
                        format!(
                            "`{}` ({}) is stale: the source changed since it was translated\n    was: {old}\n    now: {}",
                            u.id,
                            t.language,
                            normalise(&u.text)
                        ),
                    )
                    .with_span(t.span_of(&u.id))
                    .with_hint("update the translation, then set `source` to the new fingerprint (leafpress import does both)"),
                );
            }
        }
        out.push(t);
    }
    (out, problems)
}

/// The ids of `units` whose translation in `t` was made from other wording
/// than the content has now.
pub fn stale(units: &[Unit], t: &Translation) -> Vec<String> {
    units
        .iter()
        .filter(|u| {
            t.texts
                .get(&u.id)
                .is_some_and(|e| e.source != fingerprint(&u.text))
        })
        .map(|u| u.id.clone())
        .collect()
}

/// The content in `t`'s language: every unit replaced by its translation. Units
/// without one are returned as missing (and keep the source text).
pub fn apply(content: &Content, t: &Translation) -> (Content, Vec<String>) {
    let mut c = content.clone();
    c.language = t.language.clone();
    let mut missing = Vec::new();
    let mut get = |id: String, text: &mut String| match t.text(&id) {
        Some(s) => *text = s.to_string(),
        None => missing.push(id),
    };
    get("title".into(), &mut c.title);
    get("attribution".into(), &mut c.attribution);
    get("organisation.name".into(), &mut c.organisation.name);
    if let Some(a) = c.organisation.call_to_action.as_mut() {
        get("organisation.call-to-action".into(), a);
    }
    get("definition.heading".into(), &mut c.definition.heading);
    get("definition.text".into(), &mut c.definition.text);
    if let Some(n) = c.definition.note.as_mut() {
        get("definition.note".into(), n);
    }
    let mut picture = |spec: Option<&mut crate::picture::PictureSpec>, audience: Option<&str>| {
        let Some(spec) = spec else { return };
        let unit = crate::picture::unit(audience);
        if let Some(alt) = spec.alt.as_mut().filter(|a| !a.is_empty()) {
            get(format!("{unit}.alt"), alt);
        }
        if let Some(credit) = spec.credit.as_mut() {
            get(format!("{unit}.credit"), credit);
        }
    };
    picture(c.image.as_mut(), None);
    for a in &mut c.audiences {
        picture(a.image.as_mut(), Some(&a.id));
    }
    for a in &mut c.audiences {
        get(format!("audience.{}.name", a.id), &mut a.name);
        get(format!("audience.{}.heading", a.id), &mut a.heading);
        if let Some(i) = a.intro.as_mut() {
            get(format!("audience.{}.intro", a.id), i);
        }
        for m in &mut a.messages {
            get(format!("message.{}", m.id), &mut m.text);
        }
    }
    (c, missing)
}

/// What an imported file holds: its target language (if it says) and id → text.
#[derive(Debug, Default)]
pub struct Imported {
    pub language: Option<String>,
    pub texts: BTreeMap<String, String>,
    /// Ids whose segment the file still marks `initial` (not translated yet).
    pub initial: std::collections::BTreeSet<String>,
}

fn attr(e: &BytesStart, name: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

fn bad_file(path: &Path, what: &str, e: impl std::fmt::Display) -> Error {
    Error::Input(vec![
        Diagnostic::error(path, format!("cannot read {what}: {e}"))
            .with_hint(format!("check that the file is {what}")),
    ])
}

#[cfg(test)]
mod tests {
    use super::import::collect_comments;
    use super::*;

    fn content() -> Content {
        serde_yaml::from_str(include_str!("../../content/messages.yaml")).unwrap()
    }

    #[test]
    fn xliff_round_trips_and_escapes() {
        let c = content();
        let xml = String::from_utf8(
            export_xliff(&c, "fr", None, "content/messages.yaml")
                .unwrap()
                .0,
        )
        .unwrap();
        assert!(xml.contains(r#"<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="en" trgLang="fr">"#));
        assert!(xml.contains(r#"<unit id="message.partners">"#));
        assert!(xml.contains("people&apos;s") || xml.contains("people's"));
        // Fill one target with characters that need escaping, and read it back.
        let xml = xml.replacen(
            "</source>\n      </segment>",
            "</source>\n        <target>« A &amp; B » &lt;ok&gt; &#x2014; fin</target>\n      </segment>",
            1,
        );
        let imp = read_xliff(Path::new("t.xlf"), &xml).unwrap();
        assert_eq!(imp.language.as_deref(), Some("fr"));
        assert_eq!(
            imp.texts.get("title").map(String::as_str),
            Some("« A & B » <ok> — fin")
        );
    }

    #[test]
    fn comments_above_entries_are_kept_and_inline_ones_reported() {
        let text = "# top\nlanguage: fr\ntexts:\n  # about the title\n  title:\n    text: Titre # inline\n    source: abc\n";
        let (c, dropped) = collect_comments(text);
        assert_eq!(c[""], vec!["# top"]);
        assert_eq!(c["title"], vec!["# about the title"]);
        assert_eq!(dropped.len(), 1);
    }

    #[test]
    fn fingerprints_ignore_line_wrapping() {
        assert_eq!(fingerprint("a  b\nc"), fingerprint("a b c"));
        assert_ne!(fingerprint("a b c"), fingerprint("a b d"));
    }
}
