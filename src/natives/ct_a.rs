//! Natives for the ported CloudTrail rules (ct_a part: upstream files 1–45); see
//! rules/README.md.
//!
//! Two kinds live here:
//! - `text_replace`, which a title needs and the language has no syntax for (the rules of
//!   this part also use ct_c's `if_else`, `default_if_absent` and `split_part`);
//! - the configuration look-ups and helpers that upstream tests replace with `Mocks`
//!   (`is_cloudtrail_bucket`, `get_unusual_instance_types`, `ROLES_VIA_EXTERNAL_IDP`,
//!   `geoinfo_from_ip_formatted`); unmocked they give the value upstream ships.

use super::cloudtrail::get_ci;
use super::{Args, Native, NativeCtx, NativeError, Registry, truthy};
use serde_json::Value;

/// The buckets `AWS.CloudTrail.ShortLifecycle` knows to hold CloudTrail logs (upstream's
/// shipped configuration).
const KNOWN_CLOUDTRAIL_BUCKETS: &[&str] = &["example_cloudtrail_bucket_name"];

/// The instance types `AWS.EC2.LaunchUnusualEC2Instances` calls unusual (upstream's shipped
/// configuration).
const UNUSUAL_INSTANCE_TYPES: &[&str] = &["p2.xlarge"];

/// Registers the natives of this family.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "text_replace",
        3,
        3,
        "string S with every occurrence of OLD replaced by NEW (Python str.replace); undefined unless all three are strings",
        text_replace,
    ));
    r.register(Native::new(
        "is_cloudtrail_bucket",
        1,
        1,
        "configuration of AWS.CloudTrail.ShortLifecycle: whether a bucket name is a known CloudTrail bucket (unmocked: only `example_cloudtrail_bucket_name`)",
        is_cloudtrail_bucket,
    ));
    r.register(Native::new(
        "get_unusual_instance_types",
        0,
        0,
        "configuration of AWS.EC2.LaunchUnusualEC2Instances: the instance types to alert on (unmocked: [\"p2.xlarge\"])",
        get_unusual_instance_types,
    ));
    r.register(Native::new(
        "ROLES_VIA_EXTERNAL_IDP",
        0,
        0,
        "configuration of AWS.Console.LoginWithoutMFA: whether roles are assumed through an external IdP, so AssumedRole logins skip the MFA check (unmocked: false)",
        roles_via_external_idp,
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

/// `text_replace(s, old, new)`: `s` with every non-overlapping occurrence of `old`, left to
/// right, replaced by `new`, as Python's `str.replace` (an empty `old` inserts `new` before
/// every character and at the end). Undefined unless all three are strings.
fn text_replace(a: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    match (a.get(0), a.get(1), a.get(2)) {
        (Some(Value::String(s)), Some(Value::String(old)), Some(Value::String(new))) => {
            Ok(Value::String(s.replace(old.as_str(), new)))
        }
        _ => Err(NativeError("text_replace: needs three strings".into())),
    }
}

/// `is_cloudtrail_bucket(name)`: true when `name` is a string equal (exactly) to one of the
/// known CloudTrail bucket names; upstream ships one, `example_cloudtrail_bucket_name`, meant
/// to be edited. False for anything else, missing included. Tests replace it with `Mocks`.
fn is_cloudtrail_bucket(a: &Args<'_>, ctx: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let known = a
        .get(0)
        .and_then(Value::as_str)
        .is_some_and(|n| KNOWN_CLOUDTRAIL_BUCKETS.contains(&n));
    ctx.note(format_args!(
        "known CloudTrail buckets (configuration): {KNOWN_CLOUDTRAIL_BUCKETS:?}"
    ));
    Ok(Value::Bool(known))
}

/// `get_unusual_instance_types()`: the list of EC2 instance types whose launch alerts; upstream
/// ships `["p2.xlarge"]`. Tests replace it with `Mocks` (upstream's own tests mock it with the
/// string `"p2.xlarge"`, which rules then read with Python's `in`: a substring test).
fn get_unusual_instance_types(_: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    Ok(Value::Array(
        UNUSUAL_INSTANCE_TYPES
            .iter()
            .map(|t| Value::String((*t).to_string()))
            .collect(),
    ))
}

/// `ROLES_VIA_EXTERNAL_IDP()`: the configuration flag of `AWS.Console.LoginWithoutMFA` saying
/// that roles are assumed through an external identity provider that enforces MFA itself;
/// upstream ships it off, so this returns `false`. Tests replace it with `Mocks`.
fn roles_via_external_idp(_: &Args<'_>, ctx: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    ctx.note(format_args!(
        "ROLES_VIA_EXTERNAL_IDP is not configured (false)"
    ));
    Ok(Value::Bool(false))
}

