//! Explaining a leaf: a comparison, a test or a bare operand, with its operand values and the
//! reason it holds or not.

use super::{
    ExplainNode, NodeType, OperandState, OperandView, Reason, describe_view, new_node, shorten,
    slice,
};
use crate::ast::{CmpOp, TestKind};
use crate::document::{Document, Kind};
use crate::eval::{Ctx, One, Vals, compare, is_true, operand, test_vals, truthy};
use crate::ir::{Node, NodeKind};
use std::cell::RefCell;

pub(super) fn explain_leaf<'a, D: Document + ?Sized>(
    n: &'a Node,
    ctx: &Ctx<'a, '_, D>,
    src: &str,
    deciding: bool,
) -> ExplainNode {
    let notes = RefCell::new(Vec::new());
    let lctx = Ctx {
        root: ctx.root,
        cur: ctx.cur,
        env: ctx.env,
        notes: Some(&notes),
        frames: ctx.frames,
        budget: ctx.budget,
    };
    let mut e = match &n.kind {
        NodeKind::Compare {
            op,
            negated,
            lhs,
            rhs,
            pre,
            ..
        } => {
            let (l, r) = (operand(lhs, &lctx), operand(rhs, &lctx));
            let result = compare(*op, *negated, pre, &l, &r);
            let negation = *negated || *op == CmpOp::Ne;
            let base = result != negation;
            let mut e = new_node(NodeType::Compare, n, src, result, deciding);
            let (reason, why) = if base {
                (
                    if negation {
                        Reason::NegatedMatch
                    } else {
                        Reason::Matched
                    },
                    "holds".to_string(),
                )
            } else {
                compare_failure(
                    if *op == CmpOp::Ne { CmpOp::Eq } else { *op },
                    &l,
                    &r,
                    lhs,
                    rhs,
                    src,
                )
            };
            e.message = Some(match (negation, base) {
                (false, _) => why,
                (true, true) => format!("the value matches, so the negation `{}` is false", e.text),
                (true, false) => format!("{why}; the negation `{}` is therefore true", e.text),
            });
            e.reason = Some(leaf_reason(result, negation, base, reason));
            e.operands = vec![
                noted(operand_view(lhs, &l, src), lhs, &lctx, src),
                noted(operand_view(rhs, &r, src), rhs, &lctx, src),
            ];
            e
        }
        NodeKind::Test {
            test,
            negated,
            operand: o,
            ..
        } => {
            let v = operand(o, &lctx);
            let base = test_vals(*test, &v);
            let result = base != *negated;
            let mut e = new_node(NodeType::Test, n, src, result, deciding);
            let state = state_of(&v);
            let subject = format!("`{}`", slice(src, o.span));
            let (reason, msg) = match (test, state) {
                (_, OperandState::Missing) => {
                    (Reason::FieldMissing, format!("{subject} is missing"))
                }
                (_, OperandState::Undefined) => {
                    (undefined_reason(o), format!("{subject} is undefined"))
                }
                (TestKind::IsNull, _) | (TestKind::IsEmpty, _) if base => (
                    if single_kind(&v) == Some(Kind::Null) {
                        Reason::FieldNull
                    } else if state == OperandState::Multi {
                        Reason::EmptyList
                    } else {
                        Reason::Matched
                    },
                    format!(
                        "{subject} {}",
                        if *test == TestKind::IsNull {
                            "is null"
                        } else {
                            "is empty"
                        }
                    ),
                ),
                (TestKind::Exists, _) if base => (Reason::Matched, format!("{subject} exists")),
                (TestKind::Exists, _) => (Reason::EmptyList, format!("{subject} has no values")),
                (_, _) => (
                    Reason::ValueMismatch,
                    format!(
                        "{subject} is not {}",
                        if *test == TestKind::IsNull {
                            "null"
                        } else {
                            "empty"
                        }
                    ),
                ),
            };
            e.reason = Some(leaf_reason(result, *negated, base, reason));
            e.message = Some(if *negated {
                format!("{msg}, so `not {}` is {result}", test.as_str())
            } else {
                msg
            });
            e.operands = vec![noted(operand_view(o, &v, src), o, &lctx, src)];
            e
        }
        _ => {
            let v = operand(n, &lctx);
            let result = is_true(&v);
            let mut e = new_node(NodeType::Value, n, src, result, deciding);
            let (reason, msg) = match state_of(&v) {
                _ if result => (Reason::Matched, "is true".to_string()),
                OperandState::Missing => (
                    Reason::FieldMissing,
                    "is missing (a condition needs `true`)".to_string(),
                ),
                OperandState::Undefined => (undefined_reason(n), "is undefined".to_string()),
                _ => match single_kind(&v) {
                    Some(Kind::Bool) | None => (Reason::ValueMismatch, "is not true".to_string()),
                    Some(Kind::Null) => (
                        Reason::FieldNull,
                        "is null (a condition needs `true`)".to_string(),
                    ),
                    Some(k) => (
                        Reason::TypeMismatch,
                        format!("is a {} (a condition needs `true`)", k.as_str()),
                    ),
                },
            };
            e.reason = Some(reason);
            e.message = Some(msg);
            e.operands = vec![noted(operand_view(n, &v, src), n, &lctx, src)];
            e
        }
    };
    e.notes = notes.into_inner();
    e
}

/// The reason code of a leaf: `matched` when it holds — except a negation that holds only
/// because its operand is missing, null, undefined or of the wrong type, which keeps that
/// reason (the surprising case) — `negated_match` when a negation fails because the inner
/// comparison holds, else why the comparison fails.
fn leaf_reason(result: bool, negated: bool, base: bool, failure: Reason) -> Reason {
    match (result, negated, base) {
        (true, false, _) => Reason::Matched,
        (true, true, _) if failure == Reason::ValueMismatch => Reason::Matched,
        (false, true, true) => Reason::NegatedMatch,
        _ => failure,
    }
}

