//! Hyphenation points by language, from the `hyphenation` crate's embedded
//! Knuth–Liang patterns. Dictionaries load once per language, and each word's
//! points are found once, in the project's caches.

use crate::cache::{Caches, Kind};
use crate::layout::HyphenRules;
use hyphenation::{Hyphenator, Language, Load, Standard};
use std::sync::Arc;

/// A language's patterns.
pub struct Dictionary {
    /// The BCP 47 tag, lower case.
    tag: Box<str>,
    patterns: Standard,
}

/// Dictionaries by language tag (lower case; `None` where there are no patterns).
struct Dictionaries;

impl Kind for Dictionaries {
    type Key = String;
    type Value = Option<Arc<Dictionary>>;
    fn cost(_: &String, _: &Self::Value) -> usize {
        // The largest embedded pattern sets are a few hundred kilobytes.
        256 << 10
    }
}

/// Where a language's patterns break a word, by (language, word): a batch
/// sets the same words in every output, and looking a word up in the pattern
/// trie again cost more than shaping it.
struct Breaks;

impl Kind for Breaks {
    type Key = (Box<str>, Box<str>);
    type Value = Arc<[usize]>;
    fn cost(key: &Self::Key, value: &Self::Value) -> usize {
        48 + key.0.len() + key.1.len() + std::mem::size_of_val(&value[..])
    }
}

/// The pattern set for a BCP 47 language tag, if there is one.
pub fn dictionary(tag: &str, caches: &Caches) -> Option<Arc<Dictionary>> {
    caches.get_or_make::<Dictionaries>(tag.to_ascii_lowercase(), |tag| {
        language(tag)
            .and_then(|l| Standard::from_embedded(l).ok())
            .map(|patterns| {
                Arc::new(Dictionary {
                    tag: tag.as_str().into(),
                    patterns,
                })
            })
    })
}

/// Maps a BCP 47 tag to the patterns that serve it.
fn language(tag: &str) -> Option<Language> {
    let t = tag.to_ascii_lowercase();
    let primary = t.split('-').next().unwrap_or("");
    let code = match (primary, t.as_str()) {
        (_, "en-gb" | "en-au" | "en-nz" | "en-ie" | "en-za" | "en-in") => "en-gb",
        ("en", _) => "en-us",
        ("de", _) => {
            if t.contains("ch") {
                "de-ch-1901"
            } else {
                "de-1996"
            }
        }
        ("el", _) => "el-monoton",
        ("mn", _) => "mn-cyrl",
        ("sr", _) => "sr-cyrl",
        ("no", _) => "nb",
        (p, _) => p,
    };
    Language::try_from_code(code)
}

/// Byte offsets inside `word` where it may be hyphenated under `rules`. Words
/// with digits, capitals throughout, or that look like an address are left whole.
pub fn points(dict: &Dictionary, word: &str, rules: &HyphenRules, caches: &Caches) -> Vec<usize> {
    if word.contains(['@', '/', ':'])
        || word.to_ascii_lowercase().starts_with("www.")
        || word.chars().any(|c| c.is_numeric())
    {
        return Vec::new();
    }
    // Hyphenate the letters, not the punctuation around them.
    let start = word.find(letter).unwrap_or(word.len());
    let end = word
        .rfind(letter)
        .map(|i| i + word[i..].chars().next().map_or(1, char::len_utf8))
        .unwrap_or(start);
    if start >= end {
        return Vec::new();
    }
    let core = &word[start..end];
    let letters = core.chars().count();
    if letters < rules.min_word || !core.chars().all(|c| letter(c) || c == '\'' || c == '’') {
        return Vec::new();
    }
    if core
        .chars()
        .filter(|c| c.is_alphabetic())
        .all(char::is_uppercase)
    {
        return Vec::new();
    }
    breaks(dict, core, caches)
        .iter()
        .copied()
        .filter(|&b| {
            let before = core[..b].chars().count();
            before >= rules.min_before && letters - before >= rules.min_after
        })
        .map(|b| b + start)
        .collect()
}

/// Whether `c` is part of a word's letters: a letter, or a mark that
/// belongs to one (an accent, a Devanagari virama or nukta, which are not
/// alphabetic in Unicode's sense), or a joiner.
fn letter(c: char) -> bool {
    c.is_alphabetic() || matches!(c as u32, 0x0300..=0x036F | 0x0900..=0x0DFF | 0x200C | 0x200D)
}

/// Where the patterns break `word`.
fn breaks(dict: &Dictionary, word: &str, caches: &Caches) -> Arc<[usize]> {
    caches.get_or_make::<Breaks>((dict.tag.clone(), word.into()), |_| {
        dict.patterns.hyphenate(word).breaks.into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dictionary(tag: &str) -> Option<Arc<Dictionary>> {
        super::dictionary(tag, &Caches::default())
    }

    fn points(d: &Dictionary, word: &str, r: &HyphenRules) -> Vec<usize> {
        super::points(d, word, r, &Caches::default())
    }

    #[test]
    fn hindi_has_patterns_and_arabic_none() {
        // hyph-utf8's Hindi patterns come with the crate; Arabic is not
        // hyphenated, so it has none and its words stay whole.
        let d = dictionary("hi").expect("Hindi patterns");
        let p = points(&d, "प्रतिबद्धताएँ", &HyphenRules::default());
        assert!(!p.is_empty());
        assert!(dictionary("ar").is_none());
    }

    #[test]
    fn english_words_get_points_and_others_stay_whole() {
        let d = dictionary("en").unwrap();
        let r = HyphenRules::default();
        let word = "development";
        let p = points(&d, word, &r);
        assert!(!p.is_empty());
        assert!(p.iter().all(|&b| b >= 2 && word.len() - b >= 3));
        assert!(points(&d, "UNICEF", &r).is_empty());
        assert!(points(&d, "2030", &r).is_empty());
        assert!(points(&d, "www.example.org", &r).is_empty());
        assert!(points(&d, "info@example.org", &r).is_empty());
        assert!(points(&d, "short", &r).is_empty());
    }

    #[test]
    fn punctuation_is_not_counted_as_the_word() {
        let d = dictionary("en").unwrap();
        let p = points(&d, "(development),", &HyphenRules::default());
        assert!(p.iter().all(|&b| b > 1 && b < 12), "{p:?}");
    }

    #[test]
    fn several_languages_and_none() {
        for tag in ["en", "en-GB", "fr", "es", "pt", "pt-BR", "de", "it"] {
            assert!(dictionary(tag).is_some(), "{tag}");
        }
        assert!(dictionary("zz").is_none());
        assert!(dictionary("").is_none());
    }
}
