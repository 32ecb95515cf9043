//! `lint`: finds rule defects before they ship. Errors are what loading reports (YAML, types,
//! IDs, conditions) plus duplicate IDs across files; warnings are the checks of this module.
//! Every code is documented in docs/DIAGNOSTICS.md.

mod condition;
mod fields;
pub mod output;

use crate::Registry;
use crate::panther::attack;
use crate::panther::diagnostics::{FileReport, Finding, Severity};
use crate::panther::{self, KNOWN_KEYS, Rule};
use pounce_lang::ErrorCode;
use pounce_lang::ast::Span;
use pounce_lang::suggest::nearest;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use condition::plain_regex;

/// The lint of one file: its report, and the rule's ID and ID span when it loaded.
pub struct FileLint {
    /// The findings.
    pub report: FileReport,
    /// ID and where it is, for the cross-file duplicate check.
    pub id: Option<(String, Span)>,
}

/// Lints a condition given on the command line.
pub fn lint_condition(src: &str, registry: &Registry) -> FileReport {
    let mut report = FileReport::new("condition", src);
    match crate::compile(src, registry) {
        Err(e) => {
            for err in e.errors {
                let mut f =
                    Finding::new(err.code, Severity::Error, err.span, err.message, err.label);
                f.help = err.help;
                report.push(f);
            }
        }
        Ok(p) => {
            let mut hits = Vec::new();
            condition::check(p.ast(), &mut hits);
            condition::cost(p.ast(), registry, &mut hits);
            for h in hits {
                report.push(h);
            }
        }
    }
    report.sort();
    report
}

/// Lints one rule file's text.
pub fn lint_str(path: &Path, text: &str, registry: &Registry) -> FileLint {
    match panther::load_str(path, text, registry) {
        Err(mut report) => {
            if let Ok(keys) = panther::top_keys(text) {
                unknown_keys(&keys, &mut report, &[]);
            }
            unknown_test_keys(text, &mut report, &[]);
            report.sort();
            FileLint { report, id: None }
        }
        Ok(rule) => {
            let mut report = FileReport::new(&path.display().to_string(), text);
            lint_rule(&rule, registry, &mut report);
            report.sort();
            FileLint {
                report,
                id: Some((rule.id.clone(), rule.id_span)),
            }
        }
    }
}

fn unknown_keys(keys: &[(String, Span)], report: &mut FileReport, allow: &[String]) {
    if allow.iter().any(|a| a == ErrorCode::W0101.name()) {
        return;
    }
    for (k, span) in keys {
        if KNOWN_KEYS.contains(&k.as_str()) {
            continue;
        }
        let near = nearest(k, KNOWN_KEYS.iter().copied());
        let hit = Finding::warning(
            ErrorCode::W0101,
            *span,
            format!("unknown key `{k}`"),
            "not a key of rule files",
        );
        let hit = match near.first() {
            Some(n) => hit.with_help(format!("did you mean `{n}`?")),
            None => hit.with_help(
                "known keys are listed in docs/RULES.md; unknown keys are kept but ignored",
            ),
        };
        report.push(hit);
    }
}

/// W0101 for keys of test cases that tests do not have (`ExpectedResults`, `Logs`).
fn unknown_test_keys(text: &str, report: &mut FileReport, allow: &[String]) {
    if allow.iter().any(|a| a == ErrorCode::W0101.name()) {
        return;
    }
    for keys in panther::test_keys(text) {
        for (k, span) in keys {
            if panther::TEST_KEYS.contains(&k.as_str()) {
                continue;
            }
            let near = nearest(&k, panther::TEST_KEYS.iter().copied());
            let hit = Finding::warning(
                ErrorCode::W0101,
                span,
                format!("unknown key `{k}` in a test"),
                "not a key of test cases",
            );
            report.push(match near.first() {
                Some(n) => hit.with_help(format!("did you mean `{n}`?")),
                None => hit.with_help(format!("a test case has {}", panther::TEST_KEYS.join(", "))),
            });
        }
    }
}

fn lint_rule(rule: &Rule, registry: &Registry, report: &mut FileReport) {
    unknown_keys(&rule.keys, report, &rule.lint_allow);
    unknown_test_keys(&rule.text, report, &rule.lint_allow);
    let mut hits = Vec::new();
    condition::check(rule.program.ast(), &mut hits);
    condition::cost(rule.program.ast(), registry, &mut hits);
    let docs: Vec<&serde_json::Value> = rule.tests.iter().map(|t| &t.document).collect();
    fields::check(rule.program.ast(), &docs, &mut hits);
    exclusions_exercised(rule, registry, &mut hits);
    for h in hits {
        if rule.lint_allow.iter().any(|a| a == h.code.name()) {
            continue;
        }
        let (s, e) = rule.condition_map.span(h.span.start, h.span.end);
        report.push(Finding {
            span: Span::new(s, e),
            ..h
        });
    }
    let mut file_hits = Vec::new();
    tests_cover(rule, &mut file_hits);
    attack_ids(rule, &mut file_hits);
    for h in file_hits {
        if !rule.lint_allow.iter().any(|a| a == h.code.name()) {
            report.push(h);
        }
    }
}

