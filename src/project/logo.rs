//! The brand's logo: a PNG inside the layouts folder, read and measured once.

use super::Logo;
use crate::diag::Diagnostic;
use crate::layout::LogoSpec;
use crate::source::SourceFile;
use std::path::Path;

/// Largest logo accepted, in pixels per side: a bigger one is a mistake and would
/// cost memory in every job.
pub(super) const MAX_LOGO_PX: u32 = 8000;

/// Where the brand names the logo.
fn place(spec: &LogoSpec, brand: &SourceFile) -> Option<crate::diag::Span> {
    let file = spec.file.as_str();
    brand
        .span_of("logo", file)
        .or_else(|| brand.span_of("file", file))
        .or_else(|| brand.span_of("logo", ""))
}

/// Only the author knows what the logo shows: a logo without `alt` is an
/// error that says how to give it.
pub(super) fn missing_alt(
    spec: &LogoSpec,
    organisation: &str,
    brand: &SourceFile,
) -> Option<Diagnostic> {
    let file = spec.file.as_str();
    spec.alt.is_none().then(|| {
        Diagnostic::error(&brand.path, format!("logo `{file}` has no alternative text"))
            .with_span(place(spec, brand))
            .with_hint(format!(
                "say what it shows, for readers who cannot see it: `logo: {{ file: {file}, alt: \"{organisation} logo\" }}` (or `alt: \"\"` if it is decoration only)"
            ))
    })
}

pub(super) fn load_logo(
    spec: &LogoSpec,
    brand: &SourceFile,
    layouts_dir: &Path,
) -> Result<Logo, Diagnostic> {
    let file = spec.file.as_str();
    let span = place(spec, brand);
    let path = Path::new(file);
    if !crate::source::stays_inside(file) {
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
    let picture = crate::picture::Picture::inspect(bytes.into()).map_err(|_| broken())?;
    Ok(Logo {
        alt: spec.alt.clone().unwrap_or_default(),
        picture: std::sync::Arc::new(crate::picture::Picture {
            file: full.display().to_string(),
            ..picture
        }),
    })
}
