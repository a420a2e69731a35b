//! The batch driver: runs jobs (in parallel), writes each output atomically as
//! soon as it is done, and keeps the manifest. The only module that writes files.

use crate::diag::Error;
use crate::model::Project;
use crate::plan::{Job, Plan};
use crate::render::{JobError, Output, RenderOptions, backend};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

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
    /// Nothing it depends on changed and the file is as written: not rebuilt.
    UpToDate(OutputRow),
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
    /// Rebuild outputs even when they are up to date.
    pub force: bool,
    /// Build only shard `k` of `n` (1-based) of the jobs, with its own manifest.
    pub shard: Option<(usize, usize)>,
    /// PNG previews of PDF pages at this resolution (`None`: no previews).
    pub preview_dpi: Option<f32>,
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
    /// How many outputs were written, and how many were up to date (their rows
    /// went to the manifest as the jobs finished).
    pub written: usize,
    pub up_to_date: usize,
    pub failed: Vec<(Job, JobError)>,
    /// Jobs not started because the build was interrupted.
    pub not_started: usize,
}

static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Asks a running batch to stop: jobs in progress finish and are written, no new
/// job starts, and the manifest lists what was made. (The CLI calls this on Ctrl-C.)
pub fn interrupt() {
    INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
}

fn interrupted() -> bool {
    INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst)
}

/// Removes temporary files a killed build left behind (`.<name>.<pid>.tmp`).
fn remove_stale_temps(dir: &Path, depth: usize) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        // The entry's type comes with the listing: no stat per output.
        if e.file_type().is_ok_and(|t| t.is_dir()) && depth > 0 {
            remove_stale_temps(&path, depth - 1);
        } else if name.starts_with('.')
            && let Some(rest) = name.strip_suffix(".tmp")
            && rest
                .rsplit('.')
                .next()
                .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// The manifest file a build writes: `manifest.json`, or one per shard.
pub fn manifest_name(shard: Option<(usize, usize)>) -> String {
    match shard {
        Some((k, n)) => format!("manifest.shard-{k}-of-{n}.json"),
        None => "manifest.json".to_string(),
    }
}

