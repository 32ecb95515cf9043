//! Record streams through `pounce eval`: no record is silently lost. Every rejected record is
//! reported on stderr as `FILE:LINE: reason`, counted in the summary, and the records after it
//! are still evaluated (`--max-errors N` stops early, exit 1). Odd but valid input (BOM, CRLF,
//! blank lines, no final newline, records that are not objects, duplicate keys, long strings,
//! big numbers) is read like any other. docs/ROBUSTNESS.md lists the limits.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Run, root};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `pounce ARGS...` with `input` on standard input.
fn pounce(args: &[&str], input: &[u8]) -> Run {
    common::pounce_with_input(args, input)
}

/// `pounce eval -e EXPR [ARGS...]` over `input` on standard input.
fn eval_e(expr: &str, args: &[&str], input: &[u8]) -> Run {
    let mut all = vec!["eval", "-e", expr];
    all.extend_from_slice(args);
    pounce(&all, input)
}

fn pack_dir() -> String {
    root()
        .join("tests/data/robustness/pack")
        .display()
        .to_string()
}

/// `pounce eval -r tests/data/robustness/pack [ARGS...]` over `input` on standard input.
fn eval_r(args: &[&str], input: &[u8]) -> Run {
    let pack = pack_dir();
    let mut all = vec!["eval", "-r", pack.as_str()];
    all.extend_from_slice(args);
    pounce(&all, input)
}

/// Writes `bytes` to a file of this test binary's scratch directory.
fn file(name: &str, bytes: &[u8]) -> PathBuf {
    common::scratch_file("stream", name, bytes)
}

/// The rejections on stderr: line → reason, for records read from standard input.
fn rejections(stderr: &str) -> BTreeMap<usize, String> {
    stderr
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("-:")?;
            let (line, reason) = rest.split_once(": ")?;
            Some((line.parse().ok()?, reason.to_string()))
        })
        .collect()
}

