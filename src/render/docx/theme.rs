//! The handout's theme part (`word/theme/theme1.xml`): the schema requires a
//! main document to have one, and docx-rs writes none. It names the brand's
//! fonts and colours, so Word's theme pickers offer them.

use std::io::Write;

/// The theme's XML: `heading` and `body` fonts, the brand's `primary` colour
/// as `RRGGBB` (its dark text colour, first two accents and links).
fn theme_xml(heading: &str, body: &str, primary: &str) -> String {
    let font = |f: &str| crate::text::escape_xml(f);
    let accents: String = [primary, primary, "6D6E71", "A5A5A5", "4472C4", "70AD47"]
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(
                r#"<a:accent{n}><a:srgbClr val="{c}"/></a:accent{n}>"#,
                n = i + 1
            )
        })
        .collect();
    let three = |x: &str| x.repeat(3);
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" name="leafpress">"#,
            r#"<a:themeElements><a:clrScheme name="leafpress">"#,
            r#"<a:dk1><a:sysClr val="windowText" lastClr="000000"/></a:dk1>"#,
            r#"<a:lt1><a:sysClr val="window" lastClr="FFFFFF"/></a:lt1>"#,
            r#"<a:dk2><a:srgbClr val="{primary}"/></a:dk2><a:lt2><a:srgbClr val="EEF0F3"/></a:lt2>"#,
            r#"{accents}<a:hlink><a:srgbClr val="{primary}"/></a:hlink>"#,
            r#"<a:folHlink><a:srgbClr val="6D6E71"/></a:folHlink></a:clrScheme>"#,
            r#"<a:fontScheme name="leafpress">"#,
            r#"<a:majorFont><a:latin typeface="{heading}"/><a:ea typeface=""/><a:cs typeface=""/></a:majorFont>"#,
            r#"<a:minorFont><a:latin typeface="{body}"/><a:ea typeface=""/><a:cs typeface=""/></a:minorFont>"#,
            r#"</a:fontScheme><a:fmtScheme name="leafpress">"#,
            r#"<a:fillStyleLst>{fill}</a:fillStyleLst><a:lnStyleLst>{line}</a:lnStyleLst>"#,
            r#"<a:effectStyleLst>{effect}</a:effectStyleLst><a:bgFillStyleLst>{fill}</a:bgFillStyleLst>"#,
            r#"</a:fmtScheme></a:themeElements><a:objectDefaults/><a:extraClrSchemeLst/></a:theme>"#,
        ),
        primary = primary,
        accents = accents,
        heading = font(heading),
        body = font(body),
        fill = three(r#"<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>"#),
        line =
            three(r#"<a:ln w="6350"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln>"#),
        effect = three(r#"<a:effectStyle><a:effectLst/></a:effectStyle>"#),
    )
}

const PART: &str = "word/theme/theme1.xml";

/// Names the theme part in the package's content types and the document's
/// relationships (before the package is written).
pub(super) fn declare(content_types: &mut Vec<u8>, document_rels: &mut Vec<u8>) {
    insert_before(
        content_types,
        b"</Types>",
        r#"<Override PartName="/word/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml" />"#,
    );
    insert_before(
        document_rels,
        b"</Relationships>",
        r#"<Relationship Id="rIdTheme1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme" Target="theme/theme1.xml" />"#,
    );
}

fn insert_before(xml: &mut Vec<u8>, end: &[u8], what: &str) {
    if let Some(i) = xml.windows(end.len()).rposition(|w| w == end) {
        xml.splice(i..i, what.bytes());
    }
}

/// Adds the theme part, and `more` parts (name, bytes), to a written package.
pub(super) fn add(
    package: Vec<u8>,
    heading: &str,
    body: &str,
    primary: &str,
    more: &[(String, Vec<u8>)],
) -> Result<Vec<u8>, String> {
    let bad = |e: &dyn std::fmt::Display| format!("cannot write DOCX: {e}");
    let mut zip = zip::ZipWriter::new_append(std::io::Cursor::new(package)).map_err(|e| bad(&e))?;
    // The default time (1980-01-01) keeps the package the same for the same inputs.
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file(PART, options).map_err(|e| bad(&e))?;
    zip.write_all(theme_xml(heading, body, primary).as_bytes())
        .map_err(|e| bad(&e))?;
    for (name, bytes) in more {
        // A JPEG is compressed already.
        let stored = options.compression_method(zip::CompressionMethod::Stored);
        zip.start_file(name.as_str(), stored).map_err(|e| bad(&e))?;
        zip.write_all(bytes).map_err(|e| bad(&e))?;
    }
    Ok(zip.finish().map_err(|e| bad(&e))?.into_inner())
}