/// Runs every job in parallel, calling `progress` as each finishes (from worker
/// threads), writing each output as soon as it is made, then the manifest.
pub fn run(
    project: &Project,
    plan: &Plan,
    opts: &BuildOptions,
    progress: &(dyn Fn(&JobOutcome) + Sync),
) -> Result<BuildReport, Error> {
    use crate::rowstore::RowStore;
    prepare_out_dir(&opts.out_dir)?;
    let sharded;
    let plan = match opts.shard {
        Some((k, n)) => {
            sharded = plan.shard(project, k, n);
            &sharded
        }
        None => plan,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        // No more threads than jobs: each one costs its start and its memory.
        .num_threads(opts.jobs.min(plan.len()).max(1))
        .build()
        .map_err(|e| Error::Usage(format!("cannot start worker threads: {e}")))?;
    if plan.has_print() {
        // The print PDFs' shared head and its hash state are made once per
        // process. Made here, on a worker while the last manifest is read, the
        // first print jobs do not wait for them (they did, on every thread).
        pool.spawn(|| {
            after_prefix();
        });
    }
    remove_stale_temps(&opts.out_dir, 2);
    let manifest_path = opts.out_dir.join(manifest_name(opts.shard));
    let io = |e: std::io::Error| Error::io(&opts.out_dir, e);
    // The last build's rows, on disk, found by path. A manifest that cannot be
    // read only means nothing is up to date.
    let mut previous = RowStore::create(&opts.out_dir, "previous-rows").map_err(io)?;
    // By a hash of the path: 30,000 paths as strings took 3 MB. A row found by
    // hash is only used when its own path matches.
    let mut previous_by_path: std::collections::HashMap<u64, usize> = Default::default();
    let manifest_time = std::fs::metadata(&manifest_path)
        .and_then(|m| m.modified())
        .ok();
    if let Ok(f) = std::fs::File::open(&manifest_path) {
        let mut failed = None;
        let read = crate::rowstore::each_manifest_row(f, |row| {
            if failed.is_none() {
                match previous.push(&row) {
                    Ok(i) => {
                        previous_by_path.insert(crate::source::hash64(&row.path), i);
                    }
                    Err(e) => failed = Some(e),
                }
            }
        });
        if let Some(e) = failed {
            return Err(io(e));
        }
        if read.is_err() {
            previous_by_path.clear();
        }
    }
    previous.flush().map_err(io)?;
    let inputs = Inputs::new(project, opts);
    // This build's rows, and the job of each.
    let current: Mutex<(RowStore, Vec<u32>)> = Mutex::new((
        RowStore::create(&opts.out_dir, "rows").map_err(io)?,
        Vec::new(),
    ));
    let counts = [
        std::sync::atomic::AtomicUsize::new(0),
        std::sync::atomic::AtomicUsize::new(0),
    ];
    let failed: Mutex<Vec<(usize, Job, JobError)>> = Mutex::new(Vec::new());
    let io_error: Mutex<Option<Error>> = Mutex::new(None);
    let keep_error = |e: Error| {
        io_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert(e);
    };
    let retired = Retired::new();
    pool.install(|| {
        use rayon::prelude::*;
        (0..plan.len()).into_par_iter().for_each(|i| {
            if interrupted() || io_error.lock().map(|e| e.is_some()).unwrap_or(true) {
                return;
            }
            let job = &plan.job(project, i);
            let fingerprint = inputs.fingerprint(job);
            let path = rel_path(&job.output);
            let up_to_date = (!opts.force)
                .then(|| previous_by_path.get(&crate::source::hash64(&path)))
                .flatten()
                .and_then(|&k| previous.get(k).ok())
                .filter(|r| {
                    r.path == path
                        && r.fingerprint == fingerprint
                        && unchanged_on_disk(&opts.out_dir, r, manifest_time)
                });
            let outcome = match up_to_date {
                Some(row) => JobOutcome::UpToDate(row),
                None => match run_job(project, job, opts, fingerprint, &retired) {
                    Ok(o) => o,
                    Err(e) => return keep_error(e),
                },
            };
            progress(&outcome);
            let counted = usize::from(matches!(outcome, JobOutcome::UpToDate(_)));
            match outcome {
                JobOutcome::Written(row) | JobOutcome::UpToDate(row) => {
                    counts[counted].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let mut cur = current.lock().unwrap_or_else(|e| e.into_inner());
                    match cur.0.push(&row) {
                        Ok(_) => cur.1.push(i as u32),
                        Err(e) => {
                            drop(cur);
                            keep_error(io(e));
                        }
                    }
                }
                JobOutcome::Failed(job, e) => failed
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((i, job, e)),
            }
        });
    });
    if let Some(e) = io_error.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(e);
    }
    let (mut current, current_jobs) = current.into_inner().unwrap_or_else(|e| e.into_inner());
    current.flush().map_err(io)?;
    let mut failed = failed.into_inner().unwrap_or_else(|e| e.into_inner());
    failed.sort_by_key(|(i, ..)| *i);
    let done = current.len() + failed.len();
    let report = BuildReport {
        written: counts[0].load(std::sync::atomic::Ordering::Relaxed),
        up_to_date: counts[1].load(std::sync::atomic::Ordering::Relaxed),
        failed: failed.into_iter().map(|(_, j, e)| (j, e)).collect(),
        not_started: plan.len() - done,
    };
    let listed = Listing {
        project,
        plan,
        current: &current,
        current_jobs,
        previous: &previous,
        kept: Vec::new(),
    };
    let (listed, manifest) =
        write_manifest(&manifest_path, &opts.out_dir, listed, &previous_by_path)?;
    let sheet = match opts.shard {
        Some(_) => None,
        None => {
            let title = format!("{} — outputs", project.content.title);
            let mut by_group = listed.rows();
            by_group.sort_by(|a, b| listed.sheet_order(*a, *b));
            Some(stage_streamed(
                &opts.out_dir.join("index.html"),
                false,
                |w| {
                    crate::sheet::write_html(
                        w,
                        &title,
                        by_group.len(),
                        by_group.iter().map(|&at| listed.row(at)),
                    )
                },
            )?)
        }
    };
    // One flush to disk covers the outputs, the manifest and the contact sheet,
    // before the manifest names the outputs (a flush per file cost a journal
    // commit each).
    flush_to_disk(&opts.out_dir)?;
    manifest.commit(Some(&retired))?;
    if let Some(sheet) = sheet {
        sheet.commit(Some(&retired))?;
    }
    Ok(report)
}

