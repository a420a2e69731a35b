//! Typesetter benchmark: paragraphs composed per second at the leaflet's panel
//! width, total fit and first fit, on the shipped content. Run with `cargo bench`.
//! (A plain harness: it needs no benchmarking crate, and prints medians of runs.)

use leafpress::{Composer, composition_quality};
use std::time::Instant;

fn main() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let p = leafpress::check(&leafpress::Paths {
        content: root.join("content"),
        layouts: root.join("layouts"),
        fonts: root.join("fonts"),
    })
    .expect("shipped project loads");
    let c: leafpress::Content =
        serde_yaml::from_str(&std::fs::read_to_string(root.join("content/messages.yaml")).unwrap())
            .expect("shipped content parses");
    let mut texts: Vec<&str> = vec![&c.definition.text];
    for a in &c.audiences {
        texts.extend(a.intro.as_deref());
        texts.extend(a.messages.iter().map(|m| m.text.as_str()));
    }
    // The leaflet's body style at its inside-flap measure (97 mm less 20 mm of padding).
    let width = 77.0 * 72.0 / 25.4;
    for (composer, name) in [
        (Composer::TotalFit, "total fit"),
        (Composer::FirstFit, "first fit"),
    ] {
        let mut rates = Vec::new();
        for _ in 0..7 {
            let start = Instant::now();
            let mut n = 0usize;
            while start.elapsed().as_millis() < 300 {
                for t in &texts {
                    std::hint::black_box(composition_quality(
                        &p, "leaflet", "body", "en", t, width, composer,
                    ));
                    n += 1;
                }
            }
            rates.push(n as f64 / start.elapsed().as_secs_f64());
        }
        rates.sort_by(f64::total_cmp);
        println!(
            "typeset/{name}: {:.0} paragraphs/s (median of 7; min {:.0}, max {:.0}); {} paragraphs of the shipped content at 77 mm, hyphenation on",
            rates[3],
            rates[0],
            rates[6],
            texts.len()
        );
    }
}
