//! Reading a translated DOCX handout: every text sits in a content control
//! titled with its id, so a translator's Word or CAT tool keeps them apart.
//! Emphasis and strong runs (the `Emphasis` and `Strong` styles, or italic
//! and bold set directly), hyperlinks and line breaks come back as the text's
//! markup.

use super::xliff::entity;
use super::{Imported, attr, bad_file, normalise};
use crate::diag::Error;
use crate::markup::Piece;
use quick_xml::events::Event;
use std::path::Path;

/// Reads a translated handout: the text of each content control, by its tag
/// (or, where an editor dropped the tag, by the id at the start of its title;
/// or, where an editor dropped both, by the bookmark named for its id
/// around it), in the body and in the footers. `content` gives the ids.
pub fn read_docx(
    path: &Path,
    bytes: &[u8],
    content: &crate::content::Content,
) -> Result<Imported, Error> {
    let marks: std::collections::HashMap<String, String> = super::units(content)
        .into_iter()
        .map(|u| (super::bookmark(&u.id), u.id))
        .collect();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| bad_file(path, "a DOCX file", e))?;
    let mut parts: Vec<String> = z
        .file_names()
        .filter(|n| n.starts_with("word/footer") && n.ends_with(".xml"))
        .map(str::to_string)
        .collect();
    parts.sort();
    parts.insert(0, "word/document.xml".into());
    let mut out = Imported::default();
    for part in parts {
        let mut xml = String::new();
        std::io::Read::read_to_string(
            &mut z
                .by_name(&part)
                .map_err(|e| bad_file(path, "a DOCX file", e))?,
            &mut xml,
        )
        .map_err(|e| bad_file(path, "a DOCX file", e))?;
        // The part's relationships: where its hyperlinks go.
        let rels_name = match part.rsplit_once('/') {
            Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
            None => format!("_rels/{part}.rels"),
        };
        let mut rels = String::new();
        if let Ok(mut f) = z.by_name(&rels_name) {
            std::io::Read::read_to_string(&mut f, &mut rels)
                .map_err(|e| bad_file(path, "a DOCX file", e))?;
        }
        read_controls(path, &xml, &targets(&rels), &marks, &mut out)?;
        read_descriptions(&xml, &marks, &mut out);
    }
    Ok(out)
}

