//! Rule files: Panther's YAML format (policies and rules, with their `Tests`) plus a
//! `Condition:` key. Loading reports every problem with its line and column in the YAML file.

pub mod datamodel;
mod span_map;
pub mod testing;

use crate::Registry;
use crate::diagnostics::{FileReport, Finding, Severity};
use pounce_lang::Program;
use pounce_lang::ast::Span;
use pounce_lang::suggest::nearest;
use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;
use span_map::SpanMap;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

pub use span_map::SpanMap as ConditionSpanMap;

/// What a rule file describes.
#[derive(Clone, Copy, Debug, Eq, PartialEq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AnalysisType {
    /// A check over resource snapshots: flagged = non-compliant.
    Policy,
    /// A detection over log events: flagged = alert.
    Rule,
}

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
    pub alert: crate::alert::AlertSpec,
    /// How paths match keys: `KeyMatching: exact | case_insensitive`; by default exact for
    /// policies and case-insensitive fallback for rules (as Panther presents log events).
    pub key_match: pounce_lang::KeyMatch,
}

impl Rule {
    /// The alert this rule raises over `doc` (render it only for a flagged document).
    pub fn render_alert(&self, doc: &Value, env: &pounce_lang::Env) -> crate::alert::Alert {
        let default_title = self.display_name.clone().unwrap_or_else(|| self.id.clone());
        self.alert
            .render(&self.id, &default_title, &self.severity, doc, env)
    }
    /// True when a flagged verdict on `expected` passes the test, per the rule kind.
    pub fn test_passes(&self, expected: bool, flagged: bool) -> bool {
        match self.kind {
            AnalysisType::Policy => expected != flagged,
            AnalysisType::Rule => expected == flagged,
        }
    }
}

#[derive(Deserialize)]
#[allow(non_snake_case)]
struct RawFile {
    AnalysisType: Option<Spanned<String>>,
    PolicyID: Option<Spanned<String>>,
    RuleID: Option<Spanned<String>>,
    DisplayName: Option<String>,
    Enabled: Option<bool>,
    ResourceTypes: Option<Vec<String>>,
    LogTypes: Option<Vec<String>>,
    Tags: Option<Vec<String>>,
    Reports: Option<serde_json::Map<String, Value>>,
    Severity: Option<Spanned<String>>,
    Description: Option<String>,
    Runbook: Option<String>,
    Reference: Option<String>,
    #[allow(dead_code)]
    DedupPeriodMinutes: Option<u64>,
    #[allow(dead_code)]
    Threshold: Option<u64>,
    Condition: Option<Spanned<String>>,
    Tests: Option<Vec<RawTest>>,
    Title: Option<Spanned<String>>,
    Dedup: Option<Spanned<String>>,
    AlertContext: Option<Value>,
    DynamicSeverities: Option<Vec<RawSeverity>>,
}

#[derive(Deserialize)]
#[allow(non_snake_case)]
struct RawTest {
    Name: Spanned<String>,
    ExpectedResult: bool,
    Resource: Option<Value>,
    Log: Option<Value>,
    Mocks: Option<Vec<RawMock>>,
    ExpectedTitle: Option<String>,
    ExpectedDedup: Option<String>,
    ExpectedSeverity: Option<String>,
    ExpectedAlertContext: Option<serde_json::Map<String, Value>>,
}

#[derive(Deserialize)]
#[allow(non_snake_case)]
struct RawSeverity {
    ChangeTo: String,
    Condition: String,
}

#[derive(Deserialize)]
#[allow(non_snake_case)]
struct RawMock {
    objectName: String,
    returnValue: Value,
}

fn code(n: u16) -> String {
    format!("pounce::E{n:04}")
}

