//! `leafpress watch` rebuilds what changed when an input is saved, keeps the last
//! good outputs when the new input is broken, and does not loop on its own output.

mod common;

use common::Project;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn wait_for(rx: &mpsc::Receiver<String>, needle: &str, secs: u64) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) {
            let hit = line.contains(needle);
            seen.push(line);
            if hit {
                return seen;
            }
        }
    }
    panic!(
        "`{needle}` not seen within {secs} s; saw:\n{}",
        seen.join("\n")
    );
}

#[test]
fn watch_rebuilds_on_save_and_keeps_good_outputs_on_broken_input() {
    let p = Project::shipped();
    let mut child = Command::new(env!("CARGO_BIN_EXE_leafpress"))
        .args([
            "watch",
            "--layout",
            "flyer",
            "--lang",
            "en",
            "--audience",
            "workforce",
            "--no-preview",
        ])
        .current_dir(p.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        wait_for(&rx, "watching", 60);
        let pdf = p.file("out/en/flyer-workforce.pdf");
        let first = std::fs::read(&pdf).unwrap();

        // A save changes the output.
        p.edit(
            "content/messages.yaml",
            "Commit to self-care,",
            "Commit to self-care and rest,",
        );
        let saved = Instant::now();
        wait_for(&rx, "rebuilt in", 30);
        let second = std::fs::read(&pdf).unwrap();
        assert_ne!(first, second, "the flyer was rebuilt");
        eprintln!(
            "save to updated files: {:.2} s",
            saved.elapsed().as_secs_f64()
        );
        assert!(common::pdf_text(&pdf).contains("Commit to self-care and rest,"));

        // A broken save is reported, and the last good flyer stays.
        p.edit("content/messages.yaml", "language: en", "language: [en");
        let lines = wait_for(&rx, "rebuilt in", 30);
        // The error goes to stderr, read by another thread: it may arrive after.
        if !lines.iter().any(|l| l.contains("error:")) {
            wait_for(&rx, "error:", 10);
        }
        assert_eq!(
            std::fs::read(&pdf).unwrap(),
            second,
            "the good output is kept"
        );

        // Its own output does not set it off again: nothing more happens.
        std::thread::sleep(Duration::from_millis(800));
        assert!(
            rx.try_iter().all(|l| !l.contains("change seen")),
            "rebuilt without a save"
        );
    }));
    let _ = child.kill();
    let _ = child.wait();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}
