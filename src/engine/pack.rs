//! Evaluating a pack of rules over records: routing by type, a candidate index on required
//! equality conjuncts, and one projection trie for the whole pack so each record is parsed
//! once and only as far as the rules read.

use super::ids::IdFields;
use super::project::Projection;
use crate::panther::{AnalysisType, Rule};
use pounce_lang::ast::{CmpOp, ExprKind, PathRoot, Segment};
use pounce_lang::eval::Env;
use pounce_lang::reads::{self, Trie};
use serde_json::Value;
use std::collections::HashMap;

/// Fields that name a record's type: `ResourceType` (resources, for policies) and
/// `p_log_type` (log events, for rules).
pub const TYPE_FIELDS: [&str; 2] = ["ResourceType", "p_log_type"];

/// A required equality: the rule can only match when the string at `path` is one of `values`.
#[derive(Clone, Debug, PartialEq)]
pub struct Requirement {
    /// Object keys from the root.
    pub path: Vec<String>,
    /// The accepted strings.
    pub values: Vec<String>,
}

/// The first top-level conjunct of `rule` of the form `path == "s"` or `path in ["a", "b"]`
/// on a plain root path, which every match must satisfy.
pub fn requirement(rule: &Rule) -> Option<Requirement> {
    for c in pounce_lang::exclusions::conjuncts(rule.program.ast()) {
        let ExprKind::Compare {
            op,
            negated: false,
            lhs,
            rhs,
            ..
        } = &c.kind
        else {
            continue;
        };
        let ExprKind::Path(p) = &lhs.kind else {
            continue;
        };
        if !matches!(p.root, PathRoot::Implicit | PathRoot::Root) {
            continue;
        }
        let keys: Option<Vec<String>> = p
            .segments
            .iter()
            .map(|s| {
                if let Segment::Key(k) = s {
                    Some(k.clone())
                } else {
                    None
                }
            })
            .collect();
        let Some(path) = keys else { continue };
        if path.is_empty() {
            continue;
        }
        let values = match (op, &rhs.kind) {
            (CmpOp::Eq, ExprKind::Literal(Value::String(s))) => vec![s.clone()],
            (CmpOp::In, ExprKind::Literal(Value::Array(a))) if a.iter().all(Value::is_string) => a
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect(),
            _ => continue,
        };
        return Some(Requirement { path, values });
    }
    None
}

/// A compiled pack, ready to evaluate records on any number of threads.
pub struct Pack {
    /// The rules, in load order.
    pub rules: Vec<Rule>,
    trie: Trie,
    /// The trie, prepared for parsing.
    projection: Projection,
    /// Per record type: the rules that apply, indexed.
    by_type: HashMap<String, Route>,
    /// Records of a type no rule names: the untyped rules.
    untyped: Route,
    /// Records with no type: every rule.
    all: Route,
    /// The fields that identify a record, per type.
    ids: IdFields,
}

/// The rules that apply to one kind of record, with a hash index on their requirements: a
/// record only tries the rules whose required value it has, plus the rules without one.
struct Route {
    /// Every applicable rule, in rule order.
    rules: Vec<usize>,
    /// Applicable rules without a requirement: always tried.
    unindexed: Vec<usize>,
    /// Rules with a requirement, grouped by the path they require and how keys match there.
    groups: Vec<Group>,
}

struct Group {
    path: Vec<String>,
    ignore_case: bool,
    by_value: HashMap<String, Vec<usize>>,
}

