//! The order of the manifest and the contact sheet, kept small: a row this
//! build made is two numbers, and its path and names come from its job when
//! rows are compared. Writes the manifest from it, row by row.

use super::OutputRow;
use super::rowstore::RowStore;
use crate::diag::Error;
use crate::fsio::{Staged, stage_streamed};
use crate::plan::Plan;
use crate::project::Project;
use serde::Serialize;
use std::path::Path;

/// A row of the manifest: built (or found up to date) by this build's job, or
/// kept from the last manifest (an output this build did not make).
#[derive(Clone, Copy)]
pub enum Listed {
    /// Row `row` of this build's store, made by job `job`.
    Built { job: u32, row: u32 },
    /// Row `row` of the last manifest's store, with its key at `key` in `kept`.
    Kept { key: u32, row: u32 },
}

/// Every row the manifest and contact sheet list, kept small: a built row is
/// two numbers and its path and names come from its job when compared.
pub struct Listing<'a> {
    pub project: &'a Project,
    pub plan: &'a Plan,
    pub current: &'a RowStore,
    /// The job of each row of `current`.
    pub current_jobs: Vec<u32>,
    pub previous: &'a RowStore,
    /// (language, audience, path, row) of rows kept from the last manifest.
    pub kept: Vec<(String, String, String, u32)>,
}

/// A path as the pieces it is written from: compared without building it.
type PathParts<'a> = [&'a str; 8];

impl Listing<'_> {
    pub fn rows(&self) -> Vec<Listed> {
        (0..self.current_jobs.len())
            .map(|i| Listed::Built {
                job: self.current_jobs[i],
                row: i as u32,
            })
            .chain(self.kept.iter().enumerate().map(|(k, kept)| Listed::Kept {
                key: k as u32,
                row: kept.3,
            }))
            .collect()
    }

    /// (language, audience, path) of a row.
    fn key(&self, at: Listed) -> (&str, &str, PathParts<'_>) {
        match at {
            Listed::Built { job, .. } => self.plan.parts(self.project, job as usize),
            Listed::Kept { key, .. } => {
                let (l, a, p, _) = &self.kept[key as usize];
                (l, a, [p, "", "", "", "", "", "", ""])
            }
        }
    }

    /// Manifest order: by path.
    fn path_order(&self, a: Listed, b: Listed) -> std::cmp::Ordering {
        fn bytes(p: PathParts<'_>) -> impl Iterator<Item = u8> + '_ {
            p.into_iter().flat_map(str::bytes)
        }
        bytes(self.key(a).2).cmp(bytes(self.key(b).2))
    }

    /// Contact sheet order: by language, audience, then path.
    pub fn sheet_order(&self, a: Listed, b: Listed) -> std::cmp::Ordering {
        let (ka, kb) = (self.key(a), self.key(b));
        (ka.0, ka.1)
            .cmp(&(kb.0, kb.1))
            .then_with(|| self.path_order(a, b))
    }

    pub fn row(&self, at: Listed) -> std::io::Result<OutputRow> {
        match at {
            Listed::Built { row, .. } => self.current.get(row as usize),
            Listed::Kept { row, .. } => self.previous.get(row as usize),
        }
    }
}

/// Writes the manifest: this build's outputs (made or up to date), plus rows of
/// an earlier build for outputs this one did not produce (filtered out, or failed
/// and so left as they were) whose files are still there, unchanged. Returns the
/// listing with those kept rows.
pub fn write_manifest<'a>(
    path: &Path,
    out_dir: &Path,
    mut listing: Listing<'a>,
    previous_by_path: &std::collections::HashMap<u64, usize>,
) -> Result<(Listing<'a>, Staged), Error> {
    let io = |e: std::io::Error| Error::io(path, e);
    {
        let touched: std::collections::HashSet<u64> = listing
            .current_jobs
            .iter()
            .map(|&j| {
                crate::text::hash64(&listing.plan.parts(listing.project, j as usize).2.concat())
            })
            .collect();
        // Only rows of paths this build did not touch are read back.
        let mut kept: Vec<usize> = previous_by_path
            .iter()
            .filter(|(h, _)| !touched.contains(*h))
            .map(|(_, &i)| i)
            .collect();
        kept.sort_unstable();
        for i in kept {
            let r = listing.previous.get(i).map_err(io)?;
            if std::fs::metadata(out_dir.join(&r.path))
                .is_ok_and(|m| m.is_file() && m.len() == r.bytes)
            {
                listing
                    .kept
                    .push((r.language, r.audience, r.path, i as u32));
            }
        }
    }
    let mut rows = listing.rows();
    rows.sort_by(|a, b| listing.path_order(*a, *b));
    let staged = stage_streamed(path, false, |w| {
        let out = ManifestOut {
            outputs: rows
                .iter()
                .map(|&at| Lazy {
                    at,
                    listing: &listing,
                })
                .collect(),
        };
        serde_json::to_writer_pretty(&mut *w, &out).map_err(std::io::Error::other)?;
        w.write_all(b"\n")
    })?;
    Ok((listing, staged))
}

/// The manifest as written: each row read from its store as it is written.
#[derive(Serialize)]
struct ManifestOut<'a> {
    outputs: Vec<Lazy<'a>>,
}

struct Lazy<'a> {
    at: Listed,
    listing: &'a Listing<'a>,
}

impl Serialize for Lazy<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.listing
            .row(self.at)
            .map_err(serde::ser::Error::custom)?
            .serialize(s)
    }
}
