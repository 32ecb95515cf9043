//! The AWS domain functions: what knows of AWS services, event shapes and policy documents and
//! needs Rust or bundled data to say it (the IAM action catalogue, policyuniverse's rules,
//! look-ups that tests mock), one file (or folder) per domain. Logic the condition language can
//! say belongs in a pack's functions file instead (`policies/helpers/*.yml`,
//! `rules/helpers/*.yml`), per-rule configuration in its parameters. A new function goes in the
//! file of the AWS service it reads (`s3.rs`, `ec2.rs`, `iam/`), what tests mock in
//! `lookups.rs`. A function that knows nothing of AWS belongs in `crate::stdlib`. Its cases go in
//! `tests/functions/aws/<file>.yaml`, and `pounce natives --format markdown > docs/NATIVES.md`
//! lists it.

pub mod ec2;
pub mod iam;
pub mod lookups;
pub mod s3;

use pounce_lang::functions::Registry;

/// Registers every AWS domain function.
pub fn register(r: &mut Registry) {
    ec2::register(r);
    iam::register(r);
    lookups::register(r);
    s3::register(r);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stdlib::test_support::registered;

    #[test]
    fn registers_the_aws_functions() {
        assert_eq!(
            registered(register),
            [
                "check_account_age",
                "egress_allows_all_ports",
                "get_string_set",
                "grants_all_s3_actions",
                "iam_action_category",
                "iam_covered_actions",
                "iam_managed_policy_document",
                "policy_internet_accessible",
                "policy_is_public",
                "resource_lookup",
            ]
        );
    }
}
