//! What `pounce describe` says about one rule, independent of the output format. The JSON
//! output is this structure serialised (documented in docs/DESCRIBE.md).

use super::attack_map::{AttackRow, attack_entries, attack_rows};
use crate::Registry;
use crate::panther::{AnalysisType, Rule};
use pounce_lang::ast::{Expr, ExprKind};
use pounce_lang::exclusions::{conjuncts, exclusions};
use pounce_lang::functions::Builtin;
use serde::Serialize;

/// Version of the JSON documents of `pounce describe` and `pounce coverage`. It changes only
/// when a field is removed or changes meaning; new fields may appear within a version.
pub const FORMAT_VERSION: u32 = 1;

/// One rule, described.
#[derive(Clone, Debug, Serialize)]
pub struct RuleDescription {
    /// [`FORMAT_VERSION`].
    pub version: u32,
    /// `PolicyID` or `RuleID`.
    pub id: String,
    /// `DisplayName`, or the ID when there is none.
    pub title: String,
    /// `DisplayName` as written.
    pub display_name: Option<String>,
    /// `policy` or `rule`.
    pub kind: AnalysisType,
    /// `Severity`.
    pub severity: String,
    /// `Enabled`.
    pub enabled: bool,
    /// `ResourceTypes` (policies) or `LogTypes` (rules).
    pub types: Vec<String>,
    /// `Description`.
    pub description: Option<String>,
    /// The rule file's path as given.
    pub file: String,
    /// `Reports: MITRE ATT&CK`, grouped by tactic in kill-chain order.
    pub attack: Vec<AttackRow>,
    /// The other `Reports` entries (PCI, CIS, …), in file order.
    pub reports: Vec<ReportMapping>,
    /// `Tags`.
    pub tags: Vec<String>,
    /// `Runbook`.
    pub runbook: Option<String>,
    /// `Reference`.
    pub reference: Option<String>,
    /// The rule file as written.
    pub body: String,
    /// The condition.
    pub condition: Logic,
    /// The predicates the rule suppresses.
    pub exclusions: Vec<ExclusionRow>,
    /// `Tests`.
    pub tests: Vec<TestRow>,
}

/// A `Reports` framework other than ATT&CK, with its entries.
#[derive(Clone, Debug, Serialize)]
pub struct ReportMapping {
    /// The framework, e.g. `PCI`.
    pub framework: String,
    /// Its entries, e.g. `1.1.4`.
    pub entries: Vec<String>,
}

/// The condition, for reading.
#[derive(Clone, Debug, Serialize)]
pub struct Logic {
    /// As written in the file.
    pub source: String,
    /// The top-level conjuncts in canonical form (AST `Display`), in source order.
    pub conjuncts: Vec<String>,
    /// One conjunct per line, continuation lines prefixed `and ` (see [`canonical_lines`]).
    pub canonical: String,
    /// The natives the condition calls (itself or through the pack's functions), in order of
    /// first call.
    pub natives: Vec<NativeNote>,
    /// The pack's user-defined functions the condition calls, directly or through each other,
    /// in order of first call.
    pub functions: Vec<FunctionNote>,
    /// How the cost of evaluating the condition grows with the record's size (`constant`,
    /// `linear`, `quadratic`, …; see `pounce_lang::cost`).
    pub cost: String,
}

/// A user-defined function a condition calls.
#[derive(Clone, Debug, Serialize)]
pub struct FunctionNote {
    /// `name(params)`.
    pub signature: String,
    /// Its body.
    pub body: String,
    /// The functions file that defines it.
    pub file: String,
}

/// A native a condition calls.
#[derive(Clone, Debug, Serialize)]
pub struct NativeNote {
    /// Its name.
    pub name: String,
    /// Its one-line description from the registry (`None` when the registry does not know it).
    pub description: Option<String>,
}

