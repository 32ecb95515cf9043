//! Lint checks that read the rule's own test documents: fields no test document has,
//! negations and `all(...)` over fields that some test documents lack. A conjunct that is
//! false when a field is missing (`P exists`, `P not is_null`, `P == "x"`, ...) guards the
//! other conjuncts: a negation of `P` beside it is not true for a missing `P`.

use crate::panther::diagnostics::Finding;
use pounce_lang::ErrorCode;
use pounce_lang::ast::{CmpOp, Expr, ExprKind, Path, PathRoot, Quantifier, Segment, TestKind};
use pounce_lang::exclusions::conjuncts;
use pounce_lang::suggest::nearest;
use serde_json::Value;
use std::collections::HashSet;

/// Runs the checks of this family over `e` with the test documents `docs`.
pub fn check(e: &Expr, docs: &[&Value], out: &mut Vec<Finding>) {
    if docs.is_empty() {
        return;
    }
    let cx = Cx {
        docs,
        bound: bound_paths(e),
    };
    shadowing(e, docs, out);
    walk(e, docs, &cx, &[], out);
}

/// What the walk needs besides its position: the test documents, and the paths that start at
/// a `let` binding (not document fields, so not checked against the documents).
struct Cx<'a> {
    docs: &'a [&'a Value],
    bound: HashSet<*const Path>,
}

/// The bare paths of `e` whose first key is a name a `let` binds there.
fn bound_paths(e: &Expr) -> HashSet<*const Path> {
    fn go(e: &Expr, scope: &mut Vec<String>, out: &mut HashSet<*const Path>) {
        match &e.kind {
            ExprKind::Path(p) if p.root == PathRoot::Implicit => {
                if let Some(Segment::Key(k)) = p.segments.first()
                    && scope.contains(k)
                {
                    out.insert(std::ptr::from_ref(p));
                }
            }
            ExprKind::Let { name, value, body } => {
                go(value, scope, out);
                scope.push(name.name.clone());
                go(body, scope, out);
                scope.pop();
            }
            _ => e.children().for_each(|c| go(c, scope, out)),
        }
    }
    let mut out = HashSet::new();
    go(e, &mut Vec::new(), &mut out);
    out
}

/// W0114: a `let` name that is also a top-level field of some test document (the binding hides
/// it from bare paths in its body).
fn shadowing(e: &Expr, docs: &[&Value], out: &mut Vec<Finding>) {
    for node in e.descendants() {
        let ExprKind::Let { name, .. } = &node.kind else {
            continue;
        };
        let having = docs.iter().filter(|d| d.get(&name.name).is_some()).count();
        if having > 0 {
            out.push(
                Finding::warning(
                    ErrorCode::W0114,
                    name.span,
                    format!(
                        "`{}` is also a field of {having} of the {} test document(s)",
                        name.name,
                        docs.len()
                    ),
                    "the binding hides this field",
                )
                .with_help(format!(
                    "in the body `{0}` is the bound value; rename the binding, or read the field as `$.{0}`",
                    name.name
                )),
            );
        }
    }
}

/// The field a conjunct requires to be present: `P exists`, `P not is_null`, `P not is_empty`,
/// or a comparison other than `!=` that is not negated (false on a missing operand).
fn guard(c: &Expr) -> Option<&Path> {
    match &c.kind {
        ExprKind::Test {
            test: TestKind::Exists,
            negated: false,
            operand,
            ..
        }
        | ExprKind::Test {
            test: TestKind::IsNull | TestKind::IsEmpty,
            negated: true,
            operand,
            ..
        } => path_of(operand),
        ExprKind::Compare {
            op,
            negated: false,
            lhs,
            rhs,
            ..
        } if *op != CmpOp::Ne => path_of(lhs).or_else(|| path_of(rhs)),
        _ => None,
    }
}

/// Does some guard require `p`? (`@.x` and `x` are the same field; `$.x` is the root's.)
fn guarded(p: &Path, guards: &[&Path]) -> bool {
    let absolute = |q: &Path| q.root == PathRoot::Root;
    guards
        .iter()
        .any(|g| absolute(g) == absolute(p) && g.segments == p.segments)
}

