//! Compressing a PDF's streams: each thread keeps one zlib compressor, and a
//! font subset is compressed once per distinct content.

use crate::cache::{Caches, Kind};
use lopdf::Object;

/// Font files compressed before, by the BLAKE3 of their bytes.
struct Compressed;

impl Kind for Compressed {
    type Key = [u8; 32];
    /// The compressed bytes, and the length of what they hold.
    type Value = std::sync::Arc<(Vec<u8>, usize)>;
    fn cost(_: &Self::Key, value: &Self::Value) -> usize {
        64 + value.0.len()
    }
}

/// `data` compressed so that the result does not end in a carriage return:
/// lopdf ends every stream with a line feed and `endstream`, and a CR just
/// before it reads as one CR LF line end, which PDF/A-2 (ISO 19005-2,
/// 6.1.7.1) does not count in `/Length`: the stream would seem a byte short.
/// The last byte is the low byte of the Adler-32 sum of the data's bytes, so
/// the data takes one more byte, a line feed, and is compressed again: that
/// moves the sum by 10, whatever it was, so the new last byte is never a CR.
/// A line feed is white space in content and CMaps, and a font file ignores
/// bytes after its tables (its `Length1` says the new length). A zero would
/// not do: it leaves the sum, so the last byte, as it was.
fn deflate_unambiguous(data: &[u8], caches: &Caches) -> Option<(Vec<u8>, usize)> {
    let c = deflate(data, caches)?;
    if c.last() != Some(&b'\r') {
        return Some((c, data.len()));
    }
    let mut padded = Vec::with_capacity(data.len() + 1);
    padded.extend_from_slice(data);
    padded.push(b'\n');
    let c = deflate(&padded, caches)?;
    Some((c, padded.len()))
}

/// Compresses every stream not compressed yet (fonts, page content) at zlib's
/// fastest level: against the default it saved 7% of a small batch's time for
/// 1% more bytes (the output profile is most of a print file anyway). Font files
/// are remembered by their hash: jobs in one batch mostly embed the same font
/// subsets, and compressing them again would be most of a job's work.
pub(super) fn compress(lo: &mut lopdf::Document, caches: &Caches) {
    for obj in lo.objects.values_mut() {
        let Object::Stream(s) = obj else { continue };
        if !s.allows_compression || s.dict.get(b"Filter").is_ok() || s.content.len() < 64 {
            continue;
        }
        // Only font files recur across jobs (page content never does): only
        // they are looked up, by their BLAKE3.
        let font = s.dict.has(b"Length1");
        let packed = if s.content.len() >= 4096 && font {
            let key: [u8; 32] = blake3::hash(&s.content).into();
            caches
                .try_get_or_make::<Compressed, _>(key, |_| {
                    deflate_unambiguous(&s.content, caches)
                        .map(std::sync::Arc::new)
                        .ok_or(())
                })
                .ok()
                .map(|c| c.as_ref().clone())
        } else {
            deflate_unambiguous(&s.content, caches)
        };
        if let Some((c, holds)) = packed.filter(|(c, _)| c.len() + 19 < s.content.len()) {
            s.dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
            if font {
                s.dict.set("Length1", Object::Integer(holds as i64));
            }
            s.set_content(c);
        }
    }
}

/// `data` zlib-compressed at the fastest level.
pub(super) fn deflate(data: &[u8], caches: &Caches) -> Option<Vec<u8>> {
    // A compressor is reused, reset for each stream: setting one up allocates
    // and clears its window and tables, which showed up as a tenth of a small
    // batch's page faults.
    let mut z = caches
        .spare::<flate2::Compress>()
        .unwrap_or_else(|| flate2::Compress::new(flate2::Compression::fast(), true));
    z.reset();
    let mut out = Vec::with_capacity(data.len() / 2 + 64);
    let done = loop {
        let read = z.total_in() as usize;
        match z.compress_vec(&data[read..], &mut out, flate2::FlushCompress::Finish) {
            Ok(flate2::Status::StreamEnd) => break Some(out),
            Ok(_) => out.reserve(out.capacity().max(64)),
            Err(_) => break None,
        }
    };
    caches.keep_spare(z);
    done
}

#[cfg(test)]
mod tests {
    #[test]
    fn no_compressed_stream_ends_in_a_carriage_return() {
        use std::io::Read;
        let caches = crate::cache::Caches::default();
        // Data whose plain compression ends in CR, found by trying.
        let data = (0u32..)
            .map(|i| format!("BT /F1 12 Tf ({i}) Tj ET").into_bytes())
            .find(|d| super::deflate(d, &caches).unwrap().last() == Some(&b'\r'))
            .unwrap();
        let (c, holds) = super::deflate_unambiguous(&data, &caches).unwrap();
        assert_ne!(c.last(), Some(&b'\r'));
        assert_eq!(holds, data.len() + 1);
        let mut back = Vec::new();
        flate2::read::ZlibDecoder::new(&c[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(&back[..data.len()], &data[..]);
        assert_eq!(back[data.len()], b'\n');
    }

    #[test]
    fn a_stream_compresses_alike_whatever_the_compressor_compressed_before() {
        use std::io::Read;
        let a: Vec<u8> = (0..50_000u32)
            .map(|i| (i % 251) as u8 ^ (i / 97) as u8)
            .collect();
        let b = b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET\n".repeat(300);
        let caches = crate::cache::Caches::default();
        let first = super::deflate(&a, &caches).unwrap();
        super::deflate(&b, &caches).unwrap();
        assert_eq!(super::deflate(&a, &caches).unwrap(), first);
        let mut back = Vec::new();
        flate2::read::ZlibDecoder::new(&first[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, a);
    }
}
