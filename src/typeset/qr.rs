//! A web address as a QR code (ISO/IEC 18004): encoded by the `qrcode`
//! crate at error correction level M (15% of the code may be lost, to a
//! crease or a smudge, and it still reads), drawn as vector rectangles: each
//! run of dark modules in a row is one rectangle, and runs that repeat on the
//! rows below join it, so a code is a few hundred rectangles, not a picture.

use crate::cache::{Caches, Kind};
use crate::pages::Area;

/// Modules of light margin on every side, as the standard asks (18004, 9.1).
pub(super) const QUIET_ZONE: usize = 4;

/// The dark modules of `address`'s code as rectangles, in points from the
/// code's top-left corner, for a code `size` points square with its quiet
/// zone; and the size of one module. `None` if the address is too long for
/// any QR code (over 2,331 bytes at level M).
pub(super) fn modules(address: &str, size: f32, caches: &Caches) -> Option<(Vec<Area>, f32)> {
    let cells = caches
        .get_or_make::<Encoded>(address.to_string(), |a| encode(a).map(std::sync::Arc::new))?;
    let (rects, n) = &*cells;
    let module = size / (n + 2 * QUIET_ZONE) as f32;
    let at = |i: u16| (i as usize + QUIET_ZONE) as f32 * module;
    let areas = rects
        .iter()
        .map(|&[x, y, w, h]| Area {
            x: at(x),
            y: at(y),
            w: w as f32 * module,
            h: h as f32 * module,
        })
        .collect();
    Some((areas, module))
}

/// Codes encoded before, by address: every job of a batch draws the same
/// one, and choosing its mask is most of the work (a batch of 48 leaflets
/// and flyers spent 7% of its instructions encoding one address 48 times).
struct Encoded;

impl Kind for Encoded {
    type Key = String;
    /// The dark modules as (column, row, columns, rows), and modules a side
    /// without the quiet zone; `None` for an address too long for a code.
    type Value = Option<std::sync::Arc<(Vec<[u16; 4]>, usize)>>;
    fn cost(key: &String, value: &Self::Value) -> usize {
        64 + key.len() + value.as_ref().map_or(0, |v| v.0.len() * 8)
    }
}

/// `address`'s code: its dark modules merged into rectangles (column, row,
/// columns, rows), and its modules a side.
fn encode(address: &str) -> Option<(Vec<[u16; 4]>, usize)> {
    let code =
        qrcode::QrCode::with_error_correction_level(address.as_bytes(), qrcode::EcLevel::M).ok()?;
    let n = code.width();
    let dark = |x: usize, y: usize| code[(x, y)] == qrcode::Color::Dark;
    // Rectangles still growing downwards: (first column, columns, first row, rows).
    let mut open: Vec<(usize, usize, usize, usize)> = Vec::new();
    let mut done = Vec::new();
    for y in 0..=n {
        let mut runs = Vec::new();
        let mut x = 0;
        while y < n && x < n {
            if dark(x, y) {
                let from = x;
                while x < n && dark(x, y) {
                    x += 1;
                }
                runs.push((from, x - from));
            } else {
                x += 1;
            }
        }
        let mut still = Vec::new();
        for r in open.drain(..) {
            match runs.iter().position(|&(x, w)| (x, w) == (r.0, r.1)) {
                Some(i) => {
                    runs.remove(i);
                    still.push((r.0, r.1, r.2, r.3 + 1));
                }
                None => done.push(r),
            }
        }
        still.extend(runs.into_iter().map(|(x, w)| (x, w, y, 1)));
        open = still;
    }
    done.sort_by_key(|&(x, _, y, _)| (y, x));
    // A code is at most 177 modules a side.
    let rects = done
        .into_iter()
        .map(|(x, w, y, h)| [x as u16, y as u16, w as u16, h as u16])
        .collect();
    Some((rects, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The code drawn back from the rectangles, a module a cell.
    fn cells(rects: &[Area], module: f32, n: usize) -> Vec<bool> {
        let mut grid = vec![false; n * n];
        for r in rects {
            let (x0, y0) = (
                (r.x / module).round() as usize,
                (r.y / module).round() as usize,
            );
            let (w, h) = (
                (r.w / module).round() as usize,
                (r.h / module).round() as usize,
            );
            for y in y0..y0 + h {
                for x in x0..x0 + w {
                    assert!(!grid[y * n + x], "rectangles overlap at {x},{y}");
                    grid[y * n + x] = true;
                }
            }
        }
        grid
    }

    #[test]
    fn the_rectangles_cover_exactly_the_dark_modules() {
        let address = "https://www.socialserviceworkforce.org";
        let code =
            qrcode::QrCode::with_error_correction_level(address, qrcode::EcLevel::M).unwrap();
        let (rects, module) = modules(address, 72.0, &Caches::default()).unwrap();
        let n = code.width() + 2 * QUIET_ZONE;
        assert!((module * n as f32 - 72.0).abs() < 1e-3);
        let grid = cells(&rects, module, n);
        for y in 0..n {
            for x in 0..n {
                let inside = (QUIET_ZONE..n - QUIET_ZONE).contains(&x)
                    && (QUIET_ZONE..n - QUIET_ZONE).contains(&y);
                let dark = inside && code[(x - QUIET_ZONE, y - QUIET_ZONE)] == qrcode::Color::Dark;
                assert_eq!(grid[y * n + x], dark, "module {x},{y}");
            }
        }
        // Merged: far fewer rectangles than dark modules.
        let dark = code
            .to_colors()
            .iter()
            .filter(|c| **c == qrcode::Color::Dark)
            .count();
        assert!(
            rects.len() * 2 < dark,
            "{} rectangles for {dark} modules",
            rects.len()
        );
        assert_eq!(code.error_correction_level(), qrcode::EcLevel::M);
    }

    #[test]
    fn an_address_too_long_for_any_code_is_none() {
        assert!(modules(&"a".repeat(3000), 72.0, &Caches::default()).is_none());
    }
}
