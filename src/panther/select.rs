//! Choosing rules by their metadata, as `pounce test --filter` does: an ID glob (`AWS.S3.*`) or
//! `KEY=VALUE[,VALUE…]` on any top-level key of the rule file (`Severity=High,Critical`,
//! `Tags=*Identity*`, `LogTypes=AWS.CloudTrail`, `Enabled=false`).

use super::rule::Rule;
use super::schema::KNOWN_KEYS;
use crate::stdlib::strings::{Wildcards, glob};
use pounce_lang::suggest::nearest;
use serde_json::Value;

/// One `--filter`: every filter given must match for a rule to be kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleFilter {
    /// A glob (`*`, `?`) on the rule's ID, case-sensitive.
    Id(String),
    /// `KEY=V1,V2`: the key's value (any element of a list; any key or entry of a mapping such
    /// as `Reports`) matches one of the globs, ignoring ASCII case.
    Field {
        /// The key as the rule files spell it (`Severity`).
        key: String,
        /// Globs, any of which may match.
        values: Vec<String>,
    },
}

impl RuleFilter {
    /// Parses `GLOB` or `KEY=VALUE[,VALUE…]`; an unknown key is an error with a did-you-mean.
    pub fn parse(s: &str) -> Result<RuleFilter, String> {
        let Some((key, values)) = s.split_once('=') else {
            return Ok(RuleFilter::Id(s.to_string()));
        };
        let key = key.trim();
        let Some(known) = KNOWN_KEYS.iter().find(|k| k.eq_ignore_ascii_case(key)) else {
            let near = nearest(key, KNOWN_KEYS.iter().copied());
            return Err(format!(
                "`{key}` is not a key of rule files{}",
                near.first()
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_else(|| " (docs/RULES.md lists them)".to_string())
            ));
        };
        let values: Vec<String> = values
            .split(',')
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect();
        if values.is_empty() {
            return Err(format!("`--filter {key}=` needs a value"));
        }
        Ok(RuleFilter::Field {
            key: (*known).to_string(),
            values,
        })
    }

    /// True when `rule` passes this filter.
    pub fn matches(&self, rule: &Rule) -> bool {
        match self {
            RuleFilter::Id(g) => glob(g, &rule.id, Wildcards::StarAndQuestion),
            RuleFilter::Field { key, values } => {
                let value = match (rule.raw.get(key), key.as_str()) {
                    (Some(v), _) => v.clone(),
                    // Defaults that the file may leave out.
                    (None, "Enabled") => Value::Bool(true),
                    (None, _) => return false,
                };
                let mut texts = Vec::new();
                scalars(&value, &mut texts);
                texts.iter().any(|t| {
                    let t = t.to_ascii_lowercase();
                    values
                        .iter()
                        .any(|v| glob(&v.to_ascii_lowercase(), &t, Wildcards::StarAndQuestion))
                })
            }
        }
    }
}

/// The scalars of a value as text: itself, the elements of a list, the keys and entries of a
/// mapping.
fn scalars(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| scalars(x, out)),
        Value::Object(m) => {
            for (k, x) in m {
                out.push(k.clone());
                scalars(x, out);
            }
        }
        Value::Null => {}
        other => out.push(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_forms() {
        assert_eq!(
            RuleFilter::parse("AWS.*"),
            Ok(RuleFilter::Id("AWS.*".into()))
        );
        assert_eq!(
            RuleFilter::parse("severity=High, Critical"),
            Ok(RuleFilter::Field {
                key: "Severity".into(),
                values: vec!["High".into(), "Critical".into()]
            })
        );
        let e = RuleFilter::parse("Severty=High").err().unwrap_or_default();
        assert!(e.contains("did you mean `Severity`?"), "{e}");
        assert!(RuleFilter::parse("Tags=").is_err());
    }
}
