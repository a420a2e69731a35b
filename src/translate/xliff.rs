//! XLIFF 2.1 for CAT tools: a file with one unit per text (its stable id, a
//! note saying where it appears, existing translations as targets), and
//! reading a translated one back.

use super::{Imported, Translation, attr, bad_file, fingerprint, normalise, units};
use crate::content::Content;
use crate::diag::Error;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use std::path::Path;

// ---- XLIFF 2.1 ------------------------------------------------------------------

const XLIFF_NS: &str = "urn:oasis:names:tc:xliff:document:2.0";

fn xml_err(e: impl std::fmt::Display) -> Error {
    Error::Usage(format!("cannot write XML: {e}"))
}

/// How many texts an export holds, by what the translator has to do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Texts with no translation yet.
    pub new: usize,
    /// Texts whose source changed since they were translated: the old
    /// translation is the target, marked `initial`, with the old source in a note.
    pub stale: usize,
    /// Texts translated from the current source.
    pub done: usize,
}

/// An XLIFF 2.1 document for translating the content into `lang`: one `<unit>`
/// per text, its id the stable id, a note saying where it appears, and the
/// existing translation (if any) as the target: `translated` when it was made
/// from the current source, `initial` (with the old source in a note) when
/// the source changed since.
pub fn export_xliff(
    content: &Content,
    lang: &str,
    existing: Option<&Translation>,
    original: &str,
) -> Result<(Vec<u8>, Counts), Error> {
    let mut counts = Counts::default();
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
        let target = existing.and_then(|t| t.texts.get(&u.id));
        let current = target.is_some_and(|e| e.source == fingerprint(&u.text));
        match (target, current) {
            (None, _) => counts.new += 1,
            (Some(_), false) => counts.stale += 1,
            (Some(_), true) => counts.done += 1,
        }
        w.write_event(Event::Start(BytesStart::new("notes")))
            .map_err(xml_err)?;
        let mut notes = vec![("location", u.note.clone())];
        if let Some(e) = target.filter(|_| !current) {
            notes.push((
                "previous-source",
                format!(
                    "The source changed since this was translated. The translation here was made from: {}",
                    e.source_text.as_deref().map(normalise).unwrap_or_else(|| "(not recorded)".into())
                ),
            ));
        }
        for (category, text) in &notes {
            let mut note = BytesStart::new("note");
            note.push_attribute(("category", *category));
            w.write_event(Event::Start(note)).map_err(xml_err)?;
            w.write_event(Event::Text(BytesText::new(text)))
                .map_err(xml_err)?;
            w.write_event(Event::End(BytesEnd::new("note")))
                .map_err(xml_err)?;
        }
        w.write_event(Event::End(BytesEnd::new("notes")))
            .map_err(xml_err)?;
        let mut seg = BytesStart::new("segment");
        seg.push_attribute(("state", if current { "translated" } else { "initial" }));
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
    Ok((out, counts))
}

pub(super) fn entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => return None,
    })
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
    // Whether the unit's segment is still `initial` (not yet translated).
    let mut initial = false;
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
                initial = false;
            }
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"segment" => {
                initial |= attr(&e, b"state").as_deref() == Some("initial");
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
                    if initial {
                        out.initial.insert(id.clone());
                    }
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
