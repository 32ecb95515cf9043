//! Running the `Tests` of rule files.

use super::{AnalysisType, Rule};
use pounce_lang::eval::Env;

/// The outcome of one test case.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TestOutcome {
    /// The test's `Name`.
    pub name: String,
    /// `ExpectedResult` as written.
    pub expected: bool,
    /// Whether the condition flagged the document.
    pub flagged: bool,
    /// The result in Panther's terms (policy: true = compliant; rule: true = alert).
    pub actual: bool,
    /// Whether the test passed.
    pub passed: bool,
    /// The alert, when the rule alerted and has alert outputs or the test asserts them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alert: Option<crate::alert::Alert>,
    /// What the alert got wrong against the test's `Expected…` keys.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alert_mismatches: Vec<String>,
}

/// Runs every test of `rule`; `now` is the clock natives see.
pub fn run_tests(rule: &Rule, now: i64) -> Vec<TestOutcome> {
    rule.tests
        .iter()
        .map(|t| {
            let env = Env {
                now,
                overrides: t.mocks.clone(),
                keys: rule.key_match,
            };
            let flagged = rule.program.eval_with(&t.document, &env);
            let actual = match rule.kind {
                AnalysisType::Policy => !flagged,
                AnalysisType::Rule => flagged,
            };
            let wants = &t.expect_alert;
            let asserts = wants.title.is_some()
                || wants.dedup.is_some()
                || wants.severity.is_some()
                || wants.context.is_some();
            let alert =
                (flagged && rule.kind == AnalysisType::Rule && (asserts || !rule.alert.is_empty()))
                    .then(|| rule.render_alert(&t.document, &env));
            let mut alert_mismatches = Vec::new();
            if let Some(a) = &alert {
                let mut check = |what: &str, want: &Option<String>, got: &str| {
                    if let Some(w) = want
                        && w != got
                    {
                        alert_mismatches.push(format!("{what}: expected `{w}`, got `{got}`"));
                    }
                };
                check("title", &wants.title, &a.title);
                check("dedup", &wants.dedup, &a.dedup);
                check("severity", &wants.severity, &a.severity);
                for (k, v) in wants.context.iter().flatten() {
                    let got = a.context.get(k);
                    if got != Some(v) {
                        alert_mismatches.push(format!(
                            "alert context `{k}`: expected {v}, got {}",
                            got.map_or_else(|| "nothing".to_string(), |g| g.to_string())
                        ));
                    }
                }
            }
            TestOutcome {
                name: t.name.clone(),
                expected: t.expected,
                flagged,
                actual,
                passed: actual == t.expected && alert_mismatches.is_empty(),
                alert,
                alert_mismatches,
            }
        })
        .collect()
}
