//! Natives for the ported AWS policies (compute family: VPC, EC2, ELB, load balancers, WAF);
//! see docs/NATIVES.md.
//!
//! - `cidr_is_private`: "is this network private" the way Python 3.11's `ipaddress` decides
//!   it (strict parsing, the range list in `data/compute/python311_private_networks.txt`).
//! - `nacl_first_open_ingress`: network-ACL first-match evaluation (sort by rule number, the
//!   first matching entry decides), which a condition cannot express.
//! - `object_get`: read an object under a key only known at evaluation time.
//! - `text_concat`: build a string (the language has no string concatenation).
//! - `DMZ_TAGS`: a configuration look-up that Panther tests replace with `Mocks`; unmocked it
//!   returns the shipped default (no DMZ tags).
//!
//! The two default-VPC policies also call `resource_lookup` (registered in `storage.rs`: the
//! resource-store look-up tests mock; unmocked it returns null, a failed look-up).

use super::{Args, Native, NativeCtx, NativeError, Registry, truthy};
use serde_json::Value;
use std::net::Ipv6Addr;
use std::str::FromStr;
use std::sync::OnceLock;

/// Registers the natives of this family.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "cidr_is_private",
        1,
        1,
        "true when a CIDR/address text is a network that Python 3.11 `ipaddress` calls private (one private block holds both ends); undefined when it is not a valid strict network",
        cidr_is_private,
    ));
    r.register(Native::new(
        "nacl_first_open_ingress",
        2,
        2,
        "the first ingress entry (by RuleNumber) of a network ACL's Entries that is open to 0.0.0.0/0 or ::/0 and covers PORT, as a list of zero or one entries",
        nacl_first_open_ingress,
    ));
    r.register(Native::new(
        "object_get",
        2,
        2,
        "the value of object OBJ under string KEY; undefined when OBJ is not an object, KEY not a string or the key absent",
        object_get,
    ));
    r.register(Native::new(
        "text_concat",
        1,
        16,
        "the texts of its arguments joined (strings as is, null as None, true/false as True/False, other values as JSON); undefined when one is missing",
        text_concat,
    ));
    r.register(Native::new(
        "DMZ_TAGS",
        0,
        0,
        "configuration of AWS.SecurityGroup.OnlyDMZPubliclyAccessible: list of [tag key, tag value] pairs marking a DMZ group (unmocked: [])",
        dmz_tags,
    ));
}

// ---- networks as Python 3.11 `ipaddress` parses them ---------------------------------------

/// A network parsed as Python 3.11's `ipaddress` does in strict mode: its family, first and
/// last address (IPv4 addresses in the low 32 bits) and whether an IPv6 scope id (`%eth0`)
/// was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PyNetwork {
    /// IPv6 (true) or IPv4.
    pub v6: bool,
    /// The network address.
    pub first: u128,
    /// The broadcast (last) address.
    pub last: u128,
    /// The prefix length.
    pub prefix: u32,
    /// True when an IPv6 scope id was given.
    pub scoped: bool,
}

/// Python 3.11 `IPv4Address` text rules: four decimal octets, no sign, no leading zeros.
fn py_ipv4(s: &str) -> Option<u32> {
    let mut n: u32 = 0;
    let mut count = 0;
    for octet in s.split('.') {
        count += 1;
        if octet.is_empty()
            || octet.len() > 3
            || !octet.bytes().all(|b| b.is_ascii_digit())
            || (octet.len() > 1 && octet.starts_with('0'))
        {
            return None;
        }
        let v: u32 = octet.parse().ok()?;
        if v > 255 {
            return None;
        }
        n = (n << 8) | v;
    }
    (count == 4).then_some(n)
}

/// Python's prefix text rules: ASCII digits only (leading zeros allowed), `0..=max`.
fn py_prefix(s: &str, max: u32) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let trimmed = s.trim_start_matches('0');
    if trimmed.len() > 3 {
        return None;
    }
    let p: u32 = if trimmed.is_empty() {
        0
    } else {
        trimmed.parse().ok()?
    };
    (p <= max).then_some(p)
}

/// The prefix length of a contiguous IPv4 mask (ones then zeros), if it is one.
fn mask_prefix(m: u32) -> Option<u32> {
    let p = m.leading_ones();
    (m.checked_shl(p).unwrap_or(0) == 0).then_some(p)
}