/// The values `segs` reaches from `v` (fan-out on `[*]`).
fn resolve<'a>(v: &'a Value, segs: &[Segment]) -> Vec<&'a Value> {
    let Some((first, rest)) = segs.split_first() else {
        return vec![v];
    };
    match (first, v) {
        (Segment::Key(k), Value::Object(m)) => {
            m.get(k).map(|x| resolve(x, rest)).unwrap_or_default()
        }
        (Segment::Index(i), Value::Array(a)) => {
            let len = a.len() as i64;
            let at = if *i < 0 { len + i } else { *i };
            if at < 0 {
                vec![]
            } else {
                a.get(at as usize)
                    .map(|x| resolve(x, rest))
                    .unwrap_or_default()
            }
        }
        (Segment::Wildcard, Value::Array(a)) => a.iter().flat_map(|x| resolve(x, rest)).collect(),
        (Segment::Wildcard, Value::Object(m)) => {
            m.values().flat_map(|x| resolve(x, rest)).collect()
        }
        _ => vec![],
    }
}

/// The contexts a path starts from, or `None` for paths this lint cannot follow (JSONPath).
fn starts<'a>(p: &Path, cur: &[&'a Value], cx: &Cx<'a>) -> Option<Vec<&'a Value>> {
    if cx.bound.contains(&std::ptr::from_ref(p)) {
        return None;
    }
    match p.root {
        PathRoot::Implicit | PathRoot::Current => Some(cur.to_vec()),
        PathRoot::Root => Some(cx.docs.to_vec()),
        PathRoot::JsonPath(_) => None,
    }
}

/// Walks `e` with `cur` the documents (or quantified elements) paths start from and `guards`
/// the fields the enclosing conjunctions require.
fn walk<'e>(
    e: &'e Expr,
    cur: &[&'e Value],
    cx: &Cx<'e>,
    guards: &[&'e Path],
    out: &mut Vec<Finding>,
) {
    match &e.kind {
        ExprKind::Path(p) => field_exists(e, p, cur, cx, out),
        ExprKind::Quantifier { kind, list, body } => {
            walk(list, cur, cx, guards, out);
            let elements: Vec<&Value> = match &list.kind {
                ExprKind::Path(p) => match starts(p, cur, cx) {
                    Some(ctx) => {
                        if *kind == Quantifier::All {
                            vacuous_all(e, p, &ctx, guarded(p, guards), out);
                        }
                        ctx.iter()
                            .flat_map(|c| {
                                let vals = resolve(c, &p.segments);
                                if p.is_multi() {
                                    vals
                                } else {
                                    vals.into_iter()
                                        .flat_map(|v| {
                                            v.as_array()
                                                .map(|a| a.iter().collect::<Vec<_>>())
                                                .unwrap_or_default()
                                        })
                                        .collect()
                                }
                            })
                            .collect()
                    }
                    None => vec![],
                },
                _ => vec![],
            };
            if !elements.is_empty() {
                walk(body, &elements, cx, &[], out);
            }
        }
        ExprKind::And(..) => {
            let cs = conjuncts(e);
            let mut inner = guards.to_vec();
            inner.extend(cs.iter().filter_map(|c| guard(c)));
            cs.iter().for_each(|c| walk(c, cur, cx, &inner, out));
        }
        _ => {
            if let Some(lhs) = negated_operand(e) {
                negation_over_missing(e, lhs, cur, cx, guards, out);
            }
            e.children().for_each(|c| walk(c, cur, cx, guards, out));
        }
    }
}

/// The path operand of a negated comparison (`a != b`, `"x" != a`, `a not in b`, `not a ==
/// b`): the left side when it is a path, else the right side when it is one (a missing operand
/// makes a comparison false whichever side it is on).
fn path_side<'e>(lhs: &'e Expr, rhs: &'e Expr) -> Option<&'e Expr> {
    if path_of(lhs).is_none() && path_of(rhs).is_some() {
        Some(rhs)
    } else {
        Some(lhs)
    }
}

/// The operand [`negation_over_missing`] looks at, by [`path_side`].
fn negated_operand(e: &Expr) -> Option<&Expr> {
    match &e.kind {
        ExprKind::Compare {
            op,
            negated,
            lhs,
            rhs,
            ..
        } if *negated || *op == CmpOp::Ne => path_side(lhs, rhs),
        ExprKind::Not(inner) => match &inner.kind {
            ExprKind::Compare { lhs, rhs, .. } => path_side(lhs, rhs),
            _ => None,
        },
        _ => None,
    }
}

fn field_exists<'a>(e: &Expr, p: &Path, cur: &[&'a Value], cx: &Cx<'a>, out: &mut Vec<Finding>) {
    let Some(ctx) = starts(p, cur, cx) else {
        return;
    };
    if ctx.is_empty()
        || p.segments.is_empty()
        || ctx.iter().any(|c| !resolve(c, &p.segments).is_empty())
    {
        return;
    }
    // The longest prefix that resolves somewhere, and the keys available there.
    let mut k = p.segments.len();
    while k > 0
        && !ctx
            .iter()
            .any(|c| !resolve(c, p.segments.get(..k - 1).unwrap_or(&[])).is_empty())
    {
        k -= 1;
    }
    let prefix = p.segments.get(..k.saturating_sub(1)).unwrap_or(&[]);
    let missing = p.segments.get(k.saturating_sub(1));
    let mut keys: Vec<String> = ctx
        .iter()
        .flat_map(|c| resolve(c, prefix))
        .flat_map(|v| {
            v.as_object()
                .map(|m| m.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
        })
        .collect();
    keys.sort();
    keys.dedup();
    let mut hit = Finding::warning(
        ErrorCode::W0102,
        e.span,
        format!(
            "`{p}` appears in none of the {} test document(s)",
            ctx.len()
        ),
        "no test document has this field",
    );
    let suggestion = match missing {
        Some(Segment::Key(name)) => {
            nearest(name, keys.iter().map(String::as_str))
                .first()
                .map(|n| {
                    let mut fixed = p.clone();
                    if let Some(Segment::Key(last)) = fixed.segments.get_mut(k.saturating_sub(1)) {
                        *last = (*n).to_string();
                    }
                    fixed.to_string()
                })
        }
        _ => None,
    };
    hit = match suggestion {
        Some(s) => hit.with_help(format!("did you mean `{s}`?")),
        None => hit.with_help("check the field name, or add a test document that has it"),
    };
    out.push(hit);
}

