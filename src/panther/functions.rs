//! Functions files: `AnalysisType: functions` with a `Functions:` map of `name(params): body`,
//! a pack's user-defined functions and parameters (language v2). The language compiles them
//! (`Registry::define`); this module reads the files and places every error in them.

use super::diagnostics::{FileReport, Finding, Severity};
use super::span_map::SpanMap;
use super::yaml::{from_yaml, scalar_span, yaml_finding};
use pounce_lang::ast::Span;
use pounce_lang::{ErrorCode, FunctionDef, FunctionError, Registry};
use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;
use std::collections::HashMap;
use std::path::Path;

/// True when the YAML text declares `AnalysisType: functions`.
pub fn is_functions_file(text: &str) -> bool {
    text.lines().any(|l| {
        l.trim()
            .strip_prefix("AnalysisType:")
            .is_some_and(|v| v.trim().trim_matches(['"', '\'']) == "functions")
    })
}

/// The keys a functions file may have.
pub const FUNCTIONS_KEYS: &[&str] = &["AnalysisType", "Functions", "Description"];

#[derive(Deserialize)]
#[allow(non_snake_case)]
struct RawFunctions {
    #[allow(dead_code)]
    AnalysisType: String,
    Functions: Option<HashMap<Spanned<String>, Spanned<Value>>>,
    #[allow(dead_code)]
    Description: Option<String>,
}

/// One function of a functions file, with where it is written.
#[derive(Clone, Debug)]
pub struct Defined {
    /// The definition handed to the language.
    pub def: FunctionDef,
    /// The file.
    pub path: String,
    /// The file's text.
    pub text: String,
    /// The key `name(params)` in the file.
    pub key: Span,
    /// Where the body's characters are in the file.
    map: SpanMap,
}

/// Reads a functions file: its definitions, or a report of what is wrong with it.
pub fn read_functions_file(path: &Path, text: &str) -> Result<Vec<Defined>, FileReport> {
    let name = path.display().to_string();
    let mut report = FileReport::new(&name, text);
    let raw: RawFunctions = match from_yaml(text) {
        Ok(r) => r,
        Err(e) => {
            report.push(yaml_finding(text, &e));
            return Err(report);
        }
    };
    let Some(map) = raw.Functions else {
        report.push(
            Finding::new(ErrorCode::E0212, Severity::Error, Span::new(0, 0), "missing `Functions`", "in this file")
                .with_help("add `Functions:` with entries `name(params): body`, e.g. `is_root(identity): identity.type == \"Root\"`"),
        );
        return Err(report);
    };
    let mut entries: Vec<(Spanned<String>, Spanned<Value>)> = map.into_iter().collect();
    entries.sort_by_key(|(k, _)| scalar_span(text, k).start);
    let mut out = Vec::new();
    for (k, v) in entries {
        let key = key_span(text, &k);
        let Some((fname, params)) = signature(&k.value) else {
            report.push(
                Finding::new(ErrorCode::E0212, Severity::Error, key, format!("`{}` is not a function signature", k.value), "not `name(params)`")
                    .with_help("write the key as `name(a, b)` with identifiers, or `name()` for a pack parameter"),
            );
            continue;
        };
        // A body is an expression; a YAML list, number or boolean stands for its JSON text
        // (`ALLOWED(): ["a", "b"]`), which the language reads as the same literal.
        let (body, map) = match &v.value {
            Value::String(s) => {
                let sp = scalar_span(text, &v);
                let raw = text.get(sp.start..sp.end).unwrap_or("");
                (s.clone(), SpanMap::new(s, raw, sp.start))
            }
            Value::Null => {
                report.push(
                    Finding::new(
                        ErrorCode::E0212,
                        Severity::Error,
                        key,
                        format!("`{}` has no body", k.value),
                        "empty",
                    )
                    .with_help("write the body after the colon, e.g. `ALLOWED(): []`"),
                );
                continue;
            }
            other => {
                let json = other.to_string();
                let at = scalar_span(text, &v).start;
                (json.clone(), SpanMap::new(&json, "", at))
            }
        };
        out.push(Defined {
            def: FunctionDef {
                name: fname,
                params,
                body,
                origin: name.clone(),
            },
            path: name.clone(),
            text: text.to_string(),
            key,
            map,
        });
    }
    if report.has_errors() {
        return Err(report);
    }
    Ok(out)
}

