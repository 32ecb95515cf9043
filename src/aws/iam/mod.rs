//! IAM policy documents: identity policies (`iam_*`), resource policies (`resource_policy_*`)
//! and whether a policy opens a resource to the internet (`policy_*`), read the way the
//! upstream Panther policies read them through the policyuniverse library (1.5.1.20230817):
//! statements, principals, "strong" conditions, the set of actions a statement covers
//! (`actions.rs`) and the access category of an action.

pub(crate) mod actions;
mod exposure;
mod resource;

use crate::stdlib::truthy;
use pounce_lang::functions::{Args, Native, NativeCtx, NativeError, Registry};
use serde_json::{Map, Value};

/// The condition keys that make a condition entry "strong" (compared case-insensitively).
const STRONG_CONDITION_KEYS: [&str; 13] = [
    "aws:sourcearn",
    "aws:principalarn",
    "aws:sourceowner",
    "aws:sourceaccount",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "kms:calleraccount",
    "aws:userid",
    "aws:sourceip",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "saml:aud",
];

/// The operator families whose entries can be strong (lower case; matched at the start of the
/// operator name, after an optional `ForAllValues:` / `ForAnyValue:` qualifier).
const STRONG_OPERATORS: [&str; 5] = [
    "arnequals",
    "arnlike",
    "stringequals",
    "stringlike",
    "ipaddress",
];

/// Registers the functions of this folder.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "iam_statements",
        1,
        2,
        "the statements of an IAM policy document (object or JSON text) as a list, a single statement object as a one-element list; optional N keeps the first N",
        iam_statements,
    ));
    r.register(Native::new(
        "iam_principals",
        1,
        2,
        "the principal strings of a statement's Principal: the values under AWS, Service and Federated (or only under KEY), or the bare string/list",
        iam_principals,
    ));
    r.register(Native::new(
        "iam_strong_conditions",
        1,
        1,
        "the entries of a statement's Condition that policyuniverse counts as restricting (ArnEquals/ArnLike/StringEquals/StringLike/IpAddress on 13 account/source keys)",
        iam_strong_conditions,
    ));
    r.register(Native::new(
        "iam_covered_actions",
        1,
        2,
        "the lower-case actions the statements of a policy document cover (wildcards expanded over the bundled catalogue, NotAction as its complement); optional EFFECT keeps statements with exactly that Effect",
        actions::iam_covered_actions,
    ));
    r.register(Native::new(
        "iam_action_category",
        1,
        1,
        "the policyuniverse access category of an action (\"Permissions\" or \"Write\") from the bundled partial catalogue; null for an action it does not list",
        actions::iam_action_category,
    ));
    r.register(Native::new(
        "iam_arn_account",
        1,
        1,
        "the account field (fifth colon-separated field) of an ARN string; undefined when there are fewer than five fields",
        iam_arn_account,
    ));
    r.register(Native::new(
        "resource_policy_statements",
        1,
        1,
        "the Statement list of a resource policy (JSON text or object); a single statement counts as a one-element list, missing/null policy or Statement gives []",
        resource::resource_policy_statements,
    ));
    r.register(Native::new(
        "resource_policy_principals",
        1,
        1,
        "the principal strings of a policy statement: Principal itself (string or list) or its AWS, Service and Federated values",
        |a: &Args<'_>, ctx: &mut NativeCtx<'_>| {
            let p = resource::principals(a.get(0));
            ctx.note(format_args!("principals: {}", Value::from(p.clone())));
            Ok(Value::from(p))
        },
    ));
    r.register(Native::new(
        "resource_policy_condition_entries",
        1,
        1,
        "the condition entries of a policy statement that restrict the caller (ARN/String equals/like or IpAddress operators on account, org, ARN, source IP/VPC keys)",
        |a: &Args<'_>, ctx: &mut NativeCtx<'_>| {
            let e = resource::condition_entries(a.get(0));
            ctx.note(format_args!(
                "{} restricting condition entr{}",
                e.len(),
                if e.len() == 1 { "y" } else { "ies" }
            ));
            Ok(Value::Array(e))
        },
    ));
    r.register(Native::new(
        "policy_internet_accessible",
        1,
        1,
        "policyuniverse's is_internet_accessible over an IAM policy document (an object, or JSON text); undefined where policyuniverse raises",
        |a: &Args<'_>, ctx: &mut NativeCtx<'_>| {
            let (doc, ci) = exposure::policy_doc(a.get(0))?;
            let open = exposure::policy_open(&doc, ci)?;
            ctx.note(format_args!(
                "the policy is {}internet accessible (policyuniverse)",
                if open { "" } else { "not " }
            ));
            Ok(Value::Bool(open))
        },
    ));
    r.register(Native::new(
        "policy_is_public",
        1,
        1,
        "a falsy value is not public; else (JSON text decoded, bad JSON not public) public when policyuniverse calls it internet accessible and an Allow statement names principal * without an organization restriction",
        exposure::policy_is_public,
    ));
}

