//! Helpers shared by pounce's integration tests. The language's own helpers (semantics tables,
//! diagnostics checks) are crates/lang/tests/common/mod.rs, included here as [`lang`].
#![allow(dead_code, unused_imports)]

#[path = "../../crates/lang/tests/common/mod.rs"]
#[macro_use]
pub mod lang;

pub use lang::first_error;
