//! leafpress turns one YAML source of key messages into print-ready material
//! for every audience: PDF leaflets and flyers, and DOCX handouts for
//! translators.
//!
//! The stages run in one direction:
//!
//! ```text
//! content/*.yaml ─┐
//! layouts/*.yaml ─┴► load ─► Project ─► plan ─► jobs: audience × language × layout
//!                                                 │ each job, in parallel
//!                                      document ─► Document
//!                                        │                    │
//!                            typeset ─► Pages           docx writer
//!                                        │                    │
//!                                  pdf writer                 │
//!                                        └──► bytes ◄─────────┘
//!                                               │
//!                                 batch: atomic write + manifest
//! ```
//!
//! A program loads a project, plans the jobs a filter selects, and either
//! builds them all into files ([`build`]) or makes one in memory ([`make`]):
//!
//! ```no_run
//! let project = leafpress::load(&leafpress::Paths::default())?;
//! let filter = leafpress::Filter {
//!     audiences: vec!["workforce".into()],
//!     layouts: vec!["flyer".into()],
//!     ..Default::default()
//! };
//! for job in leafpress::list(&project, &filter)? {
//!     let made = leafpress::make(&project, &job, &leafpress::MakeOptions::default())
//!         .map_err(|e| e.reasons.join("; "))?;
//!     std::fs::write(job.output.file_name().unwrap(), &made.rendered.file.bytes)?;
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! `main.rs` is a thin command line over the functions here.

#![warn(missing_docs)]

mod batch;
mod cache;
mod content;
mod diag;
mod doc;
mod fonts;
mod fsio;
mod layout;
mod manifest;
mod markup;
mod pages;
mod picture;
mod pipeline;
mod plan;
mod project;
mod render;
mod source;
mod text;
mod translate;
mod typeset;
mod units;

pub use batch::{BuildOptions, BuildReport, JobOutcome, Trial, interrupt, try_all};
pub use content::{Audience, Content, Definition, Head, Message, Organisation};
pub use diag::{Diagnostic, Error, Severity, Span};
pub use doc::{Document, Origin, Para, Role};
pub use fonts::Face;
pub use layout::Format;
pub use manifest::{Manifest, OutputRow, Status, manifest_name, merge_manifests};
pub use pages::{
    Area, Block, BlockKind, Colour, Glyph, GlyphRun, GlyphText, Item, Link, Mark, MarkKind, Page,
    Pages, PanelArea, Tag,
};
pub use pipeline::{DEFAULT_EPOCH, epoch_from_env};
pub use pipeline::{JobError, Made, MakeOptions, Rendered};
pub use plan::{Filter, Job, Plan, Variant};
pub use project::{Paths, Project};
pub use render::Output;
pub use translate::{Counts as ExportCounts, Unit};
pub use typeset::{Composer, Overflow, composition_quality};
pub use units::{Cmyk, Rgb};

/// Loads and checks every input (content, translations, brand, layouts,
/// fonts, logo); writes nothing. The error lists every problem found.
pub fn load(paths: &Paths) -> Result<Project, Error> {
    project::load(paths)
}

/// Loads and checks every input, as [`load`]: what `leafpress check` runs.
pub fn check(paths: &Paths) -> Result<Project, Error> {
    project::load(paths)
}

/// The jobs a build would run, in output-path order.
pub fn list(project: &Project, filter: &Filter) -> Result<Vec<Job>, Error> {
    plan::plan(project, filter)
}

/// The jobs the filter selects, kept small (four indices a job): what
/// [`build`] runs. An unknown audience, layout or language is a usage error.
pub fn plan(project: &Project, filter: &Filter) -> Result<Plan, Error> {
    plan::planned(project, filter)
}

/// Builds every job of `plan` into `opts.out_dir`, in parallel, calling
/// `progress` as each finishes (from worker threads): each output written as
/// soon as it is made (temporary file, then rename), then the manifest and the
/// contact sheet. Outputs that are up to date are not made again.
pub fn build(
    project: &Project,
    plan: &Plan,
    opts: &BuildOptions,
    progress: &(dyn Fn(&JobOutcome) + Sync),
) -> Result<BuildReport, Error> {
    batch::run(project, plan, opts, progress)
}

/// Makes one job in memory: its document resolved, typeset and written (PDF
/// with its previews, or DOCX). Writes nothing.
pub fn make(project: &Project, job: &Job, opts: &MakeOptions) -> Result<Made, JobError> {
    pipeline::run(project, job, opts)
}

/// What one job says, in its language and styles, before it is laid out: a
/// translation applied (or, with `allow_fallback`, the source text where it
/// lacks one). Returns the document and warnings; the reasons when it cannot.
pub fn document(
    project: &Project,
    job: &Job,
    allow_fallback: bool,
) -> Result<(Document, Vec<String>), Vec<String>> {
    doc::resolve(project, job, allow_fallback)
}

/// Lays a PDF job's document out into positioned pages, or says what does not fit.
pub fn typeset(
    project: &Project,
    doc: &Document,
    variant: Variant,
) -> Result<Pages, Vec<Overflow>> {
    typeset::typeset(project, doc, variant)
}

pub use text::count;

/// The translatable texts of `content`, each with its stable id, in order.
pub fn units(content: &Content) -> Vec<Unit> {
    translate::units(content)
}

