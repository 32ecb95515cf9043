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
    let root = Cx::new(registry, &[])
        .lower(&ast)
        .map_err(|errs| CompileError::new(name, src, errs))?;
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

/// Lowers a checked function body with its parameters bound.
pub(crate) fn lower_in(ast: &Expr, registry: &Registry, params: &[String]) -> Lowered {
    Cx::new(registry, params).lower(ast)
}

/// Compiles user-defined functions into `registry` (see [`Registry::define`]).
pub(crate) fn define_functions(
    registry: &mut Registry,
    defs: &[crate::functions::FunctionDef],
) -> Vec<crate::functions::FunctionError> {
    crate::define::define_functions(registry, defs)
}

type Lowered = Result<Node, Vec<ConditionError>>;

/// What lowering needs besides the tree: the registry, and the names bound at this point
/// (`let` bindings and function parameters, innermost last; a name's slot is its position).
struct Cx<'r> {
    reg: &'r Registry,
    scope: Vec<String>,
}

impl<'r> Cx<'r> {
    fn new(reg: &'r Registry, params: &[String]) -> Self {
        Cx {
            reg,
            scope: params.to_vec(),
        }
    }

    /// The slot of the binding `name` visible here (the innermost of that name).
    fn slot(&self, name: &str) -> Option<usize> {
        self.scope.iter().rposition(|n| n == name)
    }

    /// Lowers one node. `lower` recurses once per level of the tree, and in a debug build a
    /// frame holds the temporaries of every arm of its `match`: the arms are separate
    /// functions so that a tree of `MAX_DEPTH` levels fits a 2 MiB thread stack.
    fn lower(&mut self, e: &Expr) -> Lowered {
        match &e.kind {
            ExprKind::Compare { .. } => self.lower_compare(e),
            ExprKind::Call { .. } => self.lower_call(e),
            ExprKind::Not(a) | ExprKind::Neg(a) => self.lower_one(e, a),
            ExprKind::Test { operand, .. } => self.lower_one(e, operand),
            ExprKind::Access { base, .. } => self.lower_one(e, base),
            ExprKind::Arith { lhs, rhs, .. } => self.lower_two(e, lhs, rhs),
            ExprKind::Quantifier { list, body, .. } => self.lower_two(e, list, body),
            ExprKind::Coalesce(a, b) => self.lower_two(e, a, b),
            ExprKind::Index { base, index } => self.lower_two(e, base, index),
            ExprKind::If { .. } | ExprKind::Let { .. } => self.lower_binding(e),
            ExprKind::List(_) | ExprKind::Object(_) => self.lower_members(e),
            _ => self.lower_rest(e),
        }
    }

