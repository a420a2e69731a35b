//! Cross-file validation: content, brand, layouts and fonts become one checked
//! `Project`, and every problem found on the way is reported at once.

use crate::content::Content;
use crate::diag::{Diagnostic, Error, Span};
use crate::fonts::FontBook;
use crate::layout::{Block, Brand, Format, Layout, Names, Orientation, Show, with_names};
use crate::source::SourceFile;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Where a project's inputs live.
#[derive(Debug, Clone)]
pub struct Paths {
    pub content: PathBuf,
    pub layouts: PathBuf,
    pub fonts: PathBuf,
}

impl Default for Paths {
    fn default() -> Self {
        Paths {
            content: "content".into(),
            layouts: "layouts".into(),
            fonts: "fonts".into(),
        }
    }
}

pub struct NamedLayout {
    /// The file stem: `leaflet` for `layouts/leaflet.yaml`.
    pub name: String,
    pub layout: Layout,
    pub source: SourceFile,
}

impl NamedLayout {
    /// Page width and height in points, after orientation.
    pub fn page_dims(&self) -> (f32, f32) {
        let (w, h) = self.layout.page.size.portrait_dims();
        match self.layout.page.orientation {
            Orientation::Portrait => (w, h),
            Orientation::Landscape => (h, w),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Logo {
    pub png: std::sync::Arc<[u8]>,
    pub width_px: u32,
    pub height_px: u32,
}

pub struct Project {
    pub content: Content,
    pub content_src: SourceFile,
    pub brand: Brand,
    pub brand_src: SourceFile,
    pub layouts: Vec<NamedLayout>,
    pub fonts: FontBook,
    /// The brand logo (PNG bytes) and its size in pixels.
    pub logo: Option<Logo>,
    /// Translations of the content, one per language.
    pub translations: Vec<crate::translate::Translation>,
    /// Problems that do not stop a build.
    pub warnings: Vec<Diagnostic>,
    /// Where each audience is in content order, by id: each job finds its own
    /// without a scan (a scan per job made a batch quadratic in the number of
    /// audiences).
    audience_at: std::collections::HashMap<Box<str>, usize>,
    /// A large content's audiences, left on disk and read back one at a time;
    /// `None` when they are parsed in `content.audiences`.
    streamed: Option<Box<crate::content::Streamed>>,
    /// SHA-256 of the content file.
    content_digest: [u8; 32],
}

/// One audience, as a job reads it: from memory, or read back from disk with
/// its own lines (for spans; the content's head is in `Project::content_src`).
pub struct AudienceText<'a> {
    pub audience: std::borrow::Cow<'a, crate::content::Audience>,
    pub lines: Option<SourceFile>,
}

impl Project {
    pub fn layout(&self, name: &str) -> Option<&NamedLayout> {
        self.layouts.iter().find(|l| l.name == name)
    }

    /// The audience with this id; an error if it was read back from disk and
    /// the file changed since it was checked.
    pub fn audience(&self, id: &str) -> Option<Result<AudienceText<'_>, String>> {
        let i = *self.audience_at.get(id)?;
        Some(match &self.streamed {
            None => Ok(AudienceText {
                audience: std::borrow::Cow::Borrowed(self.content.audiences.get(i)?),
                lines: None,
            }),
            Some(file) => file.audience(i).map(|(a, lines)| AudienceText {
                audience: std::borrow::Cow::Owned(a),
                lines: Some(lines),
            }),
        })
    }

    /// Audience ids in content order.
    pub fn audience_ids(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        match &self.streamed {
            None => Box::new(self.content.audiences.iter().map(|a| a.id.as_str())),
            Some(file) => Box::new(file.entries.iter().map(|e| &*e.id)),
        }
    }

    /// The id of the audience at `i` in content order.
    pub fn audience_id(&self, i: usize) -> &str {
        match &self.streamed {
            None => &self.content.audiences[i].id,
            Some(file) => &file.entries[i].id,
        }
    }

    pub fn audience_count(&self) -> usize {
        match &self.streamed {
            None => self.content.audiences.len(),
            Some(file) => file.entries.len(),
        }
    }

    /// Whether the audience exists.
    pub fn has_audience(&self, id: &str) -> bool {
        self.audience_at.contains_key(id)
    }

    /// SHA-256 of the content file, for fingerprints.
    pub fn content_digest(&self) -> &[u8; 32] {
        &self.content_digest
    }
}

/// Every layout in the layouts folder, read and checked, and the problems
/// found in them. `names` are the brand's colour and font names, when the
/// brand could be read.
fn read_layouts(paths: &Paths, names: Option<&Names>) -> (Vec<NamedLayout>, Vec<Diagnostic>) {
    let mut layouts = Vec::new();
    let mut problems = Vec::new();
    match layout_files(&paths.layouts) {
        Ok(files) => {
            if files.is_empty() {
                problems.push(
                    Diagnostic::error(&paths.layouts, "no layouts found")
                        .with_hint("add a layout file such as `leaflet.yaml` beside `brand.yaml`"),
                );
            }
            for (name, path) in files {
                let src = match SourceFile::read_inside(&path, &paths.layouts) {
                    Ok(s) => s,
                    Err(d) => {
                        problems.push(d);
                        continue;
                    }
                };
                let (styles, flows) = crate::layout::local_names(&src.text);
                let parsed = match names {
                    Some(n) => with_names(
                        Names {
                            styles,
                            flows,
                            ..n.clone()
                        },
                        || src.parse::<Layout>(),
                    ),
                    None => src.parse::<Layout>(),
                };
                match parsed {
                    Ok(layout) => {
                        let nl = NamedLayout {
                            name,
                            layout,
                            source: src,
                        };
                        problems.extend(check_layout(&nl));
                        layouts.push(nl);
                    }
                    Err(d) => problems.push(d),
                }
            }
        }
        Err(d) => problems.push(d),
    }
    (layouts, problems)
}

/// Loads and checks everything. On failure, the error lists every problem found.
pub fn load(paths: &Paths) -> Result<Project, Error> {
    // The content's problems come first in the report, then the brand's and the
    // layouts'. The brand is read first: the fonts it names are needed by a
    // large content, checked (coverage included) as it streams past.
    let mut problems: Vec<Diagnostic> = Vec::new();

    let brand_path = paths.layouts.join("brand.yaml");
    let brand = SourceFile::read_inside(&brand_path, &paths.layouts).and_then(|src| {
        let b: Brand = src.parse()?;
        Ok((b, src))
    });
    let mut brand_problems = Vec::new();
    let brand = brand.map_err(|d| brand_problems.push(d)).ok();
    // Layouts are read even when the brand failed, so their own mistakes show too;
    // without the brand's names, colour and font references go unchecked for now.
    let names_from_brand = brand.as_ref().map(|(b, _)| Names {
        colours: b.colours.keys().cloned().collect(),
        fonts: b.fonts.keys().cloned().collect(),
        ..Names::default()
    });
    // The fonts are read on a second thread while the layouts and the content
    // are parsed: reading and hashing them was a third of the load, and only a
    // content large enough to be streamed needs them (it is checked as it
    // streams past).
    let (fonts, (layouts, layout_problems), (content, streamed, translations)) =
        std::thread::scope(|scope| {
            let load_fonts = |(b, src): &(Brand, SourceFile)| FontBook::load(b, src, &paths.fonts);
            let reading = std::cell::Cell::new(brand.as_ref().map(|b| {
                std::thread::Builder::new()
                    .spawn_scoped(scope, move || load_fonts(b))
                    .map_err(|_| b)
            }));
            let fonts = std::cell::OnceCell::new();
            let fonts_now = || {
                fonts.get_or_init(|| {
                    reading.take().map(|r| match r {
                        Ok(thread) => thread
                            .join()
                            .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                        // No thread to be had: read them here.
                        Err(b) => load_fonts(b),
                    })
                })
            };
            let layouts = read_layouts(paths, names_from_brand.as_ref());
            let content = load_content(
                paths,
                &|| fonts_now().as_ref().and_then(|f| f.as_ref().ok()),
                &mut problems,
            );
            fonts_now();
            (fonts.into_inner().flatten(), layouts, content)
        });
    let fonts = match fonts {
        Some(Ok(f)) => Some(f),
        Some(Err(d)) => {
            brand_problems.extend(d);
            None
        }
        None => None,
    };
    let logo = brand.as_ref().and_then(|(b, src)| {
        let file = b.logo.as_ref()?;
        load_logo(file, src, &paths.layouts)
            .map_err(|d| brand_problems.push(d))
            .ok()
    });

    problems.extend(brand_problems);
    problems.extend(layout_problems);

    if streamed.is_none()
        && let (Some((c, src)), Some(fonts)) = (&content, &fonts)
    {
        problems.extend(check_coverage(fonts, c, src, &translations));
    }
    let (errors, warnings): (Vec<_>, Vec<_>) = problems.into_iter().partition(|d| d.is_error());
    match (content, brand, fonts) {
        (Some((content, content_src)), Some((brand, brand_src)), Some(fonts))
            if errors.is_empty() =>
        {
            let content_digest = match &streamed {
                Some(file) => file.digest,
                None => <sha2::Sha256 as sha2::Digest>::digest(content_src.text.as_bytes()).into(),
            };
            let mut p = Project {
                audience_at: Default::default(),
                streamed: streamed.map(Box::new),
                content_digest,
                content,
                content_src,
                brand,
                brand_src,
                layouts,
                fonts,
                logo,
                translations,
                warnings,
            };
            let at = p
                .audience_ids()
                .enumerate()
                .map(|(i, id)| (id.into(), i))
                .collect();
            p.audience_at = at;
            Ok(p)
        }
        _ => Err(Error::Input(errors.into_iter().chain(warnings).collect())),
    }
}

/// Reads and checks the content and its translations. A large content with no
/// translations is streamed ([`crate::content::stream`]): checked part by part
/// and left on disk. Anything the streamed reading finds wrong, or cannot take,
/// is read whole, which reports every problem with its place.
#[allow(clippy::type_complexity)]
fn load_content<'f>(
    paths: &Paths,
    fonts: &dyn Fn() -> Option<&'f FontBook>,
    problems: &mut Vec<Diagnostic>,
) -> (
    Option<(Content, SourceFile)>,
    Option<crate::content::Streamed>,
    Vec<crate::translate::Translation>,
) {
    let content_path = paths.content.join("messages.yaml");
    let translated = std::fs::read_dir(crate::translate::dir(&paths.content))
        .is_ok_and(|mut rd| rd.next().is_some());
    if !translated && crate::source::outside_link(&content_path, &paths.content).is_ok() {
        // Ids must be unique across parts too; a clash of hashes only sends the
        // file to the whole reading, which compares the ids themselves.
        let hash = crate::text::hash64::<str>;
        let (mut audience_ids, mut message_ids) = (
            std::collections::HashSet::new(),
            std::collections::HashSet::new(),
        );
        let streamed = crate::content::stream(&content_path, |part, src| {
            part.audiences.iter().all(|a| {
                audience_ids.insert(hash(&a.id))
                    && a.messages.iter().all(|m| message_ids.insert(hash(&m.id)))
            }) && check_content(part, src).is_empty()
                && fonts().is_none_or(|f| check_coverage(f, part, src, &[]).is_empty())
        });
        if let Some((head, head_src, st)) = streamed {
            return (Some((head, head_src)), Some(st), Vec::new());
        }
    }
    let content = SourceFile::read_inside(&content_path, &paths.content)
        .map_err(|d| vec![d])
        .and_then(|src| {
            // serde_yaml stops at the first mistake; go on part by part to find the others.
            let c = Content::parse(&src).map_err(|d| content_problems(&src, d))?;
            Ok((c, src))
        });
    match content {
        Ok((c, src)) => {
            problems.extend(check_content(&c, &src));
            let (t, d) = crate::translate::load_all(&paths.content, &c);
            problems.extend(d);
            (Some((c, src)), None, t)
        }
        Err(d) => {
            problems.extend(d);
            (None, None, Vec::new())
        }
    }
}

