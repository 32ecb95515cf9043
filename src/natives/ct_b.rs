//! Natives for the ported CloudTrail rules (ct_b part: upstream rule files 46–90, EC2 VPC to
//! resource-made-public); see docs/RULES.md.
//!
//! - `or_else` (Python's `a or b`), for titles, dedup keys and contexts; the conditional value
//!   `if_else` and `split_part` these rules also use are ct_c's.
//! - Structure helpers: `deep_walk` / `deep_walk_list` (upstream's walk through nested objects
//!   and lists), `first_where` (the first element of a list with a given member, keys matched
//!   as Panther events match them), `object_from` (an alert-context object whose keys appear
//!   only when their value is there).
//! - `is_ip_address`, `ip_address_is_private`: Python 3.11.7's `ipaddress.ip_address` and its
//!   `is_private`.
//! - `policy_internet_accessible` / `policy_is_public`: the internet-accessibility check of
//!   policyuniverse 1.5.1.20230817 over an IAM policy document, and the "public to everyone"
//!   check of `AWS.CloudTrail.ResourceMadePublic` built on it.

use super::cloudtrail::get_ci;
use super::compute::{PyNetwork, parse_py_network_as, py_network_is_private};
use super::{Args, Native, NativeCtx, NativeError, Registry, truthy};
use regex::Regex;
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// Registers the natives of this family.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "or_else",
        2,
        16,
        "Python's `a or b or …`: the first truthy argument, else the last one (missing counts as falsy)",
        or_else,
    ));
    r.register(Native::new(
        "deep_walk",
        2,
        16,
        "upstream deep_walk(obj, keys…): the distinct values found under the keys, walking every element of lists; one value bare, several as a list, none as null",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| Ok(collapse(walk_args(a)?)),
    ));
    r.register(Native::new(
        "deep_walk_list",
        2,
        16,
        "the values deep_walk(obj, keys…) finds, always as a list ([] when none)",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| Ok(Value::Array(walk_args(a)?)),
    ));
    r.register(Native::new(
        "first_where",
        3,
        3,
        "the first object of LIST whose member KEY (case-insensitive fallback) equals VALUE; undefined when there is none",
        first_where,
    ));
    r.register(Native::new(
        "object_from",
        2,
        16,
        "an object from KEY, VALUE pairs, leaving out pairs whose value is missing, undefined or null",
        object_from,
    ));
    r.register(Native::new(
        "is_ip_address",
        1,
        1,
        "true when Python's ipaddress.ip_address accepts the value (strict IPv4/IPv6 text, IPv6 %scope allowed, or a non-negative integer)",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| Ok(Value::Bool(a.get(0).is_some_and(is_ip_address))),
    ));
    r.register(Native::new(
        "ip_address_is_private",
        1,
        1,
        "Python 3.11.7 ipaddress.ip_address(x).is_private (an IPv4-mapped IPv6 address judged by its IPv4); undefined when x is not an address",
        ip_address_is_private,
    ));
    r.register(Native::new(
        "policy_internet_accessible",
        1,
        1,
        "policyuniverse's is_internet_accessible over an IAM policy document (an object, or JSON text); undefined where policyuniverse raises",
        |a: &Args<'_>, ctx: &mut NativeCtx<'_>| {
            let (doc, ci) = policy_doc(a.get(0))?;
            let open = policy_open(&doc, ci)?;
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
        policy_is_public,
    ));
}

// ---- value choice --------------------------------------------------------------------------

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

// ---- text and structure --------------------------------------------------------------------

/// The keys (arguments 2…) of a walk, then the walk of argument 1.
fn walk_args(a: &Args<'_>) -> Result<Vec<Value>, NativeError> {
    let keys = (1..a.len())
        .map(|i| match a.get(i) {
            Some(Value::String(k)) => Ok(k.as_str()),
            _ => Err(NativeError(format!("deep_walk: key {} is not a string", i))),
        })
        .collect::<Result<Vec<&str>, _>>()?;
    match a.get(0) {
        Some(v) => walk(v, &keys),
        None => Ok(Vec::new()),
    }
}

