//! Evaluating one record's text, as `pounce eval` does for each record of a stream: with one
//! condition (a verdict) or with a pack of rules (its verdicts and the alerts of the rules
//! that flagged it); a record that is not a JSON object is rejected with a message. With a
//! log type (`--log-type`), records that lack `p_log_type` get it before they are evaluated.

use super::input::json_error;
use super::pack::{Pack, RecordResult};
use super::stream::RawRecord;
use crate::panther::alert::Alert;
use pounce_lang::{Env, Program};
use serde_json::Value;

/// What records are evaluated with.
pub enum Evaluator {
    /// One condition (`eval -e`).
    Expr(Program),
    /// A pack of rules (`eval -r`).
    Pack(Box<Pack>),
}

/// What one record produced.
#[derive(Debug)]
pub enum Outcome {
    /// The condition's verdict.
    Expr(bool),
    /// The pack's verdicts, and the alerts (by rule index) of the rules that flagged it.
    Pack(RecordResult, Vec<(usize, Alert)>),
    /// The record was rejected: not JSON, not an object, or too large.
    Rejected(String),
}

/// How a pack evaluates records.
#[derive(Clone, Copy, Debug, Default)]
pub struct PackOptions<'a> {
    /// The type of records that carry none (`--type`).
    pub record_type: Option<&'a str>,
    /// Report every applicable rule's verdict, flagged or not (`--all`).
    pub all: bool,
    /// Stamped as `p_log_type` on records that lack it (`--log-type`).
    pub log_type: Option<&'a str>,
}

/// Rejects a record that is not an object (an object that is not valid JSON is left to the
/// parser, which says where).
fn not_an_object(text: &str) -> Option<String> {
    if text.trim_start().starts_with('{') {
        return None;
    }
    super::input::parse_record(text).err()
}

/// Sets `p_log_type` to `t` on an object that has none (or null).
pub fn stamp_log_type(doc: &mut Value, t: Option<&str>) {
    if let (Some(t), Value::Object(m)) = (t, doc) {
        let absent = m.get("p_log_type").is_none_or(Value::is_null);
        if absent {
            m.insert("p_log_type".to_string(), Value::String(t.to_string()));
        }
    }
}

impl Evaluator {
    /// Evaluates one record of a stream.
    pub fn evaluate(&self, raw: RawRecord<'_>, env: &Env, options: PackOptions<'_>) -> Outcome {
        let text = match raw {
            Ok(t) => t,
            Err(e) => return Outcome::Rejected(e),
        };
        if let Some(why) = not_an_object(text) {
            return Outcome::Rejected(why);
        }
        match self {
            Evaluator::Expr(p) => match serde_json::from_str::<Value>(text) {
                Ok(mut v) => {
                    stamp_log_type(&mut v, options.log_type);
                    Outcome::Expr(p.eval_with(&v, env))
                }
                Err(e) => Outcome::Rejected(json_error(&e)),
            },
            Evaluator::Pack(pack) => match pack.parse(text) {
                Ok(mut v) => {
                    stamp_log_type(&mut v, options.log_type);
                    let r = pack.evaluate(&v, options.record_type, env, options.all);
                    // Alert templates may read what the conditions do not: render them from
                    // the whole record.
                    let alerts = if pack.has_rules() && r.verdicts.iter().any(|(_, f)| *f) {
                        match serde_json::from_str::<Value>(text) {
                            Ok(mut full) => {
                                stamp_log_type(&mut full, options.log_type);
                                pack.alerts(&full, &r, env)
                            }
                            Err(_) => Vec::new(),
                        }
                    } else {
                        Vec::new()
                    };
                    Outcome::Pack(r, alerts)
                }
                Err(e) => Outcome::Rejected(json_error(&e)),
            },
        }
    }
}
