//! The compiled form of a condition (the IR): a tree of [`Node`]s with paths pre-split,
//! JSONPath parsed, regexes and CIDR blocks built and functions resolved. Built by
//! `compile.rs`, read by evaluation, explanation and read analysis.

use crate::ast::{ArithOp, CmpOp, Expr, Quantifier, Segment, Span, TestKind};
use crate::functions::{Builtin, Native};
use ipnet::IpNet;
use jsonpath_rust::parser::model::JpQuery;
use regex::Regex;
use serde_json::Value;
use std::sync::Arc;

/// A compiled condition: the decision procedure for one condition.
#[derive(Debug)]
pub struct Program {
    pub(crate) root: Node,
    pub(crate) source: Arc<str>,
    pub(crate) ast: Expr,
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
}

#[derive(Debug)]
pub(crate) enum CRoot {
    Implicit,
    Current,
    Root,
    JsonPath(Box<JpQuery>),
    /// A `let` binding or a function parameter, by slot.
    Binding(usize),
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
    /// A path into a computed value: the call, the steps, whether they fan out.
    Access(Box<Node>, Vec<Segment>, bool),
    /// `x[E]`.
    Index(Box<Node>, Box<Node>),
    /// `if C then A else B`.
    If(Box<Node>, Box<Node>, Box<Node>),
    /// `A ?? B`.
    Coalesce(Box<Node>, Box<Node>),
    /// A list literal with computed members.
    List(Vec<Node>),
    /// An object literal with computed members.
    Object(Vec<(String, Node)>),
    /// `let`: the slot the value is bound to, the name, the value, the body.
    Let(usize, String, Box<Node>, Box<Node>),
    /// A call of a user-defined function.
    Call(Arc<Function>, Vec<Node>),
}

/// A user-defined function, compiled once and shared by every call.
#[derive(Debug)]
pub struct Function {
    /// Its name.
    pub name: String,
    /// Its parameters, in order.
    pub params: Vec<String>,
    /// Where it was defined (a file name, for messages and pages).
    pub origin: String,
    pub(crate) body: Node,
    pub(crate) source: Arc<str>,
    pub(crate) ast: Expr,
}

impl Function {
    /// The body's source text.
    pub fn source(&self) -> &str {
        &self.source
    }
    /// The body's syntax tree.
    pub fn ast(&self) -> &Expr {
        &self.ast
    }
    /// The signature as written: `name(a, b)`.
    pub fn signature(&self) -> String {
        format!("{}({})", self.name, self.params.join(", "))
    }
}

/// A node's children: up to three fixed ones, a list of them, object members.
type Parts<'n> = ([Option<&'n Node>; 3], &'n [Node], &'n [(String, Node)]);

impl Node {
    /// The direct sub-nodes, in source order (what a walk over the IR visits).
    pub(crate) fn children(&self) -> impl Iterator<Item = &Node> + '_ {
        let (fixed, rest, members): Parts<'_> = match &self.kind {
            NodeKind::Literal(_) | NodeKind::Path(_) => ([None, None, None], &[], &[]),
            NodeKind::Builtin(_, a)
            | NodeKind::Not(a)
            | NodeKind::Neg(a)
            | NodeKind::Access(a, _, _)
            | NodeKind::Test { operand: a, .. } => ([Some(a), None, None], &[], &[]),
            NodeKind::Native(_, items)
            | NodeKind::And(items)
            | NodeKind::Or(items)
            | NodeKind::List(items)
            | NodeKind::Call(_, items) => ([None, None, None], items.as_slice(), &[]),
            NodeKind::Object(m) => ([None, None, None], &[], m.as_slice()),
            NodeKind::Quantifier(_, a, b)
            | NodeKind::Compare { lhs: a, rhs: b, .. }
            | NodeKind::Arith(_, a, b)
            | NodeKind::Coalesce(a, b)
            | NodeKind::Index(a, b)
            | NodeKind::Let(_, _, a, b) => ([Some(a), Some(b), None], &[], &[]),
            NodeKind::If(a, b, c) => ([Some(a), Some(b), Some(c)], &[], &[]),
        };
        fixed
            .into_iter()
            .flatten()
            .chain(rest.iter())
            .chain(members.iter().map(|(_, n)| n))
    }
}
