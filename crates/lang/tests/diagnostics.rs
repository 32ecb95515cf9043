//! Diagnostics of conditions that do not compile: for each, the code, message, help and the
//! *underlined text* (the source sliced by the span) are asserted, and the no-colour rendering
//! is kept as an insta snapshot (tests/snapshots/). Columns and ANSI codes are never asserted.
//! The diagnostics of conditions that call a host's functions are pounce's tests/diagnostics.rs.
//! Accept new snapshots with `INSTA_UPDATE=always cargo test -p pounce-lang --test diagnostics`
//! and review.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[macro_use]
mod common;

use common::{errors_of, render, underlined};
use pounce_lang::{ErrorCode, Native, Registry, compile};
use std::collections::BTreeSet;

diagnostics! {
    registry: Registry::empty();
    // ---- E0001: syntax --------------------------------------------------------------------
    e0001_end_of_condition: "a ==" => E0001,
        "unexpected end of condition, expected an operand (path, literal, function call or `(`)",
        "==", "add an operand after `==`";
    e0001_unclosed_parenthesis: "(a == 1 and b" => E0001,
        "unexpected end of condition, expected an operator", "b", "close the `(` with `)`";
    e0001_stray_parenthesis: "a == 1)" => E0001,
        "unexpected `)`, expected an operator or the end of the condition", ")",
        "remove this `)`, or add the `(` it closes";
    e0001_quantifier_without_condition: "any(Tags)" => E0001,
        "unexpected `)`, expected an operator", ")",
        "`any` takes a list and a condition: `any(LIST, COND)`";
    e0001_unterminated_string: "x == \"abc" => E0001,
        "unterminated string", "\"", "close the string with `\"`";
    e0001_missing_operator: "x == 1 y == 2" => E0001,
        "missing operator before `y`", "y", "join the two conditions with `and` or `or`";
    e0001_key_with_a_space: "bucket name == \"logs\"" => E0001,
        "missing operator before `name`", "name",
        "join the two conditions with `and` or `or`; if `bucket name` is one key, quote it with backticks: `` `bucket name` ``";
    e0001_keyword_as_key: "Tags.and == 1" => E0001,
        "unexpected `and`, expected a key", "and",
        "`and` is a keyword; to name a key `and`, quote it with backticks: `` `and` ``";
    e0001_single_quotes: "x == 'prod'" => E0001,
        "unexpected `'`, expected an operand (path, literal, function call or `(`)", "'prod'",
        "strings use double quotes: \"prod\"";
    e0001_leading_zero: "port == 022" => E0001,
        "unexpected `022`, expected an operand (path, literal, function call or `(`)", "022",
        "numbers follow JSON: no leading zeros";
    // ---- E0002: unknown operator --------------------------------------------------------
    e0002_operator_typo: "a startswith \"x\"" => E0002,
        "unknown operator `startswith`", "startswith", "did you mean `starts_with`?";
    e0002_symbol_from_another_language: "a <> b" => E0002,
        "unknown operator `<>`", "<>", "did you mean `!=`?";
    e0002_double_ampersand: "a && b" => E0002,
        "unknown operator `&&`", "&&", "did you mean `and`?";
    e0002_is_null_in_two_words: "x is null" => E0002,
        "unknown operator `is null`", "is null", "did you mean `is_null`?";
    e0002_upper_case_keyword: "a == 1 AND b == 2" => E0002,
        "unknown operator `AND`", "AND", "did you mean `and`?";
    // ---- E0003: chaining -----------------------------------------------------------------
    e0003_chained_comparison: "a == b == c" => E0003,
        "comparisons and tests do not chain", "==",
        "join the two with `and`, or put the first in parentheses `(...)` to compare its true/false result";
    e0003_two_tests: "a is_null is_empty" => E0003,
        "comparisons and tests do not chain", "is_empty",
        "join the two with `and`, or put the first in parentheses `(...)` to compare its true/false result";
    // ---- E0004: invalid literal ----------------------------------------------------------
    e0004_number_out_of_range: "x == 1e999" => E0004,
        "the number `1e999` is out of range", "1e999",
        "numbers must be finite 64-bit floating-point values";
    e0004_invalid_escape: "x == \"\\x41\"" => E0004,
        "invalid string literal", "\"\\x41\"",
        "strings follow JSON: write control characters as `\\n`, `\\t` or `\\uXXXX`; the only escapes are `\\\"` `\\\\` `\\/` `\\b` `\\f` `\\n` `\\r` `\\t` `\\uXXXX`";
    e0004_lone_surrogate: "x == \"\\ud800\"" => E0004,
        "invalid string literal", "\"\\ud800\"",
        "write a character above U+FFFF as a surrogate pair, e.g. `\"\\ud83d\\ude00\"`, or as itself";
    // ---- E0101..E0108: checks --------------------------------------------------------------
    e0101_unknown_function: "lenght(x) == 3" => E0101,
        "unknown function `lenght`", "lenght", "did you mean `len`?";
    e0102_builtin_arity: "len(a, b) == 1" => E0102,
        "`len` takes 1 argument, 2 given", "len(a, b)", "call it as `len(arg1)`";
    e0103_invalid_regex: "x matches \"([\"" => E0103,
        "invalid regular expression", "\"([\"",
        "`matches` takes Rust `regex` syntax; to match a special character literally, escape it with `\\\\` inside the string, e.g. `\"\\\\(\"`";
    e0104_prefix_too_long: "ip in_cidr \"10.0.0.0/33\"" => E0104,
        "invalid CIDR `10.0.0.0/33`", "\"10.0.0.0/33\"",
        "write CIDR blocks as `address/prefix`, e.g. \"10.0.0.0/8\" or \"2001:db8::/32\"";
    e0104_address_without_prefix: "ip in_cidr [\"10.0.0.0/8\", \"10.0.0.1\"]" => E0104,
        "invalid CIDR `10.0.0.1`", "[\"10.0.0.0/8\", \"10.0.0.1\"]",
        "write CIDR blocks as `address/prefix`, e.g. \"10.0.0.0/8\" or \"2001:db8::/32\"";
    e0105_current_outside_quantifier: "@.x == 1" => E0105,
        "`@` used outside a quantifier", "@.x",
        "`@` is the current element inside `any(...)`, `all(...)` or `none(...)`; outside them, name the path from the document root";
    e0106_invalid_jsonpath: "$[?@.a ==] exists" => E0106,
        "invalid JSONPath `$[?@.a ==]`", "$[?@.a ==]",
        "expected comparable; see RFC 9535 for the syntax";
    e0107_regex_not_a_literal: "x matches y" => E0107,
        "the right side of `matches` must be a string literal", "y",
        "write the regex as a literal, e.g. `x matches \"^prod-\"`";
    e0108_cidr_not_a_string: "ip in_cidr 10" => E0108,
        "`in_cidr` needs CIDR strings, found `10`", "10",
        "the right side of `in_cidr` is a CIDR string or a list of CIDR strings";
    e0110_repeated_object_key: "{name: a, kind: b, name: c} == x" => E0110,
        "the key `name` is repeated", "name",
        "an object literal names each key once: remove one of them";
}

