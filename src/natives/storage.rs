//! Natives for the ported AWS policies (storage family: S3, CloudTrail, Config, Lambda,
//! DynamoDB); see docs/NATIVES.md.
//!
//! Bucket policies and Lambda function policies are IAM-style resource policies held as JSON
//! text; the `resource_policy_*` natives read them the way the upstream policies' model of a
//! policy document does (a single statement object counts as a one-element list, principals come
//! from `Principal` only, "strong" condition entries are those that pin the caller to an
//! account, organisation, ARN, address or network).

use super::{Args, Native, NativeCtx, NativeError, Registry, fnmatch, truthy};
use serde_json::{Map, Value};

/// The S3 actions of the IAM action catalogue (policyuniverse 1.5.1.20230817), one a line, as
/// `s3:Action`; see data/storage/NOTICE.
const S3_ACTIONS: &str = include_str!("../../data/storage/s3_actions.txt");

/// Registers the natives of this family.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "resource_policy_statements",
        1,
        1,
        "the Statement list of a resource policy (JSON text or object); a single statement counts as a one-element list, missing/null policy or Statement gives []",
        resource_policy_statements,
    ));
    r.register(Native::new(
        "resource_policy_principals",
        1,
        1,
        "the principal strings of a policy statement: Principal itself (string or list) or its AWS, Service and Federated values",
        |a: &Args<'_>, ctx: &mut NativeCtx<'_>| {
            let p = principals(a.get(0));
            ctx.note(format_args!("principals: {}", Value::from(p.clone())));
            Ok(Value::from(p))
        },
    ));
    r.register(Native::new(
        "resource_policy_condition_entries",
        1,
        1,
        "the condition entries of a policy statement that restrict the caller (ARN/String equals/like or IpAddress operators on account, org, ARN, source IP/VPC keys)",
        |a: &Args<'_>, ctx: &mut NativeCtx<'_>| {
            let e = condition_entries(a.get(0));
            ctx.note(format_args!(
                "{} restricting condition entr{}",
                e.len(),
                if e.len() == 1 { "y" } else { "ies" }
            ));
            Ok(Value::Array(e))
        },
    ));
    r.register(Native::new(
        "grants_all_s3_actions",
        1,
        1,
        "true when an IAM Action value (string or list), expanded against the IAM action catalogue, covers every S3 action",
        |a: &Args<'_>, ctx: &mut NativeCtx<'_>| Ok(Value::Bool(grants_all_s3_actions(a.get(0), ctx))),
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
    r.register(Native::new(
        "resource_lookup",
        1,
        1,
        "the stored snapshot of the resource with this ID (Panther's resource look-up; tests mock it); unmocked: null, i.e. not found",
        |a: &Args<'_>, ctx: &mut NativeCtx<'_>| {
            ctx.note(format_args!(
                "no resource store is configured: {} is not found (null)",
                a.get(0).map_or_else(|| "the ID".to_string(), Value::to_string)
            ));
            Ok(Value::Null)
        },
    ));
    r.register(Native::new(
        "value_at",
        2,
        2,
        "safe nested read: the value of VALUE at the dot-separated key PATH; undefined when a step is missing or not an object",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| match (a.get(0), a.get(1)) {
            (Some(v), Some(Value::String(path))) => value_at(v, path)
                .cloned()
                .ok_or_else(|| NativeError(format!("no value at `{path}`"))),
            _ => Err(NativeError("value_at needs a value and a string path".into())),
        },
    ));
    r.register(Native::new(
        "dynamodb_scaling_targets",
        2,
        2,
        "the auto-scaling resource IDs a table needs: table/NAME and table/NAME/index/INDEX for each global secondary index",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| {
            let name = table_name(a.get(0))?;
            Ok(Value::from(scaling_targets(name, a.get(1))))
        },
    ));
    r.register(Native::new(
        "dynamodb_capacity_slots",
        3,
        3,
        "one entry per READ/WRITE capacity slot of a table and its indexes (plus extra described ones), with the capacities of the last scaling description for it",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| {
            let name = table_name(a.get(0))?;
            Ok(Value::Array(capacity_slots(name, a.get(1), a.get(2))))
        },
    ));
}

/// `resource_policy_statements(policy)`: `policy` is a policy document, either as JSON text or
/// already decoded. A missing or null `policy` stands for the empty document `{}`. The result is
/// the document's `Statement` value as a list: a list is returned as is, a single object as a
/// one-element list, and a missing or null `Statement` as `[]`. Undefined (error) when the text is
/// not JSON, the document is not an object, or `Statement` is neither a list, an object nor null.
fn resource_policy_statements(a: &Args<'_>, ctx: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    let parsed;
    let doc = match a.get(0) {
        None | Some(Value::Null) => return Ok(Value::Array(Vec::new())),
        Some(Value::String(s)) => {
            parsed = serde_json::from_str::<Value>(s)
                .map_err(|e| NativeError(format!("the policy is not JSON: {e}")))?;
            &parsed
        }
        Some(other) => other,
    };
    let Value::Object(doc) = doc else {
        return Err(NativeError("the policy document is not an object".into()));
    };
    let out = match doc.get("Statement") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        Some(_) => return Err(NativeError("Statement is not a list or an object".into())),
    };
    ctx.note(format_args!("{} statement(s)", out.len()));
    Ok(Value::Array(out))
}

