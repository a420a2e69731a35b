//! The commands that run batches: `build` (with its progress, summary and
//! Ctrl-C) and `watch`. They use only the library's front door.

pub(crate) mod serve;

use super::{BuildArgs, print_diagnostics, print_job_errors, report_error};
use leafpress::{BuildOptions, Error, JobOutcome, count};
use std::io::IsTerminal;

/// Huge pages (2 MB) instead of 4 KB ones cut a shipped build's page faults
/// from 3,800 to 350 and its time by a sixth (measured again with the
/// restructured tree: 48.6 -> 41.4 ms, medians of 50 interleaved runs), but double what each worker
/// thread holds (4.4 -> 8.6 MB at 1,000 audiences). Up to 4 workers they keep a
/// batch under 100 MB (74 MB); with more, the process does without them.
fn limit_huge_pages(workers: usize) {
    #[cfg(target_os = "linux")]
    if workers > 4 {
        // SAFETY: prctl with PR_SET_THP_DISABLE only sets a flag on this process.
        unsafe {
            libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = workers;
}

/// Ctrl-C: the first stops the batch after the outputs being written now; a
/// second stops at once (outputs are renamed into place whole, so none is half).
pub(crate) fn on_interrupt() {
    static PRESSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    const STOPPING: &str =
        "stopping: finishing the outputs being written now (Ctrl-C again to stop at once)\n";
    // On Unix a plain signal handler does it: setting flags, writing to stderr
    // and `_exit` are safe in one, and it needs no thread of its own (the
    // ctrlc crate starts one in every build).
    #[cfg(unix)]
    {
        extern "C" fn handler(_: libc::c_int) {
            if PRESSED.swap(true, std::sync::atomic::Ordering::SeqCst) {
                // SAFETY: `_exit` is async-signal-safe.
                unsafe { libc::_exit(130) };
            }
            leafpress::interrupt();
            // SAFETY: `write` is async-signal-safe; the buffer is static.
            unsafe { libc::write(2, STOPPING.as_ptr().cast(), STOPPING.len()) };
        }
        // SAFETY: the handler only does what is allowed in a signal handler.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = handler as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
        }
    }
    #[cfg(not(unix))]
    let _ = ctrlc::set_handler(|| {
        if PRESSED.swap(true, std::sync::atomic::Ordering::SeqCst) {
            std::process::exit(130);
        }
        leafpress::interrupt();
        eprint!("{STOPPING}");
    });
}

pub(crate) fn build(args: &BuildArgs) -> Result<u8, Error> {
    let BuildArgs {
        inputs,
        filter,
        out,
        jobs,
        allow_fallback,
        force,
        shard,
        quiet,
        no_preview,
        preview_dpi,
        keep_orphans,
    } = args.clone();

    if !(10.0..=1200.0).contains(&preview_dpi) {
        return Err(Error::Usage(format!(
            "--preview-dpi {preview_dpi} is out of range; use 10 to 1200"
        )));
    }
    let p = leafpress::check(&inputs.paths())?;
    print_diagnostics(p.warnings());
    let opts = BuildOptions {
        allow_fallback,
        force,
        shard,
        preview_dpi: (!no_preview).then_some(preview_dpi),
        keep_orphans,
        out_dir: out.clone(),
        epoch: leafpress::epoch_from_env(),
        jobs: jobs.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        }),
    };
    limit_huge_pages(opts.jobs);
    let started = std::time::Instant::now();
    // Planned once: its size sets the progress bar, then it is built.
    let plan = leafpress::plan(&p, &filter.filter())?;
    let total = match shard {
        Some((_, n)) => plan.len().div_ceil(n.max(1)),
        None => plan.len(),
    };
    // On a terminal, a progress bar that appears once the batch has run for
    // a second; elsewhere (logs, CI) one plain line per output.
    let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::with_draw_target(
            Some(total as u64),
            indicatif::ProgressDrawTarget::hidden(),
        );
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} outputs, {per_sec}, {eta} left",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let shown = std::sync::atomic::AtomicBool::new(false);
    let say = |line: String| match &bar {
        Some(b) if shown.load(std::sync::atomic::Ordering::Relaxed) => b.println(line),
        Some(_) => eprintln!("{line}"),
        None => println!("{line}"),
    };
    let progress = |o: &JobOutcome| {
        if let Some(b) = &bar {
            b.inc(1);
            if started.elapsed().as_secs_f64() > 1.0
                && !shown.swap(true, std::sync::atomic::Ordering::Relaxed)
            {
                b.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            }
        }
        match o {
            JobOutcome::Written(r) => {
                if !quiet && bar.is_none() {
                    let pages = r
                        .pages
                        .map(|n| format!("{n} page{}, ", if n == 1 { "" } else { "s" }))
                        .unwrap_or_default();
                    // The size a flow took where the layout lets it choose.
                    let sizes: String = r
                        .sizes
                        .iter()
                        .map(|(flow, size)| format!(", {flow} at {size:.1} pt"))
                        .collect();
                    say(format!(
                        "wrote  {} ({pages}{} KB{sizes})",
                        out.join(&r.path).display(),
                        r.bytes.div_ceil(1024)
                    ));
                }
                for w in &r.warnings {
                    say(format!(
                        "       warning: {}: {w}",
                        out.join(&r.path).display()
                    ));
                }
            }
            JobOutcome::UpToDate(_) => {}
            JobOutcome::Failed(j, _) => say(format!("FAILED {}", out.join(&j.output).display())),
        }
    };
    let report = leafpress::build(&p, &plan, &opts, &progress)?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    print_job_errors(&report.failed);
    if !quiet {
        println!(
            "{} written, {} up to date, {} failed, in {:.2} s; manifest: {}",
            report.written,
            report.up_to_date,
            report.failed.len(),
            started.elapsed().as_secs_f64(),
            out.join(leafpress::manifest_name(shard)).display()
        );
        if report.orphans > 0 {
            println!(
                "{} the content no longer makes (a removed audience, layout or language): {}",
                count(report.orphans, "output"),
                if keep_orphans {
                    "kept, and listed as orphans"
                } else {
                    "removed"
                }
            );
        }
    }
    if report.not_started > 0 {
        eprintln!(
            "interrupted: {} outputs not built; the manifest lists what was made. Run the build again to finish.",
            report.not_started
        );
        return Ok(130);
    }
    Ok(if report.failed.is_empty() { 0 } else { 1 })
}

