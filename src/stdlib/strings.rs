//! Functions over strings: `split`, `join`, `replace` (the language's standard library, v2) and
//! shell-style globs (`fnmatch`, and the one glob matcher the rest of pounce uses). Python's
//! `str()` of a value, for building text as upstream does, is `py_str` (python.rs).

use pounce_lang::functions::{Args, Native, NativeCtx, NativeError, Registry};
use serde_json::Value;

/// Registers the functions of this file.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "split",
        2,
        2,
        "the list of pieces of string S between occurrences of the non-empty string SEP (\"a::b\" gives [\"a\", \"\", \"b\"]); undefined unless both are strings and SEP is not empty",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| match (a.get(0), a.get(1)) {
            (Some(Value::String(s)), Some(Value::String(sep))) if !sep.is_empty() => Ok(
                Value::Array(s.split(sep.as_str()).map(Value::from).collect()),
            ),
            _ => Err(NativeError("split: needs a string and a non-empty separator".into())),
        },
    ));
    r.register(Native::new(
        "join",
        2,
        2,
        "the strings of LIST joined with string SEP; undefined when LIST is not a list of strings",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| match (a.get(0), a.get(1)) {
            (Some(Value::Array(items)), Some(Value::String(sep))) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .ok_or_else(|| NativeError("join: not a string".into()))
                })
                .collect::<Result<Vec<&str>, _>>()
                .map(|parts| Value::String(parts.join(sep))),
            _ => Err(NativeError("join: needs a list and a string".into())),
        },
    ));
    r.register(Native::new(
        "replace",
        3,
        3,
        "string S with every occurrence of OLD replaced by NEW, left to right (an empty OLD inserts NEW around every character); undefined unless all three are strings",
        replace,
    ));
    r.register(Native::new(
        "fnmatch",
        2,
        2,
        "shell-style glob match of a string: `*` any run, `?` one character, `[...]` a set, case-sensitive",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| match (a.get(0), a.get(1)) {
            (Some(Value::String(s)), Some(Value::String(p))) => Ok(Value::Bool(fnmatch(p, s))),
            _ => Ok(Value::Bool(false)),
        },
    ));
}

/// Which wildcards a glob pattern has besides `*` (any run of characters) and `?` (any one).
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Wildcards {
    /// Also `[seq]`, `[!seq]` and ranges `[a-z]`, as Python's `fnmatch.fnmatchcase` (the
    /// `fnmatch` function, IAM action globs).
    WithSets,
    /// Only `*` and `?`; `[` is an ordinary character (`pounce test --filter`).
    StarAndQuestion,
}

/// The one glob matcher: whether all of `text` matches `pattern`, case-sensitively, with the
/// given wildcards. A `[` that starts no closed set matches nothing.
pub fn glob(pattern: &str, text: &str, wildcards: Wildcards) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    glob_at(&p, &t, wildcards == Wildcards::WithSets)
}

/// Shell-style glob (Python `fnmatch.fnmatchcase`): `*`, `?`, `[seq]`, `[!seq]`.
pub fn fnmatch(pattern: &str, s: &str) -> bool {
    glob(pattern, s, Wildcards::WithSets)
}

fn glob_at(p: &[char], t: &[char], sets: bool) -> bool {
    // Iterative with backtracking to the last `*`.
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        let step = match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
                continue;
            }
            Some('?') => Some(pi + 1),
            Some('[') if sets => class_match(p, pi, t.get(ti).copied()),
            Some(c) if Some(c) == t.get(ti) => Some(pi + 1),
            _ => None,
        };
        match step {
            Some(next) => {
                pi = next;
                ti += 1;
            }
            None => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

/// Matches `[...]` at `p[pi]` against `c`; returns the index after the class on a match. An
/// unclosed `[` matches nothing (Python's `fnmatch` would take it as a literal `[`).
fn class_match(p: &[char], pi: usize, c: Option<char>) -> Option<usize> {
    let c = c?;
    let mut i = pi + 1;
    let negate = matches!(p.get(i), Some('!'));
    if negate {
        i += 1;
    }
    let start = i;
    let mut found = false;
    loop {
        let ch = *p.get(i)?;
        if ch == ']' && i > start {
            break;
        }
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|e| *e != ']') {
            let hi = *p.get(i + 2)?;
            if ch <= c && c <= hi {
                found = true;
            }
            i += 3;
        } else {
            if ch == c {
                found = true;
            }
            i += 1;
        }
    }
    if found != negate { Some(i + 1) } else { None }
}

/// `replace(s, old, new)`: `s` with every non-overlapping occurrence of `old`, left to
/// right, replaced by `new`, as Python's `str.replace` (an empty `old` inserts `new` before
/// every character and at the end). Undefined unless all three are strings.
fn replace(a: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    match (a.get(0), a.get(1), a.get(2)) {
        (Some(Value::String(s)), Some(Value::String(old)), Some(Value::String(new))) => {
            Ok(Value::String(s.replace(old.as_str(), new)))
        }
        _ => Err(NativeError("replace: needs three strings".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_without_sets() {
        let g = |p: &str, t: &str| glob(p, t, Wildcards::StarAndQuestion);
        assert!(g("AWS.*", "AWS.S3.Bucket"));
        assert!(g("*Bucket*", "AWS.S3.BucketPolicy"));
        assert!(g("AWS.?3.*", "AWS.S3.X"));
        assert!(!g("AWS.EC2*", "AWS.S3"));
        assert!(g("*", ""));
        // `[` is an ordinary character here, a set with `fnmatch`.
        assert!(g("a[b]", "a[b]"));
        assert!(!g("a[b]", "ab"));
        assert!(fnmatch("a[b]", "ab"));
        assert!(!fnmatch("a[b]", "a[b]"));
        assert!(!fnmatch("[", "["));
    }
}
