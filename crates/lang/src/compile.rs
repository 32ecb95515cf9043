//! Stage 3, compile: a checked AST → an evaluation-ready [`Program`] (the IR in `ir.rs`).
//! Paths are pre-split, JSONPath parsed once, regexes and CIDR blocks pre-built, functions
//! resolved (prepared functions get their literal arguments here). A `Program` is immutable
//! and `Send + Sync`.

use crate::ast::{CmpOp, Expr, ExprKind, Path, PathRoot, Segment, Span};
use crate::error::{CompileError, ConditionError, ErrorCode};
use crate::functions::{Builtin, Registry};
use crate::ir::{CPath, CRoot, Node, NodeKind, Prebuilt, Program};
use crate::literals::{build_regex, parse_cidr_literal};
use crate::{check, syntax};
use serde_json::Value;
use std::sync::Arc;

/// Parses, checks and compiles `src` with the natives of `registry`. `name` names the source in
/// diagnostics (a file name, or `condition`).
pub fn compile_named(name: &str, src: &str, registry: &Registry) -> Result<Program, CompileError> {
    let rec = syntax::parse_recovering(src);
    if !rec.errors.is_empty() {
        // Report the syntax errors, and what the checker finds in the condition once the
        // suggested fixes are applied (with spans mapped back to the source as written).
        let mut errs = rec.errors.clone();
        if let Some(patched) = &rec.patched {
            errs.extend(check::check(patched, registry).into_iter().map(|mut e| {
                e.span = rec.original_span(e.span);
                e
            }));
        }
        return Err(CompileError::new(name, src, errs));
    }
    let ast = rec
        .patched
        .ok_or_else(|| CompileError::new(name, src, vec![internal(Span::new(0, src.len()))]))?;
    let errs = check::check(&ast, registry);
    if !errs.is_empty() {
        return Err(CompileError::new(name, src, errs));
    }
    let root = lower(&ast, registry).map_err(|errs| CompileError::new(name, src, errs))?;
    Ok(Program {
        root,
        source: Arc::from(src),
        ast,
    })
}

/// Parses, checks and compiles `src` with the natives of `registry`.
pub fn compile(src: &str, registry: &Registry) -> Result<Program, CompileError> {
    compile_named("condition", src, registry)
}

type Lowered = Result<Node, Vec<ConditionError>>;

/// Lowers one node. `lower` recurses once per level of the tree, and in a debug build a frame
/// holds the temporaries of every arm of its `match`: the arms are separate functions so that
/// a tree of `MAX_DEPTH` levels fits a 2 MiB thread stack (it did not at 200 levels).
fn lower(e: &Expr, reg: &Registry) -> Lowered {
    match &e.kind {
        ExprKind::Compare { .. } => lower_compare(e, reg),
        ExprKind::Call { .. } => lower_call(e, reg),
        ExprKind::Not(a) => lower_one(e, a, reg),
        ExprKind::Neg(a) => lower_one(e, a, reg),
        ExprKind::Test { operand, .. } => lower_one(e, operand, reg),
        ExprKind::Access { base, .. } => lower_one(e, base, reg),
        ExprKind::Arith { lhs, rhs, .. } => lower_two(e, lhs, rhs, reg),
        ExprKind::Quantifier { list, body, .. } => lower_two(e, list, body, reg),
        _ => lower_rest(e, reg),
    }
}

/// A node with one child.
#[inline(never)]
fn lower_one(e: &Expr, child: &Expr, reg: &Registry) -> Lowered {
    let child = Box::new(lower(child, reg)?);
    let kind = match &e.kind {
        ExprKind::Not(_) => NodeKind::Not(child),
        ExprKind::Neg(_) => NodeKind::Neg(child),
        ExprKind::Test { test, negated, .. } => NodeKind::Test {
            test: *test,
            negated: *negated,
            operand: child,
        },
        ExprKind::Access { segments, .. } => NodeKind::Access(
            child,
            segments.clone(),
            segments.contains(&Segment::Wildcard),
        ),
        _ => return Err(vec![internal(e.span)]),
    };
    Ok(Node { kind, span: e.span })
}

/// A node with two children.
#[inline(never)]
fn lower_two(e: &Expr, a: &Expr, b: &Expr, reg: &Registry) -> Lowered {
    let a = Box::new(lower(a, reg)?);
    let b = Box::new(lower(b, reg)?);
    let kind = match &e.kind {
        ExprKind::Arith { op, .. } => NodeKind::Arith(*op, a, b),
        ExprKind::Quantifier { kind, .. } => NodeKind::Quantifier(*kind, a, b),
        _ => return Err(vec![internal(e.span)]),
    };
    Ok(Node { kind, span: e.span })
}

