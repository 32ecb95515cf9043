//! YAML reading for rule files: the size budget ([`yaml_limits`]), parsing within it, YAML
//! errors as findings placed in the file, and the spans of scalars and top-level keys.

use super::diagnostics::{Finding, Severity, offset_of};
use pounce_lang::ErrorCode;
use pounce_lang::ast::Span;
use serde_saphyr::Spanned;
use std::collections::HashMap;

/// The YAML budget of one rule file: rule files are small (the largest shipped one has about
/// 2,000 nodes), so anything far larger, alias expansion included ("billion laughs"), is
/// refused before it costs time or memory.
pub mod yaml_limits {
    /// Most nodes (scalars, sequences, mappings), counting every copy an alias expands to.
    pub const MAX_NODES: usize = 100_000;
    /// Most aliases (`*name`) in one file.
    pub const MAX_ALIASES: usize = 10_000;
    /// Most events replayed by aliases in one file.
    pub const MAX_REPLAYED_EVENTS: usize = 100_000;
    /// Deepest nesting of sequences and mappings.
    pub const MAX_DEPTH: usize = 64;
    /// Most bytes of scalar text.
    pub const MAX_SCALAR_BYTES: usize = 16 << 20;
}

/// serde-saphyr options with [`yaml_limits`].
fn yaml_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_nodes: yaml_limits::MAX_NODES,
            max_events: 4 * yaml_limits::MAX_NODES,
            max_aliases: yaml_limits::MAX_ALIASES,
            max_anchors: yaml_limits::MAX_ALIASES,
            max_depth: yaml_limits::MAX_DEPTH,
            flow_nesting_limit: yaml_limits::MAX_DEPTH,
            max_total_scalar_bytes: yaml_limits::MAX_SCALAR_BYTES,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: yaml_limits::MAX_REPLAYED_EVENTS,
        },
    }
}

/// Parses a rule file's YAML within [`yaml_limits`].
pub(super) fn from_yaml<T: serde::de::DeserializeOwned>(
    text: &str,
) -> Result<T, serde_saphyr::Error> {
    serde_saphyr::from_str_with_options(text, yaml_options())
}

/// A breached YAML limit in words, or `None` for other errors.
fn limit_message(e: &serde_saphyr::Error) -> Option<String> {
    use serde_saphyr::Error as E;
    use serde_saphyr::budget::BudgetBreach as B;
    match e {
        E::WithSnippet { error, .. } | E::AliasError { error, .. } => limit_message(error),
        E::AliasReplayLimitExceeded { .. } | E::AliasExpansionLimitExceeded { .. } => {
            Some(format!(
                "aliases expand to more than {} events",
                yaml_limits::MAX_REPLAYED_EVENTS
            ))
        }
        E::AliasReplayStackDepthExceeded { max_depth, .. } => {
            Some(format!("aliases nest deeper than {max_depth} levels"))
        }
        E::Budget { breach, .. } => Some(match breach {
            B::Nodes { .. } | B::Events { .. } => format!(
                "the file has more than {} YAML nodes (aliases count once per use)",
                yaml_limits::MAX_NODES
            ),
            B::Aliases { .. } | B::Anchors { .. } | B::AliasAnchorRatio { .. } => {
                format!(
                    "the file has too many aliases or anchors (at most {})",
                    yaml_limits::MAX_ALIASES
                )
            }
            B::Depth { .. } => format!(
                "the YAML nests deeper than {} levels",
                yaml_limits::MAX_DEPTH
            ),
            B::ScalarBytes { .. } => format!(
                "the file has more than {} bytes of text",
                yaml_limits::MAX_SCALAR_BYTES
            ),
            other => format!("the YAML exceeds a size limit ({other:?})"),
        }),
        // The scanner's own nesting limit (flow collections `[[[...`).
        other if other.to_string().contains("recursion limit exceeded") => Some(format!(
            "the YAML nests deeper than {} levels",
            yaml_limits::MAX_DEPTH
        )),
        _ => None,
    }
}

