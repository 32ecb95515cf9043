//! S3: whether an IAM `Action` covers every S3 action (which needs the bundled action catalogue
//! of `iam/actions.rs`).

use pounce_lang::functions::{Args, Native, NativeCtx, Registry};
use serde_json::Value;

/// Registers the functions of this file.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "grants_all_s3_actions",
        1,
        1,
        "true when an IAM Action value (string or list), expanded against the IAM action catalogue, covers every S3 action (needs the bundled catalogue of S3 actions)",
        |a: &Args<'_>, ctx: &mut NativeCtx<'_>| Ok(Value::Bool(super::iam::actions::grants_all_s3_actions(a.get(0), ctx))),
    ));
}
