//! Functions over IP addresses and networks, as Python 3.11's `ipaddress` reads them
//! (`cidr_is_private`, `is_ip_address`, `ip_address_is_private`); the parsing rules are in
//! `python.rs`.

use super::python::{PyNetwork, parse_py_network, py_ip_address, py_network_is_private};
use pounce_lang::functions::{Args, Native, NativeCtx, NativeError, Registry};
use serde_json::Value;

/// Registers the functions of this file.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "cidr_is_private",
        1,
        1,
        "true when a CIDR/address text is a network that Python 3.11 `ipaddress` calls private (one private block holds both ends); undefined when it is not a valid strict network",
        cidr_is_private,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stdlib::test_support::{call, value};
    use serde_json::json;

    fn private(s: &str) -> Option<bool> {
        value(cidr_is_private, &[Some(json!(s))]).and_then(|v| v.as_bool())
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
            let got = value(ip_address_is_private, &[Some(v.clone())]).and_then(|b| b.as_bool());
            assert_eq!(got, want, "{v}");
        }
    }
}
