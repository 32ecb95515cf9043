//! Stage 2, check: every error of a parsed condition that does not need a document — unknown
//! functions and wrong arity (against the function [`Registry`]: user functions, built-ins,
//! natives), literal arguments a prepared function refuses, invalid regex, CIDR and JSONPath
//! literals, `@` outside a quantifier, repeated object keys, and in a function body a field
//! that is not a parameter. All errors are collected, not only the first.

use crate::ast::{CmpOp, Expr, ExprKind, PathRoot, Quantifier, Segment};
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

/// Checks the condition `expr` against `registry`; returns every error found, in source order.
pub fn check(expr: &Expr, registry: &Registry) -> Vec<ConditionError> {
    check_in(expr, registry, &[], false)
}

/// Checks `expr` with `names` bound (a function's parameters); `function` says it is a
/// function body, which reaches the document only through its parameters and `$`.
pub(crate) fn check_in(
    expr: &Expr,
    registry: &Registry,
    names: &[String],
    function: bool,
) -> Vec<ConditionError> {
    let mut errors = Vec::new();
    let mut c = Checker {
        reg: registry,
        scope: names.to_vec(),
        function,
        errors: &mut errors,
    };
    c.walk(expr, 0);
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    errors
}

/// The names every call can reach that are not in the registry: the built-ins.
pub(crate) fn builtin_names() -> impl Iterator<Item = &'static str> {
    Builtin::NAMES
        .iter()
        .copied()
        .chain(["first", "filter", "map", "count"])
}

struct Checker<'r, 'e> {
    reg: &'r Registry,
    /// Names bound here (`let`, parameters), innermost last.
    scope: Vec<String>,
    function: bool,
    errors: &'e mut Vec<ConditionError>,
}

impl Checker<'_, '_> {
    fn walk(&mut self, e: &Expr, quant_depth: usize) {
        let reg = self.reg;
        let errors = &mut *self.errors;
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
            PathRoot::Implicit => {
                let first = match p.segments.first() {
                    Some(Segment::Key(k)) => Some(k.as_str()),
                    _ => None,
                };
                let bound = first.is_some_and(|k| self.scope.iter().any(|n| n == k));
                if self.function && quant_depth == 0 && !bound {
                    let name = first.unwrap_or("");
                    let near = nearest(name, self.scope.iter().map(String::as_str));
                    let help = match near.first() {
                        Some(n) => format!("did you mean the parameter `{n}`? a function reads the document only through its parameters and `$` (write `$.{name}` for the document's field)"),
                        None => format!("a function reads the document only through its parameters and `$`: write `$.{name}` for the document's field, or pass it as a parameter"),
                    };
                    errors.push(ConditionError::new(ErrorCode::E0114, e.span, format!("`{name}` is not a parameter of this function"), "not a parameter").with_help(help));
                }
            }
            _ => {}
        },
        ExprKind::Object(members) => {
            for (i, (k, _)) in members.iter().enumerate() {
                if members.iter().take(i).any(|(k2, _)| k2.name == k.name) {
                    errors.push(
                        ConditionError::new(ErrorCode::E0110, k.span, format!("the key `{}` is repeated", k.name), "repeated key")
                            .with_help("an object literal names each key once: remove one of them"),
                    );
                }
            }
        }
        ExprKind::Let { name, value, body } => {
            self.walk(value, quant_depth);
            self.scope.push(name.name.clone());
            self.walk(body, quant_depth);
            self.scope.pop();
            return;
        }
        ExprKind::Call { name, args } if reg.function(&name.name).is_some() => {
            let want = reg.function(&name.name).map_or(0, |f| f.params.len());
            if args.len() != want {
                errors.push(arity_error(&name.name, e, args.len(), want, want));
            }
        }
        ExprKind::Call { name, args } => {
            let (min, max) = match (Builtin::from_name(&name.name), reg.get(&name.name)) {
                (Some(_), _) => (1, 1),
                (None, Some(n)) => (n.min_args, n.max_args),
                (None, None) if Quantifier::collection(&name.name).is_some() => (2, 2),
                (None, None) => {
                    let mut known: Vec<&str> = builtin_names().collect();
                    known.extend(reg.functions().map(|f| f.name.as_str()));
                    known.extend(reg.iter().map(|n| n.name.as_str()));
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
                errors.push(arity_error(&name.name, e, args.len(), min, max));
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
            self.walk(c, quant_depth + usize::from(inner));
        }
    }
}

fn arity_error(name: &str, call: &Expr, given: usize, min: usize, max: usize) -> ConditionError {
    let want = if min == max {
        format!("{min}")
    } else {
        format!("{min} to {max}")
    };
    let plural = if max == 1 { "" } else { "s" };
    ConditionError::new(
        ErrorCode::E0102,
        call.span,
        format!("`{name}` takes {want} argument{plural}, {given} given"),
        format!("{given} argument{} here", if given == 1 { "" } else { "s" }),
    )
    .with_help(format!(
        "call it as `{name}({})`",
        (0..min)
            .map(|i| format!("arg{}", i + 1))
            .collect::<Vec<_>>()
            .join(", ")
    ))
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