fn tests_cover(rule: &Rule, out: &mut Vec<Finding>) {
    let at = rule
        .keys
        .iter()
        .find(|(k, _)| k == "Tests")
        .map_or(rule.id_span, |(_, s)| *s);
    if rule.tests.is_empty() {
        out.push(
            Finding::warning(
                ErrorCode::W0109,
                rule.id_span,
                format!("`{}` has no tests", rule.id),
                "no `Tests`",
            )
            .with_help("add `Tests:` with at least one case that is flagged and one that is not"),
        );
        return;
    }
    for expected in [true, false] {
        if rule.tests.iter().all(|t| t.expected != expected) {
            let what = match (rule.kind, expected) {
                (panther::AnalysisType::Policy, true) => {
                    "a compliant resource (`ExpectedResult: true`)"
                }
                (panther::AnalysisType::Policy, false) => {
                    "a non-compliant resource (`ExpectedResult: false`)"
                }
                (panther::AnalysisType::Rule, true) => "an alert (`ExpectedResult: true`)",
                (panther::AnalysisType::Rule, false) => "a benign event (`ExpectedResult: false`)",
            };
            out.push(
                Finding::warning(
                    ErrorCode::W0110,
                    at,
                    format!("no test expects {what}"),
                    "every test expects the same outcome",
                )
                .with_help("add a test case for the other outcome"),
            );
        }
    }
}

/// W0111: an exclusion no test exercises (in every test document the conjunct holds).
fn exclusions_exercised(rule: &Rule, registry: &Registry, out: &mut Vec<Finding>) {
    if rule.tests.is_empty() {
        return;
    }
    let src = rule.program.source();
    for ex in pounce_lang::exclusions::exclusions(rule.program.ast()) {
        let Some(text) = src.get(ex.span.start..ex.span.end) else {
            continue;
        };
        let Ok(p) = crate::compile(text, registry) else {
            continue;
        };
        let exercised = rule.tests.iter().any(|t| {
            !p.eval_with(
                &t.document,
                &rule.test_env(t, pounce_lang::Env::system().now),
            )
        });
        if !exercised {
            out.push(
                Finding::warning(
                    ErrorCode::W0111,
                    ex.span,
                    format!("no test exercises the exclusion `{}`", p.ast()),
                    "holds in every test document",
                )
                .with_help(format!(
                    "add a test whose document matches `{}`, to show it is suppressed",
                    ex.predicate
                )),
            );
        }
    }
}

/// W0112/W0113: ATT&CK ids that do not exist, or are revoked or deprecated.
fn attack_ids(rule: &Rule, out: &mut Vec<Finding>) {
    let Some((_, entries)) = rule.reports.iter().find(|(k, _)| k == "MITRE ATT&CK") else {
        return;
    };
    let cat = attack::catalogue();
    let text = &rule.text;
    let base = text.find("MITRE ATT&CK").unwrap_or(0);
    for raw in entries {
        let start = text
            .get(base..)
            .and_then(|t| t.find(raw.as_str()))
            .map_or(base, |i| base + i);
        let span = Span::new(start, start + raw.len());
        let m = attack::parse_mapping(raw);
        if let Some(t) = &m.tactic
            && cat.tactic(t).is_none()
        {
            out.push(
                Finding::warning(
                    ErrorCode::W0112,
                    span,
                    format!("unknown ATT&CK tactic `{t}`"),
                    "not an Enterprise tactic",
                )
                .with_help("tactics are TA0001–TA0043; see data/attack/tactics.csv"),
            );
        }
        for id in &m.techniques {
            match cat.technique(id) {
                None => {
                    // Only techniques of the entry's tactic are worth suggesting: a spelling
                    // neighbour from another tactic is a different technique.
                    let tactic = m.tactic.as_deref().and_then(|x| cat.tactic(x));
                    let same_tactic = cat.technique_ids().filter(|t| {
                        tactic.is_some_and(|tac| {
                            cat.technique(t).is_some_and(|x| {
                                x.tactics.contains(&tac.shortname) && !x.revoked && !x.deprecated
                            })
                        })
                    });
                    let near = nearest(id, same_tactic);
                    let h = Finding::warning(
                        ErrorCode::W0112,
                        span,
                        format!("unknown ATT&CK technique `{id}`"),
                        "not in ATT&CK Enterprise v18.1",
                    );
                    out.push(match (near.first(), tactic) {
                        (Some(n), Some(tac)) => h.with_help(format!(
                            "did you mean `{n}` ({}), a technique of {}?",
                            cat.technique(n).map_or("", |t| t.name.as_str()),
                            tac.name
                        )),
                        (None, Some(tac)) => h.with_help(format!(
                            "no technique of {} ({}) is spelt close to it; see data/attack/techniques.csv",
                            tac.name, tac.id
                        )),
                        _ => h.with_help(
                            "see data/attack/techniques.csv (name the tactic, `TA0003:T1098`, to get suggestions)",
                        ),
                    });
                }
                Some(t) if t.revoked || t.deprecated => {
                    let state = if t.revoked { "revoked" } else { "deprecated" };
                    out.push(
                        Finding::warning(
                            ErrorCode::W0113,
                            span,
                            format!("ATT&CK technique `{id}` ({}) is {state}", t.name),
                            state,
                        )
                        .with_help("map the rule to the technique that replaced it"),
                    );
                }
                Some(t) => {
                    if let Some(tac) = m.tactic.as_deref().and_then(|x| cat.tactic(x))
                        && !t.tactics.contains(&tac.shortname)
                    {
                        out.push(
                            Finding::warning(
                                ErrorCode::W0112,
                                span,
                                format!(
                                    "`{id}` ({}) is not a technique of tactic `{}` ({})",
                                    t.name, tac.id, tac.name
                                ),
                                "tactic and technique do not match",
                            )
                            .with_help(format!("`{id}` belongs to {}", tactic_names(&t.tactics))),
                        );
                    }
                }
            }
        }
    }
}

