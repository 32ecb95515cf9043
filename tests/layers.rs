//! The layers of the library, enforced: language (crates/lang, its own crate) → standard
//! library and domain functions (`stdlib`, `aws`) → the Panther host (`panther`) →
//! the engine (`engine`) → `lint` and `report`. A file may use its own layer and those below,
//! never one above. This test reads every `src/**/*.rs`, finds each `crate::X` path and each
//! `use crate::{X, ...}` group (comments, strings and `#[cfg(test)]` items aside), and fails
//! naming the file and line of every reference to a higher layer. The binary (`src/main.rs`,
//! `src/cli/`) may use anything, through `pounce::`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};

/// Each top-level module of the library and its layer.
const LAYERS: &[(&str, u8)] = &[
    ("stdlib", 1),
    ("aws", 1),
    ("panther", 2),
    ("engine", 3),
    ("lint", 4),
    ("report", 4),
];

/// Items of the crate root (src/lib.rs) that files reach as `crate::X`, and their layer: the
/// language's re-exports and `standard_registry` (the functions and the host's `udm`).
const ROOT_ITEMS: &[(&str, u8)] = &[
    ("lang", 0),
    ("compile", 0),
    ("compile_named", 0),
    ("CompileError", 0),
    ("ConditionError", 0),
    ("Document", 0),
    ("Env", 0),
    ("ErrorCode", 0),
    ("KeyMatch", 0),
    ("Program", 0),
    ("Registry", 0),
    ("standard_registry", 2),
];

/// Known exceptions, each with the reason it is allowed and when it goes: (file, module).
const ALLOWED: &[(&str, &str)] = &[];

/// Files that belong to no layer: the crate root wires the layers together, and the binary may
/// use anything.
fn exempt(rel: &str) -> bool {
    rel == "src/lib.rs" || rel == "src/main.rs" || rel.starts_with("src/cli/")
}

/// The layer of a top-level module or root item, if it has one.
fn layer_of(name: &str) -> Option<u8> {
    LAYERS
        .iter()
        .chain(ROOT_ITEMS)
        .find(|(n, _)| *n == name)
        .map(|(_, l)| *l)
}

/// The top-level module a file of `src/` belongs to: `src/engine/pack.rs` → `engine`,
/// `src/report.rs` → `report`.
fn module_of(rel: &str) -> Option<&str> {
    let rest = rel.strip_prefix("src/")?;
    let first = rest.split('/').next()?;
    Some(first.strip_suffix(".rs").unwrap_or(first))
}

/// `text` with comments, string and character literals blanked out (line breaks kept), so that
/// only code is searched.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident_before(&chars, i) {
            // raw string: r"..." or r#"..."#
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let close: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let body_start = j + 1;
            let rest: String = chars[body_start..].iter().collect();
            let len = rest.find(&close).map_or(rest.len(), |k| {
                rest[..k].chars().count() + close.chars().count()
            });
            let end = (body_start + len).min(chars.len());
            out.extend(chars[i..end].iter().map(|c| blank(*c)));
            i = body_start + len;
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' {
            // a character literal ('x', '\n', '\u{..}'), or a lifetime ('a) left as is
            let end = if next == Some('\\') {
                (i + 2..chars.len()).find(|&k| chars[k] == '\'')
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(e) => {
                    for _ in i..=e {
                        out.push(' ');
                    }
                    i = e + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// True when an identifier character comes right before position `i` (so `r` is part of a
/// name, not a raw-string prefix).
fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// `code` with every `#[cfg(test)]` item blanked out (unit tests may use anything).
fn without_tests(code: &str) -> String {
    let mut out: Vec<char> = code.chars().collect();
    let marker: Vec<char> = "#[cfg(test)]".chars().collect();
    let mut i = 0;
    while i + marker.len() <= out.len() {
        if out[i..i + marker.len()] != marker[..] {
            i += 1;
            continue;
        }
        // the item runs to the end of its first `{ ... }` block, or to its `;`
        let mut j = i + marker.len();
        let mut depth = 0usize;
        while j < out.len() {
            match out[j] {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        break;
                    }
                }
                ';' if depth == 0 => break,
                _ => {}
            }
            j += 1;
        }
        let end = (j + 1).min(out.len());
        for c in out.iter_mut().take(end).skip(i) {
            if *c != '\n' {
                *c = ' ';
            }
        }
        i = j + 1;
    }
    out.into_iter().collect()
}

