//! Exclusions: the top-level conjuncts of a condition that are negations — what a rule
//! actively suppresses. `IpPermissionsEgress not is_null` gives (IpPermissionsEgress, is_null).

use crate::ast::{CmpOp, Expr, ExprKind};
use serde_json::Value;

/// One exclusion: the predicate the rule suppresses.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Exclusion {
    /// The field (path) it is about, or the whole predicate's text when it has no single field.
    pub field: String,
    /// `is_null`, `is_empty`, `exists`, `in`, `==`, `contains`, `starts_with`, … or `not` for a
    /// negated sub-condition.
    pub kind: String,
    /// The excluded values, for comparisons with literals.
    pub values: Vec<String>,
    /// The suppressed predicate, written out (`IpPermissionsEgress is_null`).
    pub predicate: String,
    /// Byte span of the conjunct in the condition.
    pub span: crate::ast::Span,
}

/// The top-level conjuncts of `e`, in source order.
pub fn conjuncts(e: &Expr) -> Vec<&Expr> {
    let mut out = Vec::new();
    let mut stack = vec![e];
    while let Some(cur) = stack.pop() {
        match &cur.kind {
            ExprKind::And(a, b) => {
                stack.push(b);
                stack.push(a);
            }
            _ => out.push(cur),
        }
    }
    out
}

fn literal_values(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a.iter().flat_map(literal_values).collect(),
        Value::String(s) => vec![s.clone()],
        other => vec![other.to_string()],
    }
}

/// The exclusion a conjunct stands for, if it is a negation.
pub fn exclusion_of(c: &Expr) -> Option<Exclusion> {
    let (field, kind, values, predicate) = match &c.kind {
        ExprKind::Not(inner) => match &inner.kind {
            ExprKind::Compare {
                op,
                negated: false,
                lhs,
                rhs,
                ..
            } if *op != CmpOp::Ne => {
                let values = match &rhs.kind {
                    ExprKind::Literal(v) => literal_values(v),
                    _ => vec![rhs.to_string()],
                };
                (
                    lhs.to_string(),
                    op.as_str().to_string(),
                    values,
                    inner.to_string(),
                )
            }
            ExprKind::Test {
                test,
                negated: false,
                operand,
                ..
            } => (
                operand.to_string(),
                test.as_str().to_string(),
                vec![],
                inner.to_string(),
            ),
            _ => (
                inner.to_string(),
                "not".to_string(),
                vec![],
                inner.to_string(),
            ),
        },
        ExprKind::Test {
            test,
            negated: true,
            operand,
            ..
        } => (
            operand.to_string(),
            test.as_str().to_string(),
            vec![],
            format!("{operand} {}", test.as_str()),
        ),
        ExprKind::Compare {
            op,
            negated,
            lhs,
            rhs,
            ..
        } if *negated || *op == CmpOp::Ne => {
            let base = if *op == CmpOp::Ne { CmpOp::Eq } else { *op };
            let values = match &rhs.kind {
                ExprKind::Literal(v) => literal_values(v),
                _ => vec![rhs.to_string()],
            };
            (
                lhs.to_string(),
                base.as_str().to_string(),
                values,
                format!("{lhs} {} {rhs}", base.as_str()),
            )
        }
        _ => return None,
    };
    Some(Exclusion {
        field,
        kind,
        values,
        predicate,
        span: c.span,
    })
}

/// Every exclusion of a condition.
pub fn exclusions(e: &Expr) -> Vec<Exclusion> {
    conjuncts(e).into_iter().filter_map(exclusion_of).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excl(src: &str) -> Vec<(String, String, Vec<String>)> {
        let e = crate::syntax::parse(src).unwrap_or_else(|_| Expr {
            kind: ExprKind::Literal(Value::Null),
            span: Default::default(),
        });
        exclusions(&e)
            .into_iter()
            .map(|x| (x.field, x.kind, x.values))
            .collect()
    }

    #[test]
    fn contract_examples() {
        assert_eq!(
            excl(
                "IpPermissionsEgress not is_null and egress_allows_all_ports(IpPermissionsEgress)"
            ),
            vec![("IpPermissionsEgress".into(), "is_null".into(), vec![])]
        );
        assert_eq!(
            excl("eventName == \"x\" and userIdentity.type not in [\"AWSService\"]"),
            vec![(
                "userIdentity.type".into(),
                "in".into(),
                vec!["AWSService".into()]
            )]
        );
        assert_eq!(
            excl("a != 1 and not (b contains \"x\")"),
            vec![
                ("a".into(), "==".into(), vec!["1".into()]),
                ("b".into(), "contains".into(), vec!["x".into()]),
            ]
        );
        assert!(excl("a == 1 or not b").is_empty());
    }
}