/// The principals of a statement: from `Principal` only (never `NotPrincipal`). A falsy
/// `Principal` gives none; a string gives itself; a list gives its string elements; an object
/// gives the strings (or string-list elements) under exactly the keys `AWS`, `Service` and
/// `Federated` (others such as `CanonicalUser` are ignored). A statement that is not an object
/// has no principals.
fn principals(stmt: Option<&Value>) -> Vec<String> {
    let mut out = Vec::new();
    let push_all = |v: &Value, out: &mut Vec<String>| match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(l) => out.extend(l.iter().filter_map(Value::as_str).map(str::to_string)),
        _ => {}
    };
    match stmt.and_then(|s| s.get("Principal")) {
        Some(Value::Object(m)) => {
            for k in ["AWS", "Service", "Federated"] {
                if let Some(v) = m.get(k) {
                    push_all(v, &mut out);
                }
            }
        }
        Some(v) => push_all(v, &mut out),
        None => {}
    }
    out
}

/// Condition keys that pin a request to a caller, account, organisation, ARN, address or network
/// (lower case).
/// The restricting condition entries of a statement: for each operator of its `Condition` object
/// that the IAM natives' strong operators accept and whose value is an object, each key of that object
/// whose lower-cased name is one of their 13 strong keys gives one entry per value (a list gives one
/// per element, so an empty list gives none). Each entry is
/// `{"operator": OP, "key": KEY, "value": VALUE}`. A missing, null or non-object `Condition` (or
/// statement) gives no entries.
fn condition_entries(stmt: Option<&Value>) -> Vec<Value> {
    match stmt.and_then(|s| s.get("Condition")) {
        Some(Value::Object(cond)) => super::iam::strong_condition_entries(cond),
        _ => Vec::new(),
    }
}

/// `grants_all_s3_actions(action)`: the statement's `Action` value is expanded against the IAM
/// action catalogue the way the upstream policy's action minimizer does it, case-insensitively:
/// a string without `*` names one action literally; a string with `*`, and every element of a
/// list, is a shell-style glob (`*`, `?`, `[...]`). True when the expanded set holds every S3
/// action of the catalogue (e.g. `*`, `s3:*`, `S3:*`, `*:*`, or globs that together cover every
/// S3 action). False for anything else: partial globs, a missing/null value, a non-string list
/// element (ignored), a number.
fn grants_all_s3_actions(action: Option<&Value>, ctx: &mut NativeCtx<'_>) -> bool {
    let patterns: Vec<(String, bool)> = match action {
        Some(Value::String(s)) => vec![(s.to_lowercase(), s.contains('*'))],
        Some(Value::Array(l)) => l
            .iter()
            .filter_map(Value::as_str)
            .map(|s| (s.to_lowercase(), true))
            .collect(),
        _ => Vec::new(),
    };
    let uncovered = s3_catalogue().find(|act| {
        !patterns
            .iter()
            .any(|(p, glob)| if *glob { fnmatch(p, act) } else { p == act })
    });
    match uncovered {
        Some(act) => {
            ctx.note(format_args!("the actions do not cover `{act}`"));
            false
        }
        None => {
            ctx.note(format_args!("the actions cover every S3 action"));
            true
        }
    }
}

/// The S3 actions of the catalogue, lower case.
fn s3_catalogue() -> impl Iterator<Item = String> {
    S3_ACTIONS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_lowercase)
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

/// The value at a dot-separated key path (`a.b.c`); `None` when a step is missing or the value
/// there is not an object. An empty path gives the value itself.
fn value_at<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    if path.is_empty() {
        return Some(v);
    }
    path.split('.')
        .try_fold(v, |cur, key| cur.as_object().and_then(|m| m.get(key)))
}

