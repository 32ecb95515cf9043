//! Loading one rule file: YAML → [`Rule`], every problem reported as a finding placed in the
//! file (errors in conditions and alert templates included, through their span maps).

use super::alert::{AlertSpec, ContextSpec, SeverityRule, Template};
use super::diagnostics::{FileReport, Finding, Severity};
use super::discovery::with_data_models;
use super::rule::{AnalysisType, Rule};
use super::schema::{RawFile, RawSeverity, SEVERITIES};
use super::span_map::SpanMap;
use super::testing::load_tests;
use super::yaml::{from_yaml, key_span, scalar_span, top_keys, yaml_finding};
use pounce_lang::ast::Span;
use pounce_lang::suggest::nearest;
use pounce_lang::{ErrorCode, Registry};
use serde_json::Value;
use serde_saphyr::Spanned;
use std::path::Path;

/// Loads and compiles one rule file from its text. On failure, the report lists every error.
pub fn load_str(path: &Path, text: &str, registry: &Registry) -> Result<Rule, FileReport> {
    let name = path.display().to_string();
    let mut report = FileReport::new(&name, text);
    if text.trim().is_empty() {
        report.push(
            Finding::new(
                ErrorCode::E0204,
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
                    ErrorCode::E0206,
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
                        ErrorCode::E0206,
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
                    ErrorCode::E0205,
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
                    ErrorCode::E0207,
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
                    ErrorCode::E0207,
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
                Finding::new(ErrorCode::E0204, Severity::Error, key_span(&keys, id_key).unwrap_or(whole), "missing `Condition`", "this rule has no condition")
                    .with_help("add `Condition:` with the condition that flags a document, e.g. `Condition: Enabled != true`"),
            );
            None
        }
        Some(c) => {
            let span = scalar_span(text, c);
            let raw_text = text.get(span.start..span.end).unwrap_or("");
            let map = SpanMap::new(&c.value, raw_text, span.start);
            match pounce_lang::compile_named(&name, &c.value, registry) {
                Ok(p) => Some((p, span, map)),
                Err(e) => {
                    for err in e.errors {
                        let (s, en) = map.span(err.span.start, err.span.end);
                        let mut f = Finding::new(
                            err.code,
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
                ErrorCode::E0203,
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

/// A `Reports` entry as text (numbers and the like as JSON).
fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
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
                        ErrorCode::E0201,
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
                ErrorCode::E0210,
                Severity::Error,
                Span::new(0, 0),
                format!("cannot read the file: {e}"),
                "here",
            ));
            Err(r)
        }
    }
}

/// The alert keys of a rule file, borrowed from it.
struct AlertParts<'a> {
    title: Option<&'a Spanned<String>>,
    dedup: Option<&'a Spanned<String>>,
    context: Option<&'a Value>,
    severities: Option<&'a [RawSeverity]>,
}

/// The alert keys of `r`.
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
) -> AlertSpec {
    let mut spec = AlertSpec::default();
    let mut push_errors =
        |errs: Vec<pounce_lang::error::ConditionError>, map: Option<&SpanMap>, fallback: Span| {
            for e in errs {
                let span = match map {
                    Some(m) => {
                        let (s, en) = m.span(e.span.start, e.span.end);
                        Span::new(s, en)
                    }
                    None => fallback,
                };
                let mut f = Finding::new(e.code, Severity::Error, span, e.message, e.label);
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
                    ErrorCode::E0207,
                    Severity::Error,
                    at,
                    format!("invalid severity `{}` in `DynamicSeverities`", s.ChangeTo),
                    "not a severity",
                )
                .with_help(format!("valid severities: {}", SEVERITIES.join(", "))),
            );
            continue;
        }
        match pounce_lang::compile(&s.Condition, registry) {
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
