//! Reading input files: size limits, UTF-8, YAML parsing with serde_yaml, and
//! turning its errors into diagnostics with a position and a hint.

use crate::diag::{Diagnostic, Span, did_you_mean};
use serde::de::DeserializeOwned;
use std::path::Path;

/// Inputs are hand-written YAML: anything larger is a mistake (a wrong file),
/// and refusing it early keeps memory bounded.
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// A loaded text file: its path as the user should see it, and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: std::path::PathBuf,
    pub text: String,
    /// The file's line number of the text's first line: 1, unless the text is
    /// a part of a file (one audience of a large content, read back for a job).
    first_line: usize,
    /// Where keys and lines are, built on first use: looking up the line of an id
    /// must not rescan a 10,000-audience file for every output.
    index: std::sync::OnceLock<Index>,
}

#[derive(Debug, Clone, Default)]
struct Index {
    /// key -> offsets of the key, in file order.
    keys: std::collections::HashMap<String, Vec<usize>>,
    /// (hash of key and value, offset of the value), sorted: a 10,000-audience file
    /// has some 160,000 pairs, and a map of owned strings for them cost 25 MB.
    pairs: Vec<(u64, usize)>,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Reads a file of the folder `dir`, refusing one that links outside it.
    pub fn read_inside(path: &Path, dir: &Path) -> Result<SourceFile, Diagnostic> {
        outside_link(path, dir)?;
        SourceFile::read(path)
    }

    /// Like `read_inside`, but an invisible or control character is not the
    /// end of it: the file is read, and every such character is returned as
    /// a problem, so the mistakes after it are found in the same run.
    pub fn read_inside_all(
        path: &Path,
        dir: &Path,
    ) -> Result<(SourceFile, Vec<Diagnostic>), Diagnostic> {
        outside_link(path, dir)?;
        let src = SourceFile::read_text(path)?;
        let unwanted = src.unwanted_characters();
        Ok((src, unwanted))
    }

    /// Reads a file; an invisible or control character in it is an error.
    pub fn read(path: &Path) -> Result<SourceFile, Diagnostic> {
        let src = SourceFile::read_text(path)?;
        match src.unwanted_characters().into_iter().next() {
            Some(d) => Err(d),
            None => Ok(src),
        }
    }

    /// Every invisible or control character in the text, each a problem at
    /// its place.
    pub fn unwanted_characters(&self) -> Vec<Diagnostic> {
        self.text
            .char_indices()
            .filter(|&(i, c)| unwanted(i, c))
            .map(|(offset, c)| {
                Diagnostic::error(
                    &self.path,
                    if c.is_control() {
                        format!("the control character U+{:04X} is in the text", c as u32)
                    } else {
                        format!(
                            "the invisible character U+{:04X} ({}) is in the text",
                            c as u32,
                            char_name(c)
                        )
                    },
                )
                .with_span(Some(self.span_at(offset)))
                .with_hint(
                    "delete it (text pasted from a word processor often carries such characters)",
                )
            })
            .collect()
    }

