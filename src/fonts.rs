//! The `FontBook`: the font files a batch uses, read and parsed once, shared by
//! every job. Fonts come only from the project's `fonts/` folder.

use crate::diag::Diagnostic;
use crate::layout::{Brand, Weight};
use crate::source::SourceFile;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// Index of a face in the book.
pub type FaceId = usize;

pub struct Face {
    /// File name inside `fonts/`.
    pub file: String,
    /// The family name, for DOCX styles.
    pub family: String,
    pub data: Arc<[u8]>,
    /// fontdue's parse: glyph coverage, line metrics, rasterising.
    pub metrics: fontdue::Font,
    pub units_per_em: f32,
    /// Ascender and descender in ems (descender negative).
    pub ascent: f32,
    pub descent: f32,
    pub bold: bool,
    pub italic: bool,
}

impl Face {
    /// A shaper view of the face (cheap: it borrows the bytes).
    pub fn shaper(&self) -> Option<rustybuzz::Face<'_>> {
        rustybuzz::Face::from_slice(&self.data, 0)
    }

    pub fn covers(&self, c: char) -> bool {
        c.is_whitespace() || c.is_control() || self.metrics.has_glyph(c)
    }
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Face").field("file", &self.file).finish()
    }
}

#[derive(Debug, Default)]
pub struct FontBook {
    pub faces: Vec<Face>,
    /// (role, bold, italic) -> face.
    by_role: BTreeMap<(String, bool, bool), FaceId>,
}

impl FontBook {
    /// Loads every face the brand names from `fonts_dir`. Problems are reported
    /// against `brand.yaml`, where the file names are written.
    pub fn load(
        brand: &Brand,
        brand_src: &SourceFile,
        fonts_dir: &Path,
    ) -> Result<FontBook, Vec<Diagnostic>> {
        let mut book = FontBook::default();
        let mut by_file: BTreeMap<String, FaceId> = BTreeMap::new();
        let mut failed: Vec<String> = Vec::new();
        let mut problems = Vec::new();
        for (role, fam) in &brand.fonts {
            let variants = [
                (&fam.regular, false, false, "regular"),
                (&fam.bold, true, false, "bold"),
                (&fam.italic, false, true, "italic"),
                (&fam.bold_italic, true, true, "bold-italic"),
            ];
            for (file, bold, italic, key) in variants {
                if failed.contains(file) {
                    continue;
                }
                let id = match by_file.get(file) {
                    Some(&id) => id,
                    None => match load_face(file, &fam.family, bold, italic, fonts_dir) {
                        Ok(face) => {
                            book.faces.push(face);
                            by_file.insert(file.clone(), book.faces.len() - 1);
                            book.faces.len() - 1
                        }
                        Err((msg, hint)) => {
                            failed.push(file.clone());
                            problems.push(
                                Diagnostic::error(&brand_src.path, msg)
                                    .with_span(brand_src.span_of(key, file))
                                    .with_hint(hint),
                            );
                            continue;
                        }
                    },
                };
                book.by_role.insert((role.clone(), bold, italic), id);
            }
        }
        if problems.is_empty() {
            Ok(book)
        } else {
            Err(problems)
        }
    }

    pub fn face_for(&self, role: &str, weight: Weight, italic: bool) -> Option<FaceId> {
        self.by_role
            .get(&(role.to_string(), weight == Weight::Bold, italic))
            .copied()
    }

    pub fn face(&self, id: FaceId) -> &Face {
        &self.faces[id]
    }
}

fn load_face(
    file: &str,
    family: &str,
    bold: bool,
    italic: bool,
    fonts_dir: &Path,
) -> Result<Face, (String, String)> {
    // A font name is a file inside fonts/, never a path elsewhere on the machine.
    if file.is_empty() || file.contains(['/', '\\']) || file == ".." || file == "." {
        return Err((
            format!("font `{file}` must be a file name inside the fonts folder, not a path"),
            "copy the font into `fonts/` and give just its file name".into(),
        ));
    }
    let path = fonts_dir.join(file);
    let data = std::fs::read(&path).map_err(|e| {
        (
            format!(
                "cannot read font file `{}`: {}",
                path.display(),
                crate::source::lower_first(&e.to_string())
            ),
            "put the .ttf or .otf file in the fonts folder, or correct the name".into(),
        )
    })?;
    let not_a_font = |why: &str| {
        (
            format!("`{}` is not a usable font file ({why})", path.display()),
            "use a TrueType (.ttf) or OpenType (.otf) font file".into(),
        )
    };
    if rustybuzz::Face::from_slice(&data, 0).is_none() {
        return Err(not_a_font("it could not be parsed"));
    }
    let metrics = fontdue::Font::from_bytes(data.as_slice(), fontdue::FontSettings::default())
        .map_err(not_a_font)?;
    let lm = metrics
        .horizontal_line_metrics(1.0)
        .ok_or_else(|| not_a_font("it has no horizontal metrics"))?;
    let units_per_em = metrics.units_per_em();
    Ok(Face {
        file: file.to_string(),
        family: family.to_string(),
        data: Arc::from(data),
        metrics,
        units_per_em,
        ascent: lm.ascent,
        descent: lm.descent,
        bold,
        italic,
    })
}
