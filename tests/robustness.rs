//! Robustness of the library: no input crashes pounce, and every limit answers with a clear
//! error instead of a stack overflow or an unbounded expansion. docs/ROBUSTNESS.md lists each
//! limit, its default and its error; the record-stream side (`pounce eval`) is tests/stream.rs.
//!
//! Tests run on threads with Rust's default 2 MiB stack, as rayon's workers do in `pounce eval`:
//! a depth that passes here passes there.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use pounce::engine::Pack;
use pounce::lang::syntax::{MAX_DEPTH, MAX_NESTING};
use pounce::panther::{self, yaml_limits};
use pounce::{ConditionError, Env, ErrorCode, compile};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn registry() -> pounce::Registry {
    pounce::standard_registry()
}

/// The first error of a condition that must not compile.
fn first_error(src: &str) -> ConditionError {
    match compile(src, &registry()) {
        Ok(_) => panic!("`{}` compiled", &src[..src.len().min(80)]),
        Err(e) => e.errors.into_iter().next().expect("at least one error"),
    }
}

fn assert_too_deep(src: &str, message: &str) {
    let e = first_error(src);
    assert_eq!(e.code, ErrorCode::E0005, "{}", e.message);
    assert_eq!(e.message, message);
    assert!(e.span.end <= src.len());
}

fn nesting_message() -> String {
    format!("the condition nests deeper than {MAX_NESTING} levels")
}

fn depth_message() -> String {
    format!("the condition is deeper than {MAX_DEPTH} operators")
}

// ---- condition nesting --------------------------------------------------------------------

#[test]
fn ten_thousand_parentheses() {
    let src = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
    assert_too_deep(&src, &nesting_message());
    // Unbalanced too: the limit is checked before the parser recurses.
    assert_too_deep(&"(".repeat(10_000), &nesting_message());
}

#[test]
fn ten_thousand_nots() {
    assert_too_deep(&format!("{}a", "not ".repeat(10_000)), &depth_message());
    assert_too_deep(&format!("{}a", "not ".repeat(100_000)), &depth_message());
}

#[test]
fn ten_thousand_unary_minuses() {
    assert_too_deep(&format!("{}1 == a", "- ".repeat(10_000)), &depth_message());
    assert_too_deep(&format!("a == {}1", "-".repeat(10_000)), &depth_message());
}

#[test]
fn a_hundred_thousand_conjuncts() {
    let src = vec!["a"; 100_000].join(" and ");
    assert_too_deep(&src, &depth_message());
    let src = vec!["a == 1"; 100_000].join(" or ");
    assert_too_deep(&src, &depth_message());
}

#[test]
fn prefix_operators_spread_over_nested_parentheses() {
    // 60 levels of 200 `not` each: every run is short, the whole is far too deep.
    let level = format!("{}(", "not ".repeat(200));
    let src = format!("{}a{}", level.repeat(60), ")".repeat(60));
    assert_too_deep(&src, &depth_message());
}

#[test]
fn ten_thousand_nested_lists_calls_and_quantifiers() {
    assert_too_deep(
        &format!("a in {}1{}", "[".repeat(10_000), "]".repeat(10_000)),
        &nesting_message(),
    );
    assert_too_deep(
        &format!("{}a{}", "len(".repeat(10_000), ")".repeat(10_000)),
        &nesting_message(),
    );
    assert_too_deep(
        &format!("{}@{}", "any(a, ".repeat(10_000), ")".repeat(10_000)),
        &nesting_message(),
    );
}

#[test]
fn brackets_behind_quotes_and_comments_do_not_reach_the_parser() {
    // The nesting pre-check skips strings and comments; the grammar reads these as JSONPath
    // brackets. None may overflow the stack: each is a plain syntax or nesting error.
    let deep = "(".repeat(100_000);
    let close = ")".repeat(100_000);
    for src in [
        format!("$['{deep}]"),
        format!("$[\"{deep}]"),
        format!("$[`{deep}]"),
        format!("$[#{deep}\n{close}]"),
        format!("$[?@.a == '{deep}' ]"),
        format!("a == \"{deep}\""),
        format!("# {deep}\na"),
        format!("`{deep}` == 1"),
    ] {
        let _ = compile(&src, &registry());
    }
}

