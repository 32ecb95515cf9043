//! Lint checks on a condition's AST alone: contradictions, tautologies, duplicate conjuncts,
//! regexes that are plain string tests.

use crate::panther::diagnostics::Finding;
use pounce_lang::ErrorCode;
use pounce_lang::ast::{CmpOp, Expr, ExprKind, TestKind};
use pounce_lang::exclusions::conjuncts;
use serde_json::Value;

/// W0115: the condition's cost grows faster than linearly in the size of the record (nested
/// quantifiers over independent lists, a call tree of user functions that doubles).
pub fn cost(e: &Expr, registry: &pounce_lang::Registry, out: &mut Vec<Finding>) {
    let c = pounce_lang::cost::estimate(e, registry);
    if let Some((n, span)) = c.call_tree {
        out.push(
            Finding::warning(
                ErrorCode::W0115,
                span,
                format!("this call evaluates {n} function bodies"),
                "a call tree that grows at each level",
            )
            .with_help("a function that calls others twice at every level doubles the work per level: call each once and bind the result with `let`"),
        );
    }
    if c.degree > 1
        && let Some(span) = c.at
    {
        out.push(
            Finding::warning(
                ErrorCode::W0115,
                span,
                format!(
                    "the cost of this condition is {} in the size of the record",
                    c.describe()
                ),
                "iterates one list per element of another",
            )
            .with_help("a quantifier over a list that does not come from the element (`any(a, any($.b, …))`) compares every pair; iterate the element's own list (`@.b`), or bind what is compared once with `let` (LintAllow: [W0115] if the lists are small by nature)"),
        );
    }
}

/// Runs every AST-only check.
pub fn check(e: &Expr, out: &mut Vec<Finding>) {
    let cs = conjuncts(e);
    duplicates(&cs, out);
    contradictions(&cs, out);
    for node in e.descendants() {
        node_checks(node, out);
    }
}

fn duplicates(cs: &[&Expr], out: &mut Vec<Finding>) {
    for (i, c) in cs.iter().enumerate() {
        if cs.iter().take(i).any(|p| same(p, c)) {
            out.push(
                Finding::warning(
                    ErrorCode::W0107,
                    c.span,
                    format!("duplicate conjunct `{c}`"),
                    "already required above",
                )
                .with_help("remove the repeated conjunct"),
            );
        }
    }
}

