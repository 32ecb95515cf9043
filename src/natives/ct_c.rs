//! Natives for the ported CloudTrail rules (ct_c part: upstream files 91–135, from
//! `aws_root_access_key_created.yml` to `signin_with_aws_cli_prompt.yml`).
//!
//! Small value builders the language has no syntax for (a conditional value, a default for an
//! absent key only, a piece of a split string, an object, a set union, an hour bucket), three
//! list walks that keep the first or last match (which quantifiers cannot express), and the
//! configuration look-up `ALLOW_LIST` that upstream tests mock.

use super::cloudtrail::get_ci;
use super::{Args, Native, NativeCtx, NativeError, Registry, parse_timestamp, truthy};
use serde_json::{Map, Value};

/// Registers the natives of this family.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "if_else",
        3,
        3,
        "THEN when COND is JSON true, else ELSE (Python's `a if c else b`); undefined when the chosen value is missing",
        if_else,
    ));
    r.register(Native::new(
        "default_if_absent",
        2,
        2,
        "VALUE when it is present (a present null stays null), DEFAULT when it is missing (Python's `event.get(key, default)`)",
        default_if_absent,
    ));
    r.register(Native::new(
        "split_part",
        3,
        3,
        "piece I (0-based, negative from the end) of string S split on SEP (Python's `s.split(sep)[i]`); undefined when out of range or not strings",
        split_part,
    ));
    r.register(Native::new(
        "make_object",
        2,
        32,
        "an object from KEY, VALUE pairs (a missing value gives null; a later repeated key wins); undefined when a key is not a string or a value lacks its key",
        make_object,
    ));
    r.register(Native::new(
        "set_union",
        1,
        16,
        "the distinct values of its arguments, in first-seen order: a list gives its elements, an object its member values, a missing or null argument nothing, any other value itself",
        set_union,
    ));
    r.register(Native::new(
        "hour_floor",
        1,
        1,
        "the Unix time (a float such as 1739559600.0) of the start of the UTC hour holding a timestamp string or epoch-seconds number; undefined when it is neither",
        hour_floor,
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
    r.register(
        Native::new(
            "snapshot_first_share",
            1,
            1,
            "the first object of a createVolumePermission items list whose userId is truthy or whose group is `all`; undefined when there is none",
            snapshot_first_share,
        )
        .reads_arg(0, &["[*].userId", "[*].group"]),
    );
    r.register(Native::new(
        "ALLOW_LIST",
        0,
        0,
        "configuration of AWS.CloudTrail.SecurityConfigurationChange: list of {userName, eventName} glob pairs never alerted on (unmocked: [], as shipped)",
        allow_list,
    ));
}

/// `if_else(cond, then, else)`: `then` when `cond` is the JSON value `true` (as a bare operand
/// counts it: missing, null, `"true"` and `1` are not), otherwise `else`. Both branches are
/// evaluated by the caller; only the chosen one matters. Undefined (seen as missing) when the
/// chosen branch is missing or undefined.
fn if_else(a: &Args<'_>, ctx: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let take_then = matches!(a.get(0), Some(Value::Bool(true)));
    let i = if take_then { 1 } else { 2 };
    ctx.note(format_args!(
        "if_else: condition is {}, so the {} value is taken",
        take_then,
        if take_then { "THEN" } else { "ELSE" }
    ));
    a.get(i)
        .cloned()
        .ok_or_else(|| NativeError("if_else: the chosen value is missing".into()))
}

/// `default_if_absent(value, default)`: `value` whenever it is present, including a present
/// `null`; `default` when `value` is missing (the path does not resolve) or undefined. This is
/// Python's `event.get("key", default)` on a top-level key; for upstream's `deep_get(…,
/// default=…)`, which also replaces a null, use `coalesce`. Undefined when both are missing.
fn default_if_absent(a: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    a.get(0)
        .or_else(|| a.get(1))
        .cloned()
        .ok_or_else(|| NativeError("default_if_absent: value and default are missing".into()))
}

/// `split_part(s, sep, i)`: Python's `s.split(sep)[i]` — the pieces of string `s` between
/// occurrences of the non-empty string `sep` (so `"a::b"` split on `":"` has three pieces, the
/// middle one empty, and a string without `sep` is one piece), indexed from 0, or from the end
/// when `i` is negative (`-1` is the last piece). Undefined when `s` or `sep` is not a string,
/// `sep` is empty, `i` is not an integer, or the piece does not exist.
fn split_part(a: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let (Some(Value::String(s)), Some(Value::String(sep))) = (a.get(0), a.get(1)) else {
        return Err(NativeError("split_part: S and SEP must be strings".into()));
    };
    if sep.is_empty() {
        return Err(NativeError("split_part: SEP is empty".into()));
    }
    let i = a
        .get(2)
        .and_then(Value::as_f64)
        .filter(|f| f.fract() == 0.0)
        .ok_or_else(|| NativeError("split_part: I must be an integer".into()))? as i64;
    let pieces: Vec<&str> = s.split(sep.as_str()).collect();
    let idx = if i < 0 {
        (pieces.len() as i64).checked_add(i)
    } else {
        Some(i)
    };
    idx.and_then(|k| usize::try_from(k).ok())
        .and_then(|k| pieces.get(k))
        .map(|p| Value::String((*p).to_string()))
        .ok_or_else(|| NativeError(format!("split_part: no piece {i}")))
}

/// `make_object(k1, v1, k2, v2, …)`: the object `{k1: v1, k2: v2, …}` in argument order. A
/// missing or undefined value gives `null`; a repeated key keeps its first position and its
/// last value. Undefined when a key is missing or not a string, or when the number of
/// arguments is odd.
fn make_object(a: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    if !a.len().is_multiple_of(2) {
        return Err(NativeError(
            "make_object: needs KEY, VALUE pairs (an even number of arguments)".into(),
        ));
    }
    let mut m = Map::new();
    for i in (0..a.len()).step_by(2) {
        let Some(Value::String(k)) = a.get(i) else {
            return Err(NativeError(format!(
                "make_object: key {} is not a string",
                i / 2 + 1
            )));
        };
        m.insert(k.clone(), a.get(i + 1).cloned().unwrap_or(Value::Null));
    }
    Ok(Value::Object(m))
}

/// Equality as Python's sets decide it for JSON values: numbers by value (`1` and `1.0` are
/// the same), everything else structurally. Booleans are not numbers here.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// `set_union(a, …)`: the distinct values of its arguments, in first-seen order, as a list.
/// A list argument contributes its elements, an object argument its member values (in key
/// order), a missing or null argument nothing, and any other argument (string, number, boolean)
/// itself — a string is one value, not its characters. Elements are kept whatever their type
/// (a null element is a value). Numbers compare by value (`1` = `1.0`); `1` and `"1"` differ.
fn set_union(a: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let mut out: Vec<Value> = Vec::new();
    let mut add = |v: &Value| {
        if !out.iter().any(|o| same(o, v)) {
            out.push(v.clone());
        }
    };
    for i in 0..a.len() {
        match a.get(i) {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => items.iter().for_each(&mut add),
            Some(Value::Object(m)) => m.values().for_each(&mut add),
            Some(other) => add(other),
        }
    }
    Ok(Value::Array(out))
}

/// `hour_floor(ts)`: the Unix time of the start of the UTC hour that holds `ts`, as a float
/// (`2025-02-14T19:43:09Z` → `1739559600.0`), which is how upstream writes its hourly
/// key-value-store bucket. `ts` is a timestamp string in the forms `timestamp` accepts
/// (`2025-02-14 19:43:09.000000000`, `…T…Z`, an offset; no zone means UTC) or a number of epoch
/// seconds. Undefined for anything else.
fn hour_floor(a: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let secs = match a.get(0) {
        Some(Value::String(s)) => parse_timestamp(s),
        Some(Value::Number(n)) => n
            .as_f64()
            .filter(|f| f.is_finite())
            .map(|f| f.floor() as i64),
        _ => None,
    }
    .ok_or_else(|| NativeError("hour_floor: not a timestamp".into()))?;
    let floored = secs.div_euclid(3600) * 3600;
    serde_json::Number::from_f64(floored as f64)
        .map(Value::Number)
        .ok_or_else(|| NativeError("hour_floor: out of range".into()))
}

/// A member read ignoring key case, with `absent` for an absent key (a present null stays
/// null), as upstream's `element.get(key, absent)` on a case-insensitive event.
fn get_or<'v>(v: &'v Value, key: &str, absent: &'v Value) -> &'v Value {
    get_ci(v, key).unwrap_or(absent)
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
        if get_ci(r, "type").and_then(Value::as_str) != Some("AWS::S3::Bucket") {
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
            .filter(|r| get_ci(r, "type").and_then(Value::as_str) == Some("AWS::S3::Object"))
            .filter_map(|r| get_ci(r, "arn").and_then(Value::as_str))
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

/// `snapshot_first_share(items)`: the first element of the list `items` (a snapshot's
/// `createVolumePermission.add.items`) that is an object whose `userId` is truthy (Python
/// truthiness) or whose `group` equals `all`; non-object elements are skipped. Keys are read
/// ignoring case. Undefined when no element qualifies or `items` is missing or not a list.
fn snapshot_first_share(a: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    a.get(0)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|e| e.is_object())
        .find(|e| {
            get_ci(e, "userId").is_some_and(truthy)
                || get_ci(e, "group").and_then(Value::as_str) == Some("all")
        })
        .cloned()
        .ok_or_else(|| NativeError("snapshot_first_share: no user or group share".into()))
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use serde_json::json;

    type F = fn(&Args<'_>, &mut NativeCtx<'_>) -> Result<Value, NativeError>;

    fn call(f: F, args: &[Option<Value>]) -> Option<Value> {
        let refs: Vec<Option<&Value>> = args.iter().map(Option::as_ref).collect();
        let mut ctx = NativeCtx::new(0, None);
        f(&Args::new(&refs), &mut ctx).ok()
    }

    fn s(x: &str) -> Option<Value> {
        Some(json!(x))
    }

    #[test]
    fn if_else_picks_by_json_true() {
        assert_eq!(
            call(if_else, &[Some(json!(true)), s("a"), s("b")]),
            Some(json!("a"))
        );
        for c in [json!(false), json!("true"), json!(1), json!(null)] {
            assert_eq!(call(if_else, &[Some(c), s("a"), s("b")]), Some(json!("b")));
        }
        assert_eq!(call(if_else, &[None, s("a"), s("b")]), Some(json!("b")));
        assert_eq!(call(if_else, &[Some(json!(true)), None, s("b")]), None);
        assert_eq!(
            call(if_else, &[Some(json!(false)), None, Some(json!(null))]),
            Some(json!(null))
        );
    }

    #[test]
    fn default_only_for_absent() {
        assert_eq!(call(default_if_absent, &[s("x"), s("d")]), Some(json!("x")));
        assert_eq!(
            call(default_if_absent, &[Some(json!(null)), s("d")]),
            Some(json!(null))
        );
        assert_eq!(call(default_if_absent, &[None, s("d")]), Some(json!("d")));
        assert_eq!(call(default_if_absent, &[None, None]), None);
    }

    #[test]
    fn split_like_python() {
        let arn = s("arn:aws:kms:us-east-1:999999999999:key/abc");
        assert_eq!(
            call(split_part, &[arn.clone(), s(":"), Some(json!(4))]),
            Some(json!("999999999999"))
        );
        assert_eq!(
            call(split_part, &[arn.clone(), s(":"), Some(json!(-1))]),
            Some(json!("key/abc"))
        );
        assert_eq!(
            call(split_part, &[arn.clone(), s(":"), Some(json!(-6))]),
            Some(json!("arn"))
        );
        assert_eq!(
            call(split_part, &[arn.clone(), s(":"), Some(json!(6))]),
            None
        );
        assert_eq!(
            call(split_part, &[arn.clone(), s(":"), Some(json!(-7))]),
            None
        );
        assert_eq!(call(split_part, &[arn, s(""), Some(json!(0))]), None);
        assert_eq!(
            call(split_part, &[s("a::b"), s(":"), Some(json!(1))]),
            Some(json!(""))
        );
        assert_eq!(
            call(split_part, &[s("nodot"), s("."), Some(json!(0))]),
            Some(json!("nodot"))
        );
        assert_eq!(
            call(split_part, &[s("x:::b:::c"), s(":::"), Some(json!(-1))]),
            Some(json!("c"))
        );
        assert_eq!(call(split_part, &[None, s("."), Some(json!(0))]), None);
        assert_eq!(
            call(split_part, &[Some(json!(null)), s("."), Some(json!(0))]),
            None
        );
        assert_eq!(
            call(split_part, &[s("a.b"), s("."), Some(json!(0.5))]),
            None
        );
        assert_eq!(call(split_part, &[s("a.b"), s("."), s("0")]), None);
    }

    #[test]
    fn objects_from_pairs() {
        assert_eq!(
            call(
                make_object,
                &[
                    s("a"),
                    Some(json!(1)),
                    s("b"),
                    None,
                    s("a"),
                    Some(json!(true))
                ]
            ),
            Some(json!({"a": true, "b": null}))
        );
        assert_eq!(call(make_object, &[Some(json!(1)), s("x")]), None);
        assert_eq!(call(make_object, &[None, s("x")]), None);
        assert_eq!(call(make_object, &[s("a"), s("x"), s("b")]), None);
    }

    #[test]
    fn unions_keep_first_seen_order() {
        assert_eq!(
            call(
                set_union,
                &[
                    Some(json!(["a", "b", 1])),
                    Some(json!(["b", "c", 1.0, "1"])),
                    None,
                    Some(json!(null)),
                    s("d"),
                    Some(json!({"x": "a", "y": "e"})),
                ]
            ),
            Some(json!(["a", "b", 1, "c", "1", "d", "e"]))
        );
        assert_eq!(
            call(
                set_union,
                &[Some(json!({"b1": "1", "b2": null, "b3": null}))]
            ),
            Some(json!(["1", null]))
        );
        assert_eq!(call(set_union, &[None]), Some(json!([])));
    }

    #[test]
    fn hour_buckets() {
        assert_eq!(
            call(hour_floor, &[s("2025-02-14 19:43:09.000000000")]),
            Some(json!(1739559600.0))
        );
        assert_eq!(
            call(hour_floor, &[s("1970-01-01T00:00:00")]),
            Some(json!(0.0))
        );
        assert_eq!(
            call(hour_floor, &[Some(json!(7199.5))]),
            Some(json!(3600.0))
        );
        assert_eq!(
            call(hour_floor, &[s("1969-12-31T23:59:59Z")]),
            Some(json!(-3600.0))
        );
        assert_eq!(call(hour_floor, &[s("yesterday")]), None);
        assert_eq!(call(hour_floor, &[None]), None);
    }

    #[test]
    fn bucket_accounts_last_wins() {
        let res = json!([
            {"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::b1/k"},
            {"type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::b1", "accountId": "1"},
            {"type": "AWS::S3::Bucket", "arn": "arn:aws:s3:::b2"},
            {"type": "AWS::S3::Bucket", "arn": "arn:aws:s3:::b3", "accountId": null},
            {"type": "AWS::S3::Bucket", "arn": "arn:aws:s3:::b1", "accountId": "2"},
            {"type": "AWS::S3::Bucket", "accountId": "3"},
            {"type": "AWS::S3::Bucket", "arn": 5, "accountId": "4"},
            "junk"
        ]);
        assert_eq!(
            call(s3_bucket_accounts, &[Some(res)]),
            Some(json!({"b1": "2", "b2": "", "b3": null, "": "3"}))
        );
        assert_eq!(call(s3_bucket_accounts, &[None]), Some(json!({})));
        assert_eq!(
            call(s3_bucket_accounts, &[Some(json!(null))]),
            Some(json!({}))
        );
    }

    #[test]
    fn object_filenames() {
        let res = json!([
            {"type": "AWS::S3::Bucket", "arn": "arn:aws:s3:::b"},
            {"type": "AWS::S3::Object", "arn": "no-slash"},
            {"Type": "AWS::S3::Object", "ARN": "arn:aws:s3:::b/dir/NOTE.txt"},
            {"type": "AWS::S3::Object", "arn": "arn:aws:s3:::b/other.txt"}
        ]);
        assert_eq!(
            call(s3_object_filename, &[s("a/b/c.txt"), Some(res.clone())]),
            Some(json!("c.txt"))
        );
        assert_eq!(
            call(s3_object_filename, &[s("plain"), None]),
            Some(json!("plain"))
        );
        assert_eq!(
            call(s3_object_filename, &[s("dir/"), None]),
            Some(json!(""))
        );
        for key in [None, Some(json!(null)), s("")] {
            assert_eq!(
                call(s3_object_filename, &[key, Some(res.clone())]),
                Some(json!("NOTE.txt"))
            );
        }
        assert_eq!(call(s3_object_filename, &[s(""), None]), None);
        assert_eq!(call(s3_object_filename, &[Some(json!(3)), None]), None);
    }

    #[test]
    fn first_snapshot_share() {
        let items =
            json!(["x", {"group": "none", "userId": ""}, {"userId": "1"}, {"group": "all"}]);
        assert_eq!(
            call(snapshot_first_share, &[Some(items)]),
            Some(json!({"userId": "1"}))
        );
        assert_eq!(
            call(
                snapshot_first_share,
                &[Some(
                    json!([{"group": "all", "userId": ""}, {"userId": "2"}])
                )]
            ),
            Some(json!({"group": "all", "userId": ""}))
        );
        assert_eq!(
            call(snapshot_first_share, &[Some(json!([{"group": "none"}]))]),
            None
        );
        assert_eq!(
            call(snapshot_first_share, &[Some(json!({"userId": "1"}))]),
            None
        );
        assert_eq!(call(snapshot_first_share, &[None]), None);
    }

    #[test]
    fn allow_list_unmocked_is_empty() {
        assert_eq!(call(allow_list, &[]), Some(json!([])));
    }

    #[test]
    fn registered() {
        let mut r = Registry::empty();
        register(&mut r);
        for name in [
            "if_else",
            "default_if_absent",
            "split_part",
            "make_object",
            "set_union",
            "hour_floor",
            "s3_bucket_accounts",
            "s3_object_filename",
            "snapshot_first_share",
            "ALLOW_LIST",
        ] {
            assert!(r.get(name).is_some(), "{name}");
        }
    }
}
