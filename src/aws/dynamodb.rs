//! DynamoDB: the auto-scaling targets a table needs and the capacity slots it is judged on.

use pounce_lang::functions::{Args, Native, NativeCtx, NativeError, Registry};
use serde_json::{Map, Value};

/// Registers the functions of this file.
pub fn register(r: &mut Registry) {
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
