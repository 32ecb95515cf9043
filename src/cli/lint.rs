//! `pounce lint`: diagnostics for conditions and rule files.

use super::render;
use clap::{Args, ValueEnum};
use pounce::panther::diagnostics::{FileReport, Finding, Severity};
use serde_json::json;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Output formats of `pounce lint`.
#[derive(Clone, Copy, ValueEnum)]
pub enum LintFormat {
    /// Rendered diagnostics with source snippets.
    Human,
    /// One JSON document (schema in docs/DIAGNOSTICS.md).
    Json,
    /// SARIF 2.1.0, for code-scanning UIs.
    Sarif,
    /// JUnit XML, one test case per file.
    Junit,
    /// GitHub Actions workflow annotations.
    Github,
}

/// Lowest severity that makes `pounce lint` exit 1.
#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub enum FailLevel {
    /// Only errors fail.
    Error,
    /// Warnings fail too.
    Warning,
}

/// Arguments of `pounce lint`.
#[derive(Args)]
#[command(
    after_help = "Examples:\n  pounce lint\n  pounce lint policies/aws_s3 --fail-level warning\n  pounce lint -e 'a startswith \"x\"'\n  pounce lint --format sarif > lint.sarif\n\nA rule allows warnings with `LintAllow: [W0103]`. Codes: docs/DIAGNOSTICS.md.\nExit codes: 0 nothing at or above the fail level; 1 findings at or above it; 2 usage error."
)]
pub struct LintArgs {
    /// Rule files or folders of them.
    #[arg(
        value_name = "PATH",
        default_value = "policies",
        conflicts_with = "expr"
    )]
    paths: Vec<PathBuf>,
    /// Lint a condition instead of rule files.
    #[arg(short = 'e', long = "expr", value_name = "EXPR")]
    expr: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: LintFormat,
    /// Lowest severity that fails the run.
    #[arg(long, value_enum, default_value = "error")]
    fail_level: FailLevel,
}

/// Runs `pounce lint`.
pub fn run(args: LintArgs) -> ExitCode {
    let registry = pounce::standard_registry();
    let reports = match &args.expr {
        Some(e) => vec![pounce::lint::lint_condition(e, &registry)],
        None => {
            for p in &args.paths {
                if !p.exists() {
                    eprintln!("pounce: {}: no such file or folder", p.display());
                    return ExitCode::from(2);
                }
            }
            pounce::lint::lint_paths(&args.paths, &registry)
        }
    };
    let all: Vec<&Finding> = reports.iter().flat_map(|r| &r.findings).collect();
    let errors = all.iter().filter(|f| f.severity == Severity::Error).count();
    let warnings = all.len() - errors;
    let out = match args.format {
        LintFormat::Human => human(&reports, errors, warnings),
        LintFormat::Json => json_out(&reports, errors, warnings),
        LintFormat::Sarif => sarif(&reports),
        LintFormat::Junit => junit(&reports, args.fail_level),
        LintFormat::Github => github(&reports),
    };
    print!("{out}");
    let failing = match args.fail_level {
        FailLevel::Error => errors > 0,
        FailLevel::Warning => errors + warnings > 0,
    };
    if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn human(reports: &[FileReport], errors: usize, warnings: usize) -> String {
    let color = render::stdout_color();
    let mut out = String::new();
    for r in reports {
        for d in r.diagnostics() {
            out.push_str(&render::diagnostic(&d, color));
            out.push('\n');
        }
    }
    let _ = writeln!(
        out,
        "{} file(s) checked: {errors} error(s), {warnings} warning(s)",
        reports.len()
    );
    out
}

fn json_out(reports: &[FileReport], errors: usize, warnings: usize) -> String {
    let files: Vec<serde_json::Value> = reports
        .iter()
        .filter(|r| !r.findings.is_empty())
        .map(|r| json!({ "file": r.path, "findings": r.findings }))
        .collect();
    let doc = json!({ "version": 1, "files_checked": reports.len(), "errors": errors, "warnings": warnings, "files": files });
    serde_json::to_string_pretty(&doc)
        .map(|s| s + "\n")
        .unwrap_or_default()
}

fn sarif(reports: &[FileReport]) -> String {
    let mut rules: Vec<String> = reports
        .iter()
        .flat_map(|r| r.findings.iter().map(|f| f.code.as_str().to_string()))
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
                    "ruleIndex": rules.iter().position(|c| c == f.code.as_str()).unwrap_or(0),
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
    serde_json::to_string_pretty(&doc)
        .map(|s| s + "\n")
        .unwrap_or_default()
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn junit(reports: &[FileReport], level: FailLevel) -> String {
    let counts = |f: &&Finding| level == FailLevel::Warning || f.severity == Severity::Error;
    let failures = reports
        .iter()
        .filter(|r| r.findings.iter().any(|f| counts(&f)))
        .count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"pounce lint\" tests=\"{}\" failures=\"{failures}\">",
        reports.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"pounce lint\" tests=\"{}\" failures=\"{failures}\">",
        reports.len()
    );
    for r in reports {
        let failing: Vec<&Finding> = r.findings.iter().filter(|f| counts(f)).collect();
        let _ = write!(
            out,
            "    <testcase classname=\"lint\" name=\"{}\"",
            xml(&r.path)
        );
        if failing.is_empty() {
            out.push_str("/>\n");
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
            let _ = writeln!(
                out,
                ">\n      <failure message=\"{} finding(s)\">{}</failure>\n    </testcase>",
                failing.len(),
                xml(&body.join("\n"))
            );
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn gh_escape(s: &str, property: bool) -> String {
    let mut o = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        o = o.replace(':', "%3A").replace(',', "%2C");
    }
    o
}

fn github(reports: &[FileReport]) -> String {
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
                gh_escape(&r.path, true),
                f.line,
                f.column,
                f.end_line,
                f.end_column,
                gh_escape(f.code.as_str(), true),
                gh_escape(&msg, false)
            );
        }
    }
    out
}
