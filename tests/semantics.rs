//! The rows of the language's semantics (crates/lang/tests/semantics.rs) that call a function
//! pounce ships: natives over present, missing and multi-valued arguments, and test mocks that
//! replace them. Same document, same table form.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[macro_use]
mod common;

use common::lang::{doc, table_with};
use pounce::{Env, compile};
use serde_json::json;

/// Runs rows over one document with every function pounce ships.
fn table(doc: &serde_json::Value, rows: &[(&str, bool)]) {
    table_with(&common::registry(), doc, rows);
}

// ---------------------------------------------------------------------------------------
// Natives.

#[test]
fn natives() {
    table(
        &doc(),
        &[
            ("egress_allows_all_ports(open)", true),
            ("egress_allows_all_ports(closed)", false),
            ("not egress_allows_all_ports(closed)", true),
            ("egress_allows_all_ports(open) == true", true),
            ("egress_allows_all_ports(z)", false),
            ("egress_allows_all_ports(m)", false), // natives receive missing arguments as missing
            ("egress_allows_all_ports(s)", false),
            ("egress_allows_all_ports(obj)", false),
            ("egress_allows_all_ports([1])", true), // a non-object element has missing ports
            ("egress_allows_all_ports([])", false),
            // choice: over a multi-valued argument, a native is called once per value
            ("egress_allows_all_ports(sgs[*].perms)", true),
            ("egress_allows_all_ports($.sgs[0:1].perms)", false),
            ("egress_allows_all_ports(sgs[0].perms)", false),
            ("any(sgs, egress_allows_all_ports(perms))", true),
            ("all(sgs, egress_allows_all_ports(perms))", false),
        ],
    );
}

#[test]
fn mocks_replace_natives() {
    let program = compile("egress_allows_all_ports(open)", &common::registry()).unwrap();
    let mut env = Env::default();
    assert!(program.eval_with(&doc(), &env));
    env.overrides
        .insert("egress_allows_all_ports".to_string(), json!(false));
    assert!(!program.eval_with(&doc(), &env)); // choice: a mock is the native's return value
    env.overrides
        .insert("egress_allows_all_ports".to_string(), json!("yes"));
    assert!(!program.eval_with(&doc(), &env)); // a non-boolean result is not `true`
}
