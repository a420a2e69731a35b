//! Reading and checking the content and its translations: every mistake in
//! the content file found in one run (each part read on its own after the
//! first error), ids, slugs, language tags and invisible characters.

use super::Paths;
use super::coverage::check_coverage;
use crate::content::Content;
use crate::diag::{Diagnostic, Span};
use crate::fonts::FontBook;
use crate::source::SourceFile;
use std::collections::{BTreeMap, BTreeSet};

/// Reads and checks the content and its translations. A large content with no
/// translations is streamed ([`crate::content::stream`]): checked part by part
/// and left on disk. Anything the streamed reading finds wrong, or cannot take,
/// is read whole, which reports every problem with its place.
#[allow(clippy::type_complexity)]
pub(super) fn load_content<'f>(
    paths: &Paths,
    fonts: &dyn Fn() -> Option<&'f FontBook>,
    problems: &mut Vec<Diagnostic>,
) -> (
    Option<(Content, SourceFile)>,
    Option<crate::content::Streamed>,
    Vec<crate::translate::Translation>,
) {
    let content_path = paths.content.join("messages.yaml");
    let translated = std::fs::read_dir(crate::translate::dir(&paths.content))
        .is_ok_and(|mut rd| rd.next().is_some());
    if !translated && crate::source::outside_link(&content_path, &paths.content).is_ok() {
        // Ids must be unique across parts too; a clash of hashes only sends the
        // file to the whole reading, which compares the ids themselves.
        let hash = crate::text::hash64::<str>;
        let (mut audience_ids, mut message_ids) = (
            std::collections::HashSet::new(),
            std::collections::HashSet::new(),
        );
        let streamed = crate::content::stream(&content_path, |part, src| {
            part.audiences.iter().all(|a| {
                audience_ids.insert(hash(&a.id))
                    && a.messages.iter().all(|m| message_ids.insert(hash(&m.id)))
            }) && check_content(part, src).is_empty()
                && fonts().is_none_or(|f| check_coverage(f, part, src, &[]).is_empty())
        });
        if let Some((head, head_src, st)) = streamed {
            return (Some((head, head_src)), Some(st), Vec::new());
        }
    }
    let content = SourceFile::read_inside_all(&content_path, &paths.content)
        .map_err(|d| vec![d])
        .and_then(|(src, unwanted)| {
            // An invisible character is one mistake; the rest of the file is
            // still read, and checked.
            problems.extend(unwanted);
            // serde_yaml stops at the first mistake; go on part by part to find
            // the others, then check what can be read of it as a whole.
            let c = Content::parse(&src).map_err(|d| {
                let mut found = content_problems(&src, d);
                if let Some(salvaged) = salvage(&src) {
                    found.extend(check_content(&salvaged, &src));
                }
                found
            })?;
            Ok((c, src))
        });
    match content {
        Ok((c, src)) => {
            problems.extend(check_content(&c, &src));
            let (t, d) = crate::translate::load_all(&paths.content, &c);
            problems.extend(d);
            (Some((c, src)), None, t)
        }
        Err(d) => {
            problems.extend(d);
            (None, None, Vec::new())
        }
    }
}

/// The content of a file that failed to parse because of fields it should not
/// have: read without them, so that the checks that need the whole content
/// (duplicate ids, slugs) still run. `None` when it cannot be read so either.
fn salvage(src: &SourceFile) -> Option<Content> {
    use serde_yaml::Value;
    fn keep(v: &mut Value, fields: &[&str]) {
        if let Value::Mapping(m) = v {
            m.retain(|k, _| k.as_str().is_some_and(|k| fields.contains(&k)));
        }
    }
    fn each(v: &mut Value, key: &str, f: impl Fn(&mut Value)) {
        if let Some(Value::Sequence(items)) = v.get_mut(key) {
            items.iter_mut().for_each(f);
        }
    }
    let mut v: Value = serde_yaml::from_str(&src.text).ok()?;
    keep(&mut v, crate::content::FIELDS.content);
    if let Some(o) = v.get_mut("organisation") {
        keep(o, crate::content::FIELDS.organisation);
    }
    if let Some(d) = v.get_mut("definition") {
        keep(d, crate::content::FIELDS.definition);
    }
    each(&mut v, "audiences", |a| {
        keep(a, crate::content::FIELDS.audience);
        each(a, "messages", |m| keep(m, crate::content::FIELDS.message));
    });
    serde_yaml::from_value(v).ok()
}