/// Parses `text` as Python 3.11 `IPv4Network(text)` (`v6 == false`) or `IPv6Network(text)`
/// would in strict mode: `addr` or `addr/prefix`; IPv4 also takes a dotted netmask or hostmask
/// after the `/`; IPv6 may carry a `%scope`. `None` where Python raises (bad text, more than one
/// `/`, host bits set).
pub fn parse_py_network_as(text: &str, v6: bool) -> Option<PyNetwork> {
    let mut parts = text.split('/');
    let addr = parts.next()?;
    let mask = parts.next();
    if parts.next().is_some() {
        return None;
    }
    let (first, prefix, scoped, bits) = if v6 {
        let (addr, scoped) = match addr.split_once('%') {
            None => (addr, false),
            Some((a, scope)) if !scope.is_empty() && !scope.contains('%') => (a, true),
            Some(_) => return None,
        };
        let a = u128::from(Ipv6Addr::from_str(addr).ok()?);
        let p = match mask {
            None => 128,
            Some(m) => py_prefix(m, 128)?,
        };
        (a, p, scoped, 128)
    } else {
        let a = py_ipv4(addr)?;
        let p = match mask {
            None => 32,
            Some(m) => match py_prefix(m, 32) {
                Some(p) => p,
                None => {
                    // A dotted netmask (ones then zeros) or, failing that, a hostmask.
                    let m = py_ipv4(m)?;
                    mask_prefix(m).or_else(|| mask_prefix(!m))?
                }
            },
        };
        (u128::from(a), p, false, 32)
    };
    let host_bits: u128 = 1u128
        .checked_shl(bits - prefix)
        .map_or(u128::MAX, |v| v - 1);
    if first & host_bits != 0 {
        return None;
    }
    Some(PyNetwork {
        v6,
        first,
        last: first | host_bits,
        prefix,
        scoped,
    })
}

/// Parses `text` as Python 3.11 `ipaddress.ip_network(text)` (strict): as IPv4 first, then as
/// IPv6. `None` where Python raises.
pub fn parse_py_network(text: &str) -> Option<PyNetwork> {
    parse_py_network_as(text, false).or_else(|| parse_py_network_as(text, true))
}

/// The private blocks of `data/compute/python311_private_networks.txt`.
fn private_blocks() -> &'static [PyNetwork] {
    static BLOCKS: OnceLock<Vec<PyNetwork>> = OnceLock::new();
    BLOCKS.get_or_init(|| {
        include_str!("../../data/compute/python311_private_networks.txt")
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|l| !l.is_empty())
            .filter_map(parse_py_network)
            .collect()
    })
}

/// True when one private block (Python 3.11) holds both ends of `net`.
pub fn py_network_is_private(net: &PyNetwork) -> bool {
    private_blocks()
        .iter()
        .any(|b| b.v6 == net.v6 && b.first <= net.first && net.last <= b.last)
}

/// `cidr_is_private(text)`: true when `text` parses as a network per Python 3.11
/// `ipaddress.ip_network(text)` in strict mode (IPv4 tried first, then IPv6; a bare address is
/// a single-address network) and one block of Python 3.11's private list holds both its first
/// and its last address; false for a valid network that is not private (e.g. `0.0.0.0/0`,
/// `0.0.0.0/1`, `100.64.0.0/10`). Undefined (where Python raises) for a missing, null or
/// non-string argument, text that is not a network, or a network with host bits set
/// (`10.0.0.1/24`): so `not cidr_is_private(x)` is true for those.
fn cidr_is_private(args: &Args<'_>, ctx: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let Some(Value::String(text)) = args.get(0) else {
        return Err(NativeError(
            "cidr_is_private: the argument is not a string".into(),
        ));
    };
    let Some(net) = parse_py_network(text) else {
        return Err(NativeError(format!(
            "cidr_is_private: {text:?} is not a network (bad text or host bits set)"
        )));
    };
    let private = py_network_is_private(&net);
    ctx.note(format_args!(
        "{text:?} is {}",
        if private {
            "a private network"
        } else {
            "not a private network"
        }
    ));
    Ok(Value::Bool(private))
}

// ---- network ACLs --------------------------------------------------------------------------

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

// ---- generic helpers -----------------------------------------------------------------------

/// `object_get(obj, key)`: `obj[key]` for an object `obj` and a string `key` (exact,
/// case-sensitive); a key holding `null` gives `null`. Undefined when `obj` is missing or not an
/// object, `key` is missing or not a string, or the key is absent.
fn object_get(args: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    match (args.get(0), args.get(1)) {
        (Some(Value::Object(m)), Some(Value::String(k))) => m
            .get(k)
            .cloned()
            .ok_or_else(|| NativeError(format!("object_get: no key {k:?}"))),
        _ => Err(NativeError(
            "object_get: not an object and a string key".into(),
        )),
    }
}

