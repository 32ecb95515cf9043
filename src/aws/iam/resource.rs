//! Resource policies (bucket and Lambda function policies): IAM-style policy documents held as
//! JSON text, read the way the upstream policies' model of a policy document reads them.

use pounce_lang::functions::{Args, NativeCtx, NativeError};
use serde_json::Value;

/// `resource_policy_statements(policy)`: `policy` is a policy document, either as JSON text or
/// already decoded. A missing or null `policy` stands for the empty document `{}`. The result is
/// the document's `Statement` value as a list: a list is returned as is, a single object as a
/// one-element list, and a missing or null `Statement` as `[]`. Undefined (error) when the text is
/// not JSON, the document is not an object, or `Statement` is neither a list, an object nor null.
pub(super) fn resource_policy_statements(
    a: &Args<'_>,
    ctx: &mut NativeCtx<'_>,
) -> Result<Value, NativeError> {
    let parsed;
    let doc = match a.get(0) {
        None | Some(Value::Null) => return Ok(Value::Array(Vec::new())),
        Some(Value::String(s)) => {
            parsed = serde_json::from_str::<Value>(s)
                .map_err(|e| NativeError(format!("the policy is not JSON: {e}")))?;
            &parsed
        }
        Some(other) => other,
    };
    let Value::Object(doc) = doc else {
        return Err(NativeError("the policy document is not an object".into()));
    };
    let out = match doc.get("Statement") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        Some(_) => return Err(NativeError("Statement is not a list or an object".into())),
    };
    ctx.note(format_args!("{} statement(s)", out.len()));
    Ok(Value::Array(out))
}

/// The principals of a statement: from `Principal` only (never `NotPrincipal`). A falsy
/// `Principal` gives none; a string gives itself; a list gives its string elements; an object
/// gives the strings (or string-list elements) under exactly the keys `AWS`, `Service` and
/// `Federated` (others such as `CanonicalUser` are ignored). A statement that is not an object
/// has no principals.
pub(super) fn principals(stmt: Option<&Value>) -> Vec<String> {
    let mut out = Vec::new();
    let push_all = |v: &Value, out: &mut Vec<String>| match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(l) => out.extend(l.iter().filter_map(Value::as_str).map(str::to_string)),
        _ => {}
    };
    match stmt.and_then(|s| s.get("Principal")) {
        Some(Value::Object(m)) => {
            for k in ["AWS", "Service", "Federated"] {
                if let Some(v) = m.get(k) {
                    push_all(v, &mut out);
                }
            }
        }
        Some(v) => push_all(v, &mut out),
        None => {}
    }
    out
}

/// Condition keys that pin a request to a caller, account, organisation, ARN, address or network
/// (lower case).
/// The restricting condition entries of a statement: for each operator of its `Condition` object
/// that the IAM natives' strong operators accept and whose value is an object, each key of that object
/// whose lower-cased name is one of their 13 strong keys gives one entry per value (a list gives one
/// per element, so an empty list gives none). Each entry is
/// `{"operator": OP, "key": KEY, "value": VALUE}`. A missing, null or non-object `Condition` (or
/// statement) gives no entries.
pub(super) fn condition_entries(stmt: Option<&Value>) -> Vec<Value> {
    match stmt.and_then(|s| s.get("Condition")) {
        Some(Value::Object(cond)) => super::strong_condition_entries(cond),
        _ => Vec::new(),
    }
}
