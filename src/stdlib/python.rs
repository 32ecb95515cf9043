//! Python compatibility: what the upstream detections get from Python itself — truthiness,
//! `str()`/`repr()` rendering as Panther's Python prints values (one renderer, for alert
//! templates and `py_str` alike), and the `ipaddress` module's parsing and private-network rules
//! (3.11). The one function registered here is `py_str`; the functions that use the other rules
//! live with their value type (`net.rs`, …).

use pounce_lang::functions::{Args, Native, NativeCtx, NativeError, Registry};
use serde_json::Value;
use std::net::Ipv6Addr;
use std::str::FromStr;
use std::sync::OnceLock;

/// Registers the functions of this file.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "py_str",
        1,
        1,
        "Python's str() of a value as Panther prints it: a string as is, null as None, true/false as True/False, numbers as Python writes them, a list or object the rule built as ['a', 1] / {'k': 'v'}, one read straight from the event as Panther's event wrapper prints it (ImmutableList(('a',)), ImmutableCaseInsensitiveDict({'k': 'v'})); undefined when missing",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| {
            a.get(0)
                .map(|v| Value::String(py_str(v, a.from_document(0))))
                .ok_or_else(|| NativeError("py_str: no value".into()))
        },
    ));
}

// ---- truthiness ------------------------------------------------------------------------------

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

// ---- str() and repr() ------------------------------------------------------------------------

/// A value as Python's `str()` (and so an f-string) prints it inside Panther: a string bare,
/// null as `None`, anything else as [`repr`] writes it (`True`, `2.0`, `['a', 'b']`,
/// `{'k': 2.0}`), except that a list or object read straight from the event (`from_event`) is
/// Panther's immutable event wrapper, whose `str()` is `ImmutableList((…))` around the
/// tuple of its elements and `ImmutableCaseInsensitiveDict({…})` around the dict (the
/// elements and members inside print as plain Python values).
pub fn py_str(v: &Value, from_event: bool) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) if from_event => {
            let items: Vec<String> = a.iter().map(repr).collect();
            let tuple = match items.as_slice() {
                [one] => format!("({one},)"),
                _ => format!("({})", items.join(", ")),
            };
            format!("ImmutableList({tuple})")
        }
        Value::Object(_) if from_event => format!("ImmutableCaseInsensitiveDict({})", repr(v)),
        other => repr(other),
    }
}

/// [`py_str`] of a value the rule computed, with a missing value printed `None` (Python's
/// `dict.get` of an absent key).
pub fn str_of(v: Option<&Value>) -> String {
    v.map_or_else(|| "None".to_string(), |v| py_str(v, false))
}

/// A value as Python's `repr()` prints it: `None`, `True`/`False`, integers as they are, floats
/// as Python's shortest repr (`2.0`, `1e+16`, `1.5e-05`), strings quoted as Python quotes them,
/// lists and objects as Python writes lists and dicts.
pub fn repr(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (None, Some(u), _) => u.to_string(),
            (_, _, Some(f)) => float_repr(f),
            _ => n.to_string(),
        },
        Value::String(s) => {
            let q = if s.contains('\'') && !s.contains('"') {
                '"'
            } else {
                '\''
            };
            let mut out = String::from(q);
            for c in s.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if c == q => {
                        out.push('\\');
                        out.push(c);
                    }
                    c => out.push(c),
                }
            }
            out.push(q);
            out
        }
        Value::Array(a) => format!("[{}]", a.iter().map(repr).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", repr(&Value::String(k.clone())), repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Python's `repr()` of a float: the shortest digits that read back the same, positional for a
/// decimal exponent from -4 to 15 (always with a `.`), else scientific with a signed exponent
/// of at least two digits.
fn float_repr(f: f64) -> String {
    if !f.is_finite() {
        return if f.is_nan() {
            "nan".into()
        } else if f > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..16).contains(&exp) {
        let plain = f.to_string();
        if plain.contains('.') {
            plain
        } else {
            format!("{plain}.0")
        }
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.unsigned_abs())
    }
}