/// The findings of `eval -r` as (rule, record id), sorted; lines are left out.
fn findings(stdout: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = stdout
        .lines()
        .map(|l| {
            let f: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["id"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

/// The `N record(s) read, M rejected` numbers of the `eval -r` summary.
fn summary(stderr: &str) -> (usize, usize) {
    let l = stderr
        .lines()
        .find(|l| l.contains(" record(s) read, "))
        .unwrap_or_else(|| panic!("no summary in {stderr}"));
    let n: Vec<usize> = l
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    (n[0], n[1])
}

// ---- inputs that must work ----------------------------------------------------------------

#[test]
fn an_empty_input_is_no_records() {
    for input in [&b""[..], b"\n", b"\n\n  \n", b"\r\n", b"\xef\xbb\xbf"] {
        let r = eval_e("a == 1", &[], input);
        assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, "", ""));
        let r = eval_r(&[], input);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(summary(&r.stderr), (0, 0));
    }
    let empty = file("empty.json", b"");
    let r = pounce(&["eval", "-e", "a == 1", empty.to_str().unwrap()], b"");
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
}

#[test]
fn the_last_record_needs_no_newline() {
    let r = eval_e("a == 1", &[], b"{\"a\":1}\n{\"a\":2}\n{\"a\":1}");
    assert_eq!((r.code, r.stdout.as_str()), (0, "true\nfalse\ntrue\n"));
    let r = eval_e("a == 1", &[], b"{\"a\":1}");
    assert_eq!((r.code, r.stdout.as_str()), (0, "true\n"));
}

#[test]
fn bom_crlf_and_blank_lines_read_like_plain_lines() {
    let plain = eval_e("a == 1", &[], b"{\"a\":1}\n{\"a\":2}\n{\"a\":1}\n");
    for input in [
        &b"\xef\xbb\xbf{\"a\":1}\n{\"a\":2}\n{\"a\":1}\n"[..],
        b"{\"a\":1}\r\n{\"a\":2}\r\n{\"a\":1}\r\n",
        b"\xef\xbb\xbf{\"a\":1}\r\n\r\n{\"a\":2}\n\n\n{\"a\":1}",
        b"\n\n{\"a\":1}\n \t \n{\"a\":2}\n{\"a\":1}\n\n",
        // A pretty-printed document, with a BOM and CRLF, is one record.
        b"\xef\xbb\xbf{\r\n  \"b\": 1\r\n}\r\n",
    ] {
        let r = eval_e("a == 1 or b == 1", &[], input);
        assert_eq!(r.code, 0, "{input:?}: {}", r.stderr);
        if input.starts_with(b"\xef\xbb\xbf{\r") {
            assert_eq!(r.stdout, "true\n");
        } else {
            assert_eq!(r.stdout, plain.stdout, "{input:?}");
        }
    }
    // Line numbers count every physical line, blank ones included.
    let r = eval_e("a == 1", &[], b"\r\n{\"a\":1}\r\n\r\n{oops}\r\n");
    assert_eq!(rejections(&r.stderr).keys().collect::<Vec<_>>(), vec![&4]);
}

#[test]
fn records_that_are_not_objects_are_rejected_and_counted() {
    // A record is a JSON object; a scalar or an array (after the first line, where an array
    // would be expanded) is rejected, named, and counted.
    let input = b"{\"a\": 2}\n5\n\"s\"\nnull\ntrue\n[1, 2]\n[]\n{\"a\": 1}\n";
    let r = eval_e("a == 1", &[], input);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (1, "false\nerror\nerror\nerror\nerror\nerror\nerror\ntrue\n")
    );
    let rej = rejections(&r.stderr);
    assert_eq!(
        rej[&2],
        "not a JSON object but a number: a record is an object"
    );
    assert_eq!(
        rej[&3],
        "not a JSON object but a string: a record is an object"
    );
    assert_eq!(rej[&4], "not a JSON object but null: a record is an object");
    assert_eq!(
        rej[&5],
        "not a JSON object but a boolean: a record is an object"
    );
    assert_eq!(
        rej[&6],
        "not a JSON object but an array: a record is an object"
    );
    assert!(r.stderr.contains("6 record(s) rejected"), "{}", r.stderr);
    // With -r the same: counted as rejected, not evaluated.
    let r = eval_r(&[], input);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(summary(&r.stderr), (8, 6));
    assert_eq!(r.stdout.lines().count(), 2);
}

#[test]
fn duplicate_keys_the_last_one_wins() {
    let input = b"{\"a\": 1, \"a\": 2}\n{\"Tags\": [1], \"Tags\": []}\n";
    let r = eval_e("a == 2", &[], input);
    assert_eq!(r.stdout, "true\nfalse\n");
    let r = eval_r(&[], input);
    assert_eq!(
        findings(&r.stdout),
        vec![
            ("Robustness.Untagged".to_string(), String::new()),
            ("Robustness.Untagged".to_string(), String::new())
        ]
    );
    let r = eval_r(&["--all"], b"{\"Tags\": [], \"Tags\": [1]}\n");
    assert!(r.stdout.contains("\"flagged\":false"), "{}", r.stdout);
}

#[test]
fn very_long_strings() {
    let long = "x".repeat(10 << 20);
    let input = format!("{{\"a\": \"{long}\"}}\n{{\"a\": 1}}\n");
    let r = eval_e("len(a) == 10485760 or a == 1", &[], input.as_bytes());
    assert_eq!((r.code, r.stdout.as_str()), (0, "true\ntrue\n"));
}

#[test]
fn numbers_beyond_i64_and_f64() {
    let input = b"{\"a\": 18446744073709551616}\n{\"a\": -9223372036854775809}\n{\"a\": 1e400}\n{\"a\": 1.5}\n";
    let r = eval_e("a > 1e19 or a < -9e18", &[], input);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "true\ntrue\nerror\nfalse\n");
    let rej = rejections(&r.stderr);
    assert!(
        rej[&3].starts_with("invalid JSON: number out of range"),
        "{rej:?}"
    );
}

// ---- limits ---------------------------------------------------------------------------------

