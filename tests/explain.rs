//! `Program::explain` over pounce's rule files: the verdict is the evaluator's on every test
//! case of every policy, with the tree laws of crates/lang/tests/explain.rs, and the seed
//! policy's explanations name its exclusion and its native's findings.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::lang::check_tree;
use pounce::Env;
use pounce::lang::explain::{Explanation, Reason};

// ---- every policy test case ----------------------------------------------------------------

#[test]
fn explain_agrees_with_eval_on_every_policy_test() {
    // Files that do not load are skipped: policies are being added while this runs.
    let (rules, _invalid) = common::load(&["policies"]);
    let mut cases = 0;
    let mut wrong = Vec::new();
    for rule in &rules {
        let outcomes = pounce::panther::testing::run_tests(rule, 0);
        for (t, outcome) in rule.tests.iter().zip(&outcomes) {
            // The clock at 0 and the test's mocks, as `run_tests(rule, 0)` uses.
            let env = Env {
                overrides: t.mocks.clone(),
                ..Env::default()
            };
            let ex = rule.program.explain(&t.document, &env);
            let flagged = rule.program.eval_with(&t.document, &env);
            cases += 1;
            if ex.flagged != flagged || ex.flagged != outcome.flagged || ex.tree.result != flagged {
                wrong.push(format!(
                    "{} / {}: explain says {}, eval says {flagged}",
                    rule.id, t.name, ex.flagged
                ));
            }
            if let Err(e) = check_tree(&ex.tree, true, "tree") {
                wrong.push(format!("{} / {}: {e}", rule.id, t.name));
            }
        }
    }
    assert!(cases > 0, "no policy test case was loaded");
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

// ---- the seed policy ------------------------------------------------------------------------

fn seed_policy() -> pounce::panther::Rule {
    let path = common::root().join(common::SEED);
    pounce::panther::load_file(&path, &common::registry())
        .unwrap_or_else(|_| panic!("{} does not load", path.display()))
}

fn explain_seed_test(name: &str) -> Explanation {
    let rule = seed_policy();
    let t = rule.tests.iter().find(|t| t.name == name).unwrap();
    let env = Env {
        overrides: t.mocks.clone(),
        ..Env::default()
    };
    rule.program.explain(&t.document, &env)
}

#[test]
fn seed_policy_null_egress_names_the_exclusion() {
    let ex = explain_seed_test("Null Egress List Is Compliant");
    assert!(!ex.flagged);
    assert!(
        ex.summary
            .starts_with("not flagged: suppressed by exclusion `IpPermissionsEgress is_null`: "),
        "{}",
        ex.summary
    );
    let guard = &ex.tree.children[0];
    assert_eq!(guard.reason, Some(Reason::NegatedMatch));
    // The native after the failed guard is still explained, but did not decide.
    assert!(!ex.tree.children[1].deciding);
    assert_eq!(ex.deciding_spans, vec![guard.span]);
}

#[test]
fn seed_policy_native_notes_name_the_permission() {
    let ex = explain_seed_test("Security Group Does Not Restrict Outbound Traffic");
    assert!(ex.flagged);
    let native = &ex.tree.children[1];
    assert_eq!(
        native.notes,
        vec!["[0] FromPort=0 ToPort=65535: allows all ports".to_string()]
    );
    assert!(
        ex.summary.contains("[0] FromPort=0 ToPort=65535"),
        "{}",
        ex.summary
    );

    let ex = explain_seed_test("Security Group Restricts Outbound Traffic");
    assert!(!ex.flagged);
    assert_eq!(
        ex.tree.children[1].notes,
        vec!["[0] FromPort=3306 ToPort=3306: restricted".to_string()]
    );
}
