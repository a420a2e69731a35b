//! PDF/X-4 for print files: the output intent with the Coated FOGRA39 profile
//! (made object 1, so every print file begins alike), the XMP packet that
//! matches the Info dictionary, images converted to CMYK, and the SHA-256 of a
//! print file hashed from the shared beginning on.

use super::{PDFX_VERSION, Pages};
use crate::cache::{Caches, Kind};
use lopdf::Object;

/// The shared head of print PDFs and the SHA-256 state after it.
struct Head;

impl Kind for Head {
    type Key = ();
    type Value = std::sync::Arc<(Vec<u8>, Sha256)>;
    fn cost(_: &(), value: &Self::Value) -> usize {
        value.0.len()
    }
}
use sha2::{Digest, Sha256};

/// Makes the output profile object 1, so every print file starts with the same
/// half megabyte (header and profile), hashed once (see `sha256`).
pub(super) fn profile_first(lo: &mut lopdf::Document) {
    let profile = lo
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .and_then(|root| lo.get_dictionary(root))
        .and_then(|cat| cat.get(b"OutputIntents"))
        .and_then(Object::as_array)
        .ok()
        .and_then(|intents| intents.first())
        .and_then(|i| i.as_dict().ok())
        .and_then(|i| i.get(b"DestOutputProfile").ok())
        .and_then(|p| p.as_reference().ok());
    let Some(profile) = profile else {
        return;
    };
    let first = (1, 0);
    if profile == first {
        return;
    }
    fn swap(o: &mut Object, a: lopdf::ObjectId, b: lopdf::ObjectId) {
        match o {
            Object::Reference(id) if *id == a => *id = b,
            Object::Reference(id) if *id == b => *id = a,
            Object::Array(v) => v.iter_mut().for_each(|o| swap(o, a, b)),
            Object::Dictionary(d) => d.iter_mut().for_each(|(_, o)| swap(o, a, b)),
            Object::Stream(s) => s.dict.iter_mut().for_each(|(_, o)| swap(o, a, b)),
            _ => {}
        }
    }
    let (Some(p), Some(f)) = (lo.objects.remove(&profile), lo.objects.remove(&first)) else {
        return;
    };
    lo.objects.insert(first, p);
    lo.objects.insert(profile, f);
    for o in lo.objects.values_mut() {
        swap(o, profile, first);
    }
    for (_, o) in lo.trailer.iter_mut() {
        swap(o, profile, first);
    }
}

/// SHA-256 of a PDF, for the manifest. Every print PDF begins with the same
/// half megabyte (header and output profile): the hash's state after it is
/// made once, and a file that begins with it is hashed only from there on.
/// Hashing the profile again for each file cost 12% of the wall time of a
/// batch of 1,000 audiences (4.41 -> 3.88 s median, A/B, 8 runs each).
pub(super) fn sha256(bytes: &[u8], caches: &Caches) -> [u8; 32] {
    let head = caches.get_or_make::<Head>((), |_| {
        let bytes = shared_head();
        let state = Sha256::new_with_prefix(&bytes);
        std::sync::Arc::new((bytes, state))
    });
    let (head, state) = &*head;
    match bytes.strip_prefix(head.as_slice()) {
        Some(rest) if !head.is_empty() => state.clone().chain_update(rest).finalize().into(),
        _ => Sha256::digest(bytes).into(),
    }
}

/// The bytes every print PDF starts with (header and the profile object), as
/// lopdf writes them.
pub(super) fn shared_head() -> Vec<u8> {
    {
        let mut lo = lopdf::Document::with_version("1.6");
        let mut profile = lopdf::Stream::new(profile_dict(), PROFILE_ZLIB.to_vec());
        profile.allows_compression = false;
        lo.objects.insert((1, 0), Object::Stream(profile));
        lo.max_id = 1;
        let mut out = Vec::new();
        if lo.save_to(&mut out).is_err() {
            return Vec::new();
        }
        // The profile object ends after its content: looked for from there, not
        // by scanning half a megabyte of profile from the start.
        let from = PROFILE_ZLIB.len().min(out.len());
        match out[from..].windows(7).position(|w| w == b"endobj\n") {
            Some(i) => {
                out.truncate(from + i + 7);
                out
            }
            None => Vec::new(),
        }
    }
}

pub(super) fn profile_dict() -> lopdf::Dictionary {
    lopdf::Dictionary::from_iter(vec![
        ("N", Object::Integer(4)),
        ("Alternate", Object::Name(b"DeviceCMYK".to_vec())),
        ("Filter", Object::Name(b"FlateDecode".to_vec())),
    ])
}

