//! `leafpress serve`: `watch`, with the contact sheet served over HTTP
//! (tiny_http) so that every open page updates itself when a rebuild ends
//! (server-sent events on `/events`) and shows the last build's problems.
//! Only files under the output folder are served; nothing is ever written.

use super::{BuildArgs, report_error};
use leafpress::Error;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// What the page is told: how many builds have ended, and the last one's
/// problems (as printed: file, line, the YAML line, the hint), if it failed.
#[derive(Default, Clone)]
struct Live {
    generation: u64,
    problems: Option<String>,
}

type Shared = Arc<(Mutex<Live>, Condvar)>;

impl Live {
    fn json(&self) -> String {
        serde_json::json!({ "generation": self.generation, "problems": self.problems }).to_string()
    }
}

pub(crate) fn serve(args: &BuildArgs, host: &str, port: u16) -> Result<u8, Error> {
    let server = tiny_http::Server::http((host, port)).map_err(|e| {
        Error::Usage(format!(
            "cannot serve on {host}:{port}: {e}; give another port with --port"
        ))
    })?;
    let addr = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| Error::Usage("the server has no IP address".into()))?;
    if !addr.ip().is_loopback() {
        eprintln!(
            "warning: serving on {host}: anyone on the network who can reach this machine sees the review page and the outputs"
        );
    }
    println!(
        "review page: http://{}/ (Ctrl-C to stop)",
        if addr.ip().is_unspecified() {
            format!("127.0.0.1:{}", addr.port())
        } else {
            addr.to_string()
        }
    );
    std::fs::create_dir_all(&args.out).map_err(|e| Error::Io {
        path: args.out.clone(),
        source: e,
    })?;
    let out = std::fs::canonicalize(&args.out).map_err(|e| Error::Io {
        path: args.out.clone(),
        source: e,
    })?;
    let live: Shared = Default::default();
    {
        let live = live.clone();
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                let (out, live) = (out.clone(), live.clone());
                // An event stream holds its thread for as long as the page is open.
                std::thread::spawn(move || respond(request, &out, &live));
            }
        });
    }
    super::watch_with(args, |r| {
        let problems = match r {
            Ok(_) => None,
            Err(e) => {
                report_error(e, "the last good outputs stay");
                Some(problems(e))
            }
        };
        let (lock, changed) = &*live;
        let mut l = lock.lock().unwrap_or_else(|p| p.into_inner());
        l.generation += 1;
        l.problems = problems;
        changed.notify_all();
    })
}

/// The problems of a failed build as the terminal shows them.
fn problems(e: &Error) -> String {
    match e {
        Error::Input(diags) | Error::Arguments(diags) => {
            diags.iter().map(|d| d.render()).collect::<String>()
        }
        other => other.to_string(),
    }
}

fn respond(request: tiny_http::Request, out: &Path, live: &Shared) {
    let header = |k: &str, v: &str| tiny_http::Header::from_bytes(k, v).expect("valid header");
    let not_found = || tiny_http::Response::from_string("not found").with_status_code(404);
    if !matches!(
        request.method(),
        tiny_http::Method::Get | tiny_http::Method::Head
    ) {
        let _ = request.respond(tiny_http::Response::from_string("only GET").with_status_code(405));
        return;
    }
    let url = request.url().to_string();
    let path = url.split(['?', '#']).next().unwrap_or("");
    match path {
        "/events" => events(request, live),
        "/status.json" => {
            let body = live.0.lock().unwrap_or_else(|p| p.into_inner()).json();
            let _ = request.respond(
                tiny_http::Response::from_string(body)
                    .with_header(header("Content-Type", "application/json"))
                    .with_header(header("Cache-Control", "no-store")),
            );
        }
        _ => match file_under(out, path) {
            Some(file) => match std::fs::File::open(&file) {
                Ok(f) => {
                    let _ = request.respond(
                        tiny_http::Response::from_file(f)
                            .with_header(header("Content-Type", content_type(&file)))
                            .with_header(header("Cache-Control", "no-cache")),
                    );
                }
                Err(_) => {
                    let _ = request.respond(not_found());
                }
            },
            None => {
                let _ = request.respond(not_found());
            }
        },
    }
}

/// The file a request path names inside `out` (`/` is the contact sheet),
/// or none: a path that climbs out (`..`, also percent-encoded), names a
/// folder, or leads out through a link.
fn file_under(out: &Path, path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(path)?;
    let rel = decoded.strip_prefix('/')?;
    let rel = if rel.is_empty() { "index.html" } else { rel };
    if rel
        .split('/')
        .any(|seg| seg.is_empty() || seg == "." || seg == ".." || seg.contains('\\'))
    {
        return None;
    }
    let file = std::fs::canonicalize(out.join(rel)).ok()?;
    (file.starts_with(out) && file.is_file()).then_some(file)
}

/// `%XX` escapes decoded; none for a malformed escape or text that is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("png") => "image/png",
        Some("pdf") => "application/pdf",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("json") => "application/json",
        Some("xlf" | "xliff") => "application/xliff+xml",
        _ => "application/octet-stream",
    }
}

/// The event stream: the state at once, then each time a build ends, and a
/// comment every 15 s so the browser keeps the connection; until the page
/// goes. tiny_http would hold a streamed body back in 8 KB chunks, so the
/// stream is written to the connection itself, each event flushed.
fn events(request: tiny_http::Request, live: &Shared) {
    let mut w = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
    if w.write_all(head.as_bytes()).is_err() {
        return;
    }
    let (lock, changed) = &**live;
    let mut seen: Option<u64> = None;
    loop {
        let text = {
            let mut l = lock.lock().unwrap_or_else(|p| p.into_inner());
            if seen == Some(l.generation) {
                let (g, _) = changed
                    .wait_timeout_while(l, Duration::from_secs(15), |l| seen == Some(l.generation))
                    .unwrap_or_else(|p| p.into_inner());
                l = g;
            }
            if seen == Some(l.generation) {
                ": still here\n\n".to_string()
            } else {
                seen = Some(l.generation);
                format!("event: build\ndata: {}\n\n", l.json())
            }
        };
        if w.write_all(text.as_bytes())
            .and_then(|_| w.flush())
            .is_err()
        {
            return;
        }
    }
}
