//! Command-line front end. Exit codes: 0 success; 1 a record was rejected, a test failed or a
//! finding reached the fail level; 2 usage error or a condition/rule that does not compile.

/// `eprint!` that never panics: a closed or full stderr is ignored.
macro_rules! err {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($t)*);
    }};
}

/// `eprintln!` that never panics: a closed or full stderr is ignored.
macro_rules! errln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

/// `print!` that never panics: when stdout is closed (`pounce … | head`), the rest is dropped.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let mut o = std::io::stdout().lock();
        let _ = write!(o, $($t)*).and_then(|()| o.flush());
    }};
}

/// `println!` that never panics (see [`out!`]).
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let mut o = std::io::stdout().lock();
        let _ = writeln!(o, $($t)*).and_then(|()| o.flush());
    }};
}

mod coverage;
mod describe;
mod eval;
mod explain;
mod lint;
mod natives;
mod pack;
pub mod render;
mod test;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// pounce: exact, explainable detections over JSON.
#[derive(Parser)]
#[command(name = "pounce", version, about, long_about = None, after_help = "Examples:\n  pounce eval -e 'IpPermissionsEgress not is_null' resources.ndjson\n  pounce test policies/")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate a condition (-e) over JSON or NDJSON documents.
    Eval(eval::EvalArgs),
    /// Show why documents are flagged or not, predicate by predicate.
    Explain(explain::ExplainArgs),
    /// Find defects in rule files or a condition, with precise locations.
    Lint(lint::LintArgs),
    /// List the functions a condition can call.
    Natives(natives::NativesArgs),
    /// Run the test cases of rule files (default: policies/).
    Test(test::TestArgs),
    /// Describe a rule for people (Markdown, HTML, JSON), or a whole pack as a static site.
    Describe(describe::DescribeArgs),
    /// Show a pack's MITRE ATT&CK coverage as a matrix (Markdown, HTML heat map, JSON).
    Coverage(coverage::CoverageArgs),
}

/// Parses the command line and runs the command.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(2),
            };
        }
    };
    match cli.command {
        Command::Eval(a) => eval::run(a),
        Command::Test(a) => test::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Lint(a) => lint::run(a),
        Command::Natives(a) => natives::run(a),
        Command::Describe(a) => describe::run(a),
        Command::Coverage(a) => coverage::run(a),
    }
}
