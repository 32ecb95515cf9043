//! Simple JSONPath text as path segments: the one reader used for `$`-rooted paths in
//! conditions, for what projection can follow, and for the sub-paths functions declare they read.

use crate::ast::Segment;

/// Reads a JSONPath made only of `$`, member names (`.name`, `['name']`, `["name"]`) and
/// indexes (`[n]`, negative from the end) — and, when `wildcards` is set, `.*` and `[*]` — as
/// path segments; `None` for any other JSONPath (descendants, filters, slices, unions, names
/// with escapes or control characters, integers RFC 9535 does not allow).
pub fn simple_path(text: &str, wildcards: bool) -> Option<Vec<Segment>> {
    let mut rest = text.strip_prefix('$')?;
    let mut segs = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            if wildcards && r.starts_with('*') {
                segs.push(Segment::Wildcard);
                rest = r.get(1..)?;
                continue;
            }
            if r.starts_with('.') || r.starts_with('*') {
                return None;
            }
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let name = r.get(..end)?;
            let mut chars = name.chars();
            if !matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_') {
                return None;
            }
            segs.push(Segment::Key(name.to_string()));
            rest = r.get(end..)?;
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let inner = r.get(..end)?.trim();
            if wildcards && inner == "*" {
                segs.push(Segment::Wildcard);
            } else if let Ok(i) = inner.parse::<i64>() {
                // RFC 9535 integers: no leading zeros, no `-0`, no `+` (jsonpath-rust rejects them).
                let digits = inner.strip_prefix('-').unwrap_or(inner);
                if inner.starts_with('+')
                    || inner == "-0"
                    || digits.len() > 1 && digits.starts_with('0')
                {
                    return None;
                }
                segs.push(Segment::Index(i));
            } else if inner.len() >= 2
                && (inner.starts_with('\'') && inner.ends_with('\'')
                    || inner.starts_with('"') && inner.ends_with('"'))
            {
                let body = inner.get(1..inner.len() - 1)?;
                if body.contains(['\\', '\'', '"']) || body.chars().any(char::is_control) {
                    return None;
                }
                segs.push(Segment::Key(body.to_string()));
            } else {
                return None;
            }
            rest = r.get(end + 1..)?;
        } else {
            return None;
        }
    }
    Some(segs)
}

/// Reads a path relative to a value, written like a condition path (`[*].FromPort`,
/// `Statement[*].Effect`, `a.b[0]`), as segments; `None` when it is not such a path.
pub fn relative_path(text: &str) -> Option<Vec<Segment>> {
    if text.starts_with('[') {
        simple_path(&format!("${text}"), true)
    } else {
        simple_path(&format!("$.{text}"), true)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use Segment::{Index, Key, Wildcard};

    fn key(k: &str) -> Segment {
        Key(k.to_string())
    }

    #[test]
    fn names_indexes_and_quoted_names() {
        assert_eq!(simple_path("$", false), Some(vec![]));
        assert_eq!(
            simple_path("$.a['b c'][\"d\"][-1][0]", false),
            Some(vec![key("a"), key("b c"), key("d"), Index(-1), Index(0)])
        );
        assert_eq!(simple_path("$.ключ", false), Some(vec![key("ключ")]));
    }

    #[test]
    fn wildcards_only_when_asked() {
        assert_eq!(simple_path("$.a[*].b", false), None);
        assert_eq!(simple_path("$.a.*", false), None);
        assert_eq!(
            simple_path("$.a[*].b.*", true),
            Some(vec![key("a"), Wildcard, key("b"), Wildcard])
        );
    }

    #[test]
    fn anything_else_is_not_simple() {
        for p in [
            "$..a",
            "$.a[?@.b]",
            "$.a[0:2]",
            "$.a[0,1]",
            "$[01]",
            "$[-0]",
            "$[+1]",
            "$['a\\'b']",
            "$.1a",
            "a.b",
            "$.a[",
        ] {
            assert_eq!(simple_path(p, true), None, "{p}");
        }
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative_path("[*].FromPort").unwrap(),
            vec![Wildcard, key("FromPort")]
        );
        assert_eq!(
            relative_path("Statement[*].Effect").unwrap(),
            vec![key("Statement"), Wildcard, key("Effect")]
        );
        assert_eq!(relative_path("a..b"), None);
    }
}
