//! The writers: each turns one job into bytes, behind one trait, so the batch
//! driver treats them alike and only it touches the file system.

pub mod docx;
pub mod pdf;
pub mod png;
pub mod subset;

use crate::doc::Document;
use crate::layout::Format;
use crate::project::Project;

/// A finished file's bytes and their SHA-256 (the manifest's `sha256`),
/// computed by the writer that made them: it knows what its files share.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub bytes: Vec<u8>,
    pub sha256: [u8; 32],
}

impl Output {
    /// A file hashed whole.
    pub fn hashed(bytes: Vec<u8>) -> Output {
        use sha2::Digest;
        let sha256 = sha2::Sha256::digest(&bytes).into();
        Output { bytes, sha256 }
    }
}

/// A finished output, still in memory.
pub struct Rendered {
    pub bytes: Output,
    /// Page count, where the writer lays out pages itself (Word paginates DOCX).
    pub pages: Option<usize>,
    pub warnings: Vec<String>,
    /// PNG previews of the pages (PDF outputs, when asked for).
    pub previews: Vec<Vec<u8>>,
}

/// Why a job failed: problems the author can fix, reported per job.
#[derive(Debug, Clone)]
pub struct JobError {
    pub reasons: Vec<String>,
}

pub struct RenderOptions {
    pub epoch: i64,
    pub variant: crate::plan::Variant,
    /// Draw PNG previews of PDF pages at this resolution.
    pub preview_dpi: Option<f32>,
}

pub trait Backend: Sync {
    fn format(&self) -> Format;
    fn render(
        &self,
        project: &Project,
        doc: &Document,
        opts: &RenderOptions,
    ) -> Result<Rendered, JobError>;
}

pub struct PdfBackend;
pub struct DocxBackend;

impl Backend for PdfBackend {
    fn format(&self) -> Format {
        Format::Pdf
    }
    fn render(
        &self,
        project: &Project,
        doc: &Document,
        opts: &RenderOptions,
    ) -> Result<Rendered, JobError> {
        let pages = crate::typeset::typeset(project, doc, opts.variant).map_err(|o| JobError {
            reasons: o.iter().map(|o| o.to_string()).collect(),
        })?;
        let n = pages.pages.len();
        let subsets = subset::subset_fonts(&pages, &project.fonts)
            .map_err(|e| JobError { reasons: vec![e] })?;
        // The PDF and its previews are made from the same pages, side by side:
        // a core with no job left takes the other half of one still running.
        let (bytes, previews) = rayon::join(
            || {
                pdf::write(
                    &pages,
                    &project.fonts,
                    &subsets,
                    &pdf::PdfOptions {
                        variant: opts.variant,
                        epoch: opts.epoch,
                    },
                )
            },
            || match opts.preview_dpi {
                Some(dpi) => png::previews(&pages, &subsets, dpi),
                None => Ok(Vec::new()),
            },
        );
        let (bytes, previews) = (
            bytes.map_err(|e| JobError { reasons: vec![e] })?,
            previews.map_err(|e| JobError { reasons: vec![e] })?,
        );
        Ok(Rendered {
            bytes,
            pages: Some(n),
            warnings: pages.warnings,
            previews,
        })
    }
}

impl Backend for DocxBackend {
    fn format(&self) -> Format {
        Format::Docx
    }
    fn render(
        &self,
        _project: &Project,
        doc: &Document,
        opts: &RenderOptions,
    ) -> Result<Rendered, JobError> {
        let bytes = docx::write(doc, opts.epoch).map_err(|e| JobError { reasons: vec![e] })?;
        Ok(Rendered {
            bytes: Output::hashed(bytes),
            pages: None,
            warnings: Vec::new(),
            previews: Vec::new(),
        })
    }
}

/// The writer for a format.
pub fn backend(format: Format) -> &'static dyn Backend {
    match format {
        Format::Pdf => &PdfBackend,
        Format::Docx => &DocxBackend,
    }
}
