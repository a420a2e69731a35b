//! The message source: `content/messages.yaml`, as authors write it.

use crate::diag::Diagnostic;
pub use crate::picture::PictureSpec;
use crate::source::SourceFile;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
/// `content/messages.yaml`: the key messages, as authors write them.
pub struct Content {
    /// BCP 47 language of the text, such as `en`.
    pub language: String,
    /// The title, on every output.
    pub title: String,
    /// Who the messages are by, as printed.
    pub attribution: String,
    /// The organisation behind the messages.
    pub organisation: Organisation,
    /// The definition every output starts from.
    pub definition: Definition,
    /// A picture for every output, unless an audience has its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<PictureSpec>,
    /// Each audience and its messages, in the order outputs are made.
    pub audiences: Vec<Audience>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
/// The organisation behind the messages.
pub struct Organisation {
    /// Its name, as printed.
    pub name: String,
    /// Its web address, if any: printed as a link, and drawn as a QR code
    /// where a layout asks (`show: qr`). `website` is the older name.
    #[serde(default, alias = "website")]
    pub url: Option<String>,
    /// Its e-mail address, if any (a `mailto:` link where printed).
    #[serde(default)]
    pub email: Option<String>,
    /// Its telephone number, if any, as it is to be printed.
    #[serde(default)]
    pub phone: Option<String>,
    /// Its postal address, if any; each line on a line of its own.
    #[serde(default)]
    pub address: Option<String>,
    /// What it asks readers to do, with its web address, if any (the back
    /// of a leaflet, the foot of a flyer); it may carry markup.
    #[serde(default, rename = "call-to-action")]
    pub call_to_action: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
/// The definition every output starts from.
pub struct Definition {
    /// Its heading.
    pub heading: String,
    /// Its text.
    pub text: String,
    #[serde(default)]
    /// A note under it, if any.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
/// One audience: who it is, and the messages for it.
pub struct Audience {
    /// Stable slug: ties outputs, translations and errors to this audience.
    pub id: String,
    /// Short name, shown on covers.
    pub name: String,
    /// The heading above its messages.
    pub heading: String,
    #[serde(default)]
    /// A paragraph before its messages, if any.
    pub intro: Option<String>,
    /// Its messages, numbered in this order.
    pub messages: Vec<Message>,
    /// Its own picture, instead of the content's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<PictureSpec>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
/// One key message.
pub struct Message {
    /// Stable slug: ties translations and the manifest to this message.
    pub id: String,
    /// The message's text.
    pub text: String,
}

/// The fields each part of a content may have, as written in YAML (a test
/// holds them to the structs above).
pub struct Fields {
    pub content: &'static [&'static str],
    pub organisation: &'static [&'static str],
    pub definition: &'static [&'static str],
    pub audience: &'static [&'static str],
    pub message: &'static [&'static str],
}

/// The fields of a content, by part.
pub const FIELDS: Fields = Fields {
    content: &[
        "language",
        "title",
        "attribution",
        "organisation",
        "definition",
        "image",
        "audiences",
    ],
    organisation: &["name", "url", "email", "phone", "address", "call-to-action"],
    definition: &["heading", "text", "note"],
    audience: &["id", "name", "heading", "intro", "messages", "image"],
    message: &["id", "text"],
};

/// What a content says besides its audiences: read whole, however large the
/// file.
#[derive(Debug, Clone, Serialize)]
pub struct Head {
    /// BCP 47 language of the text, such as `en`.
    pub language: String,
    /// The title, on every output.
    pub title: String,
    /// Who the messages are by, as printed.
    pub attribution: String,
    /// The organisation, and its website.
    pub organisation: Organisation,
    /// The definition every output starts from.
    pub definition: Definition,
    /// A picture for every output, unless an audience has its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<PictureSpec>,
}

impl Content {
    /// The content's head and its audiences, apart.
    pub fn split(self) -> (Head, Vec<Audience>) {
        let head = Head {
            language: self.language,
            title: self.title,
            attribution: self.attribution,
            organisation: self.organisation,
            definition: self.definition,
            image: self.image,
        };
        (head, self.audiences)
    }

