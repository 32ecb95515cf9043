//! Whether a policy opens a resource to the internet: policyuniverse 1.5.1.20230817's
//! `is_internet_accessible` over an IAM policy document, and the "public to everyone" test of
//! `AWS.CloudTrail.ResourceMadePublic` built on it.

use crate::stdlib::collections::ANY_CASE;
use crate::stdlib::truthy;
use pounce_lang::document::{KeyMatch, get_key};
use pounce_lang::functions::{Args, NativeCtx, NativeError};
use regex::Regex;
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// The document a policy native works on, and whether its keys match ignoring case: JSON text
/// is decoded and its keys match exactly (upstream decodes it into plain dictionaries); an
/// object from the event keeps the event's case-insensitive reads. Undefined for anything else,
/// text that is not JSON, or JSON that is not an object.
pub(super) fn policy_doc(
    v: Option<&Value>,
) -> Result<(std::borrow::Cow<'_, Value>, bool), NativeError> {
    match v {
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(d @ Value::Object(_)) => Ok((std::borrow::Cow::Owned(d), false)),
            Ok(_) => Err(NativeError("the policy text is not a JSON object".into())),
            Err(e) => Err(NativeError(format!("the policy text is not JSON: {e}"))),
        },
        Some(d @ Value::Object(_)) => Ok((std::borrow::Cow::Borrowed(d), true)),
        _ => Err(NativeError(
            "the policy is neither an object nor JSON text".into(),
        )),
    }
}

/// A key of a policy object: exactly, or (for a document from the event) ignoring case.
fn key<'v>(v: &'v Value, k: &str, ci: bool) -> Option<&'v Value> {
    get_key(v, k, if ci { ANY_CASE } else { KeyMatch::Exact })
}

/// The statements: `Statement` as a list, a single value counting as one; absent or null: none.
/// A statement that is not an object makes policyuniverse raise.
fn statements(doc: &Value, ci: bool) -> Result<Vec<&Value>, NativeError> {
    let list: Vec<&Value> = match key(doc, "Statement", ci) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.iter().collect(),
        Some(one) => vec![one],
    };
    if list.iter().any(|s| !s.is_object()) {
        return Err(NativeError("a statement is not an object".into()));
    }
    Ok(list)
}

/// Principals of a statement: `Principal` falsy → none; an object → the values under `AWS`,
/// `Service` and `Federated` (each a string or a list); a string or a list → itself. Each
/// principal must be a string (policyuniverse raises on anything else).
fn principals(stmt: &Value, ci: bool) -> Result<Vec<&str>, NativeError> {
    let mut raw: Vec<&Value> = Vec::new();
    match key(stmt, "Principal", ci) {
        None => {}
        Some(p) if !truthy(p) => {}
        Some(p @ Value::Object(_)) => {
            for k in ["AWS", "Service", "Federated"] {
                match key(p, k, ci) {
                    None => {}
                    Some(Value::Array(a)) => raw.extend(a.iter()),
                    Some(one) => raw.push(one),
                }
            }
        }
        Some(Value::Array(a)) => raw.extend(a.iter()),
        Some(one) => raw.push(one),
    }
    raw.into_iter()
        .map(|v| {
            v.as_str()
                .ok_or_else(|| NativeError(format!("principal {v} is not a string")))
        })
        .collect()
}

/// Categories of the condition keys policyuniverse reads (by lower-cased key name).
fn condition_category(k: &str) -> Option<&'static str> {
    Some(match k.to_ascii_lowercase().as_str() {
        "aws:sourcearn" | "aws:principalarn" => "arn",
        "aws:sourceowner" | "aws:sourceaccount" | "aws:principalaccount" | "kms:calleraccount" => {
            "account"
        }
        "aws:principalorgid" | "aws:principalorgpaths" => "organization",
        "aws:userid" => "userid",
        "aws:sourceip" => "cidr",
        "aws:sourcevpc" => "vpc",
        "aws:sourcevpce" => "vpce",
        "saml:aud" => "saml-endpoint",
        _ => return None,
    })
}

/// Whether a condition operator is one policyuniverse reads: optional `ForAllValues:` or
/// `ForAnyValue:`, then `ARNEquals`/`ARNLike`, `StringEquals`/`StringLike` or `IpAddress`, at
/// the start of the name, ignoring case (the rest of the name is not checked).
fn relevant_operator(op: &str) -> bool {
    let l = op.to_ascii_lowercase();
    let heads = [
        "arnequals",
        "arnlike",
        "stringequals",
        "stringlike",
        "ipaddress",
    ];
    let starts = |s: &str| heads.iter().any(|h| s.starts_with(h));
    starts(&l)
        || l.strip_prefix("forallvalues:").is_some_and(starts)
        || l.strip_prefix("foranyvalue:").is_some_and(starts)
}

/// A condition operator: its name and its object of condition keys.
type Operator<'v> = (&'v str, &'v Map<String, Value>);