/// Every problem of a content file that failed to parse: after the first (which
/// serde_yaml reports with its position), each part is read on its own, so one
/// run shows all the independent mistakes. Syntax errors stop at the first.
pub(super) fn content_problems(src: &SourceFile, first: Diagnostic) -> Vec<Diagnostic> {
    use crate::content::{Audience, Definition, Organisation};
    use serde_yaml::Value;
    let top = match serde_yaml::from_str::<Value>(&src.text) {
        Ok(Value::Mapping(top)) => top,
        // Aliases that expand without end (a "billion laughs") are stopped by
        // serde_yaml's limit; say so beside the first problem.
        Err(e) if e.to_string().contains("limit exceeded") => {
            let mut d = crate::source::yaml_error(&src.path, &src.text, &e);
            d.message = "aliases (`*name`) in this file expand beyond what leafpress reads (serde_yaml's repetition limit)".into();
            return vec![first, d];
        }
        _ => return vec![first],
    };
    let mut out: Vec<Diagnostic> = Vec::new();
    // A part's error, placed at `key: value` (or the key) and given the usual hint.
    let report = |what: &str, msg: String, key: &str, value: &str| -> Diagnostic {
        // An unknown field is best shown where it is written.
        let named = msg
            .strip_prefix("unknown field `")
            .and_then(|r| r.split('`').next())
            .and_then(|f| src.span_of(f, ""));
        let span = named
            .or_else(|| src.span_of(key, value))
            .or_else(|| src.span_of(key, ""));
        let msg = crate::text::lower_first(&msg);
        let hint = crate::source::hint_for(&msg, span.as_ref(), false);
        let mut d = Diagnostic::error(
            &src.path,
            if what.is_empty() {
                msg
            } else {
                format!("{what}: {msg}")
            },
        )
        .with_span(span);
        d.hint = hint;
        d
    };
    let fields = crate::content::FIELDS.content;
    for k in top.keys() {
        let k = k.as_str().unwrap_or("");
        if !fields.contains(&k) {
            out.push(report(
                "",
                format!(
                    "unknown field `{k}`, expected one of `{}`",
                    fields.join("`, `")
                ),
                k,
                "",
            ));
        }
    }
    for &f in fields {
        let Some(v) = top.get(f) else {
            // The picture is optional.
            if f == "image" {
                continue;
            }
            // A misspelt key was reported above with a "did you mean `{f}`?".
            let misspelt = top.keys().filter_map(|k| k.as_str()).any(|k| {
                !fields.contains(&k)
                    && crate::diag::did_you_mean(k, fields.iter().copied()) == Some(f)
            });
            if !misspelt {
                out.push(report("", format!("missing field `{f}`"), "", ""));
            }
            continue;
        };
        let err = match f {
            "organisation" => serde_yaml::from_value::<Organisation>(v.clone()).err(),
            "definition" => serde_yaml::from_value::<Definition>(v.clone()).err(),
            "image" => serde_yaml::from_value::<crate::picture::PictureSpec>(v.clone()).err(),
            "audiences" => match v {
                Value::Sequence(items) => {
                    for (i, a) in items.iter().enumerate() {
                        if let Err(e) = serde_yaml::from_value::<Audience>(a.clone()) {
                            let id = a.get("id").and_then(|x| x.as_str()).unwrap_or("");
                            let msg = e.to_string();
                            // The field at fault, found by reading each on its own, and
                            // where this audience writes it (the first such key after
                            // its id).
                            let base = src.find_key_value("id", id).first().copied().unwrap_or(0);
                            let after = |key: &str| {
                                src.find_key_value(key, "")
                                    .into_iter()
                                    .find(|&o| o >= base.saturating_sub(8))
                            };
                            let bad_field =
                                ["id", "name", "heading", "intro"].into_iter().find(|f| {
                                    a.get(*f).is_some_and(|v| {
                                        serde_yaml::from_value::<String>(v.clone()).is_err()
                                    })
                                });
                            let msg_id = msg
                                .split("messages[")
                                .nth(1)
                                .and_then(|r| r.split(']').next())
                                .and_then(|n| n.parse::<usize>().ok())
                                .and_then(|n| {
                                    a.get("messages")?
                                        .get(n)?
                                        .get("id")?
                                        .as_str()
                                        .map(str::to_string)
                                });
                            match (bad_field.and_then(after), msg_id) {
                                (Some(off), _) => {
                                    let f = bad_field.unwrap_or_default();
                                    let mut d = Diagnostic::error(
                                        &src.path,
                                        format!(
                                            "audiences[{i}].{f}: {}",
                                            crate::text::lower_first(&msg)
                                        ),
                                    )
                                    .with_span(Some(src.span_at(off)));
                                    d.hint = Some(format!(
                                        "`{f}` takes text; write it after `{f}:` (use `>-` for several lines)"
                                    ));
                                    out.push(d);
                                }
                                (None, Some(m)) => {
                                    out.push(report(&format!("audiences[{i}]"), msg, "id", &m))
                                }
                                (None, None) => {
                                    out.push(report(&format!("audiences[{i}]"), msg, "id", id))
                                }
                            }
                        }
                    }
                    None
                }
                _ => serde_yaml::from_value::<Vec<Audience>>(v.clone()).err(),
            },
            _ => serde_yaml::from_value::<String>(v.clone()).err(),
        };
        if let Some(e) = err {
            out.push(report(f, e.to_string(), f, ""));
        }
    }
    if out.is_empty() {
        return vec![first];
    }
    // Keep serde_yaml's own report of the first mistake: it has the exact position.
    if let Some(same) = out
        .iter_mut()
        .find(|d| d.span.as_ref().map(|s| s.line) == first.span.as_ref().map(|s| s.line))
    {
        *same = first;
    } else {
        out.insert(0, first);
    }
    out.sort_by_key(|d| d.span.as_ref().map(|s| s.line).unwrap_or(0));
    out
}

