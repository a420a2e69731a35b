//! Merging a translator's texts into the translation file for their
//! language, keeping the comments above entries.

use super::{Entry, FileForm, Imported, Unit, dir, fingerprint, normalise, units};
use crate::content::Content;
use crate::diag::{Diagnostic, Error};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
                    "{} in this file {} not in the content: {}",
                    crate::text::count(unknown.len(), "id"),
                    if unknown.len() == 1 { "is" } else { "are" },
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
            // A stale translation sent back unchanged and still marked
            // `initial` was not looked at: it stays stale.
            if imported.initial.contains(&u.id)
                && entries
                    .get(&u.id)
                    .is_some_and(|e| e.source != fingerprint(&u.text) && normalise(&e.text) == *t)
            {
                continue;
            }
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
        "{}: {} added or updated from {}; {} of {} translated",
        path.display(),
        crate::text::count(changed, "text"),
        from.display(),
        units.len() - missing,
        crate::text::count(units.len(), "text")
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

pub(super) fn collect_comments(text: &str) -> (Kept, Dropped) {
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
