//! The rule paths of the commands that read a pack (`test`, `lint`, `coverage`, `describe
//! --site`, `eval -r`): the default `policies` folder, paths that must exist, packs that hold no
//! rules, and the Panther files skipped because pounce does not run their type.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The folder the pack commands read when given no path.
pub const DEFAULT_PACK: &str = "policies";

/// The paths `command` reads: those given, or [`DEFAULT_PACK`]. A path that does not exist is
/// a usage error (exit 2); a missing default says how to give paths.
pub fn pack_paths(command: &str, given: &[PathBuf]) -> Result<Vec<PathBuf>, ExitCode> {
    if given.is_empty() {
        if !Path::new(DEFAULT_PACK).exists() {
            errln!(
                "pounce: no `{DEFAULT_PACK}` folder here; `pounce {command}` reads `{DEFAULT_PACK}/` when given no PATH.\n  Give the rule files or folders instead, e.g. `pounce {command} rules/` or `pounce {command} path/to/rule.yml`."
            );
            return Err(ExitCode::from(2));
        }
        return Ok(vec![PathBuf::from(DEFAULT_PACK)]);
    }
    check_exist(given)?;
    Ok(given.to_vec())
}

/// Exits 2 when a path does not exist, naming it.
pub fn check_exist(paths: &[PathBuf]) -> Result<(), ExitCode> {
    for p in paths {
        if !p.exists() {
            errln!("pounce: {}: no such file or folder", p.display());
            return Err(ExitCode::from(2));
        }
    }
    Ok(())
}

/// Says that `paths` hold no rule files; exit 2 (nothing ran).
pub fn no_rules(paths: &[PathBuf]) -> ExitCode {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    errln!(
        "pounce: no rule files under {}: a rule file is a `.yml`/`.yaml` file with `AnalysisType: policy` or `rule` (see docs/RULES.md)",
        names.join(", ")
    );
    ExitCode::from(2)
}

/// One line on stderr for the Panther files skipped because pounce does not run their type.
pub fn note_unsupported(files: &[(PathBuf, String)]) {
    if files.is_empty() {
        return;
    }
    let shown: Vec<String> = files
        .iter()
        .take(5)
        .map(|(f, t)| format!("{} ({t})", f.display()))
        .collect();
    let more = files.len().saturating_sub(shown.len());
    errln!(
        "pounce: skipped {} Panther file(s) of a type pounce does not run: {}{}",
        files.len(),
        shown.join(", "),
        if more > 0 {
            format!(", and {more} more")
        } else {
            String::new()
        }
    );
}
