//! Stage 4, evaluate: a [`Program`] over one document → a verdict. Documents are read in place
//! through [`Document`]; nothing is cloned but values a condition computes. Evaluation never
//! panics: type mismatches are false, failed arithmetic and functions are undefined.

use crate::ast::{ArithOp, CmpOp, Quantifier, Segment, TestKind};
use crate::compile::{Builtin, CPath, CRoot, Node, NodeKind, Prebuilt, Program};
use crate::document::{Document, Kind, deep_eq, number_cmp};
use crate::natives::{Args, NativeCtx};
use serde_json::{Number, Value};
use std::borrow::Cow;
use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::net::IpAddr;

/// What an evaluation may depend on besides the document: the clock and per-test mocks.
#[derive(Clone, Debug, Default)]
pub struct Env {
    /// Current time, seconds since the Unix epoch; natives read it instead of the system clock.
    pub now: i64,
    /// Natives replaced by a fixed value (Panther `Mocks`), by name.
    pub mocks: BTreeMap<String, Value>,
    /// How object keys are matched.
    pub keys: KeyMatch,
}

/// How a path's keys match an object's keys.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyMatch {
    /// Exactly (policies, by default).
    #[default]
    Exact,
    /// Exactly, else the first key equal ignoring ASCII case (rules, as Panther events do).
    CaseInsensitiveFallback,
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
            mocks: BTreeMap::new(),
            keys: KeyMatch::Exact,
        }
    }
}

impl Program {
    /// Evaluates the condition over `doc` with the system clock and no mocks.
    pub fn eval<D: Document + ?Sized>(&self, doc: &D) -> bool {
        self.eval_with(doc, &Env::system())
    }
    /// Evaluates the condition over `doc` in `env`.
    pub fn eval_with<D: Document + ?Sized>(&self, doc: &D, env: &Env) -> bool {
        let ctx = Ctx {
            root: doc,
            cur: None,
            env,
            notes: None,
        };
        truthy(&self.root, &ctx)
    }
}

impl Program {
    /// The condition's value (not its truth) over `doc`: `None` when missing or undefined, a
    /// list for a multi-valued expression.
    pub fn value_with<D: Document + ?Sized>(&self, doc: &D, env: &Env) -> Option<Value> {
        let ctx = Ctx {
            root: doc,
            cur: None,
            env,
            notes: None,
        };
        match operand(&self.root, &ctx) {
            Vals::One(o) => o.view().map(|r| r.to_value().into_owned()),
            Vals::Many(m) => Some(Value::Array(
                m.iter()
                    .filter_map(One::view)
                    .map(|r| r.to_value().into_owned())
                    .collect(),
            )),
        }
    }
}

/// A node of the document or of a JSON value the program holds or computed.
pub(crate) enum Ref<'a, D: ?Sized> {
    D(&'a D),
    J(&'a Value),
}

impl<D: ?Sized> Clone for Ref<'_, D> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<D: ?Sized> Copy for Ref<'_, D> {}

impl<'a, D: Document + ?Sized> Ref<'a, D> {
    pub fn kind(self) -> Kind {
        match self {
            Ref::D(d) => d.kind(),
            Ref::J(j) => Document::kind(j),
        }
    }
    pub fn as_bool(self) -> Option<bool> {
        match self {
            Ref::D(d) => d.as_bool(),
            Ref::J(j) => j.as_bool(),
        }
    }
    pub fn as_number(self) -> Option<&'a Number> {
        match self {
            Ref::D(d) => d.as_number(),
            Ref::J(j) => Document::as_number(j),
        }
    }
    pub fn as_str(self) -> Option<&'a str> {
        match self {
            Ref::D(d) => d.as_str(),
            Ref::J(j) => j.as_str(),
        }
    }
    pub fn len(self) -> usize {
        match self {
            Ref::D(d) => d.len(),
            Ref::J(j) => Document::len(j),
        }
    }
    pub fn get(self, key: &str) -> Option<Ref<'a, D>> {
        match self {
            Ref::D(d) => d.get(key).map(Ref::D),
            Ref::J(j) => Document::get(j, key).map(Ref::J),
        }
    }
    /// The first member whose key equals `key` ignoring ASCII case.
    pub fn get_ignore_case(self, key: &str) -> Option<Ref<'a, D>> {
        match self {
            Ref::D(d) => d
                .entries()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| Ref::D(v)),
            Ref::J(j) => j
                .entries()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| Ref::J(v)),
        }
    }
    pub fn child(self, i: usize) -> Option<Ref<'a, D>> {
        match self {
            Ref::D(d) => d.child(i).map(Ref::D),
            Ref::J(j) => j.child(i).map(Ref::J),
        }
    }
    pub fn to_value(self) -> Cow<'a, Value> {
        match self {
            Ref::D(d) => d.to_value(),
            Ref::J(j) => Cow::Borrowed(j),
        }
    }
    /// The elements of a list or the values of an object.
    pub fn children(self) -> Box<dyn Iterator<Item = Ref<'a, D>> + 'a> {
        match self {
            Ref::D(d) if d.kind() == Kind::Object => Box::new(d.entries().map(|(_, v)| Ref::D(v))),
            Ref::J(j) if Document::kind(j) == Kind::Object => {
                Box::new(j.entries().map(|(_, v)| Ref::J(v)))
            }
            r => Box::new((0..r.len()).filter_map(move |i| r.child(i))),
        }
    }
}

