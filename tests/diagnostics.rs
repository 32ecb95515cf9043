//! Diagnostics of conditions that call a function pounce ships (a native's arity, `udm` of a
//! data-model name), checked as the language's own (crates/lang/tests/diagnostics.rs) with
//! every function pounce registers, and docs/LANGUAGE.md's rendered examples, which include
//! them. Renderings are insta snapshots (tests/snapshots/).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[macro_use]
mod common;

use common::lang::{errors_of, render};
use pounce::compile;
use std::collections::BTreeSet;

diagnostics! {
    registry: common::registry();
    e0102_native_arity: "egress_allows_all_ports()" => E0102,
        "`egress_allows_all_ports` takes 1 argument, 0 given", "egress_allows_all_ports()",
        "call it as `egress_allows_all_ports(arg1)`";
    e0109_unknown_data_model_name: "udm(\"actor_user\") == \"root\"" => E0109,
        "no data model maps `actor_user`", "\"actor_user\"",
        "no data model is loaded: put the data model file (`AnalysisType: datamodel`) beside the rules";
    e0109_udm_of_a_path: "udm(actor) == \"root\"" => E0109,
        "`udm` takes one string literal: the data-model name", "udm(actor)",
        "write e.g. `udm(\"actor_user\")`";

}

#[test]
fn unknown_function_without_a_close_name_lists_the_known_ones() {
    let src = "zzzzzzzz(x)";
    let err = errors_of(&common::registry(), src);
    let help = err.errors[0].help.clone().unwrap();
    assert!(help.starts_with("known functions: "), "{help}");
    for f in ["len", "lower", "upper", "egress_allows_all_ports"] {
        assert!(help.contains(f), "{help}");
    }
}

#[test]
fn messages_follow_the_house_style() {
    // lower case, no final period, spans inside the source
    for src in SOURCES {
        for e in errors_of(&common::registry(), src).errors {
            let first = e.message.chars().next().unwrap();
            assert!(!first.is_uppercase(), "`{src}`: {}", e.message);
            assert!(!e.message.ends_with('.'), "`{src}`: {}", e.message);
            assert!(e.span.end <= src.len() && e.span.start <= e.span.end);
            assert!(e.help.is_some(), "`{src}`: no help for {}", e.message);
            assert!(!e.label.is_empty());
        }
    }
}

/// The rows of the language's `rejected_by_the_grammar` that call a function pounce ships.
#[test]
fn rejected_by_the_grammar() {
    let bad = ["egress_allows_all_ports()"];
    let accepted: Vec<&str> = bad
        .iter()
        .copied()
        .filter(|c| compile(c, &common::registry()).is_ok())
        .collect();
    assert!(accepted.is_empty(), "accepted: {accepted:?}");
}

/// docs/LANGUAGE.md shows rendered diagnostics; each must be what pounce renders today.
#[test]
fn the_language_reference_shows_current_messages() {
    let doc = std::fs::read_to_string(common::root().join("docs/LANGUAGE.md")).unwrap();
    let blocks: Vec<&str> = doc
        .split("```text\n")
        .skip(1)
        .filter_map(|b| b.split("\n```").next())
        .filter(|b| b.starts_with("pounce::E"))
        .collect();
    assert!(
        blocks.len() >= 14,
        "only {} rendered examples",
        blocks.len()
    );
    let mut codes = BTreeSet::new();
    for block in blocks {
        let src = block
            .lines()
            .find_map(|l| l.strip_prefix(" 1 │ "))
            .expect("a source line");
        let rendered = render(&errors_of(&common::registry(), src));
        let trim = |s: &str| s.lines().map(str::trim_end).collect::<Vec<_>>().join("\n");
        assert_eq!(
            trim(block),
            trim(&rendered).trim_end(),
            "docs/LANGUAGE.md, `{src}`"
        );
        codes.insert(block.lines().next().unwrap_or("").to_string());
    }
    // one example per condition code
    assert_eq!(codes.len(), 15, "{codes:?}");
}
