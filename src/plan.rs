//! Jobs: every audience × language × layout the build should make, after the
//! command line's filters, each with its output path.

use crate::diag::{Diagnostic, Error, did_you_mean};
use crate::layout::Format;
use crate::model::Project;
use std::path::{Path, PathBuf};

/// Who a PDF is for: a print shop (CMYK, bleed, marks, PDF/X-4) or a screen
/// (sRGB, trimmed, clickable links).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    Print,
    Screen,
}

impl Variant {
    pub fn name(self) -> &'static str {
        match self {
            Variant::Print => "print",
            Variant::Screen => "screen",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub audience: String,
    pub language: String,
    pub layout: String,
    pub format: Format,
    /// For PDFs; a DOCX is the same for print and screen.
    pub variant: Option<Variant>,
    /// Relative to the output folder.
    pub output: PathBuf,
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub audiences: Vec<String>,
    pub layouts: Vec<String>,
    /// PDF variants to make; empty means print.
    pub variants: Vec<Variant>,
    /// Languages to build; empty means the source and every translation.
    pub languages: Vec<String>,
}

pub fn plan(p: &Project, filter: &Filter) -> Result<Vec<Job>, Error> {
    let mut problems = Vec::new();
    let audience_ids: Vec<&str> = p.content.audiences.iter().map(|a| a.id.as_str()).collect();
    let layout_names: Vec<&str> = p.layouts.iter().map(|l| l.name.as_str()).collect();
    let mut unknown = |what: &str, name: &str, valid: &[&str], place: &Path| {
        let hint = match did_you_mean(name, valid.iter().copied()) {
            Some(s) => format!("did you mean `{s}`? (known: {})", valid.join(", ")),
            None => format!("known {what}s: {}", valid.join(", ")),
        };
        problems.push(
            Diagnostic::error(
                place,
                format!("unknown {what} `{name}` on the command line"),
            )
            .with_hint(hint),
        );
    };
    for a in &filter.audiences {
        if !audience_ids.contains(&a.as_str()) {
            unknown("audience", a, &audience_ids, &p.content_src.path);
        }
    }
    for l in &filter.layouts {
        if !layout_names.contains(&l.as_str()) {
            unknown(
                "layout",
                l,
                &layout_names,
                p.brand_src.path.parent().unwrap_or(Path::new(".")),
            );
        }
    }
    let languages: Vec<String> = std::iter::once(p.content.language.clone())
        .chain(p.translations.iter().map(|t| t.language.clone()))
        .collect();
    let lang_names: Vec<&str> = languages.iter().map(|s| s.as_str()).collect();
    for l in &filter.languages {
        if !languages.iter().any(|x| x.eq_ignore_ascii_case(l)) {
            let hint = format!(
                "languages of this content: {} (a translation is content/translations/<lang>.yaml)",
                lang_names.join(", ")
            );
            problems.push(
                Diagnostic::error(
                    &p.content_src.path,
                    format!("there is no `{l}` version of the content"),
                )
                .with_hint(hint),
            );
        }
    }
    if !problems.is_empty() {
        return Err(Error::Input(problems));
    }
    let mut jobs = Vec::new();
    for language in &languages {
        if !filter.languages.is_empty()
            && !filter
                .languages
                .iter()
                .any(|l| l.eq_ignore_ascii_case(language))
        {
            continue;
        }
        jobs.extend(jobs_for(p, filter, language));
    }
    Ok(jobs)
}

fn jobs_for(p: &Project, filter: &Filter, language: &str) -> Vec<Job> {
    let language = language.to_string();
    let mut jobs = Vec::new();
    for a in &p.content.audiences {
        if !filter.audiences.is_empty() && !filter.audiences.contains(&a.id) {
            continue;
        }
        for l in &p.layouts {
            if !filter.layouts.is_empty() && !filter.layouts.contains(&l.name) {
                continue;
            }
            let format = l.layout.format;
            let variants: Vec<Option<Variant>> = match format {
                Format::Docx => vec![None],
                Format::Pdf if filter.variants.is_empty() => vec![Some(Variant::Print)],
                Format::Pdf => {
                    let mut v = filter.variants.clone();
                    v.sort();
                    v.dedup();
                    v.into_iter().map(Some).collect()
                }
            };
            for variant in variants {
                // Print files keep the plain name a print shop expects; screen
                // files say so, so the two never overwrite each other.
                let suffix = if variant == Some(Variant::Screen) {
                    "-screen"
                } else {
                    ""
                };
                let output = PathBuf::from(&language).join(format!(
                    "{}-{}{suffix}.{}",
                    l.name,
                    a.id,
                    format.extension()
                ));
                jobs.push(Job {
                    audience: a.id.clone(),
                    language: language.clone(),
                    layout: l.name.clone(),
                    format,
                    variant,
                    output,
                });
            }
        }
    }
    jobs
}