/// The YAML budget of one rule file: rule files are small (the largest shipped one has about
/// 2,000 nodes), so anything far larger, alias expansion included ("billion laughs"), is
/// refused before it costs time or memory.
pub mod yaml_limits {
    /// Most nodes (scalars, sequences, mappings), counting every copy an alias expands to.
    pub const MAX_NODES: usize = 100_000;
    /// Most aliases (`*name`) in one file.
    pub const MAX_ALIASES: usize = 10_000;
    /// Most events replayed by aliases in one file.
    pub const MAX_REPLAYED_EVENTS: usize = 100_000;
    /// Deepest nesting of sequences and mappings.
    pub const MAX_DEPTH: usize = 64;
    /// Most bytes of scalar text.
    pub const MAX_SCALAR_BYTES: usize = 16 << 20;
}

/// serde-saphyr options with [`yaml_limits`].
fn yaml_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_nodes: yaml_limits::MAX_NODES,
            max_events: 4 * yaml_limits::MAX_NODES,
            max_aliases: yaml_limits::MAX_ALIASES,
            max_anchors: yaml_limits::MAX_ALIASES,
            max_depth: yaml_limits::MAX_DEPTH,
            flow_nesting_limit: yaml_limits::MAX_DEPTH,
            max_total_scalar_bytes: yaml_limits::MAX_SCALAR_BYTES,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: yaml_limits::MAX_REPLAYED_EVENTS,
        },
    }
}

/// Parses a rule file's YAML within [`yaml_limits`].
fn from_yaml<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, serde_saphyr::Error> {
    serde_saphyr::from_str_with_options(text, yaml_options())
}

/// A breached YAML limit in words, or `None` for other errors.
fn limit_message(e: &serde_saphyr::Error) -> Option<String> {
    use serde_saphyr::Error as E;
    use serde_saphyr::budget::BudgetBreach as B;
    match e {
        E::WithSnippet { error, .. } | E::AliasError { error, .. } => limit_message(error),
        E::AliasReplayLimitExceeded { .. } | E::AliasExpansionLimitExceeded { .. } => {
            Some(format!(
                "aliases expand to more than {} events",
                yaml_limits::MAX_REPLAYED_EVENTS
            ))
        }
        E::AliasReplayStackDepthExceeded { max_depth, .. } => {
            Some(format!("aliases nest deeper than {max_depth} levels"))
        }
        E::Budget { breach, .. } => Some(match breach {
            B::Nodes { .. } | B::Events { .. } => format!(
                "the file has more than {} YAML nodes (aliases count once per use)",
                yaml_limits::MAX_NODES
            ),
            B::Aliases { .. } | B::Anchors { .. } | B::AliasAnchorRatio { .. } => {
                format!(
                    "the file has too many aliases or anchors (at most {})",
                    yaml_limits::MAX_ALIASES
                )
            }
            B::Depth { .. } => format!(
                "the YAML nests deeper than {} levels",
                yaml_limits::MAX_DEPTH
            ),
            B::ScalarBytes { .. } => format!(
                "the file has more than {} bytes of text",
                yaml_limits::MAX_SCALAR_BYTES
            ),
            other => format!("the YAML exceeds a size limit ({other:?})"),
        }),
        // The scanner's own nesting limit (flow collections `[[[...`).
        other if other.to_string().contains("recursion limit exceeded") => Some(format!(
            "the YAML nests deeper than {} levels",
            yaml_limits::MAX_DEPTH
        )),
        _ => None,
    }
}