// ---- policy documents ------------------------------------------------------------------

/// The policy document `v` stands for: an object as is, or the object a string holds as JSON.
pub(super) fn document(v: Option<&Value>) -> Option<Map<String, Value>> {
    match v? {
        Value::Object(m) => Some(m.clone()),
        Value::String(s) => match serde_json::from_str(s) {
            Ok(Value::Object(m)) => Some(m),
            _ => None,
        },
        _ => None,
    }
}

/// The statements of a document: `Statement` as a list, a single object as a one-element list,
/// anything else (absent, null, a string...) as no statements.
pub(super) fn statements(doc: &Map<String, Value>) -> Vec<Value> {
    match doc.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(obj @ Value::Object(_)) => vec![obj.clone()],
        _ => Vec::new(),
    }
}

/// `iam_statements(doc)` / `iam_statements(doc, n)`: the statements of an IAM policy document.
///
/// `doc` is a policy document object, or a string holding one as JSON. The result is the
/// document's `Statement` value as a list: a list as is (elements that are not objects are
/// kept, so paths on them are missing), a single statement object as a one-element list, and
/// an empty list when `Statement` is absent, null or of another type. With `n` (a non-negative
/// integer), only the first `n` statements are kept (upstream policies that read only the
/// first statement). Undefined when `doc` is missing, null, not an object, a string that is
/// not a JSON object, or when `n` is given but is not a non-negative integer.
fn iam_statements(a: &Args<'_>, ctx: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let doc = document(a.get(0))
        .ok_or_else(|| NativeError("not a policy document (object or JSON text)".into()))?;
    let mut list = statements(&doc);
    if a.len() > 1 {
        let n = a
            .get(1)
            .and_then(Value::as_u64)
            .ok_or_else(|| NativeError("N is not a non-negative integer".into()))?;
        list.truncate(usize::try_from(n).unwrap_or(usize::MAX));
    }
    ctx.note(format_args!("the document has {} statement(s)", list.len()));
    Ok(Value::Array(list))
}

/// Pushes the strings of `v` (a string, or the string elements of a list) into `out`, once.
fn push_strings(v: Option<&Value>, out: &mut Vec<Value>) {
    let mut add = |s: &Value| {
        if s.is_string() && !out.contains(s) {
            out.push(s.clone());
        }
    };
    match v {
        Some(s @ Value::String(_)) => add(s),
        Some(Value::Array(items)) => items.iter().for_each(add),
        _ => {}
    }
}

/// `iam_principals(principal)` / `iam_principals(principal, key)`: the principals a statement's
/// `Principal` value names, as a list of distinct strings in order of appearance.
///
/// - A missing value or a falsy one (null, `""`, `{}`, `[]`, false, 0) gives `[]`.
/// - An object gives the strings under its `AWS`, `Service` and `Federated` keys (each a string
///   or a list of strings); every other key (e.g. `CanonicalUser`) is ignored, as in
///   policyuniverse. With `key`, only the strings under that exact key.
/// - A string or a list gives that string / its string elements; with `key`, only when `key`
///   is `"AWS"` (IAM reads `"Principal": "*"` as `{"AWS": "*"}`), otherwise `[]`.
/// - No wildcard interpretation: `"*"` is the string `*`. Non-string elements are skipped.
///
/// Undefined when `key` is given but is not a string.
fn iam_principals(a: &Args<'_>, ctx: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let key = match (a.len() > 1, a.get(1)) {
        (false, _) => None,
        (true, Some(Value::String(k))) => Some(k.as_str()),
        (true, _) => return Err(NativeError("KEY is not a string".into())),
    };
    let mut out = Vec::new();
    match a.get(0) {
        Some(p) if !truthy(p) => {}
        Some(Value::Object(m)) => {
            for k in ["AWS", "Service", "Federated"] {
                if key.is_none_or(|want| want == k) {
                    push_strings(m.get(k), &mut out);
                }
            }
            if let Some(want) = key.filter(|w| !["AWS", "Service", "Federated"].contains(w)) {
                push_strings(m.get(want), &mut out);
            }
        }
        Some(p @ (Value::String(_) | Value::Array(_))) if key.is_none_or(|k| k == "AWS") => {
            push_strings(Some(p), &mut out);
        }
        _ => {}
    }
    ctx.note(format_args!("principals: {}", Value::Array(out.clone())));
    Ok(Value::Array(out))
}

