//! Discovery: which files under the given paths are rule files, the data models found among or
//! beside them, and loading a whole pack.

use super::diagnostics::{FileReport, Finding, Severity};
use super::load::load_file_with;
use super::rule::Rule;
use super::{datamodel, functions};
use pounce_lang::ast::Span;
use pounce_lang::{ErrorCode, Registry};
use std::path::{Path, PathBuf};

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

/// Folders beside a pack (or any of its parents, three levels up) whose data models and
/// functions files every rule of the pack sees.
pub const SUPPORT_FOLDERS: &[&str] = &["data_models", "helpers"];

/// True for a file that is not a rule: a data model or a functions file.
pub fn is_support_file(text: &str) -> bool {
    datamodel::is_data_model(text) || functions::is_functions_file(text)
}

/// `base` plus what the pack's support files define: the data models (as `udm`) and the
/// user-defined functions found among `paths` and in a `data_models/` or `helpers/` folder of
/// their ancestors (up to three levels up), with a report per file that has errors.
pub fn with_data_models(paths: &[PathBuf], base: &Registry) -> (Registry, Vec<FileReport>) {
    let mut reg = base.clone();
    let mut models = Vec::new();
    let mut defined = Vec::new();
    let mut bad = Vec::new();
    let mut files = collect_files(paths);
    for p in paths {
        for anc in p.ancestors().skip(usize::from(p.is_file())).take(4) {
            for folder in SUPPORT_FOLDERS {
                let d = if anc.as_os_str().is_empty() {
                    Path::new(".").join(folder)
                } else {
                    anc.join(folder)
                };
                if d.is_dir() {
                    files.extend(collect_files(&[d]));
                }
            }
        }
    }
    files.sort();
    files.dedup_by(|a, b| {
        a.canonicalize()
            .ok()
            .is_some_and(|x| b.canonicalize().ok() == Some(x))
    });
    let mut model_files = Vec::new();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        if functions::is_functions_file(&text) {
            match functions::read_functions_file(&f, &text) {
                Ok(found) => defined.extend(found),
                Err(r) => bad.push(r),
            }
        } else if datamodel::is_data_model(&text) {
            model_files.push((f, text));
        }
    }
    // A method is a function of the pack, else a native.
    let methods = datamodel::MethodFunctions::new(defined.iter().map(|d| d.def.name.clone()));
    for (f, text) in model_files {
        match datamodel::load_data_model(&f, &text) {
            Ok(m) => {
                let missing: Vec<&str> = m
                    .mappings
                    .iter()
                    .filter_map(|(_, mp)| match mp {
                        datamodel::Mapping::Method(n)
                            if reg.get(n).is_none() && !methods.has(n) =>
                        {
                            Some(n.as_str())
                        }
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
                                ErrorCode::E0211,
                                Severity::Error,
                                Span::new(at, at + n.len()),
                                format!("no function or native named `{n}`"),
                                "unknown method",
                            )
                            .with_help("a `Method:` mapping names a function of the pack's functions files, or a native"),
                        );
                    }
                    bad.push(r);
                }
            }
            Err(r) => bad.push(r),
        }
    }
    if !models.is_empty() {
        let udm = datamodel::udm_function(&models, &reg, &methods);
        reg.replace(udm);
    }
    // Functions after `udm`, so that their bodies may read data-model names; then the methods
    // among them, which `udm` calls.
    let before = reg.clone();
    bad.extend(functions::define_all(&mut reg, &defined));
    methods.compile(&models, &reg);
    if !models.is_empty() && !defined.is_empty() {
        // Once the methods are compiled, `udm` knows what they read: define the functions again
        // so that a body reading a data-model name declares those reads (projection), not the
        // whole event. Their errors were reported by the first definition.
        reg = before;
        let _ = functions::define_all(&mut reg, &defined);
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
        if std::fs::read_to_string(&f).is_ok_and(|t| is_support_file(&t)) {
            continue;
        }
        match load_file_with(&f, registry) {
            Ok(r) => rules.push(r),
            Err(rep) => bad.push(rep),
        }
    }
    (rules, bad)
}