impl Route {
    fn new(rules: Vec<usize>, all: &[Rule], reqs: &[Option<Requirement>]) -> Route {
        let mut unindexed = Vec::new();
        let mut groups: Vec<Group> = Vec::new();
        for &i in &rules {
            let (Some(rule), Some(Some(req))) = (all.get(i), reqs.get(i)) else {
                unindexed.push(i);
                continue;
            };
            let ignore_case = rule.key_match == pounce_lang::KeyMatch::CaseInsensitiveFallback;
            let at = match groups
                .iter()
                .position(|g| g.path == req.path && g.ignore_case == ignore_case)
            {
                Some(at) => at,
                None => {
                    groups.push(Group {
                        path: req.path.clone(),
                        ignore_case,
                        by_value: HashMap::new(),
                    });
                    groups.len() - 1
                }
            };
            if let Some(g) = groups.get_mut(at) {
                for v in &req.values {
                    let list = g.by_value.entry(v.clone()).or_default();
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            }
        }
        Route {
            rules,
            unindexed,
            groups,
        }
    }

    /// The rules `doc` must try, in rule order, into `out`.
    fn candidates(&self, doc: &Value, out: &mut Vec<usize>) {
        out.clear();
        out.extend_from_slice(&self.unindexed);
        for g in &self.groups {
            let mut cur = Some(doc);
            for k in &g.path {
                cur = cur.and_then(|c| match c.get(k) {
                    Some(v) => Some(v),
                    None if g.ignore_case => c.as_object().and_then(|m| {
                        m.iter()
                            .find(|(name, _)| name.eq_ignore_ascii_case(k))
                            .map(|(_, v)| v)
                    }),
                    None => None,
                });
            }
            if let Some(list) = cur.and_then(Value::as_str).and_then(|s| g.by_value.get(s)) {
                out.extend_from_slice(list);
            }
        }
        if !self.groups.is_empty() {
            out.sort_unstable();
            out.dedup();
        }
    }
}

/// The outcome of one record.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecordResult {
    /// The record's type, if it has one (or `--type`).
    pub record_type: Option<String>,
    /// The record's id, if it has one.
    pub id: Option<String>,
    /// The field the id came from.
    pub id_field: Option<String>,
    /// True when the record carries its own type field (`ResourceType` / `p_log_type`).
    pub typed: bool,
    /// Rules that apply to the record's type.
    pub applicable: usize,
    /// Rules actually evaluated (the index skips the others).
    pub tried: usize,
    /// (rule index, flagged) for every applicable rule, in rule order.
    pub verdicts: Vec<(usize, bool)>,
}

impl Pack {
    /// Builds a pack from loaded rules, with the default id fields.
    pub fn new(rules: Vec<Rule>) -> Self {
        Pack::with_ids(rules, IdFields::default())
    }

