//! XLIFF 2.1 for CAT tools: a file with one unit per text (its stable id, a
//! note saying where it appears, existing translations as targets), and
//! reading a translated one back.

use super::codes::{self, Read};
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
        // The text's markup as inline codes, the links' addresses apart.
        let tree = |text: &str| {
            let text = normalise(text);
            crate::markup::tree(&text).unwrap_or_else(|_| vec![crate::markup::Node::Text(text)])
        };
        let source = tree(&u.text);
        let codes = codes::source_codes(&source);
        codes::write_original_data(&mut w, &codes)?;
        let mut seg = BytesStart::new("segment");
        seg.push_attribute(("state", if current { "translated" } else { "initial" }));
        w.write_event(Event::Start(seg)).map_err(xml_err)?;
        w.write_event(Event::Start(BytesStart::new("source")))
            .map_err(xml_err)?;
        codes::write(&mut w, &source, &codes)?;
        w.write_event(Event::End(BytesEnd::new("source")))
            .map_err(xml_err)?;
        if let Some(t) = target {
            w.write_event(Event::Start(BytesStart::new("target")))
                .map_err(xml_err)?;
            codes::write(&mut w, &tree(&t.text), &codes)?;
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

/// An open code being read (its id and kind; none for the source or target
/// itself) and what it holds so far.
type Frame = (Option<(String, Option<codes::Code>)>, Vec<Read>);

/// Reads an XLIFF 2.x file: `trgLang` and each unit's target text, its
/// inline codes back as markup. A target that drops, makes up or repeats a
/// code of its source is an error naming the unit and the code; all of them
/// are listed at once.
pub fn read_xliff(path: &Path, xml: &str) -> Result<Imported, Error> {
    let mut r = quick_xml::Reader::from_str(xml);
    let mut out = Imported::default();
    let mut unit: Option<String> = None;
    let mut saw_root = false;
    // Whether the unit's segment is still `initial` (not yet translated).
    let mut initial = false;
    // The unit's original data (link addresses), by id.
    let mut data: std::collections::HashMap<String, String> = Default::default();
    let mut data_id: Option<String> = None;
    // What is being read: a source or target's content, as a stack of open codes.
    let mut frames: Vec<Frame> = Vec::new();
    let mut reading: Option<bool> = None; // Some(true): target, Some(false): source
    let (mut source, mut target): (Vec<Read>, Vec<Read>) = (Vec::new(), Vec::new());
    let mut problems: Vec<String> = Vec::new();
    let bad = |e: &dyn std::fmt::Display| bad_file(path, "an XLIFF file", e);
    let push_text = |frames: &mut Vec<Frame>, t: &str| {
        if let Some((_, items)) = frames.last_mut() {
            match items.last_mut() {
                Some(Read::Text(s)) => s.push_str(t),
                _ => items.push(Read::Text(t.to_string())),
            }
        }
    };
    loop {
        match r.read_event().map_err(|e| bad(&e))? {
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
                initial = false;
                data.clear();
                source.clear();
                target.clear();
            }
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"segment" => {
                initial |= attr(&e, b"state").as_deref() == Some("initial");
            }
            Event::Start(e) if e.local_name().as_ref() == b"data" => data_id = attr(&e, b"id"),
            Event::End(e) if e.local_name().as_ref() == b"data" => data_id = None,
            Event::Text(t) if data_id.is_some() && reading.is_none() => {
                let v = t.decode().map_err(|e| bad(&e))?;
                if let Some(id) = &data_id {
                    data.entry(id.clone()).or_default().push_str(&v);
                }
            }
            Event::Start(e) if matches!(e.local_name().as_ref(), b"source" | b"target") => {
                reading = Some(e.local_name().as_ref() == b"target");
                frames = vec![(None, Vec::new())];
            }
            Event::End(e) if matches!(e.local_name().as_ref(), b"source" | b"target") => {
                let items = frames.drain(..).next().map(|f| f.1).unwrap_or_default();
                if reading == Some(true) {
                    target.extend(items);
                } else {
                    source.extend(items);
                }
                reading = None;
            }
            Event::Start(e) if reading.is_some() && e.local_name().as_ref() == b"pc" => {
                let id = attr(&e, b"id").unwrap_or_default();
                frames.push((Some((id, codes::kind_of(&e, &data))), Vec::new()));
            }
            Event::End(e) if reading.is_some() && e.local_name().as_ref() == b"pc" => {
                if frames.len() > 1
                    && let Some((Some((id, kind)), children)) = frames.pop()
                    && let Some((_, items)) = frames.last_mut()
                {
                    items.push(Read::Code {
                        id,
                        kind,
                        children: Some(children),
                    });
                }
            }
            Event::Empty(e) if reading.is_some() && e.local_name().as_ref() == b"ph" => {
                let id = attr(&e, b"id").unwrap_or_default();
                let kind = codes::kind_of(&e, &data);
                if let Some((_, items)) = frames.last_mut() {
                    items.push(Read::Code {
                        id,
                        kind,
                        children: None,
                    });
                }
            }
            Event::Text(t) if reading.is_some() => {
                push_text(&mut frames, &t.decode().map_err(|e| bad(&e))?)
            }
            Event::CData(t) if reading.is_some() => {
                push_text(&mut frames, &String::from_utf8_lossy(&t))
            }
            Event::GeneralRef(g) if reading.is_some() => {
                let name = g.decode().map_err(|e| bad(&e))?;
                match g
                    .resolve_char_ref()
                    .ok()
                    .flatten()
                    .or_else(|| entity(&name))
                {
                    Some(c) => push_text(&mut frames, c.encode_utf8(&mut [0; 4])),
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
                let Some(id) = unit.take() else { continue };
                if target.is_empty() {
                    continue;
                }
                match codes::resolve(&target, &codes::read_codes(&source)) {
                    Ok(nodes) => {
                        let text = normalise(&crate::markup::write_tree(&nodes));
                        if !text.trim().is_empty() {
                            if initial {
                                out.initial.insert(id.clone());
                            }
                            out.texts.insert(id, text);
                        }
                    }
                    Err(p) => problems.extend(p.into_iter().map(|p| format!("unit `{id}`: {p}"))),
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
    if !problems.is_empty() {
        return Err(Error::Input(
            problems
                .into_iter()
                .map(|p| {
                    crate::diag::Diagnostic::error(path, format!("the translation's inline codes do not match its source: {p}"))
                        .with_hint("keep every tag of the source text in the translation (they may move); restore the missing ones from the source, and remove tags the source does not have")
                })
                .collect(),
        ));
    }
    Ok(out)
}