/// A saphyr error as a finding at its location.
fn yaml_finding(text: &str, e: &serde_saphyr::Error) -> Finding {
    let limit = limit_message(e);
    let full = e.to_string();
    let first = full.lines().next().unwrap_or("invalid YAML");
    // "error: line 2 column 17: invalid boolean" → "invalid boolean"
    let msg = first.trim_start_matches("error: ");
    let msg = match msg.find(": ") {
        Some(i) if msg.starts_with("line ") => msg.get(i + 2..).unwrap_or(msg),
        _ => msg,
    };
    let start = e
        .location()
        .map(|l| {
            l.span().byte_offset().map_or_else(
                || crate::diagnostics::offset_of(text, l.line() as usize, l.column() as usize),
                |b| b as usize,
            )
        })
        .unwrap_or(0)
        .min(text.len());
    let end = text
        .get(start..)
        .and_then(|r| r.find(['\n', ' ', ',', ']', '}']))
        .map_or(text.len(), |k| start + k.max(1))
        .min(text.len());
    if msg.starts_with("duplicate mapping key") {
        let key = msg
            .trim_start_matches("duplicate mapping key: ")
            .split(',')
            .next()
            .unwrap_or("");
        return Finding::new(
            code(202),
            Severity::Error,
            Span::new(start, end),
            format!("duplicate key `{key}`"),
            "repeated here",
        )
        .with_help("each key may appear once in a mapping; remove or merge the repeated one");
    }
    if msg.starts_with("invalid") || msg.starts_with("expected") || msg.starts_with("invalid type")
    {
        return Finding::new(
            code(203),
            Severity::Error,
            Span::new(start, end),
            format!("wrong value type: {msg}"),
            "this value",
        )
        .with_help(
            "see docs/RULES.md for the type of each key (e.g. `ExpectedResult: true` or `false`)",
        );
    }
    if let Some(limit) = limit {
        return Finding::new(
            code(201),
            Severity::Error,
            Span::new(start, end),
            format!("YAML too large: {limit}"),
            "limit reached here",
        )
        .with_help("rule files are small; docs/ROBUSTNESS.md lists the limits");
    }
    Finding::new(
        code(201),
        Severity::Error,
        Span::new(start, end),
        format!("invalid YAML: {msg}"),
        "here",
    )
    .with_help("fix the YAML syntax at this position")
}

/// Byte span of a spanned scalar's text in the file.
fn scalar_span<T>(text: &str, s: &Spanned<T>) -> Span {
    let sp = s.referenced.span();
    let start = sp
        .byte_offset()
        .map_or_else(
            || {
                crate::diagnostics::offset_of(
                    text,
                    s.referenced.line() as usize,
                    s.referenced.column() as usize,
                )
            },
            |b| b as usize,
        )
        .min(text.len());
    let len = sp.byte_len().map_or(0, |l| l as usize);
    Span::new(start, (start + len).min(text.len()))
}

/// The span of a top-level key, for findings about a whole key.
fn key_span(keys: &[(String, Span)], key: &str) -> Option<Span> {
    keys.iter().find(|(k, _)| k == key).map(|(_, s)| *s)
}

/// Top-level keys with their spans, in file order; fails with YAML syntax or duplicate-key errors.
pub fn top_keys(text: &str) -> Result<Vec<(String, Span)>, Finding> {
    let map: HashMap<Spanned<String>, serde::de::IgnoredAny> =
        from_yaml(text).map_err(|e| yaml_finding(text, &e))?;
    let mut keys: Vec<(String, Span)> = map
        .keys()
        .map(|k| {
            let sp = scalar_span(text, k);
            let sp = if sp.is_empty() {
                Span::new(sp.start, sp.start + k.value.len())
            } else {
                sp
            };
            (k.value.clone(), sp)
        })
        .collect();
    keys.sort_by_key(|(_, s)| s.start);
    Ok(keys)
}