/// Upstream's `deep_walk` with `default=None` and `return_val="all"`, returning the list of
/// values found (before upstream collapses it, see [`collapse`]):
/// - no keys left: `[]` when the value is a list of (recursively) empty lists (`[]`, `[[]]`),
///   else `[value]`;
/// - an object: its member under the first key (exact key first, else ignoring ASCII case);
///   absent or null gives `[]`, else the walk of the member with the remaining keys;
/// - a list: every element is walked with the same keys; each element's result, collapsed, is
///   kept unless null, a list result contributing its elements; duplicates are dropped keeping
///   the first; a collected object or list makes upstream raise (unhashable), so the walk is
///   an error;
/// - anything else: `[]`.
///
/// Duplicates compare as JSON values (upstream's dictionary would also merge `1`, `1.0` and
/// `true`; only strings occur in the ported rules).
pub fn walk(v: &Value, keys: &[&str]) -> Result<Vec<Value>, NativeError> {
    let Some((key, rest)) = keys.split_first() else {
        return Ok(if empty_list(v) {
            Vec::new()
        } else {
            vec![v.clone()]
        });
    };
    match v {
        Value::Object(_) => match get_ci(v, key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(next) => walk(next, rest),
        },
        Value::Array(items) => {
            let mut found: Vec<Value> = Vec::new();
            for item in items {
                let got = match collapse(walk(item, keys)?) {
                    Value::Null => continue,
                    Value::Array(sub) => sub,
                    one => vec![one],
                };
                for g in got {
                    if g.is_object() || g.is_array() {
                        return Err(NativeError(
                            "deep_walk: found an object or a list inside a list (unhashable upstream)"
                                .into(),
                        ));
                    }
                    if !found.contains(&g) {
                        found.push(g);
                    }
                }
            }
            Ok(found)
        }
        _ => Ok(Vec::new()),
    }
}

fn empty_list(v: &Value) -> bool {
    matches!(v, Value::Array(a) if a.iter().all(empty_list))
}

/// Upstream's `return_val="all"`: nothing → null, one value → that value, several → the list.
fn collapse(mut found: Vec<Value>) -> Value {
    match found.len() {
        0 => Value::Null,
        1 => found.pop().unwrap_or(Value::Null),
        _ => Value::Array(found),
    }
}

/// `first_where(list, key, value)`: the first element of `list` that is an object whose member
/// `key` (exact key first, else ignoring ASCII case) equals `value` (JSON equality, numbers by
/// value). Elements that are not objects are skipped. Undefined when `list` is not a list,
/// `key` is not a string, `value` is missing, or no element matches.
fn first_where(a: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let (Some(Value::Array(items)), Some(Value::String(key)), Some(want)) =
        (a.get(0), a.get(1), a.get(2))
    else {
        return Err(NativeError(
            "first_where: needs a list, a string key and a value".into(),
        ));
    };
    items
        .iter()
        .find(|item| item.is_object() && get_ci(item, key).is_some_and(|v| same(v, want)))
        .cloned()
        .ok_or_else(|| NativeError(format!("first_where: no element with {key} = {want}")))
}

/// JSON equality with numbers compared by value.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// `object_from(k1, v1, k2, v2, …)`: an object with each string key `kN` mapped to `vN`, in
/// order (a repeated key keeps its first place and takes the later value). A pair whose value
/// is missing, undefined or null is left out, so an alert-context entry can appear only when
/// its value is there (`object_from("k", x)`: only when `x` is present and not null) or only
/// when a condition holds (`object_from("k", if_else(C, x, null))`). Undefined when the number
/// of arguments is odd or a key is not a string.
fn object_from(a: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    if !a.len().is_multiple_of(2) {
        return Err(NativeError("object_from: needs KEY, VALUE pairs".into()));
    }
    let mut m = Map::new();
    for i in (0..a.len()).step_by(2) {
        let Some(Value::String(k)) = a.get(i) else {
            return Err(NativeError(format!(
                "object_from: key {} is not a string",
                i / 2 + 1
            )));
        };
        if let Some(v) = a.get(i + 1).filter(|v| !v.is_null()) {
            m.insert(k.clone(), v.clone());
        }
    }
    Ok(Value::Object(m))
}

// ---- IP addresses --------------------------------------------------------------------------