/// One exclusion (see [`pounce_lang::exclusions`]).
#[derive(Clone, Debug, Serialize)]
pub struct ExclusionRow {
    /// The field, or the whole negated sub-condition.
    pub field: String,
    /// `is_null`, `in`, `==`, … or `not`.
    pub kind: String,
    /// The excluded literal values.
    pub values: Vec<String>,
    /// The suppressed predicate, written out.
    pub predicate: String,
}

/// One test case.
#[derive(Clone, Debug, Serialize)]
pub struct TestRow {
    /// `Name`.
    pub name: String,
    /// `ExpectedResult`.
    pub expected: bool,
    /// What the expectation means for this kind of rule: `compliant`, `non-compliant`, `alert`
    /// or `no alert`.
    pub meaning: &'static str,
}

impl TestRow {
    /// `true (compliant)` and the like.
    pub fn label(&self) -> String {
        format!("{} ({})", self.expected, self.meaning)
    }
}

/// The `Reports` key of ATT&CK mappings.
pub const ATTACK_KEY: &str = "MITRE ATT&CK";

/// True for the ATT&CK `Reports` key (case and surrounding space aside).
pub fn is_attack_key(k: &str) -> bool {
    k.trim().eq_ignore_ascii_case(ATTACK_KEY)
}

impl RuleDescription {
    /// Describes `rule`; native descriptions come from `registry`.
    pub fn new(rule: &Rule, registry: &Registry) -> Self {
        let ast = rule.program.ast();
        let conj: Vec<String> = conjuncts(ast).iter().map(|c| c.to_string()).collect();
        let calls = Calls::of(ast, registry);
        RuleDescription {
            version: FORMAT_VERSION,
            id: rule.id.clone(),
            title: rule
                .display_name
                .clone()
                .filter(|d| !d.trim().is_empty())
                .unwrap_or_else(|| rule.id.clone()),
            display_name: rule.display_name.clone(),
            kind: rule.kind,
            severity: rule.severity.clone(),
            enabled: rule.enabled,
            types: rule.types.clone(),
            description: rule.description.clone(),
            file: rule.path.display().to_string(),
            attack: attack_rows(&attack_entries(rule)),
            reports: rule
                .reports
                .iter()
                .filter(|(k, _)| !is_attack_key(k))
                .map(|(k, v)| ReportMapping {
                    framework: k.clone(),
                    entries: v.clone(),
                })
                .collect(),
            tags: rule.tags.clone(),
            runbook: rule.runbook.clone(),
            reference: rule.reference.clone(),
            body: rule.text.clone(),
            condition: Logic {
                source: rule.program.source().trim().to_string(),
                conjuncts: conj,
                canonical: canonical_lines(ast).join("\n"),
                natives: calls.natives,
                functions: calls.functions,
                cost: pounce_lang::cost::estimate(ast, registry).describe(),
            },
            exclusions: exclusions(ast)
                .into_iter()
                .map(|x| ExclusionRow {
                    field: x.field,
                    kind: x.kind,
                    values: x.values,
                    predicate: x.predicate,
                })
                .collect(),
            tests: rule
                .tests
                .iter()
                .map(|t| TestRow {
                    name: t.name.clone(),
                    expected: t.expected,
                    meaning: rule.kind.meaning(t.expected),
                })
                .collect(),
        }
    }

    /// `Resource types` or `Log types`.
    pub fn types_label(&self) -> &'static str {
        match self.kind {
            AnalysisType::Policy => "Resource types",
            AnalysisType::Rule => "Log types",
        }
    }

    /// What a flagged document is called, with its article: `a resource` (policies) or
    /// `an event` (rules); capitalised when `capital`.
    pub fn subject(&self, capital: bool) -> &'static str {
        match (self.kind, capital) {
            (AnalysisType::Policy, false) => "a resource",
            (AnalysisType::Policy, true) => "A resource",
            (AnalysisType::Rule, false) => "an event",
            (AnalysisType::Rule, true) => "An event",
        }
    }

    /// What a record of this kind is called: `resource` or `event`.
    pub fn record_word(&self) -> &'static str {
        match self.kind {
            AnalysisType::Policy => "resource",
            AnalysisType::Rule => "event",
        }
    }

    /// The JSON document (pretty-printed, with a final newline).
    pub fn to_json(&self) -> String {
        super::json_document(self)
    }
}