    fn read_text(path: &Path) -> Result<SourceFile, Diagnostic> {
        let meta = std::fs::metadata(path).map_err(|e| read_error(path, &e))?;
        if meta.is_dir() {
            return Err(Diagnostic::error(path, "expected a file, found a folder"));
        }
        if meta.len() > MAX_INPUT_BYTES {
            return Err(Diagnostic::error(
                path,
                format!(
                    "file is {} MB, larger than the {} MB leafpress reads",
                    meta.len() / (1024 * 1024),
                    MAX_INPUT_BYTES / (1024 * 1024)
                ),
            )
            .with_hint("split the content or check that this is the right file"));
        }
        let bytes = std::fs::read(path).map_err(|e| read_error(path, &e))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let off = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            Diagnostic::error(path, "file is not valid UTF-8 text")
                .with_span(Some(Span::at_offset(&text, off)))
                .with_hint("save the file as UTF-8 in your editor")
        })?;
        Ok(SourceFile::new(path, text))
    }

    /// Parses the whole file as `T`.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, Diagnostic> {
        if self
            .text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        {
            return Err(
                Diagnostic::error(&self.path, "the file is empty").with_hint(
                    "fill it in; `leafpress init DIR` writes a complete example to copy from",
                ),
            );
        }
        serde_yaml::from_str(&self.text).map_err(|e| yaml_error(&self.path, &self.text, &e))
    }

    /// The positions (byte offsets of the value) where `key: value` occurs, in order.
    /// Used to point at a line for problems found after parsing (duplicate ids).
    pub fn find_key_value(&self, key: &str, value: &str) -> Vec<usize> {
        let idx = self.index();
        if value.is_empty() {
            return idx.keys.get(key).cloned().unwrap_or_default();
        }
        let h = pair_hash(key, value);
        let from = idx.pairs.partition_point(|&(p, _)| p < h);
        idx.pairs[from..]
            .iter()
            .take_while(|&&(p, _)| p == h)
            .map(|&(_, o)| o)
            // Another pair with the same hash is told apart by its text.
            .filter(|&o| self.text[o..].starts_with(value))
            .collect()
    }

    /// A file from its text (for inputs that do not come from disk).
    pub fn new(path: &Path, text: String) -> SourceFile {
        SourceFile::part(path, text, 1)
    }

    /// Lines of `path` from line `first_line` on: spans name the file's lines.
    pub fn part(path: &Path, text: String, first_line: usize) -> SourceFile {
        SourceFile {
            path: path.to_path_buf(),
            text,
            first_line: first_line.max(1),
            index: std::sync::OnceLock::new(),
        }
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let mut idx = Index::default();
            let mut offset = 0;
            for line in self.text.split_inclusive('\n') {
                idx.line_starts.push(offset);
                // Block style (`key: value`) and flow style (`{ a: 1, key: value }`) alike.
                let in_flow = line.contains('{');
                for (colon, _) in line.match_indices(':') {
                    let head = &line[..colon];
                    let key_start = head
                        .rfind(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_' || c == '.'))
                        .map(|i| i + head[i..].chars().next().map_or(1, char::len_utf8))
                        .unwrap_or(0);
                    let key = &head[key_start..];
                    let before = head[..key_start].chars().next_back();
                    if key.is_empty()
                        || !matches!(before, None | Some(' ' | '{' | ',' | '-' | '\t'))
                    {
                        continue;
                    }
                    // Inside a line that is only a comment, or after one, nothing counts.
                    if head[..key_start].trim_start().starts_with('#') {
                        continue;
                    }
                    let rest = &line[colon + 1..];
                    let v_end = if in_flow {
                        rest.find([',', '}']).unwrap_or(rest.len())
                    } else {
                        rest.len()
                    };
                    let v = rest[..v_end].trim().trim_matches(|c| c == '"' || c == '\'');
                    let v_off = colon + 1 + rest.find(v).unwrap_or(0);
                    idx.keys
                        .entry(key.to_string())
                        .or_default()
                        .push(offset + key_start);
                    idx.pairs.push((pair_hash(key, v), offset + v_off));
                }
                offset += line.len();
            }
            idx.pairs.sort_unstable();
            idx
        })
    }

    /// The byte offset where line `line` (as spans count them) starts.
    pub fn offset_of_line(&self, line: usize) -> Option<usize> {
        let i = line.checked_sub(self.first_line)?;
        self.index().line_starts.get(i).copied()
    }

    /// The span of a byte offset, using the line index.
    pub fn span_at(&self, offset: usize) -> Span {
        let starts = &self.index().line_starts;
        let line = starts.partition_point(|&s| s <= offset).max(1);
        let start = starts.get(line - 1).copied().unwrap_or(0);
        let offset = offset.min(self.text.len());
        let column = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        Span::at_line_text(
            line + self.first_line - 1,
            column,
            self.text[start..].lines().next().unwrap_or(""),
        )
    }

    pub fn span_of(&self, key: &str, value: &str) -> Option<Span> {
        self.find_key_value(key, value)
            .first()
            .map(|&o| self.span_at(o))
    }
}

/// Control characters (other than tab and line ends) and invisible characters
/// that only ever arrive by pasting. Joiners (U+200C, U+200D) are kept: scripts
/// and emoji need them. A byte-order mark is allowed at the very start.
pub(crate) fn unwanted(offset: usize, c: char) -> bool {
    match c {
        '\t' | '\n' | '\r' => false,
        '\u{feff}' => offset > 0,
        c if c.is_control() => true,
        '\u{200b}' | '\u{2060}' | '\u{180e}' | '\u{2028}' | '\u{2029}' => true,
        _ => false,
    }
}

