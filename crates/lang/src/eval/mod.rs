//! Stage 4, evaluate: a [`Program`] over one document → a verdict. Documents are read in place
//! through [`Document`]; nothing is cloned but values a condition computes. Evaluation never
//! panics: type mismatches are false, failed arithmetic and functions are undefined. This file
//! walks the IR; `value.rs` holds operand values, `path.rs` path resolution, `ops.rs` the
//! operators.

mod budget;
mod collections;
mod ops;
mod path;
mod scope;
mod value;

pub(crate) use budget::Budget;
pub use budget::{BudgetExceeded, DEFAULT_MAX_STEPS};
pub(crate) use ops::{compare, test_vals};
pub(crate) use scope::Frame;
pub(crate) use value::{One, Ref, Vals};

use crate::ast::{ArithOp, Quantifier};
use crate::document::{Document, KeyMatch, Kind};
use crate::functions::{Args, Native, NativeCtx};
use crate::ir::{Node, NodeKind, Program};
use ops::{arith, arith_num, builtin};
use path::{access, index, resolve};
use serde_json::{Number, Value};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// What an evaluation may depend on besides the document: the clock, functions replaced by
/// fixed values, how keys match, and the most steps it may take.
#[derive(Clone, Debug)]
pub struct Env {
    /// Current time, seconds since the Unix epoch; natives read it instead of the system clock.
    pub now: i64,
    /// Functions replaced by a fixed value, by name (a host's test mocks): a call returns the
    /// value without running the function.
    pub overrides: BTreeMap<String, Value>,
    /// How object keys are matched.
    pub keys: KeyMatch,
    /// The most steps one evaluation may take ([`DEFAULT_MAX_STEPS`] by default).
    pub max_steps: u64,
}

impl Default for Env {
    fn default() -> Self {
        Env {
            now: 0,
            overrides: BTreeMap::new(),
            keys: KeyMatch::Exact,
            max_steps: DEFAULT_MAX_STEPS,
        }
    }
}

impl Env {
    /// An environment whose clock is the system clock.
    pub fn system() -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Env {
            now,
            ..Env::default()
        }
    }
}

impl Program {
    /// Evaluates the condition over `doc` with the system clock and no overrides.
    pub fn eval<D: Document + ?Sized>(&self, doc: &D) -> bool {
        self.eval_with(doc, &Env::system())
    }
    /// Evaluates the condition over `doc` in `env`. An evaluation over its budget
    /// (`env.max_steps`) counts as not flagged here: use [`Program::eval_checked`] to tell.
    pub fn eval_with<D: Document + ?Sized>(&self, doc: &D, env: &Env) -> bool {
        self.eval_checked(doc, env).unwrap_or(false)
    }
    /// Evaluates the condition over `doc` in `env`, or says that it took more steps than
    /// `env.max_steps` allows.
    pub fn eval_checked<D: Document + ?Sized>(
        &self,
        doc: &D,
        env: &Env,
    ) -> Result<bool, BudgetExceeded> {
        let budget = Budget::new(env.max_steps);
        let ctx = Ctx::top(doc, env, None, &budget);
        let v = truthy(&self.root, &ctx);
        budget.check(v)
    }
    /// The steps evaluating the condition over `doc` takes (for measuring budgets).
    pub fn steps<D: Document + ?Sized>(&self, doc: &D, env: &Env) -> u64 {
        let budget = Budget::new(u64::MAX);
        let ctx = Ctx::top(doc, env, None, &budget);
        truthy(&self.root, &ctx);
        budget.used()
    }
}

impl Program {
    /// The condition's value (not its truth) over `doc`: `None` when missing or undefined, a
    /// list for a multi-valued expression.
    pub fn value_with<D: Document + ?Sized>(&self, doc: &D, env: &Env) -> Option<Value> {
        self.value_checked(doc, env).unwrap_or(None)
    }
    /// The condition's value over `doc`, or that it took more steps than `env.max_steps`.
    pub fn value_checked<D: Document + ?Sized>(
        &self,
        doc: &D,
        env: &Env,
    ) -> Result<Option<Value>, BudgetExceeded> {
        let budget = Budget::new(env.max_steps);
        let ctx = Ctx::top(doc, env, None, &budget);
        let v = match operand(&self.root, &ctx) {
            Vals::One(o) => o.view().map(|r| r.to_value().into_owned()),
            Vals::Many(m) => Some(Value::Array(
                m.iter()
                    .filter_map(One::view)
                    .map(|r| r.to_value().into_owned())
                    .collect(),
            )),
        };
        budget.check(v)
    }
}

