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
