//! Visiting a tree: every walk over conditions (checking, lowering, lints, read analysis,
//! describe) goes through [`Expr::children`] instead of matching every node kind itself.

use super::{Expr, ExprKind, Ident};

/// A node's children: up to three fixed ones, a list of them, object members.
type Parts<'e> = ([Option<&'e Expr>; 3], &'e [Expr], &'e [(Ident, Expr)]);

impl Expr {
    /// The direct sub-expressions of this node, in source order.
    pub fn children(&self) -> impl Iterator<Item = &Expr> + '_ {
        let (fixed, rest, members): Parts<'_> = match &self.kind {
            ExprKind::Literal(_) | ExprKind::Path(_) => ([None, None, None], &[], &[]),
            ExprKind::Call { args, .. } => ([None, None, None], args.as_slice(), &[]),
            ExprKind::List(items) => ([None, None, None], items.as_slice(), &[]),
            ExprKind::Object(m) => ([None, None, None], &[], m.as_slice()),
            ExprKind::Not(a) | ExprKind::Neg(a) => ([Some(a), None, None], &[], &[]),
            ExprKind::Test { operand, .. } => ([Some(operand), None, None], &[], &[]),
            ExprKind::Access { base, .. } => ([Some(base), None, None], &[], &[]),
            ExprKind::And(a, b) | ExprKind::Or(a, b) | ExprKind::Coalesce(a, b) => {
                ([Some(a), Some(b), None], &[], &[])
            }
            ExprKind::Compare { lhs, rhs, .. } | ExprKind::Arith { lhs, rhs, .. } => {
                ([Some(lhs), Some(rhs), None], &[], &[])
            }
            ExprKind::Quantifier { list, body, .. } => ([Some(list), Some(body), None], &[], &[]),
            ExprKind::Index { base, index } => ([Some(base), Some(index), None], &[], &[]),
            ExprKind::Let { value, body, .. } => ([Some(value), Some(body), None], &[], &[]),
            ExprKind::If { cond, then, els } => ([Some(cond), Some(then), Some(els)], &[], &[]),
        };
        fixed
            .into_iter()
            .flatten()
            .chain(rest.iter())
            .chain(members.iter().map(|(_, e)| e))
    }

    /// This node and every node below it, parents before children, in source order.
    pub fn descendants(&self) -> impl Iterator<Item = &Expr> + '_ {
        let mut stack = vec![self];
        std::iter::from_fn(move || {
            let next = stack.pop()?;
            let before = stack.len();
            stack.extend(next.children());
            if let Some(pushed) = stack.get_mut(before..) {
                pushed.reverse();
            }
            Some(next)
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::syntax::parse;

    #[test]
    fn descendants_visit_parents_first_in_source_order() {
        let e = parse("a == 1 and any(l, @.x > f(b, -c))").unwrap();
        let texts: Vec<String> = e.descendants().map(|n| n.to_string()).collect();
        assert_eq!(
            texts,
            [
                "(a == 1) and any(l, @.x > f(b, -c))",
                "a == 1",
                "a",
                "1",
                "any(l, @.x > f(b, -c))",
                "l",
                "@.x > f(b, -c)",
                "@.x",
                "f(b, -c)",
                "b",
                "-c",
                "c",
            ]
        );
    }
}
