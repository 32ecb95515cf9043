//! Operand values: a reference into the document or into a value the program holds
//! ([`Ref`]), one operand ([`One`]: also missing or undefined) and an operand that may be
//! multi-valued ([`Vals`]).

use crate::document::{Document, KeyMatch, Kind, deep_eq, get_key};
use serde_json::{Number, Value};
use std::borrow::Cow;

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
    /// The member `key`, as `keys` matches keys.
    pub fn get(self, key: &str, keys: KeyMatch) -> Option<Ref<'a, D>> {
        match self {
            Ref::D(d) => get_key(d, key, keys).map(Ref::D),
            Ref::J(j) => get_key(j, key, keys).map(Ref::J),
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

pub(crate) fn eq<D: Document + ?Sized>(a: Ref<'_, D>, b: Ref<'_, D>) -> bool {
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
    /// True for a node of the document itself (not a value the program holds or computed).
    pub fn is_document(&self) -> bool {
        matches!(self, One::Ref(Ref::D(_)))
    }
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

/// A present value of an operand as [`Vals::items`] gives it: a reference that outlives the
/// operand (into the document or the program), or a value the operand owns (to be cloned if
/// it must outlive the operand).
pub(crate) enum Item<'a, 'v, D: ?Sized> {
    /// Into the document or the program.
    Ref(Ref<'a, D>),
    /// Owned by the operand.
    Own(&'v Value),
}

impl<'a, D: Document + ?Sized> Vals<'a, D> {
    /// The present values, as references that outlive `self` where possible.
    pub fn items(&self) -> impl Iterator<Item = Item<'a, '_, D>> {
        let (one, many) = match self {
            Vals::One(o) => (Some(o), &[][..]),
            Vals::Many(v) => (None, v.as_slice()),
        };
        one.into_iter().chain(many.iter()).filter_map(|o| match o {
            One::Ref(r) => Some(Item::Ref(*r)),
            One::Owned(v) => Some(Item::Own(v)),
            One::Missing | One::Undef => None,
        })
    }
    /// True when this is one value (not multi-valued).
    pub fn is_one(&self) -> bool {
        matches!(self, Vals::One(_))
    }
}

impl<'a, D: Document + ?Sized> One<'a, D> {
    /// The value, owned: moved when it is owned, cloned when it is a reference; `None` when
    /// missing or undefined.
    pub fn into_value(self) -> Option<Value> {
        match self {
            One::Ref(r) => Some(r.to_value().into_owned()),
            One::Owned(v) => Some(v),
            One::Missing | One::Undef => None,
        }
    }
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