/// Whether the file a manifest row describes is still there as written (nobody
/// deleted or edited it by hand). A file of the recorded size that has not been
/// modified since the manifest was written is taken as it is; any other is read
/// and hashed. (Reading back every output made an up-to-date check of 10,000
/// audiences read 10 GB.)
fn unchanged_on_disk(
    out_dir: &Path,
    row: &OutputRow,
    manifest_time: Option<std::time::SystemTime>,
) -> bool {
    let path = out_dir.join(&row.path);
    match std::fs::metadata(&path) {
        Ok(m) if m.is_file() && m.len() == row.bytes => {
            row.previews.iter().all(|p| out_dir.join(p).is_file())
                && (m
                    .modified()
                    .ok()
                    .zip(manifest_time)
                    .is_some_and(|(file, manifest)| file <= manifest)
                    || std::fs::read(&path).is_ok_and(|b| sha256_hex(&b) == row.sha256))
        }
        _ => false,
    }
}

/// Hashes of what outputs depend on, computed once per batch.
struct Inputs {
    /// Program version, content, brand, fonts, logo, date, fallback.
    common: Vec<u8>,
    layouts: std::collections::HashMap<String, Vec<u8>>,
    languages: std::collections::HashMap<String, Vec<u8>>,
}

impl Inputs {
    fn new(p: &Project, opts: &BuildOptions) -> Inputs {
        let mut h = Sha256::new();
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        h.update(p.content_digest());
        h.update(p.brand_src.text.as_bytes());
        for f in &p.fonts.faces {
            h.update(f.digest);
        }
        if let Some(l) = &p.logo {
            h.update(Sha256::digest(&l.png[..]));
        }
        h.update(opts.epoch.to_be_bytes());
        h.update([opts.allow_fallback as u8]);
        h.update(opts.preview_dpi.unwrap_or(0.0).to_be_bytes());
        Inputs {
            common: h.finalize().to_vec(),
            layouts: p
                .layouts
                .iter()
                .map(|l| {
                    (
                        l.name.clone(),
                        Sha256::digest(l.source.text.as_bytes()).to_vec(),
                    )
                })
                .collect(),
            languages: p
                .translations
                .iter()
                .map(|t| {
                    (
                        t.language.clone(),
                        Sha256::digest(t.source.text.as_bytes()).to_vec(),
                    )
                })
                .collect(),
        }
    }

    /// Everything one output depends on, as one hash.
    fn fingerprint(&self, job: &Job) -> String {
        let mut h = Sha256::new();
        h.update(&self.common);
        h.update(
            self.layouts
                .get(&job.layout)
                .map(|v| v.as_slice())
                .unwrap_or_default(),
        );
        h.update(
            self.languages
                .get(&job.language)
                .map(|v| v.as_slice())
                .unwrap_or_default(),
        );
        for part in [
            job.audience.as_str(),
            job.language.as_str(),
            job.variant.map(|v| v.name()).unwrap_or(""),
        ] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        hex(&h.finalize()[..16])
    }
}

fn run_job(
    project: &Project,
    job: &Job,
    opts: &BuildOptions,
    fingerprint: String,
    retired: &Retired,
) -> Result<JobOutcome, Error> {
    let (doc, mut warnings) = match crate::doc::resolve(project, job, opts.allow_fallback) {
        Ok(r) => r,
        Err(reasons) => return Ok(JobOutcome::Failed(job.clone(), JobError { reasons })),
    };
    let ropts = RenderOptions {
        epoch: opts.epoch,
        variant: job.variant.unwrap_or(crate::plan::Variant::Print),
        preview_dpi: opts.preview_dpi,
    };
    let rendered = match backend(job.format).render(project, &doc, &ropts) {
        Ok(r) => r,
        Err(e) => return Ok(JobOutcome::Failed(job.clone(), e)),
    };
    let path = opts.out_dir.join(&job.output);
    write_replacing(
        &path,
        &[rendered.bytes.head, &rendered.bytes.tail],
        false,
        Some(retired),
    )?;
    let mut previews = Vec::new();
    for (n, png) in rendered.previews.iter().enumerate() {
        let rel = preview_path(&job.output, n + 1);
        write_replacing(&opts.out_dir.join(&rel), &[png], false, Some(retired))?;
        previews.push(rel_path(&rel));
    }
    Ok(JobOutcome::Written(OutputRow {
        audience: job.audience.clone(),
        language: job.language.clone(),
        layout: job.layout.clone(),
        format: job.format.extension().to_string(),
        variant: job.variant,
        path: rel_path(&job.output),
        pages: rendered.pages,
        bytes: rendered.bytes.len() as u64,
        sha256: output_sha256_hex(&rendered.bytes),
        fingerprint,
        title: Some(doc.title.clone()),
        previews,
        warnings: {
            warnings.extend(rendered.warnings);
            warnings
        },
    }))
}

/// `en/leaflet-workforce.pdf`, page 2 -> `en/leaflet-workforce.p2.png`.
pub fn preview_path(output: &Path, page: usize) -> PathBuf {
    let stem = output
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    output.with_file_name(format!("{stem}.p{page}.png"))
}

