//! The forms of an explanation for people and programs: the text tree with the condition
//! and carets under its deciding predicates (`pounce explain`, and under each failing test of
//! `pounce test`), and the JSON line of one explained document (docs/EXPLAIN.md).

use pounce_lang::ast::Span;
use pounce_lang::explain::{ExplainNode, Explanation, NodeType, OperandState, OperandView};
use std::fmt::Write as _;

/// One JSON object (one line) for `ex`, with `document` naming what was explained.
pub fn json_line(ex: &Explanation, document: &str) -> String {
    let mut v = serde_json::to_value(ex).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "document".into(),
            serde_json::Value::String(document.to_string()),
        );
    }
    v.to_string()
}

/// Colouring for a terminal: with `Paint(true)`, text is wrapped in ANSI SGR codes.
#[derive(Clone, Copy, Debug)]
pub struct Paint(pub bool);

impl Paint {
    /// `s` in the SGR style `code` (e.g. `31` red, `1;32` bold green), or as is without colour.
    pub fn c(&self, code: &str, s: &str) -> String {
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

/// The verdict mark of a node: `✔ true`, `✘ false` when it decided, dimmed otherwise.
fn mark(n: &ExplainNode, p: &Paint) -> String {
    match (n.deciding, n.result) {
        (false, r) => p.c("2", if r { "· true " } else { "· false" }),
        (true, true) => p.c("32", "✔ true "),
        (true, false) => p.c("31", "✘ false"),
    }
}

/// What an operand was (`x = 1`, `x is missing`), with how a computed one got its value
/// (`(\`??\` used its left side \`a\`)`), or `None` for a literal.
fn operand_line(o: &OperandView) -> Option<String> {
    let line = operand_value(o)?;
    Some(match &o.note {
        Some(n) => format!("{line}  ({n})"),
        None => line,
    })
}

/// What an operand was, without its note.
fn operand_value(o: &OperandView) -> Option<String> {
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

/// A node and its children as tree lines, `first` before its own line, `rest` before the
/// lines below it.
fn node(out: &mut String, n: &ExplainNode, first: &str, rest: &str, p: &Paint) {
    let label = match n.node_type {
        NodeType::And => "and".to_string(),
        NodeType::Or => "or".to_string(),
        NodeType::Not => "not".to_string(),
        _ => match &n.function {
            // The top of a user function's body: say whose body it is.
            Some(f) => format!("{} (body of `{f}`)", n.text),
            None => n.text.clone(),
        },
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
fn carets(out: &mut String, src: &str, spans: &[Span], p: &Paint) {
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