fn eq<D: Document + ?Sized>(a: Ref<'_, D>, b: Ref<'_, D>) -> bool {
    match (a, b) {
        (Ref::D(x), Ref::D(y)) => deep_eq(x, y),
        (Ref::D(x), Ref::J(y)) => deep_eq(x, y),
        (Ref::J(x), Ref::D(y)) => deep_eq(x, y),
        (Ref::J(x), Ref::J(y)) => deep_eq(x, y),
    }
}

/// One operand value.
pub(crate) enum One<'a, D: ?Sized> {
    /// The path did not resolve.
    Missing,
    /// Arithmetic or a function failed.
    Undef,
    /// A node of the document or program.
    Ref(Ref<'a, D>),
    /// A value the condition computed.
    Owned(Value),
}

impl<D: Document + ?Sized> One<'_, D> {
    pub fn view(&self) -> Option<Ref<'_, D>> {
        match self {
            One::Ref(r) => Some(*r),
            One::Owned(v) => Some(Ref::J(v)),
            One::Missing | One::Undef => None,
        }
    }
}

/// An operand: one value, or the values of a multi-valued path (never missing ones).
pub(crate) enum Vals<'a, D: ?Sized> {
    One(One<'a, D>),
    Many(Vec<One<'a, D>>),
}

impl<D: Document + ?Sized> Vals<'_, D> {
    /// The present values.
    pub fn present(&self) -> impl Iterator<Item = Ref<'_, D>> {
        let (one, many) = match self {
            Vals::One(o) => (Some(o), &[][..]),
            Vals::Many(v) => (None, v.as_slice()),
        };
        one.into_iter().chain(many.iter()).filter_map(One::view)
    }
}

/// Evaluation context: the root, the current quantifier element, the environment.
pub(crate) struct Ctx<'a, D: ?Sized> {
    pub root: &'a D,
    pub cur: Option<Ref<'a, D>>,
    pub env: &'a Env,
    pub notes: Option<&'a RefCell<Vec<String>>>,
}

impl<D: ?Sized> Clone for Ctx<'_, D> {
    fn clone(&self) -> Self {
        Ctx {
            root: self.root,
            cur: self.cur,
            env: self.env,
            notes: self.notes,
        }
    }
}

