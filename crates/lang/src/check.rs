//! Stage 2, check: every error of a parsed condition that does not need a document — unknown
//! functions and wrong arity (against the function [`Registry`]), literal arguments a prepared
//! function refuses, invalid regex, CIDR and JSONPath literals, `@` outside a quantifier. All
//! errors are collected, not only the first.

use crate::ast::{CmpOp, Expr, ExprKind, PathRoot};
use crate::error::{ConditionError, ErrorCode};
use crate::functions::{ArgError, Builtin, Registry};
use crate::literals::{build_regex, parse_cidr_literal};
use crate::suggest::nearest;
use serde_json::Value;

/// A call's arguments as a prepared function sees them: the value of each literal, `None` for
/// anything else.
pub(crate) fn literal_args(args: &[Expr]) -> Vec<Option<&Value>> {
    args.iter()
        .map(|a| match &a.kind {
            ExprKind::Literal(v) => Some(v),
            _ => None,
        })
        .collect()
}

fn arg_error(e: ArgError, call: &Expr, args: &[Expr]) -> ConditionError {
    let span = e
        .arg
        .and_then(|i| args.get(i))
        .map_or(call.span, |a| a.span);
    let err = ConditionError::new(e.code, span, e.message, e.label);
    match e.help {
        Some(h) => err.with_help(h),
        None => err,
    }
}

/// Checks `expr` against `registry`; returns every error found, in source order.
pub fn check(expr: &Expr, registry: &Registry) -> Vec<ConditionError> {
    let mut errors = Vec::new();
    walk(expr, registry, 0, &mut errors);
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    errors
}

fn walk(e: &Expr, reg: &Registry, quant_depth: usize, errors: &mut Vec<ConditionError>) {
    match &e.kind {
        ExprKind::Path(p) => match &p.root {
            PathRoot::Current if quant_depth == 0 => errors.push(
                ConditionError::new(ErrorCode::E0105, e.span, "`@` used outside a quantifier", "no element is bound here")
                    .with_help("`@` is the current element inside `any(...)`, `all(...)` or `none(...)`; outside them, name the path from the document root"),
            ),
            PathRoot::JsonPath(text) => {
                if let Err(err) = jsonpath_rust::parser::parse_json_path(text) {
                    errors.push(
                        ConditionError::new(ErrorCode::E0106, e.span, format!("invalid JSONPath `{text}`"), "not a valid RFC 9535 JSONPath")
                            .with_help(format!(
                                "{}; see RFC 9535 for the syntax",
                                err.to_string().lines().map(str::trim).rfind(|l| l.starts_with('=')).map_or("malformed", |l| l.trim_start_matches("= "))
                            )),
                    );
                }
            }
            _ => {}
        },
        ExprKind::Call { name, args } => {
            let (min, max) = match (Builtin::from_name(&name.name), reg.get(&name.name)) {
                (Some(_), _) => (1, 1),
                (None, Some(n)) => (n.min_args, n.max_args),
                (None, None) => {
                    let known: Vec<&str> = Builtin::NAMES.iter().copied().chain(reg.iter().map(|n| n.name.as_str())).collect();
                    let near = nearest(&name.name, known.iter().copied());
                    let help = if near.is_empty() {
                        format!("known functions: {}", known.join(", "))
                    } else {
                        format!("did you mean {}?", near.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" or "))
                    };
                    errors.push(
                        ConditionError::new(ErrorCode::E0101, name.span, format!("unknown function `{}`", name.name), "not a built-in or registered native")
                            .with_help(help),
                    );
                    (args.len(), args.len())
                }
            };
            if args.len() < min || args.len() > max {
                let want = if min == max { format!("{min}") } else { format!("{min} to {max}") };
                let plural = if max == 1 { "" } else { "s" };
                errors.push(
                    ConditionError::new(
                        ErrorCode::E0102,
                        e.span,
                        format!("`{}` takes {want} argument{plural}, {} given", name.name, args.len()),
                        format!("{} argument{} here", args.len(), if args.len() == 1 { "" } else { "s" }),
                    )
                    .with_help(format!("call it as `{}({})`", name.name, (0..min).map(|i| format!("arg{}", i + 1)).collect::<Vec<_>>().join(", "))),
                );
            }
            if args.len() >= min && args.len() <= max
                && let Some(Err(err)) = reg.get(&name.name).and_then(|n| n.prepare(&literal_args(args)))
            {
                errors.push(arg_error(err, e, args));
            }
        }
        ExprKind::Compare { op, rhs, .. } => {
            match (op, &rhs.kind) {
                (CmpOp::Matches, ExprKind::Literal(Value::String(re))) => {
                    if let Err(msg) = build_regex(re) {
                        errors.push(
                            ConditionError::new(ErrorCode::E0103, rhs.span, "invalid regular expression", msg)
                                .with_help("`matches` takes Rust `regex` syntax; to match a special character literally, escape it with `\\\\` inside the string, e.g. `\"\\\\(\"`"),
                        );
                    }
                }
                (CmpOp::Matches, _) => errors.push(
                    ConditionError::new(ErrorCode::E0107, rhs.span, "the right side of `matches` must be a string literal", "not a string literal")
                        .with_help("write the regex as a literal, e.g. `x matches \"^prod-\"`"),
                ),
                (CmpOp::InCidr, ExprKind::Literal(v)) => check_cidr_literal(v, rhs, errors),
                _ => {}
            }
        }
        _ => {}
    }
    // The body of a quantifier binds `@`.
    let body = match &e.kind {
        ExprKind::Quantifier { body, .. } => Some(body.as_ref()),
        _ => None,
    };
    for c in e.children() {
        let inner = body.is_some_and(|b| std::ptr::eq(b, c));
        walk(c, reg, quant_depth + usize::from(inner), errors);
    }
}

fn check_cidr_literal(v: &Value, rhs: &Expr, errors: &mut Vec<ConditionError>) {
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    for item in items {
        match item {
            Value::String(s) => {
                if let Err(msg) = parse_cidr_literal(s) {
                    errors.push(
                        ConditionError::new(ErrorCode::E0104, rhs.span, format!("invalid CIDR `{s}`"), msg)
                            .with_help("write CIDR blocks as `address/prefix`, e.g. \"10.0.0.0/8\" or \"2001:db8::/32\""),
                    );
                }
            }
            other => errors.push(
                ConditionError::new(
                    ErrorCode::E0108,
                    rhs.span,
                    format!("`in_cidr` needs CIDR strings, found `{other}`"),
                    "not a CIDR string",
                )
                .with_help(
                    "the right side of `in_cidr` is a CIDR string or a list of CIDR strings",
                ),
            ),
        }
    }
}
