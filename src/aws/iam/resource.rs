//! Resource-policy functions (`resource_policy_*`): bucket and Lambda function policies,
//! IAM-style documents held as JSON text, read the way the upstream policies' model of a policy
//! document reads them.

use super::policy::{self, NotADocument, Statements};
use pounce_lang::document::{KeyMatch, get_key};
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
    let v = match a.get(0) {
        None | Some(Value::Null) => return Ok(Value::Array(Vec::new())),
        Some(v) => v,
    };
    let doc = policy::document(v, KeyMatch::Exact).map_err(|e| match e {
        NotADocument::NotJson(e) => NativeError(format!("the policy is not JSON: {e}")),
        NotADocument::TextNotObject | NotADocument::NotObject => {
            NativeError("the policy document is not an object".into())
        }
    })?;
    let out = match policy::statements(&doc.value, doc.keys) {
        Statements::None => Vec::new(),
        Statements::List(list) => list.to_vec(),
        Statements::One(one @ Value::Object(_)) => vec![one.clone()],
        Statements::One(_) => {
            return Err(NativeError("Statement is not a list or an object".into()));
        }
    };
    ctx.note(format_args!("{} statement(s)", out.len()));
    Ok(Value::Array(out))
}

/// `resource_policy_principals(statement)`: the principals of a statement, from `Principal` only
/// (never `NotPrincipal`): a string gives itself (even `""`); a list gives its string elements;
/// an object gives the strings (or string-list elements) under exactly the keys `AWS`, `Service`
/// and `Federated` (others such as `CanonicalUser` are ignored); anything else, none. A
/// statement that is not an object has no principals.
pub(super) fn principals(stmt: Option<&Value>) -> Vec<String> {
    stmt.and_then(|s| get_key(s, "Principal", KeyMatch::Exact))
        .map(|p| {
            policy::principal_values(p, KeyMatch::Exact, None)
                .into_iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// `resource_policy_condition_entries(statement)`: the restricting entries of a statement's
/// `Condition` object (see [`policy::condition_entries`]), each
/// `{"operator": OP, "key": KEY, "value": VALUE}`. A missing, null or non-object `Condition` (or
/// statement) gives no entries.
pub(super) fn condition_entries(stmt: Option<&Value>) -> Vec<Value> {
    match stmt.and_then(|s| get_key(s, "Condition", KeyMatch::Exact)) {
        Some(Value::Object(cond)) => policy::condition_entries_json(cond),
        _ => Vec::new(),
    }
}
