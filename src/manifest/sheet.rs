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

/// A language's name as its readers write it, with the English name after
/// it where they differ; the code where it is not known.
fn language_name(code: &str) -> String {
    let primary = code.split(['-', '_']).next().unwrap_or(code);
    let (own, english) = match primary.to_ascii_lowercase().as_str() {
        "en" => ("English", "English"),
        "fr" => ("Français", "French"),
        "es" => ("Español", "Spanish"),
        "pt" => ("Português", "Portuguese"),
        "de" => ("Deutsch", "German"),
        "it" => ("Italiano", "Italian"),
        "nl" => ("Nederlands", "Dutch"),
        "ar" => ("العربية", "Arabic"),
        "fa" => ("فارسی", "Persian"),
        "ur" => ("اردو", "Urdu"),
        "he" => ("עברית", "Hebrew"),
        "hi" => ("हिन्दी", "Hindi"),
        "bn" => ("বাংলা", "Bengali"),
        "sw" => ("Kiswahili", "Swahili"),
        "ru" => ("Русский", "Russian"),
        "uk" => ("Українська", "Ukrainian"),
        "zh" => ("中文", "Chinese"),
        "ja" => ("日本語", "Japanese"),
        _ => return code.to_string(),
    };
    if own == english {
        own.to_string()
    } else {
        format!("{own} ({english})")
    }
}

/// The audience's name in a row's title (`Title — Audience`), or its id.
fn audience_name(r: &OutputRow) -> String {
    r.title
        .as_deref()
        .and_then(|t| t.rsplit_once(" — "))
        .map_or_else(|| r.audience.clone(), |(_, a)| a.to_string())
}

