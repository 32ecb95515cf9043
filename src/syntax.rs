//! Stage 1, parse: condition text → AST with spans, through the pest grammar
//! `grammar/condition.pest` and pest's `PrattParser` for precedence.

use crate::ast::{
    ArithOp, CmpOp, Expr, ExprKind, Ident, Path, PathRoot, Quantifier, Segment, Span, TestKind,
};
use crate::error::{ConditionError, ErrorCode, nearest};
use pest::Parser as _;
use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};
use serde_json::Value;
use std::sync::LazyLock;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/condition.pest"]
struct ConditionParser;

/// The reserved words of the language.
pub const KEYWORDS: &[&str] = &[
    "and",
    "or",
    "not",
    "in",
    "contains",
    "starts_with",
    "ends_with",
    "matches",
    "in_cidr",
    "is_null",
    "is_empty",
    "exists",
    "any",
    "all",
    "none",
    "true",
    "false",
    "null",
];

/// Words (and symbols) that may stand after an operand, for did-you-mean hints.
const OPERATOR_WORDS: &[&str] = &[
    "and",
    "or",
    "in",
    "not in",
    "contains",
    "not contains",
    "starts_with",
    "not starts_with",
    "ends_with",
    "not ends_with",
    "matches",
    "not matches",
    "in_cidr",
    "not in_cidr",
    "is_null",
    "not is_null",
    "is_empty",
    "not is_empty",
    "exists",
    "not exists",
];

/// Maximum nesting of parentheses, brackets, quantifiers and calls.
pub const MAX_NESTING: usize = 64;
/// Maximum depth of the expression tree (operators nest too).
pub const MAX_DEPTH: usize = 256;

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

/// Most syntax errors reported for one condition.
const MAX_SYNTAX_ERRORS: usize = 16;

/// A parse that went on past fixable syntax errors.
pub struct Recovered {
    /// The errors found, with spans in the original source.
    pub errors: Vec<ConditionError>,
    /// The AST of the source with every suggested fix applied, when it parses; its spans are
    /// in that patched source: map them back with [`Recovered::original_span`].
    pub patched: Option<Expr>,
    edits: Vec<(usize, usize, usize)>,
}

impl Recovered {
    /// Maps a span of the patched source back to the original source.
    pub fn original_span(&self, s: Span) -> Span {
        Span::new(self.original_pos(s.start), self.original_pos(s.end))
    }
    fn original_pos(&self, mut p: usize) -> usize {
        for &(pos, old_len, new_len) in self.edits.iter().rev() {
            if p >= pos + new_len {
                p = p + old_len - new_len;
            } else if p > pos {
                p = pos;
            }
        }
        p
    }
}

/// Parses `src`; on a syntax error that has a suggested fix (an operator typo), applies the fix
/// and parses again, so that the errors after it are reported too.
pub fn parse_recovering(src: &str) -> Recovered {
    let mut text = src.to_string();
    let mut errors = Vec::new();
    let mut edits: Vec<(usize, usize, usize)> = Vec::new();
    loop {
        match parse(&text) {
            Ok(e) => return finish(errors, Some(e), edits),
            Err(errs) => {
                let fixable = errs.len() == 1 && errors.len() < MAX_SYNTAX_ERRORS;
                let probe = Recovered {
                    errors: Vec::new(),
                    patched: None,
                    edits: edits.clone(),
                };
                let mut mapped: Vec<ConditionError> = errs
                    .iter()
                    .cloned()
                    .map(|mut e| {
                        e.span = probe.original_span(e.span);
                        e
                    })
                    .collect();
                let fix = errs
                    .first()
                    .filter(|_| fixable)
                    .and_then(|e| e.fix.clone().map(|f| (e.span, f)));
                errors.append(&mut mapped);
                match fix {
                    Some((span, f)) if text.get(span.start..span.end).is_some() => {
                        text.replace_range(span.start..span.end, &f);
                        edits.push((span.start, span.len(), f.len()));
                    }
                    _ => return finish(errors, None, edits),
                }
            }
        }
    }
}

