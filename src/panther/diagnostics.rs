//! Findings located in a file (rule files, conditions inside them): code, severity, byte span,
//! label and help. A [`FileReport`] renders through miette and serialises to JSON.

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};
use pounce_lang::ErrorCode;
use pounce_lang::ast::Span;
use std::fmt;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Ord, PartialOrd, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look; does not stop anything by default.
    Warning,
    /// The file cannot be used as written.
    Error,
}

/// One finding at a byte span of a file.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Finding {
    /// Stable code, e.g. `pounce::E0204` (serialised as that text).
    pub code: ErrorCode,
    /// Error or warning.
    pub severity: Severity,
    /// One-line message.
    pub message: String,
    /// Byte span in the file.
    #[serde(skip)]
    pub span: Span,
    /// 1-based line of the span's start.
    pub line: usize,
    /// 1-based column (in characters) of the span's start.
    pub column: usize,
    /// 1-based line of the span's end.
    pub end_line: usize,
    /// 1-based column (in characters) just past the span's end.
    pub end_column: usize,
    /// Text under the span.
    pub label: String,
    /// How to fix it.
    pub help: Option<String>,
}

impl Finding {
    /// A finding; line and column are filled in by [`FileReport::push`].
    pub fn new(
        code: ErrorCode,
        severity: Severity,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        Finding {
            code,
            severity,
            message: message.into(),
            span,
            line: 0,
            column: 0,
            end_line: 0,
            end_column: 0,
            label: label.into(),
            help: None,
        }
    }
    /// A warning (as `pounce lint` finds them); line and column are filled in by
    /// [`FileReport::push`].
    pub fn warning(
        code: ErrorCode,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        Finding::new(code, Severity::Warning, span, message, label)
    }
    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Finding {}

impl Diagnostic for Finding {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
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

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Byte offset of 1-based `line` and `column` (in characters) in `text`.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut off = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col_bytes: usize = l
                .chars()
                .take(column.saturating_sub(1))
                .map(char::len_utf8)
                .sum();
            return off + col_bytes;
        }
        off += l.len();
    }
    text.len()
}

/// The findings of one file, with its text for rendering.
#[derive(Debug)]
pub struct FileReport {
    /// The file's path as given.
    pub path: String,
    /// Its text.
    pub source: NamedSource<String>,
    text: String,
    /// The findings, in order of position.
    pub findings: Vec<Finding>,
}

impl FileReport {
    /// An empty report for `path` holding `text`.
    pub fn new(path: &str, text: &str) -> Self {
        FileReport {
            path: path.to_string(),
            source: NamedSource::new(path, text.to_string()),
            text: text.to_string(),
            findings: Vec::new(),
        }
    }
    /// Adds a finding, computing its line and column.
    pub fn push(&mut self, mut f: Finding) {
        let (line, column) = line_col(&self.text, f.span.start);
        f.line = line;
        f.column = column;
        let (end_line, end_column) = line_col(&self.text, f.span.end.max(f.span.start));
        f.end_line = end_line;
        f.end_column = end_column;
        self.findings.push(f);
    }
    /// The file's text.
    pub fn text(&self) -> &str {
        &self.text
    }
    /// True when some finding is an error.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
    /// Sorts findings by position.
    pub fn sort(&mut self) {
        self.findings
            .sort_by(|a, b| (a.span.start, a.code.as_str()).cmp(&(b.span.start, b.code.as_str())));
    }
    /// `{"file": path, "findings": [...]}`, as the JSON outputs list a file's findings.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "file": self.path, "findings": self.findings })
    }
    /// Each finding as a diagnostic that carries this file's source.
    pub fn diagnostics(&self) -> impl Iterator<Item = Located<'_>> {
        self.findings.iter().map(|f| Located {
            finding: f,
            source: &self.source,
        })
    }
}

/// A finding together with its file's source, for rendering.
#[derive(Debug)]
pub struct Located<'a> {
    /// The finding.
    pub finding: &'a Finding,
    source: &'a NamedSource<String>,
}

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.finding.fmt(f)
    }
}

impl std::error::Error for Located<'_> {}

impl Diagnostic for Located<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.finding.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.finding.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.finding.help()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.finding.labels()
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_round_trip() {
        let t = "ab\ncdé\nf";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        assert_eq!(line_col(t, 7), (2, 4));
        assert_eq!(offset_of(t, 2, 4), 7);
        assert_eq!(offset_of(t, 3, 1), 8);
    }
}
