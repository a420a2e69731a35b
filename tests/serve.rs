//! `leafpress serve`: the review page over HTTP, live after each rebuild, a
//! failed build's problems on it, nothing served from outside the output
//! folder, and a clean stop on Ctrl-C.

mod common;

use common::Project;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running `leafpress serve` and the address it printed.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(p: &Project, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_leafpress"))
            .arg("serve")
            .args(["--port", "0", "--lang", "en"])
            .args(args)
            .current_dir(p.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let line = rx
            .iter()
            .find(|l| l.starts_with("review page: "))
            .expect("serve prints its address");
        let addr = line
            .trim_start_matches("review page: http://")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        let s = Server { child, addr };
        s.wait_for(|st| st["generation"].as_u64() >= Some(1));
        s
    }

    /// A raw GET (or another method): the status code and the body. Raw, so
    /// that paths reach the server exactly as written (`..` and all).
    fn request(&self, method: &str, path: &str) -> (u16, Vec<u8>) {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let head_end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&raw[..head_end]).to_string();
        let code = head.split(' ').nth(1).unwrap().parse().unwrap();
        let mut body = raw[head_end + 4..].to_vec();
        if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            body = dechunk(&body);
        }
        (code, body)
    }

    fn get(&self, path: &str) -> (u16, Vec<u8>) {
        self.request("GET", path)
    }

    fn status(&self) -> serde_json::Value {
        let (code, body) = self.get("/status.json");
        assert_eq!(code, 200);
        serde_json::from_slice(&body).unwrap()
    }

    /// Waits (up to 3 minutes: a debug build of a thousand flyers) until the
    /// status satisfies `ok`.
    fn wait_for(&self, ok: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        let start = Instant::now();
        loop {
            let st = self.status();
            if ok(&st) {
                return st;
            }
            assert!(start.elapsed() < Duration::from_secs(180), "timed out");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Ctrl-C, and how long the server took to stop.
    fn interrupt(mut self) -> (Duration, std::process::ExitStatus) {
        let start = Instant::now();
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGINT);
        }
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (start.elapsed(), status);
            }
            assert!(start.elapsed() < Duration::from_secs(10), "still running");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let n = usize::from_str_radix(std::str::from_utf8(&b[..eol]).unwrap().trim(), 16).unwrap();
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + n]);
        b = &b[eol + 4 + n..];
    }
}

#[test]
fn the_page_and_the_outputs_are_served_and_nothing_else() {
    let p = Project::shipped();
    std::fs::create_dir_all(p.file("out")).unwrap();
    std::os::unix::fs::symlink(p.file("content"), p.file("out/content-link")).unwrap();
    let s = Server::start(&p, &[]);
    let (code, page) = s.get("/");
    assert_eq!(code, 200);
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("<main id=\"sheet\">") && page.contains("EventSource"));
    let (code, png) = s.get("/en/leaflet-workforce.p1.png");
    assert_eq!(code, 200);
    assert!(png.starts_with(b"\x89PNG"));
    assert_eq!(s.get("/en/leaflet-workforce.pdf").1[..5], *b"%PDF-");
    // Outside the output folder: never, however it is asked for.
    for path in [
        "/../content/messages.yaml",
        "/en/../../content/messages.yaml",
        "/%2e%2e/content/messages.yaml",
        "/%2E%2E%2Fcontent%2Fmessages.yaml",
        "/en/%2e%2e/%2e%2e/content/messages.yaml",
        "/..%5ccontent%5cmessages.yaml",
        "/content-link/messages.yaml",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/en",
        "/nothing-here.png",
        "/%ff",
    ] {
        let (code, body) = s.get(path);
        assert_eq!(code, 404, "{path}");
        assert!(
            !String::from_utf8_lossy(&body).contains("audiences"),
            "{path}"
        );
    }
    // Nothing writes: other methods are refused.
    for method in ["POST", "PUT", "DELETE"] {
        assert_eq!(s.request(method, "/index.html").0, 405, "{method}");
    }
    // Ctrl-C stops it at once, leaving no half-written file behind.
    let (took, _) = s.interrupt();
    assert!(took < Duration::from_secs(2), "{took:?}");
    let stray = walk(&p.file("out"))
        .into_iter()
        .filter(|f| {
            let name = f.file_name().unwrap().to_string_lossy().to_string();
            name.starts_with('.') || name.ends_with(".tmp")
        })
        .count();
    assert_eq!(stray, 0, "{:?}", walk(&p.file("out")));
}

