//! Look-ups of what pounce does not hold — Panther's key-value store and its resource
//! inventory — that upstream tests replace with `Mocks`. Unmocked each gives what an empty store
//! gives (nothing found). They stay host functions because the store lives outside the event:
//! the language reads only the document.

use pounce_lang::functions::{Args, Native, NativeCtx, NativeError, Registry};
use serde_json::{Value, json};

/// Registers the functions of this file.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "check_account_age",
        1,
        1,
        "whether the key-value store holds a non-empty string set under the key (written by new-account rules); a host look-up, as the store is outside the event the language reads: pounce has none, false unless mocked",
        |_: &Args<'_>, _: &mut NativeCtx<'_>| Ok(Value::Bool(false)),
    ));
    r.register(Native::new(
        "get_string_set",
        1,
        1,
        "the string set the key-value store holds under the key; a host look-up, as the store is outside the event the language reads: pounce has none, [] unless mocked",
        |_: &Args<'_>, _: &mut NativeCtx<'_>| Ok(json!([])),
    ));
    r.register(Native::new(
        "resource_lookup",
        1,
        1,
        "the stored snapshot of the resource with this ID: a look-up in Panther's resource store, which pounce does not hold (tests mock it); unmocked: null, i.e. not found",
        |a: &Args<'_>, ctx: &mut NativeCtx<'_>| {
            ctx.note(format_args!(
                "no resource store is configured: {} is not found (null)",
                a.get(0).map_or_else(|| "the ID".to_string(), Value::to_string)
            ));
            Ok(Value::Null)
        },
    ));
    r.register(Native::new(
        "iam_managed_policy_document",
        2,
        2,
        "the PolicyDocument of managed policy arn:aws:iam::ACCOUNT:policy/NAME: a look-up in Panther's resource store, which pounce does not hold (tests mock it); unmocked: null, i.e. not found",
        iam_managed_policy_document,
    ));
}

/// `iam_managed_policy_document(account_id, policy_name)`: the `PolicyDocument` (object or JSON
/// text) of the managed policy `arn:aws:iam::<account_id>:policy/<policy_name>` as stored in
/// the resource inventory. pounce has no resource store, so unmocked it always returns `null`
/// ("not found") whatever the arguments; tests replace it with `Mocks` (`objectName:
/// iam_managed_policy_document`, `returnValue`: the document).
fn iam_managed_policy_document(
    a: &Args<'_>,
    ctx: &mut NativeCtx<'_>,
) -> Result<Value, NativeError> {
    if ctx.explaining() {
        let show = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("?").to_string();
        ctx.note(format_args!(
            "no resource store: arn:aws:iam::{}:policy/{} is not found (null)",
            show(a.get(0)),
            show(a.get(1))
        ));
    }
    Ok(Value::Null)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    #[test]
    fn resource_lookup_takes_one_argument() {
        // The default-VPC policies call it with one ARN.
        let reg = crate::standard_registry();
        let lookup = reg.get("resource_lookup").unwrap();
        assert_eq!((lookup.min_args, lookup.max_args), (1, 1));
    }
}
