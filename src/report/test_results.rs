//! The machine formats of `pounce test`: one JSON document (docs/CLI.md) and JUnit XML (a
//! suite per rule, a case per test, and a suite per invalid rule file).

use super::junit;
use crate::panther::diagnostics::FileReport;
use crate::panther::testing::{RuleRun, Totals};

/// One JSON document: version, totals, every rule's outcomes, and the invalid files.
pub fn json(runs: &[RuleRun<'_>], invalid: &[FileReport]) -> String {
    let totals = Totals::of(runs);
    let invalid: Vec<serde_json::Value> = invalid.iter().map(FileReport::to_json).collect();
    let doc = serde_json::json!({
        "version": 1,
        "passed": totals.passed,
        "failed": totals.failed,
        "rules": runs,
        "invalid_files": invalid,
    });
    super::json_document(&doc)
}

/// JUnit XML: a suite per rule (a case per test, failed with the expected and actual
/// verdicts) and a suite per invalid file (one errored case listing its findings).
pub fn junit(runs: &[RuleRun<'_>], invalid: &[FileReport]) -> String {
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
                            message: format!(
                                "expected {}, got {}",
                                r.kind.verdict(t.expected),
                                r.kind.verdict(t.actual)
                            ),
                            body: None,
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