pub(super) fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

pub(super) fn check_content(c: &Content, src: &SourceFile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let err = |msg: String, span: Option<Span>, hint: &str| {
        Diagnostic::error(&src.path, msg)
            .with_span(span)
            .with_hint(hint)
    };
    if !is_language_tag(&c.language) {
        out.push(err(
            format!("`{}` is not a language code", c.language),
            src.span_of("language", &c.language),
            "use a BCP 47 code such as `en`, `fr` or `pt-BR`",
        ));
    }
    if c.audiences.is_empty() {
        out.push(err(
            "there are no audiences".into(),
            src.find_key_value("audiences", "")
                .first()
                .map(|&o| Span::at_offset(&src.text, o)),
            "add at least one audience with an id, a name, a heading and messages",
        ));
    }
    let mut audience_ids = BTreeSet::new();
    let mut message_ids: BTreeMap<&str, &str> = BTreeMap::new();
    for a in &c.audiences {
        if !is_slug(&a.id) {
            out.push(err(
                format!("audience id `{}` is not a slug", a.id),
                src.span_of("id", &a.id),
                "use lowercase letters, digits and hyphens, such as `media-public`",
            ));
        }
        if !audience_ids.insert(a.id.as_str()) {
            let span = src
                .find_key_value("id", &a.id)
                .get(1)
                .map(|&o| Span::at_offset(&src.text, o));
            out.push(err(
                format!("audience id `{}` is used twice", a.id),
                span,
                "give each audience its own id",
            ));
        }
        if a.messages.is_empty() {
            out.push(err(
                format!("audience `{}` has no messages", a.id),
                src.span_of("id", &a.id),
                "add at least one message under `messages:`, or remove the audience",
            ));
        }
        for m in &a.messages {
            if !is_slug(&m.id) {
                out.push(err(
                    format!("message id `{}` is not a slug", m.id),
                    src.span_of("id", &m.id),
                    "use lowercase letters, digits and hyphens, such as `self-care`",
                ));
            }
            if let Some(first) = message_ids.insert(&m.id, &a.id) {
                let span = src
                    .find_key_value("id", &m.id)
                    .get(1)
                    .map(|&o| Span::at_offset(&src.text, o));
                out.push(err(
                    format!(
                        "message id `{}` is used twice (also in audience `{first}`)",
                        m.id
                    ),
                    span,
                    "give each message its own id; translations are matched by it",
                ));
            }
            check_text(
                &m.text,
                &format!("message `{}`", m.id),
                src,
                &m.id,
                &mut out,
            );
        }
    }
    for spec in c
        .image
        .iter()
        .chain(c.audiences.iter().filter_map(|a| a.image.as_ref()))
    {
        out.extend(super::pictures::check_spec(spec, src, "content"));
    }
    check_text(&c.title, "the title", src, "", &mut out);
    check_text(&c.definition.text, "the definition", src, "", &mut out);
    // Only texts with a marker are parsed, and only their ids made.
    crate::translate::each_unit(c, |id, text, _| {
        if crate::markup::has_markup(text) {
            let id = id();
            let near = crate::translate::source_line(src, &id);
            out.extend(crate::markup::check(text, &format!("`{id}`"), src, near));
        }
    });
    out
}

pub(super) fn check_text(
    text: &str,
    what: &str,
    src: &SourceFile,
    id: &str,
    out: &mut Vec<Diagnostic>,
) {
    if text.trim().is_empty() {
        out.push(
            Diagnostic::error(&src.path, format!("{what} is empty"))
                .with_span(if id.is_empty() {
                    None
                } else {
                    src.span_of("id", id)
                })
                .with_hint("write the text after `text:`"),
        );
    }
    // One written as a YAML escape (`"\u200B"`); one in the file as it is was
    // reported with its place when the file was read.
    if let Some(c) = text.chars().find(|&c| {
        ((c.is_control() && c != '\n')
            || matches!(c, '\u{200B}' | '\u{FEFF}' | '\u{2028}' | '\u{2029}'))
            && !src.text.contains(c)
    }) {
        let offset = src.text.find(c);
        out.push(
            Diagnostic::error(
                &src.path,
                format!("{what} contains an invisible character U+{:04X}", c as u32),
            )
            .with_span(offset.map(|o| Span::at_offset(&src.text, o)))
            .with_hint("delete it (it often comes from pasting out of Word or a web page)"),
        );
    }
}

pub(super) fn is_language_tag(s: &str) -> bool {
    let mut parts = s.split('-');
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}
