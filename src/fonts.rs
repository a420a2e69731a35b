//! The `FontBook`: the font files a batch uses, read and parsed once, shared by
//! every job, and shaping text in them (rustybuzz). Fonts come only from the
//! project's `fonts/` folder.

use crate::cache::{Caches, Kind};
use crate::diag::Diagnostic;
use crate::layout::{Brand, Weight};
use crate::source::SourceFile;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// Index of a face in the book.
pub type FaceId = usize;

/// A font face: its file in `fonts/` and its metrics.
pub struct Face {
    /// File name inside `fonts/`.
    pub file: String,
    /// The font file's bytes and rustybuzz's parse of them, made once.
    parsed: Parsed,
    /// BLAKE3 of the file: names the face in fingerprints and caches. It is
    /// found for every font on every run, and BLAKE3 took a third of the time
    /// SHA-256 did over the shipped 2.2 MB of fonts.
    pub digest: [u8; 32],
    /// Font units per em: glyph advances are in these.
    pub units_per_em: f32,
    /// Ascender in ems.
    pub ascent: f32,
    /// Descender in ems (negative).
    pub descent: f32,
    /// Which of U+0000 to U+07FF (Latin, Greek, Cyrillic, Hebrew, Arabic's
    /// first block) the face covers, looked up once: font fallback asks for
    /// every character of every paragraph.
    near: Box<[u64; 32]>,
}

self_cell::self_cell!(
    /// A font file's bytes, and rustybuzz's parse, which borrows them.
    struct Parsed {
        owner: Vec<u8>,
        #[covariant]
        dependent: Shaper,
    }
);

type Shaper<'a> = rustybuzz::Face<'a>;

/// Words shaped before, by (face, language and text), in font units: a batch
/// sets the same words again and again (each audience, each layout, each try
/// at balancing columns), and shaping was a fifth of a job's time.
struct ShapedWords;

impl Kind for ShapedWords {
    /// The face's digest, and the language and text with a NUL between them.
    type Key = ([u8; 32], Box<str>);
    type Value = Arc<[ShapedGlyph]>;
    fn cost(key: &Self::Key, value: &Self::Value) -> usize {
        64 + key.1.len() + std::mem::size_of_val(&value[..])
    }
}

/// Shaping plans by (face, script, direction, language): compiling one costs
/// more than shaping a word.
struct ShapePlans;

impl Kind for ShapePlans {
    type Key = ([u8; 32], String);
    type Value = Arc<rustybuzz::ShapePlan>;
    fn cost(_: &Self::Key, _: &Self::Value) -> usize {
        4 << 10
    }
}

/// One glyph of shaped text, in font units.
#[derive(Debug, Clone, Copy)]
pub struct ShapedGlyph {
    pub id: u16,
    /// Byte offset in the text of the cluster the glyph belongs to.
    pub cluster: u32,
    pub x_advance: i32,
    pub x_offset: i32,
}

impl Face {
    /// The font file's bytes.
    pub fn data(&self) -> &[u8] {
        self.parsed.borrow_owner()
    }

    /// Shapes `text` (with kerning and the language's forms), from `caches`
    /// when the same text was shaped before. `rtl` sets it right to left
    /// (its bidi level is odd): the glyphs come in display order, the
    /// text's end first. Otherwise the direction is the script's.
    pub fn shape(
        &self,
        text: &str,
        language: &str,
        rtl: bool,
        caches: &Caches,
    ) -> Arc<[ShapedGlyph]> {
        let dir = if rtl { "<" } else { "" };
        let key = (
            self.digest,
            format!("{dir}{language}\0{text}").into_boxed_str(),
        );
        caches.get_or_make::<ShapedWords>(key, |_| self.shape_now(text, language, rtl, caches))
    }

    fn shape_now(
        &self,
        text: &str,
        language: &str,
        rtl: bool,
        caches: &Caches,
    ) -> Arc<[ShapedGlyph]> {
        let mut buf = rustybuzz::UnicodeBuffer::new();
        buf.push_str(text);
        let lang: Option<rustybuzz::Language> = language.parse().ok();
        if let Some(l) = &lang {
            buf.set_language(l.clone());
        }
        buf.guess_segment_properties();
        if rtl {
            buf.set_direction(rustybuzz::Direction::RightToLeft);
        }
        let plan = self.plan(&buf, lang.as_ref(), caches);
        let out = rustybuzz::shape_with_plan(self.shaper(), &plan, buf);
        let glyphs: Arc<[ShapedGlyph]> = out
            .glyph_infos()
            .iter()
            .zip(out.glyph_positions())
            .map(|(info, pos)| ShapedGlyph {
                id: info.glyph_id as u16,
                cluster: info.cluster,
                x_advance: pos.x_advance,
                x_offset: pos.x_offset,
            })
            .collect();
        glyphs
    }