#[test]
fn a_record_over_max_record_bytes_is_rejected_and_the_next_one_read() {
    let big = format!("{{\"a\": \"{}\"}}", "x".repeat(5000));
    let input = format!("{{\"a\":1}}\n{big}\n{{\"a\":1}}\n");
    let r = eval_e("a == 1", &["--max-record-bytes", "4096"], input.as_bytes());
    assert_eq!((r.code, r.stdout.as_str()), (1, "true\nerror\ntrue\n"));
    assert_eq!(
        rejections(&r.stderr)[&2],
        "record larger than 4096 bytes (see --max-record-bytes)"
    );
    // The default is 16 MiB.
    let huge = format!("{{\"a\": \"{}\"}}\n{{\"a\":1}}\n", "x".repeat(17 << 20));
    let r = eval_e("a == 1", &[], huge.as_bytes());
    assert_eq!((r.code, r.stdout.as_str()), (1, "error\ntrue\n"));
    assert_eq!(
        rejections(&r.stderr)[&1],
        "record larger than 16777216 bytes (see --max-record-bytes)"
    );
}

#[test]
fn a_pretty_printed_document_over_max_record_bytes_is_one_rejection() {
    let doc = format!("{{\n  \"a\": \"{}\",\n  \"b\": 1\n}}\n", "x".repeat(5000));
    let r = eval_e("b == 1", &["--max-record-bytes", "4096"], doc.as_bytes());
    assert_eq!((r.code, r.stdout.as_str()), (1, "error\n"));
    let rej = rejections(&r.stderr);
    assert_eq!(rej.len(), 1, "{rej:?}");
    assert_eq!(
        rej[&1],
        "record larger than 4096 bytes (see --max-record-bytes)"
    );
    // Under the limit it is one record.
    let r = eval_e("b == 1", &[], doc.as_bytes());
    assert_eq!((r.code, r.stdout.as_str()), (0, "true\n"));
}

#[test]
fn a_first_line_cut_short_is_one_bad_record_not_a_lost_stream() {
    // `{"a":` opens a document that the next lines do not finish: they are records of their own.
    let r = eval_e("a == 1", &[], b"{\"a\":\n{\"a\":1}\n{\"a\":2}\n");
    assert_eq!((r.code, r.stdout.as_str()), (1, "error\ntrue\nfalse\n"));
    assert!(rejections(&r.stderr)[&1].starts_with("invalid JSON"));
}

#[test]
fn invalid_utf8_is_rejected_with_its_line() {
    let r = eval_e(
        "a == 1",
        &[],
        b"{\"a\":1}\n{\"a\":\"\xff\xfe\"}\n{\"a\":1}\n",
    );
    assert_eq!((r.code, r.stdout.as_str()), (1, "true\nerror\ntrue\n"));
    assert_eq!(rejections(&r.stderr)[&2], "invalid UTF-8 at byte 6");
    // In a pretty-printed document too: the document is rejected, not silently mended.
    let r = eval_e("a == 1", &[], b"{\n  \"a\": \"\xff\"\n}\n");
    assert_eq!((r.code, r.stdout.as_str()), (1, "error\n"));
    assert_eq!(rejections(&r.stderr)[&1], "invalid UTF-8 at byte 10");
}

#[test]
fn a_record_nested_too_deep_is_rejected_with_a_clear_message() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let input = format!("{{\"Tags\": {deep}}}\n{{\"Tags\": []}}\n");
    let message = "invalid JSON: more than 127 nested arrays and objects (column 136)";
    let r = eval_e("Tags is_empty", &[], input.as_bytes());
    assert_eq!((r.code, r.stdout.as_str()), (1, "error\ntrue\n"));
    assert_eq!(rejections(&r.stderr)[&1], message);
    // Through the projected parser of -r: `Tags` is read, so the same rejection.
    let r = eval_r(&[], input.as_bytes());
    assert_eq!(r.code, 1);
    assert_eq!(rejections(&r.stderr)[&1], message);
    assert_eq!(summary(&r.stderr), (2, 1));
    // A part that no rule reads is skipped without descending into it: the record is evaluated.
    let input = format!("{{\"Unread\": {deep}, \"Tags\": []}}\n");
    let r = eval_r(&[], input.as_bytes());
    assert_eq!((r.code, summary(&r.stderr)), (0, (1, 0)), "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 1);
}

