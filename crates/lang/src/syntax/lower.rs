//! Lowering: pest's pairs → the AST, with the chaining rule (comparisons do not chain) and
//! the depth limit checked on the way.

use super::operand::lower_primary;
use super::{MAX_DEPTH, Rule};
use crate::ast::{ArithOp, CmpOp, Expr, ExprKind, Ident, OpSpan, Span, TestKind};
use crate::error::{ConditionError, ErrorCode};
use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};
use std::sync::LazyLock;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::or_op, Assoc::Left))
        .op(Op::infix(Rule::and_op, Assoc::Left))
        .op(Op::prefix(Rule::not_op))
        .op(Op::infix(Rule::cmp_op, Assoc::Left) | Op::postfix(Rule::test))
        .op(Op::infix(Rule::coalesce_op, Assoc::Left))
        .op(Op::infix(Rule::add_op, Assoc::Left) | Op::infix(Rule::sub_op, Assoc::Left))
        .op(Op::infix(Rule::mul_op, Assoc::Left) | Op::infix(Rule::div_op, Assoc::Left))
        .op(Op::prefix(Rule::neg_op))
});

pub(super) fn span_of(p: &Pair<Rule>) -> Span {
    let s = p.as_span();
    Span::new(s.start(), s.end())
}

/// An expression being built, with what the chaining rule needs to know about it.
pub(super) struct Lowered {
    pub(super) expr: Expr,
    /// An unparenthesised comparison or test (another one may not apply to it).
    pub(super) bare_cmp: bool,
    pub(super) depth: usize,
}

impl Lowered {
    pub(super) fn atom(expr: Expr) -> Self {
        Lowered {
            expr,
            bare_cmp: false,
            depth: 1,
        }
    }
}

fn too_deep(span: Span) -> ConditionError {
    ConditionError::new(
        ErrorCode::E0005,
        span,
        format!("the condition is deeper than {MAX_DEPTH} operators"),
        "too deep",
    )
    .with_help("split the condition into simpler conjuncts")
}

/// Lowers one `expr` (or a `bound`, `list_item`: any rule wrapping one expression); `outer`
/// counts the operators known to enclose it (a lower bound of its depth in the whole tree).
pub(super) fn lower_expr(
    pair: Pair<Rule>,
    outer: usize,
    errors: &mut Vec<ConditionError>,
) -> Option<Lowered> {
    match pair.as_rule() {
        Rule::expr | Rule::bound | Rule::list_item => {
            let inner = pair.into_inner().next()?;
            lower_expr(inner, outer, errors)
        }
        Rule::let_expr => lower_let(pair, outer, errors),
        Rule::if_expr | Rule::if_bound => lower_if(pair, outer, errors),
        _ => lower_operators(pair, outer, errors),
    }
}

/// `let NAME = VALUE in BODY`.
fn lower_let(pair: Pair<Rule>, outer: usize, errors: &mut Vec<ConditionError>) -> Option<Lowered> {
    let span = span_of(&pair);
    let mut it = pair
        .into_inner()
        .filter(|p| p.as_rule() != Rule::kw_let && p.as_rule() != Rule::kw_in);
    let name = it.next()?;
    let name = Ident {
        name: name.as_str().to_string(),
        span: span_of(&name),
    };
    check_depth(outer + 1, span, errors)?;
    let value = lower_expr(it.next()?, outer + 1, errors);
    let body = lower_expr(it.next()?, outer + 1, errors);
    let (value, body) = (value?, body?);
    Some(Lowered {
        depth: value.depth.max(body.depth) + 1,
        bare_cmp: false,
        expr: Expr {
            kind: ExprKind::Let {
                name,
                value: Box::new(value.expr),
                body: Box::new(body.expr),
            },
            span,
        },
    })
}