/// Loads and compiles one rule file from its text. On failure, the report lists every error.
pub fn load_str(path: &Path, text: &str, registry: &Registry) -> Result<Rule, FileReport> {
    let name = path.display().to_string();
    let mut report = FileReport::new(&name, text);
    if text.trim().is_empty() {
        report.push(
            Finding::new(
                code(204),
                Severity::Error,
                Span::new(0, 0),
                "empty rule file",
                "no content",
            )
            .with_help("a rule file needs at least `AnalysisType`, an ID, and a `Condition`"),
        );
        return Err(report);
    }
    let keys = match top_keys(text) {
        Ok(k) => k,
        Err(f) => {
            report.push(f);
            return Err(report);
        }
    };
    let raw_file: RawFile = match from_yaml(text) {
        Ok(r) => r,
        Err(e) => {
            report.push(yaml_finding(text, &e));
            return Err(report);
        }
    };
    let raw: Value = from_yaml(text).unwrap_or(Value::Null);
    let whole = Span::new(0, text.find('\n').unwrap_or(text.len()));

    let kind = match &raw_file.AnalysisType {
        None => {
            report.push(
                Finding::new(
                    code(206),
                    Severity::Error,
                    whole,
                    "missing `AnalysisType`",
                    "in this file",
                )
                .with_help(
                    "add `AnalysisType: policy` (resources) or `AnalysisType: rule` (log events)",
                ),
            );
            None
        }
        Some(t) => match t.value.as_str() {
            "policy" => Some(AnalysisType::Policy),
            "rule" => Some(AnalysisType::Rule),
            other => {
                let near = nearest(other, ["policy", "rule"]);
                let help = match near.first() {
                    Some(n) => format!("did you mean `{n}`? pounce runs `policy` and `rule` files"),
                    None => "pounce runs `policy` and `rule` files".to_string(),
                };
                report.push(
                    Finding::new(
                        code(206),
                        Severity::Error,
                        scalar_span(text, t),
                        format!("unknown `AnalysisType` `{other}`"),
                        "not `policy` or `rule`",
                    )
                    .with_help(help),
                );
                None
            }
        },
    };
    let id_key = if kind == Some(AnalysisType::Rule) {
        "RuleID"
    } else {
        "PolicyID"
    };
    let id = match (&raw_file.PolicyID, &raw_file.RuleID, kind) {
        (Some(id), _, Some(AnalysisType::Policy)) | (_, Some(id), Some(AnalysisType::Rule)) => {
            Some((id.value.clone(), scalar_span(text, id)))
        }
        (Some(id), None, None) | (None, Some(id), None) => {
            Some((id.value.clone(), scalar_span(text, id)))
        }
        _ => {
            report.push(
                Finding::new(
                    code(205),
                    Severity::Error,
                    key_span(&keys, "AnalysisType").unwrap_or(whole),
                    format!("missing `{id_key}`"),
                    "this file has no ID",
                )
                .with_help(format!(
                    "add `{id_key}: \"Vendor.Service.Check\"`, unique across the pack"
                )),
            );
            None
        }
    };
    let severity = match &raw_file.Severity {
        Some(s) if SEVERITIES.contains(&s.value.as_str()) => s.value.clone(),
        Some(s) => {
            let near = nearest(&s.value, SEVERITIES.iter().copied());
            let help = match near.first() {
                Some(n) => format!(
                    "did you mean `{n}`? valid severities: {}",
                    SEVERITIES.join(", ")
                ),
                None => format!("valid severities: {}", SEVERITIES.join(", ")),
            };
            report.push(
                Finding::new(
                    code(207),
                    Severity::Error,
                    scalar_span(text, s),
                    format!("invalid `Severity` `{}`", s.value),
                    "not a severity",
                )
                .with_help(help),
            );
            String::new()
        }
        None => {
            report.push(
                Finding::new(
                    code(207),
                    Severity::Error,
                    whole,
                    "missing `Severity`",
                    "in this file",
                )
                .with_help(format!("add `Severity:` one of {}", SEVERITIES.join(", "))),
            );
            String::new()
        }
    };
    let program = match &raw_file.Condition {
        None => {
            report.push(
                Finding::new(code(204), Severity::Error, key_span(&keys, id_key).unwrap_or(whole), "missing `Condition`", "this rule has no condition")
                    .with_help("add `Condition:` with the condition that flags a document, e.g. `Condition: Enabled != true`"),
            );
            None
        }
        Some(c) => {
            let span = scalar_span(text, c);
            let raw_text = text.get(span.start..span.end).unwrap_or("");
            let map = SpanMap::new(&c.value, raw_text, span.start);
            match crate::compile_named(&name, &c.value, registry) {
                Ok(p) => Some((p, span, map)),
                Err(e) => {
                    for err in e.errors {
                        let (s, en) = map.span(err.span.start, err.span.end);
                        let mut f = Finding::new(
                            err.code.as_str(),
                            Severity::Error,
                            Span::new(s, en),
                            err.message,
                            err.label,
                        );
                        f.help = err.help;
                        report.push(f);
                    }
                    None
                }
            }
        }
    };
    if let Some(km) = raw.get("KeyMatching")
        && !matches!(km.as_str(), Some("exact" | "case_insensitive"))
    {
        report.push(
            Finding::new(
                code(203),
                Severity::Error,
                key_span(&keys, "KeyMatching").unwrap_or(whole),
                format!("invalid `KeyMatching` `{km}`"),
                "not `exact` or `case_insensitive`",
            )
            .with_help("write `KeyMatching: exact` or `KeyMatching: case_insensitive`"),
        );
    }
    let alert = load_alert(
        text,
        &keys,
        &mut raw_file_alert_parts(&raw_file),
        registry,
        &mut report,
    );
    let tests = load_tests(text, raw_file.Tests.unwrap_or_default(), kind, &mut report);
    report.sort();
    match (kind, id, program) {
        (Some(kind), Some(id), Some((program, condition_span, condition_map)))
            if !report.has_errors() =>
        {
            Ok(Rule {
                path: path.to_path_buf(),
                text: text.to_string(),
                kind,
                id: id.0.clone(),
                display_name: raw_file.DisplayName,
                enabled: raw_file.Enabled.unwrap_or(true),
                types: raw_file
                    .ResourceTypes
                    .or(raw_file.LogTypes)
                    .unwrap_or_default(),
                severity,
                description: raw_file.Description.map(|d| d.trim().to_string()),
                runbook: raw_file.Runbook.map(|d| d.trim().to_string()),
                reference: raw_file.Reference.map(|d| d.trim().to_string()),
                tags: raw_file.Tags.unwrap_or_default(),
                reports: raw_file
                    .Reports
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(k, v)| {
                        let items = match v {
                            Value::Array(a) => a.iter().map(scalar_text).collect(),
                            other => vec![scalar_text(&other)],
                        };
                        (k, items)
                    })
                    .collect(),
                program,
                condition_span,
                condition_map,
                alert,
                tests,
                lint_allow: raw
                    .get("LintAllow")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default(),
                key_match: match raw.get("KeyMatching").and_then(Value::as_str) {
                    Some("exact") => pounce_lang::KeyMatch::Exact,
                    Some("case_insensitive") => pounce_lang::KeyMatch::CaseInsensitiveFallback,
                    _ if kind == AnalysisType::Rule => {
                        pounce_lang::KeyMatch::CaseInsensitiveFallback
                    }
                    _ => pounce_lang::KeyMatch::Exact,
                },
                raw,
                id_span: id.1,
                keys,
            })
        }
        _ => Err(report),
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn load_tests(
    text: &str,
    raw: Vec<RawTest>,
    kind: Option<AnalysisType>,
    report: &mut FileReport,
) -> Vec<TestCase> {
    let mut out = Vec::new();
    for t in raw {
        let span = scalar_span(text, &t.Name);
        let document = match (t.Resource, t.Log, kind) {
            (Some(d), None, _) | (None, Some(d), _) => d,
            (Some(d), Some(_), _) => {
                report.push(
                    Finding::new(
                        code(209),
                        Severity::Error,
                        span,
                        format!("test `{}` has both `Resource` and `Log`", t.Name.value),
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
                        code(209),
                        Severity::Error,
                        span,
                        format!("test `{}` has no `{want}`", t.Name.value),
                        "this test",
                    )
                    .with_help(format!("add the `{want}:` the test evaluates")),
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
            name: t.Name.value,
            expected: t.ExpectedResult,
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

/// Loads a rule file from disk, with the data models beside it (see [`with_data_models`]).
pub fn load_file(path: &Path, registry: &Registry) -> Result<Rule, FileReport> {
    let (reg, _) = with_data_models(&[path.to_path_buf()], registry);
    load_file_with(path, &reg)
}

/// Loads a rule file from disk with exactly the natives and data models of `registry`.
pub fn load_file_with(path: &Path, registry: &Registry) -> Result<Rule, FileReport> {
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => load_str(path, &text, registry),
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let mut r = FileReport::new(&path.display().to_string(), &text);
                r.push(
                    Finding::new(
                        code(201),
                        Severity::Error,
                        Span::new(valid, valid + 1),
                        "the file is not valid UTF-8",
                        "invalid byte here",
                    )
                    .with_help("save the file as UTF-8"),
                );
                Err(r)
            }
        },
        Err(e) => {
            let mut r = FileReport::new(&path.display().to_string(), "");
            r.push(Finding::new(
                code(210),
                Severity::Error,
                Span::new(0, 0),
                format!("cannot read the file: {e}"),
                "here",
            ));
            Err(r)
        }
    }
}

/// True for files that look like rule files (`.yml`/`.yaml`).
pub fn is_rule_file(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yml" | "yaml"))
}

/// Every rule file under `paths` (files given directly are kept whatever their extension),
/// sorted, each once; symlink loops are not followed twice.
pub fn collect_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out, &mut seen, 0);
        } else {
            out.push(p.clone());
        }
    }
    out.sort();
    out.dedup();
    out
}

