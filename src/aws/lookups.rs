//! Look-ups of what pounce does not hold — Panther's key-value store, its resource inventory,
//! its IPinfo enrichment — that upstream tests replace with `Mocks`. Unmocked each gives what an
//! empty store gives (nothing found), or, for the enrichment, formats what the event carries.

use crate::stdlib::collections::ANY_CASE;
use crate::stdlib::{python, truthy};
use pounce_lang::document::get_key;
use pounce_lang::functions::{Args, Native, NativeCtx, NativeError, Registry};
use serde_json::{Value, json};

/// Registers the functions of this file.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "check_account_age",
        1,
        1,
        "whether the key-value store holds a non-empty string set under the key (written by new-account rules); pounce has no store: false unless mocked",
        |_: &Args<'_>, _: &mut NativeCtx<'_>| Ok(Value::Bool(false)),
    ));
    r.register(Native::new(
        "get_string_set",
        1,
        1,
        "the string set the key-value store holds under the key; pounce has no store: [] unless mocked",
        |_: &Args<'_>, _: &mut NativeCtx<'_>| Ok(json!([])),
    ));
    r.register(Native::new(
        "put_string_set",
        2,
        3,
        "stores a string set in the key-value store; pounce has no store: does nothing and gives null unless mocked",
        |_: &Args<'_>, _: &mut NativeCtx<'_>| Ok(Value::Null),
    ));
    r.register(Native::new(
        "resource_lookup",
        1,
        1,
        "the stored snapshot of the resource with this ID: a look-up in Panther's resource store, which pounce does not hold (tests mock it); unmocked: null, i.e. not found",
        |a: &Args<'_>, ctx: &mut NativeCtx<'_>| {
            ctx.note(format_args!(
                "no resource store is configured: {} is not found (null)",
                a.get(0).map_or_else(|| "the ID".to_string(), Value::to_string)
            ));
            Ok(Value::Null)
        },
    ));
    r.register(Native::new(
        "iam_managed_policy_document",
        2,
        2,
        "the PolicyDocument of managed policy arn:aws:iam::ACCOUNT:policy/NAME: a look-up in Panther's resource store, which pounce does not hold (tests mock it); unmocked: null, i.e. not found",
        iam_managed_policy_document,
    ));
    r.register(
        Native::new(
            "geoinfo_from_ip_formatted",
            2,
            2,
            "`<ip> in <city>, <region> in <country>` for event field FIELD from Panther's IPinfo enrichment; undefined when the enrichment is absent",
            geoinfo_from_ip_formatted,
        )
        .reads_arg(0, &["p_enrichment", "sourceIPAddress"]),
    );
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

/// `geoinfo_from_ip_formatted(event, field)`: Panther's IPinfo summary of the address in the
/// event's top-level `field`, `"<ip> in <city>, <region> in <country>"`, where `<ip>` is the
/// event's `field` value and `<city>`, `<region>`, `<country>` are read from
/// `p_enrichment.ipinfo_location.<field>` (each rendered as Python prints it: a missing or null
/// one as `None`, a list — when the enrichment entry is a list of matches — as a Python list of
/// each match's value). Undefined, as upstream raises, when `p_enrichment.ipinfo_location` or
/// `p_enrichment.ipinfo_asn` is falsy or either has no `field` entry, or `field` is not a
/// string. Keys match exactly first, then ignoring ASCII case. Tests replace it with `Mocks`.
fn geoinfo_from_ip_formatted(a: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let missing = || NativeError("geoinfo_from_ip_formatted: no IPinfo enrichment".into());
    let event = a.get(0).ok_or_else(missing)?;
    let field = a.get(1).and_then(Value::as_str).ok_or_else(missing)?;
    let enrichment = get_key(event, "p_enrichment", ANY_CASE).ok_or_else(missing)?;
    let provider = |name: &str| get_key(enrichment, name, ANY_CASE).filter(|v| truthy(v));
    let location = provider("ipinfo_location").ok_or_else(missing)?;
    let asn = provider("ipinfo_asn").ok_or_else(missing)?;
    let entry = get_key(location, field, ANY_CASE).ok_or_else(missing)?;
    get_key(asn, field, ANY_CASE).ok_or_else(missing)?;
    let attr = |k: &str| -> String {
        match entry {
            Value::Array(items) => python::str_of(Some(&Value::Array(
                items
                    .iter()
                    .map(|i| get_key(i, k, ANY_CASE).cloned().unwrap_or(Value::Null))
                    .collect(),
            ))),
            other => python::str_of(get_key(other, k, ANY_CASE)),
        }
    };
    Ok(Value::String(format!(
        "{} in {}, {} in {}",
        python::str_of(get_key(event, field, ANY_CASE)),
        attr("city"),
        attr("region"),
        attr("country")
    )))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    #[test]
    fn resource_lookup_takes_one_argument() {
        // The default-VPC policies call it with one ARN.
        let reg = crate::standard_registry();
        let lookup = reg.get("resource_lookup").unwrap();
        assert_eq!((lookup.min_args, lookup.max_args), (1, 1));
    }
}
