//! The project: content, brand, layouts, fonts, logo and translations loaded
//! into one checked `Project`, every problem found on the way reported at once.
//! The checks of each input are modules of their own: `content_checks`,
//! `layout_checks`, `coverage` and `logo`.

mod content_checks;
mod contrast;
mod coverage;
mod layout_checks;
mod logo;
mod pictures;

use crate::content::{AudienceText, Audiences, Head};
use crate::diag::{Diagnostic, Error};
use crate::fonts::FontBook;
use crate::layout::{Brand, Layout, Names, Orientation, with_names};
use crate::source::SourceFile;
use content_checks::load_content;
use coverage::check_coverage;
use layout_checks::{check_layout, layout_files};
use logo::{load_logo, missing_alt};
pub(crate) use pictures::{From as PictureFrom, place as picture_place};
use std::path::PathBuf;

/// Where a project's inputs live.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The folder holding `messages.yaml` and `translations/`.
    pub content: PathBuf,
    /// The folder holding `brand.yaml` and the layouts.
    pub layouts: PathBuf,
    /// The folder holding the font files.
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
    /// The PNG file, read and measured.
    pub picture: std::sync::Arc<crate::picture::Picture>,
    /// What it shows, for those who cannot see it; empty: decorative.
    pub alt: String,
}

/// Every input, loaded and checked: content, translations, brand, layouts, fonts, logo.
pub struct Project {
    /// What the content says besides its audiences.
    pub(crate) head: Head,
    /// The audiences: parsed, or left on disk for a large content.
    pub(crate) audiences: Audiences,
    pub(crate) content_src: SourceFile,
    pub(crate) brand: Brand,
    pub(crate) brand_src: SourceFile,
    pub(crate) layouts: Vec<NamedLayout>,
    pub(crate) fonts: FontBook,
    /// The brand logo (PNG bytes) and its size in pixels.
    pub(crate) logo: Option<Logo>,
    /// Translations of the content, one per language.
    pub(crate) translations: Vec<crate::translate::Translation>,
    /// Problems that do not stop a build.
    pub(crate) warnings: Vec<Diagnostic>,
    /// What the jobs of a build remember between them (shaped words, font
    /// subsets, glyphs drawn, ...), under one bound.
    pub(crate) caches: crate::cache::Caches,
    /// Where each audience is in content order, by id: each job finds its own
    /// without a scan (a scan per job made a batch quadratic in the number of
    /// audiences).
    audience_at: std::collections::HashMap<Box<str>, usize>,
    /// Where the inputs are: pictures are read from there when a job needs them.
    pub(crate) paths: Paths,
}

impl Project {
    /// A font face the project's pages name by id (its file, its metrics).
    pub fn face(&self, id: crate::fonts::FaceId) -> &crate::fonts::Face {
        self.fonts.face(id)
    }

    /// What the content says besides its audiences (title, definition, ...).
    pub fn head(&self) -> &Head {
        &self.head
    }

    /// Audience ids in content order.
    pub fn audience_ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.audiences.ids()
    }

    /// The content's language, then each translation's.
    pub fn languages(&self) -> Vec<&str> {
        std::iter::once(self.head.language.as_str())
            .chain(self.translations.iter().map(|t| t.language.as_str()))
            .collect()
    }

    /// The layouts' names (their file stems), in name order.
    pub fn layout_names(&self) -> impl Iterator<Item = &str> + '_ {
        self.layouts.iter().map(|l| l.name.as_str())
    }

    /// Problems that do not stop a build (shown before it).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The layout of this name.
    pub(crate) fn layout(&self, name: &str) -> Option<&NamedLayout> {
        self.layouts.iter().find(|l| l.name == name)
    }

    /// The place of the audience with this id, in content order.
    pub(crate) fn audience_index(&self, id: &str) -> Option<usize> {
        self.audience_at.get(id).copied()
    }

    /// The audience with this id; an error if it was read back from disk and
    /// the file changed since it was checked.
    pub(crate) fn audience(&self, id: &str) -> Option<Result<AudienceText<'_>, String>> {
        let i = *self.audience_at.get(id)?;
        Some(self.audiences.get(i))
    }

    /// Whether the audience exists.
    pub fn has_audience(&self, id: &str) -> bool {
        self.audience_at.contains_key(id)
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
                let src = match SourceFile::read_inside_all(&path, &paths.layouts) {
                    Ok((s, unwanted)) => {
                        problems.extend(unwanted);
                        s
                    }
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
    let mut brand_problems = Vec::new();
    let brand =
        SourceFile::read_inside_all(&brand_path, &paths.layouts).and_then(|(src, unwanted)| {
            brand_problems.extend(unwanted);
            let b: Brand = src.parse()?;
            Ok((b, src))
        });
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
    if let Some((b, src)) = &brand
        && let Some(spec) = &b.image
    {
        brand_problems.extend(pictures::check_spec(spec, src, "layouts"));
    }
    let logo = brand.as_ref().and_then(|(b, src)| {
        let spec = b.logo.as_ref()?;
        brand_problems.extend(missing_alt(spec, &b.organisation, src));
        load_logo(spec, src, &paths.layouts)
            .map_err(|d| brand_problems.push(d))
            .ok()
    });

    problems.extend(brand_problems);
    problems.extend(layout_problems);
    if let Some((b, _)) = &brand {
        for l in &layouts {
            problems.extend(contrast::check_contrast(l, b));
        }
    }

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
            let (head, parsed) = content.split();
            let audiences = match streamed {
                Some(file) => Audiences::OnDisk(file),
                None => Audiences::Parsed(parsed),
            };
            let audience_at = audiences
                .ids()
                .enumerate()
                .map(|(i, id)| (id.into(), i))
                .collect();
            Ok(Project {
                audience_at,
                audiences,
                head,
                content_src,
                brand,
                brand_src,
                layouts,
                fonts,
                logo,
                translations,
                warnings,
                caches: Default::default(),
                paths: paths.clone(),
            })
        }
        _ => Err(Error::Input(errors.into_iter().chain(warnings).collect())),
    }
}

#[cfg(test)]
mod tests {
    use crate::content::Content;
    use crate::layout::{Brand, Layout};
    use crate::source::SourceFile;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_bytes_as_yaml_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            let src = SourceFile::new(std::path::Path::new("x.yaml"), String::from_utf8_lossy(&bytes).into_owned());
            let _ = src.parse::<Content>();
            let _ = src.parse::<Layout>();
            let _ = src.parse::<Brand>();
            let _ = src.span_of("id", "x");
        }

        #[test]
        fn yaml_like_text_never_panics(s in "(id|text|audiences|messages|- |: |\\{|\\}|\\[|\\]|&a|\\*a|\"|'|\n|  |[a-z]{1,5}|[0-9]{1,3}mm){0,80}") {
            let src = SourceFile::new(std::path::Path::new("x.yaml"), s);
            let _ = src.parse::<Content>();
            let _ = src.parse::<Layout>();
        }
    }
}
