//! `pounce explain` end to end: golden snapshots of the text form (no colour) and of the JSON
//! form (pretty-printed here; the command prints one compact object per line) for the seed
//! policy's upstream tests and a few representative conditions. docs/EXPLAIN.md describes both.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{SEED, pounce, pounce_with_input};

/// Runs `pounce explain ARGS` in the crate directory with `stdin` as input; returns stdout
/// after checking it succeeded and printed no colour.
fn explain(args: &[&str], stdin: &str) -> String {
    let mut all = vec!["explain"];
    all.extend_from_slice(args);
    let out = pounce_with_input(&all, stdin.as_bytes());
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    assert!(out.stderr.is_empty(), "{args:?}: {}", out.stderr);
    assert!(!out.stdout.contains('\x1b'), "{args:?}: colour in a pipe");
    out.stdout
}

/// The text form.
fn text(args: &[&str], stdin: &str) -> String {
    explain(args, stdin)
}

/// The JSON form: one object per line, each pretty-printed for the snapshot.
fn json(args: &[&str], stdin: &str) -> String {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let out = explain(&all, stdin);
    out.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("one JSON object a line");
            assert_eq!(v["version"], 1);
            serde_json::to_string_pretty(&v).unwrap()
        })
        .collect::<Vec<_>>()
        .join("\n---\n")
}

fn seed(test: &str) -> [&str; 4] {
    ["-r", SEED, "--test", test]
}

// ---- the seed policy's upstream tests -------------------------------------------------------

#[test]
fn seed_restricts_outbound_traffic() {
    let args = seed("Security Group Restricts Outbound Traffic");
    let out = text(&args, "");
    assert!(out.contains("note: [0] FromPort=3306 ToPort=3306: restricted"));
    // What the test expects and whether it passes, then the verdict.
    assert!(out.starts_with("── test `Security Group Restricts Outbound Traffic` expects true (compliant); the condition does not flag the document, so the result is true (compliant): the test passes\nnot flagged:"), "{out}");
    insta::assert_snapshot!("seed_restricts_text", out);
    insta::assert_snapshot!("seed_restricts_json", json(&args, ""));
}

#[test]
fn seed_does_not_restrict_outbound_traffic() {
    let args = seed("Security Group Does Not Restrict Outbound Traffic");
    let out = text(&args, "");
    assert!(out.contains("note: [0] FromPort=0 ToPort=65535: allows all ports"));
    assert!(out.contains("\nflagged:"));
    insta::assert_snapshot!("seed_does_not_restrict_text", out);
    insta::assert_snapshot!("seed_does_not_restrict_json", json(&args, ""));
}

#[test]
fn seed_does_not_restrict_outbound_traffic_none() {
    let args = seed("Security Group Does Not Restrict Outbound Traffic (None)");
    let out = text(&args, "");
    assert!(out.contains("note: [0] FromPort=null ToPort=null: allows all ports"));
    insta::assert_snapshot!("seed_does_not_restrict_none_text", out);
    insta::assert_snapshot!("seed_does_not_restrict_none_json", json(&args, ""));
}

#[test]
fn seed_null_egress_is_suppressed_by_the_exclusion() {
    let out = text(&seed("Null Egress List Is Compliant"), "");
    assert!(out.contains("suppressed by exclusion `IpPermissionsEgress is_null`"));
    insta::assert_snapshot!("seed_null_egress_text", out);
}

// ---- the language ---------------------------------------------------------------------------

/// The seed policy in the language alone: the quantifier shows each permission by index.
#[test]
fn quantifier_form() {
    let cond = "IpPermissionsEgress not is_null\n  and any(IpPermissionsEgress,\n          FromPort is_null or ToPort is_null or (FromPort == 0 and ToPort == 65535))";
    let doc = r#"{"GroupId": "sg-1", "IpPermissionsEgress": [{"FromPort": 443, "ToPort": 443}, {"FromPort": 0, "ToPort": 65535}, {"FromPort": 22}]}"#;
    let out = text(&["-e", cond], doc);
    assert!(out.contains("[1] ✔ true  or"));
    insta::assert_snapshot!("quantifier_text", out);
    insta::assert_snapshot!("quantifier_json", json(&["-e", cond], doc));
}

/// `not (x > 1)` is true when `x` is missing, and the explanation says so.
#[test]
fn negation_over_a_missing_field() {
    let cond = "Engine == \"postgres\" and not (BackupRetentionPeriod >= 7)";
    let doc = r#"{"DBInstanceIdentifier": "db-1", "Engine": "postgres"}"#;
    let out = text(&["-e", cond], doc);
    assert!(out.contains("`BackupRetentionPeriod` is missing"));
    insta::assert_snapshot!("negation_missing_text", out);
    insta::assert_snapshot!("negation_missing_json", json(&["-e", cond], doc));
}

/// A multi-valued path: true when some value matches; the operand lists the values.
#[test]
fn multi_valued_path() {
    let cond =
        "IpPermissions[*].IpRanges[*].CidrIp == \"0.0.0.0/0\" and IpPermissions[*].FromPort == 22";
    let doc = r#"{"IpPermissions": [{"FromPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/8"}, {"CidrIp": "0.0.0.0/0"}]}, {"FromPort": 80, "IpRanges": []}]}"#;
    let out = text(&["-e", cond], doc);
    assert!(out.contains("CidrIp = 2 value(s): \"10.0.0.0/8\", \"0.0.0.0/0\""));
    insta::assert_snapshot!("multi_valued_text", out);
    insta::assert_snapshot!("multi_valued_json", json(&["-e", cond], doc));
}

/// Arithmetic on a null operand is undefined, and a comparison with it is false.
#[test]
fn arithmetic_undefined() {
    let cond = "ToPort - FromPort > 1000 or ToPort / 0 > 1";
    let doc = r#"{"FromPort": null, "ToPort": 65535}"#;
    let out = text(&["-e", cond], doc);
    assert!(out.contains("[undefined_arithmetic]"));
    insta::assert_snapshot!("arithmetic_undefined_text", out);
    insta::assert_snapshot!("arithmetic_undefined_json", json(&["-e", cond], doc));
}

/// NDJSON: one explanation per document, labelled by line.
#[test]
fn ndjson_two_documents() {
    let cond = "eventName == \"ConsoleLogin\" and userIdentity.type not in [\"AWSService\"]";
    let docs = concat!(
        r#"{"eventName": "ConsoleLogin", "userIdentity": {"type": "IAMUser"}}"#,
        "\n",
        r#"{"eventName": "ConsoleLogin", "userIdentity": {"type": "AWSService"}}"#,
        "\n"
    );
    let out = text(&["-e", cond], docs);
    assert!(out.starts_with("── -:1\n"));
    assert!(out.contains("\n── -:2\n"));
    insta::assert_snapshot!("ndjson_text", out);
    let raw = explain(&["-e", cond, "--format", "json"], docs);
    assert_eq!(raw.lines().count(), 2);
    insta::assert_snapshot!("ndjson_json", json(&["-e", cond], docs));
}

#[test]
fn an_unknown_test_name_suggests_the_nearest() {
    let out = pounce(&[
        "explain",
        "-r",
        SEED,
        "--test",
        "Null Egress List Is Compliant!",
    ]);
    assert_eq!(out.code, 1);
    let stderr = out.stderr;
    assert!(
        stderr.contains("did you mean `Null Egress List Is Compliant`?"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}
