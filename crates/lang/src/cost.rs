//! A static estimate of how a condition's evaluation cost grows with the size of the record,
//! in the manner of CEL's cost estimator: the degree of the polynomial (0 constant, 1 linear,
//! 2 quadratic, …) and whether a call tree of user functions grows exponentially. Lint warns
//! when it grows faster than linearly; describe shows it.
//!
//! The model: a fan-out path (`a[*]`, a JSONPath) or a quantifier over a list of the record is
//! linear. Inside a quantifier's body, the current element and the paths relative to it are
//! parts of the list already counted, so a quantifier over an element's own list
//! (`any(groups, any(@.members, …))`) stays linear in total; a quantifier or fan-out over a
//! list that does not come from the element (`any(a, any($.b, …))`) multiplies. Comparisons of
//! two fan-outs compare every pair. A native (Rust) function is linear in its arguments (inside
//! a quantifier's body, a single value read from the root is taken as small: an id, a name).

use crate::ast::{Expr, ExprKind, PathRoot, Span};
use crate::functions::Registry;

/// How evaluation cost grows with the record's size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cost {
    /// The degree of the polynomial in the record's size.
    pub degree: u32,
    /// The sub-expression that reaches that degree first (in source order), when above 1.
    pub at: Option<Span>,
    /// The largest number of function bodies one call of a user function evaluates, with the
    /// call, when a call tree is larger than [`CALL_TREE_WARNING`].
    pub call_tree: Option<(u64, Span)>,
}

/// Function bodies one call may evaluate before the call tree counts as exploding.
pub const CALL_TREE_WARNING: u64 = 256;

impl Cost {
    /// True when the cost grows faster than linearly in the record's size.
    pub fn superlinear(&self) -> bool {
        self.degree > 1 || self.call_tree.is_some()
    }
    /// The growth in words: `constant`, `linear`, `quadratic`, `cubic`, `of degree N`, or
    /// `exponential in the depth of its function calls`.
    pub fn describe(&self) -> String {
        let poly = match self.degree {
            0 => "constant".to_string(),
            1 => "linear".to_string(),
            2 => "quadratic".to_string(),
            3 => "cubic".to_string(),
            d => format!("polynomial of degree {d}"),
        };
        match self.call_tree {
            Some((n, _)) => format!("{poly}, with a call tree of {n} function bodies"),
            None => poly,
        }
    }
}

/// Estimates the cost of `e`, with the user functions of `registry`.
pub fn estimate(e: &Expr, registry: &Registry) -> Cost {
    let mut est = Estimator {
        registry,
        at: None,
        call_tree: None,
        depth: 0,
    };
    let degree = est.degree(e, false, &[]);
    Cost {
        degree,
        at: est.at.map(|(_, s)| s),
        call_tree: est.call_tree,
    }
}

/// Degrees of growth of an expression in the record's size.
#[derive(Clone, Copy, Debug, Default)]
struct Degrees {
    /// Of the work evaluating it.
    work: u32,
    /// Of the number of values it has (a fan-out path has as many as the record has elements).
    values: u32,
}

struct Estimator<'r> {
    registry: &'r Registry,
    at: Option<(u32, Span)>,
    call_tree: Option<(u64, Span)>,
    depth: usize,
}