/// The report of a file that is not text (E0210 unreadable, E0201 not UTF-8). Its text is the
/// lossy decoding, where the invalid byte became `�` (3 bytes): a span that ends inside that
/// character is widened to all of it, so that its end stays on the same line.
fn load_report(f: &Path, registry: &Registry) -> FileReport {
    let Err(report) = panther::load_file(f, registry) else {
        return FileReport::new(&f.display().to_string(), "");
    };
    let text = report.text();
    let mut fixed = FileReport::new(&report.path, text);
    for finding in &report.findings {
        let mut finding = finding.clone();
        while finding.span.end < text.len() && !text.is_char_boundary(finding.span.end) {
            finding.span.end += 1;
        }
        fixed.push(finding);
    }
    fixed
}

/// Tactic short names as `TA0005 (Defense Evasion)`, the way mappings name them.
fn tactic_names(shortnames: &[String]) -> String {
    let cat = attack::catalogue();
    let names: Vec<String> = shortnames
        .iter()
        .map(|s| match cat.tactics.iter().find(|t| &t.shortname == s) {
            Some(t) => format!("`{}` ({})", t.id, t.name),
            None => format!("`{s}`"),
        })
        .collect();
    names.join(", ")
}

/// Lints every rule file under `paths`, plus duplicate IDs across them (E0208).
pub fn lint_paths(paths: &[PathBuf], registry: &Registry) -> Vec<FileReport> {
    lint_paths_ignoring(paths, registry, &[])
}

/// [`lint_paths`] without the files an `--ignore` pattern matches. YAML files found in folders
/// that are not Panther files, and Panther files of types pounce does not run, are not linted
/// (see [`panther::classify`]); files given directly always are.
pub fn lint_paths_ignoring(
    paths: &[PathBuf],
    registry: &Registry,
    ignore: &[String],
) -> Vec<FileReport> {
    // Data models found among or beside the paths make `udm(...)` known; invalid ones are
    // reported like invalid rule files.
    let (with_models, bad_models) = panther::with_data_models_ignoring(paths, registry, ignore);
    let registry = &with_models;
    let mut lints: Vec<FileLint> = bad_models
        .into_iter()
        .map(|report| FileLint { report, id: None })
        .collect();
    let bad_paths: Vec<String> = lints.iter().map(|l| l.report.path.clone()).collect();
    let direct: Vec<&PathBuf> = paths.iter().filter(|p| !p.is_dir()).collect();
    for f in panther::collect_files_ignoring(paths, ignore) {
        let lint = match std::fs::read(&f).map(String::from_utf8) {
            Ok(Ok(text))
                if !direct.contains(&&f)
                    && matches!(
                        panther::classify(&text),
                        panther::FileKind::Other | panther::FileKind::Unsupported(_)
                    ) =>
            {
                continue;
            }
            Ok(Ok(text)) if panther::is_support_file(&text) => {
                if bad_paths.contains(&f.display().to_string()) {
                    continue;
                }
                FileLint {
                    report: FileReport::new(&f.display().to_string(), &text),
                    id: None,
                }
            }
            Ok(Ok(text)) => lint_str(&f, &text, registry),
            _ => FileLint {
                report: load_report(&f, registry),
                id: None,
            },
        };
        lints.push(lint);
    }
    let mut first: BTreeMap<String, String> = BTreeMap::new();
    for l in &mut lints {
        if let Some((id, span)) = &l.id {
            match first.get(id) {
                Some(other) => {
                    l.report.push(
                        Finding::new(
                            ErrorCode::E0208,
                            Severity::Error,
                            *span,
                            format!("duplicate rule ID `{id}`"),
                            "already used",
                        )
                        .with_help(format!(
                            "`{id}` is also the ID of {other}; IDs must be unique across the pack"
                        )),
                    );
                    l.report.sort();
                }
                None => {
                    first.insert(id.clone(), l.report.path.clone());
                }
            }
        }
    }
    lints.into_iter().map(|l| l.report).collect()
}
