//! Jobs: every audience × language × layout the build should make, after the
//! command line's filters, each with its output path.

use crate::diag::{Diagnostic, Error, did_you_mean};
use crate::layout::Format;
use crate::project::Project;
use std::path::{Path, PathBuf};

/// Who a PDF is for: a print shop (CMYK, bleed, marks, PDF/X-4) or a screen
/// (sRGB, trimmed, clickable links).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    /// For a print shop: CMYK, bleed and marks, PDF/X-4.
    Print,
    /// For email and the web: sRGB, cut to size, links.
    Screen,
}

impl Variant {
    /// `print` or `screen`.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Print => "print",
            Variant::Screen => "screen",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
/// One output to make: an audience in a language through a layout.
pub struct Job {
    /// The audience's id.
    pub audience: String,
    /// The language (BCP 47).
    pub language: String,
    /// The layout's name.
    pub layout: String,
    /// PDF or DOCX.
    pub format: Format,
    /// For PDFs; a DOCX is the same for print and screen.
    pub variant: Option<Variant>,
    /// Relative to the output folder.
    pub output: PathBuf,
}

#[derive(Debug, Clone, Default)]
/// Which jobs a build makes. An empty list means all.
pub struct Filter {
    /// Audience ids to build.
    pub audiences: Vec<String>,
    /// Layout names to build.
    pub layouts: Vec<String>,
    /// PDF variants to make; empty means print.
    pub variants: Vec<Variant>,
    /// Languages to build; empty means the source and every translation.
    pub languages: Vec<String>,
}

/// Every job the filter selects, in plan order (language, audience, layout).
pub fn plan(p: &Project, filter: &Filter) -> Result<Vec<Job>, Error> {
    let planned = planned(p, filter)?;
    Ok((0..planned.len()).map(|i| planned.job(p, i)).collect())
}

/// The jobs of a build, each kept as indices and made a [`Job`] when it runs:
/// 30,000 jobs held as `Job`s took 8 MB, as keys they take 360 KB.
pub struct Plan {
    languages: Vec<String>,
    keys: Vec<Key>,
}

#[derive(Clone, Copy)]
struct Key {
    audience: u32,
    language: u16,
    layout: u16,
    variant: Option<Variant>,
}

impl Plan {
    /// How many jobs.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Whether any job makes a print PDF.
    pub fn has_print(&self) -> bool {
        self.keys.iter().any(|k| k.variant == Some(Variant::Print))
    }

    /// Job `i`, with its output path.
    pub fn job(&self, p: &Project, i: usize) -> Job {
        let k = self.keys[i];
        let l = &p.layouts[k.layout as usize];
        let (language, audience, path) = self.parts(p, i);
        Job {
            audience: audience.to_string(),
            language: language.to_string(),
            layout: l.name.clone(),
            format: l.layout.format,
            variant: k.variant,
            output: PathBuf::from(path.concat()),
        }
    }

    /// Job `i`'s language, audience and output path (as the pieces it is
    /// written from, `/` between folder and file), without building them.
    pub fn parts<'a>(&'a self, p: &'a Project, i: usize) -> (&'a str, &'a str, [&'a str; 8]) {
        let k = self.keys[i];
        let l = &p.layouts[k.layout as usize];
        let language = self.languages[k.language as usize].as_str();
        let audience = p.audiences.id(k.audience as usize);
        // Print files keep the plain name a print shop expects; screen files
        // say so, so the two never overwrite each other.
        let suffix = if k.variant == Some(Variant::Screen) {
            "-screen"
        } else {
            ""
        };
        let path = [
            language,
            "/",
            l.name.as_str(),
            "-",
            audience,
            suffix,
            ".",
            l.layout.format.extension(),
        ];
        (language, audience, path)
    }

    /// Shard `k` of `n`: every n-th job in output-path order, so each shard is
    /// the same on every machine that runs it.
    pub fn shard(&self, p: &Project, k: usize, n: usize) -> Plan {
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.sort_by_cached_key(|&i| self.job(p, i).output);
        let mut keys: Vec<(usize, Key)> = order
            .into_iter()
            .enumerate()
            .filter(|(r, _)| n > 0 && r % n == k.saturating_sub(1))
            .map(|(_, i)| (i, self.keys[i]))
            .collect();
        // Run in plan order, as an unsharded build does.
        keys.sort_by_key(|&(i, _)| i);
        Plan {
            languages: self.languages.clone(),
            keys: keys.into_iter().map(|(_, k)| k).collect(),
        }
    }
}

/// The first few of `names`, and how many more there are: a content of 1,000
/// audiences listed them all in one hint.
fn some_of(names: &[&str]) -> String {
    const SHOWN: usize = 12;
    match names.len().checked_sub(SHOWN) {
        Some(more) if more > 0 => format!("{}, and {more} more", names[..SHOWN].join(", ")),
        _ => names.join(", "),
    }
}

/// The jobs the filter selects, as a [`Plan`].
pub fn planned(p: &Project, filter: &Filter) -> Result<Plan, Error> {
    let mut problems = Vec::new();
    let layout_names: Vec<&str> = p.layouts.iter().map(|l| l.name.as_str()).collect();
    let mut unknown = |what: &str, name: &str, valid: &[&str], place: &Path| {
        let hint = match did_you_mean(name, valid.iter().copied()) {
            Some(s) => format!("did you mean `{s}`? (known: {})", some_of(valid)),
            None => format!("known {what}s: {}", some_of(valid)),
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
        if !p.has_audience(a) {
            let audience_ids: Vec<&str> = p.audiences.ids().collect();
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
    let languages: Vec<String> = std::iter::once(p.head.language.clone())
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
        return Err(Error::Arguments(problems));
    }
    let languages: Vec<String> = languages
        .into_iter()
        .filter(|language| {
            filter.languages.is_empty()
                || filter
                    .languages
                    .iter()
                    .any(|l| l.eq_ignore_ascii_case(language))
        })
        .collect();
    let mut keys = Vec::new();
    for (li, _) in languages.iter().enumerate() {
        for (ai, id) in p.audiences.ids().enumerate() {
            if !filter.audiences.is_empty() && !filter.audiences.iter().any(|a| a == id) {
                continue;
            }
            for (yi, l) in p.layouts.iter().enumerate() {
                if !filter.layouts.is_empty() && !filter.layouts.contains(&l.name) {
                    continue;
                }
                let variants: Vec<Option<Variant>> = match l.layout.format {
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
                    keys.push(Key {
                        audience: ai as u32,
                        language: li as u16,
                        layout: yi as u16,
                        variant,
                    });
                }
            }
        }
    }
    Ok(Plan { languages, keys })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_hint_lists_a_few_names_and_counts_the_rest() {
        assert_eq!(super::some_of(&["a", "b"]), "a, b");
        let many: Vec<String> = (0..1000).map(|i| format!("audience-{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let hint = super::some_of(&many);
        assert!(hint.starts_with("audience-0, audience-1, "), "{hint}");
        assert!(hint.ends_with("audience-11, and 988 more"), "{hint}");
        assert_eq!(super::some_of(&many[..12]).matches(", ").count(), 11);
    }
}
