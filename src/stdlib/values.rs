//! Functions over a value of any type: its type (`type`), conversions (`to_string`,
//! `to_number`, `floor`), Python truthiness (`truthy`) and a deliberate failure (`error`).

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
}
