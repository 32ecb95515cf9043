//! `pounce coverage`: the ATT&CK Enterprise matrix of a pack — tactics as columns in
//! kill-chain order, the techniques the pack covers with the rules that cover each, counts, and
//! the rules with no ATT&CK mapping. The JSON output is [`Coverage`] serialised.

use super::attack_map::{TacticRef, TechniqueRef, TechniqueStatus, attack_entries, attack_rows};
use super::model::FORMAT_VERSION;
use crate::panther::Rule;
use crate::panther::attack;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The catalogue the matrix is drawn from.
pub const CATALOGUE_NAME: &str = "MITRE ATT&CK Enterprise v18.1";

/// The ATT&CK coverage of a set of rules.
#[derive(Clone, Debug, Serialize)]
pub struct Coverage {
    /// [`FORMAT_VERSION`].
    pub version: u32,
    /// [`CATALOGUE_NAME`].
    pub catalogue: &'static str,
    /// Rules considered (valid rule files).
    pub rules: usize,
    /// Rules with at least one ATT&CK entry.
    pub mapped_rules: usize,
    /// Tactic columns with at least one rule.
    pub tactics_covered: usize,
    /// Distinct current techniques covered (sub-techniques count as their parent; unknown,
    /// revoked and deprecated ids are shown in the columns but not counted).
    pub techniques_covered: usize,
    /// One column per Enterprise tactic in kill-chain order, then unknown tactic ids in order
    /// of appearance, then "no tactic given" (bare unknown techniques) when there are any.
    pub tactics: Vec<TacticColumn>,
    /// IDs of the rules with no ATT&CK entry, sorted.
    pub unmapped_rules: Vec<String>,
    /// Rule files that could not be loaded (not counted anywhere else).
    pub invalid_files: Vec<String>,
    /// Rule ID → title, for the renderers.
    #[serde(skip)]
    pub titles: BTreeMap<String, String>,
}

/// One tactic of the matrix.
#[derive(Clone, Debug, Serialize)]
pub struct TacticColumn {
    /// The tactic.
    pub tactic: TacticRef,
    /// Its display label (`Exfiltration`, `TA0099 (unknown tactic)`).
    pub label: String,
    /// Current (not revoked or deprecated) techniques the catalogue files under the tactic,
    /// sub-techniques not counted; `null` for an unknown tactic.
    pub techniques_total: Option<usize>,
    /// Distinct current techniques the pack covers here (counted as [`Coverage::techniques_covered`]).
    pub techniques_covered: usize,
    /// IDs of the rules mapped to this tactic, sorted.
    pub rules: Vec<String>,
    /// The covered techniques: most rules first, then by id; entries that name only the tactic
    /// last, as a cell whose `technique` is `null`.
    pub techniques: Vec<TechniqueCell>,
}

/// One covered technique of a tactic.
#[derive(Clone, Debug, Serialize)]
pub struct TechniqueCell {
    /// The technique; `null` for rules that name only the tactic.
    pub technique: Option<TechniqueRef>,
    /// Its display label (`T1567 Exfiltration Over Web Service`, `(tactic only)`).
    pub label: String,
    /// IDs of the rules that cover it, sorted.
    pub rules: Vec<String>,
}

impl Coverage {
    /// The coverage of `rules`; `invalid_files` are listed as given.
    pub fn new(rules: &[Rule], invalid_files: Vec<String>) -> Self {
        let cat = attack::catalogue();
        let mut columns: Vec<TacticColumn> = cat
            .tactics
            .iter()
            .map(|t| TacticColumn {
                tactic: TacticRef {
                    id: Some(t.id.clone()),
                    name: Some(t.name.clone()),
                    order: t.order,
                },
                label: t.name.clone(),
                techniques_total: Some(techniques_in(&t.shortname)),
                techniques_covered: 0,
                rules: Vec::new(),
                techniques: Vec::new(),
            })
            .collect();
        let mut unmapped = Vec::new();
        let mut mapped = 0usize;
        for rule in rules {
            let rows = attack_rows(&attack_entries(rule));
            if rows.is_empty() {
                unmapped.push(rule.id.clone());
                continue;
            }
            mapped += 1;
            for row in rows {
                let col = column(&mut columns, &row.tactic);
                if let Some(col) = columns.get_mut(col) {
                    add_rule(&mut col.rules, &rule.id);
                    if row.techniques.is_empty() {
                        cell(&mut col.techniques, None, &rule.id);
                    }
                    for t in row.techniques {
                        cell(&mut col.techniques, Some(t), &rule.id);
                    }
                }
            }
        }
        let mut all_techniques = BTreeSet::new();
        for col in &mut columns {
            col.rules.sort();
            for c in &mut col.techniques {
                c.rules.sort();
            }
            col.techniques.sort_by(|a, b| {
                let key = |c: &TechniqueCell| {
                    (
                        c.technique.is_none(),
                        std::cmp::Reverse(c.rules.len()),
                        c.technique.as_ref().map(|t| t.id.clone()),
                    )
                };
                key(a).cmp(&key(b))
            });
            let parents: BTreeSet<&str> = col
                .techniques
                .iter()
                .filter_map(|c| c.technique.as_ref())
                .filter(|t| t.status == TechniqueStatus::Current)
                .map(|t| t.id.split('.').next().unwrap_or(&t.id))
                .collect();
            col.techniques_covered = parents.len();
            all_techniques.extend(parents.into_iter().map(String::from));
        }
        unmapped.sort();
        Coverage {
            version: FORMAT_VERSION,
            catalogue: CATALOGUE_NAME,
            rules: rules.len(),
            mapped_rules: mapped,
            tactics_covered: columns.iter().filter(|c| !c.rules.is_empty()).count(),
            techniques_covered: all_techniques.len(),
            tactics: columns,
            unmapped_rules: unmapped,
            invalid_files,
            titles: rules
                .iter()
                .map(|r| {
                    let title = r
                        .display_name
                        .clone()
                        .filter(|d| !d.trim().is_empty())
                        .unwrap_or_else(|| r.id.clone());
                    (r.id.clone(), title)
                })
                .collect(),
        }
    }