/// Sources built at run time (too long to write out).
fn deep_sources() -> Vec<String> {
    vec![
        format!("{}x{}", "(".repeat(65), ")".repeat(65)),
        format!("{}x", "not ".repeat(300)),
    ]
}

#[test]
fn e0005_nesting_too_deep() {
    let src = &deep_sources()[0];
    let err = errors_of(&Registry::empty(), src);
    let first = &err.errors[0];
    assert_eq!(first.code, ErrorCode::E0005);
    assert_eq!(first.message, "the condition nests deeper than 64 levels");
    assert_eq!(underlined(src, first), "("); // the 65th parenthesis
    assert_eq!(first.span.start, 64);
    assert_eq!(
        first.help.as_deref(),
        Some("split the condition, or remove redundant parentheses")
    );
    insta::assert_snapshot!("e0005_nesting_too_deep", render(&err));
}

#[test]
fn e0005_too_many_operators() {
    let src = &deep_sources()[1];
    let err = errors_of(&Registry::empty(), src);
    let first = &err.errors[0];
    assert_eq!(first.code, ErrorCode::E0005);
    assert_eq!(first.message, "the condition is deeper than 256 operators");
    assert!(underlined(src, first).starts_with("not ") && underlined(src, first).ends_with('x'));
}

#[test]
fn every_error_is_reported_not_only_the_first() {
    let src = "lenght(a) and b startswith \"x\" and c matches \"(\" and @.d";
    let err = errors_of(&Registry::empty(), src);
    let got: Vec<(ErrorCode, &str)> = err
        .errors
        .iter()
        .map(|e| (e.code, underlined(src, e)))
        .collect();
    assert_eq!(
        got,
        vec![
            (ErrorCode::E0101, "lenght"),
            (ErrorCode::E0002, "startswith"),
            (ErrorCode::E0103, "\"(\""),
            (ErrorCode::E0105, "@.d"),
        ]
    );
    insta::with_settings!({ description => src, omit_expression => true }, {
        insta::assert_snapshot!("several_errors", render(&err));
    });
}