// ---- mixed streams --------------------------------------------------------------------------

/// Good records: security groups with open or closed egress, tagged or not.
fn good_records() -> Vec<String> {
    (0..40)
        .map(|i| {
            let (from, to) = if i % 3 == 0 { (0, 65535) } else { (443, 443) };
            let tags = if i % 4 == 0 { "[]" } else { "[{\"Key\": \"env\"}]" };
            format!(
                "{{\"ResourceType\": \"AWS.EC2.SecurityGroup\", \"ResourceId\": \"sg-{i}\", \"IpPermissionsEgress\": [{{\"FromPort\": {from}, \"ToPort\": {to}}}], \"Tags\": {tags}}}"
            )
        })
        .collect()
}

/// Bad records, each with the start of the reason it must be rejected with.
fn bad_records() -> Vec<(Vec<u8>, &'static str)> {
    vec![
        (b"{\"ResourceId\": \"bad-1\",".to_vec(), "invalid JSON"),
        (b"not json at all".to_vec(), "invalid JSON"),
        (
            b"{\"ResourceId\": \"bad-3\", \"Tags\": \"\xc3\x28\"}".to_vec(),
            "invalid UTF-8 at byte",
        ),
        (
            format!(
                "{{\"ResourceId\": \"bad-4\", \"Tags\": \"{}\"}}",
                "y".repeat(9000)
            )
            .into_bytes(),
            "record larger than 8192 bytes",
        ),
        (
            format!("{{\"Tags\": {}{}}}", "[".repeat(500), "]".repeat(500)).into_bytes(),
            "invalid JSON: more than 127 nested arrays and objects",
        ),
        (
            b"{\"Tags\": 1e999}".to_vec(),
            "invalid JSON: number out of range",
        ),
        (b"{\"Tags\": [1, 2,]}".to_vec(), "invalid JSON"),
        (b"}".to_vec(), "invalid JSON"),
    ]
}

/// The good records alone, and the same records with a bad one after every fifth; returns
/// (clean, mixed, line → expected reason of each bad record in the mixed stream).
fn streams() -> (Vec<u8>, Vec<u8>, BTreeMap<usize, &'static str>) {
    let good = good_records();
    let bad = bad_records();
    let clean: Vec<u8> = good
        .iter()
        .flat_map(|g| format!("{g}\n").into_bytes())
        .collect();
    let mut mixed = Vec::new();
    let mut expected = BTreeMap::new();
    let mut line = 0;
    let mut bad_iter = bad.into_iter();
    for (i, g) in good.iter().enumerate() {
        mixed.extend_from_slice(g.as_bytes());
        mixed.extend_from_slice(if i % 2 == 0 { b"\n" } else { b"\r\n" });
        line += 1;
        if i % 5 != 4 {
            continue;
        }
        if let Some((b, why)) = bad_iter.next() {
            mixed.extend_from_slice(&b);
            mixed.push(b'\n');
            line += 1;
            expected.insert(line, why);
            // A blank line now and then: skipped, but counted in line numbers.
            if i % 10 == 9 {
                mixed.extend_from_slice(b"\n");
                line += 1;
            }
        }
    }
    (clean, mixed, expected)
}

