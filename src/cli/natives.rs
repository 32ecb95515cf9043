//! `pounce natives`: its arguments and printing the list of functions a condition can call
//! (written by `pounce::report::functions`).

use clap::{Args, ValueEnum};
use pounce::report::functions;
use std::process::ExitCode;

/// Output formats of `pounce natives`.
#[derive(Clone, Copy, ValueEnum)]
pub enum NativesFormat {
    /// A table for people.
    Text,
    /// Markdown (docs/NATIVES.md is this output).
    Markdown,
    /// JSON: a list of `{name, min_args, max_args, description}`.
    Json,
}

/// Arguments of `pounce natives`.
#[derive(Args)]
#[command(
    after_help = "Examples:\n  pounce natives\n  pounce natives --format markdown > docs/NATIVES.md\n\nExit code: 0."
)]
pub struct NativesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: NativesFormat,
}

/// Runs `pounce natives`.
pub fn run(args: NativesArgs) -> ExitCode {
    let reg = pounce::standard_registry();
    let out = match args.format {
        NativesFormat::Text => functions::text(&reg),
        NativesFormat::Markdown => functions::markdown(&reg),
        NativesFormat::Json => functions::json(&reg),
    };
    print!("{out}");
    ExitCode::SUCCESS
}
