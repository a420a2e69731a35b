//! Pictures into a PDF, each once. A JPEG goes in as it is (its compressed
//! bytes, `DCTDecode`): CMYK stays CMYK in print (Adobe's inverted CMYK with a
//! `Decode` array that says so), RGB carries its ICC profile (its own, else
//! sRGB) so a PDF/X-4 print file stays valid. A screen file (PDF/A, sRGB
//! output intent) may not hold CMYK, so a CMYK JPEG is converted there. A
//! PNG is decoded by printpdf (alpha as a soft mask), as the logo always was.

use crate::pages::{Item, Pages};
use crate::picture::{Colours, Format, Picture};
use crate::plan::Variant;
use printpdf::{DictItem, ExternalStream, ExternalXObject, PdfDocument, XObject, XObjectId};
use std::collections::BTreeMap;

/// An image embedded once: its picture's digest (to know it again) and its name.
pub(super) type Image = ([u8; 32], XObjectId);

/// Each picture of the pages, once, under a stable name.
pub(super) fn embed(
    doc: &mut PdfDocument,
    pages: &Pages,
    variant: Variant,
) -> Result<Vec<Image>, String> {
    let mut images: Vec<Image> = Vec::new();
    for page in &pages.pages {
        for item in &page.items {
            let Item::Image { picture, .. } = item else {
                continue;
            };
            if images.iter().any(|(d, _)| *d == picture.digest) {
                continue;
            }
            let id = XObjectId(format!("Im{}", images.len() + 1));
            let object = match (picture.format, picture.colours, variant) {
                (Format::Jpeg, Colours::Cmyk { .. }, Variant::Screen) => converted(picture)?,
                (Format::Jpeg, ..) => XObject::External(jpeg(picture, variant)),
                (Format::Png, ..) => XObject::Image(
                    printpdf::RawImage::decode_from_bytes(&picture.bytes, &mut Vec::new())
                        .map_err(|e| format!("cannot embed picture `{}`: {e}", picture.file))?,
                ),
            };
            doc.resources.xobjects.map.insert(id.clone(), object);
            images.push((picture.digest, id));
        }
    }
    Ok(images)
}

/// A JPEG's own bytes as an image XObject.
fn jpeg(p: &Picture, variant: Variant) -> ExternalXObject {
    let name = |n: &str| DictItem::Name(n.as_bytes().to_vec());
    let mut dict = BTreeMap::from([
        ("Type".to_string(), name("XObject")),
        ("Subtype".to_string(), name("Image")),
        ("Width".to_string(), DictItem::Int(p.width as i64)),
        ("Height".to_string(), DictItem::Int(p.height as i64)),
        ("BitsPerComponent".to_string(), DictItem::Int(8)),
        ("Filter".to_string(), name("DCTDecode")),
    ]);
    let colour_space = match p.colours {
        Colours::Grey => name("DeviceGray"),
        Colours::Cmyk { inverted } => {
            debug_assert_eq!(variant, Variant::Print);
            if inverted {
                // Adobe's JPEGs store 255 for no ink (ISO 32000-1, 8.9.5.2).
                let pairs = (0..4).flat_map(|_| [DictItem::Int(1), DictItem::Int(0)]);
                dict.insert("Decode".into(), DictItem::Array(pairs.collect()));
            }
            name("DeviceCMYK")
        }
        Colours::Rgb => {
            // The file's own RGB profile, else sRGB: what cameras and the web
            // mean by RGB when they say nothing.
            let own = p
                .icc
                .as_ref()
                .filter(|icc| icc.get(16..20) == Some(b"RGB "));
            let profile = own.map_or(super::claims::SRGB, |icc| icc.as_slice());
            // No `Alternate` (optional, ISO 32000-1, 8.6.5.5): a print
            // file names no device RGB at all.
            let stream = ExternalStream {
                dict: BTreeMap::from([("N".to_string(), DictItem::Int(3))]),
                content: profile.to_vec(),
                compress: true,
            };
            DictItem::Array(vec![name("ICCBased"), DictItem::Stream { stream }])
        }
    };
    dict.insert("ColorSpace".into(), colour_space);
    ExternalXObject {
        stream: ExternalStream {
            dict,
            content: p.bytes.to_vec(),
            compress: false,
        },
        width: None,
        height: None,
        dpi: None,
    }
}

/// A CMYK JPEG decoded to RGB, for a screen file.
fn converted(p: &Picture) -> Result<XObject, String> {
    let rgb = p.decode_rgb()?;
    Ok(XObject::Image(printpdf::RawImage {
        pixels: printpdf::RawImageData::U8(rgb),
        width: p.width as usize,
        height: p.height as usize,
        data_format: printpdf::RawImageFormat::RGB8,
        tag: Vec::new(),
    }))
}
