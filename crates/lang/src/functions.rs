//! The function registry: the language's built-ins and the functions a host plugs in by name
//! (the extension hook). The checker reads the same [`Registry`], so an unknown name or a wrong
//! argument count is a compile error. A function may resolve its literal arguments at compile
//! time ([`Native::prepared`]) and may read the whole document ([`Native::with_document`]).

use crate::ast::Segment;
use crate::document::KeyMatch;
use crate::error::ErrorCode;
use crate::ir::Function;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// What a native gets besides its arguments: the clock, the evaluation's overrides and a place
/// for explanation lines.
pub struct NativeCtx<'n> {
    /// The current time as seconds since the Unix epoch (injectable for tests).
    pub now: i64,
    /// How the evaluation matches object keys; a native that looks keys up follows it.
    pub keys: KeyMatch,
    notes: Option<&'n mut Vec<String>>,
    overrides: Option<&'n BTreeMap<String, Value>>,
}

impl<'n> NativeCtx<'n> {
    /// A context; `notes` collects explanation lines when an explanation is being built.
    pub fn new(now: i64, notes: Option<&'n mut Vec<String>>) -> Self {
        NativeCtx {
            now,
            keys: KeyMatch::Exact,
            notes,
            overrides: None,
        }
    }
    /// The same context, with the evaluation's function overrides (see `Env::overrides`).
    pub fn with_overrides(mut self, overrides: &'n BTreeMap<String, Value>) -> Self {
        self.overrides = Some(overrides);
        self
    }
    /// The fixed value function `name` is overridden with in this evaluation, if any: a native
    /// that calls another function itself consults it, as the evaluator does for calls.
    pub fn overridden(&self, name: &str) -> Option<&'n Value> {
        self.overrides.and_then(|o| o.get(name))
    }
    /// True when explanation lines are being collected (skip building them otherwise).
    pub fn explaining(&self) -> bool {
        self.notes.is_some()
    }
    /// Adds a line to the explanation; formatted only when one is being built.
    pub fn note(&mut self, line: fmt::Arguments<'_>) {
        if let Some(n) = self.notes.as_deref_mut() {
            n.push(line.to_string());
        }
    }
}

/// The arguments of a native call; `None` stands for a missing or undefined argument.
pub struct Args<'a> {
    values: &'a [Option<&'a Value>],
    /// Bit `i` set: argument `i` is a node of the document itself (a path read it), not a value
    /// the condition computed (for hosts that render the two differently).
    from_document: u64,
}

impl<'a> Args<'a> {
    /// Wraps evaluated arguments.
    pub fn new(values: &'a [Option<&'a Value>]) -> Self {
        Args {
            values,
            from_document: 0,
        }
    }
    /// The same arguments, with bit `i` of `mask` set for each argument read straight from the
    /// document.
    pub fn with_document_mask(mut self, mask: u64) -> Self {
        self.from_document = mask;
        self
    }
    /// True when argument `i` is a node of the document (read by a path, passed on by `??`,
    /// `if`, `let` or a function's parameter), false for a value the condition computed (a
    /// literal, a function's result, a list or object built in the condition).
    pub fn from_document(&self, i: usize) -> bool {
        i < 64 && self.from_document & (1u64 << i) != 0
    }
    /// Argument `i`, or `None` when it is missing, undefined or not given.
    pub fn get(&self, i: usize) -> Option<&'a Value> {
        self.values.get(i).copied().flatten()
    }
    /// Number of arguments passed.
    pub fn len(&self) -> usize {
        self.values.len()
    }
    /// True when no argument was passed.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// Why a native could not produce a value; the call's result is then undefined (explain
/// shows the message). [`NativeError::missing`] says instead that there is no value, as a path
/// that does not resolve: the result is then missing, and nothing is noted.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct NativeError(pub String);

impl NativeError {
    /// The value is missing (not undefined): what a look-up that finds nothing returns.
    pub fn missing() -> Self {
        NativeError(String::new())
    }
    /// True for [`NativeError::missing`].
    pub fn is_missing(&self) -> bool {
        self.0.is_empty()
    }
}

/// The closure behind a native.
pub type NativeFn =
    dyn Fn(&Args<'_>, &mut NativeCtx<'_>) -> Result<Value, NativeError> + Send + Sync;

/// Why a function refused its literal arguments at compile time (see [`Native::prepared`]).
#[derive(Clone, Debug, PartialEq)]
pub struct ArgError {
    /// The error code reported.
    pub code: ErrorCode,
    /// The argument at fault (its span is underlined), or `None` for the whole call.
    pub arg: Option<usize>,
    /// One-line message.
    pub message: String,
    /// The label under the span.
    pub label: String,
    /// How to fix it.
    pub help: Option<String>,
}