    /// The title of rule `id` (its ID when unknown).
    pub fn title<'a>(&'a self, id: &'a str) -> &'a str {
        self.titles.get(id).map_or(id, String::as_str)
    }

    /// The largest number of rules on one technique (for shading).
    pub fn max_rules(&self) -> usize {
        self.tactics
            .iter()
            .flat_map(|c| &c.techniques)
            .map(|c| c.rules.len())
            .max()
            .unwrap_or(0)
    }

    /// The JSON document (pretty-printed, with a final newline).
    pub fn to_json(&self) -> String {
        super::json_document(self)
    }
}

impl Coverage {
    /// The tactics of the catalogue (unknown ones aside), and how many of them some rule
    /// covers.
    pub(crate) fn known_tactics(&self) -> (usize, usize) {
        let known = self.tactics.iter().filter(|c| c.techniques_total.is_some());
        let covered = known.clone().filter(|c| !c.rules.is_empty()).count();
        (known.count(), covered)
    }

    /// `2 rule files could not be loaded and are not counted: a, b`, each file written by
    /// `file`; `None` when every file loaded.
    pub(crate) fn invalid_sentence(&self, file: impl Fn(&str) -> String) -> Option<String> {
        let n = self.invalid_files.len();
        (n > 0).then(|| {
            format!(
                "{} could not be loaded and {} not counted: {}",
                super::counted(n, "rule file"),
                if n == 1 { "is" } else { "are" },
                self.invalid_files
                    .iter()
                    .map(|f| file(f))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
    }
}

impl TacticColumn {
    /// `3 of 12 techniques`, or `3 techniques` for an unknown tactic.
    pub(crate) fn techniques_label(&self) -> String {
        match self.techniques_total {
            Some(t) => format!("{} of {t} techniques", self.techniques_covered),
            None => super::counted(self.techniques_covered, "technique"),
        }
    }
}

/// Current top-level techniques of a tactic.
fn techniques_in(shortname: &str) -> usize {
    let cat = attack::catalogue();
    cat.technique_ids()
        .filter_map(|id| cat.technique(id))
        .filter(|t| {
            !t.subtechnique
                && !t.revoked
                && !t.deprecated
                && t.tactics.iter().any(|s| s == shortname)
        })
        .count()
}

/// The index of the column for `tactic`, adding one (in order) when it is not a known tactic.
fn column(columns: &mut Vec<TacticColumn>, tactic: &TacticRef) -> usize {
    if let Some(i) = columns.iter().position(|c| c.tactic.id == tactic.id) {
        return i;
    }
    let t = tactic.clone();
    let at = columns
        .iter()
        .position(|c| c.tactic.order > t.order)
        .unwrap_or(columns.len());
    columns.insert(
        at,
        TacticColumn {
            label: t.label(),
            tactic: t,
            techniques_total: None,
            techniques_covered: 0,
            rules: Vec::new(),
            techniques: Vec::new(),
        },
    );
    at
}

fn add_rule(rules: &mut Vec<String>, id: &str) {
    if !rules.iter().any(|r| r == id) {
        rules.push(id.to_string());
    }
}

fn cell(cells: &mut Vec<TechniqueCell>, t: Option<TechniqueRef>, rule: &str) {
    let id = t.as_ref().map(|t| t.id.clone());
    match cells
        .iter_mut()
        .find(|c| c.technique.as_ref().map(|t| &t.id) == id.as_ref())
    {
        Some(c) => add_rule(&mut c.rules, rule),
        None => cells.push(TechniqueCell {
            label: t
                .as_ref()
                .map_or_else(|| "(tactic only)".to_string(), TechniqueRef::label),
            technique: t,
            rules: vec![rule.to_string()],
        }),
    }
}