fn rel_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// SHA-256 of a file, in hex. Print PDFs all begin with the same half megabyte
/// (the output profile); the hash of that prefix is computed once and each file
/// hashed only from where it differs. Same result as hashing it whole.
fn sha256_hex(bytes: &[u8]) -> String {
    let prefix = crate::render::pdf::constant_prefix();
    match bytes.strip_prefix(prefix) {
        Some(rest) if !prefix.is_empty() => sha256_parts(prefix, rest),
        _ => sha256_parts(&[], bytes),
    }
}

/// SHA-256 of an output in memory, in hex.
fn output_sha256_hex(output: &Output) -> String {
    sha256_parts(output.head, &output.tail)
}

/// SHA-256 of `head` then `tail`; the state after the print PDFs' shared prefix
/// is kept.
fn sha256_parts(head: &[u8], tail: &[u8]) -> String {
    let prefix = crate::render::pdf::constant_prefix();
    let mut h = if !prefix.is_empty() && (std::ptr::eq(head, prefix) || head == prefix) {
        after_prefix().clone()
    } else {
        let mut h = Sha256::new();
        h.update(head);
        h
    };
    h.update(tail);
    hex(&h.finalize())
}

/// The SHA-256 state after the print PDFs' shared prefix, made once.
fn after_prefix() -> &'static Sha256 {
    static AFTER_PREFIX: std::sync::OnceLock<Sha256> = std::sync::OnceLock::new();
    AFTER_PREFIX.get_or_init(|| {
        let mut h = Sha256::new();
        h.update(crate::render::pdf::constant_prefix());
        h
    })
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
    write_replacing(path, &[bytes], true, None)
}

/// Files this build replaced, closed on a thread of their own. The last close
/// of a replaced file frees its blocks, and on a file system mounted with
/// `discard` that waits for the disk (a third of a millisecond a file here, a
/// fifth of a shipped build): the wait belongs off the workers' path. The
/// build waits for the last of them before it returns.
struct Retired {
    tx: Option<std::sync::mpsc::Sender<std::fs::File>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Retired {
    fn new() -> Retired {
        let (tx, rx) = std::sync::mpsc::channel::<std::fs::File>();
        let thread = std::thread::Builder::new()
            .name("retire".into())
            .spawn(move || rx.into_iter().for_each(drop))
            .ok();
        Retired {
            tx: Some(tx),
            thread,
        }
    }

    /// Closes `f` on the retiring thread (here, if it is gone).
    fn close(&self, f: std::fs::File) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(f);
        }
    }
}

impl Drop for Retired {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Flushes everything written to the file system holding `dir` to disk, in one
/// call: a batch renames each output into place (a killed build never leaves half
/// a file) and flushes them all once here, before the manifest names them,
/// rather than paying for one flush per file.
fn flush_to_disk(dir: &Path) -> Result<(), Error> {
    let d = std::fs::File::open(dir).map_err(|e| Error::io(dir, e))?;
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: syncfs only reads the descriptor, which `d` keeps open.
        if unsafe { libc::syncfs(d.as_raw_fd()) } != 0 {
            return Err(Error::io(dir, std::io::Error::last_os_error()));
        }
    }
    #[cfg(not(target_os = "linux"))]
    d.sync_all().map_err(|e| Error::io(dir, e))?;
    Ok(())
}

/// Like `write_atomic`, for a file written piece by piece (large manifests and
/// contact sheets are streamed, not built in memory first).
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    stage_streamed(path, true, fill)?.commit(None)
}

/// Temp file holding `parts` one after another, then rename over `path`;
/// `durable` flushes the file before the rename. The file replaced is closed
/// by `retired`, when given.
fn write_replacing(
    path: &Path,
    parts: &[&[u8]],
    durable: bool,
    retired: Option<&Retired>,
) -> Result<(), Error> {
    stage(path, durable, |f| {
        parts.iter().try_for_each(|p| f.write_all(p))
    })?
    .commit(retired)
}

/// A file written in full under a temporary name beside `path`, waiting to be
/// renamed into place by `commit`. Dropped uncommitted (a later step failed),
/// the temporary file is removed.
#[must_use]
struct Staged {
    tmp: PathBuf,
    path: PathBuf,
    committed: bool,
}

