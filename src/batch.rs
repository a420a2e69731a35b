//! The batch driver: runs jobs (in parallel), writes each output atomically as
//! soon as it is done, and keeps the manifest. The only module that writes files.

use crate::diag::Error;
use crate::fsio::{
    Retired, flush_to_disk, prepare_out_dir, remove_stale_temps, stage_streamed, write_replacing,
};
use crate::manifest::listing::{Listing, write_manifest};
use crate::manifest::{OutputRow, Status, manifest_name};
use crate::pipeline::{JobError, MakeOptions};
use crate::plan::{Job, Plan};
use crate::project::Project;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What happened to one job.
pub enum JobOutcome {
    /// The output was made and written.
    Written(OutputRow),
    /// Nothing it depends on changed and the file is as written: not rebuilt.
    UpToDate(OutputRow),
    /// The job could not be made (the reasons say why); its earlier output, if any, is left as it was.
    Failed(Job, JobError),
}

/// How a batch is built.
pub struct BuildOptions {
    /// Where outputs, the manifest and the contact sheet go.
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
    /// Keep the files of an earlier build that the content no longer makes
    /// (their audience, layout or language is gone), listed as orphans,
    /// instead of removing them.
    pub keep_orphans: bool,
}

/// What a build did.
pub struct BuildReport {
    /// How many outputs were written, and how many were up to date (their rows
    /// went to the manifest as the jobs finished).
    pub written: usize,
    /// How many outputs were up to date and left as they were.
    pub up_to_date: usize,
    /// The jobs that failed, and why.
    pub failed: Vec<(Job, JobError)>,
    /// Jobs not started because the build was interrupted.
    pub not_started: usize,
    /// Outputs of an earlier build that the content no longer makes, removed
    /// (or, with `keep_orphans`, kept and listed as orphans).
    pub orphans: usize,
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

/// Runs every job in parallel, calling `progress` as each finishes (from worker
/// threads), writing each output as soon as it is made, then the manifest.
pub fn run(
    project: &Project,
    plan: &Plan,
    opts: &BuildOptions,
    progress: &(dyn Fn(&JobOutcome) + Sync),
) -> Result<BuildReport, Error> {
    use crate::manifest::rowstore::RowStore;
    prepare_out_dir(&opts.out_dir)?;
    let sharded;
    let plan = match opts.shard {
        Some((k, n)) => {
            sharded = plan.shard(project, k, n);
            &sharded
        }
        None => plan,
    };
    let pool = pool(opts.jobs, plan.len())?;
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
        let read = crate::manifest::rowstore::each_manifest_row(f, |row| {
            if failed.is_none() {
                match previous.push(&row) {
                    Ok(i) => {
                        previous_by_path.insert(crate::text::hash64(&row.path), i);
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
    let fingerprints = Fingerprints::new(project, opts);
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
            let fingerprint = fingerprints.fingerprint(project, job);
            let path = rel_path(&job.output);
            // The last manifest's row for this output.
            let earlier = || {
                previous_by_path
                    .get(&crate::text::hash64(&path))
                    .and_then(|&k| previous.get(k).ok())
                    .filter(|r| r.path == path)
            };
            let up_to_date = (!opts.force).then(earlier).flatten().filter(|r| {
                r.status == Status::Ok
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
            let row = match outcome {
                JobOutcome::Written(row) | JobOutcome::UpToDate(row) => {
                    counts[counted].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    row
                }
                // A failed output is listed as failed, with the file an
                // earlier build left, if any: never as current.
                JobOutcome::Failed(job, e) => {
                    let row = failed_row(&job, &e, earlier(), &opts.out_dir);
                    failed
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((i, job, e));
                    row
                }
            };
            let mut cur = current.lock().unwrap_or_else(|e| e.into_inner());
            match cur.0.push(&row) {
                Ok(_) => cur.1.push(i as u32),
                Err(e) => {
                    drop(cur);
                    keep_error(io(e));
                }
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
    let done = current.len();
    let mut report = BuildReport {
        written: counts[0].load(std::sync::atomic::Ordering::Relaxed),
        up_to_date: counts[1].load(std::sync::atomic::Ordering::Relaxed),
        failed: failed.into_iter().map(|(_, j, e)| (j, e)).collect(),
        not_started: plan.len() - done,
        orphans: 0,
    };
    let listed = Listing {
        project,
        plan,
        current: &current,
        current_jobs,
        previous: &previous,
        kept: Vec::new(),
    };
    let (listed, manifest, orphans) = write_manifest(
        &manifest_path,
        &opts.out_dir,
        listed,
        &previous_by_path,
        // Only rows of an earlier manifest can be orphans.
        &if previous_by_path.is_empty() {
            Default::default()
        } else {
            makeable(project)?
        },
        opts.keep_orphans,
    )?;
    let sheet = match opts.shard {
        Some(_) => None,
        None => {
            let texts = stage_streamed(&opts.out_dir.join("texts.js"), false, |w| {
                crate::manifest::texts::write_js(w, project)
            })?;
            let title = format!("{} — outputs", project.head.title);
            let mut by_group = listed.rows();
            by_group.sort_by(|a, b| listed.sheet_order(*a, *b));
            let page = stage_streamed(&opts.out_dir.join("index.html"), false, |w| {
                crate::manifest::sheet::write_html(
                    w,
                    &title,
                    by_group.len(),
                    by_group.iter().map(|&at| listed.row(at)),
                )
            })?;
            Some([texts, page])
        }
    };
    // One flush to disk covers the outputs, the manifest and the contact sheet,
    // before the manifest names the outputs (a flush per file cost a journal
    // commit each).
    flush_to_disk(&opts.out_dir)?;
    manifest.commit(Some(&retired))?;
    for staged in sheet.into_iter().flatten() {
        staged.commit(Some(&retired))?;
    }
    // Removed only once the manifest no longer names them.
    for f in &orphans.files {
        match std::fs::remove_file(opts.out_dir.join(f)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(Error::io(&opts.out_dir.join(f), e));
            }
            _ => {}
        }
    }
    report.orphans = orphans.outputs;
    Ok(report)
}

/// A pool of `workers` threads for `jobs` jobs: no more threads than jobs, as
/// each costs its start and its memory.
fn pool(workers: usize, jobs: usize) -> Result<rayon::ThreadPool, Error> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(workers.min(jobs).max(1))
        .build()
        .map_err(|e| Error::Usage(format!("cannot start worker threads: {e}")))
}

/// What making every job of a plan in memory found: what `check` reports.
pub struct Trial {
    /// How many jobs were made.
    pub jobs: usize,
    /// The jobs that failed, and why: what a build would fail on.
    pub failed: Vec<(Job, JobError)>,
    /// Each job's warnings, as the build's manifest would list them.
    pub warnings: Vec<(Job, String)>,
}

/// Makes every job of `plan` in memory, on `workers` threads, writing
/// nothing: every problem a build would meet (text that does not fit, a
/// translation that lacks texts, ...) with the same words.
pub fn try_all(
    project: &Project,
    plan: &Plan,
    workers: usize,
    allow_fallback: bool,
) -> Result<Trial, Error> {
    use rayon::prelude::*;
    let pool = pool(workers, plan.len())?;
    let opts = MakeOptions {
        allow_fallback,
        ..MakeOptions::default()
    };
    let outcomes: Vec<(Job, Result<Vec<String>, JobError>)> = pool.install(|| {
        (0..plan.len())
            .into_par_iter()
            .map(|i| {
                let job = plan.job(project, i);
                let made = crate::pipeline::run(project, &job, &opts).map(|m| m.warnings);
                (job, made)
            })
            .collect()
    });
    let mut trial = Trial {
        jobs: outcomes.len(),
        failed: Vec::new(),
        warnings: Vec::new(),
    };
    for (job, outcome) in outcomes {
        match outcome {
            Ok(warnings) => trial
                .warnings
                .extend(warnings.into_iter().map(|w| (job.clone(), w))),
            Err(e) => trial.failed.push((job, e)),
        }
    }
    Ok(trial)
}

/// A hash of the path of every output the project can make (all audiences,
/// layouts, languages and variants): an earlier output whose path is not
/// among them is an orphan.
fn makeable(project: &Project) -> Result<std::collections::HashSet<u64>, Error> {
    let all = crate::plan::planned(
        project,
        &crate::plan::Filter {
            variants: vec![crate::plan::Variant::Print, crate::plan::Variant::Screen],
            ..Default::default()
        },
    )?;
    Ok((0..all.len())
        .map(|i| crate::text::hash64(&all.parts(project, i).2.concat()))
        .collect())
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
                    || std::fs::read(&path)
                        .is_ok_and(|b| crate::text::hex(&Sha256::digest(&b)) == row.sha256))
        }
        _ => false,
    }
}

/// What each output depends on, as hashes: the shared parts made once per
/// batch, an output's own (its audience's texts and their translations) per
/// job. An edit to one audience rebuilds only that audience's outputs.
struct Fingerprints {
    /// Program version, the content's shared texts (title, definition, ...),
    /// brand, fonts, logo, date, fallback, previews.
    common: Vec<u8>,
    layouts: std::collections::HashMap<String, Vec<u8>>,
}

impl Fingerprints {
    fn new(p: &Project, opts: &BuildOptions) -> Fingerprints {
        let mut h = Sha256::new();
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        h.update(serde_json::to_vec(&p.head).unwrap_or_default());
        h.update(p.brand_src.text.as_bytes());
        for f in &p.fonts.faces {
            h.update(f.digest);
        }
        if let Some(l) = &p.logo {
            h.update(l.picture.digest);
        }
        h.update(opts.epoch.to_be_bytes());
        h.update([opts.allow_fallback as u8]);
        h.update(opts.preview_dpi.unwrap_or(0.0).to_be_bytes());
        Fingerprints {
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
        }
    }

    /// Everything one output depends on, as one hash.
    fn fingerprint(&self, p: &Project, job: &Job) -> String {
        let mut h = Sha256::new();
        h.update(&self.common);
        h.update(
            self.layouts
                .get(&job.layout)
                .map(|v| v.as_slice())
                .unwrap_or_default(),
        );
        if let Some(i) = p.audience_index(&job.audience) {
            h.update(p.audiences.digest(i));
        }
        // Read once (a streamed content reads it back from disk); `None` if
        // the file changed since it was checked.
        let audience = p.audience(&job.audience).and_then(Result::ok);
        // The picture's bytes, not only its name: a photograph replaced
        // under the same name rebuilds what shows it.
        if let Some(a) = &audience
            && let Some((spec, from)) = p.picture_spec(a.audience.image.as_ref())
        {
            match p.picture(spec, from) {
                Ok(picture) => h.update(picture.digest),
                Err(e) => h.update(e.as_bytes()),
            }
        }
        if let Some(t) = p.translations.iter().find(|t| t.language == job.language) {
            translation_part(p, t, audience.map(|a| a.audience.into_owned()), &mut h);
        }
        for part in [
            job.audience.as_str(),
            job.language.as_str(),
            job.variant.map(|v| v.name()).unwrap_or(""),
        ] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        crate::text::hex(&h.finalize()[..16])
    }
}

/// Feeds `h` the entries of translation `t` that an output for `audience`
/// prints: the shared texts' and the audience's own (`None`: it could not be
/// read back).
fn translation_part(
    p: &Project,
    t: &crate::translate::Translation,
    audience: Option<crate::content::Audience>,
    h: &mut Sha256,
) {
    let Some(audience) = audience else {
        // Not to be had (a large content read back from disk changed): the
        // whole file stands in, and the job itself reports the change.
        h.update(t.source.text.as_bytes());
        return;
    };
    let only = crate::content::Content::join(&p.head, vec![audience]);
    for u in crate::translate::units(&only) {
        h.update(u.id.as_bytes());
        match t.texts.get(&u.id) {
            Some(e) => {
                h.update([1]);
                h.update(e.text.as_bytes());
                h.update([0]);
                h.update(e.source.as_bytes());
            }
            None => h.update([0]),
        }
        h.update([0]);
    }
}

fn run_job(
    project: &Project,
    job: &Job,
    opts: &BuildOptions,
    fingerprint: String,
    retired: &Retired,
) -> Result<JobOutcome, Error> {
    let make = MakeOptions {
        epoch: opts.epoch,
        preview_dpi: opts.preview_dpi,
        allow_fallback: opts.allow_fallback,
    };
    let made = match crate::pipeline::run(project, job, &make) {
        Ok(m) => m,
        Err(e) => return Ok(JobOutcome::Failed(job.clone(), e)),
    };
    let rendered = &made.rendered;
    let path = opts.out_dir.join(&job.output);
    write_replacing(&path, &[&rendered.file.bytes], false, Some(retired))?;
    let mut previews = Vec::new();
    for (n, png) in rendered.previews.iter().enumerate() {
        let rel = preview_path(&job.output, n + 1);
        write_replacing(&opts.out_dir.join(&rel), &[png], false, Some(retired))?;
        previews.push(rel_path(&rel));
    }
    Ok(JobOutcome::Written(OutputRow {
        pages: rendered.pages,
        bytes: rendered.file.bytes.len() as u64,
        sha256: crate::text::hex(&rendered.file.sha256),
        fingerprint,
        title: Some(made.title),
        previews,
        warnings: made.warnings,
        sizes: rendered.sizes.iter().cloned().collect(),
        ..row_of(job)
    }))
}

/// A row naming `job`'s output, with no file yet.
fn row_of(job: &Job) -> OutputRow {
    OutputRow {
        audience: job.audience.clone(),
        language: job.language.clone(),
        layout: job.layout.clone(),
        format: job.format.extension().to_string(),
        variant: job.variant,
        path: rel_path(&job.output),
        pages: None,
        bytes: 0,
        sha256: String::new(),
        fingerprint: String::new(),
        title: None,
        previews: Vec::new(),
        sizes: Default::default(),
        warnings: Vec::new(),
        status: Status::Ok,
        errors: Vec::new(),
        earlier_file: false,
    }
}

/// The manifest row of a job that failed: its errors, and the file an earlier
/// build left at its path (still there, as that build wrote it), if any.
fn failed_row(job: &Job, e: &JobError, earlier: Option<OutputRow>, out_dir: &Path) -> OutputRow {
    let left = earlier.filter(|r| {
        (r.status == Status::Ok || r.earlier_file)
            && std::fs::metadata(out_dir.join(&r.path)).is_ok_and(|m| m.len() == r.bytes)
    });
    let row = match left {
        Some(r) => OutputRow {
            earlier_file: true,
            ..r
        },
        None => row_of(job),
    };
    OutputRow {
        status: Status::Failed,
        errors: e.reasons.clone(),
        // Never up to date: the next build tries again.
        fingerprint: String::new(),
        warnings: Vec::new(),
        ..row
    }
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