fn path_of(e: &Expr) -> Option<&Path> {
    match &e.kind {
        ExprKind::Path(p) if !matches!(p.root, PathRoot::JsonPath(_)) => Some(p),
        _ => None,
    }
}

fn negation_over_missing<'a>(
    e: &Expr,
    lhs: &Expr,
    cur: &[&'a Value],
    cx: &Cx<'a>,
    guards: &[&Path],
    out: &mut Vec<Finding>,
) {
    let Some(p) = path_of(lhs) else { return };
    if guarded(p, guards) {
        return;
    }
    let Some(ctx) = starts(p, cur, cx) else {
        return;
    };
    let missing = ctx
        .iter()
        .filter(|c| resolve(c, &p.segments).is_empty())
        .count();
    if missing == 0 || missing == ctx.len() {
        return;
    }
    out.push(
        Finding::warning(
            ErrorCode::W0103,
            e.span,
            format!("`{e}` is true when `{p}` is missing, as it is in {missing} of {} test document(s)", ctx.len()),
            "a negation over a field that can be missing",
        )
        .with_help(format!("if a missing `{p}` should not count, write `{p} exists and ...`; otherwise allow W0103 for this rule (`LintAllow: [W0103]`)")),
    );
}

/// W0104; when a guard requires `p`, only the documents where it is present but not a list count.
fn vacuous_all(e: &Expr, p: &Path, ctx: &[&Value], guarded: bool, out: &mut Vec<Finding>) {
    let missing = ctx
        .iter()
        .filter(|c| {
            let v = resolve(c, &p.segments);
            match v.first() {
                None => !guarded,
                Some(_) if p.is_multi() => false,
                Some(x) => !x.is_array(),
            }
        })
        .count();
    if missing == 0 {
        return;
    }
    out.push(
        Finding::warning(
            ErrorCode::W0104,
            e.span,
            format!("`all({p}, ...)` is vacuously true when `{p}` is missing or not a list, as in {missing} of {} test document(s)", ctx.len()),
            "true for a missing list",
        )
        .with_help(format!("write `{p} exists and all(...)` if a missing list should not count")),
    );
}
