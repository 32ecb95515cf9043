//! Errors of the condition pipeline: each has a stable code, a span, a label and a help line.
//! They render through miette; a [`CompileError`] carries the source and every error found.

use crate::ast::Span;
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};
use std::fmt;

/// The stable error codes of conditions. Each is documented with an input that triggers it
/// (docs/LANGUAGE.md lists them all with the rendered message).
#[derive(Clone, Copy, Debug, Eq, PartialEq, Hash, serde::Serialize)]
pub enum ErrorCode {
    /// Syntax error: the parser found something else than what it expected. `a ==`
    E0001,
    /// Unknown operator or test word where one was expected. `a startswith "x"`
    E0002,
    /// Comparisons and tests do not chain. `a == b == c`, `a is_null is_empty`
    E0003,
    /// A number literal that overflows, or an invalid literal. `x == 1e999`
    E0004,
    /// The condition nests deeper than the limit. `((((((…))))))`
    E0005,
    /// Unknown function. `lenght(x)`
    E0101,
    /// Wrong number of arguments. `len(a, b)`
    E0102,
    /// Invalid regular expression. `x matches "(["`
    E0103,
    /// Invalid CIDR literal. `ip in_cidr "10.0.0.0/33"`
    E0104,
    /// `@` outside a quantifier. `@.x == 1`
    E0105,
    /// Invalid JSONPath after `$`. `$[?@.a ==] exists`
    E0106,
    /// The right side of `matches` must be a string literal. `x matches y`
    E0107,
    /// The right side of `in_cidr` is a literal that is not a string or a list of strings. `ip in_cidr 10`
    E0108,
    /// `udm(...)` of a name no data model maps, or not a string literal. `udm("actor")`
    E0109,
    /// An object literal repeats a key. `{"a": x, "a": y}`
    E0110,
    /// A function is defined twice (in one pack). `is_root(i): …` in two functions files
    E0111,
    /// Functions call each other in a cycle. `f(x): g(x)` and `g(x): f(x)`
    E0112,
    /// A function takes the name of a built-in. `len(x): 1`
    E0113,
    /// A function body reads a field that is not one of its parameters. `f(x): y == 1`
    E0114,
}

impl ErrorCode {
    /// The code as shown to users, e.g. `pounce::E0101`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::E0001 => "pounce::E0001",
            ErrorCode::E0002 => "pounce::E0002",
            ErrorCode::E0003 => "pounce::E0003",
            ErrorCode::E0004 => "pounce::E0004",
            ErrorCode::E0005 => "pounce::E0005",
            ErrorCode::E0101 => "pounce::E0101",
            ErrorCode::E0102 => "pounce::E0102",
            ErrorCode::E0103 => "pounce::E0103",
            ErrorCode::E0104 => "pounce::E0104",
            ErrorCode::E0105 => "pounce::E0105",
            ErrorCode::E0106 => "pounce::E0106",
            ErrorCode::E0107 => "pounce::E0107",
            ErrorCode::E0108 => "pounce::E0108",
            ErrorCode::E0109 => "pounce::E0109",
            ErrorCode::E0110 => "pounce::E0110",
            ErrorCode::E0111 => "pounce::E0111",
            ErrorCode::E0112 => "pounce::E0112",
            ErrorCode::E0113 => "pounce::E0113",
            ErrorCode::E0114 => "pounce::E0114",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One error in a condition.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ConditionError {
    /// Stable code.
    pub code: ErrorCode,
    /// One-line message: lower case, no final period.
    pub message: String,
    /// The offending source.
    pub span: Span,
    /// Text of the label under the span.
    pub label: String,
    /// How to fix it.
    pub help: Option<String>,
    /// A replacement for the span's text that fixes the error, when one is certain enough.
    pub fix: Option<String>,
}

impl ConditionError {
    /// A new error.
    pub fn new(
        code: ErrorCode,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        ConditionError {
            code,
            message: message.into(),
            span,
            label: label.into(),
            help: None,
            fix: None,
        }
    }
    /// Adds a suggested replacement of the span's text.
    pub fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl Diagnostic for ConditionError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some(self.label.clone()), self.span),
        )))
    }
}

/// A condition that does not compile: its source and every error found, first one first.
#[derive(Debug)]
pub struct CompileError {
    /// The source (named `condition` or after the file it came from).
    pub src: NamedSource<String>,
    /// The errors, in source order; never empty.
    pub errors: Vec<ConditionError>,
}

impl CompileError {
    /// Wraps errors found in `source`.
    pub fn new(name: &str, source: &str, mut errors: Vec<ConditionError>) -> Self {
        errors.sort_by_key(|e| (e.span.start, e.span.end));
        errors.dedup();
        CompileError {
            src: NamedSource::new(name, source.to_string()),
            errors,
        }
    }
    /// The error codes, in order.
    pub fn codes(&self) -> Vec<ErrorCode> {
        self.errors.iter().map(|e| e.code).collect()
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.first() {
            Some(e) => write!(f, "{}", e.message),
            None => f.write_str("invalid condition"),
        }
    }
}

impl std::error::Error for CompileError {}

impl Diagnostic for CompileError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.errors.first().and_then(|e| e.code())
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.errors.first().and_then(|e| e.help())
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.errors.first().and_then(|e| e.labels())
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.src)
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.errors.len() < 2 {
            return None;
        }
        Some(Box::new(
            self.errors.iter().skip(1).map(|e| e as &dyn Diagnostic),
        ))
    }
}
