//! The shipped content is the seed text, word for word.

mod common;

#[test]
fn shipped_content_is_the_seed_text_word_for_word() {
    let seed = std::fs::read_to_string(common::repo().join("tests/fixtures/seed.txt")).unwrap();
    // The seed lists messages as "- 1) text"; the content keeps the text and
    // lets the layouts number it.
    let seed: Vec<String> = seed
        .lines()
        .map(|l| {
            let l = l.trim();
            let l = l.strip_prefix("- ").unwrap_or(l);
            match l.split_once(") ") {
                Some((n, rest)) if n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty() => {
                    rest.to_string()
                }
                _ => l.to_string(),
            }
        })
        .filter(|l| !l.is_empty())
        .collect();
    let c = common::shipped_content();
    let mut ours = vec![
        c.title.clone(),
        c.attribution.clone(),
        c.definition.heading.clone(),
        c.definition.text.clone(),
    ];
    ours.extend(c.definition.note.clone());
    for a in &c.audiences {
        ours.push(a.heading.clone());
        ours.extend(a.intro.clone());
        ours.extend(a.messages.iter().map(|m| m.text.clone()));
    }
    assert_eq!(ours, seed);
    assert_eq!(c.language, "en");
    assert_eq!(
        c.attribution,
        "Developed by the Advocacy Interest Group of the Global Social Service Workforce Alliance"
    );
    let ids: Vec<&str> = c.audiences.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["donors-government", "media-public", "workforce"]);
    assert!(
        c.audiences[2].intro.is_some(),
        "the workforce section has its intro paragraph"
    );
}