/// Python 3.11's `ipaddress.ip_address(v)`, as (is IPv6, the address as a number): a string
/// that is a strict IPv4 address (four decimal octets, no leading zeros, nothing around) or an
/// IPv6 address (with an optional non-empty `%scope`, which is dropped); or an integer from 0 to
/// 2^64 − 1 (JSON's range here; Python takes integers below 2^32 as IPv4, larger ones as IPv6;
/// JSON booleans count as 0 and 1, as Python's `bool` is an `int`). `None` for everything else
/// (a network `a/b`, a host name, null, a float, a negative number), where Python raises.
pub fn py_ip_address(v: &Value) -> Option<(bool, u128)> {
    match v {
        Value::String(s) if !s.contains('/') => parse_py_network_as(s, false)
            .or_else(|| parse_py_network_as(s, true))
            .map(|n| (n.v6, n.first)),
        Value::Number(n) => n.as_u64().map(|x| (x > u64::from(u32::MAX), u128::from(x))),
        Value::Bool(b) => Some((false, u128::from(*b))),
        _ => None,
    }
}

/// Whether `ipaddress.ip_address(v)` accepts `v` (see [`py_ip_address`]).
pub fn is_ip_address(v: &Value) -> bool {
    py_ip_address(v).is_some()
}

/// `ip_address_is_private(v)`: Python 3.11.7's `ipaddress.ip_address(v).is_private`. An IPv4
/// address (or an IPv6 address outside `::ffff:0:0/96`) is private when one block of the
/// private list (`data/compute/python311_private_networks.txt`) holds it; an IPv4-mapped IPv6
/// address (`::ffff:a.b.c.d`) is judged by the IPv4 address it embeds, as 3.11.7's
/// `IPv6Address.is_private` does. Undefined when `v` is not an address (see [`py_ip_address`]).
fn ip_address_is_private(a: &Args<'_>, ctx: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let (v6, addr) = a
        .get(0)
        .and_then(py_ip_address)
        .ok_or_else(|| NativeError("ip_address_is_private: not an IP address".into()))?;
    let (v6, addr) = if v6 && addr >> 32 == 0xffff {
        (false, addr & u128::from(u32::MAX))
    } else {
        (v6, addr)
    };
    let net = PyNetwork {
        v6,
        first: addr,
        last: addr,
        prefix: if v6 { 128 } else { 32 },
        scoped: false,
    };
    let private = py_network_is_private(&net);
    ctx.note(format_args!(
        "{} is {}a private address (Python 3.11)",
        a.get(0).map(Value::to_string).unwrap_or_default(),
        if private { "" } else { "not " }
    ));
    Ok(Value::Bool(private))
}

// ---- IAM policy documents (policyuniverse) -------------------------------------------------

