//! MITRE ATT&CK Enterprise v18.1 tactics and techniques (data/attack/, © The MITRE Corporation,
//! reproduced with permission; see data/attack/NOTICE.md), embedded at build time.

use std::collections::HashMap;
use std::sync::LazyLock;

/// A tactic: `TA0010`, `exfiltration`, `Exfiltration`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Tactic {
    /// `TA00xx`.
    pub id: String,
    /// STIX short name, e.g. `exfiltration`.
    pub shortname: String,
    /// Display name.
    pub name: String,
    /// Position in the kill chain (0 = Reconnaissance).
    pub order: usize,
}

/// A technique or sub-technique.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Technique {
    /// `T1567` or `T1567.002`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Short names of its tactics.
    pub tactics: Vec<String>,
    /// True for a sub-technique.
    pub subtechnique: bool,
    /// Revoked by MITRE.
    pub revoked: bool,
    /// Deprecated by MITRE.
    pub deprecated: bool,
}

/// Kill-chain order of the Enterprise tactics (short names).
const ORDER: &[&str] = &[
    "reconnaissance",
    "resource-development",
    "initial-access",
    "execution",
    "persistence",
    "privilege-escalation",
    "defense-evasion",
    "credential-access",
    "discovery",
    "lateral-movement",
    "collection",
    "command-and-control",
    "exfiltration",
    "impact",
];

/// The embedded catalogue.
pub struct Catalogue {
    /// Tactics in kill-chain order.
    pub tactics: Vec<Tactic>,
    techniques: HashMap<String, Technique>,
}

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    let mut tactics: Vec<Tactic> = include_str!("../../data/attack/tactics.csv")
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split(',');
            let (id, short, name) = (f.next()?, f.next()?, f.next()?);
            let order = ORDER
                .iter()
                .position(|o| *o == short)
                .unwrap_or(ORDER.len());
            Some(Tactic {
                id: id.into(),
                shortname: short.into(),
                name: name.into(),
                order,
            })
        })
        .collect();
    tactics.sort_by_key(|t| t.order);
    let techniques = include_str!("../../data/attack/techniques.csv")
        .lines()
        .skip(1)
        .filter_map(|l| {
            // name may not contain commas in this file; the last four fields are fixed.
            let f: Vec<&str> = l.split(',').collect();
            let n = f.len();
            if n < 6 {
                return None;
            }
            let t = Technique {
                id: f.first()?.to_string(),
                name: f.get(1..n - 4)?.join(","),
                tactics: f
                    .get(n - 4)?
                    .split(';')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
                subtechnique: *f.get(n - 3)? == "true",
                revoked: *f.get(n - 2)? == "true",
                deprecated: *f.get(n - 1)? == "true",
            };
            Some((t.id.clone(), t))
        })
        .collect();
    Catalogue {
        tactics,
        techniques,
    }
});

/// The embedded ATT&CK catalogue.
pub fn catalogue() -> &'static Catalogue {
    &CATALOGUE
}

impl Catalogue {
    /// The tactic `TA00xx`.
    pub fn tactic(&self, id: &str) -> Option<&Tactic> {
        self.tactics.iter().find(|t| t.id == id)
    }
    /// The tactic with this short name.
    pub fn tactic_by_short(&self, short: &str) -> Option<&Tactic> {
        self.tactics.iter().find(|t| t.shortname == short)
    }
    /// The technique `T1234` or `T1234.001`.
    pub fn technique(&self, id: &str) -> Option<&Technique> {
        self.techniques.get(id)
    }
    /// Every technique id.
    pub fn technique_ids(&self) -> impl Iterator<Item = &str> {
        self.techniques.keys().map(String::as_str)
    }
}

/// A `Reports: MITRE ATT&CK` entry: `TA0010:T1567`, `TA0010:T1567.002`, `TA0010` or `T1567`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Mapping {
    /// The entry as written.
    pub raw: String,
    /// The tactic id, when given.
    pub tactic: Option<String>,
    /// The technique ids, when given.
    pub techniques: Vec<String>,
}

/// Parses one entry: `TA0010:T1567`, `TA0010:T1567,T1048`, `TA0010` or `T1567`.
pub fn parse_mapping(raw: &str) -> Mapping {
    let mut tactic = None;
    let mut techniques = Vec::new();
    for part in raw
        .split([':', ','])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        if part.starts_with("TA") {
            tactic = Some(part.to_string());
        } else {
            techniques.push(part.to_string());
        }
    }
    Mapping {
        raw: raw.to_string(),
        tactic,
        techniques,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_loads() {
        let c = catalogue();
        assert_eq!(c.tactics.len(), 14);
        assert_eq!(
            c.tactics.first().map(|t| t.name.as_str()),
            Some("Reconnaissance")
        );
        assert_eq!(
            c.tactic("TA0010").map(|t| t.name.as_str()),
            Some("Exfiltration")
        );
        assert_eq!(
            c.technique("T1567").map(|t| t.name.as_str()),
            Some("Exfiltration Over Web Service")
        );
        assert!(c.technique("T1002").is_some_and(|t| t.revoked));
        assert_eq!(c.technique_ids().count(), 835);
    }

    #[test]
    fn mappings() {
        let m = parse_mapping("TA0010:T1567");
        assert_eq!(m.tactic.as_deref(), Some("TA0010"));
        assert_eq!(m.techniques, vec!["T1567"]);
        assert_eq!(parse_mapping("TA0006:T1110,T1078").techniques.len(), 2);
    }
}
