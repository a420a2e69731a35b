//! The shape of the code, checked: every module uses only modules of lower
//! layers (or peers of its own layer, without a loop), as the layer table in
//! `ARCHITECTURE.md` says; `main.rs` uses only the library's front door; and no
//! source file is over 600 lines outside its tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 600;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The layer table: module name -> (layer number, layer name).
fn layers() -> BTreeMap<String, (usize, String)> {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let table = text
        .split("## Layers")
        .nth(1)
        .expect("ARCHITECTURE.md has a `## Layers` section");
    let mut out = BTreeMap::new();
    for line in table.lines().skip_while(|l| !l.starts_with('|')) {
        if !line.starts_with('|') {
            break;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let Some(n) = cells
            .get(1)
            .and_then(|c| c.split_whitespace().next())
            .and_then(|n| n.parse::<usize>().ok())
        else {
            continue;
        };
        let name = cells[1].trim_start_matches(char::is_numeric).trim();
        for module in cells[2].split(',') {
            let module = module.trim().trim_matches('`');
            if !module.is_empty() {
                out.insert(module.to_string(), (n, name.to_string()));
            }
        }
    }
    assert!(
        out.len() > 5,
        "the layer table lists too few modules: {out:?}"
    );
    out
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file under `src/` belongs to.
fn module_of(rel: &Path) -> String {
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// The lines of a file outside its `#[cfg(test)] mod … { … }` blocks (the
/// tests may use anything, and do not count against a file's length).
fn lines_outside_tests(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim() == "#[cfg(test)]"
            && lines.peek().is_some_and(|n| {
                // A test module may be shared with its siblings' tests.
                let n = n.trim_start_matches("pub(super) ");
                n.starts_with("mod ") && n.trim_end().ends_with('{')
            })
        {
            // Up to the module's closing brace, alone at the start of a line.
            for l in lines.by_ref() {
                if l == "}" {
                    break;
                }
            }
            continue;
        }
        out.push(line);
    }
    out
}

/// The code of a file outside its tests, without comments.
fn code_of(text: &str) -> String {
    let mut code = String::new();
    for line in lines_outside_tests(text) {
        let line = match line.find("//") {
            // Not inside a string on the line (a web address, say).
            Some(i) if line[..i].matches('"').count() % 2 == 0 => &line[..i],
            _ => line,
        };
        code.push_str(line);
        code.push('\n');
    }
    code
}

/// The top-level modules a piece of code names by `crate::…` (with `use
/// crate::{a, b::c}` groups).
fn crate_refs(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().next_back();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `mycrate::`, not ours
        }
        if let Some(group) = rest.strip_prefix('{') {
            // Split the group at its own commas, not those of nested groups.
            let (mut depth, mut start) = (0usize, 0usize);
            let mut end = group.len();
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        end = j;
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.insert(first_ident(&group[start..j]));
                        start = j + 1;
                    }
                    _ => {}
                }
            }
            out.insert(first_ident(&group[start..end]));
        } else {
            out.insert(first_ident(rest));
        }
    }
    out.retain(|m| !m.is_empty() && m != "self");
    out
}

fn first_ident(s: &str) -> String {
    s.trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// Every `crate::` import, as (file, module it is in, module it names).
fn imports() -> Vec<(String, String, String)> {
    let src = root().join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let rel = f.strip_prefix(&src).unwrap().to_path_buf();
        let from = module_of(&rel);
        let code = code_of(&std::fs::read_to_string(&f).unwrap());
        for to in crate_refs(&code) {
            if to != from {
                out.push((format!("src/{}", rel.display()), from.clone(), to));
            }
        }
    }
    out
}

/// What is wrong with the imports, one line each (empty when nothing is).
fn violations(
    layers: &BTreeMap<String, (usize, String)>,
    imports: &[(String, String, String)],
) -> Vec<String> {
    let mut wrong = Vec::new();
    let layer = |m: &str| layers.get(m).map(|(n, _)| *n);
    for (file, from, to) in imports {
        match (layer(from), layer(to)) {
            (None, _) => wrong.push(format!(
                "{file}: module `{from}` is not in the layer table of ARCHITECTURE.md"
            )),
            (_, None) => wrong.push(format!(
                "{file}: uses `crate::{to}`, which is not in the layer table of ARCHITECTURE.md"
            )),
            (Some(a), Some(b)) if b > a => wrong.push(format!(
                "{file}: `{from}` (layer {a}, {}) uses `crate::{to}` (layer {b}, {}), a higher layer",
                layers[from].1, layers[to].1
            )),
            _ => {}
        }
    }
    // Peers of one layer may use each other, but never in a loop.
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (_, from, to) in imports {
        if layer(from).is_some() && layer(from) == layer(to) {
            edges.entry(from).or_default().insert(to);
        }
    }
    for (file, from, to) in imports {
        if layer(from).is_none() || layer(from) != layer(to) {
            continue;
        }
        // A path back from `to` to `from` closes a loop.
        let mut seen = BTreeSet::new();
        let mut stack = vec![to.as_str()];
        while let Some(m) = stack.pop() {
            if m == from {
                wrong.push(format!(
                    "{file}: `{from}` uses `crate::{to}`, and `{to}` leads back to `{from}`: an import loop"
                ));
                break;
            }
            if seen.insert(m) {
                stack.extend(edges.get(m).into_iter().flatten().copied());
            }
        }
    }
    wrong
}

