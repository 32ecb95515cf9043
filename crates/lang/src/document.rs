//! Read-only access to the document being evaluated. The evaluator sees documents only through
//! [`Document`], so a lazily-parsed representation can replace `serde_json::Value` later
//! without touching it.

use serde_json::{Number, Value};
use std::borrow::Cow;
use std::cmp::Ordering;

/// The JSON type of a node.
#[derive(Clone, Copy, Debug, Eq, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// `null`
    Null,
    /// `true`/`false`
    Bool,
    /// a number
    Number,
    /// a string
    String,
    /// a list
    Array,
    /// an object
    Object,
}

impl Kind {
    /// The name users see.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool => "boolean",
            Kind::Number => "number",
            Kind::String => "string",
            Kind::Array => "list",
            Kind::Object => "object",
        }
    }
}

/// How a path's keys match an object's keys.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyMatch {
    /// Exactly (policies, by default).
    #[default]
    Exact,
    /// Exactly, else the first key equal ignoring ASCII case (rules, as Panther events do).
    CaseInsensitiveFallback,
}

impl KeyMatch {
    /// True when a key may also match ignoring ASCII case.
    pub fn ignores_case(self) -> bool {
        self == KeyMatch::CaseInsensitiveFallback
    }
}

/// The member `key` of `obj` as `keys` matches it: the exact key, else (when case-insensitive)
/// the first key equal ignoring ASCII case, in document order. The one place key matching is
/// decided; evaluation, projection and functions that look keys up all come here.
pub fn get_key<'a, D: Document + ?Sized>(obj: &'a D, key: &str, keys: KeyMatch) -> Option<&'a D> {
    match obj.get(key) {
        Some(v) => Some(v),
        None if keys.ignores_case() => obj
            .entries()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v),
        None => None,
    }
}

/// The node at the end of `segs` (keys and indexes, negative from the end) from `start`, as
/// `keys` matches keys; `None` when a step does not resolve or is a wildcard.
pub fn walk<'a, D: Document + ?Sized>(
    start: &'a D,
    segs: &[crate::ast::Segment],
    keys: KeyMatch,
) -> Option<&'a D> {
    use crate::ast::Segment;
    let mut cur = start;
    for s in segs {
        cur = match s {
            Segment::Key(k) if cur.kind() == Kind::Object => get_key(cur, k, keys)?,
            Segment::Index(i) if cur.kind() == Kind::Array => {
                cur.child(index_of(cur.len(), *i)?)?
            }
            _ => return None,
        };
    }
    Some(cur)
}

/// The position index `i` (negative from the end) names in a list of `len` elements, if any.
pub fn index_of(len: usize, i: i64) -> Option<usize> {
    let at = if i < 0 {
        i64::try_from(len).ok()?.checked_add(i)?
    } else {
        i
    };
    usize::try_from(at).ok().filter(|&a| a < len)
}

/// A read-only JSON node.
pub trait Document {
    /// Its JSON type.
    fn kind(&self) -> Kind;
    /// The boolean, if it is one.
    fn as_bool(&self) -> Option<bool>;
    /// The number, if it is one.
    fn as_number(&self) -> Option<&Number>;
    /// The string, if it is one.
    fn as_str(&self) -> Option<&str>;
    /// The member `key` of an object.
    fn get(&self, key: &str) -> Option<&Self>;
    /// Element `i` of a list.
    fn child(&self, i: usize) -> Option<&Self>;
    /// The entries of an object, in document order (nothing for other kinds).
    fn entries(&self) -> Box<dyn Iterator<Item = (&str, &Self)> + '_>;
    /// Number of elements of a list or entries of an object; 0 otherwise.
    fn len(&self) -> usize;
    /// True when [`Document::len`] is 0.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The node as a `serde_json::Value`: borrowed when it is one, built otherwise.
    fn to_value(&self) -> Cow<'_, Value>;
}

impl Document for Value {
    fn kind(&self) -> Kind {
        match self {
            Value::Null => Kind::Null,
            Value::Bool(_) => Kind::Bool,
            Value::Number(_) => Kind::Number,
            Value::String(_) => Kind::String,
            Value::Array(_) => Kind::Array,
            Value::Object(_) => Kind::Object,
        }
    }
    fn as_bool(&self) -> Option<bool> {
        Value::as_bool(self)
    }
    fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }
    fn as_str(&self) -> Option<&str> {
        Value::as_str(self)
    }
    fn get(&self, key: &str) -> Option<&Self> {
        match self {
            Value::Object(m) => m.get(key),
            _ => None,
        }
    }
    fn child(&self, i: usize) -> Option<&Self> {
        match self {
            Value::Array(a) => a.get(i),
            _ => None,
        }
    }
    fn entries(&self) -> Box<dyn Iterator<Item = (&str, &Self)> + '_> {
        match self {
            Value::Object(m) => Box::new(m.iter().map(|(k, v)| (k.as_str(), v))),
            _ => Box::new(std::iter::empty()),
        }
    }
    fn len(&self) -> usize {
        match self {
            Value::Array(a) => a.len(),
            Value::Object(m) => m.len(),
            _ => 0,
        }
    }
    fn to_value(&self) -> Cow<'_, Value> {
        Cow::Borrowed(self)
    }
}

/// Compares two JSON numbers exactly by value (`1 == 1.0`; large integers stay exact).
pub fn number_cmp(a: &Number, b: &Number) -> Option<Ordering> {
    fn int(n: &Number) -> Option<i128> {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    }
    match (int(a), int(b)) {
        (Some(x), Some(y)) => Some(x.cmp(&y)),
        (Some(x), None) => cmp_int_float(x, b.as_f64()?),
        (None, Some(y)) => cmp_int_float(y, a.as_f64()?).map(Ordering::reverse),
        (None, None) => a.as_f64()?.partial_cmp(&b.as_f64()?),
    }
}

fn cmp_int_float(i: i128, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    // Integers below 2^53 convert exactly; beyond that compare via the float's integer part.
    const EXACT: i128 = 1 << 53;
    if (-EXACT..=EXACT).contains(&i) {
        return (i as f64).partial_cmp(&f);
    }
    if f >= 1e38 {
        return Some(Ordering::Less);
    }
    if f <= -1e38 {
        return Some(Ordering::Greater);
    }
    let t = f.trunc();
    let ti = t as i128;
    match i.cmp(&ti) {
        Ordering::Equal if f > t => Some(Ordering::Less),
        Ordering::Equal if f < t => Some(Ordering::Greater),
        o => Some(o),
    }
}

/// Deep JSON equality across two document representations; numbers by value.
pub fn deep_eq<A: Document + ?Sized, B: Document + ?Sized>(a: &A, b: &B) -> bool {
    match (a.kind(), b.kind()) {
        (Kind::Null, Kind::Null) => true,
        (Kind::Bool, Kind::Bool) => a.as_bool() == b.as_bool(),
        (Kind::Number, Kind::Number) => match (a.as_number(), b.as_number()) {
            (Some(x), Some(y)) => number_cmp(x, y) == Some(Ordering::Equal),
            _ => false,
        },
        (Kind::String, Kind::String) => a.as_str() == b.as_str(),
        (Kind::Array, Kind::Array) => {
            a.len() == b.len()
                && (0..a.len()).all(|i| match (a.child(i), b.child(i)) {
                    (Some(x), Some(y)) => deep_eq(x, y),
                    _ => false,
                })
        }
        (Kind::Object, Kind::Object) => {
            a.len() == b.len()
                && a.entries()
                    .all(|(k, x)| b.get(k).is_some_and(|y| deep_eq(x, y)))
        }
        _ => false,
    }
}
