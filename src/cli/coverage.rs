//! `pounce coverage`: the MITRE ATT&CK matrix of a pack (from `pounce::report`).

use super::describe::{ReportFormat, list_invalid};
use super::pack;
use clap::Args;
use pounce::panther;
use pounce::report::Coverage;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `pounce coverage`.
#[derive(Args)]
#[command(
    after_help = "Examples:\n  pounce coverage\n  pounce coverage policies/aws_iam --format json\n  pounce coverage --format html > coverage.html\n\nExit codes: 0 ok; 1 a rule file is invalid (listed on stderr, the rest still counted); 2 usage error,\nmissing path or no rule files."
)]
pub struct CoverageArgs {
    /// Rule files or folders of them [default: policies].
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Skip files and folders that match this glob (a name, or a trailing part of the path).
    #[arg(long, value_name = "PATTERN")]
    ignore: Vec<String>,
    /// Output format (`text` and `human` are Markdown).
    #[arg(long, value_enum, default_value = "markdown")]
    format: ReportFormat,
}

/// Runs `pounce coverage`.
pub fn run(args: CoverageArgs) -> ExitCode {
    let paths = match pack::pack_paths("coverage", &args.paths) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let registry = pounce::standard_registry();
    let pack = panther::load_pack(&paths, &registry, &args.ignore);
    pack::note_unsupported(&pack.unsupported);
    let (loaded, invalid) = (pack.rules, pack.invalid);
    if loaded.is_empty() && invalid.is_empty() {
        return pack::no_rules(&paths);
    }
    let c = Coverage::new(&loaded, invalid.iter().map(|r| r.path.clone()).collect());
    let out = match args.format {
        ReportFormat::Markdown => c.to_markdown(),
        ReportFormat::Html => c.to_html(),
        ReportFormat::Json => c.to_json(),
    };
    out!("{out}");
    list_invalid(&invalid);
    if invalid.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
