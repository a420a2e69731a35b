//! Pictures, checked as a print shop and a reader would: poppler's
//! `pdfimages` for what a PDF embeds, our previews' pixels for what a
//! reviewer sees, the DOCX package for what Word opens, and the errors an
//! author gets for a picture that cannot be used.

mod common;
use common::{Project, tool};
use std::path::Path;

/// The shipped picture as the content names it.
const SHIPPED: &str = "content/images/community.jpg";

/// `pdfimages -list` of `pdf`: one row of fields per image.
fn images(pdf: &Path) -> Vec<Vec<String>> {
    tool("pdfimages", &["-list", pdf.to_str().unwrap()])
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().map(String::from).collect())
        .collect()
}

/// The JPEG files `pdfimages -j` extracts from `pdf`, as bytes.
fn extracted_jpegs(pdf: &Path) -> Vec<Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("img");
    tool(
        "pdfimages",
        &["-j", pdf.to_str().unwrap(), root.to_str().unwrap()],
    );
    let mut files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jpg"))
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// A project whose content's picture is `fixture` (from `tests/fixtures`).
fn with_picture(fixture: &str) -> Project {
    let p = Project::shipped();
    std::fs::copy(
        common::repo().join("tests/fixtures").join(fixture),
        p.file("content/images/test.jpg"),
    )
    .unwrap();
    p.edit(
        "content/messages.yaml",
        "file: images/community.jpg",
        "file: images/test.jpg",
    );
    p
}

#[test]
fn a_jpeg_goes_into_print_and_screen_pdfs_byte_for_byte_with_an_icc_profile() {
    let p = Project::shipped();
    p.run(&[
        "build",
        "--lang",
        "en",
        "--for",
        "print",
        "--for",
        "screen",
        "--no-preview",
    ])
    .ok();
    let source = std::fs::read(p.file(SHIPPED)).unwrap();
    for name in [
        "leaflet-workforce.pdf",
        "leaflet-workforce-screen.pdf",
        "flyer-donors-government.pdf",
        "flyer-donors-government-screen.pdf",
    ] {
        let pdf = p.file("out/en").join(name);
        let rows = images(&pdf);
        assert_eq!(
            rows.len(),
            1,
            "{name}: one image, the picture (the QR code is vector)"
        );
        // page num type width height color comp bpc enc ...
        assert_eq!(
            &rows[0][3..9],
            ["1600", "1400", "icc", "3", "8", "jpeg"],
            "{name}"
        );
        let jpegs = extracted_jpegs(&pdf);
        assert_eq!(jpegs.len(), 1, "{name}");
        assert!(
            jpegs[0] == source,
            "{name}: the embedded JPEG is the source file"
        );
        // Tagged as a figure with the content's alternative text.
        let doc = lopdf::Document::load(&pdf).unwrap();
        let alts: Vec<String> = doc
            .objects
            .values()
            .filter_map(|o| o.as_dict().ok())
            .filter(|d| d.get(b"S").and_then(|s| s.as_name()).ok() == Some(b"Figure"))
            .filter_map(|d| lopdf::decode_text_string(d.get(b"Alt").ok()?).ok())
            .collect();
        assert!(
            alts.iter()
                .any(|a| a.starts_with("A social service worker with a clipboard")),
            "{name}: {alts:?}"
        );
        // At the placed size the picture keeps more than the 300 ppi print needs.
        let ppi: f32 = rows[0][12].parse().unwrap();
        assert!(ppi >= 300.0, "{name}: {ppi} ppi");
    }
}

