//! `pounce explain`: why a document was flagged or not.

use super::render;
use clap::{Args, ValueEnum};
use pounce::lang::explain::{ExplainNode, Explanation, NodeType, OperandState, OperandView};
use pounce::{Env, Program};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Output formats of `pounce explain`.
#[derive(Clone, Copy, ValueEnum)]
pub enum ExplainFormat {
    /// A tree for people.
    Text,
    /// One JSON explanation per document, one per line (schema in docs/EXPLAIN.md).
    Json,
}

/// Arguments of `pounce explain`.
#[derive(Args)]
#[command(
    after_help = "Examples:\n  pounce explain -e 'IpPermissionsEgress not is_null and egress_allows_all_ports(IpPermissionsEgress)' sg.json\n  pounce explain -r policies/aws_vpc/aws_security_group_restricts_outbound_traffic.yml --test 'Security Group Does Not Restrict Outbound Traffic'\n  pounce explain -r rule.yml --format json events.ndjson\n\nExit codes: 0 explained; 1 a record was not valid JSON or the named test does not exist; 2 usage error or the condition does not compile."
)]
pub struct ExplainArgs {
    /// The condition to explain.
    #[arg(
        short = 'e',
        long = "expr",
        value_name = "EXPR",
        conflicts_with = "rule",
        required_unless_present = "rule"
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
                eprint!("{}", render::diagnostic(&e, render::stderr_color()));
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
                    eprint!("{}", render::diagnostic(&d, render::stderr_color()));
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
                env.overrides = t.mocks.clone();
                docs.push((format!("test `{}`", t.name), t.document.clone()));
            }
            None => {
                let names: Vec<&str> = r.tests.iter().map(|t| t.name.as_str()).collect();
                let near = pounce::lang::suggest::nearest(name, names.iter().copied());
                eprintln!(
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
                eprintln!("{msg}");
                return ExitCode::from(1);
            }
        };
        for rec in pounce::engine::input::read_documents(&name, &text) {
            match rec {
                Ok(r) => docs.push((format!("{name}:{}", r.line), r.value)),
                Err(e) => {
                    rejected += 1;
                    eprintln!("{e}");
                }
            }
        }
    }
    let mut out = String::new();
    for (label, doc) in &docs {
        let ex = program.explain(doc, &env);
        match args.format {
            ExplainFormat::Json => {
                let mut v = serde_json::to_value(&ex).unwrap_or_default();
                if let Some(o) = v.as_object_mut() {
                    o.insert("document".into(), serde_json::Value::String(label.clone()));
                }
                let _ = writeln!(out, "{v}");
            }
            ExplainFormat::Text => {
                if docs.len() > 1 || args.test.is_some() {
                    let _ = writeln!(out, "── {label}");
                }
                out.push_str(&render_text(&ex, color));
            }
        }
    }
    print!("{out}");
    if rejected > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

enum Holder {
    Program(Program),
    Rule(Box<pounce::panther::Rule>),
}

impl Holder {
    fn program(&self) -> &Program {
        match self {
            Holder::Program(p) => p,
            Holder::Rule(r) => &r.program,
        }
    }
}

struct Paint(bool);

