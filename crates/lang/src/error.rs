//! Errors of the condition pipeline: each has a stable code, a span, a label and a help line.
//! They render through miette; a [`CompileError`] carries the source and every error found.
//! [`ErrorCode`] is the one list of every code pounce reports, the host's included.

use crate::ast::Span;
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};
use std::fmt;

/// Declares [`ErrorCode`] from one list: each variant with its doc comment, and the text of
/// each code derived from the variant's name, so that a code cannot be spelt two ways.
macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])+ $name:ident, )+) => {
        /// Every stable code pounce reports, E (errors) and W (warnings), in one enum; each is
        /// documented with an input that triggers it. E00xx and E01xx are the condition
        /// errors of this crate (docs/LANGUAGE.md); E02xx are rule-file errors and W01xx the
        /// warnings of `pounce lint`, reported by the host (docs/DIAGNOSTICS.md).
        #[derive(Clone, Copy, Debug, Eq, PartialEq, Hash)]
        pub enum ErrorCode {
            $( $(#[doc = $doc])+ $name, )+
        }

        impl ErrorCode {
            /// Every code, in order (the order of their text).
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$name),+];

            /// The code as shown to users, e.g. `pounce::E0101`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( ErrorCode::$name => concat!("pounce::", stringify!($name)), )+
                }
            }

            /// The code without its `pounce::` prefix, as `LintAllow` lists it: `W0103`.
            pub fn name(self) -> &'static str {
                match self {
                    $( ErrorCode::$name => stringify!($name), )+
                }
            }
        }
    };
}

error_codes! {
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
    /// A function is defined twice (in one pack), or names a parameter twice. `is_root(i): …` in two functions files
    E0111,
    /// Functions call each other in a cycle. `f(x): g(x)` and `g(x): f(x)`
    E0112,
    /// A function takes the name of a built-in. `len(x): 1`
    E0113,
    /// A function body reads a field that is not one of its parameters. `f(x): y == 1`
    E0114,
    /// Invalid YAML, a YAML size limit exceeded, or a file that is not UTF-8. `Tags: [a`
    E0201,
    /// A key repeated in one mapping. `Severity: High` written twice
    E0202,
    /// A value of the wrong type, or an unknown `KeyMatching`. `Enabled: ture`
    E0203,
    /// An empty rule file, or one without `Condition`. a file with only `PolicyID: A.B`
    E0204,
    /// No ID for the analysis type. `AnalysisType: policy` without `PolicyID`
    E0205,
    /// `AnalysisType` missing or other than `policy`/`rule`. `AnalysisType: polcy`
    E0206,
    /// `Severity` (or a `DynamicSeverities` `ChangeTo`) missing or not a Panther severity. `Severity: Urgent`
    E0207,
    /// Two rule files of one pack with the same ID. `PolicyID: A.B` in two files
    E0208,
    /// A test with no document, or with both `Resource` and `Log`. a test with only `Name` and `ExpectedResult`
    E0209,
    /// A rule file that cannot be read. a `rule.yml` without read permission
    E0210,
    /// An invalid data-model file: bad YAML or keys, a mapping without exactly one of `Path` and `Method`, or an unknown native. `Method: no_such_native`
    E0211,
    /// An invalid functions file: no `Functions`, a key that is not `name(params)`, or an empty body. `is root: true`
    E0212,
    /// Unknown top-level key of a rule file. `Severty: High`
    W0101,
    /// A field that none of the rule's test documents has. `Nmae == "x"` with tests that have `Name`
    W0102,
    /// A negation over a field missing in some test documents. `Versioning != "Enabled"` where a test lacks `Versioning`
    W0103,
    /// `all(...)` over a list that some test documents lack. `all(Grants, @.ok)` where a test has no `Grants`
    W0104,
    /// Conjuncts that contradict each other. `a == "x" and a == "y"`
    W0105,
    /// A condition whose result never changes. `a == 1 or not a == 1`, `"x" == "y"`
    W0106,
    /// The same conjunct twice. `a == 1 and b and a == 1`
    W0107,
    /// A regex that is a plain string test. `x matches "^prod"`
    W0108,
    /// A rule file without `Tests`. a policy with no `Tests` key
    W0109,
    /// Every test expects the same outcome. only `ExpectedResult: true` tests
    W0110,
    /// An exclusion no test exercises. `... and userIdentity.type != "AWSService"` with no AWSService test
    W0111,
    /// An unknown ATT&CK tactic or technique, or a technique of another tactic. `TA0005:T1562.08`
    W0112,
    /// A revoked or deprecated ATT&CK technique. `TA0010:T1002`
    W0113,
    /// A `let` name that is also a field of the test documents. `let eventName = "x" in …` with tests that have `eventName`
    W0114,
    /// A condition whose cost grows faster than linearly in the record's size. `any(a, any($.a, @ == -1))`
    W0115,
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
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
