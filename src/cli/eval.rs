//! `pounce eval`: evaluate a condition (-e) or a pack of rules (-r) over JSON / NDJSON records.

use super::render;
use clap::Args;
use pounce::engine::Pack;
use pounce::{Env, Program};
use std::collections::BTreeMap;
use std::io::{BufRead, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `pounce eval`.
#[derive(Args)]
#[command(
    after_help = "With -e, prints `true` or `false` per record, in input order.\nWith -r, prints one NDJSON line per finding (see docs/CLI.md for the fields), in input order,\nand a summary on stderr.\n\nExamples:\n  pounce eval -e 'IpPermissionsEgress not is_null and egress_allows_all_ports(IpPermissionsEgress)' sg.json\n  cat events.ndjson | pounce eval -e 'eventName == \"ConsoleLogin\"'\n  pounce eval -r policies/ resources.ndjson\n  pounce eval -r policies/ --all --threads 2 --type AWS.EC2.SecurityGroup groups.ndjson\n\nExit codes: 0 every record evaluated; 1 some record was rejected (not JSON, not UTF-8, too large:\nreported as FILE:LINE on stderr) or --max-errors was reached; 2 the condition or a rule file does not compile, or usage error."
)]
pub struct EvalArgs {
    /// The condition to evaluate.
    #[arg(
        short = 'e',
        long = "expr",
        value_name = "EXPR",
        required_unless_present = "rules",
        conflicts_with = "rules"
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

/// One output line of `eval -r`.
#[derive(serde::Serialize)]
struct FindingLine<'a> {
    rule_id: &'a str,
    severity: &'a str,
    kind: pounce::panther::AnalysisType,
    file: &'a str,
    line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    record_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    flagged: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dedup: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<&'a serde_json::Value>,
}

enum Mode {
    Expr(Program),
    Pack(Box<Pack>),
}

/// What one record produced.
enum Outcome {
    Expr(bool),
    Pack(
        pounce::engine::RecordResult,
        Vec<(usize, pounce::panther::alert::Alert)>,
    ),
    Rejected(String),
}

/// Runs `pounce eval`.
pub fn run(args: EvalArgs) -> ExitCode {
    let registry = pounce::standard_registry();
    let mode = match &args.expr {
        Some(e) => match pounce::compile(e, &registry) {
            Ok(p) => Mode::Expr(p),
            Err(e) => {
                eprint!("{}", render::diagnostic(&e, render::stderr_color()));
                return ExitCode::from(2);
            }
        },
        None => {
            for p in &args.rules {
                if !p.exists() {
                    eprintln!("pounce: {}: no such file or folder", p.display());
                    return ExitCode::from(2);
                }
            }
            let (mut rules, invalid) = pounce::panther::load_paths(&args.rules, &registry);
            if rules.is_empty() && invalid.is_empty() {
                eprintln!("pounce: no rule files (`.yml`, `.yaml`) under the given path(s)");
                return ExitCode::from(2);
            }
            if !invalid.is_empty() {
                for rep in &invalid {
                    for d in rep.diagnostics() {
                        eprint!("{}", render::diagnostic(&d, render::stderr_color()));
                    }
                }
                eprintln!("pounce: {} rule file(s) invalid", invalid.len());
                return ExitCode::from(2);
            }
            if !args.include_disabled {
                rules.retain(|r| r.enabled);
            }
            Mode::Pack(Box::new(Pack::new(rules)))
        }
    };
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
    {
        Ok(p) => p,
        Err(e) => {
            eprintln!("pounce: cannot start worker threads: {e}");
            return ExitCode::from(2);
        }
    };
    pool.install(|| evaluate_all(&args, &mode))
}

