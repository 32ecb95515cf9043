//! `pounce natives` lists every registered native, and docs/NATIVES.md is its current output.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

fn natives(format: &str) -> String {
    let out = common::pounce(&["natives", "--format", format]);
    assert_eq!(out.code, 0);
    out.stdout
}

#[test]
fn docs_natives_md_is_current() {
    let doc = std::fs::read_to_string(common::root().join("docs/NATIVES.md")).unwrap();
    assert_eq!(
        doc,
        natives("markdown"),
        "regenerate with: pounce natives --format markdown > docs/NATIVES.md"
    );
}

#[test]
fn json_lists_every_native_once() {
    let v: serde_json::Value = serde_json::from_str(&natives("json")).unwrap();
    let of = |kind: &str| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .filter(|n| n["kind"] == kind)
            .map(|n| n["name"].as_str().unwrap().to_string())
            .collect()
    };
    let registry = pounce::standard_registry();
    let (standard, native) = (of("standard"), of("native"));
    assert_eq!(standard.len() + native.len(), registry.iter().count());
    // listed apart: the standard library knows nothing of AWS, natives are the host's
    assert!(
        standard.contains(&"split".to_string())
            && !standard.contains(&"egress_allows_all_ports".to_string())
    );
    assert!(native.contains(&"egress_allows_all_ports".to_string()));
    assert_eq!(of("builtin").len(), 10);
    assert!(of("pack").is_empty(), "no functions file given");
    assert!(registry.duplicates().is_empty());
}