/// What an expression evaluated to, for a host that renders values (alert templates): a
/// value and whether it is a node of the document, or missing, or undefined.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// A value; `from_document` is true when it is a node of the document itself (read by a
    /// path, passed on by `??`, `if`, `let` or a function's parameter), false when the
    /// expression computed it (a literal, a function's result, a built list or object, the
    /// list of a multi-valued expression's values).
    Value {
        /// The value.
        value: Value,
        /// Whether it is a node of the document.
        from_document: bool,
    },
    /// The expression did not resolve (a path to nothing).
    Missing,
    /// The expression failed (arithmetic or a function failed, a wrong type).
    Undefined,
}

impl Program {
    /// The expression's [`Outcome`] over `doc`: like [`Program::value_with`], but telling a
    /// missing value from an undefined one and a node of the document from a computed value.
    /// An evaluation over its budget is undefined.
    pub fn outcome_with<D: Document + ?Sized>(&self, doc: &D, env: &Env) -> Outcome {
        let budget = Budget::new(env.max_steps);
        let ctx = Ctx::top(doc, env, None, &budget);
        let v = operand(&self.root, &ctx);
        if budget.exceeded() {
            return Outcome::Undefined;
        }
        match v {
            Vals::One(One::Missing) => Outcome::Missing,
            Vals::One(One::Undef) => Outcome::Undefined,
            Vals::One(o) => {
                let from_document = o.is_document();
                o.into_value()
                    .map_or(Outcome::Missing, |value| Outcome::Value {
                        value,
                        from_document,
                    })
            }
            Vals::Many(m) => Outcome::Value {
                value: Value::Array(
                    m.iter()
                        .filter_map(One::view)
                        .map(|r| r.to_value().into_owned())
                        .collect(),
                ),
                from_document: false,
            },
        }
    }
}

/// Evaluation context: the root, the current quantifier element, the environment, and the
/// bindings in scope (`'b`: the frames, which results never borrow).
pub(crate) struct Ctx<'a, 'b, D: ?Sized> {
    pub root: &'a D,
    pub cur: Option<Ref<'a, D>>,
    pub env: &'a Env,
    pub notes: Option<&'a RefCell<Vec<String>>>,
    pub frames: Option<&'b Frame<'a, 'b, D>>,
    pub budget: &'a Budget,
}

impl<D: ?Sized> Clone for Ctx<'_, '_, D> {
    fn clone(&self) -> Self {
        Ctx {
            root: self.root,
            cur: self.cur,
            env: self.env,
            notes: self.notes,
            frames: self.frames,
            budget: self.budget,
        }
    }
}

impl<'a, 'b, D: ?Sized> Ctx<'a, 'b, D> {
    /// The top-level context for `root`.
    pub(crate) fn top(
        root: &'a D,
        env: &'a Env,
        notes: Option<&'a RefCell<Vec<String>>>,
        budget: &'a Budget,
    ) -> Self {
        Ctx {
            root,
            cur: None,
            env,
            notes,
            frames: None,
            budget,
        }
    }
    /// The context of a quantifier's body for one element.
    pub(crate) fn element<'v>(&self, el: Ref<'v, D>) -> Ctx<'v, 'b, D>
    where
        'a: 'v,
    {
        Ctx {
            root: self.root,
            cur: Some(el),
            env: self.env,
            notes: self.notes,
            frames: self.frames,
            budget: self.budget,
        }
    }
}

