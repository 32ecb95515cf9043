//! `pounce coverage`: the MITRE ATT&CK matrix of a pack (from `pounce::report`).

use super::describe::{ReportFormat, check_paths, list_invalid};
use clap::Args;
use pounce::panther;
use pounce::report::Coverage;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `pounce coverage`.
#[derive(Args)]
#[command(
    after_help = "Examples:\n  pounce coverage\n  pounce coverage policies/aws_iam --format json\n  pounce coverage --format html > coverage.html\n\nExit codes: 0 ok; 1 a rule file is invalid (listed on stderr, the rest still counted); 2 usage error or missing path."
)]
pub struct CoverageArgs {
    /// Rule files or folders of them.
    #[arg(value_name = "PATH", default_value = "policies")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "markdown")]
    format: ReportFormat,
}

/// Runs `pounce coverage`.
pub fn run(args: CoverageArgs) -> ExitCode {
    if let Err(code) = check_paths(&args.paths) {
        return code;
    }
    let registry = pounce::standard_registry();
    let (loaded, invalid) = panther::load_paths(&args.paths, &registry);
    let c = Coverage::new(&loaded, invalid.iter().map(|r| r.path.clone()).collect());
    let out = match args.format {
        ReportFormat::Markdown => c.to_markdown(),
        ReportFormat::Html => c.to_html(),
        ReportFormat::Json => c.to_json(),
    };
    print!("{out}");
    list_invalid(&invalid);
    if invalid.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
