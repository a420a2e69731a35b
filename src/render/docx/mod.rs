//! The DOCX writer: named Word styles (no direct formatting), real numbering for
//! the message list, one paragraph per message in one run, the footer in the
//! footer part, the document language, and core properties. Word lays out the
//! text itself, so this writer takes the `Document`, not positioned pages.

use crate::doc::{Document, Para, TextStyle};
use crate::layout::Align;
use crate::project::Logo;
mod inline;
mod pictures;
use pictures::{LOGO_ID, PICTURE_ID, jpegs_apart, picture_paragraph, with_picture_descriptions};
mod order;
mod theme;

use crate::cache::Caches;

use docx_rs::{
    AbstractNumbering, AlignmentType, Docx, Footer, IndentLevel, Level, LevelJc, LevelText,
    LineSpacing, LineSpacingType, NumberFormat, Numbering, NumberingId, PageMargin, Paragraph,
    RunFonts, SpecialIndentType, Start, Style, StyleType,
};

/// Points to twentieths of a point, Word's unit for spacing and page size.
fn twips(pt: f32) -> i32 {
    (pt * 20.0).round() as i32
}

/// A Word style id from its name: `Heading 1` -> `Heading1`.
pub fn style_id(name: &str) -> String {
    name.chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}

/// docx-rs always writes a default list as number 1; ours is the next.
const LIST_NUM: usize = 2;

pub fn write(
    doc: &Document,
    logo: Option<&Logo>,
    epoch: i64,
    caches: &Caches,
) -> Result<Vec<u8>, String> {
    let m = doc.margins;
    let mut docx = Docx::new()
        .page_size(twips(doc.page_width) as u32, twips(doc.page_height) as u32)
        .page_margin(
            PageMargin::new()
                .top(twips(m.top))
                .bottom(twips(m.bottom))
                .left(twips(m.left))
                .right(twips(m.right))
                .header(twips(m.top / 2.0))
                .footer(twips(m.bottom / 2.0)),
        );
    if let Some(normal) = doc.styles.get("Normal") {
        docx = docx
            .default_fonts(fonts(normal))
            .default_size((normal.size * 2.0).round() as usize);
    }
    // docx-rs starts with a plain `Normal`; ours replaces it rather than duplicating the id.
    let ours: Vec<String> = doc.styles.keys().map(|n| style_id(n)).collect();
    docx.styles.styles.retain(|s| !ours.contains(&s.style_id));
    for (name, st) in &doc.styles {
        docx = docx.add_style(word_style(name, st));
    }
    let link_colour = doc
        .styles
        .get("Title")
        .map(|s| s.colour.rgb.hex())
        .unwrap_or_else(|| "0563C1".into());
    for st in inline::character_styles(&link_colour) {
        if !ours.contains(&st.style_id) {
            docx.styles.styles.retain(|s| s.style_id != st.style_id);
            docx = docx.add_style(st);
        }
    }
    let mut link_ids = inline::LinkIds::default();
    // The message list's numbers come from numbering.xml, so a translator's tool
    // sees the text alone and Word renumbers if a message is added.
    let list_indent = doc
        .body
        .iter()
        .find_map(|p| match p {
            Para::Numbered { indent, style, .. } => {
                Some(indent.unwrap_or_else(|| doc.styles[style].size * 2.0))
            }
            _ => None,
        })
        .unwrap_or(18.0);
    docx = docx
        .add_abstract_numbering(
            AbstractNumbering::new(LIST_NUM).add_level(
                Level::new(
                    0,
                    Start::new(1),
                    NumberFormat::new("decimal"),
                    LevelText::new("%1."),
                    LevelJc::new("left"),
                )
                .indent(
                    Some(twips(list_indent)),
                    Some(SpecialIndentType::Hanging(twips(list_indent))),
                    None,
                    None,
                ),
            ),
        )
        .add_numbering(Numbering::new(LIST_NUM, LIST_NUM));

    // Each text in its own content control, titled with its id and where it
    // appears, so translators' tools see one segment per text and a translated
    // handout can be read back by id.
    for p in &doc.body {
        if let Some(par) = paragraph(p, doc, logo, Some(&mut link_ids)) {
            match unit_of(p) {
                Some(unit) => {
                    let note = doc.notes.get(unit).map(String::as_str).unwrap_or("");
                    docx = docx.add_structured_data_tag(
                        docx_rs::StructuredDataTag::new()
                            .alias(format!("{unit}{TITLE_SEP}{note}"))
                            .add_paragraph(par),
                    );
                }
                None => docx = docx.add_paragraph(par),
            }
        }
    }
    for (id, address) in link_ids.0 {
        docx.document_rels = docx.document_rels.add_hyperlinks(id, address, "External");
    }
    let mut footer = Footer::new();
    // The footer's texts, in order, each with its content control's id and title.
    let mut footer_controls = Vec::new();
    for p in &doc.footer {
        if let Some(par) = paragraph(p, doc, logo, None) {
            footer = footer.add_paragraph(par);
            footer_controls.push(unit_of(p).map(|unit| {
                let note = doc.notes.get(unit).map(String::as_str).unwrap_or("");
                (unit.to_string(), format!("{unit}{TITLE_SEP}{note}"))
            }));
        }
    }
    if !doc.footer.is_empty() {
        docx = docx.footer(footer);
    }

    let mut xml = docx.build();
    xml.document = with_control_tags(&xml.document)?;
    xml.document = controls_inside_paragraphs(&xml.document);
    xml.document = with_picture_descriptions(&xml.document, &doc.body);
    if crate::text::rtl_language(&doc.language) {
        xml.document = right_to_left(&xml.document);
        for f in xml.footers.iter_mut() {
            *f = right_to_left(f);
        }
    }
    for f in xml.footers.iter_mut() {
        *f = with_footer_controls(f, &footer_controls)?;
    }
    xml.doc_props.core = core_xml(doc, epoch).into_bytes();
    xml.styles = with_language(&xml.styles, &doc.language);
    if doc.styles.contains_key("Normal") {
        xml.styles = without_blank_normal(&xml.styles);
    }
    // In the order the schema gives, so Word opens it without repairs.
    xml.document = order::in_schema_order(&xml.document, false)?;
    for f in xml.footers.iter_mut() {
        *f = order::in_schema_order(f, false)?;
    }
    // The same in every handout of a layout and language: put in order once.
    for (part, general) in [
        (&mut xml.styles, true),
        (&mut xml.numberings, true),
        (&mut xml.settings, false),
    ] {
        *part = order::in_schema_order_cached(part, general, caches)?;
    }
    theme::declare(&mut xml.content_type, &mut xml.document_rels);
    let jpegs = jpegs_apart(&mut xml, &doc.body);
    let mut out = std::io::Cursor::new(Vec::new());
    xml.pack(&mut out)
        .map_err(|e| format!("cannot write DOCX: {e}"))?;
    let family = |name: &str| {
        doc.styles
            .get(name)
            .or_else(|| doc.styles.get("Normal"))
            .map(|s| s.family.clone())
            .unwrap_or_default()
    };
    let primary = doc
        .styles
        .get("Title")
        .map(|s| s.colour.rgb.hex().trim_start_matches('#').to_uppercase())
        .unwrap_or_else(|| "000000".into());
    theme::add(
        out.into_inner(),
        &family("Title"),
        &family("Normal"),
        &primary,
        &jpegs,
    )
}