#[test]
fn an_open_page_hears_of_each_rebuild_and_of_a_failed_one_until_it_is_fixed() {
    let p = Project::shipped();
    let s = Server::start(&p, &[]);
    // A page's event stream: the state at once.
    let mut events = TcpStream::connect(&s.addr).unwrap();
    write!(events, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    events
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut events = BufReader::new(events);
    let mut next_event = || -> serde_json::Value {
        let mut line = String::new();
        loop {
            line.clear();
            events.read_line(&mut line).unwrap();
            if let Some(data) = line.strip_prefix("data: ") {
                return serde_json::from_str(data).unwrap();
            }
        }
    };
    let first = next_event();
    assert_eq!(first["generation"], 1);
    assert!(first["problems"].is_null());
    let before = s.get("/en/flyer-workforce.p1.png").1;

    // The author saves a message: the stream says so when the rebuild ends,
    // and the preview is the new one.
    let saved = Instant::now();
    p.edit(
        "content/messages.yaml",
        "Commit to self-care",
        "Commit, every week, to self-care",
    );
    let second = next_event();
    eprintln!("rebuild announced {:?} after the save", saved.elapsed());
    assert_eq!(second["generation"], 2);
    assert!(second["problems"].is_null());
    assert_ne!(s.get("/en/flyer-workforce.p1.png").1, before);

    // A mistake: the problems (file, line, the line itself, the hint) arrive,
    // and the last good outputs stay.
    let good = s.get("/en/flyer-workforce.p1.png").1;
    p.edit(
        "content/messages.yaml",
        "Commit, every week, to self-care",
        "Commit, every week, to self-care\n  oops: [",
    );
    let third = next_event();
    let problems = third["problems"].as_str().expect("problems");
    assert!(problems.contains("messages.yaml:"), "{problems}");
    assert!(
        problems.contains("help:") || problems.contains("= help"),
        "{problems}"
    );
    assert_eq!(s.get("/en/flyer-workforce.p1.png").1, good);
    // Fixed: the banner's problems go.
    p.edit("content/messages.yaml", "\n  oops: [", "");
    let fourth = next_event();
    assert!(fourth["problems"].is_null(), "{fourth}");
}

#[test]
fn a_host_other_than_loopback_is_warned_about() {
    let p = Project::shipped();
    let mut child = Command::new(env!("CARGO_BIN_EXE_leafpress"))
        .args(["serve", "--port", "0", "--host", "0.0.0.0", "--lang", "en"])
        .current_dir(p.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        line.contains("warning: serving on 0.0.0.0: anyone on the network"),
        "{line}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
        let path = e.path();
        if e.file_type().unwrap().is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn a_reviewers_browser_sees_every_output_and_the_page_follows_each_save() {
    let p = Project::shipped();
    let s = Server::start(&p, &["--lang", "fr"]);
    let m: leafpress::Manifest = serde_json::from_str(&p.read("out/manifest.json")).unwrap();
    let shot = p.file("review.png");
    let axe = common::repo().join("target/test-tools/node_modules/axe-core/axe.min.js");
    let seen = common::tool(
        "python3",
        &[
            common::repo()
                .join("tests/tools/review_page.py")
                .to_str()
                .unwrap(),
            &format!("http://{}/", s.addr),
            p.path().to_str().unwrap(),
            axe.to_str().unwrap(),
            shot.to_str().unwrap(),
        ],
    );
    eprintln!("{seen}");
    let seen: serde_json::Value = serde_json::from_str(seen.trim()).unwrap();
    // A card for every output, every picture described.
    assert_eq!(seen["cards"].as_u64(), Some(m.outputs.len() as u64));
    assert_eq!(seen["images_without_alt"], 0);
    // Everything from the keyboard: the filters, then the pages.
    assert_eq!(
        seen["tab_order"],
        serde_json::json!(["f-audience", "f-language", "f-layout", "f-text", "a"]),
        "{seen}"
    );
    assert!(seen["keyboard_filter_hidden"].as_u64() > Some(0), "{seen}");
    // English and French side by side.
    let sbs = &seen["side_by_side"];
    assert_eq!(sbs["en_top"], sbs["fr_top"], "{sbs}");
    assert!(sbs["fr_left"].as_f64() > sbs["en_right"].as_f64(), "{sbs}");
    assert!(sbs["width"].as_f64().unwrap() >= 400.0, "{sbs}");
    // Filtering by language shows that language alone; a search finds the
    // audience by its name.
    assert_eq!(seen["french_only"]["languages"], serde_json::json!(["fr"]));
    assert_eq!(
        seen["french_only"]["shown"].as_u64(),
        Some(m.outputs.len() as u64 / 2)
    );
    assert_eq!(seen["search_media"], serde_json::json!(["media-public"]));
    // …and words inside a message, in the language they are written in; each
    // word may be in a different text of the card.
    assert_eq!(
        seen["search_english_words"],
        serde_json::json!(["workforce en"]),
        "{seen}"
    );
    assert_eq!(
        seen["search_french_words"],
        serde_json::json!(["workforce fr"]),
        "{seen}"
    );
    assert_eq!(
        seen["search_two_places"],
        serde_json::json!(["workforce fr"]),
        "{seen}"
    );
    // The author's save shows on the open page within 2 s, with no reload.
    assert!(seen["update_seconds"].as_f64().unwrap() < 2.0, "{seen}");
    assert_eq!(seen["reloaded"], false);
    assert_eq!(
        seen["search_after_save"],
        serde_json::json!(["workforce en"]),
        "{seen}"
    );
    // A mistake shows as a banner naming the file and line, and goes when fixed.
    assert!(
        seen["banner"].as_str().unwrap().contains("messages.yaml:"),
        "{seen}"
    );
    assert!(seen["banner_gone_seconds"].as_f64().unwrap() < 5.0);
    // No console errors; no serious or critical accessibility violation.
    assert_eq!(seen["console"], serde_json::json!([]), "{seen}");
    let bad: Vec<&serde_json::Value> = seen["axe"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .collect();
    assert!(bad.is_empty(), "{bad:?}");
    assert!(std::fs::metadata(&shot).unwrap().len() > 10_000);
    // Pages load as they come into view, not all at once.
    assert!(
        seen["pages_loaded"].as_u64() < seen["pages"].as_u64(),
        "{seen}"
    );
    // Kept for people to look at (the README's picture is made from it).
    let _ = std::fs::copy(&shot, common::repo().join("target/review-page.png"));
}

#[test]
fn a_thousand_audiences_load_fast_and_stay_usable() {
    let p = Project::shipped();
    std::fs::remove_dir_all(p.file("content/translations")).unwrap();
    let mut text = p.read("content/messages.yaml");
    for i in 0..997 {
        text.push_str(&format!(
            "  - id: gen-{i}\n    name: Audience {i}\n    heading: Messages to audience {i}\n    messages:\n      - id: m-{i}\n        text: Message for audience {i}, the social service workforce is critical.\n"
        ));
    }
    p.write("content/messages.yaml", &text);
    // The flyers of 1,000 audiences: a page of 1,000 cards.
    let s = Server::start(&p, &["--layout", "flyer"]);
    assert!(s.status()["problems"].is_null(), "{}", s.status());
    let seen = common::tool(
        "python3",
        &[
            common::repo()
                .join("tests/tools/big_page.py")
                .to_str()
                .unwrap(),
            &format!("http://{}/", s.addr),
        ],
    );
    eprintln!("{seen}");
    let seen: serde_json::Value = serde_json::from_str(seen.trim()).unwrap();
    assert_eq!(seen["cards"], 1000);
    // It opens in under 3 s, fetching only the pictures near the view…
    assert!(seen["load_seconds"].as_f64().unwrap() < 3.0, "{seen}");
    assert!(seen["fetched"].as_u64().unwrap() < 50, "{seen}");
    // …a search answers at once, and a page far down loads when scrolled to.
    assert!(seen["search_seconds"].as_f64().unwrap() < 0.5, "{seen}");
    assert_eq!(seen["search_found"], serde_json::json!(["gen-777"]));
    // Words inside one message find its audience, the texts loaded with it.
    assert_eq!(seen["text_search_found"], serde_json::json!(["gen-777"]));
    assert!(
        seen["text_search_seconds"].as_f64().unwrap() < 1.0,
        "{seen}"
    );
    assert_eq!(seen["last_loaded"], true);
}
