//! Robustness of the library around the language (whose own limits are
//! crates/lang/tests/robustness.rs): records nested to serde_json's limit, odd records in the
//! projected parser and the pack, rule files past the YAML budget, folders that hold no rules,
//! and the fuzz targets over their seeds. docs/ROBUSTNESS.md lists each limit, its default and
//! its error; the record-stream side (`pounce eval`) is tests/stream.rs.
//!
//! Tests run on threads with Rust's default 2 MiB stack, as rayon's workers do in `pounce eval`:
//! a depth that passes here passes there.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::lang::on_stack;
use pounce::engine::Pack;
use pounce::panther::{self, yaml_limits};
use pounce::{Env, ErrorCode, compile};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

use common::registry;

// ---- JSON nesting -------------------------------------------------------------------------

fn nested_array(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

#[test]
fn a_record_nested_deeper_than_serde_json_allows_is_an_error_not_a_crash() {
    let text = format!("{{\"a\": {}}}", nested_array(100_000));
    let e = serde_json::from_str::<Value>(&text).unwrap_err();
    assert!(e.to_string().starts_with("recursion limit exceeded"), "{e}");
    // The projected parser: a part the pack reads is held to the same limit.
    let pack = pack_of(&["a == 1"]);
    let e = pack.parse(&text).unwrap_err();
    assert!(e.to_string().starts_with("recursion limit exceeded"), "{e}");
    // A part no rule reads is skipped without recursion (serde_json skips iteratively), so it
    // cannot overflow the stack either; the record is evaluated on what the rules read.
    let text = format!("{{\"z\": {}, \"a\": 1}}", nested_array(100_000));
    let v = pack.parse(&text).unwrap();
    assert_eq!(v, json!({"a": 1}));
}

#[test]
fn the_deepest_accepted_record_evaluates_and_explains() {
    // serde_json accepts 127 nested arrays and objects, the record's own object included.
    let wrap = |n: usize| {
        let mut doc = json!({"a": 1});
        for _ in 0..n {
            doc = json!({ "a": doc });
        }
        doc
    };
    assert!(serde_json::from_str::<Value>(&wrap(127).to_string()).is_err());
    let doc = wrap(126);
    let text = doc.to_string();
    let doc: Value = serde_json::from_str(&text).unwrap();
    for src in [
        "$..a exists",
        "a[*][*] exists",
        "any(a, any(@, @ exists))",
        "$..[?@.a == 1] exists",
        "len(a) == 1",
        "a == a",
        "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a == 1",
    ] {
        let p = compile(src, &registry()).unwrap();
        let (text, doc) = (text.clone(), doc.clone());
        // On a rayon worker's 2 MiB, as `pounce eval` does.
        on_stack(2, move || {
            let env = Env::default();
            let v = p.eval_with(&doc, &env);
            assert_eq!(p.explain(&doc, &env).flagged, v, "{}", p.source());
            let _ = serde_json::to_string(&p.explain(&doc, &env)).unwrap();
            let projected =
                pounce::engine::project::parse_projected(&text, &pounce::lang::reads::reads(&p));
            assert_eq!(p.eval_with(&projected.unwrap(), &env), v, "{}", p.source());
        });
    }
}

// ---- odd values ---------------------------------------------------------------------------

#[test]
fn duplicate_keys_the_last_one_wins() {
    let text = r#"{"a": 1, "b": 0, "a": 2}"#;
    let full: Value = serde_json::from_str(text).unwrap();
    let p = compile("a == 2", &registry()).unwrap();
    assert!(p.eval(&full));
    let projected =
        pounce::engine::project::parse_projected(text, &pounce::lang::reads::reads(&p)).unwrap();
    assert!(p.eval(&projected));
}

#[test]
fn records_that_are_not_objects_are_documents_where_every_path_is_missing() {
    for text in ["5", "\"s\"", "null", "true", "[1, 2]", "[]"] {
        let v: Value = serde_json::from_str(text).unwrap();
        assert!(!compile("a == 1", &registry()).unwrap().eval(&v), "{text}");
        assert!(
            compile("a not exists", &registry()).unwrap().eval(&v),
            "{text}"
        );
        let pack = pack_of(&["a == 1", "$[0] == 1"]);
        let parsed = pack.parse(text).unwrap();
        let r = pack.evaluate(&parsed, None, &Env::default(), true);
        assert_eq!(r.verdicts.len(), 2, "{text}");
    }
    assert!(
        compile("$[0] == 1", &registry())
            .unwrap()
            .eval(&json!([1, 2]))
    );
}

// ---- rule files ---------------------------------------------------------------------------

/// A fresh, empty scratch folder.
fn scratch(name: &str) -> PathBuf {
    let dir = common::fresh_dir("robustness", name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn fixture(name: &str) -> PathBuf {
    common::root().join("tests/data/robustness").join(name)
}

/// The findings of a rule file that must not load, as (code, message).
fn load_errors(text: &str) -> Vec<(String, String)> {
    match panther::load_str(Path::new("t.yml"), text, &registry()) {
        Ok(r) => panic!("loaded {}", r.id),
        Err(rep) => rep
            .findings
            .iter()
            .map(|f| (f.code.as_str().to_string(), f.message.clone()))
            .collect(),
    }
}

fn pack_of(conditions: &[&str]) -> Pack {
    let rules = conditions
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let text = format!(
                "AnalysisType: policy\nPolicyID: P{i}\nSeverity: Low\nCondition: '{}'\n",
                c.replace('\'', "''")
            );
            panther::load_str(Path::new("p.yml"), &text, &registry()).unwrap()
        })
        .collect();
    Pack::new(rules)
}

const HEAD: &str = "AnalysisType: policy\nPolicyID: P\nSeverity: Low\nCondition: a == 1\n";

#[test]
fn billion_laughs_is_refused_quickly() {
    let text = std::fs::read_to_string(fixture("billion_laughs.yml")).unwrap();
    let start = std::time::Instant::now();
    let errs = load_errors(&text);
    assert_eq!(errs[0].0, "pounce::E0201");
    assert_eq!(
        errs[0].1,
        format!(
            "YAML too large: aliases expand to more than {} events",
            yaml_limits::MAX_REPLAYED_EVENTS
        )
    );
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
}

#[test]
fn a_few_aliases_are_fine() {
    let text = format!(
        "{HEAD}Tests:\n  - Name: one\n    ExpectedResult: false\n    Resource: &r {{a: 1, b: [1, 2]}}\n  - Name: two\n    ExpectedResult: false\n    Resource: *r\n"
    );
    let rule = panther::load_str(Path::new("t.yml"), &text, &registry()).unwrap();
    assert_eq!(rule.tests.len(), 2);
    assert_eq!(rule.tests[1].document, json!({"a": 1, "b": [1, 2]}));
}

#[test]
fn yaml_nested_too_deep_is_refused() {
    let depth_msg = format!(
        "YAML too large: the YAML nests deeper than {} levels",
        yaml_limits::MAX_DEPTH
    );
    let flow = format!(
        "{HEAD}Tests:\n  - Name: deep\n    ExpectedResult: true\n    Resource: {{a: {}1{}}}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert_eq!(load_errors(&flow)[0].1, depth_msg);
    let mut block =
        format!("{HEAD}Tests:\n  - Name: deep\n    ExpectedResult: true\n    Resource:\n");
    for i in 0..200 {
        block.push_str(&format!("{}-\n", "  ".repeat(i + 3)));
    }
    block.push_str(&format!("{}- 1\n", "  ".repeat(203)));
    assert_eq!(load_errors(&block)[0].1, depth_msg);
}

#[test]
fn too_many_yaml_nodes_are_refused() {
    let items = "1,".repeat(yaml_limits::MAX_NODES + 10);
    let text = format!(
        "{HEAD}Tests:\n  - Name: big\n    ExpectedResult: true\n    Resource: {{a: [{items}]}}\n"
    );
    assert_eq!(
        load_errors(&text)[0].1,
        format!(
            "YAML too large: the file has more than {} YAML nodes (aliases count once per use)",
            yaml_limits::MAX_NODES
        )
    );
}

#[test]
fn an_empty_rule_file() {
    for text in ["", "\n\n", "   \n"] {
        assert_eq!(
            load_errors(text),
            vec![("pounce::E0204".to_string(), "empty rule file".to_string())]
        );
    }
    // Comments only, or an empty document: YAML null, not a mapping.
    for text in ["# nothing\n", "---\n", "~\n"] {
        let errs = load_errors(text);
        assert!(!errs.is_empty(), "{text:?}");
    }
}

#[test]
fn a_folder_of_files_that_are_not_yaml_has_no_rules() {
    let dir = fixture("not_rules");
    assert!(panther::collect_files(std::slice::from_ref(&dir)).is_empty());
    let (loaded, invalid) = panther::load_paths(&[dir], &registry());
    assert!(loaded.is_empty() && invalid.is_empty());
}

#[cfg(unix)]
#[test]
fn symlink_loops_end() {
    let dir = scratch("symlinks");
    std::fs::write(dir.join("p.yml"), HEAD).unwrap();
    // A folder that links to itself, two that link to each other, a file that links to itself.
    std::os::unix::fs::symlink(&dir, dir.join("self")).unwrap();
    std::fs::create_dir(dir.join("x")).unwrap();
    std::os::unix::fs::symlink(dir.join("x"), dir.join("y")).unwrap();
    std::os::unix::fs::symlink(dir.join("y"), dir.join("x/back")).unwrap();
    std::os::unix::fs::symlink(dir.join("loop.yml"), dir.join("loop.yml")).unwrap();
    let files = panther::collect_files(std::slice::from_ref(&dir));
    assert_eq!(files, vec![dir.join("loop.yml"), dir.join("p.yml")]);
    let (loaded, invalid) = panther::load_paths(&[dir], &registry());
    assert_eq!(loaded.len(), 1);
    assert_eq!(invalid.len(), 1);
    let f = &invalid[0].findings[0];
    assert_eq!(f.code, ErrorCode::E0210);
    assert!(
        f.message.starts_with("cannot read the file"),
        "{}",
        f.message
    );
}

#[test]
fn a_rule_file_that_is_not_utf8() {
    let dir = scratch("not_utf8");
    let path = dir.join("bad.yml");
    std::fs::write(&path, b"AnalysisType: policy\nPolicyID: \xff\n").unwrap();
    let rep = panther::load_file(&path, &registry()).unwrap_err();
    assert_eq!(rep.findings[0].message, "the file is not valid UTF-8");
}

// ---- fuzzing: the targets' bodies over their seeds and every crash found -------------------

/// The bodies of the fuzz targets (fuzz/src/lib.rs), shared with cargo-fuzz.
#[path = "../fuzz/src/lib.rs"]
mod fuzz_bodies;

/// Runs `body` over every file of `fuzz/seeds/<target>/` and `fuzz/regressions/<target>/`.
fn replay(target: &str, body: fn(&[u8])) {
    let root = common::root().join("fuzz");
    let mut n = 0;
    for dir in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        for f in files {
            let data = std::fs::read(&f).unwrap();
            let name = f.display().to_string();
            // Name the input that fails.
            std::panic::catch_unwind(|| body(&data)).unwrap_or_else(|_| panic!("{name}"));
            n += 1;
        }
    }
    assert!(n > 0, "no seeds for {target}");
}

#[test]
fn fuzz_condition_seeds_and_regressions() {
    replay("condition", fuzz_bodies::condition);
}

#[test]
fn fuzz_rule_file_seeds_and_regressions() {
    replay("rule_file", fuzz_bodies::rule_file);
}

#[test]
fn fuzz_eval_seeds_and_regressions() {
    replay("eval", fuzz_bodies::eval);
}

#[test]
fn fuzz_explain_seeds_and_regressions() {
    replay("explain", fuzz_bodies::explain);
}
