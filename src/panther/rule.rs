//! A loaded rule file: [`Rule`] (a compiled policy or rule with everything its file says) and
//! [`AnalysisType`].

use super::alert::{Alert, AlertSpec};
use super::span_map::SpanMap;
use super::testing::TestCase;
use pounce_lang::ast::Span;
use pounce_lang::{Env, KeyMatch, Program};
use serde_json::Value;
use std::path::PathBuf;

/// What a rule file describes.
#[derive(Clone, Copy, Debug, Eq, PartialEq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AnalysisType {
    /// A check over resource snapshots: flagged = non-compliant.
    Policy,
    /// A detection over log events: flagged = alert.
    Rule,
}

impl AnalysisType {
    /// A test's result in Panther's terms for a flagged (or not) document: for a policy, true
    /// means compliant (not flagged); for a rule, true means an alert (flagged).
    pub fn result(self, flagged: bool) -> bool {
        match self {
            AnalysisType::Policy => !flagged,
            AnalysisType::Rule => flagged,
        }
    }

    /// What a result means for this kind: `compliant`, `non-compliant`, `alert` or `no alert`.
    pub fn meaning(self, result: bool) -> &'static str {
        match (self, result) {
            (AnalysisType::Policy, true) => "compliant",
            (AnalysisType::Policy, false) => "non-compliant",
            (AnalysisType::Rule, true) => "alert",
            (AnalysisType::Rule, false) => "no alert",
        }
    }

    /// A result with its meaning: `true (compliant)`, `false (no alert)`.
    pub fn verdict(self, result: bool) -> String {
        format!("{result} ({})", self.meaning(result))
    }
}

/// A loaded, compiled rule or policy.
#[derive(Debug)]
pub struct Rule {
    /// The file it came from.
    pub path: PathBuf,
    /// The file as written.
    pub text: String,
    /// Policy or rule.
    pub kind: AnalysisType,
    /// `PolicyID` or `RuleID`.
    pub id: String,
    /// `DisplayName`.
    pub display_name: Option<String>,
    /// `Enabled` (default true).
    pub enabled: bool,
    /// `ResourceTypes` or `LogTypes`.
    pub types: Vec<String>,
    /// `Severity`.
    pub severity: String,
    /// `Description`.
    pub description: Option<String>,
    /// `Runbook`.
    pub runbook: Option<String>,
    /// `Reference`.
    pub reference: Option<String>,
    /// `Tags`.
    pub tags: Vec<String>,
    /// `Reports`: framework → entries, in file order.
    pub reports: Vec<(String, Vec<String>)>,
    /// The compiled `Condition`.
    pub program: Program,
    /// Where the condition is in the file.
    pub condition_span: Span,
    /// Condition offset → file offset.
    pub condition_map: SpanMap,
    /// `Tests`.
    pub tests: Vec<TestCase>,
    /// Every top-level key as written (unknown ones included).
    pub raw: Value,
    /// Where the ID's value is in the file.
    pub id_span: Span,
    /// The top-level keys with their spans, in file order.
    pub keys: Vec<(String, Span)>,
    /// `LintAllow`: warning codes this rule allows (e.g. `W0103`).
    pub lint_allow: Vec<String>,
    /// Alert outputs (`Title`, `Dedup`, `AlertContext`, `DynamicSeverities`).
    pub alert: AlertSpec,
    /// How paths match keys: `KeyMatching: exact | case_insensitive`; by default exact for
    /// policies and case-insensitive fallback for rules (as Panther presents log events).
    pub key_match: KeyMatch,
}

impl Rule {
    /// The alert this rule raises over `doc` (render it only for a flagged document).
    pub fn render_alert(&self, doc: &Value, env: &Env) -> Alert {
        let default_title = self
            .display_name
            .clone()
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| self.id.clone());
        self.alert
            .render(&self.id, &default_title, &self.severity, doc, env)
    }
    /// True when a flagged verdict on `expected` passes the test, per the rule kind.
    pub fn test_passes(&self, expected: bool, flagged: bool) -> bool {
        self.kind.result(flagged) == expected
    }
}
