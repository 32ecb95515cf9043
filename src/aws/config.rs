//! Per-rule configuration of the CloudTrail rules: the values upstream ships in its rules'
//! Python for an operator to edit (an allow list, the unusual instance types, …). Each is a
//! function of no or one argument that Panther tests replace with `Mocks`; unmocked it gives the
//! shipped value. Kept as functions for now (language v2 moves them to YAML, as the policy pack
//! already has: policies/helpers/config.yml).

use pounce_lang::functions::{Args, Native, NativeCtx, NativeError, Registry};
use serde_json::Value;

/// The buckets `AWS.CloudTrail.ShortLifecycle` knows to hold CloudTrail logs (upstream's
/// shipped configuration).
const KNOWN_CLOUDTRAIL_BUCKETS: &[&str] = &["example_cloudtrail_bucket_name"];

/// The instance types `AWS.EC2.LaunchUnusualEC2Instances` calls unusual (upstream's shipped
/// configuration).
const UNUSUAL_INSTANCE_TYPES: &[&str] = &["p2.xlarge"];

/// Registers the functions of this file.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "ALLOW_LIST",
        0,
        0,
        "configuration of AWS.CloudTrail.SecurityConfigurationChange: list of {userName, eventName} glob pairs never alerted on (unmocked: [], as shipped)",
        allow_list,
    ));
    r.register(Native::new(
        "ROLES_VIA_EXTERNAL_IDP",
        0,
        0,
        "configuration of AWS.Console.LoginWithoutMFA: whether roles are assumed through an external IdP, so AssumedRole logins skip the MFA check (unmocked: false)",
        roles_via_external_idp,
    ));
    r.register(Native::new(
        "get_unusual_instance_types",
        0,
        0,
        "configuration of AWS.EC2.LaunchUnusualEC2Instances: the instance types to alert on (unmocked: [\"p2.xlarge\"])",
        get_unusual_instance_types,
    ));
    r.register(Native::new(
        "is_cloudtrail_bucket",
        1,
        1,
        "configuration of AWS.CloudTrail.ShortLifecycle: whether a bucket name is a known CloudTrail bucket (unmocked: only `example_cloudtrail_bucket_name`)",
        is_cloudtrail_bucket,
    ));
}

/// `ALLOW_LIST()`: the allow list of `AWS.CloudTrail.SecurityConfigurationChange`, a list of
/// objects `{"userName": GLOB, "eventName": GLOB}`; an event whose session issuer user name and
/// event name match one entry's globs is not alerted on. Tests replace it with their `Mocks`
/// value; unmocked it returns what upstream ships, `[]` (nothing is allowed). No arguments.
fn allow_list(_: &Args<'_>, ctx: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    ctx.note(format_args!(
        "ALLOW_LIST is not configured ([]): no user/event pair is allowed"
    ));
    Ok(Value::Array(Vec::new()))
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