    /// A content of `head` and `audiences`.
    pub fn join(head: &Head, audiences: Vec<Audience>) -> Content {
        Content {
            language: head.language.clone(),
            title: head.title.clone(),
            attribution: head.attribution.clone(),
            organisation: head.organisation.clone(),
            definition: head.definition.clone(),
            image: head.image.clone(),
            audiences,
        }
    }
}

/// The first half of the SHA-256 of `bytes`.
fn sha256_16(bytes: &[u8]) -> [u8; 16] {
    use sha2::Digest;
    let d = sha2::Sha256::digest(bytes);
    let mut out = [0; 16];
    out.copy_from_slice(&d[..16]);
    out
}

/// A project's audiences: parsed, or, for a large content, left on disk and
/// read back one at a time (see [`Streamed`]). Whoever needs one asks for it
/// by its place; neither form pretends to be the other.
pub enum Audiences {
    /// Parsed with the rest of the file.
    Parsed(Vec<Audience>),
    /// Left on disk.
    OnDisk(Streamed),
}

/// One audience, as a job reads it: from memory, or read back from disk with
/// its own lines (for spans; the content's head has its own).
pub struct AudienceText<'a> {
    /// The audience.
    pub audience: std::borrow::Cow<'a, Audience>,
    /// Its lines, when it was read back from disk.
    pub lines: Option<SourceFile>,
}

impl Audiences {
    /// How many audiences there are.
    pub fn len(&self) -> usize {
        match self {
            Audiences::Parsed(v) => v.len(),
            Audiences::OnDisk(file) => file.entries.len(),
        }
    }

    /// The id of the audience at `i`, in content order.
    pub fn id(&self, i: usize) -> &str {
        match self {
            Audiences::Parsed(v) => &v[i].id,
            Audiences::OnDisk(file) => &file.entries[i].id,
        }
    }

    /// Audience ids in content order.
    pub fn ids(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.id(i))
    }

    /// A digest of the audience at `i`'s texts: what its outputs depend on.
    pub fn digest(&self, i: usize) -> [u8; 16] {
        match self {
            // As JSON: field by field, whatever the YAML's layout.
            Audiences::Parsed(v) => sha256_16(&serde_json::to_vec(&v[i]).unwrap_or_default()),
            Audiences::OnDisk(file) => file.entries[i].digest,
        }
    }

    /// The audience at `i`; an error if it was read back from disk and the
    /// file changed since it was checked.
    pub fn get(&self, i: usize) -> Result<AudienceText<'_>, String> {
        match self {
            Audiences::Parsed(v) => Ok(AudienceText {
                audience: std::borrow::Cow::Borrowed(&v[i]),
                lines: None,
            }),
            Audiences::OnDisk(file) => file.audience(i).map(|(a, lines)| AudienceText {
                audience: std::borrow::Cow::Owned(a),
                lines: Some(lines),
            }),
        }
    }
}

impl Content {
    /// Parses the content file. A large file is read audience by audience:
    /// serde_yaml holds every event of a document in memory at once, about ten
    /// times the text, which for a 10,000-audience file was most of a batch's
    /// memory. Any file this reading cannot take (aliases across audiences, an
    /// unusual layout, a mistake) is read whole, which also gives the error.
    pub fn parse(src: &SourceFile) -> Result<Content, Diagnostic> {
        if src.text.len() >= PARTS_FROM_BYTES
            && let Some(c) = parse_in_parts(&src.text)
        {
            return Ok(c);
        }
        src.parse()
    }
}

/// Files under this size are read whole.
const PARTS_FROM_BYTES: usize = 512 << 10;
/// Audiences per part.
const PART_AUDIENCES: usize = 200;

/// Whether `l` opens the top-level `audiences:` block.
fn opens_audiences(l: &str) -> bool {
    l.strip_prefix("audiences:")
        .is_some_and(|rest| rest.trim().is_empty() || rest.trim_start().starts_with('#'))
}

/// Whether a line inside the audiences block is back at the top level (not a
/// comment, not blank, not a list item written without indentation): the
/// block has ended.
fn back_at_top_level(l: &str) -> bool {
    let first = l.chars().next().unwrap_or(' ');
    !matches!(first, ' ' | '\t' | '#' | '-' | '\n' | '\r')
}

