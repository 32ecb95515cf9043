//! Per-rule configuration of the policies: the values upstream ships in its Python for an
//! operator to edit (DMZ tags, the GuardDuty administrator account, required tags). Each is a
//! function of no argument that Panther tests replace with `Mocks`; unmocked it gives the shipped
//! value. The rules' configuration is in YAML (rules/helpers/configuration.yml); these move there
//! when the policies do.

use pounce_lang::functions::{Args, Native, NativeCtx, NativeError, Registry};
use serde_json::{Map, Value};

/// Registers the functions of this file.
pub fn register(r: &mut Registry) {
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
