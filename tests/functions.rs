//! The functions' cases, as data: `tests/functions/<layer>/<file>.yaml` mirrors the source file
//! a function lives in (`src/stdlib/strings.rs` → `tests/functions/stdlib/strings.yaml`), one
//! row per case:
//!
//! ```yaml
//! - name: an empty OLD inserts NEW around every character   # what the case shows
//!   function: replace
//!   args: ["ab", "", "-"]      # JSON values; `missing: [i, …]` makes argument i missing
//!                              # and `from_document: [i, …]` read from the document
//!   expect: "-a-b-"            # the value; or `expect_undefined: true`
//!   notes: [...]               # optional: the explanation lines, exactly
//!   now: 1700000000            # optional: the clock (default 0)
//! ```
//!
//! Every failing row is reported with its file and name. Besides, every function of the
//! standard registry has at least one case, a one-line description and read declarations that
//! parse.
//!
//! `tests/functions/rules/<file>.yaml` holds the cases of the functions the `rules/` pack
//! defines in its functions files (helpers, data-model methods), in the same format: each row
//! calls the function with its arguments read from a document (so as a rule passes event
//! fields, keys matched as the rule's), and may say `expect_missing: true` or give `mocks`
//! (function name → value). Every function of the pack has a case.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use pounce::Registry;
use pounce::lang::functions::{Args, NativeCtx};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The keys a row may have.
const KEYS: &[&str] = &[
    "name",
    "function",
    "args",
    "missing",
    "from_document",
    "expect",
    "expect_undefined",
    "expect_missing",
    "mocks",
    "notes",
    "now",
];

/// Functions that have no cases here, and why.
const NO_CASES: &[(&str, &str)] = &[(
    "udm",
    "the data-model look-up belongs to the rule files; tests/describe.rs and the packs cover it",
)];

/// Every case file, sorted.
fn case_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "yaml") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/functions"),
        &mut out,
    );
    out.sort();
    out
}

/// The rows of a case file.
fn rows(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    match serde_saphyr::from_str::<Value>(&text) {
        Ok(Value::Array(rows)) => rows,
        Ok(_) => panic!("{}: not a list of cases", path.display()),
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

/// Runs one row; `Err` says what went wrong.
fn run(registry: &Registry, row: &Value) -> Result<(), String> {
    let Value::Object(m) = row else {
        return Err("the row is not a mapping".into());
    };
    if let Some(k) = m.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!("unknown key `{k}`"));
    }
    if !m.get("name").is_some_and(Value::is_string) {
        return Err("no `name` (a string saying what the case shows)".into());
    }
    let name = m
        .get("function")
        .and_then(Value::as_str)
        .ok_or("no `function`")?;
    let native = registry
        .get(name)
        .ok_or_else(|| format!("no function `{name}`"))?;
    let args: &[Value] = match m.get("args") {
        None => &[],
        Some(Value::Array(a)) => a,
        Some(_) => return Err("`args` is not a list".into()),
    };
    let missing: Vec<u64> = match m.get("missing") {
        None => Vec::new(),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_u64).collect(),
        Some(_) => return Err("`missing` is not a list of indexes".into()),
    };
    let from_document: u64 = match m.get("from_document") {
        None => 0,
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_u64)
            .fold(0, |mask, i| mask | (1 << i)),
        Some(_) => return Err("`from_document` is not a list of indexes".into()),
    };
    let refs: Vec<Option<&Value>> = args
        .iter()
        .enumerate()
        .map(|(i, v)| (!missing.contains(&(i as u64))).then_some(v))
        .collect();
    let now = m.get("now").and_then(Value::as_i64).unwrap_or(0);
    let mut notes = Vec::new();
    let got = native.call(
        &Args::new(&refs).with_document_mask(from_document),
        &mut NativeCtx::new(now, Some(&mut notes)),
    );
    let call = format!(
        "{name}({})",
        refs.iter()
            .map(|a| a.map_or_else(|| "<missing>".to_string(), Value::to_string))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let shown = match &got {
        Ok(v) => v.to_string(),
        Err(e) => format!("undefined ({e})"),
    };
    match (m.get("expect"), m.get("expect_undefined"), &got) {
        (Some(want), None, Ok(v)) if v == want => {}
        (Some(want), None, _) => return Err(format!("{call} gave {shown}, expected {want}")),
        (None, Some(Value::Bool(true)), Err(_)) => {}
        (None, Some(Value::Bool(true)), Ok(_)) => {
            return Err(format!("{call} gave {shown}, expected undefined"));
        }
        _ => return Err("a row has exactly one of `expect` and `expect_undefined: true`".into()),
    }
    if let Some(want) = m.get("notes") {
        let want: Vec<&str> = want
            .as_array()
            .ok_or("`notes` is not a list")?
            .iter()
            .map(|n| n.as_str().unwrap_or_default())
            .collect();
        if notes != want {
            return Err(format!("{call} noted {notes:?}, expected {want:?}"));
        }
    }
    Ok(())
}

/// The folder of the `rules/` pack's function cases.
fn pack_cases() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/functions/rules")
}

/// The registry of the `rules/` pack: every shipped function and the pack's own.
fn pack_registry() -> Registry {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let (registry, bad) = pounce::panther::with_data_models(&[rules], &pounce::standard_registry());
    assert!(bad.is_empty(), "the pack's functions files have errors");
    registry
}

