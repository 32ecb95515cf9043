//! `pounce test`: run the test cases of rule files.

use super::render;
use clap::{Args, ValueEnum};
use pounce::panther::diagnostics::FileReport;
use pounce::panther::testing::{TestOutcome, run_tests};
use pounce::panther::{self, AnalysisType, Rule};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Output formats of `pounce test`.
#[derive(Clone, Copy, ValueEnum)]
pub enum TestFormat {
    /// Human-readable lines.
    Text,
    /// One JSON document (schema in docs/CLI.md).
    Json,
    /// JUnit XML for CI systems.
    Junit,
}

/// Arguments of `pounce test`.
#[derive(Args)]
#[command(
    after_help = "Examples:\n  pounce test\n  pounce test policies/aws_vpc --filter 'AWS.SecurityGroup.*'\n  pounce test --format junit > results.xml\n\nExit codes: 0 every test passed; 1 a test failed, a rule has too few tests, or a file is invalid; 2 usage error."
)]
pub struct TestArgs {
    /// Rule files or folders of them.
    #[arg(value_name = "PATH", default_value = "policies")]
    paths: Vec<PathBuf>,
    /// Only rules whose ID matches this glob (`*` and `?`).
    #[arg(long, value_name = "GLOB")]
    filter: Option<String>,
    /// Print only failing tests (and invalid files).
    #[arg(long)]
    show_failures_only: bool,
    /// A rule with fewer tests than this fails.
    #[arg(long, value_name = "N", default_value_t = 0)]
    minimum_tests: usize,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: TestFormat,
}

/// The outcome of one rule's tests.
#[derive(serde::Serialize)]
struct RuleResult<'a> {
    #[serde(skip)]
    rule: &'a Rule,
    rule_id: &'a str,
    file: String,
    kind: AnalysisType,
    tests: Vec<TestOutcome>,
    /// Set when the rule has fewer tests than `--minimum-tests`.
    too_few_tests: bool,
}

/// Simple glob: `*` any run, `?` any one character.
pub fn glob_match(pat: &str, s: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pat.chars().collect(), s.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0usize, 0usize, None, 0usize);
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some(pi);
                mark = ti;
                pi += 1;
            }
            Some(c) if *c == '?' || Some(c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some(sp) => {
                    pi = sp + 1;
                    mark += 1;
                    ti = mark;
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

/// Runs `pounce test`.
pub fn run(args: TestArgs) -> ExitCode {
    let registry = pounce::standard_registry();
    let (mut loaded, invalid) = panther::load_paths(&args.paths, &registry);
    for p in &args.paths {
        if !p.exists() {
            eprintln!("pounce: {}: no such file or folder", p.display());
            return ExitCode::from(2);
        }
    }
    if let Some(f) = &args.filter {
        loaded.retain(|r| glob_match(f, &r.id));
    }
    let now = pounce::Env::system().now;
    let results: Vec<RuleResult> = loaded
        .iter()
        .map(|r: &Rule| RuleResult {
            rule: r,
            rule_id: &r.id,
            file: r.path.display().to_string(),
            kind: r.kind,
            tests: run_tests(r, now),
            too_few_tests: r.tests.len() < args.minimum_tests,
        })
        .collect();
    let passed = results
        .iter()
        .flat_map(|r| &r.tests)
        .filter(|t| t.passed)
        .count();
    let failed = results
        .iter()
        .flat_map(|r| &r.tests)
        .filter(|t| !t.passed)
        .count();
    let too_few = results.iter().filter(|r| r.too_few_tests).count();
    let out = match args.format {
        TestFormat::Text => text(&results, &invalid, &args, passed, failed),
        TestFormat::Json => json(&results, &invalid, passed, failed),
        TestFormat::Junit => junit(&results, &invalid),
    };
    print!("{out}");
    if failed > 0 || too_few > 0 || !invalid.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn verdict(kind: AnalysisType, v: bool) -> &'static str {
    match (kind, v) {
        (AnalysisType::Policy, true) => "true (compliant)",
        (AnalysisType::Policy, false) => "false (non-compliant)",
        (AnalysisType::Rule, true) => "true (alert)",
        (AnalysisType::Rule, false) => "false (no alert)",
    }
}

fn text(
    results: &[RuleResult],
    invalid: &[FileReport],
    args: &TestArgs,
    passed: usize,
    failed: usize,
) -> String {
    let color = render::stdout_color();
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = String::new();
    for r in results {
        let failing = r.tests.iter().any(|t| !t.passed) || r.too_few_tests;
        if args.show_failures_only && !failing {
            continue;
        }
        let _ = writeln!(out, "{}", r.rule_id);
        if r.too_few_tests {
            let _ = writeln!(
                out,
                "  {} has {} test(s), fewer than --minimum-tests {}",
                paint("31", "[FAIL]"),
                r.tests.len(),
                args.minimum_tests
            );
        }
        for t in &r.tests {
            if t.passed {
                if !args.show_failures_only {
                    let _ = writeln!(out, "  {} {}", paint("32", "[PASS]"), t.name);
                }
            } else {
                let _ = writeln!(out, "  {} {}", paint("31", "[FAIL]"), t.name);
                if t.actual != t.expected {
                    let _ = writeln!(
                        out,
                        "         expected {}, got {}",
                        verdict(r.kind, t.expected),
                        verdict(r.kind, t.actual)
                    );
                }
                for m in &t.alert_mismatches {
                    let _ = writeln!(out, "         {m}");
                }
                if let Some(case) = r.rule.tests.iter().find(|c| c.name == t.name) {
                    let env = pounce::Env {
                        now: pounce::Env::system().now,
                        overrides: case.mocks.clone(),
                        keys: r.rule.key_match,
                    };
                    let ex = r.rule.program.explain(&case.document, &env);
                    for line in super::explain::render_text(&ex, color).lines() {
                        let _ = writeln!(out, "         {line}");
                    }
                }
            }
        }
    }
    for rep in invalid {
        let _ = writeln!(
            out,
            "{} {}: invalid rule file",
            paint("31", "[INVALID]"),
            rep.path
        );
        for d in rep.diagnostics() {
            eprint!("{}", render::diagnostic(&d, render::stderr_color()));
        }
    }
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    out
}

fn json(results: &[RuleResult], invalid: &[FileReport], passed: usize, failed: usize) -> String {
    let invalid: Vec<serde_json::Value> = invalid
        .iter()
        .map(|r| serde_json::json!({ "file": r.path, "findings": r.findings }))
        .collect();
    let doc = serde_json::json!({
        "version": 1,
        "passed": passed,
        "failed": failed,
        "rules": results,
        "invalid_files": invalid,
    });
    serde_json::to_string_pretty(&doc)
        .map(|s| s + "\n")
        .unwrap_or_default()
}

fn xml_escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&apos;".to_string(),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {
                format!("&#{};", c as u32)
            }
            c => c.to_string(),
        })
        .collect()
}

