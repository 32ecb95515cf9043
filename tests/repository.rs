//! The repository as a new user meets it: the README renders as written (every code fence
//! closed), says how to install, the manifests state the Rust version they need, and the tests
//! read nothing outside the repository but the corpus, which they skip visibly when it is absent.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::Path;

/// Unclosed fences of a Markdown text: (line, fence) of each fence opened and never closed. A
/// fence of N backticks (or tildes) is closed by a line of at least N of the same character.
fn unclosed_fences(text: &str) -> Vec<(usize, String)> {
    let mut open: Option<(usize, char, usize)> = None;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        let Some(c) = t.chars().next().filter(|c| *c == '`' || *c == '~') else {
            continue;
        };
        let n = t.chars().take_while(|x| *x == c).count();
        if n < 3 {
            continue;
        }
        match open {
            None => open = Some((i + 1, c, n)),
            Some((_, oc, on)) if oc == c && n >= on && t.trim_end().len() == n => open = None,
            Some(_) => {}
        }
    }
    open.map(|(l, c, n)| (l, c.to_string().repeat(n)))
        .into_iter()
        .collect()
}

#[test]
fn every_code_fence_of_the_docs_is_closed() {
    let mut files = vec![common::root().join("README.md")];
    for e in std::fs::read_dir(common::root().join("docs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            files.push(p);
        }
    }
    let mut bad = Vec::new();
    for f in &files {
        for (line, fence) in unclosed_fences(&std::fs::read_to_string(f).unwrap()) {
            bad.push(format!("{}:{line}: `{fence}` is never closed", f.display()));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert_eq!(unclosed_fences("````md\n```\nx\n````\n"), vec![]);
    assert_eq!(unclosed_fences("````md\n```\n"), vec![(1, "````".into())]);
}

#[test]
fn the_readme_says_how_to_install() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    assert!(readme.contains("cargo install --path ."), "README");
}

#[test]
fn the_manifests_state_the_rust_version() {
    for m in ["Cargo.toml", "crates/lang/Cargo.toml"] {
        let text = std::fs::read_to_string(common::root().join(m)).unwrap();
        let line = text.lines().find(|l| l.starts_with("rust-version"));
        assert!(
            line.is_some_and(|l| l.contains("\"1.")),
            "{m}: no rust-version"
        );
    }
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn tests_read_no_absolute_path_and_skip_the_corpus_visibly() {
    let mut files = Vec::new();
    rust_files(&common::root().join("tests"), &mut files);
    rust_files(&common::root().join("crates/lang/tests"), &mut files);
    let absolute = regex::Regex::new(r#""/(work|home|tmp|Users|root|var|opt|mnt|srv)/"#).unwrap();
    let mut bad = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (i, line) in text.lines().enumerate() {
            if absolute.is_match(line) && !line.contains("regex::Regex::new") {
                bad.push(format!("{}:{}: an absolute path", f.display(), i + 1));
            }
        }
        // The corpus is reached only through `common::corpus`, which reports a skip.
        let own = f.ends_with("tests/common/mod.rs") || f.ends_with("tests/repository.rs");
        if !own && text.contains(concat!("../", "shared")) {
            bad.push(format!(
                "{}: reads ../shared directly (use common::corpus)",
                f.display()
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Without the corpus, a test gets `None` and the run shows `SKIPPED <test>: <folder> not
/// found` (on stderr, past the capture).
#[test]
fn a_missing_corpus_folder_is_a_visible_skip() {
    if std::env::var_os("POUNCE_REQUIRE_CORPUS").is_some() {
        return; // that mode fails instead, by design
    }
    assert_eq!(
        common::corpus(
            "a_missing_corpus_folder_is_a_visible_skip",
            "no-such-folder"
        ),
        None
    );
}