/// The span of a key in the file (a plain key's span may come back empty).
fn key_span(text: &str, k: &Spanned<String>) -> Span {
    let sp = scalar_span(text, k);
    if sp.is_empty() {
        Span::new(sp.start, (sp.start + k.value.len()).min(text.len()))
    } else {
        sp
    }
}

/// `name(a, b)` → the name and the parameters; `None` unless every part is an identifier.
fn signature(key: &str) -> Option<(String, Vec<String>)> {
    let (name, rest) = key.trim().split_once('(')?;
    let params = rest.trim_end().strip_suffix(')')?;
    let ident = |s: &str| {
        let mut c = s.chars();
        c.next()
            .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
            && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
            && !pounce_lang::ast::KEYWORDS.contains(&s)
    };
    let name = name.trim();
    if !ident(name) {
        return None;
    }
    let params: Vec<String> = if params.trim().is_empty() {
        Vec::new()
    } else {
        params.split(',').map(|p| p.trim().to_string()).collect()
    };
    params
        .iter()
        .all(|p| ident(p))
        .then(|| (name.to_string(), params))
}

/// Defines `found` in `registry`; returns a report per file with errors in it.
pub fn define_all(registry: &mut Registry, found: &[Defined]) -> Vec<FileReport> {
    let defs: Vec<FunctionDef> = found.iter().map(|d| d.def.clone()).collect();
    let errors = registry.define(&defs);
    let mut reports: Vec<FileReport> = Vec::new();
    for FunctionError {
        index,
        in_signature,
        error,
    } in errors
    {
        let Some(d) = found.get(index) else { continue };
        let pos = match reports.iter().position(|r| r.path == d.path) {
            Some(p) => p,
            None => {
                reports.push(FileReport::new(&d.path, &d.text));
                reports.len() - 1
            }
        };
        let Some(report) = reports.get_mut(pos) else {
            continue;
        };
        for e in error.errors {
            let span = if in_signature {
                d.key
            } else {
                let (s, en) = d.map.span(e.span.start, e.span.end);
                Span::new(s, en)
            };
            let mut f = Finding::new(e.code, Severity::Error, span, e.message, e.label);
            f.help = e.help;
            report.push(f);
        }
    }
    reports
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn signatures() {
        assert_eq!(
            signature("f(a, b)"),
            Some(("f".into(), vec!["a".into(), "b".into()]))
        );
        assert_eq!(signature("P()"), Some(("P".into(), vec![])));
        assert_eq!(signature(" g( x ) "), Some(("g".into(), vec!["x".into()])));
        for bad in [
            "f", "f(", "f(a b)", "1f(x)", "f(x,)", "f(if)", "if(x)", "f(x))",
        ] {
            assert_eq!(signature(bad), None, "{bad}");
        }
    }

    #[test]
    fn bodies_are_placed_in_the_file() {
        let text = "AnalysisType: functions\nFunctions:\n  is_x(o): o.k == \"x\"\n  ALLOWED(): [\"a\", 1]\n  bad(o): o.k ==\n";
        let found = read_functions_file(Path::new("h.yml"), text).unwrap();
        assert_eq!(found.len(), 3);
        assert_eq!(found[1].def.body, "[\"a\",1]");
        let mut reg = Registry::empty();
        let reports = define_all(&mut reg, &found);
        assert!(reg.function("is_x").is_some() && reg.function("ALLOWED").is_some());
        assert_eq!(reports.len(), 1);
        let f = &reports[0].findings[0];
        assert_eq!(f.code, ErrorCode::E0001);
        // the error is on the body's line, not at the start of the file
        assert!(text[..f.span.start].lines().count() >= 5, "{f:?}");
    }
}