/// The text Python's `str()` / f-strings give a JSON value, for scalars: strings as is,
/// `None`, `True`/`False`, numbers as JSON writes them; lists and objects as JSON text.
fn py_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        other => other.to_string(),
    }
}

/// `text_concat(a, b, ...)` (1 to 16 arguments): the texts of the arguments joined with
/// nothing between them, as a Python f-string would render them: strings as is, null as
/// `None`, booleans as `True`/`False`, numbers as JSON writes them, lists and objects as JSON
/// text. Undefined when any argument is missing or undefined.
fn text_concat(args: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let mut out = String::new();
    for i in 0..args.len() {
        let v = args
            .get(i)
            .ok_or_else(|| NativeError(format!("text_concat: argument {} is missing", i + 1)))?;
        out.push_str(&py_text(v));
    }
    Ok(Value::String(out))
}

// ---- look-ups that tests mock --------------------------------------------------------------

/// `DMZ_TAGS()`: the configuration of `AWS.SecurityGroup.OnlyDMZPubliclyAccessible`, a list of
/// `[tag key, tag value]` pairs; a security group whose `Tags` maps one such key to exactly that
/// value is a DMZ group. Tests replace it with their `Mocks` value; unmocked it returns the list
/// upstream ships, `[]` (no group is a DMZ group). Takes no arguments.
fn dmz_tags(_: &Args<'_>, ctx: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    ctx.note(format_args!(
        "DMZ_TAGS is not configured ([]): no security group is a DMZ group"
    ));
    Ok(Value::Array(Vec::new()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(
        f: fn(&Args<'_>, &mut NativeCtx<'_>) -> Result<Value, NativeError>,
        args: &[Option<Value>],
    ) -> Result<Value, NativeError> {
        let refs: Vec<Option<&Value>> = args.iter().map(Option::as_ref).collect();
        let mut ctx = NativeCtx::new(0, None);
        f(&Args::new(&refs), &mut ctx)
    }

    fn private(s: &str) -> Option<bool> {
        call(cidr_is_private, &[Some(json!(s))])
            .ok()
            .and_then(|v| v.as_bool())
    }

    #[test]
    fn data_file_parses_completely() {
        let lines = include_str!("../../data/compute/python311_private_networks.txt")
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|l| !l.is_empty())
            .count();
        assert_eq!(lines, 24);
        assert_eq!(private_blocks().len(), 24);
    }

    // Expected values checked against CPython 3.11.7 `ipaddress.ip_network(s).is_private`
    // (`None` where it raises ValueError).
    #[test]
    fn private_networks_like_python_311() {
        let cases: &[(&str, Option<bool>)] = &[
            ("10.0.1.0/24", Some(true)),
            ("1.1.1.1/32", Some(false)),
            ("192.0.2.0/24", Some(true)),
            ("0.0.0.0/0", Some(false)),
            ("0.0.0.0/1", Some(false)),
            ("10.0.0.1/24", None),
            ("172.16.0.0/11", None),
            ("1.1.1.1", Some(false)),
            ("100.64.0.0/10", Some(false)),
            ("10.0.0.0/255.0.0.0", Some(true)),
            ("10.0.0.0/0.255.255.255", Some(true)),
            ("10.0.0.0/024", Some(true)),
            ("10.0.0.0/33", None),
            ("010.0.0.0/8", None),
            ("10.0.0.0/8/8", None),
            ("fc00::/7", Some(true)),
            ("fd00::/8", Some(true)),
            ("2001:db8::/32", Some(true)),
            ("2600::/16", Some(false)),
            ("::/0", Some(false)),
            ("::1", Some(true)),
            ("::ffff:10.0.0.1", Some(true)),
            ("10.0.0.0/", None),
            ("fe80::%eth0/64", Some(true)),
            ("::ffff:0:0/96", Some(true)),
            ("2001::/16", Some(false)),
            ("192.0.0.170/31", Some(true)),
            ("255.255.255.255", Some(true)),
            ("0.0.0.0/8", Some(true)),
            ("127.0.0.1", Some(true)),
            ("10.0.0.0/255.0.255.0", None),
            (" 10.0.0.0/8", None),
            ("fe80::1%/64", None),
            ("10.0.0.0/ 8", None),
            ("::/00", Some(false)),
        ];
        for (s, want) in cases {
            assert_eq!(private(s), *want, "{s}");
        }
        assert!(call(cidr_is_private, &[None]).is_err());
        assert!(call(cidr_is_private, &[Some(json!(null))]).is_err());
        assert!(call(cidr_is_private, &[Some(json!(10))]).is_err());
    }

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

    #[test]
    fn nacl_first_match_sorts_by_rule_number() {
        let entries = json!([
            {"RuleNumber": 100, "Egress": false, "CidrBlock": "0.0.0.0/0", "RuleAction": "allow"},
            {"RuleNumber": 30, "Egress": false, "CidrBlock": "1.1.1.1/32", "RuleAction": "allow"},
            {"RuleNumber": 50, "Egress": false, "CidrBlock": "0.0.0.0/0",
             "PortRange": {"From": 22, "To": 22}, "RuleAction": "deny"},
            {"RuleNumber": 1, "Egress": true, "CidrBlock": "0.0.0.0/0", "RuleAction": "allow"},
        ]);
        let out = call(
            nacl_first_open_ingress,
            &[Some(entries.clone()), Some(json!(22))],
        )
        .unwrap();
        assert_eq!(out[0]["RuleNumber"], json!(50));
        let out = call(nacl_first_open_ingress, &[Some(entries), Some(json!(80))]).unwrap();
        assert_eq!(out[0]["RuleNumber"], json!(100));
    }

    #[test]
    fn nacl_first_match_edges() {
        let e = |v: Value| call(nacl_first_open_ingress, &[Some(v), Some(json!(22))]).unwrap();
        assert_eq!(e(json!(null)), json!([]));
        assert_eq!(e(json!([])), json!([]));
        assert_eq!(e(json!(["x", 1])), json!([]));
        // Port range that does not cover 22; an empty PortRange covers every port.
        assert_eq!(
            e(json!([{"CidrBlock": "0.0.0.0/0", "PortRange": {"From": 23, "To": 80}}])),
            json!([])
        );
        assert_eq!(
            e(json!([{"CidrBlock": "0.0.0.0/0", "PortRange": {}}]))
                .as_array()
                .map(Vec::len),
            Some(1)
        );
        // Equal rule numbers keep their listed order; unnumbered entries come last.
        let out = e(json!([
            {"CidrBlock": "0.0.0.0/0", "RuleAction": "unnumbered"},
            {"RuleNumber": 5, "CidrBlock": "0.0.0.0/0", "RuleAction": "first"},
            {"RuleNumber": 5, "CidrBlock": "0.0.0.0/0", "RuleAction": "second"},
        ]));
        assert_eq!(out[0]["RuleAction"], json!("first"));
        let out = e(json!([{"CidrBlock": "0.0.0.0/0", "RuleAction": "only"}]));
        assert_eq!(out[0]["RuleAction"], json!("only"));
        // The port must be a number.
        assert!(
            call(
                nacl_first_open_ingress,
                &[Some(json!([])), Some(json!("22"))]
            )
            .is_err()
        );
        assert!(call(nacl_first_open_ingress, &[Some(json!([])), None]).is_err());
    }

    #[test]
    fn object_get_semantics() {
        let o = json!({"a": 1, "n": null});
        assert_eq!(
            call(object_get, &[Some(o.clone()), Some(json!("a"))]),
            Ok(json!(1))
        );
        assert_eq!(
            call(object_get, &[Some(o.clone()), Some(json!("n"))]),
            Ok(json!(null))
        );
        assert!(call(object_get, &[Some(o.clone()), Some(json!("b"))]).is_err());
        assert!(call(object_get, &[Some(o), Some(json!(1))]).is_err());
        assert!(call(object_get, &[Some(json!([1])), Some(json!("0"))]).is_err());
        assert!(call(object_get, &[None, Some(json!("a"))]).is_err());
    }

    #[test]
    fn text_concat_like_python_fstrings() {
        assert_eq!(
            call(
                text_concat,
                &[
                    Some(json!("arn:aws:ec2:")),
                    Some(json!(null)),
                    Some(json!(":")),
                    Some(json!(123)),
                    Some(json!(true)),
                ]
            ),
            Ok(json!("arn:aws:ec2:None:123True"))
        );
        assert!(call(text_concat, &[Some(json!("a")), None]).is_err());
    }

    #[test]
    fn unmocked_lookups() {
        assert_eq!(call(dmz_tags, &[]), Ok(json!([])));
        // The default-VPC policies rely on the shared `resource_lookup` (storage.rs).
        let reg = crate::standard_registry();
        let lookup = reg.get("resource_lookup").unwrap();
        let arn = json!("arn:aws:ec2:us-east-1:123456789012:network-acl/acl-1");
        let args = [Some(&arn)];
        let mut ctx = NativeCtx::new(0, None);
        assert_eq!(lookup.call(&Args::new(&args), &mut ctx), Ok(json!(null)));
        assert_eq!((lookup.min_args, lookup.max_args), (1, 1));
    }
}