/// Runs `f` on a thread with a stack of `mib` MiB.
fn on_stack(mib: usize, f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(mib << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn the_deepest_accepted_condition_compiles_evaluates_and_explains() {
    let nested = format!("{}t{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
    let nots = format!("{}t", "not ".repeat(MAX_DEPTH - 2));
    let negs = format!("{}a == 1", "-".repeat(MAX_DEPTH - 3));
    let sums = format!("{} == 1", vec!["a"; MAX_DEPTH - 2].join(" + "));
    let ands = vec!["t"; MAX_DEPTH - 1].join(" and ");
    let mixed = format!(
        "{}t{}",
        "(not ".repeat(MAX_NESTING - 1),
        ")".repeat(MAX_NESTING - 1)
    );
    let quantifiers = format!(
        "{}@ == 1{}",
        "any(b, ".repeat(MAX_NESTING / 4),
        ")".repeat(MAX_NESTING / 4)
    );
    for src in [nested, nots, negs, sums, ands, mixed, quantifiers] {
        // At the limit, compiling needs about 1.5 MiB of stack in a debug build, evaluating
        // less: both fit the 2 MiB of a test thread or a rayon worker.
        on_stack(2, move || {
            let p = compile(&src, &registry()).unwrap_or_else(|e| panic!("{e:?}"));
            let env = Env::default();
            let doc = json!({"a": 1, "t": true, "b": [1, 2]});
            let verdict = p.eval_with(&doc, &env);
            assert_eq!(p.explain(&doc, &env).flagged, verdict);
            let _ = pounce::lang::exclusions::exclusions(p.ast());
            let _ = pounce::lang::reads::reads(&p);
        });
    }
}

// ---- regex size ---------------------------------------------------------------------------

#[test]
fn a_regex_larger_than_the_limit_is_a_compile_error() {
    let e = first_error(r#"b matches "a{1000}{1000}""#);
    assert_eq!(e.code, ErrorCode::E0103);
    let text = format!("{} {}", e.message, e.label);
    assert!(
        text.contains(&format!(
            "larger than {} bytes",
            pounce::lang::literals::REGEX_SIZE_LIMIT
        )),
        "{text}"
    );
}

#[test]
fn a_deeply_nested_regex_is_a_compile_error() {
    let src = format!(
        "b matches \"{}a{}\"",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    assert_eq!(first_error(&src).code, ErrorCode::E0103);
}

#[test]
fn a_long_condition_compiles() {
    let long = "x".repeat(1 << 20);
    let p = compile(&format!("b == \"{long}\""), &registry()).unwrap();
    assert!(p.eval(&json!({ "b": long })));
}

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
fn numbers_beyond_i64_and_f64() {
    // Beyond i64 and u64: a float. Beyond f64: not JSON serde_json accepts.
    let v: Value =
        serde_json::from_str(r#"{"a": 18446744073709551616, "b": -9223372036854775809}"#).unwrap();
    assert!(
        compile("a > 1e19 and b < -9e18", &registry())
            .unwrap()
            .eval(&v)
    );
    let e = serde_json::from_str::<Value>(r#"{"a": 1e400}"#).unwrap_err();
    assert!(e.to_string().starts_with("number out of range"), "{e}");
    // In a condition, a literal beyond f64 is a compile error.
    assert_eq!(first_error("a == 1e400").code, ErrorCode::E0004);
    // Arithmetic that leaves f64 is undefined, never a panic.
    let v = json!({"a": 1e308, "i": i64::MAX, "j": i64::MIN, "u": u64::MAX});
    for src in [
        "a * a > 1",
        "a * -a < 1",
        "i + 1 > i",
        "j - 1 < j",
        "i * i > 0",
        "j / -1 > 0",
        "u + u > u",
        "-j > 0",
        "j / 0 == 0",
        "a[9223372036854775807] exists",
        "a[-9223372036854775808] exists",
    ] {
        let p = compile(src, &registry()).unwrap();
        let _ = p.eval(&v);
        let _ = p.explain(&v, &Env::default());
    }
    assert_eq!(
        first_error("a[9223372036854775808] exists").code,
        ErrorCode::E0004
    );
}

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

#[test]
fn very_long_strings() {
    let long = "é".repeat(4 << 20);
    let v = json!({ "s": long, "list": vec![long.clone(); 2] });
    for src in [
        "len(s) == 4194304",
        "s contains \"éé\" and s starts_with \"é\"",
        "lower(s) == upper(s)",
        "s matches \"^é+$\"",
        "s in list",
    ] {
        let p = compile(src, &registry()).unwrap();
        let _ = p.eval(&v);
        let x = p.explain(&v, &Env::default());
        // Explanations shorten what they quote.
        assert!(serde_json::to_string(&x).unwrap().len() < 1 << 20, "{src}");
    }
}

// ---- rule files ---------------------------------------------------------------------------

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("robustness")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/robustness")
        .join(name)
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
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
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

// ---- regressions found by fuzzing, spelled out -----------------------------------------------
