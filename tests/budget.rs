//! The evaluation budget against the shipped packs: no rule comes near the default on any of
//! its test documents (the largest count is printed, for docs/ROBUSTNESS.md).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use pounce::lang::eval::DEFAULT_MAX_STEPS;

#[test]
fn no_shipped_rule_comes_near_the_default_budget() {
    let (rules, invalid) = common::load(&["policies", "rules"]);
    assert!(invalid.is_empty());
    let mut most = (0u64, String::new());
    let mut cases = 0;
    for r in &rules {
        for t in &r.tests {
            let env = r.test_env(t, 0);
            let mut steps = r.program.steps(&t.document, &env);
            for p in r.alert.programs() {
                steps = steps.max(p.steps(&t.document, &env));
            }
            cases += 1;
            if steps > most.0 {
                most = (steps, format!("{} / {}", r.id, t.name));
            }
        }
    }
    assert!(cases > 1500, "{cases} cases");
    println!(
        "most steps on a pack test document: {} ({})",
        most.0, most.1
    );
    // Three orders of magnitude of headroom.
    assert!(most.0 * 1000 < DEFAULT_MAX_STEPS, "{most:?}");
}