    /// Builds a pack from loaded rules; `ids` says which field identifies a record of each type.
    pub fn with_ids(rules: Vec<Rule>, ids: IdFields) -> Self {
        let mut trie = Trie::default();
        let mut by_type: HashMap<String, Vec<usize>> = HashMap::new();
        let mut untyped = Vec::new();
        let mut reqs = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            trie.merge(&reads::reads(&r.program));
            let req = requirement(r);
            if let Some(q) = &req {
                let segs: Vec<Segment> = q.path.iter().cloned().map(Segment::Key).collect();
                trie.add_path(&segs);
            }
            reqs.push(req);
            if r.types.is_empty() {
                untyped.push(i);
            }
            for t in &r.types {
                by_type.entry(t.clone()).or_default().push(i);
            }
        }
        for f in TYPE_FIELDS.iter().chain(super::ids::ID_FIELDS.iter()) {
            trie.add_path(&[Segment::Key((*f).to_string())]);
        }
        for p in ids.paths() {
            let segs: Vec<Segment> = p.iter().cloned().map(Segment::Key).collect();
            trie.add_path(&segs);
        }
        trie.finalize();
        if rules
            .iter()
            .any(|r| r.key_match == pounce_lang::KeyMatch::CaseInsensitiveFallback)
        {
            trie.set_ignore_case();
        }
        // Each type's rules with the untyped ones, in rule order, indexed.
        let by_type = by_type
            .into_iter()
            .map(|(t, mut v)| {
                v.extend(untyped.iter().copied());
                v.sort_unstable();
                (t, Route::new(v, &rules, &reqs))
            })
            .collect();
        let untyped = Route::new(untyped, &rules, &reqs);
        let all = Route::new((0..rules.len()).collect(), &rules, &reqs);
        let projection = Projection::new(&trie);
        Pack {
            rules,
            trie,
            projection,
            by_type,
            untyped,
            all,
            ids,
        }
    }

    /// What the pack reads of a record.
    pub fn trie(&self) -> &Trie {
        &self.trie
    }

    /// Parses a record's text, keeping only what the pack reads.
    pub fn parse(&self, text: &str) -> Result<Value, serde_json::Error> {
        self.projection.parse(text)
    }

    /// The rules that apply to a record of type `t` (`None`: every rule).
    fn applicable(&self, t: Option<&str>) -> &Route {
        match t {
            None => &self.all,
            Some(t) => self.by_type.get(t).unwrap_or(&self.untyped),
        }
    }

    /// Evaluates `doc` against the rules that apply to it. `default_type` stands for records
    /// that carry no type field. With `all`, rules skipped by the index are reported as not
    /// flagged (they cannot match).
    pub fn evaluate(
        &self,
        doc: &Value,
        default_type: Option<&str>,
        env: &Env,
        all: bool,
    ) -> RecordResult {
        let own_type = TYPE_FIELDS
            .iter()
            .find_map(|f| doc.get(*f).and_then(Value::as_str));
        let record_type = own_type.or(default_type);
        let (id, id_field) = self.ids.id_of(doc, record_type).unzip();
        let route = self.applicable(record_type);
        let env_ci = Env {
            keys: pounce_lang::KeyMatch::CaseInsensitiveFallback,
            ..env.clone()
        };
        let env_exact = Env {
            keys: pounce_lang::KeyMatch::Exact,
            ..env.clone()
        };
        let mut candidates = Vec::new();
        route.candidates(doc, &mut candidates);
        let mut verdicts = Vec::new();
        let flagged_by = |i: usize| {
            self.rules.get(i).is_some_and(|rule| {
                let env = if rule.key_match == pounce_lang::KeyMatch::CaseInsensitiveFallback {
                    &env_ci
                } else {
                    &env_exact
                };
                rule.program.eval_with(doc, env)
            })
        };
        if all {
            // Every applicable rule gets a verdict; those the index skipped cannot match.
            for &i in &route.rules {
                let flagged = candidates.binary_search(&i).is_ok() && flagged_by(i);
                verdicts.push((i, flagged));
            }
        } else {
            for &i in &candidates {
                if flagged_by(i) {
                    verdicts.push((i, true));
                }
            }
        }
        let tried = candidates.len();
        let applicable = route.rules.len();
        RecordResult {
            record_type: record_type.map(String::from),
            id,
            id_field,
            typed: own_type.is_some(),
            applicable,
            tried,
            verdicts,
        }
    }

    /// The alerts of the rules (not policies) that flagged a record, rendered from the full
    /// record (alert templates may read fields the conditions do not).
    pub fn alerts(
        &self,
        full: &Value,
        result: &RecordResult,
        env: &Env,
    ) -> Vec<(usize, crate::panther::alert::Alert)> {
        result
            .verdicts
            .iter()
            .filter(|(_, flagged)| *flagged)
            .filter_map(|&(i, _)| {
                let rule = self.rules.get(i).filter(|r| r.kind == AnalysisType::Rule)?;
                let env = Env {
                    keys: rule.key_match,
                    ..env.clone()
                };
                Some((i, rule.render_alert(full, &env)))
            })
            .collect()
    }

    /// True when some rule of the pack is a rule (alerts are rendered for those).
    pub fn has_rules(&self) -> bool {
        self.rules.iter().any(|r| r.kind == AnalysisType::Rule)
    }

    /// Whether rule `i` is a policy or a rule.
    pub fn kind(&self, i: usize) -> Option<AnalysisType> {
        self.rules.get(i).map(|r| r.kind)
    }
}