/// The condition in canonical form: one top-level conjunct per line, each written by the AST's
/// `Display` (fully parenthesised where precedence matters), lines after the first prefixed
/// `and `. A conjunct that is an `or` is parenthesised when there is more than one conjunct,
/// so that no line reads as if `and` bound looser than it does.
pub fn canonical_lines(e: &Expr) -> Vec<String> {
    let cs = conjuncts(e);
    let many = cs.len() > 1;
    cs.iter()
        .enumerate()
        .map(|(i, c)| {
            let text = if many && matches!(c.kind, ExprKind::Or(..)) {
                format!("({c})")
            } else {
                c.to_string()
            };
            if i == 0 { text } else { format!("and {text}") }
        })
        .collect()
}

/// What a condition calls: natives and the pack's functions, through those functions too.
pub(crate) struct Calls {
    pub(crate) natives: Vec<NativeNote>,
    pub(crate) functions: Vec<FunctionNote>,
}

impl Calls {
    /// What `e` calls, with the functions of `registry`.
    pub(crate) fn of(e: &Expr, registry: &Registry) -> Self {
        let mut c = Calls {
            natives: Vec::new(),
            functions: Vec::new(),
        };
        c.visit(e, registry);
        c
    }
    /// Adds what `e` calls.
    pub(crate) fn visit(&mut self, e: &Expr, registry: &Registry) {
        for name in natives_called(e) {
            match registry.function(&name) {
                Some(f) => {
                    let signature = f.signature();
                    if self.functions.iter().all(|n| n.signature != signature) {
                        self.functions.push(FunctionNote {
                            signature,
                            body: f.source().trim().to_string(),
                            file: f.origin.clone(),
                        });
                        self.visit(f.ast(), registry);
                    }
                }
                None if self.natives.iter().all(|n| n.name != name) => {
                    self.natives.push(NativeNote {
                        description: registry.get(&name).map(|n| n.description.clone()),
                        name,
                    });
                }
                None => {}
            }
        }
    }
}

/// The names of the non-built-in functions `e` calls, each once, in order of first call.
pub fn natives_called(e: &Expr) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for node in e.descendants() {
        if let ExprKind::Call { name, .. } = &node.kind
            && Builtin::from_name(&name.name).is_none()
            && !out.contains(&name.name)
        {
            out.push(name.name.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(src: &str) -> Vec<String> {
        pounce_lang::syntax::parse(src)
            .map(|e| canonical_lines(&e))
            .unwrap_or_default()
    }

    #[test]
    fn one_conjunct_per_line() {
        assert_eq!(
            lines(
                "IpPermissionsEgress not is_null\n  and egress_allows_all_ports(IpPermissionsEgress)"
            ),
            vec![
                "IpPermissionsEgress not is_null",
                "and egress_allows_all_ports(IpPermissionsEgress)"
            ]
        );
        assert_eq!(
            lines("a == 1 and (b == 2 or c == 3) and not d"),
            vec!["a == 1", "and ((b == 2) or (c == 3))", "and not d"]
        );
        assert_eq!(lines("a == 1 or b == 2"), vec!["(a == 1) or (b == 2)"]);
        assert_eq!(lines("a and (b and c)"), vec!["a", "and b", "and c"]);
    }

    #[test]
    fn natives_in_call_order() {
        let e = pounce_lang::syntax::parse("len(x) > 1 and any(L, f(@) and g(h(1))) and f(2)");
        let names = e.map(|e| natives_called(&e)).unwrap_or_default();
        assert_eq!(names, vec!["f", "g", "h"]);
    }
}
