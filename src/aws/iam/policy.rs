//! The one model of an IAM policy document that every IAM function reads through: the
//! document (an object, or JSON text holding one), its statements, a statement's principals
//! and the condition entries that restrict who may use it, as policyuniverse 1.5.1.20230817
//! reads them. Each function decides what to do with what the model finds (skip it, keep it,
//! or be undefined), as its own upstream policy does; the reading itself is here once. The policy
//! pack says the same reading in the language (`policies/helpers/iam.yml`: statements,
//! principals, restricting conditions); tests/policy_helpers.rs keeps the two in agreement.

use pounce_lang::document::{KeyMatch, get_key};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// A policy document: the decoded object and how its keys match.
pub struct Document<'v> {
    /// The document, an object.
    pub value: Cow<'v, Value>,
    /// How its keys match: exactly for decoded JSON text (upstream reads plain dictionaries),
    /// as the caller asks for an object taken from the event.
    pub keys: KeyMatch,
}

/// Why a value is not a policy document.
#[derive(Debug)]
pub enum NotADocument {
    /// Text that is not JSON.
    NotJson(serde_json::Error),
    /// Text holding JSON that is not an object.
    TextNotObject,
    /// A value that is neither an object nor text.
    NotObject,
}

/// Reads `v` as a policy document: JSON text is decoded (its keys then match exactly); an
/// object is taken as it is, its keys matched as `object_keys` says.
pub fn document(v: &Value, object_keys: KeyMatch) -> Result<Document<'_>, NotADocument> {
    match v {
        Value::String(s) => match serde_json::from_str::<Value>(s) {
            Ok(d @ Value::Object(_)) => Ok(Document {
                value: Cow::Owned(d),
                keys: KeyMatch::Exact,
            }),
            Ok(_) => Err(NotADocument::TextNotObject),
            Err(e) => Err(NotADocument::NotJson(e)),
        },
        Value::Object(_) => Ok(Document {
            value: Cow::Borrowed(v),
            keys: object_keys,
        }),
        _ => Err(NotADocument::NotObject),
    }
}

/// A document's `Statement` value.
pub enum Statements<'v> {
    /// Absent or null.
    None,
    /// A list, whatever its elements.
    List(&'v [Value]),
    /// Any other value, which policies read as a single statement.
    One(&'v Value),
}

/// The `Statement` value of `doc` (a document or any value; a non-object has none).
pub fn statements(doc: &Value, keys: KeyMatch) -> Statements<'_> {
    match get_key(doc, "Statement", keys) {
        None | Some(Value::Null) => Statements::None,
        Some(Value::Array(list)) => Statements::List(list),
        Some(one) => Statements::One(one),
    }
}

/// The principal kinds whose values count: IAM reads every other key of a `Principal` object
/// (such as `CanonicalUser`) as naming no internet principal.
const PRINCIPAL_KEYS: [&str; 3] = ["AWS", "Service", "Federated"];

/// The values a statement's `Principal` value names, flattened one level, in order: of an
/// object, the values under `AWS`, `Service` and `Federated` (or only under `only`), each a
/// value or the elements of a list; of a list, its elements; of anything else, the value itself.
/// With `only` other than `AWS`, a `Principal` that is not an object names nothing (IAM reads
/// `"Principal": "*"` as `{"AWS": "*"}`). Values are returned whatever their type.
pub fn principal_values<'v>(
    principal: &'v Value,
    keys: KeyMatch,
    only: Option<&str>,
) -> Vec<&'v Value> {
    let mut out = Vec::new();
    let mut flatten = |v: &'v Value| match v {
        Value::Array(items) => out.extend(items.iter()),
        one => out.push(one),
    };
    match principal {
        Value::Object(_) => {
            let wanted: Vec<&str> = match only {
                Some(k) => vec![k],
                None => PRINCIPAL_KEYS.to_vec(),
            };
            for k in wanted {
                if let Some(v) = get_key(principal, k, keys) {
                    flatten(v);
                }
            }
        }
        _ if only.is_some_and(|k| k != "AWS") => {}
        other => flatten(other),
    }
    out
}

/// What a condition key pins a request to; a key of none of these kinds does not restrict.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum KeyKind {
    /// `aws:SourceArn`, `aws:PrincipalArn`.
    Arn,
    /// `aws:SourceOwner`, `aws:SourceAccount`, `aws:PrincipalAccount`, `kms:CallerAccount`.
    Account,
    /// `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`.
    Organization,
    /// `aws:userid`.
    UserId,
    /// `aws:SourceIp`.
    Cidr,
    /// `aws:SourceVpc`.
    Vpc,
    /// `aws:SourceVpce`.
    Vpce,
    /// `saml:aud`.
    SamlEndpoint,
}

