//! The functions a condition can call, listed for people and programs (`pounce natives`):
//! the built-in functions of the language and every native of a registry, as a text table,
//! Markdown (docs/NATIVES.md is that output) or JSON.

use pounce_lang::Registry;

/// The built-in functions, which are part of the language rather than natives.
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
];

/// JSON: a list of `{name, min_args, max_args, description}`, one per native.
pub fn json(reg: &Registry) -> String {
    let v: Vec<serde_json::Value> = reg
        .iter()
        .map(|n| serde_json::json!({"name": n.name, "min_args": n.min_args, "max_args": n.max_args, "description": n.description}))
        .collect();
    super::json_document(&v)
}

/// A table for people: the built-in functions, then each native with its arity.
pub fn text(reg: &Registry) -> String {
    let width = reg.iter().map(|n| n.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (b, d) in BUILTINS {
        out.push_str(&format!("{b:<w$}  (built-in) {d}\n", w = width + 6));
    }
    for n in reg.iter() {
        out.push_str(&format!(
            "{:<w$}  {}\n",
            format!("{}/{}", n.name, n.arity()),
            n.description,
            w = width + 6
        ));
    }
    out
}

/// Markdown: the page docs/NATIVES.md.
pub fn markdown(reg: &Registry) -> String {
    let mut out = String::from(
        "# Natives\n\nFunctions a condition can call, as registered by `pounce::standard_registry()`. Each is a Rust\nfunction (its doc comment in `src/stdlib/` or `src/aws/` states its exact semantics and its tests pin\nthem). This file is the output of `pounce natives --format markdown`; a test keeps it in sync.\n\n## Built-in functions\n\n| function | meaning |\n|---|---|\n",
    );
    for (b, d) in BUILTINS {
        out.push_str(&format!("| `{b}` | {d} |\n"));
    }
    out.push_str("\n## Natives\n\n| native | arguments | meaning |\n|---|---|---|\n");
    for n in reg.iter() {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            n.name,
            n.arity(),
            n.description.replace('|', "\\|")
        ));
    }
    out
}
