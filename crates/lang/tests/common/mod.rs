//! Helpers shared by the language's integration tests: semantics tables, diagnostics checks
//! (with the `diagnostics!` table macro), and a registry of stand-in functions. The host's
//! tests reuse this module (tests/common/mod.rs includes it) to run the same tables with the
//! functions pounce ships.
#![allow(
    dead_code,
    unused_macros,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use pounce_lang::explain::{ExplainNode, NodeType};
use pounce_lang::{
    CompileError, ConditionError, Env, ErrorCode, Native, NativeError, Registry, compile,
};
use serde_json::Value;

// ---- semantics tables ----------------------------------------------------------------------

/// The spec language: `cond` evaluated over `doc` with the functions of `registry` gives
/// `expected`. Returns a description of the failure, so a table reports every wrong row at once.
pub fn holds(registry: &Registry, doc: &Value, cond: &str, expected: bool) -> Result<(), String> {
    let program = compile(cond, registry)
        .map_err(|e| format!("`{cond}` does not compile: {e} ({:?})", e.codes()))?;
    let got = program.eval_with(doc, &Env::default());
    if got == expected {
        Ok(())
    } else {
        Err(format!("`{cond}` gave {got}, expected {expected}"))
    }
}

/// Runs rows over one document with the functions of `registry`; fails with every wrong row.
pub fn table_with(registry: &Registry, doc: &Value, rows: &[(&str, bool)]) {
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|(cond, expected)| holds(registry, doc, cond, *expected).err())
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Rows that each bring their own document, with the functions of `registry`.
pub fn cases_with(registry: &Registry, rows: &[(Value, &str, bool)]) {
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|(doc, cond, expected)| holds(registry, doc, cond, *expected).err())
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// [`table_with`] the language alone (built-in functions only).
pub fn table(doc: &Value, rows: &[(&str, bool)]) {
    table_with(&Registry::empty(), doc, rows);
}

/// [`cases_with`] the language alone (built-in functions only).
pub fn cases(rows: &[(Value, &str, bool)]) {
    cases_with(&Registry::empty(), rows);
}

/// One document with a value of every kind. `m` (and anything not listed) is missing.
pub fn doc() -> Value {
    // JSON text rather than `json!`, which would need every including crate to raise its
    // recursion limit.
    serde_json::from_str(
        r#"{
        "n": 5, "f": 1.5, "zero": 0, "neg": -3, "big": 9007199254740993,
        "s": "Hello World", "es": "", "num_s": "5",
        "ip": "10.1.2.3", "ip6": "2001:db8::1", "cidr_s": "10.0.0.0/8",
        "cidrs": ["192.168.0.0/16", "not a cidr", "10.0.0.0/8"],
        "z": null, "t": true, "fl": false,
        "list": [1, 2, 3], "strs": ["a", "bc"], "el": [], "eo": {},
        "obj": {"k": "v", "m": 2},
        "items": [{"b": 1, "name": "x"}, {"b": 2, "name": "Y"}, {"c": 3}],
        "nulls": [null, null], "some_null": [null, 1], "empties": ["", [], {}, null],
        "flags": [false, true], "noflags": [false, "true", 1],
        "Tags": [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "sec"}],
        "groups": [
            {"name": "admins", "members": [{"name": "ann", "on": true}, {"name": "bob", "on": false}]},
            {"name": "devs", "members": [{"name": "cy", "on": true}]}
        ],
        "deep": {"a": {"x": 1}, "b": [{"x": 2}, {"y": {"x": 3}}]},
        "keys": {"a.b": 1, "and": 2, "@timestamp": "2024", "with space": 3, "bucket-name": "b", "`": 0},
        "android": 1, "order": 2, "index": 3, "nullable": 4, "exists_flag": true,
        "esc": "a\"b\\c/é\n\t😀",
        "open": [{"FromPort": 0, "ToPort": 65535}],
        "closed": [{"FromPort": 443, "ToPort": 443}],
        "sgs": [
            {"perms": [{"FromPort": 443, "ToPort": 443}]},
            {"perms": [{"FromPort": 0, "ToPort": 65535}]}
        ]
    }"#,
    )
    .unwrap()
}

// ---- diagnostics ---------------------------------------------------------------------------

/// The rendering users see with `NO_COLOR`.
pub fn render(e: &CompileError) -> String {
    let mut out = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .render_report(&mut out, e)
        .unwrap();
    out
}

/// The errors of `src`, which must not compile with the functions of `registry`.
pub fn errors_of(registry: &Registry, src: &str) -> CompileError {
    match compile(src, registry) {
        Ok(_) => panic!("`{src}` compiled"),
        Err(e) => e,
    }
}

/// The text under an error's span.
pub fn underlined<'s>(src: &'s str, e: &ConditionError) -> &'s str {
    &src[e.span.start..e.span.end]
}

/// Asserts the first error of `src` (code, message, underlined text, help) and returns the
/// whole rendering, for the caller to snapshot.
pub fn first_error(
    registry: &Registry,
    src: &str,
    code: ErrorCode,
    message: &str,
    under: &str,
    help: &str,
) -> String {
    let err = errors_of(registry, src);
    let first = &err.errors[0];
    assert_eq!(first.code, code, "code of `{src}`");
    assert_eq!(first.message, message, "message of `{src}`");
    assert_eq!(underlined(src, first), under, "underlined text of `{src}`");
    assert_eq!(first.help.as_deref(), Some(help), "help of `{src}`");
    let rendered = render(&err);
    assert!(!rendered.contains('\u{1b}'), "ANSI codes in {rendered}");
    assert!(rendered.contains(code.as_str()));
    rendered
}