/// Where a list item's `- ` starts, if `l` is one.
fn item_indent(l: &str) -> Option<usize> {
    let t = l.trim_start_matches(' ');
    t.starts_with("- ").then(|| l.len() - t.len())
}

/// Whether `l` is a list item at `indent` (an audience, not one of its messages).
fn is_item_at(l: &str, indent: usize) -> bool {
    l.len() > indent && l[..indent].bytes().all(|b| b == b' ') && l[indent..].starts_with("- ")
}

fn is_blank_or_comment(l: &str) -> bool {
    l.trim().is_empty() || l.trim_start().starts_with('#')
}

fn separates_documents(l: &str) -> bool {
    l.starts_with("---") || l.starts_with("...")
}

/// The file with its top-level `audiences:` block taken out, and that block cut
/// into parts of whole list items, each still valid YAML on its own.
fn parse_in_parts(text: &str) -> Option<Content> {
    if text.lines().any(separates_documents) {
        return None; // several documents: leave it to the whole reading
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let start = lines.iter().position(|l| opens_audiences(l))?;
    let end = (start + 1..lines.len())
        .find(|&i| back_at_top_level(lines[i]))
        .unwrap_or(lines.len());
    let block = &lines[start + 1..end];
    let indent = block.iter().find_map(|l| item_indent(l))?;
    let is_item = |l: &str| is_item_at(l, indent);
    let mut head = String::with_capacity(text.len() - block.iter().map(|l| l.len()).sum::<usize>());
    for l in &lines[..start] {
        head.push_str(l);
    }
    head.push_str("audiences: []\n");
    for l in &lines[end..] {
        head.push_str(l);
    }
    let mut content: Content = serde_yaml::from_str(&head).ok()?;
    if !content.audiences.is_empty() {
        return None;
    }
    let mut part = String::new();
    let mut items = 0;
    let flush = |part: &mut String, content: &mut Content| -> Option<()> {
        if !part.is_empty() {
            let audiences: Vec<Audience> = serde_yaml::from_str(part).ok()?;
            content.audiences.extend(audiences);
            part.clear();
        }
        Some(())
    };
    for l in block {
        if is_item(l) {
            if items == PART_AUDIENCES {
                flush(&mut part, &mut content)?;
                items = 0;
            }
            items += 1;
        } else if part.is_empty() && !is_blank_or_comment(l) {
            return None; // text before the first item
        }
        part.push_str(l);
    }
    flush(&mut part, &mut content)?;
    Some(content)
}

/// A large content's audiences, kept on disk: the file stays open, and each
/// audience is read back when its jobs run. Memory holds, per audience, its
/// id, where it is and a hash of its text (the head, title, definition, …, is
/// read like any content: see [`stream`]); a batch of 10,000 audiences needs
/// no more memory than one of 1,000.
pub struct Streamed {
    /// The file, as the user should see it.
    path: std::path::PathBuf,
    /// Audiences in file order.
    pub entries: Vec<Entry>,
    /// Held open: an editor that saves by writing a new file and renaming it
    /// leaves this build reading the text it checked.
    file: std::fs::File,
}

/// One audience of a streamed content.
pub struct Entry {
    pub id: Box<str>,
    offset: u64,
    len: u32,
    /// The file's line number of the audience's first line.
    line: u32,
    /// Hash of its bytes: an edit in place during the build is caught.
    hash: u64,
    /// SHA-256 of its bytes (the first half): what the audience's outputs
    /// depend on, recorded in their fingerprints.
    digest: [u8; 16],
}

impl Streamed {
    /// Reads audience `i` back from the file, with its lines (for spans).
    pub fn audience(&self, i: usize) -> Result<(Audience, SourceFile), String> {
        let e = &self.entries[i];
        let changed = || {
            format!(
                "{} changed while the build ran (audience `{}`); build again",
                self.path.display(),
                e.id
            )
        };
        let mut bytes = vec![0; e.len as usize];
        read_at(&self.file, &mut bytes, e.offset).map_err(|_| changed())?;
        if crate::text::hash64(&bytes) != e.hash {
            return Err(changed());
        }
        let text = String::from_utf8(bytes).map_err(|_| changed())?;
        let mut parsed: Vec<Audience> = serde_yaml::from_str(&text).map_err(|_| changed())?;
        match (parsed.pop(), parsed.is_empty()) {
            (Some(a), true) if *a.id == *e.id => {
                Ok((a, SourceFile::part(&self.path, text, e.line as usize)))
            }
            _ => Err(changed()),
        }
    }
}

/// Fills `buf` from `offset` without moving a shared file position, so jobs on
/// several threads read their audiences at once.
fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        let mut done = 0;
        while done < buf.len() {
            match std::os::windows::fs::FileExt::seek_read(
                file,
                &mut buf[done..],
                offset + done as u64,
            )? {
                0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
                n => done += n,
            }
        }
        Ok(())
    }
}

