//! Lowering: pest's pairs → the AST, with the chaining rule (comparisons do not chain) and
//! the depth limit checked on the way.

use super::hints::strip_serde_position;
use super::{MAX_DEPTH, Rule, simple_path};
use crate::ast::{
    ArithOp, CmpOp, Expr, ExprKind, Ident, OpSpan, Path, PathRoot, Quantifier, Segment, Span,
    TestKind,
};
use crate::error::{ConditionError, ErrorCode};
use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};
use serde_json::Value;
use std::sync::LazyLock;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::or_op, Assoc::Left))
        .op(Op::infix(Rule::and_op, Assoc::Left))
        .op(Op::prefix(Rule::not_op))
        .op(Op::infix(Rule::cmp_op, Assoc::Left) | Op::postfix(Rule::test))
        .op(Op::infix(Rule::add_op, Assoc::Left) | Op::infix(Rule::sub_op, Assoc::Left))
        .op(Op::infix(Rule::mul_op, Assoc::Left) | Op::infix(Rule::div_op, Assoc::Left))
        .op(Op::prefix(Rule::neg_op))
});

fn span_of(p: &Pair<Rule>) -> Span {
    let s = p.as_span();
    Span::new(s.start(), s.end())
}

/// An expression being built, with what the chaining rule needs to know about it.
pub(super) struct Lowered {
    pub(super) expr: Expr,
    /// An unparenthesised comparison or test (another one may not apply to it).
    bare_cmp: bool,
    depth: usize,
}