/// `name -> path` of every layout file (`*.yaml`, `*.yml`) except `brand.yaml`, sorted.
fn layout_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, Diagnostic> {
    let rd = std::fs::read_dir(dir).map_err(|e| {
        Diagnostic::error(
            dir,
            format!(
                "cannot read the layouts folder: {}",
                crate::text::lower_first(&e.to_string())
            ),
        )
        .with_hint("run leafpress in the project folder, or pass --layouts DIR")
    })?;
    let mut out = Vec::new();
    for entry in rd.flatten() {
        let path = entry.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if (ext == "yaml" || ext == "yml") && stem != "brand" && !stem.starts_with('.') {
            out.push((stem.to_string(), path));
        }
    }
    out.sort();
    Ok(out)
}

/// Every problem of a content file that failed to parse: after the first (which
/// serde_yaml reports with its position), each part is read on its own, so one
/// run shows all the independent mistakes. Syntax errors stop at the first.
fn content_problems(src: &SourceFile, first: Diagnostic) -> Vec<Diagnostic> {
    use crate::content::{Audience, Definition, Organisation};
    use serde_yaml::Value;
    let top = match serde_yaml::from_str::<Value>(&src.text) {
        Ok(Value::Mapping(top)) => top,
        // Aliases that expand without end (a "billion laughs") are stopped by
        // serde_yaml's limit; say so beside the first problem.
        Err(e) if e.to_string().contains("limit exceeded") => {
            let mut d = crate::source::yaml_error(&src.path, &src.text, &e);
            d.message = "aliases (`*name`) in this file expand beyond what leafpress reads (serde_yaml's repetition limit)".into();
            return vec![first, d];
        }
        _ => return vec![first],
    };
    let mut out: Vec<Diagnostic> = Vec::new();
    // A part's error, placed at `key: value` (or the key) and given the usual hint.
    let report = |what: &str, msg: String, key: &str, value: &str| -> Diagnostic {
        // An unknown field is best shown where it is written.
        let named = msg
            .strip_prefix("unknown field `")
            .and_then(|r| r.split('`').next())
            .and_then(|f| src.span_of(f, ""));
        let span = named
            .or_else(|| src.span_of(key, value))
            .or_else(|| src.span_of(key, ""));
        let msg = crate::text::lower_first(&msg);
        let hint = crate::source::hint_for(&msg, span.as_ref(), false);
        let mut d = Diagnostic::error(
            &src.path,
            if what.is_empty() {
                msg
            } else {
                format!("{what}: {msg}")
            },
        )
        .with_span(span);
        d.hint = hint;
        d
    };
    const FIELDS: [&str; 6] = [
        "language",
        "title",
        "attribution",
        "organisation",
        "definition",
        "audiences",
    ];
    for k in top.keys() {
        let k = k.as_str().unwrap_or("");
        if !FIELDS.contains(&k) {
            out.push(report(
                "",
                format!(
                    "unknown field `{k}`, expected one of `{}`",
                    FIELDS.join("`, `")
                ),
                k,
                "",
            ));
        }
    }
    for f in FIELDS {
        let Some(v) = top.get(f) else {
            // A misspelt key was reported above with a "did you mean `{f}`?".
            let misspelt = top
                .keys()
                .filter_map(|k| k.as_str())
                .any(|k| !FIELDS.contains(&k) && crate::diag::did_you_mean(k, FIELDS) == Some(f));
            if !misspelt {
                out.push(report("", format!("missing field `{f}`"), "", ""));
            }
            continue;
        };
        let err = match f {
            "organisation" => serde_yaml::from_value::<Organisation>(v.clone()).err(),
            "definition" => serde_yaml::from_value::<Definition>(v.clone()).err(),
            "audiences" => match v {
                Value::Sequence(items) => {
                    for (i, a) in items.iter().enumerate() {
                        if let Err(e) = serde_yaml::from_value::<Audience>(a.clone()) {
                            let id = a.get("id").and_then(|x| x.as_str()).unwrap_or("");
                            let msg = e.to_string();
                            // The field at fault, found by reading each on its own, and
                            // where this audience writes it (the first such key after
                            // its id).
                            let base = src.find_key_value("id", id).first().copied().unwrap_or(0);
                            let after = |key: &str| {
                                src.find_key_value(key, "")
                                    .into_iter()
                                    .find(|&o| o >= base.saturating_sub(8))
                            };
                            let bad_field =
                                ["id", "name", "heading", "intro"].into_iter().find(|f| {
                                    a.get(*f).is_some_and(|v| {
                                        serde_yaml::from_value::<String>(v.clone()).is_err()
                                    })
                                });
                            let msg_id = msg
                                .split("messages[")
                                .nth(1)
                                .and_then(|r| r.split(']').next())
                                .and_then(|n| n.parse::<usize>().ok())
                                .and_then(|n| {
                                    a.get("messages")?
                                        .get(n)?
                                        .get("id")?
                                        .as_str()
                                        .map(str::to_string)
                                });
                            match (bad_field.and_then(after), msg_id) {
                                (Some(off), _) => {
                                    let f = bad_field.unwrap_or_default();
                                    let mut d = Diagnostic::error(
                                        &src.path,
                                        format!(
                                            "audiences[{i}].{f}: {}",
                                            crate::text::lower_first(&msg)
                                        ),
                                    )
                                    .with_span(Some(src.span_at(off)));
                                    d.hint = Some(format!(
                                        "`{f}` takes text; write it after `{f}:` (use `>-` for several lines)"
                                    ));
                                    out.push(d);
                                }
                                (None, Some(m)) => {
                                    out.push(report(&format!("audiences[{i}]"), msg, "id", &m))
                                }
                                (None, None) => {
                                    out.push(report(&format!("audiences[{i}]"), msg, "id", id))
                                }
                            }
                        }
                    }
                    None
                }
                _ => serde_yaml::from_value::<Vec<Audience>>(v.clone()).err(),
            },
            _ => serde_yaml::from_value::<String>(v.clone()).err(),
        };
        if let Some(e) = err {
            out.push(report(f, e.to_string(), f, ""));
        }
    }
    if out.is_empty() {
        return vec![first];
    }
    // Keep serde_yaml's own report of the first mistake: it has the exact position.
    if let Some(same) = out
        .iter_mut()
        .find(|d| d.span.as_ref().map(|s| s.line) == first.span.as_ref().map(|s| s.line))
    {
        *same = first;
    } else {
        out.insert(0, first);
    }
    out.sort_by_key(|d| d.span.as_ref().map(|s| s.line).unwrap_or(0));
    out
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn check_content(c: &Content, src: &SourceFile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let err = |msg: String, span: Option<Span>, hint: &str| {
        Diagnostic::error(&src.path, msg)
            .with_span(span)
            .with_hint(hint)
    };
    if !is_language_tag(&c.language) {
        out.push(err(
            format!("`{}` is not a language code", c.language),
            src.span_of("language", &c.language),
            "use a BCP 47 code such as `en`, `fr` or `pt-BR`",
        ));
    }
    if c.audiences.is_empty() {
        out.push(err(
            "there are no audiences".into(),
            src.find_key_value("audiences", "")
                .first()
                .map(|&o| Span::at_offset(&src.text, o)),
            "add at least one audience with an id, a name, a heading and messages",
        ));
    }
    let mut audience_ids = BTreeSet::new();
    let mut message_ids: BTreeMap<&str, &str> = BTreeMap::new();
    for a in &c.audiences {
        if !is_slug(&a.id) {
            out.push(err(
                format!("audience id `{}` is not a slug", a.id),
                src.span_of("id", &a.id),
                "use lowercase letters, digits and hyphens, such as `media-public`",
            ));
        }
        if !audience_ids.insert(a.id.as_str()) {
            let span = src
                .find_key_value("id", &a.id)
                .get(1)
                .map(|&o| Span::at_offset(&src.text, o));
            out.push(err(
                format!("audience id `{}` is used twice", a.id),
                span,
                "give each audience its own id",
            ));
        }
        if a.messages.is_empty() {
            out.push(err(
                format!("audience `{}` has no messages", a.id),
                src.span_of("id", &a.id),
                "add at least one message under `messages:`, or remove the audience",
            ));
        }
        for m in &a.messages {
            if !is_slug(&m.id) {
                out.push(err(
                    format!("message id `{}` is not a slug", m.id),
                    src.span_of("id", &m.id),
                    "use lowercase letters, digits and hyphens, such as `self-care`",
                ));
            }
            if let Some(first) = message_ids.insert(&m.id, &a.id) {
                let span = src
                    .find_key_value("id", &m.id)
                    .get(1)
                    .map(|&o| Span::at_offset(&src.text, o));
                out.push(err(
                    format!(
                        "message id `{}` is used twice (also in audience `{first}`)",
                        m.id
                    ),
                    span,
                    "give each message its own id; translations are matched by it",
                ));
            }
            check_text(
                &m.text,
                &format!("message `{}`", m.id),
                src,
                &m.id,
                &mut out,
            );
        }
    }
    check_text(&c.title, "the title", src, "", &mut out);
    check_text(&c.definition.text, "the definition", src, "", &mut out);
    out
}

fn check_text(text: &str, what: &str, src: &SourceFile, id: &str, out: &mut Vec<Diagnostic>) {
    if text.trim().is_empty() {
        out.push(
            Diagnostic::error(&src.path, format!("{what} is empty"))
                .with_span(if id.is_empty() {
                    None
                } else {
                    src.span_of("id", id)
                })
                .with_hint("write the text after `text:`"),
        );
    }
    if let Some(c) = text.chars().find(|&c| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{200B}' | '\u{FEFF}' | '\u{2028}' | '\u{2029}')
    }) {
        let offset = src.text.find(c);
        out.push(
            Diagnostic::error(
                &src.path,
                format!("{what} contains an invisible character U+{:04X}", c as u32),
            )
            .with_span(offset.map(|o| Span::at_offset(&src.text, o)))
            .with_hint("delete it (it often comes from pasting out of Word or a web page)"),
        );
    }
}

