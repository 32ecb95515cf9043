//! Byte spans of source text.

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

/// The span of an operator inside a node: structural equality of the tree ignores it, as it
/// ignores every other span.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct OpSpan(pub Span);

impl PartialEq for OpSpan {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