/// `if C then A else B` (the else branch may be another `if`).
fn lower_if(pair: Pair<Rule>, outer: usize, errors: &mut Vec<ConditionError>) -> Option<Lowered> {
    let span = span_of(&pair);
    let mut it = pair
        .into_inner()
        .filter(|p| !matches!(p.as_rule(), Rule::kw_if | Rule::kw_then | Rule::kw_else));
    check_depth(outer + 1, span, errors)?;
    let cond = lower_expr(it.next()?, outer + 1, errors);
    let then = lower_expr(it.next()?, outer + 1, errors);
    let els = lower_expr(it.next()?, outer + 1, errors);
    let (cond, then, els) = (cond?, then?, els?);
    Some(Lowered {
        depth: cond.depth.max(then.depth).max(els.depth) + 1,
        bare_cmp: false,
        expr: Expr {
            kind: ExprKind::If {
                cond: Box::new(cond.expr),
                then: Box::new(then.expr),
                els: Box::new(els.expr),
            },
            span,
        },
    })
}

/// Fails (with E0005) when a construct `depth` levels deep is past the limit.
fn check_depth(depth: usize, span: Span, errors: &mut Vec<ConditionError>) -> Option<()> {
    if depth >= MAX_DEPTH {
        errors.push(too_deep(span));
        return None;
    }
    Some(())
}

/// An operator expression (`op_expr`, `op_bound`), folded by precedence.
fn lower_operators(
    pair: Pair<Rule>,
    outer: usize,
    errors: &mut Vec<ConditionError>,
) -> Option<Lowered> {
    // The Pratt parser recurses once per prefix operator, before the depth checks below see
    // the result: reject a run of them that is too deep first (10,000 `not` would overflow the
    // stack). `runs` holds, per primary, the prefix operators right before it.
    let mut runs = Vec::new();
    let mut run = 0usize;
    let mut run_start = 0usize;
    for p in pair.clone().into_inner() {
        if matches!(p.as_rule(), Rule::not_op | Rule::neg_op) {
            let s = span_of(&p);
            if run == 0 {
                run_start = s.start;
            }
            run += 1;
            if outer + run >= MAX_DEPTH {
                errors.push(too_deep(Span::new(run_start, span_of(&pair).end)));
                return None;
            }
        } else if !matches!(p.as_rule(), Rule::test) && !is_infix(p.as_rule()) {
            runs.push(outer + run);
            run = 0;
        } else {
            run = 0;
        }
    }
    let next = std::cell::Cell::new(0usize);
    // The closures below share `errors`; a RefCell keeps the borrow checker content.
    let errs = std::cell::RefCell::new(std::mem::take(errors));
    let result = PRATT
        .map_primary(|p| {
            let i = next.replace(next.get() + 1);
            let depth = runs.get(i).copied().unwrap_or(outer);
            lower_primary(p, depth, &mut errs.borrow_mut())
        })
        .map_prefix(|op, rhs| {
            let rhs = rhs?;
            let span = span_of(&op).join(rhs.expr.span);
            let depth = rhs.depth + 1;
            if depth > MAX_DEPTH {
                errs.borrow_mut().push(too_deep(span));
                return None;
            }
            let kind = match op.as_rule() {
                Rule::not_op => ExprKind::Not(Box::new(rhs.expr)),
                _ => ExprKind::Neg(Box::new(rhs.expr)),
            };
            Some(Lowered {
                expr: Expr { kind, span },
                bare_cmp: false,
                depth,
            })
        })
        .map_postfix(|lhs, op| {
            let lhs = lhs?;
            let op_span = span_of(&op);
            let span = lhs.expr.span.join(op_span);
            if lhs.bare_cmp {
                errs.borrow_mut().push(chain_error(op_span, lhs.expr.span));
                return None;
            }
            let negated = op.clone().into_inner().any(|p| p.as_rule() == Rule::kw_not);
            let word = op.into_inner().find(|p| p.as_rule() == Rule::test_word)?;
            let test = match word.into_inner().next()?.as_rule() {
                Rule::kw_exists => TestKind::Exists,
                Rule::kw_is_null => TestKind::IsNull,
                _ => TestKind::IsEmpty,
            };
            let depth = lhs.depth + 1;
            if depth > MAX_DEPTH {
                errs.borrow_mut().push(too_deep(span));
                return None;
            }
            Some(Lowered {
                expr: Expr {
                    kind: ExprKind::Test {
                        test,
                        negated,
                        op_span: OpSpan(op_span),
                        operand: Box::new(lhs.expr),
                    },
                    span,
                },
                bare_cmp: true,
                depth,
            })
        })
        .map_infix(|lhs, op, rhs| {
            let (lhs, rhs) = (lhs?, rhs?);
            let span = lhs.expr.span.join(rhs.expr.span);
            let op_span = span_of(&op);
            let depth = lhs.depth.max(rhs.depth) + 1;
            if depth > MAX_DEPTH {
                errs.borrow_mut().push(too_deep(span));
                return None;
            }
            let (l, r) = (Box::new(lhs.expr), Box::new(rhs.expr));
            let (kind, bare_cmp) = match op.as_rule() {
                Rule::or_op => (ExprKind::Or(l, r), false),
                Rule::coalesce_op => (ExprKind::Coalesce(l, r), false),
                Rule::and_op => (ExprKind::And(l, r), false),
                Rule::add_op => (
                    ExprKind::Arith {
                        op: ArithOp::Add,
                        lhs: l,
                        rhs: r,
                    },
                    false,
                ),
                Rule::sub_op => (
                    ExprKind::Arith {
                        op: ArithOp::Sub,
                        lhs: l,
                        rhs: r,
                    },
                    false,
                ),
                Rule::mul_op => (
                    ExprKind::Arith {
                        op: ArithOp::Mul,
                        lhs: l,
                        rhs: r,
                    },
                    false,
                ),
                Rule::div_op => (
                    ExprKind::Arith {
                        op: ArithOp::Div,
                        lhs: l,
                        rhs: r,
                    },
                    false,
                ),
                _ => {
                    if lhs.bare_cmp {
                        errs.borrow_mut().push(chain_error(op_span, l.span));
                        return None;
                    }
                    if rhs.bare_cmp {
                        errs.borrow_mut().push(chain_error(op_span, r.span));
                        return None;
                    }
                    let (op, negated) = cmp_op(op)?;
                    (
                        ExprKind::Compare {
                            op,
                            negated,
                            op_span: OpSpan(op_span),
                            lhs: l,
                            rhs: r,
                        },
                        true,
                    )
                }
            };
            Some(Lowered {
                expr: Expr { kind, span },
                bare_cmp,
                depth,
            })
        })
        .parse(pair.into_inner());
    *errors = errs.into_inner();
    result
}

