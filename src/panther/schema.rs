//! The rule-file schema: the keys pounce knows, the severities Panther accepts, and the raw
//! YAML structures a file deserialises into before [`super::load`] checks and compiles them.

use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;

/// The severities Panther accepts.
pub const SEVERITIES: &[&str] = &["Info", "Low", "Medium", "High", "Critical"];

/// The top-level keys pounce knows (Panther's, plus `Condition`).
pub const KNOWN_KEYS: &[&str] = &[
    "AnalysisType",
    "Filename",
    "PolicyID",
    "RuleID",
    "DisplayName",
    "Enabled",
    "ResourceTypes",
    "LogTypes",
    "Tags",
    "Reports",
    "Severity",
    "Description",
    "Runbook",
    "Reference",
    "DedupPeriodMinutes",
    "Threshold",
    "Tests",
    "Suppressions",
    "OutputIds",
    "SummaryAttributes",
    "Condition",
    "Detection",
    "CreateAlert",
    "InlineFilters",
    "Reference",
    "Title",
    "Dedup",
    "AlertContext",
    "DynamicSeverities",
    "Destinations",
    "Runbook",
    "Status",
    "Mappings",
    "LintAllow",
    "KeyMatching",
];

/// A rule file as written: every key pounce reads (the others are kept in `Rule::raw`).
#[derive(Deserialize)]
#[allow(non_snake_case)]
pub(super) struct RawFile {
    pub(super) AnalysisType: Option<Spanned<String>>,
    pub(super) PolicyID: Option<Spanned<String>>,
    pub(super) RuleID: Option<Spanned<String>>,
    pub(super) DisplayName: Option<String>,
    pub(super) Enabled: Option<bool>,
    pub(super) ResourceTypes: Option<Vec<String>>,
    pub(super) LogTypes: Option<Vec<String>>,
    pub(super) Tags: Option<Vec<String>>,
    pub(super) Reports: Option<serde_json::Map<String, Value>>,
    pub(super) Severity: Option<Spanned<String>>,
    pub(super) Description: Option<String>,
    pub(super) Runbook: Option<String>,
    pub(super) Reference: Option<String>,
    #[allow(dead_code)]
    pub(super) DedupPeriodMinutes: Option<u64>,
    #[allow(dead_code)]
    pub(super) Threshold: Option<u64>,
    pub(super) Condition: Option<Spanned<String>>,
    pub(super) Tests: Option<Vec<RawTest>>,
    pub(super) Title: Option<Spanned<String>>,
    pub(super) Dedup: Option<Spanned<String>>,
    pub(super) AlertContext: Option<Value>,
    pub(super) DynamicSeverities: Option<Vec<RawSeverity>>,
}

/// The keys a test case may have (Panther's, as `panther_analysis_tool` reads them).
pub const TEST_KEYS: &[&str] = &[
    "Name",
    "ExpectedResult",
    "Resource",
    "Log",
    "Mocks",
    "ExpectedTitle",
    "ExpectedDedup",
    "ExpectedSeverity",
    "ExpectedAlertContext",
    "ExpectedDescription",
    "ExpectedReference",
    "ExpectedRunbook",
    "ExpectedDestinations",
    // The log type of the test's event (upstream CloudTrail tests carry it; pounce reads the
    // event's own `p_log_type`).
    "LogType",
];

/// One entry of `Tests`. Every key is optional here, so that a misspelt one is reported by
/// name (with a did-you-mean) instead of failing the whole file.
#[derive(Deserialize)]
#[allow(non_snake_case)]
pub(super) struct RawTest {
    pub(super) Name: Option<Spanned<String>>,
    pub(super) ExpectedResult: Option<bool>,
    pub(super) Resource: Option<Value>,
    pub(super) Log: Option<Value>,
    pub(super) Mocks: Option<Vec<RawMock>>,
    pub(super) ExpectedTitle: Option<String>,
    pub(super) ExpectedDedup: Option<String>,
    pub(super) ExpectedSeverity: Option<String>,
    pub(super) ExpectedAlertContext: Option<serde_json::Map<String, Value>>,
}

/// One entry of `DynamicSeverities`: the severity to use when the condition holds.
#[derive(Deserialize)]
#[allow(non_snake_case)]
pub(super) struct RawSeverity {
    pub(super) ChangeTo: String,
    pub(super) Condition: String,
}

/// One entry of a test's `Mocks`: a native and the value it returns in that test.
#[derive(Deserialize)]
#[allow(non_snake_case)]
pub(super) struct RawMock {
    pub(super) objectName: String,
    pub(super) returnValue: Value,
}