/// One test per diagnostic: `name: source => code, message, underlined text, help;`, each
/// checked with [`first_error`] against `registry` and its rendering kept as an insta snapshot
/// named after the test. Also defines `SOURCES`, every source listed.
macro_rules! diagnostics {
    (registry: $reg:expr; $( $name:ident: $src:expr => $code:ident, $msg:expr, $under:expr, $help:expr; )*) => {
        $(
            #[test]
            fn $name() {
                let rendered = common::first_error(
                    &$reg,
                    $src,
                    pounce_lang::ErrorCode::$code,
                    $msg,
                    $under,
                    $help,
                );
                insta::with_settings!({ description => $src, omit_expression => true }, {
                    insta::assert_snapshot!(stringify!($name), rendered);
                });
            }
        )*
        const SOURCES: &[&str] = &[$($src),*];
    };
}

// ---- threads -------------------------------------------------------------------------------

/// Runs `f` on a thread with a stack of `mib` MiB.
pub fn on_stack(mib: usize, f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(mib << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

// ---- explanations --------------------------------------------------------------------------

/// Checks that `n.deciding` is exactly `expected` (the parent decides and no earlier sibling
/// short-circuited), recursively; so every node marked `deciding: false` sits after a
/// short-circuiting sibling (of itself or of an ancestor). Also checks that each inner node's
/// result follows from its children's.
pub fn check_tree(n: &ExplainNode, expected: bool, at: &str) -> Result<(), String> {
    if n.deciding != expected {
        return Err(format!(
            "{at} `{}`: deciding is {}, expected {expected}",
            n.text, n.deciding
        ));
    }
    match n.node_type {
        NodeType::And | NodeType::Or => {
            let short = n.node_type == NodeType::Or; // the result that stops the scan
            let mut decided = false;
            for (i, c) in n.children.iter().enumerate() {
                check_tree(c, expected && !decided, &format!("{at}.children[{i}]"))?;
                decided |= c.result == short;
            }
            let result = if short {
                n.children.iter().any(|c| c.result)
            } else {
                n.children.iter().all(|c| c.result)
            };
            if result != n.result || n.children.len() < 2 {
                return Err(format!("{at} `{}`: result does not follow", n.text));
            }
        }
        NodeType::Not => {
            let [c] = n.children.as_slice() else {
                return Err(format!("{at}: `not` without one child"));
            };
            check_tree(c, expected, &format!("{at}.children[0]"))?;
            if c.result == n.result {
                return Err(format!("{at} `{}`: not does not negate", n.text));
            }
        }
        NodeType::Quantifier => {
            // The node's text may carry the parentheses around it.
            let q = n.text.trim_start_matches('(');
            let any_or_none = q.starts_with("any") || q.starts_with("none");
            let mut decided = false;
            for e in &n.elements {
                let want = expected && !decided;
                if e.deciding != want {
                    return Err(format!(
                        "{at} `{}` element [{}]: deciding is {}, expected {want}",
                        n.text, e.index, e.deciding
                    ));
                }
                if let Some(ex) = &e.explanation {
                    if ex.result != e.result {
                        return Err(format!("{at} element [{}]: result differs", e.index));
                    }
                    check_tree(ex, want, &format!("{at}.elements[{}]", e.index))?;
                }
                decided |= e.result == any_or_none;
            }
            let holding = n.elements.iter().any(|e| e.result);
            let result = if q.starts_with("any") {
                holding
            } else if q.starts_with("all") {
                n.elements.iter().all(|e| e.result)
            } else {
                !holding
            };
            if result != n.result {
                return Err(format!("{at} `{}`: result does not follow", n.text));
            }
        }
        NodeType::Compare | NodeType::Test | NodeType::Value => {
            if n.reason.is_none() || n.message.is_none() {
                return Err(format!("{at} `{}`: a leaf without reason", n.text));
            }
        }
        // v2: the last child (the branch taken, the body) decides the result.
        NodeType::If | NodeType::Let | NodeType::Call => {
            for (i, c) in n.children.iter().enumerate() {
                check_tree(c, expected, &format!("{at}.children[{i}]"))?;
            }
            if n.children.last().map(|c| c.result) != Some(n.result) {
                return Err(format!("{at} `{}`: result does not follow", n.text));
            }
        }
    }
    Ok(())
}

// ---- stand-in functions --------------------------------------------------------------------

/// A registry of two functions standing in for a host's, so that property tests call
/// functions as conditions do: `nonempty(x)` (true for a list with elements, false for
/// anything else, with an explanation note) and `is_true(x)` (true only for `true`).
pub fn stand_ins() -> Registry {
    let mut r = Registry::empty();
    r.register(Native::new(
        "nonempty",
        1,
        1,
        "true for a list with elements",
        |args, ctx| {
            let n = args.get(0).and_then(Value::as_array).map_or(0, Vec::len);
            ctx.note(format_args!("{n} element(s)"));
            Ok(Value::Bool(n > 0))
        },
    ));
    r.register(Native::new(
        "is_true",
        1,
        1,
        "true for `true`",
        |args, _| match args.get(0) {
            Some(Value::Bool(b)) => Ok(Value::Bool(*b)),
            Some(_) => Ok(Value::Bool(false)),
            None => Err(NativeError("no value".to_string())),
        },
    ));
    r
}
