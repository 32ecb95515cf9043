//! Natives for the ported AWS policies (services family); see docs/NATIVES.md.
//!
//! Two of them are *configuration look-ups* that Panther tests replace with `Mocks`
//! (`REQUIRED_TAGS_MAPPINGS`, `MASTER_ACCOUNT_ID`); unmocked they return the configuration the
//! upstream policies ship with. A key known only at evaluation time is read with the shared
//! `object_get`.

use super::{Args, Native, NativeCtx, NativeError, Registry};
use serde_json::{Map, Value};

/// Registers the natives of this family.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "REQUIRED_TAGS_MAPPINGS",
        0,
        0,
        "configuration of AWS.Resource.RequiredTags: resource type -> list of required tag keys (unmocked: {})",
        required_tags_mappings,
    ));
    r.register(Native::new(
        "MASTER_ACCOUNT_ID",
        0,
        0,
        "configuration of AWS.GuardDuty.MasterAccount: the GuardDuty administrator account ID (unmocked: null, i.e. not configured)",
        master_account_id,
    ));
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

#[cfg(test)]
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

    #[test]
    fn config_defaults() {
        assert_eq!(call(required_tags_mappings, &[]), Ok(json!({})));
        assert_eq!(call(master_account_id, &[]), Ok(json!(null)));
    }

    #[test]
    fn registered() {
        let mut r = Registry::empty();
        register(&mut r);
        for name in ["REQUIRED_TAGS_MAPPINGS", "MASTER_ACCOUNT_ID"] {
            assert!(r.get(name).is_some(), "{name}");
        }
    }
}
