//! Data models: per log type, names (`actor_user`) mapped to a path of the event or to a
//! method that computes them from the event: a function of the pack's functions files (written
//! in the language) or a native. A condition reads a mapped name with `udm("actor_user")`.

use super::diagnostics::{FileReport, Finding, Severity};
use crate::stdlib::truthy;
use pounce_lang::ast::{ExprKind, PathRoot, Segment, Span};
use pounce_lang::document::walk;
use pounce_lang::functions::{ArgError, Args, Native, NativeError, Registry};
use pounce_lang::reads::Trie;
use pounce_lang::suggest::nearest;
use pounce_lang::{Env, ErrorCode, KeyMatch, Outcome, Program};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};

/// How a data-model name is computed.
#[derive(Clone, Debug, PartialEq)]
pub enum Mapping {
    /// A path of the event (`userAgent`, `$.responseElements.user.userName`); keys match exactly.
    Path(String),
    /// A function of the pack (or a native) called with the whole event.
    Method(String),
}

/// The pack's functions that data models name as methods: their names (known before they are
/// compiled) and, once the pack's functions are defined, each compiled as `name($)`.
#[derive(Clone, Debug, Default)]
pub struct MethodFunctions {
    names: BTreeSet<String>,
    programs: Arc<OnceLock<BTreeMap<String, Program>>>,
}

