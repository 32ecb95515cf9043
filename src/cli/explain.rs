//! `pounce explain`: its arguments, reading the documents (or the rule's test case) and
//! printing why each was flagged or not (the forms are written by `pounce::report::explain`).

use super::render;
use clap::{Args, ValueEnum};
use pounce::report::explain::{json_line, render_text};
use pounce::{Env, Program};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Output formats of `pounce explain`.
#[derive(Clone, Copy, ValueEnum)]
pub enum ExplainFormat {
    /// A tree for people (`human` is the same).
    #[value(alias = "human")]
    Text,
    /// One JSON explanation per document, one per line (schema in docs/EXPLAIN.md).
    Json,
}

/// Arguments of `pounce explain`.
#[derive(Args)]
#[command(
    override_usage = "pounce explain -e EXPR [--format text|json] [FILE]\n       pounce explain -r RULE_FILE [--test NAME] [--format text|json] [FILE]",
    after_help = "Examples:\n  pounce explain -e 'IpPermissionsEgress not is_null and egress_allows_all_ports(IpPermissionsEgress)' sg.json\n  pounce explain -r policies/aws_vpc/aws_security_group_restricts_outbound_traffic.yml --test 'Security Group Does Not Restrict Outbound Traffic'\n  pounce explain -r rule.yml --format json events.ndjson\n\nExit codes: 0 explained; 1 a record was not valid JSON or the named test does not exist; 2 usage error or the condition does not compile."
)]
pub struct ExplainArgs {
    /// The condition to explain (may start with `-`).
    #[arg(
        short = 'e',
        long = "expr",
        value_name = "EXPR",
        conflicts_with = "rule",
        required_unless_present = "rule",
        allow_hyphen_values = true
    )]
    expr: Option<String>,
    /// A rule file whose condition to explain.
    #[arg(short = 'r', long = "rule", value_name = "RULE_FILE")]
    rule: Option<PathBuf>,
    /// With -r: explain this test case of the rule file instead of reading documents.
    #[arg(long, value_name = "NAME", requires = "rule")]
    test: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: ExplainFormat,
    /// A JSON or NDJSON file; standard input when absent or `-`.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
}

/// Runs `pounce explain`.
pub fn run(args: ExplainArgs) -> ExitCode {
    let registry = pounce::standard_registry();
    let mut env = Env::system();
    let rule;
    let program: &Program = match (&args.expr, &args.rule) {
        (Some(e), _) => match pounce::compile(e, &registry) {
            Ok(p) => {
                rule = Holder::Program(p);
                rule.program()
            }
            Err(e) => {
                err!("{}", render::diagnostic(&e, render::stderr_color()));
                return ExitCode::from(2);
            }
        },
        (None, Some(path)) => match pounce::panther::load_file(path, &registry) {
            Ok(r) => {
                env.keys = r.key_match;
                rule = Holder::Rule(Box::new(r));
                rule.program()
            }
            Err(rep) => {
                for d in rep.diagnostics() {
                    err!("{}", render::diagnostic(&d, render::stderr_color()));
                }
                return ExitCode::from(2);
            }
        },
        (None, None) => return ExitCode::from(2),
    };
    let color = render::stdout_color() && matches!(args.format, ExplainFormat::Text);
    let mut docs: Vec<(String, serde_json::Value)> = Vec::new();
    let mut rejected = 0usize;
    let mut heading: Option<String> = None;
    if let (Some(name), Holder::Rule(r)) = (&args.test, &rule) {
        match r.tests.iter().find(|t| &t.name == name) {
            Some(t) => {
                env = r.test_env(t, env.now);
                let flagged = r.program.eval_with(&t.document, &env);
                let outcome = pounce::panther::testing::run_tests(r, env.now)
                    .into_iter()
                    .find(|o| o.name == t.name);
                let passes = outcome.as_ref().is_some_and(|o| o.passed);
                let mut h = format!(
                    "test `{}` expects {}; the condition {} the document, so the result is {}: the test {}",
                    t.name,
                    r.kind.verdict(t.expected),
                    if flagged { "flags" } else { "does not flag" },
                    r.kind.verdict(r.kind.result(flagged)),
                    if passes { "passes" } else { "fails" }
                );
                for m in outcome.iter().flat_map(|o| &o.alert_mismatches) {
                    h.push_str(&format!("\n  {m}"));
                }
                heading = Some(h);
                docs.push((format!("test `{}`", t.name), t.document.clone()));
            }
            None => {
                let names: Vec<&str> = r.tests.iter().map(|t| t.name.as_str()).collect();
                let near = pounce::lang::suggest::nearest(name, names.iter().copied());
                match near.first() {
                    Some(n) => errln!(
                        "pounce: {} has no test named `{name}`; did you mean `{n}`?",
                        r.path.display()
                    ),
                    None if names.is_empty() => {
                        errln!("pounce: {} has no tests", r.path.display())
                    }
                    None => errln!(
                        "pounce: {} has no test named `{name}`; its tests are:\n{}",
                        r.path.display(),
                        names
                            .iter()
                            .map(|n| format!("  {n}"))
                            .collect::<Vec<_>>()
                            .join("\n")
                    ),
                }
                return ExitCode::from(1);
            }
        }
    } else {
        let f = args.file.clone().unwrap_or_else(|| PathBuf::from("-"));
        if f.as_os_str() != "-"
            && let Err(code) = super::pack::check_exist(std::slice::from_ref(&f))
        {
            return code;
        }
        let name = f.display().to_string();
        let reader = match super::eval::open_input(&f) {
            Ok(r) => r,
            Err(e) => {
                errln!("{name}: cannot read: {e}");
                return ExitCode::from(1);
            }
        };
        let each = |_at: pounce::engine::stream::At, raw: pounce::engine::stream::RawRecord<'_>| {
            raw.and_then(pounce::engine::input::parse_record)
        };
        let sink = |at: pounce::engine::stream::At, r: Result<serde_json::Value, String>| match r {
            Ok(v) => docs.push((format!("{name}:{at}"), v)),
            Err(e) => {
                rejected += 1;
                errln!("{name}:{at}: {e}");
            }
        };
        if let Err(e) = pounce::engine::stream::run(
            reader,
            pounce::engine::stream::DEFAULT_MAX_RECORD_BYTES,
            each,
            sink,
        ) {
            errln!("{name}: read error: {e}");
            rejected += 1;
        }
    }
    let mut out = String::new();
    for (label, doc) in &docs {
        let ex = program.explain(doc, &env);
        match args.format {
            ExplainFormat::Json => {
                let _ = writeln!(out, "{}", json_line(&ex, label));
            }
            ExplainFormat::Text => {
                match &heading {
                    Some(h) => {
                        let _ = writeln!(out, "── {h}");
                    }
                    None if docs.len() > 1 => {
                        let _ = writeln!(out, "── {label}");
                    }
                    None => {}
                }
                out.push_str(&render_text(&ex, color));
            }
        }
    }
    out!("{out}");
    if rejected > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// What is explained: a condition, or a rule file (whose tests may be explained).
enum Holder {
    Program(Program),
    Rule(Box<pounce::panther::Rule>),
}

impl Holder {
    /// The condition.
    fn program(&self) -> &Program {
        match self {
            Holder::Program(p) => p,
            Holder::Rule(r) => &r.program,
        }
    }
}
