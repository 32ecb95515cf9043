//! The canonical source form of a condition: what `Display` prints parses back to an equal tree.

use super::{Expr, ExprKind, Path, PathRoot, Segment};
use std::fmt;

fn is_bare_key(k: &str) -> bool {
    let mut chars = k.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !super::KEYWORDS.contains(&k)
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        match &self.root {
            PathRoot::Implicit => {}
            PathRoot::Current => {
                f.write_str("@")?;
                first = false;
            }
            PathRoot::Root => {
                f.write_str("$")?;
                first = false;
            }
            PathRoot::JsonPath(p) => {
                f.write_str(p)?;
                first = false;
            }
        }
        for seg in &self.segments {
            match seg {
                Segment::Key(k) => {
                    if !first {
                        f.write_str(".")?;
                    }
                    if is_bare_key(k) {
                        f.write_str(k)?;
                    } else {
                        write!(f, "`{k}`")?;
                    }
                }
                Segment::Index(i) => write!(f, "[{i}]")?,
                Segment::Wildcard => f.write_str("[*]")?,
            }
            first = false;
        }
        Ok(())
    }
}

impl fmt::Display for Expr {
    /// Canonical source form: fully parenthesised where precedence would otherwise matter.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Literal(v) => write!(f, "{v}"),
            ExprKind::Path(p) => write!(f, "{p}"),
            ExprKind::Call { name, args } => {
                write!(f, "{}(", name.name)?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str(")")
            }
            ExprKind::Quantifier { kind, list, body } => {
                write!(f, "{}({list}, {body})", kind.as_str())
            }
            ExprKind::Not(e) => write!(f, "not {}", Paren(e)),
            ExprKind::And(a, b) => write!(f, "{} and {}", Paren(a), Paren(b)),
            ExprKind::Or(a, b) => write!(f, "{} or {}", Paren(a), Paren(b)),
            ExprKind::Compare {
                op,
                negated,
                lhs,
                rhs,
                ..
            } => {
                let not = if *negated { "not " } else { "" };
                write!(f, "{} {not}{} {}", Paren(lhs), op.as_str(), Paren(rhs))
            }
            ExprKind::Test {
                test,
                negated,
                operand,
                ..
            } => {
                let not = if *negated { "not " } else { "" };
                write!(f, "{} {not}{}", Paren(operand), test.as_str())
            }
            ExprKind::Arith { op, lhs, rhs } => {
                write!(f, "{} {} {}", Paren(lhs), op.as_str(), Paren(rhs))
            }
            ExprKind::Neg(e) => write!(f, "-{}", Paren(e)),
            ExprKind::Access { base, segments } => {
                let p = Path {
                    root: PathRoot::Implicit,
                    segments: segments.clone(),
                };
                let text = p.to_string();
                if text.starts_with('[') {
                    write!(f, "{}{text}", Postfix(base))
                } else {
                    write!(f, "{}.{text}", Postfix(base))
                }
            }
            ExprKind::Index { base, index } => write!(f, "{}[{index}]", Postfix(base)),
            ExprKind::If { cond, then, els } => write!(f, "if {cond} then {then} else {els}"),
            ExprKind::Coalesce(a, b) => write!(f, "{} ?? {}", Paren(a), Paren(b)),
            ExprKind::List(items) => {
                f.write_str("[")?;
                for (i, e) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{e}")?;
                }
                f.write_str("]")
            }
            ExprKind::Object(members) => {
                f.write_str("{")?;
                for (i, (k, e)) in members.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}: {e}", serde_json::Value::String(k.name.clone()))?;
                }
                f.write_str("}")
            }
            ExprKind::Let { name, value, body } => {
                write!(f, "let {} = {} in {body}", name.name, Paren(value))
            }
        }
    }
}

/// Display helper for the base of a path or index written after it: as it is when a path can
/// follow it directly, else in parentheses.
struct Postfix<'a>(&'a Expr);

impl fmt::Display for Postfix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.kind {
            ExprKind::Path(p) if matches!(p.root, PathRoot::Implicit | PathRoot::Current) => {
                write!(f, "{}", self.0)
            }
            ExprKind::Literal(serde_json::Value::Number(n))
                if n.as_f64().is_some_and(|x| x < 0.0) =>
            {
                write!(f, "({})", self.0)
            }
            ExprKind::Literal(_)
            | ExprKind::Call { .. }
            | ExprKind::Access { .. }
            | ExprKind::Index { .. }
            | ExprKind::List(_)
            | ExprKind::Object(_) => write!(f, "{}", self.0),
            _ => write!(f, "({})", self.0),
        }
    }
}

/// Display helper: parenthesise anything that is not atomic.
struct Paren<'a>(&'a Expr);

impl fmt::Display for Paren<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.kind {
            ExprKind::Literal(_)
            | ExprKind::Path(_)
            | ExprKind::Call { .. }
            | ExprKind::Access { .. }
            | ExprKind::Index { .. }
            | ExprKind::List(_)
            | ExprKind::Object(_)
            | ExprKind::Quantifier { .. } => write!(f, "{}", self.0),
            _ => write!(f, "({})", self.0),
        }
    }
}