fn undefined_reason(n: &Node) -> Reason {
    match &n.kind {
        NodeKind::Arith(..) | NodeKind::Neg(_) => Reason::UndefinedArithmetic,
        _ => Reason::UndefinedFunction,
    }
}

fn state_of<D: Document + ?Sized>(v: &Vals<'_, D>) -> OperandState {
    match v {
        Vals::One(One::Missing) => OperandState::Missing,
        Vals::One(One::Undef) => OperandState::Undefined,
        Vals::One(_) => OperandState::Present,
        Vals::Many(_) => OperandState::Multi,
    }
}

fn single_kind<D: Document + ?Sized>(v: &Vals<'_, D>) -> Option<Kind> {
    match v {
        Vals::One(o) => o.view().map(|r| r.kind()),
        Vals::Many(_) => None,
    }
}

/// Why a comparison does not hold.
fn compare_failure<D: Document + ?Sized>(
    op: CmpOp,
    l: &Vals<'_, D>,
    r: &Vals<'_, D>,
    ln: &Node,
    rn: &Node,
    src: &str,
) -> (Reason, String) {
    let (lt, rt) = (slice(src, ln.span), slice(src, rn.span));
    for (v, t, node) in [(l, &lt, ln), (r, &rt, rn)] {
        match state_of(v) {
            OperandState::Missing => {
                return (
                    Reason::FieldMissing,
                    format!("`{t}` is missing, so `{}` is false", op.as_str()),
                );
            }
            OperandState::Undefined => {
                return (
                    undefined_reason(node),
                    format!("`{t}` is undefined, so `{}` is false", op.as_str()),
                );
            }
            OperandState::Multi if v.present().next().is_none() => {
                return (
                    Reason::EmptyList,
                    format!("`{t}` has no values, so `{}` is false", op.as_str()),
                );
            }
            _ => {}
        }
    }
    let (lk, rk) = (single_kind(l), single_kind(r));
    if lk == Some(Kind::Null) && op != CmpOp::Eq {
        return (Reason::FieldNull, format!("`{lt}` is null"));
    }
    let fits = match (op, lk, rk) {
        (_, None, _) | (_, _, None) => true,
        (CmpOp::Eq | CmpOp::Ne, _, _) => true,
        (CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge, Some(a), Some(b)) => {
            a == b && matches!(a, Kind::Number | Kind::String)
        }
        (CmpOp::In, _, Some(b)) => b == Kind::Array,
        (CmpOp::Contains, Some(a), _) => matches!(a, Kind::String | Kind::Array),
        (CmpOp::StartsWith | CmpOp::EndsWith, Some(a), Some(b)) => {
            a == Kind::String && b == Kind::String
        }
        (CmpOp::Matches | CmpOp::InCidr, Some(a), _) => a == Kind::String,
    };
    if fits {
        (
            Reason::ValueMismatch,
            format!("`{lt} {} {rt}` does not hold", op.as_str()),
        )
    } else {
        let k = |k: Option<Kind>| k.map_or("values", Kind::as_str);
        (
            Reason::TypeMismatch,
            format!(
                "`{}` does not apply to a {} and a {}",
                op.as_str(),
                k(lk),
                k(rk)
            ),
        )
    }
}

pub(super) fn operand_view<D: Document + ?Sized>(
    n: &Node,
    v: &Vals<'_, D>,
    src: &str,
) -> OperandView {
    let path = match &n.kind {
        NodeKind::Path(p) => Some(p.text.clone()),
        _ => None,
    };
    let text = slice(src, n.span);
    match v {
        Vals::One(o) => OperandView {
            text,
            path,
            state: state_of(v),
            value: o.view().map(|r| shorten(&r.to_value(), 0)),
            values: vec![],
            count: None,
            note: None,
        },
        Vals::Many(m) => OperandView {
            text,
            path,
            state: OperandState::Multi,
            value: None,
            values: v
                .present()
                .take(10)
                .map(|r| shorten(&r.to_value(), 0))
                .collect(),
            count: Some(m.len()),
            note: None,
        },
    }
}

/// `view` with a note on how its computed value came about, when there is one to say: the side
/// of `??` used, the branch of `if` taken, the value a `let` bound, the function called.
fn noted<D: Document + ?Sized>(
    mut view: OperandView,
    n: &Node,
    ctx: &Ctx<'_, '_, D>,
    src: &str,
) -> OperandView {
    view.note = match &n.kind {
        NodeKind::Coalesce(a, b) => {
            let left = operand(a, ctx);
            let defined = left.present().any(|r| r.kind() != Kind::Null);
            Some(if defined {
                format!("`??` used its left side `{}`", slice(src, a.span))
            } else {
                let why = match state_of(&left) {
                    OperandState::Missing => "missing",
                    OperandState::Undefined => "undefined",
                    OperandState::Multi => "without values",
                    OperandState::Present => "null",
                };
                format!(
                    "`??` used its right side `{}`: `{}` is {why}",
                    slice(src, b.span),
                    slice(src, a.span)
                )
            })
        }
        NodeKind::If(c, ..) => Some(format!(
            "`if` took the `{}` branch",
            if truthy(c, ctx) { "then" } else { "else" }
        )),
        NodeKind::Let(_, name, value, _) => {
            let v = operand(value, ctx);
            Some(format!(
                "`{name}` is bound to {}",
                describe_view(&operand_view(value, &v, src))
            ))
        }
        NodeKind::Call(f, _) => Some(format!("returned by `{}`", f.signature())),
        _ => view.note.take(),
    };
    view
}
