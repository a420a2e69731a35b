//! leafpress turns one YAML source of key messages into print-ready material for
//! every audience: PDF leaflets and flyers, and DOCX handouts for translators.
//!
//! The stages run in one direction:
//!
//! ```text
//! content/*.yaml ─┐
//! layouts/*.yaml ─┴► load (model) ─► plan ─► jobs: audience × language × layout
//!                                              │ each job, in parallel
//!                                   resolve (doc) ─► Document
//!                                     │                    │
//!                         typeset ─► Pages           docx writer
//!                                     │                    │
//!                               pdf writer                 │
//!                                     └──► bytes ◄─────────┘
//!                                            │
//!                              batch: atomic write + manifest
//! ```
//!
//! `main.rs` is a thin CLI over the functions here.

pub mod batch;
pub mod cache;
pub mod content;
pub mod diag;
pub mod doc;
pub mod fonts;
pub mod fsio;
pub mod layout;
pub mod manifest;
pub mod pages;
pub mod pipeline;
pub mod plan;
pub mod project;
pub mod render;
pub mod source;
pub mod text;
pub mod translate;
pub mod typeset;
pub mod units;

pub use batch::{BuildOptions, BuildReport, JobOutcome};
pub use diag::{Diagnostic, Error, Severity};
pub use manifest::{Manifest, OutputRow};
pub use plan::{Filter, Job, Plan};
pub use project::{Paths, Project};

/// Loads and validates every input; writes nothing.
pub fn check(paths: &Paths) -> Result<Project, Error> {
    project::load(paths)
}

/// The jobs a build would run.
pub fn list(project: &Project, filter: &Filter) -> Result<Vec<Job>, Error> {
    plan::plan(project, filter)
}

/// Builds every job the filter selects.
pub fn build(
    project: &Project,
    filter: &Filter,
    opts: &BuildOptions,
    progress: &(dyn Fn(&JobOutcome) + Sync),
) -> Result<BuildReport, Error> {
    let plan = plan::planned(project, filter)?;
    batch::run(project, &plan, opts, progress)
}

/// Writes an XLIFF 2.1 file for translating the content in `content_dir` into
/// `lang` (with existing translations as targets). Returns the number of units.
pub fn export(
    content_dir: &std::path::Path,
    lang: &str,
    output: &std::path::Path,
) -> Result<usize, Error> {
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
    let xml = translate::export_xliff(&content, lang, existing, &src.path.to_string_lossy())?;
    fsio::write_atomic(output, &xml)?;
    Ok(translate::units(&content).len())
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
        translate::read_docx(file, &bytes)?
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