/// The operators of a statement's `Condition` as (name, object of keys). Falsy → none; a
/// condition or an operator value that is not an object makes upstream raise.
fn condition_operators(stmt: &Value, ci: bool) -> Result<Vec<Operator<'_>>, NativeError> {
    match key(stmt, "Condition", ci) {
        None => Ok(Vec::new()),
        Some(c) if !truthy(c) => Ok(Vec::new()),
        Some(Value::Object(ops)) => ops
            .iter()
            .map(|(op, keys)| match keys {
                Value::Object(m) => Ok((op.as_str(), m)),
                _ => Err(NativeError(format!(
                    "condition operator {op} is not an object"
                ))),
            })
            .collect(),
        Some(_) => Err(NativeError("Condition is not an object".into())),
    }
}

/// policyuniverse's condition entries: (category, value) for each value (each element of a
/// list value) of a recognised key under a recognised operator, in document order.
fn condition_entries(stmt: &Value, ci: bool) -> Result<Vec<(&'static str, &Value)>, NativeError> {
    let mut out = Vec::new();
    for (op, keys) in condition_operators(stmt, ci)? {
        if !relevant_operator(op) {
            continue;
        }
        for (k, v) in keys {
            if let Some(cat) = condition_category(k) {
                match v {
                    Value::Array(a) => out.extend(a.iter().map(|x| (cat, x))),
                    one => out.push((cat, one)),
                }
            }
        }
    }
    Ok(out)
}

fn arn_regex() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^arn:([^:]*):([^:]*):([^:]*):(|\*|\d{12}|cloudfront|aws):(.+)$").ok()
    })
    .as_ref()
}

fn service_regex() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^(?:[^.]+(?:.[^.]+)?\.(?:amazonaws\.com|amazon\.com)|[^.]+.aws.internal)$")
            .ok()
    })
    .as_ref()
}

/// policyuniverse's ARN test: is this principal or ARN value open to the internet?
/// `*` is open. An ARN (`arn:P:S:R:A:REST`, A empty, `*`, 12 digits, `cloudfront` or `aws`) is
/// closed for service `s3`, else open exactly when A is empty or `*`. A bare account number (one
/// or more groups of 12 digits) or a service principal (`ec2.amazonaws.com`, `x.aws.internal`)
/// is closed. Anything else is open when it contains `*`.
pub fn arn_open(s: &str) -> bool {
    if s == "*" {
        return true;
    }
    if let Some(c) = arn_regex().and_then(|re| re.captures(s)) {
        let service = c.get(2).map_or("", |m| m.as_str());
        let account = c.get(4).map_or("", |m| m.as_str());
        return service != "s3" && (account.is_empty() || account == "*");
    }
    let account_number =
        !s.is_empty() && s.len().is_multiple_of(12) && s.chars().all(|c| c.is_ascii_digit());
    if account_number || service_regex().is_some_and(|re| re.is_match(s)) {
        return false;
    }
    s.contains('*')
}

/// Whether an organization condition value is open: its first `/` part is exactly `o-*`; or
/// it is not a well-formed organization path (first part `o-…` or `*`; second part, when
/// present, `r-…` or `*`; later parts `ou-…`, `*` or empty) and contains `o-*`.
fn org_open(s: &str) -> bool {
    let parts: Vec<&str> = s.split('/').collect();
    if parts.first() == Some(&"o-*") {
        return true;
    }
    let well_formed = parts.iter().enumerate().all(|(i, p)| match i {
        0 => p.starts_with("o-") || *p == "*",
        1 => p.starts_with("r-") || *p == "*",
        _ => p.starts_with("ou-") || *p == "*" || p.is_empty(),
    });
    !well_formed && s.contains("o-*")
}

/// Whether one condition entry leaves the statement open.
fn entry_open(cat: &str, v: &Value) -> Result<bool, NativeError> {
    let s = v
        .as_str()
        .ok_or_else(|| NativeError(format!("condition value {v} is not a string")))?;
    Ok(match cat {
        "arn" => arn_open(s),
        "organization" => org_open(s),
        "userid" => !(s.is_empty() || s.find('*') == Some(s.len() - 1)),
        "cidr" => s.ends_with("/0"),
        _ => s.contains('*'),
    })
}

/// policyuniverse's `Statement.is_internet_accessible`: `Effect` is exactly `Allow`; the
/// condition gate is open (no entries, or one open entry, in order); and the statement has a
/// `NotPrincipal` key or an open principal.
fn statement_open(stmt: &Value, ci: bool) -> Result<bool, NativeError> {
    if key(stmt, "Effect", ci).and_then(Value::as_str) != Some("Allow") {
        return Ok(false);
    }
    let entries = condition_entries(stmt, ci)?;
    let mut gate = entries.is_empty();
    for (cat, v) in &entries {
        if entry_open(cat, v)? {
            gate = true;
            break;
        }
    }
    if !gate {
        return Ok(false);
    }
    if key(stmt, "NotPrincipal", ci).is_some() {
        return Ok(true);
    }
    Ok(principals(stmt, ci)?.into_iter().any(arn_open))
}

