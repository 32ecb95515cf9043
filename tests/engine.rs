//! `Pack::evaluate` (routing, candidate index, projection) gives every applicable rule the
//! verdict the rule's own evaluation gives, on every test document of both packs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use pounce::Env;
use pounce::engine::Pack;
use pounce::panther::AnalysisType;

#[test]
fn pack_verdicts_equal_direct_verdicts() {
    let (rules, invalid) = common::load(&["policies", "rules"]);
    assert!(invalid.is_empty());
    let pack = Pack::new(common::load(&["policies", "rules"]).0);
    let env = Env {
        now: Env::system().now,
        ..Env::default()
    };
    let (mut checked, mut skipped_by_index) = (0, 0);
    for rule in &rules {
        let type_field = if rule.kind == AnalysisType::Policy {
            "ResourceType"
        } else {
            "p_log_type"
        };
        for case in rule.tests.iter().filter(|t| t.mocks.is_empty()) {
            let mut doc = case.document.clone();
            if let (Some(obj), Some(t)) = (doc.as_object_mut(), rule.types.first()) {
                obj.entry(type_field)
                    .or_insert_with(|| serde_json::Value::String(t.clone()));
            }
            let projected = pack.parse(&doc.to_string()).unwrap();
            let result = pack.evaluate(&projected, None, &env, true);
            for &(i, flagged) in &result.verdicts {
                let other = &pack.rules[i];
                let direct = other.program.eval_with(
                    &doc,
                    &Env {
                        keys: other.key_match,
                        ..env.clone()
                    },
                );
                assert_eq!(
                    flagged, direct,
                    "{} over a test document of {} ({})",
                    other.id, rule.id, case.name
                );
                checked += 1;
            }
            skipped_by_index += result.applicable - result.tried;
        }
    }
    assert!(checked > 5_000, "only {checked} verdicts checked");
    assert!(skipped_by_index > 0, "the index skipped nothing");
}