fn finish(
    errors: Vec<ConditionError>,
    patched: Option<Expr>,
    edits: Vec<(usize, usize, usize)>,
) -> Recovered {
    Recovered {
        errors,
        patched,
        edits,
    }
}

/// Parses a condition into its AST, or returns the syntax errors found.
pub fn parse(src: &str) -> Result<Expr, Vec<ConditionError>> {
    check_nesting(src)?;
    let mut pairs =
        ConditionParser::parse(Rule::condition, src).map_err(|e| vec![syntax_error(src, e)])?;
    let cond = pairs.next().ok_or_else(|| vec![internal(src)])?;
    let expr = cond
        .into_inner()
        .find(|p| p.as_rule() == Rule::expr)
        .ok_or_else(|| vec![internal(src)])?;
    let mut errors = Vec::new();
    let lowered = lower_expr(expr, 0, &mut errors);
    match lowered {
        Some(l) if errors.is_empty() => Ok(l.expr),
        _ => {
            if errors.is_empty() {
                errors.push(internal(src));
            }
            Err(errors)
        }
    }
}

fn internal(src: &str) -> ConditionError {
    ConditionError::new(
        ErrorCode::E0001,
        Span::new(0, src.len()),
        "could not parse the condition",
        "here",
    )
}

/// Rejects nesting deeper than [`MAX_NESTING`] before pest recurses into it.
fn check_nesting(src: &str) -> Result<(), Vec<ConditionError>> {
    let mut depth = 0usize;
    let mut in_str: Option<u8> = None;
    let mut escaped = false;
    let mut comment = false;
    for (i, b) in src.bytes().enumerate() {
        if comment {
            comment = b != b'\n';
            continue;
        }
        if let Some(q) = in_str {
            if escaped {
                escaped = false;
            } else if b == b'\\' && q == b'"' {
                escaped = true;
            } else if b == q {
                in_str = None;
            }
            continue;
        }
        match b {
            b'"' | b'`' | b'\'' => in_str = Some(b),
            b'#' => comment = true,
            b'(' | b'[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(vec![
                        ConditionError::new(
                            ErrorCode::E0005,
                            Span::new(i, i + 1),
                            format!("the condition nests deeper than {MAX_NESTING} levels"),
                            "too deep from here",
                        )
                        .with_help("split the condition, or remove redundant parentheses"),
                    ]);
                }
            }
            b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn span_of(p: &Pair<Rule>) -> Span {
    let s = p.as_span();
    Span::new(s.start(), s.end())
}

/// An expression being built, with what the chaining rule needs to know about it.
struct Lowered {
    expr: Expr,
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
fn lower_expr(pair: Pair<Rule>, outer: usize, errors: &mut Vec<ConditionError>) -> Option<Lowered> {
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
                        op_span,
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
                            op_span,
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
                match simple_jsonpath(text) {
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

/// Splits `$`, `$.a.b`, `$['a'][0]`, `$["a"]` into segments; `None` for any other JSONPath.
fn simple_jsonpath(text: &str) -> Option<Vec<Segment>> {
    let mut rest = text.strip_prefix('$')?;
    let mut segs = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            if r.starts_with('.') || r.starts_with('*') {
                return None;
            }
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let name = r.get(..end)?;
            let mut chars = name.chars();
            if !matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_') {
                return None;
            }
            segs.push(Segment::Key(name.to_string()));
            rest = r.get(end..)?;
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let inner = r.get(..end)?.trim();
            if let Ok(i) = inner.parse::<i64>() {
                // RFC 9535 integers: no leading zeros, no `-0`, no `+` (jsonpath-rust rejects them).
                let digits = inner.strip_prefix('-').unwrap_or(inner);
                if inner.starts_with('+')
                    || inner == "-0"
                    || digits.len() > 1 && digits.starts_with('0')
                {
                    return None;
                }
                segs.push(Segment::Index(i));
            } else if inner.len() >= 2
                && (inner.starts_with('\'') && inner.ends_with('\'')
                    || inner.starts_with('"') && inner.ends_with('"'))
            {
                let body = inner.get(1..inner.len() - 1)?;
                if body.contains(['\\', '\'', '"']) || body.chars().any(char::is_control) {
                    return None;
                }
                segs.push(Segment::Key(body.to_string()));
            } else {
                return None;
            }
            rest = r.get(end + 1..)?;
        } else {
            return None;
        }
    }
    Some(segs)
}