fn walk(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    seen: &mut std::collections::HashSet<PathBuf>,
    depth: usize,
) {
    let Ok(canon) = dir.canonicalize() else {
        return;
    };
    if depth > 64 || !seen.insert(canon) {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out, seen, depth + 1);
        } else if is_rule_file(&p) {
            out.push(p);
        }
    }
}

/// `base` plus the data models found among `paths` and in a `data_models/` folder of their
/// ancestors (up to three levels up), with a report per invalid data-model file.
pub fn with_data_models(paths: &[PathBuf], base: &Registry) -> (Registry, Vec<FileReport>) {
    let mut reg = base.clone();
    let mut models = Vec::new();
    let mut bad = Vec::new();
    let mut files = collect_files(paths);
    for p in paths {
        for anc in p.ancestors().skip(usize::from(p.is_file())).take(4) {
            let d = if anc.as_os_str().is_empty() {
                Path::new(".").join("data_models")
            } else {
                anc.join("data_models")
            };
            if d.is_dir() {
                files.extend(collect_files(&[d]));
            }
        }
    }
    files.sort();
    files.dedup_by(|a, b| {
        a.canonicalize()
            .ok()
            .is_some_and(|x| b.canonicalize().ok() == Some(x))
    });
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        if !datamodel::is_data_model(&text) {
            continue;
        }
        match datamodel::load_data_model(&f, &text) {
            Ok(m) => {
                let missing: Vec<&str> = m
                    .mappings
                    .iter()
                    .filter_map(|(_, mp)| match mp {
                        datamodel::Mapping::Method(n) if reg.get(n).is_none() => Some(n.as_str()),
                        _ => None,
                    })
                    .collect();
                if missing.is_empty() {
                    models.push(m);
                } else {
                    let mut r = FileReport::new(&f.display().to_string(), &text);
                    for n in missing {
                        let at = text.find(n).unwrap_or(0);
                        r.push(
                            Finding::new(
                                code(211),
                                Severity::Error,
                                Span::new(at, at + n.len()),
                                format!("no native named `{n}`"),
                                "unknown method",
                            )
                            .with_help("a `Method:` mapping names a registered native"),
                        );
                    }
                    bad.push(r);
                }
            }
            Err(r) => bad.push(r),
        }
    }
    if !models.is_empty() {
        let udm = datamodel::udm_function(&models, &reg);
        reg.replace(udm);
    }
    (reg, bad)
}