impl Estimator<'_> {
    /// Remembers the first place a degree above 1 is reached.
    fn note(&mut self, degree: u32, span: Span) -> u32 {
        if degree > 1 && self.at.is_none_or(|(d, _)| degree > d) {
            self.at = Some((degree, span));
        }
        degree
    }

    /// The degree of the work of evaluating `e`; `in_element` says bare paths are relative to a
    /// quantifier's element; `bound` are the names bound here (let names, parameters), each
    /// with whether its value comes from the current element (a part of a list already
    /// counted).
    fn degree(&mut self, e: &Expr, in_element: bool, bound: &[(String, Origin)]) -> u32 {
        self.measure(e, in_element, bound).work
    }

    /// The degrees of the work and of the number of values of `e`.
    fn measure(&mut self, e: &Expr, in_element: bool, bound: &[(String, Origin)]) -> Degrees {
        // Deep trees are bounded by the parser; guard anyway against runaway recursion.
        if self.depth > 512 {
            return Degrees::default();
        }
        self.depth += 1;
        let d = self.measure_of(e, in_element, bound);
        self.depth -= 1;
        self.note(d.work, e.span);
        d
    }

    fn measure_of(&mut self, e: &Expr, in_element: bool, bound: &[(String, Origin)]) -> Degrees {
        match &e.kind {
            ExprKind::Literal(_) => Degrees::default(),
            ExprKind::Path(p) => {
                let fan = u32::from(p.is_multi() && !relative(p, in_element, bound));
                Degrees {
                    work: fan,
                    values: fan,
                }
            }
            ExprKind::Quantifier { list, body, .. } => {
                let l = self.measure(list, in_element, bound);
                // The elements: none to count for a literal list or one computed from the
                // element (a part already counted); else the list's size.
                let elements = if derived(list, in_element, bound) || configured(list, bound) {
                    l.values
                } else {
                    l.values.max(1)
                };
                let b = self.degree(body, true, bound);
                Degrees {
                    work: l.work.max(elements + b),
                    values: 0,
                }
            }
            ExprKind::Compare { lhs, rhs, .. } => {
                let (l, r) = (
                    self.measure(lhs, in_element, bound),
                    self.measure(rhs, in_element, bound),
                );
                Degrees {
                    work: l.work.max(r.work).max(l.values + r.values),
                    values: 0,
                }
            }
            ExprKind::Let { name, value, body } => {
                let v = self.measure(value, in_element, bound);
                let mut inner = bound.to_vec();
                inner.push((name.name.clone(), origin(value, in_element, bound)));
                let b = self.measure(body, in_element, &inner);
                Degrees {
                    work: v.work.max(b.work),
                    values: b.values,
                }
            }
            ExprKind::Call { name, args } => {
                let measured: Vec<Degrees> = args
                    .iter()
                    .map(|x| self.measure(x, in_element, bound))
                    .collect();
                let work = measured.iter().map(|d| d.work).max().unwrap_or(0);
                let values = measured.iter().map(|d| d.values).max().unwrap_or(0);
                let registry = self.registry;
                match registry.function(&name.name) {
                    Some(f) => {
                        let size = self.call_tree_size(&name.name, 0);
                        if size > CALL_TREE_WARNING && self.call_tree.is_none_or(|(n, _)| size > n)
                        {
                            self.call_tree = Some((size, e.span));
                        }
                        // The body over its parameters.
                        let params: Vec<(String, Origin)> = f
                            .params
                            .iter()
                            .zip(args)
                            .map(|(p, arg)| (p.clone(), origin(arg, in_element, bound)))
                            .collect();
                        let b = self.measure(f.ast(), false, &params);
                        Degrees {
                            work: work.max(b.work),
                            values: b.values,
                        }
                    }
                    // Other functions work in time proportional to their arguments, which are
                    // parts of the record unless they are literals.
                    None => {
                        // Arguments from the current element are parts already counted; inside a
                        // quantifier's body, a single value from the root (an id, a name) is
                        // taken as small.
                        let reads = args.iter().any(|x| {
                            !(matches!(x.kind, ExprKind::Literal(_))
                                || derived(x, in_element, bound)
                                || in_element && constant(x))
                        });
                        Degrees {
                            work: work.max(u32::from(reads)),
                            values,
                        }
                    }
                }
            }
            _ => {
                let mut d = Degrees::default();
                for c in e.children() {
                    let m = self.measure(c, in_element, bound);
                    d.work = d.work.max(m.work);
                    d.values = d.values.max(m.values);
                }
                d
            }
        }
    }

    /// How many function bodies one call of `name` evaluates (itself and every call below it,
    /// counted once per call site), capped to stay finite.
    fn call_tree_size(&self, name: &str, depth: usize) -> u64 {
        let Some(f) = self.registry.function(name) else {
            return 0;
        };
        if depth > 64 {
            return u64::MAX / 4;
        }
        let mut total: u64 = 1;
        for node in f.ast().descendants() {
            if let ExprKind::Call { name: callee, .. } = &node.kind
                && self.registry.function(&callee.name).is_some()
            {
                total = total.saturating_add(self.call_tree_size(&callee.name, depth + 1));
            }
        }
        total
    }
}

/// True for a path that reads the current element (or a name bound to a part of it), not the
/// record's root.
fn relative(p: &crate::ast::Path, in_element: bool, bound: &[(String, Origin)]) -> bool {
    let binding = match p.segments.first() {
        Some(crate::ast::Segment::Key(k)) => bound.iter().rev().find(|(n, _)| n == k),
        _ => None,
    };
    match &p.root {
        PathRoot::Current => true,
        PathRoot::Implicit => match binding {
            Some((_, o)) => *o == Origin::Element,
            None => in_element,
        },
        PathRoot::Root | PathRoot::JsonPath(_) => false,
    }
}

/// Where a bound value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    /// The current element (a part of a list already counted).
    Element,
    /// Literals and pack parameters: of fixed size, whatever the record.
    Configured,
    /// The record.
    Record,
}

/// Where the value of `e` comes from.
fn origin(e: &Expr, in_element: bool, bound: &[(String, Origin)]) -> Origin {
    if derived(e, in_element, bound) {
        Origin::Element
    } else if configured(e, bound) {
        Origin::Configured
    } else {
        Origin::Record
    }
}

