//! Path resolution: a compiled path from the root, the current element or a computed value;
//! JSONPath through jsonpath-rust. Keys match as the environment's [`KeyMatch`] says.

use super::Ctx;
use super::value::{Item, One, Ref, Vals};
use crate::ast::Segment;
use crate::document::{Document, KeyMatch, Kind, index_of};
use crate::ir::{CPath, CRoot};
use std::borrow::Cow;

/// Resolves a path in the context.
pub(crate) fn resolve<'a, D: Document + ?Sized>(p: &'a CPath, ctx: &Ctx<'a, '_, D>) -> Vals<'a, D> {
    let start = match &p.root {
        CRoot::Binding(slot) => {
            return match ctx.frames.and_then(|f| f.lookup(*slot)) {
                Some(v) => access(v, &p.segments, p.multi, ctx.env.keys),
                None => Vals::One(One::Missing),
            };
        }
        CRoot::Implicit => ctx.cur.unwrap_or(Ref::D(ctx.root)),
        CRoot::Current => match ctx.cur {
            Some(c) => c,
            None => return Vals::One(One::Missing),
        },
        CRoot::Root => Ref::D(ctx.root),
        CRoot::JsonPath(q) => {
            let found = jsonpath(q, ctx.root);
            if let Vals::Many(m) = &found {
                ctx.budget.spend(m.len() as u64);
            }
            return found;
        }
    };
    let keys = ctx.env.keys;
    if !p.multi {
        return Vals::One(walk_one(start, &p.segments, keys).map_or(One::Missing, One::Ref));
    }
    let mut out = Vec::new();
    walk_many(start, &p.segments, keys, &mut out);
    ctx.budget.spend(out.len() as u64);
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

fn step<'a, D: Document + ?Sized>(
    cur: Ref<'a, D>,
    seg: &Segment,
    keys: KeyMatch,
) -> Option<Ref<'a, D>> {
    match seg {
        Segment::Key(k) => {
            if cur.kind() != Kind::Object {
                return None;
            }
            cur.get(k, keys)
        }
        Segment::Index(i) => {
            if cur.kind() != Kind::Array {
                return None;
            }
            cur.child(index_of(cur.len(), *i)?)
        }
        Segment::Wildcard => None,
    }
}

fn walk_one<'a, D: Document + ?Sized>(
    start: Ref<'a, D>,
    segs: &[Segment],
    keys: KeyMatch,
) -> Option<Ref<'a, D>> {
    let mut cur = start;
    for s in segs {
        cur = step(cur, s, keys)?;
    }
    Some(cur)
}

fn walk_many<'a, D: Document + ?Sized>(
    start: Ref<'a, D>,
    segs: &[Segment],
    keys: KeyMatch,
    out: &mut Vec<One<'a, D>>,
) {
    let Some((first, rest)) = segs.split_first() else {
        out.push(One::Ref(start));
        return;
    };
    match first {
        Segment::Wildcard => {
            for c in start.children() {
                walk_many(c, rest, keys, out);
            }
        }
        s => {
            if let Some(next) = step(start, s, keys) {
                walk_many(next, rest, keys, out);
            }
        }
    }
}

/// A path into computed values: each present value of `base` is walked along `segs` (keys
/// matched as the environment says); results into values `base` owns are copied, so the
/// result outlives `base`.
pub(crate) fn access<'a, D: Document + ?Sized>(
    base: &Vals<'a, D>,
    segs: &[Segment],
    multi: bool,
    keys: KeyMatch,
) -> Vals<'a, D> {
    // Steps after a failed value fail too (as reading a key of an error would).
    if matches!(base, Vals::One(One::Undef)) {
        return Vals::One(One::Undef);
    }
    let mut out: Vec<One<'a, D>> = Vec::new();
    let single = !multi
        && match base {
            Vals::One(_) => true,
            Vals::Many(m) => m.len() == 1,
        };
    for item in base.items() {
        match item {
            Item::Ref(r) => {
                if multi {
                    walk_many(r, segs, keys, &mut out);
                } else if let Some(x) = walk_one(r, segs, keys) {
                    out.push(One::Ref(x));
                }
            }
            Item::Own(v) => {
                let mut found: Vec<One<'_, D>> = Vec::new();
                if multi {
                    walk_many(Ref::J(v), segs, keys, &mut found);
                } else if let Some(x) = walk_one(Ref::J(v), segs, keys) {
                    found.push(One::Ref(x));
                }
                out.extend(
                    found
                        .iter()
                        .filter_map(One::view)
                        .map(|r| One::Owned(r.to_value().into_owned())),
                );
            }
        }
    }
    if single {
        return Vals::One(out.pop().unwrap_or(One::Missing));
    }
    Vals::Many(out)
}

/// `base[index]`: per present value of each, an integer index of a list (negative from the
/// end) or a string key of an object; anything else gives nothing.
pub(crate) fn index<'a, D: Document + ?Sized>(
    base: &Vals<'a, D>,
    index: &Vals<'a, D>,
    keys: KeyMatch,
) -> Vals<'a, D> {
    if matches!(base, Vals::One(One::Undef)) {
        return Vals::One(One::Undef);
    }
    let mut out: Vec<One<'a, D>> = Vec::new();
    for i in index.present() {
        let seg = match (i.kind(), i.as_number(), i.as_str()) {
            (Kind::Number, Some(n), _) => match n.as_i64() {
                Some(n) => Segment::Index(n),
                None => continue,
            },
            (Kind::String, _, Some(k)) => Segment::Key(k.to_string()),
            _ => continue,
        };
        let segs = std::slice::from_ref(&seg);
        for item in base.items() {
            match item {
                Item::Ref(r) => {
                    if let Some(x) = walk_one(r, segs, keys) {
                        out.push(One::Ref(x));
                    }
                }
                Item::Own(v) => {
                    if let Some(x) = walk_one(Ref::<D>::J(v), segs, keys) {
                        out.push(One::Owned(x.to_value().into_owned()));
                    }
                }
            }
        }
    }
    if base.is_one() && index.is_one() {
        return Vals::One(out.pop().unwrap_or(One::Missing));
    }
    Vals::Many(out)
}
