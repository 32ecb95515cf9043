//! Functions over lists and objects: reading (`keys`, `values`, `object_get`, `value_at`,
//! `first_where`, upstream's `deep_walk`), building (`from_entries`, `make_object`,
//! `object_from`) and combining (`distinct`, `set_union`).

use pounce_lang::document::{KeyMatch, get_key};
use pounce_lang::functions::{Args, Native, NativeCtx, NativeError, Registry};
use serde_json::{Map, Value};

/// Registers the functions of this file.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "values",
        1,
        1,
        "the values of an object as a list, in document order (undefined for anything else)",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| match a.get(0) {
            Some(Value::Object(m)) => Ok(Value::Array(m.values().cloned().collect())),
            _ => Err(NativeError("not an object".into())),
        },
    ));
    r.register(Native::new(
        "distinct",
        1,
        1,
        "the elements of a list without repeats, each at its first place (equal as `==` decides: numbers by value); undefined for anything else",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| match a.get(0) {
            Some(Value::Array(items)) => {
                let mut out: Vec<Value> = Vec::with_capacity(items.len());
                for v in items {
                    if !out.iter().any(|o| pounce_lang::document::deep_eq(o, v)) {
                        out.push(v.clone());
                    }
                }
                Ok(Value::Array(out))
            }
            _ => Err(NativeError("not a list".into())),
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
    r.register(Native::new(
        "from_entries",
        1,
        1,
        "an object from a list of [KEY, VALUE] pairs (jq's from_entries), in order, a later repeated key replacing the earlier value; undefined when an element is not a pair with a string key",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| match a.get(0) {
            Some(Value::Array(pairs)) => {
                let mut m = Map::new();
                for p in pairs {
                    match p.as_array().map(Vec::as_slice) {
                        Some([Value::String(k), v]) => {
                            m.insert(k.clone(), v.clone());
                        }
                        _ => {
                            return Err(NativeError(format!(
                                "from_entries: {p} is not a [key, value] pair"
                            )));
                        }
                    }
                }
                Ok(Value::Object(m))
            }
            _ => Err(NativeError("from_entries: not a list".into())),
        },
    ));
    r.register(Native::new(
        "object_get",
        2,
        2,
        "the value of object OBJ under string KEY; undefined when OBJ is not an object, KEY not a string or the key absent",
        object_get,
    ));
    r.register(Native::new(
        "value_at",
        2,
        2,
        "safe nested read: the value of VALUE at the dot-separated key PATH; undefined when a step is missing or not an object",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| match (a.get(0), a.get(1)) {
            (Some(v), Some(Value::String(path))) => value_at(v, path)
                .cloned()
                .ok_or_else(|| NativeError(format!("no value at `{path}`"))),
            _ => Err(NativeError("value_at needs a value and a string path".into())),
        },
    ));
    r.register(Native::new(
        "deep_walk",
        2,
        16,
        "upstream deep_walk(obj, keys…): the distinct values found under the keys, walking every element of lists; one value bare, several as a list, none as null",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| Ok(collapse(walk_args(a)?)),
    ));
    r.register(Native::new(
        "deep_walk_list",
        2,
        16,
        "the values deep_walk(obj, keys…) finds, always as a list ([] when none)",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| Ok(Value::Array(walk_args(a)?)),
    ));
    r.register(Native::new(
        "first_where",
        3,
        3,
        "the first object of LIST whose member KEY (case-insensitive fallback) equals VALUE; undefined when there is none",
        first_where,
    ));
    r.register(Native::new(
        "object_from",
        2,
        16,
        "an object from KEY, VALUE pairs, leaving out pairs whose value is missing, undefined or null",
        object_from,
    ));
    r.register(Native::new(
        "make_object",
        2,
        32,
        "an object from KEY, VALUE pairs (a missing value gives null; a later repeated key wins); undefined when a key is not a string or a value lacks its key",
        make_object,
    ));
    r.register(Native::new(
        "set_union",
        1,
        16,
        "the distinct values of its arguments, in first-seen order: a list gives its elements, an object its member values, a missing or null argument nothing, any other value itself",
        set_union,
    ));
}

/// How the functions that always ignore key case look keys up (as upstream reads a Panther
/// event, whatever the evaluation's own matching): the exact key, else the first one equal
/// ignoring ASCII case.
pub const ANY_CASE: KeyMatch = KeyMatch::CaseInsensitiveFallback;

/// `object_get(obj, key)`: `obj[key]` for an object `obj` and a string `key` (exact,
/// case-sensitive); a key holding `null` gives `null`. Undefined when `obj` is missing or not an
/// object, `key` is missing or not a string, or the key is absent.
fn object_get(args: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    match (args.get(0), args.get(1)) {
        (Some(Value::Object(m)), Some(Value::String(k))) => m
            .get(k)
            .cloned()
            .ok_or_else(|| NativeError(format!("object_get: no key {k:?}"))),
        _ => Err(NativeError(
            "object_get: not an object and a string key".into(),
        )),
    }
}

/// The value at a dot-separated key path (`a.b.c`); `None` when a step is missing or the value
/// there is not an object. An empty path gives the value itself.
fn value_at<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    if path.is_empty() {
        return Some(v);
    }
    path.split('.')
        .try_fold(v, |cur, key| cur.as_object().and_then(|m| m.get(key)))
}

/// The keys (arguments 2…) of a walk, then the walk of argument 1.
fn walk_args(a: &Args<'_>) -> Result<Vec<Value>, NativeError> {
    let keys = (1..a.len())
        .map(|i| match a.get(i) {
            Some(Value::String(k)) => Ok(k.as_str()),
            _ => Err(NativeError(format!("deep_walk: key {} is not a string", i))),
        })
        .collect::<Result<Vec<&str>, _>>()?;
    match a.get(0) {
        Some(v) => walk(v, &keys),
        None => Ok(Vec::new()),
    }
}

/// Upstream's `deep_walk` with `default=None` and `return_val="all"`, returning the list of
/// values found (before upstream collapses it, see [`collapse`]):
/// - no keys left: `[]` when the value is a list of (recursively) empty lists (`[]`, `[[]]`),
///   else `[value]`;
/// - an object: its member under the first key (exact key first, else ignoring ASCII case);
///   absent or null gives `[]`, else the walk of the member with the remaining keys;
/// - a list: every element is walked with the same keys; each element's result, collapsed, is
///   kept unless null, a list result contributing its elements; duplicates are dropped keeping
///   the first; a collected object or list makes upstream raise (unhashable), so the walk is
///   an error;
/// - anything else: `[]`.
///
/// Duplicates compare as JSON values (upstream's dictionary would also merge `1`, `1.0` and
/// `true`; only strings occur in the ported rules).
pub fn walk(v: &Value, keys: &[&str]) -> Result<Vec<Value>, NativeError> {
    let Some((key, rest)) = keys.split_first() else {
        return Ok(if empty_list(v) {
            Vec::new()
        } else {
            vec![v.clone()]
        });
    };
    match v {
        Value::Object(_) => match get_key(v, key, ANY_CASE) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(next) => walk(next, rest),
        },
        Value::Array(items) => {
            let mut found: Vec<Value> = Vec::new();
            for item in items {
                let got = match collapse(walk(item, keys)?) {
                    Value::Null => continue,
                    Value::Array(sub) => sub,
                    one => vec![one],
                };
                for g in got {
                    if g.is_object() || g.is_array() {
                        return Err(NativeError(
                            "deep_walk: found an object or a list inside a list (unhashable upstream)"
                                .into(),
                        ));
                    }
                    if !found.contains(&g) {
                        found.push(g);
                    }
                }
            }
            Ok(found)
        }
        _ => Ok(Vec::new()),
    }
}