/// A table name argument: a string, or an error (the call is undefined).
fn table_name(v: Option<&Value>) -> Result<&str, NativeError> {
    v.and_then(Value::as_str)
        .ok_or_else(|| NativeError("the table name is not a string".into()))
}

/// `dynamodb_scaling_targets(name, indexes)`: the application auto-scaling resource IDs that a
/// DynamoDB table needs: `table/NAME`, then `table/NAME/index/INDEX` for each element of the
/// list `indexes` (the table's `GlobalSecondaryIndexes`) in order, INDEX being its `IndexName`.
/// A missing, null or non-list `indexes` means no indexes; an element without a string
/// `IndexName` is skipped. Undefined when `name` is not a string.
fn scaling_targets(name: &str, indexes: Option<&Value>) -> Vec<String> {
    let mut out = vec![format!("table/{name}")];
    if let Some(Value::Array(ix)) = indexes {
        out.extend(
            ix.iter()
                .filter_map(|i| i.get("IndexName").and_then(Value::as_str))
                .map(|i| format!("table/{name}/index/{i}")),
        );
    }
    out
}

/// `dynamodb_capacity_slots(name, indexes, descriptions)`: the capacity "slots" a provisioned
/// table is judged on. Required slots come first: for each ID of
/// [`scaling_targets`]`(name, indexes)`, one `READ` then one `WRITE` slot. Each element of the
/// list `descriptions` (the table's `AutoScalingDescriptions`) is then assigned to the slot
/// (`ResourceId`, kind), where the kind is `WRITE` when its `ScalableDimension` is a string
/// containing `WriteCapacityUnits` and `READ` otherwise; a later description for the same slot
/// replaces an earlier one, and a description for a slot that is not required adds that slot
/// (in order of first appearance). Elements that are not objects are skipped; a missing
/// `ResourceId` is taken as null.
///
/// Each slot is `{"Slot": "ID/KIND", "ResourceId": ID, "Kind": KIND, "Configured": bool}` plus,
/// when a description was assigned, that description's `MinCapacity` and `MaxCapacity` (as they
/// are, when present). A missing, null or non-list `descriptions` assigns nothing.
fn capacity_slots(name: &str, indexes: Option<&Value>, descriptions: Option<&Value>) -> Vec<Value> {
    // (resource id, kind, last description)
    let mut slots: Vec<(Value, &'static str, Option<&Value>)> = Vec::new();
    for id in scaling_targets(name, indexes) {
        for kind in ["READ", "WRITE"] {
            slots.push((Value::String(id.clone()), kind, None));
        }
    }
    if let Some(Value::Array(descs)) = descriptions {
        for d in descs.iter().filter(|d| d.is_object()) {
            let id = d.get("ResourceId").cloned().unwrap_or(Value::Null);
            let write = d
                .get("ScalableDimension")
                .and_then(Value::as_str)
                .is_some_and(|s| s.contains("WriteCapacityUnits"));
            let kind = if write { "WRITE" } else { "READ" };
            match slots.iter_mut().find(|(i, k, _)| *i == id && *k == kind) {
                Some(slot) => slot.2 = Some(d),
                None => slots.push((id, kind, Some(d))),
            }
        }
    }
    slots
        .into_iter()
        .map(|(id, kind, desc)| {
            let mut m = Map::new();
            let label = match &id {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            m.insert("Slot".into(), Value::String(format!("{label}/{kind}")));
            m.insert("ResourceId".into(), id);
            m.insert("Kind".into(), Value::String(kind.into()));
            m.insert("Configured".into(), Value::Bool(desc.is_some()));
            if let Some(d) = desc {
                for k in ["MinCapacity", "MaxCapacity"] {
                    if let Some(v) = d.get(k) {
                        m.insert(k.into(), v.clone());
                    }
                }
            }
            Value::Object(m)
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(name: &str, args: &[Option<Value>]) -> Option<Value> {
        let reg = {
            let mut r = Registry::empty();
            register(&mut r);
            r
        };
        let refs: Vec<Option<&Value>> = args.iter().map(Option::as_ref).collect();
        let mut ctx = NativeCtx::new(0, None);
        reg.get(name)
            .unwrap()
            .call(&Args::new(&refs), &mut ctx)
            .ok()
    }

    #[test]
    fn statements() {
        let text = json!(r#"{"Statement":[{"Effect":"Allow"},{"Effect":"Deny"}]}"#);
        assert_eq!(
            call("resource_policy_statements", &[Some(text)]),
            Some(json!([{"Effect":"Allow"},{"Effect":"Deny"}]))
        );
        let single = json!({"Statement": {"Effect": "Allow"}});
        assert_eq!(
            call("resource_policy_statements", &[Some(single)]),
            Some(json!([{"Effect":"Allow"}]))
        );
        assert_eq!(call("resource_policy_statements", &[None]), Some(json!([])));
        assert_eq!(
            call("resource_policy_statements", &[Some(json!(null))]),
            Some(json!([]))
        );
        assert_eq!(
            call("resource_policy_statements", &[Some(json!("{}"))]),
            Some(json!([]))
        );
        assert_eq!(
            call("resource_policy_statements", &[Some(json!("{nope"))]),
            None
        );
        assert_eq!(
            call("resource_policy_statements", &[Some(json!("[]"))]),
            None
        );
        assert_eq!(
            call(
                "resource_policy_statements",
                &[Some(json!(r#"{"Statement": 3}"#))]
            ),
            None
        );
    }

    #[test]
    fn principal_extraction() {
        assert_eq!(principals(Some(&json!({"Principal": "*"}))), vec!["*"]);
        assert_eq!(
            principals(Some(
                &json!({"Principal": {"AWS": ["a", "*"], "Service": "s",
                "CanonicalUser": "*", "aws": "*"}})
            )),
            vec!["a", "*", "s"]
        );
        assert_eq!(principals(Some(&json!({"Principal": ["*"]}))), vec!["*"]);
        assert!(principals(Some(&json!({"NotPrincipal": "*"}))).is_empty());
        assert!(principals(Some(&json!({"Principal": null}))).is_empty());
        assert!(principals(Some(&json!("x"))).is_empty());
        assert!(principals(None).is_empty());
    }

    #[test]
    fn restricting_conditions() {
        let stmt = json!({"Condition": {
            "StringEquals": {"aws:PrincipalOrgID": "o-1", "aws:Referer": "x"},
            "ForAnyValue:StringLikeIfExists": {"AWS:SourceArn": ["a", "b"]},
            "StringNotEquals": {"aws:SourceAccount": "1"},
            "Bool": {"aws:SecureTransport": "true"},
            "IpAddress": {"aws:SourceIp": []}
        }});
        let e = condition_entries(Some(&stmt));
        assert_eq!(e.len(), 3);
        assert!(e.contains(
            &json!({"operator": "ForAnyValue:StringLikeIfExists", "key": "AWS:SourceArn", "value": "a"})
        ));
        assert!(e.contains(
            &json!({"operator": "StringEquals", "key": "aws:PrincipalOrgID", "value": "o-1"})
        ));
        assert!(condition_entries(Some(&json!({"Condition": null}))).is_empty());
        assert!(condition_entries(Some(&json!({}))).is_empty());
        assert!(condition_entries(None).is_empty());
        assert!(super::super::iam::is_strong_operator(
            "stringequalsignorecase"
        ));
        assert!(!super::super::iam::is_strong_operator("StringNotLike"));
        assert!(!super::super::iam::is_strong_operator("NotIpAddress"));
        assert!(!super::super::iam::is_strong_operator(
            "ForAllValues:ArnNotEquals"
        ));
    }

    #[test]
    fn all_s3_actions() {
        let mut ctx = NativeCtx::new(0, None);
        let mut yes = |v: Value| grants_all_s3_actions(Some(&v), &mut ctx);
        assert!(yes(json!("*")));
        assert!(yes(json!("s3:*")));
        assert!(yes(json!(["S3:*"])));
        assert!(yes(json!(["*:*"])));
        assert!(yes(json!(["s3*"])));
        assert!(!yes(json!(["s3:Get*", "s3:List*"])));
        assert!(!yes(json!(["s3:GetObject"])));
        assert!(!yes(json!("s3:?*x")));
        assert!(!yes(json!(null)));
        assert!(!yes(json!(7)));
        // Enumerating every S3 action in one statement covers them all.
        let every: Vec<Value> = s3_catalogue().map(Value::String).collect();
        assert_eq!(every.len(), 130);
        assert!(yes(Value::Array(every.clone())));
        assert!(!yes(Value::Array(every[1..].to_vec())));
        assert!(!grants_all_s3_actions(None, &mut NativeCtx::new(0, None)));
    }

    #[test]
    fn default_encryption() {
        let mut ctx = NativeCtx::new(0, None);
        let mut alg = |v: Value| s3_default_sse_algorithm(Some(&v), &mut ctx);
        assert_eq!(
            alg(json!([{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}])),
            json!("AES256")
        );
        assert_eq!(
            alg(json!([
                {"ApplyServerSideEncryptionByDefault": {}},
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}
            ])),
            json!("aws:kms")
        );
        assert_eq!(
            alg(json!([
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": null}},
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
            ])),
            json!(null)
        );
        assert_eq!(
            alg(json!([{"ApplyServerSideEncryptionByDefault": "yes"}])),
            json!(null)
        );
        assert_eq!(alg(json!([])), json!(null));
        assert_eq!(alg(json!(null)), json!(null));
        assert_eq!(
            s3_default_sse_algorithm(None, &mut NativeCtx::new(0, None)),
            json!(null)
        );
    }

    #[test]
    fn arn_lookup_and_paths() {
        assert_eq!(
            call("s3_bucket_arn", &[Some(json!("logs"))]),
            Some(json!("arn:aws:s3:::logs"))
        );
        assert_eq!(call("s3_bucket_arn", &[Some(json!(null))]), None);
        assert_eq!(call("s3_bucket_arn", &[None]), None);
        assert_eq!(
            call("resource_lookup", &[Some(json!("arn:aws:s3:::logs"))]),
            Some(json!(null))
        );
        assert_eq!(call("resource_lookup", &[None]), Some(json!(null)));
        let doc = json!({"a": {"b": null, "c": [1]}});
        assert_eq!(
            call("value_at", &[Some(doc.clone()), Some(json!("a.b"))]),
            Some(json!(null))
        );
        assert_eq!(
            call("value_at", &[Some(doc.clone()), Some(json!("a.c"))]),
            Some(json!([1]))
        );
        assert_eq!(
            call("value_at", &[Some(doc.clone()), Some(json!("a.b.x"))]),
            None
        );
        assert_eq!(
            call("value_at", &[Some(doc.clone()), Some(json!("a.c.0"))]),
            None
        );
        assert_eq!(
            call("value_at", &[Some(doc.clone()), Some(json!(""))]),
            Some(doc)
        );
        assert_eq!(call("value_at", &[None, Some(json!("a"))]), None);
        assert_eq!(call("value_at", &[Some(json!({})), None]), None);
    }

    #[test]
    fn dynamodb_targets_and_slots() {
        let gsi = json!([{"IndexName": "ix"}, {"NoName": 1}]);
        assert_eq!(
            call(
                "dynamodb_scaling_targets",
                &[Some(json!("t")), Some(gsi.clone())]
            ),
            Some(json!(["table/t", "table/t/index/ix"]))
        );
        assert_eq!(
            call(
                "dynamodb_scaling_targets",
                &[Some(json!("t")), Some(json!(null))]
            ),
            Some(json!(["table/t"]))
        );
        assert_eq!(call("dynamodb_scaling_targets", &[None, None]), None);

        let descs = json!([
            {"ResourceId": "table/t", "ScalableDimension": "dynamodb:table:ReadCapacityUnits",
             "MinCapacity": 1, "MaxCapacity": 2},
            {"ResourceId": "table/t", "ScalableDimension": "dynamodb:table:ReadCapacityUnits",
             "MinCapacity": 10, "MaxCapacity": 14},
            {"ResourceId": "table/other", "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
             "MinCapacity": 6, "MaxCapacity": 7},
            "junk"
        ]);
        let slots = capacity_slots("t", None, Some(&descs));
        assert_eq!(
            slots,
            vec![
                json!({"Slot": "table/t/READ", "ResourceId": "table/t", "Kind": "READ",
                       "Configured": true, "MinCapacity": 10, "MaxCapacity": 14}),
                json!({"Slot": "table/t/WRITE", "ResourceId": "table/t", "Kind": "WRITE",
                       "Configured": false}),
                json!({"Slot": "table/other/WRITE", "ResourceId": "table/other", "Kind": "WRITE",
                       "Configured": true, "MinCapacity": 6, "MaxCapacity": 7}),
            ]
        );
        let slots = capacity_slots("t", Some(&gsi), None);
        assert_eq!(slots.len(), 4);
        assert_eq!(slots[3]["Slot"], json!("table/t/index/ix/WRITE"));
    }
}
