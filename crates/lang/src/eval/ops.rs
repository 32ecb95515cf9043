//! The operators: comparisons, postfix tests, arithmetic and the built-in functions, over
//! present operand values.

use super::value::{One, Ref, Vals, eq};
use crate::ast::{ArithOp, CmpOp, TestKind};
use crate::document::{Document, Kind, number_cmp};
use crate::functions::Builtin;
use crate::ir::Prebuilt;
use serde_json::{Number, Value};
use std::cmp::Ordering;
use std::net::IpAddr;

pub(super) fn builtin<D: Document + ?Sized>(b: Builtin, r: Ref<'_, D>) -> Option<Value> {
    match (b, r.kind()) {
        (Builtin::Len, Kind::String) => r.as_str().map(|s| Value::from(s.chars().count())),
        (Builtin::Len, Kind::Array | Kind::Object) => Some(Value::from(r.len())),
        (Builtin::Lower, Kind::String) => r.as_str().map(|s| Value::from(s.to_lowercase())),
        (Builtin::Upper, Kind::String) => r.as_str().map(|s| Value::from(s.to_uppercase())),
        _ => None,
    }
}

pub(super) fn arith<'a, D: Document + ?Sized>(
    op: ArithOp,
    l: &Vals<'a, D>,
    r: &Vals<'a, D>,
) -> Vals<'a, D> {
    let apply = |a: Ref<'_, D>, b: Ref<'_, D>| match (a.as_str(), b.as_str()) {
        // `+` on two strings concatenates them; a string with anything else is undefined.
        (Some(x), Some(y)) if op == ArithOp::Add => Some(Value::String(format!("{x}{y}"))),
        _ => arith_num(op, a.as_number()?, b.as_number()?),
    };
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

/// The steps a comparison of `l` and `r` costs: one per pair of values compared, plus the
/// work by size (elements of lists and objects, characters of strings in units of 64) that
/// each pair may scan; computed in time linear in the number of values.
pub(crate) fn compare_cost<D: Document + ?Sized>(
    _op: CmpOp,
    l: &Vals<'_, D>,
    r: &Vals<'_, D>,
) -> u64 {
    let size = |v: Ref<'_, D>| -> u64 {
        match v.kind() {
            Kind::String => v.as_str().map_or(0, |s| s.len() as u64 / 64),
            Kind::Array | Kind::Object => v.len() as u64,
            _ => 0,
        }
    };
    let (mut nl, mut sl, mut nr, mut sr) = (0u64, 0u64, 0u64, 0u64);
    for a in l.present() {
        nl += 1;
        sl = sl.saturating_add(size(a));
    }
    for b in r.present() {
        nr += 1;
        sr = sr.saturating_add(size(b));
    }
    nl.saturating_mul(nr)
        .saturating_add(sl.saturating_mul(nr.max(1)))
        .saturating_add(sr.saturating_mul(nl.max(1)))
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
            .and_then(|s| crate::literals::parse_cidr_literal(s).ok())
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
