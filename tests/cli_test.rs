//! `pounce test` and the other pack commands as a detection engineer runs them: the closing
//! line counts invalid files, failed tests are listed again at the end, each alert a test
//! raises is shown, JUnit failures carry the explanation, `--ignore` and `--filter KEY=VALUE`
//! choose the files and rules, YAML that is not a rule file is skipped, and a pack with no
//! rules (or a filter that matches none, or a missing default folder) fails with a message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Run, pounce};

const PACK: &str = "tests/cli_fixtures/pack";
const EMPTY: &str = "tests/cli_fixtures/empty";

/// `pounce` run from `dir` (a scratch folder), with `args`.
fn pounce_in(dir: &std::path::Path, args: &[&str]) -> Run {
    std::fs::create_dir_all(dir).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pounce"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

#[test]
fn text_output_shows_alerts_lists_failures_again_and_counts_invalid_files() {
    let r = pounce(&["test", PACK]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    insta::assert_snapshot!("test_pack_text", r.stdout);
    // The invalid file's diagnostics go to stderr; the Panther file of another type is named.
    assert!(
        r.stderr.contains("invalid `Severity` `Urgent`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("skipped 1 Panther file(s) of a type pounce does not run: tests/cli_fixtures/pack/helper.yml (global)"),
        "{}",
        r.stderr
    );
    // YAML files that are not Panther files are neither tests nor invalid.
    assert!(!r.stdout.contains("compose.yaml") && !r.stdout.contains("ci.yml"));
    assert!(!r.stderr.contains("compose.yaml") && !r.stderr.contains("ci.yml"));
}

#[test]
fn junit_failures_carry_the_explanation() {
    let r = pounce(&["test", PACK, "--format", "junit", "--ignore", "drafts"]);
    assert_eq!(r.code, 1);
    let failure = r
        .stdout
        .split("<failure ")
        .nth(1)
        .and_then(|f| f.split("</failure>").next())
        .unwrap_or_else(|| panic!("no failure body in {}", r.stdout));
    assert!(
        failure.starts_with("message=\"expected true (alert), got false (no alert)\">"),
        "{failure}"
    );
    assert!(failure.contains("not flagged"), "{failure}");
    assert!(
        failure.contains("eventName = &quot;ConsoleLogout&quot;"),
        "{failure}"
    );
}

#[test]
fn ignore_skips_files_and_folders() {
    let r = pounce(&["test", PACK, "--ignore", "drafts", "--ignore", "login.yml"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout.lines().last(),
        Some("2 passed, 0 failed, 0 invalid")
    );
    assert!(!r.stdout.contains("Fixture.Login"));
}

#[test]
fn filter_on_metadata_fields() {
    let ids = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["test", PACK, "--ignore", "drafts", "--format", "json"];
        all.extend_from_slice(args);
        let r = pounce(&all);
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        doc["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["rule_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids(&["--filter", "Severity=high,critical"]),
        ["Fixture.Login"]
    );
    assert_eq!(ids(&["--filter", "Tags=stor*"]), ["Fixture.Bucket"]);
    assert_eq!(
        ids(&["--filter", "ResourceTypes=AWS.S3.Bucket"]),
        ["Fixture.Bucket"]
    );
    assert_eq!(
        ids(&["--filter", "Enabled=true", "--filter", "Fixture.L*"]),
        ["Fixture.Login"]
    );
    let r = pounce(&["test", PACK, "--filter", "Severty=High"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("did you mean `Severity`?"),
        "{}",
        r.stderr
    );
}

#[test]
fn no_rules_or_no_match_is_an_error_not_zero_tests() {
    let r = pounce(&["test", EMPTY]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("no rule files under tests/cli_fixtures/empty"),
        "{}",
        r.stderr
    );
    let r = pounce(&["test", PACK, "--ignore", "drafts", "--filter", "Nothing.*"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains("no rule matches --filter Nothing.*"),
        "{}",
        r.stderr
    );
    for cmd in ["lint", "coverage"] {
        let r = pounce(&[cmd, EMPTY]);
        assert_eq!(r.code, 2, "{cmd}: {}", r.stdout);
        assert!(
            r.stderr.contains("no rule files under"),
            "{cmd}: {}",
            r.stderr
        );
    }
    let site = common::fresh_dir("cli_test", "site");
    let r = pounce(&["describe", "--site", site.to_str().unwrap(), EMPTY]);
    assert_eq!(r.code, 2, "{}", r.stdout);
}

#[test]
fn a_missing_default_folder_says_how_to_pass_a_path() {
    let dir = common::fresh_dir("cli_test", "no-policies-here");
    for cmd in ["test", "lint", "coverage"] {
        let r = pounce_in(&dir, &[cmd]);
        assert_eq!(r.code, 2, "{cmd}");
        assert!(
            r.stderr.contains(&format!(
                "no `policies` folder here; `pounce {cmd}` reads `policies/` when given no PATH"
            )) && r.stderr.contains(&format!("e.g. `pounce {cmd} rules/`")),
            "{cmd}: {}",
            r.stderr
        );
    }
}

#[test]
fn lint_skips_yaml_that_is_not_a_rule_file() {
    let r = pounce(&["lint", PACK, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let files: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert!(
        files.iter().all(|f| !f.ends_with("compose.yaml")
            && !f.ends_with("ci.yml")
            && !f.ends_with("helper.yml")),
        "{files:?}"
    );
    assert!(files.iter().any(|f| f.ends_with("broken.yml")), "{files:?}");
}

#[test]
fn every_command_accepts_text_and_human() {
    for args in [
        &["test", PACK, "--ignore", "drafts", "--format", "human"][..],
        &[
            "lint",
            "tests/cli_fixtures/pack/bucket.yml",
            "--format",
            "text",
        ],
        &["natives", "--format", "human"],
        &[
            "explain",
            "-e",
            "a == 1",
            "--format",
            "human",
            "tests/data/aws_security_group_restricts_outbound_traffic.yml",
        ],
        &["coverage", PACK, "--ignore", "drafts", "--format", "text"],
        &[
            "describe",
            "tests/cli_fixtures/pack/bucket.yml",
            "--format",
            "human",
        ],
    ] {
        let r = pounce(args);
        assert!(r.code <= 1, "{args:?}: {}", r.stderr);
        assert!(
            !r.stderr.contains("invalid value"),
            "{args:?}: {}",
            r.stderr
        );
    }
}

#[test]
fn conditions_may_start_with_a_minus() {
    let doc = common::scratch_file("cli_test", "count.json", b"{\"Count\": -3}");
    let r = pounce(&["eval", "-e", "-Count == 3", doc.to_str().unwrap()]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "true\n"), "{}", r.stderr);
    let r = pounce(&["eval", "--expr", "-Count == 3", doc.to_str().unwrap()]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "true\n"), "{}", r.stderr);
    let r = pounce(&["explain", "-e", "-Count == 3", doc.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("flagged"), "{}", r.stdout);
    let r = pounce(&["lint", "-e", "-Count == 3"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn usage_says_what_is_needed() {
    let r = pounce(&["eval", "records.json"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("eval needs a condition (-e EXPR) or rules (-r PATH)"),
        "{}",
        r.stderr
    );
    let r = pounce(&["explain", "--help"]);
    assert!(
        r.stdout.contains("Usage: pounce explain -e EXPR [--format text|json] [FILE]\n       pounce explain -r RULE_FILE [--test NAME]"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("<--expr <EXPR>|--rule"), "{}", r.stdout);
}

/// Runs `pounce ARGS` with `input` on stdin and both stdout and stderr closed from the start.
fn run_with_closed_pipes(args: &[&str], input: Vec<u8>) -> Option<i32> {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_pounce"))
        .current_dir(common::root())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    drop(child.stderr.take());
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let _ = stdin.write_all(&input);
    });
    let status = child.wait().unwrap();
    writer.join().unwrap();
    status.code()
}

#[test]
fn a_closed_stdout_or_stderr_is_not_a_panic() {
    // Many records, every other one rejected: both streams are written to all along.
    let mut input = Vec::new();
    for i in 0..20_000 {
        if i % 2 == 0 {
            input.extend_from_slice(b"{\"a\": 1}\n");
        } else {
            input.extend_from_slice(b"not json\n");
        }
    }
    for args in [
        &["eval", "-e", "a == 1"][..],
        &["eval", "-r", "tests/cli_fixtures/pack/bucket.yml", "--all"],
        &["test", PACK],
        &["lint", PACK],
        &["eval", "--help"],
    ] {
        for _ in 0..3 {
            let code = run_with_closed_pipes(args, input.clone());
            assert!(
                matches!(code, Some(0..=2)),
                "{args:?} ended with {code:?} (101 is a panic)"
            );
        }
    }
}
