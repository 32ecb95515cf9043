//! `Reports: MITRE ATT&CK` entries resolved against the embedded catalogue. Nothing is
//! dropped: an id the catalogue does not know is kept and marked unknown.

use crate::panther::Rule;
use crate::panther::attack::{self, Tactic};
use serde::Serialize;

/// A tactic as a rule names it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TacticRef {
    /// `TA0010`; `None` when the entry names no tactic and its technique is unknown.
    pub id: Option<String>,
    /// The catalogue's name; `None` when the id is not an Enterprise tactic.
    pub name: Option<String>,
    /// Kill-chain position; unknown tactics come after the known ones, "no tactic" last.
    #[serde(skip)]
    pub order: usize,
}

impl TacticRef {
    fn known(t: &Tactic) -> Self {
        TacticRef {
            id: Some(t.id.clone()),
            name: Some(t.name.clone()),
            order: t.order,
        }
    }

    fn from_id(id: &str) -> Self {
        match attack::catalogue().tactic(id) {
            Some(t) => TacticRef::known(t),
            None => TacticRef {
                id: Some(id.to_string()),
                name: None,
                order: UNKNOWN_ORDER,
            },
        }
    }

    fn none() -> Self {
        TacticRef {
            id: None,
            name: None,
            order: usize::MAX,
        }
    }

    /// True when the catalogue knows the tactic.
    pub fn is_known(&self) -> bool {
        self.name.is_some()
    }

    /// `Exfiltration`, `TA0099 (unknown tactic)` or `(no tactic given)`.
    pub fn label(&self) -> String {
        match (&self.id, &self.name) {
            (_, Some(n)) => n.clone(),
            (Some(id), None) => format!("{id} (unknown tactic)"),
            (None, None) => "(no tactic given)".to_string(),
        }
    }

    /// A stable anchor for HTML pages: `tactic-TA0010`, `tactic-none`.
    pub fn anchor(&self) -> String {
        match &self.id {
            Some(id) => format!("tactic-{}", super::escape::slug(id)),
            None => "tactic-none".to_string(),
        }
    }
}

/// Unknown tactics sort after the 14 known ones, in order of first appearance.
const UNKNOWN_ORDER: usize = 1_000;

/// What the catalogue says about a technique id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TechniqueStatus {
    /// A current technique.
    Current,
    /// Revoked by MITRE.
    Revoked,
    /// Deprecated by MITRE.
    Deprecated,
    /// Not in the catalogue.
    Unknown,
}

/// A technique as a rule names it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TechniqueRef {
    /// `T1567` or `T1567.002`, as written.
    pub id: String,
    /// The catalogue's name; a sub-technique's is `Parent: Sub`. `None` when unknown.
    pub name: Option<String>,
    /// Current, revoked, deprecated or unknown.
    pub status: TechniqueStatus,
}

impl TechniqueRef {
    /// Resolves `id` against the catalogue.
    pub fn new(id: &str) -> Self {
        let cat = attack::catalogue();
        match cat.technique(id) {
            None => TechniqueRef {
                id: id.to_string(),
                name: None,
                status: TechniqueStatus::Unknown,
            },
            Some(t) => {
                let name = match id.split_once('.') {
                    Some((parent, _)) if t.subtechnique => match cat.technique(parent) {
                        Some(p) => format!("{}: {}", p.name, t.name),
                        None => t.name.clone(),
                    },
                    _ => t.name.clone(),
                };
                let status = if t.revoked {
                    TechniqueStatus::Revoked
                } else if t.deprecated {
                    TechniqueStatus::Deprecated
                } else {
                    TechniqueStatus::Current
                };
                TechniqueRef {
                    id: id.to_string(),
                    name: Some(name),
                    status,
                }
            }
        }
    }

    /// `T1567 Exfiltration Over Web Service`, `T9999 (unknown technique)`,
    /// `T1002 Data Compressed (revoked)`.
    pub fn label(&self) -> String {
        match (&self.name, self.status) {
            (None, _) => format!("{} (unknown technique)", self.id),
            (Some(n), TechniqueStatus::Revoked) => format!("{} {n} (revoked)", self.id),
            (Some(n), TechniqueStatus::Deprecated) => format!("{} {n} (deprecated)", self.id),
            (Some(n), _) => format!("{} {n}", self.id),
        }
    }

    /// The technique's page on attack.mitre.org (`T1078.004` → `…/techniques/T1078/004/`),
    /// for ids the catalogue knows.
    pub fn url(&self) -> Option<String> {
        self.name.as_ref()?;
        Some(format!(
            "https://attack.mitre.org/techniques/{}/",
            self.id.replace('.', "/")
        ))
    }

