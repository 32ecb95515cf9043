//! The CloudTrail pack's alert strings as Panther renders them (issue 20), over every alerting
//! test document of the pack: the default dedup string of rules without `Title` and `Dedup`,
//! and no alert output that silently renders a failure. The per-rule cases that pin single
//! documents are `(pounce)` tests in the rule files (`pounce test rules/`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use pounce::lang::Env;

/// Point 1: a rule with neither `Title` nor `Dedup` alerts with its `DisplayName` (else its ID)
/// as title and `defaultDedupString:<RuleID>` as dedup string, on every alerting document.
#[test]
fn rules_without_title_or_dedup_get_panthers_default_dedup_string() {
    let (rules, invalid) = common::load(&["rules"]);
    assert!(invalid.is_empty());
    let now = Env::system().now;
    let mut checked_rules = Vec::new();
    for rule in rules
        .iter()
        .filter(|r| r.alert.title.is_none() && r.alert.dedup.is_none())
    {
        for case in rule.tests.iter().filter(|t| t.expected) {
            let alert = rule.render_alert(&case.document, &rule.test_env(case, now));
            assert_eq!(
                alert.dedup,
                format!("defaultDedupString:{}", rule.id),
                "{} / {}",
                rule.id,
                case.name
            );
            let title = rule.display_name.clone().unwrap_or_else(|| rule.id.clone());
            assert_eq!(alert.title, title, "{} / {}", rule.id, case.name);
        }
        checked_rules.push(rule.id.as_str());
    }
    // The issue counts 24 such rules, among them these.
    assert!(checked_rules.len() >= 24, "{checked_rules:?}");
    for id in [
        "AWS.IAM.CreateUser",
        "AWS.IAM.CreateRole",
        "AWS.CloudTrail.IAMAnythingChanged",
        "Role.Assumed.by.User",
        "AWS.CloudTrail.SES.CheckIdentityVerifications",
        "AWS.CloudTrail.SES.CheckSendQuota",
        "AWS.CloudTrail.SES.CheckSESSendingEnabled",
        "AWS.CloudTrail.SES.ListIdentities",
    ] {
        assert!(checked_rules.contains(&id), "{id} has a Title or a Dedup");
    }
}

/// Point 6: on the pack's own test documents (well-formed events), no title falls back to the
/// RuleID and no context is an error: the fallbacks are for odd inputs only, each pinned by a
/// `(pounce)` case of its rule.
#[test]
fn well_formed_events_render_without_fallbacks() {
    let (rules, _) = common::load(&["rules"]);
    let now = Env::system().now;
    let mut fallbacks = Vec::new();
    for rule in &rules {
        for case in rule
            .tests
            .iter()
            .filter(|t| t.expected && !t.name.contains("pounce"))
        {
            let alert = rule.render_alert(&case.document, &rule.test_env(case, now));
            let failed_title = rule.alert.title.is_some() && alert.title == rule.id;
            let failed_context = alert.context.get("_error").is_some();
            if failed_title || failed_context {
                fallbacks.push(format!("{} / {}", rule.id, case.name));
            }
        }
    }
    assert!(fallbacks.is_empty(), "{fallbacks:#?}");
}
