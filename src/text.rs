//! Small text helpers every layer may use: sentence case for messages, XML
//! escaping, hex, the dates written into outputs, and a 64-bit hash for
//! in-memory indexes.

/// `s` with its first letter in lower case, to fit a message after a colon
/// (`cannot read file: no such file or directory`).
pub fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// `n` and the noun, singular or plural: `1 language`, `2 languages`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Escapes text for XML and HTML content and attribute values.
pub fn escape_xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Bytes as lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// A moment as the outputs write it, from seconds since 1970 (UTC): ISO 8601
/// (`2025-01-01T00:00:00Z`, for XMP and DOCX) and PDF's `D:20250101000000Z`.
pub fn timestamps(epoch: i64) -> (String, String) {
    let t = time::OffsetDateTime::from_unix_timestamp(epoch)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let (y, mo, d, h, mi, s) = (
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
    );
    (
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z"),
        format!("D:{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z"),
    )
}

/// A 64-bit hash for in-memory indexes (the same within one process, not
/// stored anywhere): used where keeping the keys themselves would cost memory
/// that grows with the content.
pub fn hash64<T: std::hash::Hash + ?Sized>(v: &T) -> u64 {
    use std::hash::Hasher;
    let mut h = std::hash::DefaultHasher::new();
    v.hash(&mut h);
    h.finish()
}

/// Whether a language (BCP 47 tag, `ar`, `fa-IR`) is written right to left:
/// its paragraphs run that way unless a style says otherwise.
pub fn rtl_language(language: &str) -> bool {
    let primary = language.split(['-', '_']).next().unwrap_or("");
    matches!(
        primary.to_ascii_lowercase().as_str(),
        "ar" | "arc"
            | "ckb"
            | "dv"
            | "fa"
            | "he"
            | "iw"
            | "ks"
            | "ps"
            | "sd"
            | "syr"
            | "ug"
            | "ur"
            | "yi"
    )
}

/// Whether a character is of a right-to-left class (Hebrew, Arabic, Syriac,
/// Thaana, N'Ko and their presentation forms), or a mark that opens right
/// to left text: only then does a paragraph need the bidi algorithm.
pub fn strong_rtl(c: char) -> bool {
    matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF)
        || matches!(c, '\u{200f}' | '\u{202b}' | '\u{202e}' | '\u{2067}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(lower_first("No such file"), "no such file");
        assert_eq!(count(1, "language"), "1 language");
        assert_eq!(count(0, "output"), "0 outputs");
        assert_eq!(count(2, "text"), "2 texts");
        assert_eq!(
            escape_xml(r#"a<b & "c">"#),
            "a&lt;b &amp; &quot;c&quot;&gt;"
        );
        assert_eq!(hex(&[0, 0xab, 0x10]), "00ab10");
        assert_eq!(
            timestamps(1_735_689_600),
            ("2025-01-01T00:00:00Z".into(), "D:20250101000000Z".into())
        );
    }

    #[test]
    fn right_to_left_is_found() {
        assert!(strong_rtl('ب'));
        assert!(strong_rtl('א'));
        assert!(!strong_rtl('a'));
        assert!(!strong_rtl('क'));
        assert!(rtl_language("ar") && rtl_language("fa-IR") && !rtl_language("hi"));
    }
}