// ---- networks and addresses as Python 3.11 `ipaddress` parses them -------------------------

/// A network parsed as Python 3.11's `ipaddress` does in strict mode: its family, first and
/// last address (IPv4 addresses in the low 32 bits) and whether an IPv6 scope id (`%eth0`)
/// was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PyNetwork {
    /// IPv6 (true) or IPv4.
    pub v6: bool,
    /// The network address.
    pub first: u128,
    /// The broadcast (last) address.
    pub last: u128,
    /// The prefix length.
    pub prefix: u32,
    /// True when an IPv6 scope id was given.
    pub scoped: bool,
}

/// Python 3.11 `IPv4Address` text rules: four decimal octets, no sign, no leading zeros.
fn py_ipv4(s: &str) -> Option<u32> {
    let mut n: u32 = 0;
    let mut count = 0;
    for octet in s.split('.') {
        count += 1;
        if octet.is_empty()
            || octet.len() > 3
            || !octet.bytes().all(|b| b.is_ascii_digit())
            || (octet.len() > 1 && octet.starts_with('0'))
        {
            return None;
        }
        let v: u32 = octet.parse().ok()?;
        if v > 255 {
            return None;
        }
        n = (n << 8) | v;
    }
    (count == 4).then_some(n)
}

/// Python's prefix text rules: ASCII digits only (leading zeros allowed), `0..=max`.
fn py_prefix(s: &str, max: u32) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let trimmed = s.trim_start_matches('0');
    if trimmed.len() > 3 {
        return None;
    }
    let p: u32 = if trimmed.is_empty() {
        0
    } else {
        trimmed.parse().ok()?
    };
    (p <= max).then_some(p)
}

/// The prefix length of a contiguous IPv4 mask (ones then zeros), if it is one.
fn mask_prefix(m: u32) -> Option<u32> {
    let p = m.leading_ones();
    (m.checked_shl(p).unwrap_or(0) == 0).then_some(p)
}

/// Parses `text` as Python 3.11 `IPv4Network(text)` (`v6 == false`) or `IPv6Network(text)`
/// would in strict mode: `addr` or `addr/prefix`; IPv4 also takes a dotted netmask or hostmask
/// after the `/`; IPv6 may carry a `%scope`. `None` where Python raises (bad text, more than one
/// `/`, host bits set).
pub fn parse_py_network_as(text: &str, v6: bool) -> Option<PyNetwork> {
    let mut parts = text.split('/');
    let addr = parts.next()?;
    let mask = parts.next();
    if parts.next().is_some() {
        return None;
    }
    let (first, prefix, scoped, bits) = if v6 {
        let (addr, scoped) = match addr.split_once('%') {
            None => (addr, false),
            Some((a, scope)) if !scope.is_empty() && !scope.contains('%') => (a, true),
            Some(_) => return None,
        };
        let a = u128::from(Ipv6Addr::from_str(addr).ok()?);
        let p = match mask {
            None => 128,
            Some(m) => py_prefix(m, 128)?,
        };
        (a, p, scoped, 128)
    } else {
        let a = py_ipv4(addr)?;
        let p = match mask {
            None => 32,
            Some(m) => match py_prefix(m, 32) {
                Some(p) => p,
                None => {
                    // A dotted netmask (ones then zeros) or, failing that, a hostmask.
                    let m = py_ipv4(m)?;
                    mask_prefix(m).or_else(|| mask_prefix(!m))?
                }
            },
        };
        (u128::from(a), p, false, 32)
    };
    let host_bits: u128 = 1u128
        .checked_shl(bits - prefix)
        .map_or(u128::MAX, |v| v - 1);
    if first & host_bits != 0 {
        return None;
    }
    Some(PyNetwork {
        v6,
        first,
        last: first | host_bits,
        prefix,
        scoped,
    })
}

/// Parses `text` as Python 3.11 `ipaddress.ip_network(text)` (strict): as IPv4 first, then as
/// IPv6. `None` where Python raises.
pub fn parse_py_network(text: &str) -> Option<PyNetwork> {
    parse_py_network_as(text, false).or_else(|| parse_py_network_as(text, true))
}

