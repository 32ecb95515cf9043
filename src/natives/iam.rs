//! Natives for the ported AWS policies (iam family); see docs/NATIVES.md.
//!
//! They read IAM policy documents the way the upstream Panther policies do through the
//! policyuniverse library (1.5.1.20230817): statements, principals, "strong" conditions, the
//! set of actions a statement covers and the access category of an action. The action
//! catalogue is partial: only the actions listed in `data/iam/` (see the NOTICE there) are
//! known, which is every action of category `Permissions` and every `ec2` network `Write`
//! action, i.e. every action whose category the ported policies test.
//!
//! Also here: the managed-policy look-up of `AWS.IAM.Role.ExternalPermission` (no resource
//! store in pounce: unmocked it finds nothing), the account field of an ARN, and the exact
//! difference of two timestamps used by `AWS.AccessKeys.AccountCreation`.

use super::{Args, Native, NativeCtx, NativeError, Registry, fnmatch, parse_timestamp};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// The catalogue actions of category `Permissions` (data/iam/permissions_actions.txt).
const PERMISSIONS_ACTIONS: &str = include_str!("../../data/iam/permissions_actions.txt");
/// The `ec2` network actions of category `Write` (data/iam/ec2_network_write_actions.txt).
const EC2_NETWORK_WRITE_ACTIONS: &str =
    include_str!("../../data/iam/ec2_network_write_actions.txt");

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

/// Registers the natives of this family.
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
        iam_covered_actions,
    ));
    r.register(Native::new(
        "iam_action_category",
        1,
        1,
        "the policyuniverse access category of an action (\"Permissions\" or \"Write\") from the bundled partial catalogue; null for an action it does not list",
        iam_action_category,
    ));
    r.register(Native::new(
        "iam_arn_account",
        1,
        1,
        "the account field (fifth colon-separated field) of an ARN string; undefined when there are fewer than five fields",
        iam_arn_account,
    ));
    r.register(Native::new(
        "iam_managed_policy_document",
        2,
        2,
        "look-up of the PolicyDocument of managed policy arn:aws:iam::ACCOUNT:policy/NAME; pounce has no resource store, so unmocked it is null (not found)",
        iam_managed_policy_document,
    ));
    r.register(Native::new(
        "timestamp_diff",
        2,
        2,
        "A minus B in seconds, fractions of a second included, for two timestamps (strings as `timestamp` reads them, or epoch numbers); undefined unless both are timestamps",
        timestamp_diff,
    ));
}

// ---- policy documents ------------------------------------------------------------------

