//! Compressing a PDF's streams: each thread keeps one zlib compressor, and a
//! font subset is compressed once per distinct content.

use crate::cache::{Caches, Kind};
use lopdf::Object;

/// Font files compressed before, by the BLAKE3 of their bytes.
struct Compressed;

impl Kind for Compressed {
    type Key = [u8; 32];
    type Value = std::sync::Arc<Vec<u8>>;
    fn cost(_: &Self::Key, value: &Self::Value) -> usize {
        64 + value.len()
    }
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
        let packed = if s.content.len() >= 4096 && s.dict.has(b"Length1") {
            let key: [u8; 32] = blake3::hash(&s.content).into();
            caches
                .try_get_or_make::<Compressed, _>(key, |_| {
                    deflate(&s.content, caches)
                        .map(std::sync::Arc::new)
                        .ok_or(())
                })
                .ok()
                .map(|c| c.as_ref().clone())
        } else {
            deflate(&s.content, caches)
        };
        if let Some(c) = packed.filter(|c| c.len() + 19 < s.content.len()) {
            s.dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
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
