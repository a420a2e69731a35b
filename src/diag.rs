//! Diagnostics: problems an author can fix, each with a place (file, line,
//! column) and a hint; and the library's error type, which keeps those apart
//! from I/O failures.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
/// How serious a diagnostic is.
pub enum Severity {
    /// Worth a look; does not stop a build.
    Warning,
    /// Stops a build until it is fixed.
    Error,
}

/// Where a problem is: 1-based line and column, and the text of that line so the
/// CLI can show it without reading the file again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1, in characters.
    pub column: usize,
    /// The line's text, as written.
    pub snippet: String,
}

impl Span {
    /// The span at a 1-based line and column of `text`.
    pub fn at(text: &str, line: usize, column: usize) -> Span {
        let snippet = text
            .lines()
            .nth(line.saturating_sub(1))
            .unwrap_or("")
            .to_string();
        Span {
            line,
            column,
            snippet,
        }
    }

    /// A span from its line, column and the line's text.
    pub fn at_line_text(line: usize, column: usize, snippet: &str) -> Span {
        Span {
            line,
            column,
            snippet: snippet.to_string(),
        }
    }

    /// The span of a byte offset in `text`.
    pub fn at_offset(text: &str, offset: usize) -> Span {
        let offset = offset.min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = text[line_start..offset].chars().count() + 1;
        Span::at(text, line, column)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
/// A problem an author can fix: where it is (file, line, column), what it is, and what to do.
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file it is in.
    pub file: PathBuf,
    /// Where in the file, when known.
    pub span: Option<Span>,
    /// What is wrong, starting in lowercase.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error in `file`.
    pub fn error(file: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.to_path_buf(),
            span: None,
            message: message.into(),
            hint: None,
        }
    }

    /// A warning about `file`.
    pub fn warning(file: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, message)
        }
    }

    /// The same diagnostic, at `span`.
    pub fn with_span(mut self, span: Option<Span>) -> Self {
        self.span = span;
        self
    }

    /// The same diagnostic, with what to do about it.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Whether it stops a build.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders the diagnostic the way the CLI prints it: the place, the message,
    /// the offending line with a caret under the column, and the hint.
    pub fn render(&self) -> String {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut out = format!("{kind}: {}\n", self.message);
        match &self.span {
            Some(s) => {
                out.push_str(&format!(
                    "  --> {}:{}:{}\n",
                    self.file.display(),
                    s.line,
                    s.column
                ));
                if !s.snippet.is_empty() {
                    let num = s.line.to_string();
                    let pad = " ".repeat(num.len());
                    // Tabs would shift the caret; show them as one space each.
                    let shown = s.snippet.replace('\t', " ");
                    out.push_str(&format!("{pad} |\n{num} | {shown}\n"));
                    out.push_str(&format!(
                        "{pad} | {}^\n",
                        " ".repeat(s.column.saturating_sub(1))
                    ));
                }
            }
            None => out.push_str(&format!("  --> {}\n", self.file.display())),
        }
        if let Some(h) = &self.hint {
            out.push_str(&format!("  = help: {h}\n"));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match &self.span {
            Some(s) => write!(
                f,
                "{}:{}:{}: {}",
                self.file.display(),
                s.line,
                s.column,
                self.message
            )?,
            None => write!(f, "{}: {}", self.file.display(), self.message)?,
        }
        if let Some(h) = &self.hint {
            write!(f, " ({h})")?;
        }
        Ok(())
    }
}

/// The library's error: either problems in the inputs (all of them, collected),
/// or a failure of the machine (I/O) with the path it concerned.
#[derive(Debug)]
pub enum Error {
    /// Problems in the inputs, every one found, each with its place and hint.
    Input(Vec<Diagnostic>),
    /// Reading or writing a file failed (a full disk, a folder one may not write to).
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A mistake on the command line or in the call (an unknown audience, a bad option).
    Usage(String),
    /// Mistakes on the command line or in the call that name something the
    /// project does not have (an audience, layout or language), each with
    /// what there is.
    Arguments(Vec<Diagnostic>),
}

impl Error {
    /// A file the user named could not be read: an input problem, told as one.
    pub fn unreadable(path: &Path, source: &std::io::Error) -> Self {
        Error::Input(vec![
            Diagnostic::error(
                path,
                format!(
                    "cannot read file: {}",
                    crate::text::lower_first(&source.to_string())
                ),
            )
            .with_hint("check the file name and that the file is readable"),
        ])
    }

    /// Writing outputs failed.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// An I/O failure in our style: what failed, where, and what to do.
    pub fn io_message(path: &Path, source: &std::io::Error) -> (String, &'static str) {
        let what = crate::text::lower_first(&source.to_string());
        let hint = match source.kind() {
            std::io::ErrorKind::PermissionDenied => {
                "choose a folder you may write to (--out DIR), or change its permissions"
            }
            std::io::ErrorKind::NotFound => "check that the folder exists",
            _ => "check the disk (space, permissions) and build again; earlier outputs are kept",
        };
        (format!("cannot write `{}`: {what}", path.display()), hint)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Error::Input(d) => {
                let n = d.iter().filter(|d| d.is_error()).count();
                write!(f, "{} in the inputs", crate::text::count(n, "problem"))?;
                for d in d {
                    write!(f, "\n{d}")?;
                }
                Ok(())
            }
            Error::Arguments(d) => {
                write!(
                    f,
                    "{} on the command line",
                    crate::text::count(d.len(), "mistake")
                )?;
                for d in d {
                    write!(f, "\n{d}")?;
                }
                Ok(())
            }
            Error::Io { path, source } => {
                let (msg, hint) = Error::io_message(path, source);
                write!(f, "{msg} ({hint})")
            }
            Error::Usage(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::normalized_damerau_levenshtein(word, c), c))
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_to_line_and_column() {
        let t = "a: 1\nbb: 2\n";
        let s = Span::at_offset(t, 6);
        assert_eq!((s.line, s.column, s.snippet.as_str()), (2, 2, "bb: 2"));
    }

    #[test]
    fn suggests_close_names() {
        assert_eq!(did_you_mean("colour", ["color", "size"]), Some("color"));
        assert_eq!(did_you_mean("zzz", ["color", "size"]), None);
    }
}