/// The truth of a node used as a condition.
pub(crate) fn truthy<'a, D: Document + ?Sized>(node: &'a Node, ctx: &Ctx<'a, '_, D>) -> bool {
    if ctx.budget.spend(1) {
        return false;
    }
    match &node.kind {
        NodeKind::And(items) => items.iter().all(|n| truthy(n, ctx)),
        NodeKind::Or(items) => items.iter().any(|n| truthy(n, ctx)),
        NodeKind::Not(n) => !truthy(n, ctx),
        NodeKind::Compare {
            op,
            negated,
            lhs,
            rhs,
            pre,
            ..
        } => {
            let (l, r) = (operand(lhs, ctx), operand(rhs, ctx));
            if ctx.budget.spend(ops::compare_cost(*op, &l, &r)) {
                return false;
            }
            compare(*op, *negated, pre, &l, &r)
        }
        NodeKind::Test {
            test,
            negated,
            operand: o,
            ..
        } => test_vals(*test, &operand(o, ctx)) != *negated,
        NodeKind::Quantifier(q, list, body) if q.is_boolean() => {
            quantify(*q, list, body, ctx, |_, _| {})
        }
        NodeKind::If(c, a, b) => {
            if truthy(c, ctx) {
                truthy(a, ctx)
            } else {
                truthy(b, ctx)
            }
        }
        NodeKind::Let(slot, _, value, body) => {
            let frame = Frame::binding(*slot, operand(value, ctx), ctx.frames);
            let inner = Ctx {
                frames: Some(&frame),
                ..ctx.clone()
            };
            truthy(body, &inner)
        }
        _ => is_true(&operand(node, ctx)),
    }
}

/// A bare operand as a condition: true only for JSON `true` (some value, when multi-valued).
pub(crate) fn is_true<D: Document + ?Sized>(v: &Vals<'_, D>) -> bool {
    v.present().any(|r| r.as_bool() == Some(true))
}

/// Runs a quantifier; `seen(index, holds)` is told each element's result as it is evaluated.
pub(crate) fn quantify<'a, D: Document + ?Sized>(
    q: Quantifier,
    list: &'a Node,
    body: &'a Node,
    ctx: &Ctx<'a, '_, D>,
    mut seen: impl FnMut(usize, bool),
) -> bool {
    let vals = operand(list, ctx);
    let mut check = |i: usize, el: Ref<'_, D>| {
        let holds = truthy(body, &ctx.element(el));
        seen(i, holds);
        holds
    };
    let mut elements = elements_of(&vals);
    match q {
        Quantifier::Any => elements.any(|(i, el)| check(i, el)),
        Quantifier::All => elements.all(|(i, el)| check(i, el)),
        Quantifier::None => !elements.any(|(i, el)| check(i, el)),
        // Collection functions are values; as conditions they are read by `is_true`.
        _ => false,
    }
}