/// True for a literal, a call of literals only (a pack parameter such as `ALLOWED()`), or a
/// name bound to one: a list of fixed size, whatever the record.
fn configured(e: &Expr, bound: &[(String, Origin)]) -> bool {
    match &e.kind {
        ExprKind::Literal(_) => true,
        ExprKind::Call { args, .. } => args.iter().all(|a| configured(a, bound)),
        // A part of a configured value (`MAPPING()[key]`).
        ExprKind::Access { base, .. } | ExprKind::Index { base, .. } => configured(base, bound),
        ExprKind::Path(p) if p.root == PathRoot::Implicit => match p.segments.first() {
            Some(crate::ast::Segment::Key(k)) => bound
                .iter()
                .rev()
                .find(|(n, _)| n == k)
                .is_some_and(|(_, o)| *o == Origin::Configured),
            _ => false,
        },
        _ => false,
    }
}

/// True for a literal, a single-valued path, or a call of such values (a pack parameter, a
/// data-model name): a value taken not to grow with the lists of the record.
fn constant(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Literal(_) => true,
        ExprKind::Path(p) => !p.is_multi(),
        ExprKind::Call { args, .. } => args.iter().all(constant),
        _ => false,
    }
}

/// True when the value of `e` is (a part of, or computed from) the current element: a path
/// relative to it, a step into such a value, or an expression of such values and constants.
fn derived(e: &Expr, in_element: bool, bound: &[(String, Origin)]) -> bool {
    match &e.kind {
        ExprKind::Path(p) => relative(p, in_element, bound),
        ExprKind::Literal(_) => false,
        ExprKind::Access { base, .. } | ExprKind::Index { base, .. } => {
            derived(base, in_element, bound)
        }
        // `map`/`filter`/`first` over the element's own list.
        ExprKind::Quantifier { list, .. } => derived(list, in_element, bound),
        // A function or an expression of the element's parts (and constants).
        _ => {
            e.children().any(|a| derived(a, in_element, bound))
                && e.children()
                    .all(|a| derived(a, in_element, bound) || constant(a) || configured(a, bound))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::FunctionDef;
    use crate::syntax::parse;

    fn degree(src: &str) -> u32 {
        estimate(&parse(src).unwrap(), &Registry::empty()).degree
    }

    #[test]
    fn degrees() {
        assert_eq!(degree("a == 1 and b.c != \"x\""), 0);
        assert_eq!(degree("a[*].b == 1"), 1);
        assert_eq!(degree("any(a, @ == 1)"), 1);
        // a list of each element: the elements partition the record, still linear
        assert_eq!(degree("any(groups, any(@.members, @ == \"x\"))"), 1);
        assert_eq!(degree("any(groups, any(members, name == \"x\"))"), 1);
        // an independent list inside: every pair
        assert_eq!(degree("any(a, any($.a, @ == -1))"), 2);
        assert_eq!(degree("any(a, $.b[*] == @)"), 2);
        assert_eq!(degree("a[*] == b[*]"), 2);
        assert_eq!(degree("any(a, any($.b, any($.c, true)))"), 3);
        assert_eq!(degree("let xs = a in any(xs, any(xs, true))"), 2);
        // a literal list is constant; a function of the element and constants is the element's
        assert_eq!(degree("any([\"x\", \"y\"], not ($.l[*] == @))"), 1);
        assert_eq!(degree("any(a, any(f(@, $.id), @ == 1))"), 1);
        assert_eq!(degree("any(a, any(f($.list[*]), @ == 1))"), 2);
        // a pack parameter is a constant list; a data-model look-up a single value
        assert_eq!(degree("none(ALLOWED(), fnmatch($.name, @))"), 0);
        assert_eq!(
            degree("let ports = [22, 3389] in any(a, any(ports, @ == 1))"),
            1
        );
        assert_eq!(degree("any(a, any(if x then @.l else [@.m], true))"), 1);
        assert_eq!(degree("let r = MAP()[k] in any(r, not ($.l[*] == @))"), 1);
        assert_eq!(
            degree("any(items, check(concat(userId, udm(\"account\"))))"),
            1
        );
    }

    #[test]
    fn the_first_superlinear_place_is_kept() {
        let src = "x == 1 and any(a, any($.a, @ == -1))";
        let c = estimate(&parse(src).unwrap(), &Registry::empty());
        let at = c.at.unwrap();
        assert_eq!(&src[at.start..at.end], "any(a, any($.a, @ == -1))");
        assert_eq!(c.describe(), "quadratic");
    }

    #[test]
    fn call_trees_that_double() {
        let mut defs: Vec<FunctionDef> = (0..12)
            .map(|i| FunctionDef {
                name: format!("f{i}"),
                params: vec!["x".into()],
                body: format!("f{}(x) or f{}(x)", i + 1, i + 1),
                origin: "h.yml".into(),
            })
            .collect();
        defs.push(FunctionDef {
            name: "f12".into(),
            params: vec!["x".into()],
            body: "x == 1".into(),
            origin: "h.yml".into(),
        });
        let mut reg = Registry::empty();
        assert!(reg.define(&defs).is_empty());
        let c = estimate(&parse("f0(a)").unwrap(), &reg);
        assert_eq!(c.call_tree.map(|(n, _)| n), Some(8191));
        assert!(c.superlinear());
        let c = estimate(&parse("f10(a)").unwrap(), &reg);
        assert_eq!(c.call_tree, None);
    }
}
