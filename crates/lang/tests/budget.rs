//! The evaluation budget: a condition that would run too long over a record stops with
//! `BudgetExceeded` instead of a verdict (quadratic quantifiers over a long list, a chain of
//! functions that doubles its calls at every level), ordinary conditions stay far below the
//! default, and explain says when it stopped.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use pounce_lang::eval::DEFAULT_MAX_STEPS;
use pounce_lang::{Env, FunctionDef, Registry, compile};
use serde_json::{Value, json};

fn long_list(n: usize) -> Value {
    json!({ "a": (0..n).collect::<Vec<_>>() })
}

#[test]
fn nested_quantifiers_over_a_long_list_stop_at_the_budget() {
    // 20,000 × 20,000 comparisons: about 4·10^8 steps, far over the default.
    let p = compile("any(a, any($.a, @ == -1))", &Registry::empty()).unwrap();
    let err = p
        .eval_checked(&long_list(20_000), &Env::default())
        .unwrap_err();
    assert!(err.steps > DEFAULT_MAX_STEPS, "{err:?}");
    // It stops soon after the limit, not at the end of the work.
    assert!(err.steps < DEFAULT_MAX_STEPS + 100_000, "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("evaluation budget exceeded after {} steps", err.steps)
    );
    // The same condition over a short list is well within it, with its real verdict.
    assert_eq!(p.eval_checked(&long_list(100), &Env::default()), Ok(false));
    // A smaller budget from the environment.
    let env = Env {
        max_steps: 1_000,
        ..Env::default()
    };
    assert!(p.eval_checked(&long_list(100), &env).is_err());
    // eval_with gives no verdict as false; value_checked reports it too.
    assert!(!p.eval_with(&long_list(100), &env));
    assert!(p.value_checked(&long_list(100), &env).is_err());
}

#[test]
fn a_call_tree_that_doubles_at_each_level_stops_at_the_budget() {
    let mut defs: Vec<FunctionDef> = (0..40)
        .map(|i| FunctionDef {
            name: format!("f{i}"),
            params: vec!["x".into()],
            body: format!("f{}(x) and f{}(x)", i + 1, i + 1),
            origin: "helpers.yml".into(),
        })
        .collect();
    defs.push(FunctionDef {
        name: "f40".into(),
        params: vec!["x".into()],
        body: "x == x".into(),
        origin: "helpers.yml".into(),
    });
    let mut reg = Registry::empty();
    assert!(reg.define(&defs).is_empty());
    let p = compile("f0(1)", &reg).unwrap();
    assert!(p.eval_checked(&json!({}), &Env::default()).is_err());
}

#[test]
fn long_strings_and_multi_valued_comparisons_cost_by_size() {
    let doc = json!({"s": "x".repeat(1 << 20), "l": (0..5_000).collect::<Vec<_>>()});
    let p = compile("s contains \"y\"", &Registry::empty()).unwrap();
    assert!(p.steps(&doc, &Env::default()) >= (1 << 20) / 64);
    let p = compile("l[*] == $.l[*]", &Registry::empty()).unwrap();
    assert!(p.steps(&doc, &Env::default()) >= 5_000 * 5_000);
}

#[test]
fn ordinary_conditions_take_few_steps() {
    let doc = json!({"IpPermissionsEgress": [{"FromPort": 0, "ToPort": 65535}, {"FromPort": 22, "ToPort": 22}]});
    let p = compile(
        "IpPermissionsEgress not is_null and any(IpPermissionsEgress, FromPort is_null or ToPort is_null or (FromPort == 0 and ToPort == 65535))",
        &Registry::empty(),
    )
    .unwrap();
    let steps = p.steps(&doc, &Env::default());
    assert!(steps > 5 && steps < 100, "{steps}");
}

#[test]
fn explain_stops_at_the_budget_and_says_so() {
    let p = compile("any(a, any($.a, @ == -1))", &Registry::empty()).unwrap();
    let env = Env {
        max_steps: 10_000,
        ..Env::default()
    };
    let ex = p.explain(&long_list(1_000), &env);
    assert!(!ex.flagged);
    assert!(ex.budget_exceeded.is_some());
    assert!(
        ex.summary.starts_with("evaluation budget exceeded after "),
        "{}",
        ex.summary
    );
    let ex = p.explain(&long_list(10), &env);
    assert_eq!(ex.budget_exceeded, None);
}