/// Converts 8-bit DeviceRGB images (a PNG logo) to DeviceCMYK, so a print file
/// holds no RGB at all. The conversion is the plain device one (grey becomes pure
/// K); a designer who needs exact inks supplies the logo in brand colours.
pub(super) fn images_to_cmyk(lo: &mut lopdf::Document) {
    for obj in lo.objects.values_mut() {
        let Object::Stream(s) = obj else { continue };
        let is_rgb_image = s.dict.get(b"Subtype").and_then(|o| o.as_name()).ok()
            == Some(b"Image".as_slice())
            && s.dict.get(b"ColorSpace").and_then(|o| o.as_name()).ok()
                == Some(b"DeviceRGB".as_slice())
            && s.dict
                .get(b"BitsPerComponent")
                .and_then(|o| o.as_i64())
                .ok()
                == Some(8);
        if !is_rgb_image {
            continue;
        }
        let Ok(rgb) = s.decompressed_content() else {
            continue;
        };
        let mut cmyk = Vec::with_capacity(rgb.len() / 3 * 4);
        for px in rgb.chunks_exact(3) {
            let (r, g, b) = (
                px[0] as f32 / 255.0,
                px[1] as f32 / 255.0,
                px[2] as f32 / 255.0,
            );
            let k = 1.0 - r.max(g).max(b);
            let ink = |v: f32| {
                if k >= 1.0 {
                    0.0
                } else {
                    (1.0 - v - k) / (1.0 - k)
                }
            };
            cmyk.extend(
                [ink(r), ink(g), ink(b), k].map(|v| (v * 255.0).round().clamp(0.0, 255.0) as u8),
            );
        }
        s.dict
            .set("ColorSpace", Object::Name(b"DeviceCMYK".to_vec()));
        s.dict.remove(b"DecodeParms");
        s.dict.remove(b"Filter");
        s.set_content(cmyk);
    }
}

/// The PDF/X OutputIntent: the Coated FOGRA39 characterisation (the profile
/// printpdf ships, redistributable under the licence in LICENSES/), embedded
/// pre-compressed.
pub(super) fn add_output_intent(lo: &mut lopdf::Document) {
    let mut profile = lopdf::Stream::new(profile_dict(), PROFILE_ZLIB.to_vec());
    profile.allows_compression = false;
    let profile_id = lo.add_object(profile);
    let intent = lopdf::Dictionary::from_iter(vec![
        ("Type", Object::Name(b"OutputIntent".to_vec())),
        ("S", Object::Name(b"GTS_PDFX".to_vec())),
        (
            "OutputConditionIdentifier",
            Object::string_literal("FOGRA39"),
        ),
        (
            "OutputCondition",
            Object::string_literal(
                "Commercial and special offset print according to ISO 12647-2:2004 / Amd 1, paper type 1 or 2 (matte or gloss-coated offset paper, 115 g/m2), screen ruling 60/cm",
            ),
        ),
        (
            "RegistryName",
            Object::string_literal("http://www.color.org"),
        ),
        (
            "Info",
            Object::string_literal("Coated FOGRA39 (ISO 12647-2:2004)"),
        ),
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

/// Swaps printpdf's XMP packet (which carries a random instance id) for one made
/// from the inputs alone, stating the same title, dates, trapping and PDF/X
/// version as the Info dictionary, as PDF/X requires. Left uncompressed, so
/// prepress tools can read it.
pub(super) fn replace_xmp(lo: &mut lopdf::Document, pages: &Pages, epoch: i64, id: &str) {
    let date = crate::text::timestamps(epoch).0;
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
    let xmp = format!(
        r#"<?xpacket begin="{bom}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/">
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <xmp:MetadataDate>{date}</xmp:MetadataDate>
   <xmp:CreatorTool>leafpress</xmp:CreatorTool>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
   <dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
   <pdf:Producer>{producer}</pdf:Producer>
   <pdf:Trapped>False</pdf:Trapped>
   <xmpMM:DocumentID>uuid:{uuid}</xmpMM:DocumentID>
   <xmpMM:InstanceID>uuid:{uuid}</xmpMM:InstanceID>
   <xmpMM:VersionID>1</xmpMM:VersionID>
   <xmpMM:RenditionClass>default</xmpMM:RenditionClass>
   <pdfxid:GTS_PDFXVersion>{PDFX_VERSION}</pdfxid:GTS_PDFXVersion>
  </rdf:Description>
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

/// The Coated FOGRA39 profile printpdf embeds, zlib-compressed ahead of time (the
/// same bytes, packed; see LICENSES/): compressing 650 KB at run time would cost
/// more than the rest of a small batch.
pub(super) const PROFILE_ZLIB: &[u8] = include_bytes!("../../../res/CoatedFOGRA39.icc.zlib");

#[cfg(test)]
pub(super) const PROFILE_LEN: usize = 654_352;

#[cfg(test)]
mod tests {
    #[test]
    fn the_packed_profile_is_the_fogra39_profile() {
        use std::io::Read;
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(super::PROFILE_ZLIB)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out.len(), super::PROFILE_LEN);
        assert_eq!(&out[36..40], b"acsp");
        assert_eq!(&out[16..20], b"CMYK");
    }
}
