//! `pounce eval`: evaluate a condition (-e) or a pack of rules (-r) over JSON / NDJSON records.

use super::render;
use clap::Args;
use pounce::Env;
use pounce::engine::Pack;
use pounce::engine::evaluate::{Evaluator, Outcome, PackOptions};
use pounce::report::findings::{RecordAt, write_record};
use std::collections::BTreeMap;
use std::io::{BufRead, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `pounce eval`.
#[derive(Args)]
#[command(
    override_usage = "pounce eval -e EXPR [OPTIONS] [FILE]...\n       pounce eval -r PATH... [OPTIONS] [FILE]...",
    after_help = "With -e, prints `true` or `false` per record, in input order.\nWith -r, prints one NDJSON line per finding (see docs/CLI.md for the fields), in input order,\nand a summary on stderr.\n\nExamples:\n  pounce eval -e 'IpPermissionsEgress not is_null and egress_allows_all_ports(IpPermissionsEgress)' sg.json\n  cat events.ndjson | pounce eval -e 'eventName == \"ConsoleLogin\"'\n  pounce eval -r policies/ resources.ndjson\n  pounce eval -r policies/ --all --threads 2 --type AWS.EC2.SecurityGroup groups.ndjson\n\nExit codes: 0 every record evaluated; 1 some record was rejected (not JSON, not UTF-8, too large:\nreported as FILE:LINE on stderr) or --max-errors was reached; 2 the condition or a rule file does not compile, or usage error."
)]
pub struct EvalArgs {
    /// The condition to evaluate (may start with `-`: `-e '-Count == -3'`).
    #[arg(
        short = 'e',
        long = "expr",
        value_name = "EXPR",
        conflicts_with = "rules",
        allow_hyphen_values = true
    )]
    expr: Option<String>,
    /// A rule file or folder of rule files (repeat for several).
    #[arg(short = 'r', long = "rules", value_name = "PATH")]
    rules: Vec<PathBuf>,
    /// Input files (JSON or NDJSON); standard input when none or `-`.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
    /// With -r: also evaluate rules that have `Enabled: false`.
    #[arg(long)]
    include_disabled: bool,
    /// With -r: the type of records that carry no `ResourceType` / `p_log_type`.
    #[arg(long = "type", value_name = "TYPE")]
    record_type: Option<String>,
    /// With -r: print every verdict, with `"flagged": true|false`, not only findings.
    #[arg(long)]
    all: bool,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Reject records larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = pounce::engine::stream::DEFAULT_MAX_RECORD_BYTES)]
    max_record_bytes: usize,
    /// Stop after this many rejected records (exit 1).
    #[arg(long, value_name = "N")]
    max_errors: Option<usize>,
}

/// Runs `pounce eval`.
pub fn run(args: EvalArgs) -> ExitCode {
    if args.expr.is_none() && args.rules.is_empty() {
        errln!(
            "pounce: eval needs a condition (-e EXPR) or rules (-r PATH) to evaluate the records with\n\nUsage: pounce eval -e EXPR [OPTIONS] [FILE]...\n       pounce eval -r PATH... [OPTIONS] [FILE]...\n\nFor more information, try 'pounce eval --help'."
        );
        return ExitCode::from(2);
    }
    let registry = pounce::standard_registry();
    let mode = match &args.expr {
        Some(e) => match pounce::compile(e, &registry) {
            Ok(p) => Evaluator::Expr(p),
            Err(e) => {
                err!("{}", render::diagnostic(&e, render::stderr_color()));
                return ExitCode::from(2);
            }
        },
        None => {
            for p in &args.rules {
                if !p.exists() {
                    errln!("pounce: {}: no such file or folder", p.display());
                    return ExitCode::from(2);
                }
            }
            let (mut rules, invalid) = pounce::panther::load_paths(&args.rules, &registry);
            if rules.is_empty() && invalid.is_empty() {
                errln!("pounce: no rule files (`.yml`, `.yaml`) under the given path(s)");
                return ExitCode::from(2);
            }
            if !invalid.is_empty() {
                for rep in &invalid {
                    for d in rep.diagnostics() {
                        err!("{}", render::diagnostic(&d, render::stderr_color()));
                    }
                }
                errln!("pounce: {} rule file(s) invalid", invalid.len());
                return ExitCode::from(2);
            }
            if !args.include_disabled {
                rules.retain(|r| r.enabled);
            }
            Evaluator::Pack(Box::new(Pack::new(rules)))
        }
    };
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
    {
        Ok(p) => p,
        Err(e) => {
            errln!("pounce: cannot start worker threads: {e}");
            return ExitCode::from(2);
        }
    };
    pool.install(|| evaluate_all(&args, &mode))
}

