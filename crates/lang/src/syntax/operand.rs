//! Lowering operands: parenthesised expressions, quantifiers and collection functions, calls,
//! list and object literals, scalar literals, and paths with the steps after any of them
//! (names, indexes, `[*]`, computed `[E]`).

use super::hints::strip_serde_position;
use super::lower::{Lowered, lower_expr, span_of};
use super::{Rule, simple_path};
use crate::ast::{Expr, ExprKind, Ident, Path, PathRoot, Quantifier, Segment, Span};
use crate::error::{ConditionError, ErrorCode};
use pest::iterators::Pair;
use serde_json::{Map, Value};

/// Lowers one operand.
pub(super) fn lower_primary(
    p: Pair<Rule>,
    outer: usize,
    errors: &mut Vec<ConditionError>,
) -> Option<Lowered> {
    let span = span_of(&p);
    match p.as_rule() {
        Rule::paren => {
            let input = p.get_input();
            let mut it = p.into_inner();
            let inner = it.next()?;
            let mut l = lower_expr(inner, outer, errors)?;
            l.bare_cmp = false;
            let access = it.find(|x| x.as_rule() == Rule::access);
            l.expr.span = own_span(input, span, l.expr.span.end, access.as_ref(), ')');
            finish_access(l, access, outer, errors)
        }
        Rule::quantifier => {
            let mut it = p.into_inner();
            let kind = match it.next()?.into_inner().next()?.as_rule() {
                Rule::kw_any => Quantifier::Any,
                Rule::kw_all => Quantifier::All,
                _ => Quantifier::None,
            };
            quantifier(kind, it.next()?, it.next()?, span, outer, errors)
        }
        Rule::call => lower_call(p, span, outer, errors),
        Rule::list => {
            let input = p.get_input();
            let mut items = Vec::new();
            let mut access = None;
            let mut ok = true;
            let mut depth = 1;
            for i in p.into_inner() {
                if i.as_rule() == Rule::access {
                    access = Some(i);
                    continue;
                }
                match lower_expr(i, outer + 1, errors) {
                    Some(l) => {
                        depth = depth.max(l.depth + 1);
                        items.push(l.expr);
                    }
                    None => ok = false,
                }
            }
            if !ok {
                return None;
            }
            let last = items.last().map_or(span.start, |e| e.span.end);
            let list_span = own_span(input, span, last, access.as_ref(), ']');
            let kind = match items
                .iter()
                .map(|e| match &e.kind {
                    ExprKind::Literal(v) => Some(v.clone()),
                    _ => None,
                })
                .collect::<Option<Vec<Value>>>()
            {
                Some(values) => ExprKind::Literal(Value::Array(values)),
                None => ExprKind::List(items),
            };
            let l = Lowered {
                expr: Expr {
                    kind,
                    span: list_span,
                },
                bare_cmp: false,
                depth,
            };
            finish_access(l, access, outer, errors)
        }
        Rule::object => {
            let input = p.get_input();
            let mut members: Vec<(Ident, Expr)> = Vec::new();
            let mut access = None;
            let mut ok = true;
            let mut depth = 1;
            for m in p.into_inner() {
                if m.as_rule() == Rule::access {
                    access = Some(m);
                    continue;
                }
                let mut it = m.into_inner();
                let key = it.next()?;
                let name = Ident {
                    name: member_key(&key)?,
                    span: span_of(&key),
                };
                match lower_expr(it.next()?, outer + 1, errors) {
                    Some(l) => {
                        depth = depth.max(l.depth + 1);
                        members.push((name, l.expr));
                    }
                    None => ok = false,
                }
            }
            if !ok {
                return None;
            }
            let last = members.last().map_or(span.start, |(_, e)| e.span.end);
            let obj_span = own_span(input, span, last, access.as_ref(), '}');
            let literal: Option<Map<String, Value>> = members
                .iter()
                .map(|(k, e)| match &e.kind {
                    ExprKind::Literal(v) => Some((k.name.clone(), v.clone())),
                    _ => None,
                })
                .collect();
            // A repeated key is an error the checker reports: keep the members as written.
            let repeated = members
                .iter()
                .enumerate()
                .any(|(i, (k, _))| members.iter().take(i).any(|(k2, _)| k2.name == k.name));
            let kind = match literal {
                Some(map) if !repeated => ExprKind::Literal(Value::Object(map)),
                _ => ExprKind::Object(members),
            };
            let l = Lowered {
                expr: Expr {
                    kind,
                    span: obj_span,
                },
                bare_cmp: false,
                depth,
            };
            finish_access(l, access, outer, errors)
        }
        Rule::scalar_access => {
            let mut it = p.into_inner();
            let lit = it.next()?;
            let base = scalar(&lit, errors)?;
            finish_access(base, it.next(), outer, errors)
        }
        Rule::string | Rule::number | Rule::kw_true | Rule::kw_false | Rule::kw_null => {
            scalar(&p, errors)
        }
        Rule::path => lower_path(p, outer, errors),
        _ => None,
    }
}

