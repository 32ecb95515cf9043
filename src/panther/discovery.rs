//! Discovery: which files under the given paths are rule files (and which YAML files are
//! something else), the data models and functions files found among or beside them, and loading
//! a whole pack.

use super::diagnostics::{FileReport, Finding, Severity};
use super::load::load_file_with;
use super::rule::Rule;
use super::{datamodel, functions};
use crate::stdlib::strings::{Wildcards, glob};
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
    collect_files_ignoring(paths, &[])
}

/// [`collect_files`] without the files that an `--ignore` pattern matches (see [`is_ignored`]).
/// A path given directly is kept even when a pattern matches it.
pub fn collect_files_ignoring(paths: &[PathBuf], ignore: &[String]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out, &mut seen, 0, ignore);
        } else {
            out.push(p.clone());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// True when a glob of `patterns` (`*`, `?`) matches `path` as written, any trailing part of
/// it (`aws_s3/*.yml` matches `policies/aws_s3/x.yml`) or one of its components (`.github`).
pub fn is_ignored(path: &Path, patterns: &[String]) -> bool {
    if patterns.is_empty() {
        return false;
    }
    let parts: Vec<String> = path
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    patterns.iter().any(|pat| {
        let pat = pat.trim_end_matches('/');
        parts
            .iter()
            .any(|c| glob(pat, c, Wildcards::StarAndQuestion))
            || (0..parts.len()).any(|i| {
                let tail = parts.get(i..).unwrap_or(&[]).join("/");
                glob(pat, &tail, Wildcards::StarAndQuestion)
            })
    })
}

/// What a YAML file of a pack holds, from its top-level keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A policy or a rule (or a file that means to be one: it has an ID or a `Condition`, or
    /// an `AnalysisType` pounce does not know, which loading reports).
    Rule,
    /// `AnalysisType: datamodel`.
    DataModel,
    /// `AnalysisType: functions`.
    Functions,
    /// A Panther file of a type pounce does not run (`global`, `scheduled_rule`, …).
    Unsupported(String),
    /// Not a Panther file at all: no `AnalysisType`, ID or `Condition` (a CI workflow, a compose
    /// file). An empty file counts as a rule file, which loading reports as empty.
    Other,
}

/// Panther analysis types that pounce does not run: skipped, and said so.
pub const UNSUPPORTED_TYPES: &[&str] = &[
    "global",
    "scheduled_rule",
    "correlation_rule",
    "saved_query",
    "scheduled_query",
    "lookup_table",
    "pack",
    "derived",
];

/// Classifies a YAML file by its top-level keys (lines that start in column 0), so that even a
/// rule file with a syntax error further down is recognised as one.
pub fn classify(text: &str) -> FileKind {
    let mut analysis_type = None;
    let mut rule_like = false;
    for line in text.lines() {
        if line.starts_with([' ', '\t', '#', '-']) {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim().trim_matches(['"', '\'']);
        match key {
            "AnalysisType" => {
                let v = value.split(" #").next().unwrap_or("");
                analysis_type = Some(v.trim().trim_matches(['"', '\'']).to_string());
            }
            "PolicyID" | "RuleID" | "Condition" => rule_like = true,
            _ => {}
        }
    }
    match analysis_type.as_deref() {
        Some("datamodel") => FileKind::DataModel,
        Some("functions") => FileKind::Functions,
        Some(t) if UNSUPPORTED_TYPES.contains(&t) => FileKind::Unsupported(t.to_string()),
        Some(_) => FileKind::Rule,
        None if rule_like => FileKind::Rule,
        // An empty file (or one of comments) in a pack is an unfinished rule: loading says so.
        None if text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) =>
        {
            FileKind::Rule
        }
        None => FileKind::Other,
    }
}

/// The files of a pack, sorted by what they are.
#[derive(Clone, Debug, Default)]
pub struct PackFiles {
    /// Rule files (given directly, or found and classified [`FileKind::Rule`]).
    pub rules: Vec<PathBuf>,
    /// Panther files of a type pounce does not run, with the type.
    pub unsupported: Vec<(PathBuf, String)>,
    /// YAML files found in folders that are not Panther files (skipped silently).
    pub other: Vec<PathBuf>,
}

/// The rule files under `paths` (minus ignored ones). A file given directly is a rule file
/// unless it is a data model, a functions file or of an unsupported type; a file found in a
/// folder must also look like one ([`classify`]).
pub fn pack_files(paths: &[PathBuf], ignore: &[String]) -> PackFiles {
    let direct: std::collections::HashSet<&PathBuf> =
        paths.iter().filter(|p| !p.is_dir()).collect();
    let mut out = PackFiles::default();
    for f in collect_files_ignoring(paths, ignore) {
        let kind = match std::fs::read(&f) {
            Ok(bytes) => classify(&String::from_utf8_lossy(&bytes)),
            // Unreadable: loading reports it.
            Err(_) => FileKind::Rule,
        };
        match kind {
            FileKind::Rule => out.rules.push(f),
            FileKind::Other if direct.contains(&f) => out.rules.push(f),
            FileKind::Other => out.other.push(f),
            FileKind::Unsupported(t) => out.unsupported.push((f, t)),
            FileKind::DataModel | FileKind::Functions => {}
        }
    }
    out
}