/// True when a condition operator name counts for strong entries: case-insensitively, after an
/// optional `ForAllValues:` or `ForAnyValue:` qualifier, it begins with `ArnEquals`, `ArnLike`,
/// `StringEquals`, `StringLike` or `IpAddress` (so `StringEqualsIgnoreCase`, `ArnLikeIfExists`
/// count too; `StringNotEquals`, `NotIpAddress`, `Bool`... do not).
fn strong_operator(op: &str) -> bool {
    let op = op.to_lowercase();
    let rest = op
        .strip_prefix("forallvalues:")
        .or_else(|| op.strip_prefix("foranyvalue:"))
        .unwrap_or(&op);
    STRONG_OPERATORS.iter().any(|f| rest.starts_with(f))
}

/// The strong entries of a `Condition` object (see `iam_strong_conditions`), in document
/// order; shared with the resource-policy functions of `resource.rs`.
fn strong_condition_entries(ops: &Map<String, Value>) -> Vec<Value> {
    let mut out = Vec::new();
    for (op, body) in ops {
        let Value::Object(keys) = body else { continue };
        if !strong_operator(op) {
            continue;
        }
        for (key, v) in keys {
            if !STRONG_CONDITION_KEYS.contains(&key.to_lowercase().as_str()) {
                continue;
            }
            let values = match v {
                Value::Array(items) => items.clone(),
                other => vec![other.clone()],
            };
            for value in values {
                let mut e = Map::new();
                e.insert("operator".into(), Value::String(op.clone()));
                e.insert("key".into(), Value::String(key.clone()));
                e.insert("value".into(), value);
                out.push(Value::Object(e));
            }
        }
    }
    out
}

/// `iam_strong_conditions(condition)`: the entries of a statement's `Condition` object that
/// policyuniverse counts as restricting who may use the statement, as a list of objects
/// `{"operator": ..., "key": ..., "value": ...}` in document order.
///
/// An operator counts when [`strong_operator`] accepts it and its value is an object; inside
/// it, a condition key counts when it equals, ignoring case, one of `aws:SourceArn`,
/// `aws:PrincipalArn`, `aws:SourceOwner`, `aws:SourceAccount`, `aws:PrincipalAccount`,
/// `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `kms:CallerAccount`, `aws:userid`,
/// `aws:SourceIp`, `aws:SourceVpc`, `aws:SourceVpce`, `saml:aud`. A key whose value is a list
/// gives one entry per element (an empty list none); any other value (null and `""` included)
/// gives one entry. A missing or non-object `condition` gives `[]`; never undefined.
fn iam_strong_conditions(a: &Args<'_>, ctx: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let out = match a.get(0) {
        Some(Value::Object(ops)) => strong_condition_entries(ops),
        _ => Vec::new(),
    };
    ctx.note(format_args!(
        "{} strong condition {}",
        out.len(),
        if out.len() == 1 { "entry" } else { "entries" }
    ));
    Ok(Value::Array(out))
}

/// `iam_arn_account(arn)`: the fifth `:`-separated field of a string, i.e. the account ID of an
/// ARN such as `arn:aws:iam::123456789012:root` (possibly empty, as in `arn:aws:s3:::bucket`).
/// Undefined when `arn` is missing, not a string, or has fewer than five fields (e.g. `"*"` or a
/// bare account ID).
fn iam_arn_account(a: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let Some(Value::String(arn)) = a.get(0) else {
        return Err(NativeError("not a string".into()));
    };
    arn.split(':')
        .nth(4)
        .map(|acct| Value::String(acct.to_string()))
        .ok_or_else(|| NativeError(format!("{arn:?} has fewer than five fields")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strong_operators() {
        assert!(strong_operator("StringEqualsIgnoreCase"));
        assert!(strong_operator("stringequalsignorecase"));
        assert!(strong_operator("ForAllValues:ArnEquals"));
        assert!(!strong_operator("NotIpAddress"));
        assert!(!strong_operator("ForAllValues:Bool"));
        assert!(!strong_operator("StringNotLike"));
        assert!(!strong_operator("ForAllValues:ArnNotEquals"));
    }
}