/// Builds, then waits for saves under the input folders and rebuilds (only what
/// changed: the build is incremental). A broken input is reported and the last
/// good outputs stay; the output folder is not watched, so a build never
/// triggers another.
pub(crate) fn watch(args: &BuildArgs) -> Result<u8, Error> {
    watch_with(args, |r| {
        if let Err(e) = r {
            report_error(e, "the last good outputs stay");
        }
    })
}

/// Builds, then rebuilds whenever an input is saved, telling `done` how each
/// build went.
pub(crate) fn watch_with(
    args: &BuildArgs,
    mut done: impl FnMut(&Result<u8, Error>),
) -> Result<u8, Error> {
    use notify::{RecursiveMode, Watcher};
    let mut report = |r: Result<u8, Error>| done(&r);
    report(build(args));
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |e: notify::Result<notify::Event>| {
        let _ = tx.send(e);
    })
    .map_err(|e| Error::Usage(format!("cannot watch for changes: {e}")))?;
    let out = std::fs::canonicalize(&args.out).unwrap_or_else(|_| args.out.clone());
    for dir in [
        &args.inputs.content,
        &args.inputs.layouts,
        &args.inputs.fonts,
    ] {
        watcher
            .watch(dir, RecursiveMode::Recursive)
            .map_err(|e| Error::Usage(format!("cannot watch {}: {e}", dir.display())))?;
    }
    println!(
        "watching {}, {} and {} (Ctrl-C to stop)",
        args.inputs.content.display(),
        args.inputs.layouts.display(),
        args.inputs.fonts.display()
    );
    loop {
        let Ok(first) = rx.recv() else {
            return Ok(0);
        };
        let relevant = |e: &notify::Result<notify::Event>| match e {
            Ok(ev) => {
                !ev.kind.is_access() && ev.paths.iter().any(|p| !p.starts_with(&out) && !is_temp(p))
            }
            Err(_) => false,
        };
        let mut changed = relevant(&first);
        let saved_at = std::time::Instant::now();
        // Editors save in bursts (write, rename, chmod): wait for the burst to end.
        while let Ok(e) = rx.recv_timeout(std::time::Duration::from_millis(150)) {
            changed |= relevant(&e);
        }
        if !changed {
            continue;
        }
        println!("change seen; rebuilding");
        report(build(args));
        println!(
            "rebuilt in {:.2} s after the save; watching",
            saved_at.elapsed().as_secs_f64()
        );
    }
}

/// Editors' and our own temporary files.
fn is_temp(p: &std::path::Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name.starts_with('.') || name.ends_with('~') || name.ends_with(".tmp") || name.ends_with(".swp")
}
