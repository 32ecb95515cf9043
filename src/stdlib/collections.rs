//! Functions over lists and objects: reading (`keys`, `values`), building
//! (`from_entries`) and combining (`distinct`).

use pounce_lang::document::KeyMatch;
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
}

/// How the functions that always ignore key case look keys up (as upstream reads a Panther
/// event, whatever the evaluation's own matching): the exact key, else the first one equal
/// ignoring ASCII case.
pub const ANY_CASE: KeyMatch = KeyMatch::CaseInsensitiveFallback;
