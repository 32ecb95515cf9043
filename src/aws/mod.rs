//! The AWS domain functions: what knows of AWS services, event shapes and policy documents and
//! needs Rust or bundled data to say it (the IAM action catalogue, policyuniverse's rules,
//! look-ups that tests mock), one file (or folder) per domain. Logic the condition language can
//! say belongs in a pack's functions file instead (as `policies/helpers/*.yml`), per-rule
//! configuration in its parameters. A new function goes in the file of the AWS service it reads
//! (`s3.rs`, `ec2.rs`, `iam/`), CloudTrail event helpers in `cloudtrail.rs`,
//! what tests mock in `lookups.rs`, per-rule configuration in `config.rs`. A function that
//! knows nothing of AWS belongs in `crate::stdlib`. Its cases go in
//! `tests/functions/aws/<file>.yaml`, and `pounce natives --format markdown > docs/NATIVES.md`
//! lists it.

pub mod cloudtrail;
pub mod config;
pub mod ec2;
pub mod iam;
pub mod lookups;
pub mod s3;

use pounce_lang::functions::Registry;

/// Registers every AWS domain function.
pub fn register(r: &mut Registry) {
    cloudtrail::register(r);
    config::register(r);
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
                "ALLOW_LIST",
                "ROLES_VIA_EXTERNAL_IDP",
                "aws_rule_context",
                "check_account_age",
                "egress_allows_all_ports",
                "geoinfo_from_ip_formatted",
                "get_actor_user",
                "get_event_type",
                "get_string_set",
                "get_unusual_instance_types",
                "grants_all_s3_actions",
                "iam_action_category",
                "iam_covered_actions",
                "iam_managed_policy_document",
                "is_cloudtrail_bucket",
                "load_ip_address",
                "policy_internet_accessible",
                "policy_is_public",
                "put_string_set",
                "resource_lookup",
                "s3_bucket_accounts",
                "s3_object_filename",
                "snapshot_first_share",
            ]
        );
    }
}
