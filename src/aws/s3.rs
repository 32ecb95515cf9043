//! S3: bucket encryption and ARNs, and whether an IAM `Action` covers every S3 action (the
//! action catalogue is in `iam/actions.rs`).

use crate::stdlib::truthy;
use pounce_lang::functions::{Args, Native, NativeCtx, NativeError, Registry};
use serde_json::Value;

/// Registers the functions of this file.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "grants_all_s3_actions",
        1,
        1,
        "true when an IAM Action value (string or list), expanded against the IAM action catalogue, covers every S3 action",
        |a: &Args<'_>, ctx: &mut NativeCtx<'_>| Ok(Value::Bool(super::iam::actions::grants_all_s3_actions(a.get(0), ctx))),
    ));
    r.register(Native::new(
        "s3_default_sse_algorithm",
        1,
        1,
        "SSEAlgorithm of the first encryption rule with a truthy ApplyServerSideEncryptionByDefault; null when there is none",
        |a: &Args<'_>, ctx: &mut NativeCtx<'_>| Ok(s3_default_sse_algorithm(a.get(0), ctx)),
    ));
    r.register(Native::new(
        "s3_bucket_arn",
        1,
        1,
        "the ARN `arn:aws:s3:::NAME` of the bucket named NAME (undefined when NAME is not a string)",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| match a.get(0) {
            Some(Value::String(name)) => Ok(Value::String(format!("arn:aws:s3:::{name}"))),
            _ => Err(NativeError("the bucket name is not a string".into())),
        },
    ));
}

/// `s3_default_sse_algorithm(rules)`: walks the list `rules` (a bucket's `EncryptionRules`) in
/// order and takes the first element whose `ApplyServerSideEncryptionByDefault` is truthy (Python
/// truthiness; elements that are not objects are skipped). The result is that value's
/// `SSEAlgorithm` as it is (any non-null value, even `""`), or null when it is absent or null or
/// the value is not an object. Later rules are not considered. Null when no element qualifies or
/// `rules` is not a list (missing and null included).
fn s3_default_sse_algorithm(rules: Option<&Value>, ctx: &mut NativeCtx<'_>) -> Value {
    let Some(Value::Array(rules)) = rules else {
        ctx.note(format_args!("no encryption rules"));
        return Value::Null;
    };
    for (i, r) in rules.iter().enumerate() {
        let Some(by_default) = r.get("ApplyServerSideEncryptionByDefault") else {
            continue;
        };
        if !truthy(by_default) {
            continue;
        }
        let alg = by_default
            .get("SSEAlgorithm")
            .cloned()
            .unwrap_or(Value::Null);
        ctx.note(format_args!(
            "[{i}] is the first rule with a default encryption: SSEAlgorithm = {alg}"
        ));
        return alg;
    }
    ctx.note(format_args!("no rule has a default encryption"));
    Value::Null
}