/// The policy document `v` stands for: an object as is, or the object a string holds as JSON.
fn document(v: Option<&Value>) -> Option<Map<String, Value>> {
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
fn statements(doc: &Map<String, Value>) -> Vec<Value> {
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
        Some(p) if !super::truthy(p) => {}
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
/// order; shared with the resource-policy natives of `storage.rs`.
pub(super) fn strong_condition_entries(ops: &Map<String, Value>) -> Vec<Value> {
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

/// True for an operator whose entries can restrict (see `iam_strong_conditions`).
#[cfg(test)]
pub(super) fn is_strong_operator(op: &str) -> bool {
    strong_operator(op)
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

// ---- the action catalogue ------------------------------------------------------------

/// The bundled catalogue: lower-case action name → access category.
fn catalogue() -> &'static BTreeMap<&'static str, &'static str> {
    static CATALOGUE: OnceLock<BTreeMap<&'static str, &'static str>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let mut m = BTreeMap::new();
        for (text, category) in [
            (PERMISSIONS_ACTIONS, "Permissions"),
            (EC2_NETWORK_WRITE_ACTIONS, "Write"),
        ] {
            for line in text.lines().map(str::trim) {
                if !line.is_empty() && !line.starts_with('#') {
                    m.insert(line, category);
                }
            }
        }
        m
    })
}

/// The string entries of an `Action` / `NotAction` value (a string or a list), lower-cased.
fn action_entries(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.to_lowercase()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_lowercase)
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether a lower-cased entry matches a catalogue action: a shell glob when it contains `*`,
/// exact equality otherwise (policyuniverse does not treat `?` or `[` as wildcards then).
fn entry_matches(entry: &str, action: &str) -> bool {
    if entry.contains('*') {
        fnmatch(entry, action)
    } else {
        entry == action
    }
}

/// The actions one statement covers, added to `out` (see [`iam_covered_actions`]).
fn statement_coverage(stmt: &Map<String, Value>, out: &mut BTreeSet<String>) {
    let cat = catalogue();
    for entry in action_entries(stmt.get("Action")) {
        if entry.contains('*') {
            let mut matched = false;
            for action in cat.keys().filter(|a| fnmatch(&entry, a)) {
                matched = true;
                out.insert((*action).to_string());
            }
            if !matched {
                out.insert(entry);
            }
        } else {
            out.insert(entry);
        }
    }
    if let Some(not) = stmt.get("NotAction").filter(|v| !v.is_null()) {
        let excluded = action_entries(Some(not));
        for action in cat.keys() {
            if !excluded.iter().any(|e| entry_matches(e, action)) {
                out.insert((*action).to_string());
            }
        }
    }
}

/// `iam_covered_actions(doc)` / `iam_covered_actions(doc, effect)`: the sorted list of distinct
/// lower-case action names that the statements of a policy document cover, as policyuniverse
/// expands them.
///
/// `doc` is read as by `iam_statements`. With `effect` (a string), only statements whose
/// `Effect` is exactly that string (case-sensitive: `"Allow"` does not select `"allow"`) count;
/// without it, every statement counts whatever its `Effect` (Deny included). Per statement:
/// - each `Action` entry (a string, or the strings of a list) is lower-cased; an entry with `*`
///   is a shell glob (`*`, `?`, `[...]`) replaced by every bundled catalogue action it matches,
///   or kept as written (lower-cased) when it matches none; an entry without `*` is kept as
///   written (lower-cased), whether or not the catalogue lists it;
/// - when the statement has a non-null `NotAction`, every bundled catalogue action that no
///   `NotAction` entry matches (same matching) is covered as well.
///
/// `Resource`, `NotResource` and `Condition` play no part. The catalogue is the partial one of
/// `data/iam/`, so the list holds every covered action of category `Permissions` and every
/// covered `ec2` network `Write` action, plus the written entries, but not other expansions.
/// Undefined when `doc` is not a policy document or `effect` is given but is not a string.
fn iam_covered_actions(a: &Args<'_>, ctx: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let doc = document(a.get(0))
        .ok_or_else(|| NativeError("not a policy document (object or JSON text)".into()))?;
    let effect = match (a.len() > 1, a.get(1)) {
        (false, _) => None,
        (true, Some(Value::String(e))) => Some(e.as_str()),
        (true, _) => return Err(NativeError("EFFECT is not a string".into())),
    };
    let mut out = BTreeSet::new();
    for (i, stmt) in statements(&doc).iter().enumerate() {
        let Value::Object(stmt) = stmt else { continue };
        if let Some(want) = effect
            && stmt.get("Effect").and_then(Value::as_str) != Some(want)
        {
            ctx.note(format_args!(
                "statement {i}: Effect is not {want:?}, skipped"
            ));
            continue;
        }
        let before = out.len();
        statement_coverage(stmt, &mut out);
        ctx.note(format_args!(
            "statement {i}: {} new action(s) covered",
            out.len() - before
        ));
    }
    Ok(Value::Array(out.into_iter().map(Value::String).collect()))
}

/// `iam_action_category(action)`: the access category policyuniverse gives `action` (compared
/// in lower case): `"Permissions"` for the 237 actions of data/iam/permissions_actions.txt,
/// `"Write"` for the 153 `ec2` network actions of data/iam/ec2_network_write_actions.txt, and
/// `null` for any other string: the bundled catalogue is partial, so null means "not one of
/// those", not "no category". Undefined when `action` is missing or not a string.
fn iam_action_category(a: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let Some(Value::String(action)) = a.get(0) else {
        return Err(NativeError("the action is not a string".into()));
    };
    Ok(catalogue()
        .get(action.to_lowercase().as_str())
        .map_or(Value::Null, |c| Value::String((*c).to_string())))
}

// ---- ARNs, look-ups and time -----------------------------------------------------------

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

/// `iam_managed_policy_document(account_id, policy_name)`: the `PolicyDocument` (object or JSON
/// text) of the managed policy `arn:aws:iam::<account_id>:policy/<policy_name>` as stored in
/// the resource inventory. pounce has no resource store, so unmocked it always returns `null`
/// ("not found") whatever the arguments; tests replace it with `Mocks` (`objectName:
/// iam_managed_policy_document`, `returnValue`: the document).
fn iam_managed_policy_document(
    a: &Args<'_>,
    ctx: &mut NativeCtx<'_>,
) -> Result<Value, NativeError> {
    if ctx.explaining() {
        let show = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("?").to_string();
        ctx.note(format_args!(
            "no resource store: arn:aws:iam::{}:policy/{} is not found (null)",
            show(a.get(0)),
            show(a.get(1))
        ));
    }
    Ok(Value::Null)
}

/// Seconds since the Unix epoch of a timestamp, with its fraction of a second: a string read as
/// [`parse_timestamp`] reads it plus the digits after `HH:MM:SS.`, or a number taken as epoch
/// seconds.
fn exact_epoch(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => {
            let s = s.trim();
            let whole = parse_timestamp(s)? as f64;
            let frac = match (s.as_bytes().get(16), s.get(19..)) {
                (Some(b':'), Some(rest)) if rest.starts_with('.') => {
                    let digits: String = rest
                        .chars()
                        .skip(1)
                        .take_while(char::is_ascii_digit)
                        .collect();
                    format!("0.{digits}").parse::<f64>().unwrap_or(0.0)
                }
                _ => 0.0,
            };
            Some(whole + frac)
        }
        _ => None,
    }
}