// ---------------------------------------------------------------------------------------
// Syntax errors: say what was expected, and suggest the operator that was probably meant.

fn syntax_error(src: &str, e: pest::error::Error<Rule>) -> ConditionError {
    let pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let positives = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        pest::error::ErrorVariant::CustomError { .. } => vec![],
    };
    let rest = src.get(pos..).unwrap_or("");
    let word_len = rest
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map(|(i, _)| i)
        .unwrap_or(rest.len());
    let word = rest.get(..word_len).unwrap_or("");
    let after_dot = src.get(..pos).is_some_and(|b| b.ends_with('.'));
    let expected = if after_dot && !positives.contains(&Rule::EOI) {
        "a key".to_string()
    } else {
        describe_expected(&positives)
    };
    let wants_operator = positives.iter().any(|r| {
        matches!(
            r,
            Rule::cmp_op
                | Rule::and_op
                | Rule::or_op
                | Rule::test
                | Rule::test_word
                | Rule::word_cmp
                | Rule::sym_cmp
                | Rule::EOI
        )
    });
    let after_not = positives
        .iter()
        .all(|r| matches!(r, Rule::test_word | Rule::word_cmp));

    if rest.trim().is_empty() {
        return end_of_condition(src, pos, &expected, wants_operator);
    }
    // `x is null`: the test is one word.
    if wants_operator && word == "is" {
        let after = rest.get(2..).unwrap_or("");
        let next = after.trim_start();
        let gap = after.len() - next.len();
        for (w, test) in [("null", "is_null"), ("empty", "is_empty")] {
            if gap > 0
                && next.starts_with(w)
                && !next.get(w.len()..).unwrap_or("").starts_with(is_ident_char)
            {
                let span = Span::new(pos, pos + 2 + gap + w.len());
                return ConditionError::new(
                    ErrorCode::E0002,
                    span,
                    format!("unknown operator `is {w}`"),
                    "not an operator or test",
                )
                .with_help(format!("did you mean `{test}`?"))
                .with_fix(test);
            }
        }
    }
    // A word, then an operator: a second operand where an operator was expected, e.g. a
    // missing `and` (`x == 1 y == 2`) or a key with a space (`bucket name == 1`).
    if wants_operator
        && !word.is_empty()
        && !after_not
        && starts_operator(rest.get(word.len()..).unwrap_or(""))
    {
        let before = src.get(..pos).unwrap_or("").trim_end();
        let prev = before
            .rfind(|c: char| !is_ident_char(c))
            .map_or(before, |i| before.get(i + 1..).unwrap_or(""));
        let mut help = "join the two conditions with `and` or `or`".to_string();
        let prev_is_key = prev.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && !KEYWORDS.contains(&prev);
        if prev_is_key && before.len() < pos {
            help.push_str(&format!(
                "; if `{prev} {word}` is one key, quote it with backticks: `` `{prev} {word}` ``"
            ));
        }
        return ConditionError::new(
            ErrorCode::E0001,
            Span::new(pos, pos + word.len()),
            format!("missing operator before `{word}`"),
            "a new operand starts here",
        )
        .with_help(help);
    }
    // A word where an operator was expected: an unknown operator, probably a typo.
    if wants_operator && !word.is_empty() {
        let span = Span::new(pos, pos + word.len());
        let mut err = ConditionError::new(
            ErrorCode::E0002,
            span,
            format!("unknown operator `{word}`"),
            "not an operator or test",
        );
        let candidates = OPERATOR_WORDS
            .iter()
            .copied()
            .filter(|w| !after_not || !w.contains(' ') && *w != "and" && *w != "or");
        let near = nearest(word, candidates);
        err = match near.first() {
            Some(n) => err.with_help(format!("did you mean `{n}`?")).with_fix(*n),
            None => err.with_help(format!(
                "expected {expected}; a key with spaces or symbols is quoted with backticks, e.g. `` `{word} ...` ``"
            )),
        };
        return err;
    }
    // Symbols from other languages. The parser may have consumed the start of the run (`<` of
    // `<>`), so the run is taken whole around the error position.
    let is_sym = |c: char| "=!<>~&|".contains(c);
    let head = src.get(..pos).unwrap_or("").trim_end_matches(is_sym).len();
    let tail = rest.find(|c: char| !is_sym(c)).unwrap_or(rest.len());
    let run = src.get(head..pos + tail).unwrap_or("");
    let sym_hint = [
        ("===", "=="),
        ("!==", "!="),
        ("=~", "matches"),
        ("~=", "matches"),
        ("&&", "and"),
        ("&", "and"),
        ("||", "or"),
        ("|", "or"),
        ("<>", "!="),
        ("=<", "<="),
        ("=>", ">="),
        ("=", "=="),
        ("!", "not"),
    ]
    .iter()
    .find(|(s, _)| *s == run);
    if let Some((s, r)) = sym_hint {
        return ConditionError::new(
            ErrorCode::E0002,
            Span::new(head, head + s.len()),
            format!("unknown operator `{s}`"),
            "not an operator of this language",
        )
        .with_help(format!("did you mean `{r}`?"));
    }
    // Unterminated or invalid strings and backtick keys.
    if let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '`') {
        let closed = if q == '`' {
            rest.get(1..).and_then(|r| r.find('`')).map(|i| i + 2)
        } else {
            string_end(rest)
        };
        let what = if q == '"' { "string" } else { "backtick key" };
        return match closed {
            None => ConditionError::new(
                ErrorCode::E0001,
                Span::new(pos, pos + 1),
                format!("unterminated {what}"),
                format!("the {what} starts here"),
            )
            .with_help(if q == '"' {
                "close the string with `\"`"
            } else {
                "close the key with a backtick"
            }),
            Some(len) if q == '"' => ConditionError::new(
                ErrorCode::E0004,
                Span::new(pos, pos + len),
                "invalid string literal",
                "not a JSON string",
            )
            .with_help("strings follow JSON: write control characters as `\\n`, `\\t` or `\\uXXXX`; the only escapes are `\\\"` `\\\\` `\\/` `\\b` `\\f` `\\n` `\\r` `\\t` `\\uXXXX`"),
            Some(_) => ConditionError::new(
                ErrorCode::E0001,
                Span::new(pos, pos + 2),
                "empty backtick key",
                "nothing between the backticks",
            )
            .with_help("write the key between the backticks, e.g. `` `@timestamp` ``"),
        };
    }
    let found_len = if word.is_empty() {
        rest.chars().next().map(char::len_utf8).unwrap_or(0)
    } else {
        word.len()
    };
    let found = rest.get(..found_len).unwrap_or("");
    let err = ConditionError::new(
        ErrorCode::E0001,
        Span::new(pos, pos + found_len),
        format!("unexpected `{found}`, expected {expected}"),
        format!("expected {expected}"),
    );
    let prev_char = src.get(..pos).and_then(|b| b.chars().next_back());
    let digits = rest.trim_start_matches('-');
    let help = if KEYWORDS.contains(&word) {
        format!(
            "`{word}` is a keyword; to name a key `{word}`, quote it with backticks: `` `{word}` ``"
        )
    } else if found == "'" {
        "strings use double quotes: \"...\"".to_string()
    } else if digits.starts_with('0')
        && digits
            .get(1..)
            .unwrap_or("")
            .starts_with(|c: char| c.is_ascii_digit())
    {
        "numbers follow JSON: no leading zeros".to_string()
    } else if found == "."
        && rest
            .get(1..)
            .unwrap_or("")
            .starts_with(|c: char| c.is_ascii_digit())
    {
        "numbers follow JSON: write `0.5`, not `.5`".to_string()
    } else if rest.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        "a key that starts with a digit is quoted with backticks, e.g. `` `2fa` ``".to_string()
    } else if found.trim().is_empty() && matches!(prev_char, Some('.' | '[')) {
        "paths have no spaces: write the key right after `.` (or `[`)".to_string()
    } else if !wants_operator
        && open_brackets(src, pos).last().is_some_and(|&(at, b, _)| {
            b == b'[' && !src.get(..at).unwrap_or("").ends_with(is_ident_char)
        })
    {
        "lists hold literals only (strings, numbers, `true`, `false`, `null`, lists); to compare with paths, use `==` with `or`".to_string()
    } else if found == ")" && !wants_operator {
        "an operand is missing before `)`".to_string()
    } else if found == ")" {
        match open_brackets(src, pos).last() {
            Some(&(at, b'(', 0)) if quantifier_before(src, at) => format!(
                "`{}` takes a list and a condition: `{}(LIST, COND)`",
                quantifier_before_name(src, at),
                quantifier_before_name(src, at)
            ),
            None => "remove this `)`, or add the `(` it closes".to_string(),
            _ => format!("expected {expected}"),
        }
    } else if wants_operator {
        "join conditions with `and`/`or`, or compare with an operator such as `==`, `in` or `contains`"
            .to_string()
    } else {
        "write a path, a literal, a function call or a parenthesised condition here".to_string()
    };
    err.with_help(help)
}

