//! The machine formats of `pounce test`: one JSON document (docs/CLI.md) and JUnit XML (a
//! suite per rule, a case per test, and a suite per invalid rule file).

use super::explain::render_text;
use super::junit;
use crate::panther::diagnostics::FileReport;
use crate::panther::testing::{RuleRun, TestOutcome, Totals};
use std::fmt::Write as _;

/// Why a test failed, for people: the expected and actual results (when they differ), what the
/// alert got wrong, and the explanation of the condition over the test's document (coloured
/// with ANSI codes when `color`). `now` is the clock the test ran with.
pub fn failure_text(run: &RuleRun<'_>, t: &TestOutcome, now: i64, color: bool) -> String {
    let mut out = String::new();
    if t.actual != t.expected {
        let _ = writeln!(
            out,
            "expected {}, got {}",
            run.kind.verdict(t.expected),
            run.kind.verdict(t.actual)
        );
    }
    for m in &t.alert_mismatches {
        let _ = writeln!(out, "{m}");
    }
    if let Some(case) = run.rule.tests.iter().find(|c| c.name == t.name) {
        let env = run.rule.test_env(case, now);
        out.push_str(&render_text(
            &run.rule.program.explain(&case.document, &env),
            color,
        ));
    }
    out
}

/// The one-line reason of a failure: the verdicts, or the first alert mismatch.
fn failure_message(run: &RuleRun<'_>, t: &TestOutcome) -> String {
    if t.actual != t.expected {
        return format!(
            "expected {}, got {}",
            run.kind.verdict(t.expected),
            run.kind.verdict(t.actual)
        );
    }
    t.alert_mismatches
        .first()
        .cloned()
        .unwrap_or_else(|| "failed".to_string())
}

/// One JSON document: version, totals, every rule's outcomes, and the invalid files.
pub fn json(runs: &[RuleRun<'_>], invalid: &[FileReport]) -> String {
    let totals = Totals::of(runs);
    let invalid: Vec<serde_json::Value> = invalid.iter().map(FileReport::to_json).collect();
    let doc = serde_json::json!({
        "version": 1,
        "passed": totals.passed,
        "failed": totals.failed,
        "invalid": invalid.len(),
        "rules": runs,
        "invalid_files": invalid,
    });
    super::json_document(&doc)
}

/// JUnit XML: a suite per rule (a case per test; a failure's message gives the verdicts, its
/// body [`failure_text`] without colour) and a suite per invalid file (one errored case listing
/// its findings). `now` is the clock the tests ran with.
pub fn junit(runs: &[RuleRun<'_>], invalid: &[FileReport], now: i64) -> String {
    let mut suites: Vec<junit::Suite> = runs
        .iter()
        .map(|r| junit::Suite {
            name: r.rule_id.to_string(),
            file: Some(r.file.clone()),
            cases: r
                .tests
                .iter()
                .map(|t| junit::Case {
                    classname: r.rule_id.to_string(),
                    name: t.name.clone(),
                    outcome: if t.passed {
                        junit::Outcome::Passed
                    } else {
                        junit::Outcome::Failure {
                            message: failure_message(r, t),
                            body: Some(failure_text(r, t, now, false)),
                        }
                    },
                })
                .collect(),
        })
        .collect();
    suites.extend(invalid.iter().map(|rep| {
        let body = rep
            .findings
            .iter()
            .map(|f| format!("{}:{}:{}: {}", rep.path, f.line, f.column, f.message))
            .collect::<Vec<_>>()
            .join("\n");
        junit::Suite {
            name: rep.path.clone(),
            file: None,
            cases: vec![junit::Case {
                classname: "invalid".to_string(),
                name: rep.path.clone(),
                outcome: junit::Outcome::Error {
                    message: "invalid rule file".to_string(),
                    body: Some(body),
                },
            }],
        }
    }));
    junit::Suites {
        name: "pounce".to_string(),
        count_errors: true,
        suites,
    }
    .to_xml()
}
