//! The Markdown forms of `pounce describe` and `pounce coverage` (GitHub-flavoured: tables and
//! fenced code). Table cells go through [`md_row`]; code goes in fences that outrun its
//! backticks.

use super::coverage::Coverage;
use super::escape::{md_code, md_code_block, md_code_cell, md_row, md_text};
use super::model::RuleDescription;
use std::fmt::Write as _;

/// Line break inside a table cell (GitHub renders it; elsewhere it reads as a separator).
const CELL_BREAK: &str = "<br>";

impl RuleDescription {
    /// The rule's page in Markdown.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# {}\n",
            one_line(Some(&self.title)).unwrap_or_else(|| md_text(&self.id))
        );
        let _ = writeln!(out, "- **ID:** {}", md_code(&self.id));
        let _ = writeln!(out, "- **Kind:** {}", kind_word(self));
        let _ = writeln!(out, "- **Severity:** {}", self.severity);
        let _ = writeln!(out, "- **Enabled:** {}", enabled_word(self.enabled));
        let _ = writeln!(
            out,
            "- **{}:** {}",
            self.types_label(),
            list_or_none(&self.types, md_code)
        );
        let _ = writeln!(out, "- **File:** {}", md_code(&self.file));
        out.push('\n');
        if let Some(d) = self.description.as_deref().filter(|d| !d.is_empty()) {
            let _ = writeln!(out, "{d}\n");
        }

        out.push_str("## MITRE ATT&CK\n\n");
        if self.attack.is_empty() {
            out.push_str("No ATT&CK mapping.\n\n");
        } else {
            out.push_str("| Tactic | Techniques |\n|---|---|\n");
            for row in &self.attack {
                let techniques = if row.techniques.is_empty() {
                    "(tactic only)".to_string()
                } else {
                    row.techniques
                        .iter()
                        .map(|t| match t.url() {
                            Some(u) => format!(
                                "[{}]({u}) {}",
                                t.id,
                                super::escape::md_cell(
                                    t.label().strip_prefix(t.id.as_str()).unwrap_or("").trim()
                                )
                            ),
                            None => super::escape::md_cell(&t.label()),
                        })
                        .collect::<Vec<_>>()
                        .join(CELL_BREAK)
                };
                // The techniques are escaped one by one; the break must survive.
                let _ = writeln!(
                    out,
                    "| {} | {} |",
                    super::escape::md_cell(&row.tactic.label()),
                    techniques
                );
            }
            out.push('\n');
        }

        out.push_str("## Reports, tags and references\n\n");
        if self.reports.is_empty() {
            out.push_str("No other report mappings.\n\n");
        } else {
            out.push_str("| Framework | Entries |\n|---|---|\n");
            for r in &self.reports {
                let _ = writeln!(out, "{}", md_row(&[&r.framework, &r.entries.join(", ")]));
            }
            out.push('\n');
        }
        let _ = writeln!(out, "- **Tags:** {}", list_or_none(&self.tags, md_code));
        let _ = writeln!(
            out,
            "- **Runbook:** {}",
            md_link_or_text(self.runbook.as_deref())
        );
        let _ = writeln!(
            out,
            "- **Reference:** {}",
            md_link_or_text(self.reference.as_deref())
        );
        out.push('\n');

        out.push_str("## Detection logic\n\n");
        let _ = writeln!(
            out,
            "{} is flagged when every line holds:\n",
            self.subject(true)
        );
        out.push_str(&md_code_block("", &self.condition.canonical));
        let _ = writeln!(
            out,
            "\nEvaluation cost: {} in the size of the {}.",
            self.condition.cost,
            self.record_word()
        );
        if !self.condition.functions.is_empty() {
            out.push_str("\nFunctions of the pack it calls:\n\n");
            for f in &self.condition.functions {
                let _ = writeln!(
                    out,
                    "- {} = {} (in {})",
                    md_code(&f.signature),
                    md_code(&f.body),
                    md_code(&f.file)
                );
            }
        }
        if !self.condition.natives.is_empty() {
            out.push_str(
                "\nNatives called (imperative logic that the condition language does not express):\n\n",
            );
            for n in &self.condition.natives {
                let _ = writeln!(
                    out,
                    "- {}: {}",
                    md_code(&n.name),
                    n.description
                        .as_deref()
                        .unwrap_or("not in the native registry")
                );
            }
        }
        out.push('\n');

        out.push_str("## Exclusions\n\n");
        if self.exclusions.is_empty() {
            out.push_str("None: no top-level conjunct is a negation.\n\n");
        } else {
            let _ = writeln!(
                out,
                "Predicates the rule actively suppresses: {} for which any of them holds is never flagged.\n",
                self.subject(false)
            );
            out.push_str("| Suppressed when | Excluded values |\n|---|---|\n");
            for x in &self.exclusions {
                let values = if x.values.is_empty() {
                    "—".to_string()
                } else {
                    x.values
                        .iter()
                        .map(|v| md_code_cell(v))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let _ = writeln!(out, "| {} | {values} |", md_code_cell(&x.predicate));
            }
            out.push('\n');
        }

        out.push_str("## Rule body\n\n");
        out.push_str(&md_code_block("yaml", &self.body));
        out.push('\n');

        out.push_str("## Tests\n\n");
        if self.tests.is_empty() {
            out.push_str("No tests.\n");
        } else {
            out.push_str("| Test | Expected result |\n|---|---|\n");
            for t in &self.tests {
                let _ = writeln!(out, "{}", md_row(&[t.name.as_str(), &t.label()]));
            }
        }
        out
    }
}