/// Writes an XLIFF 2.1 file for translating the content in `content_dir` into
/// `lang` (with existing translations as targets). Returns how many of its
/// texts are new, stale and done.
pub fn export(
    content_dir: &std::path::Path,
    lang: &str,
    output: &std::path::Path,
) -> Result<ExportCounts, Error> {
    let (content, src) = load_content(content_dir)?;
    if lang.eq_ignore_ascii_case(&content.language) {
        return Err(Error::Usage(format!(
            "`{lang}` is the content's own language; export for the language to translate into"
        )));
    }
    let (translations, problems) = translate::load_all(content_dir, &content);
    if problems.iter().any(|d| d.is_error()) {
        return Err(Error::Input(problems));
    }
    let existing = translations
        .iter()
        .find(|t| t.language.eq_ignore_ascii_case(lang));
    let (xml, counts) =
        translate::export_xliff(&content, lang, existing, &src.path.to_string_lossy())?;
    fsio::write_atomic(output, &xml)?;
    Ok(counts)
}

/// Reads a translated XLIFF or DOCX file into the translation file for its
/// language. Returns lines to show the user.
pub fn import(
    content_dir: &std::path::Path,
    file: &std::path::Path,
    lang: Option<&str>,
) -> Result<Vec<String>, Error> {
    let (content, _) = load_content(content_dir)?;
    let bytes = std::fs::read(file).map_err(|e| Error::unreadable(file, &e))?;
    let is_docx = bytes.starts_with(b"PK");
    let imported = if is_docx {
        translate::read_docx(file, &bytes, &content)?
    } else {
        let text = String::from_utf8(bytes).map_err(|_| {
            Error::Input(vec![Diagnostic::error(
                file,
                "the file is neither a DOCX nor UTF-8 XLIFF",
            )])
        })?;
        translate::read_xliff(file, &text)?
    };
    let lang = match (lang, &imported.language) {
        (Some(l), Some(t)) if !l.eq_ignore_ascii_case(t) => {
            return Err(Error::Usage(format!(
                "--lang {l} does not match the file's target language `{t}`"
            )));
        }
        (Some(l), _) => l.to_string(),
        (None, Some(t)) => t.clone(),
        (None, None) => {
            return Err(Error::Usage(
                "give the translation's language with --lang (a DOCX handout does not say which language it was translated into)".into(),
            ));
        }
    };
    let merged = translate::import(&content, content_dir, &lang, &imported, file)?;
    fsio::write_atomic(&merged.path, merged.yaml.as_bytes())?;
    Ok(merged.notes)
}

fn load_content(
    content_dir: &std::path::Path,
) -> Result<(content::Content, source::SourceFile), Error> {
    let src = source::SourceFile::read(&content_dir.join("messages.yaml"))
        .map_err(|d| Error::Input(vec![d]))?;
    let c: content::Content = src.parse().map_err(|d| Error::Input(vec![d]))?;
    Ok((c, src))
}

/// The starter project `leafpress init` writes: the shipped content, layouts and
/// fonts, to edit for another organisation or campaign.
pub const STARTER: &[(&str, &[u8])] = &[
    (
        "content/messages.yaml",
        include_bytes!("../content/messages.yaml"),
    ),
    (
        "content/images/community.jpg",
        include_bytes!("../content/images/community.jpg"),
    ),
    (
        "content/images/community.svg",
        include_bytes!("../content/images/community.svg"),
    ),
    (
        "layouts/brand.yaml",
        include_bytes!("../layouts/brand.yaml"),
    ),
    (
        "layouts/leaflet.yaml",
        include_bytes!("../layouts/leaflet.yaml"),
    ),
    (
        "layouts/flyer.yaml",
        include_bytes!("../layouts/flyer.yaml"),
    ),
    (
        "layouts/handout.yaml",
        include_bytes!("../layouts/handout.yaml"),
    ),
    (
        "fonts/NotoSans-Regular.ttf",
        include_bytes!("../fonts/NotoSans-Regular.ttf"),
    ),
    (
        "fonts/NotoSans-Bold.ttf",
        include_bytes!("../fonts/NotoSans-Bold.ttf"),
    ),
    (
        "fonts/NotoSans-Italic.ttf",
        include_bytes!("../fonts/NotoSans-Italic.ttf"),
    ),
    (
        "fonts/NotoSans-BoldItalic.ttf",
        include_bytes!("../fonts/NotoSans-BoldItalic.ttf"),
    ),
    (
        "fonts/NotoSansArabic-Regular.ttf",
        include_bytes!("../fonts/NotoSansArabic-Regular.ttf"),
    ),
    (
        "fonts/NotoSansArabic-Bold.ttf",
        include_bytes!("../fonts/NotoSansArabic-Bold.ttf"),
    ),
    (
        "fonts/NotoSansDevanagari-Regular.ttf",
        include_bytes!("../fonts/NotoSansDevanagari-Regular.ttf"),
    ),
    (
        "fonts/NotoSansDevanagari-Bold.ttf",
        include_bytes!("../fonts/NotoSansDevanagari-Bold.ttf"),
    ),
    ("fonts/OFL.txt", include_bytes!("../fonts/OFL.txt")),
];

/// Starts a new project in `dir`. Refuses to overwrite any file already there.
pub fn init(dir: &std::path::Path) -> Result<Vec<std::path::PathBuf>, Error> {
    let existing: Vec<_> = STARTER
        .iter()
        .map(|(p, _)| dir.join(p))
        .filter(|p| p.exists())
        .collect();
    if let Some(p) = existing.first() {
        return Err(Error::Usage(format!(
            "`{}` already exists; init only starts new projects (choose an empty folder)",
            p.display()
        )));
    }
    let mut written = Vec::new();
    for (rel, bytes) in STARTER {
        let path = dir.join(rel);
        fsio::write_atomic(&path, bytes)?;
        written.push(path);
    }
    Ok(written)
}
