//! The contact sheet: `out/index.html`, a page showing every output of the
//! manifest as thumbnails grouped by language and audience. It works opened
//! from disk: no server, no network. Served by `leafpress serve`, its script
//! follows each rebuild and shows a failed build's problems.

use crate::manifest::{OutputRow, Status};

use crate::text::escape_xml as esc;

/// A link to a file beside the page (path segments URL-escaped).
fn href(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            seg.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("/")
}

const DOCX_ICON: &str = r##"<svg class="icon" viewBox="0 0 64 80" role="img" aria-label="Word document"><path d="M4 2h38l18 18v56a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2z" fill="#fff" stroke="#2b579a" stroke-width="3"/><path d="M42 2v18h18" fill="#dce6f4" stroke="#2b579a" stroke-width="3"/><rect x="8" y="34" width="40" height="26" rx="3" fill="#2b579a"/><text x="28" y="53" font-family="sans-serif" font-size="14" font-weight="bold" fill="#fff" text-anchor="middle">DOCX</text></svg>"##;

/// Writes the page's HTML for `n` rows given in (language, audience, path)
/// order, a card at a time: a batch of 10,000 audiences makes a page of 13 MB
/// from 30,000 rows, neither worth holding whole.
pub fn write_html(
    w: &mut dyn std::io::Write,
    title: &str,
    n: usize,
    rows: impl Iterator<Item = std::io::Result<OutputRow>>,
) -> std::io::Result<()> {
    let mut s = String::new();
    s.push_str(&format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{t} — outputs</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>
body {{ font-family: "Noto Sans", system-ui, sans-serif; margin: 2rem; color: #231f20; background: #f6f7f9; }}
h1 {{ font-size: 1.5rem; margin: 0 0 .25rem; }} h2 {{ font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 2px solid #ee7d11; padding-bottom: .2rem; }}
h3 {{ font-size: 1rem; margin: 1rem 0 .5rem; color: #00537f; }}
.grid {{ display: flex; flex-wrap: wrap; gap: 1rem; }}
.card {{ background: #fff; border: 1px solid #d7dbe0; border-radius: 6px; padding: .6rem; width: 230px; font-size: .8rem; }}
.card img, .card .icon {{ display: block; width: 100%; height: 160px; object-fit: contain; background: #eef0f3; }}
.card .name {{ font-weight: bold; word-break: break-all; margin: .4rem 0 .2rem; }}
.card .warn {{ color: #a4262c; }} .pages a {{ margin-right: .4rem; }}
.card.failed, .card.orphan {{ border: 2px solid #a4262c; }}
#problems {{ background: #fbe9ea; border: 2px solid #a4262c; border-radius: 6px; padding: .6rem 1rem; margin: 1rem 0; }}
#problems pre {{ white-space: pre-wrap; font-size: .85rem; margin: .5rem 0 0; }}
.card .state {{ display: flex; align-items: center; justify-content: center; text-align: center; height: 160px; padding: 0 .5rem; background: #fbe9ea; color: #a4262c; font-weight: bold; }}
</style></head><body>
<header><h1>{t}</h1><p>{n} outputs. Open a thumbnail for the page, a name for the file.</p>
<div id="problems" role="alert" hidden><strong>The last build failed: the pages below are from the last good build.</strong><pre></pre></div></header>
<main id="sheet">
"#,
        t = esc(title),
    ));
    let mut group: Option<(String, String)> = None;
    for r in rows {
        let r = r?;
        if group
            .as_ref()
            .is_none_or(|(l, a)| *l != r.language || *a != r.audience)
        {
            if group.is_some() {
                s.push_str("</div>\n");
            }
            if group.as_ref().is_none_or(|(l, _)| *l != r.language) {
                s.push_str(&format!("<h2>Language: {}</h2>\n", esc(&r.language)));
            }
            s.push_str(&format!(
                "<h3>{}</h3>\n<div class=\"grid\">\n",
                esc(&r.audience)
            ));
            group = Some((r.language.clone(), r.audience.clone()));
        }
        let current = r.status == Status::Ok;
        match r.status {
            Status::Ok => s.push_str("<div class=\"card\">"),
            Status::Failed => s.push_str(
                "<div class=\"card failed\"><div class=\"state\">Failed: not made by this build</div>",
            ),
            Status::Orphan => s.push_str(
                "<div class=\"card orphan\"><div class=\"state\">No longer made by the content (kept on request)</div>",
            ),
        }
        // Only a current file's pages are shown as its pages.
        match r.previews.first().filter(|_| current) {
            Some(p) => s.push_str(&format!(
                r#"<a href="{0}"><img src="{0}" alt="{1}, page 1" loading="lazy"></a>"#,
                href(p),
                esc(&r.path)
            )),
            None if !current => {}
            None if r.format == "docx" => s.push_str(DOCX_ICON),
            None => s.push_str(r#"<div class="icon"></div>"#),
        }
        let name = esc(r.path.rsplit('/').next().unwrap_or(&r.path));
        match (r.status, r.earlier_file) {
            (Status::Failed, false) => {
                s.push_str(&format!(r#"<div class="name">{name}</div>"#));
            }
            (Status::Failed, true) => s.push_str(&format!(
                r#"<div class="name"><a href="{}">{name}</a> (from an earlier build, out of date)</div>"#,
                href(&r.path)
            )),
            _ => s.push_str(&format!(
                r#"<div class="name"><a href="{}">{name}</a></div>"#,
                href(&r.path)
            )),
        }
        for e in &r.errors {
            s.push_str(&format!("<div class=\"warn\">✖ {}</div>", esc(e)));
        }
        if let Some(t) = &r.title {
            s.push_str(&format!("<div>{}</div>", esc(t)));
        }
        let variant = r
            .variant
            .map(|v| format!(", {}", v.name()))
            .unwrap_or_default();
        let pages = r
            .pages
            .map(|p| format!(", {p} page{}", if p == 1 { "" } else { "s" }))
            .unwrap_or_default();
        s.push_str(&format!(
            "<div>{} ({}{variant}){pages}, {} KB</div>",
            esc(&r.layout),
            esc(&r.format),
            r.bytes.div_ceil(1024)
        ));
        if r.previews.len() > 1 && current {
            s.push_str("<div class=\"pages\">Pages: ");
            for (i, p) in r.previews.iter().enumerate() {
                s.push_str(&format!(r#"<a href="{}">{}</a>"#, href(p), i + 1));
            }
            s.push_str("</div>");
        }
        for w in &r.warnings {
            s.push_str(&format!("<div class=\"warn\">⚠ {}</div>", esc(w)));
        }
        s.push_str("</div>\n");
        w.write_all(s.as_bytes())?;
        s.clear();
    }
    if group.is_some() {
        s.push_str("</div>\n");
    }
    s.push_str("</main>\n");
    s.push_str(LIVE);
    s.push_str("</body></html>\n");
    w.write_all(s.as_bytes())
}

/// Served by `leafpress serve`, the page follows each rebuild: it fetches
/// itself again and swaps the cards in (fresh pictures, the reader's place
/// kept), and shows a failed build's problems until a build succeeds. Opened
/// from disk, it does nothing.
const LIVE: &str = r#"<script>
(function () {
  if (!/^https?:$/.test(location.protocol) || !window.EventSource) return;
  var banner = document.getElementById("problems"), shown = null;
  new EventSource("/events").addEventListener("build", function (ev) {
    var s = JSON.parse(ev.data);
    banner.hidden = !s.problems;
    banner.querySelector("pre").textContent = s.problems || "";
    if (shown === null || shown === s.generation) { shown = s.generation; return; }
    shown = s.generation;
    fetch("/?g=" + s.generation, { cache: "no-store" }).then(function (r) { return r.text(); }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("sheet");
      if (!fresh) return;
      fresh.querySelectorAll("img").forEach(function (img) {
        img.setAttribute("src", img.getAttribute("src") + "?g=" + s.generation);
      });
      var y = window.scrollY;
      document.getElementById("sheet").replaceWith(fresh);
      window.scrollTo(0, y);
    });
  });
})();
</script>
"#;