fn is_language_tag(s: &str) -> bool {
    let mut parts = s.split('-');
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn check_layout(l: &NamedLayout) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let src = &l.source;
    let (pw, ph) = l.page_dims();
    for (name, st) in &l.layout.styles {
        if st.size.0 <= 0.0 || st.leading() <= 0.0 {
            out.push(
                Diagnostic::error(
                    &src.path,
                    format!("style `{name}` needs a size and leading above zero"),
                )
                .with_span(
                    src.find_key_value(name, "")
                        .first()
                        .map(|&o| Span::at_offset(&src.text, o)),
                ),
            );
        }
    }
    for (key, len) in [
        ("bleed", l.layout.page.bleed),
        ("safe-margin", l.layout.page.safe_margin),
    ] {
        if len.0 < 0.0 {
            out.push(
                Diagnostic::error(&src.path, format!("`{key}` is below zero"))
                    .with_span(src.span_of(key, ""))
                    .with_hint("give a length of zero or more, such as 3mm"),
            );
        }
    }
    if let Some(m) = l.layout.page.margins
        && [m.top, m.right, m.bottom, m.left].iter().any(|v| *v < 0.0)
    {
        out.push(
            Diagnostic::error(&src.path, "a margin is below zero")
                .with_span(src.span_of("margins", ""))
                .with_hint("give lengths of zero or more, such as [25mm, 22mm, 25mm, 22mm]"),
        );
    }
    let check_blocks = |blocks: &[Block], place: &str, out: &mut Vec<Diagnostic>| {
        for b in blocks {
            let kinds = b.show.is_some() as u8 + b.rule.is_some() as u8 + b.space.is_some() as u8;
            let span = b
                .show
                .and_then(|s| {
                    let v = serde_yaml::to_string(&s).ok()?;
                    src.span_of("show", v.trim())
                })
                .or_else(|| src.span_of(place, ""));
            if kinds != 1 {
                out.push(
                    Diagnostic::error(
                        &src.path,
                        format!(
                            "a block in {place} must have exactly one of `show`, `rule` or `space`"
                        ),
                    )
                    .with_span(span.clone()),
                );
            }
            if b.show.is_some_and(|s| s != Show::Logo) && b.style.is_none() {
                out.push(
                    Diagnostic::error(
                        &src.path,
                        format!("a `show` block in {place} has no `style`"),
                    )
                    .with_span(span)
                    .with_hint("add `style:` with one of the layout's styles"),
                );
            }
        }
    };
    match l.layout.format {
        Format::Pdf => {
            if l.layout.sides.is_empty() {
                out.push(
                    Diagnostic::error(&src.path, "a PDF layout needs `sides` with panels")
                        .with_hint("add `sides:` with at least one side and its panels"),
                );
            }
            problems_of_print_geometry(l, &mut out);
            let mut used_flows = BTreeSet::new();
            let mut panel_names = BTreeSet::new();
            for side in &l.layout.sides {
                for (p, r) in side.panels.iter().zip(side.rects(pw, ph)) {
                    let span = src.span_of("name", &p.name);
                    if !panel_names.insert(p.name.clone()) {
                        out.push(
                            Diagnostic::error(
                                &src.path,
                                format!("panel name `{}` is used twice", p.name),
                            )
                            .with_span(
                                src.find_key_value("name", &p.name)
                                    .get(1)
                                    .map(|&o| src.span_at(o))
                                    .or(span.clone()),
                            )
                            .with_hint("give each panel its own name"),
                        );
                    }
                    let eps = 0.01;
                    if r.w <= 0.0
                        || r.h <= 0.0
                        || r.x < -eps
                        || r.y < -eps
                        || r.x + r.w > pw + eps
                        || r.y + r.h > ph + eps
                    {
                        out.push(
                            Diagnostic::error(
                                &src.path,
                                format!(
                                    "panel `{}` ({:.1} × {:.1} mm at {:.1}, {:.1} mm) does not fit on the {:.1} × {:.1} mm page",
                                    p.name,
                                    r.w / crate::units::MM,
                                    r.h / crate::units::MM,
                                    r.x / crate::units::MM,
                                    r.y / crate::units::MM,
                                    pw / crate::units::MM,
                                    ph / crate::units::MM
                                ),
                            )
                            .with_span(span.clone())
                            .with_hint("check x, y, width and height against the page size and orientation; leave out width or height to stretch to the page edge"),
                        );
                    }
                    if p.y.is_some() && p.y_from_bottom.is_some() && p.height.is_some() {
                        out.push(
                            Diagnostic::error(&src.path, format!("panel `{}` gives y, y-from-bottom and height; give at most two", p.name))
                                .with_span(span.clone()),
                        );
                    }
                    if p.padding.left + p.padding.right >= r.w
                        || p.padding.top + p.padding.bottom >= r.h
                    {
                        out.push(
                            Diagnostic::error(
                                &src.path,
                                format!("panel `{}` has padding larger than the panel", p.name),
                            )
                            .with_span(span.clone())
                            .with_hint("make the padding smaller"),
                        );
                    }
                    if let Some(f) = &p.flow {
                        used_flows.insert(f.as_str().to_string());
                    }
                    check_blocks(&p.content, &format!("panel `{}`", p.name), &mut out);
                    check_blocks(&p.bottom, &format!("panel `{}`", p.name), &mut out);
                }
            }
            for (name, flow) in &l.layout.flows {
                let blocks = &flow.blocks;
                if !used_flows.contains(name) {
                    out.push(
                        Diagnostic::error(
                            &src.path,
                            format!("flow `{name}` is not placed in any panel"),
                        )
                        .with_span(
                            src.find_key_value(name, "")
                                .first()
                                .map(|&o| Span::at_offset(&src.text, o)),
                        )
                        .with_hint(format!("add `flow: {name}` to the panels it should fill")),
                    );
                }
                check_blocks(blocks, &format!("flow `{name}`"), &mut out);
            }
        }
        Format::Docx => {
            if l.layout.content.is_empty() {
                out.push(
                    Diagnostic::error(&src.path, "a DOCX layout needs `content`")
                        .with_hint("list the blocks of the handout under `content:`"),
                );
            }
            check_blocks(&l.layout.content, "content", &mut out);
            check_blocks(&l.layout.footer, "footer", &mut out);
            if l.layout
                .content
                .iter()
                .chain(&l.layout.footer)
                .any(|b| b.show == Some(Show::Logo))
            {
                out.push(
                    Diagnostic::error(
                        &src.path,
                        "`show: logo` is for PDF layouts; a DOCX handout keeps to text",
                    )
                    .with_span(src.span_of("show", "logo"))
                    .with_hint("remove the logo block from this layout"),
                );
            }
            if let Some(m) = l.layout.page.margins
                && (m.left + m.right >= pw || m.top + m.bottom >= ph)
            {
                out.push(
                    Diagnostic::error(&src.path, "the margins are larger than the page")
                        .with_span(src.span_of("margins", ""))
                        .with_hint(
                            "make the margins smaller; they are [top, right, bottom, left], such as [25mm, 22mm, 25mm, 22mm]",
                        ),
                );
            }
        }
    }
    out
}

