//! The abstract syntax tree of a condition. Every node carries the byte span of its source;
//! spans are ignored by equality so tests can compare structure.

use serde_json::Value;
use std::fmt;

/// A byte range `start..end` in the condition's source text.
#[derive(Clone, Copy, Debug, Default, Eq, Hash, PartialEq, PartialOrd, Ord, serde::Serialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The span `start..end`.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
    /// Length in bytes.
    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }
    /// True for an empty span.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.start, s.len()).into()
    }
}

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
#[derive(Clone, Debug)]
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
        op_span: Span,
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
        op_span: Span,
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
        /// The function call.
        base: Box<Expr>,
        /// The steps after it.
        segments: Vec<Segment>,
    },
}

impl PartialEq for ExprKind {
    fn eq(&self, other: &Self) -> bool {
        use ExprKind as K;
        match (self, other) {
            (K::Literal(a), K::Literal(b)) => a == b,
            (K::Path(a), K::Path(b)) => a == b,
            (K::Call { name: n, args: a }, K::Call { name: m, args: b }) => n == m && a == b,
            (
                K::Quantifier { kind, list, body },
                K::Quantifier {
                    kind: k2,
                    list: l2,
                    body: b2,
                },
            ) => kind == k2 && list == l2 && body == b2,
            (K::Not(a), K::Not(b)) | (K::Neg(a), K::Neg(b)) => a == b,
            (K::And(a, b), K::And(c, d)) | (K::Or(a, b), K::Or(c, d)) => a == c && b == d,
            (
                K::Compare {
                    op,
                    negated,
                    lhs,
                    rhs,
                    ..
                },
                K::Compare {
                    op: o2,
                    negated: n2,
                    lhs: l2,
                    rhs: r2,
                    ..
                },
            ) => op == o2 && negated == n2 && lhs == l2 && rhs == r2,
            (
                K::Test {
                    test,
                    negated,
                    operand,
                    ..
                },
                K::Test {
                    test: t2,
                    negated: n2,
                    operand: o2,
                    ..
                },
            ) => test == t2 && negated == n2 && operand == o2,
            (
                K::Arith { op, lhs, rhs },
                K::Arith {
                    op: o2,
                    lhs: l2,
                    rhs: r2,
                },
            ) => op == o2 && lhs == l2 && rhs == r2,
            (
                K::Access { base, segments },
                K::Access {
                    base: b2,
                    segments: s2,
                },
            ) => base == b2 && segments == s2,
            _ => false,
        }
    }
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
}

impl Quantifier {
    /// The quantifier as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Quantifier::Any => "any",
            Quantifier::All => "all",
            Quantifier::None => "none",
        }
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

fn is_bare_key(k: &str) -> bool {
    let mut chars = k.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !crate::syntax::KEYWORDS.contains(&k)
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        match &self.root {
            PathRoot::Implicit => {}
            PathRoot::Current => {
                f.write_str("@")?;
                first = false;
            }
            PathRoot::Root => {
                f.write_str("$")?;
                first = false;
            }
            PathRoot::JsonPath(p) => {
                f.write_str(p)?;
                first = false;
            }
        }
        for seg in &self.segments {
            match seg {
                Segment::Key(k) => {
                    if !first {
                        f.write_str(".")?;
                    }
                    if is_bare_key(k) {
                        f.write_str(k)?;
                    } else {
                        write!(f, "`{k}`")?;
                    }
                }
                Segment::Index(i) => write!(f, "[{i}]")?,
                Segment::Wildcard => f.write_str("[*]")?,
            }
            first = false;
        }
        Ok(())
    }
}

impl fmt::Display for Expr {
    /// Canonical source form: fully parenthesised where precedence would otherwise matter.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Literal(v) => write!(f, "{v}"),
            ExprKind::Path(p) => write!(f, "{p}"),
            ExprKind::Call { name, args } => {
                write!(f, "{}(", name.name)?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str(")")
            }
            ExprKind::Quantifier { kind, list, body } => {
                write!(f, "{}({list}, {body})", kind.as_str())
            }
            ExprKind::Not(e) => write!(f, "not {}", Paren(e)),
            ExprKind::And(a, b) => write!(f, "{} and {}", Paren(a), Paren(b)),
            ExprKind::Or(a, b) => write!(f, "{} or {}", Paren(a), Paren(b)),
            ExprKind::Compare {
                op,
                negated,
                lhs,
                rhs,
                ..
            } => {
                let not = if *negated { "not " } else { "" };
                write!(f, "{} {not}{} {}", Paren(lhs), op.as_str(), Paren(rhs))
            }
            ExprKind::Test {
                test,
                negated,
                operand,
                ..
            } => {
                let not = if *negated { "not " } else { "" };
                write!(f, "{} {not}{}", Paren(operand), test.as_str())
            }
            ExprKind::Arith { op, lhs, rhs } => {
                write!(f, "{} {} {}", Paren(lhs), op.as_str(), Paren(rhs))
            }
            ExprKind::Neg(e) => write!(f, "-{}", Paren(e)),
            ExprKind::Access { base, segments } => {
                let p = Path {
                    root: PathRoot::Implicit,
                    segments: segments.clone(),
                };
                let text = p.to_string();
                if text.starts_with('[') {
                    write!(f, "{base}{text}")
                } else {
                    write!(f, "{base}.{text}")
                }
            }
        }
    }
}

/// Display helper: parenthesise anything that is not atomic.
struct Paren<'a>(&'a Expr);

impl fmt::Display for Paren<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.kind {
            ExprKind::Literal(_)
            | ExprKind::Path(_)
            | ExprKind::Call { .. }
            | ExprKind::Access { .. }
            | ExprKind::Quantifier { .. } => write!(f, "{}", self.0),
            _ => write!(f, "({})", self.0),
        }
    }
}