fn evaluate_all(args: &EvalArgs, mode: &Mode) -> ExitCode {
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
                    eprintln!("{name}: cannot read: {e}");
                    rejected.push(format!("{name}: cannot read"));
                    continue;
                }
            }
        };
        let each = |_line: usize, raw: pounce::engine::stream::RawRecord<'_>| -> Outcome {
            let text = match raw {
                Ok(t) => t,
                Err(e) => return Outcome::Rejected(e),
            };
            match mode {
                Mode::Expr(p) => match serde_json::from_str::<serde_json::Value>(text) {
                    Ok(v) => Outcome::Expr(p.eval_with(&v, &env)),
                    Err(e) => Outcome::Rejected(json_error(&e)),
                },
                Mode::Pack(pack) => match pack.parse(text) {
                    Ok(v) => {
                        let r = pack.evaluate(&v, args.record_type.as_deref(), &env, args.all);
                        let alerts = if pack.has_rules() && r.verdicts.iter().any(|(_, f)| *f) {
                            match serde_json::from_str::<serde_json::Value>(text) {
                                Ok(full) => pack.alerts(&full, &r, &env),
                                Err(_) => Vec::new(),
                            }
                        } else {
                            Vec::new()
                        };
                        Outcome::Pack(r, alerts)
                    }
                    Err(e) => Outcome::Rejected(json_error(&e)),
                },
            }
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
                    write_pack(
                        &mut out,
                        mode,
                        &name,
                        line,
                        &r,
                        &alerts,
                        &mut per_rule,
                        args.all,
                    )
                }
                Outcome::Rejected(msg) => {
                    eprintln!("{name}:{line}: {msg}");
                    rejected.push(format!("{name}:{line}"));
                    if args.max_errors.is_some_and(|m| rejected.len() >= m) {
                        eprintln!(
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
            eprintln!("{name}: read error: {e}");
            rejected.push(format!("{name}: read error"));
        }
        if stopped || write_failed {
            break;
        }
    }
    if out.flush().is_err() || write_failed {
        return ExitCode::from(1);
    }
    if let Mode::Pack(pack) = mode {
        let findings: usize = per_rule.values().sum();
        eprintln!(
            "pounce: {records} record(s) read, {} rejected, {findings} finding(s); {tried} of {applicable} applicable rule evaluation(s) tried",
            rejected.len()
        );
        for (i, n) in &per_rule {
            if let Some(r) = pack.rules.get(*i) {
                eprintln!("  {n:>8}  {}", r.id);
            }
        }
    }
    if !rejected.is_empty() {
        eprintln!(
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

#[allow(clippy::too_many_arguments)]
fn write_pack<W: Write>(
    out: &mut W,
    mode: &Mode,
    file: &str,
    line: usize,
    r: &pounce::engine::RecordResult,
    alerts: &[(usize, pounce::panther::alert::Alert)],
    per_rule: &mut BTreeMap<usize, usize>,
    all: bool,
) -> std::io::Result<()> {
    let Mode::Pack(pack) = mode else {
        return Ok(());
    };
    for &(i, flagged) in &r.verdicts {
        let Some(rule) = pack.rules.get(i) else {
            continue;
        };
        if flagged {
            *per_rule.entry(i).or_default() += 1;
        }
        let alert = alerts.iter().find(|(j, _)| *j == i).map(|(_, a)| a);
        let l = FindingLine {
            rule_id: &rule.id,
            severity: alert.map_or(&rule.severity, |a| &a.severity),
            title: alert.map(|a| a.title.as_str()),
            dedup: alert.map(|a| a.dedup.as_str()),
            context: alert.map(|a| &a.context).filter(|c| !c.is_null()),
            kind: rule.kind,
            file,
            line,
            id: r.id.as_deref(),
            record_type: r.record_type.as_deref(),
            flagged: all.then_some(flagged),
        };
        serde_json::to_writer(&mut *out, &l).map_err(std::io::Error::other)?;
        out.write_all(b"\n")?;
    }
    Ok(())
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

/// A JSON error of one record: the column is kept, the line is the record's.
fn json_error(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    if msg.starts_with("recursion limit exceeded") {
        return format!(
            "invalid JSON: more than 127 nested arrays and objects (column {})",
            e.column()
        );
    }
    match msg.rfind(" at line ") {
        Some(i) => format!(
            "invalid JSON: {} (column {})",
            msg.get(..i).unwrap_or(&msg),
            e.column()
        ),
        None => format!("invalid JSON: {msg}"),
    }
}