fn kind_word(d: &RuleDescription) -> &'static str {
    match d.kind {
        crate::panther::AnalysisType::Policy => "policy (flags non-compliant resources)",
        crate::panther::AnalysisType::Rule => "rule (alerts on log events)",
    }
}

/// How a page states `Enabled`.
pub(super) fn enabled_word(enabled: bool) -> &'static str {
    if enabled { "yes" } else { "no (disabled)" }
}

fn list_or_none(items: &[String], f: impl Fn(&str) -> String) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.iter().map(|s| f(s)).collect::<Vec<_>>().join(", ")
    }
}

/// A plain `http(s)` URL as a Markdown link, other text escaped, `none` when absent.
fn md_link_or_text(s: Option<&str>) -> String {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        Some(u) if super::html::is_url(u) => format!("<{u}>"),
        Some(t) => one_line(Some(t)).unwrap_or_else(|| "none".to_string()),
        None => "none".to_string(),
    }
}

/// A value on one line, escaped (see [`md_text`]); `None` when empty.
fn one_line(s: Option<&str>) -> Option<String> {
    let s = md_text(s?);
    (!s.is_empty()).then_some(s)
}

impl Coverage {
    /// The matrix in Markdown: one column per tactic, a detail table, the unmapped rules.
    pub fn to_markdown(&self) -> String {
        let mut out = String::from("# MITRE ATT&CK coverage\n\n");
        let (known, covered) = self.known_tactics();
        let _ = writeln!(
            out,
            "{}, {} mapped to {}: {} covered across {} of {} tactics.\n",
            super::counted(self.rules, "rule"),
            self.mapped_rules,
            self.catalogue,
            super::counted(self.techniques_covered, "technique"),
            covered,
            known
        );
        if let Some(s) = self.invalid_sentence(md_code) {
            let _ = writeln!(out, "{s}.\n");
        }

        out.push_str("## Matrix\n\n");
        out.push_str("Tactics in kill-chain order; each cell is a covered technique with its number of rules.\n\n");
        let header: Vec<String> = self.tactics.iter().map(|c| c.label.clone()).collect();
        let _ = writeln!(out, "{}", md_row(&header));
        let _ = writeln!(out, "|{}", "---|".repeat(self.tactics.len()));
        let counts: Vec<String> = self
            .tactics
            .iter()
            .map(|c| {
                format!(
                    "{}, {}",
                    c.techniques_label(),
                    super::counted(c.rules.len(), "rule")
                )
            })
            .collect();
        let _ = writeln!(out, "{}", md_row(&counts));
        let depth = self
            .tactics
            .iter()
            .map(|c| c.techniques.len())
            .max()
            .unwrap_or(0);
        for i in 0..depth {
            let row: Vec<String> = self
                .tactics
                .iter()
                .map(|c| {
                    c.techniques.get(i).map_or(String::new(), |t| {
                        format!("{} ({})", t.label, super::counted(t.rules.len(), "rule"))
                    })
                })
                .collect();
            let _ = writeln!(out, "{}", md_row(&row));
        }
        out.push('\n');

        out.push_str("## Techniques and rules\n\n");
        if self.mapped_rules == 0 {
            out.push_str("No rule has an ATT&CK mapping.\n\n");
        } else {
            out.push_str("| Tactic | Technique | Rules |\n|---|---|---|\n");
            for c in &self.tactics {
                for t in &c.techniques {
                    let rules = t
                        .rules
                        .iter()
                        .map(|r| md_code_cell(r))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let _ = writeln!(
                        out,
                        "| {} | {} | {rules} |",
                        super::escape::md_cell(&c.label),
                        super::escape::md_cell(&t.label)
                    );
                }
            }
            out.push('\n');
        }

        out.push_str("## Rules without ATT&CK mapping\n\n");
        if self.unmapped_rules.is_empty() {
            out.push_str("None.\n");
        } else {
            for id in &self.unmapped_rules {
                match Some(self.title(id))
                    .filter(|t| t != id)
                    .and_then(|t| one_line(Some(t)))
                {
                    Some(title) => {
                        let _ = writeln!(out, "- {}: {title}", md_code(id));
                    }
                    None => {
                        let _ = writeln!(out, "- {}", md_code(id));
                    }
                }
            }
        }
        out
    }
}
