//! The translation round trip: XLIFF and DOCX out to translators, translations
//! back in, and every output in every language.

mod common;

use common::{Project, docx_part, pdf_text, tool};

fn ids_of(xml: &str, attr: &str) -> Vec<String> {
    xml.split(&format!("{attr}=\""))
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

#[test]
fn the_shipped_build_makes_every_output_in_english_and_french() {
    let p = Project::shipped();
    p.run(&["build"]).ok();
    let m: leafpress::Manifest = serde_json::from_str(&p.read("out/manifest.json")).unwrap();
    assert_eq!(m.outputs.len(), 36, "3 audiences × 3 layouts × 4 languages");
    for lang in ["fr", "ar", "hi"] {
        assert_eq!(m.outputs.iter().filter(|r| r.language == lang).count(), 9);
    }
    assert!(
        m.outputs
            .iter()
            .all(|r| r.path.starts_with(&format!("{}/", r.language))),
        "languages never share a file"
    );
    // French text, French language tags.
    let text = pdf_text(&p.file("out/fr/flyer-media-public.pdf"));
    assert!(
        text.contains(
            "Le personnel des services sociaux s’engage à promouvoir l’inclusion et l’égalité"
        ),
        "{text}"
    );
    let doc = lopdf::Document::load(p.file("out/fr/leaflet-workforce.pdf")).unwrap();
    let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    assert_eq!(
        doc.get_dictionary(root)
            .unwrap()
            .get(b"Lang")
            .unwrap()
            .as_str()
            .unwrap(),
        b"fr"
    );
    let styles = docx_part(&p.file("out/fr/handout-workforce.docx"), "word/styles.xml");
    assert!(styles.contains(r#"<w:lang w:val="fr""#));
    // French hyphenation was used (words split with ActualText) and reads whole.
    let (_, page) = doc.get_pages().into_iter().nth(1).unwrap();
    let content = String::from_utf8_lossy(&doc.get_page_content(page)).to_string();
    assert!(
        content.contains("/ActualText"),
        "French hyphenation in the leaflet's inside"
    );
    let text = pdf_text(&p.file("out/fr/leaflet-workforce.pdf"));
    assert!(
        text.contains(
            "reconnaissent l’importance et la force de la solidarité et de la collaboration"
        ),
        "{text}"
    );
    // The author's no-break space before ";" (U+202F) is never a line break.
    let raw = tool(
        "pdftotext",
        &[
            "-raw",
            p.file("out/fr/leaflet-workforce.pdf").to_str().unwrap(),
            "-",
        ],
    );
    assert!(
        raw.lines()
            .any(|l| l.contains("continu ;") || l.contains("continu\u{202f};")),
        "{raw}"
    );
}

#[test]
fn export_edit_import_build_round_trip_through_xliff() {
    let p = Project::shipped();
    std::fs::remove_file(p.file("content/translations/fr.yaml")).unwrap();
    p.run(&["export", "--lang", "es", "-o", "es.xlf"]).ok();
    let xlf = p.read("es.xlf");
    assert!(xlf.contains(r#"srcLang="en" trgLang="es""#));
    let units = leafpress::units(&common::shipped_content());
    assert_eq!(
        ids_of(&xlf, "unit id"),
        units.iter().map(|u| u.id.clone()).collect::<Vec<_>>()
    );
    assert!(xlf.contains(r#"<note category="location">Audience `media-public`: message 1</note>"#));
    // A translator fills every target ("&" and "<" must survive escaping).
    let mut translated = String::new();
    for (i, part) in xlf.split("</source>").enumerate() {
        translated.push_str(part);
        if i < units.len() {
            // A text with inline codes keeps them (the call to action).
            let source = &part[part.rfind("<source>").unwrap() + "<source>".len()..];
            let codes = if source.contains("<pc") { source } else { "" };
            translated.push_str(&format!(
                "</source>\n        <target>ES {} &amp; &lt;{}&gt; {codes}</target>",
                units[i].id, i
            ));
        }
    }
    p.write("es-done.xlf", &translated);
    let r = p.run(&["import", "es-done.xlf"]);
    r.ok();
    assert!(
        r.stdout.contains("27 of 27 texts translated"),
        "{}",
        r.stdout
    );
    let es = p.read("content/translations/es.yaml");
    assert!(es.contains("language: es"));
    assert!(es.contains("ES message.partners & <"), "{es}");
    p.run(&[
        "build",
        "--lang",
        "es",
        "--layout",
        "flyer",
        "--audience",
        "media-public",
    ])
    .ok();
    let text = pdf_text(&p.file("out/es/flyer-media-public.pdf"));
    assert!(text.contains("ES message.partners & <"), "{text}");
    assert!(!p.file("out/en").exists(), "--lang filters");
}

#[test]
fn import_refuses_ids_the_content_does_not_have() {
    let p = Project::shipped();
    p.run(&["export", "--lang", "de", "-o", "de.xlf"]).ok();
    let xlf = p
        .read("de.xlf")
        .replacen(
            r#"<unit id="title">"#,
            r#"<unit id="message.no-such-thing">"#,
            1,
        )
        .replacen("</source>", "</source><target>x</target>", 1);
    p.write("de.xlf", &xlf);
    let r = p.run(&["import", "de.xlf"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("1 id in this file is not in the content: message.no-such-thing"),
        "{}",
        r.stderr
    );
    // It says what did not happen: an import, not a build.
    assert!(
        r.stderr.contains("1 problem found; nothing was imported"),
        "{}",
        r.stderr
    );
    assert!(!p.file("content/translations/de.yaml").exists());
}

#[test]
fn import_keeps_comments_and_says_which_it_could_not() {
    let p = Project::shipped();
    let fr = p.read("content/translations/fr.yaml");
    let fr = fr
        .replacen(
            "  title:\n",
            "  # Validé par l'équipe de Genève\n  title:\n",
            1,
        )
        .replacen("    source: 19e6e58a", "    source: 19e6e58a # ancien", 1);
    p.write("content/translations/fr.yaml", &fr);
    p.run(&["export", "--lang", "fr", "-o", "fr.xlf"]).ok();
    let xlf = p.read("fr.xlf").replacen(
        "Messages clés pour défendre",
        "Messages clés pour soutenir",
        1,
    );
    p.write("fr.xlf", &xlf);
    let r = p.run(&["import", "fr.xlf"]);
    r.ok();
    let after = p.read("content/translations/fr.yaml");
    assert!(
        after.contains(
            "  # Validé par l'équipe de Genève\n  title:\n    text: Messages clés pour soutenir"
        ),
        "{after}"
    );
    assert!(
        r.stdout.contains("could not keep the comment on line"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("# ancien"), "{}", r.stdout);
}

#[test]
fn missing_translations_fail_that_language_or_fall_back_when_allowed() {
    let p = Project::shipped();
    let fr = p.read("content/translations/fr.yaml");
    let start = fr.find("  message.inclusion:").unwrap();
    let end = start + fr[start..].find("  message.amplifies-sectors:").unwrap();
    p.write(
        "content/translations/fr.yaml",
        &format!("{}{}", &fr[..start], &fr[end..]),
    );
    let r = p.run(&["build", "--audience", "media-public"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("wrote  out/en/flyer-media-public.pdf"),
        "English still builds: {}",
        r.stdout
    );
    assert!(
        r.stderr.contains(
            "1 text has no fr translation in content/translations/fr.yaml: message.inclusion (content/messages.yaml:"
        ),
        "{}",
        r.stderr
    );
    let r = p.run(&["build", "--audience", "media-public", "--allow-fallback"]);
    r.ok();
    assert!(
        r.stdout
            .contains(": fr used the en source text for: message.inclusion"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_changed_source_makes_its_translation_stale_with_old_and_new_text() {
    let p = Project::shipped();
    p.edit(
        "content/messages.yaml",
        "high-quality\n          services they need.",
        "high-quality services they need and deserve.",
    );
    let r = p.run(&["check"]);
    r.ok();
    assert!(
        r.stderr
            .contains("warning: `message.inclusion` (fr) is stale"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("was: The social service workforce is committed to promoting inclusion and equality by advocating to ensure all people can access high-quality services they need."), "{}", r.stderr);
    assert!(r.stderr.contains("now: The social service workforce is committed to promoting inclusion and equality by advocating to ensure all people can access high-quality services they need and deserve."), "{}", r.stderr);
    assert!(
        r.stderr.contains("content/translations/fr.yaml:"),
        "{}",
        r.stderr
    );
    // The outputs that print the stale text say so in their manifest rows and
    // on their contact-sheet cards; no other output does.
    p.run(&["build", "--no-preview"]).ok();
    let m: leafpress::Manifest = serde_json::from_str(&p.read("out/manifest.json")).unwrap();
    let warned: Vec<&str> = m
        .outputs
        .iter()
        .filter(|r| {
            r.warnings.iter().any(|w| {
                w.contains("1 fr translation is from an older source text")
                    && w.ends_with(": message.inclusion")
            })
        })
        .map(|r| r.path.as_str())
        .collect();
    let inclusion_audience = m
        .outputs
        .iter()
        .find(|r| r.path.starts_with("fr/") && warned.contains(&r.path.as_str()))
        .map(|r| r.audience.clone())
        .expect("a French output warns");
    let expected: Vec<&str> = m
        .outputs
        .iter()
        .filter(|r| r.language == "fr" && r.audience == inclusion_audience)
        .map(|r| r.path.as_str())
        .collect();
    assert_eq!(warned, expected);
    assert_eq!(expected.len(), 3, "leaflet, flyer and handout");
    assert!(
        p.read("out/index.html")
            .contains("from an older source text")
    );
}

#[test]
fn a_stale_text_is_exported_with_its_old_translation_to_check() {
    let p = Project::shipped();
    p.edit(
        "content/messages.yaml",
        "high-quality\n          services they need.",
        "high-quality services they need and deserve.",
    );
    let r = p.run(&["export", "--lang", "fr", "-o", "fr.xlf"]);
    r.ok();
    assert!(
        r.stdout.contains(
            "(27 texts for fr: 0 to translate, 1 to check (the source changed since), 26 done)"
        ),
        "{}",
        r.stdout
    );
    let xlf = p.read("fr.xlf");
    let unit = &xlf[xlf.find(r#"<unit id="message.inclusion">"#).unwrap()..];
    let unit = &unit[..unit.find("</unit>").unwrap()];
    // The old translation is the target, not yet translated; the old source is in a note.
    assert!(unit.contains(r#"<segment state="initial">"#), "{unit}");
    assert!(
        unit.contains(
            "<target>Le personnel des services sociaux s’engage à promouvoir l’inclusion"
        ),
        "{unit}"
    );
    assert!(
        unit.contains(r#"<note category="previous-source">"#),
        "{unit}"
    );
    assert!(unit.contains("made from: The social service workforce is committed to promoting inclusion and equality by advocating to ensure all people can access high-quality services they need."), "{unit}");
    assert!(unit.contains("they need and deserve.</source>"), "{unit}");
    // Sent back untouched, it stays stale: nobody checked it.
    p.run(&["import", "fr.xlf"]).ok();
    assert!(
        p.run(&["check"])
            .stderr
            .contains("`message.inclusion` (fr) is stale")
    );
    // Checked and changed by the translator, it is current.
    let checked = xlf.replacen(
        "dont il a besoin.</target>",
        "dont il a besoin et qu’il mérite.</target>",
        1,
    );
    assert_ne!(checked, xlf);
    p.write("fr.xlf", &checked);
    p.run(&["import", "fr.xlf"]).ok();
    let r = p.run(&["check"]);
    r.ok();
    assert!(!r.stderr.contains("(fr) is stale"), "{}", r.stderr);
    assert!(
        p.read("content/translations/fr.yaml")
            .contains("et qu’il mérite.")
    );
}

#[test]
fn a_character_the_fonts_cannot_draw_is_an_error_naming_language_id_and_character() {
    let p = Project::shipped();
    p.edit(
        "content/translations/fr.yaml",
        "text: Médias et grand public",
        "text: Médias et grand public ☃",
    );
    let r = p.run(&["check"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("fr: `audience.media-public.name` has `☃` (U+2603), which none of the families the font role `body` tries (`Noto Sans`, `Noto Sans Arabic`, `Noto Sans Devanagari`) can draw"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("content/translations/fr.yaml:"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_handout_puts_each_text_in_a_content_control_tagged_with_its_id() {
    let p = Project::shipped();
    p.run(&[
        "build",
        "--layout",
        "handout",
        "--audience",
        "workforce",
        "--lang",
        "en",
    ])
    .ok();
    let doc = docx_part(
        &p.file("out/en/handout-workforce.docx"),
        "word/document.xml",
    );
    let tags: Vec<String> = doc
        .split(r#"<w:tag w:val=""#)
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect();
    assert_eq!(
        tags,
        [
            "title",
            "audience.workforce.name",
            "image.credit",
            "attribution",
            "definition.heading",
            "definition.text",
            "definition.note",
            "audience.workforce.heading",
            "audience.workforce.intro",
            "message.self-care",
            "message.identify-register",
            "message.solidarity",
            "message.convene-advocacy",
            "organisation.call-to-action",
        ]
    );
    // The footer's text is a content control too.
    let footer = docx_part(&p.file("out/en/handout-workforce.docx"), "word/footer1.xml");
    assert!(
        footer.contains(r#"<w:tag w:val="organisation.name"/>"#),
        "{footer}"
    );
    assert!(
        doc.contains(r#"<w:alias w:val="message.self-care — Audience `workforce`: message 1" />"#),
        "the note is the control's title"
    );
    assert_eq!(doc.matches("<w:sdt>").count(), tags.len());
}

#[test]
fn a_translated_handout_round_trips_through_libreoffice() {
    let p = Project::shipped();
    std::fs::remove_file(p.file("content/translations/fr.yaml")).unwrap();
    p.run(&["build", "--layout", "handout", "--audience", "workforce"])
        .ok();
    let handout = p.file("out/en/handout-workforce.docx");
    let ids: Vec<String> = ["word/document.xml", "word/footer1.xml"]
        .iter()
        .flat_map(|part| {
            let d = docx_part(&handout, part);
            d.split(r#"<w:tag w:val=""#)
                .skip(1)
                .map(|s| s[..s.find('"').unwrap()].to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    // LibreOffice opens it headless, a translator's edits go into every control,
    // and it is saved again as DOCX.
    let edited = p.file("translated.docx");
    let profile = p.file("lo-profile");
    let o = std::process::Command::new("/usr/bin/python3")
        .arg(common::repo().join("tests/tools/lo_translate.py"))
        .arg(&handout)
        .arg(&edited)
        .arg(&profile)
        .env("HOME", p.path())
        .output()
        .expect("python3 with LibreOffice's UNO bridge (python3-uno), installed by .ci/run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = p.run(&["import", "--lang", "fr", "translated.docx"]);
    r.ok();
    // Every control, and the picture's description, which LibreOffice keeps
    // with the name that ties it to its id.
    let mut ids = ids;
    ids.push("image.alt".into());
    assert!(
        r.stdout.contains(&format!(
            "{} added or updated",
            leafpress::count(ids.len(), "text")
        )),
        "{}",
        r.stdout
    );
    let fr = p.read("content/translations/fr.yaml");
    for id in &ids {
        assert!(
            fr.contains(&format!("\n  {id}:\n")),
            "id {id} did not survive the round trip:\n{fr}"
        );
    }
    assert!(
        fr.contains("Recognize le importance and strength in solidarity"),
        "the edit came back: {fr}"
    );
    // A DOCX import needs --lang.
    let r = p.run(&["import", "translated.docx"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("give the translation's language with --lang"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_handout_translated_in_place_builds_its_language_alone() {
    // Every text a handout shows, the audience's name and the organisation in
    // the footer too, is a content control: a translator who translates them
    // all gives the language everything its outputs need.
    let p = Project::shipped();
    p.run(&[
        "build",
        "--lang",
        "en",
        "--audience",
        "workforce",
        "--layout",
        "handout",
    ])
    .ok();
    let handout = std::fs::read(p.file("out/en/handout-workforce.docx")).unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(handout)).unwrap();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut translated = 0;
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let name = f.name().to_string();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut bytes).unwrap();
        if name == "word/document.xml" || name.starts_with("word/footer") {
            // The translator's work: every text inside a content control.
            let xml = String::from_utf8(bytes).unwrap();
            let mut out = String::new();
            for (k, part) in xml.split("<w:sdtContent>").enumerate() {
                if k == 0 {
                    out.push_str(part);
                    continue;
                }
                out.push_str("<w:sdtContent>");
                let (inside, rest) = part.split_once("</w:sdtContent>").unwrap();
                out.push_str(&inside.replace(
                    r#"<w:t xml:space="preserve">"#,
                    r#"<w:t xml:space="preserve">[es] "#,
                ));
                out.push_str("</w:sdtContent>");
                out.push_str(rest);
                translated += 1;
            }
            bytes = out.into_bytes();
        }
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut w, &bytes).unwrap();
    }
    std::fs::write(p.file("handout-es.docx"), w.finish().unwrap().into_inner()).unwrap();
    assert!(translated >= 12, "{translated} content controls");

    p.run(&["import", "--lang", "es", "handout-es.docx"]).ok();
    let es = p.read("content/translations/es.yaml");
    for id in [
        "audience.workforce.name:",
        "organisation.name:",
        "title:",
        "message.self-care:",
    ] {
        assert!(es.contains(id), "{id} is not in the import:\n{es}");
    }
    // Spanish outputs for the audience, with no fallback to the source text.
    let r = p.run(&["build", "--lang", "es", "--audience", "workforce"]);
    r.ok();
    assert!(
        r.stdout.contains("3 written, 0 up to date, 0 failed"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("used the en source text"),
        "{}",
        r.stdout
    );
    assert!(common::pdf_text(&p.file("out/es/flyer-workforce.pdf")).contains("[es] "));
}