fn is_infix(r: Rule) -> bool {
    matches!(
        r,
        Rule::or_op
            | Rule::and_op
            | Rule::cmp_op
            | Rule::coalesce_op
            | Rule::add_op
            | Rule::sub_op
            | Rule::mul_op
            | Rule::div_op
    )
}

fn chain_error(op_span: Span, prev: Span) -> ConditionError {
    ConditionError::new(
        ErrorCode::E0003,
        op_span,
        "comparisons and tests do not chain",
        "second comparison or test here",
    )
    .with_help(if prev.is_empty() {
        "join the two with `and`".to_string()
    } else {
        "join the two with `and`, or put the first in parentheses `(...)` to compare its true/false result".to_string()
    })
}

fn cmp_op(op: Pair<Rule>) -> Option<(CmpOp, bool)> {
    let mut negated = false;
    for p in op.into_inner() {
        match p.as_rule() {
            Rule::kw_not => negated = true,
            Rule::sym_cmp => {
                let o = match p.as_str() {
                    "==" => CmpOp::Eq,
                    "!=" => CmpOp::Ne,
                    "<=" => CmpOp::Le,
                    ">=" => CmpOp::Ge,
                    "<" => CmpOp::Lt,
                    _ => CmpOp::Gt,
                };
                return Some((o, false));
            }
            Rule::word_cmp => {
                let o = match p.into_inner().next()?.as_rule() {
                    Rule::kw_in => CmpOp::In,
                    Rule::kw_in_cidr => CmpOp::InCidr,
                    Rule::kw_contains => CmpOp::Contains,
                    Rule::kw_starts_with => CmpOp::StartsWith,
                    Rule::kw_ends_with => CmpOp::EndsWith,
                    _ => CmpOp::Matches,
                };
                return Some((o, negated));
            }
            _ => {}
        }
    }
    None
}
