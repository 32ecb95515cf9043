//! `pounce test`: its arguments, running the test cases of rule files, and printing the
//! outcome (the JSON and JUnit forms are written by `pounce::report::test_results`).

use super::render;
use clap::{Args, ValueEnum};
use pounce::panther;
use pounce::panther::diagnostics::FileReport;
use pounce::panther::testing::{RuleRun, Totals, run_pack};
use pounce::report::explain::{Paint, render_text};
use pounce::report::test_results;
use pounce::stdlib::strings::{Wildcards, glob};
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
        loaded.retain(|r| glob(f, &r.id, Wildcards::StarAndQuestion));
    }
    let now = pounce::Env::system().now;
    let results = run_pack(&loaded, now, args.minimum_tests);
    let totals = Totals::of(&results);
    let out = match args.format {
        TestFormat::Text => text(&results, &invalid, &args, totals),
        TestFormat::Json => test_results::json(&results, &invalid),
        TestFormat::Junit => test_results::junit(&results, &invalid),
    };
    print!("{out}");
    if totals.failed > 0 || totals.too_few > 0 || !invalid.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The human form: a line per rule, `[PASS]`/`[FAIL]` per test (an explanation under each
/// failure), the invalid files, then the totals.
fn text(results: &[RuleRun], invalid: &[FileReport], args: &TestArgs, totals: Totals) -> String {
    let color = render::stdout_color();
    let paint = |code: &str, s: &str| Paint(color).c(code, s);
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
                        r.kind.verdict(t.expected),
                        r.kind.verdict(t.actual)
                    );
                }
                for m in &t.alert_mismatches {
                    let _ = writeln!(out, "         {m}");
                }
                if let Some(case) = r.rule.tests.iter().find(|c| c.name == t.name) {
                    let env = r.rule.test_env(case, pounce::Env::system().now);
                    let ex = r.rule.program.explain(&case.document, &env);
                    for line in render_text(&ex, color).lines() {
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
    let _ = writeln!(out, "{} passed, {} failed", totals.passed, totals.failed);
    out
}