/// The description of each picture named by a unit id (its alternative
/// text, which Word edits as "Alt Text" and CAT tools offer to translate).
fn read_descriptions(
    xml: &str,
    marks: &std::collections::HashMap<String, String>,
    out: &mut Imported,
) {
    let mut r = quick_xml::Reader::from_str(xml);
    while let Ok(ev) = r.read_event() {
        match ev {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"docPr" => {
                let (Some(name), Some(descr)) = (attr(&e, b"name"), attr(&e, b"descr")) else {
                    continue;
                };
                if marks.values().any(|id| *id == name) && !descr.trim().is_empty() {
                    out.texts.insert(name, normalise(&descr));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
}

/// Each relationship's id and target (hyperlinks' addresses among them).
fn targets(rels: &str) -> std::collections::HashMap<String, String> {
    let mut out = std::collections::HashMap::new();
    let mut r = quick_xml::Reader::from_str(rels);
    while let Ok(ev) = r.read_event() {
        match ev {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"Relationship" => {
                if let (Some(id), Some(t)) = (attr(&e, b"Id"), attr(&e, b"Target")) {
                    out.insert(id, t);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// The styling of the run being read.
#[derive(Default, Clone, Copy)]
struct RunStyle {
    emphasis: bool,
    strong: bool,
}

/// Whether a toggle property (`<w:i/>`, `<w:b w:val="0"/>`) is on.
fn on(e: &quick_xml::events::BytesStart) -> bool {
    !matches!(
        attr(e, b"val").as_deref(),
        Some("0" | "false" | "off" | "none")
    )
}

/// Adds the text of each content control of a part to `out`, its styling as
/// markup; `rels` gives hyperlinks' addresses.
fn read_controls(
    path: &Path,
    xml: &str,
    rels: &std::collections::HashMap<String, String>,
    marks: &std::collections::HashMap<String, String>,
    out: &mut Imported,
) -> Result<(), Error> {
    // The id a bookmark names, if one was met since the last control ended.
    let mut marked: Option<String> = None;
    let mut r = quick_xml::Reader::from_str(xml);
    // A stack of open content controls: (id, the pieces of its text so far).
    let mut stack: Vec<(Option<String>, Vec<Piece>)> = Vec::new();
    let mut in_pr = false;
    let mut in_t = false;
    let mut in_run_pr = false;
    let mut run = RunStyle::default();
    let mut link: Option<String> = None;
    let add = |stack: &mut Vec<(Option<String>, Vec<Piece>)>,
               text: &str,
               run: RunStyle,
               link: &Option<String>| {
        if let Some(top) = stack.last_mut() {
            match top.1.last_mut() {
                Some(Piece::Text {
                    text: t,
                    emphasis,
                    strong,
                    link: l,
                }) if *emphasis == run.emphasis && *strong == run.strong && l == link => {
                    t.push_str(text)
                }
                _ => top.1.push(Piece::Text {
                    text: text.to_string(),
                    emphasis: run.emphasis,
                    strong: run.strong,
                    link: link.clone(),
                }),
            }
        }
    };
    loop {
        match r
            .read_event()
            .map_err(|e| bad_file(path, "a DOCX file", e))?
        {
            Event::Start(e) if e.local_name().as_ref() == b"sdt" => stack.push((None, Vec::new())),
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
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"bookmarkStart" => {
                if let Some(id) = attr(&e, b"name").and_then(|n| marks.get(&n)) {
                    marked = Some(id.clone());
                }
            }
            Event::Start(e) if e.local_name().as_ref() == b"r" => run = RunStyle::default(),
            Event::Start(e) if e.local_name().as_ref() == b"rPr" => in_run_pr = true,
            Event::End(e) if e.local_name().as_ref() == b"rPr" => in_run_pr = false,
            Event::Start(e) | Event::Empty(e) if in_run_pr && !in_pr => {
                match e.local_name().as_ref() {
                    b"rStyle" => match attr(&e, b"val").as_deref() {
                        Some("Emphasis") => run.emphasis = true,
                        Some("Strong") => run.strong = true,
                        _ => {}
                    },
                    b"i" => run.emphasis |= on(&e),
                    b"b" => run.strong |= on(&e),
                    _ => {}
                }
            }
            Event::Start(e) if e.local_name().as_ref() == b"hyperlink" => {
                link = attr(&e, b"id").and_then(|id| rels.get(&id).cloned());
            }
            Event::End(e) if e.local_name().as_ref() == b"hyperlink" => link = None,
            Event::Start(e) | Event::Empty(e)
                if e.local_name().as_ref() == b"br"
                    && attr(&e, b"type").is_none_or(|t| t == "textWrapping") =>
            {
                if let Some(top) = stack.last_mut() {
                    top.1.push(Piece::Break);
                }
            }
            Event::Start(e) if e.local_name().as_ref() == b"t" => in_t = true,
            Event::End(e) if e.local_name().as_ref() == b"t" => in_t = false,
            Event::Text(t) if in_t => {
                let text = t.decode().map_err(|e| bad_file(path, "a DOCX file", e))?;
                add(&mut stack, &text, run, &link);
            }
            Event::GeneralRef(g) if in_t => {
                let name = g.decode().map_err(|e| bad_file(path, "a DOCX file", e))?;
                if let Some(c) = g
                    .resolve_char_ref()
                    .ok()
                    .flatten()
                    .or_else(|| entity(&name))
                {
                    add(&mut stack, c.encode_utf8(&mut [0; 4]), run, &link);
                }
            }
            Event::End(e) if e.local_name().as_ref() == b"sdt" => {
                let popped = stack
                    .pop()
                    .map(|(id, pieces)| (id.or(marked.take()), pieces));
                marked = None;
                if let Some((Some(id), pieces)) = popped {
                    let text = normalise(&crate::markup::write(&pieces));
                    if !text.trim().is_empty() {
                        out.texts.insert(id, text);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(())
}
