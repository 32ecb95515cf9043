//! S3: the buckets and objects a CloudTrail event names, and whether an IAM `Action` covers every
//! S3 action (which needs the bundled action catalogue of `iam/actions.rs`).

use crate::stdlib::collections::ANY_CASE;
use pounce_lang::document::get_key;
use pounce_lang::functions::{Args, Native, NativeCtx, NativeError, Registry};
use serde_json::{Map, Value};

/// Registers the functions of this file.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "grants_all_s3_actions",
        1,
        1,
        "true when an IAM Action value (string or list), expanded against the IAM action catalogue, covers every S3 action (needs the bundled catalogue of S3 actions)",
        |a: &Args<'_>, ctx: &mut NativeCtx<'_>| Ok(Value::Bool(super::iam::actions::grants_all_s3_actions(a.get(0), ctx))),
    ));
    r.register(
        Native::new(
            "s3_bucket_accounts",
            1,
            1,
            "object mapping bucket name (arn after the last `:::`) to accountId for each `AWS::S3::Bucket` element of a CloudTrail `resources` list, later elements winning",
            s3_bucket_accounts,
        )
        .reads_arg(0, &["[*].type", "[*].arn", "[*].accountId"]),
    );
    r.register(
        Native::new(
            "s3_object_filename",
            2,
            2,
            "file name of an uploaded S3 object: the last `/`-piece of KEY, or when KEY is empty of the part after the first `/` of the first `AWS::S3::Object` arn in RESOURCES holding a `/`",
            s3_object_filename,
        )
        .reads_arg(1, &["[*].type", "[*].arn"]),
    );
}

/// A member read ignoring key case, with `absent` for an absent key (a present null stays
/// null), as upstream's `element.get(key, absent)` on a case-insensitive event.
fn get_or<'v>(v: &'v Value, key: &str, absent: &'v Value) -> &'v Value {
    get_key(v, key, ANY_CASE).unwrap_or(absent)
}

/// `s3_bucket_accounts(resources)`: for a CloudTrail `resources` list, the object mapping each
/// bucket to its account. Only object elements whose `type` equals `AWS::S3::Bucket` count;
/// the bucket name is the element's `arn` (absent → `""`) after its last `:::` (the whole text
/// when it has none), the account is its `accountId` (absent → `""`, a present null stays null).
/// A later element with the same bucket name replaces the earlier one's account. Keys are read
/// ignoring case. An `arn` that is not a string is skipped. A missing or non-list `resources`
/// gives `{}` (upstream raises on a null list: no alert either way).
fn s3_bucket_accounts(a: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let empty = Value::String(String::new());
    let mut m = Map::new();
    for r in a.get(0).and_then(Value::as_array).into_iter().flatten() {
        if get_key(r, "type", ANY_CASE).and_then(Value::as_str) != Some("AWS::S3::Bucket") {
            continue;
        }
        let Some(arn) = get_or(r, "arn", &empty).as_str() else {
            continue;
        };
        let bucket = arn.rsplit(":::").next().unwrap_or(arn);
        m.insert(bucket.to_string(), get_or(r, "accountId", &empty).clone());
    }
    Ok(Value::Object(m))
}

/// `s3_object_filename(key, resources)`: the file name of an uploaded object. The key is `key`
/// when it is a non-empty string; otherwise (missing, null, `""`) the first object element of
/// the `resources` list whose `type` equals `AWS::S3::Object` and whose `arn` is a string
/// containing `/` gives the key: its arn after the first `/`. The file name is the key after its
/// last `/` (the whole key when it has none; `""` when the key ends with `/`). Keys of resource
/// elements are read ignoring case. Undefined when there is no key (no such resource, or
/// `resources` missing or not a list) or when `key` is a non-empty non-string.
fn s3_object_filename(a: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let key: Option<&str> = match a.get(0) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.as_str()),
        None | Some(Value::Null) | Some(Value::String(_)) => a
            .get(1)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|r| {
                get_key(*r, "type", ANY_CASE).and_then(Value::as_str) == Some("AWS::S3::Object")
            })
            .filter_map(|r| get_key(r, "arn", ANY_CASE).and_then(Value::as_str))
            .find_map(|arn| arn.split_once('/').map(|(_, rest)| rest)),
        Some(_) => {
            return Err(NativeError(
                "s3_object_filename: KEY is not a string".into(),
            ));
        }
    };
    let key = key.ok_or_else(|| NativeError("s3_object_filename: no object key".into()))?;
    Ok(Value::String(
        key.rsplit('/').next().unwrap_or(key).to_string(),
    ))
}
