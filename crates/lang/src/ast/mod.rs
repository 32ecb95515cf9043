//! The abstract syntax tree of a condition. Every node carries the byte span of its source;
//! spans are ignored by equality so tests can compare structure. [`Expr::children`] is the one
//! way to visit a node's sub-expressions; the canonical source form is in `display.rs`.

mod display;
mod walk;

pub use crate::span::{OpSpan, Span};
use serde_json::Value;

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
    "if",
    "then",
    "else",
    "let",
];

/// An expression node with its source span.
#[derive(Clone, Debug)]
pub struct Expr {
    /// What the node is.
    pub kind: ExprKind,
    /// Where it is in the source.
    pub span: Span,
}

impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
    }
}

/// A name with its span (function names, operators).
#[derive(Clone, Debug)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it is.
    pub span: Span,
}

impl PartialEq for Ident {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

/// The kinds of expression. Equality compares structure: the operator spans of comparisons
/// and tests are ignored, like every other span.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A literal JSON value: string, number, boolean, null or a list of literals.
    Literal(Value),
    /// A path into the document.
    Path(Path),
    /// `name(args...)`: a built-in or native function.
    Call {
        /// The function name.
        name: Ident,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// `any/all/none(LIST, COND)`.
    Quantifier {
        /// Which quantifier.
        kind: Quantifier,
        /// The list iterated.
        list: Box<Expr>,
        /// The condition evaluated with `@` bound to each element.
        body: Box<Expr>,
    },
    /// `not C`.
    Not(Box<Expr>),
    /// `A and B`.
    And(Box<Expr>, Box<Expr>),
    /// `A or B`.
    Or(Box<Expr>, Box<Expr>),
    /// `A op B`, possibly negated in place (`A not in B`).
    Compare {
        /// The operator.
        op: CmpOp,
        /// True for `not op`.
        negated: bool,
        /// Span of the operator token(s).
        op_span: OpSpan,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `A test` or `A not test`.
    Test {
        /// The test.
        test: TestKind,
        /// True for `not test`.
        negated: bool,
        /// Span of the test word(s).
        op_span: OpSpan,
        /// The operand.
        operand: Box<Expr>,
    },
    /// `A + B` and friends.
    Arith {
        /// The operator.
        op: ArithOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// Unary minus.
    Neg(Box<Expr>),
    /// A path into a function's result: `parse_json(Policy).Statement[0]`.
    Access {
        /// The expression the path starts at (a call, a parenthesised expression, a literal,
        /// a computed access).
        base: Box<Expr>,
        /// The steps after it.
        segments: Vec<Segment>,
    },
    /// `x[E]`: the element (integer E) or member (string E) of `x` that E computes.
    Index {
        /// What is indexed.
        base: Box<Expr>,
        /// The index or key.
        index: Box<Expr>,
    },
    /// `if C then A else B`: C read as a condition, then only the chosen branch evaluated.
    If {
        /// The condition.
        cond: Box<Expr>,
        /// The value when it holds.
        then: Box<Expr>,
        /// The value otherwise.
        els: Box<Expr>,
    },
    /// `A ?? B`: A when present, defined and not null, else B.
    Coalesce(Box<Expr>, Box<Expr>),
    /// `[E, ...]` with a member that is not a literal (an all-literal list is a `Literal`).
    List(Vec<Expr>),
    /// `{key: E, ...}` with a member that is not a literal (an all-literal object is a
    /// `Literal`).
    Object(Vec<(Ident, Expr)>),
    /// `let NAME = VALUE in BODY`.
    Let {
        /// The name bound.
        name: Ident,
        /// The value bound to it.
        value: Box<Expr>,
        /// Where the name is bound.
        body: Box<Expr>,
    },
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=` (always `not ==`)
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in`
    In,
    /// `contains`
    Contains,
    /// `starts_with`
    StartsWith,
    /// `ends_with`
    EndsWith,
    /// `matches`
    Matches,
    /// `in_cidr`
    InCidr,
}

impl CmpOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::In => "in",
            CmpOp::Contains => "contains",
            CmpOp::StartsWith => "starts_with",
            CmpOp::EndsWith => "ends_with",
            CmpOp::Matches => "matches",
            CmpOp::InCidr => "in_cidr",
        }
    }
    /// True for the word operators that can be negated in place.
    pub fn is_word(self) -> bool {
        !matches!(
            self,
            CmpOp::Eq | CmpOp::Ne | CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge
        )
    }
}

/// Postfix tests.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TestKind {
    /// `exists`
    Exists,
    /// `is_null`
    IsNull,
    /// `is_empty`
    IsEmpty,
}

impl TestKind {
    /// The test as written.
    pub fn as_str(self) -> &'static str {
        match self {
            TestKind::Exists => "exists",
            TestKind::IsNull => "is_null",
            TestKind::IsEmpty => "is_empty",
        }
    }
}

/// Arithmetic operators.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Hash, serde::Serialize)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl ArithOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
        }
    }
}

/// Quantifiers.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantifier {
    /// `any`
    Any,
    /// `all`
    All,
    /// `none`
    None,
    /// `first(L, C)`: the first element where C holds.
    First,
    /// `filter(L, C)`: the elements where C holds, as a list.
    Filter,
    /// `map(L, E)`: E per element, as a list.
    Map,
    /// `count(L, C)`: how many elements C holds for.
    Count,
}

impl Quantifier {
    /// The quantifier as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Quantifier::Any => "any",
            Quantifier::All => "all",
            Quantifier::None => "none",
            Quantifier::First => "first",
            Quantifier::Filter => "filter",
            Quantifier::Map => "map",
            Quantifier::Count => "count",
        }
    }
    /// The collection function called `name` (written as a call: `first(L, C)`).
    pub fn collection(name: &str) -> Option<Quantifier> {
        match name {
            "first" => Some(Quantifier::First),
            "filter" => Some(Quantifier::Filter),
            "map" => Some(Quantifier::Map),
            "count" => Some(Quantifier::Count),
            _ => None,
        }
    }
    /// True for `any`, `all` and `none`, whose result is a truth value.
    pub fn is_boolean(self) -> bool {
        matches!(self, Quantifier::Any | Quantifier::All | Quantifier::None)
    }
}

/// Where a path starts.
#[derive(Clone, Debug, PartialEq)]
pub enum PathRoot {
    /// A bare path: the document, or `@` inside a quantifier.
    Implicit,
    /// `@`: the current quantifier element.
    Current,
    /// `$`: the root document, followed by simple segments.
    Root,
    /// `$` followed by a JSONPath that is not only names and indexes (multi-valued).
    JsonPath(String),
}

/// One step of a path.
#[derive(Clone, Debug, PartialEq)]
pub enum Segment {
    /// `.key` or `` .`key` ``.
    Key(String),
    /// `[n]`, negative from the end.
    Index(i64),
    /// `[*]`: fan-out.
    Wildcard,
}

/// A path into the document.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    /// Where it starts.
    pub root: PathRoot,
    /// The steps after the root.
    pub segments: Vec<Segment>,
}

impl Path {
    /// True when the path can yield several values.
    pub fn is_multi(&self) -> bool {
        matches!(self.root, PathRoot::JsonPath(_)) || self.segments.contains(&Segment::Wildcard)
    }
}