/// The top-level names a line of code reaches through `crate::`: `crate::X...` and each member
/// of `crate::{X, Y::Z, ...}`.
fn crate_refs(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `pounce_crate::`, not `crate::`
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut member = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.push(first_ident(&member));
                        member.clear();
                        continue;
                    }
                    _ => {}
                }
                member.push(c);
            }
            out.push(first_ident(&member));
        } else {
            out.push(first_ident(rest));
        }
    }
    out.retain(|n| !n.is_empty() && n != "self");
    out
}

/// The identifier `s` starts with, after spaces.
fn first_ident(s: &str) -> String {
    s.trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The layering violations of one file: `file:line: ...` for each reference to a higher layer
/// or to a module with no layer.
fn violations(rel: &str, text: &str) -> Vec<String> {
    if exempt(rel) {
        return Vec::new();
    }
    let Some(own) = module_of(rel) else {
        return vec![format!("{rel}: not under src/")];
    };
    let Some(own_layer) = layer_of(own) else {
        return vec![format!(
            "{rel}: module `{own}` has no layer; add it to LAYERS in tests/layers.rs"
        )];
    };
    let code = without_tests(&code_only(text));
    let mut out = Vec::new();
    for (n, line) in code.lines().enumerate() {
        for target in crate_refs(line) {
            if ALLOWED.contains(&(rel, target.as_str())) {
                continue;
            }
            match layer_of(&target) {
                Some(l) if l <= own_layer => {}
                Some(l) => out.push(format!(
                    "{rel}:{}: `{own}` (layer {own_layer}) uses `crate::{target}` (layer {l})",
                    n + 1
                )),
                None => out.push(format!(
                    "{rel}:{}: `crate::{target}` has no layer; add it to tests/layers.rs",
                    n + 1
                )),
            }
        }
    }
    out
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn no_file_imports_from_a_higher_layer() {
    let root = common::root();
    let files = rust_files(&root.join("src"));
    assert!(files.len() > 30, "only {} files", files.len());
    let mut all = Vec::new();
    for f in files {
        let rel = f
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        all.extend(violations(&rel, &std::fs::read_to_string(&f).unwrap()));
    }
    assert!(all.is_empty(), "layering violations:\n{}", all.join("\n"));
}

#[test]
fn the_checker_finds_upward_imports() {
    // a path and a `use` group, each naming a higher layer
    let text = "use crate::panther::Rule;\nuse crate::{lint::output, stdlib::truthy};\n\nfn f() -> crate::engine::Pack { todo!() }\n";
    assert_eq!(
        violations("src/panther/rule.rs", text),
        vec![
            "src/panther/rule.rs:2: `panther` (layer 2) uses `crate::lint` (layer 4)",
            "src/panther/rule.rs:4: `panther` (layer 2) uses `crate::engine` (layer 3)",
        ]
    );
    // nested groups, `self`, the same layer and lower ones are fine
    let ok = "use crate::{engine::{self, Pack}, panther::{Rule, SEVERITIES}};\nuse crate::report::escape;\nuse crate::compile;\n";
    assert!(violations("src/lint/mod.rs", ok).is_empty());
    // a new module needs a layer; an unknown root item too
    assert_eq!(violations("src/sql/mod.rs", "").len(), 1);
    assert_eq!(
        violations("src/engine/x.rs", "use crate::sql::Backend;"),
        vec!["src/engine/x.rs:1: `crate::sql` has no layer; add it to tests/layers.rs"]
    );
    // the binary may use anything
    assert!(violations("src/cli/eval.rs", "use crate::report::x;").is_empty());
}

#[test]
fn comments_strings_and_unit_tests_are_not_imports() {
    let text = r##"//! Builds on [`Rule`](crate::report::Rule).
/* crate::lint */
const S: &str = "crate::lint::x";
const R: &str = r#"crate::report "quoted" "#;
const C: char = '{';
fn f<'a>(x: &'a str) -> &'a str { x }
#[cfg(test)]
mod tests {
    use crate::lint::Hit;
    fn g() { let _ = '}'; }
}
use crate::engine::Pack;
"##;
    assert_eq!(
        violations("src/stdlib/x.rs", text),
        vec!["src/stdlib/x.rs:12: `stdlib` (layer 1) uses `crate::engine` (layer 3)"]
    );
}