/// The style's fonts: its family, and for complex scripts (Arabic,
/// Devanagari) the family that has them.
fn fonts(st: &TextStyle) -> RunFonts {
    RunFonts::new()
        .ascii(&st.family)
        .hi_ansi(&st.family)
        .cs(&st.script_family)
        .east_asia(&st.family)
}

/// Marks every paragraph of a right-to-left document `w:bidi` and every
/// run but those of Latin letters alone `w:rtl` (Word then orders the line
/// right to left, puts list numbers on the right, and sets the runs in the
/// complex-script font and language).
/// Whether the run starting `xml` holds letters of left-to-right scripts
/// and none of right-to-left ones.
fn latin_run(xml: &str) -> bool {
    let run = &xml[..xml.find("</w:r>").unwrap_or(xml.len())];
    let text = run.split("<w:t").skip(1).filter_map(|t| {
        let body = &t[t.find('>')? + 1..];
        Some(&body[..body.find('<').unwrap_or(body.len())])
    });
    let (mut ltr, mut rtl) = (false, false);
    for c in text.flat_map(str::chars) {
        rtl |= crate::text::strong_rtl(c);
        ltr |= c.is_alphabetic() && !crate::text::strong_rtl(c);
    }
    ltr && !rtl
}

fn right_to_left(document: &[u8]) -> Vec<u8> {
    let xml = String::from_utf8_lossy(document);
    let mut out = String::with_capacity(xml.len() + xml.len() / 8);
    let mut rest: &str = &xml;
    while let Some(at) = rest.find(['<']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(r) = rest.strip_prefix("<w:pPr>") {
            out.push_str("<w:pPr><w:bidi />");
            rest = r;
        } else if rest.starts_with("<w:r>") && latin_run(rest) {
            out.push_str("<w:r>");
            rest = &rest[5..];
        } else if let Some(r) = rest.strip_prefix("<w:r><w:rPr />") {
            out.push_str("<w:r><w:rPr><w:rtl /></w:rPr>");
            rest = r;
        } else if let Some(r) = rest.strip_prefix("<w:r><w:rPr>") {
            out.push_str("<w:r><w:rPr><w:rtl />");
            rest = r;
        } else if let Some(r) = rest.strip_prefix("<w:r>") {
            out.push_str("<w:r><w:rPr><w:rtl /></w:rPr>");
            rest = r;
        } else {
            out.push('<');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out.into_bytes()
}

fn word_style(name: &str, st: &TextStyle) -> Style {
    let mut s = Style::new(style_id(name), StyleType::Paragraph)
        .name(name)
        .fonts(fonts(st))
        .size((st.size * 2.0).round() as usize)
        .color(st.colour.rgb.hex())
        .line_spacing(
            LineSpacing::new()
                .before(twips(st.space_before) as u32)
                .after(twips(st.space_after) as u32)
                .line(twips(st.leading))
                .line_rule(LineSpacingType::AtLeast),
        )
        .align(match st.align {
            Align::Start => AlignmentType::Start,
            Align::End => AlignmentType::End,
            Align::Left => AlignmentType::Left,
            Align::Center => AlignmentType::Center,
            Align::Right => AlignmentType::Right,
            Align::Justify => AlignmentType::Both,
        })
        .q_format(true);
    if name != "Normal" {
        s = s.based_on("Normal").next("Normal");
    }
    if st.bold {
        s = s.bold();
    }
    if st.italic {
        s = s.italic();
    }
    // Keep a heading with what follows, a paragraph on one page, as the layout says.
    s.paragraph_property = s
        .paragraph_property
        .keep_next(st.keep_with_next)
        .keep_lines(st.keep_together);
    if let Some(level) = name
        .strip_prefix("Heading ")
        .and_then(|n| n.parse::<usize>().ok())
    {
        s = s.outline_lvl(level.saturating_sub(1));
    }
    s
}

fn paragraph(
    p: &Para,
    doc: &Document,
    logo: Option<&Logo>,
    links: Option<&mut inline::LinkIds>,
) -> Option<Paragraph> {
    let upper = |style: &str| doc.styles.get(style).is_some_and(|s| s.uppercase);
    // A picture's paragraph is a body paragraph (tools that list styles
    // find one on every paragraph).
    let in_normal = |par: Paragraph| match doc.styles.contains_key("Normal") {
        true => par.style(&style_id("Normal")),
        false => par,
    };
    match p {
        Para::Text { text, style, .. } => Some(inline::add_text(
            Paragraph::new().style(&style_id(style)),
            text,
            upper(style),
            links,
        )),
        Para::Numbered { text, style, .. } => Some(inline::add_text(
            Paragraph::new()
                .style(&style_id(style))
                .numbering(NumberingId::new(LIST_NUM), IndentLevel::new(0)),
            text,
            upper(style),
            links,
        )),
        // A handout prints the address itself (`show: organisation.url`):
        // Word has no vector QR code to carry.
        Para::Qr { .. } => None,
        // The logo, `height` tall, in a paragraph of its own; its description
        // is added after (`with_picture_descriptions`).
        Para::Logo { height, .. } => logo.map(|l| {
            let w = height * l.picture.width as f32 / l.picture.height as f32;
            in_normal(picture_paragraph(&l.picture, w, *height, LOGO_ID))
        }),
        // The picture across the text's width (no taller than the layout's
        // `height`), in a paragraph of its own.
        Para::Picture {
            picture, height, ..
        } => {
            let measure = doc.page_width - doc.margins.left - doc.margins.right;
            let (iw, ih) = (picture.width as f32, picture.height as f32);
            let scale = (measure / iw).min(height.map_or(f32::INFINITY, |h| h / ih));
            let par = picture_paragraph(picture, iw * scale, ih * scale, PICTURE_ID);
            Some(in_normal(par))
        }
        // Rules and spacing are print decoration; a handout keeps to text.
        Para::Space(_) | Para::Rule { .. } => None,
    }
}

/// Separates the id from the note in a content control's title.
pub const TITLE_SEP: &str = " — ";

fn unit_of(p: &Para) -> Option<&str> {
    match p {
        Para::Text { origin, .. } | Para::Numbered { origin, .. } if !origin.unit.is_empty() => {
            Some(&origin.unit)
        }
        _ => None,
    }
}

/// Puts each text of the footer in a content control, as the body's are
/// (docx-rs has none for footers): `controls` gives, for each paragraph of
/// the footer in order, its id and title, or `None`.
fn with_footer_controls(
    footer: &[u8],
    controls: &[Option<(String, String)>],
) -> Result<Vec<u8>, String> {
    use quick_xml::events::{BytesEnd, BytesStart, Event};
    let bad = |e: &dyn std::fmt::Display| format!("cannot write the DOCX footer: {e}");
    let mut r = quick_xml::Reader::from_reader(footer);
    let mut w = quick_xml::Writer::new(Vec::with_capacity(footer.len() + 1024));
    let (mut depth, mut k) = (0usize, 0usize);
    let mut buf = Vec::new();
    let mut open: Option<usize> = None;
    loop {
        let ev = r.read_event_into(&mut buf).map_err(|e| bad(&e))?;
        match &ev {
            Event::Start(e) if depth == 1 && e.local_name().as_ref() == b"p" => {
                if let Some(Some((id, title))) = controls.get(k) {
                    w.write_event(Event::Start(BytesStart::new("w:sdt")))
                        .map_err(|e| bad(&e))?;
                    w.write_event(Event::Start(BytesStart::new("w:sdtPr")))
                        .map_err(|e| bad(&e))?;
                    let mut alias = BytesStart::new("w:alias");
                    alias.push_attribute(("w:val", title.as_str()));
                    w.write_event(Event::Empty(alias)).map_err(|e| bad(&e))?;
                    let mut tag = BytesStart::new("w:tag");
                    tag.push_attribute(("w:val", id.as_str()));
                    w.write_event(Event::Empty(tag)).map_err(|e| bad(&e))?;
                    w.write_event(Event::End(BytesEnd::new("w:sdtPr")))
                        .map_err(|e| bad(&e))?;
                    w.write_event(Event::Start(BytesStart::new("w:sdtContent")))
                        .map_err(|e| bad(&e))?;
                    open = Some(depth);
                }
                k += 1;
            }
            _ => {}
        }
        let closes_p =
            matches!(&ev, Event::End(e) if depth == 2 && e.local_name().as_ref() == b"p");
        match &ev {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Eof => break,
            _ => {}
        }
        w.write_event(ev).map_err(|e| bad(&e))?;
        if closes_p && open.take().is_some() {
            w.write_event(Event::End(BytesEnd::new("w:sdtContent")))
                .map_err(|e| bad(&e))?;
            w.write_event(Event::End(BytesEnd::new("w:sdt")))
                .map_err(|e| bad(&e))?;
        }
        buf.clear();
    }
    Ok(w.into_inner())
}

/// Moves each text's content control inside its paragraph, around its runs,
/// with a bookmark named for its id around it:
/// `<w:sdt>…<w:sdtContent><w:p><w:pPr/>runs</w:p>` becomes
/// `<w:p><w:pPr/><w:bookmarkStart/><w:sdt>…<w:sdtContent>runs</w:sdtContent></w:sdt><w:bookmarkEnd/></w:p>`.
/// Word and CAT tools read either. LibreOffice (7.4) flattens a paragraph
/// inside a block-level control to plain text, losing emphasis, strong and
/// links (a link shows its field code), and keeps them in an inline one; but
/// it saves an inline control without its title and tag, so the bookmark
/// carries the id back (`translate::bookmark`). docx-rs writes only the
/// block-level form.
fn controls_inside_paragraphs(document: &[u8]) -> Vec<u8> {
    let xml = String::from_utf8_lossy(document);
    let mut out = String::with_capacity(xml.len() + 4096);
    let mut rest: &str = &xml;
    const OPEN: &str = "<w:sdt><w:sdtPr>";
    const CONTENT: &str = "<w:sdtContent>";
    const CLOSE: &str = "</w:sdtContent></w:sdt>";
    const TAG: &str = "<w:tag w:val=\"";
    let mut marks = 0;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let sdt = &rest[at..];
        // The control's properties, its one paragraph, and the control's end.
        let parts = sdt.find(CONTENT).and_then(|c| {
            let inner = &sdt[c + CONTENT.len()..];
            let end = inner.find(CLOSE)?;
            let para = &inner[..end];
            para.strip_prefix("<w:p")?;
            let ppr_end = para.find("</w:pPr>")? + "</w:pPr>".len();
            let runs = para[ppr_end..].strip_suffix("</w:p>")?;
            (!runs.contains("<w:p ")).then_some((
                &sdt[..c],
                &para[..ppr_end],
                runs,
                c + CONTENT.len() + end + CLOSE.len(),
            ))
        });
        match parts {
            Some((props, head, runs, len)) => {
                let id = props
                    .find(TAG)
                    .and_then(|t| props[t + TAG.len()..].split('"').next())
                    .unwrap_or("");
                out.push_str(head);
                marks += 1;
                out.push_str(&format!(
                    "<w:bookmarkStart w:id=\"{marks}\" w:name=\"{}\"/>",
                    crate::translate::bookmark(id)
                ));
                out.push_str(props);
                out.push_str(CONTENT);
                out.push_str(runs);
                out.push_str(CLOSE);
                out.push_str(&format!("<w:bookmarkEnd w:id=\"{marks}\"/>"));
                out.push_str("</w:p>");
                rest = &sdt[len..];
            }
            None => {
                out.push_str(OPEN);
                rest = &sdt[OPEN.len()..];
            }
        }
    }
    out.push_str(rest);
    out.into_bytes()
}

/// Gives each content control a `w:tag` with its id (docx-rs writes only the
/// title, `w:alias`): rewritten with an XML reader and writer, not by hand.
fn with_control_tags(document: &[u8]) -> Result<Vec<u8>, String> {
    use quick_xml::events::{BytesStart, Event};
    let mut r = quick_xml::Reader::from_reader(document);
    let mut w = quick_xml::Writer::new(Vec::with_capacity(document.len() + 4096));
    let mut buf = Vec::new();
    let fail = |e: &dyn std::fmt::Display| format!("cannot tag the content controls: {e}");
    loop {
        let ev = r.read_event_into(&mut buf).map_err(|e| fail(&e))?;
        match &ev {
            Event::Eof => break,
            Event::Empty(e) if e.name().as_ref() == b"w:alias" => {
                let title = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.as_ref() == b"w:val")
                    .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
                    .unwrap_or_default();
                w.write_event(ev.borrow()).map_err(|e| fail(&e))?;
                let id = title.split(TITLE_SEP).next().unwrap_or("");
                let mut tag = BytesStart::new("w:tag");
                tag.push_attribute(("w:val", id));
                w.write_event(Event::Empty(tag)).map_err(|e| fail(&e))?;
            }
            _ => w.write_event(ev.borrow()).map_err(|e| fail(&e))?,
        }
        buf.clear();
    }
    Ok(w.into_inner())
}