#[test]
fn check_errors_are_all_reported_in_source_order() {
    let src = "x matches y and len() == 1 and ip in_cidr [\"1.2.3.4/40\", 7] and any(l, @ == $[?])";
    let err = errors_of(&Registry::empty(), src);
    let got: Vec<(ErrorCode, &str)> = err
        .errors
        .iter()
        .map(|e| (e.code, underlined(src, e)))
        .collect();
    assert_eq!(
        got,
        vec![
            (ErrorCode::E0107, "y"),
            (ErrorCode::E0102, "len()"),
            (ErrorCode::E0104, "[\"1.2.3.4/40\", 7]"),
            (ErrorCode::E0108, "[\"1.2.3.4/40\", 7]"),
            (ErrorCode::E0106, "$[?]"),
        ]
    );
}

#[test]
fn a_custom_native_is_known_to_the_checker() {
    let mut reg = Registry::empty();
    reg.register(Native::new("is_admin", 1, 2, "test", |_, _| {
        Ok(serde_json::Value::Bool(true))
    }));
    assert!(compile("is_admin(x)", &reg).is_ok());
    assert!(compile("is_admin(x, y)", &reg).is_ok());
    let err = compile("is_admin()", &reg).err().unwrap();
    assert_eq!(
        err.errors[0].message,
        "`is_admin` takes 1 to 2 arguments, 0 given"
    );
    let err = compile("is_admn(x)", &reg).err().unwrap();
    assert_eq!(
        err.errors[0].help.as_deref(),
        Some("did you mean `is_admin`?")
    );
}

#[test]
fn messages_follow_the_house_style() {
    // lower case, no final period, spans inside the source
    let mut sources: Vec<String> = SOURCES.iter().map(|s| s.to_string()).collect();
    sources.extend(deep_sources());
    for src in &sources {
        for e in errors_of(&Registry::empty(), src).errors {
            let first = e.message.chars().next().unwrap();
            assert!(!first.is_uppercase(), "`{src}`: {}", e.message);
            assert!(!e.message.ends_with('.'), "`{src}`: {}", e.message);
            assert!(e.span.end <= src.len() && e.span.start <= e.span.end);
            assert!(e.help.is_some(), "`{src}`: no help for {}", e.message);
            assert!(!e.label.is_empty());
        }
    }
}

