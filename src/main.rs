//! The leafpress command line: parses arguments, calls the library, prints
//! diagnostics and a summary, and sets the exit status (0 ok, 1 input or job
//! problems, 2 usage).

// glibc's allocator spent a quarter of a batch's time in malloc and free (many
// small glyph and PDF objects across threads); mimalloc takes a fraction of that.
// It backs its memory with transparent huge pages where the system allows them
// (see `limit_huge_pages`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Args, Parser, Subcommand};
use leafpress::{BuildOptions, Diagnostic, Error, Filter, JobOutcome, Paths, count};
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "leafpress",
    version,
    about = "Print-ready leaflets, flyers and handouts for every audience, from one YAML source"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build every audience × layout into the output folder.
    Build(BuildArgs),
    /// Build, then rebuild what changed whenever a file under the content,
    /// layouts or fonts folder is saved (Ctrl-C to stop).
    Watch(BuildArgs),
    /// Combine the manifests of sharded builds into one.
    MergeManifests {
        /// The shard manifests.
        #[arg(required = true)]
        manifests: Vec<PathBuf>,
        /// The combined manifest to write.
        #[arg(
            short = 'o',
            long = "output",
            value_name = "FILE",
            default_value = "out/manifest.json"
        )]
        output: PathBuf,
    },
    /// Write an XLIFF 2.1 file for translating the content into LANG.
    Export {
        /// Folder with messages.yaml (and translations/).
        #[arg(long, value_name = "DIR", default_value = "content")]
        content: PathBuf,
        /// The target language, such as fr, es or pt-BR.
        #[arg(long = "lang", value_name = "LANG")]
        lang: String,
        /// The file to write.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
    },
    /// Read a translated XLIFF file or DOCX handout into content/translations/LANG.yaml.
    Import {
        /// The translated .xlf / .xliff or .docx file.
        file: PathBuf,
        /// Folder with messages.yaml (and translations/).
        #[arg(long, value_name = "DIR", default_value = "content")]
        content: PathBuf,
        /// The translation's language (needed for a DOCX; an XLIFF file says it).
        #[arg(long = "lang", value_name = "LANG")]
        lang: Option<String>,
    },
    /// Check all inputs and report every problem; writes nothing.
    Check {
        #[command(flatten)]
        inputs: InputArgs,
    },
    /// List the jobs a build would run.
    List {
        #[command(flatten)]
        inputs: InputArgs,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Start a new project (content, layouts and fonts to edit) in DIR.
    Init { dir: PathBuf },
}

#[derive(Args, Clone)]
struct BuildArgs {
    #[command(flatten)]
    inputs: InputArgs,
    #[command(flatten)]
    filter: FilterArgs,
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "out")]
    out: PathBuf,
    /// How many jobs to run at once (default: one per core).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Where a translation lacks a text, use the source text (and say where).
    #[arg(long)]
    allow_fallback: bool,
    /// Rebuild every output, even those that are up to date.
    #[arg(long)]
    force: bool,
    /// Build only shard K of N (such as 2/8) of the jobs, with its own manifest;
    /// combine the manifests with `merge-manifests`.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    shard: Option<(usize, usize)>,
    /// Print only problems: no line per output, no summary.
    #[arg(long, short)]
    quiet: bool,
    /// Do not draw PNG previews of PDF pages.
    #[arg(long)]
    no_preview: bool,
    /// Resolution of the PNG previews.
    #[arg(long, value_name = "DPI", default_value_t = 72.0)]
    preview_dpi: f32,
    /// Keep the files of outputs the content no longer makes (a removed
    /// audience, layout or language), listed as orphans, instead of removing them.
    #[arg(long)]
    keep_orphans: bool,
}

#[derive(Args, Clone)]
struct InputArgs {
    /// Folder with messages.yaml.
    #[arg(long, value_name = "DIR", default_value = "content")]
    content: PathBuf,
    /// Folder with brand.yaml and the layout files.
    #[arg(long, value_name = "DIR", default_value = "layouts")]
    layouts: PathBuf,
    /// Folder with the font files the brand names.
    #[arg(long, value_name = "DIR", default_value = "fonts")]
    fonts: PathBuf,
}

#[derive(Args, Clone)]
struct FilterArgs {
    /// Only this audience (by id); repeat for more.
    #[arg(long = "audience", value_name = "ID")]
    only_audiences: Vec<String>,
    /// Only this layout (by name); repeat for more.
    #[arg(long = "layout", value_name = "NAME")]
    only_layouts: Vec<String>,
    /// Who the PDFs are for: `print` (CMYK, bleed, crop marks, PDF/X-4; the default)
    /// or `screen` (sRGB, no bleed or marks, clickable links). Repeat for both.
    #[arg(long = "for", value_name = "USE", value_enum)]
    variants: Vec<VariantArg>,
    /// Only this language (the source's, or a translation's); repeat for more.
    #[arg(long = "lang", value_name = "LANG")]
    languages: Vec<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum VariantArg {
    Print,
    Screen,
}

impl InputArgs {
    fn paths(&self) -> Paths {
        Paths {
            content: self.content.clone(),
            layouts: self.layouts.clone(),
            fonts: self.fonts.clone(),
        }
    }
}

impl FilterArgs {
    fn filter(&self) -> Filter {
        Filter {
            audiences: self.only_audiences.clone(),
            layouts: self.only_layouts.clone(),
            variants: self
                .variants
                .iter()
                .map(|v| match v {
                    VariantArg::Print => leafpress::Variant::Print,
                    VariantArg::Screen => leafpress::Variant::Screen,
                })
                .collect(),
            languages: self.languages.clone(),
        }
    }
}

fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let (k, n) = s
        .split_once('/')
        .ok_or("write the shard as K/N, such as 2/8")?;
    let (k, n): (usize, usize) = (
        k.trim()
            .parse()
            .map_err(|_| format!("`{k}` is not a shard number"))?,
        n.trim()
            .parse()
            .map_err(|_| format!("`{n}` is not a shard count"))?,
    );
    if n == 0 || k == 0 || k > n {
        return Err(format!("shard {k}/{n} does not exist; K runs from 1 to N"));
    }
    Ok((k, n))
}