#[inline(never)]
fn lower_rest(e: &Expr, reg: &Registry) -> Lowered {
    let span = e.span;
    let node = |kind| Ok(Node { kind, span });
    match &e.kind {
        ExprKind::Literal(v) => node(NodeKind::Literal(v.clone())),
        ExprKind::Path(p) => node(NodeKind::Path(lower_path(p)?)),
        ExprKind::And(..) => node(NodeKind::And(flatten(e, true, reg)?)),
        ExprKind::Or(..) => node(NodeKind::Or(flatten(e, false, reg)?)),
        _ => Err(vec![internal(span)]),
    }
}

#[inline(never)]
fn lower_call(e: &Expr, reg: &Registry) -> Lowered {
    let span = e.span;
    let node = |kind| Ok(Node { kind, span });
    match &e.kind {
        ExprKind::Call { name, args } => {
            let mut lowered = args
                .iter()
                .map(|a| lower(a, reg))
                .collect::<Result<Vec<_>, _>>()?;
            if let Some(b) = Builtin::from_name(&name.name) {
                let arg = lowered.pop().ok_or_else(|| vec![internal(span)])?;
                return node(NodeKind::Builtin(b, Box::new(arg)));
            }
            let native = reg.get(&name.name).ok_or_else(|| vec![internal(span)])?;
            let native = match native.prepare(&check::literal_args(args)) {
                None => native.clone(),
                Some(prepared) => Arc::new(prepared.map_err(|_| vec![internal(span)])?),
            };
            node(NodeKind::Native(native, lowered))
        }
        _ => Err(vec![internal(span)]),
    }
}

#[inline(never)]
fn lower_compare(e: &Expr, reg: &Registry) -> Lowered {
    let span = e.span;
    let node = |kind| Ok(Node { kind, span });
    match &e.kind {
        ExprKind::Compare {
            op,
            negated,
            lhs,
            rhs,
            ..
        } => {
            let pre = match (op, &rhs.kind) {
                (CmpOp::Matches, ExprKind::Literal(Value::String(re))) => {
                    Prebuilt::Regex(build_regex(re).map_err(|_| vec![internal(rhs.span)])?)
                }
                (CmpOp::InCidr, ExprKind::Literal(v)) => {
                    let items: Vec<&Value> = match v {
                        Value::Array(a) => a.iter().collect(),
                        other => vec![other],
                    };
                    let nets = items
                        .into_iter()
                        .map(|i| {
                            i.as_str()
                                .and_then(|s| parse_cidr_literal(s).ok())
                                .ok_or_else(|| vec![internal(rhs.span)])
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    Prebuilt::Cidrs(nets)
                }
                _ => Prebuilt::None,
            };
            node(NodeKind::Compare {
                op: *op,
                negated: *negated,
                lhs: Box::new(lower(lhs, reg)?),
                rhs: Box::new(lower(rhs, reg)?),
                pre,
            })
        }
        _ => Err(vec![internal(span)]),
    }
}

/// `a and (b and c)` → `[a, b, c]`: conjuncts (or disjuncts) as one list, in source order.
fn flatten(e: &Expr, and: bool, reg: &Registry) -> Result<Vec<Node>, Vec<ConditionError>> {
    let mut out = Vec::new();
    let mut stack = vec![e];
    while let Some(cur) = stack.pop() {
        match (&cur.kind, and) {
            (ExprKind::And(a, b), true) | (ExprKind::Or(a, b), false) => {
                stack.push(b);
                stack.push(a);
            }
            _ => out.push(lower(cur, reg)?),
        }
    }
    Ok(out)
}

fn lower_path(p: &Path) -> Result<CPath, Vec<ConditionError>> {
    let root = match &p.root {
        PathRoot::Implicit => CRoot::Implicit,
        PathRoot::Current => CRoot::Current,
        PathRoot::Root => CRoot::Root,
        PathRoot::JsonPath(text) => CRoot::JsonPath(Box::new(
            jsonpath_rust::parser::parse_json_path(text)
                .map_err(|_| vec![internal(Span::default())])?,
        )),
    };
    Ok(CPath {
        root,
        segments: p.segments.clone(),
        multi: p.is_multi(),
        text: p.to_string(),
    })
}

fn internal(span: Span) -> ConditionError {
    ConditionError::new(
        ErrorCode::E0001,
        span,
        "internal error: the checker accepted what the compiler cannot build",
        "here",
    )
}
