//! Batch benchmarks. Run with `cargo bench --bench batch` (it builds the release
//! binary first, as cargo bench does). Prints medians; see benches/README.md.
//!
//! - the shipped batch, end to end as a process (all audiences × layouts ×
//!   languages, outputs written);
//! - one PDF job and one DOCX job, in-process;
//! - a generated 1,000-audience content × all layouts: outputs per second;
//! - peak memory (max RSS) of the process for 100, 1,000 and 10,000 audiences.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn binary() -> PathBuf {
    // cargo bench builds the bin target in the release profile beside the bench.
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let bin = dir.join("leafpress");
    if !bin.exists() {
        let ok = Command::new("cargo")
            .args(["build", "--release", "--bin", "leafpress"])
            .current_dir(root())
            .status()
            .unwrap();
        assert!(ok.success());
    }
    bin
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Copies layouts and fonts, and writes a content of `n` audiences, each with
/// an intro and three messages (no translations).
fn generated(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["layouts", "fonts"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        for e in std::fs::read_dir(root().join(sub)).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), dir.path().join(sub).join(e.file_name())).unwrap();
        }
    }
    let shipped = std::fs::read_to_string(root().join("content/messages.yaml")).unwrap();
    let head = &shipped[..shipped.find("audiences:").unwrap()];
    let mut y = String::with_capacity(n * 900);
    y.push_str(head);
    y.push_str("audiences:\n");
    for i in 0..n {
        y.push_str(&format!(
            "  - id: audience-{i}\n    name: Audience number {i}\n    heading: Messages to audience number {i} and its partners\n    intro: >-\n      Members of audience {i} work with children, youth, adults, older persons, families and communities to ensure healthy development and well-being.\n    messages:\n"
        ));
        for m in 0..3 {
            y.push_str(&format!(
                "      - id: m-{i}-{m}\n        text: >-\n          Message {m} for audience {i}: the social service workforce is critical to achieving the Sustainable Development Goals, keeping families together and supporting children on the move.\n"
            ));
        }
    }
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    std::fs::write(dir.path().join("content/messages.yaml"), y).unwrap();
    dir
}

/// Runs leafpress in `dir`; returns (seconds, peak RSS in MB).
fn run(dir: &Path, args: &[&str]) -> (f64, f64) {
    let start = Instant::now();
    let mut child = Command::new(binary())
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // wait4 gives the child's own peak resident set size.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(r, pid);
    let _ = child.try_wait();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "leafpress {args:?} failed"
    );
    (secs, usage.ru_maxrss as f64 / 1024.0)
}

fn main() {
    let only = std::env::args().nth(1).filter(|a| !a.starts_with('-'));
    let want = |name: &str| only.as_deref().is_none_or(|o| name.contains(o));

    if want("shipped") {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["content", "layouts", "fonts"] {
            copy_dir(&root().join(sub), &dir.path().join(sub));
        }
        run(dir.path(), &["build", "--force", "--quiet"]); // warm the page cache
        let times: Vec<f64> = (0..15)
            .map(|_| run(dir.path(), &["build", "--force", "--quiet"]).0)
            .collect();
        let up: Vec<f64> = (0..15)
            .map(|_| run(dir.path(), &["build", "--quiet"]).0)
            .collect();
        // The first build, into an empty output folder (the README's command
        // on a fresh clone): no earlier files to replace.
        let fresh: Vec<f64> = (0..15)
            .map(|_| {
                std::fs::remove_dir_all(dir.path().join("out")).unwrap();
                run(dir.path(), &["build", "--quiet"]).0
            })
            .collect();
        println!(
            "batch/shipped: {:.1} ms median process start to exit (the shipped outputs, rebuilt with --force); {:.1} ms into an empty output folder; {:.1} ms when all are up to date",
            median(times) * 1e3,
            median(fresh) * 1e3,
            median(up) * 1e3
        );
    }

    if want("job") {
        let p = leafpress::check(&leafpress::Paths {
            content: root().join("content"),
            layouts: root().join("layouts"),
            fonts: root().join("fonts"),
        })
        .unwrap();
        let jobs = leafpress::list(
            &p,
            &leafpress::Filter {
                audiences: vec!["workforce".into()],
                languages: vec!["en".into()],
                ..Default::default()
            },
        )
        .unwrap();
        for layout in ["leaflet", "handout"] {
            let job = jobs.iter().find(|j| j.layout == layout).unwrap();
            let opts = leafpress::MakeOptions {
                epoch: 0,
                ..Default::default()
            };
            let mut times = Vec::new();
            for _ in 0..31 {
                let t = Instant::now();
                let made = leafpress::make(&p, job, &opts).ok().unwrap();
                std::hint::black_box(made.rendered.file.bytes.len());
                times.push(t.elapsed().as_secs_f64());
            }
            println!(
                "batch/one {layout} job ({}): {:.2} ms median, in-process",
                job.format.extension(),
                median(times) * 1e3
            );
        }
    }

    if want("thousand") {
        let dir = generated(1000);
        run(dir.path(), &["build", "--quiet", "--layout", "handout"]); // warm
        for (what, extra) in [
            ("with previews", None),
            ("--no-preview", Some("--no-preview")),
        ] {
            let mut rates = Vec::new();
            let mut mem = Vec::new();
            let mut args = vec!["build", "--force", "--quiet"];
            args.extend(extra);
            // Five rebuilds: a batch writes about a gigabyte, so the disk's
            // moods show; the range says how much.
            for _ in 0..5 {
                let (s, m) = run(dir.path(), &args);
                rates.push(3000.0 / s);
                mem.push(m);
            }
            // Every file the batch writes: outputs, their previews, the manifest
            // and the contact sheet.
            let files = files_written(&dir.path().join("out"));
            let (lo, hi) = rates
                .iter()
                .fold((f64::MAX, 0.0f64), |(lo, hi), &r| (lo.min(r), hi.max(r)));
            let rate = median(rates);
            println!(
                "batch/1000 audiences × 3 layouts (print, {what}): {rate:.0} outputs/s median of 5 (range {lo:.0}-{hi:.0}; {files} files written, {:.0} files/s), peak {:.0} MB",
                rate * files as f64 / 3000.0,
                median(mem)
            );
        }
    }

    if want("memory") {
        for n in [100, 1000, 10000] {
            let dir = generated(n);
            for (what, extra) in [
                ("with previews", None),
                ("--no-preview", Some("--no-preview")),
            ] {
                let mut args = vec!["build", "--force", "--quiet"];
                args.extend(extra);
                let (s, m) = run(dir.path(), &args);
                println!(
                    "batch/memory {n} audiences × 3 layouts (print, {what}): peak {m:.0} MB, {s:.1} s, {:.0} outputs/s",
                    (n * 3) as f64 / s
                );
            }
        }
    }
}

/// The files a build wrote, from its manifest: outputs and their previews, plus
/// the manifest and the contact sheet.
fn files_written(out: &Path) -> usize {
    let m: leafpress::Manifest =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    m.outputs
        .iter()
        .map(|r| 1 + r.previews.len())
        .sum::<usize>()
        + 2
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}