#[test]
fn an_adobe_cmyk_jpeg_stays_cmyk_in_print_and_is_converted_on_screen() {
    let p = with_picture("cmyk-adobe.jpg");
    p.run(&[
        "build",
        "--lang",
        "en",
        "--layout",
        "flyer",
        "--audience",
        "workforce",
        "--for",
        "print",
        "--for",
        "screen",
    ])
    .ok();
    let print = p.file("out/en/flyer-workforce.pdf");
    let rows = images(&print);
    assert_eq!(&rows[0][5..9], ["cmyk", "4", "8", "jpeg"], "{rows:?}");
    let source = std::fs::read(p.file("content/images/test.jpg")).unwrap();
    assert!(
        extracted_jpegs(&print)[0] == source,
        "CMYK bytes as they are"
    );
    // Adobe's inverted CMYK says so with a Decode array (ISO 32000-1, 8.9.5.2).
    let doc = lopdf::Document::load(&print).unwrap();
    let decode: Vec<i64> = doc
        .objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .find(|s| s.dict.get(b"Filter").and_then(|f| f.as_name()).ok() == Some(b"DCTDecode"))
        .and_then(|s| s.dict.get(b"Decode").ok()?.as_array().ok().cloned())
        .unwrap_or_default()
        .iter()
        .map(|n| n.as_i64().unwrap())
        .collect();
    assert_eq!(decode, [1, 0, 1, 0, 1, 0, 1, 0]);
    // A screen PDF (PDF/A, sRGB) holds no CMYK: the picture is RGB there.
    let screen = p.file("out/en/flyer-workforce-screen.pdf");
    assert_eq!(&images(&screen)[0][5..7], ["rgb", "3"]);
    // The inks read the right way round: poppler draws the left half cyan
    // and the right half yellow (inverted, they would be red and blue).
    let out = p.file("shot");
    tool(
        "pdftoppm",
        &[
            "-r",
            "30",
            "-png",
            "-singlefile",
            print.to_str().unwrap(),
            out.to_str().unwrap(),
        ],
    );
    let shot = common::png_pixels(&p.file("shot.png"));
    let preview = common::png_pixels(&p.file("out/en/flyer-workforce.p1.png"));
    for (what, img) in [("pdftoppm", &shot), ("preview", &preview)] {
        // Along a row through the band's picture (top right): cyan, then
        // yellow, and nothing of the colours an inverted reading gives.
        let y = img.height / 20;
        let row: Vec<[u8; 3]> = (0..img.width).map(|x| img.pixel(x, y)).collect();
        let find = |f: &dyn Fn(&[u8; 3]) -> bool| row.iter().position(f);
        let cyan = find(&|p| p[0] < 90 && p[1] > 140 && p[2] > 200);
        let yellow = find(&|p| p[0] > 200 && p[1] > 200 && p[2] < 90);
        let inverted =
            find(&|p| (p[0] > 200 && p[1] < 90) || (p[0] < 90 && p[1] < 90 && p[2] > 140));
        assert!(
            cyan.is_some() && yellow.is_some() && cyan < yellow && inverted.is_none(),
            "{what}: cyan at {cyan:?}, yellow at {yellow:?}, inverted at {inverted:?}"
        );
    }
}

#[test]
fn an_rgb_jpeg_carries_its_own_profile() {
    let p = with_picture("rgb-icc.jpg");
    p.run(&[
        "build",
        "--lang",
        "en",
        "--layout",
        "leaflet",
        "--audience",
        "workforce",
        "--no-preview",
    ])
    .ok();
    let pdf = p.file("out/en/leaflet-workforce.pdf");
    assert_eq!(&images(&pdf)[0][5..9], ["icc", "3", "8", "jpeg"]);
    // The fixture's profile is lcms's sRGB (588 bytes), not the one leafpress
    // falls back to: poppler's `pdfimages -list` cannot tell them apart, lopdf can.
    let doc = lopdf::Document::load(&pdf).unwrap();
    let profiles: Vec<usize> = doc
        .objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .filter(|s| s.dict.get(b"N").and_then(|n| n.as_i64()).ok() == Some(3))
        .map(|s| {
            s.decompressed_content()
                .unwrap_or_else(|_| s.content.clone())
                .len()
        })
        .collect();
    assert_eq!(profiles, [588], "the picture's own profile");
}

#[test]
fn resolution_is_preflighted_against_the_layouts_limits() {
    // 300 pixels, cropped to cover the flyer's 62 × 82 mm band end and its
    // bleed: 78 ppi.
    let p = with_picture("small.jpg");
    let args = [
        "build",
        "--lang",
        "en",
        "--layout",
        "flyer",
        "--audience",
        "workforce",
    ];
    let r = p.run(&args);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains(
            "picture `content/images/test.jpg` prints at 78 ppi in panel `picture` of layout `flyer`, under the 150 ppi the layout allows"
        ),
        "{}",
        r.stderr
    );
    // The limits are the layout's: lowered, it is a warning only.
    let flyer = p.read("layouts/flyer.yaml");
    p.write(
        "layouts/flyer.yaml",
        &format!("{flyer}\npicture-resolution: {{ warning: 300, error: 75 }}\n"),
    );
    let r = p.run(&args);
    r.ok();
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        all.contains("prints at 78 ppi in panel `picture` of layout `flyer`, under the 300 ppi print needs to look sharp"),
        "{all}"
    );
}

