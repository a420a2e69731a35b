//! Helpers shared by the integration tests: a copy of the shipped project in a
//! temp dir, running the real binary, and the tools a user would check with.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temp folder holding a copy of the shipped content, layouts and fonts.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub fn shipped() -> Project {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["content", "layouts", "fonts"] {
            copy_dir(&repo().join(sub), &dir.path().join(sub));
        }
        Project { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.file(rel)).unwrap()
    }

    pub fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.file(rel), text).unwrap();
    }

    /// Replaces `from` with `to` in a file; panics if `from` is not there, so a
    /// test never silently runs on unchanged input.
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "`{from}` not found in {rel}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    /// This project, loaded and checked by the library.
    pub fn load(&self) -> leafpress::Project {
        leafpress::check(&leafpress::Paths {
            content: self.file("content"),
            layouts: self.file("layouts"),
            fonts: self.file("fonts"),
        })
        .unwrap_or_else(|e| panic!("{e}"))
    }

    /// 1-based number of the first line of `rel` containing `needle`.
    pub fn line_of(&self, rel: &str, needle: &str) -> usize {
        self.read(rel)
            .lines()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} not in {rel}"))
            + 1
    }

    /// Turns on the brand's logo (the line `brand.yaml` ships commented out).
    pub fn enable_logo(&self) {
        self.edit(
            "layouts/brand.yaml",
            "# logo: { file: logo.png",
            "logo: { file: logo.png",
        );
    }

    /// `png` as the brand's logo, turned on.
    pub fn with_logo(&self, png: &[u8]) {
        std::fs::write(self.file("layouts/logo.png"), png).unwrap();
        self.enable_logo();
    }

    /// Runs leafpress in the project folder.
    pub fn run(&self, args: &[&str]) -> Run {
        run_in(self.path(), args, &[])
    }

    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        run_in(self.path(), args, env)
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
    pub fn ok(&self) -> &Self {
        assert_eq!(
            self.code, 0,
            "leafpress failed:\n{}\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

pub fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut c = Command::new(env!("CARGO_BIN_EXE_leafpress"));
    c.args(args)
        .current_dir(dir)
        .env_remove("SOURCE_DATE_EPOCH");
    for (k, v) in env {
        c.env(k, v);
    }
    Run::from(c.output().unwrap())
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// Runs an external tool (installed by .ci/run) and returns its stdout.
pub fn tool(name: &str, args: &[&str]) -> String {
    let o = Command::new(name).args(args).output().unwrap_or_else(|e| {
        panic!("cannot run `{name}` ({e}); .ci/run installs it (poppler-utils, qpdf)")
    });
    assert!(
        o.status.success(),
        "{name} {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The text of a PDF in content order, with line breaks after hyphens joined
/// and all other white space collapsed: what a reader sees, modulo line breaks.
pub fn pdf_text(pdf: &Path) -> String {
    let raw = tool(
        "pdftotext",
        &["-raw", "-enc", "UTF-8", pdf.to_str().unwrap(), "-"],
    );
    normalise(&raw.replace("-\n", "-"))
}

pub fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Reads one part of a DOCX (a zip) as text.
pub fn docx_part(docx: &Path, part: &str) -> String {
    let f = std::fs::File::open(docx).unwrap();
    let mut z = zip::ZipArchive::new(f).unwrap();
    let mut s = String::new();
    std::io::Read::read_to_string(&mut z.by_name(part).unwrap(), &mut s).unwrap();
    s
}

/// The shipped content, parsed with the library's own types.
pub fn shipped_content() -> leafpress::Content {
    serde_yaml::from_str(&std::fs::read_to_string(repo().join("content/messages.yaml")).unwrap())
        .unwrap()
}

/// The shipped project, loaded and checked by the library.
pub fn shipped_project() -> leafpress::Project {
    let root = repo();
    leafpress::check(&leafpress::Paths {
        content: root.join("content"),
        layouts: root.join("layouts"),
        fonts: root.join("fonts"),
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

/// The text a reader gets from typeset pages: ActualText where a run gives it
/// (the halves of a hyphenated word), the glyphs' own text elsewhere; a space
/// after each line.
pub fn reader_text(pages: &leafpress::Pages) -> String {
    let mut s = String::new();
    for page in &pages.pages {
        for item in &page.items {
            if let leafpress::Item::Text(run) = item {
                let mut i = 0;
                while i < run.glyphs.len() {
                    if let Some((_, end, t)) = run.actual.iter().find(|(a, _, _)| *a == i) {
                        s.push_str(t);
                        i = *end;
                    } else {
                        s.push_str(&run.glyphs[i].text);
                        i += 1;
                    }
                }
                s.push(' ');
            }
        }
    }
    s
}

/// The first line of text on `pages` that lies outside the inner box
/// (padding taken off) of every panel of its side, described; `None` when
/// every line is inside one.
pub fn line_outside_panels(pages: &leafpress::Pages) -> Option<String> {
    for page in &pages.pages {
        let boxes: Vec<_> = page
            .panels
            .iter()
            .map(|a| {
                let c = a.content;
                (c.x, c.y, c.x + c.w, c.y + c.h)
            })
            .collect();
        for item in &page.items {
            if let leafpress::Item::Text(run) = item {
                let (x0, x1) = (run.x, run.x + run.width);
                let inside = boxes.iter().any(|&(l, t, r, b)| {
                    x0 >= l - 0.01 && x1 <= r + 0.01 && run.baseline > t && run.baseline <= b + 0.01
                });
                if !inside {
                    return Some(format!(
                        "a line at x {x0:.2}..{x1:.2}, baseline {:.1} is outside every panel",
                        run.baseline
                    ));
                }
            }
        }
    }
    None
}

/// A small PNG: `w` × `h` pixels of one colour.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut wr = enc.write_header().unwrap();
    wr.write_image_data(&[200u8, 30, 30].repeat((w * h) as usize))
        .unwrap();
    wr.finish().unwrap();
    out
}

/// The output of a Python `script` run on `file` (python-docx and the other
/// modules tests/run.sh installs); panics with its errors if it fails.
pub fn python(script: &str, file: &Path) -> String {
    let o = Command::new("python3")
        .args(["-c", script, file.to_str().unwrap()])
        .output()
        .expect("python3");
    assert!(
        o.status.success(),
        "the script failed on {file:?} (tests/run.sh installs python-docx): {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Asserts openxml-audit finds nothing in a DOCX that Word would repair.
pub fn assert_valid_docx(docx: &Path) {
    let audit = Command::new("python3")
        .args(["-m", "openxml_audit", docx.to_str().unwrap()])
        .output()
        .expect("openxml-audit, installed by tests/run.sh");
    let report = String::from_utf8_lossy(&audit.stdout);
    assert!(report.contains("Errors: 0"), "{docx:?}: {report}");
}

/// A PNG's pixels, as RGB.
pub struct Pixels {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
}

impl Pixels {
    pub fn pixel(&self, x: usize, y: usize) -> [u8; 3] {
        let i = (y * self.width + x) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }
}

/// Decodes the PNG at `path` (any colour type) to RGB pixels.
pub fn png_pixels(path: &Path) -> Pixels {
    let mut dec = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    dec.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = dec.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let n = info.color_type.samples();
    let rgb = buf[..info.buffer_size()]
        .chunks_exact(n)
        .flat_map(|p| match n {
            1 | 2 => [p[0]; 3],
            _ => [p[0], p[1], p[2]],
        })
        .collect();
    Pixels {
        width: info.width as usize,
        height: info.height as usize,
        rgb,
    }
}

/// `docx` converted to PDF by LibreOffice, as a reader's office suite opens
/// it; the PDF lies in a temp folder kept for the test's life.
pub fn docx_to_pdf(docx: &Path) -> PathBuf {
    let tmp = tempfile::tempdir().unwrap().keep();
    let o = Command::new("soffice")
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(&tmp)
        .arg(docx)
        .env("HOME", &tmp)
        .output()
        .expect("LibreOffice (soffice) is installed by tests/run.sh");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    tmp.join(docx.file_stem().unwrap()).with_extension("pdf")
}
