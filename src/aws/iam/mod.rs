//! IAM policy documents, read through one model (`policy.rs`) the way the upstream Panther
//! detections read them through the policyuniverse library (1.5.1.20230817), where that needs
//! Rust or bundled data: the actions a statement covers and their access categories
//! (`actions.rs`: the bundled action catalogue and glob expansion) and whether a policy opens a
//! resource to the internet (`exposure.rs`: `policy_*`, policyuniverse's ARN and condition
//! rules). Reading statements, principals and restricting conditions needs neither: the policy
//! pack does it in its functions file (`policies/helpers/iam.yml`). A new function that reads a
//! policy document goes in the file of its kind and reads it through `policy.rs`.

pub(crate) mod actions;
mod exposure;
pub mod policy;

use pounce_lang::functions::{Native, Registry};

/// Registers the functions of this folder.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "iam_covered_actions",
        1,
        2,
        "the lower-case actions the statements of a policy document cover (wildcards expanded over the bundled catalogue, NotAction as its complement); optional EFFECT keeps statements with exactly that Effect (needs the bundled IAM action catalogue)",
        actions::iam_covered_actions,
    ));
    r.register(Native::new(
        "iam_action_category",
        1,
        1,
        "the policyuniverse access category of an action (\"Permissions\" or \"Write\"); null for an action the catalogue does not list (needs the bundled IAM action catalogue)",
        actions::iam_action_category,
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
