//! Identity-policy functions (`iam_*`): the statements of a policy document, the principals a
//! statement names, its restricting conditions, and the account of an ARN.

use super::policy::{self, Statements};
use crate::stdlib::truthy;
use pounce_lang::document::KeyMatch;
use pounce_lang::functions::{Args, NativeCtx, NativeError};
use serde_json::Value;

/// The statements of the identity-policy document `v` (see [`iam_statements`]); shared with
/// `iam_covered_actions`.
pub(super) fn statement_list(v: Option<&Value>) -> Result<Vec<Value>, NativeError> {
    let doc = v
        .and_then(|v| policy::document(v, KeyMatch::Exact).ok())
        .ok_or_else(|| NativeError("not a policy document (object or JSON text)".into()))?;
    Ok(match policy::statements(&doc.value, doc.keys) {
        Statements::List(items) => items.to_vec(),
        Statements::One(one) if one.is_object() => vec![one.clone()],
        Statements::One(_) | Statements::None => Vec::new(),
    })
}

/// Optional argument `i`: `None` when not given, its text when it is a string; undefined (the
/// error names it `what`) for anything else.
pub(super) fn optional_text<'a>(
    a: &Args<'a>,
    i: usize,
    what: &str,
) -> Result<Option<&'a str>, NativeError> {
    match (a.len() > i, a.get(i)) {
        (false, _) => Ok(None),
        (true, Some(Value::String(k))) => Ok(Some(k.as_str())),
        (true, _) => Err(NativeError(format!("{what} is not a string"))),
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
pub(super) fn iam_statements(a: &Args<'_>, ctx: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let mut list = statement_list(a.get(0))?;
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
pub(super) fn iam_principals(a: &Args<'_>, ctx: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let key = optional_text(a, 1, "KEY")?;
    let mut out: Vec<Value> = Vec::new();
    if let Some(p) = a.get(0).filter(|p| truthy(p)) {
        for v in policy::principal_values(p, KeyMatch::Exact, key) {
            if v.is_string() && !out.contains(v) {
                out.push(v.clone());
            }
        }
    }
    ctx.note(format_args!("principals: {}", Value::Array(out.clone())));
    Ok(Value::Array(out))
}

/// `iam_strong_conditions(condition)`: the entries of a statement's `Condition` object that
/// policyuniverse counts as restricting who may use the statement, as a list of objects
/// `{"operator": ..., "key": ..., "value": ...}` in document order.
///
/// An operator counts when [`policy::strong_operator`] accepts it and its value is an object;
/// inside it, a condition key counts when it equals, ignoring case, one of `aws:SourceArn`,
/// `aws:PrincipalArn`, `aws:SourceOwner`, `aws:SourceAccount`, `aws:PrincipalAccount`,
/// `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `kms:CallerAccount`, `aws:userid`,
/// `aws:SourceIp`, `aws:SourceVpc`, `aws:SourceVpce`, `saml:aud`. A key whose value is a list
/// gives one entry per element (an empty list none); any other value (null and `""` included)
/// gives one entry. A missing or non-object `condition` gives `[]`; never undefined.
pub(super) fn iam_strong_conditions(
    a: &Args<'_>,
    ctx: &mut NativeCtx<'_>,
) -> Result<Value, NativeError> {
    let out: Vec<Value> = match a.get(0) {
        Some(Value::Object(ops)) => policy::condition_entries_json(ops),
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
pub(super) fn iam_arn_account(a: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let Some(Value::String(arn)) = a.get(0) else {
        return Err(NativeError("not a string".into()));
    };
    arn.split(':')
        .nth(4)
        .map(|acct| Value::String(acct.to_string()))
        .ok_or_else(|| NativeError(format!("{arn:?} has fewer than five fields")))
}