/// Runs one row of a pack function's cases; `Err` says what went wrong.
fn run_pack(registry: &Registry, row: &Value) -> Result<(), String> {
    use pounce::lang::{Env, KeyMatch, Outcome};
    let Value::Object(m) = row else {
        return Err("the row is not a mapping".into());
    };
    if let Some(k) = m
        .keys()
        .find(|k| !KEYS.contains(&k.as_str()) || *k == "notes" || *k == "from_document")
    {
        return Err(format!("key `{k}` is not for a pack function's case"));
    }
    let name = m
        .get("function")
        .and_then(Value::as_str)
        .ok_or("no `function`")?;
    if registry.function(name).is_none() {
        return Err(format!("the pack defines no function `{name}`"));
    }
    let args: &[Value] = match m.get("args") {
        None => &[],
        Some(Value::Array(a)) => a,
        Some(_) => return Err("`args` is not a list".into()),
    };
    let missing: Vec<u64> = m
        .get("missing")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default();
    let mut doc = serde_json::Map::new();
    for (i, a) in args.iter().enumerate() {
        if !missing.contains(&(i as u64)) {
            doc.insert(format!("arg{i}"), a.clone());
        }
    }
    let call = format!(
        "{name}({})",
        (0..args.len())
            .map(|i| format!("$.arg{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let program = pounce::compile(&call, registry).map_err(|e| format!("{call}: {e}"))?;
    let env = Env {
        now: m.get("now").and_then(Value::as_i64).unwrap_or(0),
        overrides: m
            .get("mocks")
            .and_then(Value::as_object)
            .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
        keys: KeyMatch::CaseInsensitiveFallback,
        ..Env::default()
    };
    let got = program.outcome_with(&Value::Object(doc.clone()), &env);
    let want = match (
        m.get("expect"),
        m.get("expect_undefined"),
        m.get("expect_missing"),
    ) {
        (Some(v), None, None) => Outcome::Value {
            value: v.clone(),
            from_document: false,
        },
        (None, Some(Value::Bool(true)), None) => Outcome::Undefined,
        (None, None, Some(Value::Bool(true))) => Outcome::Missing,
        _ => return Err("a row has exactly one of `expect`, `expect_undefined: true` and `expect_missing: true`".into()),
    };
    let same = match (&got, &want) {
        (Outcome::Value { value: a, .. }, Outcome::Value { value: b, .. }) => a == b,
        (a, b) => a == b,
    };
    if same {
        Ok(())
    } else {
        Err(format!(
            "{call} over {} gave {got:?}, expected {want:?}",
            Value::Object(doc)
        ))
    }
}

#[test]
fn the_rules_packs_functions_hold_their_cases() {
    let registry = pack_registry();
    let mut failures = Vec::new();
    let mut covered = BTreeSet::new();
    for path in case_files()
        .into_iter()
        .filter(|p| p.starts_with(pack_cases()))
    {
        for (i, row) in rows(&path).iter().enumerate() {
            if let Some(f) = row.get("function").and_then(Value::as_str) {
                covered.insert(f.to_string());
            }
            if let Err(e) = run_pack(&registry, row) {
                failures.push(format!("{}: row {}: {e}", path.display(), i + 1));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let without: Vec<&str> = registry
        .functions()
        .map(|f| f.name.as_str())
        .filter(|n| !covered.contains(*n))
        .collect();
    assert!(
        without.is_empty(),
        "functions of rules/ without a case in tests/functions/rules/: {without:?}"
    );
}

#[test]
fn every_case_holds() {
    let registry = pounce::standard_registry();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut failures = Vec::new();
    let mut count = 0;
    for path in case_files()
        .into_iter()
        .filter(|p| !p.starts_with(pack_cases()))
    {
        let shown = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .display()
            .to_string();
        for (i, row) in rows(&path).iter().enumerate() {
            count += 1;
            let label = row
                .get("name")
                .and_then(Value::as_str)
                .map_or_else(|| format!("row {}", i + 1), str::to_string);
            if let Err(e) = run(&registry, row) {
                failures.push(format!("{shown}: {label}: {e}"));
            }
        }
    }
    assert!(count > 0, "no cases found");
    assert!(
        failures.is_empty(),
        "{} of {count} cases fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_function_has_cases() {
    let registry = pounce::standard_registry();
    let mut covered = BTreeSet::new();
    for path in case_files()
        .into_iter()
        .filter(|p| !p.starts_with(pack_cases()))
    {
        for row in rows(&path) {
            if let Some(f) = row.get("function").and_then(Value::as_str) {
                covered.insert(f.to_string());
            }
        }
    }
    let without: Vec<&str> = registry
        .iter()
        .map(|n| n.name.as_str())
        .filter(|n| !covered.contains(*n) && !NO_CASES.iter().any(|(x, _)| x == n))
        .collect();
    assert!(
        without.is_empty(),
        "functions without a case in tests/functions/: {without:?}"
    );
}

#[test]
fn every_function_is_described_and_its_declared_reads_parse() {
    let registry = pounce::standard_registry();
    for n in registry.iter() {
        let d = &n.description;
        assert!(
            !d.trim().is_empty() && !d.contains('\n') && d.trim() == d,
            "`{}` needs a one-line description, has {d:?}",
            n.name
        );
        for &i in n.declared_reads() {
            assert!(
                n.arg_reads(i).is_some(),
                "`{}` declares what it reads of argument {i}, but a path does not parse (the argument is read whole)",
                n.name
            );
        }
    }
}

#[test]
fn standard_functions_have_unique_names() {
    let registry = pounce::standard_registry();
    assert!(
        registry.duplicates().is_empty(),
        "registered twice: {:?}",
        registry.duplicates()
    );
}
