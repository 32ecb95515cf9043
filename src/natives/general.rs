//! General-purpose natives: Python-style truthiness, JSON-in-a-string, shell globs, keys.

use super::{Args, Native, NativeCtx, NativeError, Registry};
use serde_json::Value;

/// Registers the natives of this family.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "truthy",
        1,
        1,
        "Python truthiness: false for missing, null, false, 0, \"\", [] and {}; true otherwise",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| Ok(Value::Bool(a.get(0).is_some_and(truthy))),
    ));
    r.register(Native::new(
        "parse_json",
        1,
        1,
        "the JSON value a string holds (a non-string is returned as is); undefined when the string is not JSON",
        parse_json,
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
    r.register(Native::new(
        "coalesce",
        1,
        16,
        "the first argument that is present and not null (null when none is)",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| {
            Ok((0..a.len())
                .find_map(|i| a.get(i).filter(|v| !v.is_null()))
                .cloned()
                .unwrap_or(Value::Null))
        },
    ));
    r.register(Native::new(
        "keys",
        1,
        1,
        "the keys of an object as a list of strings (undefined for anything else)",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| match a.get(0) {
            Some(Value::Object(m)) => {
                Ok(Value::Array(m.keys().cloned().map(Value::String).collect()))
            }
            _ => Err(NativeError("not an object".into())),
        },
    ));
}

/// Python truthiness of a JSON value.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
    }
}

/// `parse_json(s)`: a string holding JSON → that value; other values pass through.
fn parse_json(a: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    match a.get(0) {
        Some(Value::String(s)) => {
            serde_json::from_str(s).map_err(|e| NativeError(format!("not JSON: {e}")))
        }
        Some(other) => Ok(other.clone()),
        None => Err(NativeError("missing argument".into())),
    }
}

/// Shell-style glob (Python `fnmatch.fnmatchcase`): `*`, `?`, `[seq]`, `[!seq]`.
pub fn fnmatch(pattern: &str, s: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = s.chars().collect();
    glob_at(&p, &t)
}

fn glob_at(p: &[char], t: &[char]) -> bool {
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
            Some('[') => class_match(p, pi, t.get(ti).copied()),
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
/// unclosed `[` matches a literal `[`.
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn truthiness() {
        for v in [
            json!(null),
            json!(false),
            json!(0),
            json!(0.0),
            json!(""),
            json!([]),
            json!({}),
        ] {
            assert!(!truthy(&v), "{v}");
        }
        for v in [
            json!(true),
            json!(1),
            json!(-0.5),
            json!("x"),
            json!([0]),
            json!({"a": null}),
        ] {
            assert!(truthy(&v), "{v}");
        }
    }

    #[test]
    fn globs() {
        assert!(fnmatch(
            "arn:aws:logs:*:*:log-group:*sensitive*",
            "arn:aws:logs:us-east-1:1:log-group:my-sensitive-logs"
        ));
        assert!(fnmatch("s3:Get*", "s3:GetObject"));
        assert!(!fnmatch("s3:Get*", "s3:PutObject"));
        assert!(fnmatch("a?c", "abc"));
        assert!(fnmatch("[a-c]x", "bx"));
        assert!(!fnmatch("[!a-c]x", "bx"));
        assert!(fnmatch("*", ""));
        assert!(!fnmatch("a*b", "a"));
    }

    #[test]
    fn parse_json_values() {
        let s = json!("{\"a\": [1]}");
        let args = [Some(&s)];
        let mut ctx = NativeCtx::new(0, None);
        assert_eq!(
            parse_json(&Args::new(&args), &mut ctx),
            Ok(json!({"a": [1]}))
        );
        let bad = json!("{nope");
        let args = [Some(&bad)];
        assert!(parse_json(&Args::new(&args), &mut ctx).is_err());
    }
}
