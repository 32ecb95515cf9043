//! The native extension hook: Rust functions a condition can call by name. The checker reads
//! the same [`Registry`], so an unknown name or a wrong argument count is a compile error.

mod cloudtrail;
mod compute;
mod ct_a;
mod ct_b;
mod ct_c;
mod general;
mod iam;
mod network;
mod services;
mod storage;
mod time;

pub use general::{fnmatch, truthy};
pub use time::parse_timestamp;

use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// What a native gets besides its arguments: the clock and a place for explanation lines.
pub struct NativeCtx<'n> {
    /// The current time as seconds since the Unix epoch (injectable for tests).
    pub now: i64,
    notes: Option<&'n mut Vec<String>>,
}

impl<'n> NativeCtx<'n> {
    /// A context; `notes` collects explanation lines when an explanation is being built.
    pub fn new(now: i64, notes: Option<&'n mut Vec<String>>) -> Self {
        NativeCtx { now, notes }
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
}

impl<'a> Args<'a> {
    /// Wraps evaluated arguments.
    pub fn new(values: &'a [Option<&'a Value>]) -> Self {
        Args { values }
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

/// Why a native could not produce a value; the call's result is then undefined.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct NativeError(pub String);

/// The closure behind a native.
pub type NativeFn =
    dyn Fn(&Args<'_>, &mut NativeCtx<'_>) -> Result<Value, NativeError> + Send + Sync;

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
    reads: Vec<Option<Vec<Vec<crate::ast::Segment>>>>,
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
        }
    }
    /// Declares that of argument `i` the native reads only these paths (written like condition
    /// paths relative to the argument: `[*].FromPort`, `Statement[*].Effect`), so pounce parses
    /// no more of a record than that. Without it a native sees its arguments whole. A path
    /// that does not parse makes the argument read whole.
    pub fn reads_arg(mut self, i: usize, paths: &[&str]) -> Self {
        if self.reads.len() <= i {
            self.reads.resize(i + 1, None);
        }
        let parsed: Option<Vec<Vec<crate::ast::Segment>>> =
            paths.iter().map(|p| parse_relative_path(p)).collect();
        if let Some(slot) = self.reads.get_mut(i) {
            *slot = parsed;
        }
        self
    }
    /// The paths of argument `i` the native reads, when it declared them.
    pub fn arg_reads(&self, i: usize) -> Option<&[Vec<crate::ast::Segment>]> {
        self.reads.get(i).and_then(|r| r.as_deref())
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

#[cfg(test)]
mod tests {
    #[test]
    fn standard_natives_have_unique_names() {
        let r = super::Registry::standard();
        assert!(
            r.duplicates().is_empty(),
            "registered twice: {:?}",
            r.duplicates()
        );
    }
}

/// Parses `[*].a.b[0]` / `a[*]` into segments; `None` when it is not such a path.
fn parse_relative_path(p: &str) -> Option<Vec<crate::ast::Segment>> {
    use crate::ast::Segment;
    let mut out = Vec::new();
    let mut rest = p;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let inner = r.get(..end)?;
            out.push(if inner == "*" {
                Segment::Wildcard
            } else {
                Segment::Index(inner.parse().ok()?)
            });
            rest = r.get(end + 1..)?;
        } else {
            let r = rest.strip_prefix('.').unwrap_or(rest);
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let key = r.get(..end)?;
            if key.is_empty() {
                return None;
            }
            out.push(Segment::Key(key.to_string()));
            rest = r.get(end..)?;
        }
    }
    Some(out)
}

/// The natives a condition may call.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    natives: BTreeMap<String, Arc<Native>>,
    /// Names registered more than once (the last one wins); the standard set has none.
    duplicates: Vec<String>,
    data_models: Vec<Arc<crate::rules::datamodel::DataModel>>,
}

impl Registry {
    /// An empty registry.
    pub fn empty() -> Self {
        Registry::default()
    }
    /// The natives pounce ships.
    pub fn standard() -> Self {
        let mut r = Registry::empty();
        general::register(&mut r);
        network::register(&mut r);
        time::register(&mut r);
        iam::register(&mut r);
        storage::register(&mut r);
        compute::register(&mut r);
        services::register(&mut r);
        cloudtrail::register(&mut r);
        ct_a::register(&mut r);
        ct_b::register(&mut r);
        ct_c::register(&mut r);
        r
    }
    /// Adds a data model, making `udm("name")` available for its names.
    pub fn add_data_model(&mut self, model: crate::rules::datamodel::DataModel) {
        self.data_models.push(Arc::new(model));
    }
    /// The data models, in the order they were added.
    pub fn data_models(&self) -> &[Arc<crate::rules::datamodel::DataModel>] {
        &self.data_models
    }
    /// Every name some data model maps.
    pub fn udm_names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .data_models
            .iter()
            .flat_map(|m| m.mappings.iter().map(|(n, _)| n.as_str()))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }
    /// Adds (or replaces) a native.
    pub fn register(&mut self, native: Native) {
        if let Some(old) = self.natives.insert(native.name.clone(), Arc::new(native)) {
            self.duplicates.push(old.name.clone());
        }
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
}
