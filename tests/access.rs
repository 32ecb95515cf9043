//! Paths into function results (`parse_json(Policy).Statement[0]`), an addition to contract v1.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use pounce::{Env, compile};
use serde_json::json;

fn holds(doc: serde_json::Value, cond: &str, expected: bool) {
    let p = compile(cond, &common::registry()).unwrap_or_else(|e| panic!("{cond}: {e}"));
    assert_eq!(
        p.eval_with(&doc, &Env::default()),
        expected,
        "{cond} over {doc}"
    );
}

#[test]
fn paths_into_function_results() {
    let doc = json!({"p": "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": [\"s3:*\"]}, {\"Effect\": \"Deny\"}]}", "x": "ABC"});
    holds(
        doc.clone(),
        r#"parse_json(p).Statement[0].Effect == "Allow""#,
        true,
    );
    holds(
        doc.clone(),
        r#"parse_json(p).Statement[-1].Effect == "Deny""#,
        true,
    );
    // a fan-out over a computed value is multi-valued
    holds(
        doc.clone(),
        r#"parse_json(p).Statement[*].Effect == "Deny""#,
        true,
    );
    holds(
        doc.clone(),
        r#"parse_json(p).Statement[*].Missing is_null"#,
        true,
    );
    // quantifiers iterate a computed list
    holds(
        doc.clone(),
        r#"any(parse_json(p).Statement, Action contains "s3:*")"#,
        true,
    );
    holds(
        doc.clone(),
        r#"all(parse_json(p).Statement, Effect == "Allow")"#,
        false,
    );
    // a step that does not resolve is missing, not an error
    holds(doc.clone(), r#"parse_json(p).Nope.Deeper exists"#, false);
    holds(doc.clone(), r#"parse_json(p).Nope != 1"#, true);
    // a step on a string or on an undefined call is missing
    holds(doc.clone(), r#"lower(x).a exists"#, false);
    holds(doc.clone(), r#"parse_json(x).a exists"#, false);
    holds(
        json!({"o": {"k": {"v": 1}}}),
        r#"from_entries([["k", o.k]]).k.v == 1"#,
        true,
    );
}

#[test]
fn display_round_trips() {
    let p = compile(
        r#"parse_json(p).Statement[0].`odd key` == 1"#,
        &common::registry(),
    )
    .unwrap();
    let shown = p.ast().to_string();
    assert_eq!(shown, "parse_json(p).Statement[0].`odd key` == 1");
    assert!(compile(&shown, &common::registry()).is_ok());
}
