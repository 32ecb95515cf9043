//! pounce's condition language, on its own: text → [`syntax`] (AST with spans) → [`check`]
//! (every error, with codes and fixes) → [`compile`] (an immutable, `Send + Sync` [`Program`])
//! → [`eval`] (a verdict over a [`Document`]) or [`explain`] (the same evaluation, traced).
//! Functions come from a [`Registry`] the host fills; the language knows nothing of rule
//! files, Panther, AWS or where documents come from.
//!
//! ```
//! use pounce_lang::{compile, Registry};
//! let program = compile("FromPort == 0 and ToPort == 65535", &Registry::empty()).unwrap();
//! assert!(program.eval(&serde_json::json!({"FromPort": 0, "ToPort": 65535})));
//! ```

pub mod ast;
pub mod check;
pub mod compile;
pub mod cost;
mod define;
pub mod document;
pub mod error;
pub mod eval;
pub mod exclusions;
pub mod explain;
pub mod functions;
pub mod ir;
pub mod literals;
pub mod reads;
pub mod span;
pub mod suggest;
pub mod syntax;

pub use compile::{compile, compile_named};
pub use document::{Document, KeyMatch};
pub use error::{CompileError, ConditionError, ErrorCode};
pub use eval::{Env, Outcome};
pub use functions::{Args, FunctionDef, FunctionError, Native, NativeCtx, NativeError, Registry};
pub use ir::Function;
pub use ir::Program;