fn empty_list(v: &Value) -> bool {
    matches!(v, Value::Array(a) if a.iter().all(empty_list))
}

/// Upstream's `return_val="all"`: nothing → null, one value → that value, several → the list.
fn collapse(mut found: Vec<Value>) -> Value {
    match found.len() {
        0 => Value::Null,
        1 => found.pop().unwrap_or(Value::Null),
        _ => Value::Array(found),
    }
}

/// `first_where(list, key, value)`: the first element of `list` that is an object whose member
/// `key` (exact key first, else ignoring ASCII case) equals `value` (JSON equality, numbers by
/// value). Elements that are not objects are skipped. Undefined when `list` is not a list,
/// `key` is not a string, `value` is missing, or no element matches.
fn first_where(a: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let (Some(Value::Array(items)), Some(Value::String(key)), Some(want)) =
        (a.get(0), a.get(1), a.get(2))
    else {
        return Err(NativeError(
            "first_where: needs a list, a string key and a value".into(),
        ));
    };
    items
        .iter()
        .find(|item| {
            item.is_object() && get_key(*item, key, ANY_CASE).is_some_and(|v| same(v, want))
        })
        .cloned()
        .ok_or_else(|| NativeError(format!("first_where: no element with {key} = {want}")))
}

/// Equality as Python's sets decide it for JSON values: numbers by value (`1` and `1.0` are
/// the same), everything else structurally. Booleans are not numbers here.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// An object from the KEY, VALUE pairs of `a`, in order (a repeated key keeps its first place
/// and takes the later value); `value` says what a pair's value (`None` when missing or
/// undefined) puts in the object, `None` leaving the pair out. Undefined when the number of
/// arguments is odd (`odd` says so, after `name: `) or a key is not a string.
fn object_of_pairs(
    a: &Args<'_>,
    name: &str,
    odd: &str,
    value: impl Fn(Option<&Value>) -> Option<Value>,
) -> Result<Value, NativeError> {
    if !a.len().is_multiple_of(2) {
        return Err(NativeError(format!("{name}: {odd}")));
    }
    let mut m = Map::new();
    for i in (0..a.len()).step_by(2) {
        let Some(Value::String(k)) = a.get(i) else {
            return Err(NativeError(format!(
                "{name}: key {} is not a string",
                i / 2 + 1
            )));
        };
        if let Some(v) = value(a.get(i + 1)) {
            m.insert(k.clone(), v);
        }
    }
    Ok(Value::Object(m))
}

