//! Running the `Tests` of rule files.

use super::{AnalysisType, Rule};
use crate::eval::Env;

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
}

/// Runs every test of `rule`; `now` is the clock natives see.
pub fn run_tests(rule: &Rule, now: i64) -> Vec<TestOutcome> {
    rule.tests
        .iter()
        .map(|t| {
            let env = Env {
                now,
                mocks: t.mocks.clone(),
            };
            let flagged = rule.program.eval_with(&t.document, &env);
            let actual = match rule.kind {
                AnalysisType::Policy => !flagged,
                AnalysisType::Rule => flagged,
            };
            TestOutcome {
                name: t.name.clone(),
                expected: t.expected,
                flagged,
                actual,
                passed: actual == t.expected,
            }
        })
        .collect()
}