fn char_name(c: char) -> &'static str {
    match c {
        '\u{200b}' => "zero width space",
        '\u{2060}' => "word joiner",
        '\u{180e}' => "Mongolian vowel separator",
        '\u{2028}' => "line separator",
        '\u{2029}' => "paragraph separator",
        '\u{feff}' => "zero width no-break space",
        _ => "invisible character",
    }
}

fn pair_hash(key: &str, value: &str) -> u64 {
    crate::text::hash64(&(key, value))
}

/// Whether `file`, as written in an input, is a relative path that stays
/// inside the folder it is read from (no `..`, not absolute).
pub fn stays_inside(file: &str) -> bool {
    let path = Path::new(file);
    !file.is_empty()
        && !path.is_absolute()
        && path.components().all(|c| {
            !matches!(
                c,
                std::path::Component::ParentDir | std::path::Component::Prefix(_)
            )
        })
}

/// An error when `path` is a link (or under a link) that leads outside `dir`: the
/// project's inputs stay inside its folders, whatever the links say.
pub fn outside_link(path: &Path, dir: &Path) -> Result<(), Diagnostic> {
    let (Ok(real), Ok(root)) = (std::fs::canonicalize(path), std::fs::canonicalize(dir)) else {
        return Ok(()); // a missing file is reported where it is read
    };
    if real.starts_with(&root) {
        return Ok(());
    }
    Err(Diagnostic::error(
        path,
        format!(
            "`{}` links to `{}`, outside the folder `{}`",
            path.display(),
            real.display(),
            dir.display()
        ),
    )
    .with_hint("copy the file into the folder instead of linking to it"))
}

fn read_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    let d = Diagnostic::error(
        path,
        format!(
            "cannot read file: {}",
            crate::text::lower_first(&e.to_string())
        ),
    );
    match e.kind() {
        std::io::ErrorKind::NotFound => d.with_hint("check the file name and the folder it is in"),
        std::io::ErrorKind::PermissionDenied => d.with_hint("make the file readable"),
        _ => d,
    }
}

/// Turns a serde_yaml error into a diagnostic: the position it carries, its message
/// without the duplicated " at line N column M", and a hint where we can give one.
pub fn yaml_error(path: &Path, text: &str, e: &serde_yaml::Error) -> Diagnostic {
    let raw = e.to_string();
    let mut span = e.location().map(|l| Span::at(text, l.line(), l.column()));
    // A scanner error ("found unexpected end of stream ..., while scanning a quoted
    // scalar at line 12 column 9") is best shown where the unfinished thing began.
    let scanning = raw.contains("while scanning");
    if scanning && let Some((line, col)) = last_line_col(&raw) {
        span = Some(Span::at(text, line, col));
    }
    let mut msg = raw.clone();
    if let Some(i) = msg.find(" at line ") {
        let rest = &msg[i..];
        let end = rest.find(", ").map(|j| i + j).unwrap_or(msg.len());
        msg.replace_range(i..end, "");
    }
    if let Some(i) = msg.rfind(" at line ") {
        msg.truncate(i);
    }
    // serde_yaml places errors raised inside a flow mapping (`{ colour: primry }`)
    // at the mapping's start; point at the offending name itself when it is on that line.
    if let (Some(s), Some(name)) = (span.as_mut(), msg.split('`').nth(1))
        && !name.is_empty()
        && let Some(byte) = s
            .snippet
            .char_indices()
            .nth(s.column.saturating_sub(1))
            .map(|(b, _)| b)
            .and_then(|from| s.snippet[from..].find(name).map(|i| i + from))
    {
        s.column = s.snippet[..byte].chars().count() + 1;
    }
    // serde places a duplicate key at the start of its mapping; show the second one.
    if let Some(key) = msg
        .split("duplicate field `")
        .nth(1)
        .and_then(|r| r.split('`').next())
        && let Some(s) = span.as_ref()
        && let Some(second) = second_key(text, s.line, s.column.saturating_sub(1), key)
    {
        span = Some(second);
    }
    let hint = hint_for(&msg, span.as_ref(), scanning);
    let mut d = Diagnostic::error(path, crate::text::lower_first(&msg)).with_span(span);
    d.hint = hint;
    d
}

