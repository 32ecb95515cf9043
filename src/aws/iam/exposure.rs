//! Whether a policy opens a resource to the internet: policyuniverse 1.5.1.20230817's
//! `is_internet_accessible` over an IAM policy document (`policy_internet_accessible`), and the
//! "public to everyone" test of `AWS.CloudTrail.ResourceMadePublic` built on it
//! (`policy_is_public`). Where policyuniverse raises, the function is undefined.

use super::policy::{self, ConditionEntry, Document, KeyKind, NotADocument, Statements};
use crate::stdlib::collections::ANY_CASE;
use crate::stdlib::truthy;
use pounce_lang::document::{KeyMatch, get_key};
use pounce_lang::functions::{Args, NativeCtx, NativeError};
use regex::Regex;
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// The document a policy function works on: JSON text is decoded and its keys match exactly
/// (upstream decodes it into plain dictionaries); an object from the event keeps the event's
/// case-insensitive reads. Undefined for anything else, text that is not JSON, or JSON that is
/// not an object.
fn policy_doc(v: Option<&Value>) -> Result<Document<'_>, NativeError> {
    let v = v.ok_or(NotADocument::NotObject).map_err(not_a_document)?;
    policy::document(v, ANY_CASE).map_err(not_a_document)
}

/// What a function says of a value that is not a policy document.
fn not_a_document(e: NotADocument) -> NativeError {
    match e {
        NotADocument::NotJson(e) => NativeError(format!("the policy text is not JSON: {e}")),
        NotADocument::TextNotObject => NativeError("the policy text is not a JSON object".into()),
        NotADocument::NotObject => {
            NativeError("the policy is neither an object nor JSON text".into())
        }
    }
}

/// The statements: `Statement` as a list, a single value counting as one; absent or null: none.
/// A statement that is not an object makes policyuniverse raise.
fn statements(doc: &Value, keys: KeyMatch) -> Result<Vec<&Value>, NativeError> {
    let list: Vec<&Value> = match policy::statements(doc, keys) {
        Statements::None => Vec::new(),
        Statements::List(items) => items.iter().collect(),
        Statements::One(one) => vec![one],
    };
    if list.iter().any(|s| !s.is_object()) {
        return Err(NativeError("a statement is not an object".into()));
    }
    Ok(list)
}

/// Principals of a statement: `Principal` falsy → none; else the values it names (see
/// [`policy::principal_values`]). Each must be a string (policyuniverse raises on anything
/// else).
fn principals(stmt: &Value, keys: KeyMatch) -> Result<Vec<&str>, NativeError> {
    let Some(p) = get_key(stmt, "Principal", keys).filter(|p| truthy(p)) else {
        return Ok(Vec::new());
    };
    policy::principal_values(p, keys, None)
        .into_iter()
        .map(|v| {
            v.as_str()
                .ok_or_else(|| NativeError(format!("principal {v} is not a string")))
        })
        .collect()
}

/// A condition operator: its name and its object of condition keys.
type Operator<'v> = (&'v str, &'v Map<String, Value>);

/// The operators of a statement's `Condition` as (name, object of keys). Falsy → none; a
/// condition or an operator value that is not an object makes upstream raise.
fn condition_operators(stmt: &Value, keys: KeyMatch) -> Result<Vec<Operator<'_>>, NativeError> {
    match get_key(stmt, "Condition", keys) {
        None => Ok(Vec::new()),
        Some(c) if !truthy(c) => Ok(Vec::new()),
        Some(Value::Object(ops)) => ops
            .iter()
            .map(|(op, body)| match body {
                Value::Object(m) => Ok((op.as_str(), m)),
                _ => Err(NativeError(format!(
                    "condition operator {op} is not an object"
                ))),
            })
            .collect(),
        Some(_) => Err(NativeError("Condition is not an object".into())),
    }
}