/// The span of a bracketed operand without the access after it: from its start to its
/// closing `close` (the first one after `last`, the end of its last member).
fn own_span(
    input: &str,
    span: Span,
    last: usize,
    access: Option<&Pair<Rule>>,
    close: char,
) -> Span {
    let limit = access.map_or(span.end, |a| a.as_span().start());
    let end = input
        .get(last..limit)
        .and_then(|gap| gap.find(close))
        .map_or(span.end, |i| last + i + close.len_utf8());
    Span::new(span.start, end)
}

/// A scalar literal as an operand.
fn scalar(p: &Pair<Rule>, errors: &mut Vec<ConditionError>) -> Option<Lowered> {
    let span = span_of(p);
    match literal(p) {
        Ok(v) => Some(Lowered::atom(Expr {
            kind: ExprKind::Literal(v),
            span,
        })),
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

/// The steps of an `access` pair (if any) applied to `base`.
fn finish_access(
    base: Lowered,
    access: Option<Pair<Rule>>,
    outer: usize,
    errors: &mut Vec<ConditionError>,
) -> Option<Lowered> {
    match access {
        None => Some(base),
        Some(a) => with_steps(base, a, outer, errors),
    }
}

/// An object member's key: a JSON string, a bare identifier or a backquoted key.
fn member_key(key: &Pair<Rule>) -> Option<String> {
    match key.as_rule() {
        Rule::string => serde_json::from_str::<String>(key.as_str()).ok(),
        Rule::quoted => {
            let s = key.as_str();
            s.get(1..s.len().saturating_sub(1)).map(str::to_string)
        }
        _ => Some(key.as_str().to_string()),
    }
}

/// A quantifier or collection function: `kind(list, body)`.
fn quantifier(
    kind: Quantifier,
    list: Pair<Rule>,
    body: Pair<Rule>,
    span: Span,
    outer: usize,
    errors: &mut Vec<ConditionError>,
) -> Option<Lowered> {
    let list = lower_expr(list, outer + 1, errors);
    let body = lower_expr(body, outer + 1, errors);
    let (list, body) = (list?, body?);
    let depth = list.depth.max(body.depth) + 1;
    Some(Lowered {
        expr: Expr {
            kind: ExprKind::Quantifier {
                kind,
                list: Box::new(list.expr),
                body: Box::new(body.expr),
            },
            span,
        },
        bare_cmp: false,
        depth,
    })
}

/// `name(args...)` and the steps after it; `first/filter/map/count` with two arguments are
/// collection functions (their second argument binds `@`).
fn lower_call(
    p: Pair<Rule>,
    span: Span,
    outer: usize,
    errors: &mut Vec<ConditionError>,
) -> Option<Lowered> {
    // The call ends at its `)`: pest's implicit whitespace before an absent access would
    // otherwise stretch the span.
    let close_end = p
        .clone()
        .into_inner()
        .find(|x| x.as_rule() == Rule::call_close)
        .map_or(span.end, |c| c.as_span().end());
    let call_span = Span::new(span.start, close_end);
    let mut it = p.into_inner();
    let name_pair = it.next()?;
    let name = Ident {
        name: name_pair.as_str().to_string(),
        span: span_of(&name_pair),
    };
    let mut arg_pairs = Vec::new();
    let mut access = None;
    for a in it {
        match a.as_rule() {
            Rule::call_close => {}
            Rule::access => access = Some(a),
            _ => arg_pairs.push(a),
        }
    }
    let base = match (Quantifier::collection(&name.name), arg_pairs.len()) {
        (Some(kind), 2) => {
            let mut args = arg_pairs.into_iter();
            quantifier(kind, args.next()?, args.next()?, call_span, outer, errors)?
        }
        _ => {
            let mut args = Vec::new();
            let mut depth = 1;
            let mut ok = true;
            for a in arg_pairs {
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
            Lowered {
                expr: Expr {
                    kind: ExprKind::Call { name, args },
                    span: call_span,
                },
                bare_cmp: false,
                depth,
            }
        }
    };
    finish_access(base, access, outer, errors)
}

/// A literal, decoded with serde_json so strings and numbers follow JSON exactly.
fn literal(p: &Pair<Rule>) -> Result<Value, ConditionError> {
    let span = span_of(p);
    match p.as_rule() {
        Rule::kw_true => Ok(Value::Bool(true)),
        Rule::kw_false => Ok(Value::Bool(false)),
        Rule::kw_null => Ok(Value::Null),
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

/// A path: its root, then its steps (a computed step `[E]` ends the path: what follows
/// applies to the computed access).
fn lower_path(p: Pair<Rule>, outer: usize, errors: &mut Vec<ConditionError>) -> Option<Lowered> {
    let span = span_of(&p);
    let mut root = PathRoot::Implicit;
    let mut parts = p.into_inner().peekable();
    match parts.peek().map(Pair::as_rule) {
        Some(Rule::current) => {
            root = PathRoot::Current;
            parts.next();
        }
        Some(Rule::jsonpath) => {
            let text = parts.next()?.as_str().to_string();
            root = match simple_path(&text, false) {
                Some(segs) => {
                    return steps(
                        Start::Path(PathRoot::Root, segs),
                        span,
                        parts,
                        outer,
                        errors,
                    );
                }
                None => PathRoot::JsonPath(text),
            };
        }
        _ => {}
    }
    steps(Start::Path(root, Vec::new()), span, parts, outer, errors)
}

/// Applies an `access` pair's steps to an expression.
fn with_steps(
    base: Lowered,
    access: Pair<Rule>,
    outer: usize,
    errors: &mut Vec<ConditionError>,
) -> Option<Lowered> {
    let span = Span::new(base.expr.span.start, access.as_span().end());
    steps(Start::Expr(base), span, access.into_inner(), outer, errors)
}

/// What steps start from.
enum Start {
    /// A path's root and its first steps.
    Path(PathRoot, Vec<Segment>),
    /// An expression (a path after it is an `Access`).
    Expr(Lowered),
}

/// Folds path steps onto `start`. Static steps collect into the path (or an `Access`); a
/// computed step with a literal integer or string is static too; any other computed step
/// becomes an `Index` node that the following steps apply to.
fn steps<'i>(
    start: Start,
    span: Span,
    parts: impl Iterator<Item = Pair<'i, Rule>>,
    outer: usize,
    errors: &mut Vec<ConditionError>,
) -> Option<Lowered> {
    let (mut base, mut root, mut segs): (Option<Lowered>, PathRoot, Vec<Segment>) = match start {
        Start::Path(root, segs) => (None, root, segs),
        Start::Expr(l) => (Some(l), PathRoot::Implicit, Vec::new()),
    };
    let start = span.start;
    let mut end = span.start;
    for part in parts {
        end = part.as_span().end();
        let seg = match part.as_rule() {
            Rule::ident => Segment::Key(part.as_str().to_string()),
            Rule::quoted => {
                let s = part.as_str();
                Segment::Key(
                    s.get(1..s.len().saturating_sub(1))
                        .unwrap_or("")
                        .to_string(),
                )
            }
            Rule::wildcard => Segment::Wildcard,
            Rule::index => match part.as_str().parse::<i64>() {
                Ok(i) => Segment::Index(i),
                Err(_) => {
                    errors.push(ConditionError::new(
                        ErrorCode::E0004,
                        span_of(&part),
                        "index out of range",
                        "does not fit a 64-bit integer",
                    ));
                    return None;
                }
            },
            Rule::computed => {
                let inner = part.into_inner().next()?;
                let idx = lower_expr(inner, outer + 1, errors)?;
                match &idx.expr.kind {
                    ExprKind::Literal(Value::String(k)) => Segment::Key(k.clone()),
                    ExprKind::Literal(Value::Number(n)) if n.as_i64().is_some() => {
                        Segment::Index(n.as_i64().unwrap_or_default())
                    }
                    _ => {
                        let so_far = close(
                            base.take(),
                            std::mem::replace(&mut root, PathRoot::Implicit),
                            std::mem::take(&mut segs),
                            Span::new(start, idx.expr.span.start.saturating_sub(1).max(start)),
                        );
                        let depth = so_far.depth.max(idx.depth) + 1;
                        base = Some(Lowered {
                            expr: Expr {
                                kind: ExprKind::Index {
                                    base: Box::new(so_far.expr),
                                    index: Box::new(idx.expr),
                                },
                                span: Span::new(start, end),
                            },
                            bare_cmp: false,
                            depth,
                        });
                        continue;
                    }
                }
            }
            _ => continue,
        };
        segs.push(seg);
    }
    let _ = end;
    Some(close(base, root, segs, span))
}

/// The expression the collected steps make: a path from `root`, or an `Access` after `base`.
fn close(base: Option<Lowered>, root: PathRoot, mut segs: Vec<Segment>, span: Span) -> Lowered {
    match base {
        None => {
            let mut root = root;
            // Steps after a multi-valued JSONPath (`` $..a.`b c` ``) apply to each of its
            // results: fold them into the JSONPath text so they are not dropped.
            if let PathRoot::JsonPath(text) = &mut root {
                for seg in segs.drain(..) {
                    match seg {
                        Segment::Key(k) => text.push_str(&format!("['{}']", jsonpath_escape(&k))),
                        Segment::Index(i) => text.push_str(&format!("[{i}]")),
                        Segment::Wildcard => text.push_str("[*]"),
                    }
                }
            }
            Lowered::atom(Expr {
                kind: ExprKind::Path(Path {
                    root,
                    segments: segs,
                }),
                span,
            })
        }
        Some(b) if segs.is_empty() => b,
        Some(b) => Lowered {
            depth: b.depth + 1,
            bare_cmp: false,
            expr: Expr {
                kind: ExprKind::Access {
                    base: Box::new(b.expr),
                    segments: segs,
                },
                span,
            },
        },
    }
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