/// Writes `path`'s next content beside it; `durable` flushes it to disk.
fn stage(
    path: &Path,
    durable: bool,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<Staged, Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    // The folder nearly always exists: make it only when the file cannot be
    // created without it (two system calls fewer per output).
    let mut created = std::fs::File::create(&tmp);
    if created
        .as_ref()
        .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
    {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        created = std::fs::File::create(&tmp);
    }
    let staged = Staged {
        tmp,
        path: path.to_path_buf(),
        committed: false,
    };
    let mut f = created.map_err(|e| Error::io(path, e))?;
    fill(&mut f)
        .and_then(|_| if durable { f.sync_all() } else { Ok(()) })
        .map_err(|e| Error::io(path, e))?;
    start_writing_out(&f);
    Ok(staged)
}

/// Asks the system to start writing `f` to disk now, without waiting: the one
/// flush at the end of a build then finds the outputs written or on their way.
/// Waiting to write them all there took 5 ms of a fresh shipped build (ext4
/// starts early by itself only for files that replace others).
fn start_writing_out(f: &std::fs::File) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: sync_file_range only reads the descriptor, which `f` keeps open;
        // a failure only means the flush at the end does all the work.
        unsafe {
            libc::sync_file_range(f.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = f;
}

/// Like `stage`, for a file written piece by piece through a buffer.
fn stage_streamed(
    path: &Path,
    durable: bool,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<Staged, Error> {
    stage(path, durable, |f| {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
        fill(&mut w)?;
        w.flush()
    })
}

impl Staged {
    /// Renames the file into place. The file it replaces is closed by
    /// `retired`, when given.
    fn commit(mut self, retired: Option<&Retired>) -> Result<(), Error> {
        // Held open across the rename, the old file is freed when `retired`
        // closes it, not inside the rename.
        let old = retired.and_then(|_| hold(&self.path));
        std::fs::rename(&self.tmp, &self.path).map_err(|e| Error::io(&self.path, e))?;
        self.committed = true;
        if let (Some(r), Some(old)) = (retired, old) {
            r.close(old);
        }
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// The file at `path`, held without reading it (Linux: `O_PATH`, no
/// permission check or file operations to set up).
fn hold(path: &Path) -> Option<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(target_os = "linux")]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut o, libc::O_PATH);
    o.open(path).ok()
}

/// A row of the manifest: built (or found up to date) by this build's job, or
/// kept from the last manifest (an output this build did not make).
#[derive(Clone, Copy)]
enum Listed {
    /// Row `row` of this build's store, made by job `job`.
    Built { job: u32, row: u32 },
    /// Row `row` of the last manifest's store, with its key at `key` in `kept`.
    Kept { key: u32, row: u32 },
}

/// Every row the manifest and contact sheet list, kept small: a built row is
/// two numbers and its path and names come from its job when compared.
struct Listing<'a> {
    project: &'a Project,
    plan: &'a Plan,
    current: &'a crate::rowstore::RowStore,
    /// The job of each row of `current`.
    current_jobs: Vec<u32>,
    previous: &'a crate::rowstore::RowStore,
    /// (language, audience, path, row) of rows kept from the last manifest.
    kept: Vec<(String, String, String, u32)>,
}

/// A path as the pieces it is written from: compared without building it.
type PathParts<'a> = [&'a str; 8];

impl Listing<'_> {
    fn rows(&self) -> Vec<Listed> {
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
    fn sheet_order(&self, a: Listed, b: Listed) -> std::cmp::Ordering {
        let (ka, kb) = (self.key(a), self.key(b));
        (ka.0, ka.1)
            .cmp(&(kb.0, kb.1))
            .then_with(|| self.path_order(a, b))
    }

    fn row(&self, at: Listed) -> std::io::Result<OutputRow> {
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
fn write_manifest<'a>(
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
                crate::source::hash64(&listing.plan.parts(listing.project, j as usize).2.concat())
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
    write_atomic(output, &json)?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    #[test]
    fn a_print_pdf_hashes_the_same_with_its_prefix_hashed_once() {
        let prefix = crate::render::pdf::constant_prefix();
        assert!(prefix.len() > 400_000, "the profile is in the prefix");
        let mut file = prefix.to_vec();
        file.extend(b"2 0 obj\n<</Type/Catalog>>\nendobj\n");
        assert_eq!(super::sha256_hex(&file), super::hex(&Sha256::digest(&file)));
        let parts = super::Output {
            head: prefix,
            tail: file[prefix.len()..].to_vec(),
        };
        assert_eq!(
            super::output_sha256_hex(&parts),
            super::hex(&Sha256::digest(&file))
        );
        assert_eq!(
            super::sha256_hex(b"abc"),
            super::hex(&Sha256::digest(b"abc"))
        );
    }
}