fn junit(results: &[RuleResult], invalid: &[FileReport]) -> String {
    let tests: usize = results.iter().map(|r| r.tests.len()).sum::<usize>() + invalid.len();
    let failures: usize = results
        .iter()
        .flat_map(|r| &r.tests)
        .filter(|t| !t.passed)
        .count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"pounce\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{}\">",
        invalid.len()
    );
    for r in results {
        let f = r.tests.iter().filter(|t| !t.passed).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{f}\" file=\"{}\">",
            xml_escape(r.rule_id),
            r.tests.len(),
            xml_escape(&r.file)
        );
        for t in &r.tests {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\"",
                xml_escape(r.rule_id),
                xml_escape(&t.name)
            );
            if t.passed {
                out.push_str("/>\n");
            } else {
                let msg = format!(
                    "expected {}, got {}",
                    verdict(r.kind, t.expected),
                    verdict(r.kind, t.actual)
                );
                let _ = writeln!(
                    out,
                    ">\n      <failure message=\"{}\"/>\n    </testcase>",
                    xml_escape(&msg)
                );
            }
        }
        out.push_str("  </testsuite>\n");
    }
    for rep in invalid {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"1\" failures=\"0\" errors=\"1\">",
            xml_escape(&rep.path)
        );
        let msg = rep
            .findings
            .iter()
            .map(|f| format!("{}:{}:{}: {}", rep.path, f.line, f.column, f.message))
            .collect::<Vec<_>>()
            .join("\n");
        let _ = writeln!(
            out,
            "    <testcase classname=\"invalid\" name=\"{}\">\n      <error message=\"invalid rule file\">{}</error>\n    </testcase>\n  </testsuite>",
            xml_escape(&rep.path),
            xml_escape(&msg)
        );
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("AWS.*", "AWS.S3.Bucket"));
        assert!(glob_match("*Bucket*", "AWS.S3.BucketPolicy"));
        assert!(glob_match("AWS.?3.*", "AWS.S3.X"));
        assert!(!glob_match("AWS.EC2*", "AWS.S3"));
        assert!(glob_match("*", ""));
    }
}