/// The document a policy native works on, and whether its keys match ignoring case: JSON text
/// is decoded and its keys match exactly (upstream decodes it into plain dictionaries); an
/// object from the event keeps the event's case-insensitive reads. Undefined for anything else,
/// text that is not JSON, or JSON that is not an object.
fn policy_doc(v: Option<&Value>) -> Result<(std::borrow::Cow<'_, Value>, bool), NativeError> {
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
    if ci { get_ci(v, k) } else { v.get(k) }
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
fn policy_open(doc: &Value, ci: bool) -> Result<bool, NativeError> {
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
fn policy_is_public(a: &Args<'_>, ctx: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
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
    use serde_json::json;

    fn call(
        f: fn(&Args<'_>, &mut NativeCtx<'_>) -> Result<Value, NativeError>,
        args: &[Option<Value>],
    ) -> Option<Value> {
        let refs: Vec<Option<&Value>> = args.iter().map(Option::as_ref).collect();
        let mut ctx = NativeCtx::new(0, None);
        f(&Args::new(&refs), &mut ctx).ok()
    }

    fn named(name: &str, args: &[Option<Value>]) -> Option<Value> {
        let r = crate::standard_registry();
        let n = r.get(name).unwrap();
        let refs: Vec<Option<&Value>> = args.iter().map(Option::as_ref).collect();
        let mut ctx = NativeCtx::new(0, None);
        n.call(&Args::new(&refs), &mut ctx).ok()
    }

    #[test]
    fn or_else_like_python() {
        assert_eq!(
            call(or_else, &[Some(json!("")), Some(json!("b"))]),
            Some(json!("b"))
        );
        assert_eq!(call(or_else, &[Some(json!("a")), None]), Some(json!("a")));
        assert_eq!(
            call(or_else, &[None, Some(json!(0)), Some(json!(""))]),
            Some(json!(""))
        );
        assert_eq!(
            call(or_else, &[None, Some(json!([1])), Some(json!("c"))]),
            Some(json!([1]))
        );
        assert_eq!(call(or_else, &[Some(json!(null)), None]), None);
    }

    #[test]
    fn deep_walk_like_upstream() {
        let ev = json!({"responseElements": {"instancesSet": {"items": [
            {"imageId": "ami-1", "instanceId": "i-1"},
            {"imageId": "ami-2"},
            {"IMAGEID": "ami-1"},
            {"imageId": null},
            {"other": 1}
        ]}}});
        let w = |keys: &[&str]| walk(&ev, keys).map(collapse).ok();
        assert_eq!(
            w(&["responseElements", "instancesSet", "items", "imageId"]),
            Some(json!(["ami-1", "ami-2"]))
        );
        assert_eq!(
            w(&["responseElements", "instancesSet", "items", "instanceId"]),
            Some(json!("i-1"))
        );
        assert_eq!(w(&["responseElements", "nope"]), Some(json!(null)));
        assert_eq!(walk(&json!({"a": [[], [[]]]}), &["a"]).ok(), Some(vec![]));
        assert_eq!(
            walk(&json!({"a": [1, 2]}), &["a"]).ok(),
            Some(vec![json!([1, 2])])
        );
        // List values found inside a list are flattened one level.
        assert_eq!(
            walk(&json!([{"a": ["x", "y"]}, {"a": "x"}]), &["a"]).ok(),
            Some(vec![json!("x"), json!("y")])
        );
        assert!(walk(&json!([{"a": {"b": 1}}]), &["a"]).is_err());
        assert_eq!(
            named("deep_walk_list", &[Some(json!("s")), Some(json!("a"))]),
            Some(json!([]))
        );
        assert_eq!(
            named("deep_walk", &[None, Some(json!("a"))]),
            Some(json!(null))
        );
        assert_eq!(named("deep_walk", &[Some(json!({})), Some(json!(1))]), None);
    }

    #[test]
    fn first_where_finds() {
        let list = json!([
            "x",
            {"type": "AWS::KMS::Alias", "ARN": "a"},
            {"TYPE": "AWS::KMS::Key", "ARN": "k"},
            {"type": "AWS::KMS::Key", "ARN": "k2"}
        ]);
        let f = call(
            first_where,
            &[
                Some(list.clone()),
                Some(json!("type")),
                Some(json!("AWS::KMS::Key")),
            ],
        );
        assert_eq!(f, Some(json!({"TYPE": "AWS::KMS::Key", "ARN": "k"})));
        assert_eq!(
            call(
                first_where,
                &[Some(list), Some(json!("type")), Some(json!("nope"))]
            ),
            None
        );
        assert_eq!(
            call(
                first_where,
                &[Some(json!(null)), Some(json!("t")), Some(json!(1))]
            ),
            None
        );
    }

    #[test]
    fn object_from_skips_missing() {
        assert_eq!(
            call(
                object_from,
                &[
                    Some(json!("a")),
                    Some(json!(1)),
                    Some(json!("b")),
                    None,
                    Some(json!("c")),
                    Some(json!(null))
                ]
            ),
            Some(json!({"a": 1}))
        );
        assert_eq!(call(object_from, &[Some(json!(1)), Some(json!(1))]), None);
        assert_eq!(
            call(
                object_from,
                &[Some(json!("a")), Some(json!(1)), Some(json!("b"))]
            ),
            None
        );
    }

    // Checked against CPython 3.11.7 `ipaddress.ip_address`.
    #[test]
    fn ip_addresses_like_python() {
        for ok in [
            json!("40.185.186.6"),
            json!("::1"),
            json!("fe80::1%eth0"),
            json!("::ffff:1.2.3.4"),
            json!(16777216),
            json!(true),
        ] {
            assert!(is_ip_address(&ok), "{ok}");
        }
        for bad in [
            json!("sqs.amazonaws.com"),
            json!("AWS Internal"),
            json!("010.1.1.1"),
            json!(" 1.2.3.4"),
            json!("1.2.3.4/32"),
            json!("fe80::1%"),
            json!(null),
            json!(-1),
            json!(1.5),
            json!(""),
        ] {
            assert!(!is_ip_address(&bad), "{bad}");
        }
    }

    // Checked against CPython 3.11.7 `ipaddress.ip_address(v).is_private`.
    #[test]
    fn private_addresses_like_python() {
        let cases = [
            (json!("::ffff:10.0.0.1"), Some(true)),
            (json!("::ffff:8.8.8.8"), Some(false)),
            (json!("::ffff:0:0"), Some(true)),
            (json!("::1"), Some(true)),
            (json!("::"), Some(true)),
            (json!("fe80::1%eth0"), Some(true)),
            (json!("2001:db8::1"), Some(true)),
            (json!("64:ff9b::1"), Some(false)),
            (json!("2002::1"), Some(false)),
            (json!("100.64.1.1"), Some(false)),
            (json!("10.0.0.1"), Some(true)),
            (json!("192.0.0.9"), Some(false)),
            (json!("192.0.0.170"), Some(true)),
            (json!("45.33.32.156"), Some(false)),
            (json!(1), Some(true)),
            (json!(4294967296u64), Some(false)),
            (json!(true), Some(true)),
            (json!("10.0.0.0/8"), None),
            (json!("AWS Internal"), None),
            (json!(null), None),
        ];
        for (v, want) in cases {
            let got = call(ip_address_is_private, &[Some(v.clone())]).and_then(|b| b.as_bool());
            assert_eq!(got, want, "{v}");
        }
    }

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

    fn open(doc: Value) -> Option<bool> {
        named("policy_internet_accessible", &[Some(doc)]).and_then(|v| v.as_bool())
    }

    fn public(doc: Value) -> Option<bool> {
        named("policy_is_public", &[Some(doc)]).and_then(|v| v.as_bool())
    }

    #[test]
    fn internet_accessible() {
        let stmt = |extra: Value| {
            let mut s = json!({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"});
            if let (Value::Object(m), Value::Object(e)) = (&mut s, extra) {
                m.extend(e);
            }
            json!({"Statement": [s]}).to_string()
        };
        assert_eq!(open(json!(stmt(json!({})))), Some(true));
        assert_eq!(open(json!(stmt(json!({"Effect": "Deny"})))), Some(false));
        assert_eq!(
            open(json!(stmt(
                json!({"Principal": {"AWS": ["123456789012", "arn:aws:iam::*:root"]}})
            ))),
            Some(true)
        );
        assert_eq!(
            open(json!(stmt(
                json!({"Principal": {"Service": "ec2.amazonaws.com"}})
            ))),
            Some(false)
        );
        assert_eq!(
            open(json!(stmt(json!({"Principal": {"CanonicalUser": "*"}})))),
            Some(false)
        );
        assert_eq!(
            open(json!(stmt(json!({"Principal": "x", "NotPrincipal": null})))),
            Some(true)
        );
        // Conditions: a closed entry closes the gate, one open entry opens it.
        let cond = |c: Value| open(json!(stmt(json!({"Condition": c}))));
        assert_eq!(
            cond(json!({"StringEquals": {"aws:SourceAccount": "123456789012"}})),
            Some(false)
        );
        assert_eq!(
            cond(json!({"StringEquals": {"aws:SourceAccount": ["123456789012", "*"]}})),
            Some(true)
        );
        assert_eq!(
            cond(json!({"StringEquals": {"sts:ExternalId": "x"}})),
            Some(true)
        );
        assert_eq!(
            cond(json!({"StringNotEquals": {"aws:SourceAccount": "1"}})),
            Some(true)
        );
        assert_eq!(
            cond(json!({"ForAnyValue:StringLikeIfExists": {"aws:PrincipalOrgID": "o-abc"}})),
            Some(false)
        );
        assert_eq!(
            cond(json!({"stringequalsignorecase": {"AWS:PRINCIPALORGID": "o-*"}})),
            Some(true)
        );
        assert_eq!(
            cond(json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),
            Some(false)
        );
        assert_eq!(
            cond(json!({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}})),
            Some(true)
        );
        assert_eq!(
            cond(json!({"StringLike": {"aws:userid": "AROAEXAMPLE:*"}})),
            Some(false)
        );
        assert_eq!(
            cond(json!({"StringLike": {"aws:userid": "AROAEXAMPLE"}})),
            Some(true)
        );
        assert_eq!(
            cond(json!({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:*:topic"}})),
            Some(true)
        );
        assert_eq!(
            cond(json!({"Bool": {"aws:SecureTransport": "true"}})),
            Some(true)
        );
        assert_eq!(cond(json!({"StringEquals": "x"})), None);
        assert_eq!(
            cond(json!({"StringEquals": {"aws:SourceAccount": 1}})),
            None
        );
        // Single statement object; no statements; embedded objects read keys ignoring case.
        assert_eq!(
            open(json!({"Statement": {"Effect": "Allow", "Principal": "*"}})),
            Some(true)
        );
        assert_eq!(open(json!("{}")), Some(false));
        assert_eq!(
            open(json!({"statement": [{"effect": "Allow", "principal": {"aws": "*"}}]})),
            Some(true)
        );
        assert_eq!(
            open(json!(
                "{\"statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\"}]}"
            )),
            Some(false)
        );
        assert_eq!(open(json!("not json")), None);
        assert_eq!(open(json!("[1]")), None);
        assert_eq!(open(json!({"Statement": ["x"]})), None);
        assert_eq!(open(json!(null)), None);
    }

    #[test]
    fn public_policies() {
        assert_eq!(public(json!("")), Some(false));
        assert_eq!(public(json!({})), Some(false));
        assert_eq!(public(json!(null)), Some(false));
        assert_eq!(public(json!("{not json")), Some(false));
        assert_eq!(public(json!("[]")), None);
        let p = |s: Value| public(json!({"Statement": s}).to_string().into());
        assert_eq!(
            p(json!([{"Effect": "Allow", "Principal": {"AWS": "*"}}])),
            Some(true)
        );
        assert_eq!(
            p(json!([{"Effect": "Allow", "Principal": ["*"]}])),
            Some(true)
        );
        // Open only through a wildcard-account ARN or NotPrincipal: not public.
        assert_eq!(
            p(json!([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::*:root"}}])),
            Some(false)
        );
        assert_eq!(
            p(json!([{"Effect": "Allow", "NotPrincipal": {"AWS": "x"}}])),
            Some(false)
        );
        // One statement opens the policy, another has `*` closed by a private source IP.
        assert_eq!(
            p(json!([
                {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::*:root"}},
                {"Effect": "Allow", "Principal": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}
            ])),
            Some(true)
        );
        // Organization restrictions, by entry or by any operator's key name.
        assert_eq!(
            p(
                json!([{"Effect": "Allow", "Principal": "*", "Condition": {"StringLike": {"aws:PrincipalOrgID": "o-x", "aws:SourceVpc": "vpc-*"}}}])
            ),
            Some(false)
        );
        assert_eq!(
            p(
                json!([{"Effect": "Allow", "Principal": "*", "Condition": {"StringNotEquals": {"aws:SourceOrgID": "o-x"}}}])
            ),
            Some(false)
        );
        assert_eq!(
            p(
                json!([{"Effect": "Allow", "Principal": "*", "Condition": {"StringNotEquals": {"aws:SourceOrgPaths": "o-x/*"}}}])
            ),
            Some(true)
        );
        // A null Condition on a statement step d examines: upstream raises.
        assert_eq!(
            p(
                json!([{"Effect": "Allow", "Principal": "*"}, {"Effect": "Allow", "Principal": "*", "Condition": null}])
            ),
            Some(true)
        );
        assert_eq!(
            p(json!([{"Effect": "Allow", "Principal": "*", "Condition": null}])),
            None
        );
        // An embedded object policy reads keys ignoring case.
        assert_eq!(
            public(json!({"statement": [{"effect": "Allow", "principal": {"aws": "*"}}]})),
            Some(true)
        );
    }
}
