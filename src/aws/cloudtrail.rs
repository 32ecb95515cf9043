//! CloudTrail helpers shared by the rule pack: the standard alert context
//! (`aws_rule_context`). The data model's methods are the pack's functions
//! (rules/data_models/aws_cloudtrail_methods.yml). See rules/README.md.

use crate::stdlib::collections::ANY_CASE;
use pounce_lang::document::get_key;
use pounce_lang::functions::{Args, Native, NativeCtx, Registry};
use serde_json::{Map, Value};

/// Registers the functions of this file.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "aws_rule_context",
        1,
        1,
        "the standard AWS alert context of an event: eventName, eventSource, awsRegion, recipientAccountId, sourceIPAddress, userAgent, userIdentity, with placeholders for absent keys",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| Ok(aws_rule_context(a.get(0).unwrap_or(&Value::Null))),
    ));
}

/// The standard AWS alert context: `eventName`, `eventSource`, `awsRegion`,
/// `recipientAccountId`, `sourceIPAddress`, `userAgent` and `userIdentity`, each the event's
/// value (a present null stays null) or, when absent, the placeholder upstream uses
/// (`<MISSING_EVENT_NAME>`, `<MISSING_ACCOUNT_ID>` for `eventSource` too, `<MISSING_AWS_REGION>`,
/// `<MISSING_SOURCE_IP>`, `<MISSING_USER_AGENT>`, `<MISSING_USER_IDENTITY>`). Upstream's
/// informational PantherFlow query text is not reproduced.
pub fn aws_rule_context(e: &Value) -> Value {
    let mut m = Map::new();
    for (k, missing) in [
        ("eventName", "<MISSING_EVENT_NAME>"),
        ("eventSource", "<MISSING_ACCOUNT_ID>"),
        ("awsRegion", "<MISSING_AWS_REGION>"),
        ("recipientAccountId", "<MISSING_ACCOUNT_ID>"),
        ("sourceIPAddress", "<MISSING_SOURCE_IP>"),
        ("userAgent", "<MISSING_USER_AGENT>"),
        ("userIdentity", "<MISSING_USER_IDENTITY>"),
    ] {
        m.insert(
            k.to_string(),
            get_key(e, k, ANY_CASE)
                .cloned()
                .unwrap_or_else(|| Value::String(missing.into())),
        );
    }
    Value::Object(m)
}
