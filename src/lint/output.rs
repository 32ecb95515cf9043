//! The machine formats of `pounce lint`: JSON, SARIF 2.1.0, JUnit XML and GitHub Actions
//! annotations (docs/DIAGNOSTICS.md describes each). The human format is miette's rendering,
//! done by the command line.

use crate::panther::diagnostics::{FileReport, Finding, Severity};
use crate::report::escape::github_command;
use crate::report::{json_document, junit};
use serde_json::json;
use std::fmt::Write as _;

/// How many files were checked and how many errors and warnings they hold.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq)]
pub struct Summary {
    /// Files checked (1 for a condition given on the command line).
    pub files: usize,
    /// Findings that are errors.
    pub errors: usize,
    /// Findings that are warnings.
    pub warnings: usize,
}

impl Summary {
    /// The totals of `reports`.
    pub fn of(reports: &[FileReport]) -> Self {
        let all = reports.iter().flat_map(|r| &r.findings);
        let errors = all
            .clone()
            .filter(|f| f.severity == Severity::Error)
            .count();
        Summary {
            files: reports.len(),
            errors,
            warnings: all.count() - errors,
        }
    }

    /// True when some finding is at or above `level`.
    pub fn fails_at(&self, level: Severity) -> bool {
        match level {
            Severity::Error => self.errors > 0,
            Severity::Warning => self.errors + self.warnings > 0,
        }
    }
}

/// One JSON document: version, totals, and the files with findings.
pub fn json(reports: &[FileReport]) -> String {
    let s = Summary::of(reports);
    let files: Vec<serde_json::Value> = reports
        .iter()
        .filter(|r| !r.findings.is_empty())
        .map(FileReport::to_json)
        .collect();
    let doc = json!({ "version": 1, "files_checked": s.files, "errors": s.errors, "warnings": s.warnings, "files": files });
    json_document(&doc)
}

/// SARIF 2.1.0: one run, a rule per code found, a result per finding.
pub fn sarif(reports: &[FileReport]) -> String {
    let mut rules: Vec<&str> = reports
        .iter()
        .flat_map(|r| r.findings.iter().map(|f| f.code.as_str()))
        .collect();
    rules.sort();
    rules.dedup();
    let rules = &rules;
    let results: Vec<serde_json::Value> = reports
        .iter()
        .flat_map(|r| {
            r.findings.iter().map(move |f| {
                let mut text = f.message.clone();
                if let Some(h) = &f.help {
                    text.push_str(&format!(" (help: {h})"));
                }
                json!({
                    "ruleId": f.code,
                    "ruleIndex": rules.iter().position(|c| *c == f.code.as_str()).unwrap_or(0),
                    "level": if f.severity == Severity::Error { "error" } else { "warning" },
                    "message": { "text": text },
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": { "uri": r.path.trim_start_matches("./") },
                            "region": { "startLine": f.line.max(1), "startColumn": f.column.max(1), "endLine": f.end_line.max(1), "endColumn": f.end_column.max(1) }
                        }
                    }]
                })
            })
        })
        .collect();
    let doc = json!({
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "pounce",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules.iter().map(|c| json!({ "id": c, "shortDescription": { "text": format!("{c}: see docs/DIAGNOSTICS.md") } })).collect::<Vec<_>>()
            }},
            "columnKind": "unicodeCodePoints",
            "results": results
        }]
    });
    json_document(&doc)
}

/// JUnit XML: one suite, a case per file, failed when it has findings at or above `level`.
pub fn junit(reports: &[FileReport], level: Severity) -> String {
    let cases = reports
        .iter()
        .map(|r| {
            let failing: Vec<&Finding> =
                r.findings.iter().filter(|f| f.severity >= level).collect();
            let outcome = if failing.is_empty() {
                junit::Outcome::Passed
            } else {
                let body: Vec<String> = failing
                    .iter()
                    .map(|f| {
                        format!(
                            "{}:{}:{}: {} {}",
                            r.path, f.line, f.column, f.code, f.message
                        )
                    })
                    .collect();
                junit::Outcome::Failure {
                    message: format!("{} finding(s)", failing.len()),
                    body: Some(body.join("\n")),
                }
            };
            junit::Case {
                classname: "lint".to_string(),
                name: r.path.clone(),
                outcome,
            }
        })
        .collect();
    junit::Suites {
        name: "pounce lint".to_string(),
        count_errors: false,
        suites: vec![junit::Suite {
            name: "pounce lint".to_string(),
            file: None,
            cases,
        }],
    }
    .to_xml()
}

/// GitHub Actions workflow commands: an `::error` or `::warning` line per finding.
pub fn github(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        for f in &r.findings {
            let kind = if f.severity == Severity::Error {
                "error"
            } else {
                "warning"
            };
            let mut msg = f.message.clone();
            if let Some(h) = &f.help {
                msg.push_str(&format!("\nhelp: {h}"));
            }
            let _ = writeln!(
                out,
                "::{kind} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                github_command(&r.path, true),
                f.line,
                f.column,
                f.end_line,
                f.end_column,
                github_command(f.code.as_str(), true),
                github_command(&msg, false)
            );
        }
    }
    out
}
