//! Translations: the translatable units of the content (each with a stable id),
//! translation files (`content/translations/<lang>.yaml`), and the exchange
//! formats translators use: XLIFF 2.1 out and in, and the DOCX handout back in.

use crate::content::Content;
use crate::diag::{Diagnostic, Error, Span};
use crate::source::SourceFile;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One text a translator translates.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Stable id: `title`, `definition.text`, `audience.<id>.heading`, `message.<id>`.
    pub id: String,
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
    for a in &c.audiences {
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
    }
}

/// The line of the content file where the text of unit `id` is written.
pub fn source_line(src: &SourceFile, id: &str) -> Option<usize> {
    let (key, value) = match id.split('.').collect::<Vec<_>>()[..] {
        ["message", m] => ("id", m),
        ["audience", a, _] => ("id", a),
        ["organisation", "name"] => ("name", ""),
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
        let src = match SourceFile::read_inside(&path, &dir) {
            Ok(s) => s,
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

/// The content in `t`'s language: every unit replaced by its translation. Units
/// without one are returned as missing (and keep the source text).
pub fn apply(content: &Content, t: &Translation) -> (Content, Vec<String>) {
    let mut c = content.clone();
    c.language = t.language.clone();
    let mut missing = Vec::new();
    let mut get = |id: String, text: &mut String| match t.texts.get(&id) {
        Some(e) if !e.text.trim().is_empty() => *text = e.text.clone(),
        _ => missing.push(id),
    };
    get("title".into(), &mut c.title);
    get("attribution".into(), &mut c.attribution);
    get("organisation.name".into(), &mut c.organisation.name);
    get("definition.heading".into(), &mut c.definition.heading);
    get("definition.text".into(), &mut c.definition.text);
    if let Some(n) = c.definition.note.as_mut() {
        get("definition.note".into(), n);
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

// ---- XLIFF 2.1 ------------------------------------------------------------------

const XLIFF_NS: &str = "urn:oasis:names:tc:xliff:document:2.0";

fn xml_err(e: impl std::fmt::Display) -> Error {
    Error::Usage(format!("cannot write XML: {e}"))
}

/// An XLIFF 2.1 document for translating the content into `lang`: one `<unit>`
/// per text, its id the stable id, a note saying where it appears, and the
/// existing translation (if any) as the target.
pub fn export_xliff(
    content: &Content,
    lang: &str,
    existing: Option<&Translation>,
    original: &str,
) -> Result<Vec<u8>, Error> {
    let mut w = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .map_err(xml_err)?;
    let mut root = BytesStart::new("xliff");
    root.push_attribute(("xmlns", XLIFF_NS));
    root.push_attribute(("version", "2.1"));
    root.push_attribute(("srcLang", content.language.as_str()));
    root.push_attribute(("trgLang", lang));
    w.write_event(Event::Start(root)).map_err(xml_err)?;
    let mut file = BytesStart::new("file");
    file.push_attribute(("id", "messages"));
    file.push_attribute(("original", original));
    w.write_event(Event::Start(file)).map_err(xml_err)?;
    for u in units(content) {
        let mut unit = BytesStart::new("unit");
        unit.push_attribute(("id", u.id.as_str()));
        w.write_event(Event::Start(unit)).map_err(xml_err)?;
        w.write_event(Event::Start(BytesStart::new("notes")))
            .map_err(xml_err)?;
        let mut note = BytesStart::new("note");
        note.push_attribute(("category", "location"));
        w.write_event(Event::Start(note)).map_err(xml_err)?;
        w.write_event(Event::Text(BytesText::new(&u.note)))
            .map_err(xml_err)?;
        w.write_event(Event::End(BytesEnd::new("note")))
            .map_err(xml_err)?;
        w.write_event(Event::End(BytesEnd::new("notes")))
            .map_err(xml_err)?;
        let target = existing
            .and_then(|t| t.texts.get(&u.id))
            .filter(|e| e.source == fingerprint(&u.text));
        let mut seg = BytesStart::new("segment");
        seg.push_attribute((
            "state",
            if target.is_some() {
                "translated"
            } else {
                "initial"
            },
        ));
        w.write_event(Event::Start(seg)).map_err(xml_err)?;
        w.write_event(Event::Start(BytesStart::new("source")))
            .map_err(xml_err)?;
        w.write_event(Event::Text(BytesText::new(&normalise(&u.text))))
            .map_err(xml_err)?;
        w.write_event(Event::End(BytesEnd::new("source")))
            .map_err(xml_err)?;
        if let Some(t) = target {
            w.write_event(Event::Start(BytesStart::new("target")))
                .map_err(xml_err)?;
            w.write_event(Event::Text(BytesText::new(&normalise(&t.text))))
                .map_err(xml_err)?;
            w.write_event(Event::End(BytesEnd::new("target")))
                .map_err(xml_err)?;
        }
        w.write_event(Event::End(BytesEnd::new("segment")))
            .map_err(xml_err)?;
        w.write_event(Event::End(BytesEnd::new("unit")))
            .map_err(xml_err)?;
    }
    w.write_event(Event::End(BytesEnd::new("file")))
        .map_err(xml_err)?;
    w.write_event(Event::End(BytesEnd::new("xliff")))
        .map_err(xml_err)?;
    let mut out = w.into_inner();
    out.push(b'\n');
    Ok(out)
}

/// What an imported file holds: its target language (if it says) and id → text.
#[derive(Debug, Default)]
pub struct Imported {
    pub language: Option<String>,
    pub texts: BTreeMap<String, String>,
}

fn entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => return None,
    })
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

/// Reads an XLIFF 2.x file: `trgLang` and each unit's target text (inline markup
/// contributes its text).
pub fn read_xliff(path: &Path, xml: &str) -> Result<Imported, Error> {
    let mut r = quick_xml::Reader::from_str(xml);
    let mut out = Imported::default();
    let mut unit: Option<String> = None;
    let mut in_target = 0usize;
    let mut text = String::new();
    let mut saw_root = false;
    loop {
        match r
            .read_event()
            .map_err(|e| bad_file(path, "an XLIFF file", e))?
        {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"xliff" => {
                saw_root = true;
                out.language = attr(&e, b"trgLang");
                if attr(&e, b"version").is_some_and(|v| !v.starts_with('2')) {
                    return Err(bad_file(
                        path,
                        "an XLIFF 2 file",
                        "it is another XLIFF version",
                    ));
                }
            }
            Event::Start(e) if e.local_name().as_ref() == b"unit" => {
                unit = attr(&e, b"id");
                text.clear();
            }
            Event::Start(e) if e.local_name().as_ref() == b"target" => in_target += 1,
            Event::End(e) if e.local_name().as_ref() == b"target" => {
                in_target = in_target.saturating_sub(1)
            }
            Event::Text(t) if in_target > 0 => {
                text.push_str(&t.decode().map_err(|e| bad_file(path, "an XLIFF file", e))?)
            }
            Event::CData(t) if in_target > 0 => text.push_str(&String::from_utf8_lossy(&t)),
            Event::GeneralRef(g) if in_target > 0 => {
                let name = g.decode().map_err(|e| bad_file(path, "an XLIFF file", e))?;
                match g
                    .resolve_char_ref()
                    .ok()
                    .flatten()
                    .or_else(|| entity(&name))
                {
                    Some(c) => text.push(c),
                    None => {
                        return Err(bad_file(
                            path,
                            "an XLIFF file",
                            format!("unknown entity &{name};"),
                        ));
                    }
                }
            }
            Event::End(e) if e.local_name().as_ref() == b"unit" => {
                if let Some(id) = unit.take()
                    && !text.trim().is_empty()
                {
                    out.texts.insert(id, normalise(&text));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root {
        return Err(bad_file(
            path,
            "an XLIFF file",
            "there is no <xliff> element",
        ));
    }
    Ok(out)
}

/// Reads a translated handout: the text of each content control, by its tag
/// (or, where an editor dropped the tag, by the id at the start of its title).
pub fn read_docx(path: &Path, bytes: &[u8]) -> Result<Imported, Error> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| bad_file(path, "a DOCX file", e))?;
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut z
            .by_name("word/document.xml")
            .map_err(|e| bad_file(path, "a DOCX file", e))?,
        &mut xml,
    )
    .map_err(|e| bad_file(path, "a DOCX file", e))?;
    let mut r = quick_xml::Reader::from_str(&xml);
    let mut out = Imported::default();
    // A stack of open content controls: (id, text so far).
    let mut stack: Vec<(Option<String>, String)> = Vec::new();
    let mut in_pr = false;
    let mut in_t = false;
    loop {
        match r
            .read_event()
            .map_err(|e| bad_file(path, "a DOCX file", e))?
        {
            Event::Start(e) if e.local_name().as_ref() == b"sdt" => {
                stack.push((None, String::new()))
            }
            Event::Start(e) if e.local_name().as_ref() == b"sdtPr" => in_pr = true,
            Event::End(e) if e.local_name().as_ref() == b"sdtPr" => in_pr = false,
            Event::Start(e) | Event::Empty(e) if in_pr && e.local_name().as_ref() == b"tag" => {
                if let Some(top) = stack.last_mut() {
                    top.0 = attr(&e, b"val");
                }
            }
            Event::Start(e) | Event::Empty(e) if in_pr && e.local_name().as_ref() == b"alias" => {
                if let Some(top) = stack.last_mut()
                    && top.0.is_none()
                {
                    top.0 =
                        attr(&e, b"val").and_then(|a| a.split(" — ").next().map(str::to_string));
                }
            }
            Event::Start(e) if e.local_name().as_ref() == b"t" => in_t = true,
            Event::End(e) if e.local_name().as_ref() == b"t" => in_t = false,
            Event::Text(t) if in_t => {
                if let Some(top) = stack.last_mut() {
                    top.1
                        .push_str(&t.decode().map_err(|e| bad_file(path, "a DOCX file", e))?);
                }
            }
            Event::GeneralRef(g) if in_t => {
                let name = g.decode().map_err(|e| bad_file(path, "a DOCX file", e))?;
                if let (Some(top), Some(c)) = (
                    stack.last_mut(),
                    g.resolve_char_ref()
                        .ok()
                        .flatten()
                        .or_else(|| entity(&name)),
                ) {
                    top.1.push(c);
                }
            }
            Event::End(e) if e.local_name().as_ref() == b"sdt" => {
                if let Some((Some(id), text)) = stack.pop()
                    && !text.trim().is_empty()
                {
                    out.texts.insert(id, normalise(&text));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// A translation file with imported texts merged in, to be written by the
/// caller (inputs are read here, never written).
pub struct Merged {
    /// Where the translation file goes: `content/translations/<lang>.yaml`.
    pub path: PathBuf,
    /// The file's new text.
    pub yaml: String,
    /// A summary line for each fact (texts added, comments that could not be kept).
    pub notes: Vec<String>,
}

/// Merges imported texts into the translation file for `lang`. Refuses ids the content does not have, listing them. Comments
/// standing above an entry, and at the top of the file, are kept; any other
/// comment is reported as dropped.
pub fn import(
    content: &Content,
    content_dir: &Path,
    lang: &str,
    imported: &Imported,
    from: &Path,
) -> Result<Merged, Error> {
    let units = units(content);
    let unknown: Vec<&String> = imported
        .texts
        .keys()
        .filter(|id| !units.iter().any(|u| &u.id == *id))
        .collect();
    if !unknown.is_empty() {
        return Err(Error::Input(vec![
            Diagnostic::error(
                from,
                format!(
                    "{} id(s) in this file are not texts of the content: {}",
                    unknown.len(),
                    unknown
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .with_hint(
                "export a fresh file for this content (leafpress export) and translate that",
            ),
        ]));
    }
    if imported.texts.is_empty() {
        return Err(Error::Input(vec![
            Diagnostic::error(from, "the file holds no translated texts")
                .with_hint("fill in the targets (XLIFF) or the content controls (DOCX) first"),
        ]));
    }
    if lang.eq_ignore_ascii_case(&content.language) {
        return Err(Error::Usage(format!(
            "`{lang}` is the content's own language; give the translation's language with --lang"
        )));
    }
    let path = dir(content_dir).join(format!("{lang}.yaml"));
    let old_text = std::fs::read_to_string(&path).ok();
    let mut entries: BTreeMap<String, Entry> = match &old_text {
        Some(t) => serde_yaml::from_str::<FileForm>(t)
            .map(|f| f.texts)
            .map_err(|e| Error::Input(vec![crate::source::yaml_error(&path, t, &e)]))?,
        None => BTreeMap::new(),
    };
    let mut changed = 0;
    for u in &units {
        if let Some(t) = imported.texts.get(&u.id) {
            let e = Entry {
                text: t.clone(),
                source: fingerprint(&u.text),
                source_text: Some(normalise(&u.text)),
            };
            if entries.get(&u.id) != Some(&e) {
                changed += 1;
            }
            entries.insert(u.id.clone(), e);
        }
    }
    let (comments, dropped) = old_text
        .as_deref()
        .map(collect_comments)
        .unwrap_or_default();
    let yaml = render_file(lang, &units, &entries, &comments);
    let missing = units
        .iter()
        .filter(|u| !entries.contains_key(&u.id))
        .count();
    let mut notes = vec![format!(
        "{}: {changed} text(s) added or updated from {}; {} of {} texts translated",
        path.display(),
        from.display(),
        units.len() - missing,
        units.len()
    )];
    for (line, c) in dropped {
        notes.push(format!(
            "could not keep the comment on line {line} of the old file: {c}"
        ));
    }
    Ok(Merged { path, yaml, notes })
}

/// Comments to carry over: those on their own lines, keyed by the id of the
/// entry they stand above (or "" for the top of the file). Also returns comments
/// that cannot be placed (at the end of a line, or above nothing).
/// Comment lines by the entry id they stand above ("" for the file's top).
type Kept = BTreeMap<String, Vec<String>>;
/// Comments that could not be placed, with their line numbers.
type Dropped = Vec<(usize, String)>;

fn collect_comments(text: &str) -> (Kept, Dropped) {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut dropped = Vec::new();
    let mut pending: Vec<(usize, String)> = Vec::new();
    let mut seen_key = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with('#') {
            pending.push((i + 1, t.to_string()));
            continue;
        }
        if t.is_empty() {
            continue;
        }
        // An entry key: two spaces, an id, a colon.
        let indent = line.len() - t.len();
        if let Some(key) = t.strip_suffix(':').filter(|_| indent == 2) {
            out.entry(key.trim_matches('"').to_string())
                .or_default()
                .extend(pending.drain(..).map(|(_, c)| c));
        } else if !seen_key {
            out.entry(String::new())
                .or_default()
                .extend(pending.drain(..).map(|(_, c)| c));
        } else {
            dropped.append(&mut pending);
        }
        seen_key |= indent == 0 && t.starts_with("texts:");
        if let Some(pos) = inline_comment(t) {
            dropped.push((i + 1, t[pos..].to_string()));
        }
    }
    dropped.append(&mut pending);
    (out, dropped)
}

/// Where a ` #` comment starts on a line, outside quotes.
fn inline_comment(line: &str) -> Option<usize> {
    let (mut single, mut double) = (false, false);
    let b = line.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'\'' if !double => single = !single,
            b'"' if !single => double = !double,
            b'#' if !single && !double && i > 0 && b[i - 1] == b' ' => return Some(i),
            _ => {}
        }
    }
    None
}

/// A YAML scalar, quoted and escaped by serde_yaml.
fn scalar(s: &str) -> String {
    serde_yaml::to_string(s)
        .map(|y| y.trim_end().to_string())
        .unwrap_or_else(|_| format!("{s:?}"))
}

/// The translation file, in content order, with carried-over comments.
fn render_file(
    lang: &str,
    units: &[Unit],
    entries: &BTreeMap<String, Entry>,
    comments: &BTreeMap<String, Vec<String>>,
) -> String {
    let mut s = String::new();
    match comments.get("") {
        Some(c) if !c.is_empty() => {
            for l in c {
                s.push_str(l);
                s.push('\n');
            }
        }
        _ => s.push_str(&format!(
            "# Translation into `{lang}`, keyed by the content's ids.\n# `source` is a fingerprint of the text translated, and `source-text` that\n# text: when the source changes, the build warns that this entry is stale.\n"
        )),
    }
    s.push_str(&format!("language: {}\ntexts:\n", scalar(lang)));
    let ordered = units.iter().map(|u| u.id.as_str()).chain(
        entries
            .keys()
            .map(|k| k.as_str())
            .filter(|k| !units.iter().any(|u| u.id == *k)),
    );
    for id in ordered {
        let Some(e) = entries.get(id) else { continue };
        for c in comments.get(id).into_iter().flatten() {
            s.push_str(&format!("  {c}\n"));
        }
        s.push_str(&format!(
            "  {id}:\n    text: {}\n    source: {}\n",
            scalar(&e.text),
            scalar(&e.source)
        ));
        if let Some(st) = &e.source_text {
            s.push_str(&format!("    source-text: {}\n", scalar(st)));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content() -> Content {
        serde_yaml::from_str(include_str!("../content/messages.yaml")).unwrap()
    }

    #[test]
    fn xliff_round_trips_and_escapes() {
        let c = content();
        let xml = String::from_utf8(export_xliff(&c, "fr", None, "content/messages.yaml").unwrap())
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
