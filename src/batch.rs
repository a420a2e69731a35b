//! The batch driver: runs jobs (in parallel), writes each output atomically as
//! soon as it is done, and keeps the manifest. The only module that writes files.

use crate::diag::Error;
use crate::model::Project;
use crate::plan::Job;
use crate::render::{JobError, RenderOptions, backend};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One row of `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputRow {
    pub audience: String,
    pub language: String,
    pub layout: String,
    pub format: String,
    /// `print` or `screen` for a PDF; absent for a DOCX (the same for both).
    #[serde(default)]
    pub variant: Option<crate::plan::Variant>,
    /// Relative to the manifest's folder, with `/` separators.
    pub path: String,
    /// Pages, where known (Word paginates a DOCX when it opens it).
    pub pages: Option<usize>,
    pub bytes: u64,
    pub sha256: String,
    /// Things a person should look at before printing (a low-resolution image, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub outputs: Vec<OutputRow>,
}

/// What happened to one job.
pub enum JobOutcome {
    Written(OutputRow),
    Failed(Job, JobError),
}

pub struct BuildOptions {
    pub out_dir: PathBuf,
    /// Creation date written into outputs, seconds since 1970.
    pub epoch: i64,
    /// How many jobs run at once.
    pub jobs: usize,
    /// Use the source text where a translation lacks one (and say so).
    pub allow_fallback: bool,
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

pub struct BuildReport {
    pub written: Vec<OutputRow>,
    pub failed: Vec<(Job, JobError)>,
}

/// Runs every job, calling `progress` as each finishes, then writes the manifest.
pub fn run(
    project: &Project,
    jobs: &[Job],
    opts: &BuildOptions,
    progress: &(dyn Fn(&JobOutcome) + Sync),
) -> Result<BuildReport, Error> {
    prepare_out_dir(&opts.out_dir)?;
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, JobOutcome)>> = Mutex::new(Vec::new());
    let io_error: Mutex<Option<Error>> = Mutex::new(None);
    let workers = opts.jobs.clamp(1, jobs.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let outcome = match run_job(project, job, opts) {
                        Ok(o) => o,
                        Err(e) => {
                            io_error.lock().unwrap().get_or_insert(e);
                            break;
                        }
                    };
                    progress(&outcome);
                    results.lock().unwrap().push((i, outcome));
                }
            });
        }
    });
    if let Some(e) = io_error.into_inner().unwrap() {
        return Err(e);
    }
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    let mut report = BuildReport {
        written: Vec::new(),
        failed: Vec::new(),
    };
    for (_, r) in results {
        match r {
            JobOutcome::Written(row) => report.written.push(row),
            JobOutcome::Failed(job, e) => report.failed.push((job, e)),
        }
    }
    write_manifest(&opts.out_dir, &report.written)?;
    Ok(report)
}

fn run_job(project: &Project, job: &Job, opts: &BuildOptions) -> Result<JobOutcome, Error> {
    let (doc, mut warnings) = match crate::doc::resolve(project, job, opts.allow_fallback) {
        Ok(r) => r,
        Err(reasons) => return Ok(JobOutcome::Failed(job.clone(), JobError { reasons })),
    };
    let ropts = RenderOptions {
        epoch: opts.epoch,
        variant: job.variant.unwrap_or(crate::plan::Variant::Print),
    };
    let rendered = match backend(job.format).render(project, &doc, &ropts) {
        Ok(r) => r,
        Err(e) => return Ok(JobOutcome::Failed(job.clone(), e)),
    };
    let path = opts.out_dir.join(&job.output);
    write_atomic(&path, &rendered.bytes)?;
    Ok(JobOutcome::Written(OutputRow {
        audience: job.audience.clone(),
        language: job.language.clone(),
        layout: job.layout.clone(),
        format: job.format.extension().to_string(),
        variant: job.variant,
        path: rel_path(&job.output),
        pages: rendered.pages,
        bytes: rendered.bytes.len() as u64,
        sha256: hex(&Sha256::digest(&rendered.bytes)),
        warnings: {
            warnings.extend(rendered.warnings);
            warnings
        },
    }))
}

fn rel_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn prepare_out_dir(dir: &Path) -> Result<(), Error> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Usage(format!(
            "the output folder `{}` is a file; choose another folder with --out",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))
}

/// Writes `bytes` to a temporary file beside `path`, flushes it to disk, and
/// renames it into place: readers see the old file or the new one, never half.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}

/// Writes the manifest: this build's outputs, plus rows of an earlier build for
/// outputs this one did not write (filtered out, or failed and so left as they
/// were) whose files are still there unchanged in size.
fn write_manifest(out_dir: &Path, written: &[OutputRow]) -> Result<(), Error> {
    let path = out_dir.join("manifest.json");
    let touched: Vec<&str> = written.iter().map(|r| r.path.as_str()).collect();
    let mut rows: Vec<OutputRow> = std::fs::read(&path)
        .ok()
        .and_then(|b| serde_json::from_slice::<Manifest>(&b).ok())
        .map(|m| m.outputs)
        .unwrap_or_default()
        .into_iter()
        .filter(|r| {
            !touched.contains(&r.path.as_str())
                && std::fs::metadata(out_dir.join(&r.path))
                    .is_ok_and(|m| m.is_file() && m.len() == r.bytes)
        })
        .collect();
    rows.extend(written.iter().cloned());
    rows.sort_by(|a, b| a.path.cmp(&b.path));
    let mut json = serde_json::to_vec_pretty(&Manifest { outputs: rows })
        .map_err(|e| Error::Usage(e.to_string()))?;
    json.push(b'\n');
    write_atomic(&path, &json)
}
