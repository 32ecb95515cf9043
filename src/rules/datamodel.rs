//! Data models: per log type, names (`actor_user`) mapped to a path of the event or to a
//! native that computes them. A condition reads a mapped name with `udm("actor_user")`.

use crate::ast::Span;
use crate::diagnostics::{FileReport, Finding, Severity};
use serde::Deserialize;
use std::path::Path;

/// How a data-model name is computed.
#[derive(Clone, Debug, PartialEq)]
pub enum Mapping {
    /// A path of the event (`userAgent`, `$.responseElements.user.userName`); keys match exactly.
    Path(String),
    /// A native called with the whole event.
    Method(String),
}

/// A data model file.
#[derive(Clone, Debug, PartialEq)]
pub struct DataModel {
    /// `DataModelID`.
    pub id: String,
    /// The log types it applies to.
    pub log_types: Vec<String>,
    /// Name → mapping, in file order.
    pub mappings: Vec<(String, Mapping)>,
}

#[derive(Deserialize)]
#[allow(non_snake_case)]
struct RawModel {
    DataModelID: String,
    LogTypes: Vec<String>,
    Mappings: Vec<RawMapping>,
}

#[derive(Deserialize)]
#[allow(non_snake_case)]
struct RawMapping {
    Name: String,
    Path: Option<String>,
    Method: Option<String>,
}

/// True when the YAML text declares `AnalysisType: datamodel`.
pub fn is_data_model(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim();
        l.strip_prefix("AnalysisType:")
            .is_some_and(|v| v.trim().trim_matches(['"', '\'']) == "datamodel")
    })
}

/// Loads a data model file's text.
pub fn load_data_model(path: &Path, text: &str) -> Result<DataModel, FileReport> {
    let mut report = FileReport::new(&path.display().to_string(), text);
    let raw: RawModel = match serde_saphyr::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            report.push(Finding::new(
                "pounce::E0211",
                Severity::Error,
                Span::new(0, 0),
                format!(
                    "invalid data model: {}",
                    e.to_string().lines().next().unwrap_or("")
                ),
                "here",
            ));
            return Err(report);
        }
    };
    let mut mappings = Vec::new();
    for m in raw.Mappings {
        let mapping = match (m.Path, m.Method) {
            (Some(p), None) => Mapping::Path(p.strip_prefix("$.").unwrap_or(&p).to_string()),
            (None, Some(f)) => Mapping::Method(f),
            _ => {
                let at = text.find(&m.Name).unwrap_or(0);
                report.push(
                    Finding::new("pounce::E0211", Severity::Error, Span::new(at, at + m.Name.len()), format!("mapping `{}` needs exactly one of `Path` or `Method`", m.Name), "this mapping")
                        .with_help("write `Path: a.b` for a field, or `Method: native_name` for a computed value"),
                );
                continue;
            }
        };
        mappings.push((m.Name, mapping));
    }
    if report.has_errors() {
        return Err(report);
    }
    Ok(DataModel {
        id: raw.DataModelID,
        log_types: raw.LogTypes,
        mappings,
    })
}