#[test]
fn a_bad_picture_fails_only_the_jobs_that_show_it_and_says_where() {
    let p = Project::shipped();
    // The workforce audience gets its own picture, which is broken.
    let bytes = std::fs::read(p.file(SHIPPED)).unwrap();
    std::fs::write(p.file("content/images/cut.jpg"), &bytes[..bytes.len() / 2]).unwrap();
    p.edit(
        "content/messages.yaml",
        "  - id: workforce\n",
        "  - id: workforce\n    image: { file: images/cut.jpg, alt: A family at home }\n",
    );
    let line = p.line_of("content/messages.yaml", "images/cut.jpg");
    let r = p.run(&["build", "--lang", "en", "--no-preview"]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains(&format!("content/messages.yaml:{line}:"))
            && r.stderr.contains("is truncated")
            && r.stderr.contains("export the picture again"),
        "{}",
        r.stderr
    );
    // Its three outputs failed; the other audiences' were written.
    assert!(
        r.stdout.contains("6 written") || r.stderr.contains("6 written"),
        "{}{}",
        r.stdout,
        r.stderr
    );
    assert!(p.file("out/en/leaflet-donors-government.pdf").exists());
    assert!(!p.file("out/en/leaflet-workforce.pdf").exists());

    // Missing, and too large to decode: located too.
    p.edit("content/messages.yaml", "images/cut.jpg", "images/none.jpg");
    let r = p.run(&["build", "--lang", "en", "--no-preview"]);
    assert!(
        r.stderr.contains("cannot read picture") && r.stderr.contains("none.jpg"),
        "{}",
        r.stderr
    );
    let mut huge = bytes.clone();
    // The frame header's height and width (SOF0 after the JFIF header).
    let sof = huge.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    huge[sof + 5..sof + 9].copy_from_slice(&[0x4E, 0x20, 0x4E, 0x20]);
    std::fs::write(p.file("content/images/none.jpg"), &huge).unwrap();
    let r = p.run(&["build", "--lang", "en", "--no-preview"]);
    assert!(
        r.stderr
            .contains("is 20000 × 20000 pixels, which take 1144 MB to decode, over the 256 MB"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_picture_needs_alternative_text() {
    let p = Project::shipped();
    p.edit(
        "content/messages.yaml",
        "  alt: A social service worker",
        "  # alt: A social service worker",
    );
    let line = p.line_of("content/messages.yaml", "file: images/community.jpg");
    let r = p.run(&["check"]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains("picture `images/community.jpg` has no alternative text")
            && r.stderr.contains(&format!("content/messages.yaml:{line}:"))
            && r.stderr.contains("alt: \"\""),
        "{}",
        r.stderr
    );
}

#[test]
fn the_handout_shows_the_picture_as_a_described_jpeg() {
    let p = Project::shipped();
    p.run(&[
        "build",
        "--lang",
        "fr",
        "--layout",
        "handout",
        "--audience",
        "workforce",
    ])
    .ok();
    let docx = p.file("out/fr/handout-workforce.docx");
    let source = std::fs::read(p.file(SHIPPED)).unwrap();
    let zip = zip::ZipArchive::new(std::fs::File::open(&docx).unwrap());
    let mut zip = zip.unwrap();
    let mut media = Vec::new();
    std::io::Read::read_to_end(
        &mut zip.by_name("word/media/rIdImage2.jpeg").unwrap(),
        &mut media,
    )
    .unwrap();
    assert!(media == source, "the JPEG as it is");
    let types = common::docx_part(&docx, "[Content_Types].xml");
    assert!(types.contains(r#"<Default ContentType="image/jpeg" Extension="jpeg" />"#));
    let rels = common::docx_part(&docx, "word/_rels/document.xml.rels");
    assert!(rels.contains(r#"Target="media/rIdImage2.jpeg""#), "{rels}");
    let document = common::docx_part(&docx, "word/document.xml");
    // The French alternative text, named by its unit (a handout translated
    // in place brings it back), and the credit.
    assert!(
        document.contains(
            r#"name="image.alt" descr="Une travailleuse sociale, un porte-documents à la main"#
        ),
        "no French description"
    );
    assert!(document.contains("Illustration : leafpress, domaine public (CC0)"));
    common::assert_valid_docx(&docx);
    // LibreOffice opens it and shows the picture: its PDF has an image.
    let pdf = common::docx_to_pdf(&docx);
    assert_eq!(images(&pdf).len(), 1, "LibreOffice shows the picture");
}
