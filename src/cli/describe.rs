//! `pounce describe`: one rule's page (Markdown, HTML or JSON), or with `--site` a static HTML
//! catalogue of a pack. The pages come from `pounce::report`.

use super::{pack, render};
use clap::{Args, ValueEnum};
use pounce::panther;
use pounce::panther::diagnostics::FileReport;
use pounce::report::{RuleDescription, site};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Output formats of `pounce describe` and `pounce coverage`.
#[derive(Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    /// GitHub-flavoured Markdown (the form for people: `text` and `human` are the same).
    #[value(alias = "text", alias = "human")]
    Markdown,
    /// One self-contained HTML page.
    Html,
    /// One JSON document (`version: 1`, schema in docs/DESCRIBE.md).
    Json,
}

/// Arguments of `pounce describe`.
#[derive(Args)]
#[command(
    override_usage = "pounce describe RULE_FILE [--format markdown|html|json]\n       pounce describe --site OUT_DIR [PATH...]",
    after_help = "Examples:\n  pounce describe policies/aws_vpc/aws_security_group_restricts_outbound_traffic.yml\n  pounce describe rule.yml --format html > rule.html\n  pounce describe --site site/\n  pounce describe --site site/ policies/aws_s3 policies/aws_iam\n\nWith --site, OUT_DIR gets index.html, coverage.html and one page per rule named by a slug of its ID; pages a previous build wrote for rules no longer in the pack are removed (listed in OUT_DIR/.pounce-site); other files there are left alone.\nExit codes: 0 ok; 1 a rule file is invalid (listed on stderr; with --site the rest is still built); 2 usage error, missing path, or OUT_DIR cannot be written."
)]
pub struct DescribeArgs {
    /// The rule file; with --site, rule files and folders of them (default: policies/).
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// With --site: skip files and folders that match this glob.
    #[arg(long, value_name = "PATTERN", requires = "site")]
    ignore: Vec<String>,
    /// Output format of a rule's page [default: markdown].
    #[arg(long, value_enum, conflicts_with = "site")]
    format: Option<ReportFormat>,
    /// Write a static HTML catalogue of the rules into this folder.
    #[arg(long, value_name = "OUT_DIR")]
    site: Option<PathBuf>,
}

/// Prints one line per invalid rule file on stderr: `pounce: invalid rule file PATH:L:C: msg`.
pub fn list_invalid(invalid: &[FileReport]) {
    for rep in invalid {
        match rep.findings.first() {
            Some(f) => errln!(
                "pounce: invalid rule file {}:{}:{}: {} (see `pounce lint {}`)",
                rep.path,
                f.line,
                f.column,
                f.message,
                rep.path
            ),
            None => errln!("pounce: invalid rule file {}", rep.path),
        }
    }
}

/// Runs `pounce describe`.
pub fn run(args: DescribeArgs) -> ExitCode {
    let registry = pounce::standard_registry();
    match &args.site {
        Some(out) => build_site(out, &args.paths, &args.ignore, &registry),
        None => describe_one(&args, &registry),
    }
}

fn describe_one(args: &DescribeArgs, registry: &pounce::Registry) -> ExitCode {
    let path = match args.paths.as_slice() {
        [p] => p,
        [] => {
            errln!(
                "pounce: describe needs a rule file (or --site OUT_DIR for a whole pack)\n\nUsage: pounce describe RULE_FILE [--format markdown|html|json]"
            );
            return ExitCode::from(2);
        }
        _ => {
            errln!("pounce: describe takes one rule file; for several, use --site OUT_DIR PATH...");
            return ExitCode::from(2);
        }
    };
    if let Err(code) = pack::check_exist(std::slice::from_ref(path)) {
        return code;
    }
    if path.is_dir() {
        errln!(
            "pounce: {} is a folder; describe takes one rule file (for a folder, use --site OUT_DIR {})",
            path.display(),
            path.display()
        );
        return ExitCode::from(2);
    }
    let rule = match panther::load_file(path, registry) {
        Ok(r) => r,
        Err(rep) => {
            for d in rep.diagnostics() {
                err!("{}", render::diagnostic(&d, render::stderr_color()));
            }
            list_invalid(std::slice::from_ref(&rep));
            return ExitCode::from(1);
        }
    };
    // The pack's functions and data models, as the rule was loaded with them.
    let (pack, _) = panther::with_data_models(&[path.to_path_buf()], registry);
    let d = RuleDescription::new(&rule, &pack);
    let out = match args.format.unwrap_or(ReportFormat::Markdown) {
        ReportFormat::Markdown => d.to_markdown(),
        ReportFormat::Html => d.to_html(),
        ReportFormat::Json => d.to_json(),
    };
    out!("{out}");
    ExitCode::SUCCESS
}

fn build_site(
    out: &Path,
    paths: &[PathBuf],
    ignore: &[String],
    registry: &pounce::Registry,
) -> ExitCode {
    let paths = match pack::pack_paths("describe --site OUT_DIR", paths) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let loaded_pack = panther::load_pack(&paths, registry, ignore);
    pack::note_unsupported(&loaded_pack.unsupported);
    let (loaded, invalid) = (loaded_pack.rules, loaded_pack.invalid);
    if loaded.is_empty() && invalid.is_empty() {
        return pack::no_rules(&paths);
    }
    let invalid_names: Vec<String> = invalid.iter().map(|r| r.path.clone()).collect();
    let (pack, _) = panther::with_data_models_ignoring(&paths, registry, ignore);
    let pages = site::build(&loaded, &pack, invalid_names);
    if let Err(e) = std::fs::create_dir_all(out) {
        errln!("pounce: cannot create {}: {e}", out.display());
        return ExitCode::from(2);
    }
    // Pages of rules that left the pack: only those a previous build listed as its own.
    let previous = std::fs::read_to_string(out.join(site::MANIFEST)).unwrap_or_default();
    let stale = site::stale_pages(&previous, &pages);
    for name in &stale {
        let _ = std::fs::remove_file(out.join(name));
    }
    for p in &pages {
        let file = out.join(&p.file_name);
        if let Err(e) = std::fs::write(&file, &p.html) {
            errln!("pounce: cannot write {}: {e}", file.display());
            return ExitCode::from(2);
        }
    }
    let _ = std::fs::write(out.join(site::MANIFEST), site::manifest(&pages));
    if !stale.is_empty() {
        errln!(
            "pounce: removed {} page(s) of rules no longer in the pack: {}",
            stale.len(),
            stale.join(", ")
        );
    }
    outln!(
        "wrote {} rule page{}, {} and {} to {}",
        loaded.len(),
        if loaded.len() == 1 { "" } else { "s" },
        site::INDEX,
        site::COVERAGE,
        out.display()
    );
    list_invalid(&invalid);
    if invalid.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