#[test]
fn every_error_code_is_covered() {
    let mut sources: Vec<String> = SOURCES.iter().map(|s| s.to_string()).collect();
    sources.extend(deep_sources());
    let seen: BTreeSet<&str> = sources
        .iter()
        .flat_map(|s| errors_of(&Registry::empty(), s).codes())
        .map(ErrorCode::as_str)
        .collect();
    // the condition codes: E00xx (syntax) and E01xx (checks), but E0109, which only a host's
    // `udm` raises (pounce's tests/diagnostics.rs covers it); E02xx and W01xx are the host's
    // rule-file errors and lint warnings
    let all: Vec<ErrorCode> = ErrorCode::ALL
        .iter()
        .copied()
        .filter(|c| c.name().starts_with("E00") || c.name().starts_with("E01"))
        .filter(|c| *c != ErrorCode::E0109)
        // errors of function definitions, not of conditions (tests/v2.rs covers them)
        .filter(|c| {
            !matches!(
                c,
                ErrorCode::E0111 | ErrorCode::E0112 | ErrorCode::E0113 | ErrorCode::E0114
            )
        })
        .collect();
    let missing: Vec<&str> = all
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !seen.contains(c))
        .collect();
    assert!(missing.is_empty(), "not covered: {missing:?}");
}

/// Conditions the grammar and the checker reject (the semantics tables only hold valid ones).
#[test]
fn rejected_by_the_grammar() {
    let bad = [
        "a == b == c",        // comparisons do not chain
        "a is_null is_empty", // one test per operand
        "a < b < c",
        "and == 1", // a keyword needs backticks
        "Tags.and == 1",
        "x == 01", // numbers follow JSON strictly
        "x == .5",
        "x == 1.",
        "x == +1",
        "x == 0x10",
        "x == 'a'", // strings use double quotes
        "x == \"\\x41\"",
        "x == \"\\ud800\"", // lone surrogate
        "x == \"tab\there\"",
        "x == 1e999", // overflows f64
        "@ == 1",     // `@` outside a quantifier
        "@.a exists",
        "AND == 1 AND b", // keywords are lower case
        "a == 1 &&",
        "",
        "x in [1 2]",
        "x matches y",
        "x matches \"[\"",
        "x in_cidr \"10.0.0.0/33\"",
        "x in_cidr 10",
        "nope(x)",
        "len(x, y)",
        "$[?@.a ==] exists",
        "$.a[01] exists", // RFC 9535 integers have no leading zeros (regression: was accepted)
        "any(list)",
        "a.b-c.d == 1 and `unterminated == 1",
    ];
    let accepted: Vec<&str> = bad
        .iter()
        .copied()
        .filter(|c| compile(c, &Registry::empty()).is_ok())
        .collect();
    assert!(accepted.is_empty(), "accepted: {accepted:?}");
}

/// Syntax errors with a certain fix (a single-quoted string, `&&`, `=`, `||`, `===`, `=~`) are
/// all reported in one run: the parse goes on with the fix applied.
#[test]
fn every_fixable_syntax_error_is_reported_in_one_run() {
    for (src, want) in [
        (
            "'ConsoleLogin' && x = \"Root\"",
            vec![
                (ErrorCode::E0001, "'ConsoleLogin'"),
                (ErrorCode::E0002, "&&"),
                (ErrorCode::E0002, "="),
            ],
        ),
        (
            "a == 1 || b === 'x' and c =~ \"y\"",
            vec![
                (ErrorCode::E0002, "||"),
                (ErrorCode::E0002, "==="),
                (ErrorCode::E0001, "'x'"),
                (ErrorCode::E0002, "=~"),
            ],
        ),
    ] {
        let err = errors_of(&Registry::empty(), src);
        let got: Vec<(ErrorCode, &str)> = err
            .errors
            .iter()
            .map(|e| (e.code, underlined(src, e)))
            .collect();
        assert_eq!(got, want, "{src}");
        let quote = err.errors.iter().find(|e| e.code == ErrorCode::E0001);
        assert!(
            quote
                .and_then(|e| e.help.as_deref())
                .is_some_and(|h| h.contains("strings use double quotes: \"")),
            "{src}"
        );
    }
}
