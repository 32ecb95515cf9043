//! `pounce natives`: its arguments and printing the list of functions a condition can call
//! (written by `pounce::report::functions`).

use super::render;
use clap::{Args, ValueEnum};
use pounce::report::functions;
use std::process::ExitCode;

/// Output formats of `pounce natives`.
#[derive(Clone, Copy, ValueEnum)]
pub enum NativesFormat {
    /// A table for people (`human` is the same).
    #[value(alias = "human")]
    Text,
    /// Markdown (docs/NATIVES.md is this output).
    Markdown,
    /// JSON: a list of `{kind, name, min_args, max_args, description}`.
    Json,
}

/// Arguments of `pounce natives`.
#[derive(Args)]
#[command(
    after_help = "Examples:\n  pounce natives\n  pounce natives rules/           # with the pack's own functions\n  pounce natives --usage policies/ rules/   # which rules still call host natives\n  pounce natives --format markdown > docs/NATIVES.md\n\nExit codes: 0; 1 a functions file of the paths has errors (printed)."
)]
pub struct NativesArgs {
    /// Rule folders or files whose functions files (and data models) to include.
    #[arg(value_name = "PATH")]
    paths: Vec<std::path::PathBuf>,
    /// Instead of the list: which rules of the PATHs call host natives (functions outside the
    /// language and its standard library), and how many call none.
    #[arg(long)]
    usage: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: NativesFormat,
}

/// Runs `pounce natives`.
pub fn run(args: NativesArgs) -> ExitCode {
    if args.usage {
        let registry = pounce::standard_registry();
        let (rules, bad) = pounce::panther::load_paths(&args.paths, &registry);
        let (pack, _) = pounce::panther::with_data_models(&args.paths, &registry);
        let rows = functions::usage(&rules, &pack);
        match args.format {
            NativesFormat::Json => out!("{}", pounce::report::json_document(&rows)),
            _ => out!("{}", functions::usage_text(&rows)),
        }
        return if bad.is_empty() && !rules.is_empty() {
            ExitCode::SUCCESS
        } else {
            errln!(
                "pounce: {} invalid file(s), {} rule(s) loaded",
                bad.len(),
                rules.len()
            );
            ExitCode::from(1)
        };
    }
    let (reg, bad) = pounce::panther::with_data_models(&args.paths, &pounce::standard_registry());
    for r in &bad {
        for d in r.diagnostics() {
            err!("{}", render::diagnostic(&d, render::stderr_color()));
        }
    }
    let out = match args.format {
        NativesFormat::Text => functions::text(&reg),
        NativesFormat::Markdown => functions::markdown(&reg),
        NativesFormat::Json => functions::json(&reg),
    };
    out!("{out}");
    if bad.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