#[test]
fn bad_records_in_a_stream_do_not_change_the_findings_for_the_good_ones() {
    let (clean, mixed, expected) = streams();
    assert_eq!(expected.len(), bad_records().len());
    let limit = ["--max-record-bytes", "8192"];
    let clean_run = eval_r(&limit, &clean);
    assert_eq!(clean_run.code, 0, "{}", clean_run.stderr);
    let mixed_run = eval_r(&limit, &mixed);
    assert_eq!(mixed_run.code, 1);
    assert!(!findings(&clean_run.stdout).is_empty());
    assert_eq!(findings(&mixed_run.stdout), findings(&clean_run.stdout));
    // Every bad record is reported once, at its line, with its reason.
    let got = rejections(&mixed_run.stderr);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "{}",
        mixed_run.stderr
    );
    for (line, why) in &expected {
        assert!(
            got[line].starts_with(why),
            "line {line}: {} (want {why})",
            got[line]
        );
    }
    // ... and counted in the summary, with the records read.
    let good = good_records().len();
    assert_eq!(summary(&clean_run.stderr), (good, 0));
    assert_eq!(
        summary(&mixed_run.stderr),
        (good + expected.len(), expected.len())
    );
    assert!(
        mixed_run.stderr.contains(&format!(
            "pounce: {} record(s) rejected: -:",
            expected.len()
        )),
        "{}",
        mixed_run.stderr
    );
}

#[test]
fn bad_records_in_a_stream_do_not_change_the_verdicts_of_eval_e() {
    let (clean, mixed, expected) = streams();
    let expr = "IpPermissionsEgress not is_null and egress_allows_all_ports(IpPermissionsEgress)";
    let limit = ["--max-record-bytes", "8192"];
    let clean_run = eval_e(expr, &limit, &clean);
    let mixed_run = eval_e(expr, &limit, &mixed);
    assert_eq!((clean_run.code, mixed_run.code), (0, 1));
    // The mixed run says `error` for each bad record, in its place; the rest is the same.
    let verdicts: Vec<&str> = mixed_run.stdout.lines().filter(|l| *l != "error").collect();
    assert_eq!(verdicts, clean_run.stdout.lines().collect::<Vec<_>>());
    assert_eq!(
        mixed_run.stdout.lines().count(),
        clean_run.stdout.lines().count() + expected.len()
    );
    assert_eq!(clean_run.stdout.lines().count(), good_records().len());
    assert_eq!(rejections(&mixed_run.stderr).len(), expected.len());
}

#[test]
fn max_errors_stops_early_with_exit_1() {
    let (_, mixed, expected) = streams();
    let lines: Vec<usize> = expected.keys().copied().collect();
    let r = eval_r(&["--max-record-bytes", "8192", "--max-errors", "2"], &mixed);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("pounce: stopping after 2 rejected record(s) (--max-errors)"),
        "{}",
        r.stderr
    );
    let got = rejections(&r.stderr);
    assert_eq!(got.keys().copied().collect::<Vec<_>>(), lines[..2].to_vec());
    // Nothing after the second bad record is reported.
    for l in r.stdout.lines() {
        let f: serde_json::Value = serde_json::from_str(l).unwrap();
        assert!(f["line"].as_u64().unwrap() < lines[1] as u64, "{l}");
    }
    assert_eq!(summary(&r.stderr).1, 2);
    // Without bad records, --max-errors changes nothing.
    let (clean, _, _) = streams();
    let r = eval_r(&["--max-errors", "1"], &clean);
    assert_eq!(r.code, 0);
}

// ---- rule paths -------------------------------------------------------------------------------

#[test]
fn a_folder_without_rule_files_is_an_error_not_an_empty_pack() {
    let dir = root().join("tests/data/robustness/not_rules");
    let r = pounce(&["eval", "-r", dir.to_str().unwrap()], b"{}\n");
    assert_eq!((r.code, r.stdout.as_str()), (2, ""));
    assert!(r.stderr.contains("no rule files"), "{}", r.stderr);
}

#[test]
fn an_empty_rule_file_is_an_error() {
    let f = file("empty.yml", b"");
    let r = pounce(&["eval", "-r", f.to_str().unwrap()], b"{}\n");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("empty rule file"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn a_rule_file_that_links_to_itself_is_an_error() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("stream_loop");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(dir.join("loop.yml"), dir.join("loop.yml")).unwrap();
    std::os::unix::fs::symlink(&dir, dir.join("again")).unwrap();
    let r = pounce(&["eval", "-r", dir.to_str().unwrap()], b"{}\n");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot read the file"), "{}", r.stderr);
}
