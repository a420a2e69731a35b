//! A mutational fuzzer for loading and validation, on the stable toolchain.
//!
//!     cargo run --release --example fuzz_load -- SECONDS
//!
//! It takes the files in `fuzz/corpus/` (a content file, layouts, a brand, a
//! translation), mutates one (byte flips, insertions, deletions, duplicated
//! spans, YAML tokens, splices from other files), puts it in a copy of the
//! shipped project and runs the whole check (`leafpress::check`: parsing,
//! cross-file validation, fonts). A panic is a bug: the input is saved to
//! `fuzz/crashes/` and the run fails. The corpus is kept in the repository.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const TOKENS: &[&str] = &[
    ": ",
    "- ",
    "\n",
    "  ",
    "\t",
    "{",
    "}",
    "[",
    "]",
    "&a ",
    "*a",
    "!!str ",
    "'",
    "\"",
    "#",
    "---\n",
    "...\n",
    "|\n",
    ">-\n",
    "id: x",
    "text: ",
    "style: ",
    "colour: primry",
    "size: 3 mmm",
    "cmyk: [0, 0, 0, 200]",
    "rgb: \"#12\"",
    "show: messages",
    "flow: nope",
    "x: -5mm",
    "width: 0mm",
    "\u{200B}",
    "\u{0007}",
    "é",
    "💥",
    "9999999999999999999999",
    "-1",
    "1e999",
    "null",
    "~",
];

fn mutate(rng: &mut Rng, data: &[u8], others: &[Vec<u8>]) -> Vec<u8> {
    let mut d = data.to_vec();
    for _ in 0..1 + rng.below(6) {
        let len = d.len();
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                d[i] ^= 1 << rng.below(8);
            }
            1 => {
                let i = rng.below(len + 1);
                d.insert(i, rng.next() as u8);
            }
            2 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below(64.min(len - i));
                d.drain(i..i + n);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below(200.min(len - i));
                let span = d[i..i + n].to_vec();
                let at = rng.below(d.len() + 1);
                d.splice(at..at, span);
            }
            4 => {
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                let at = rng.below(len + 1);
                d.splice(at..at, t.iter().copied());
            }
            5 if !others.is_empty() => {
                let o = &others[rng.below(others.len())];
                if !o.is_empty() {
                    let i = rng.below(o.len());
                    let n = 1 + rng.below(300.min(o.len() - i));
                    let at = rng.below(len + 1);
                    d.splice(at..at, o[i..i + n].iter().copied());
                }
            }
            _ => {
                // Repeat a line: duplicate keys, deeper nesting.
                if let Some(nl) = d.iter().position(|&b| b == b'\n') {
                    let line = d[..=nl].to_vec();
                    let at = rng.below(d.len() + 1);
                    d.splice(at..at, line);
                }
            }
        }
    }
    d
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn main() {
    let secs: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut corpus: Vec<(String, Vec<u8>)> = std::fs::read_dir(root.join("fuzz/corpus"))
        .unwrap()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    corpus.sort();
    let all: Vec<Vec<u8>> = corpus.iter().map(|(_, d)| d.clone()).collect();
    let work = std::env::temp_dir().join(format!("leafpress-fuzz-{}", std::process::id()));
    for sub in ["content", "layouts", "fonts"] {
        copy_dir(&root.join(sub), &work.join(sub));
    }
    let paths = leafpress::Paths {
        content: work.join("content"),
        layouts: work.join("layouts"),
        fonts: work.join("fonts"),
    };
    // Quiet the default panic message: a panic is caught and reported below.
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ secs);
    let start = Instant::now();
    let (mut runs, mut rejected) = (0u64, 0u64);
    while start.elapsed() < Duration::from_secs(secs) {
        let (name, seed) = &corpus[rng.below(corpus.len())];
        let target = match name.split('-').next().unwrap_or("") {
            "content" => paths.content.join("messages.yaml"),
            "layout" => paths.layouts.join("leaflet.yaml"),
            "brand.yaml" => paths.layouts.join("brand.yaml"),
            "translation" => paths.content.join("translations/fr.yaml"),
            _ => paths.content.join("messages.yaml"),
        };
        let original = std::fs::read(&target).unwrap();
        let input = mutate(&mut rng, seed, &all);
        std::fs::write(&target, &input).unwrap();
        // Kept on disk while it runs: if the process dies (out of memory, say),
        // the input that killed it is here.
        std::fs::write(
            std::env::temp_dir().join(format!("leafpress-fuzz-last-{name}")),
            &input,
        )
        .unwrap();
        let result = std::panic::catch_unwind(|| {
            if let Ok(p) = leafpress::check(&paths) {
                let _ = leafpress::list(&p, &leafpress::Filter::default());
                true
            } else {
                false
            }
        });
        std::fs::write(&target, original).unwrap();
        runs += 1;
        match result {
            Ok(true) => {}
            Ok(false) => rejected += 1,
            Err(_) => {
                let dir = root.join("fuzz/crashes");
                std::fs::create_dir_all(&dir).unwrap();
                let out = dir.join(format!("crash-{runs}-{name}"));
                std::fs::write(&out, &input).unwrap();
                let _ = std::fs::remove_dir_all(&work);
                eprintln!("PANIC on input saved to {}", out.display());
                std::process::exit(1);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    println!(
        "fuzz_load: {runs} executions in {:.0} s ({:.0}/s), {rejected} rejected with a diagnostic, no panic",
        start.elapsed().as_secs_f64(),
        runs as f64 / start.elapsed().as_secs_f64()
    );
}
