//! Explanations: why a document was flagged or not, predicate by predicate. An explanation
//! is computed with the same primitives as evaluation (operands, comparisons, tests,
//! quantifiers), evaluating every node — also those short-circuiting would skip, which are
//! marked as not deciding — so its verdict always equals [`Program::eval_with`]'s.

mod leaf;

use crate::ast::{Quantifier, Span};
use crate::document::{Document, Kind};
use crate::eval::{Budget, Ctx, Env, Frame, One, Vals, elements_of, operand};
use crate::ir::{Node, NodeKind, Program};
use leaf::{explain_leaf, operand_view};
use serde::Serialize;
use serde_json::Value;

/// Most quantifier elements explained one by one (the rest are counted).
pub const MAX_ELEMENTS_EXPLAINED: usize = 32;

/// Why a leaf has its result. Documented in docs/EXPLAIN.md.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The comparison or test holds.
    Matched,
    /// The values compared, but do not satisfy the operator.
    ValueMismatch,
    /// An operand's path does not resolve.
    FieldMissing,
    /// An operand is JSON null.
    FieldNull,
    /// The operands' types do not fit the operator (e.g. `<` between a string and a number).
    TypeMismatch,
    /// Arithmetic on a non-number, division by zero, or a non-finite result.
    UndefinedArithmetic,
    /// A function or native had no value for these arguments.
    UndefinedFunction,
    /// A multi-valued operand or a quantifier's list has no elements.
    EmptyList,
    /// The comparison inside a negation (`not in`, `!=`, …) holds, so the negation is false.
    NegatedMatch,
}

/// The state of an operand.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OperandState {
    /// A single value.
    Present,
    /// The path does not resolve.
    Missing,
    /// Arithmetic or a function failed.
    Undefined,
    /// A multi-valued operand (`[*]`, JSONPath); `values` lists them.
    Multi,
}

/// An operand as the explanation shows it.
#[derive(Clone, Debug, Serialize)]
pub struct OperandView {
    /// Its source text.
    pub text: String,
    /// The path that produced it, when it is a path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Present, missing, undefined or multi-valued.
    pub state: OperandState,
    /// The value (shortened when long), when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// The values of a multi-valued operand (shortened, at most 10).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Value>,
    /// How many values a multi-valued operand has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    /// How a computed operand got its value: the side of `??` used, the branch of `if` taken,
    /// the value a `let` bound, a function's result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A quantifier element's result.
#[derive(Clone, Debug, Serialize)]
pub struct ElementView {
    /// Its index in the list.
    pub index: usize,
    /// Whether the body holds for it.
    pub result: bool,
    /// Whether short-circuit evaluation looks at it.
    pub deciding: bool,
    /// The body's explanation for this element.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Box<ExplainNode>>,
}

/// The kinds of explanation node.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeType {
    /// `A and B and …`
    And,
    /// `A or B or …`
    Or,
    /// `not A`
    Not,
    /// A comparison.
    Compare,
    /// A postfix test.
    Test,
    /// `any/all/none`.
    Quantifier,
    /// A bare operand used as a condition (true only for JSON `true`).
    Value,
    /// `if C then A else B`: the condition, then the branch taken.
    If,
    /// `let NAME = VALUE in BODY`: the bound value, then the body.
    Let,
    /// A call of a user-defined function: its arguments, then its body's explanation.
    Call,
}

/// One node of an explanation; mirrors the condition.
#[derive(Clone, Debug, Serialize)]
pub struct ExplainNode {
    /// What it is.
    #[serde(rename = "type")]
    pub node_type: NodeType,
    /// Its source text.
    pub text: String,
    /// Its byte span in the condition.
    pub span: Span,
    /// Its result.
    pub result: bool,
    /// False when short-circuit evaluation would not evaluate it.
    pub deciding: bool,
    /// Why (leaves, quantifiers and `not`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// The reason in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Operand values (leaves).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub operands: Vec<OperandView>,
    /// Per-element results (quantifiers).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub elements: Vec<ElementView>,
    /// Lines added by natives.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Sub-conditions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<ExplainNode>,
    /// Set on the top node of a user function's body: the function's name. Texts below it
    /// are the body's; spans are the call's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
}

/// Why a document was flagged or not.
#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    /// Schema version of this JSON form.
    pub version: u32,
    /// The verdict: true = flagged.
    pub flagged: bool,
    /// One line: the smallest set of leaf facts that made the verdict.
    pub summary: String,
    /// Spans of the leaves named in the summary.
    pub deciding_spans: Vec<Span>,
    /// The condition's source.
    pub condition: String,
    /// The tree.
    pub tree: ExplainNode,
    /// Set when the evaluation went over its budget (`Env::max_steps`): the steps counted.
    /// The tree then stops where the budget ran out, and `flagged` is false, as evaluation
    /// gives no verdict.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_exceeded: Option<u64>,
}

