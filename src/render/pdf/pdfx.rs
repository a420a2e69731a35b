//! What PDF/X-4 print files share: the Coated FOGRA39 output profile (made
//! object 1, so every print file begins alike), images converted to CMYK,
//! and the SHA-256 of a print file hashed from the shared beginning on.

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
