//! Log files as a detection engineer has them: CloudTrail's `{"Records": [...]}` envelope
//! (gzipped, one line of any size), JSON arrays, records that are not objects, `--log-type`,
//! positions in errors and in `--with-position`, traceable findings (id per resource type,
//! policy titles), `--skip-invalid`, and stdin on a terminal.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{pounce, pounce_with_input};
use std::io::Write;
use std::path::PathBuf;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn file(name: &str, bytes: &[u8]) -> PathBuf {
    common::scratch_file("input", name, bytes)
}

/// A CloudTrail event of the console-login signal rule.
fn login(id: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventID":"{id}","eventName":"ConsoleLogin","eventSource":"signin.amazonaws.com","eventType":"AwsConsoleSignIn","awsRegion":"us-east-1","sourceIPAddress":"1.2.3.4","recipientAccountId":"123456789012","userIdentity":{{"type":"IAMUser","userName":"alice","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012"}},"responseElements":{{"ConsoleLogin":"Success"}}}}"#
    )
}

/// One line of CloudTrail as AWS writes it: `{"Records":[...]}`.
fn trail(ids: &[&str]) -> String {
    let records: Vec<String> = ids.iter().map(|i| login(i)).collect();
    format!("{{\"Records\":[{}]}}", records.join(","))
}

#[test]
fn a_gzipped_cloudtrail_file_is_its_records() {
    let gz = file(
        "trail.json.gz",
        &gzip(trail(&["e1", "e2", "e3"]).as_bytes()),
    );
    let r = pounce(&[
        "eval",
        "-e",
        "eventName == \"ConsoleLogin\"",
        gz.to_str().unwrap(),
    ]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "true\ntrue\ntrue\n"),
        "{}",
        r.stderr
    );
    // Through the pack, with --log-type: the signal rule finds each login, named by its eventID.
    let r = pounce(&[
        "eval",
        "-r",
        "rules/",
        "--log-type",
        "AWS.CloudTrail",
        gz.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let logins: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|f| f["rule_id"] == "AWS.Console.Login")
        .collect();
    let ids: Vec<&str> = logins.iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["e1", "e2", "e3"]);
    assert_eq!(logins[0]["id_field"], "eventID");
    assert_eq!(logins[0]["type"], "AWS.CloudTrail");
    assert_eq!(
        (logins[0]["line"].as_u64(), logins[0]["column"].as_u64()),
        (Some(1), Some(13))
    );
    assert!(!r.stderr.contains("no record of"), "{}", r.stderr);
}

