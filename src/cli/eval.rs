//! `pounce eval`: evaluate a condition (-e) or a pack of rules (-r) over JSON / NDJSON records
//! (gzip, JSON arrays and CloudTrail's `Records` envelope included).

use super::{describe::list_invalid, pack, render};
use clap::Args;
use pounce::Env;
use pounce::engine::evaluate::{Evaluator, Outcome, PackOptions};
use pounce::engine::stream::At;
use pounce::engine::{IdFields, Pack};
use pounce::report::findings::{RecordAt, write_record};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `pounce eval`.
#[derive(Args)]
#[command(
    override_usage = "pounce eval -e EXPR [OPTIONS] [FILE]...\n       pounce eval -r PATH... [OPTIONS] [FILE]...",
    after_help = "Records: NDJSON (one per line), one JSON document, a JSON array of records, or CloudTrail's\n{\"Records\": [...]} envelope; any of them gzipped (.json.gz, as AWS delivers CloudTrail to S3).\nA record is a JSON object; anything else is rejected and counted.\n\nWith -e, prints `true`, `false` or `error` (a rejected record) per record, in input order;\n--with-position prefixes each with FILE:LINE: (FILE:LINE:COLUMN: for an element of an array).\nWith -r, prints one NDJSON line per finding (see docs/CLI.md for the fields), in input order,\nand a summary on stderr.\n\nExamples:\n  pounce eval -e 'IpPermissionsEgress not is_null and egress_allows_all_ports(IpPermissionsEgress)' sg.json\n  cat events.ndjson | pounce eval -e 'eventName == \"ConsoleLogin\"' --with-position\n  pounce eval -r rules/ --log-type AWS.CloudTrail 123456789012_CloudTrail_us-east-1_20240101T0000Z.json.gz\n  pounce eval -r policies/ resources.ndjson --id-field AWS.S3.Bucket=Name\n  pounce eval -r policies/ --all --threads 2 --type AWS.EC2.SecurityGroup groups.ndjson\n\nExit codes: 0 every record evaluated; 1 some record was rejected (not JSON, not an object, not\nUTF-8, too large: reported as FILE:LINE on stderr), --max-errors was reached, or a rule file was\nskipped (--skip-invalid); 2 the condition or a rule file does not compile, an input file does not\nexist, or usage error."
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
    /// Input files (JSON, NDJSON, a JSON array, a `Records` envelope; gzipped or not); standard
    /// input when none or `-`.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
    /// With -e: prefix each verdict with the record's FILE:LINE (FILE:LINE:COLUMN in an array).
    #[arg(long)]
    with_position: bool,
    /// Set `p_log_type` to this on records that lack it (so rules route and `udm` maps them),
    /// e.g. AWS.CloudTrail.
    #[arg(long, value_name = "LOG_TYPE")]
    log_type: Option<String>,
    /// With -r: also evaluate rules that have `Enabled: false`.
    #[arg(long)]
    include_disabled: bool,
    /// With -r: evaluate the valid rule files when some are invalid (each reported; exit 1).
    #[arg(long)]
    skip_invalid: bool,
    /// With -r: skip rule files and folders that match this glob.
    #[arg(long, value_name = "PATTERN")]
    ignore: Vec<String>,
    /// With -r: the fields that identify a record of TYPE in findings, first present wins
    /// (`AWS.S3.Bucket=Name`, `*=ResourceId`); repeat for several types.
    #[arg(long, value_name = "TYPE=FIELD[,FIELD...]")]
    id_field: Vec<String>,
    /// With -r: the type of records that carry no `ResourceType` / `p_log_type` (routing
    /// only; the record is not changed).
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
    // Every input file must be there before anything runs (as for the rule paths).
    let inputs: Vec<PathBuf> = args
        .files
        .iter()
        .filter(|f| f.as_os_str() != "-")
        .cloned()
        .collect();
    if let Err(code) = pack::check_exist(&inputs) {
        return code;
    }
    let registry = pounce::standard_registry();
    let mut skipped_files = 0usize;
    let mode = match &args.expr {
        Some(e) => match pounce::compile(e, &registry) {
            Ok(p) => Evaluator::Expr(p),
            Err(e) => {
                err!("{}", render::diagnostic(&e, render::stderr_color()));
                return ExitCode::from(2);
            }
        },
        None => {
            if let Err(code) = pack::check_exist(&args.rules) {
                return code;
            }
            let mut ids = IdFields::default();
            for spec in &args.id_field {
                if let Err(msg) = ids.set(spec) {
                    errln!("pounce: --id-field: {msg}");
                    return ExitCode::from(2);
                }
            }
            let loaded = pounce::panther::load_pack(&args.rules, &registry, &args.ignore);
            pack::note_unsupported(&loaded.unsupported);
            let (mut rules, invalid) = (loaded.rules, loaded.invalid);
            if rules.is_empty() && invalid.is_empty() {
                return pack::no_rules(&args.rules);
            }
            if !invalid.is_empty() {
                for rep in &invalid {
                    for d in rep.diagnostics() {
                        err!("{}", render::diagnostic(&d, render::stderr_color()));
                    }
                }
                if !args.skip_invalid {
                    errln!(
                        "pounce: {} rule file(s) invalid; nothing evaluated (--skip-invalid evaluates the valid ones)",
                        invalid.len()
                    );
                    return ExitCode::from(2);
                }
                list_invalid(&invalid);
                errln!(
                    "pounce: skipping {} invalid rule file(s) (--skip-invalid); the run will exit 1",
                    invalid.len()
                );
                skipped_files = invalid.len();
            }
            if !args.include_disabled {
                rules.retain(|r| r.enabled);
            }
            Evaluator::Pack(Box::new(Pack::with_ids(rules, ids)))
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
    let code = pool.install(|| evaluate_all(&args, &mode));
    if skipped_files > 0 && code == ExitCode::SUCCESS {
        return ExitCode::from(1);
    }
    code
}

/// Opens an input: a file, or standard input for `-` (saying so when it is a terminal).
pub fn open_input(f: &std::path::Path) -> std::io::Result<Box<dyn Read>> {
    if f.as_os_str() == "-" {
        if std::io::stdin().is_terminal() {
            errln!(
                "pounce: reading records from standard input (end with Ctrl-D; give a FILE to read a file)"
            );
        }
        return Ok(Box::new(std::io::stdin().lock()));
    }
    Ok(Box::new(std::fs::File::open(f)?))
}

/// What a run of `evaluate_all` has counted.
#[derive(Default)]
struct Tally {
    records: usize,
    rejected: Vec<String>,
    per_rule: BTreeMap<usize, usize>,
    tried: usize,
    applicable: usize,
    write_failed: bool,
    stopped: bool,
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
    let mut t = Tally::default();
    for f in &files {
        let name = f.display().to_string();
        let reader = match open_input(f) {
            Ok(r) => r,
            Err(e) => {
                errln!("{name}: cannot read: {e}");
                t.rejected.push(format!("{name}: cannot read"));
                continue;
            }
        };
        let options = PackOptions {
            record_type: args.record_type.as_deref(),
            all: args.all,
            log_type: args.log_type.as_deref(),
        };
        let (mut in_file, mut untyped) = (0usize, 0usize);
        let each =
            |_at: At, raw: pounce::engine::stream::RawRecord<'_>| mode.evaluate(raw, &env, options);
        let sink = |at: At, o: Outcome| {
            if t.stopped || t.write_failed {
                return;
            }
            t.records += 1;
            let res = match o {
                Outcome::Expr(b) => verdict(&mut out, args.with_position.then_some((&name, at)), b),
                Outcome::Pack(r, alerts) => {
                    t.tried += r.tried;
                    t.applicable += r.applicable;
                    in_file += 1;
                    untyped += usize::from(!r.typed);
                    for &(i, flagged) in &r.verdicts {
                        if flagged {
                            *t.per_rule.entry(i).or_default() += 1;
                        }
                    }
                    match mode {
                        Evaluator::Pack(pack) => {
                            let at = RecordAt { file: &name, at };
                            write_record(&mut out, pack, at, &r, &alerts, args.all)
                        }
                        Evaluator::Expr(_) => Ok(()),
                    }
                }
                Outcome::Rejected(msg) => {
                    errln!("{name}:{at}: {msg}");
                    t.rejected.push(format!("{name}:{at}"));
                    if args.max_errors.is_some_and(|m| t.rejected.len() >= m) {
                        errln!(
                            "pounce: stopping after {} rejected record(s) (--max-errors)",
                            t.rejected.len()
                        );
                        t.stopped = true;
                    }
                    // `-e` keeps one output line per record: a rejected one says `error`.
                    match mode {
                        Evaluator::Expr(_) => {
                            let pos = args.with_position.then_some((&name, at));
                            write_line(&mut out, pos, "error")
                        }
                        Evaluator::Pack(_) => Ok(()),
                    }
                }
            };
            if res.is_err() {
                t.write_failed = true;
            }
        };
        if let Err(e) = pounce::engine::stream::run(reader, args.max_record_bytes, each, sink) {
            errln!("{name}: read error: {e}");
            t.rejected.push(format!("{name}: read error"));
        }
        if in_file > 0 && untyped == in_file && args.record_type.is_none() {
            errln!(
                "pounce: no record of {name} has `p_log_type` or `ResourceType`: each was evaluated against every rule; give --log-type (e.g. --log-type AWS.CloudTrail) or --type TYPE to route them"
            );
        }
        if t.stopped || t.write_failed {
            break;
        }
    }
    // A closed stdout (`| head`) ends the run quietly; nothing more can be written there.
    if out.flush().is_err() || t.write_failed {
        return ExitCode::from(u8::from(!t.rejected.is_empty()));
    }
    if let Evaluator::Pack(pack) = mode {
        let findings: usize = t.per_rule.values().sum();
        errln!(
            "pounce: {} record(s) read, {} rejected, {findings} finding(s); {} of {} applicable rule evaluation(s) tried",
            t.records,
            t.rejected.len(),
            t.tried,
            t.applicable
        );
        for (i, n) in &t.per_rule {
            if let Some(r) = pack.rules.get(*i) {
                errln!("  {n:>8}  {}", r.id);
            }
        }
    }
    if !t.rejected.is_empty() {
        errln!(
            "pounce: {} record(s) rejected: {}",
            t.rejected.len(),
            t.rejected
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

/// Writes one `-e` verdict.
fn verdict<W: Write>(out: &mut W, pos: Option<(&String, At)>, b: bool) -> std::io::Result<()> {
    write_line(out, pos, if b { "true" } else { "false" })
}

/// Writes `word`, after `FILE:POSITION: ` when asked.
fn write_line<W: Write>(
    out: &mut W,
    pos: Option<(&String, At)>,
    word: &str,
) -> std::io::Result<()> {
    match pos {
        Some((name, at)) => writeln!(out, "{name}:{at}: {word}"),
        None => writeln!(out, "{word}"),
    }
}
