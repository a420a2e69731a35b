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
pub mod content;
pub mod diag;
pub mod doc;
pub mod fonts;
pub mod layout;
pub mod model;
pub mod plan;
pub mod render;
pub mod source;
pub mod typeset;
pub mod units;

pub use batch::{BuildOptions, BuildReport, JobOutcome, Manifest, OutputRow};
pub use diag::{Diagnostic, Error, Severity};
pub use model::{Paths, Project};
pub use plan::{Filter, Job};

/// Loads and validates every input; writes nothing.
pub fn check(paths: &Paths) -> Result<Project, Error> {
    model::load(paths)
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
    let jobs = plan::plan(project, filter)?;
    batch::run(project, &jobs, opts, progress)
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
        batch::write_atomic(&path, bytes)?;
        written.push(path);
    }
    Ok(written)
}
