//! Per-rule configuration: the values upstream ships in its rules' Python for an operator to
//! edit (an allow list, DMZ tags, the GuardDuty administrator account, …). Each is a function of
//! no or one argument that Panther tests replace with `Mocks`; unmocked it gives the shipped
//! value. Kept as functions for now (language v2 moves them to YAML).

use pounce_lang::functions::{Args, Native, NativeCtx, NativeError, Registry};
use serde_json::{Map, Value};

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
        "DMZ_TAGS",
        0,
        0,
        "configuration of AWS.SecurityGroup.OnlyDMZPubliclyAccessible: list of [tag key, tag value] pairs marking a DMZ group (unmocked: [])",
        dmz_tags,
    ));
    r.register(Native::new(
        "MASTER_ACCOUNT_ID",
        0,
        0,
        "configuration of AWS.GuardDuty.MasterAccount: the GuardDuty administrator account ID (unmocked: null, i.e. not configured)",
        master_account_id,
    ));
    r.register(Native::new(
        "REQUIRED_TAGS_MAPPINGS",
        0,
        0,
        "configuration of AWS.Resource.RequiredTags: resource type -> list of required tag keys (unmocked: {})",
        required_tags_mappings,
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

/// `MASTER_ACCOUNT_ID()`: the account ID (a string) every GuardDuty detector should report to
/// as its administrator. Tests may replace it with their `Mocks` value; unmocked it returns
/// `null`, the upstream default ("not configured"), under which the policy flags nothing.
/// Takes no arguments.
fn master_account_id(_: &Args<'_>, ctx: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    ctx.note(format_args!(
        "MASTER_ACCOUNT_ID is not configured (null): no master account is required"
    ));
    Ok(Value::Null)
}

/// `REQUIRED_TAGS_MAPPINGS()`: the mapping from a resource type (e.g. `"AWS.EC2.Instance"`) to
/// the list of tag keys a resource of that type must carry. Tests replace it with their
/// `Mocks` value; unmocked it returns the mapping upstream ships, the empty object `{}` (so
/// no resource type requires any tag). Takes no arguments.
fn required_tags_mappings(_: &Args<'_>, ctx: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    ctx.note(format_args!(
        "REQUIRED_TAGS_MAPPINGS is not configured: no resource type requires tags"
    ));
    Ok(Value::Object(Map::new()))
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