/// Writes the page's HTML for `n` rows given in sheet order (audience, file
/// name, language), a card at a time: a batch of 10,000 audiences makes a
/// page of 13 MB from 30,000 rows, neither worth holding whole. Each output
/// is a row of cards, one per language, side by side, with every page.
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
body {{ font-family: "Noto Sans", system-ui, sans-serif; margin: 1.5rem 2rem; color: #231f20; background: #f6f7f9; }}
h1 {{ font-size: 1.5rem; margin: 0 0 .25rem; }}
h2 {{ font-size: 1.3rem; margin: 2rem 0 .5rem; border-bottom: 2px solid #ee7d11; padding-bottom: .2rem; }}
h3 {{ font-size: 1rem; margin: 1.2rem 0 .5rem; color: #00537f; }}
.filters {{ display: flex; flex-wrap: wrap; gap: 1rem; align-items: end; margin: 1rem 0; }}
.filters label {{ display: flex; flex-direction: column; font-size: .85rem; font-weight: bold; gap: .2rem; }}
.filters select, .filters input {{ font: inherit; font-weight: normal; padding: .3rem; min-width: 14rem; }}
.filters input {{ min-width: 22rem; }}
.langs {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 1rem; }}
.card {{ background: #fff; border: 1px solid #d7dbe0; border-radius: 6px; padding: .6rem .8rem; font-size: .85rem; }}
.card .lang {{ font-size: 1rem; font-weight: bold; margin: 0 0 .4rem; }}
.card .pages {{ display: flex; flex-direction: column; gap: .5rem; }}
/* A page not loaded yet keeps a page's room, so only those near the view load. */
.card img {{ display: block; width: 100%; height: auto; min-height: 12rem; background: #eef0f3; border: 1px solid #d7dbe0; }}
.card .icon {{ display: block; width: 120px; height: 150px; }}
.card .name {{ font-weight: bold; word-break: break-all; margin: .4rem 0 .2rem; }}
.card .warn {{ color: #a4262c; }}
.card .approx {{ font-style: italic; color: #4b4c4e; margin-top: .3rem; }}
.badge {{ display: inline-block; background: #fbe9ea; color: #a4262c; border: 1px solid #a4262c; border-radius: 3px; padding: 0 .3rem; font-weight: bold; margin: 0 .3rem .3rem 0; }}
.card.failed, .card.orphan {{ border: 2px solid #a4262c; }}
.card .state {{ padding: .5rem; background: #fbe9ea; color: #a4262c; font-weight: bold; }}
#problems {{ background: #fbe9ea; border: 2px solid #a4262c; border-radius: 6px; padding: .6rem 1rem; margin: 1rem 0; }}
#problems pre {{ white-space: pre-wrap; font-size: .85rem; margin: .5rem 0 0; }}
a:focus, select:focus, input:focus {{ outline: 3px solid #ee7d11; outline-offset: 2px; }}
</style></head><body>
<header><h1>{t}</h1><p>{n} outputs, each in every language side by side. Open a page for it at full size, a file name for the file.</p>
<div id="problems" role="alert" hidden><strong>The last build failed: the pages below are from the last good build.</strong><pre></pre></div>
<form class="filters" role="search" onsubmit="return false">
<label for="f-audience">Audience<select id="f-audience"><option value="">All audiences</option></select></label>
<label for="f-language">Language<select id="f-language"><option value="">All languages</option></select></label>
<label for="f-layout">Layout<select id="f-layout"><option value="">All layouts</option></select></label>
<label for="f-text">Search<input id="f-text" type="search" placeholder="Words of the texts, names, warnings"></label>
</form></header>
<main id="sheet">
"#,
        t = esc(title),
    ));
    // The audience, and the file name (its layout and variant), being written.
    let mut audience: Option<String> = None;
    let mut output: Option<String> = None;
    for r in rows {
        let r = r?;
        let name = r.path.rsplit('/').next().unwrap_or(&r.path).to_string();
        if audience.as_deref() != Some(&r.audience) {
            if output.take().is_some() {
                s.push_str("</div></section>\n");
            }
            if audience.is_some() {
                s.push_str("</section>\n");
            }
            s.push_str(&format!(
                "<section class=\"audience\" data-audience=\"{}\" data-name=\"{}\"><h2>{}</h2>\n",
                esc(&r.audience),
                esc(&audience_name(&r)),
                esc(&audience_name(&r)),
            ));
            audience = Some(r.audience.clone());
        }
        if output.as_deref() != Some(&name) {
            if output.is_some() {
                s.push_str("</div></section>\n");
            }
            let variant = r
                .variant
                .map(|v| format!(", {}", v.name()))
                .unwrap_or_default();
            s.push_str(&format!(
                "<section class=\"output\" data-layout=\"{l}\"><h3>{l} ({f}{variant})</h3><div class=\"langs\">\n",
                l = esc(&r.layout),
                f = esc(&r.format),
            ));
            output = Some(name.clone());
        }
        card(&mut s, &r, &name);
        w.write_all(s.as_bytes())?;
        s.clear();
    }
    if output.is_some() {
        s.push_str("</div></section>\n");
    }
    if audience.is_some() {
        s.push_str("</section>\n");
    }
    s.push_str("</main>\n");
    s.push_str(FILTERS);
    s.push_str(LIVE);
    s.push_str("</body></html>\n");
    w.write_all(s.as_bytes())
}

/// One output in one language: every page, the file, its problems.
fn card(s: &mut String, r: &OutputRow, name: &str) {
    let language = language_name(&r.language);
    let current = r.status == Status::Ok;
    let search = format!(
        "{} {} {} {} {}",
        audience_name(r),
        r.title.as_deref().unwrap_or(""),
        name,
        language,
        r.warnings.join(" ")
    )
    .to_lowercase();
    let class = match r.status {
        Status::Ok => "card",
        Status::Failed => "card failed",
        Status::Orphan => "card orphan",
    };
    s.push_str(&format!(
        "<article class=\"{class}\" data-language=\"{}\" data-language-name=\"{}\" data-search=\"{}\" lang=\"{}\"><p class=\"lang\" lang=\"en\">{}</p>",
        esc(&r.language),
        esc(&language),
        esc(&search),
        esc(&r.language),
        esc(&language),
    ));
    match r.status {
        Status::Failed => s.push_str("<div class=\"state\">Failed: not made by this build</div>"),
        Status::Orphan => {
            s.push_str("<div class=\"state\">No longer made by the content (kept on request)</div>")
        }
        Status::Ok => {}
    }
    for w in &r.warnings {
        if w.contains("older source text") {
            s.push_str("<span class=\"badge\">Stale translation</span>");
        } else if w.contains(" translation in ") {
            s.push_str("<span class=\"badge\">Missing translation</span>");
        }
    }
    // Only a current file's pages are shown as its pages.
    if current && !r.previews.is_empty() {
        s.push_str("<div class=\"pages\">");
        let of = r.previews.len();
        for (i, p) in r.previews.iter().enumerate() {
            s.push_str(&format!(
                r#"<a href="{0}"><img src="{0}" alt="{1}, {2}: page {3} of {of}" loading="lazy"></a>"#,
                href(p),
                esc(r.title.as_deref().unwrap_or(name)),
                esc(&language),
                i + 1,
            ));
        }
        s.push_str("</div>");
        if r.format == "docx" {
            s.push_str("<div class=\"approx\" lang=\"en\">Approximate preview: Word lays out the handout itself, so its lines and pages may break differently.</div>");
        }
    } else if current && r.format == "docx" {
        s.push_str(DOCX_ICON);
    }
    match (r.status, r.earlier_file) {
        (Status::Failed, false) => s.push_str(&format!(r#"<div class="name">{}</div>"#, esc(name))),
        (Status::Failed, true) => s.push_str(&format!(
            r#"<div class="name"><a href="{}">{}</a> (from an earlier build, out of date)</div>"#,
            href(&r.path),
            esc(name)
        )),
        _ => s.push_str(&format!(
            r#"<div class="name"><a href="{}">{}</a></div>"#,
            href(&r.path),
            esc(name)
        )),
    }
    for e in &r.errors {
        s.push_str(&format!("<div class=\"warn\">✖ {}</div>", esc(e)));
    }
    if let Some(t) = &r.title {
        // Its own direction: an Arabic title reads right to left.
        s.push_str(&format!("<div dir=\"auto\">{}</div>", esc(t)));
    }
    let pages = r
        .pages
        .map(|p| format!("{p} page{}, ", if p == 1 { "" } else { "s" }))
        .unwrap_or_default();
    s.push_str(&format!(
        "<div lang=\"en\">{pages}{} KB</div>",
        r.bytes.div_ceil(1024)
    ));
    for w in &r.warnings {
        s.push_str(&format!(
            "<div class=\"warn\" lang=\"en\">⚠ {}</div>",
            esc(w)
        ));
    }
    s.push_str("</article>\n");
}

/// Filters by audience, language and layout, and a search for words: a card
/// is shown when each word is in its names and warnings, the texts its
/// outputs share, or its audience's texts in its language. The choices are
/// read from the page itself, and the texts from `texts.js`, loaded as a
/// script when the search box is first used, so it works from disk.
const FILTERS: &str = r#"<script>
(function () {
  var texts = null, asked = false;
  function fill(id, items) {
    var sel = document.getElementById(id);
    Object.keys(items).sort(function (a, b) { return items[a].localeCompare(items[b]); }).forEach(function (k) {
      var o = document.createElement("option"); o.value = k; o.textContent = items[k]; sel.appendChild(o);
    });
    sel.addEventListener("change", apply);
  }
  function choices() {
    var a = {}, l = {}, y = {};
    document.querySelectorAll("section.audience").forEach(function (s) { a[s.dataset.audience] = s.dataset.name; });
    document.querySelectorAll("article.card").forEach(function (c) { l[c.dataset.language] = c.dataset.languageName; });
    document.querySelectorAll("section.output").forEach(function (s) { y[s.dataset.layout] = s.dataset.layout; });
    fill("f-audience", a); fill("f-language", l); fill("f-layout", y);
  }
  function loadTexts(generation) {
    asked = true;
    var s = document.createElement("script");
    s.src = "texts.js" + (generation ? "?g=" + generation : "");
    s.onload = s.onerror = function () { s.remove(); };
    document.head.appendChild(s);
  }
  window.leafpressTexts = function (t) { texts = t; apply(); };
  window.leafpressReloadTexts = function (generation) { if (asked) loadTexts(generation); };
  function found(words, card, audience) {
    var own = card.dataset.search, lang = card.dataset.language,
        shared = texts && texts.shared[lang] || "", said = texts && (texts.audiences[audience] || {})[lang] || "";
    return words.every(function (w) { return own.indexOf(w) >= 0 || shared.indexOf(w) >= 0 || said.indexOf(w) >= 0; });
  }
  function apply() {
    var a = document.getElementById("f-audience").value, l = document.getElementById("f-language").value,
        y = document.getElementById("f-layout").value,
        words = document.getElementById("f-text").value.toLowerCase().split(/\s+/).filter(Boolean);
    document.querySelectorAll("section.audience").forEach(function (s) {
      var any = false;
      s.querySelectorAll("section.output").forEach(function (o) {
        var shown = 0;
        o.querySelectorAll("article.card").forEach(function (c) {
          var ok = (!a || s.dataset.audience === a) && (!l || c.dataset.language === l) &&
                   (!y || o.dataset.layout === y) && (!words.length || found(words, c, s.dataset.audience));
          c.hidden = !ok; if (ok) shown++;
        });
        o.hidden = shown === 0; if (shown) any = true;
      });
      s.hidden = !any;
    });
  }
  window.leafpressFilter = apply;
  choices();
  var box = document.getElementById("f-text");
  box.addEventListener("focus", function () { if (!asked) loadTexts(); });
  box.addEventListener("input", function () { if (!asked) loadTexts(); apply(); });
})();
</script>
"#;

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
      if (window.leafpressReloadTexts) window.leafpressReloadTexts(s.generation);
      if (window.leafpressFilter) window.leafpressFilter();
      window.scrollTo(0, y);
    });
  });
})();
</script>
"#;