/// policyuniverse's `Policy.is_internet_accessible`: some statement is open (in order).
pub(super) fn policy_open(doc: &Value, ci: bool) -> Result<bool, NativeError> {
    for s in statements(doc, ci)? {
        if statement_open(s, ci)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether a statement restricts callers to an organization: one of its condition entries is in
/// the organization category, or any operator (negated ones included) holds a key whose
/// lower-cased name contains `principalorgid`, `sourceorgid` or `principalorgpaths`. A
/// `Condition` that is present but null makes upstream raise.
fn org_restricted(stmt: &Value, ci: bool) -> Result<bool, NativeError> {
    if matches!(key(stmt, "Condition", ci), Some(Value::Null)) {
        return Err(NativeError("Condition is null".into()));
    }
    if condition_entries(stmt, ci)?
        .iter()
        .any(|(cat, _)| *cat == "organization")
    {
        return Ok(true);
    }
    Ok(condition_operators(stmt, ci)?.iter().any(|(_, keys)| {
        keys.keys().any(|k| {
            let l = k.to_ascii_lowercase();
            ["principalorgid", "sourceorgid", "principalorgpaths"]
                .iter()
                .any(|n| l.contains(n))
        })
    }))
}

/// `policy_is_public(v)`: the public-policy test of `AWS.CloudTrail.ResourceMadePublic`.
/// - `v` falsy (missing, null, `""`, `{}`) → false;
/// - JSON text is decoded (keys then match exactly); text that is not JSON → false; JSON that is
///   not an object → undefined (upstream raises); an object from the event is used as is, its
///   keys matched ignoring case; any other value → undefined;
/// - not internet accessible per policyuniverse (see `policy_internet_accessible`) → false;
/// - else true when some statement has `Effect` exactly `Allow`, the principal `*` (the text
///   itself, alone, in a list or under `AWS`/`Service`/`Federated`) and no organization
///   restriction (an organization condition entry, or a condition key of any operator whose
///   lower-cased name contains `principalorgid`, `sourceorgid` or `principalorgpaths`); a
///   `Condition` present but null on such a statement → undefined (upstream raises).
pub(super) fn policy_is_public(
    a: &Args<'_>,
    ctx: &mut NativeCtx<'_>,
) -> Result<Value, NativeError> {
    let v = match a.get(0) {
        Some(v) if truthy(v) => v,
        _ => return Ok(Value::Bool(false)),
    };
    if let Value::String(s) = v
        && serde_json::from_str::<Value>(s).is_err()
    {
        ctx.note(format_args!("the policy text is not JSON: not public"));
        return Ok(Value::Bool(false));
    }
    let (doc, ci) = policy_doc(Some(v))?;
    if !policy_open(&doc, ci)? {
        ctx.note(format_args!(
            "policyuniverse: the policy is not internet accessible"
        ));
        return Ok(Value::Bool(false));
    }
    for (i, s) in statements(&doc, ci)?.into_iter().enumerate() {
        if key(s, "Effect", ci).and_then(Value::as_str) == Some("Allow")
            && principals(s, ci)?.contains(&"*")
            && !org_restricted(s, ci)?
        {
            ctx.note(format_args!(
                "statement {} allows principal * without an organization restriction",
                i + 1
            ));
            return Ok(Value::Bool(true));
        }
    }
    ctx.note(format_args!(
        "no Allow statement names principal * without an organization restriction"
    ));
    Ok(Value::Bool(false))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn arn_test_like_policyuniverse() {
        for open in [
            "*",
            "arn:aws:iam::*:root",
            "arn:aws:iam:::root",
            "arn:aws:sts::*:assumed-role/x",
            "foo*bar",
        ] {
            assert!(arn_open(open), "{open}");
        }
        for closed in [
            "123456789012",
            "123456789012123456789012",
            "arn:aws:iam::123456789012:root",
            "arn:aws:s3:::bucket*",
            "ec2.amazonaws.com",
            "*.amazonaws.com",
            "ec2.us-east-1.amazonaws.com",
            "elasticmapreduce.amazon.com",
            "foo.aws.internal",
            "arn:aws:iam::aws:policy/x",
            "somebody",
        ] {
            assert!(!arn_open(closed), "{closed}");
        }
    }

    #[test]
    fn organization_values() {
        assert!(org_open("o-*"));
        assert!(org_open("o-*/r-abc"));
        assert!(!org_open("o-abc123"));
        assert!(!org_open("o-abc/r-ab12/ou-ab12-1111/"));
        assert!(!org_open("o-ab*"));
        assert!(org_open("x/o-*"));
        // `o-*` as a third part is not `ou-…`: not well-formed, and it contains `o-*`.
        assert!(org_open("o-x/r-1/o-*"));
    }
}