/// What a quantifier iterates: the values of a multi-valued operand, or one list's elements.
pub(crate) fn elements_of<'v, D: Document + ?Sized>(
    vals: &'v Vals<'_, D>,
) -> Box<dyn Iterator<Item = (usize, Ref<'v, D>)> + 'v> {
    match vals {
        Vals::Many(v) => Box::new(v.iter().filter_map(One::view).enumerate()),
        Vals::One(o) => match o.view() {
            Some(r) if r.kind() == Kind::Array => {
                Box::new((0..r.len()).filter_map(move |i| r.child(i).map(|c| (i, c))))
            }
            _ => Box::new(std::iter::empty()),
        },
    }
}

/// Evaluates a node as a value.
pub(crate) fn operand<'a, D: Document + ?Sized>(
    node: &'a Node,
    ctx: &Ctx<'a, '_, D>,
) -> Vals<'a, D> {
    if ctx.budget.spend(1) {
        return Vals::One(One::Undef);
    }
    match &node.kind {
        NodeKind::Literal(v) => Vals::One(One::Ref(Ref::J(v))),
        NodeKind::Path(p) => resolve(p, ctx),
        NodeKind::Builtin(b, arg) => map_values(operand(arg, ctx), |r| builtin(*b, r)),
        NodeKind::Neg(arg) => map_values(operand(arg, ctx), |r| {
            r.as_number()
                .and_then(|n| arith_num(ArithOp::Sub, &Number::from(0), n))
        }),
        NodeKind::Arith(op, l, r) => {
            let (l, r) = (operand(l, ctx), operand(r, ctx));
            arith(*op, &l, &r)
        }
        NodeKind::Native(native, args) => {
            if args.len() + usize::from(native.takes_document()) <= FAST_ARGS
                && ctx.env.overrides.is_empty()
                && let Some(v) = call_native_single(native, args, ctx)
            {
                return v;
            }
            let mut vals: Vec<Vals<'a, D>> = args.iter().map(|a| operand(a, ctx)).collect();
            if let Some(fixed) = ctx.env.overrides.get(&native.name) {
                if let Some(n) = ctx.notes {
                    n.borrow_mut()
                        .push(format!("`{}` is mocked: returns {fixed}", native.name));
                }
                return Vals::One(One::Owned(fixed.clone()));
            }
            if native.takes_document() {
                vals.push(Vals::One(One::Ref(Ref::D(ctx.root))));
            }
            call_native(native, &vals, ctx)
        }
        NodeKind::Access(base, segs, multi) => {
            access(&operand(base, ctx), segs, *multi, ctx.env.keys)
        }
        NodeKind::Index(base, i) => index(&operand(base, ctx), &operand(i, ctx), ctx.env.keys),
        NodeKind::Quantifier(q, list, body) if !q.is_boolean() => {
            collections::collect(*q, list, body, ctx)
        }
        NodeKind::If(c, a, b) => {
            if truthy(c, ctx) {
                operand(a, ctx)
            } else {
                operand(b, ctx)
            }
        }
        NodeKind::Coalesce(a, b) => collections::coalesce(operand(a, ctx), || operand(b, ctx)),
        NodeKind::List(items) => collections::list(items, ctx),
        NodeKind::Object(members) => collections::object(members, ctx),
        NodeKind::Let(slot, _, value, body) => {
            let frame = Frame::binding(*slot, operand(value, ctx), ctx.frames);
            let inner = Ctx {
                frames: Some(&frame),
                ..ctx.clone()
            };
            operand(body, &inner)
        }
        NodeKind::Call(f, args) => {
            if let Some(fixed) = ctx.env.overrides.get(&f.name) {
                if let Some(n) = ctx.notes {
                    n.borrow_mut()
                        .push(format!("`{}` is mocked: returns {fixed}", f.name));
                }
                return Vals::One(One::Owned(fixed.clone()));
            }
            let frame = Frame::call(args.iter().map(|a| operand(a, ctx)).collect());
            let inner = Ctx {
                root: ctx.root,
                cur: None,
                env: ctx.env,
                notes: ctx.notes,
                frames: Some(&frame),
                budget: ctx.budget,
            };
            operand(&f.body, &inner)
        }
        // Conditions used as values: their truth as a JSON boolean.
        _ => Vals::One(One::Owned(Value::Bool(truthy(node, ctx)))),
    }
}

/// Most arguments (the document included) the allocation-free native call path handles.
const FAST_ARGS: usize = 6;

/// Calls a native whose arguments are all single-valued without allocating (the common case:
/// `truthy(errorCode)`); `None` when some argument is multi-valued, for the general path.
fn call_native_single<'a, D: Document + ?Sized>(
    native: &Native,
    args: &'a [Node],
    ctx: &Ctx<'a, '_, D>,
) -> Option<Vals<'a, D>> {
    let doc_at = native.takes_document().then_some(args.len());
    let vals: [Option<Vals<'a, D>>; FAST_ARGS] = std::array::from_fn(|i| {
        if Some(i) == doc_at {
            return Some(Vals::One(One::Ref(Ref::D(ctx.root))));
        }
        args.get(i).map(|a| operand(a, ctx))
    });
    let count = args.len() + usize::from(doc_at.is_some());
    let mut cows: [Option<Cow<'_, Value>>; FAST_ARGS] = Default::default();
    for (slot, v) in cows.iter_mut().zip(vals.iter()) {
        match v {
            Some(Vals::One(o)) => *slot = o.view().map(Ref::to_value),
            Some(Vals::Many(_)) => return None,
            None => {}
        }
    }
    let refs: [Option<&Value>; FAST_ARGS] =
        std::array::from_fn(|i| cows.get(i).and_then(|c| c.as_deref()));
    let mask = vals
        .iter()
        .enumerate()
        .filter(|(_, v)| matches!(v, Some(Vals::One(o)) if o.is_document()))
        .fold(0u64, |m, (i, _)| m | (1u64 << i));
    let mut notes = ctx.notes.map(|n| n.borrow_mut());
    let mut nctx = native_ctx(ctx.env, notes.as_deref_mut());
    let args = Args::new(refs.get(..count).unwrap_or(&[])).with_document_mask(mask);
    let out = outcome(native, native.call(&args, &mut nctx), &mut nctx);
    Some(Vals::One(out))
}

