//! The pipeline: one job through its writers. A job's document is resolved
//! (`doc`), then a backend per format makes its bytes: a PDF is typeset into
//! pages, its fonts subset, and written with its previews beside it; a DOCX
//! is written from the document (Word lays out its own text).

use crate::doc::Document;
use crate::layout::Format;
use crate::plan::{Job, Variant};
use crate::project::Project;
use crate::render::{Output, docx, pdf, png, subset};
use crate::typeset::typeset;

/// A finished output, still in memory.
pub struct Rendered {
    /// The file, and its SHA-256.
    pub file: Output,
    /// Page count, where the writer lays out pages itself (Word paginates DOCX).
    pub pages: Option<usize>,
    /// Things a person should look at before using it.
    pub warnings: Vec<String>,
    /// PNG previews of the pages (PDF outputs, when asked for).
    pub previews: Vec<Vec<u8>>,
    /// The size each flow of its own size was set at (`fit: fill`, shrunk).
    pub sizes: Vec<(String, f32)>,
}

/// Why a job failed: problems the author can fix, reported per job.
#[derive(Debug, Clone)]
pub struct JobError {
    /// Each problem, in words an author can act on.
    pub reasons: Vec<String>,
}

/// How one job is made.
pub struct MakeOptions {
    /// Creation date written into outputs, seconds since 1970.
    pub epoch: i64,
    /// Draw PNG previews of PDF pages at this resolution (`None`: no previews).
    pub preview_dpi: Option<f32>,
    /// Use the source text where a translation lacks one (and say so in the
    /// warnings); without it, the job fails naming the missing texts.
    pub allow_fallback: bool,
}

impl Default for MakeOptions {
    /// The fixed date, no previews, no fallback.
    fn default() -> MakeOptions {
        MakeOptions {
            epoch: DEFAULT_EPOCH,
            preview_dpi: None,
            allow_fallback: false,
        }
    }
}

/// The fixed date used when `SOURCE_DATE_EPOCH` is not set: 2025-01-01T00:00:00Z.
pub const DEFAULT_EPOCH: i64 = 1_735_689_600;

/// `SOURCE_DATE_EPOCH` if set and valid, else the fixed date.
pub fn epoch_from_env() -> i64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_EPOCH)
}

pub trait Backend: Sync {
    fn render(
        &self,
        project: &Project,
        doc: &Document,
        variant: Variant,
        opts: &MakeOptions,
    ) -> Result<Rendered, JobError>;
}

pub struct PdfBackend;
pub struct DocxBackend;

impl Backend for PdfBackend {
    fn render(
        &self,
        project: &Project,
        doc: &Document,
        variant: Variant,
        opts: &MakeOptions,
    ) -> Result<Rendered, JobError> {
        let mut pages = typeset(project, doc, variant).map_err(|o| JobError {
            reasons: o.iter().map(|o| o.to_string()).collect(),
        })?;
        // What the print shop's preflight would say of the pictures.
        if variant == Variant::Print {
            let (warnings, errors) = crate::typeset::preflight(project, &pages);
            if !errors.is_empty() {
                return Err(JobError { reasons: errors });
            }
            pages.warnings.extend(warnings);
        }
        let n = pages.pages.len();
        let subsets = subset::subset_fonts(&pages, &project.fonts, &project.caches)
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
                        variant,
                        epoch: opts.epoch,
                    },
                    &project.caches,
                )
            },
            || match opts.preview_dpi {
                Some(dpi) => png::previews(&pages, &subsets, dpi, &project.caches),
                None => Ok(Vec::new()),
            },
        );
        let (bytes, previews) = (
            bytes.map_err(|e| JobError { reasons: vec![e] })?,
            previews.map_err(|e| JobError { reasons: vec![e] })?,
        );
        Ok(Rendered {
            file: bytes,
            pages: Some(n),
            warnings: pages.warnings,
            previews,
            sizes: pages.sizes,
        })
    }
}

impl Backend for DocxBackend {
    fn render(
        &self,
        project: &Project,
        doc: &Document,
        _variant: Variant,
        opts: &MakeOptions,
    ) -> Result<Rendered, JobError> {
        // The handout, and for reviewers an approximate picture of its
        // pages set by our typesetter (Word lays the file out itself).
        let (bytes, previews) = rayon::join(
            || docx::write(doc, project.logo.as_ref(), opts.epoch, &project.caches),
            || match opts.preview_dpi {
                Some(dpi) => {
                    let pages = crate::typeset::handout_preview(project, doc);
                    subset::subset_fonts(&pages, &project.fonts, &project.caches)
                        .and_then(|subsets| png::previews(&pages, &subsets, dpi, &project.caches))
                }
                None => Ok(Vec::new()),
            },
        );
        Ok(Rendered {
            file: Output::hashed(bytes.map_err(|e| JobError { reasons: vec![e] })?),
            pages: None,
            warnings: Vec::new(),
            previews: previews.map_err(|e| JobError { reasons: vec![e] })?,
            sizes: Vec::new(),
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

/// One job made in memory: its file, what it is called, and what a person
/// should look at before using it.
pub struct Made {
    /// The file, its pages and previews.
    pub rendered: Rendered,
    /// The document's title (for the contact sheet).
    pub title: String,
    /// Warnings from resolving the document (stale translations, fallbacks)
    /// and from writing it.
    pub warnings: Vec<String>,
}

/// Runs `job` through its writers: its document resolved (a translation
/// applied, or the source text where `opts.allow_fallback` allows), then made.
pub fn run(project: &Project, job: &Job, opts: &MakeOptions) -> Result<Made, JobError> {
    let (doc, mut warnings) = crate::doc::resolve(project, job, opts.allow_fallback)
        .map_err(|reasons| JobError { reasons })?;
    let variant = job.variant.unwrap_or(Variant::Print);
    let rendered = backend(job.format).render(project, &doc, variant, opts)?;
    warnings.extend(rendered.warnings.iter().cloned());
    Ok(Made {
        rendered,
        title: doc.title,
        warnings,
    })
}
