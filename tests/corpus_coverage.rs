//! Every upstream Panther policy and CloudTrail rule is either in a shipped pack (same ID, the
//! upstream test cases unchanged) or listed with a reason in the pack's UNPORTED.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use pounce::panther;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// An upstream test case: name, expected result, document.
type Case = (String, bool, serde_json::Value);

/// ID → (file, test cases) for every upstream file of `dir`.
fn upstream(dir: &Path, id_key: &str, doc_key: &str) -> BTreeMap<String, (PathBuf, Vec<Case>)> {
    let mut out = BTreeMap::new();
    for f in panther::collect_files(&[dir.to_path_buf()]) {
        let text = std::fs::read_to_string(&f).unwrap();
        let v: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
        let id = v[id_key].as_str().unwrap().to_string();
        let tests = v["Tests"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|t| {
                        (
                            t["Name"].as_str().unwrap().to_string(),
                            t["ExpectedResult"].as_bool().unwrap(),
                            t[doc_key].clone(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.insert(id, (f, tests));
    }
    out
}

fn check_pack(corpus_dir: &Path, pack: &str, id_key: &str, doc_key: &str) {
    let root = common::root();
    let unported = std::fs::read_to_string(root.join(pack).join("UNPORTED.md")).unwrap_or_default();
    let (loaded, invalid) = panther::load_paths(&[root.join(pack)], &common::registry());
    assert!(
        invalid.is_empty(),
        "invalid rule files: {:?}",
        invalid.iter().map(|r| &r.path).collect::<Vec<_>>()
    );
    let by_id: BTreeMap<&str, &panther::Rule> = loaded.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut problems = Vec::new();
    for (id, (file, tests)) in upstream(corpus_dir, id_key, doc_key) {
        match by_id.get(id.as_str()) {
            Some(rule) => {
                for (name, expected, doc) in &tests {
                    match rule.tests.iter().find(|t| &t.name == name) {
                        None => problems.push(format!("{id}: upstream test `{name}` is missing")),
                        Some(t) if t.expected != *expected || &t.document != doc => {
                            problems.push(format!("{id}: upstream test `{name}` was changed"))
                        }
                        Some(_) => {}
                    }
                }
            }
            None if unported.contains(&format!("`{id}`")) => {}
            None => problems.push(format!(
                "{id} ({}) is neither ported nor in {pack}/UNPORTED.md",
                file.display()
            )),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_upstream_policy_is_ported_or_listed() {
    let Some(dir) = common::corpus("every_upstream_policy_is_ported_or_listed", "policies") else {
        return;
    };
    check_pack(&dir, "policies", "PolicyID", "Resource");
}

#[test]
fn every_upstream_cloudtrail_rule_is_ported_or_listed() {
    let Some(dir) = common::corpus(
        "every_upstream_cloudtrail_rule_is_ported_or_listed",
        "rules/aws_cloudtrail_rules",
    ) else {
        return;
    };
    check_pack(&dir, "rules", "RuleID", "Log");
}

#[test]
fn every_pack_test_passes() {
    let root = common::root();
    let (pack, invalid) = panther::load_paths(
        &[root.join("policies"), root.join("rules")],
        &common::registry(),
    );
    assert!(invalid.is_empty());
    let now = pounce::Env::system().now;
    let failures: Vec<String> = pack
        .iter()
        .flat_map(|r| {
            panther::testing::run_tests(r, now)
                .into_iter()
                .filter(|o| !o.passed)
                .map(move |o| format!("{}: {}", r.id, o.name))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "failing tests:\n{}",
        failures.join("\n")
    );
}
