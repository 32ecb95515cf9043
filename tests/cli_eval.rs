//! `pounce eval -e EXPR [FILE...]` end to end: one `true`/`false` line per document, exit code
//! 0 when every record was evaluated, 1 when some record was rejected (reported on stderr as
//! `FILE:LINE: ...`, the rest still runs), 2 when the condition does not compile (diagnostics
//! on stderr, nothing on stdout).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Run, pounce, pounce_with_input};
use std::path::PathBuf;

/// `pounce eval -e expr files...`
fn eval(expr: &str, files: &[&PathBuf]) -> Run {
    let mut args = vec!["eval", "-e", expr];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    pounce(&args)
}

/// `pounce eval -e expr` with `input` on standard input.
fn eval_stdin(expr: &str, input: &str) -> Run {
    pounce_with_input(&["eval", "-e", expr], input.as_bytes())
}

/// Writes `text` to a file of this test binary's scratch directory.
fn file(name: &str, text: &str) -> PathBuf {
    common::scratch_file("cli_eval", name, text.as_bytes())
}

const DOC: &str = r#"{
  "n": 5, "s": "Hello World", "z": null, "t": true, "list": [1, 2, 3],
  "ip": "10.1.2.3", "obj": {"k": "v"},
  "items": [{"b": 1, "name": "x"}, {"b": 2}, {"c": 3}],
  "Tags": [{"Key": "env", "Value": "prod"}],
  "open": [{"FromPort": 0, "ToPort": 65535}],
  "closed": [{"FromPort": 443, "ToPort": 443}]
}"#;

/// A sample of the rows of the semantics tables (crates/lang/tests/semantics.rs and
/// tests/semantics.rs), one process per row.
#[test]
fn sample_of_the_semantics_table() {
    let doc = file("doc.json", DOC);
    let rows: &[(&str, bool)] = &[
        ("n == 5", true),
        ("1 == 1.0", true),
        ("7 / 2 == 3.5", true),
        ("n / 0 exists", false),
        ("m != 1", true),
        ("not (m > 1)", true),
        ("z is_null and m is_null and not (m == null)", true),
        ("s not contains \"xyz\"", true),
        ("s matches \"^Hel+o\"", true),
        ("ip in_cidr [\"192.168.0.0/16\", \"10.0.0.0/8\"]", true),
        ("list[-1] == 3", true),
        ("items[*].b == 2 and items[*].nope is_null", true),
        ("$.Tags[?@.Key == 'env'].Value == \"prod\"", true),
        ("obj[*] == \"v\"", true),
        ("any(items, b == $.n - 3)", true),
        ("all(items, b exists)", false),
        ("len(s) == 11 and upper(obj.k) == \"V\"", true),
        ("n # a comment\n", false),
        (
            "egress_allows_all_ports(open) and not egress_allows_all_ports(closed)",
            true,
        ),
    ];
    let mut failures = Vec::new();
    for (cond, expected) in rows {
        let r = eval(cond, &[&doc]);
        let want = format!("{expected}\n");
        if r.code != 0 || r.stdout != want || !r.stderr.is_empty() {
            failures.push(format!(
                "`{cond}`: exit {} stdout {:?} stderr {:?}, expected {want:?}",
                r.code, r.stdout, r.stderr
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn one_line_per_ndjson_record_in_order() {
    let f = file(
        "records.ndjson",
        "{\"n\": 1}\n\n{\"n\": 5}\r\n{\"x\": true}\n   \n{\"n\": 5.0}\n",
    );
    let r = eval("n == 5", &[&f]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "false\ntrue\nfalse\ntrue\n"); // blank lines are not records
    assert_eq!(r.stderr, "");
}

#[test]
fn a_pretty_printed_file_is_one_document() {
    let f = file("pretty.json", DOC);
    let r = eval("t", &[&f]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "true\n"));
}

#[test]
fn several_files_in_order() {
    let a = file("a.ndjson", "{\"n\": 5}\n{\"n\": 6}\n");
    let b = file("b.json", "{\"n\": 5}");
    let r = eval("n == 5", &[&a, &b, &a]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, "true\nfalse\ntrue\ntrue\nfalse\n");
}

#[test]
fn standard_input_when_no_file() {
    let r = eval_stdin("n > 1", "{\"n\": 1}\n{\"n\": 2}\n");
    assert_eq!((r.code, r.stdout.as_str()), (0, "false\ntrue\n"));
}

#[test]
fn a_bad_record_is_reported_with_its_line_and_the_rest_still_runs() {
    let f = file(
        "bad.ndjson",
        "{\"n\": 5}\n{\"n\": \n{\"n\": 6}\nnot json\n{\"n\": 5}\n",
    );
    let r = eval("n == 5", &[&f]);
    assert_eq!(r.code, 1);
    // One output line per record, in step with the input: a rejected record says `error`.
    assert_eq!(r.stdout, "true\nerror\nfalse\nerror\ntrue\n");
    let name = f.display().to_string();
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert!(
        lines[0].starts_with(&format!("{name}:2: invalid JSON")),
        "{}",
        r.stderr
    );
    assert!(
        lines[1].starts_with(&format!("{name}:4: invalid JSON")),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("2 record(s) rejected"), "{}", r.stderr);
}

#[test]
fn a_bad_record_on_stdin_is_named_dash() {
    let r = eval_stdin("n == 5", "{\"n\": 5}\n{oops}\n");
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "true\nerror\n");
    assert!(r.stderr.starts_with("-:2: invalid JSON"), "{}", r.stderr);
}

#[test]
fn a_missing_input_file_exits_2_before_anything_runs() {
    let ok = file("ok.json", "{\"n\": 5}");
    let gone = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_eval/does-not-exist.json");
    let r = eval("n == 5", &[&ok, &gone]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr
            .contains("does-not-exist.json: no such file or folder"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_condition_that_does_not_compile_exits_2_with_nothing_on_stdout() {
    let doc = file("doc2.json", DOC);
    for (cond, code, message) in [
        ("n ==", "pounce::E0001", "unexpected end of condition"),
        (
            "n startswith \"a\"",
            "pounce::E0002",
            "unknown operator `startswith`",
        ),
        (
            "a == b == c",
            "pounce::E0003",
            "comparisons and tests do not chain",
        ),
        (
            "lenght(s) == 1",
            "pounce::E0101",
            "unknown function `lenght`",
        ),
        (
            "s matches \"([\"",
            "pounce::E0103",
            "invalid regular expression",
        ),
        ("@.a == 1", "pounce::E0105", "`@` used outside a quantifier"),
    ] {
        let r = eval(cond, &[&doc]);
        assert_eq!(r.code, 2, "`{cond}`: {}", r.stderr);
        assert_eq!(r.stdout, "", "`{cond}`");
        assert!(r.stderr.contains(code), "`{cond}`: {}", r.stderr);
        assert!(r.stderr.contains(message), "`{cond}`: {}", r.stderr);
        assert!(!r.stderr.contains('\u{1b}'), "NO_COLOR: {}", r.stderr);
    }
}

#[test]
fn every_error_of_a_condition_is_reported() {
    let r = eval_stdin("lenght(s) == 1 and x matches \"([\" and @.a", "{}\n");
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    for code in ["pounce::E0101", "pounce::E0103", "pounce::E0105"] {
        assert!(r.stderr.contains(code), "{code}: {}", r.stderr);
    }
}

#[test]
fn usage_errors_exit_2() {
    let r = pounce(&["eval"]); // no -e
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    let r = pounce(&["eval", "--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("Exit codes"), "{}", r.stdout);
}