fn main() {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            end(code);
        }
    };
    // What a failed command did not do, said after its problems.
    let undone = match &cli.command {
        Command::Build(_) | Command::Watch(_) => "nothing was built",
        Command::Import { .. } => "nothing was imported",
        Command::Export { .. } | Command::MergeManifests { .. } | Command::Init { .. } => {
            "nothing was written"
        }
        Command::Check { .. } | Command::List { .. } => "",
    };
    end(match run(cli) {
        Ok(code) => code,
        Err(e) => {
            report_error(&e, undone);
            match e {
                Error::Usage(_) | Error::Arguments(_) => 2,
                _ => 1,
            }
        }
    })
}

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

/// Ends the process with `code` once what it printed is out. (Skipping the
/// allocator's clean-up with `_exit` saved nothing measurable: 41.4 against
/// 41.1 ms for the shipped build, 4.75 against 4.64 s for 1,000 audiences,
/// medians of interleaved runs.)
fn end(code: u8) -> ! {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    std::process::exit(code.into())
}

fn print_diagnostics(diags: &[Diagnostic]) {
    for d in diags {
        eprint!("{}", d.render());
    }
}

/// Prints `e`, then how many problems there were and what was not done
/// (`undone`, when the command would have done something).
fn report_error(e: &Error, undone: &str) {
    let tail = if undone.is_empty() {
        String::new()
    } else {
        format!("; {undone}")
    };
    match e {
        Error::Input(diags) => {
            print_diagnostics(diags);
            let n = diags.iter().filter(|d| d.is_error()).count();
            eprintln!("{} found{tail}", count(n, "problem"));
        }
        Error::Arguments(diags) => {
            print_diagnostics(diags);
            eprintln!(
                "{} on the command line{tail}",
                count(diags.len(), "mistake")
            );
        }
        Error::Io { path, source } => {
            let (msg, hint) = Error::io_message(path, source);
            eprintln!("error: {msg}\n  = help: {hint}");
        }
        Error::Usage(m) => eprintln!("error: {m}"),
    }
}

fn run(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Command::Check { inputs } => {
            let p = leafpress::check(&inputs.paths())?;
            print_diagnostics(p.warnings());
            let jobs = leafpress::list(&p, &Filter::default())?;
            let langs = p.languages();
            println!(
                "ok: {}, {}, {} ({}), {} to build",
                count(p.audience_ids().count(), "audience"),
                count(p.layout_names().count(), "layout"),
                count(langs.len(), "language"),
                langs.join(", "),
                count(jobs.len(), "output")
            );
            Ok(0)
        }
        Command::List { inputs, filter } => {
            let p = leafpress::check(&inputs.paths())?;
            for j in leafpress::list(&p, &filter.filter())? {
                println!(
                    "{}\t{}\t{}\t{}",
                    j.audience,
                    j.language,
                    j.layout,
                    j.output.display()
                );
            }
            Ok(0)
        }
        Command::Init { dir } => {
            let files = leafpress::init(&dir)?;
            for f in &files {
                println!("created {}", f.display());
            }
            println!("next: cd {} && leafpress build", dir.display());
            Ok(0)
        }
        Command::Export {
            content,
            lang,
            output,
        } => {
            let written = leafpress::export(&content, &lang, &output)?;
            println!(
                "wrote  {} ({written} texts to translate into {lang})",
                output.display()
            );
            Ok(0)
        }
        Command::Import {
            file,
            content,
            lang,
        } => {
            for line in leafpress::import(&content, &file, lang.as_deref())? {
                println!("{line}");
            }
            Ok(0)
        }
        Command::MergeManifests { manifests, output } => {
            let n = leafpress::merge_manifests(&manifests, &output)?;
            println!(
                "wrote  {} ({} from {})",
                output.display(),
                count(n, "output"),
                count(manifests.len(), "manifest")
            );
            Ok(0)
        }
        Command::Build(args) => {
            on_interrupt();
            build(&args)
        }
        Command::Watch(args) => watch(&args),
    }
}

/// Ctrl-C: the first stops the batch after the outputs being written now; a
/// second stops at once (outputs are renamed into place whole, so none is half).
fn on_interrupt() {
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

fn build(args: &BuildArgs) -> Result<u8, Error> {
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
                    say(format!(
                        "wrote  {} ({pages}{} KB)",
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
    for (job, e) in &report.failed {
        for r in &e.reasons {
            eprintln!(
                "error: {} ({} / {}): {r}",
                job.output.display(),
                job.audience,
                job.layout
            );
        }
    }
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
fn watch(args: &BuildArgs) -> Result<u8, Error> {
    use notify::{RecursiveMode, Watcher};
    let report = |r: Result<u8, Error>| {
        if let Err(e) = r {
            report_error(&e, "the last good outputs stay");
        }
    };
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