/// The truth of a node used as a condition.
pub(crate) fn truthy<'a, D: Document + ?Sized>(node: &'a Node, ctx: &Ctx<'a, D>) -> bool {
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
            compare(*op, *negated, pre, &l, &r)
        }
        NodeKind::Test {
            test,
            negated,
            operand: o,
            ..
        } => test_vals(*test, &operand(o, ctx)) != *negated,
        NodeKind::Quantifier(q, list, body) => quantify(*q, list, body, ctx, |_, _| {}),
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
    ctx: &Ctx<'a, D>,
    mut seen: impl FnMut(usize, bool),
) -> bool {
    let vals = operand(list, ctx);
    let mut check = |i: usize, el: Ref<'_, D>| {
        let inner = Ctx {
            root: ctx.root,
            cur: Some(el),
            env: ctx.env,
            notes: ctx.notes,
        };
        let holds = truthy(body, &inner);
        seen(i, holds);
        holds
    };
    let mut elements = elements_of(&vals);
    match q {
        Quantifier::Any => elements.any(|(i, el)| check(i, el)),
        Quantifier::All => elements.all(|(i, el)| check(i, el)),
        Quantifier::None => !elements.any(|(i, el)| check(i, el)),
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
pub(crate) fn operand<'a, D: Document + ?Sized>(node: &'a Node, ctx: &Ctx<'a, D>) -> Vals<'a, D> {
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
            if args.len() <= FAST_ARGS
                && ctx.env.mocks.is_empty()
                && let Some(v) = call_native_single(native, args, ctx)
            {
                return v;
            }
            let vals: Vec<Vals<'a, D>> = args.iter().map(|a| operand(a, ctx)).collect();
            if let Some(mock) = ctx.env.mocks.get(&native.name) {
                if let Some(n) = ctx.notes {
                    n.borrow_mut()
                        .push(format!("`{}` is mocked: returns {mock}", native.name));
                }
                return Vals::One(One::Owned(mock.clone()));
            }
            call_native(native, &vals, ctx)
        }
        NodeKind::Udm(u) => udm(u, ctx),
        NodeKind::Access(base, segs, multi) => access(operand(base, ctx), segs, *multi, ctx),
        // Conditions used as values: their truth as a JSON boolean.
        _ => Vals::One(One::Owned(Value::Bool(truthy(node, ctx)))),
    }
}

/// Most arguments the allocation-free native call path handles.
const FAST_ARGS: usize = 6;

/// Calls a native whose arguments are all single-valued without allocating (the common case:
/// `truthy(errorCode)`); `None` when some argument is multi-valued, for the general path.
fn call_native_single<'a, D: Document + ?Sized>(
    native: &crate::natives::Native,
    args: &'a [Node],
    ctx: &Ctx<'a, D>,
) -> Option<Vals<'a, D>> {
    let vals: [Option<Vals<'a, D>>; FAST_ARGS] =
        std::array::from_fn(|i| args.get(i).map(|a| operand(a, ctx)));
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
    let mut notes = ctx.notes.map(|n| n.borrow_mut());
    let mut nctx = NativeCtx::new(ctx.env.now, notes.as_deref_mut());
    let out = match native.call(&Args::new(refs.get(..args.len()).unwrap_or(&[])), &mut nctx) {
        Ok(v) => One::Owned(v),
        Err(e) => {
            nctx.note(format_args!("`{}` failed: {e}", native.name));
            One::Undef
        }
    };
    Some(Vals::One(out))
}