/// A saphyr error as a finding at its location.
pub(super) fn yaml_finding(text: &str, e: &serde_saphyr::Error) -> Finding {
    let limit = limit_message(e);
    let full = e.to_string();
    let first = full.lines().next().unwrap_or("invalid YAML");
    // "error: line 2 column 17: invalid boolean" → "invalid boolean"
    let msg = first.trim_start_matches("error: ");
    let msg = match msg.find(": ") {
        Some(i) if msg.starts_with("line ") => msg.get(i + 2..).unwrap_or(msg),
        _ => msg,
    };
    let start = e
        .location()
        .map(|l| {
            l.span().byte_offset().map_or_else(
                || offset_of(text, l.line() as usize, l.column() as usize),
                |b| b as usize,
            )
        })
        .unwrap_or(0)
        .min(text.len());
    let end = text
        .get(start..)
        .and_then(|r| r.find(['\n', ' ', ',', ']', '}']))
        .map_or(text.len(), |k| start + k.max(1))
        .min(text.len());
    if msg.starts_with("duplicate mapping key") {
        let key = msg
            .trim_start_matches("duplicate mapping key: ")
            .split(',')
            .next()
            .unwrap_or("");
        return Finding::new(
            ErrorCode::E0202,
            Severity::Error,
            Span::new(start, end),
            format!("duplicate key `{key}`"),
            "repeated here",
        )
        .with_help("each key may appear once in a mapping; remove or merge the repeated one");
    }
    if msg.starts_with("invalid") || msg.starts_with("expected") || msg.starts_with("invalid type")
    {
        return Finding::new(
            ErrorCode::E0203,
            Severity::Error,
            Span::new(start, end),
            format!("wrong value type: {msg}"),
            "this value",
        )
        .with_help(
            "see docs/RULES.md for the type of each key (e.g. `ExpectedResult: true` or `false`)",
        );
    }
    if let Some(limit) = limit {
        return Finding::new(
            ErrorCode::E0201,
            Severity::Error,
            Span::new(start, end),
            format!("YAML too large: {limit}"),
            "limit reached here",
        )
        .with_help("rule files are small; docs/ROBUSTNESS.md lists the limits");
    }
    Finding::new(
        ErrorCode::E0201,
        Severity::Error,
        Span::new(start, end),
        format!("invalid YAML: {msg}"),
        "here",
    )
    .with_help("fix the YAML syntax at this position")
}

/// Byte span of a spanned scalar's text in the file.
pub(super) fn scalar_span<T>(text: &str, s: &Spanned<T>) -> Span {
    let sp = s.referenced.span();
    let start = sp
        .byte_offset()
        .map_or_else(
            || {
                offset_of(
                    text,
                    s.referenced.line() as usize,
                    s.referenced.column() as usize,
                )
            },
            |b| b as usize,
        )
        .min(text.len());
    let len = sp.byte_len().map_or(0, |l| l as usize);
    Span::new(start, (start + len).min(text.len()))
}

/// The span of a top-level key, for findings about a whole key.
pub(super) fn key_span(keys: &[(String, Span)], key: &str) -> Option<Span> {
    keys.iter().find(|(k, _)| k == key).map(|(_, s)| *s)
}

/// Top-level keys with their spans, in file order; fails with YAML syntax or duplicate-key errors.
pub fn top_keys(text: &str) -> Result<Vec<(String, Span)>, Finding> {
    let map: HashMap<Spanned<String>, serde::de::IgnoredAny> =
        from_yaml(text).map_err(|e| yaml_finding(text, &e))?;
    Ok(keys_in_order(text, &map))
}

/// The keys of a mapping read with spans, with their spans in `text`, in file order.
pub(super) fn keys_in_order<V>(
    text: &str,
    map: &HashMap<Spanned<String>, V>,
) -> Vec<(String, Span)> {
    let mut keys: Vec<(String, Span)> = map
        .keys()
        .map(|k| {
            let sp = scalar_span(text, k);
            let sp = if sp.is_empty() {
                Span::new(sp.start, sp.start + k.value.len())
            } else {
                sp
            };
            (k.value.clone(), sp)
        })
        .collect();
    keys.sort_by_key(|(_, s)| s.start);
    keys
}
