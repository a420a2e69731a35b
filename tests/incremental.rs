//! Incremental builds, shards and quiet output.

mod common;

use common::Project;

#[test]
fn an_edit_rebuilds_only_the_outputs_that_show_it() {
    let p = Project::shipped();
    p.run(&["build", "--no-preview"]).ok();
    // One message of one audience: its six outputs (three layouts, English and
    // French: the French now warn that their text is from an older source).
    p.edit(
        "content/messages.yaml",
        "Commit to self-care",
        "Commit to care for yourself,",
    );
    let r = p.run(&["build", "--no-preview"]);
    r.ok();
    assert!(
        r.stdout.contains("12 written, 24 up to date, 0 failed"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .lines()
            .filter(|l| l.starts_with("wrote"))
            .all(|l| l.contains("-workforce")),
        "{}",
        r.stdout
    );
    // A comment or a blank line changes no output.
    p.edit(
        "content/messages.yaml",
        "audiences:",
        "# Audiences follow.\naudiences:",
    );
    let r = p.run(&["build", "--no-preview"]);
    assert!(
        r.stdout.contains("0 written, 36 up to date"),
        "{}",
        r.stdout
    );
    // One French text: the French outputs of its audience.
    p.edit(
        "content/translations/fr.yaml",
        "text: Médias et grand public",
        "text: Les médias et le grand public",
    );
    let r = p.run(&["build", "--no-preview"]);
    assert!(
        r.stdout.contains("3 written, 33 up to date"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .lines()
            .filter(|l| l.starts_with("wrote"))
            .all(|l| l.contains("fr/") && l.contains("-media-public")),
        "{}",
        r.stdout
    );
    // A shared text (the title) is on every output.
    p.edit(
        "content/messages.yaml",
        "title: Key Messages",
        "title: The Key Messages",
    );
    let r = p.run(&["build", "--no-preview"]);
    assert!(
        r.stdout.contains("36 written, 0 up to date"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_rebuild_skips_what_is_up_to_date_and_notices_hand_edits() {
    let p = Project::shipped();
    let r = p.run(&["build"]);
    r.ok();
    assert!(
        r.stdout.contains("36 written, 0 up to date, 0 failed"),
        "{}",
        r.stdout
    );
    let r = p.run(&["build"]);
    r.ok();
    assert!(
        r.stdout.contains("0 written, 36 up to date, 0 failed"),
        "{}",
        r.stdout
    );
    // A file edited or deleted by hand is rebuilt; nothing else is.
    std::fs::write(p.file("out/en/flyer-workforce.pdf"), b"%PDF-1.7 edited").unwrap();
    std::fs::remove_file(p.file("out/fr/handout-media-public.docx")).unwrap();
    let r = p.run(&["build"]);
    r.ok();
    assert!(
        r.stdout.contains("2 written, 34 up to date"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("wrote  out/en/flyer-workforce.pdf"),
        "{}",
        r.stdout
    );
    // An edit that keeps the size is found too: the file is newer than the
    // manifest, so it is read and hashed.
    let leaflet = p.file("out/en/leaflet-workforce.pdf");
    let mut bytes = std::fs::read(&leaflet).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x20;
    std::fs::write(&leaflet, &bytes).unwrap();
    let manifest_time = std::fs::metadata(p.file("out/manifest.json"))
        .unwrap()
        .modified()
        .unwrap();
    std::fs::File::options()
        .write(true)
        .open(&leaflet)
        .unwrap()
        .set_modified(manifest_time + std::time::Duration::from_secs(2))
        .unwrap();
    let r = p.run(&["build"]);
    r.ok();
    assert!(
        r.stdout.contains("1 written, 35 up to date"),
        "{}",
        r.stdout
    );
    // A layout change rebuilds that layout's outputs only.
    p.edit(
        "layouts/flyer.yaml",
        "colour: primary, space-after: 3mm",
        "colour: accent, space-after: 3mm",
    );
    let r = p.run(&["build"]);
    r.ok();
    assert!(
        r.stdout.contains("12 written, 24 up to date"),
        "{}",
        r.stdout
    );
    // --force rebuilds all.
    let r = p.run(&["build", "--force"]);
    assert!(
        r.stdout.contains("36 written, 0 up to date"),
        "{}",
        r.stdout
    );
    let m: leafpress::Manifest = serde_json::from_str(&p.read("out/manifest.json")).unwrap();
    assert!(m.outputs.iter().all(|r| r.fingerprint.len() == 32));
}

#[test]
fn shards_split_the_jobs_and_their_manifests_merge_into_the_whole() {
    let whole = Project::shipped();
    whole.run(&["build"]).ok();
    let p = Project::shipped();
    let mut seen = 0;
    for k in 1..=3 {
        let r = p.run(&["build", "--shard", &format!("{k}/3")]);
        r.ok();
        let m: leafpress::Manifest =
            serde_json::from_str(&p.read(&format!("out/manifest.shard-{k}-of-3.json"))).unwrap();
        assert_eq!(m.outputs.len(), 12, "shard {k}");
        seen += m.outputs.len();
    }
    assert_eq!(seen, 36);
    let r = p.run(&[
        "merge-manifests",
        "out/manifest.shard-1-of-3.json",
        "out/manifest.shard-2-of-3.json",
        "out/manifest.shard-3-of-3.json",
        "-o",
        "out/manifest.json",
    ]);
    r.ok();
    // The same rows, byte for byte, as one unsharded build.
    assert_eq!(p.read("out/manifest.json"), whole.read("out/manifest.json"));
    // A shard that does not exist is a usage error.
    assert_eq!(p.run(&["build", "--shard", "4/3"]).code, 2);
}

#[test]
fn quiet_prints_nothing_when_all_is_well() {
    let p = Project::shipped();
    let r = p.run(&["build", "--quiet"]);
    r.ok();
    assert_eq!(r.stdout, "");
    assert!(p.file("out/manifest.json").is_file());
}
