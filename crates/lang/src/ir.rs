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
}
