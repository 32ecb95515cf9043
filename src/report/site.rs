//! `pounce describe --site`: a static catalogue of a pack — `index.html` (search over ID,
//! title and tags, filters by severity and tactic, plain inline JavaScript), `coverage.html`
//! (the ATT&CK heat map) and one page per rule named by a slug of its ID. Pages link both
//! ways and load nothing from anywhere.

use super::coverage::Coverage;
use super::escape::{html, slug};
use super::html::{Links, page, severity_class};
use super::model::RuleDescription;
use crate::Registry;
use crate::panther::{Rule, SEVERITIES};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

/// The index page's file name.
pub const INDEX: &str = "index.html";
/// The coverage page's file name.
pub const COVERAGE: &str = "coverage.html";
/// The list of the pages the site wrote, so that a later build removes only its own stale
/// pages.
pub const MANIFEST: &str = ".pounce-site";

/// The pages a previous build wrote (from its [`MANIFEST`] text) that this build does not:
/// rule pages of rules no longer in the pack. Only plain `.html` names, never a path.
pub fn stale_pages(previous_manifest: &str, pages: &[Page]) -> Vec<String> {
    previous_manifest
        .lines()
        .map(str::trim)
        .filter(|n| {
            n.ends_with(".html")
                && !n.contains(['/', '\\'])
                && !n.starts_with('.')
                && pages.iter().all(|p| p.file_name != *n)
        })
        .map(String::from)
        .collect()
}

/// The [`MANIFEST`] text for `pages`.
pub fn manifest(pages: &[Page]) -> String {
    let mut out =
        String::from("# pages written by `pounce describe --site`; stale ones are removed\n");
    for p in pages {
        out.push_str(&p.file_name);
        out.push('\n');
    }
    out
}

/// One file of the site.
#[derive(Clone, Debug)]
pub struct Page {
    /// File name inside the output folder (no folders).
    pub file_name: String,
    /// The page.
    pub html: String,
}

/// A unique file name per rule, in the order given: `slug(id).html`, then `-2`, `-3`, … when
/// two IDs share a slug; never `index.html` or `coverage.html`.
pub fn file_names<'a>(ids: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut used: HashSet<String> = [INDEX, COVERAGE].iter().map(|s| s.to_string()).collect();
    ids.into_iter()
        .map(|id| {
            let base = slug(id);
            let mut name = format!("{base}.html");
            let mut n = 2;
            while used.contains(&name) {
                name = format!("{base}-{n}.html");
                n += 1;
            }
            used.insert(name.clone());
            name
        })
        .collect()
}

/// Every page of the site for `rules` (sorted by ID, then file); `invalid_files` are named on
/// the coverage page.
pub fn build(rules: &[Rule], registry: &Registry, invalid_files: Vec<String>) -> Vec<Page> {
    let mut order: Vec<&Rule> = rules.iter().collect();
    order.sort_by(|a, b| a.id.cmp(&b.id).then_with(|| a.path.cmp(&b.path)));
    let names = file_names(order.iter().map(|r| r.id.as_str()));
    let mut first_page: BTreeMap<&str, &str> = BTreeMap::new();
    for (r, n) in order.iter().zip(&names) {
        first_page.entry(r.id.as_str()).or_insert(n.as_str());
    }
    let coverage = Coverage::new(rules, invalid_files);
    let links = Links {
        index: Some(INDEX),
        coverage: Some(COVERAGE),
    };
    let descriptions: Vec<RuleDescription> = order
        .iter()
        .map(|r| RuleDescription::new(r, registry))
        .collect();
    let mut pages = vec![Page {
        file_name: INDEX.to_string(),
        html: index(&descriptions, &names, &coverage),
    }];
    let href = |id: &str| first_page.get(id).map(|n| n.to_string());
    pages.push(Page {
        file_name: COVERAGE.to_string(),
        html: coverage.to_html_linked(&href, Some(INDEX)),
    });
    for (d, name) in descriptions.iter().zip(names) {
        pages.push(Page {
            file_name: name,
            html: d.to_html_linked(links),
        });
    }
    pages
}

/// Filters the index table: every search word must occur in a row's ID, title, tags, tactics or
/// techniques.
const INDEX_SCRIPT: &str = r#"(function () {
  var q = document.getElementById('q');
  var sev = document.getElementById('sev');
  var tac = document.getElementById('tac');
  var count = document.getElementById('count');
  var rows = Array.prototype.slice.call(document.querySelectorAll('#rules tbody tr'));
  function apply() {
    var words = q.value.toLowerCase().split(/\s+/).filter(Boolean);
    var s = sev.value, t = tac.value, shown = 0;
    rows.forEach(function (r) {
      var hay = r.getAttribute('data-search');
      var ok = words.every(function (w) { return hay.indexOf(w) >= 0; }) &&
        (!s || r.getAttribute('data-severity') === s) &&
        (!t || (' ' + r.getAttribute('data-tactics') + ' ').indexOf(' ' + t + ' ') >= 0);
      r.hidden = !ok;
      if (ok) { shown++; }
    });
    count.textContent = shown + ' of ' + rows.length + ' rules shown';
  }
  q.addEventListener('input', apply);
  sev.addEventListener('change', apply);
  tac.addEventListener('change', apply);
  apply();
})();
"#;