/// The condition keys that restrict callers (lower case) and their kinds.
const CONDITION_KEYS: [(&str, KeyKind); 13] = [
    ("aws:sourcearn", KeyKind::Arn),
    ("aws:principalarn", KeyKind::Arn),
    ("aws:sourceowner", KeyKind::Account),
    ("aws:sourceaccount", KeyKind::Account),
    ("aws:principalaccount", KeyKind::Account),
    ("kms:calleraccount", KeyKind::Account),
    ("aws:principalorgid", KeyKind::Organization),
    ("aws:principalorgpaths", KeyKind::Organization),
    ("aws:userid", KeyKind::UserId),
    ("aws:sourceip", KeyKind::Cidr),
    ("aws:sourcevpc", KeyKind::Vpc),
    ("aws:sourcevpce", KeyKind::Vpce),
    ("saml:aud", KeyKind::SamlEndpoint),
];

/// The operator families whose entries restrict (lower case), matched at the start of the
/// operator name after an optional `ForAllValues:` / `ForAnyValue:` qualifier.
const STRONG_OPERATORS: [&str; 5] = [
    "arnequals",
    "arnlike",
    "stringequals",
    "stringlike",
    "ipaddress",
];

/// The kind of a condition key, compared in lower case as Python's `str.lower()` folds it.
pub fn key_kind(key: &str) -> Option<KeyKind> {
    let key = key.to_lowercase();
    CONDITION_KEYS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, kind)| *kind)
}

/// True when a condition operator's entries can restrict: in lower case (Python's
/// `str.lower()`), after an optional `ForAllValues:` or `ForAnyValue:` qualifier, it begins with
/// `ArnEquals`, `ArnLike`, `StringEquals`, `StringLike` or `IpAddress` (so
/// `StringEqualsIgnoreCase`, `ArnLikeIfExists` count too; `StringNotEquals`, `NotIpAddress`,
/// `Bool`… do not).
pub fn strong_operator(op: &str) -> bool {
    let op = op.to_lowercase();
    let rest = op
        .strip_prefix("forallvalues:")
        .or_else(|| op.strip_prefix("foranyvalue:"))
        .unwrap_or(&op);
    STRONG_OPERATORS.iter().any(|f| rest.starts_with(f))
}

/// One entry of a `Condition` that restricts who may use a statement.
pub struct ConditionEntry<'v> {
    /// The operator, as written.
    pub operator: &'v str,
    /// The condition key, as written.
    pub key: &'v str,
    /// What the key pins the request to.
    pub kind: KeyKind,
    /// One value (one element of a list value).
    pub value: &'v Value,
}

/// The restricting entries under one operator (`op` and its object of condition keys), in
/// document order: none unless [`strong_operator`]; else, for each key with a [`key_kind`], one
/// entry per value (a list gives one per element, so an empty list none; any other value, null
/// and `""` included, one).
pub fn operator_entries<'v>(op: &'v str, keys: &'v Map<String, Value>) -> Vec<ConditionEntry<'v>> {
    let mut out = Vec::new();
    if !strong_operator(op) {
        return out;
    }
    for (key, v) in keys {
        let Some(kind) = key_kind(key) else { continue };
        let values: Vec<&Value> = match v {
            Value::Array(items) => items.iter().collect(),
            one => vec![one],
        };
        out.extend(values.into_iter().map(|value| ConditionEntry {
            operator: op,
            key,
            kind,
            value,
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strong_operators() {
        assert!(strong_operator("StringEqualsIgnoreCase"));
        assert!(strong_operator("stringequalsignorecase"));
        assert!(strong_operator("ForAllValues:ArnEquals"));
        assert!(!strong_operator("NotIpAddress"));
        assert!(!strong_operator("ForAllValues:Bool"));
        assert!(!strong_operator("StringNotLike"));
        assert!(!strong_operator("ForAllValues:ArnNotEquals"));
        // Folded as Python's str.lower() folds: the Kelvin sign is a `k`.
        assert!(strong_operator("ArnLi\u{212A}e"));
        assert_eq!(key_kind("\u{212A}ms:CallerAccount"), Some(KeyKind::Account));
    }

    #[test]
    fn principal_values_by_kind() {
        let p = json!({"AWS": ["a", ["b"]], "Service": "s", "CanonicalUser": "c", "aws": "x"});
        let all = principal_values(&p, KeyMatch::Exact, None);
        assert_eq!(all, [&json!("a"), &json!(["b"]), &json!("s")]);
        assert_eq!(
            principal_values(&p, KeyMatch::Exact, Some("CanonicalUser")),
            [&json!("c")]
        );
        let lower = json!({"aws": "*"});
        assert!(principal_values(&lower, KeyMatch::Exact, None).is_empty());
        assert_eq!(
            principal_values(&lower, KeyMatch::CaseInsensitiveFallback, None),
            [&json!("*")]
        );
        assert_eq!(
            principal_values(&json!("*"), KeyMatch::Exact, Some("AWS")),
            [&json!("*")]
        );
        assert!(principal_values(&json!("*"), KeyMatch::Exact, Some("Service")).is_empty());
    }
}