/// The compile-time step of a prepared function: gets the call's arguments (`Some` for each
/// literal, `None` for anything else) and returns the function to call at run time.
pub type PrepareFn = dyn Fn(&[Option<&Value>]) -> Result<Native, ArgError> + Send + Sync;

/// A native function: name, accepted argument counts, a one-line description and the code.
#[derive(Clone)]
pub struct Native {
    /// The name conditions call it by.
    pub name: String,
    /// Fewest arguments accepted.
    pub min_args: usize,
    /// Most arguments accepted.
    pub max_args: usize,
    /// One line saying what it computes.
    pub description: String,
    func: Arc<NativeFn>,
    /// Per argument: the paths below it the native reads (`None`: all of it).
    reads: Vec<Option<Vec<Vec<Segment>>>>,
    /// The arguments a read declaration was made for, parsed or not (see [`Native::declared_reads`]).
    declared: Vec<usize>,
    /// Called with the whole document as an extra last argument.
    document: bool,
    /// Resolves literal arguments at compile time into the function called at run time.
    prepare: Option<Arc<PrepareFn>>,
    /// Part of the standard library (listed apart from a host's natives).
    standard: bool,
}

impl fmt::Debug for Native {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Native({}/{}..={})",
            self.name, self.min_args, self.max_args
        )
    }
}

impl Native {
    /// A native taking between `min_args` and `max_args` arguments.
    pub fn new<F>(name: &str, min_args: usize, max_args: usize, description: &str, func: F) -> Self
    where
        F: Fn(&Args<'_>, &mut NativeCtx<'_>) -> Result<Value, NativeError> + Send + Sync + 'static,
    {
        Native {
            name: name.to_string(),
            min_args,
            max_args: max_args.max(min_args),
            description: description.to_string(),
            func: Arc::new(func),
            reads: Vec::new(),
            declared: Vec::new(),
            document: false,
            prepare: None,
            standard: false,
        }
    }
    /// Marks the function as part of the standard library: general-purpose, knowing nothing of
    /// a domain (listed apart from host natives).
    pub fn standard(mut self) -> Self {
        self.standard = true;
        self
    }
    /// True for a standard-library function.
    pub fn is_standard(&self) -> bool {
        self.standard
    }
    /// A function whose literal arguments are resolved when a condition is compiled: `prepare`
    /// gets them (`None` for an argument that is not a literal) and returns the native that
    /// the call runs, or an error the checker reports. A host uses it for look-ups decided by
    /// a constant, such as a data-model name.
    pub fn prepared<F>(
        name: &str,
        min_args: usize,
        max_args: usize,
        description: &str,
        prepare: F,
    ) -> Self
    where
        F: Fn(&[Option<&Value>]) -> Result<Native, ArgError> + Send + Sync + 'static,
    {
        let mut n = Native::new(name, min_args, max_args, description, |_, _| {
            Err(NativeError("called before it was prepared".into()))
        });
        n.prepare = Some(Arc::new(prepare));
        n
    }
    /// Makes the document being evaluated an extra last argument of every call (read whole
    /// unless [`Native::reads_arg`] declares what is read of it, at index = the call's
    /// argument count).
    pub fn with_document(mut self) -> Self {
        self.document = true;
        self
    }
    /// True when calls get the document as an extra last argument.
    pub fn takes_document(&self) -> bool {
        self.document
    }
    /// Runs the compile-time step of a prepared function over the call's literal arguments;
    /// `None` for an ordinary native.
    pub fn prepare(&self, literals: &[Option<&Value>]) -> Option<Result<Native, ArgError>> {
        self.prepare.as_ref().map(|p| p(literals))
    }
    /// Declares that of argument `i` the native reads only these paths (written like condition
    /// paths relative to the argument: `[*].FromPort`, `Statement[*].Effect`), so pounce parses
    /// no more of a record than that. Without it a native sees its arguments whole. A path
    /// that does not parse makes the argument read whole.
    pub fn reads_arg(mut self, i: usize, paths: &[&str]) -> Self {
        if self.reads.len() <= i {
            self.reads.resize(i + 1, None);
        }
        let parsed: Option<Vec<Vec<Segment>>> = paths
            .iter()
            .map(|p| crate::syntax::relative_path(p))
            .collect();
        if let Some(slot) = self.reads.get_mut(i) {
            *slot = parsed;
        }
        self.declared.push(i);
        self
    }
    /// Declares what the native reads of argument `i` as path segments (see
    /// [`Native::reads_arg`]).
    pub fn reads_arg_segments(mut self, i: usize, paths: Vec<Vec<Segment>>) -> Self {
        if self.reads.len() <= i {
            self.reads.resize(i + 1, None);
        }
        if let Some(slot) = self.reads.get_mut(i) {
            *slot = Some(paths);
        }
        self.declared.push(i);
        self
    }
    /// The paths of argument `i` the native reads, when it declared them.
    pub fn arg_reads(&self, i: usize) -> Option<&[Vec<Segment>]> {
        self.reads.get(i).and_then(|r| r.as_deref())
    }
    /// The arguments a read declaration was made for, in order, whether it parsed or not: a
    /// test can check that [`Native::arg_reads`] has each of them (a declaration that does not
    /// parse silently makes its argument read whole).
    pub fn declared_reads(&self) -> &[usize] {
        &self.declared
    }
    /// Calls it.
    pub fn call(&self, args: &Args<'_>, ctx: &mut NativeCtx<'_>) -> Result<Value, NativeError> {
        (self.func)(args, ctx)
    }
    /// The accepted argument counts as text (`1`, `1 to 2`).
    pub fn arity(&self) -> String {
        if self.min_args == self.max_args {
            self.min_args.to_string()
        } else {
            format!("{} to {}", self.min_args, self.max_args)
        }
    }
}