fn evaluate_all(args: &EvalArgs, mode: &Evaluator) -> ExitCode {
    let env = Env::system();
    let files = if args.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.files.clone()
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut rejected: Vec<String> = Vec::new();
    let mut records = 0usize;
    let mut per_rule: BTreeMap<usize, usize> = BTreeMap::new();
    let mut write_failed = false;
    let mut stopped = false;
    let mut tried = 0usize;
    let mut applicable = 0usize;
    for f in &files {
        let name = f.display().to_string();
        let reader: Box<dyn BufRead> = if name == "-" {
            Box::new(std::io::BufReader::with_capacity(
                1 << 16,
                std::io::stdin().lock(),
            ))
        } else {
            match std::fs::File::open(f) {
                Ok(h) => Box::new(std::io::BufReader::with_capacity(1 << 16, h)),
                Err(e) => {
                    errln!("{name}: cannot read: {e}");
                    rejected.push(format!("{name}: cannot read"));
                    continue;
                }
            }
        };
        let options = PackOptions {
            record_type: args.record_type.as_deref(),
            all: args.all,
        };
        let each = |_line: usize, raw: pounce::engine::stream::RawRecord<'_>| {
            mode.evaluate(raw, &env, options)
        };
        let sink = |line: usize, o: Outcome| {
            if stopped || write_failed {
                return;
            }
            records += 1;
            let res = match o {
                Outcome::Expr(b) => writeln!(out, "{b}"),
                Outcome::Pack(r, alerts) => {
                    tried += r.tried;
                    applicable += r.applicable;
                    for &(i, flagged) in &r.verdicts {
                        if flagged {
                            *per_rule.entry(i).or_default() += 1;
                        }
                    }
                    match mode {
                        Evaluator::Pack(pack) => {
                            let at = RecordAt { file: &name, line };
                            write_record(&mut out, pack, at, &r, &alerts, args.all)
                        }
                        Evaluator::Expr(_) => Ok(()),
                    }
                }
                Outcome::Rejected(msg) => {
                    errln!("{name}:{line}: {msg}");
                    rejected.push(format!("{name}:{line}"));
                    if args.max_errors.is_some_and(|m| rejected.len() >= m) {
                        errln!(
                            "pounce: stopping after {} rejected record(s) (--max-errors)",
                            rejected.len()
                        );
                        stopped = true;
                    }
                    Ok(())
                }
            };
            if res.is_err() {
                write_failed = true;
            }
        };
        if let Err(e) = pounce::engine::stream::run(reader, args.max_record_bytes, each, sink) {
            errln!("{name}: read error: {e}");
            rejected.push(format!("{name}: read error"));
        }
        if stopped || write_failed {
            break;
        }
    }
    if out.flush().is_err() || write_failed {
        return ExitCode::from(1);
    }
    if let Evaluator::Pack(pack) = mode {
        let findings: usize = per_rule.values().sum();
        errln!(
            "pounce: {records} record(s) read, {} rejected, {findings} finding(s); {tried} of {applicable} applicable rule evaluation(s) tried",
            rejected.len()
        );
        for (i, n) in &per_rule {
            if let Some(r) = pack.rules.get(*i) {
                errln!("  {n:>8}  {}", r.id);
            }
        }
    }
    if !rejected.is_empty() {
        errln!(
            "pounce: {} record(s) rejected: {}",
            rejected.len(),
            rejected
                .iter()
                .take(20)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

/// Reads a file (or stdin for `-`) as text; the error names the file. Invalid UTF-8 is kept
/// as U+FFFD so the bad line is reported as invalid JSON.
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
    Ok((name, String::from_utf8_lossy(&bytes).into_owned()))
}