/// What a simple conjunct says about one path.
enum Fact<'a> {
    Eq(&'a Value),
    Ne(&'a Value),
    In(&'a [Value]),
    IsNull,
    NotNull,
}

fn fact(c: &Expr) -> Option<(String, Fact<'_>)> {
    match &c.kind {
        ExprKind::Compare {
            op,
            negated,
            lhs,
            rhs,
            ..
        } => {
            let ExprKind::Path(p) = &lhs.kind else {
                return None;
            };
            let ExprKind::Literal(v) = &rhs.kind else {
                return None;
            };
            if p.is_multi() {
                return None;
            }
            let f = match (op, negated, v) {
                (CmpOp::Eq, false, v) => Fact::Eq(v),
                (CmpOp::Ne, false, v) => Fact::Ne(v),
                (CmpOp::In, false, Value::Array(a)) => Fact::In(a),
                _ => return None,
            };
            Some((p.to_string(), f))
        }
        ExprKind::Test {
            test: TestKind::IsNull,
            negated,
            operand,
            ..
        } => {
            let ExprKind::Path(p) = &operand.kind else {
                return None;
            };
            if p.is_multi() {
                return None;
            }
            Some((
                p.to_string(),
                if *negated {
                    Fact::NotNull
                } else {
                    Fact::IsNull
                },
            ))
        }
        _ => None,
    }
}

fn conflict(a: &Fact<'_>, b: &Fact<'_>) -> Option<&'static str> {
    let eqv = |x: &Value, y: &Value| pounce_lang::document::deep_eq(x, y);
    match (a, b) {
        (Fact::Eq(x), Fact::Eq(y)) if !eqv(x, y) => {
            Some("a field cannot equal two different values")
        }
        (Fact::Eq(x), Fact::Ne(y)) | (Fact::Ne(y), Fact::Eq(x)) if eqv(x, y) => {
            Some("a field cannot both equal and differ from the same value")
        }
        (Fact::IsNull, Fact::Eq(v)) | (Fact::Eq(v), Fact::IsNull) if !v.is_null() => {
            Some("a null or missing field cannot equal a non-null value")
        }
        (Fact::IsNull, Fact::NotNull) | (Fact::NotNull, Fact::IsNull) => {
            Some("a field cannot be null and not null")
        }
        (Fact::Eq(v), Fact::In(list)) | (Fact::In(list), Fact::Eq(v))
            if !list.iter().any(|x| eqv(x, v)) =>
        {
            Some("the value required by `==` is not in the list")
        }
        (Fact::IsNull, Fact::In(list)) | (Fact::In(list), Fact::IsNull)
            if !list.iter().any(Value::is_null) =>
        {
            Some("a null or missing field is in no list without `null`")
        }
        _ => None,
    }
}

fn contradictions(cs: &[&Expr], out: &mut Vec<Finding>) {
    let facts: Vec<(usize, String, Fact<'_>)> = cs
        .iter()
        .enumerate()
        .filter_map(|(i, c)| fact(c).map(|(p, f)| (i, p, f)))
        .collect();
    for (k, (i, p, f)) in facts.iter().enumerate() {
        for (j, q, g) in facts.iter().take(k) {
            if p == q
                && let Some(why) = conflict(g, f)
            {
                let (Some(a), Some(b)) = (cs.get(*j), cs.get(*i)) else {
                    continue;
                };
                out.push(
                    Finding::warning(
                        ErrorCode::W0105,
                        b.span,
                        format!("`{b}` contradicts `{a}`: the condition can never be true"),
                        why,
                    )
                    .with_help(
                        "one of the two conjuncts is wrong; did you mean `or`, or `in [...]`?",
                    ),
                );
            }
        }
    }
}

/// Are `a` and `b` the same condition, wherever they are written? `Expr`'s `==` also compares
/// the operator spans of comparisons and tests, so it cannot tell; the canonical text can.
fn same(a: &Expr, b: &Expr) -> bool {
    a.to_string() == b.to_string()
}

/// Is `b` the negation of `a` (structurally)?
fn negation_of(a: &Expr, b: &Expr) -> bool {
    match (&a.kind, &b.kind) {
        (ExprKind::Not(x), _) => same(x, b),
        (_, ExprKind::Not(y)) => same(y, a),
        (
            ExprKind::Test {
                test: t1,
                negated: n1,
                operand: o1,
                ..
            },
            ExprKind::Test {
                test: t2,
                negated: n2,
                operand: o2,
                ..
            },
        ) => t1 == t2 && n1 != n2 && same(o1, o2),
        (
            ExprKind::Compare {
                op: o1,
                negated: n1,
                lhs: l1,
                rhs: r1,
                ..
            },
            ExprKind::Compare {
                op: o2,
                negated: n2,
                lhs: l2,
                rhs: r2,
                ..
            },
        ) => {
            let norm = |op: CmpOp, n: bool| {
                if op == CmpOp::Ne {
                    (CmpOp::Eq, !n)
                } else {
                    (op, n)
                }
            };
            let ((p1, m1), (p2, m2)) = (norm(*o1, *n1), norm(*o2, *n2));
            p1 == p2 && m1 != m2 && same(l1, l2) && same(r1, r2)
        }
        _ => false,
    }
}

/// The checks of one node, whatever its place in the condition: tautologies, comparisons of
/// two literals, plain-string regexes.
fn node_checks(e: &Expr, out: &mut Vec<Finding>) {
    match &e.kind {
        ExprKind::Or(a, b) if negation_of(a, b) => {
            out.push(
                Finding::warning(
                    ErrorCode::W0106,
                    e.span,
                    format!("`{e}` is always true"),
                    "a condition or its negation always holds",
                )
                .with_help("remove it, or fix the side that was meant to differ"),
            );
        }
        ExprKind::Compare { op, lhs, rhs, .. }
            if matches!(
                (&lhs.kind, &rhs.kind),
                (ExprKind::Literal(_), ExprKind::Literal(_))
            ) =>
        {
            out.push(
                Finding::warning(
                    ErrorCode::W0106,
                    e.span,
                    format!("`{e}` compares two literals: its result never changes"),
                    "no field here",
                )
                .with_help("compare a field of the document; a path has no quotes (`a.b`, or `` `a-b`.c `` for other keys)"),
            );
            let _ = op;
        }
        ExprKind::Compare {
            op: CmpOp::Matches,
            negated,
            lhs,
            rhs,
            ..
        } => {
            if let ExprKind::Literal(Value::String(re)) = &rhs.kind
                && let Some((op, lit)) = plain_regex(re)
            {
                let op = match (*negated, op) {
                    (false, op) => op.to_string(),
                    (true, "==") => "!=".to_string(),
                    (true, op) => format!("not {op}"),
                };
                let lit_json = Value::String(lit).to_string();
                out.push(
                    Finding::warning(
                        ErrorCode::W0108,
                        rhs.span,
                        format!("the regex `{re}` is a plain string test"),
                        format!("`{op}` says the same"),
                    )
                    .with_help(format!("write `{lhs} {op} {lit_json}`: clearer and faster")),
                );
            }
        }
        _ => {}
    }
}

/// A regex made of literal characters with at most `^`/`$` anchors: the string operator that
/// says the same and the literal.
pub fn plain_regex(re: &str) -> Option<(&'static str, String)> {
    let (start, body) = match re.strip_prefix('^') {
        Some(r) => (true, r),
        None => (false, re),
    };
    let (end, body) = match body.strip_suffix('$') {
        Some(r) if !r.ends_with('\\') => (true, r),
        _ => (false, body),
    };
    let mut lit = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n) if !n.is_alphanumeric() => lit.push(n),
                _ => return None,
            },
            '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$' => {
                return None;
            }
            c => lit.push(c),
        }
    }
    if lit.is_empty() {
        return None;
    }
    let op = match (start, end) {
        (true, true) => "==",
        (true, false) => "starts_with",
        (false, true) => "ends_with",
        (false, false) => "contains",
    };
    Some((op, lit))
}
