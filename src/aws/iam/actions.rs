//! The IAM action catalogue and glob expansion: which actions an `Action`/`NotAction` entry
//! covers, the access category of an action, and the S3 actions. The catalogue is partial:
//! only the actions listed in `data/iam/` (see the NOTICE there) are known, which is every
//! action of category `Permissions` and every `ec2` network `Write` action, i.e. every action
//! whose category the ported policies test; the S3 actions are in `data/storage/`.

use super::policy::{self, Statements};
use crate::stdlib::fnmatch;
use pounce_lang::document::KeyMatch;
use pounce_lang::functions::{Args, NativeCtx, NativeError};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// The catalogue actions of category `Permissions` (data/iam/permissions_actions.txt).
const PERMISSIONS_ACTIONS: &str = include_str!("../../../data/iam/permissions_actions.txt");

/// The `ec2` network actions of category `Write` (data/iam/ec2_network_write_actions.txt).
const EC2_NETWORK_WRITE_ACTIONS: &str =
    include_str!("../../../data/iam/ec2_network_write_actions.txt");

/// The S3 actions of the IAM action catalogue (policyuniverse 1.5.1.20230817), one a line, as
/// `s3:Action`; see data/storage/NOTICE.
const S3_ACTIONS: &str = include_str!("../../../data/storage/s3_actions.txt");

/// The bundled catalogue: lower-case action name → access category.
fn catalogue() -> &'static BTreeMap<&'static str, &'static str> {
    static CATALOGUE: OnceLock<BTreeMap<&'static str, &'static str>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let mut m = BTreeMap::new();
        for (text, category) in [
            (PERMISSIONS_ACTIONS, "Permissions"),
            (EC2_NETWORK_WRITE_ACTIONS, "Write"),
        ] {
            for line in text.lines().map(str::trim) {
                if !line.is_empty() && !line.starts_with('#') {
                    m.insert(line, category);
                }
            }
        }
        m
    })
}

/// Optional argument `i`: `None` when not given, its text when it is a string; undefined (the
/// error names it `what`) for anything else.
fn optional_text<'a>(a: &Args<'a>, i: usize, what: &str) -> Result<Option<&'a str>, NativeError> {
    match (a.len() > i, a.get(i)) {
        (false, _) => Ok(None),
        (true, Some(Value::String(k))) => Ok(Some(k.as_str())),
        (true, _) => Err(NativeError(format!("{what} is not a string"))),
    }
}

/// One entry of an `Action` / `NotAction` value, lower-cased, and whether it is a glob.
struct ActionPattern {
    text: String,
    glob: bool,
}

impl ActionPattern {
    /// Whether it names the lower-case catalogue action `action`: as a shell glob (`*`, `?`,
    /// `[...]`) when it is one, by equality otherwise.
    fn matches(&self, action: &str) -> bool {
        if self.glob {
            fnmatch(&self.text, action)
        } else {
            self.text == action
        }
    }
}

/// The entries of an `Action` / `NotAction` value, lower-cased: a string, or the strings of a
/// list (other elements are ignored). An entry is a glob when it contains `*`
/// (policyuniverse does not treat `?` or `[` as wildcards then); with `list_globs`, every list
/// element is a glob (the S3 check's action minimizer).
fn action_patterns(v: Option<&Value>, list_globs: bool) -> Vec<ActionPattern> {
    let pattern = |s: &str, glob: bool| ActionPattern {
        text: s.to_lowercase(),
        glob: glob || s.contains('*'),
    };
    match v {
        Some(Value::String(s)) => vec![pattern(s, false)],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(|s| pattern(s, list_globs))
            .collect(),
        _ => Vec::new(),
    }
}

/// The actions one statement covers, added to `out` (see [`iam_covered_actions`]).
fn statement_coverage(stmt: &Map<String, Value>, out: &mut BTreeSet<String>) {
    let cat = catalogue();
    for entry in action_patterns(stmt.get("Action"), false) {
        // A glob stands for the catalogue actions it matches; an entry that is no glob, or a
        // glob that matches none, stands for itself.
        let mut matched = false;
        if entry.glob {
            for action in cat.keys().filter(|a| entry.matches(a)) {
                matched = true;
                out.insert((*action).to_string());
            }
        }
        if !matched {
            out.insert(entry.text);
        }
    }
    if let Some(not) = stmt.get("NotAction").filter(|v| !v.is_null()) {
        let excluded = action_patterns(Some(not), false);
        for action in cat.keys() {
            if !excluded.iter().any(|e| e.matches(action)) {
                out.insert((*action).to_string());
            }
        }
    }
}

