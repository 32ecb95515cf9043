//! `pounce lint`: its arguments, and printing the diagnostics in the chosen format (the
//! machine formats are written by `pounce::lint::output`).

use super::{pack, render};
use clap::{Args, ValueEnum};
use pounce::lint::output::{self, Summary};
use pounce::panther::diagnostics::{FileReport, Severity};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Output formats of `pounce lint`.
#[derive(Clone, Copy, ValueEnum)]
pub enum LintFormat {
    /// Rendered diagnostics with source snippets (`text` is the same).
    #[value(alias = "text")]
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
    after_help = "Examples:\n  pounce lint\n  pounce lint policies/aws_s3 --fail-level warning\n  pounce lint -e 'a startswith \"x\"'\n  pounce lint . --ignore .github\n  pounce lint --format sarif > lint.sarif\n\nA rule allows warnings with `LintAllow: [W0103]`. Codes: docs/DIAGNOSTICS.md.\nExit codes: 0 nothing at or above the fail level; 1 findings at or above it; 2 usage error, a\nmissing path, or no rule files."
)]
pub struct LintArgs {
    /// Rule files or folders of them [default: policies].
    #[arg(value_name = "PATH", conflicts_with = "expr")]
    paths: Vec<PathBuf>,
    /// Lint a condition instead of rule files.
    #[arg(
        short = 'e',
        long = "expr",
        value_name = "EXPR",
        allow_hyphen_values = true
    )]
    expr: Option<String>,
    /// Skip files and folders that match this glob (a name, or a trailing part of the path).
    #[arg(long, value_name = "PATTERN")]
    ignore: Vec<String>,
    /// Output format (`text` is the same as `human`).
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
            let paths = match pack::pack_paths("lint", &args.paths) {
                Ok(p) => p,
                Err(code) => return code,
            };
            let reports = pounce::lint::lint_paths_ignoring(&paths, &registry, &args.ignore);
            if reports.is_empty() {
                return pack::no_rules(&paths);
            }
            reports
        }
    };
    let level = match args.fail_level {
        FailLevel::Error => Severity::Error,
        FailLevel::Warning => Severity::Warning,
    };
    let out = match args.format {
        LintFormat::Human => human(&reports),
        LintFormat::Json => output::json(&reports),
        LintFormat::Sarif => output::sarif(&reports),
        LintFormat::Junit => output::junit(&reports, level),
        LintFormat::Github => output::github(&reports),
    };
    out!("{out}");
    if Summary::of(&reports).fails_at(level) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Every finding rendered by miette, then the totals.
fn human(reports: &[FileReport]) -> String {
    let color = render::stdout_color();
    let mut out = String::new();
    for r in reports {
        for d in r.diagnostics() {
            out.push_str(&render::diagnostic(&d, color));
            out.push('\n');
        }
    }
    let s = Summary::of(reports);
    let _ = writeln!(
        out,
        "{} file(s) checked: {} error(s), {} warning(s)",
        s.files, s.errors, s.warnings
    );
    out
}
