//! Names that refer to something defined elsewhere (a colour, font role,
//! style or flow), checked while they are parsed, and the names a layout
//! defines for itself, read before its parse.

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::marker::PhantomData;

// ---- Names that refer to something defined elsewhere -------------------------
//
// A style, colour, font role or flow name is checked while it is parsed, so that
// serde_yaml attaches the line and column of the bad name to the error. The
// valid names are known before the parse (brand first; styles and flows from a
// quick pre-pass over the same file) and handed in through `with_names`.

#[derive(Debug, Default, Clone)]
pub struct Names {
    pub colours: Vec<String>,
    pub fonts: Vec<String>,
    pub styles: Vec<String>,
    pub flows: Vec<String>,
}

thread_local! {
    static NAMES: RefCell<Option<Names>> = const { RefCell::new(None) };
}

/// Runs `f` (a parse) with `names` as the valid references.
pub fn with_names<T>(names: Names, f: impl FnOnce() -> T) -> T {
    NAMES.with(|n| *n.borrow_mut() = Some(names));
    let out = f();
    NAMES.with(|n| *n.borrow_mut() = None);
    out
}

pub trait RefKind {
    const WHAT: &'static str;
    const DEFINED_IN: &'static str;
    fn names(n: &Names) -> &[String];
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Ref<K> {
    pub name: String,
    #[serde(skip)]
    kind: PhantomData<K>,
}

impl<K> Ref<K> {
    pub fn as_str(&self) -> &str {
        &self.name
    }
}

impl<'de, K: RefKind> Deserialize<'de> for Ref<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        let problem = NAMES.with(|n| {
            let n = n.borrow();
            let n = n.as_ref()?;
            let valid = K::names(n);
            if valid.contains(&name) {
                return None;
            }
            let mut msg = format!("unknown {} `{name}`", K::WHAT);
            match crate::diag::did_you_mean(&name, valid.iter().map(|s| s.as_str())) {
                Some(s) => msg.push_str(&format!("; did you mean `{s}`?")),
                None if valid.is_empty() => {
                    msg.push_str(&format!("; none are defined in {}", K::DEFINED_IN))
                }
                None => msg.push_str(&format!(
                    "; expected one of {} (defined in {})",
                    valid.join(", "),
                    K::DEFINED_IN
                )),
            }
            Some(msg)
        });
        match problem {
            Some(m) => Err(de::Error::custom(m)),
            None => Ok(Ref {
                name,
                kind: PhantomData,
            }),
        }
    }
}

macro_rules! ref_kind {
    ($kind:ident, $alias:ident, $what:literal, $where:literal, $field:ident) => {
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
        pub struct $kind;
        impl RefKind for $kind {
            const WHAT: &'static str = $what;
            const DEFINED_IN: &'static str = $where;
            fn names(n: &Names) -> &[String] {
                &n.$field
            }
        }
        pub type $alias = Ref<$kind>;
    };
}

ref_kind!(
    ColourKind,
    ColourRef,
    "colour",
    "brand.yaml `colours`",
    colours
);
ref_kind!(FontKind, FontRef, "font role", "brand.yaml `fonts`", fonts);
ref_kind!(
    StyleKind,
    StyleRef,
    "style",
    "this layout's `styles`",
    styles
);
ref_kind!(FlowKind, FlowRef, "flow", "this layout's `flows`", flows);

/// The names a layout file defines for itself (its styles and flows), read in a
/// lenient pre-pass so that references to them can be checked during the real parse.
pub fn local_names(text: &str) -> (Vec<String>, Vec<String>) {
    plain_local_names(text)
        .or_else(|| parsed_local_names(text))
        .unwrap_or_default()
}

