//! WordprocessingML's child order: docx-rs writes some properties in an order
//! the schema does not allow (`w:rPr` first in `w:pPr`, `w:color` after
//! `w:sz`, `w:pPr` after `w:rPr` in a style, ...), which Word may repair and
//! validators reject. The built parts are read back and the children of the
//! elements below put in the order of ECMA-376 Part 1 (wml.xsd); nothing else
//! changes.

use crate::cache::{Caches, Kind};
use quick_xml::events::{BytesStart, Event};
use std::sync::Arc;

/// Parts put in order before, by the BLAKE3 of their bytes and the kind of
/// part: the styles, numbering and settings of one layout and language are
/// the same in every handout.
struct Ordered;

impl Kind for Ordered {
    type Key = ([u8; 32], bool);
    type Value = Arc<Vec<u8>>;
    fn cost(_: &Self::Key, value: &Self::Value) -> usize {
        64 + value.len()
    }
}

/// `in_schema_order`, remembered for parts seen before.
pub(super) fn in_schema_order_cached(
    xml: &[u8],
    general: bool,
    caches: &Caches,
) -> Result<Vec<u8>, String> {
    let key = (blake3::hash(xml).into(), general);
    caches
        .try_get_or_make::<Ordered, _>(key, |_| in_schema_order(xml, general).map(Arc::new))
        .map(|v| v.as_ref().clone())
}