/// The context a native is called in.
fn native_ctx<'n>(env: &'n Env, notes: Option<&'n mut Vec<String>>) -> NativeCtx<'n> {
    let mut c = NativeCtx::new(env.now, notes).with_overrides(&env.overrides);
    c.keys = env.keys;
    c
}

/// A native's result as an operand value: its value, missing, or undefined (noted).
fn outcome<'a, D: ?Sized>(
    native: &Native,
    result: Result<Value, crate::functions::NativeError>,
    nctx: &mut NativeCtx<'_>,
) -> One<'a, D> {
    match result {
        Ok(v) => One::Owned(v),
        Err(e) if e.is_missing() => One::Missing,
        Err(e) => {
            nctx.note(format_args!("`{}` failed: {e}", native.name));
            One::Undef
        }
    }
}

fn call_native<'a, D: Document + ?Sized>(
    native: &Native,
    vals: &[Vals<'a, D>],
    ctx: &Ctx<'a, '_, D>,
) -> Vals<'a, D> {
    // Each argument's values: one slot for a single value (possibly missing), all values for a
    // multi-valued one. The call is made per combination.
    // Each value with whether it is a node of the document.
    let per_arg: Vec<Vec<(Option<Cow<'_, Value>>, bool)>> = vals
        .iter()
        .map(|v| match v {
            Vals::One(o) => vec![(o.view().map(Ref::to_value), o.is_document())],
            Vals::Many(m) => m
                .iter()
                .filter(|o| o.view().is_some())
                .map(|o| (o.view().map(Ref::to_value), o.is_document()))
                .collect(),
        })
        .collect();
    let multi = vals.iter().any(|v| matches!(v, Vals::Many(_)));
    let mut results = Vec::new();
    let mut idx = vec![0usize; per_arg.len()];
    const MAX_COMBINATIONS: usize = 10_000;
    if per_arg.iter().all(|a| !a.is_empty()) {
        for _ in 0..MAX_COMBINATIONS {
            let args: Vec<Option<&Value>> = per_arg
                .iter()
                .zip(&idx)
                .map(|(a, &i)| a.get(i).and_then(|c| c.0.as_deref()))
                .collect();
            if ctx.budget.spend(1) {
                break;
            }
            let mask = per_arg
                .iter()
                .zip(&idx)
                .enumerate()
                .filter(|(k, (a, i))| *k < 64 && a.get(**i).is_some_and(|c| c.1))
                .fold(0u64, |m, (k, _)| m | (1u64 << k));
            let mut notes = ctx.notes.map(|n| n.borrow_mut());
            let mut nctx = native_ctx(ctx.env, notes.as_deref_mut());
            let result = native.call(&Args::new(&args).with_document_mask(mask), &mut nctx);
            results.push(outcome(native, result, &mut nctx));
            drop(notes);
            // Advance the odometer over argument values.
            let mut k = 0;
            while let Some(slot) = idx.get_mut(k) {
                *slot += 1;
                if *slot < per_arg.get(k).map_or(0, Vec::len) {
                    break;
                }
                *slot = 0;
                k += 1;
            }
            if k == idx.len() {
                break;
            }
        }
    }
    if multi {
        Vals::Many(
            results
                .into_iter()
                .filter(|o| !matches!(o, One::Undef | One::Missing))
                .collect(),
        )
    } else {
        Vals::One(results.into_iter().next().unwrap_or(One::Undef))
    }
}

fn map_values<'a, D: Document + ?Sized>(
    v: Vals<'a, D>,
    f: impl Fn(Ref<'_, D>) -> Option<Value>,
) -> Vals<'a, D> {
    match v {
        Vals::One(o) => Vals::One(o.view().and_then(&f).map_or(One::Undef, One::Owned)),
        Vals::Many(m) => Vals::Many(
            m.iter()
                .filter_map(One::view)
                .filter_map(&f)
                .map(One::Owned)
                .collect(),
        ),
    }
}
