//! EC2 and VPC: security-group egress ports and network-ACL first-match evaluation.

use crate::stdlib::python::parse_py_network_as;
use crate::stdlib::truthy;
use pounce_lang::functions::{Args, Native, NativeCtx, NativeError, Registry};
use serde_json::Value;

/// Registers the functions of this file.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "egress_allows_all_ports",
        1,
        1,
        "true when some permission of the list has a null or missing FromPort/ToPort, or spans ports 0-65535",
        egress_allows_all_ports,
    )
    .reads_arg(0, &["[*].FromPort", "[*].ToPort"]));
    r.register(Native::new(
        "nacl_first_open_ingress",
        2,
        2,
        "the first ingress entry (by RuleNumber) of a network ACL's Entries that is open to 0.0.0.0/0 or ::/0 and covers PORT, as a list of zero or one entries",
        nacl_first_open_ingress,
    ));
}

/// `egress_allows_all_ports(list)`: true when any element of the list has a null or missing
/// `FromPort` or `ToPort`, or `FromPort == 0` and `ToPort == 65535` (the logic of
/// `AWS.SecurityGroup.RestrictsOutboundTraffic`). A non-list (missing and null included) gives
/// false; an element that is not an object counts as having missing ports.
fn egress_allows_all_ports(args: &Args<'_>, ctx: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let Some(Value::Array(perms)) = args.get(0) else {
        ctx.note(format_args!(
            "the argument is not a list: no permission allows all ports"
        ));
        return Ok(Value::Bool(false));
    };
    for (i, p) in perms.iter().enumerate() {
        let port = |k: &str| p.get(k).filter(|v| !v.is_null());
        let (from, to) = (port("FromPort"), port("ToPort"));
        let show = |v: Option<&Value>| v.map_or_else(|| "null".to_string(), Value::to_string);
        let all = match (from.and_then(Value::as_f64), to.and_then(Value::as_f64)) {
            _ if from.is_none() || to.is_none() => true,
            (Some(f), Some(t)) => f == 0.0 && t == 65535.0,
            _ => false,
        };
        if all {
            ctx.note(format_args!(
                "[{i}] FromPort={} ToPort={}: allows all ports",
                show(from),
                show(to)
            ));
            return Ok(Value::Bool(true));
        }
        ctx.note(format_args!(
            "[{i}] FromPort={} ToPort={}: restricted",
            show(from),
            show(to)
        ));
    }
    Ok(Value::Bool(false))
}

/// True when a network-ACL entry's source is the whole internet: `CidrBlock` is exactly the
/// text `0.0.0.0/0`, or `Ipv6CidrBlock` is a string that parses (Python `IPv6Network`, strict)
/// as `::/0` (so `0::/0` counts, `::/1` does not).
fn nacl_entry_is_world(e: &Value) -> bool {
    if e.get("CidrBlock").and_then(Value::as_str) == Some("0.0.0.0/0") {
        return true;
    }
    e.get("Ipv6CidrBlock")
        .and_then(Value::as_str)
        .and_then(|s| parse_py_network_as(s, true))
        .is_some_and(|n| n.prefix == 0 && n.first == 0 && !n.scoped)
}

/// True when a network-ACL entry covers `port`: its `PortRange` is falsy (missing, null, `{}`:
/// all ports) or `PortRange.From <= port <= PortRange.To` (numbers; anything else covers
/// nothing).
fn nacl_entry_covers(e: &Value, port: f64) -> bool {
    match e.get("PortRange") {
        Some(r) if truthy(r) => {
            let num = |k: &str| r.get(k).and_then(Value::as_f64);
            matches!((num("From"), num("To")), (Some(f), Some(t)) if f <= port && port <= t)
        }
        _ => true,
    }
}

/// `nacl_first_open_ingress(entries, port)`: network-ACL first-match evaluation. Takes the
/// ingress entries of `entries` (objects whose `Egress` is falsy: missing, null, false),
/// orders them by `RuleNumber` ascending (stable: equal numbers keep their listed order;
/// entries with a missing or non-numeric `RuleNumber` come after all numbered ones), and
/// returns the first one that is open to the whole internet (`CidrBlock` exactly `0.0.0.0/0`
/// or `Ipv6CidrBlock` equal to `::/0` as an IPv6 network) and covers `port` (falsy `PortRange`,
/// or `From <= port <= To`), as a one-element list; the empty list when none is. A non-list
/// `entries` gives the empty list and non-object elements are skipped; a non-numeric `port` is
/// undefined. Use it with a quantifier: `any(nacl_first_open_ingress(Entries, 22), RuleAction
/// != "deny")`.
fn nacl_first_open_ingress(args: &Args<'_>, ctx: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let Some(port) = args.get(1).and_then(Value::as_f64) else {
        return Err(NativeError(
            "nacl_first_open_ingress: the port is not a number".into(),
        ));
    };
    let Some(Value::Array(entries)) = args.get(0) else {
        ctx.note(format_args!("the entries are not a list: no entry matches"));
        return Ok(Value::Array(Vec::new()));
    };
    let mut ingress: Vec<&Value> = entries
        .iter()
        .filter(|e| e.is_object() && !e.get("Egress").is_some_and(truthy))
        .collect();
    let key = |e: &&Value| {
        e.get("RuleNumber")
            .and_then(Value::as_f64)
            .unwrap_or(f64::INFINITY)
    };
    ingress.sort_by(|a, b| key(a).total_cmp(&key(b)));
    let found = ingress
        .into_iter()
        .find(|e| nacl_entry_is_world(e) && nacl_entry_covers(e, port));
    match found {
        Some(e) => {
            ctx.note(format_args!(
                "first open ingress entry for port {port}: rule {} ({})",
                e.get("RuleNumber").unwrap_or(&Value::Null),
                e.get("RuleAction").unwrap_or(&Value::Null)
            ));
            Ok(Value::Array(vec![e.clone()]))
        }
        None => {
            ctx.note(format_args!(
                "no ingress entry is open to the internet on port {port}"
            ));
            Ok(Value::Array(Vec::new()))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ipv6_world_like_python() {
        let world = |s: &str| nacl_entry_is_world(&json!({"Ipv6CidrBlock": s}));
        assert!(world("::/0"));
        assert!(world("0::/0"));
        assert!(world("0:0:0:0:0:0:0:0/0"));
        assert!(world("::/00"));
        assert!(!world("::/1"));
        assert!(!world("0.0.0.0/0"));
        assert!(!world("::%1/0"));
        assert!(nacl_entry_is_world(&json!({"CidrBlock": "0.0.0.0/0"})));
        assert!(!nacl_entry_is_world(&json!({"CidrBlock": "0.0.0.0/00"})));
        assert!(!nacl_entry_is_world(
            &json!({"CidrBlock": null, "Ipv6CidrBlock": null})
        ));
    }
}