/// docProps/core.xml with title, creator and language (docx-rs cannot set them).
fn core_xml(doc: &Document, epoch: i64) -> String {
    let date = crate::text::timestamps(epoch).0;
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{}</dc:title><dc:creator>{}</dc:creator><cp:lastModifiedBy>leafpress</cp:lastModifiedBy><dc:language>{}</dc:language><cp:revision>1</cp:revision><dcterms:created xsi:type="dcterms:W3CDTF">{date}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{date}</dcterms:modified></cp:coreProperties>"#,
        crate::text::escape_xml(&doc.title),
        crate::text::escape_xml(&doc.author),
        crate::text::escape_xml(&doc.language)
    )
}

/// docx-rs writes a blank `Normal` before the document's own styles; with ours
/// also present the id would be defined twice, so the blank one goes.
fn without_blank_normal(styles: &[u8]) -> Vec<u8> {
    const BLANK: &str = r#"<w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal" /><w:rPr /><w:pPr><w:rPr /></w:pPr><w:qFormat /></w:style>"#;
    String::from_utf8_lossy(styles)
        .replacen(BLANK, "", 1)
        .into_bytes()
}

/// Adds `<w:lang>` to the document defaults in styles.xml, so Word and CAT tools
/// know the source language (docx-rs has no setter for it). `w:lang` is the last
/// of the run properties it may sit among, so it goes just before `</w:rPr>`.
fn with_language(styles: &[u8], lang: &str) -> Vec<u8> {
    let xml = String::from_utf8_lossy(styles);
    let lang_el = format!(
        r#"<w:lang w:val="{0}" w:eastAsia="{0}" w:bidi="{0}" />"#,
        crate::text::escape_xml(lang)
    );
    if let Some(start) = xml.find("<w:rPrDefault>")
        && let Some(rel) = xml[start..].find("</w:rPr>")
    {
        let at = start + rel;
        let mut out = String::with_capacity(xml.len() + lang_el.len());
        out.push_str(&xml[..at]);
        out.push_str(&lang_el);
        out.push_str(&xml[at..]);
        return out.into_bytes();
    }
    styles.to_vec()
}
