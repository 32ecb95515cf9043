//! A pack's own functions (functions files, language v2) through the host: found beside the
//! rules, called by conditions, replaced by tests' mocks, listed by `pounce natives`, shown by
//! `describe` and `explain`, and their errors placed in the file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{fresh_dir, pounce};
use std::path::{Path, PathBuf};

const HELPERS: &str = r#"AnalysisType: functions
Functions:
  is_root(identity): identity.type == "Root"
  account_of(arn): split(arn, ":")[4]
  ALLOWED_ACCOUNTS(): ["111122223333"]
"#;

const RULE: &str = r#"AnalysisType: rule
RuleID: "Pack.RootOutsideAllowedAccounts"
DisplayName: "Root activity outside the allowed accounts"
LogTypes: [AWS.CloudTrail]
Severity: High
Condition: >
  is_root(userIdentity)
  and account_of(userIdentity.arn) not in ALLOWED_ACCOUNTS()
Tests:
  - Name: root in another account
    ExpectedResult: true
    Log: {"userIdentity": {"type": "Root", "arn": "arn:aws:iam::999999999999:root"}}
  - Name: root in an allowed account
    ExpectedResult: false
    Log: {"userIdentity": {"type": "Root", "arn": "arn:aws:iam::111122223333:root"}}
  - Name: the parameter replaced by a mock
    ExpectedResult: false
    Mocks:
      - objectName: ALLOWED_ACCOUNTS
        returnValue: '["999999999999"]'
    Log: {"userIdentity": {"type": "Root", "arn": "arn:aws:iam::999999999999:root"}}
"#;

