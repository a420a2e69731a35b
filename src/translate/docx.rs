//! Reading a translated DOCX handout: every text sits in a content control
//! titled with its id, so a translator's Word or CAT tool keeps them apart.

use super::xliff::entity;
use super::{Imported, attr, bad_file, normalise};
use crate::diag::Error;
use quick_xml::events::Event;
use std::path::Path;

/// Reads a translated handout: the text of each content control, by its tag
/// (or, where an editor dropped the tag, by the id at the start of its title),
/// in the body and in the footers.
pub fn read_docx(path: &Path, bytes: &[u8]) -> Result<Imported, Error> {
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
        read_controls(path, &xml, &mut out)?;
    }
    Ok(out)
}

/// Adds the text of each content control of a part to `out`.
fn read_controls(path: &Path, xml: &str, out: &mut Imported) -> Result<(), Error> {
    let mut r = quick_xml::Reader::from_str(xml);
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
    Ok(())
}