/// policyuniverse's condition entries of a statement, in document order.
fn condition_entries(stmt: &Value, keys: KeyMatch) -> Result<Vec<ConditionEntry<'_>>, NativeError> {
    Ok(condition_operators(stmt, keys)?
        .into_iter()
        .flat_map(|(op, body)| policy::operator_entries(op, body))
        .collect())
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
fn entry_open(e: &ConditionEntry<'_>) -> Result<bool, NativeError> {
    let v = e.value;
    let s = v
        .as_str()
        .ok_or_else(|| NativeError(format!("condition value {v} is not a string")))?;
    Ok(match e.kind {
        KeyKind::Arn => arn_open(s),
        KeyKind::Organization => org_open(s),
        KeyKind::UserId => !(s.is_empty() || s.find('*') == Some(s.len() - 1)),
        KeyKind::Cidr => s.ends_with("/0"),
        KeyKind::Account | KeyKind::Vpc | KeyKind::Vpce | KeyKind::SamlEndpoint => s.contains('*'),
    })
}

/// policyuniverse's `Statement.is_internet_accessible`: `Effect` is exactly `Allow`; the
/// condition gate is open (no entries, or one open entry, in order); and the statement has a
/// `NotPrincipal` key or an open principal.
fn statement_open(stmt: &Value, keys: KeyMatch) -> Result<bool, NativeError> {
    if get_key(stmt, "Effect", keys).and_then(Value::as_str) != Some("Allow") {
        return Ok(false);
    }
    let entries = condition_entries(stmt, keys)?;
    let mut gate = entries.is_empty();
    for e in &entries {
        if entry_open(e)? {
            gate = true;
            break;
        }
    }
    if !gate {
        return Ok(false);
    }
    if get_key(stmt, "NotPrincipal", keys).is_some() {
        return Ok(true);
    }
    Ok(principals(stmt, keys)?.into_iter().any(arn_open))
}

/// policyuniverse's `Policy.is_internet_accessible`: some statement is open (in order).
fn policy_open(doc: &Document<'_>) -> Result<bool, NativeError> {
    for s in statements(&doc.value, doc.keys)? {
        if statement_open(s, doc.keys)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether a statement restricts callers to an organization: one of its condition entries is of
/// the organization kind, or any operator (negated ones included) holds a key whose lower-cased
/// name contains `principalorgid`, `sourceorgid` or `principalorgpaths`. A `Condition` that is
/// present but null makes upstream raise.
fn org_restricted(stmt: &Value, keys: KeyMatch) -> Result<bool, NativeError> {
    if matches!(get_key(stmt, "Condition", keys), Some(Value::Null)) {
        return Err(NativeError("Condition is null".into()));
    }
    if condition_entries(stmt, keys)?
        .iter()
        .any(|e| e.kind == KeyKind::Organization)
    {
        return Ok(true);
    }
    Ok(condition_operators(stmt, keys)?.iter().any(|(_, keys)| {
        keys.keys().any(|k| {
            let l = k.to_ascii_lowercase();
            ["principalorgid", "sourceorgid", "principalorgpaths"]
                .iter()
                .any(|n| l.contains(n))
        })
    }))
}

/// `policy_internet_accessible(policy)`: policyuniverse's `is_internet_accessible` over a policy
/// document (an object, or JSON text; see [`policy_doc`]); undefined where policyuniverse
/// raises.
pub(super) fn policy_internet_accessible(
    a: &Args<'_>,
    ctx: &mut NativeCtx<'_>,
) -> Result<Value, NativeError> {
    let doc = policy_doc(a.get(0))?;
    let open = policy_open(&doc)?;
    ctx.note(format_args!(
        "the policy is {}internet accessible (policyuniverse)",
        if open { "" } else { "not " }
    ));
    Ok(Value::Bool(open))
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
    let doc = match policy::document(v, ANY_CASE) {
        Err(NotADocument::NotJson(_)) => {
            ctx.note(format_args!("the policy text is not JSON: not public"));
            return Ok(Value::Bool(false));
        }
        read => read.map_err(not_a_document)?,
    };
    if !policy_open(&doc)? {
        ctx.note(format_args!(
            "policyuniverse: the policy is not internet accessible"
        ));
        return Ok(Value::Bool(false));
    }
    for (i, s) in statements(&doc.value, doc.keys)?.into_iter().enumerate() {
        if get_key(s, "Effect", doc.keys).and_then(Value::as_str) == Some("Allow")
            && principals(s, doc.keys)?.contains(&"*")
            && !org_restricted(s, doc.keys)?
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
