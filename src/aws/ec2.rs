//! EC2 and VPC: security-group egress ports (the seed policy's native, the documented example of
//! the extension hook).

use pounce_lang::functions::{Args, Native, NativeCtx, NativeError, Registry};
use serde_json::Value;

/// Registers the functions of this file.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "egress_allows_all_ports",
        1,
        1,
        "true when some permission of the list has a null or missing FromPort/ToPort, or spans ports 0-65535 (kept as the example of a native: the policy pack's `allows_all_ports` says it in the language)",
        egress_allows_all_ports,
    )
    .reads_arg(0, &["[*].FromPort", "[*].ToPort"]));
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