/// `iam_covered_actions(doc)` / `iam_covered_actions(doc, effect)`: the sorted list of distinct
/// lower-case action names that the statements of a policy document cover, as policyuniverse
/// expands them.
///
/// `doc` is a policy document (an object, or JSON text holding one); its statements are its
/// `Statement` list, or a single statement object (none when `Statement` is absent, null or of
/// another type). With `effect` (a string), only statements whose
/// `Effect` is exactly that string (case-sensitive: `"Allow"` does not select `"allow"`) count;
/// without it, every statement counts whatever its `Effect` (Deny included). Per statement:
/// - each `Action` entry (a string, or the strings of a list) is lower-cased; an entry with `*`
///   is a shell glob (`*`, `?`, `[...]`) replaced by every bundled catalogue action it matches,
///   or kept as written (lower-cased) when it matches none; an entry without `*` is kept as
///   written (lower-cased), whether or not the catalogue lists it;
/// - when the statement has a non-null `NotAction`, every bundled catalogue action that no
///   `NotAction` entry matches (same matching) is covered as well.
///
/// `Resource`, `NotResource` and `Condition` play no part. The catalogue is the partial one of
/// `data/iam/`, so the list holds every covered action of category `Permissions` and every
/// covered `ec2` network `Write` action, plus the written entries, but not other expansions.
/// Undefined when `doc` is not a policy document or `effect` is given but is not a string.
pub(super) fn iam_covered_actions(
    a: &Args<'_>,
    ctx: &mut NativeCtx<'_>,
) -> Result<Value, NativeError> {
    let doc = a
        .get(0)
        .and_then(|v| policy::document(v, KeyMatch::Exact).ok())
        .ok_or_else(|| NativeError("not a policy document (object or JSON text)".into()))?;
    // The statements, read in place: a list, a single statement object, or none.
    let statements: &[Value] = match policy::statements(&doc.value, doc.keys) {
        Statements::List(items) => items,
        Statements::One(one) if one.is_object() => std::slice::from_ref(one),
        Statements::One(_) | Statements::None => &[],
    };
    let effect = optional_text(a, 1, "EFFECT")?;
    let mut out = BTreeSet::new();
    for (i, stmt) in statements.iter().enumerate() {
        let Value::Object(stmt) = stmt else { continue };
        if let Some(want) = effect
            && stmt.get("Effect").and_then(Value::as_str) != Some(want)
        {
            ctx.note(format_args!(
                "statement {i}: Effect is not {want:?}, skipped"
            ));
            continue;
        }
        let before = out.len();
        statement_coverage(stmt, &mut out);
        ctx.note(format_args!(
            "statement {i}: {} new action(s) covered",
            out.len() - before
        ));
    }
    Ok(Value::Array(out.into_iter().map(Value::String).collect()))
}

/// `iam_action_category(action)`: the access category policyuniverse gives `action` (compared
/// in lower case): `"Permissions"` for the 237 actions of data/iam/permissions_actions.txt,
/// `"Write"` for the 153 `ec2` network actions of data/iam/ec2_network_write_actions.txt, and
/// `null` for any other string: the bundled catalogue is partial, so null means "not one of
/// those", not "no category". Undefined when `action` is missing or not a string.
pub(super) fn iam_action_category(
    a: &Args<'_>,
    _: &mut NativeCtx<'_>,
) -> Result<Value, NativeError> {
    let Some(Value::String(action)) = a.get(0) else {
        return Err(NativeError("the action is not a string".into()));
    };
    Ok(catalogue()
        .get(action.to_lowercase().as_str())
        .map_or(Value::Null, |c| Value::String((*c).to_string())))
}

/// `grants_all_s3_actions(action)`: the statement's `Action` value is expanded against the IAM
/// action catalogue the way the upstream policy's action minimizer does it, case-insensitively:
/// a string without `*` names one action literally; a string with `*`, and every element of a
/// list, is a shell-style glob (`*`, `?`, `[...]`). True when the expanded set holds every S3
/// action of the catalogue (e.g. `*`, `s3:*`, `S3:*`, `*:*`, or globs that together cover every
/// S3 action). False for anything else: partial globs, a missing/null value, a non-string list
/// element (ignored), a number.
pub(crate) fn grants_all_s3_actions(action: Option<&Value>, ctx: &mut NativeCtx<'_>) -> bool {
    let patterns = action_patterns(action, true);
    let uncovered = s3_catalogue().find(|act| !patterns.iter().any(|p| p.matches(act)));
    match uncovered {
        Some(act) => {
            ctx.note(format_args!("the actions do not cover `{act}`"));
            false
        }
        None => {
            ctx.note(format_args!("the actions cover every S3 action"));
            true
        }
    }
}

/// The S3 actions of the catalogue, lower case.
fn s3_catalogue() -> impl Iterator<Item = String> {
    S3_ACTIONS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_lowercase)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::stdlib::test_support::value;
    use serde_json::json;

    #[test]
    fn catalogue_sizes() {
        let c = catalogue();
        assert_eq!(c.values().filter(|v| **v == "Permissions").count(), 237);
        assert_eq!(c.values().filter(|v| **v == "Write").count(), 153);
        assert!(
            c.keys()
                .all(|k| k.starts_with(|ch: char| ch.is_ascii_lowercase()))
        );
    }

    fn covered(doc: Value) -> Vec<String> {
        let out = value(iam_covered_actions, &[Some(doc)]).unwrap();
        out.as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn covered_actions_not_action_is_a_complement() {
        let doc =
            json!(r#"{"Statement": {"Effect": "Allow", "NotAction": ["ec2:*", "iam:Put*"]}}"#);
        let got = covered(doc);
        assert!(got.contains(&"iam:attachrolepolicy".to_string()));
        assert!(got.contains(&"kms:putkeypolicy".to_string()));
        assert!(!got.contains(&"iam:putrolepolicy".to_string()));
        assert!(!got.iter().any(|a| a.starts_with("ec2:")));
        let all = covered(json!({"Statement": {"Effect": "Deny", "Action": "*"}}));
        assert_eq!(all.len(), 390);
        let everything_but_one =
            covered(json!({"Statement": {"Effect": "Allow", "NotAction": "ec2:createvpc"}}));
        assert_eq!(everything_but_one.len(), 389);
    }

    #[test]
    fn every_s3_action_listed_covers_them_all() {
        let mut ctx = NativeCtx::new(0, None);
        let every: Vec<Value> = s3_catalogue().map(Value::String).collect();
        assert_eq!(every.len(), 130);
        assert!(grants_all_s3_actions(
            Some(&Value::Array(every.clone())),
            &mut ctx
        ));
        assert!(!grants_all_s3_actions(
            Some(&Value::Array(every[1..].to_vec())),
            &mut ctx
        ));
    }
}