    /// The face for shaping.
    pub fn shaper(&self) -> &rustybuzz::Face<'_> {
        self.parsed.borrow_dependent()
    }

    /// The shaping plan for a buffer's script, direction and language.
    pub fn plan(
        &self,
        buf: &rustybuzz::UnicodeBuffer,
        language: Option<&rustybuzz::Language>,
        caches: &Caches,
    ) -> Arc<rustybuzz::ShapePlan> {
        let key = format!(
            "{:?}/{:?}/{}",
            buf.script(),
            buf.direction(),
            language.map(|l| l.as_str()).unwrap_or("")
        );
        caches.get_or_make::<ShapePlans>((self.digest, key), |_| {
            Arc::new(rustybuzz::ShapePlan::new(
                self.shaper(),
                buf.direction(),
                Some(buf.script()),
                language,
                &[],
            ))
        })
    }

    /// Whether the face draws `c`. White space, controls and the invisible
    /// format characters shaping consumes (joiners, direction marks,
    /// variation selectors) count as drawn by every face.
    pub fn covers(&self, c: char) -> bool {
        let u = c as u32;
        if u < 2048 {
            return self.near[(u / 64) as usize] & (1 << (u % 64)) != 0;
        }
        self.looks_up(c)
    }

    fn looks_up(&self, c: char) -> bool {
        c.is_whitespace()
            || c.is_control()
            || invisible(c)
            || self.shaper().glyph_index(c).is_some_and(|g| g.0 != 0)
    }
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Face").field("file", &self.file).finish()
    }
}

/// A face a role falls back to for characters its own faces lack.
#[derive(Debug, Clone)]
pub struct Fallback {
    pub face: FaceId,
    /// The family's name, for messages.
    pub family: String,
    /// The family has no face of the style's weight or slant, so its regular
    /// face stands in (and a warning says so).
    pub stand_in: bool,
}

