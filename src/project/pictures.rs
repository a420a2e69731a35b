//! Pictures the content and brand name: their alternative text and path,
//! checked when the project loads, and their files, read when a job needs
//! them (once per batch): a missing or damaged picture fails the jobs that
//! show it, not the others.

use super::Project;
use crate::cache::Kind;
use crate::diag::{Diagnostic, Span};
use crate::picture::{Picture, PictureSpec};
use crate::source::SourceFile;
use std::path::PathBuf;
use std::sync::Arc;

/// The problems of a picture's spec, where `src` names it: no alternative
/// text, or a path that leaves the folder.
pub(super) fn check_spec(spec: &PictureSpec, src: &SourceFile, folder: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let file = spec.file.as_str();
    let span = place(spec, src);
    if spec.alt.is_none() {
        out.push(
            Diagnostic::error(&src.path, format!("picture `{file}` has no alternative text"))
                .with_span(span.clone())
                .with_hint(format!(
                    "say what it shows, for readers who cannot see it: `image: {{ file: {file}, alt: \"Two social workers visit a family at home\" }}` (or `alt: \"\"` if it is decoration only)"
                )),
        );
    }
    if !crate::source::stays_inside(file) {
        out.push(
            Diagnostic::error(
                &src.path,
                format!("picture path `{file}` leaves the {folder} folder"),
            )
            .with_span(span)
            .with_hint(format!(
                "put the picture in the {folder} folder (such as `{folder}/images/`) and give a path inside it"
            )),
        );
    }
    out
}

/// Where `src` names the picture.
pub(crate) fn place(spec: &PictureSpec, src: &SourceFile) -> Option<Span> {
    src.span_of("file", &spec.file)
        .or_else(|| src.span_of("image", ""))
}

/// Picture files read before, by path, size and modification time (a file
/// changed while `serve` runs is read again).
struct Read;

impl Kind for Read {
    type Key = (PathBuf, u64, Option<std::time::SystemTime>);
    type Value = Arc<Picture>;
    fn cost(key: &Self::Key, value: &Self::Value) -> usize {
        key.0.as_os_str().len() + value.bytes.len() + 256
    }
}

/// Where a picture comes from: the content (one for all, or an audience's
/// own) or the brand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum From {
    Content,
    Brand,
}

impl Project {
    /// The picture an output for an audience with `own` shows: its own, else
    /// the content's, else the brand's.
    pub(crate) fn picture_spec<'a>(
        &'a self,
        own: Option<&'a PictureSpec>,
    ) -> Option<(&'a PictureSpec, From)> {
        own.or(self.head.image.as_ref())
            .map(|s| (s, From::Content))
            .or_else(|| self.brand.image.as_ref().map(|s| (s, From::Brand)))
    }

    /// The file of `spec`, read and measured; the error names the file and
    /// says what is wrong with it.
    pub(crate) fn picture(&self, spec: &PictureSpec, from: From) -> Result<Arc<Picture>, String> {
        let folder = match from {
            From::Content => &self.paths.content,
            From::Brand => &self.paths.layouts,
        };
        let path = folder.join(&spec.file);
        let shown = path.display();
        let cannot = |e: std::io::Error| {
            format!(
                "cannot read picture `{shown}`: {}",
                crate::text::lower_first(&e.to_string())
            )
        };
        crate::source::outside_link(&path, folder).map_err(|d| d.message)?;
        let meta = std::fs::metadata(&path).map_err(cannot)?;
        let key = (path.clone(), meta.len(), meta.modified().ok());
        self.caches.try_get_or_make::<Read, _>(key, |_| {
            let bytes = std::fs::read(&path).map_err(cannot)?;
            Picture::inspect(bytes.into())
                .map(|p| {
                    Arc::new(Picture {
                        file: shown.to_string(),
                        ..p
                    })
                })
                .map_err(|e| format!("picture `{shown}` {e}"))
        })
    }
}
