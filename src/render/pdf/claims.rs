//! What a file claims, and the parts those claims require: print files are
//! PDF/X-4 (the Coated FOGRA39 output intent), screen files PDF/A-2a (an sRGB
//! output intent), and both PDF/UA-1. The XMP packet states the claims with
//! the same title, author, dates and trapping as the Info dictionary.

use super::pdfx::{PROFILE_ZLIB, profile_dict};
use super::{PDFX_VERSION, Pages, PdfOptions};
use crate::plan::Variant;
use lopdf::Object;

/// The sRGB IEC61966-2.1 profile screen files declare (an ICC v2 profile
/// from Little CMS, Zlib licence: see LICENSES/).
pub(super) const SRGB: &[u8] = include_bytes!("../../../res/sRGB.icc");

/// The sRGB profile, compressed once per process, as the print profile is
/// ahead of time: a compressor reset and run for it in every screen file
/// cost 1.3% of the instructions of a 50-leaflet screen batch (callgrind,
/// 1,191 -> 1,176 million).
fn srgb_zlib() -> &'static [u8] {
    static PACKED: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    PACKED.get_or_init(|| {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        // Writing to a Vec cannot fail.
        let _ = z.write_all(SRGB);
        z.finish().unwrap_or_default()
    })
}

/// The output intent: the print condition a print file is made for
/// (GTS_PDFX), or the colour space a screen file's RGB means (GTS_PDFA1).
pub(super) fn add_output_intent(lo: &mut lopdf::Document, variant: Variant) {
    let (profile, subtype, id, condition, info) = match variant {
        Variant::Print => {
            let mut profile = lopdf::Stream::new(profile_dict(), PROFILE_ZLIB.to_vec());
            profile.allows_compression = false;
            (
                profile,
                "GTS_PDFX",
                "FOGRA39",
                "Commercial and special offset print according to ISO 12647-2:2004 / Amd 1, paper type 1 or 2 (matte or gloss-coated offset paper, 115 g/m2), screen ruling 60/cm",
                "Coated FOGRA39 (ISO 12647-2:2004)",
            )
        }
        Variant::Screen => {
            let dict = lopdf::Dictionary::from_iter(vec![
                ("N", Object::Integer(3)),
                ("Alternate", Object::Name(b"DeviceRGB".to_vec())),
                ("Filter", Object::Name(b"FlateDecode".to_vec())),
            ]);
            let mut profile = lopdf::Stream::new(dict, srgb_zlib().to_vec());
            profile.allows_compression = false;
            (
                profile,
                "GTS_PDFA1",
                "sRGB IEC61966-2.1",
                "sRGB IEC61966-2.1",
                "sRGB IEC61966-2.1",
            )
        }
    };
    let profile_id = lo.add_object(profile);
    let intent = lopdf::Dictionary::from_iter(vec![
        ("Type", Object::Name(b"OutputIntent".to_vec())),
        ("S", Object::Name(subtype.as_bytes().to_vec())),
        ("OutputConditionIdentifier", Object::string_literal(id)),
        ("OutputCondition", Object::string_literal(condition)),
        (
            "RegistryName",
            Object::string_literal("http://www.color.org"),
        ),
        ("Info", Object::string_literal(info)),
        ("DestOutputProfile", Object::Reference(profile_id)),
    ]);
    if let Ok(root) = lo.trailer.get(b"Root").and_then(|r| r.as_reference())
        && let Ok(Object::Dictionary(cat)) = lo.get_object_mut(root)
    {
        cat.set(
            "OutputIntents",
            Object::Array(vec![Object::Dictionary(intent)]),
        );
    }
}

/// PDF/A asks that properties outside its predefined schemas be described:
/// the PDF/UA identification schema is one.
const PDFUA_EXTENSION: &str = r#"   <pdfaExtension:schemas>
    <rdf:Bag>
     <rdf:li rdf:parseType="Resource">
      <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
      <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
      <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
      <pdfaSchema:property>
       <rdf:Seq>
        <rdf:li rdf:parseType="Resource">
         <pdfaProperty:name>part</pdfaProperty:name>
         <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
         <pdfaProperty:category>internal</pdfaProperty:category>
         <pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
        </rdf:li>
       </rdf:Seq>
      </pdfaSchema:property>
     </rdf:li>
    </rdf:Bag>
   </pdfaExtension:schemas>
"#;

/// Swaps printpdf's XMP packet (which carries a random instance id) for one made
/// from the inputs alone, stating the file's claims and the same title, dates,
/// trapping as the Info dictionary, as PDF/X and PDF/A require. Left
/// uncompressed, so prepress tools can read it.
pub(super) fn replace_xmp(lo: &mut lopdf::Document, pages: &Pages, opts: &PdfOptions, id: &str) {
    let date = crate::text::timestamps(opts.epoch).0;
    let uuid = format!(
        "{}-{}-{}-{}-{}",
        &id[0..8],
        &id[8..12],
        &id[12..16],
        &id[16..20],
        &id[20..32]
    );
    let title = crate::text::escape_xml(&pages.title);
    let author = crate::text::escape_xml(&pages.author);
    let lang = crate::text::escape_xml(&pages.language);
    let producer = format!("leafpress {}", env!("CARGO_PKG_VERSION"));
    // Trapping is a print matter: screen files do not state it.
    let trapped = match opts.variant {
        Variant::Print => "   <pdf:Trapped>False</pdf:Trapped>\n",
        Variant::Screen => "",
    };
    let claims = match opts.variant {
        Variant::Print => format!(
            "   <pdfxid:GTS_PDFXVersion>{PDFX_VERSION}</pdfxid:GTS_PDFXVersion>\n   <pdfuaid:part>1</pdfuaid:part>\n"
        ),
        Variant::Screen => format!(
            "   <pdfaid:part>2</pdfaid:part>\n   <pdfaid:conformance>A</pdfaid:conformance>\n   <pdfuaid:part>1</pdfuaid:part>\n{PDFUA_EXTENSION}"
        ),
    };
    let xmp = format!(
        r#"<?xpacket begin="{bom}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/"
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"
    xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
    xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
    xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <xmp:MetadataDate>{date}</xmp:MetadataDate>
   <xmp:CreatorTool>leafpress</xmp:CreatorTool>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
   <dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
   <pdf:Producer>{producer}</pdf:Producer>
{trapped}   <xmpMM:DocumentID>uuid:{uuid}</xmpMM:DocumentID>
   <xmpMM:InstanceID>uuid:{uuid}</xmpMM:InstanceID>
   <xmpMM:VersionID>1</xmpMM:VersionID>
   <xmpMM:RenditionClass>default</xmpMM:RenditionClass>
{claims}  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"#,
        bom = '\u{FEFF}'
    );
    let mut stream = lopdf::Stream::new(
        lopdf::Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Metadata".to_vec())),
            ("Subtype", Object::Name(b"XML".to_vec())),
        ]),
        xmp.into_bytes(),
    );
    stream.allows_compression = false;
    let xmp_id = lo.add_object(stream);
    if let Ok(root) = lo.trailer.get(b"Root").and_then(|r| r.as_reference())
        && let Ok(Object::Dictionary(cat)) = lo.get_object_mut(root)
    {
        cat.set("Metadata", Object::Reference(xmp_id));
    }
}
