//! The `Tests` of rule files: each case as loaded ([`TestCase`], with what it expects of the
//! alert), reading them from the YAML, and running them ([`run_tests`]).

use super::alert::Alert;
use super::diagnostics::{FileReport, Finding, Severity};
use super::rule::{AnalysisType, Rule};
use super::schema::{RawTest, TEST_KEYS};
use super::yaml::scalar_span;
use pounce_lang::ErrorCode;
use pounce_lang::ast::Span;
use pounce_lang::eval::Env;
use serde_json::Value;
use std::collections::BTreeMap;

/// One test case of a rule file.
#[derive(Clone, Debug)]
pub struct TestCase {
    /// `Name`.
    pub name: String,
    /// `ExpectedResult`: for a policy, true = compliant; for a rule, true = alert.
    pub expected: bool,
    /// `Resource` (policies) or `Log` (rules).
    pub document: Value,
    /// `Mocks`: native name → value it returns in this test.
    pub mocks: BTreeMap<String, Value>,
    /// Where `Name` is in the file.
    pub span: Span,
    /// `ExpectedTitle`, `ExpectedDedup`, `ExpectedSeverity`, `ExpectedAlertContext` (a subset).
    pub expect_alert: AlertExpectation,
}

/// What a test asserts of the alert, when the rule alerts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AlertExpectation {
    /// `ExpectedTitle`.
    pub title: Option<String>,
    /// `ExpectedDedup`.
    pub dedup: Option<String>,
    /// `ExpectedSeverity`.
    pub severity: Option<String>,
    /// `ExpectedAlertContext`: these keys must have these values.
    pub context: Option<serde_json::Map<String, Value>>,
}

/// The keys of each test case with their spans, in file order (empty when `Tests` is not a list
/// of mappings).
pub fn test_keys(text: &str) -> Vec<Vec<(String, Span)>> {
    #[derive(serde::Deserialize)]
    #[allow(non_snake_case)]
    struct Keys {
        Tests: Option<
            Vec<std::collections::HashMap<serde_saphyr::Spanned<String>, serde::de::IgnoredAny>>,
        >,
    }
    let Ok(k) = super::yaml::from_yaml::<Keys>(text) else {
        return Vec::new();
    };
    k.Tests
        .unwrap_or_default()
        .into_iter()
        .map(|m| super::yaml::keys_in_order(text, &m))
        .collect()
}

/// The key of `keys` that is not a test key and is spelt like `want`, if any.
fn misspelt<'a>(keys: &'a [(String, Span)], want: &str) -> Option<&'a str> {
    keys.iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| !TEST_KEYS.contains(k))
        .find(|k| !pounce_lang::suggest::nearest(k, [want]).is_empty())
}

