//! The NDJSON output of `pounce eval -r`: one line per finding (or per verdict with `--all`),
//! with the rule, the record's file, line, id and type, and the alert's title, dedup and
//! context (fields in docs/CLI.md).

use crate::engine::{Pack, RecordResult};
use crate::panther::AnalysisType;
use crate::panther::alert::Alert;
use std::io::Write;

/// One output line.
#[derive(serde::Serialize)]
struct FindingLine<'a> {
    rule_id: &'a str,
    severity: &'a str,
    kind: AnalysisType,
    file: &'a str,
    line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_field: Option<&'a str>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    record_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    flagged: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dedup: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<&'a serde_json::Value>,
}

/// Where a record came from: its file (`-` for standard input) and position.
#[derive(Clone, Copy, Debug)]
pub struct RecordAt<'a> {
    /// The file as named on the command line.
    pub file: &'a str,
    /// The record's line, and its column when it is an element of a JSON array.
    pub at: crate::engine::stream::At,
}

/// Writes a line per verdict of one record (the pack reports only flagged ones unless it ran
/// with `all`, when each line says `"flagged"`). `alerts` are the rendered alerts by rule index.
pub fn write_record<W: Write>(
    out: &mut W,
    pack: &Pack,
    at: RecordAt<'_>,
    r: &RecordResult,
    alerts: &[(usize, Alert)],
    all: bool,
) -> std::io::Result<()> {
    for &(i, flagged) in &r.verdicts {
        let Some(rule) = pack.rules.get(i) else {
            continue;
        };
        let alert = alerts.iter().find(|(j, _)| *j == i).map(|(_, a)| a);
        // A policy's finding is titled by its name, as a rule's is by its alert.
        let title = match (alert, rule.kind) {
            (Some(a), _) => Some(a.title.as_str()),
            (None, AnalysisType::Policy) => {
                Some(rule.display_name.as_deref().unwrap_or(rule.id.as_str()))
            }
            (None, AnalysisType::Rule) => None,
        };
        let l = FindingLine {
            rule_id: &rule.id,
            severity: alert.map_or(&rule.severity, |a| &a.severity),
            title,
            dedup: alert.map(|a| a.dedup.as_str()),
            context: alert.map(|a| &a.context).filter(|c| !c.is_null()),
            kind: rule.kind,
            file: at.file,
            line: at.at.line,
            column: at.at.column,
            id: r.id.as_deref(),
            id_field: r.id_field.as_deref(),
            record_type: r.record_type.as_deref(),
            flagged: all.then_some(flagged),
        };
        serde_json::to_writer(&mut *out, &l).map_err(std::io::Error::other)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
