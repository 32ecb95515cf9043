//! What the unit tests of functions share: calling a function with arguments (some missing) at
//! time 0. Most cases of a function are data in `tests/functions/` (run by tests/functions.rs);
//! unit tests here are for what a case row cannot say (a helper's own rules, a whole catalogue).

use pounce_lang::functions::{Args, NativeCtx, NativeError, Registry};
use serde_json::Value;

/// A function as its file defines it.
pub(crate) type Fun = fn(&Args<'_>, &mut NativeCtx<'_>) -> Result<Value, NativeError>;

/// Calls `f` with `args` (`None` is a missing argument) at time 0, collecting explanation notes
/// (so the code that writes them runs too).
pub(crate) fn call(f: Fun, args: &[Option<Value>]) -> Result<Value, NativeError> {
    call_noting(f, args).0
}

/// [`call`], with the explanation notes it wrote.
pub(crate) fn call_noting(
    f: Fun,
    args: &[Option<Value>],
) -> (Result<Value, NativeError>, Vec<String>) {
    let refs: Vec<Option<&Value>> = args.iter().map(Option::as_ref).collect();
    let mut notes = Vec::new();
    let out = f(&Args::new(&refs), &mut NativeCtx::new(0, Some(&mut notes)));
    (out, notes)
}

/// The value [`call`] gives, `None` when the call is undefined.
pub(crate) fn value(f: Fun, args: &[Option<Value>]) -> Option<Value> {
    call(f, args).ok()
}

/// The names `register` registers, in order, after checking that none is registered twice and
/// that each has a description.
pub(crate) fn registered(register: fn(&mut Registry)) -> Vec<String> {
    let mut r = Registry::empty();
    register(&mut r);
    assert!(r.duplicates().is_empty(), "{:?}", r.duplicates());
    assert!(r.iter().all(|n| !n.description.is_empty()));
    r.iter().map(|n| n.name.clone()).collect()
}
