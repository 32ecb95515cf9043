//! CloudTrail helpers shared by the rule pack: the data model's computed names
//! (`get_actor_user`, `load_ip_address`, `get_event_type`) and the standard alert context
//! (`aws_rule_context`). See rules/README.md.

use crate::stdlib::collections::ANY_CASE;
use pounce_lang::document::get_key;
use pounce_lang::functions::{Args, Native, NativeCtx, NativeError, Registry};
use serde_json::{Map, Value};

/// Registers the functions of this file.
pub fn register(r: &mut Registry) {
    r.register(
        Native::new(
            "get_actor_user",
            1,
            1,
            "the acting user of a CloudTrail event, by userIdentity.type (the data model's actor_user)",
            |a: &Args<'_>, _: &mut NativeCtx<'_>| actor_user(a.get(0).unwrap_or(&Value::Null)),
        )
        .reads_arg(0, &["userIdentity", "sourceIdentity", "eventType", "additionalEventData"]),
    );
    r.register(
        Native::new(
            "load_ip_address",
            1,
            1,
            "the event's sourceIPAddress when it is an IP address, else null (service names such as `s3.amazonaws.com` are not)",
            |a: &Args<'_>, _: &mut NativeCtx<'_>| {
                let ip = a.get(0).and_then(|e| get_key(e, "sourceIPAddress", ANY_CASE)).and_then(Value::as_str);
                Ok(ip.filter(|s| s.parse::<std::net::IpAddr>().is_ok()).map_or(Value::Null, |s| Value::String(s.to_string())))
            },
        )
        .reads_arg(0, &["sourceIPAddress"]),
    );
    r.register(
        Native::new(
            "get_event_type",
            1,
            1,
            "the data model's event_type: upstream computes it in code that is not described; pounce gives null",
            |_: &Args<'_>, _: &mut NativeCtx<'_>| Ok(Value::Null),
        )
        .reads_arg(0, &[]),
    );
    r.register(Native::new(
        "aws_rule_context",
        1,
        1,
        "the standard AWS alert context of an event: eventName, eventSource, awsRegion, recipientAccountId, sourceIPAddress, userAgent, userIdentity, with placeholders for absent keys",
        |a: &Args<'_>, _: &mut NativeCtx<'_>| Ok(aws_rule_context(a.get(0).unwrap_or(&Value::Null))),
    ));
}

/// A nested read (`a.b.c`): missing when a step is absent, null or not an object.
fn nested<'v>(v: &'v Value, path: &[&str]) -> Option<&'v Value> {
    let mut cur = v;
    for k in path {
        cur = get_key(cur, k, ANY_CASE).filter(|x| !x.is_null())?;
    }
    Some(cur)
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(|x| match x {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    })
}

/// `get_actor_user(event)`, by `userIdentity.type`:
/// - `Root`: `userIdentity.userName`, else `userIdentity.accountId`, else `UnknownRootUser`;
/// - `IAMUser`, `Directory`, `Unknown`, `SAMLUser`, `WebIdentityUser`: `userIdentity.userName`,
///   else `Unknown<type>`;
/// - `AssumedRole`, `Role`, `FederatedUser`: `userIdentity.sessionContext.sessionIssuer.userName`,
///   else `Unknown<type>`; a result starting with `AWSReservedSSO_` is replaced by the second
///   `:`-separated piece of `userIdentity.principalId` (an error, hence undefined, when it has none);
/// - `IdentityCenterUser`: `additionalEventData.UserName`, else `UnknownIdentityCenterUser`;
/// - `AWSService`, `AWSAccount`: top-level `sourceIdentity` (absent: `Unknown<type>`; null: null);
/// - any other or missing type: `userIdentity.invokedBy` (else `UnknownAwsServiceEvent`) when
///   `eventType` is `AwsServiceEvent`, else `UnknownUser`.
///
/// Keys match ignoring case, as upstream reads them.
pub fn actor_user(e: &Value) -> Result<Value, NativeError> {
    let t = text(nested(e, &["userIdentity", "type"]));
    let unknown = |t: &str| Value::String(format!("Unknown{t}"));
    let ui = |k: &[&str]| {
        let mut p = vec!["userIdentity"];
        p.extend_from_slice(k);
        text(nested(e, &p))
    };
    Ok(match t.as_deref() {
        Some("Root") => Value::String(
            ui(&["userName"])
                .or_else(|| ui(&["accountId"]))
                .unwrap_or_else(|| "UnknownRootUser".into()),
        ),
        Some(t @ ("IAMUser" | "Directory" | "Unknown" | "SAMLUser" | "WebIdentityUser")) => {
            ui(&["userName"]).map_or_else(|| unknown(t), Value::String)
        }
        Some(t @ ("AssumedRole" | "Role" | "FederatedUser")) => {
            let name = ui(&["sessionContext", "sessionIssuer", "userName"])
                .unwrap_or_else(|| format!("Unknown{t}"));
            if name.starts_with("AWSReservedSSO_") {
                let pid = ui(&["principalId"]).unwrap_or_else(|| format!("Unknown{t}"));
                let second = pid
                    .split(':')
                    .nth(1)
                    .ok_or_else(|| NativeError(format!("principalId `{pid}` has no `:`")))?;
                Value::String(second.to_string())
            } else {
                Value::String(name)
            }
        }
        Some("IdentityCenterUser") => text(nested(e, &["additionalEventData", "UserName"]))
            .map_or_else(|| unknown("IdentityCenterUser"), Value::String),
        Some(t @ ("AWSService" | "AWSAccount")) => match get_key(e, "sourceIdentity", ANY_CASE) {
            None => unknown(t),
            Some(v) => v.clone(),
        },
        _ => {
            if text(get_key(e, "eventType", ANY_CASE)).as_deref() == Some("AwsServiceEvent") {
                ui(&["invokedBy"]).map_or_else(
                    || Value::String("UnknownAwsServiceEvent".into()),
                    Value::String,
                )
            } else {
                Value::String("UnknownUser".into())
            }
        }
    })
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
