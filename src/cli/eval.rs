//! `pounce eval`: evaluate a condition over documents.

use super::render;
use clap::Args;
use pounce::natives::Registry;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `pounce eval`.
#[derive(Args)]
#[command(
    after_help = "Prints `true` or `false` per document, in input order.\n\nExamples:\n  pounce eval -e 'IpPermissionsEgress not is_null and egress_allows_all_ports(IpPermissionsEgress)' sg.json\n  cat events.ndjson | pounce eval -e 'eventName == \"ConsoleLogin\"'\n\nExit codes: 0 all records evaluated; 1 some record was not valid JSON (reported as FILE:LINE on stderr); 2 the condition does not compile."
)]
pub struct EvalArgs {
    /// The condition to evaluate.
    #[arg(short = 'e', long = "expr", value_name = "EXPR")]
    expr: String,
    /// Input files (JSON or NDJSON); standard input when none or `-`.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// Runs `pounce eval -e`.
pub fn run(args: EvalArgs) -> ExitCode {
    let registry = Registry::standard();
    let program = match pounce::compile(&args.expr, &registry) {
        Ok(p) => p,
        Err(e) => {
            eprint!("{}", render::diagnostic(&e, render::stderr_color()));
            return ExitCode::from(2);
        }
    };
    let env = pounce::Env::system();
    let files = if args.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.files
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut rejected = 0usize;
    for f in &files {
        let (name, text) = match read_input(f) {
            Ok(t) => t,
            Err(msg) => {
                eprintln!("{msg}");
                rejected += 1;
                continue;
            }
        };
        for rec in pounce::input::read_documents(&name, &text) {
            match rec {
                Ok(r) => {
                    if writeln!(out, "{}", program.eval_with(&r.value, &env)).is_err() {
                        return ExitCode::from(1);
                    }
                }
                Err(e) => {
                    rejected += 1;
                    eprintln!("{e}");
                }
            }
        }
    }
    if out.flush().is_err() {
        return ExitCode::from(1);
    }
    if rejected > 0 {
        eprintln!("{rejected} record(s) rejected");
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Reads a file (or stdin for `-`) as text; the error names the file.
pub fn read_input(f: &std::path::Path) -> Result<(String, String), String> {
    let name = f.display().to_string();
    let mut bytes = Vec::new();
    let res = if name == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::File::open(f)
            .and_then(|mut h| h.read_to_end(&mut bytes))
            .map(|_| ())
    };
    res.map_err(|e| format!("{name}: cannot read: {e}"))?;
    match String::from_utf8(bytes) {
        Ok(s) => Ok((name, s)),
        Err(e) => {
            // Keep what is valid; invalid bytes become U+FFFD so the bad line is reported as invalid JSON.
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            Ok((name, lossy))
        }
    }
}