/// The private blocks of `data/compute/python311_private_networks.txt`.
fn private_blocks() -> &'static [PyNetwork] {
    static BLOCKS: OnceLock<Vec<PyNetwork>> = OnceLock::new();
    BLOCKS.get_or_init(|| {
        include_str!("../../data/compute/python311_private_networks.txt")
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|l| !l.is_empty())
            .filter_map(parse_py_network)
            .collect()
    })
}

/// True when one private block (Python 3.11) holds both ends of `net`.
pub fn py_network_is_private(net: &PyNetwork) -> bool {
    private_blocks()
        .iter()
        .any(|b| b.v6 == net.v6 && b.first <= net.first && net.last <= b.last)
}

/// Python 3.11's `ipaddress.ip_address(v)`, as (is IPv6, the address as a number): a string
/// that is a strict IPv4 address (four decimal octets, no leading zeros, nothing around) or an
/// IPv6 address (with an optional non-empty `%scope`, which is dropped); or an integer from 0 to
/// 2^64 − 1 (JSON's range here; Python takes integers below 2^32 as IPv4, larger ones as IPv6;
/// JSON booleans count as 0 and 1, as Python's `bool` is an `int`). `None` for everything else
/// (a network `a/b`, a host name, null, a float, a negative number), where Python raises.
pub fn py_ip_address(v: &Value) -> Option<(bool, u128)> {
    match v {
        Value::String(s) if !s.contains('/') => parse_py_network_as(s, false)
            .or_else(|| parse_py_network_as(s, true))
            .map(|n| (n.v6, n.first)),
        Value::Number(n) => n.as_u64().map(|x| (x > u64::from(u32::MAX), u128::from(x))),
        Value::Bool(b) => Some((false, u128::from(*b))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn python_rendering() {
        assert_eq!(str_of(None), "None");
        assert_eq!(str_of(Some(&json!("x"))), "x");
        assert_eq!(
            str_of(Some(&json!(["a", "b'", null, true, 1, 1.5]))),
            "['a', \"b'\", None, True, 1, 1.5]"
        );
        assert_eq!(str_of(Some(&json!({"k": 2.0}))), "{'k': 2.0}");
        // Floats as Python's repr writes them.
        for (f, want) in [
            (2.0, "2.0"),
            (1.5, "1.5"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.2345678901234568e17, "1.2345678901234568e+17"),
            (-2.5e20, "-2.5e+20"),
            (1739559600.0, "1739559600.0"),
        ] {
            assert_eq!(repr(&json!(f)), want, "{f}");
        }
    }

    #[test]
    fn event_containers_print_as_panthers_wrapper() {
        assert_eq!(py_str(&json!(["a"]), true), "ImmutableList(('a',))");
        assert_eq!(
            py_str(&json!(["a", "b"]), true),
            "ImmutableList(('a', 'b'))"
        );
        assert_eq!(py_str(&json!([]), true), "ImmutableList(())");
        assert_eq!(
            py_str(&json!([{"x": 1}]), true),
            "ImmutableList(({'x': 1},))"
        );
        assert_eq!(
            py_str(&json!({"k": "v", "n": [1, 2]}), true),
            "ImmutableCaseInsensitiveDict({'k': 'v', 'n': [1, 2]})"
        );
        // Scalars print alike wherever they come from.
        for v in [json!(true), json!(null), json!(5), json!(1.5), json!("s")] {
            assert_eq!(py_str(&v, true), py_str(&v, false));
        }
        assert_eq!(py_str(&json!(true), true), "True");
        assert_eq!(py_str(&json!(null), true), "None");
    }

    #[test]
    fn data_file_parses_completely() {
        let lines = include_str!("../../data/compute/python311_private_networks.txt")
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|l| !l.is_empty())
            .count();
        assert_eq!(lines, 24);
        assert_eq!(private_blocks().len(), 24);
    }
}