impl Paint {
    fn c(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// The explanation as a tree, then the condition with carets under the deciding predicates.
pub fn render_text(ex: &Explanation, color: bool) -> String {
    let p = Paint(color);
    let mut out = String::new();
    let head = if ex.flagged {
        p.c("1;31", "flagged")
    } else {
        p.c("1;32", "not flagged")
    };
    let summary = ex
        .summary
        .split_once(": ")
        .map_or(ex.summary.as_str(), |(_, r)| r);
    let _ = writeln!(out, "{head}: {summary}");
    out.push('\n');
    node(&mut out, &ex.tree, "", "", &p);
    out.push('\n');
    carets(&mut out, &ex.condition, &ex.deciding_spans, &p);
    out
}

fn mark(n: &ExplainNode, p: &Paint) -> String {
    match (n.deciding, n.result) {
        (false, r) => p.c("2", if r { "· true " } else { "· false" }),
        (true, true) => p.c("32", "✔ true "),
        (true, false) => p.c("31", "✘ false"),
    }
}

fn operand_line(o: &OperandView) -> Option<String> {
    let name = o.path.clone().unwrap_or_else(|| o.text.clone());
    match o.state {
        OperandState::Present => {
            if o.path.is_none()
                && serde_json::from_str::<serde_json::Value>(&o.text).ok() == o.value
            {
                return None; // a literal shows itself
            }
            Some(format!(
                "{name} = {}",
                o.value.as_ref().map(|v| v.to_string()).unwrap_or_default()
            ))
        }
        OperandState::Missing => Some(format!("{name} is missing")),
        OperandState::Undefined => Some(format!("{name} is undefined")),
        OperandState::Multi if o.values.is_empty() => Some(format!("{name} has no values")),
        OperandState::Multi => Some(format!(
            "{name} = {} value(s): {}",
            o.count.unwrap_or(0),
            o.values
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn node(out: &mut String, n: &ExplainNode, first: &str, rest: &str, p: &Paint) {
    let label = match n.node_type {
        NodeType::And => "and".to_string(),
        NodeType::Or => "or".to_string(),
        NodeType::Not => "not".to_string(),
        _ => n.text.clone(),
    };
    let reason = n
        .reason
        .map(|r| {
            format!(
                " [{}]",
                serde_json::to_value(r)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default()
            )
        })
        .unwrap_or_default();
    let msg = n
        .message
        .as_ref()
        .map(|m| format!(" — {m}"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{first}{} {label}{}{}",
        mark(n, p),
        p.c("2", &reason),
        msg
    );
    for o in &n.operands {
        if let Some(l) = operand_line(o) {
            let _ = writeln!(out, "{rest}    {}", p.c("36", &l));
        }
    }
    for note in &n.notes {
        let _ = writeln!(out, "{rest}    {} {note}", p.c("33", "note:"));
    }
    let shown: Vec<_> = n
        .elements
        .iter()
        .filter(|e| e.explanation.is_some())
        .collect();
    let hidden = n.elements.len() - shown.len();
    let total = n.children.len() + shown.len() + usize::from(hidden > 0);
    let mut k = 0;
    for c in &n.children {
        k += 1;
        let (f, r) = if k == total {
            ("└─ ", "   ")
        } else {
            ("├─ ", "│  ")
        };
        node(out, c, &format!("{rest}{f}"), &format!("{rest}{r}"), p);
    }
    for e in shown {
        k += 1;
        let (f, r) = if k == total {
            ("└─ ", "   ")
        } else {
            ("├─ ", "│  ")
        };
        if let Some(ex) = &e.explanation {
            node(
                out,
                ex,
                &format!("{rest}{f}[{}] ", e.index),
                &format!("{rest}{r}    "),
                p,
            );
        }
    }
    if hidden > 0 {
        let _ = writeln!(out, "{rest}└─ … {hidden} more element(s) not shown");
    }
}

/// The condition's lines with `^` under the given spans.
fn carets(out: &mut String, src: &str, spans: &[pounce::lang::ast::Span], p: &Paint) {
    let _ = writeln!(out, "condition:");
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let start = offset;
        let end = offset + body.len();
        offset += line.len();
        let _ = writeln!(out, "  │ {body}");
        let mut marks = String::new();
        let indent = body.len() - body.trim_start().len();
        for (i, ch) in body.char_indices() {
            let at = start + i;
            // A span that continues from the previous line starts under its text, not under
            // the indentation.
            let hit = i >= indent && spans.iter().any(|s| s.start <= at && at < s.end);
            marks.push(if hit {
                '^'
            } else if ch == '\t' {
                '\t'
            } else {
                ' '
            });
        }
        let marks = marks.trim_end();
        if !marks.is_empty() && end > start {
            let _ = writeln!(out, "  │ {}", p.c("1;35", marks));
        }
    }
}