/// Loads every rule file under `paths` (with the data models found there or beside them): the
/// rules that compile, and a report per invalid file. Data-model files are not rules.
pub fn load_paths(paths: &[PathBuf], registry: &Registry) -> (Vec<Rule>, Vec<FileReport>) {
    let mut rules = Vec::new();
    let (registry, mut bad) = with_data_models(paths, registry);
    let registry = &registry;
    for f in collect_files(paths) {
        if std::fs::read_to_string(&f).is_ok_and(|t| datamodel::is_data_model(&t)) {
            continue;
        }
        match load_file_with(&f, registry) {
            Ok(r) => rules.push(r),
            Err(rep) => bad.push(rep),
        }
    }
    (rules, bad)
}

struct AlertParts<'a> {
    title: Option<&'a Spanned<String>>,
    dedup: Option<&'a Spanned<String>>,
    context: Option<&'a Value>,
    severities: Option<&'a [RawSeverity]>,
}

fn raw_file_alert_parts(r: &RawFile) -> AlertParts<'_> {
    AlertParts {
        title: r.Title.as_ref(),
        dedup: r.Dedup.as_ref(),
        context: r.AlertContext.as_ref(),
        severities: r.DynamicSeverities.as_deref(),
    }
}

/// Compiles the alert templates; template errors are placed in the YAML file.
fn load_alert(
    text: &str,
    keys: &[(String, Span)],
    parts: &mut AlertParts<'_>,
    registry: &Registry,
    report: &mut FileReport,
) -> crate::alert::AlertSpec {
    use crate::alert::{AlertSpec, ContextSpec, SeverityRule, Template};
    let mut spec = AlertSpec::default();
    let mut push_errors = |errs: Vec<pounce_lang::error::ConditionError>,
                           map: Option<&SpanMap>,
                           fallback: Span| {
        for e in errs {
            let span = match map {
                Some(m) => {
                    let (s, en) = m.span(e.span.start, e.span.end);
                    Span::new(s, en)
                }
                None => fallback,
            };
            let mut f = Finding::new(e.code.as_str(), Severity::Error, span, e.message, e.label);
            f.help = e.help;
            report.push(f);
        }
    };
    for (slot, src) in [
        (&mut spec.title, parts.title),
        (&mut spec.dedup, parts.dedup),
    ] {
        let Some(s) = src else { continue };
        let span = scalar_span(text, s);
        let map = SpanMap::new(
            &s.value,
            text.get(span.start..span.end).unwrap_or(""),
            span.start,
        );
        match Template::compile(&s.value, registry) {
            Ok(t) => *slot = Some(t),
            Err(errs) => push_errors(errs, Some(&map), span),
        }
    }
    if let Some(c) = parts.context {
        match ContextSpec::compile(c, registry) {
            Ok(cs) => spec.context = Some(cs),
            Err((_, errs)) => push_errors(
                errs,
                None,
                key_span(keys, "AlertContext").unwrap_or_default(),
            ),
        }
    }
    let mut bad_severities = Vec::new();
    for s in parts.severities.unwrap_or_default() {
        let at = key_span(keys, "DynamicSeverities").unwrap_or_default();
        if !SEVERITIES.contains(&s.ChangeTo.as_str()) {
            bad_severities.push(
                Finding::new(
                    code(207),
                    Severity::Error,
                    at,
                    format!("invalid severity `{}` in `DynamicSeverities`", s.ChangeTo),
                    "not a severity",
                )
                .with_help(format!("valid severities: {}", SEVERITIES.join(", "))),
            );
            continue;
        }
        match crate::compile(&s.Condition, registry) {
            Ok(p) => spec.severities.push(SeverityRule {
                severity: s.ChangeTo.clone(),
                condition: p,
            }),
            Err(e) => push_errors(e.errors, None, at),
        }
    }
    for f in bad_severities {
        report.push(f);
    }
    spec
}
