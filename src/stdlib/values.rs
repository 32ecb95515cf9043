//! Functions over a value of any type: its type (`type`), conversions (`to_string`,
//! `to_number`, `floor`), Python truthiness (`truthy`), a deliberate failure (`error`), the
//! first present value (`coalesce`, `default_if_absent`), Python's `a or b` (`or_else`) and a
//! conditional value (`if_else`).

use super::python::truthy;
use pounce_lang::functions::{Args, Native, NativeCtx, NativeError, Registry};
use serde_json::Value;

/// Registers the functions of this file.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "type",
        1,
        1,
        "the type of a value: \"null\", \"boolean\", \"number\", \"string\", \"list\" or \"object\" (missing for a missing value)",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| {
            a.get(0)
                .map(|v| Value::from(pounce_lang::Document::kind(v).as_str()))
                .ok_or_else(NativeError::missing)
        },
    ));
    r.register(Native::new(
        "to_string",
        1,
        1,
        "a string as it is; any other value as its compact JSON text (1.5 → \"1.5\", true → \"true\", null → \"null\", [1] → \"[1]\"); undefined when missing",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| match a.get(0) {
            Some(Value::String(s)) => Ok(Value::String(s.clone())),
            Some(v) => Ok(Value::String(v.to_string())),
            None => Err(NativeError("to_string: no value".into())),
        },
    ));
    r.register(Native::new(
        "to_number",
        1,
        1,
        "a number as it is; a string holding a JSON number (surrounding spaces allowed: \" 42 \" → 42, \"1e3\" → 1000.0) as that number; undefined otherwise",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| match a.get(0) {
            Some(Value::Number(n)) => Ok(Value::Number(n.clone())),
            Some(Value::String(s)) => match serde_json::from_str::<Value>(s.trim()) {
                Ok(Value::Number(n)) => Ok(Value::Number(n)),
                _ => Err(NativeError(format!("to_number: `{s}` is not a number"))),
            },
            _ => Err(NativeError("to_number: not a number or a string".into())),
        },
    ));
    r.register(Native::new(
        "floor",
        1,
        1,
        "the largest integer not above a number (floor(2.7) → 2, floor(-0.5) → -1); undefined for anything else",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| match a.get(0) {
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(Value::Number(n.clone())),
            Some(Value::Number(n)) => n
                .as_f64()
                .map(f64::floor)
                .filter(|f| f.abs() < 9.0e15)
                .map(|f| Value::from(f as i64))
                .ok_or_else(|| NativeError("floor: out of range".into())),
            _ => Err(NativeError("floor: not a number".into())),
        },
    ));
    r.register(Native::new(
        "error",
        1,
        1,
        "always undefined, with MESSAGE as the reason (jq's error): where a rule's upstream code raises; an alert template whose value is undefined falls back as Panther does",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| {
            let why = a.get(0).map_or_else(|| "error".to_string(), |m| super::python::str_of(Some(m)));
            Err(NativeError(format!("error: {why}")))
        },
    ));
    r.register(Native::new(
        "truthy",
        1,
        1,
        "Python truthiness: false for missing, null, false, 0, \"\", [] and {}; true otherwise",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| Ok(Value::Bool(a.get(0).is_some_and(truthy))),
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
        "or_else",
        2,
        16,
        "Python's `a or b or …`: the first truthy argument, else the last one (missing counts as falsy)",
        or_else,
    ));
    r.register(Native::new(
        "if_else",
        3,
        3,
        "THEN when COND is JSON true, else ELSE (Python's `a if c else b`); undefined when the chosen value is missing",
        if_else,
    ));
    r.register(Native::new(
        "default_if_absent",
        2,
        2,
        "VALUE when it is present (a present null stays null), DEFAULT when it is missing (Python's `event.get(key, default)`)",
        default_if_absent,
    ));
}

/// `or_else(a, b, …)` (2 to 16 arguments): Python's `a or b or …`. The first argument that is
/// truthy (Python truthiness; a missing argument is falsy), or else the last argument as it is
/// (so `or_else(x, "")` can give `""`); undefined when that last argument is missing.
fn or_else(a: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let last = a.len().saturating_sub(1);
    (0..last)
        .find_map(|i| a.get(i).filter(|v| truthy(v)))
        .or_else(|| a.get(last))
        .cloned()
        .ok_or_else(|| {
            NativeError("or_else: every argument is falsy and the last is missing".into())
        })
}

/// `if_else(cond, then, else)`: `then` when `cond` is the JSON value `true` (as a bare operand
/// counts it: missing, null, `"true"` and `1` are not), otherwise `else`. Both branches are
/// evaluated by the caller; only the chosen one matters. Undefined (seen as missing) when the
/// chosen branch is missing or undefined.
fn if_else(a: &Args<'_>, ctx: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let take_then = matches!(a.get(0), Some(Value::Bool(true)));
    let i = if take_then { 1 } else { 2 };
    ctx.note(format_args!(
        "if_else: condition is {}, so the {} value is taken",
        take_then,
        if take_then { "THEN" } else { "ELSE" }
    ));
    a.get(i)
        .cloned()
        .ok_or_else(|| NativeError("if_else: the chosen value is missing".into()))
}

/// `default_if_absent(value, default)`: `value` whenever it is present, including a present
/// `null`; `default` when `value` is missing (the path does not resolve) or undefined. This is
/// Python's `event.get("key", default)` on a top-level key; for upstream's `deep_get(…,
/// default=…)`, which also replaces a null, use `coalesce`. Undefined when both are missing.
fn default_if_absent(a: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    a.get(0)
        .or_else(|| a.get(1))
        .cloned()
        .ok_or_else(|| NativeError("default_if_absent: value and default are missing".into()))
}
