//! IAM policy documents, read through one model (`policy.rs`) the way the upstream Panther
//! policies read them through the policyuniverse library (1.5.1.20230817): identity policies
//! (`identity.rs`: `iam_*`), resource policies (`resource.rs`: `resource_policy_*`), the
//! actions a statement covers and their access categories (`actions.rs`: the bundled action
//! catalogue and glob expansion), and whether a policy opens a resource to the internet
//! (`exposure.rs`: `policy_*`). A new function that reads a policy document goes in the file of
//! its kind and reads it through `policy.rs`.

pub(crate) mod actions;
mod exposure;
mod identity;
pub mod policy;
mod resource;

use pounce_lang::functions::{Args, Native, NativeCtx, Registry};
use serde_json::Value;

/// Registers the functions of this folder.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "iam_statements",
        1,
        2,
        "the statements of an IAM policy document (object or JSON text) as a list, a single statement object as a one-element list; optional N keeps the first N",
        identity::iam_statements,
    ));
    r.register(Native::new(
        "iam_principals",
        1,
        2,
        "the principal strings of a statement's Principal: the values under AWS, Service and Federated (or only under KEY), or the bare string/list",
        identity::iam_principals,
    ));
    r.register(Native::new(
        "iam_strong_conditions",
        1,
        1,
        "the entries of a statement's Condition that policyuniverse counts as restricting (ArnEquals/ArnLike/StringEquals/StringLike/IpAddress on 13 account/source keys)",
        identity::iam_strong_conditions,
    ));
    r.register(Native::new(
        "iam_covered_actions",
        1,
        2,
        "the lower-case actions the statements of a policy document cover (wildcards expanded over the bundled catalogue, NotAction as its complement); optional EFFECT keeps statements with exactly that Effect",
        actions::iam_covered_actions,
    ));
    r.register(Native::new(
        "iam_action_category",
        1,
        1,
        "the policyuniverse access category of an action (\"Permissions\" or \"Write\") from the bundled partial catalogue; null for an action it does not list",
        actions::iam_action_category,
    ));
    r.register(Native::new(
        "iam_arn_account",
        1,
        1,
        "the account field (fifth colon-separated field) of an ARN string; undefined when there are fewer than five fields",
        identity::iam_arn_account,
    ));
    r.register(Native::new(
        "resource_policy_statements",
        1,
        1,
        "the Statement list of a resource policy (JSON text or object); a single statement counts as a one-element list, missing/null policy or Statement gives []",
        resource::resource_policy_statements,
    ));
    r.register(Native::new(
        "resource_policy_principals",
        1,
        1,
        "the principal strings of a policy statement: Principal itself (string or list) or its AWS, Service and Federated values",
        |a: &Args<'_>, ctx: &mut NativeCtx<'_>| {
            let p = resource::principals(a.get(0));
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
            let e = resource::condition_entries(a.get(0));
            ctx.note(format_args!(
                "{} restricting condition entr{}",
                e.len(),
                if e.len() == 1 { "y" } else { "ies" }
            ));
            Ok(Value::Array(e))
        },
    ));
    r.register(Native::new(
        "policy_internet_accessible",
        1,
        1,
        "policyuniverse's is_internet_accessible over an IAM policy document (an object, or JSON text); undefined where policyuniverse raises; Rust, as it needs the bundled IAM action catalogue and policyuniverse's ARN and condition rules",
        exposure::policy_internet_accessible,
    ));
    r.register(Native::new(
        "policy_is_public",
        1,
        1,
        "a falsy value is not public; else (JSON text decoded, bad JSON not public) public when policyuniverse calls it internet accessible and an Allow statement names principal * without an organization restriction; Rust, as it needs policyuniverse's rules over the bundled IAM action catalogue",
        exposure::policy_is_public,
    ));
}