/// The natives a condition may call.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    natives: BTreeMap<String, Arc<Native>>,
    /// Names registered more than once (the last one wins); the standard set has none.
    duplicates: Vec<String>,
    /// User-defined functions (a pack's functions files), compiled once.
    functions: BTreeMap<String, Arc<Function>>,
}

impl Registry {
    /// An empty registry.
    pub fn empty() -> Self {
        Registry::default()
    }
    /// Adds a native; a name registered twice is recorded in [`Registry::duplicates`] (the
    /// later one wins).
    pub fn register(&mut self, native: Native) {
        if let Some(old) = self.natives.insert(native.name.clone(), Arc::new(native)) {
            self.duplicates.push(old.name.clone());
        }
    }
    /// Adds a native in place of one of the same name, on purpose (a host refining a function
    /// it registered before, such as `udm` once data models are loaded).
    pub fn replace(&mut self, native: Native) {
        self.natives.insert(native.name.clone(), Arc::new(native));
    }
    /// Names that were registered more than once (the later registration replaced the earlier).
    pub fn duplicates(&self) -> &[String] {
        &self.duplicates
    }
    /// The native named `name`.
    pub fn get(&self, name: &str) -> Option<&Arc<Native>> {
        self.natives.get(name)
    }
    /// Every native, by name.
    pub fn iter(&self) -> impl Iterator<Item = &Native> {
        self.natives.values().map(|n| n.as_ref())
    }
    /// The user-defined function named `name`.
    pub fn function(&self, name: &str) -> Option<&Arc<Function>> {
        self.functions.get(name)
    }
    /// Every user-defined function, by name.
    pub fn functions(&self) -> impl Iterator<Item = &Function> {
        self.functions.values().map(|f| f.as_ref())
    }
    /// Compiles user-defined functions and adds those that compile; returns the errors of the
    /// others (a function that calls an invalid one is not added either). Functions may call
    /// each other in any order of definition, but not in a cycle.
    pub fn define(&mut self, defs: &[FunctionDef]) -> Vec<FunctionError> {
        crate::compile::define_functions(self, defs)
    }
    pub(crate) fn insert_function(&mut self, f: Function) {
        self.functions.insert(f.name.clone(), Arc::new(f));
    }
}

/// A user-defined function as a host hands it over: `name(params): body`.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionDef {
    /// Its name.
    pub name: String,
    /// Its parameters, in order.
    pub params: Vec<String>,
    /// The body: an expression of the language.
    pub body: String,
    /// Where it is defined (a file name), for messages and pages.
    pub origin: String,
}

/// Why a user-defined function was not added.
#[derive(Debug)]
pub struct FunctionError {
    /// Its position in the definitions given to [`Registry::define`].
    pub index: usize,
    /// True when the errors are about the name or parameters (their spans are in
    /// `name(params)` as written), false when they are in the body.
    pub in_signature: bool,
    /// The errors, with the source they point into.
    pub error: crate::error::CompileError,
}

/// The built-in functions.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Builtin {
    /// `len(x)`: characters of a string, elements of a list, entries of an object.
    Len,
    /// `lower(x)`: a string in lower case.
    Lower,
    /// `upper(x)`: a string in upper case.
    Upper,
}

impl Builtin {
    /// Their names.
    pub const NAMES: &'static [&'static str] = &["len", "lower", "upper"];
    /// The built-in called `name`.
    pub fn from_name(name: &str) -> Option<Builtin> {
        match name {
            "len" => Some(Builtin::Len),
            "lower" => Some(Builtin::Lower),
            "upper" => Some(Builtin::Upper),
            _ => None,
        }
    }
}