/// A pack folder: `rules/rule.yml` and `helpers/helpers.yml` with the given texts.
fn pack(name: &str, helpers: &str) -> PathBuf {
    let dir = fresh_dir("pack_functions", name);
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::create_dir_all(dir.join("helpers")).unwrap();
    std::fs::write(dir.join("rules/rule.yml"), RULE).unwrap();
    std::fs::write(dir.join("helpers/helpers.yml"), helpers).unwrap();
    dir
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn rules_call_the_packs_functions_and_tests_mock_them() {
    let dir = pack("ok", HELPERS);
    let run = pounce(&["test", &s(&dir.join("rules"))]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("3 passed, 0 failed"), "{}", run.stdout);
    // the same rule without its helpers does not know the functions
    let lone = fresh_dir("pack_functions", "lone");
    std::fs::create_dir_all(&lone).unwrap();
    std::fs::write(lone.join("rule.yml"), RULE).unwrap();
    let run = pounce(&["test", &s(&lone)]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("unknown function `is_root`") || run.stderr.contains("is_root"),
        "{}{}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn eval_runs_the_packs_functions() {
    let dir = pack("eval", HELPERS);
    let events = dir.join("events.ndjson");
    std::fs::write(
        &events,
        "{\"p_log_type\":\"AWS.CloudTrail\",\"userIdentity\":{\"type\":\"Root\",\"arn\":\"arn:aws:iam::999999999999:root\"}}\n{\"p_log_type\":\"AWS.CloudTrail\",\"userIdentity\":{\"type\":\"Root\",\"arn\":\"arn:aws:iam::111122223333:root\"}}\n",
    )
    .unwrap();
    let run = pounce(&["eval", "-r", &s(&dir.join("rules")), &s(&events)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(run.stdout.contains("Pack.RootOutsideAllowedAccounts"));
}

#[test]
fn natives_describe_and_explain_show_them() {
    let dir = pack("show", HELPERS);
    let rules = s(&dir.join("rules"));
    let run = pounce(&["natives", &rules]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .starts_with("Pack functions (functions files):\n")
    );
    assert!(run.stdout.contains("account_of(arn)"));
    let run = pounce(&["describe", &s(&dir.join("rules/rule.yml"))]);
    assert!(
        run.stdout
            .contains("- `is_root(identity)` = `identity.type == \"Root\"`"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("- `ALLOWED_ACCOUNTS()` = `[\"111122223333\"]`")
    );
    let run = pounce(&[
        "explain",
        "-r",
        &s(&dir.join("rules/rule.yml")),
        "--test",
        "root in another account",
    ]);
    assert!(
        run.stdout
            .contains("identity.type == \"Root\" (body of `is_root`)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("(parameter `identity`)"));
}

#[test]
fn errors_in_a_functions_file_are_placed_in_it() {
    let broken = HELPERS.replace(
        "account_of(arn): split(arn, \":\")[4]",
        "account_of(arn): split(userIdentity.arn, \":\")[4]",
    );
    let dir = pack("broken", &broken);
    let run = pounce(&["lint", &s(&dir.join("rules"))]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("pounce::E0114"), "{}", run.stdout);
    assert!(run.stdout.contains("helpers.yml:4:"), "{}", run.stdout);
    // the rule that calls the broken function cannot compile either
    assert!(
        run.stdout.contains("unknown function `account_of`"),
        "{}",
        run.stdout
    );
}

const MODEL: &str = r#"AnalysisType: datamodel
DataModelID: "Pack.Model"
LogTypes: [AWS.CloudTrail]
Mappings:
  - Name: actor
    Method: actor_of
"#;

const MODEL_RULE: &str = r#"AnalysisType: rule
RuleID: "Pack.ActorIsBob"
LogTypes: [AWS.CloudTrail]
Severity: Low
Condition: udm("actor") == "bob"
Title: "actor {{ udm(\"actor\") }}"
Tests:
  - Name: the method reads the user name
    ExpectedResult: true
    ExpectedTitle: "actor bob"
    Log: {"p_log_type": "AWS.CloudTrail", "userIdentity": {"userName": "bob"}}
  - Name: its keys match as the rule's do
    ExpectedResult: true
    Log: {"p_log_type": "AWS.CloudTrail", "USERIDENTITY": {"USERNAME": "bob"}}
  - Name: its default
    ExpectedResult: false
    ExpectedTitle: "actor nobody"
    Log: {"p_log_type": "AWS.CloudTrail", "userIdentity": {}}
  - Name: a test replaces the method by name
    ExpectedResult: true
    Mocks:
      - objectName: actor_of
        returnValue: bob
    Log: {"p_log_type": "AWS.CloudTrail", "userIdentity": {"userName": "alice"}}
  - Name: no data model for another log type
    ExpectedResult: false
    ExpectedTitle: "actor None"
    Log: {"p_log_type": "Other", "userIdentity": {"userName": "bob"}}
"#;

#[test]
fn a_data_model_method_is_a_function_of_the_pack() {
    let dir = fresh_dir("pack_functions", "method");
    for sub in ["rules", "helpers", "data_models"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    std::fs::write(dir.join("rules/rule.yml"), MODEL_RULE).unwrap();
    std::fs::write(dir.join("data_models/model.yml"), MODEL).unwrap();
    std::fs::write(
        dir.join("helpers/helpers.yml"),
        "AnalysisType: functions\nFunctions:\n  actor_of(event): event.userIdentity.userName ?? \"nobody\"\n",
    )
    .unwrap();
    let run = pounce(&["test", &s(&dir.join("rules"))]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("5 passed, 0 failed"), "{}", run.stdout);
    // What the method reads is what the rule reads: projection keeps parsing only that.
    let (rules, bad) = pounce::panther::load_paths(&[dir.join("rules")], &common::registry());
    assert!(bad.is_empty() && rules.len() == 1);
    let pack = pounce::engine::Pack::new(rules);
    let trie = pack.trie();
    assert!(!trie.whole);
    assert!(
        trie.keys["userIdentity"].keys.contains_key("userName"),
        "{trie:?}"
    );
    assert!(!trie.keys.contains_key("eventName"), "{trie:?}");
    // Without the function, the method names nothing.
    std::fs::remove_file(dir.join("helpers/helpers.yml")).unwrap();
    let run = pounce(&["lint", &s(&dir.join("rules"))]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("no function or native named `actor_of`"),
        "{}",
        run.stdout
    );
}