impl Lowered {
    fn atom(expr: Expr) -> Self {
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

/// Lowers one `expr`; `outer` counts the operators known to enclose it (a lower bound of its
/// depth in the whole tree).
pub(super) fn lower_expr(
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

fn lower_primary(p: Pair<Rule>, outer: usize, errors: &mut Vec<ConditionError>) -> Option<Lowered> {
    let span = span_of(&p);
    let atom = |kind| Some(Lowered::atom(Expr { kind, span }));
    match p.as_rule() {
        Rule::paren => {
            let inner = p.into_inner().next()?;
            let mut l = lower_expr(inner, outer, errors)?;
            l.bare_cmp = false;
            l.expr.span = span;
            Some(l)
        }
        Rule::quantifier => {
            let mut it = p.into_inner();
            let kind = match it.next()?.into_inner().next()?.as_rule() {
                Rule::kw_any => Quantifier::Any,
                Rule::kw_all => Quantifier::All,
                _ => Quantifier::None,
            };
            let list = lower_expr(it.next()?, outer + 1, errors);
            let body = lower_expr(it.next()?, outer + 1, errors);
            let (list, body) = (list?, body?);
            let depth = list.depth.max(body.depth) + 1;
            let kind = ExprKind::Quantifier {
                kind,
                list: Box::new(list.expr),
                body: Box::new(body.expr),
            };
            Some(Lowered {
                expr: Expr { kind, span },
                bare_cmp: false,
                depth,
            })
        }
        Rule::call => {
            // The call ends at its `)`: pest's implicit whitespace before an absent access
            // would otherwise stretch the span.
            let close_end = p
                .clone()
                .into_inner()
                .find(|x| x.as_rule() == Rule::call_close)
                .map_or(span.end, |c| c.as_span().end());
            let access_end = p
                .clone()
                .into_inner()
                .find(|x| x.as_rule() == Rule::access)
                .map(|a| a.as_span().end());
            let span = Span::new(span.start, access_end.unwrap_or(close_end));
            let mut it = p.into_inner();
            let name = it.next()?;
            let name = Ident {
                name: name.as_str().to_string(),
                span: span_of(&name),
            };
            let mut args = Vec::new();
            let mut depth = 1;
            let mut ok = true;
            let mut access = None;
            for a in it {
                if a.as_rule() == Rule::call_close {
                    continue;
                }
                if a.as_rule() == Rule::access {
                    let path = match lower_path(a) {
                        Ok(p) => p,
                        Err(e) => {
                            errors.push(e);
                            return None;
                        }
                    };
                    access = Some(path.segments);
                    continue;
                }
                match lower_expr(a, outer + 1, errors) {
                    Some(l) => {
                        depth = depth.max(l.depth + 1);
                        args.push(l.expr);
                    }
                    None => ok = false,
                }
            }
            if !ok {
                return None;
            }
            let call = ExprKind::Call { name, args };
            let kind = match access {
                None => call,
                Some(segments) => ExprKind::Access {
                    base: Box::new(Expr {
                        kind: call,
                        span: Span::new(span.start, close_end),
                    }),
                    segments,
                },
            };
            Some(Lowered {
                expr: Expr { kind, span },
                bare_cmp: false,
                depth,
            })
        }
        Rule::string
        | Rule::number
        | Rule::kw_true
        | Rule::kw_false
        | Rule::kw_null
        | Rule::list => match literal(&p) {
            Ok(v) => atom(ExprKind::Literal(v)),
            Err(e) => {
                errors.push(e);
                None
            }
        },
        Rule::path => match lower_path(p) {
            Ok(path) => atom(ExprKind::Path(path)),
            Err(e) => {
                errors.push(e);
                None
            }
        },
        _ => None,
    }
}

/// A literal, decoded with serde_json so strings and numbers follow JSON exactly.
fn literal(p: &Pair<Rule>) -> Result<Value, ConditionError> {
    let span = span_of(p);
    match p.as_rule() {
        Rule::kw_true => Ok(Value::Bool(true)),
        Rule::kw_false => Ok(Value::Bool(false)),
        Rule::kw_null => Ok(Value::Null),
        Rule::list => p.clone().into_inner().map(|i| literal(&i)).collect::<Result<Vec<_>, _>>().map(Value::Array),
        Rule::number => {
            let v: Value = serde_json::from_str(p.as_str()).map_err(|_| {
                ConditionError::new(ErrorCode::E0004, span, format!("the number `{}` is out of range", p.as_str()), "does not fit a 64-bit float")
                    .with_help("numbers must be finite 64-bit floating-point values")
            })?;
            Ok(v)
        }
        // The grammar admits only JSON escapes, so what serde_json still rejects is a `\uD800`
        // to `\uDFFF` escape that is not part of a surrogate pair.
        _ => serde_json::from_str(p.as_str()).map_err(|e| {
            let msg = strip_serde_position(&e.to_string());
            let label = if msg.contains("surrogate") || msg.contains("hex escape") { "unpaired UTF-16 surrogate".to_string() } else { msg };
            ConditionError::new(ErrorCode::E0004, span, "invalid string literal", label)
                .with_help("write a character above U+FFFF as a surrogate pair, e.g. `\"\\ud83d\\ude00\"`, or as itself")
        }),
    }
}

fn lower_path(p: Pair<Rule>) -> Result<Path, ConditionError> {
    let span = span_of(&p);
    let mut root = PathRoot::Implicit;
    let mut segments = Vec::new();
    for part in p.into_inner() {
        match part.as_rule() {
            Rule::current => root = PathRoot::Current,
            Rule::jsonpath => {
                let text = part.as_str();
                match simple_path(text, false) {
                    Some(segs) => {
                        root = PathRoot::Root;
                        segments = segs;
                    }
                    None => root = PathRoot::JsonPath(text.to_string()),
                }
            }
            Rule::ident => segments.push(Segment::Key(part.as_str().to_string())),
            Rule::quoted => {
                let s = part.as_str();
                segments.push(Segment::Key(
                    s.get(1..s.len().saturating_sub(1))
                        .unwrap_or("")
                        .to_string(),
                ));
            }
            Rule::wildcard => segments.push(Segment::Wildcard),
            Rule::index => {
                let i: i64 = part.as_str().parse().map_err(|_| {
                    ConditionError::new(
                        ErrorCode::E0004,
                        span_of(&part),
                        "index out of range",
                        "does not fit a 64-bit integer",
                    )
                })?;
                segments.push(Segment::Index(i));
            }
            _ => {}
        }
    }
    let _ = span;
    // Steps after a multi-valued JSONPath (`` $..a.`b c` ``) apply to each of its results:
    // fold them into the JSONPath text so they are not dropped.
    if let PathRoot::JsonPath(text) = &mut root {
        for seg in segments.drain(..) {
            match seg {
                Segment::Key(k) => text.push_str(&format!("['{}']", jsonpath_escape(&k))),
                Segment::Index(i) => text.push_str(&format!("[{i}]")),
                Segment::Wildcard => text.push_str("[*]"),
            }
        }
    }
    Ok(Path { root, segments })
}

/// `key` as the body of an RFC 9535 single-quoted name.
fn jsonpath_escape(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for c in key.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}
