//! Crash safety: a build killed at any moment leaves only whole files (and a
//! manifest that matches them); Ctrl-C stops cleanly.

mod common;

use common::Project;
use sha2::{Digest, Sha256};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The shipped project with `n` more audiences (copies of the workforce one),
/// English only, so a build takes a while.
fn big(n: usize) -> Project {
    let p = Project::shipped();
    std::fs::remove_dir_all(p.file("content/translations")).unwrap();
    let c = p.read("content/messages.yaml");
    let at = c.find("  - id: workforce").unwrap();
    let block = c[at..].to_string();
    let mut out = c.clone();
    for i in 0..n {
        let mut b = block.replacen("id: workforce", &format!("id: extra-{i}"), 1);
        for id in [
            "self-care",
            "identify-register",
            "solidarity",
            "convene-advocacy",
        ] {
            b = b.replacen(&format!("id: {id}"), &format!("id: {id}-{i}"), 1);
        }
        out.push('\n');
        out.push_str(&b);
    }
    p.write("content/messages.yaml", &out);
    p
}

/// Every file in the output folder is whole: PDFs parse, DOCX files are zips with
/// a document, PNGs decode; the manifest, if there, matches the files it lists.
fn all_whole(p: &Project) -> usize {
    let mut n = 0;
    let Ok(langs) = std::fs::read_dir(p.file("out")) else {
        return 0;
    };
    for lang in langs.flatten().filter(|e| e.path().is_dir()) {
        for f in std::fs::read_dir(lang.path()).unwrap().flatten() {
            let path = f.path();
            let name = f.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') && name.ends_with(".tmp") {
                continue; // a killed build's temporary file: never a real output
            }
            let bytes = std::fs::read(&path).unwrap();
            match path.extension().and_then(|e| e.to_str()) {
                Some("pdf") => {
                    lopdf::Document::load_mem(&bytes)
                        .unwrap_or_else(|e| panic!("{name} is not a whole PDF: {e}"));
                    assert!(
                        bytes.ends_with(b"%%EOF\n") || bytes.ends_with(b"%%EOF"),
                        "{name} is cut short"
                    );
                }
                Some("docx") => {
                    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&bytes))
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                    z.by_name("word/document.xml").unwrap();
                }
                Some("png") => {
                    let mut r = png::Decoder::new(std::io::Cursor::new(&bytes))
                        .read_info()
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                    let mut buf = vec![0; r.output_buffer_size().unwrap()];
                    r.next_frame(&mut buf)
                        .unwrap_or_else(|e| panic!("{name} is cut short: {e}"));
                }
                _ => panic!("unexpected file {name}"),
            }
            n += 1;
        }
    }
    if let Ok(m) = std::fs::read(p.file("out/manifest.json")) {
        let m: leafpress::Manifest =
            serde_json::from_slice(&m).expect("the manifest is whole JSON");
        for r in &m.outputs {
            let bytes = std::fs::read(p.file("out").join(&r.path))
                .unwrap_or_else(|_| panic!("manifest lists missing {}", r.path));
            let sha: String = Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(sha, r.sha256, "manifest does not match {}", r.path);
        }
    }
    n
}

#[test]
fn killing_a_build_at_random_moments_never_leaves_a_broken_file() {
    let p = big(12);
    // Kill at random moments within one build's duration, however fast the
    // build (a debug or a release binary) is on this machine.
    // Timed on a rebuild, as every build below is (a first build creates its
    // files, and costs a different time).
    p.run(&["build", "--quiet"]).ok();
    let start = std::time::Instant::now();
    p.run(&["build", "--force", "--quiet"]).ok();
    let whole = start.elapsed().as_micros() as u64;
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut kills = 0;
    for _ in 0..25 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let wait = whole * (5 + seed % 85) / 100;
        let mut child = Command::new(env!("CARGO_BIN_EXE_leafpress"))
            .args(["build", "--force", "--quiet"])
            .current_dir(p.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(wait));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        child.wait().unwrap();
        all_whole(&p);
    }
    assert!(
        kills >= 15,
        "only {kills} builds were still running when killed"
    );
    // The next build finishes the work and clears what the killed ones left.
    p.run(&["build", "--quiet"]).ok();
    let n = all_whole(&p);
    // 15 audiences × (leaflet, flyer, handout), × 3 preview pages of the
    // PDFs (2 + 1) and × 2 of the handout (its picture makes two pages).
    assert_eq!(n, 15 * 3 + 15 * 3 + 15 * 2, "every output and preview");
    for lang in std::fs::read_dir(p.file("out"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
    {
        for f in std::fs::read_dir(lang.path()).unwrap().flatten() {
            assert!(
                !f.file_name().to_string_lossy().ends_with(".tmp"),
                "left {:?}",
                f.file_name()
            );
        }
    }
}

#[test]
fn ctrl_c_stops_cleanly_with_a_message() {
    let p = big(20);
    let child = Command::new(env!("CARGO_BIN_EXE_leafpress"))
        .args(["build"])
        .current_dir(p.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt once the first outputs are written (however busy the machine is).
    let first = p.file("out/en/flyer-donors-government.pdf");
    for _ in 0..600 {
        if first.exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // SAFETY: kill only sends a signal to our own child.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("stopping: finishing the outputs being written now"),
        "{stderr}"
    );
    assert!(
        stderr.contains("interrupted: ") && stderr.contains("Run the build again to finish"),
        "{stderr}"
    );
    all_whole(&p);
    let m: leafpress::Manifest = serde_json::from_str(&p.read("out/manifest.json")).unwrap();
    assert!(
        !m.outputs.is_empty() && m.outputs.len() < 21 * 3,
        "{} outputs listed",
        m.outputs.len()
    );
}