#[test]
fn every_module_uses_only_lower_layers() {
    let wrong = violations(&layers(), &imports());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_check_finds_an_upward_import_and_a_loop() {
    let layers = layers();
    let low = layers
        .iter()
        .min_by_key(|(_, (n, _))| *n)
        .unwrap()
        .0
        .clone();
    let high = layers
        .iter()
        .filter(|(m, _)| *m != "lib" && *m != "main")
        .max_by_key(|(_, (n, _))| *n)
        .unwrap()
        .0
        .clone();
    let mut imports = imports();
    imports.push(("src/added.rs".into(), low.clone(), high.clone()));
    let wrong = violations(&layers, &imports);
    assert!(
        wrong
            .iter()
            .any(|w| w.contains(&format!("`{low}`")) && w.contains("a higher layer")),
        "{wrong:?}"
    );
    // Two peers of one layer using each other.
    let (a, (n, _)) = layers.iter().next().unwrap();
    let b = layers
        .iter()
        .find(|(m, (k, _))| k == n && m != &a)
        .unwrap()
        .0;
    let loop_imports = vec![
        ("src/a.rs".to_string(), a.clone(), b.clone()),
        ("src/b.rs".to_string(), b.clone(), a.clone()),
    ];
    let wrong = violations(&layers, &loop_imports);
    assert!(
        wrong.iter().any(|w| w.contains("an import loop")),
        "{wrong:?}"
    );
}

#[test]
fn code_after_a_test_module_still_counts() {
    let text = "use crate::a;\n#[cfg(test)]\nmod tests {\n    use crate::b;\n}\nuse crate::c;\n";
    let refs: Vec<String> = crate_refs(&code_of(text)).into_iter().collect();
    assert_eq!(refs, ["a", "c"]);
    assert_eq!(lines_outside_tests(text).len(), 2);
}

#[test]
fn crate_refs_reads_groups_and_paths() {
    let code = "use crate::{diag::Error, units::{Length, Rgb}, fsio};\nlet x = crate::text::hex(b);\nuse mycrate::foo;";
    let refs: Vec<String> = crate_refs(code).into_iter().collect();
    assert_eq!(refs, ["diag", "fsio", "text", "units"]);
}

#[test]
fn main_uses_only_the_library_front_door() {
    let layers = layers();
    // The binary: main.rs and its own modules (`cli/`).
    let mut files = vec![root().join("src/main.rs")];
    sources(&root().join("src/cli"), &mut files);
    let mut wrong = Vec::new();
    for f in &files {
        let code = code_of(&std::fs::read_to_string(f).unwrap());
        let shown = f.strip_prefix(root()).unwrap().display().to_string();
        for m in crate_refs(&code) {
            if m != "cli" {
                wrong.push(format!(
                    "{shown} uses `crate::{m}`, not one of the binary's own modules"
                ));
            }
        }
        let mut rest = code.as_str();
        while let Some(i) = rest.find("leafpress::") {
            rest = &rest[i + "leafpress::".len()..];
            let name = first_ident(rest);
            if layers.contains_key(&name) && rest[name.len()..].starts_with("::") {
                wrong.push(format!("{shown} uses `leafpress::{name}::…`"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "main.rs must use only what lib.rs exports:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_source_file_is_over_600_lines_outside_its_tests() {
    let mut files = Vec::new();
    sources(&root().join("src"), &mut files);
    let mut long = Vec::new();
    for f in files {
        let n = lines_outside_tests(&std::fs::read_to_string(&f).unwrap()).len();
        if n > MAX_LINES {
            long.push(format!("{}: {n} lines", f.display()));
        }
    }
    assert!(
        long.is_empty(),
        "over {MAX_LINES} lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn every_module_says_what_it_owns() {
    let mut files = Vec::new();
    sources(&root().join("src"), &mut files);
    let missing: Vec<String> = files
        .iter()
        .filter(|f| {
            !std::fs::read_to_string(f)
                .unwrap()
                .trim_start()
                .starts_with("//!")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "no module doc comment (`//! …`):\n{}",
        missing.join("\n")
    );
}
