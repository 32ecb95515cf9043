//! pounce: a small, exact condition language for cloud-security detections.
//!
//! The pipeline, one module per stage: [`syntax`] (text → AST) → [`check`] (diagnostics) →
//! [`compile`] (evaluation-ready [`Program`]) → [`eval`] (verdict). Natives plug in through
//! [`natives::Registry`].
//!
//! ```
//! use pounce::{compile, natives::Registry};
//! let program = compile("FromPort == 0 and ToPort == 65535", &Registry::standard()).unwrap();
//! assert!(program.eval(&serde_json::json!({"FromPort": 0, "ToPort": 65535})));
//! ```

#![allow(
    clippy::result_large_err,
    reason = "rule-file errors carry the file's text for rendering; they are rare and off the hot path"
)]

pub mod alert;
pub mod ast;
pub mod attack;
pub mod check;
pub mod compile;
pub mod diagnostics;
pub mod document;
pub mod engine;
pub mod error;
pub mod eval;
pub mod exclusions;
pub mod explain;
pub mod input;
pub mod lint;
pub mod natives;
pub mod project;
pub mod report;
pub mod rules;
pub mod stream;
pub mod syntax;

pub use compile::{Program, compile, compile_named};
pub use document::Document;
pub use error::{CompileError, ConditionError, ErrorCode};
pub use eval::{Env, KeyMatch};
