//! Builds one audience's flyer in memory with the leafpress library and
//! writes it, with its preview, into a folder:
//!
//! ```sh
//! cargo run --example one_flyer -- workforce out-example
//! ```
//!
//! Arguments: the audience's id (default `workforce`) and the folder to write
//! to (default `.`). Run from the project folder (`content/`, `layouts/`,
//! `fonts/`).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let audience = args.next().unwrap_or_else(|| "workforce".into());
    let out = std::path::PathBuf::from(args.next().unwrap_or_else(|| ".".into()));

    let project = leafpress::load(&leafpress::Paths::default())?;
    let filter = leafpress::Filter {
        audiences: vec![audience],
        layouts: vec!["flyer".into()],
        languages: vec![project.head().language.clone()],
        variants: vec![leafpress::Variant::Screen],
    };
    let opts = leafpress::MakeOptions {
        epoch: leafpress::epoch_from_env(),
        preview_dpi: Some(72.0),
        ..Default::default()
    };
    std::fs::create_dir_all(&out)?;
    for job in leafpress::list(&project, &filter)? {
        let made = leafpress::make(&project, &job, &opts).map_err(|e| e.reasons.join("; "))?;
        let name = job.output.file_name().ok_or("an output has a file name")?;
        let path = out.join(name);
        std::fs::write(&path, &made.rendered.file.bytes)?;
        println!(
            "{}: {} ({} bytes, {} page(s))",
            made.title,
            path.display(),
            made.rendered.file.bytes.len(),
            made.rendered.pages.unwrap_or(0)
        );
        for (i, png) in made.rendered.previews.iter().enumerate() {
            let preview = path.with_extension(format!("p{}.png", i + 1));
            std::fs::write(&preview, png)?;
            println!("  preview: {}", preview.display());
        }
        for w in &made.warnings {
            println!("  warning: {w}");
        }
    }
    Ok(())
}
