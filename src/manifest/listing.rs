//! The order of the manifest and the contact sheet, kept small: a row this
//! build made is two numbers, and its path and names come from its job when
//! rows are compared. Writes the manifest from it, row by row.

use super::rowstore::RowStore;
use super::{OutputRow, Status};
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
    /// Rows kept from the last manifest.
    pub kept: Vec<Kept>,
}

/// A row kept from the last manifest: its (language, audience, path), its
/// place in the last manifest's store, and whether the content no longer
/// makes it (an orphan kept on request).
pub struct Kept {
    pub language: String,
    pub audience: String,
    pub path: String,
    pub row: u32,
    pub orphan: bool,
}

/// Outputs of an earlier build that the content no longer makes.
pub struct Orphans {
    /// The files to remove (each orphan's file and previews, relative to the
    /// output folder), unless orphans are kept.
    pub files: Vec<String>,
    /// How many outputs are orphans.
    pub outputs: usize,
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
                row: kept.row,
            }))
            .collect()
    }

    /// (language, audience, path) of a row.
    fn key(&self, at: Listed) -> (&str, &str, PathParts<'_>) {
        match at {
            Listed::Built { job, .. } => self.plan.parts(self.project, job as usize),
            Listed::Kept { key, .. } => {
                let k = &self.kept[key as usize];
                (
                    &k.language,
                    &k.audience,
                    [&k.path, "", "", "", "", "", "", ""],
                )
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

    /// Contact sheet order: by audience, then file name (layout and
    /// variant), then language, the content's own first: a reviewer sees one
    /// output in every language side by side.
    pub fn sheet_order(&self, a: Listed, b: Listed) -> std::cmp::Ordering {
        fn name(p: PathParts<'_>) -> impl Iterator<Item = u8> + '_ {
            p.into_iter()
                .flat_map(str::bytes)
                .skip_while(|&b| b != b'/')
                .skip(1)
        }
        let (ka, kb) = (self.key(a), self.key(b));
        let source = self.project.head.language.as_str();
        ka.1.cmp(kb.1)
            .then_with(|| name(ka.2).cmp(name(kb.2)))
            .then_with(|| (ka.0 != source, ka.0).cmp(&(kb.0 != source, kb.0)))
    }

    pub fn row(&self, at: Listed) -> std::io::Result<OutputRow> {
        match at {
            Listed::Built { row, .. } => self.current.get(row as usize),
            Listed::Kept { key, row } => {
                let mut r = self.previous.get(row as usize)?;
                if self.kept[key as usize].orphan {
                    r.status = Status::Orphan;
                }
                Ok(r)
            }
        }
    }
}

/// Writes the manifest: this build's outputs (made, up to date or failed),
/// plus rows of an earlier build for outputs this one did not make (filtered
/// out) whose files are still there, unchanged. An earlier output the content
/// no longer makes at all (its path is not in `makeable`: the audience, layout
/// or language is gone) is an orphan: listed as one when `keep_orphans`, else
/// left out and returned for removal. Returns the listing with the kept rows.
pub fn write_manifest<'a>(
    path: &Path,
    out_dir: &Path,
    mut listing: Listing<'a>,
    previous_by_path: &std::collections::HashMap<u64, usize>,
    makeable: &std::collections::HashSet<u64>,
    keep_orphans: bool,
) -> Result<(Listing<'a>, Staged, Orphans), Error> {
    let mut orphans = Orphans {
        files: Vec::new(),
        outputs: 0,
    };
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
            let on_disk = std::fs::metadata(out_dir.join(&r.path))
                .is_ok_and(|m| m.is_file() && m.len() == r.bytes);
            let orphan = !makeable.contains(&crate::text::hash64(&r.path));
            orphans.outputs += usize::from(orphan);
            if orphan && !keep_orphans {
                // Only what leafpress wrote and recorded: the file and its previews.
                orphans.files.extend(on_disk.then(|| r.path.clone()));
                orphans.files.extend(r.previews);
            } else if on_disk {
                listing.kept.push(Kept {
                    language: r.language,
                    audience: r.audience,
                    path: r.path,
                    row: i as u32,
                    orphan,
                });
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
    Ok((listing, staged, orphans))
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