fn call_native<'a, D: Document + ?Sized>(
    native: &crate::natives::Native,
    vals: &[Vals<'a, D>],
    ctx: &Ctx<'a, D>,
) -> Vals<'a, D> {
    // Each argument's values: one slot for a single value (possibly missing), all values for a
    // multi-valued one. The call is made per combination.
    let per_arg: Vec<Vec<Option<Cow<'_, Value>>>> = vals
        .iter()
        .map(|v| match v {
            Vals::One(o) => vec![o.view().map(Ref::to_value)],
            Vals::Many(m) => m
                .iter()
                .filter_map(One::view)
                .map(|r| Some(r.to_value()))
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
                .map(|(a, &i)| a.get(i).and_then(|c| c.as_deref()))
                .collect();
            let mut notes = ctx.notes.map(|n| n.borrow_mut());
            let mut nctx = NativeCtx::new(ctx.env.now, notes.as_deref_mut());
            match native.call(&Args::new(&args), &mut nctx) {
                Ok(v) => results.push(One::Owned(v)),
                Err(e) => {
                    nctx.note(format_args!("`{}` failed: {e}", native.name));
                    results.push(One::Undef);
                }
            }
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
                .filter(|o| !matches!(o, One::Undef))
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

fn builtin<D: Document + ?Sized>(b: Builtin, r: Ref<'_, D>) -> Option<Value> {
    match (b, r.kind()) {
        (Builtin::Len, Kind::String) => r.as_str().map(|s| Value::from(s.chars().count())),
        (Builtin::Len, Kind::Array | Kind::Object) => Some(Value::from(r.len())),
        (Builtin::Lower, Kind::String) => r.as_str().map(|s| Value::from(s.to_lowercase())),
        (Builtin::Upper, Kind::String) => r.as_str().map(|s| Value::from(s.to_uppercase())),
        _ => None,
    }
}

fn arith<'a, D: Document + ?Sized>(op: ArithOp, l: &Vals<'a, D>, r: &Vals<'a, D>) -> Vals<'a, D> {
    let apply = |a: Ref<'_, D>, b: Ref<'_, D>| arith_num(op, a.as_number()?, b.as_number()?);
    match (l, r) {
        (Vals::One(a), Vals::One(b)) => Vals::One(match (a.view(), b.view()) {
            (Some(a), Some(b)) => apply(a, b).map_or(One::Undef, One::Owned),
            _ => One::Undef,
        }),
        _ => {
            let mut out = Vec::new();
            for a in l.present() {
                for b in r.present() {
                    if let Some(v) = apply(a, b) {
                        out.push(One::Owned(v));
                    }
                }
            }
            Vals::Many(out)
        }
    }
}

/// `a op b` on numbers: exact on integers when the result is one, else 64-bit float; a
/// non-finite result (division by zero included) is undefined.
pub(crate) fn arith_num(op: ArithOp, a: &Number, b: &Number) -> Option<Value> {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        let exact = match op {
            ArithOp::Add => x.checked_add(y),
            ArithOp::Sub => x.checked_sub(y),
            ArithOp::Mul => x.checked_mul(y),
            ArithOp::Div => (y != 0 && x.checked_rem(y) == Some(0))
                .then(|| x.checked_div(y))
                .flatten(),
        };
        if let Some(v) = exact {
            return Some(Value::from(v));
        }
    }
    let (x, y) = (a.as_f64()?, b.as_f64()?);
    let v = match op {
        ArithOp::Add => x + y,
        ArithOp::Sub => x - y,
        ArithOp::Mul => x * y,
        ArithOp::Div => x / y,
    };
    Number::from_f64(v).map(Value::Number)
}

/// Resolves a path in the context.
pub(crate) fn resolve<'a, D: Document + ?Sized>(p: &'a CPath, ctx: &Ctx<'a, D>) -> Vals<'a, D> {
    let start = match &p.root {
        CRoot::Implicit => ctx.cur.unwrap_or(Ref::D(ctx.root)),
        CRoot::Current => match ctx.cur {
            Some(c) => c,
            None => return Vals::One(One::Missing),
        },
        CRoot::Root => Ref::D(ctx.root),
        CRoot::JsonPath(q) => return jsonpath(q, ctx.root),
    };
    let ci = !p.exact && ctx.env.keys == KeyMatch::CaseInsensitiveFallback;
    if !p.multi {
        return Vals::One(walk_one(start, &p.segments, ci).map_or(One::Missing, One::Ref));
    }
    let mut out = Vec::new();
    walk_many(start, &p.segments, ci, &mut out);
    Vals::Many(out)
}

fn jsonpath<'a, D: Document + ?Sized>(
    q: &jsonpath_rust::parser::model::JpQuery,
    root: &'a D,
) -> Vals<'a, D> {
    match root.to_value() {
        Cow::Borrowed(v) => {
            let found = jsonpath_rust::query::js_path_process(q, v).unwrap_or_default();
            Vals::Many(
                found
                    .into_iter()
                    .map(|r| One::Ref(Ref::J(r.val())))
                    .collect(),
            )
        }
        Cow::Owned(v) => {
            let found = jsonpath_rust::query::js_path_process(q, &v).unwrap_or_default();
            Vals::Many(
                found
                    .into_iter()
                    .map(|r| One::Owned(r.val().clone()))
                    .collect(),
            )
        }
    }
}

fn step<'a, D: Document + ?Sized>(cur: Ref<'a, D>, seg: &Segment, ci: bool) -> Option<Ref<'a, D>> {
    match seg {
        Segment::Key(k) => {
            if cur.kind() != Kind::Object {
                return None;
            }
            match cur.get(k) {
                Some(v) => Some(v),
                None if ci => cur.get_ignore_case(k),
                None => None,
            }
        }
        Segment::Index(i) => {
            if cur.kind() != Kind::Array {
                return None;
            }
            let len = cur.len() as i64;
            let at = if *i < 0 { len + i } else { *i };
            if at < 0 || at >= len {
                None
            } else {
                cur.child(at as usize)
            }
        }
        Segment::Wildcard => None,
    }
}

fn walk_one<'a, D: Document + ?Sized>(
    start: Ref<'a, D>,
    segs: &[Segment],
    ci: bool,
) -> Option<Ref<'a, D>> {
    let mut cur = start;
    for s in segs {
        cur = step(cur, s, ci)?;
    }
    Some(cur)
}

