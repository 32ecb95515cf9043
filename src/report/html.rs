//! The HTML form of `pounce describe`: one self-contained page (inline CSS, no scripts, no
//! external assets, a Content-Security-Policy that forbids loading any). Every value from the
//! rule file goes through [`html`] escaping; only `http(s)` references become links.

use super::escape::html;
use super::markdown::enabled_word;
use super::model::RuleDescription;
use crate::panther::SEVERITIES;
use std::fmt::Write as _;

/// Links from a rule page to the rest of a site (none for a stand-alone page).
#[derive(Clone, Copy, Debug, Default)]
pub struct Links<'a> {
    /// The index page, e.g. `index.html`.
    pub index: Option<&'a str>,
    /// The coverage page, e.g. `coverage.html`.
    pub coverage: Option<&'a str>,
}

/// Shared style sheet: readable in light and dark mode, printable.
pub(super) const CSS: &str = r#":root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--bg:#fff;--panel:#f6f8fa;--line:#d1d9e0;--accent:#0969da;--bad:#cf222e;--h1:#dbeafe;--h2:#93c5fd;--h3:#3b82f6;--h4:#1e40af;--hfg:#fff}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--panel:#151b23;--line:#3d444d;--accent:#4493f8;--bad:#f85149;--h1:#172554;--h2:#1e3a8a;--h3:#1d4ed8;--h4:#3b82f6}}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:64rem;margin:0 auto;padding:1.5rem}
main.wide{max-width:none}
h1{font-size:1.6rem;line-height:1.25;margin:.2rem 0 .5rem}
h2{font-size:1.15rem;margin:2rem 0 .6rem;padding-bottom:.3rem;border-bottom:1px solid var(--line)}
a{color:var(--accent)}
nav{font-size:.9rem;margin-bottom:1rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid var(--line);padding:.35rem .6rem;text-align:left;vertical-align:top}
th{background:var(--panel)}
pre{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:.8rem;overflow:auto;font-size:.85rem;line-height:1.45}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:1rem 0}
dt{color:var(--muted)}
dd{margin:0}
.badges{margin:0 0 1rem}
.badge{display:inline-block;padding:0 .55rem;border-radius:1rem;font-size:.8rem;font-weight:600;border:1px solid var(--line);margin-right:.3rem}
.sev-critical{background:#82071e;color:#fff;border-color:#82071e}
.sev-high{background:#cf222e;color:#fff;border-color:#cf222e}
.sev-medium{background:#9a6700;color:#fff;border-color:#9a6700}
.sev-low{background:#0969da;color:#fff;border-color:#0969da}
.sev-info{background:#59636e;color:#fff;border-color:#59636e}
.muted{color:var(--muted)}
.unknown{color:var(--bad)}
.note{border-left:3px solid var(--line);padding:.2rem .8rem;color:var(--muted)}
.tags code{background:var(--panel);border:1px solid var(--line);border-radius:4px;padding:0 .3rem;margin-right:.2rem}
.matrix{display:grid;grid-template-columns:repeat(var(--cols),minmax(7.5rem,1fr));gap:4px;overflow-x:auto;padding-bottom:.5rem}
.tactic{display:flex;flex-direction:column;gap:4px;min-width:0}
.tactic>header{padding:.4rem;border-radius:4px;border:1px solid var(--line);background:var(--panel);font-size:.75rem}
.tactic>header strong{display:block;font-size:.85rem;line-height:1.2}
.cell{border:1px solid var(--line);border-radius:4px;padding:.3rem .4rem;font-size:.78rem;line-height:1.3;overflow-wrap:anywhere}
.cell summary{cursor:pointer}
.cell ul{margin:.3rem 0 0;padding-left:1rem}
.n{float:right;font-weight:700;margin-left:.3rem}
.empty{color:var(--muted);font-size:.8rem;text-align:center;padding:.4rem}
.heat{display:inline-block;min-width:2.2rem;text-align:center;border:1px solid var(--line);border-radius:4px;margin-right:.2rem;font-size:.8rem}
.tactic>header.h1,.h1{background:var(--h1)}
.tactic>header.h2,.h2{background:var(--h2)}
.tactic>header.h3,.h3{background:var(--h3);color:var(--hfg)}
.tactic>header.h4,.h4{background:var(--h4);color:var(--hfg)}
.h3 a,.h4 a{color:inherit}
.controls{display:flex;flex-wrap:wrap;gap:.5rem;margin:1rem 0}
.controls input,.controls select{font:inherit;padding:.3rem .5rem;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
.controls input{flex:1 1 16rem}
@media print{nav,.controls{display:none}pre{white-space:pre-wrap}}
"#;

/// A complete page: `<head>` with the style sheet, a CSP that allows only inline style (and
/// inline script when `script` is given), and `body` inside `<main>`.
pub(super) fn page(title: &str, main_class: &str, body: &str, script: Option<&str>) -> String {
    let script_src = if script.is_some() {
        "'unsafe-inline'"
    } else {
        "'none'"
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src {script_src}\">\n\
         <meta name=\"generator\" content=\"pounce\">\n\
         <title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<main{}>\n{body}</main>\n",
        html(title),
        if main_class.is_empty() {
            String::new()
        } else {
            format!(" class=\"{main_class}\"")
        }
    );
    if let Some(s) = script {
        let _ = write!(out, "<script>\n{s}</script>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// The badge class of a severity (only the five known ones get a colour).
pub(super) fn severity_class(sev: &str) -> String {
    if SEVERITIES.contains(&sev) {
        format!("badge sev-{}", sev.to_ascii_lowercase())
    } else {
        "badge".to_string()
    }
}

/// True for a plain `http(s)` URL (no spaces or control characters).
pub(super) fn is_url(r: &str) -> bool {
    let lower = r.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !r.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A reference as a link when it is a plain `http(s)` URL, otherwise as text.
fn reference(r: &str) -> String {
    let r = r.trim();
    if is_url(r) {
        format!(
            "<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>",
            html(r),
            html(r)
        )
    } else {
        html(r)
    }
}

/// Paragraphs of a folded or literal text: blank lines separate them.
fn paragraphs(s: &str) -> String {
    s.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>\n", html(p)))
        .collect()
}

fn code_list(items: &[String]) -> String {
    if items.is_empty() {
        return "<span class=\"muted\">none</span>".to_string();
    }
    items
        .iter()
        .map(|i| format!("<code>{}</code>", html(i)))
        .collect::<Vec<_>>()
        .join(" ")
}

impl RuleDescription {
    /// The rule's stand-alone HTML page.
    pub fn to_html(&self) -> String {
        self.to_html_linked(Links::default())
    }

    /// The rule's HTML page with links to the rest of a site.
    pub fn to_html_linked(&self, links: Links<'_>) -> String {
        page(&self.title, "", &self.html_body(links), None)
    }

    fn html_body(&self, links: Links<'_>) -> String {
        let mut o = String::new();
        let mut nav = Vec::new();
        if let Some(i) = links.index {
            nav.push(format!("<a href=\"{}\">&larr; All rules</a>", html(i)));
        }
        if let Some(c) = links.coverage {
            nav.push(format!("<a href=\"{}\">ATT&amp;CK coverage</a>", html(c)));
        }
        if !nav.is_empty() {
            let _ = writeln!(o, "<nav>{}</nav>", nav.join(" &middot; "));
        }
        let _ = writeln!(o, "<header>\n<h1>{}</h1>", html(&self.title));
        let _ = writeln!(
            o,
            "<p class=\"badges\"><span class=\"{}\">{}</span><span class=\"badge\">{}</span><span class=\"badge\">{}</span></p>\n</header>",
            severity_class(&self.severity),
            html(&self.severity),
            html(kind_name(self)),
            if self.enabled { "enabled" } else { "disabled" }
        );
        o.push_str("<dl class=\"facts\">\n");
        let facts = [
            ("ID", format!("<code>{}</code>", html(&self.id))),
            ("Severity", html(&self.severity)),
            ("Enabled", enabled_word(self.enabled).to_string()),
            (self.types_label(), code_list(&self.types)),
            ("File", format!("<code>{}</code>", html(&self.file))),
        ];
        for (k, v) in facts {
            let _ = writeln!(o, "<dt>{k}</dt><dd>{v}</dd>");
        }
        o.push_str("</dl>\n");
        if let Some(d) = &self.description {
            o.push_str(&paragraphs(d));
        }

        o.push_str("<section id=\"attack\">\n<h2>MITRE ATT&amp;CK</h2>\n");
        if self.attack.is_empty() {
            o.push_str("<p class=\"muted\">No ATT&amp;CK mapping.</p>\n");
        } else {
            o.push_str(
                "<table>\n<thead><tr><th>Tactic</th><th>Techniques</th></tr></thead>\n<tbody>\n",
            );
            for row in &self.attack {
                let label = html(&row.tactic.label());
                let tactic = match links.coverage {
                    Some(c) => format!(
                        "<a href=\"{}#{}\">{label}</a>",
                        html(c),
                        html(&row.tactic.anchor())
                    ),
                    None if !row.tactic.is_known() => {
                        format!("<span class=\"unknown\">{label}</span>")
                    }
                    None => label,
                };
                let techniques = if row.techniques.is_empty() {
                    "<span class=\"muted\">(tactic only)</span>".to_string()
                } else {
                    row.techniques
                        .iter()
                        .map(|t| match t.url() {
                            None => {
                                format!("<span class=\"unknown\">{}</span>", html(&t.label()))
                            }
                            Some(u) => format!(
                                "<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>{}",
                                html(&u),
                                html(&t.id),
                                html(t.label().strip_prefix(t.id.as_str()).unwrap_or(""))
                            ),
                        })
                        .collect::<Vec<_>>()
                        .join("<br>")
                };
                let _ = writeln!(o, "<tr><td>{tactic}</td><td>{techniques}</td></tr>");
            }
            o.push_str("</tbody>\n</table>\n");
        }
        o.push_str("</section>\n");

        o.push_str("<section id=\"reports\">\n<h2>Reports, tags and references</h2>\n");
        if self.reports.is_empty() {
            o.push_str("<p class=\"muted\">No other report mappings.</p>\n");
        } else {
            o.push_str(
                "<table>\n<thead><tr><th>Framework</th><th>Entries</th></tr></thead>\n<tbody>\n",
            );
            for r in &self.reports {
                let _ = writeln!(
                    o,
                    "<tr><td>{}</td><td>{}</td></tr>",
                    html(&r.framework),
                    html(&r.entries.join(", "))
                );
            }
            o.push_str("</tbody>\n</table>\n");
        }
        let none = || "<span class=\"muted\">none</span>".to_string();
        let _ = writeln!(
            o,
            "<dl class=\"facts\">\n<dt>Tags</dt><dd class=\"tags\">{}</dd>\n<dt>Runbook</dt><dd>{}</dd>\n<dt>Reference</dt><dd>{}</dd>\n</dl>\n</section>",
            code_list(&self.tags),
            self.runbook.as_deref().map_or_else(none, reference),
            self.reference.as_deref().map_or_else(none, reference)
        );

        let _ = writeln!(
            o,
            "<section id=\"logic\">\n<h2>Detection logic</h2>\n<p>{} is flagged when every line holds:</p>\n<pre><code>{}</code></pre>",
            self.subject(true),
            html(&self.condition.canonical)
        );
        let _ = writeln!(
            o,
            "<p class=\"muted\">Evaluation cost: {} in the size of the {}.</p>",
            html(&self.condition.cost),
            self.record_word()
        );
        if !self.condition.functions.is_empty() {
            o.push_str("<p class=\"note\">Functions of the pack it calls:</p>\n<ul>\n");
            for f in &self.condition.functions {
                let _ = writeln!(
                    o,
                    "<li><code>{}</code> = <code>{}</code> <span class=\"muted\">(in {})</span></li>",
                    html(&f.signature),
                    html(&f.body),
                    html(&f.file)
                );
            }
            o.push_str("</ul>\n");
        }
        if !self.condition.natives.is_empty() {
            o.push_str("<p class=\"note\">Natives called (imperative logic that the condition language does not express):</p>\n<ul>\n");
            for n in &self.condition.natives {
                let _ = writeln!(
                    o,
                    "<li><code>{}</code>: {}</li>",
                    html(&n.name),
                    n.description.as_deref().map_or_else(
                        || "<span class=\"unknown\">not in the native registry</span>".to_string(),
                        html
                    )
                );
            }
            o.push_str("</ul>\n");
        }
        o.push_str("</section>\n");

        o.push_str("<section id=\"exclusions\">\n<h2>Exclusions</h2>\n");
        if self.exclusions.is_empty() {
            o.push_str("<p class=\"muted\">None: no top-level conjunct is a negation.</p>\n");
        } else {
            let _ = writeln!(
                o,
                "<p>Predicates the rule actively suppresses: {} for which any of them holds is never flagged.</p>",
                self.subject(false)
            );
            o.push_str("<table>\n<thead><tr><th>Suppressed when</th><th>Excluded values</th></tr></thead>\n<tbody>\n");
            for x in &self.exclusions {
                let _ = writeln!(
                    o,
                    "<tr><td><code>{}</code></td><td>{}</td></tr>",
                    html(&x.predicate),
                    x.values
                        .iter()
                        .map(|v| format!("<code>{}</code>", html(v)))
                        .collect::<Vec<_>>()
                        .join(" ")
                );
            }
            o.push_str("</tbody>\n</table>\n");
        }
        o.push_str("</section>\n");

        let _ = writeln!(
            o,
            "<section id=\"body\">\n<h2>Rule body</h2>\n<pre><code>{}</code></pre>\n</section>",
            html(self.body.trim_end())
        );

        o.push_str("<section id=\"tests\">\n<h2>Tests</h2>\n");
        if self.tests.is_empty() {
            o.push_str("<p class=\"muted\">No tests.</p>\n");
        } else {
            o.push_str(
                "<table>\n<thead><tr><th>Test</th><th>Expected result</th></tr></thead>\n<tbody>\n",
            );
            for t in &self.tests {
                let _ = writeln!(
                    o,
                    "<tr><td>{}</td><td>{}</td></tr>",
                    html(&t.name),
                    html(&t.label())
                );
            }
            o.push_str("</tbody>\n</table>\n");
        }
        o.push_str("</section>\n");
        o
    }
}

fn kind_name(d: &RuleDescription) -> &'static str {
    match d.kind {
        crate::panther::AnalysisType::Policy => "policy",
        crate::panther::AnalysisType::Rule => "rule",
    }
}