impl Program {
    /// Explains the verdict over `doc` in `env`.
    pub fn explain<D: Document + ?Sized>(&self, doc: &D, env: &Env) -> Explanation {
        // Explaining evaluates every node (also those evaluation skips): twice the budget.
        let budget = Budget::new(env.max_steps.saturating_mul(2));
        let ctx = Ctx::top(doc, env, None, &budget);
        let src = self.source();
        let tree = explain_node(&self.root, &ctx, src, true);
        let facts = facts(&tree);
        let exceeded = budget.exceeded().then(|| budget.used());
        let summary = match exceeded {
            Some(steps) => format!(
                "evaluation budget exceeded after {steps} steps (the limit is {}): no verdict",
                env.max_steps
            ),
            None => summarize(&tree, &facts, self),
        };
        Explanation {
            version: 1,
            flagged: tree.result && exceeded.is_none(),
            summary,
            deciding_spans: facts.iter().map(|f| f.span).collect(),
            condition: src.to_string(),
            tree,
            budget_exceeded: exceeded,
        }
    }
}

/// Puts every node of a function body's explanation at the call's span (their own spans are
/// in the function's body, not in the condition).
fn set_spans(e: &mut ExplainNode, span: Span) {
    e.span = span;
    for c in &mut e.children {
        set_spans(c, span);
    }
    for el in &mut e.elements {
        if let Some(x) = el.explanation.as_deref_mut() {
            set_spans(x, span);
        }
    }
}