/// The text Python's `str()` gives a JSON value (strings bare, `None`, `True`, lists as
/// `['a', 'b']`).
fn py(v: Option<&Value>) -> String {
    crate::alert::python_str(v)
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
    let enrichment = get_ci(event, "p_enrichment").ok_or_else(missing)?;
    let provider = |name: &str| get_ci(enrichment, name).filter(|v| truthy(v));
    let location = provider("ipinfo_location").ok_or_else(missing)?;
    let asn = provider("ipinfo_asn").ok_or_else(missing)?;
    let entry = get_ci(location, field).ok_or_else(missing)?;
    get_ci(asn, field).ok_or_else(missing)?;
    let attr = |k: &str| -> String {
        match entry {
            Value::Array(items) => py(Some(&Value::Array(
                items
                    .iter()
                    .map(|i| get_ci(i, k).cloned().unwrap_or(Value::Null))
                    .collect(),
            ))),
            other => py(get_ci(other, k)),
        }
    };
    Ok(Value::String(format!(
        "{} in {}, {} in {}",
        py(get_ci(event, field)),
        attr("city"),
        attr("region"),
        attr("country")
    )))
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
        f(&Args::new(&refs), &mut NativeCtx::new(0, None)).ok()
    }

    #[test]
    fn registered_once_with_descriptions() {
        let mut r = Registry::empty();
        register(&mut r);
        assert!(r.duplicates().is_empty());
        assert_eq!(r.iter().count(), 5);
        assert!(r.iter().all(|n| !n.description.is_empty()));
    }

    #[test]
    fn text_replace_like_python() {
        let s = |x: &str| Some(json!(x));
        assert_eq!(
            call(text_replace, &[s("UpdateGuardrail"), s("Guardrail"), s("")]),
            s("Update")
        );
        assert_eq!(call(text_replace, &[s("aaa"), s("aa"), s("b")]), s("ba"));
        assert_eq!(call(text_replace, &[s("ab"), s(""), s("-")]), s("-a-b-"));
        assert_eq!(call(text_replace, &[Some(json!(1)), s("1"), s("2")]), None);
        assert_eq!(call(text_replace, &[s("a"), None, s("2")]), None);
    }

    #[test]
    fn configuration_defaults() {
        assert_eq!(
            call(
                is_cloudtrail_bucket,
                &[Some(json!("example_cloudtrail_bucket_name"))]
            ),
            Some(json!(true))
        );
        assert_eq!(
            call(is_cloudtrail_bucket, &[Some(json!("my-cloudtrail-logs"))]),
            Some(json!(false))
        );
        assert_eq!(call(is_cloudtrail_bucket, &[None]), Some(json!(false)));
        assert_eq!(
            call(get_unusual_instance_types, &[]),
            Some(json!(["p2.xlarge"]))
        );
        assert_eq!(call(roles_via_external_idp, &[]), Some(json!(false)));
    }

    #[test]
    fn geoinfo_formatting() {
        let f = Some(json!("sourceIPAddress"));
        let event = json!({
            "sourceIPAddress": "1.2.3.4",
            "p_enrichment": {
                "ipinfo_location": {"sourceIPAddress": {"city": "SF", "region": "California", "country": "US"}},
                "ipinfo_asn": {"sourceIPAddress": {"asn": "AS1"}}
            }
        });
        assert_eq!(
            call(geoinfo_from_ip_formatted, &[Some(event), f.clone()]),
            Some(json!("1.2.3.4 in SF, California in US"))
        );
        let list = json!({
            "sourceIPAddress": "1.2.3.4",
            "p_enrichment": {
                "ipinfo_location": {"sourceIPAddress": [{"city": "A"}, {"city": "B", "region": null}]},
                "ipinfo_asn": {"sourceIPAddress": {"asn": "AS1"}}
            }
        });
        assert_eq!(
            call(geoinfo_from_ip_formatted, &[Some(list), f.clone()]),
            Some(json!("1.2.3.4 in ['A', 'B'], [None, None] in [None, None]"))
        );
        let no_asn = json!({
            "sourceIPAddress": "1.2.3.4",
            "p_enrichment": {"ipinfo_location": {"sourceIPAddress": {"city": "SF"}}, "ipinfo_asn": {}}
        });
        assert_eq!(
            call(geoinfo_from_ip_formatted, &[Some(no_asn), f.clone()]),
            None
        );
        assert_eq!(
            call(
                geoinfo_from_ip_formatted,
                &[Some(json!({"sourceIPAddress": "1.2.3.4"})), f]
            ),
            None
        );
        assert_eq!(
            call(geoinfo_from_ip_formatted, &[Some(json!({})), None]),
            None
        );
    }
}