impl MethodFunctions {
    /// Methods among the pack's functions named `names`.
    pub fn new(names: impl IntoIterator<Item = String>) -> Self {
        MethodFunctions {
            names: names.into_iter().collect(),
            programs: Arc::default(),
        }
    }
    /// True when `name` is a function of the pack.
    pub fn has(&self, name: &str) -> bool {
        self.names.contains(name)
    }
    /// Compiles each method among the pack's functions as a call with the event, against the
    /// registry that holds them; a method that does not compile (its function has errors,
    /// reported with its file) is left out and its `udm` names are missing.
    pub fn compile(&self, models: &[DataModel], registry: &Registry) {
        let programs = models
            .iter()
            .flat_map(|m| &m.mappings)
            .filter_map(|(_, mp)| match mp {
                Mapping::Method(f) if self.has(f) && registry.function(f).is_some() => {
                    crate::compile(&format!("{f}($)"), registry)
                        .ok()
                        .map(|p| (f.clone(), p))
                }
                _ => None,
            })
            .collect();
        // Set once per pack; a second call (there is none) would keep the first.
        let _ = self.programs.set(programs);
    }
    fn program(&self, name: &str) -> Option<&Program> {
        self.programs.get().and_then(|m| m.get(name))
    }
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
pub fn load_data_model(path: &std::path::Path, text: &str) -> Result<DataModel, FileReport> {
    let mut report = FileReport::new(&path.display().to_string(), text);
    let raw: RawModel = match serde_saphyr::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            report.push(Finding::new(
                ErrorCode::E0211,
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
                    Finding::new(ErrorCode::E0211, Severity::Error, Span::new(at, at + m.Name.len()), format!("mapping `{}` needs exactly one of `Path` or `Method`", m.Name), "this mapping")
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

/// What a data-model name resolves to for one data model.
enum Target {
    /// A path of the event; keys match exactly.
    Path(Vec<Segment>),
    /// A native called with the whole event.
    Method(Arc<Native>),
    /// A function of the pack called with the whole event.
    Function(String, MethodFunctions),
}

/// The description `pounce natives` shows for `udm`.
const UDM_DESCRIPTION: &str = "the value a data model maps NAME to for the event's `p_log_type` (a path, keys matched exactly, or a method called with the event); with no data model for the log type, `p_udm.NAME` if truthy, else a top-level `NAME` if truthy, else missing";

/// The `udm("name")` function over `models` (methods are the pack's functions in `functions`,
/// else natives of `registry`): a prepared function, so the name is checked (`E0109`) and
/// resolved when a condition is compiled.
pub fn udm_function(
    models: &[DataModel],
    registry: &Registry,
    functions: &MethodFunctions,
) -> Native {
    let models: Vec<DataModel> = models.to_vec();
    let functions = functions.clone();
    let methods: Vec<(String, Arc<Native>)> = models
        .iter()
        .flat_map(|m| &m.mappings)
        .filter_map(|(_, mp)| match mp {
            Mapping::Method(f) => registry.get(f).map(|n| (f.clone(), n.clone())),
            Mapping::Path(_) => None,
        })
        .collect();
    Native::prepared("udm", 1, 1, UDM_DESCRIPTION, move |literals| {
        let name = match literals {
            [Some(Value::String(n))] => n.clone(),
            _ => {
                return Err(udm_error(
                    None,
                    "`udm` takes one string literal: the data-model name",
                    "not a single string literal",
                    "write e.g. `udm(\"actor_user\")`".to_string(),
                ));
            }
        };
        let mut targets: Vec<(Vec<String>, Target)> = Vec::new();
        for m in &models {
            for (n, mapping) in &m.mappings {
                if *n != name {
                    continue;
                }
                let target = match mapping {
                    Mapping::Path(p) => Target::Path(mapped_path(p).ok_or_else(|| {
                        udm_error(
                            Some(0),
                            &format!("the data model maps `{name}` to `{p}`, which is not a single-valued path"),
                            "cannot be read",
                            "map the name to a path of keys and indexes".to_string(),
                        )
                    })?),
                    Mapping::Method(f) if functions.has(f) => {
                        Target::Function(f.clone(), functions.clone())
                    }
                    Mapping::Method(f) => match methods.iter().find(|(m, _)| m == f) {
                        Some((_, n)) => Target::Method(n.clone()),
                        None => {
                            return Err(udm_error(
                                Some(0),
                                &format!("no native named `{f}`"),
                                "unknown method",
                                "a `Method:` mapping names a registered native".to_string(),
                            ));
                        }
                    },
                };
                targets.push((m.log_types.clone(), target));
            }
        }
        if targets.is_empty() {
            let mut known: Vec<&str> = models
                .iter()
                .flat_map(|m| m.mappings.iter().map(|(n, _)| n.as_str()))
                .collect();
            known.sort_unstable();
            known.dedup();
            let near = nearest(&name, known.iter().copied());
            let help = match (near.first(), known.is_empty()) {
                (_, true) => "no data model is loaded: put the data model file (`AnalysisType: datamodel`) beside the rules".to_string(),
                (Some(m), _) => format!("did you mean `{m}`? data models map: {}", known.join(", ")),
                (None, _) => format!("data models map: {}", known.join(", ")),
            };
            return Err(udm_error(
                Some(0),
                &format!("no data model maps `{name}`"),
                "unknown data-model name",
                help,
            ));
        }
        Ok(resolved_udm(name, targets))
    })
}

fn udm_error(arg: Option<usize>, message: &str, label: &str, help: String) -> ArgError {
    ArgError {
        code: ErrorCode::E0109,
        arg,
        message: message.to_string(),
        label: label.to_string(),
        help: Some(help),
    }
}

/// A mapping's path text (`a.b`, `` `x y`.z ``) as segments; `None` unless it is a plain path.
fn mapped_path(text: &str) -> Option<Vec<Segment>> {
    let e = pounce_lang::syntax::parse(text).ok()?;
    match e.kind {
        ExprKind::Path(p)
            if matches!(p.root, PathRoot::Implicit | PathRoot::Root) && !p.is_multi() =>
        {
            Some(p.segments)
        }
        _ => None,
    }
}

/// `udm(name)` once `name` is resolved: called with the name and the event.
fn resolved_udm(name: String, targets: Vec<(Vec<String>, Target)>) -> Native {
    let p_udm = vec![Segment::Key("p_udm".into()), Segment::Key(name.clone())];
    let top = vec![Segment::Key(name.clone())];
    // What it reads of the event: the log type, the fallbacks, and every mapping's reads.
    let mut reads = vec![
        vec![Segment::Key("p_log_type".into())],
        p_udm.clone(),
        top.clone(),
    ];
    let mut whole = false;
    for (_, t) in &targets {
        match t {
            Target::Path(segs) => reads.push(segs.clone()),
            Target::Method(n) => match n.arg_reads(0) {
                Some(sub) => reads.extend(sub.iter().cloned()),
                None => whole = true,
            },
            Target::Function(f, fns) => {
                match fns
                    .program(f)
                    .map(pounce_lang::reads::reads)
                    .and_then(|t| trie_paths(&t))
                {
                    Some(paths) => reads.extend(paths),
                    // Not compiled yet (a function of the pack reading `udm` itself): everything.
                    None => whole = true,
                }
            }
        }
    }
    let native = Native::new("udm", 1, 1, UDM_DESCRIPTION, move |args, ctx| {
        let doc = args.get(1).ok_or_else(NativeError::missing)?;
        let log_type = doc.get("p_log_type").and_then(Value::as_str);
        let target = log_type.and_then(|lt| {
            targets
                .iter()
                .find(|(lts, _)| lts.iter().any(|l| l == lt))
                .map(|(_, t)| t)
        });
        match target {
            Some(Target::Path(segs)) => walk(doc, segs, KeyMatch::Exact)
                .cloned()
                .ok_or_else(NativeError::missing),
            Some(Target::Method(m)) => match ctx.overridden(&m.name) {
                Some(v) => Ok(v.clone()),
                None => m.call(&Args::new(&[Some(doc)]), ctx),
            },
            Some(Target::Function(f, fns)) => match ctx.overridden(f) {
                Some(v) => Ok(v.clone()),
                None => {
                    let program = fns
                        .program(f)
                        .ok_or_else(|| NativeError(format!("the method `{f}` does not compile")))?;
                    let env = Env {
                        now: ctx.now,
                        overrides: BTreeMap::new(),
                        keys: ctx.keys,
                        ..Env::default()
                    };
                    match program.outcome_with(doc, &env) {
                        Outcome::Value { value, .. } => Ok(value),
                        Outcome::Missing => Err(NativeError::missing()),
                        Outcome::Undefined => Err(NativeError(format!("`{f}` failed"))),
                    }
                }
            },
            None => [&p_udm, &top]
                .into_iter()
                .filter_map(|p| walk(doc, p, ctx.keys))
                .find(|v| truthy(v))
                .cloned()
                .ok_or_else(NativeError::missing),
        }
    })
    .with_document();
    if whole {
        native
    } else {
        native.reads_arg_segments(1, reads)
    }
}

/// The paths of a read trie, for a native's read declaration (`None` when it reads everything).
/// A list's elements are reached through `[*]`, which also reads an object's members: more
/// than read, never less.
fn trie_paths(t: &Trie) -> Option<Vec<Vec<Segment>>> {
    fn walk(t: &Trie, at: &mut Vec<Segment>, out: &mut Vec<Vec<Segment>>) {
        if t.whole || (t.keys.is_empty() && t.elements.is_none() && t.values.is_none()) {
            out.push(at.clone());
            return;
        }
        for (k, sub) in &t.keys {
            at.push(Segment::Key(k.clone()));
            walk(sub, at, out);
            at.pop();
        }
        for sub in [&t.elements, &t.values].into_iter().flatten() {
            at.push(Segment::Wildcard);
            walk(sub, at, out);
            at.pop();
        }
    }
    if t.whole {
        return None;
    }
    let mut out = Vec::new();
    let mut at = Vec::new();
    for (k, sub) in &t.keys {
        at.push(Segment::Key(k.clone()));
        walk(sub, &mut at, &mut out);
        at.pop();
    }
    for sub in [&t.elements, &t.values].into_iter().flatten() {
        at.push(Segment::Wildcard);
        walk(sub, &mut at, &mut out);
        at.pop();
    }
    Some(out)
}
