//! Functions over JSON held in strings: `parse_json`.

use pounce_lang::functions::{Args, Native, NativeCtx, NativeError, Registry};
use serde_json::Value;

/// Registers the functions of this file.
pub fn register(r: &mut Registry) {
    r.register(Native::new(
        "parse_json",
        1,
        1,
        "the JSON value a string holds (a non-string is returned as is); undefined when the string is not JSON",
        parse_json,
    ));
}

/// `parse_json(s)`: a string holding JSON → that value; other values pass through.
fn parse_json(a: &Args<'_>, _: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
    match a.get(0) {
        Some(Value::String(s)) => {
            serde_json::from_str(s).map_err(|e| NativeError(format!("not JSON: {e}")))
        }
        Some(other) => Ok(other.clone()),
        None => Err(NativeError("missing argument".into())),
    }
}