fn walk_many<'a, D: Document + ?Sized>(
    start: Ref<'a, D>,
    segs: &[Segment],
    ci: bool,
    out: &mut Vec<One<'a, D>>,
) {
    let Some((first, rest)) = segs.split_first() else {
        out.push(One::Ref(start));
        return;
    };
    match first {
        Segment::Wildcard => {
            for c in start.children() {
                walk_many(c, rest, ci, out);
            }
        }
        s => {
            if let Some(next) = step(start, s, ci) {
                walk_many(next, rest, ci, out);
            }
        }
    }
}

/// `l op r` (negated in place when `negated`, and always for `!=`): existential over the
/// present values of both sides.
pub(crate) fn compare<D: Document + ?Sized>(
    op: CmpOp,
    negated: bool,
    pre: &Prebuilt,
    l: &Vals<'_, D>,
    r: &Vals<'_, D>,
) -> bool {
    let (base, neg) = match op {
        CmpOp::Ne => (CmpOp::Eq, true),
        o => (o, negated),
    };
    let holds = match pre {
        Prebuilt::None => l
            .present()
            .any(|a| r.present().any(|b| cmp_one(base, pre, a, b))),
        // The right side is pre-built: it is not read from the document.
        _ => l
            .present()
            .any(|a| cmp_one(base, pre, a, Ref::J(&Value::Null))),
    };
    holds != neg
}

/// One comparison of two present values.
pub(crate) fn cmp_one<D: Document + ?Sized>(
    op: CmpOp,
    pre: &Prebuilt,
    a: Ref<'_, D>,
    b: Ref<'_, D>,
) -> bool {
    match op {
        CmpOp::Eq | CmpOp::Ne => eq(a, b),
        CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge => {
            let ord = match (a.kind(), b.kind()) {
                (Kind::Number, Kind::Number) => a
                    .as_number()
                    .zip(b.as_number())
                    .and_then(|(x, y)| number_cmp(x, y)),
                (Kind::String, Kind::String) => a.as_str().zip(b.as_str()).map(|(x, y)| x.cmp(y)),
                _ => None,
            };
            match (op, ord) {
                (_, None) => false,
                (CmpOp::Lt, Some(o)) => o == Ordering::Less,
                (CmpOp::Le, Some(o)) => o != Ordering::Greater,
                (CmpOp::Gt, Some(o)) => o == Ordering::Greater,
                (_, Some(o)) => o != Ordering::Less,
            }
        }
        CmpOp::In => {
            b.kind() == Kind::Array && (0..b.len()).any(|i| b.child(i).is_some_and(|e| eq(a, e)))
        }
        CmpOp::Contains => match a.kind() {
            Kind::String => b
                .as_str()
                .zip(a.as_str())
                .is_some_and(|(needle, hay)| hay.contains(needle)),
            Kind::Array => (0..a.len()).any(|i| a.child(i).is_some_and(|e| eq(e, b))),
            _ => false,
        },
        CmpOp::StartsWith => a
            .as_str()
            .zip(b.as_str())
            .is_some_and(|(x, y)| x.starts_with(y)),
        CmpOp::EndsWith => a
            .as_str()
            .zip(b.as_str())
            .is_some_and(|(x, y)| x.ends_with(y)),
        CmpOp::Matches => match pre {
            Prebuilt::Regex(re) => a.as_str().is_some_and(|s| re.is_match(s)),
            _ => false,
        },
        CmpOp::InCidr => {
            let Some(addr) = a.as_str().and_then(|s| s.parse::<IpAddr>().ok()) else {
                return false;
            };
            match pre {
                Prebuilt::Cidrs(nets) => nets.iter().any(|n| n.contains(&addr)),
                _ => dynamic_cidr_contains(b, addr),
            }
        }
    }
}

fn dynamic_cidr_contains<D: Document + ?Sized>(b: Ref<'_, D>, addr: IpAddr) -> bool {
    let one = |r: Ref<'_, D>| {
        r.as_str()
            .and_then(|s| crate::compile::parse_cidr_literal(s).ok())
            .is_some_and(|n| n.contains(&addr))
    };
    match b.kind() {
        Kind::String => one(b),
        Kind::Array => (0..b.len()).any(|i| b.child(i).is_some_and(one)),
        _ => false,
    }
}

