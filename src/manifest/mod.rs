//! The manifest: `manifest.json`'s rows (one per output), the row store that
//! holds them while a batch runs, their order (`listing`), the contact sheet
//! made from them with its search index (`texts`), and merging the manifests of a sharded build.

pub mod listing;
pub mod rowstore;
pub mod sheet;
pub mod texts;

use crate::diag::Error;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One row of `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputRow {
    /// The audience's id.
    pub audience: String,
    /// The language (BCP 47).
    pub language: String,
    /// The layout's name.
    pub layout: String,
    /// `pdf` or `docx`.
    pub format: String,
    /// `print` or `screen` for a PDF; absent for a DOCX (the same for both).
    #[serde(default)]
    pub variant: Option<crate::plan::Variant>,
    /// Relative to the manifest's folder, with `/` separators.
    pub path: String,
    /// Pages, where known (Word paginates a DOCX when it opens it).
    pub pages: Option<usize>,
    /// The file's size.
    pub bytes: u64,
    /// The file's SHA-256, in hex (what `sha256sum` prints).
    pub sha256: String,
    /// A hash of everything the file depends on (content, translation, layout,
    /// brand, fonts, program version): a rebuild skips the file while it matches.
    #[serde(default)]
    pub fingerprint: String,
    /// The document's title (shown on the contact sheet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// PNG previews of the pages, relative to the manifest's folder.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previews: Vec<String>,
    /// The size each flow set at a size of its own took (`fit: fill` as large
    /// as fits, or shrunk to fit): flow name to its main text's size, in points.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub sizes: std::collections::BTreeMap<String, f32>,
    /// Things a person should look at before printing (a low-resolution image, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Whether the file is current: made (or found up to date) by this build,
    /// or not.
    #[serde(default)]
    pub status: Status,
    /// Why this build could not make the file (status `failed`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// The file at `path` is left from an earlier build: this build's job
    /// failed, and the size, hash, pages and previews are the earlier file's.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub earlier_file: bool,
}

/// Whether an output is current.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Made, or found up to date, by the build that wrote the manifest.
    #[default]
    Ok,
    /// Its job failed: there is no current file (`earlier_file` says whether
    /// an out-of-date one is left).
    Failed,
    /// The content no longer makes it (its audience, layout or language is
    /// gone); kept because the build was told to keep orphans.
    Orphan,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
/// `manifest.json`: every output of a build.
pub struct Manifest {
    /// One row per output, by path.
    pub outputs: Vec<OutputRow>,
}

/// The manifest file a build writes: `manifest.json`, or one per shard.
pub fn manifest_name(shard: Option<(usize, usize)>) -> String {
    match shard {
        Some((k, n)) => format!("manifest.shard-{k}-of-{n}.json"),
        None => "manifest.json".to_string(),
    }
}

/// Combines shard manifests into one: rows are merged by path; two shards that
/// list the same file differently are refused.
pub fn merge_manifests(inputs: &[PathBuf], output: &Path) -> Result<usize, Error> {
    let mut rows: std::collections::BTreeMap<String, OutputRow> = std::collections::BTreeMap::new();
    for p in inputs {
        let bytes = std::fs::read(p).map_err(|e| Error::unreadable(p, &e))?;
        let m: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
            Error::Input(vec![crate::diag::Diagnostic::error(
                p,
                format!("not a leafpress manifest: {e}"),
            )])
        })?;
        for r in m.outputs {
            if let Some(old) = rows.get(&r.path)
                && old.sha256 != r.sha256
            {
                return Err(Error::Input(vec![
                    crate::diag::Diagnostic::error(
                        p,
                        format!("`{}` is listed differently in two manifests", r.path),
                    )
                    .with_hint(
                        "merge manifests of one build only (the same inputs and SOURCE_DATE_EPOCH)",
                    ),
                ]));
            }
            rows.insert(r.path.clone(), r);
        }
    }
    let n = rows.len();
    let mut json = serde_json::to_vec_pretty(&Manifest {
        outputs: rows.into_values().collect(),
    })
    .map_err(|e| Error::Usage(e.to_string()))?;
    json.push(b'\n');
    crate::fsio::write_atomic(output, &json)?;
    Ok(n)
}
