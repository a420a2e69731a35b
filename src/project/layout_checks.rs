//! Checking a layout against the rules a print shop and the content impose:
//! blocks that show what exists, flows and panels that meet, text inside the
//! safe margin, panels that fold the way the layout says.

use super::NamedLayout;
use crate::diag::{Diagnostic, Span};
use crate::layout::{Block, Format, Show};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// `name -> path` of every layout file (`*.yaml`, `*.yml`) except `brand.yaml`, sorted.
pub(super) fn layout_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, Diagnostic> {
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

/// `reading-order`, when given, names each panel once: a panel left out
/// would have no place for a screen reader, a name twice two places.
fn check_reading_order(l: &NamedLayout, panels: &BTreeSet<String>, out: &mut Vec<Diagnostic>) {
    let order = &l.layout.reading_order;
    if order.is_empty() {
        return;
    }
    let src = &l.source;
    let key = src.find_key_value("reading-order", "").first().copied();
    // The name's own place on the `reading-order` line, else the key's.
    let at = |name: &str| {
        key.and_then(|k| {
            let line_end = src.text[k..].find('\n').map_or(src.text.len(), |e| k + e);
            src.text[k..line_end].find(name).map(|i| src.span_at(k + i))
        })
        .or_else(|| key.map(|k| src.span_at(k)))
    };
    let listed = panels
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    let mut seen = BTreeSet::new();
    for name in order {
        if !panels.contains(name) {
            let mut d = Diagnostic::error(
                &src.path,
                format!("`reading-order` names `{name}`, which is not a panel of this layout"),
            )
            .with_span(at(name));
            d = match crate::diag::did_you_mean(name, panels.iter().map(String::as_str)) {
                Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                None => d.with_hint(format!("the panels are: {listed}")),
            };
            out.push(d);
        } else if !seen.insert(name.as_str()) {
            out.push(
                Diagnostic::error(
                    &src.path,
                    format!("`reading-order` names panel `{name}` twice"),
                )
                .with_span(at(name))
                .with_hint("list each panel once, in the order a reader meets it"),
            );
        }
    }
    let missing: Vec<&str> = panels
        .iter()
        .map(String::as_str)
        .filter(|p| !order.iter().any(|o| o == p))
        .collect();
    if !missing.is_empty() {
        out.push(
            Diagnostic::error(
                &src.path,
                format!(
                    "`reading-order` leaves out {}: {}",
                    if missing.len() == 1 { "a panel" } else { "panels" },
                    missing.join(", ")
                ),
            )
            .with_span(key.map(|k| src.span_at(k)))
            .with_hint("list every panel once, in the order a reader meets it (or leave `reading-order` out to read sides and panels in file order)"),
        );
    }
}

pub(super) fn check_layout(l: &NamedLayout) -> Vec<Diagnostic> {
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
        // Bounds a justified line keeps to: in order, and letters that close
        // no more and open no more than a tenth of an em.
        let [least, natural, most] = st.word_spacing;
        let [close, open] = st.letter_spacing;
        for (key, bad, hint) in [
            (
                "word-spacing",
                !(0.0 < least && least <= natural && natural <= most),
                "give [min, natural, max] in multiples of the space, in that order, such as [0.8, 1.0, 1.33]",
            ),
            (
                "letter-spacing",
                !((-100.0..=0.0).contains(&close) && (0.0..=100.0).contains(&open)),
                "give [most closed, most opened] in 1/1000 em, from -100 to 0 and from 0 to 100, such as [0, 10]",
            ),
        ] {
            if bad {
                out.push(
                    Diagnostic::error(
                        &src.path,
                        format!("style `{name}`: `{key}` is out of order or range"),
                    )
                    .with_span(src.find_key_value(name, "").first().and_then(|&o| {
                        // The key inside this style's own mapping.
                        let at = o + src.text[o..].find(key)?;
                        Some(Span::at_offset(&src.text, at))
                    }))
                    .with_hint(hint),
                );
            }
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
    const QR_MIN: f32 = 20.0 * crate::units::MM;
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
            if b.show
                .is_some_and(|s| !matches!(s, Show::Logo | Show::Qr | Show::Image))
                && b.style.is_none()
            {
                out.push(
                    Diagnostic::error(
                        &src.path,
                        format!("a `show` block in {place} has no `style`"),
                    )
                    .with_span(span.clone())
                    .with_hint("add `style:` with one of the layout's styles"),
                );
            }
            // ISO/IEC 18004 sets no minimum, but print guidance does: under
            // 2 cm a phone must come too close to focus on the code.
            if b.show == Some(Show::Qr)
                && let Some(size) = b.size
                && size.0 < QR_MIN
            {
                out.push(
                    Diagnostic::error(
                        &src.path,
                        format!(
                            "the QR code in {place} is {:.1} mm, under the 20 mm a phone reads from a printed page",
                            size.0 / crate::units::MM
                        ),
                    )
                    .with_span(span)
                    .with_hint("give it `size: 20mm` or more (25mm reads easily)"),
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
                    if p.x_from_right.is_some() && (p.width.is_none() || p.x.0 != 0.0) {
                        out.push(
                            Diagnostic::error(
                                &src.path,
                                format!(
                                    "panel `{}` gives `x-from-right` without `width`, or with `x`",
                                    p.name
                                ),
                            )
                            .with_span(span.clone())
                            .with_hint("give `x-from-right` with `width`, and no `x`"),
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
            check_reading_order(l, &panel_names, &mut out);
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
            if l.layout.footer.iter().any(|b| b.show == Some(Show::Logo)) {
                out.push(
                    Diagnostic::error(
                        &src.path,
                        "`show: logo` in a handout's footer would repeat it on every page; put it in `content`",
                    )
                    .with_span(src.span_of("show", "logo"))
                    .with_hint("move the logo block from `footer` to `content`"),
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
pub(super) fn problems_of_print_geometry(l: &NamedLayout, out: &mut Vec<Diagnostic>) {
    let src = &l.source;
    let (pw, ph) = l.page_dims();
    let safe = l.layout.page.safe_margin.0;
    let mm = crate::units::MM;
    for side in &l.layout.sides {
        for (p, r) in side.panels.iter().zip(side.rects(pw, ph)) {
            // A picture with `bleed` is meant to reach the trim and beyond.
            let has_text = p.flow.is_some()
                || p.content
                    .iter()
                    .chain(&p.bottom)
                    .any(|b| b.show.is_some() && !(b.show == Some(Show::Image) && b.bleed));
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