/// `local_names` by a YAML parse of the whole file (`None` if it does not parse).
fn parsed_local_names(text: &str) -> Option<(Vec<String>, Vec<String>)> {
    let v = serde_yaml::from_str::<serde_yaml::Value>(text).ok()?;
    let keys = |k: &str| -> Vec<String> {
        v.get(k)
            .and_then(|m| m.as_mapping())
            .map(|m| {
                m.keys()
                    .filter_map(|k| k.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    Some((keys("styles"), keys("flows")))
}

/// `local_names` read from the lines, when `styles:` and `flows:` are written
/// as layouts are (top-level block mappings with one plain name a line);
/// `None` for anything else, which a YAML parse then reads. Parsing each layout
/// twice was a third of reading the layouts.
fn plain_local_names(text: &str) -> Option<(Vec<String>, Vec<String>)> {
    // A name as YAML reads it as a string: a letter, then letters, digits, `-`,
    // `_` and spaces (Word's style names: `Heading 1`).
    let plain_key = |body: &str| -> Option<String> {
        let (key, rest) = body.split_once(':')?;
        let ok = key.starts_with(|c: char| c.is_ascii_alphabetic())
            && !key.ends_with(' ')
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == ' ')
            && !matches!(
                key.to_ascii_lowercase().as_str(),
                "true" | "false" | "null" | "y" | "n" | "yes" | "no" | "on" | "off"
            )
            && (rest.is_empty() || rest.starts_with(' '));
        ok.then(|| key.to_string())
    };
    // Styles' names, then flows'; and whether each section was seen.
    let mut names: [Vec<String>; 2] = Default::default();
    let mut seen = [false; 2];
    // The section being read (0 styles, 1 flows) and its names' indentation.
    let mut section: Option<(usize, Option<usize>)> = None;
    // Brackets of a flow collection left open at the end of a line.
    let mut open = 0i32;
    for line in text.lines() {
        if line.contains('\t') {
            return None;
        }
        let indent = line.len() - line.trim_start_matches(' ').len();
        let body = line[indent..].trim_end();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let inside = open > 0;
        // Quotes could hide brackets or `#`: leave such files to the parse.
        if body.contains(['"', '\'', '&', '*', '|', '>', '?', '!']) && section.is_some() {
            return None;
        }
        open += body.matches(['{', '[']).count() as i32 - body.matches(['}', ']']).count() as i32;
        if inside {
            continue;
        }
        if indent == 0 {
            if body.starts_with(['-', '.', '%']) {
                return None;
            }
            let key = plain_key(body)?;
            section = match key.as_str() {
                k @ ("styles" | "flows") => {
                    let which = usize::from(k == "flows");
                    // `styles: { … }` or a second `styles:` are left to the parse.
                    let value = body[k.len() + 1..].trim_start();
                    if std::mem::replace(&mut seen[which], true)
                        || !(value.is_empty() || value.starts_with('#'))
                    {
                        return None;
                    }
                    Some((which, None))
                }
                _ => None,
            };
            continue;
        }
        let Some((which, names_at)) = &mut section else {
            continue;
        };
        let at = *names_at.get_or_insert(indent);
        if indent < at {
            return None;
        }
        if indent == at {
            let names = &mut names[*which];
            let name = plain_key(body)?;
            if names.contains(&name) {
                return None;
            }
            names.push(name);
        }
    }
    let [styles, flows] = names;
    Some((styles, flows))
}

#[cfg(test)]
mod tests {
    use super::{local_names, plain_local_names};

    /// What the YAML parse reads (the reading `plain_local_names` stands in for).
    fn parsed(text: &str) -> (Vec<String>, Vec<String>) {
        super::parsed_local_names(text).unwrap()
    }

    #[test]
    fn the_shipped_layouts_are_read_from_their_lines_as_the_parse_reads_them() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("layouts");
        for name in ["leaflet", "flyer", "handout"] {
            let text = std::fs::read_to_string(root.join(format!("{name}.yaml"))).unwrap();
            let plain = plain_local_names(&text).expect(name);
            assert_eq!(plain, parsed(&text), "{name}");
            assert!(!plain.0.is_empty(), "{name}");
        }
    }

    #[test]
    fn names_written_otherwise_are_left_to_the_parse() {
        let cases = [
            // Flow style, quoted names, a second `styles:`, anchors, block
            // scalars, a name YAML reads as a boolean, tabs.
            "styles: { body: { size: 9pt } }\n",
            "styles:\n  \"body\": { size: 9pt }\n",
            "styles:\n  a: {}\nstyles:\n  b: {}\n",
            "styles:\n  a: &x { size: 9pt }\n  b: *x\n",
            "flows:\n  a: |\n    text\n",
            "styles:\n  yes: {}\n",
            "styles:\n\tbody: {}\n",
            "\"styles\":\n  body: {}\n",
            "styles:\n  a: {}\n  a: {}\n",
        ];
        for text in cases {
            assert_eq!(plain_local_names(text), None, "{text:?}");
        }
        // What the lines can tell is told as the parse tells it.
        let text = "# a layout\nformat: pdf\nstyles:\n  # the body\n  body: { font: body,\n    size: 9pt }\n\n  head-1:\n    size: 12pt\n  List Number: {}\npage: { size: A4 }\nflows:\n  main:\n    - { style: body }\n";
        assert_eq!(plain_local_names(text), Some(parsed(text)));
        assert_eq!(local_names(text), parsed(text));
        assert_eq!(
            local_names("styles: { a: {} }"),
            parsed("styles: { a: {} }")
        );
        assert_eq!(local_names(": ]["), (Vec::new(), Vec::new()));
    }
}