    /// The tactics the catalogue files this technique under.
    fn catalogue_tactics(&self) -> Vec<TacticRef> {
        let cat = attack::catalogue();
        cat.technique(&self.id)
            .map(|t| {
                t.tactics
                    .iter()
                    .filter_map(|s| cat.tactic_by_short(s))
                    .map(TacticRef::known)
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The techniques of one tactic that a rule maps to.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AttackRow {
    /// The tactic.
    pub tactic: TacticRef,
    /// Its techniques, in file order; empty when the entries name only the tactic.
    pub techniques: Vec<TechniqueRef>,
    /// The entries as written that put something in this row.
    pub entries: Vec<String>,
}

/// The `Reports: MITRE ATT&CK` entries of a rule, as written.
pub fn attack_entries(rule: &Rule) -> Vec<String> {
    rule.reports
        .iter()
        .filter(|(k, _)| super::model::is_attack_key(k))
        .flat_map(|(_, v)| v.iter().cloned())
        .collect()
}

/// Groups entries by tactic, in kill-chain order. `TA0010:T1567` goes under TA0010 as
/// written (even when the catalogue files T1567 elsewhere); a bare technique `T1078` goes
/// under each tactic the catalogue gives it; a bare unknown technique under "no tactic given".
pub fn attack_rows(entries: &[String]) -> Vec<AttackRow> {
    let mut rows: Vec<AttackRow> = Vec::new();
    let mut unknown_seen = 0usize;
    for raw in entries {
        let m = attack::parse_mapping(raw);
        let techniques: Vec<TechniqueRef> =
            m.techniques.iter().map(|t| TechniqueRef::new(t)).collect();
        match &m.tactic {
            Some(t) => {
                let mut tactic = TacticRef::from_id(t);
                if !tactic.is_known() {
                    tactic.order = UNKNOWN_ORDER + unknown_seen;
                    unknown_seen += 1;
                }
                push(&mut rows, tactic, techniques, raw);
            }
            None => {
                for tech in techniques {
                    let tactics = tech.catalogue_tactics();
                    if tactics.is_empty() {
                        push(&mut rows, TacticRef::none(), vec![tech], raw);
                    } else {
                        for t in tactics {
                            push(&mut rows, t, vec![tech.clone()], raw);
                        }
                    }
                }
            }
        }
    }
    rows.sort_by_key(|r| r.tactic.order);
    rows
}

fn push(rows: &mut Vec<AttackRow>, tactic: TacticRef, techniques: Vec<TechniqueRef>, raw: &str) {
    let idx = match rows.iter().position(|r| r.tactic.id == tactic.id) {
        Some(i) => i,
        None => {
            rows.push(AttackRow {
                tactic,
                techniques: Vec::new(),
                entries: Vec::new(),
            });
            rows.len() - 1
        }
    };
    if let Some(row) = rows.get_mut(idx) {
        for t in techniques {
            if !row.techniques.iter().any(|x| x.id == t.id) {
                row.techniques.push(t);
            }
        }
        if !row.entries.iter().any(|e| e == raw) {
            row.entries.push(raw.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(entries: &[&str]) -> Vec<(String, Vec<String>)> {
        let entries: Vec<String> = entries.iter().map(|s| s.to_string()).collect();
        attack_rows(&entries)
            .into_iter()
            .map(|r| {
                (
                    r.tactic.label(),
                    r.techniques.iter().map(TechniqueRef::label).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn kill_chain_order_and_names() {
        assert_eq!(
            table(&["TA0010:T1567", "TA0001:T1078.004", "TA0010:T1537"]),
            vec![
                (
                    "Initial Access".to_string(),
                    vec!["T1078.004 Valid Accounts: Cloud Accounts".to_string()]
                ),
                (
                    "Exfiltration".to_string(),
                    vec![
                        "T1567 Exfiltration Over Web Service".to_string(),
                        "T1537 Transfer Data to Cloud Account".to_string()
                    ]
                ),
            ]
        );
    }

    #[test]
    fn unknown_ids_are_kept() {
        assert_eq!(
            table(&["TA0099:T1567", "TA0006:T9999", "T8888", "TA0040"]),
            vec![
                (
                    "Credential Access".to_string(),
                    vec!["T9999 (unknown technique)".to_string()]
                ),
                ("Impact".to_string(), vec![]),
                (
                    "TA0099 (unknown tactic)".to_string(),
                    vec!["T1567 Exfiltration Over Web Service".to_string()]
                ),
                (
                    "(no tactic given)".to_string(),
                    vec!["T8888 (unknown technique)".to_string()]
                ),
            ]
        );
    }

    #[test]
    fn bare_technique_goes_under_its_tactics() {
        let rows = table(&["T1078"]);
        let tactics: Vec<&str> = rows.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            tactics,
            vec![
                "Initial Access",
                "Persistence",
                "Privilege Escalation",
                "Defense Evasion"
            ]
        );
    }
}