/// The schema's child order of each element that docx-rs writes out of it,
/// by local name.
fn order(element: &[u8]) -> Option<&'static [&'static str]> {
    Some(match element {
        // CT_PPr: CT_PPrBase, then rPr, sectPr, pPrChange.
        b"pPr" => &[
            "pStyle",
            "keepNext",
            "keepLines",
            "pageBreakBefore",
            "framePr",
            "widowControl",
            "numPr",
            "suppressLineNumbers",
            "pBdr",
            "shd",
            "tabs",
            "suppressAutoHyphens",
            "kinsoku",
            "wordWrap",
            "overflowPunct",
            "topLinePunct",
            "autoSpaceDE",
            "autoSpaceDN",
            "bidi",
            "adjustRightInd",
            "snapToGrid",
            "spacing",
            "ind",
            "contextualSpacing",
            "mirrorIndents",
            "suppressOverlap",
            "jc",
            "textDirection",
            "textAlignment",
            "textboxTightWrap",
            "outlineLvl",
            "divId",
            "cnfStyle",
            "rPr",
            "sectPr",
            "pPrChange",
        ],
        // CT_RPr: EG_RPrBase, then rPrChange.
        b"rPr" => &[
            "rStyle",
            "rFonts",
            "b",
            "bCs",
            "i",
            "iCs",
            "caps",
            "smallCaps",
            "strike",
            "dstrike",
            "outline",
            "shadow",
            "emboss",
            "imprint",
            "noProof",
            "snapToGrid",
            "vanish",
            "webHidden",
            "color",
            "spacing",
            "w",
            "kern",
            "position",
            "sz",
            "szCs",
            "highlight",
            "u",
            "effect",
            "bdr",
            "shd",
            "fitText",
            "vertAlign",
            "rtl",
            "cs",
            "em",
            "lang",
            "eastAsianLayout",
            "specVanish",
            "oMath",
            "rPrChange",
        ],
        b"style" => &[
            "name",
            "aliases",
            "basedOn",
            "next",
            "link",
            "autoRedefine",
            "hidden",
            "uiPriority",
            "semiHidden",
            "unhideWhenUsed",
            "qFormat",
            "locked",
            "personal",
            "personalCompose",
            "personalReply",
            "rsid",
            "pPr",
            "rPr",
            "tblPr",
            "trPr",
            "tcPr",
            "tblStylePr",
        ],
        b"numPr" => &["ilvl", "numId", "numberingChange", "ins"],
        b"sectPr" => &[
            "headerReference",
            "footerReference",
            "footnotePr",
            "endnotePr",
            "type",
            "pgSz",
            "pgMar",
            "paperSrc",
            "pgBorders",
            "lnNumType",
            "pgNumType",
            "cols",
            "formProt",
            "vAlign",
            "noEndnote",
            "titlePg",
            "textDirection",
            "bidi",
            "rtlGutter",
            "docGrid",
            "printerSettings",
            "sectPrChange",
        ],
        // CT_Settings, up to what docx-rs writes.
        b"settings" => &[
            "writeProtection",
            "view",
            "zoom",
            "removePersonalInformation",
            "removeDateAndTime",
            "doNotDisplayPageBoundaries",
            "displayBackgroundShape",
            "printPostScriptOverText",
            "printFractionalCharacterWidth",
            "printFormsData",
            "embedTrueTypeFonts",
            "embedSystemFonts",
            "saveSubsetFonts",
            "saveFormsData",
            "mirrorMargins",
            "alignBordersAndEdges",
            "bordersDoNotSurroundHeader",
            "bordersDoNotSurroundFooter",
            "gutterAtTop",
            "hideSpellingErrors",
            "hideGrammaticalErrors",
            "activeWritingStyle",
            "proofState",
            "formsDesign",
            "attachedTemplate",
            "linkStyles",
            "stylePaneFormatFilter",
            "stylePaneSortMethod",
            "documentType",
            "mailMerge",
            "revisionView",
            "trackRevisions",
            "doNotTrackMoves",
            "doNotTrackFormatting",
            "documentProtection",
            "autoFormatOverride",
            "styleLockTheme",
            "styleLockQFSet",
            "defaultTabStop",
            "autoHyphenation",
            "consecutiveHyphenLimit",
            "hyphenationZone",
            "doNotHyphenateCaps",
            "showEnvelope",
            "summaryLength",
            "clickAndTypeStyle",
            "defaultTableStyle",
            "evenAndOddHeaders",
            "bookFoldRevPrinting",
            "bookFoldPrinting",
            "bookFoldPrintingSheets",
            "drawingGridHorizontalSpacing",
            "drawingGridVerticalSpacing",
            "displayHorizontalDrawingGridEvery",
            "displayVerticalDrawingGridEvery",
            "doNotUseMarginsForDrawingGridOrigin",
            "drawingGridHorizontalOrigin",
            "drawingGridVerticalOrigin",
            "doNotShadeFormData",
            "noPunctuationKerning",
            "characterSpacingControl",
            "printTwoOnOne",
            "strictFirstAndLastChars",
            "noLineBreaksAfter",
            "noLineBreaksBefore",
            "savePreviewPicture",
            "doNotValidateAgainstSchema",
            "saveInvalidXml",
            "ignoreMixedContent",
            "alwaysShowPlaceholderText",
            "doNotDemarcateInvalidXml",
            "saveXmlDataOnly",
            "useXSLTWhenSaving",
            "saveThroughXslt",
            "showXMLTags",
            "alwaysMergeEmptyNamespace",
            "updateFields",
            "hdrShapeDefaults",
            "footnotePr",
            "endnotePr",
            "compat",
            "docVars",
            "rsids",
            "mathPr",
            "attachedSchema",
            "themeFontLang",
            "clrSchemeMapping",
            "doNotIncludeSubdocsInStats",
            "doNotAutoCompressPictures",
            "forceUpgrade",
            "captions",
            "readModeInkLockDown",
            "smartTagType",
            "schemaLibrary",
            "shapeDefaults",
            "doNotEmbedSmartTags",
            "decimalSymbol",
            "listSeparator",
        ],
        _ => return None,
    })
}

/// An element as read: its start, and its content (elements and anything else).
struct Element {
    start: BytesStart<'static>,
    /// `None` for an empty element (`<w:b/>`).
    children: Option<Vec<Node>>,
}

