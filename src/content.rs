//! The message source: `content/messages.yaml`, as authors write it.

use crate::diag::Diagnostic;
use crate::source::SourceFile;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Content {
    /// BCP 47 language of the text, such as `en`.
    pub language: String,
    pub title: String,
    pub attribution: String,
    pub organisation: Organisation,
    pub definition: Definition,
    pub audiences: Vec<Audience>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    pub name: String,
    #[serde(default)]
    pub website: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    pub heading: String,
    pub text: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Audience {
    /// Stable slug: ties outputs, translations and errors to this audience.
    pub id: String,
    /// Short name, shown on covers.
    pub name: String,
    pub heading: String,
    #[serde(default)]
    pub intro: Option<String>,
    pub messages: Vec<Message>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    pub id: String,
    pub text: String,
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
const PARTS_FROM_BYTES: usize = 1 << 20;
/// Audiences per part.
const PART_AUDIENCES: usize = 200;

/// The file with its top-level `audiences:` block taken out, and that block cut
/// into parts of whole list items, each still valid YAML on its own.
fn parse_in_parts(text: &str) -> Option<Content> {
    if text
        .lines()
        .any(|l| l.starts_with("---") || l.starts_with("..."))
    {
        return None; // several documents: leave it to the whole reading
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let start = lines.iter().position(|l| {
        l.strip_prefix("audiences:")
            .is_some_and(|rest| rest.trim().is_empty() || rest.trim_start().starts_with('#'))
    })?;
    // The block runs until the next line at the top level (not a comment, not
    // blank, not a list item written without indentation).
    let end = (start + 1..lines.len())
        .find(|&i| {
            let l = lines[i];
            let first = l.chars().next().unwrap_or(' ');
            !matches!(first, ' ' | '\t' | '#' | '-' | '\n' | '\r')
        })
        .unwrap_or(lines.len());
    let block = &lines[start + 1..end];
    let item_indent = block.iter().find_map(|l| {
        let t = l.trim_start_matches(' ');
        t.starts_with("- ").then(|| l.len() - t.len())
    })?;
    let is_item = |l: &str| {
        l.len() > item_indent
            && l[..item_indent].bytes().all(|b| b == b' ')
            && l[item_indent..].starts_with("- ")
    };
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
        } else if part.is_empty() && !l.trim().is_empty() && !l.trim_start().starts_with('#') {
            return None; // text before the first item
        }
        part.push_str(l);
    }
    flush(&mut part, &mut content)?;
    Some(content)
}

#[cfg(test)]
mod tests {
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
