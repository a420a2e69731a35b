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
    /// The font file's bytes. Kept for the life of the process (they are read once
    /// per batch), which lets the parsed shaper face below borrow them.
    pub data: &'static [u8],
    /// rustybuzz's parse of the face, made once.
    shaper: rustybuzz::Face<'static>,
    /// Shaping plans by (script, direction, language): compiling one costs more
    /// than shaping a word, and a batch shapes thousands of words.
    plans: std::sync::Mutex<std::collections::HashMap<String, Arc<rustybuzz::ShapePlan>>>,
    /// Code points the face maps to a glyph (from its cmap).
    coverage: std::collections::HashSet<u32>,
    /// fontdue's parse, for rasterising previews: made on first use, since parsing
    /// every outline costs more than a whole small batch.
    raster: std::sync::OnceLock<Option<fontdue::Font>>,
    pub units_per_em: f32,
    /// Ascender and descender in ems (descender negative).
    pub ascent: f32,
    pub descent: f32,
    pub bold: bool,
    pub italic: bool,
}

impl Face {
    /// The face for shaping.
    pub fn shaper(&self) -> &rustybuzz::Face<'static> {
        &self.shaper
    }

    /// The shaping plan for a buffer's script, direction and language.
    pub fn plan(
        &self,
        buf: &rustybuzz::UnicodeBuffer,
        language: Option<&rustybuzz::Language>,
    ) -> Arc<rustybuzz::ShapePlan> {
        let key = format!(
            "{:?}/{:?}/{}",
            buf.script(),
            buf.direction(),
            language.map(|l| l.as_str()).unwrap_or("")
        );
        let mut plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
        plans
            .entry(key)
            .or_insert_with(|| {
                Arc::new(rustybuzz::ShapePlan::new(
                    &self.shaper,
                    buf.direction(),
                    Some(buf.script()),
                    language,
                    &[],
                ))
            })
            .clone()
    }

    pub fn covers(&self, c: char) -> bool {
        c.is_whitespace() || c.is_control() || self.coverage.contains(&(c as u32))
    }

    /// fontdue's view of the face, for drawing glyphs.
    pub fn rasteriser(&self) -> Option<&fontdue::Font> {
        self.raster
            .get_or_init(|| {
                fontdue::Font::from_bytes(self.data, fontdue::FontSettings::default()).ok()
            })
            .as_ref()
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

/// The bytes of a font file, kept for the life of the process so parsed faces
/// can borrow them; the same file loaded again (each `watch` rebuild, each
/// check in a long-running process) reuses the first copy instead of keeping
/// another.
fn interned(data: Vec<u8>) -> &'static [u8] {
    use sha2::{Digest, Sha256};
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static FONTS: OnceLock<Mutex<HashMap<[u8; 32], &'static [u8]>>> = OnceLock::new();
    let key: [u8; 32] = Sha256::digest(&data).into();
    let mut map = FONTS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    map.entry(key)
        .or_insert_with(|| Box::leak(data.into_boxed_slice()))
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
    let data = interned(data);
    let parsed = rustybuzz::ttf_parser::Face::parse(data, 0)
        .map_err(|_| not_a_font("it could not be parsed"))?;
    if parsed.tables().hmtx.is_none() || parsed.tables().cmap.is_none() {
        return Err(not_a_font("it has no character map or horizontal metrics"));
    }
    let units_per_em = parsed.units_per_em() as f32;
    let mut coverage = std::collections::HashSet::new();
    if let Some(cmap) = parsed.tables().cmap {
        for sub in cmap.subtables.into_iter().filter(|s| s.is_unicode()) {
            sub.codepoints(|cp| {
                if sub.glyph_index(cp).is_some_and(|g| g.0 != 0) {
                    coverage.insert(cp);
                }
            });
        }
    }
    // Line metrics as fontdue reports them: hhea ascender and descender, in ems.
    let (ascent, descent) = (
        parsed.ascender() as f32 / units_per_em,
        parsed.descender() as f32 / units_per_em,
    );
    Ok(Face {
        file: file.to_string(),
        family: family.to_string(),
        data,
        shaper: rustybuzz::Face::from_slice(data, 0)
            .ok_or_else(|| not_a_font("it could not be parsed for shaping"))?,
        plans: Default::default(),
        coverage,
        raster: std::sync::OnceLock::new(),
        units_per_em,
        ascent,
        descent,
        bold,
        italic,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_metrics_and_coverage_agree_with_fontdue() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
        let face = load_face("NotoSans-Regular.ttf", "Noto Sans", false, false, &dir).unwrap();
        let fd = face.rasteriser().unwrap();
        let lm = fd.horizontal_line_metrics(1.0).unwrap();
        assert!((lm.ascent - face.ascent).abs() < 1e-4 && (lm.descent - face.descent).abs() < 1e-4);
        assert_eq!(fd.units_per_em(), face.units_per_em);
        for c in ['A', 'é', 'œ', '\u{202f}', '€', 'Ж', '☃', '中'] {
            assert_eq!(face.covers(c), fd.has_glyph(c), "{c}");
        }
    }
}