/// The test cases of a rule file; a test without its name, expected result or document (or
/// with both kinds) is reported, naming a misspelt key when there is one.
pub(super) fn load_tests(
    text: &str,
    raw: Vec<RawTest>,
    kind: Option<AnalysisType>,
    report: &mut FileReport,
) -> Vec<TestCase> {
    let mut out = Vec::new();
    let all_keys = test_keys(text);
    for (i, t) in raw.into_iter().enumerate() {
        let keys = all_keys.get(i).map(Vec::as_slice).unwrap_or(&[]);
        let first = keys.first().map(|(_, s)| *s).unwrap_or_default();
        let hint = |want: &str| match misspelt(keys, want) {
            Some(k) => format!("did you mean `{want}`? this test has `{k}`"),
            None => format!("add `{want}:` to the test"),
        };
        let Some(name) = t.Name else {
            report.push(
                Finding::new(
                    ErrorCode::E0209,
                    Severity::Error,
                    first,
                    format!("test {} has no `Name`", i + 1),
                    "this test",
                )
                .with_help(hint("Name")),
            );
            continue;
        };
        let span = scalar_span(text, &name);
        let expected = match t.ExpectedResult {
            Some(e) => e,
            None => {
                report.push(
                    Finding::new(
                        ErrorCode::E0209,
                        Severity::Error,
                        span,
                        format!("test `{}` has no `ExpectedResult`", name.value),
                        "this test",
                    )
                    .with_help(hint("ExpectedResult")),
                );
                false
            }
        };
        let t_name = name;
        let document = match (t.Resource, t.Log, kind) {
            (Some(d), None, _) | (None, Some(d), _) => d,
            (Some(d), Some(_), _) => {
                report.push(
                    Finding::new(
                        ErrorCode::E0209,
                        Severity::Error,
                        span,
                        format!("test `{}` has both `Resource` and `Log`", t_name.value),
                        "this test",
                    )
                    .with_help("policies test a `Resource`, rules a `Log`: keep one"),
                );
                d
            }
            (None, None, k) => {
                let want = if k == Some(AnalysisType::Rule) {
                    "Log"
                } else {
                    "Resource"
                };
                report.push(
                    Finding::new(
                        ErrorCode::E0209,
                        Severity::Error,
                        span,
                        format!("test `{}` has no `{want}`", t_name.value),
                        "this test",
                    )
                    .with_help(match misspelt(keys, want) {
                        Some(k) => format!("did you mean `{want}`? this test has `{k}`"),
                        None => format!("add the `{want}:` the test evaluates"),
                    }),
                );
                Value::Null
            }
        };
        let mocks = t
            .Mocks
            .unwrap_or_default()
            .into_iter()
            .map(|m| {
                // Panther mocks return strings; a string that is JSON stands for that JSON value.
                let v = match m.returnValue {
                    Value::String(s) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
                    other => other,
                };
                (m.objectName, v)
            })
            .collect();
        out.push(TestCase {
            name: t_name.value,
            expected,
            document,
            mocks,
            span,
            expect_alert: AlertExpectation {
                title: t.ExpectedTitle,
                dedup: t.ExpectedDedup,
                severity: t.ExpectedSeverity,
                context: t.ExpectedAlertContext,
            },
        });
    }
    out
}

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
    /// The alert, when a rule (not a policy) alerted: its title, dedup, severity and context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alert: Option<Alert>,
    /// What the alert got wrong against the test's `Expected…` keys.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alert_mismatches: Vec<String>,
}

impl Rule {
    /// The environment a test case of this rule runs in: the clock `now`, the test's `Mocks`,
    /// and the rule's key matching.
    pub fn test_env(&self, case: &TestCase, now: i64) -> Env {
        Env {
            now,
            overrides: case.mocks.clone(),
            keys: self.key_match,
            ..Env::default()
        }
    }
}

/// Runs every test of `rule`; `now` is the clock natives see.
pub fn run_tests(rule: &Rule, now: i64) -> Vec<TestOutcome> {
    rule.tests
        .iter()
        .map(|t| {
            let env = rule.test_env(t, now);
            let flagged = rule.program.eval_with(&t.document, &env);
            let actual = rule.kind.result(flagged);
            let wants = &t.expect_alert;
            // Every alert is rendered, as Panther would raise it: the test shows it.
            let alert = (flagged && rule.kind == AnalysisType::Rule)
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

/// The outcome of one rule's tests (serialised as one entry of `pounce test --format json`).
#[derive(Debug, serde::Serialize)]
pub struct RuleRun<'a> {
    /// The rule.
    #[serde(skip)]
    pub rule: &'a Rule,
    /// Its ID.
    pub rule_id: &'a str,
    /// Its file.
    pub file: String,
    /// Policy or rule.
    pub kind: AnalysisType,
    /// Each test's outcome, in file order.
    pub tests: Vec<TestOutcome>,
    /// Set when the rule has fewer tests than the minimum asked for.
    pub too_few_tests: bool,
}

/// Runs the tests of every rule; a rule with fewer than `minimum_tests` tests is marked.
pub fn run_pack(rules: &[Rule], now: i64, minimum_tests: usize) -> Vec<RuleRun<'_>> {
    rules
        .iter()
        .map(|r| RuleRun {
            rule: r,
            rule_id: &r.id,
            file: r.path.display().to_string(),
            kind: r.kind,
            tests: run_tests(r, now),
            too_few_tests: r.tests.len() < minimum_tests,
        })
        .collect()
}

/// Totals over the runs of a pack.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq)]
pub struct Totals {
    /// Tests that passed.
    pub passed: usize,
    /// Tests that failed.
    pub failed: usize,
    /// Rules with fewer tests than the minimum.
    pub too_few: usize,
}

impl Totals {
    /// The totals of `runs`.
    pub fn of(runs: &[RuleRun<'_>]) -> Self {
        let tests = runs.iter().flat_map(|r| &r.tests);
        let passed = tests.clone().filter(|t| t.passed).count();
        Totals {
            passed,
            failed: tests.count() - passed,
            too_few: runs.iter().filter(|r| r.too_few_tests).count(),
        }
    }
}