/// The filter value of rules with no ATT&CK mapping.
const UNMAPPED: &str = "unmapped";

fn index(rules: &[RuleDescription], names: &[String], coverage: &Coverage) -> String {
    let mut o = String::from("<h1>Rule catalogue</h1>\n");
    let _ = writeln!(
        o,
        "<p>{} &middot; <a href=\"{COVERAGE}\">MITRE ATT&amp;CK coverage</a></p>",
        super::counted(rules.len(), "rule")
    );
    o.push_str("<div class=\"controls\">\n<input id=\"q\" type=\"search\" placeholder=\"Search ID, title, tags, tactic or technique (T1098)\" aria-label=\"Search ID, title, tags, tactic or technique\">\n");
    o.push_str(
        "<select id=\"sev\" aria-label=\"Severity\"><option value=\"\">All severities</option>",
    );
    for s in SEVERITIES.iter().rev() {
        if rules.iter().any(|r| r.severity == *s) {
            let _ = write!(o, "<option value=\"{s}\">{s}</option>");
        }
    }
    o.push_str("</select>\n<select id=\"tac\" aria-label=\"Tactic\"><option value=\"\">All tactics</option>");
    for c in coverage.tactics.iter().filter(|c| !c.rules.is_empty()) {
        let _ = write!(
            o,
            "<option value=\"{}\">{}</option>",
            html(&c.tactic.anchor()),
            html(&c.label)
        );
    }
    if !coverage.unmapped_rules.is_empty() {
        let _ = write!(
            o,
            "<option value=\"{UNMAPPED}\">No ATT&amp;CK mapping</option>"
        );
    }
    o.push_str("</select>\n</div>\n");
    let _ = writeln!(
        o,
        "<p id=\"count\" class=\"muted\">{}</p>",
        super::counted(rules.len(), "rule")
    );
    o.push_str("<table id=\"rules\">\n<thead><tr><th>Rule</th><th>Severity</th><th>Kind</th><th>Tactics</th><th>Tags</th></tr></thead>\n<tbody>\n");
    for (r, name) in rules.iter().zip(names) {
        // ID, title, tags, and each ATT&CK tactic (id and name) and technique (id and name).
        let mut words = vec![r.id.clone(), r.title.clone(), r.tags.join(" ")];
        for a in &r.attack {
            words.extend(a.tactic.id.clone());
            words.push(a.tactic.label());
            for t in &a.techniques {
                words.push(t.label());
            }
        }
        let search = words.join(" ").to_lowercase();
        let tactics: Vec<String> = r.attack.iter().map(|a| a.tactic.anchor()).collect();
        let data_tactics = if tactics.is_empty() {
            UNMAPPED.to_string()
        } else {
            tactics.join(" ")
        };
        let tactic_names = if r.attack.is_empty() {
            "<span class=\"muted\">none</span>".to_string()
        } else {
            r.attack
                .iter()
                .map(|a| html(&a.tactic.label()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let disabled = if r.enabled {
            ""
        } else {
            " <span class=\"badge\">disabled</span>"
        };
        let _ = writeln!(
            o,
            "<tr data-search=\"{}\" data-severity=\"{}\" data-tactics=\"{}\"><td><a href=\"{}\">{}</a>{disabled}<br><code>{}</code></td><td><span class=\"{}\">{}</span></td><td>{}</td><td>{tactic_names}</td><td class=\"tags\">{}</td></tr>",
            html(&search),
            html(&r.severity),
            html(&data_tactics),
            html(name),
            html(&r.title),
            html(&r.id),
            severity_class(&r.severity),
            html(&r.severity),
            match r.kind {
                crate::panther::AnalysisType::Policy => "policy",
                crate::panther::AnalysisType::Rule => "rule",
            },
            r.tags
                .iter()
                .map(|t| format!("<code>{}</code>", html(t)))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    o.push_str("</tbody>\n</table>\n");
    page("Rule catalogue", "", &o, Some(INDEX_SCRIPT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_file_names() {
        assert_eq!(
            file_names(["A.B", "a.b", "index", "Coverage", "x/y"]),
            vec![
                "a.b.html",
                "a.b-2.html",
                "index-2.html",
                "coverage-2.html",
                "x-y.html"
            ]
        );
    }
}
