//! The README's examples, run: every `leafpress` command in its `sh` blocks
//! works on the shipped project as written, and the sample output it shows is
//! what `build` prints. The README cannot drift from the program.

mod common;

use common::Project;

/// Each line of the README's `sh` blocks that runs leafpress, as arguments.
fn commands(readme: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut in_sh = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_sh = line.trim() == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        let line = line.split(" #").next().unwrap_or("").trim();
        let args = if let Some(rest) = line.strip_prefix("leafpress ") {
            rest
        } else if let Some(rest) = line.strip_prefix("cargo run --release -- ") {
            rest
        } else {
            continue;
        };
        // The synopsis (`[--content DIR] ...`) shows options, not a command.
        if args.contains('[') {
            continue;
        }
        out.push(
            args.split_whitespace()
                .map(|a| {
                    if a == "DIR" {
                        "new-project".to_string()
                    } else {
                        a.to_string()
                    }
                })
                .collect(),
        );
    }
    out
}

/// A line of output with its numbers (sizes, seconds) taken out.
fn shape(line: &str) -> String {
    let mut s = String::new();
    let mut in_number = false;
    for c in line.chars() {
        if c.is_ascii_digit() || (in_number && c == '.') {
            if !in_number {
                s.push('#');
            }
            in_number = true;
        } else {
            in_number = false;
            s.push(c);
        }
    }
    s
}

#[test]
fn every_command_in_the_readme_runs_as_written() {
    let readme = std::fs::read_to_string(common::repo().join("README.md")).unwrap();
    let commands = commands(&readme);
    let names: Vec<&str> = commands.iter().map(|c| c[0].as_str()).collect();
    for expected in ["build", "export", "import", "check", "list", "init"] {
        assert!(
            names.contains(&expected),
            "the README shows no `{expected}`: {names:?}"
        );
    }
    let p = Project::shipped();
    p.run(&["build", "--no-preview"]).ok();
    // The handout a translator sends back, for `import --lang fr handout.docx`.
    std::fs::copy(
        p.file("out/fr/handout-workforce.docx"),
        p.file("handout.docx"),
    )
    .unwrap();
    for args in &commands {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        if args[0] == "watch" {
            assert!(keeps_running(&p, &args, "watching"), "leafpress watch");
            continue;
        }
        let r = p.run(&args);
        assert_eq!(
            r.code,
            0,
            "leafpress {}:\n{}\n{}",
            args.join(" "),
            r.stdout,
            r.stderr
        );
    }
}

/// Starts a command that runs until stopped (`watch`), and says whether it
/// printed `ready` (after its first build) before being stopped.
fn keeps_running(p: &Project, args: &[&str], ready: &str) -> bool {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_leafpress"))
        .args(args)
        .current_dir(p.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let seen = std::io::BufReader::new(out)
        .lines()
        .map_while(Result::ok)
        .any(|l| l.starts_with(ready));
    let _ = child.kill();
    let _ = child.wait();
    seen
}

#[test]
fn the_readme_shows_what_build_prints() {
    let readme = std::fs::read_to_string(common::repo().join("README.md")).unwrap();
    let start = readme.find("`build` prints one line per file").unwrap();
    let block = &readme[start..];
    let block = &block[block.find("```\n").unwrap() + 4..];
    let block = &block[..block.find("```").unwrap()];
    let shown: Vec<&str> = block.lines().filter(|l| *l != "...").collect();
    let p = Project::shipped();
    let r = p.run(&["build"]);
    r.ok();
    let printed: Vec<String> = r.stdout.lines().map(shape).collect();
    for line in shown {
        assert!(
            printed.contains(&shape(line)),
            "the README shows `{line}`, but build printed:\n{}",
            r.stdout
        );
    }
}