/// Reads a large content file (from [`PARTS_FROM_BYTES`]) a part of audiences at
/// a time, handing each part to `check` (the part as a content with the head's
/// fields, and its lines) and keeping only where each audience is. Returns the
/// head (everything before the audiences, with `audiences: []`), its lines as
/// written, and the audiences left on disk. `None` (a small file, one this
/// reading cannot take, or a part `check` refuses) means: read the file whole,
/// which also reports its problems in full.
pub fn stream(
    path: &std::path::Path,
    mut check: impl FnMut(&Content, &SourceFile) -> bool,
) -> Option<(Content, SourceFile, Streamed)> {
    use std::io::BufRead;
    let file = std::fs::File::open(path).ok()?;
    let size = file.metadata().ok()?.len();
    if size < PARTS_FROM_BYTES as u64 || size > crate::source::MAX_INPUT_BYTES {
        return None;
    }
    let mut reader = std::io::BufReader::with_capacity(1 << 16, file.try_clone().ok()?);
    let mut head_text = String::new();
    let mut head: Option<Content> = None;
    let mut entries: Vec<Entry> = Vec::new();
    // The part being read: its text, and per item (audience) its offset in the
    // part, its offset in the file and its line.
    let mut part = String::new();
    let mut items: Vec<(usize, u64, u32)> = Vec::new();
    let mut indent: Option<usize> = None;
    let (mut offset, mut line_no) = (0u64, 0u32);
    let mut raw = Vec::new();
    let flush = |part: &mut String,
                 items: &mut Vec<(usize, u64, u32)>,
                 head: &Content,
                 entries: &mut Vec<Entry>,
                 check: &mut dyn FnMut(&Content, &SourceFile) -> bool|
     -> Option<()> {
        if items.is_empty() {
            return Some(());
        }
        let audiences: Vec<Audience> = serde_yaml::from_str(part).ok()?;
        if audiences.len() != items.len() {
            return None;
        }
        for (k, a) in audiences.iter().enumerate() {
            let (start, file_offset, line) = items[k];
            let end = items.get(k + 1).map_or(part.len(), |i| i.0);
            entries.push(Entry {
                id: a.id.as_str().into(),
                offset: file_offset,
                len: u32::try_from(end - start).ok()?,
                line,
                hash: crate::text::hash64(&part.as_bytes()[start..end]),
                digest: sha256_16(&part.as_bytes()[start..end]),
            });
        }
        let first_line = items[0].2 as usize;
        let src = SourceFile::part(path, std::mem::take(part), first_line);
        let content = Content {
            audiences,
            ..head.clone()
        };
        items.clear();
        check(&content, &src).then_some(())
    };
    loop {
        raw.clear();
        let n = reader.read_until(b'\n', &mut raw).ok()?;
        if n == 0 {
            break;
        }
        let l = std::str::from_utf8(&raw).ok()?;
        let at_start = offset == 0;
        if l.char_indices()
            .any(|(i, c)| crate::source::unwanted(if at_start { i } else { i + 1 }, c))
            || separates_documents(l)
        {
            return None;
        }
        line_no += 1;
        match &head {
            None => {
                if opens_audiences(l) {
                    let mut h = head_text.clone();
                    h.push_str("audiences: []\n");
                    let c: Content = serde_yaml::from_str(&h).ok()?;
                    if !c.audiences.is_empty() {
                        return None;
                    }
                    head = Some(c);
                }
                head_text.push_str(l);
            }
            Some(h) => {
                if back_at_top_level(l) {
                    return None; // a key after the audiences: leave it to the whole reading
                }
                indent = indent.or_else(|| item_indent(l));
                let is_item = indent.is_some_and(|k| is_item_at(l, k));
                if is_item {
                    if items.len() == PART_AUDIENCES {
                        flush(&mut part, &mut items, h, &mut entries, &mut check)?;
                    }
                    items.push((part.len(), offset, line_no));
                } else if items.is_empty() && !is_blank_or_comment(l) {
                    return None; // text before the first item
                }
                if !items.is_empty() {
                    part.push_str(l);
                }
            }
        }
        offset += n as u64;
    }
    let head = head?;
    flush(&mut part, &mut items, &head, &mut entries, &mut check)?;
    if entries.is_empty() {
        return None;
    }
    let streamed = Streamed {
        path: path.to_path_buf(),
        entries,
        file: reader.into_inner(),
    };
    Some((head, SourceFile::new(path, head_text), streamed))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_field_lists_are_the_structs_fields() {
        use serde_yaml::Value;
        let c = Content {
            language: "en".into(),
            title: "t".into(),
            attribution: "a".into(),
            organisation: Organisation {
                name: "o".into(),
                url: Some("w".into()),
                email: Some("e".into()),
                phone: Some("p".into()),
                address: Some("a".into()),
                call_to_action: Some("c".into()),
            },
            definition: Definition {
                heading: "h".into(),
                text: "x".into(),
                note: Some("n".into()),
            },
            image: Some(PictureSpec {
                file: "f".into(),
                alt: Some("a".into()),
                credit: None,
            }),
            audiences: vec![Audience {
                id: "a".into(),
                name: "n".into(),
                heading: "h".into(),
                intro: Some("i".into()),
                messages: vec![Message {
                    id: "m".into(),
                    text: "t".into(),
                }],
                image: Some(PictureSpec {
                    file: "f".into(),
                    alt: Some("a".into()),
                    credit: None,
                }),
            }],
        };
        let v = serde_yaml::to_value(&c).unwrap();
        let keys = |v: &Value| -> Vec<String> {
            v.as_mapping()
                .unwrap()
                .keys()
                .map(|k| k.as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(keys(&v), FIELDS.content);
        assert_eq!(keys(&v["organisation"]), FIELDS.organisation);
        assert_eq!(keys(&v["definition"]), FIELDS.definition);
        assert_eq!(keys(&v["audiences"][0]), FIELDS.audience);
        assert_eq!(keys(&v["audiences"][0]["messages"][0]), FIELDS.message);
    }

    use super::*;

    fn big(n: usize) -> String {
        let shipped = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/content/messages.yaml"
        ))
        .unwrap();
        let (head, tail) = shipped.split_at(shipped.find("audiences:").unwrap());
        let mut y = head.to_string();
        y.push_str("audiences:\n");
        for i in 0..n {
            y.push_str(&format!(
                "  # audience {i}\n  - id: a-{i}\n    name: \"Audience {i}: the #{i}\"\n    heading: >-\n      Heading {i}\n\n      - not an item\n    messages:\n      - id: m-{i}\n        text: |\n          Text {i}\n          - also not an item\n"
            ));
        }
        // Anything after the audiences block still belongs to the file.
        let _ = tail;
        y
    }

    #[test]
    fn a_large_file_read_in_parts_equals_the_whole_reading() {
        let text = big(6000);
        assert!(text.len() >= PARTS_FROM_BYTES);
        let parts = parse_in_parts(&text).expect("read in parts");
        let whole: Content = serde_yaml::from_str(&text).unwrap();
        assert_eq!(
            serde_yaml::to_string(&parts).unwrap(),
            serde_yaml::to_string(&whole).unwrap()
        );
        assert_eq!(parts.audiences.len(), 6000);
    }

    /// `text` as `messages.yaml` in a temporary folder.
    fn on_disk(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("messages.yaml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn a_streamed_content_reads_back_each_audience_as_the_whole_reading_has_it() {
        let text = big(6000);
        let (_dir, path) = on_disk(&text);
        let mut parts = 0;
        let (head, _, st) = stream(&path, |part, src| {
            parts += 1;
            // Each part's lines are numbered as in the file.
            let first = &part.audiences[0];
            let line = src.span_of("id", &first.id).unwrap().line;
            text.lines()
                .nth(line - 1)
                .unwrap()
                .ends_with(&format!("id: {}", first.id))
        })
        .expect("streamed");
        assert_eq!(parts, 6000 / PART_AUDIENCES);
        let whole: Content = serde_yaml::from_str(&text).unwrap();
        assert_eq!(st.entries.len(), 6000);
        assert_eq!(head.title, whole.title);
        for i in [0, 1, 199, 200, 3001, 5999] {
            let (a, lines) = st.audience(i).unwrap();
            assert_eq!(
                serde_yaml::to_string(&a).unwrap(),
                serde_yaml::to_string(&whole.audiences[i]).unwrap()
            );
            // A span in the audience's own lines names the file's line.
            let line = lines.span_of("id", &format!("m-{i}")).unwrap().line;
            assert_eq!(
                text.lines().nth(line - 1).unwrap().trim(),
                format!("- id: m-{i}")
            );
        }
        // A part the check refuses sends the file to the whole reading.
        assert!(stream(&path, |part, _| part.audiences[0].id != "a-4000").is_none());
    }

    #[test]
    fn an_audience_edited_during_the_build_fails_its_job_instead_of_printing_other_text() {
        let text = big(6000);
        let (dir, path) = on_disk(&text);
        let (_, _, st) = stream(&path, |_, _| true).expect("streamed");
        // Same length, edited in place (as `sed -i` would not, but an editor may).
        let edited = text.replacen("Text 1500\n", "Tekst 150\n", 1);
        assert_eq!(edited.len(), text.len());
        std::fs::write(&path, &edited).unwrap();
        let e = st.audience(1500).unwrap_err();
        assert!(
            e.contains("changed while the build ran") && e.contains("a-1500"),
            "{e}"
        );
        assert!(st.audience(1499).is_ok());
        // A file saved by replacing it leaves the build reading what it checked.
        std::fs::write(dir.path().join("new.yaml"), "language: fr\n").unwrap();
        std::fs::rename(dir.path().join("new.yaml"), &path).unwrap();
        assert!(st.audience(10).is_ok());
    }

    #[test]
    fn what_the_stream_cannot_take_is_left_to_the_whole_reading() {
        // Small files are read whole.
        let (_dir, path) = on_disk(&big(10));
        assert!(stream(&path, |_, _| true).is_none());
        // A key after the audiences, an alias across parts, a syntax error.
        for text in [
            big(6000) + "language: en\n",
            big(6000).replacen("name: \"Audience 0: the #0\"", "name: &n Audience 0", 1)
                + "  - id: last\n    name: *n\n    heading: h\n    messages: []\n",
            big(6000).replacen("  - id: a-1000\n", "  - id: a-1000\n   bad: [\n", 1),
        ] {
            std::fs::write(&path, text).unwrap();
            assert!(stream(&path, |_, _| true).is_none());
        }
    }

    #[test]
    fn what_the_parts_cannot_take_is_left_to_the_whole_reading() {
        // An alias to an anchor in another part.
        let text = big(300).replacen("name: \"Audience 0: the #0\"", "name: &n Audience 0", 1)
            + "  - id: last\n    name: *n\n    heading: h\n    messages: []\n";
        assert!(parse_in_parts(&text).is_none());
        let whole: Content = serde_yaml::from_str(&text).unwrap();
        assert_eq!(whole.audiences.last().unwrap().name, "Audience 0");
        // A key after the block is kept.
        let text = big(10).replace("language: en\n", "") + "language: en\n";
        assert_eq!(parse_in_parts(&text).unwrap().language, "en");
    }
}