/// A postfix test (not negated).
pub(crate) fn test_vals<D: Document + ?Sized>(t: TestKind, v: &Vals<'_, D>) -> bool {
    match (t, v) {
        (TestKind::Exists, Vals::One(o)) => o.view().is_some(),
        (TestKind::Exists, Vals::Many(m)) => !m.is_empty(),
        (TestKind::IsNull, Vals::One(o)) => o.view().is_none_or(|r| r.kind() == Kind::Null),
        (TestKind::IsNull, Vals::Many(_)) => v.present().all(|r| r.kind() == Kind::Null),
        (TestKind::IsEmpty, Vals::One(o)) => o.view().is_none_or(is_empty_value),
        (TestKind::IsEmpty, Vals::Many(_)) => v.present().all(is_empty_value),
    }
}

fn is_empty_value<D: Document + ?Sized>(r: Ref<'_, D>) -> bool {
    match r.kind() {
        Kind::Null => true,
        Kind::String => r.as_str().is_some_and(str::is_empty),
        Kind::Array | Kind::Object => r.len() == 0,
        _ => false,
    }
}

/// `udm("name")`: the data model for the event's `p_log_type` maps the name to a path (keys
/// matched exactly) or a native called with the whole event; with no data model for the event,
/// `p_udm.<name>` if truthy, else a top-level `<name>` if truthy, else missing.
fn udm<'a, D: Document + ?Sized>(u: &'a crate::compile::Udm, ctx: &Ctx<'a, D>) -> Vals<'a, D> {
    let root_ctx = Ctx {
        root: ctx.root,
        cur: None,
        env: ctx.env,
        notes: ctx.notes,
    };
    let log_type = ctx.root.get("p_log_type").and_then(|v| v.as_str());
    let target = log_type.and_then(|lt| {
        u.models
            .iter()
            .find(|(lts, _)| lts.iter().any(|l| l == lt))
            .map(|(_, t)| t)
    });
    match target {
        Some(crate::compile::UdmTarget::Path(p)) => resolve(p, &root_ctx),
        Some(crate::compile::UdmTarget::Native(n)) => {
            if let Some(mock) = ctx.env.mocks.get(&n.name) {
                return Vals::One(One::Owned(mock.clone()));
            }
            call_native(n, &[Vals::One(One::Ref(Ref::D(ctx.root)))], &root_ctx)
        }
        None => {
            for p in [&u.p_udm, &u.top] {
                let v = resolve(p, &root_ctx);
                let truthy = match &v {
                    Vals::One(o) => o
                        .view()
                        .is_some_and(|r| crate::natives::truthy(&r.to_value())),
                    Vals::Many(_) => false,
                };
                if truthy {
                    return v;
                }
            }
            Vals::One(One::Missing)
        }
    }
}

/// A path into computed values: each present value of `base` is walked along `segs` (keys
/// matched as the environment says); results into values the condition computed are copied.
fn access<'a, D: Document + ?Sized>(
    base: Vals<'a, D>,
    segs: &[Segment],
    multi: bool,
    ctx: &Ctx<'a, D>,
) -> Vals<'a, D> {
    let ci = ctx.env.keys == KeyMatch::CaseInsensitiveFallback;
    let mut out: Vec<One<'a, D>> = Vec::new();
    let items: Vec<One<'a, D>> = match base {
        Vals::One(o) => vec![o],
        Vals::Many(m) => m,
    };
    let single = items.len() == 1 && !multi;
    for item in items {
        match item {
            One::Ref(r) => {
                if multi {
                    walk_many(r, segs, ci, &mut out);
                } else if let Some(x) = walk_one(r, segs, ci) {
                    out.push(One::Ref(x));
                }
            }
            One::Owned(v) => {
                let mut found: Vec<One<'_, D>> = Vec::new();
                if multi {
                    walk_many(Ref::J(&v), segs, ci, &mut found);
                } else if let Some(x) = walk_one(Ref::J(&v), segs, ci) {
                    found.push(One::Ref(x));
                }
                out.extend(
                    found
                        .iter()
                        .filter_map(One::view)
                        .map(|r| One::Owned(r.to_value().into_owned())),
                );
            }
            One::Missing | One::Undef => {}
        }
    }
    if single {
        return Vals::One(out.pop().unwrap_or(One::Missing));
    }
    Vals::Many(out)
}