    /// A node with one child.
    #[inline(never)]
    fn lower_one(&mut self, e: &Expr, child: &Expr) -> Lowered {
        let child = Box::new(self.lower(child)?);
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
    fn lower_two(&mut self, e: &Expr, a: &Expr, b: &Expr) -> Lowered {
        let a = Box::new(self.lower(a)?);
        let b = Box::new(self.lower(b)?);
        let kind = match &e.kind {
            ExprKind::Arith { op, .. } => NodeKind::Arith(*op, a, b),
            ExprKind::Quantifier { kind, .. } => NodeKind::Quantifier(*kind, a, b),
            ExprKind::Coalesce(..) => NodeKind::Coalesce(a, b),
            ExprKind::Index { .. } => NodeKind::Index(a, b),
            _ => return Err(vec![internal(e.span)]),
        };
        Ok(Node { kind, span: e.span })
    }

    /// `if` and `let` (which binds a name for its body).
    #[inline(never)]
    fn lower_binding(&mut self, e: &Expr) -> Lowered {
        let kind = match &e.kind {
            ExprKind::If { cond, then, els } => NodeKind::If(
                Box::new(self.lower(cond)?),
                Box::new(self.lower(then)?),
                Box::new(self.lower(els)?),
            ),
            ExprKind::Let { name, value, body } => {
                let value = Box::new(self.lower(value)?);
                let slot = self.scope.len();
                self.scope.push(name.name.clone());
                let body = self.lower(body);
                self.scope.pop();
                NodeKind::Let(slot, name.name.clone(), value, Box::new(body?))
            }
            _ => return Err(vec![internal(e.span)]),
        };
        Ok(Node { kind, span: e.span })
    }

    /// List and object literals with computed members.
    #[inline(never)]
    fn lower_members(&mut self, e: &Expr) -> Lowered {
        let kind = match &e.kind {
            ExprKind::List(items) => NodeKind::List(
                items
                    .iter()
                    .map(|i| self.lower(i))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            ExprKind::Object(members) => NodeKind::Object(
                members
                    .iter()
                    .map(|(k, v)| Ok((k.name.clone(), self.lower(v)?)))
                    .collect::<Result<Vec<_>, Vec<ConditionError>>>()?,
            ),
            _ => return Err(vec![internal(e.span)]),
        };
        Ok(Node { kind, span: e.span })
    }

    #[inline(never)]
    fn lower_rest(&mut self, e: &Expr) -> Lowered {
        let span = e.span;
        let node = |kind| Ok(Node { kind, span });
        match &e.kind {
            ExprKind::Literal(v) => node(NodeKind::Literal(v.clone())),
            ExprKind::Path(p) => node(NodeKind::Path(self.lower_path(p)?)),
            ExprKind::And(..) => node(NodeKind::And(self.flatten(e, true)?)),
            ExprKind::Or(..) => node(NodeKind::Or(self.flatten(e, false)?)),
            _ => Err(vec![internal(span)]),
        }
    }

    #[inline(never)]
    fn lower_call(&mut self, e: &Expr) -> Lowered {
        let span = e.span;
        let node = |kind| Ok(Node { kind, span });
        let ExprKind::Call { name, args } = &e.kind else {
            return Err(vec![internal(span)]);
        };
        let mut lowered = args
            .iter()
            .map(|a| self.lower(a))
            .collect::<Result<Vec<_>, _>>()?;
        // User functions first, then the built-ins, then natives.
        if let Some(f) = self.reg.function(&name.name) {
            return node(NodeKind::Call(f.clone(), lowered));
        }
        if let Some(b) = Builtin::from_name(&name.name) {
            let arg = lowered.pop().ok_or_else(|| vec![internal(span)])?;
            return node(NodeKind::Builtin(b, Box::new(arg)));
        }
        let native = self
            .reg
            .get(&name.name)
            .ok_or_else(|| vec![internal(span)])?;
        let native = match native.prepare(&check::literal_args(args)) {
            None => native.clone(),
            Some(prepared) => Arc::new(prepared.map_err(|_| vec![internal(span)])?),
        };
        node(NodeKind::Native(native, lowered))
    }

    #[inline(never)]
    fn lower_compare(&mut self, e: &Expr) -> Lowered {
        let span = e.span;
        let ExprKind::Compare {
            op,
            negated,
            lhs,
            rhs,
            ..
        } = &e.kind
        else {
            return Err(vec![internal(span)]);
        };
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
        Ok(Node {
            kind: NodeKind::Compare {
                op: *op,
                negated: *negated,
                lhs: Box::new(self.lower(lhs)?),
                rhs: Box::new(self.lower(rhs)?),
                pre,
            },
            span,
        })
    }

    /// `a and (b and c)` → `[a, b, c]`: conjuncts (or disjuncts) as one list, in source order.
    fn flatten(&mut self, e: &Expr, and: bool) -> Result<Vec<Node>, Vec<ConditionError>> {
        let mut out = Vec::new();
        let mut stack = vec![e];
        while let Some(cur) = stack.pop() {
            match (&cur.kind, and) {
                (ExprKind::And(a, b), true) | (ExprKind::Or(a, b), false) => {
                    stack.push(b);
                    stack.push(a);
                }
                _ => out.push(self.lower(cur)?),
            }
        }
        Ok(out)
    }

    /// A path; a bare path whose first key is a bound name starts at the binding.
    fn lower_path(&self, p: &Path) -> Result<CPath, Vec<ConditionError>> {
        let mut segments = p.segments.clone();
        let root = match &p.root {
            PathRoot::Implicit => match segments.first() {
                Some(Segment::Key(k)) if self.slot(k).is_some() => {
                    let slot = self.slot(k).unwrap_or_default();
                    segments.remove(0);
                    CRoot::Binding(slot)
                }
                _ => CRoot::Implicit,
            },
            PathRoot::Current => CRoot::Current,
            PathRoot::Root => CRoot::Root,
            PathRoot::JsonPath(text) => CRoot::JsonPath(Box::new(
                jsonpath_rust::parser::parse_json_path(text)
                    .map_err(|_| vec![internal(Span::default())])?,
            )),
        };
        Ok(CPath {
            root,
            multi: p.is_multi(),
            segments,
            text: p.to_string(),
        })
    }
}

fn internal(span: Span) -> ConditionError {
    ConditionError::new(
        ErrorCode::E0001,
        span,
        "internal error: the checker accepted what the compiler cannot build",
        "here",
    )
}
