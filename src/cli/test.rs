//! `pounce test`: its arguments, running the test cases of rule files, and printing the
//! outcome (the JSON and JUnit forms are written by `pounce::report::test_results`).

use super::pack;
use super::render;
use clap::{Args, ValueEnum};
use pounce::panther;
use pounce::panther::alert::Alert;
use pounce::panther::diagnostics::FileReport;
use pounce::panther::select::RuleFilter;
use pounce::panther::testing::{RuleRun, Totals, run_pack};
use pounce::report::explain::Paint;
use pounce::report::test_results::{self, failure_text};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Output formats of `pounce test`.
#[derive(Clone, Copy, ValueEnum)]
pub enum TestFormat {
    /// Human-readable lines.
    #[value(alias = "human")]
    Text,
    /// One JSON document (schema in docs/CLI.md).
    Json,
    /// JUnit XML for CI systems.
    Junit,
}

/// Arguments of `pounce test`.
#[derive(Args)]
#[command(
    after_help = "Examples:\n  pounce test\n  pounce test rules/ --filter 'AWS.CloudTrail.*'\n  pounce test rules/ --filter Severity=High,Critical --filter Tags=*Identity*\n  pounce test . --ignore .github --ignore '*_draft.yml'\n  pounce test --format junit > results.xml\n\nA rule file is a YAML file with `AnalysisType: policy` or `rule`; other YAML files in the folders\n(CI workflows, compose files, data models, functions files) are not tests and are skipped.\n\nExit codes: 0 every test passed; 1 a test failed, a rule has too few tests, or a file is invalid;\n2 usage error, a missing path, no rule files, or no rule matches --filter."
)]
pub struct TestArgs {
    /// Rule files or folders of them [default: policies].
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Only rules that match: a glob (`*`, `?`) on the ID, or KEY=VALUE[,VALUE...] on any
    /// top-level key of the rule file (values are globs, case aside). Repeat: all must match.
    #[arg(long, value_name = "GLOB|KEY=VALUE")]
    filter: Vec<String>,
    /// Skip files and folders that match this glob (a name, or a trailing part of the path).
    /// Repeat for several.
    #[arg(long, value_name = "PATTERN")]
    ignore: Vec<String>,
    /// Print only failing tests (and invalid files).
    #[arg(long)]
    show_failures_only: bool,
    /// A rule with fewer tests than this fails.
    #[arg(long, value_name = "N", default_value_t = 0)]
    minimum_tests: usize,
    /// Output format (`human` is the same as `text`).
    #[arg(long, value_enum, default_value = "text")]
    format: TestFormat,
}

/// Runs `pounce test`.
pub fn run(args: TestArgs) -> ExitCode {
    let paths = match pack::pack_paths("test", &args.paths) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut filters = Vec::new();
    for f in &args.filter {
        match RuleFilter::parse(f) {
            Ok(x) => filters.push(x),
            Err(msg) => {
                errln!("pounce: --filter {f}: {msg}");
                return ExitCode::from(2);
            }
        }
    }
    let registry = pounce::standard_registry();
    let loaded = panther::load_pack(&paths, &registry, &args.ignore);
    pack::note_unsupported(&loaded.unsupported);
    let invalid = loaded.invalid;
    let mut rules = loaded.rules;
    if rules.is_empty() && invalid.is_empty() {
        return pack::no_rules(&paths);
    }
    let before = rules.len();
    rules.retain(|r| filters.iter().all(|f| f.matches(r)));
    if rules.is_empty() && before > 0 && invalid.is_empty() {
        errln!(
            "pounce: no rule matches {} ({before} rule(s) loaded)",
            args.filter
                .iter()
                .map(|f| format!("--filter {f}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        return ExitCode::from(2);
    }
    let now = pounce::Env::system().now;
    let results = run_pack(&rules, now, args.minimum_tests);
    let totals = Totals::of(&results);
    let out = match args.format {
        TestFormat::Text => text(&results, &invalid, &args, totals, now),
        TestFormat::Json => test_results::json(&results, &invalid),
        TestFormat::Junit => test_results::junit(&results, &invalid, now),
    };
    out!("{out}");
    if totals.failed > 0 || totals.too_few > 0 || !invalid.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The human form: a line per rule, `[PASS]`/`[FAIL]` per test (the alert a test raised under
/// it; an explanation under each failure), the invalid files, the failed tests again, then the
/// totals.
fn text(
    results: &[RuleRun],
    invalid: &[FileReport],
    args: &TestArgs,
    totals: Totals,
    now: i64,
) -> String {
    let color = render::stdout_color();
    let paint = |code: &str, s: &str| Paint(color).c(code, s);
    let mut out = String::new();
    let mut failed: Vec<String> = Vec::new();
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
            failed.push(format!(
                "{}: fewer than {} tests",
                r.rule_id, args.minimum_tests
            ));
        }
        for t in &r.tests {
            if t.passed {
                if !args.show_failures_only {
                    let _ = writeln!(out, "  {} {}", paint("32", "[PASS]"), t.name);
                    if let Some(a) = &t.alert {
                        alert_lines(&mut out, a, &paint);
                    }
                }
            } else {
                failed.push(format!("{}: {}", r.rule_id, t.name));
                let _ = writeln!(out, "  {} {}", paint("31", "[FAIL]"), t.name);
                if let Some(a) = &t.alert {
                    alert_lines(&mut out, a, &paint);
                }
                for line in failure_text(r, t, now, color).lines() {
                    if line.is_empty() {
                        out.push('\n');
                    } else {
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
            err!("{}", render::diagnostic(&d, render::stderr_color()));
        }
    }
    if !failed.is_empty() || !invalid.is_empty() {
        out.push('\n');
    }
    if !failed.is_empty() {
        let _ = writeln!(out, "Failed tests:");
        for f in &failed {
            let _ = writeln!(out, "  {f}");
        }
    }
    if !invalid.is_empty() {
        let _ = writeln!(out, "Invalid rule files (see `pounce lint`):");
        for rep in invalid {
            let _ = writeln!(out, "  {}", rep.path);
        }
    }
    let _ = writeln!(
        out,
        "{} passed, {} failed, {} invalid",
        totals.passed,
        totals.failed,
        invalid.len()
    );
    out
}

/// The alert a test raised, as `panther_analysis_tool test` shows it: title, dedup, severity and
/// alert context (when the rule has one).
fn alert_lines(out: &mut String, a: &Alert, paint: &dyn Fn(&str, &str) -> String) {
    let rows = [
        ("title", a.title.clone()),
        ("dedup", a.dedup.clone()),
        ("severity", a.severity.clone()),
    ];
    for (k, v) in rows {
        let _ = writeln!(out, "         {} {v}", paint("2", &format!("{k:<9}")));
    }
    if !a.context.is_null() {
        let _ = writeln!(out, "         {} {}", paint("2", "context  "), a.context);
    }
}
