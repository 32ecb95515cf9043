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
    if let (Some(name), Holder::Rule(r)) = (&args.test, &rule) {
        match r.tests.iter().find(|t| &t.name == name) {
            Some(t) => {
                env = r.test_env(t, env.now);
                docs.push((format!("test `{}`", t.name), t.document.clone()));
            }
            None => {
                let names: Vec<&str> = r.tests.iter().map(|t| t.name.as_str()).collect();
                let near = pounce::lang::suggest::nearest(name, names.iter().copied());
                errln!(
                    "pounce: {} has no test named `{name}`{}",
                    r.path.display(),
                    near.first()
                        .map(|n| format!("; did you mean `{n}`?"))
                        .unwrap_or_default()
                );
                return ExitCode::from(1);
            }
        }
    } else {
        let f = args.file.clone().unwrap_or_else(|| PathBuf::from("-"));
        let (name, text) = match super::eval::read_input(&f) {
            Ok(t) => t,
            Err(msg) => {
                errln!("{msg}");
                return ExitCode::from(1);
            }
        };
        for rec in pounce::engine::input::read_documents(&name, &text) {
            match rec {
                Ok(r) => docs.push((format!("{name}:{}", r.line), r.value)),
                Err(e) => {
                    rejected += 1;
                    errln!("{e}");
                }
            }
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
                if docs.len() > 1 || args.test.is_some() {
                    let _ = writeln!(out, "── {label}");
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