enum Node {
    Element(Element),
    Other(Event<'static>),
}

/// The part `xml` with the children of the elements above in schema order.
/// In styles and numbering (`general`), paragraph properties are the general
/// kind, which has no run properties: docx-rs's empty `w:rPr` there goes.
pub(super) fn in_schema_order(xml: &[u8], general: bool) -> Result<Vec<u8>, String> {
    let bad = |e: &dyn std::fmt::Display| format!("cannot reorder a DOCX part: {e}");
    let mut r = quick_xml::Reader::from_reader(xml);
    // The open elements, innermost last; the part's top level first.
    let mut stack: Vec<(Option<BytesStart<'static>>, Vec<Node>)> = vec![(None, Vec::new())];
    let mut buf = Vec::new();
    loop {
        let ev = r
            .read_event_into(&mut buf)
            .map_err(|e| bad(&e))?
            .into_owned();
        match ev {
            Event::Start(s) => stack.push((Some(s), Vec::new())),
            Event::Empty(s) => stack
                .last_mut()
                .expect("the top level")
                .1
                .push(Node::Element(Element {
                    start: s,
                    children: None,
                })),
            Event::End(_) => {
                let (start, mut children) = stack.pop().ok_or("unbalanced XML")?;
                let start = start.ok_or("unbalanced XML")?;
                if general && start.local_name().as_ref() == b"pPr" {
                    children.retain(|n| {
                        !matches!(n, Node::Element(Element { start, children })
                            if start.local_name().as_ref() == b"rPr"
                                && children.as_ref().is_none_or(|c| c.is_empty()))
                    });
                }
                if let Some(order) = order(start.local_name().as_ref()) {
                    let rank = |n: &Node| match n {
                        Node::Element(e) => {
                            let name = e.start.local_name();
                            order
                                .iter()
                                .position(|o| o.as_bytes() == name.as_ref())
                                .unwrap_or(order.len())
                        }
                        Node::Other(_) => order.len(),
                    };
                    // Stable: elements the list does not name keep their order, last.
                    children.sort_by_key(rank);
                }
                stack
                    .last_mut()
                    .ok_or("unbalanced XML")?
                    .1
                    .push(Node::Element(Element {
                        start,
                        children: Some(children),
                    }));
            }
            Event::Eof => break,
            other => stack
                .last_mut()
                .expect("the top level")
                .1
                .push(Node::Other(other)),
        }
        buf.clear();
    }
    let (_, top) = stack
        .pop()
        .filter(|_| stack.is_empty())
        .ok_or("unbalanced XML")?;
    let mut w = quick_xml::Writer::new(Vec::with_capacity(xml.len()));
    fn write(w: &mut quick_xml::Writer<Vec<u8>>, nodes: Vec<Node>) -> std::io::Result<()> {
        for n in nodes {
            match n {
                Node::Other(ev) => w.write_event(ev)?,
                Node::Element(Element {
                    start,
                    children: None,
                }) => w.write_event(Event::Empty(start))?,
                Node::Element(Element {
                    start,
                    children: Some(children),
                }) => {
                    let end = start.to_end().into_owned();
                    w.write_event(Event::Start(start))?;
                    write(w, children)?;
                    w.write_event(Event::End(end))?;
                }
            }
        }
        Ok(())
    }
    write(&mut w, top).map_err(|e| bad(&e))?;
    Ok(w.into_inner())
}

#[cfg(test)]
mod tests {
    #[test]
    fn properties_come_in_schema_order_and_nothing_else_moves() {
        let xml = br#"<?xml version="1.0"?><w:p><w:pPr><w:rPr /><w:jc w:val="left"/><w:pStyle w:val="Title" /></w:pPr><w:r><w:rPr><w:sz w:val="2"/><w:color w:val="000000"/><w:rFonts w:ascii="A"/></w:rPr><w:t xml:space="preserve">a &amp; b</w:t></w:r></w:p>"#;
        let out = String::from_utf8(super::in_schema_order(xml, false).unwrap()).unwrap();
        assert_eq!(
            out,
            r#"<?xml version="1.0"?><w:p><w:pPr><w:pStyle w:val="Title" /><w:jc w:val="left"/><w:rPr /></w:pPr><w:r><w:rPr><w:rFonts w:ascii="A"/><w:color w:val="000000"/><w:sz w:val="2"/></w:rPr><w:t xml:space="preserve">a &amp; b</w:t></w:r></w:p>"#
        );
        let style = br#"<w:style><w:rPr><w:b/></w:rPr><w:pPr><w:rPr /><w:jc w:val="left"/></w:pPr><w:name w:val="N"/></w:style>"#;
        let out = String::from_utf8(super::in_schema_order(style, true).unwrap()).unwrap();
        assert_eq!(
            out,
            r#"<w:style><w:name w:val="N"/><w:pPr><w:jc w:val="left"/></w:pPr><w:rPr><w:b/></w:rPr></w:style>"#
        );
    }
}