#[test]
fn without_a_log_type_unrouted_records_are_said_so() {
    let f = file("untyped.json", trail(&["e1"]).as_bytes());
    let r = pounce(&["eval", "-r", "rules/", f.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("no record of") && r.stderr.contains("--log-type"),
        "{}",
        r.stderr
    );
}

#[test]
fn log_type_stamps_only_records_that_lack_one() {
    let input = b"{\"p_log_type\": \"Custom.Log\", \"a\": 1}\n{\"a\": 2}\n";
    let r = pounce_with_input(
        &[
            "eval",
            "-e",
            "p_log_type == \"AWS.CloudTrail\"",
            "--log-type",
            "AWS.CloudTrail",
        ],
        input,
    );
    assert_eq!(r.stdout, "false\ntrue\n");
}

#[test]
fn a_one_line_envelope_larger_than_the_record_limit_is_streamed() {
    // 20 MiB on one line, over the 16 MiB record limit: read element by element.
    let ids: Vec<String> = (0..45_000).map(|i| format!("e{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let text = trail(&refs);
    assert!(text.len() > 16 << 20);
    let f = file("big.json.gz", &gzip(text.as_bytes()));
    let r = pounce(&["eval", "-e", "eventID == \"e44999\"", f.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 45_000);
    assert_eq!(r.stdout.lines().last(), Some("true"));
}

#[test]
fn arrays_and_envelopes_give_positions_in_the_file() {
    let input = "[\n  {\"a\": 1},\n  5,\n  {\"a\": oops}, {\"a\": 2}\n]\n";
    let r = pounce_with_input(
        &["eval", "-e", "a == 1", "--with-position"],
        input.as_bytes(),
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout,
        "-:2:3: true\n-:3:3: error\n-:4:3: error\n-:4:16: false\n"
    );
    assert!(
        r.stderr.contains("-:3:3: not a JSON object but a number"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("-:4:3: invalid JSON"), "{}", r.stderr);
    // NDJSON positions are lines.
    let r = pounce_with_input(
        &["eval", "-e", "a == 1", "--with-position"],
        b"{\"a\":1}\n\n{}\n",
    );
    assert_eq!(r.stdout, "-:1: true\n-:3: false\n");
    // A truncated envelope: the records before the cut, then the cut is reported.
    let cut = &trail(&["e1", "e2"])[..600];
    let r = pounce_with_input(&["eval", "-e", "eventID exists"], cut.as_bytes());
    assert_eq!(r.code, 1);
    assert!(r.stdout.starts_with("true\n"), "{}", r.stdout);
    assert!(r.stderr.contains("a truncated file?"), "{}", r.stderr);
    // Envelopes one after another (one per line, or gzip members) are all read.
    let two = format!("{}\n{}\n", trail(&["e1"]), trail(&["e2", "e3"]));
    let r = pounce_with_input(&["eval", "-e", "eventID exists"], two.as_bytes());
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "true\ntrue\ntrue\n"),
        "{}",
        r.stderr
    );
}

#[test]
fn explain_reads_the_same_inputs() {
    let gz = file("explain.json.gz", &gzip(trail(&["e1", "e2"]).as_bytes()));
    let r = pounce(&[
        "explain",
        "-e",
        "eventName == \"ConsoleLogin\"",
        gz.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(":1:13\n"), "{}", r.stdout);
    assert_eq!(r.stdout.matches("flagged:").count(), 2);
    let r = pounce(&["explain", "-e", "a == 1", "no/such/file.json"]);
    assert_eq!(r.code, 2);
}

#[test]
fn findings_name_the_resource_and_the_policy() {
    let f = file(
        "buckets.ndjson",
        b"{\"ResourceType\": \"AWS.S3.Bucket\", \"Name\": \"data\", \"Versioning\": {\"Status\": \"Suspended\"}}\n",
    );
    let r = pounce(&[
        "eval",
        "-r",
        "tests/cli_fixtures/pack/bucket.yml",
        f.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let line: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(line["id"], "data");
    assert_eq!(line["id_field"], "Name");
    assert_eq!(line["title"], "Bucket versioning");
    let r = pounce(&[
        "eval",
        "-r",
        "tests/cli_fixtures/pack/bucket.yml",
        "--id-field",
        "AWS.S3.Bucket=Versioning.Status",
        f.to_str().unwrap(),
    ]);
    let line: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(
        (line["id"].as_str(), line["id_field"].as_str()),
        (Some("Suspended"), Some("Versioning.Status"))
    );
}

/// Every resource type and log type of the shipped packs has id fields of its own.
#[test]
fn every_type_of_the_packs_has_default_id_fields() {
    let (rules, _) = common::load(&["policies", "rules"]);
    let known: Vec<&str> = pounce::engine::ids::DEFAULT_ID_FIELDS
        .iter()
        .map(|(t, _)| *t)
        .collect();
    let mut missing: Vec<String> = rules
        .iter()
        .flat_map(|r| r.types.iter())
        .filter(|t| !known.contains(&t.as_str()))
        .cloned()
        .collect();
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "no default id fields for {missing:?}");
}

#[test]
fn skip_invalid_evaluates_the_valid_rules_and_exits_1() {
    let f = file(
        "bucket.ndjson",
        b"{\"ResourceType\": \"AWS.S3.Bucket\", \"Name\": \"data\", \"Versioning\": {\"Status\": \"Suspended\"}}\n",
    );
    let r = pounce(&["eval", "-r", "tests/cli_fixtures/pack", f.to_str().unwrap()]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""));
    assert!(
        r.stderr.contains("--skip-invalid evaluates the valid ones"),
        "{}",
        r.stderr
    );
    let r = pounce(&[
        "eval",
        "-r",
        "tests/cli_fixtures/pack",
        "--skip-invalid",
        f.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains("\"rule_id\":\"Fixture.Bucket\""),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr
            .contains("invalid rule file tests/cli_fixtures/pack/drafts/broken.yml"),
        "{}",
        r.stderr
    );
}

#[test]
fn stdin_on_a_terminal_is_said() {
    // `script` runs pounce on a pseudo-terminal (util-linux); without it the check is skipped.
    let have_script = std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_script {
        common::skipped(
            "stdin_on_a_terminal_is_said",
            "`script` (util-linux) not found",
        );
        return;
    }
    let cmd = format!("{} eval -e 'a == 1'", env!("CARGO_BIN_EXE_pounce"));
    let out = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("reading records from standard input (end with Ctrl-D"),
        "{text}"
    );
    // Not on a pipe.
    let r = pounce_with_input(&["eval", "-e", "a == 1"], b"{\"a\":1}\n");
    assert_eq!(r.stderr, "");
}
