//! Hyphenation points by language, from the `hyphenation` crate's embedded
//! Knuth–Liang patterns. Dictionaries load once per language per process.

use crate::layout::HyphenRules;
use hyphenation::{Hyphenator, Language, Load, Standard};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The pattern set for a BCP 47 language tag, if there is one.
pub fn dictionary(tag: &str) -> Option<Arc<Standard>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Arc<Standard>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    map.entry(tag.to_ascii_lowercase())
        .or_insert_with(|| {
            language(tag)
                .and_then(|l| Standard::from_embedded(l).ok())
                .map(Arc::new)
        })
        .clone()
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
pub fn points(dict: &Standard, word: &str, rules: &HyphenRules) -> Vec<usize> {
    if word.contains(['@', '/', ':'])
        || word.to_ascii_lowercase().starts_with("www.")
        || word.chars().any(|c| c.is_numeric())
    {
        return Vec::new();
    }
    // Hyphenate the letters, not the punctuation around them.
    let start = word.find(|c: char| c.is_alphabetic()).unwrap_or(word.len());
    let end = word
        .rfind(|c: char| c.is_alphabetic())
        .map(|i| i + word[i..].chars().next().map_or(1, char::len_utf8))
        .unwrap_or(start);
    if start >= end {
        return Vec::new();
    }
    let core = &word[start..end];
    let letters = core.chars().count();
    if letters < rules.min_word
        || !core
            .chars()
            .all(|c| c.is_alphabetic() || c == '\'' || c == '’')
    {
        return Vec::new();
    }
    if core
        .chars()
        .filter(|c| c.is_alphabetic())
        .all(char::is_uppercase)
    {
        return Vec::new();
    }
    breaks(dict, core)
        .into_iter()
        .filter(|&b| {
            let before = core[..b].chars().count();
            before >= rules.min_before && letters - before >= rules.min_after
        })
        .map(|b| b + start)
        .collect()
}

/// Where the patterns break `word`, remembered per thread: a batch sets the
/// same words in every output, and looking a word up in the pattern trie
/// again cost more than shaping it.
fn breaks(dict: &Standard, word: &str) -> Vec<usize> {
    // Dictionary address -> word -> breaks. Dictionaries live as long as the
    // process (see `dictionary`), so the address names one.
    type Seen = HashMap<usize, rustc_hash::FxHashMap<Box<str>, Vec<usize>>>;
    thread_local! {
        static SEEN: std::cell::RefCell<Seen> = std::cell::RefCell::new(HashMap::new());
    }
    SEEN.with_borrow_mut(|seen| {
        let words = seen.entry(dict as *const Standard as usize).or_default();
        if let Some(b) = words.get(word) {
            return b.clone();
        }
        if words.len() >= 50_000 {
            words.clear();
        }
        let b = dict.hyphenate(word).breaks;
        words.insert(word.into(), b.clone());
        b
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