/// An operand's value in words: `"x"`, missing, undefined, or its values.
pub(crate) fn describe_view(v: &OperandView) -> String {
    match (&v.value, v.state) {
        (Some(x), _) => x.to_string(),
        (None, OperandState::Missing) => "a missing value".to_string(),
        (None, OperandState::Undefined) => "an undefined value".to_string(),
        (None, _) => format!(
            "{} value(s) [{}]",
            v.count.unwrap_or(v.values.len()),
            v.values
                .iter()
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

pub(crate) fn slice(src: &str, s: Span) -> String {
    src.get(s.start..s.end)
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn new_node(t: NodeType, n: &Node, src: &str, result: bool, deciding: bool) -> ExplainNode {
    ExplainNode {
        node_type: t,
        text: slice(src, n.span),
        span: n.span,
        result,
        deciding,
        reason: None,
        message: None,
        operands: vec![],
        elements: vec![],
        notes: vec![],
        children: vec![],
        function: None,
    }
}

fn explain_node<'a, D: Document + ?Sized>(
    n: &'a Node,
    ctx: &Ctx<'a, '_, D>,
    src: &str,
    deciding: bool,
) -> ExplainNode {
    match &n.kind {
        NodeKind::And(items) | NodeKind::Or(items) => {
            let is_and = matches!(n.kind, NodeKind::And(_));
            let mut children = Vec::with_capacity(items.len());
            let mut decided = false;
            for it in items {
                let c = explain_node(it, ctx, src, deciding && !decided);
                if c.result != is_and {
                    decided = true;
                }
                children.push(c);
            }
            let result = if is_and {
                children.iter().all(|c| c.result)
            } else {
                children.iter().any(|c| c.result)
            };
            let mut e = new_node(
                if is_and { NodeType::And } else { NodeType::Or },
                n,
                src,
                result,
                deciding,
            );
            e.children = children;
            e
        }
        NodeKind::Not(inner) => {
            let c = explain_node(inner, ctx, src, deciding);
            let mut e = new_node(NodeType::Not, n, src, !c.result, deciding);
            // Say why the negation holds, above all when it holds only because the inner
            // condition's field is missing, null, undefined or of the wrong type.
            e.message = Some(match c.message.as_deref() {
                Some(m) if m != "holds" => format!("{m}; the negation is {}", e.result),
                _ => format!("`{}` is {}; the negation is {}", c.text, c.result, e.result),
            });
            e.reason = Some(if c.result {
                Reason::NegatedMatch
            } else {
                match c.reason {
                    Some(Reason::Matched | Reason::ValueMismatch | Reason::NegatedMatch) | None => {
                        Reason::Matched
                    }
                    Some(r) => r,
                }
            });
            e.children = vec![c];
            e
        }
        NodeKind::Quantifier(q, list, body) if q.is_boolean() => {
            explain_quantifier(*q, n, list, body, ctx, src, deciding)
        }
        NodeKind::If(c, a, b) => {
            let cond = explain_node(c, ctx, src, deciding);
            let (taken, word) = if cond.result {
                (a, "then")
            } else {
                (b, "else")
            };
            let branch = explain_node(taken, ctx, src, deciding);
            let mut e = new_node(NodeType::If, n, src, branch.result, deciding);
            e.message = Some(format!(
                "`{}` is {}: the `{word}` branch `{}` is taken",
                cond.text, cond.result, branch.text
            ));
            e.children = vec![cond, branch];
            e
        }
        NodeKind::Let(slot, name, value, body) => {
            let v = operand(value, ctx);
            let mut view = operand_view(value, &v, src);
            view.text = name.clone();
            let frame = Frame::binding(*slot, v, ctx.frames);
            let inner = Ctx {
                frames: Some(&frame),
                ..ctx.clone()
            };
            let b = explain_node(body, &inner, src, deciding);
            let mut e = new_node(NodeType::Let, n, src, b.result, deciding);
            e.message = Some(format!("`{name}` is bound to {}", describe_view(&view)));
            e.operands = vec![view];
            e.children = vec![b];
            e
        }
        NodeKind::Call(f, args) if !ctx.env.overrides.contains_key(&f.name) => {
            let vals: Vec<Vals<'a, D>> = args.iter().map(|a| operand(a, ctx)).collect();
            let views: Vec<OperandView> = args
                .iter()
                .zip(&vals)
                .zip(&f.params)
                .map(|((a, v), p)| {
                    let mut view = operand_view(a, v, src);
                    view.note = Some(format!("parameter `{p}`"));
                    view
                })
                .collect();
            let frame = Frame::call(vals);
            let inner = Ctx {
                root: ctx.root,
                cur: None,
                env: ctx.env,
                notes: ctx.notes,
                frames: Some(&frame),
                budget: ctx.budget,
            };
            let mut body = explain_node(&f.body, &inner, f.source(), deciding);
            body.function = Some(f.name.clone());
            set_spans(&mut body, n.span);
            let mut e = new_node(NodeType::Call, n, src, body.result, deciding);
            e.message = Some(format!("`{}` is {}", f.signature(), body.result));
            e.operands = views;
            e.children = vec![body];
            e
        }
        _ => explain_leaf(n, ctx, src, deciding),
    }
}

fn explain_quantifier<'a, D: Document + ?Sized>(
    q: Quantifier,
    n: &'a Node,
    list: &'a Node,
    body: &'a Node,
    ctx: &Ctx<'a, '_, D>,
    src: &str,
    deciding: bool,
) -> ExplainNode {
    let vals = operand(list, ctx);
    let mut elements = Vec::new();
    let mut decided = false;
    for (i, el) in elements_of(&vals) {
        let inner = Ctx {
            notes: None,
            ..ctx.element(el)
        };
        let el_deciding = deciding && !decided;
        let (result, explanation) = if elements.len() < MAX_ELEMENTS_EXPLAINED {
            let ex = explain_node(body, &inner, src, el_deciding);
            (ex.result, Some(Box::new(ex)))
        } else {
            (crate::eval::truthy(body, &inner), None)
        };
        // any/none stop at the first element that holds; all at the first that does not.
        if result == matches!(q, Quantifier::Any | Quantifier::None) {
            decided = true;
        }
        elements.push(ElementView {
            index: i,
            result,
            deciding: el_deciding,
            explanation,
        });
    }
    let result = match q {
        Quantifier::Any => elements.iter().any(|e| e.result),
        Quantifier::All => elements.iter().all(|e| e.result),
        // Only the boolean quantifiers are explained here.
        _ => !elements.iter().any(|e| e.result),
    };
    let mut e = new_node(NodeType::Quantifier, n, src, result, deciding);
    e.operands = vec![operand_view(list, &vals, src)];
    let list_text = slice(src, list.span);
    let (reason, message) = if elements.is_empty() {
        let what = match &vals {
            Vals::One(One::Missing) => "is missing",
            Vals::One(o) if o.view().is_some_and(|r| r.kind() != Kind::Array) => "is not a list",
            _ => "has no elements",
        };
        let verdict = if result { "vacuously true" } else { "false" };
        (
            Reason::EmptyList,
            format!("`{list_text}` {what}: `{}` is {verdict}", q.as_str()),
        )
    } else {
        let holding: Vec<String> = elements
            .iter()
            .filter(|e| e.result)
            .map(|e| e.index.to_string())
            .collect();
        let failing: Vec<String> = elements
            .iter()
            .filter(|e| !e.result)
            .map(|e| e.index.to_string())
            .collect();
        let msg = match q {
            Quantifier::Any if result => {
                format!("element(s) [{}] satisfy the condition", holding.join(", "))
            }
            Quantifier::Any => format!(
                "none of the {} element(s) satisfies the condition",
                elements.len()
            ),
            Quantifier::All if result => {
                format!("all {} element(s) satisfy the condition", elements.len())
            }
            Quantifier::All => format!("element(s) [{}] break the condition", failing.join(", ")),
            Quantifier::None if result => format!(
                "none of the {} element(s) satisfies the condition",
                elements.len()
            ),
            _ => format!("element(s) [{}] satisfy the condition", holding.join(", ")),
        };
        (
            if result {
                Reason::Matched
            } else {
                Reason::ValueMismatch
            },
            msg,
        )
    };
    e.reason = Some(reason);
    e.message = Some(message);
    e.elements = elements;
    e
}

/// A value cut down for display: long strings, lists, objects and deep nesting are elided.
pub fn shorten(v: &Value, depth: usize) -> Value {
    const STR: usize = 80;
    const ITEMS: usize = 5;
    match v {
        Value::String(s) if s.chars().count() > STR => {
            Value::String(format!("{}…", s.chars().take(STR - 1).collect::<String>()))
        }
        Value::Array(a) if depth >= 3 => Value::String(format!("[… {} item(s)]", a.len())),
        Value::Object(m) if depth >= 3 => Value::String(format!("{{… {} key(s)}}", m.len())),
        Value::Array(a) => {
            let mut out: Vec<Value> = a
                .iter()
                .take(ITEMS)
                .map(|x| shorten(x, depth + 1))
                .collect();
            if a.len() > ITEMS {
                out.push(Value::String(format!("… {} more", a.len() - ITEMS)));
            }
            Value::Array(out)
        }
        Value::Object(m) => {
            let mut out = serde_json::Map::new();
            for (k, x) in m.iter().take(ITEMS * 2) {
                out.insert(k.clone(), shorten(x, depth + 1));
            }
            if m.len() > ITEMS * 2 {
                out.insert(
                    "…".to_string(),
                    Value::String(format!("{} more key(s)", m.len() - ITEMS * 2)),
                );
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// The leaves (and quantifiers) that made the node's result what it is.
pub fn facts(n: &ExplainNode) -> Vec<&ExplainNode> {
    match n.node_type {
        NodeType::And | NodeType::Or => {
            let is_and = n.node_type == NodeType::And;
            if n.result == is_and {
                // and true / or false: every child counts
                n.children.iter().flat_map(facts).collect()
            } else {
                // and false / or true: the first child that decided
                n.children
                    .iter()
                    .find(|c| c.result != is_and)
                    .map(facts)
                    .unwrap_or_default()
            }
        }
        // A negation of a leaf or quantifier is one fact (its message says why it holds).
        NodeType::Not
            if n.children
                .iter()
                .all(|c| !matches!(c.node_type, NodeType::And | NodeType::Or)) =>
        {
            vec![n]
        }
        NodeType::Not => n.children.iter().flat_map(facts).collect(),
        // `let` and `if`: the facts of the body or of the branch taken.
        NodeType::Let | NodeType::If => n.children.last().map(facts).unwrap_or_default(),
        _ => vec![n],
    }
}

fn fact_text(f: &ExplainNode) -> String {
    let mut s = format!("`{}`", f.text);
    if let Some(m) = &f.message {
        s.push_str(&format!(" ({m})"));
    }
    if let Some(last) = f.notes.last() {
        s.push_str(&format!(" — {last}"));
    }
    s
}

fn summarize(tree: &ExplainNode, facts: &[&ExplainNode], program: &Program) -> String {
    if tree.result {
        return format!(
            "flagged: {}",
            facts
                .iter()
                .map(|f| fact_text(f))
                .collect::<Vec<_>>()
                .join(" and ")
        );
    }
    // Not flagged: name the blocking conjunct, as an exclusion when it is one.
    if tree.node_type == NodeType::And
        && let Some(block) = tree.children.iter().find(|c| !c.result)
    {
        {
            let conj = crate::exclusions::conjuncts(program.ast())
                .into_iter()
                .find(|c| c.span == block.span);
            if let Some(ex) = conj.and_then(crate::exclusions::exclusion_of) {
                let why = facts
                    .iter()
                    .map(|f| fact_text(f))
                    .collect::<Vec<_>>()
                    .join(" and ");
                return format!(
                    "not flagged: suppressed by exclusion `{}`: {why}",
                    ex.predicate
                );
            }
        }
    }
    format!(
        "not flagged: {}",
        facts
            .iter()
            .map(|f| fact_text(f))
            .collect::<Vec<_>>()
            .join(" and ")
    )
}