/// `object_from(k1, v1, k2, v2, …)`: an object with each string key `kN` mapped to `vN`, in
/// order (a repeated key keeps its first place and takes the later value). A pair whose value
/// is missing, undefined or null is left out, so an alert-context entry can appear only when
/// its value is there (`object_from("k", x)`: only when `x` is present and not null) or only
/// when a condition holds (`object_from("k", if_else(C, x, null))`). Undefined when the number
/// of arguments is odd or a key is not a string.
fn object_from(a: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    object_of_pairs(a, "object_from", "needs KEY, VALUE pairs", |v| {
        v.filter(|v| !v.is_null()).cloned()
    })
}

/// `make_object(k1, v1, k2, v2, …)`: the object `{k1: v1, k2: v2, …}` in argument order. A
/// missing or undefined value gives `null`; a repeated key keeps its first position and its
/// last value. Undefined when a key is missing or not a string, or when the number of
/// arguments is odd.
fn make_object(a: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    object_of_pairs(
        a,
        "make_object",
        "needs KEY, VALUE pairs (an even number of arguments)",
        |v| Some(v.cloned().unwrap_or(Value::Null)),
    )
}

/// `set_union(a, …)`: the distinct values of its arguments, in first-seen order, as a list.
/// A list argument contributes its elements, an object argument its member values (in key
/// order), a missing or null argument nothing, and any other argument (string, number, boolean)
/// itself — a string is one value, not its characters. Elements are kept whatever their type
/// (a null element is a value). Numbers compare by value (`1` = `1.0`); `1` and `"1"` differ.
fn set_union(a: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let mut out: Vec<Value> = Vec::new();
    let mut add = |v: &Value| {
        if !out.iter().any(|o| same(o, v)) {
            out.push(v.clone());
        }
    };
    for i in 0..a.len() {
        match a.get(i) {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => items.iter().for_each(&mut add),
            Some(Value::Object(m)) => m.values().for_each(&mut add),
            Some(other) => add(other),
        }
    }
    Ok(Value::Array(out))
}