#[derive(Debug, Default)]
pub struct FontBook {
    pub faces: Vec<Face>,
    /// (role, bold, italic) -> face.
    by_role: BTreeMap<(String, bool, bool), FaceId>,
    /// (role, bold, italic) -> the faces tried after it, in order.
    fallbacks: BTreeMap<(String, bool, bool), Arc<[Fallback]>>,
    /// Each role's family and its fallback families, for messages.
    pub families: BTreeMap<String, Vec<String>>,
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
        let mut face = |book: &mut FontBook, file: &String, key: &str| -> Option<FaceId> {
            if failed.contains(file) {
                return None;
            }
            if let Some(&id) = by_file.get(file) {
                return Some(id);
            }
            match load_face(file, fonts_dir) {
                Ok(face) => {
                    book.faces.push(face);
                    by_file.insert(file.clone(), book.faces.len() - 1);
                    Some(book.faces.len() - 1)
                }
                Err((msg, hint)) => {
                    failed.push(file.clone());
                    problems.push(
                        Diagnostic::error(&brand_src.path, msg)
                            .with_span(brand_src.span_of(key, file))
                            .with_hint(hint),
                    );
                    None
                }
            }
        };
        for (role, fam) in &brand.fonts {
            let variants = [
                (&fam.regular, false, false, "regular"),
                (&fam.bold, true, false, "bold"),
                (&fam.italic, false, true, "italic"),
                (&fam.bold_italic, true, true, "bold-italic"),
            ];
            for (file, bold, italic, key) in variants {
                if let Some(id) = face(&mut book, file, key) {
                    book.by_role.insert((role.clone(), bold, italic), id);
                }
                let mut chain = Vec::new();
                for fb in &fam.fallback {
                    let own = match (bold, italic) {
                        (false, false) => Some(&fb.regular),
                        (true, false) => fb.bold.as_ref(),
                        (false, true) => fb.italic.as_ref(),
                        (true, true) => fb.bold_italic.as_ref(),
                    };
                    let (file, key) = match own {
                        Some(f) => (f, key),
                        None => (&fb.regular, "regular"),
                    };
                    if let Some(id) = face(&mut book, file, key) {
                        chain.push(Fallback {
                            face: id,
                            family: fb.family.clone(),
                            stand_in: own.is_none(),
                        });
                    }
                }
                book.fallbacks
                    .insert((role.clone(), bold, italic), chain.into());
            }
            let mut names = vec![fam.family.clone()];
            names.extend(fam.fallback.iter().map(|f| f.family.clone()));
            book.families.insert(role.clone(), names);
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

    /// The faces tried after a role's own face of this weight and slant, in order.
    pub fn fallbacks_for(&self, role: &str, weight: Weight, italic: bool) -> Arc<[Fallback]> {
        self.fallbacks
            .get(&(role.to_string(), weight == Weight::Bold, italic))
            .cloned()
            .unwrap_or_else(|| Arc::new([]))
    }

    /// Each role, with its regular face and the faces it falls back to, in
    /// order, and the families they belong to.
    pub fn roles(&self) -> impl Iterator<Item = (&str, Vec<FaceId>, &[String])> {
        self.families.iter().map(|(role, families)| {
            let mut faces: Vec<FaceId> = self
                .face_for(role, Weight::Regular, false)
                .into_iter()
                .collect();
            faces.extend(
                self.fallbacks_for(role, Weight::Regular, false)
                    .iter()
                    .map(|f| f.face),
            );
            (role.as_str(), faces, &families[..])
        })
    }

    pub fn face(&self, id: FaceId) -> &Face {
        &self.faces[id]
    }
}

/// Why a font file's table directory points past its end, if it does: a file cut
/// short in copying still parses (tables are read lazily) but draws nothing.
fn cut_short(data: &[u8]) -> Option<String> {
    let be32 = |o: usize| {
        data.get(o..o + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let tables = data.get(4..6).map(|b| u16::from_be_bytes([b[0], b[1]]))? as usize;
    for i in 0..tables {
        let rec = 12 + 16 * i;
        let (Some(offset), Some(len)) = (be32(rec + 8), be32(rec + 12)) else {
            return Some("its table directory is cut short".into());
        };
        if offset as u64 + len as u64 > data.len() as u64 {
            return Some(format!(
                "it is cut short: {} bytes, where its tables need {}",
                data.len(),
                offset as u64 + len as u64
            ));
        }
    }
    None
}

fn load_face(file: &str, fonts_dir: &Path) -> Result<Face, (String, String)> {
    // A font name is a file inside fonts/, never a path elsewhere on the machine.
    if file.is_empty() || file.contains(['/', '\\']) || file == ".." || file == "." {
        return Err((
            format!("font `{file}` must be a file name inside the fonts folder, not a path"),
            "copy the font into `fonts/` and give just its file name".into(),
        ));
    }
    let path = fonts_dir.join(file);
    if let Err(d) = crate::source::outside_link(&path, fonts_dir) {
        return Err((d.message, d.hint.unwrap_or_default()));
    }
    let data = std::fs::read(&path).map_err(|e| {
        (
            format!(
                "cannot read font file `{}`: {}",
                path.display(),
                crate::text::lower_first(&e.to_string())
            ),
            match e.kind() {
                std::io::ErrorKind::PermissionDenied => {
                    "make the file readable (check its permissions)".into()
                }
                _ => "put the .ttf or .otf file in the fonts folder, or correct the name".into(),
            },
        )
    })?;
    let not_a_font = |why: &str| {
        (
            format!("`{}` is not a usable font file ({why})", path.display()),
            "use a whole TrueType (.ttf) or OpenType (.otf) font file; copy it again if it may have been cut short".into(),
        )
    };
    if let Some(why) = cut_short(&data) {
        return Err(not_a_font(&why));
    }
    let digest: [u8; 32] = blake3::hash(&data).into();
    let parsed = rustybuzz::ttf_parser::Face::parse(&data, 0)
        .map_err(|_| not_a_font("it could not be parsed"))?;
    if parsed.tables().hmtx.is_none() || parsed.tables().cmap.is_none() {
        return Err(not_a_font("it has no character map or horizontal metrics"));
    }
    let units_per_em = parsed.units_per_em() as f32;
    // Line metrics as fontdue reports them: hhea ascender and descender, in ems.
    let (ascent, descent) = (
        parsed.ascender() as f32 / units_per_em,
        parsed.descender() as f32 / units_per_em,
    );
    let parsed = Parsed::try_new(data, |data| {
        rustybuzz::Face::from_slice(data, 0)
            .ok_or_else(|| not_a_font("it could not be parsed for shaping"))
    })?;
    let mut face = Face {
        file: file.to_string(),
        parsed,
        digest,
        units_per_em,
        ascent,
        descent,
        near: Box::new([0; 32]),
    };
    for u in 0..2048u32 {
        if char::from_u32(u).is_some_and(|c| face.looks_up(c)) {
            face.near[(u / 64) as usize] |= 1 << (u % 64);
        }
    }
    Ok(face)
}

/// Format characters that shaping consumes and no font need draw: zero-width
/// (non-)joiners, direction marks and embeddings, variation selectors.
pub fn invisible(c: char) -> bool {
    matches!(c, '\u{200c}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{fe00}'..='\u{fe0f}' | '\u{e0100}'..='\u{e01ef}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_metrics_and_coverage_agree_with_fontdue() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
        let face = load_face("NotoSans-Regular.ttf", &dir).unwrap();
        let fd = fontdue::Font::from_bytes(face.data(), fontdue::FontSettings::default()).unwrap();
        let lm = fd.horizontal_line_metrics(1.0).unwrap();
        assert!((lm.ascent - face.ascent).abs() < 1e-4 && (lm.descent - face.descent).abs() < 1e-4);
        assert_eq!(fd.units_per_em(), face.units_per_em);
        for c in ['A', 'é', 'œ', '\u{202f}', '€', 'Ж', '☃', '中'] {
            assert_eq!(face.covers(c), fd.has_glyph(c), "{c}");
        }
    }
}
