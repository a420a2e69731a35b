//! The leafpress command line: parses arguments, calls the library, prints
//! diagnostics and a summary, and sets the exit status (0 ok, 1 input or job
//! problems, 2 usage).

// glibc's allocator spent a quarter of a batch's time in malloc and free (many
// small glyph and PDF objects across threads); mimalloc takes a fraction of that.
// It backs its memory with transparent huge pages where the system allows them
// (see `limit_huge_pages`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;

use clap::{Args, Parser, Subcommand};
use leafpress::{Diagnostic, Error, Filter, Paths, count};
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
    /// Build and watch as `watch` does, and serve the review page on this
    /// machine: every open page updates itself when a rebuild ends, and shows
    /// a failed build's problems until they are fixed (Ctrl-C to stop).
    Serve {
        #[command(flatten)]
        build: BuildArgs,
        /// The port (0: any free one; the address is printed at start).
        #[arg(long, value_name = "PORT", default_value_t = 8470)]
        port: u16,
        /// The address to listen on; anything but 127.0.0.1 or ::1 makes the
        /// page visible to the network.
        #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
        host: String,
    },
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
        Command::Build(_) | Command::Watch(_) | Command::Serve { .. } => "nothing was built",
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

/// Prints why each of `failed` failed, a line per reason, naming its output.
fn print_job_errors(failed: &[(leafpress::Job, leafpress::JobError)]) {
    for (job, e) in failed {
        for r in &e.reasons {
            eprintln!(
                "error: {} ({} / {}): {r}",
                job.output.display(),
                job.audience,
                job.layout
            );
        }
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
            // Every output a build makes is made, in memory: what does not fit,
            // or lacks a translation, is found here with the build's words.
            let plan = leafpress::plan(&p, &Filter::default())?;
            let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
            let trial = leafpress::try_all(&p, &plan, workers, false)?;
            for (job, w) in &trial.warnings {
                eprintln!("warning: {}: {w}", job.output.display());
            }
            print_job_errors(&trial.failed);
            if !trial.failed.is_empty() {
                eprintln!(
                    "{} of {} would fail to build",
                    count(trial.failed.len(), "output"),
                    trial.jobs
                );
                return Ok(1);
            }
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
            let c = leafpress::export(&content, &lang, &output)?;
            println!(
                "wrote  {} ({} for {lang}: {} to translate, {} to check (the source changed since), {} done)",
                output.display(),
                count(c.new + c.stale + c.done, "text"),
                c.new,
                c.stale,
                c.done
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
            cli::on_interrupt();
            cli::build(&args)
        }
        Command::Watch(args) => cli::watch(&args),
        Command::Serve { build, port, host } => cli::serve::serve(&build, &host, port),
    }
}