fn walk(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    seen: &mut std::collections::HashSet<PathBuf>,
    depth: usize,
    ignore: &[String],
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
        if is_ignored(&p, ignore) {
            continue;
        }
        if p.is_dir() {
            walk(&p, out, seen, depth + 1, ignore);
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
    matches!(classify(text), FileKind::DataModel | FileKind::Functions)
}

/// `base` plus what the pack's support files define: the data models (as `udm`) and the
/// user-defined functions found among `paths` and in a `data_models/` or `helpers/` folder of
/// their ancestors (up to three levels up), with a report per file that has errors.
pub fn with_data_models(paths: &[PathBuf], base: &Registry) -> (Registry, Vec<FileReport>) {
    with_data_models_ignoring(paths, base, &[])
}

/// [`with_data_models`] without the files an `--ignore` pattern matches.
pub fn with_data_models_ignoring(
    paths: &[PathBuf],
    base: &Registry,
    ignore: &[String],
) -> (Registry, Vec<FileReport>) {
    let mut reg = base.clone();
    let mut models = Vec::new();
    let mut defined = Vec::new();
    let mut bad = Vec::new();
    let mut files = collect_files_ignoring(paths, ignore);
    for p in paths {
        for anc in p.ancestors().skip(usize::from(p.is_file())).take(4) {
            for folder in SUPPORT_FOLDERS {
                let d = if anc.as_os_str().is_empty() {
                    Path::new(".").join(folder)
                } else {
                    anc.join(folder)
                };
                if d.is_dir() {
                    files.extend(collect_files_ignoring(&[d], ignore));
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
        let kind = classify(&text);
        if kind == FileKind::Functions {
            match functions::read_functions_file(&f, &text) {
                Ok(found) => defined.extend(found),
                Err(r) => bad.push(r),
            }
        } else if kind == FileKind::DataModel {
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

/// A loaded pack: the rules that compile, a report per invalid file, and the Panther files of
/// types pounce does not run.
#[derive(Debug, Default)]
pub struct LoadedPack {
    /// The rules, in file order.
    pub rules: Vec<Rule>,
    /// A report per invalid rule file (and per invalid data model or functions file).
    pub invalid: Vec<FileReport>,
    /// Files of an unsupported `AnalysisType`, with the type (see [`UNSUPPORTED_TYPES`]).
    pub unsupported: Vec<(PathBuf, String)>,
}

/// Loads every rule file under `paths` (with the data models found there or beside them): the
/// rules that compile, and a report per invalid file. Data-model files are not rules.
pub fn load_paths(paths: &[PathBuf], registry: &Registry) -> (Vec<Rule>, Vec<FileReport>) {
    let p = load_pack(paths, registry, &[]);
    (p.rules, p.invalid)
}

/// [`load_paths`] without the files `ignore` matches, saying which files were skipped as of a
/// type pounce does not run. YAML files in the folders that are not Panther files at all are
/// skipped silently (see [`classify`]).
pub fn load_pack(paths: &[PathBuf], registry: &Registry, ignore: &[String]) -> LoadedPack {
    let (registry, invalid) = with_data_models_ignoring(paths, registry, ignore);
    let files = pack_files(paths, ignore);
    let mut pack = LoadedPack {
        rules: Vec::new(),
        invalid,
        unsupported: files.unsupported,
    };
    for f in files.rules {
        match load_file_with(&f, &registry) {
            Ok(r) => pack.rules.push(r),
            Err(rep) => pack.invalid.push(rep),
        }
    }
    pack
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_by_their_top_level_keys() {
        assert_eq!(
            classify("AnalysisType: policy\nPolicyID: x\n"),
            FileKind::Rule
        );
        assert_eq!(classify("AnalysisType: polcy\n"), FileKind::Rule);
        assert_eq!(classify("PolicyID: x\nCondition: [\n"), FileKind::Rule);
        assert_eq!(classify("AnalysisType: 'datamodel'\n"), FileKind::DataModel);
        assert_eq!(
            classify("\"AnalysisType\": functions # helpers\n"),
            FileKind::Functions
        );
        assert_eq!(
            classify("AnalysisType: global\n"),
            FileKind::Unsupported("global".into())
        );
        assert_eq!(
            classify("on: push\njobs:\n  x:\n    AnalysisType: rule\n"),
            FileKind::Other
        );
        assert_eq!(classify("# nothing yet\n"), FileKind::Rule);
        assert_eq!(classify("a: 1\n"), FileKind::Other);
    }

    #[test]
    fn ignore_patterns() {
        let p = Path::new("./policies/aws_s3/a_draft.yml");
        let yes = |pat: &str| is_ignored(p, &[pat.to_string()]);
        assert!(yes("aws_s3"));
        assert!(yes("aws_s3/"));
        assert!(yes("*_draft.yml"));
        assert!(yes("aws_s3/*"));
        assert!(yes("policies/aws_s3/*.yml"));
        assert!(!yes("aws_iam"));
        assert!(!yes("draft"));
        assert!(!is_ignored(p, &[]));
    }
}