/// The error at the end of the condition: points at its last character (miette cannot underline
/// past the end of the source).
fn end_of_condition(src: &str, pos: usize, expected: &str, wants_operator: bool) -> ConditionError {
    let end = src.trim_end().len().min(pos.max(src.trim_end().len()));
    // The last token: a word, a run of operator symbols, or one character.
    let body = src.get(..end).unwrap_or("");
    let is_sym = |c: char| "=!<>~&|+-*/.".contains(c);
    let start = match body.chars().next_back() {
        Some(c) if is_ident_char(c) => body.trim_end_matches(is_ident_char).len(),
        Some(c) if is_sym(c) => body.trim_end_matches(is_sym).len(),
        Some(c) => end - c.len_utf8(),
        None => end,
    };
    let open = open_brackets(src, src.len());
    let help = match open.last() {
        Some(&(at, b'(', 0)) if quantifier_before(src, at) => format!(
            "`{0}` takes a list and a condition: `{0}(LIST, COND)`",
            quantifier_before_name(src, at)
        ),
        Some((_, b'(', _)) => "close the `(` with `)`".to_string(),
        Some(_) => "close the `[` with `]`".to_string(),
        None if wants_operator => "complete the condition".to_string(),
        None => {
            let last = src.get(start..end).unwrap_or("");
            let what = if last.ends_with('.') {
                "a key"
            } else {
                "an operand"
            };
            format!("add {what} after `{last}`")
        }
    };
    ConditionError::new(
        ErrorCode::E0001,
        Span::new(start, end),
        format!("unexpected end of condition, expected {expected}"),
        "the condition ends here",
    )
    .with_help(help)
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// True when `rest` (after a word) starts with a comparison or a test.
fn starts_operator(rest: &str) -> bool {
    let r = rest.trim_start();
    if r.len() == rest.len() && !r.starts_with(['=', '!', '<', '>']) {
        return false;
    }
    if r.starts_with("==") || r.starts_with("!=") || r.starts_with(['<', '>']) {
        return true;
    }
    let w: String = r.chars().take_while(|c| is_ident_char(*c)).collect();
    matches!(
        w.as_str(),
        "in" | "contains"
            | "starts_with"
            | "ends_with"
            | "matches"
            | "in_cidr"
            | "is_null"
            | "is_empty"
            | "exists"
    )
}

/// Length of the string literal at the start of `s` (which starts with `"`), quotes included.
fn string_end(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// The brackets still open at byte `end`: (position, `(` or `[`, commas seen at that level).
fn open_brackets(src: &str, end: usize) -> Vec<(usize, u8, usize)> {
    let mut stack: Vec<(usize, u8, usize)> = Vec::new();
    let mut quote: Option<u8> = None;
    let mut escaped = false;
    let mut comment = false;
    for (i, b) in src.bytes().enumerate().take(end) {
        if comment {
            comment = b != b'\n';
        } else if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if b == b'\\' && q != b'`' {
                escaped = true;
            } else if b == q {
                quote = None;
            }
        } else {
            match b {
                b'"' | b'`' | b'\'' => quote = Some(b),
                b'#' => comment = true,
                b'(' | b'[' => stack.push((i, b, 0)),
                b')' | b']' => {
                    stack.pop();
                }
                b',' => {
                    if let Some(top) = stack.last_mut() {
                        top.2 += 1;
                    }
                }
                _ => {}
            }
        }
    }
    stack
}

/// The quantifier word right before the `(` at `at`, if any.
fn quantifier_before_name(src: &str, at: usize) -> &str {
    let before = src.get(..at).unwrap_or("").trim_end();
    let start = before
        .rfind(|c: char| !is_ident_char(c))
        .map_or(0, |i| i + 1);
    before.get(start..).unwrap_or("")
}

fn quantifier_before(src: &str, at: usize) -> bool {
    matches!(quantifier_before_name(src, at), "any" | "all" | "none")
}

/// serde_json appends "at line 1 column N"; the span already says where.
fn strip_serde_position(msg: &str) -> String {
    msg.rfind(" at line ")
        .map_or(msg, |i| msg.get(..i).unwrap_or(msg))
        .to_string()
}

fn describe_expected(positives: &[Rule]) -> String {
    let operand = "an operand (path, literal, function call or `(`)";
    let only_words = !positives.is_empty()
        && positives
            .iter()
            .all(|r| matches!(r, Rule::test_word | Rule::word_cmp));
    let mut out: Vec<&str> = Vec::new();
    for r in positives {
        let s = match r {
            Rule::EOI => "the end of the condition",
            Rule::expr
            | Rule::primary
            | Rule::paren
            | Rule::path
            | Rule::literal
            | Rule::string
            | Rule::number
            | Rule::list
            | Rule::call
            | Rule::quantifier
            | Rule::ident
            | Rule::not_op
            | Rule::neg_op
            | Rule::kw_true
            | Rule::kw_false
            | Rule::kw_null
            | Rule::current
            | Rule::jsonpath
            | Rule::quoted => operand,
            _ if only_words => "a word operator or test (`in`, `contains`, `is_null`, ...)",
            Rule::cmp_op
            | Rule::sym_cmp
            | Rule::word_cmp
            | Rule::test
            | Rule::test_word
            | Rule::and_op
            | Rule::or_op
            | Rule::add_op
            | Rule::sub_op
            | Rule::mul_op
            | Rule::div_op => "an operator",
            Rule::list_item => "a literal",
            Rule::index | Rule::wildcard => "an index or `*`",
            _ => continue,
        };
        if !out.contains(&s) {
            out.push(s);
        }
    }
    // The end of the condition reads best last.
    out.sort_by_key(|s| *s == "the end of the condition");
    match out.split_last() {
        None => "an expression".to_string(),
        Some((last, [])) => (*last).to_string(),
        Some((last, init)) => format!("{} or {last}", init.join(", ")),
    }
}
