//! The HTML form of `pounce coverage`: the ATT&CK matrix as a heat map, one column per
//! tactic, each covered technique a cell shaded by its number of rules; the rules behind a
//! cell open with a click (`<details>`, no script).

use super::coverage::{Coverage, TacticColumn, TechniqueCell};
use super::escape::html;
use super::html::page;
use std::fmt::Write as _;

/// The shade of a count: 0 none, 1, 2, 3–4, 5 and more.
pub(super) fn heat(n: usize) -> &'static str {
    match n {
        0 => "",
        1 => "h1",
        2 => "h2",
        3 | 4 => "h3",
        _ => "h4",
    }
}

/// Where a rule's page is, when there is one.
pub type RuleHref<'a> = &'a dyn Fn(&str) -> Option<String>;

impl Coverage {
    /// The stand-alone heat map page.
    pub fn to_html(&self) -> String {
        self.to_html_linked(&|_| None, None)
    }

    /// The heat map page, with rules linked by `rule_href` and a link back to `index`.
    pub fn to_html_linked(&self, rule_href: RuleHref<'_>, index: Option<&str>) -> String {
        let mut o = String::new();
        if let Some(i) = index {
            let _ = writeln!(o, "<nav><a href=\"{}\">&larr; All rules</a></nav>", html(i));
        }
        o.push_str("<h1>MITRE ATT&amp;CK coverage</h1>\n");
        let (known, covered) = self.known_tactics();
        let _ = writeln!(
            o,
            "<p>{}, {} mapped to {}: <strong>{}</strong> covered across <strong>{} of {} tactics</strong>.</p>",
            super::counted(self.rules, "rule"),
            self.mapped_rules,
            html(self.catalogue),
            super::counted(self.techniques_covered, "technique"),
            covered,
            known
        );
        if let Some(s) = self.invalid_sentence(|f| format!("<code>{}</code>", html(f))) {
            let _ = writeln!(o, "<p class=\"unknown\">{s}.</p>");
        }
        o.push_str("<p class=\"muted\">Rules per technique: <span class=\"heat h1\">1</span><span class=\"heat h2\">2</span><span class=\"heat h3\">3&ndash;4</span><span class=\"heat h4\">5+</span> &middot; tactic headers are shaded by their number of rules; click a technique for its rules.</p>\n");
        let _ = writeln!(
            o,
            "<div class=\"matrix\" style=\"--cols:{}\">",
            self.tactics.len().max(1)
        );
        for col in &self.tactics {
            self.column_html(&mut o, col, rule_href);
        }
        o.push_str("</div>\n");

        o.push_str("<h2>Rules without ATT&amp;CK mapping</h2>\n");
        if self.unmapped_rules.is_empty() {
            o.push_str("<p class=\"muted\">None.</p>\n");
        } else {
            o.push_str("<ul>\n");
            for id in &self.unmapped_rules {
                let _ = writeln!(o, "<li>{}</li>", self.rule_link(id, rule_href, true));
            }
            o.push_str("</ul>\n");
        }
        page("MITRE ATT&CK coverage", "wide", &o, None)
    }

    fn column_html(&self, o: &mut String, col: &TacticColumn, rule_href: RuleHref<'_>) {
        let _ = writeln!(
            o,
            "<section class=\"tactic\" id=\"{}\">",
            html(&col.tactic.anchor())
        );
        let techniques = col.techniques_label();
        let name = if col.tactic.is_known() {
            html(&col.label)
        } else {
            format!("<span class=\"unknown\">{}</span>", html(&col.label))
        };
        let _ = writeln!(
            o,
            "<header{}><strong>{name}</strong>{}{techniques}<br>{}</header>",
            match heat(col.rules.len()) {
                "" => String::new(),
                h => format!(" class=\"{h}\""),
            },
            col.tactic
                .id
                .as_deref()
                .filter(|_| col.tactic.is_known())
                .map_or(String::new(), |id| format!("{}<br>", html(id))),
            super::counted(col.rules.len(), "rule")
        );
        if col.techniques.is_empty() {
            o.push_str("<div class=\"empty\">&mdash;</div>\n");
        }
        for cell in &col.techniques {
            self.cell_html(o, cell, rule_href);
        }
        o.push_str("</section>\n");
    }

    fn cell_html(&self, o: &mut String, cell: &TechniqueCell, rule_href: RuleHref<'_>) {
        let summary = match &cell.technique {
            Some(t) => match &t.name {
                Some(_) => {
                    let rest = cell.label.strip_prefix(t.id.as_str()).unwrap_or("");
                    format!("<b>{}</b>{}", html(&t.id), html(rest))
                }
                None => format!("<span class=\"unknown\">{}</span>", html(&cell.label)),
            },
            None => format!("<i>{}</i>", html(&cell.label)),
        };
        let _ = writeln!(
            o,
            "<details class=\"cell {}\"><summary><span class=\"n\">{}</span>{summary}</summary><ul>",
            heat(cell.rules.len()),
            cell.rules.len()
        );
        for r in &cell.rules {
            let _ = writeln!(o, "<li>{}</li>", self.rule_link(r, rule_href, false));
        }
        o.push_str("</ul></details>\n");
    }

    /// A rule's ID, linked when it has a page; with its title after it when `long`.
    fn rule_link(&self, id: &str, rule_href: RuleHref<'_>, long: bool) -> String {
        let title = self.title(id);
        let text = match rule_href(id) {
            Some(h) => format!(
                "<a href=\"{}\" title=\"{}\">{}</a>",
                html(&h),
                html(title),
                html(id)
            ),
            None => format!("<code title=\"{}\">{}</code>", html(title), html(id)),
        };
        if long && title != id {
            format!("{text} {}", html(title))
        } else {
            text
        }
    }
}
