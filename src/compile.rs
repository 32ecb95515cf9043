//! Stage 3, compile: a checked AST → an evaluation-ready [`Program`]. Paths are pre-split,
//! JSONPath parsed once, regexes and CIDR blocks pre-built, natives resolved. A `Program` is
//! immutable and `Send + Sync`.

use crate::ast::{
    ArithOp, CmpOp, Expr, ExprKind, Path, PathRoot, Quantifier, Segment, Span, TestKind,
};
use crate::error::CompileError;
use crate::natives::{Native, Registry};
use crate::{check, syntax};
use ipnet::IpNet;
use jsonpath_rust::parser::model::JpQuery;
use regex::Regex;
use serde_json::Value;
use std::sync::Arc;

/// Largest compiled size of a `matches` regex, in bytes.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Compiles a regex literal with pounce's size limit.
pub fn build_regex(src: &str) -> Result<Regex, String> {
    regex::RegexBuilder::new(src)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| match e {
            regex::Error::Syntax(s) => s
                .lines()
                .last()
                .unwrap_or("syntax error")
                .trim()
                .trim_start_matches("error: ")
                .to_string(),
            regex::Error::CompiledTooBig(n) => format!("regex larger than {n} bytes when compiled"),
            other => other.to_string(),
        })
}

/// Parses a CIDR literal `addr/prefix` (host bits allowed).
pub fn parse_cidr_literal(s: &str) -> Result<IpNet, String> {
    if !s.contains('/') {
        return Err("missing `/prefix`".to_string());
    }
    s.parse::<IpNet>()
        .map_err(|_| "not an `address/prefix` block".to_string())
}

/// The built-in functions.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Builtin {
    /// `len(x)`: characters of a string, elements of a list, entries of an object.
    Len,
    /// `lower(x)`: a string in lower case.
    Lower,
    /// `upper(x)`: a string in upper case.
    Upper,
}

impl Builtin {
    /// Their names.
    pub const NAMES: &'static [&'static str] = &["len", "lower", "upper"];
    /// The built-in called `name`.
    pub fn from_name(name: &str) -> Option<Builtin> {
        match name {
            "len" => Some(Builtin::Len),
            "lower" => Some(Builtin::Lower),
            "upper" => Some(Builtin::Upper),
            _ => None,
        }
    }
}

/// A compiled condition: the decision procedure for one condition.
#[derive(Debug)]
pub struct Program {
    pub(crate) root: Node,
    source: Arc<str>,
    ast: Expr,
}

impl Program {
    /// The condition's source text.
    pub fn source(&self) -> &str {
        &self.source
    }
    /// The condition's syntax tree.
    pub fn ast(&self) -> &Expr {
        &self.ast
    }
}

/// A compiled expression node.
#[derive(Debug)]
pub(crate) struct Node {
    pub kind: NodeKind,
    pub span: Span,
}

/// A compiled path.
#[derive(Debug)]
pub(crate) struct CPath {
    pub root: CRoot,
    pub segments: Vec<Segment>,
    pub multi: bool,
    pub text: String,
    /// Keys match exactly whatever the environment says (data-model path mappings).
    pub exact: bool,
}

#[derive(Debug)]
pub(crate) enum CRoot {
    Implicit,
    Current,
    Root,
    JsonPath(Box<JpQuery>),
}

/// Right sides of `matches` / `in_cidr` built once.
#[derive(Debug)]
pub(crate) enum Prebuilt {
    None,
    Regex(Regex),
    Cidrs(Vec<IpNet>),
}

#[derive(Debug)]
pub(crate) enum NodeKind {
    Literal(Value),
    Path(CPath),
    Builtin(Builtin, Box<Node>),
    Native(Arc<Native>, Vec<Node>),
    Quantifier(Quantifier, Box<Node>, Box<Node>),
    Not(Box<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
    Compare {
        op: CmpOp,
        negated: bool,
        lhs: Box<Node>,
        rhs: Box<Node>,
        pre: Prebuilt,
    },
    Test {
        test: TestKind,
        negated: bool,
        operand: Box<Node>,
    },
    Arith(ArithOp, Box<Node>, Box<Node>),
    Neg(Box<Node>),
    Udm(Box<Udm>),
    /// A path into a computed value: the call, the steps, whether they fan out.
    Access(Box<Node>, Vec<Segment>, bool),
}

/// `udm("name")`: per log type, the mapping of the data model that applies.
#[derive(Debug)]
pub(crate) struct Udm {
    pub models: Vec<(Vec<String>, UdmTarget)>,
    /// `p_udm.<name>`, read when no data model applies.
    pub p_udm: CPath,
    /// `<name>` at the top level, read when no data model applies and `p_udm` has nothing.
    pub top: CPath,
}

/// What a data-model name resolves to.
#[derive(Debug)]
pub(crate) enum UdmTarget {
    Path(CPath),
    Native(Arc<Native>),
}

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

type Lowered = Result<Node, Vec<crate::error::ConditionError>>;

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
        ExprKind::Call { name, args } if name.name == "udm" => {
            let Some(Expr {
                kind: ExprKind::Literal(Value::String(n)),
                ..
            }) = args.first()
            else {
                return Err(vec![internal(span)]);
            };
            node(NodeKind::Udm(Box::new(
                lower_udm(n, reg).map_err(|_| vec![internal(span)])?,
            )))
        }
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
            node(NodeKind::Native(native.clone(), lowered))
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
fn flatten(
    e: &Expr,
    and: bool,
    reg: &Registry,
) -> Result<Vec<Node>, Vec<crate::error::ConditionError>> {
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

fn lower_path(p: &Path) -> Result<CPath, Vec<crate::error::ConditionError>> {
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
        exact: false,
        text: p.to_string(),
    })
}

fn internal(span: Span) -> crate::error::ConditionError {
    crate::error::ConditionError::new(
        crate::error::ErrorCode::E0001,
        span,
        "internal error: the checker accepted what the compiler cannot build",
        "here",
    )
}

fn root_path(text: &str, exact: bool) -> Result<CPath, ()> {
    let e = syntax::parse(text).map_err(|_| ())?;
    let ExprKind::Path(p) = e.kind else {
        return Err(());
    };
    let mut c = lower_path(&p).map_err(|_| ())?;
    if matches!(c.root, CRoot::Implicit) {
        c.root = CRoot::Root;
    }
    c.exact = exact;
    Ok(c)
}

fn lower_udm(name: &str, reg: &Registry) -> Result<Udm, ()> {
    use crate::rules::datamodel::Mapping;
    let mut models = Vec::new();
    for m in reg.data_models() {
        for (n, mapping) in &m.mappings {
            if n != name {
                continue;
            }
            let target = match mapping {
                Mapping::Path(p) => UdmTarget::Path(root_path(p, true)?),
                Mapping::Method(f) => UdmTarget::Native(reg.get(f).cloned().ok_or(())?),
            };
            models.push((m.log_types.clone(), target));
        }
    }
    let quoted = format!("`{name}`");
    Ok(Udm {
        models,
        p_udm: root_path(&format!("p_udm.{quoted}"), false)?,
        top: root_path(&quoted, false)?,
    })
}
