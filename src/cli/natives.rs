//! `pounce natives`: the functions a condition can call.

use clap::{Args, ValueEnum};
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

/// The built-in functions, which are part of the language rather than natives.
const BUILTINS: &[(&str, &str)] = &[
    (
        "len(x)",
        "characters of a string, elements of a list, entries of an object; undefined otherwise",
    ),
    (
        "lower(x)",
        "a string in lower case; undefined for anything else",
    ),
    (
        "upper(x)",
        "a string in upper case; undefined for anything else",
    ),
];

/// Runs `pounce natives`.
pub fn run(args: NativesArgs) -> ExitCode {
    print!("{}", render(&pounce::standard_registry(), args.format));
    ExitCode::SUCCESS
}

/// The registry in the given format.
pub fn render(reg: &pounce::Registry, format: NativesFormat) -> String {
    match format {
        NativesFormat::Json => {
            let v: Vec<serde_json::Value> = reg
                .iter()
                .map(|n| serde_json::json!({"name": n.name, "min_args": n.min_args, "max_args": n.max_args, "description": n.description}))
                .collect();
            serde_json::to_string_pretty(&v)
                .map(|s| s + "\n")
                .unwrap_or_default()
        }
        NativesFormat::Text => {
            let width = reg.iter().map(|n| n.name.len()).max().unwrap_or(0);
            let mut out = String::new();
            for (b, d) in BUILTINS {
                out.push_str(&format!("{b:<w$}  (built-in) {d}\n", w = width + 6));
            }
            for n in reg.iter() {
                out.push_str(&format!(
                    "{:<w$}  {}\n",
                    format!("{}/{}", n.name, n.arity()),
                    n.description,
                    w = width + 6
                ));
            }
            out
        }
        NativesFormat::Markdown => {
            let mut out = String::from(
                "# Natives\n\nFunctions a condition can call, as registered by `pounce::standard_registry()`. Each is a Rust\nfunction (its doc comment in `src/stdlib/` or `src/aws/` states its exact semantics and its tests pin\nthem). This file is the output of `pounce natives --format markdown`; a test keeps it in sync.\n\n## Built-in functions\n\n| function | meaning |\n|---|---|\n",
            );
            for (b, d) in BUILTINS {
                out.push_str(&format!("| `{b}` | {d} |\n"));
            }
            out.push_str("\n## Natives\n\n| native | arguments | meaning |\n|---|---|---|\n");
            for n in reg.iter() {
                out.push_str(&format!(
                    "| `{}` | {} | {} |\n",
                    n.name,
                    n.arity(),
                    n.description.replace('|', "\\|")
                ));
            }
            out
        }
    }
}
