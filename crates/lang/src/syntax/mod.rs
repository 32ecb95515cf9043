//! Stage 1, parse: condition text → AST with spans, through the pest grammar
//! `grammar/condition.pest` and pest's `PrattParser` for precedence. This file is the driver
//! (limits, recovery after fixable errors); `lower.rs` turns pest's pairs into the AST,
//! `hints.rs` words syntax errors, `path.rs` reads simple JSONPath text.

mod hints;
mod lower;
mod operand;
mod path;

pub use path::{relative_path, simple_path};

use crate::ast::{Expr, Span};
use crate::error::{ConditionError, ErrorCode};
use hints::syntax_error;
use lower::lower_expr;
use pest::Parser as _;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/condition.pest"]
struct ConditionParser;

pub use crate::ast::KEYWORDS;

/// Maximum nesting of parentheses, brackets, quantifiers and calls.
pub const MAX_NESTING: usize = 64;
/// Maximum depth of the expression tree (operators nest too).
pub const MAX_DEPTH: usize = 256;

/// Most syntax errors reported for one condition.
const MAX_SYNTAX_ERRORS: usize = 16;

/// A parse that went on past fixable syntax errors.
pub struct Recovered {
    /// The errors found, with spans in the original source.
    pub errors: Vec<ConditionError>,
    /// The AST of the source with every suggested fix applied, when it parses; its spans are
    /// in that patched source: map them back with [`Recovered::original_span`].
    pub patched: Option<Expr>,
    edits: Vec<(usize, usize, usize)>,
}

impl Recovered {
    /// Maps a span of the patched source back to the original source.
    pub fn original_span(&self, s: Span) -> Span {
        Span::new(self.original_pos(s.start), self.original_pos(s.end))
    }
    fn original_pos(&self, mut p: usize) -> usize {
        for &(pos, old_len, new_len) in self.edits.iter().rev() {
            if p >= pos + new_len {
                p = p + old_len - new_len;
            } else if p > pos {
                p = pos;
            }
        }
        p
    }
}

/// Parses `src`; on a syntax error that has a suggested fix (an operator typo), applies the fix
/// and parses again, so that the errors after it are reported too.
pub fn parse_recovering(src: &str) -> Recovered {
    let mut text = src.to_string();
    let mut errors = Vec::new();
    let mut edits: Vec<(usize, usize, usize)> = Vec::new();
    loop {
        match parse(&text) {
            Ok(e) => return finish(errors, Some(e), edits),
            Err(errs) => {
                let fixable = errs.len() == 1 && errors.len() < MAX_SYNTAX_ERRORS;
                let probe = Recovered {
                    errors: Vec::new(),
                    patched: None,
                    edits: edits.clone(),
                };
                let mut mapped: Vec<ConditionError> = errs
                    .iter()
                    .cloned()
                    .map(|mut e| {
                        e.span = probe.original_span(e.span);
                        e
                    })
                    .collect();
                let fix = errs
                    .first()
                    .filter(|_| fixable)
                    .and_then(|e| e.fix.clone().map(|f| (e.span, f)));
                errors.append(&mut mapped);
                match fix {
                    Some((span, f)) if text.get(span.start..span.end).is_some() => {
                        text.replace_range(span.start..span.end, &f);
                        edits.push((span.start, span.len(), f.len()));
                    }
                    _ => return finish(errors, None, edits),
                }
            }
        }
    }
}

fn finish(
    errors: Vec<ConditionError>,
    patched: Option<Expr>,
    edits: Vec<(usize, usize, usize)>,
) -> Recovered {
    Recovered {
        errors,
        patched,
        edits,
    }
}

/// Parses a condition into its AST, or returns the syntax errors found.
pub fn parse(src: &str) -> Result<Expr, Vec<ConditionError>> {
    check_nesting(src)?;
    let mut pairs =
        ConditionParser::parse(Rule::condition, src).map_err(|e| vec![syntax_error(src, e)])?;
    let cond = pairs.next().ok_or_else(|| vec![internal(src)])?;
    let expr = cond
        .into_inner()
        .find(|p| p.as_rule() == Rule::expr)
        .ok_or_else(|| vec![internal(src)])?;
    let mut errors = Vec::new();
    let lowered = lower_expr(expr, 0, &mut errors);
    match lowered {
        Some(l) if errors.is_empty() => Ok(l.expr),
        _ => {
            if errors.is_empty() {
                errors.push(internal(src));
            }
            Err(errors)
        }
    }
}

fn internal(src: &str) -> ConditionError {
    ConditionError::new(
        ErrorCode::E0001,
        Span::new(0, src.len()),
        "could not parse the condition",
        "here",
    )
}

/// Rejects nesting deeper than [`MAX_NESTING`] before pest recurses into it.
fn check_nesting(src: &str) -> Result<(), Vec<ConditionError>> {
    let mut depth = 0usize;
    let mut in_str: Option<u8> = None;
    let mut escaped = false;
    let mut comment = false;
    for (i, b) in src.bytes().enumerate() {
        if comment {
            comment = b != b'\n';
            continue;
        }
        if let Some(q) = in_str {
            if escaped {
                escaped = false;
            } else if b == b'\\' && q == b'"' {
                escaped = true;
            } else if b == q {
                in_str = None;
            }
            continue;
        }
        match b {
            b'"' | b'`' | b'\'' => in_str = Some(b),
            b'#' => comment = true,
            b'(' | b'[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(vec![
                        ConditionError::new(
                            ErrorCode::E0005,
                            Span::new(i, i + 1),
                            format!("the condition nests deeper than {MAX_NESTING} levels"),
                            "too deep from here",
                        )
                        .with_help("split the condition, or remove redundant parentheses"),
                    ]);
                }
            }
            b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}
