//! The functions a condition can call, listed for people and programs (`pounce natives`), in
//! the order a call's name is resolved: a pack's own functions (functions files), the
//! language's built-ins, the standard library, then the host's natives. As a text table,
//! Markdown (docs/NATIVES.md is that output for the shipped functions) or JSON.

use pounce_lang::Registry;

/// The built-in functions, part of the language itself.
pub const BUILTINS: &[(&str, &str)] = &[
    (
        "len(x)",
        "characters of a string, elements of a list, entries of an object; undefined otherwise",
    ),
    (
        "lower(x)",
        "a string in lower case; undefined for anything else",
    ),
    (
        "upper(x)",
        "a string in upper case; undefined for anything else",
    ),
    (
        "first(L, C)",
        "the first element of L for which C holds (`@` is the element), or missing",
    ),
    (
        "filter(L, C)",
        "the list of the elements of L for which C holds",
    ),
    (
        "map(L, E)",
        "the list of E for each element of L (missing results left out)",
    ),
    ("count(L, C)", "how many elements of L C holds for"),
    ("any(L, C)", "C holds for some element of L"),
    ("all(L, C)", "C holds for every element of L"),
    ("none(L, C)", "C holds for no element of L"),
];

/// One function as listed.
struct Entry {
    kind: &'static str,
    name: String,
    signature: String,
    description: String,
    min_args: usize,
    max_args: usize,
}

/// Every function of `reg`, pack functions first, then built-ins, standard library, natives.
fn entries(reg: &Registry) -> Vec<Entry> {
    let mut out = Vec::new();
    for f in reg.functions() {
        out.push(Entry {
            kind: "pack",
            name: f.name.clone(),
            signature: f.signature(),
            description: format!("{} (defined in {})", f.source().trim(), f.origin),
            min_args: f.params.len(),
            max_args: f.params.len(),
        });
    }
    for (b, d) in BUILTINS {
        let name = b.split('(').next().unwrap_or(b).to_string();
        let arity = b.matches(',').count() + 1;
        out.push(Entry {
            kind: "builtin",
            name,
            signature: (*b).to_string(),
            description: (*d).to_string(),
            min_args: arity,
            max_args: arity,
        });
    }
    for standard in [true, false] {
        for n in reg.iter().filter(|n| n.is_standard() == standard) {
            out.push(Entry {
                kind: if standard { "standard" } else { "native" },
                name: n.name.clone(),
                signature: format!("{}/{}", n.name, n.arity()),
                description: n.description.clone(),
                min_args: n.min_args,
                max_args: n.max_args,
            });
        }
    }
    out
}

/// JSON: a list of `{kind, name, min_args, max_args, description}`; `kind` is `pack`,
/// `builtin`, `standard` or `native`.
pub fn json(reg: &Registry) -> String {
    let v: Vec<serde_json::Value> = entries(reg)
        .into_iter()
        .map(|e| {
            serde_json::json!({"kind": e.kind, "name": e.name, "min_args": e.min_args, "max_args": e.max_args, "description": e.description})
        })
        .collect();
    super::json_document(&v)
}

/// The heading of each kind, in listing order.
const KINDS: &[(&str, &str)] = &[
    ("pack", "Pack functions (functions files)"),
    ("builtin", "Built-in functions of the language"),
    ("standard", "Standard library"),
    ("native", "Host natives"),
];

/// A table for people, one section per kind.
pub fn text(reg: &Registry) -> String {
    let all = entries(reg);
    let width = all.iter().map(|e| e.signature.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (kind, title) in KINDS {
        let of: Vec<&Entry> = all.iter().filter(|e| e.kind == *kind).collect();
        if of.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!("{title}:\n"));
        for e in of {
            out.push_str(&format!("  {:<width$}  {}\n", e.signature, e.description));
        }
    }
    out
}

/// Markdown: the page docs/NATIVES.md.
pub fn markdown(reg: &Registry) -> String {
    let mut out = String::from(
        "# Functions\n\nFunctions a condition can call, as registered by `pounce::standard_registry()`, in the order a\ncall's name is resolved (a pack's own functions, defined in its functions files, come first; see\ndocs/LANGUAGE.md). Standard-library and native functions are Rust (their doc comments in\n`src/stdlib/` and `src/aws/` state their exact semantics, and their cases in `tests/functions/` pin\nthem). This file is the output of `pounce natives --format markdown`; a test keeps it in sync.\n",
    );
    let all = entries(reg);
    for (kind, title) in KINDS {
        let of: Vec<&Entry> = all.iter().filter(|e| e.kind == *kind).collect();
        if of.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n## {title}\n\n| function | arguments | meaning |\n|---|---|---|\n"
        ));
        for e in of {
            let args = if e.min_args == e.max_args {
                e.min_args.to_string()
            } else {
                format!("{} to {}", e.min_args, e.max_args)
            };
            let shown = if e.kind == "native" || e.kind == "standard" {
                e.name.clone()
            } else {
                e.signature.clone()
            };
            out.push_str(&format!(
                "| `{shown}` | {args} | {} |\n",
                e.description.replace('|', "\\|").replace('\n', " ")
            ));
        }
    }
    out
}

/// Which functions outside the language and its standard library one rule calls.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RuleUsage {
    /// The rule's ID.
    pub id: String,
    /// Host natives its condition and alert outputs call, directly or through the pack's
    /// functions, in order of first call (`udm` counted apart, as data-model look-ups).
    pub natives: Vec<String>,
    /// True when it reads data-model names (`udm`).
    pub udm: bool,
}

/// The usage of every rule of a pack.
pub fn usage(rules: &[crate::panther::Rule], registry: &Registry) -> Vec<RuleUsage> {
    rules
        .iter()
        .map(|r| {
            let mut calls = super::model::Calls::of(r.program.ast(), registry);
            for p in r.alert.programs() {
                calls.visit(p.ast(), registry);
            }
            let host: Vec<String> = calls
                .natives
                .iter()
                .filter(|n| registry.get(&n.name).is_none_or(|f| !f.is_standard()))
                .map(|n| n.name.clone())
                .collect();
            RuleUsage {
                id: r.id.clone(),
                udm: host.iter().any(|n| n == "udm"),
                natives: host.into_iter().filter(|n| n != "udm").collect(),
            }
        })
        .collect()
}

/// The usage report for people: each rule that calls host natives, then the counts.
pub fn usage_text(rows: &[RuleUsage]) -> String {
    let mut out = String::new();
    for r in rows.iter().filter(|r| !r.natives.is_empty()) {
        out.push_str(&format!("{}: {}\n", r.id, r.natives.join(", ")));
    }
    let pure = rows.iter().filter(|r| r.natives.is_empty()).count();
    let strict = rows
        .iter()
        .filter(|r| r.natives.is_empty() && !r.udm)
        .count();
    out.push_str(&format!(
        "{pure} of {} rules call nothing outside the language, its standard library and the pack's data models ({strict} without data models either)\n",
        rows.len()
    ));
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for r in rows {
        for n in &r.natives {
            *counts.entry(n.as_str()).or_default() += 1;
        }
    }
    if !counts.is_empty() {
        out.push_str("host natives by number of rules calling them:");
        let mut by: Vec<(&str, usize)> = counts.into_iter().collect();
        by.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        for (n, c) in by {
            out.push_str(&format!(" {n} {c},"));
        }
        out.pop();
        out.push('\n');
    }
    out
}