/// Print rules a layout's geometry must follow: text inside the safe margin, and
/// panels that fold the way the layout says.
fn problems_of_print_geometry(l: &NamedLayout, out: &mut Vec<Diagnostic>) {
    let src = &l.source;
    let (pw, ph) = l.page_dims();
    let safe = l.layout.page.safe_margin.0;
    let mm = crate::units::MM;
    for side in &l.layout.sides {
        for (p, r) in side.panels.iter().zip(side.rects(pw, ph)) {
            let has_text =
                p.flow.is_some() || p.content.iter().chain(&p.bottom).any(|b| b.show.is_some());
            let (x0, y0) = (r.x + p.padding.left, r.y + p.padding.top);
            let (x1, y1) = (r.x + r.w - p.padding.right, r.y + r.h - p.padding.bottom);
            let closest = x0.min(y0).min(pw - x1).min(ph - y1);
            if has_text && closest < safe - 0.01 {
                out.push(
                    Diagnostic::error(
                        &src.path,
                        format!(
                            "panel `{}` lets text come {:.1} mm from the trim edge, inside the {:.1} mm safe margin",
                            p.name,
                            closest / mm,
                            safe / mm
                        ),
                    )
                    .with_span(src.span_of("name", &p.name))
                    .with_hint("increase the panel's padding on the side that touches the page edge"),
                );
            }
        }
    }
    let Some(fold) = &l.layout.page.fold else {
        return;
    };
    let span = src.span_of("fold", "");
    let widths: Vec<Vec<f32>> = l
        .layout
        .sides
        .iter()
        .map(|s| {
            let mut rs = s.rects(pw, ph);
            rs.sort_by(|a, b| a.x.total_cmp(&b.x));
            rs.iter().map(|r| r.w).collect()
        })
        .collect();
    let by = fold.fold_in_narrower_by.0;
    let fmt = |w: &[f32]| {
        w.iter()
            .map(|x| format!("{:.1}", x / mm))
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let problem = match widths.as_slice() {
        [front, back] if front.len() >= 3 && front.len() == back.len() => {
            let mirrored: Vec<f32> = back.iter().rev().copied().collect();
            let full = front[1..].iter().copied().fold(f32::MIN, f32::max);
            if front.iter().zip(&mirrored).any(|(a, b)| (a - b).abs() > 0.1) {
                Some(format!(
                    "the two sides' panels must mirror each other for a roll fold: front {} mm, back {} mm",
                    fmt(front),
                    fmt(back)
                ))
            } else if (full - front[0] - by).abs() > 0.3 * mm || front[1..].iter().any(|w| (w - full).abs() > 0.1) {
                Some(format!(
                    "for a roll fold the first panel of the front side (it folds in) is {:.1} mm narrower than the others; here the widths are {} mm",
                    by / mm,
                    fmt(front)
                ))
            } else {
                None
            }
        }
        _ => Some("a roll fold needs two sides with the same number (three or more) of side-by-side panels".to_string()),
    };
    if let Some(msg) = problem {
        out.push(Diagnostic::error(&src.path, msg).with_span(span).with_hint(
            "make the fold-in panel narrower by the fold's amount and the sides mirror images",
        ));
    }
}

/// Characters the fonts cannot draw, per language: an error naming the language,
/// the text's id and the character, found before any layout is tried.
fn check_coverage(
    fonts: &FontBook,
    content: &Content,
    content_src: &SourceFile,
    translations: &[crate::translate::Translation],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Each distinct character is looked up in the fonts once: a large content
    // repeats the same few hundred characters millions of times.
    let mut known: std::collections::HashMap<char, Option<&str>> = Default::default();
    let mut check =
        |lang: &str, id: &dyn Fn() -> String, text: &str, src: &SourceFile, span: Option<Span>| {
            let mut missing: Vec<(char, &str)> = Vec::new();
            for c in text.chars() {
                let face = *known.entry(c).or_insert_with(|| {
                    fonts
                        .faces
                        .iter()
                        .find(|f| !f.covers(c))
                        .map(|f| f.file.as_str())
                });
                if let Some(face) = face
                    && !missing.iter().any(|m| m.0 == c)
                {
                    missing.push((c, face));
                }
            }
            missing.sort_unstable();
            for (c, face) in missing {
                out.push(
                Diagnostic::error(
                    &src.path,
                    format!(
                        "{lang}: `{}` has `{c}` (U+{:04X}), which the font `{face}` cannot draw",
                        id(),
                        c as u32
                    ),
                )
                .with_span(
                    span.clone()
                        .or_else(|| src.text.find(c).map(|o| Span::at_offset(&src.text, o))),
                )
                .with_hint(
                    "replace the character, or add fonts that cover it to fonts/ and brand.yaml",
                ),
            );
            }
        };
    crate::translate::each_unit(content, |id, text, _| {
        check(&content.language, id, text, content_src, None)
    });
    for t in translations {
        for (id, e) in &t.texts {
            check(
                &t.language,
                &|| id.clone(),
                &e.text,
                &t.source,
                t.span_of(id),
            );
        }
    }
    out
}

/// Largest logo accepted, in pixels per side: a bigger one is a mistake and would
/// cost memory in every job.
const MAX_LOGO_PX: u32 = 8000;

fn load_logo(file: &str, brand: &SourceFile, layouts_dir: &Path) -> Result<Logo, Diagnostic> {
    let span = brand.span_of("logo", file);
    let path = Path::new(file);
    if path.is_absolute()
        || path
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        return Err(Diagnostic::error(
            &brand.path,
            format!("logo path `{file}` leaves the project folder"),
        )
        .with_span(span)
        .with_hint("put the logo in the layouts folder and give a path inside it"));
    }
    let full = layouts_dir.join(path);
    crate::source::outside_link(&full, layouts_dir).map_err(|d| {
        let mut e = Diagnostic::error(&brand.path, d.message).with_span(span.clone());
        e.hint = d.hint;
        e
    })?;
    let bytes = std::fs::read(&full).map_err(|e| {
        Diagnostic::error(
            &brand.path,
            format!(
                "cannot read logo `{}`: {}",
                full.display(),
                crate::text::lower_first(&e.to_string())
            ),
        )
        .with_span(span.clone())
        .with_hint("check the file name, or remove `logo:`")
    })?;
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(Diagnostic::error(
            &brand.path,
            format!("logo `{}` is not a PNG image", full.display()),
        )
        .with_span(span)
        .with_hint("export the logo as PNG"));
    }
    let dims = (bytes.len() >= 24 && &bytes[12..16] == b"IHDR").then(|| {
        let be =
            |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        (be(16), be(20))
    });
    let broken = || {
        Diagnostic::error(
            &brand.path,
            format!("logo `{}` is a damaged PNG file", full.display()),
        )
        .with_span(span.clone())
        .with_hint("export the logo again as PNG")
    };
    let (w, h) = dims.ok_or_else(broken)?;
    if w == 0 || h == 0 || w > MAX_LOGO_PX || h > MAX_LOGO_PX {
        return Err(Diagnostic::error(
            &brand.path,
            format!(
                "logo `{}` is {w} × {h} pixels; leafpress takes up to {MAX_LOGO_PX} per side",
                full.display()
            ),
        )
        .with_span(span)
        .with_hint("scale the logo down (about 1500 pixels wide is plenty for print)"));
    }
    // Decode it once now, so a damaged file is an input error, not a failed job.
    printpdf::RawImage::decode_from_bytes(&bytes, &mut Vec::new()).map_err(|_| broken())?;
    Ok(Logo {
        png: bytes.into(),
        width_px: w,
        height_px: h,
    })
}
