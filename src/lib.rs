//! pounce: a small, exact condition language for cloud-security detections, and the tools
//! around it. The language itself is the crate [`pounce_lang`] (re-exported as [`lang`]); this
//! crate adds the functions conditions call, the Panther host (rule files, data models, alert
//! templates, tests), the engine that runs packs over streams, lint and reports.
//!
//! ```
//! use pounce::{compile, standard_registry};
//! let program = compile("FromPort == 0 and ToPort == 65535", &standard_registry()).unwrap();
//! assert!(program.eval(&serde_json::json!({"FromPort": 0, "ToPort": 65535})));
//! ```

#![allow(
    clippy::result_large_err,
    reason = "rule-file errors carry the file's text for rendering; they are rare and off the hot path"
)]

pub use pounce_lang as lang;

pub mod aws;
pub mod engine;
pub mod lint;
pub mod panther;
pub mod report;
pub mod stdlib;

pub use lang::{
    CompileError, ConditionError, Document, Env, ErrorCode, KeyMatch, Program, Registry, compile,
    compile_named,
};

/// Every function pounce ships, in one registry: the standard library, the AWS domain
/// functions, and `udm` (which knows no data model until rule files load one).
pub fn standard_registry() -> Registry {
    let mut r = Registry::empty();
    stdlib::register(&mut r);
    aws::register(&mut r);
    r.register(panther::datamodel::udm_function(
        &[],
        &r,
        &panther::datamodel::MethodFunctions::default(),
    ));
    r
}