/// `timestamp_diff(a, b)`: `a - b` in seconds, as a number that keeps fractions of a second
/// (`2019-01-01T00:00:07Z` minus `2019-01-01T00:00:00.500Z` is 6.5). Strings are read as
/// `timestamp` reads them (RFC 3339 / ISO 8601, no offset = UTC); numbers are epoch seconds.
/// Undefined when either argument is missing, null, empty or not a timestamp.
fn timestamp_diff(a: &Args<'_>, ctx: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let (Some(x), Some(y)) = (
        a.get(0).and_then(exact_epoch),
        a.get(1).and_then(exact_epoch),
    ) else {
        return Err(NativeError("not a timestamp".into()));
    };
    let d = x - y;
    ctx.note(format_args!("difference: {d} s"));
    serde_json::Number::from_f64(d)
        .map(Value::Number)
        .ok_or_else(|| NativeError("not a finite difference".into()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use serde_json::json;

    type Fun = fn(&Args<'_>, &mut NativeCtx<'_>) -> Result<Value, NativeError>;

    fn call(f: Fun, args: &[Option<Value>]) -> Option<Value> {
        let refs: Vec<Option<&Value>> = args.iter().map(Option::as_ref).collect();
        let mut notes = Vec::new();
        let mut ctx = NativeCtx::new(0, Some(&mut notes));
        f(&Args::new(&refs), &mut ctx).ok()
    }

    #[test]
    fn registered_with_descriptions() {
        let mut r = Registry::empty();
        register(&mut r);
        for name in [
            "iam_statements",
            "iam_principals",
            "iam_strong_conditions",
            "iam_covered_actions",
            "iam_action_category",
            "iam_arn_account",
            "iam_managed_policy_document",
            "timestamp_diff",
        ] {
            let n = r.get(name).unwrap();
            assert!(!n.description.is_empty());
        }
    }

    #[test]
    fn catalogue_sizes() {
        let c = catalogue();
        assert_eq!(c.values().filter(|v| **v == "Permissions").count(), 237);
        assert_eq!(c.values().filter(|v| **v == "Write").count(), 153);
        assert!(
            c.keys()
                .all(|k| k.starts_with(|ch: char| ch.is_ascii_lowercase()))
        );
    }

    #[test]
    fn statements_of_documents() {
        let one = json!({"Statement": {"Effect": "Allow"}});
        assert_eq!(
            call(iam_statements, &[Some(one)]),
            Some(json!([{"Effect": "Allow"}]))
        );
        let text = json!(r#"{"Statement": [{"Sid": "a"}, {"Sid": "b"}, 3]}"#);
        assert_eq!(
            call(iam_statements, &[Some(text.clone())]),
            Some(json!([{"Sid": "a"}, {"Sid": "b"}, 3]))
        );
        assert_eq!(
            call(iam_statements, &[Some(text.clone()), Some(json!(1))]),
            Some(json!([{"Sid": "a"}]))
        );
        assert_eq!(call(iam_statements, &[Some(text), Some(json!("1"))]), None);
        assert_eq!(
            call(iam_statements, &[Some(json!({"Version": "x"}))]),
            Some(json!([]))
        );
        assert_eq!(
            call(iam_statements, &[Some(json!({"Statement": null}))]),
            Some(json!([]))
        );
        assert_eq!(call(iam_statements, &[Some(json!(null))]), None);
        assert_eq!(call(iam_statements, &[None]), None);
        assert_eq!(call(iam_statements, &[Some(json!("{nope"))]), None);
        assert_eq!(call(iam_statements, &[Some(json!("[1]"))]), None);
        assert_eq!(call(iam_statements, &[Some(json!([{}]))]), None);
    }

    #[test]
    fn principals() {
        let p = json!({"AWS": ["arn:a", "*"], "Service": "s.amazonaws.com", "CanonicalUser": "c"});
        assert_eq!(
            call(iam_principals, &[Some(p.clone())]),
            Some(json!(["arn:a", "*", "s.amazonaws.com"]))
        );
        assert_eq!(
            call(iam_principals, &[Some(p.clone()), Some(json!("AWS"))]),
            Some(json!(["arn:a", "*"]))
        );
        assert_eq!(
            call(
                iam_principals,
                &[Some(p.clone()), Some(json!("CanonicalUser"))]
            ),
            Some(json!(["c"]))
        );
        assert_eq!(call(iam_principals, &[Some(p), Some(json!(1))]), None);
        assert_eq!(
            call(iam_principals, &[Some(json!("*"))]),
            Some(json!(["*"]))
        );
        assert_eq!(
            call(iam_principals, &[Some(json!("*")), Some(json!("AWS"))]),
            Some(json!(["*"]))
        );
        assert_eq!(
            call(iam_principals, &[Some(json!("*")), Some(json!("Service"))]),
            Some(json!([]))
        );
        assert_eq!(
            call(iam_principals, &[Some(json!(["a", 1, "a", "b"]))]),
            Some(json!(["a", "b"]))
        );
        assert_eq!(
            call(iam_principals, &[Some(json!({"Federated": "*"}))]),
            Some(json!(["*"]))
        );
        assert_eq!(call(iam_principals, &[Some(json!(""))]), Some(json!([])));
        assert_eq!(call(iam_principals, &[Some(json!(null))]), Some(json!([])));
        assert_eq!(call(iam_principals, &[None]), Some(json!([])));
        assert_eq!(call(iam_principals, &[Some(json!(7))]), Some(json!([])));
    }

    #[test]
    fn strong_conditions() {
        let c = json!({
            "StringEquals": {"kms:CallerAccount": "111", "kms:ViaService": "ec2"},
            "ForAnyValue:StringLikeIfExists": {"AWS:SourceArn": ["a", "b"]},
            "StringNotEquals": {"aws:SourceAccount": "1"},
            "Bool": {"aws:SecureTransport": "true"},
            "ipaddress": {"aws:SourceIp": null},
            "ArnLike": {"aws:PrincipalArn": []},
            "IpAddressX": "not an object"
        });
        let out = call(iam_strong_conditions, &[Some(c)]).unwrap();
        assert_eq!(
            out,
            json!([
                {"operator": "StringEquals", "key": "kms:CallerAccount", "value": "111"},
                {"operator": "ForAnyValue:StringLikeIfExists", "key": "AWS:SourceArn", "value": "a"},
                {"operator": "ForAnyValue:StringLikeIfExists", "key": "AWS:SourceArn", "value": "b"},
                {"operator": "ipaddress", "key": "aws:SourceIp", "value": null},
            ])
        );
        let weak = json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}});
        assert_eq!(call(iam_strong_conditions, &[Some(weak)]), Some(json!([])));
        assert_eq!(call(iam_strong_conditions, &[None]), Some(json!([])));
        assert_eq!(
            call(iam_strong_conditions, &[Some(json!("x"))]),
            Some(json!([]))
        );
        assert!(strong_operator("StringEqualsIgnoreCase"));
        assert!(strong_operator("ForAllValues:ArnEquals"));
        assert!(!strong_operator("NotIpAddress"));
        assert!(!strong_operator("ForAllValues:Bool"));
    }

    fn covered(doc: Value, effect: Option<&str>) -> Vec<String> {
        let mut args = vec![Some(doc)];
        if let Some(e) = effect {
            args.push(Some(json!(e)));
        }
        let out = call(iam_covered_actions, &args).unwrap();
        out.as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn covered_actions_expand_globs() {
        let doc = json!({"Statement": [
            {"Effect": "Allow", "Action": ["EC2:Create*SecurityGroup", "s3:GetObject", "x:*"]},
            {"Effect": "Deny", "Action": "iam:PutRolePolicy"}
        ]});
        assert_eq!(
            covered(doc.clone(), None),
            vec![
                "ec2:createsecuritygroup",
                "iam:putrolepolicy",
                "s3:getobject",
                "x:*"
            ]
        );
        assert_eq!(
            covered(doc.clone(), Some("Allow")),
            vec!["ec2:createsecuritygroup", "s3:getobject", "x:*"]
        );
        assert!(covered(doc, Some("allow")).is_empty());
        // without `*`, `?` is literal
        let q = json!({"Statement": {"Effect": "Allow", "Action": "ec2:createvp?"}});
        assert_eq!(covered(q, None), vec!["ec2:createvp?"]);
        let q = json!({"Statement": {"Effect": "Allow", "Action": "ec2:createvp?*"}});
        assert_eq!(
            covered(q, None),
            vec![
                "ec2:createvpc",
                "ec2:createvpcendpoint",
                "ec2:createvpcendpointconnectionnotification",
                "ec2:createvpcendpointserviceconfiguration",
                "ec2:createvpcpeeringconnection",
                "ec2:createvpnconnection",
                "ec2:createvpnconnectionroute",
                "ec2:createvpngateway"
            ]
        );
    }

    #[test]
    fn covered_actions_not_action_is_a_complement() {
        let doc =
            json!(r#"{"Statement": {"Effect": "Allow", "NotAction": ["ec2:*", "iam:Put*"]}}"#);
        let got = covered(doc, None);
        assert!(got.contains(&"iam:attachrolepolicy".to_string()));
        assert!(got.contains(&"kms:putkeypolicy".to_string()));
        assert!(!got.contains(&"iam:putrolepolicy".to_string()));
        assert!(!got.iter().any(|a| a.starts_with("ec2:")));
        let all = covered(
            json!({"Statement": {"Effect": "Deny", "Action": "*"}}),
            None,
        );
        assert_eq!(all.len(), 390);
        let everything_but_one = covered(
            json!({"Statement": {"Effect": "Allow", "NotAction": "ec2:createvpc"}}),
            None,
        );
        assert_eq!(everything_but_one.len(), 389);
        let null_not = covered(
            json!({"Statement": {"Effect": "Allow", "NotAction": null}}),
            None,
        );
        assert!(null_not.is_empty());
        assert_eq!(call(iam_covered_actions, &[Some(json!(5))]), None);
        assert_eq!(
            call(iam_covered_actions, &[Some(json!({})), Some(json!(1))]),
            None
        );
    }

    #[test]
    fn categories() {
        let cat = |s: &str| call(iam_action_category, &[Some(json!(s))]);
        assert_eq!(cat("kms:PutKeyPolicy"), Some(json!("Permissions")));
        assert_eq!(cat("ec2:createvpc"), Some(json!("Write")));
        assert_eq!(cat("ec2:describevpcs"), Some(json!(null)));
        assert_eq!(cat("ec2:PutNetworkACL"), Some(json!(null)));
        assert_eq!(call(iam_action_category, &[Some(json!(1))]), None);
        assert_eq!(call(iam_action_category, &[None]), None);
    }

    #[test]
    fn arn_accounts() {
        let acct = |v: Value| call(iam_arn_account, &[Some(v)]);
        assert_eq!(
            acct(json!("arn:aws:iam::123456789013:root")),
            Some(json!("123456789013"))
        );
        assert_eq!(acct(json!("arn:aws:s3:::bucket")), Some(json!("")));
        assert_eq!(acct(json!("*")), None);
        assert_eq!(acct(json!("123456789013")), None);
        assert_eq!(acct(json!(["arn:aws:iam::1:root"])), None);
        assert_eq!(call(iam_arn_account, &[None]), None);
    }

    #[test]
    fn managed_policy_lookup_finds_nothing_unmocked() {
        assert_eq!(
            call(
                iam_managed_policy_document,
                &[Some(json!("123456789012")), Some(json!("P"))]
            ),
            Some(json!(null))
        );
        assert_eq!(
            call(iam_managed_policy_document, &[None, None]),
            Some(json!(null))
        );
    }

    #[test]
    fn timestamp_differences() {
        let diff = |x: Value, y: Value| call(timestamp_diff, &[Some(x), Some(y)]);
        assert_eq!(
            diff(
                json!("2019-01-01T00:00:07Z"),
                json!("2019-01-01T00:00:00.500Z")
            ),
            Some(json!(6.5))
        );
        assert_eq!(
            diff(json!("2019-01-01T00:00:05Z"), json!("2019-01-01T00:00:00Z")),
            Some(json!(5.0))
        );
        assert_eq!(
            diff(
                json!("2019-01-01T00:00:00Z"),
                json!("2019-01-01T00:10:00.000Z")
            ),
            Some(json!(-600.0))
        );
        assert_eq!(
            diff(json!(10), json!("1970-01-01T00:00:01.25Z")),
            Some(json!(8.75))
        );
        assert_eq!(diff(json!(""), json!("2019-01-01T00:00:00Z")), None);
        assert_eq!(diff(json!("N/A"), json!("2019-01-01T00:00:00Z")), None);
        assert_eq!(diff(json!(null), json!("2019-01-01T00:00:00Z")), None);
        assert_eq!(call(timestamp_diff, &[None, Some(json!(1))]), None);
    }
}
