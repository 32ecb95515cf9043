//! Values built by a condition: the collection functions (`first`, `filter`, `map`, `count`),
//! `??`, and list and object literals with computed members.

use super::value::{One, Vals};
use super::{Ctx, elements_of, operand, truthy};
use crate::ast::Quantifier;
use crate::document::{Document, Kind};
use crate::ir::Node;
use serde_json::{Map, Value};

/// `first/filter/map/count(list, body)`. Like the quantifiers, they iterate the values of a
/// multi-valued list operand or the elements of one list; anything else counts as empty.
/// Elements that leave the iteration (the result of `first`, `filter`'s list) are copied.
pub(super) fn collect<'a, D: Document + ?Sized>(
    q: Quantifier,
    list: &'a Node,
    body: &'a Node,
    ctx: &Ctx<'a, '_, D>,
) -> Vals<'a, D> {
    let vals = operand(list, ctx);
    let mut kept: Vec<Value> = Vec::new();
    let mut count: u64 = 0;
    for (_, el) in elements_of(&vals) {
        let inner = ctx.element(el);
        match q {
            Quantifier::First => {
                if truthy(body, &inner) {
                    return Vals::One(One::Owned(el.to_value().into_owned()));
                }
            }
            Quantifier::Filter => {
                if truthy(body, &inner) {
                    kept.push(el.to_value().into_owned());
                }
            }
            Quantifier::Count => count += u64::from(truthy(body, &inner)),
            _ => push_values(&mut kept, operand(body, &inner)),
        }
    }
    match q {
        Quantifier::First => Vals::One(One::Missing),
        Quantifier::Count => Vals::One(One::Owned(Value::from(count))),
        _ => Vals::One(One::Owned(Value::Array(kept))),
    }
}

/// Appends the present values of `v` (each value of a multi-valued one).
fn push_values<D: Document + ?Sized>(out: &mut Vec<Value>, v: Vals<'_, D>) {
    match v {
        Vals::One(o) => out.extend(o.into_value()),
        Vals::Many(m) => out.extend(m.into_iter().filter_map(One::into_value)),
    }
}

/// True for a present value that is not null.
fn defined<D: Document + ?Sized>(o: &One<'_, D>) -> bool {
    o.view().is_some_and(|r| r.kind() != Kind::Null)
}

/// `a ?? b`: `a` when present, defined and not null (multi-valued: its non-null values, if
/// any), else `b` (evaluated only then).
pub(super) fn coalesce<'a, D: Document + ?Sized>(
    a: Vals<'a, D>,
    b: impl FnOnce() -> Vals<'a, D>,
) -> Vals<'a, D> {
    match a {
        Vals::One(o) if defined(&o) => Vals::One(o),
        Vals::Many(m) => {
            let kept: Vec<One<'a, D>> = m.into_iter().filter(defined).collect();
            if kept.is_empty() {
                b()
            } else {
                Vals::Many(kept)
            }
        }
        Vals::One(_) => b(),
    }
}

/// `[a, b, ...]`: the members' values in order; a missing or undefined member is left out, a
/// multi-valued one contributes each of its values.
pub(super) fn list<'a, D: Document + ?Sized>(
    items: &'a [Node],
    ctx: &Ctx<'a, '_, D>,
) -> Vals<'a, D> {
    let mut out = Vec::with_capacity(items.len());
    for n in items {
        push_values(&mut out, operand(n, ctx));
    }
    Vals::One(One::Owned(Value::Array(out)))
}

/// `{k: v, ...}`: a member whose value is missing or undefined is left out; a multi-valued
/// member holds the list of its values (and is left out when it has none).
pub(super) fn object<'a, D: Document + ?Sized>(
    members: &'a [(String, Node)],
    ctx: &Ctx<'a, '_, D>,
) -> Vals<'a, D> {
    let mut out = Map::new();
    for (k, n) in members {
        let value = match operand(n, ctx) {
            Vals::One(o) => o.into_value(),
            Vals::Many(m) => {
                let values: Vec<Value> = m.into_iter().filter_map(One::into_value).collect();
                (!values.is_empty()).then_some(Value::Array(values))
            }
        };
        if let Some(v) = value {
            out.insert(k.clone(), v);
        }
    }
    Vals::One(One::Owned(Value::Object(out)))
}
