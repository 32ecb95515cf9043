//! The AWS domain functions: what knows of AWS services, event shapes and policy documents,
//! one file (or folder) per domain. A new function goes in the file of the AWS service it reads
//! (`s3.rs`, `ec2.rs`, `dynamodb.rs`, `iam/`), what tests mock in `lookups.rs`, per-rule
//! configuration of the policies in `config.rs` (a rule pack's configuration and helpers are
//! YAML: functions files, as `rules/helpers/`). A function that
//! knows nothing of AWS belongs in `crate::stdlib`. Its cases go in
//! `tests/functions/aws/<file>.yaml`, and `pounce natives --format markdown > docs/NATIVES.md`
//! lists it.

pub mod config;
pub mod dynamodb;
pub mod ec2;
pub mod iam;
pub mod lookups;
pub mod s3;

use pounce_lang::functions::Registry;

/// Registers every AWS domain function.
pub fn register(r: &mut Registry) {
    config::register(r);
    dynamodb::register(r);
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
                "DMZ_TAGS",
                "MASTER_ACCOUNT_ID",
                "REQUIRED_TAGS_MAPPINGS",
                "check_account_age",
                "dynamodb_capacity_slots",
                "dynamodb_scaling_targets",
                "egress_allows_all_ports",
                "get_string_set",
                "grants_all_s3_actions",
                "iam_action_category",
                "iam_arn_account",
                "iam_covered_actions",
                "iam_managed_policy_document",
                "iam_principals",
                "iam_statements",
                "iam_strong_conditions",
                "nacl_first_open_ingress",
                "policy_internet_accessible",
                "policy_is_public",
                "resource_lookup",
                "resource_policy_condition_entries",
                "resource_policy_principals",
                "resource_policy_statements",
                "s3_bucket_arn",
                "s3_default_sse_algorithm",
            ]
        );
    }
}