/// Where `key:` appears the second time in the mapping whose first key is at
/// `line` (1-based), indented by `indent` columns.
fn second_key(text: &str, line: usize, indent: usize, key: &str) -> Option<Span> {
    let mut seen = 0;
    for (i, l) in text.lines().enumerate().skip(line.saturating_sub(1)) {
        let body = l.trim_start_matches(' ');
        let own = l.len() - body.len();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        // A list item's first key sits after its `- `.
        let (own, body) = match body.strip_prefix("- ") {
            Some(b) if own + 2 == indent => (indent, b),
            _ => (own, body),
        };
        if own < indent && i + 1 > line {
            return None; // the mapping ended
        }
        if own == indent
            && body
                .strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with(':'))
        {
            seen += 1;
            if seen == 2 {
                return Some(Span::at(text, i + 1, own + 1));
            }
        }
    }
    None
}

/// What to do about a serde_yaml message.
pub fn hint_for(msg: &str, span: Option<&Span>, scanning: bool) -> Option<String> {
    let mut hint = None;
    if let Some((field, expected)) = parse_unknown(msg, "unknown field `") {
        hint = Some(
            match did_you_mean(&field, expected.iter().map(|s| s.as_str())) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("remove `{field}` or use one of: {}", expected.join(", ")),
            },
        );
    } else if let Some((variant, expected)) = parse_unknown(msg, "unknown variant `") {
        hint = Some(
            match did_you_mean(&variant, expected.iter().map(|s| s.as_str())) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("use one of: {}", expected.join(", ")),
            },
        );
    } else if msg.contains("missing field `") {
        hint = Some("add the field, or check its spelling and indentation".into());
    } else if msg.contains("found character that cannot start any token")
        && span.is_some_and(|s| s.snippet.contains('\t'))
    {
        hint = Some("YAML indents with spaces, not tabs: replace the tab with spaces".into());
    } else if msg.contains("did not find expected")
        || msg.contains("mapping values are not allowed")
    {
        hint = Some(
            "check the indentation and quoting on this line and the one before it; text with `: ` in it needs quotes"
                .into(),
        );
    } else if scanning && msg.contains("quoted scalar") {
        hint = Some("a quote opened here is never closed: add the closing quote".into());
    } else if msg.contains("duplicate entry")
        || msg.contains("duplicate key")
        || msg.contains("duplicate field")
    {
        hint = Some("each key may appear once in a mapping; remove or rename one".into());
    } else if msg.contains("repetition limit exceeded") || msg.contains("recursion limit exceeded")
    {
        hint = Some(
            "aliases (`*name`) here repeat text too many times over; write the text out instead"
                .into(),
        );
    } else if msg.contains("greater than zero") {
        hint = Some(
            "give a paper name such as A4, or two lengths above zero such as [210mm, 297mm]".into(),
        );
    }
    hint
}

/// The last "line N column M" in a serde_yaml message.
fn last_line_col(msg: &str) -> Option<(usize, usize)> {
    let i = msg.rfind("line ")?;
    let mut it = msg[i + 5..]
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty());
    let line = it.next()?.parse().ok()?;
    let col = it.next()?.parse().ok()?;
    Some((line, col))
}

/// From "unknown field `x`, expected one of `a`, `b`" get ("x", ["a", "b"]).
fn parse_unknown(msg: &str, marker: &str) -> Option<(String, Vec<String>)> {
    let start = msg.find(marker)? + marker.len();
    let rest = &msg[start..];
    let end = rest.find('`')?;
    let word = rest[..end].to_string();
    let expected = rest[end + 1..]
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    Some((word, expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_field_gets_a_suggestion() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct S {
            color: String,
            size: String,
        }
        let text = "size: x\ncolour: red\n";
        let e = serde_yaml::from_str::<S>(text).unwrap_err();
        let d = yaml_error(Path::new("f.yaml"), text, &e);
        assert!(
            d.message.starts_with("unknown field `colour`"),
            "{}",
            d.message
        );
        assert_eq!(d.hint.as_deref(), Some("did you mean `color`?"));
        let s = d.span.unwrap();
        assert_eq!((s.line, s.column), (2, 1));
    }
}
