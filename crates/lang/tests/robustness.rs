//! Robustness of the language: no condition crashes it, and every limit answers with a clear
//! error instead of a stack overflow: nesting and depth, regex size, long conditions, numbers
//! beyond i64 and f64, very long strings. docs/ROBUSTNESS.md lists each limit, its default and
//! its error; pounce's tests/robustness.rs covers records, rule files and the fuzz targets.
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

use common::on_stack;
use pounce_lang::syntax::{MAX_DEPTH, MAX_NESTING};
use pounce_lang::{ConditionError, Env, ErrorCode, Registry, compile};
use serde_json::{Value, json};

fn registry() -> Registry {
    Registry::empty()
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
            let _ = pounce_lang::exclusions::exclusions(p.ast());
            let _ = pounce_lang::reads::reads(&p);
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
            pounce_lang::literals::REGEX_SIZE_LIMIT
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
