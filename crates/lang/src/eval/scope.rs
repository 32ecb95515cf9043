//! Bindings: the values of `let` names and function parameters, as a chain of frames on the
//! evaluator's stack (innermost first). A name's slot is fixed when the condition compiles.

use super::value::Vals;

/// One frame: the values of slots `base..base + len`, and the frame around it.
pub(crate) struct Frame<'a, 'b, D: ?Sized> {
    base: usize,
    values: Values<'a, D>,
    parent: Option<&'b Frame<'a, 'b, D>>,
}

/// A frame's values: one `let` binding, or a function call's arguments.
enum Values<'a, D: ?Sized> {
    One(Vals<'a, D>),
    Many(Vec<Vals<'a, D>>),
}

impl<'a, 'b, D: ?Sized> Frame<'a, 'b, D> {
    /// The frame of a `let` binding slot `slot` to `value`, inside `parent`.
    pub(crate) fn binding(
        slot: usize,
        value: Vals<'a, D>,
        parent: Option<&'b Frame<'a, 'b, D>>,
    ) -> Self {
        Frame {
            base: slot,
            values: Values::One(value),
            parent,
        }
    }
    /// The frame of a function call: its arguments in slots `0..`; nothing around it (a
    /// function sees only its parameters).
    pub(crate) fn call(args: Vec<Vals<'a, D>>) -> Self {
        Frame {
            base: 0,
            values: Values::Many(args),
            parent: None,
        }
    }
    /// The value bound to `slot` here or in an enclosing frame.
    pub(crate) fn lookup(&self, slot: usize) -> Option<&Vals<'a, D>> {
        let mut frame = Some(self);
        while let Some(f) = frame {
            if let Some(i) = slot.checked_sub(f.base) {
                let found = match &f.values {
                    Values::One(v) => (i == 0).then_some(v),
                    Values::Many(vs) => vs.get(i),
                };
                if found.is_some() {
                    return found;
                }
            }
            frame = f.parent;
        }
        None
    }
}
