//! `pounce lint` over the fixtures of tests/lint_fixtures/: each fixture is a rule file (or a
//! folder, for findings across files) with exactly one defect, named after the code it must
//! produce (`W0105_contradiction.yml`); `clean_*` fixtures produce nothing. For every fixture
//! the set of codes and the underlined text are asserted, and the human and JSON outputs of the
//! binary are kept as insta snapshots (tests/snapshots/lint__*.snap). docs/DIAGNOSTICS.md must
//! document exactly the codes the fixtures cover. Accept new snapshots with
//! `INSTA_UPDATE=always cargo test --test lint` and review them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use pounce::panther::diagnostics::{FileReport, Severity};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod common;

use common::{Run, root};

const FIXTURES: &str = "tests/lint_fixtures";

/// Every fixture (a file or a folder directly under tests/lint_fixtures/), relative to the
/// package root, sorted.
fn fixtures() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join(FIXTURES))
        .unwrap()
        .map(|e| Path::new(FIXTURES).join(e.unwrap().file_name()))
        .collect();
    out.sort();
    assert!(out.len() >= 30, "only {} fixtures", out.len());
    out
}

fn name_of(fixture: &Path) -> String {
    fixture.file_name().unwrap().to_string_lossy().into_owned()
}

/// The code a fixture is named after (`W0105_contradiction.yml` → `pounce::W0105`), or `None`
/// for a `clean_*` fixture.
fn code_of(fixture: &Path) -> Option<String> {
    let name = name_of(fixture);
    if name.starts_with("clean") {
        return None;
    }
    let code = name.split('_').next().unwrap();
    let well_formed = code.len() == 5
        && (code.starts_with('E') || code.starts_with('W'))
        && code[1..].bytes().all(|b| b.is_ascii_digit());
    assert!(
        well_formed,
        "fixture `{name}` must be named `XNNNN_what.yml` or `clean_what.yml`"
    );
    Some(format!("pounce::{code}"))
}

fn lint(fixture: &Path) -> Vec<FileReport> {
    pounce::lint::lint_paths(&[root().join(fixture)], &common::registry())
}

/// Runs `pounce lint ARGS` from the package root, without colour.
fn run_lint(args: &[&str]) -> Run {
    let mut all = vec!["lint"];
    all.extend_from_slice(args);
    common::pounce(&all)
}

fn json_of(args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&run_lint(&all).stdout).unwrap()
}

// ---- (a) each fixture finds exactly its own code ----------------------------------------------

#[test]
fn each_fixture_finds_exactly_its_code() {
    let mut wrong = Vec::new();
    for f in fixtures() {
        let found: BTreeSet<String> = lint(&f)
            .iter()
            .flat_map(|r| r.findings.iter().map(|x| x.code.as_str().to_string()))
            .collect();
        let expected: BTreeSet<String> = code_of(&f).into_iter().collect();
        if found != expected {
            wrong.push(format!("{}: found {found:?}", f.display()));
        }
    }
    assert!(
        wrong.is_empty(),
        "fixtures with other codes:\n{}",
        wrong.join("\n")
    );
}

/// What each finding underlines in its file: the spans are byte-exact in the YAML file, inside
/// plain, quoted, `>` and `|` scalars alike.
const UNDERLINED: &[(&str, &str)] = &[
    ("E0001_syntax_in_folded_block.yml", "\""),
    ("E0002_unknown_operator_in_literal_block.yml", "startswith"),
    ("E0003_chained_comparison.yml", "=="),
    ("E0004_number_out_of_range.yml", "1e999"),
    ("E0005_nesting_too_deep.yml", "("),
    ("E0101_unknown_function_in_literal_block.yml", "lenght"),
    ("E0102_wrong_arity.yml", "len(Name, 3)"),
    (
        "E0103_invalid_regex_in_quoted_scalar.yml",
        "\"^logs-([0-9]+\\\"",
    ),
    ("E0104_invalid_cidr.yml", "\"10.0.0.0/33\""),
    ("E0105_current_outside_quantifier.yml", "@.Name"),
    ("E0106_invalid_jsonpath.yml", "$.Tags[?@.Key ==]"),
    ("E0107_regex_not_a_literal.yml", "Versioning.Status"),
    ("E0108_cidr_not_a_string.yml", "10"),
    ("E0109_unknown_data_model_name.yml", "\"actor_user\""),
    ("E0110_repeated_object_key.yml", "\"user\""),
    (
        "E0111_parameter_named_twice.yml",
        "same_account(identity, identity)",
    ),
    ("E0112_functions_in_a_cycle.yml", "is_admin"),
    ("E0113_builtin_name.yml", "lower(s)"),
    ("E0114_field_not_a_parameter.yml", "eventName"),
    ("E0201_not_utf8.yml", "\u{fffd}"),
    ("E0201_yaml_syntax.yml", ":"),
    ("E0202_duplicate_key.yml", "Severity:"),
    ("E0203_wrong_type.yml", "ture"),
    ("E0204_empty_file.yml", ""),
    ("E0204_missing_condition.yml", "PolicyID"),
    ("E0205_missing_id.yml", "AnalysisType"),
    (
        "E0206_missing_analysis_type.yml",
        "# E0206: no `AnalysisType`.",
    ),
    ("E0206_unknown_analysis_type.yml", "polcy"),
    ("E0207_invalid_severity.yml", "Hgih"),
    ("E0207_missing_severity.yml", "# E0207: no `Severity`."),
    ("E0208_duplicate_id", "\"Fixture.E0208\""),
    ("E0209_test_with_both.yml", "Trail stopped"),
    ("E0209_test_without_document.yml", "Versioning suspended"),
    ("E0210_unreadable", ""),
    ("E0211_unknown_method.yml", "get_actor_usr"),
    ("E0212_invalid_signature.yml", "is root user"),
    ("W0101_unknown_key.yml", "Runbok"),
    ("W0102_field_not_in_tests.yml", "Versioning.MFADelte"),
    (
        "W0103_negation_over_missing.yml",
        "Versioning.Status != \"Enabled\"",
    ),
    (
        "W0104_all_over_missing_list.yml",
        "all(LifecycleRules, Status == \"Disabled\")",
    ),
    ("W0105_contradiction.yml", "eventName == \"DeleteTrail\""),
    (
        "W0106_literal_comparison.yml",
        "\"Versioning.MFADelete\" == \"Disabled\"",
    ),
    (
        "W0106_tautology.yml",
        "(Versioning.MFADelete == \"Disabled\" or Versioning.MFADelete != \"Disabled\")",
    ),
    (
        "W0107_duplicate_conjunct.yml",
        "eventSource == \"cloudtrail.amazonaws.com\"",
    ),
    (
        "W0108_plain_regex.yml",
        "\"^cloudtrail\\\\.amazonaws\\\\.com$\"",
    ),
    ("W0109_no_tests.yml", "\"Fixture.W0109\""),
    ("W0110_one_outcome.yml", "Tests"),
    (
        "W0111_exclusion_not_exercised.yml",
        "userIdentity.type != \"AWSService\"",
    ),
    ("W0112_technique_of_another_tactic.yml", "TA0040:T1562.008"),
    ("W0112_unknown_tactic.yml", "TA0050:T1562.008"),
    ("W0112_unknown_technique.yml", "TA0005:T1562.08"),
    ("W0113_revoked_technique.yml", "TA0010:T1002"),
    ("W0114_binding_shadows_a_field.yml", "eventName"),
    (
        "W0115_quadratic_condition.yml",
        "any(IpPermissions, let port = FromPort in count($.IpPermissions, FromPort == port) > 1)",
    ),
];

#[test]
fn each_finding_underlines_the_defect() {
    let table: BTreeMap<&str, &str> = UNDERLINED.iter().copied().collect();
    let mut wrong = Vec::new();
    for f in fixtures() {
        let name = name_of(&f);
        let Some(code) = code_of(&f) else { continue };
        let Some(expected) = table.get(name.as_str()) else {
            wrong.push(format!("{name}: add it to UNDERLINED"));
            continue;
        };
        for r in lint(&f) {
            for x in r.findings.iter().filter(|x| x.code.as_str() == code) {
                let under = &r.text()[x.span.start..x.span.end];
                if under != *expected {
                    wrong.push(format!("{name}: underlines {under:?}"));
                }
                // The line given is the line of the underlined text.
                let line = r.text()[..x.span.start].matches('\n').count() + 1;
                assert_eq!(x.line, line, "{name}");
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

// ---- (b) golden output of the binary ----------------------------------------------------------

#[test]
fn human_and_json_output_of_every_fixture() {
    for f in fixtures() {
        let path = f.to_str().unwrap();
        let snap = name_of(&f).trim_end_matches(".yml").to_string();
        let code = code_of(&f);

        let human = run_lint(&[path]);
        let text = human.stdout.clone();
        assert!(
            !text.contains('\u{1b}'),
            "ANSI codes in the output for {path}"
        );
        let failing = code.as_deref().is_some_and(|c| c.starts_with("pounce::E"));
        assert_eq!(human.code, i32::from(failing), "{path}");
        if let Some(c) = &code {
            assert!(text.contains(c.as_str()), "{path}: {text}");
        }
        insta::with_settings!({ description => format!("pounce lint {path}"), omit_expression => true }, {
            insta::assert_snapshot!(format!("human_{snap}"), text);
        });

        let json = run_lint(&["--format", "json", path]).stdout;
        insta::with_settings!({ description => format!("pounce lint --format json {path}"), omit_expression => true }, {
            insta::assert_snapshot!(format!("json_{snap}"), json);
        });
    }
}

/// The JSON schema documented in docs/DIAGNOSTICS.md, over every fixture at once.
#[test]
fn json_schema() {
    let doc = json_of(&[FIXTURES]);
    let top: BTreeSet<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        top,
        BTreeSet::from(["version", "files_checked", "errors", "warnings", "files"])
    );
    assert_eq!(doc["version"], 1);
    let rule_files = pounce::panther::collect_files(&[root().join(FIXTURES)]).len();
    assert_eq!(doc["files_checked"], rule_files);
    let keys = BTreeSet::from([
        "code",
        "severity",
        "message",
        "line",
        "column",
        "end_line",
        "end_column",
        "label",
        "help",
    ]);
    let (mut errors, mut warnings) = (0, 0);
    for file in doc["files"].as_array().unwrap() {
        assert!(file["file"].as_str().unwrap().starts_with(FIXTURES));
        let findings = file["findings"].as_array().unwrap();
        assert!(!findings.is_empty(), "files without findings are left out");
        for f in findings {
            let got: BTreeSet<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(got, keys);
            assert!(f["code"].as_str().unwrap().starts_with("pounce::"));
            match f["severity"].as_str().unwrap() {
                "error" => errors += 1,
                "warning" => warnings += 1,
                other => panic!("severity {other}"),
            }
            for k in ["line", "column", "end_line", "end_column"] {
                assert!(f[k].as_u64().unwrap() >= 1, "{k} of {f}");
            }
            assert!(f["help"].is_string() || f["help"].is_null());
        }
    }
    assert_eq!(doc["errors"], errors);
    assert_eq!(doc["warnings"], warnings);
}

// ---- (c) docs/DIAGNOSTICS.md and the fixtures cover the same codes ----------------------------

/// The codes of the `### pounce::XNNNN — title` headings, each with its section's text.
fn documented() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(root().join("docs/DIAGNOSTICS.md")).unwrap();
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("### pounce::") {
            let code = format!("pounce::{}", h.split_whitespace().next().unwrap());
            assert!(h.contains(" — "), "heading without a title: {line}");
            assert!(!out.contains_key(&code), "{code} documented twice");
            out.insert(code.clone(), String::new());
            current = Some(code);
        } else if line.starts_with("## ") || line.starts_with("### ") {
            current = None;
        } else if let Some(c) = &current {
            let section = out.get_mut(c).unwrap();
            section.push_str(line);
            section.push('\n');
        }
    }
    out
}

#[test]
fn every_documented_code_has_a_fixture_and_back() {
    let docs: BTreeSet<String> = documented().into_keys().collect();
    let covered: BTreeSet<String> = fixtures().iter().filter_map(|f| code_of(f)).collect();
    let undocumented: Vec<&String> = covered.difference(&docs).collect();
    let untested: Vec<&String> = docs.difference(&covered).collect();
    assert!(
        undocumented.is_empty(),
        "codes with a fixture but no heading: {undocumented:?}"
    );
    assert!(
        untested.is_empty(),
        "documented codes without a fixture: {untested:?}"
    );
}

/// The documented codes are exactly the variants of `pounce_lang::ErrorCode`, the one list
/// of codes.
#[test]
fn every_error_code_is_documented_and_back() {
    let known: BTreeSet<String> = pounce::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_string())
        .collect();
    let docs: BTreeSet<String> = documented().into_keys().collect();
    let undocumented: Vec<&String> = known.difference(&docs).collect();
    let unknown: Vec<&String> = docs.difference(&known).collect();
    assert!(
        undocumented.is_empty(),
        "codes without a heading: {undocumented:?}"
    );
    assert!(
        unknown.is_empty(),
        "documented but not an ErrorCode: {unknown:?}"
    );
}

/// Text with runs of whitespace (and the `│` of wrapped rendered messages) as one space.
fn words(s: &str) -> String {
    s.replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Each code's section states its severity and shows the message its fixtures produce.
#[test]
fn docs_show_each_fixture_message() {
    let docs: BTreeMap<String, String> = documented()
        .into_iter()
        .map(|(c, s)| (c, words(&s)))
        .collect();
    let mut missing = Vec::new();
    for f in fixtures() {
        let Some(code) = code_of(&f) else { continue };
        let section = &docs[&code];
        for r in lint(&f) {
            for x in r.findings.iter().filter(|x| x.code.as_str() == code) {
                if !section.contains(&words(&x.message)) {
                    missing.push(format!("{code}: `{}`", x.message));
                }
                let severity = match x.severity {
                    Severity::Error => "Severity: error",
                    Severity::Warning => "Severity: warning",
                };
                if !section.contains(severity) {
                    missing.push(format!("{code}: `{severity}`"));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not in docs/DIAGNOSTICS.md:\n{}",
        missing.join("\n")
    );
}

// ---- (d) SARIF 2.1.0 ----------------------------------------------------------------------

#[test]
fn sarif_output_is_sarif_2_1_0() {
    let out = run_lint(&["--format", "sarif", FIXTURES]);
    assert_eq!(out.code, 1);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "pounce");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let results = run["results"].as_array().unwrap();
    let json = json_of(&[FIXTURES]);
    let total = json["errors"].as_u64().unwrap() + json["warnings"].as_u64().unwrap();
    assert_eq!(results.len() as u64, total);
    let mut codes = BTreeSet::new();
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        assert!(id.starts_with("pounce::"), "{r}");
        codes.insert(id);
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index], id, "ruleIndex of {r}");
        assert!(
            ["error", "warning", "note"].contains(&r["level"].as_str().unwrap()),
            "{r}"
        );
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            uri.starts_with(FIXTURES),
            "uri {uri} is relative to the package"
        );
        assert!(root().join(uri).symlink_metadata().is_ok(), "{uri} exists");
        let region = &loc["region"];
        let n = |k: &str| region[k].as_u64().unwrap_or_else(|| panic!("{k} in {r}"));
        assert!(n("startLine") >= 1 && n("startColumn") >= 1, "{r}");
        assert!(n("endLine") >= n("startLine"), "{r}");
        if n("endLine") == n("startLine") {
            assert!(n("endColumn") >= n("startColumn"), "{r}");
        }
    }
    let covered: BTreeSet<String> = fixtures().iter().filter_map(|f| code_of(f)).collect();
    assert_eq!(codes, covered.iter().map(String::as_str).collect());
    assert_eq!(rules.iter().copied().collect::<BTreeSet<_>>(), codes);
}

#[test]
fn sarif_region_is_the_finding() {
    let f = "tests/lint_fixtures/W0105_contradiction.yml";
    let doc: Value = serde_json::from_str(&run_lint(&["--format", "sarif", f]).stdout).unwrap();
    let r = &doc["runs"][0]["results"][0];
    assert_eq!(r["ruleId"], "pounce::W0105");
    assert_eq!(r["level"], "warning");
    assert_eq!(
        r["message"]["text"],
        "`eventName == \"DeleteTrail\"` contradicts `eventName == \"StopLogging\"`: the condition \
         can never be true (help: one of the two conjuncts is wrong; did you mean `or`, or `in [...]`?)"
    );
    let json = json_of(&[f]);
    let finding = &json["files"][0]["findings"][0];
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], f);
    let region = &loc["region"];
    assert_eq!(region["startLine"], finding["line"]);
    assert_eq!(region["startColumn"], finding["column"]);
    assert_eq!(region["endLine"], finding["end_line"]);
    assert_eq!(region["endColumn"], finding["end_column"]);
}

// ---- (e) GitHub annotations ---------------------------------------------------------------

/// `::KIND file=F,line=L,col=C,endLine=L,endColumn=C,title=T::MESSAGE`, parsed.
fn annotation(line: &str) -> (String, BTreeMap<String, String>, String) {
    let rest = line
        .strip_prefix("::")
        .unwrap_or_else(|| panic!("not an annotation: {line}"));
    let (head, message) = rest.split_once("::").unwrap();
    let (kind, props) = head.split_once(' ').unwrap();
    let props = props
        .split(',')
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect();
    (kind.to_string(), props, message.to_string())
}

#[test]
fn github_annotations() {
    let out = run_lint(&[
        "--format",
        "github",
        "tests/lint_fixtures/W0105_contradiction.yml",
    ]);
    assert_eq!(out.code, 0);
    assert_eq!(
        out.stdout,
        "::warning file=tests/lint_fixtures/W0105_contradiction.yml,line=18,col=7,endLine=18,\
         endColumn=33,title=pounce%3A%3AW0105::`eventName == \"DeleteTrail\"` contradicts \
         `eventName == \"StopLogging\"`: the condition can never be true%0Ahelp: one of the two \
         conjuncts is wrong; did you mean `or`, or `in [...]`?\n"
    );

    let out = run_lint(&[
        "--format",
        "github",
        "tests/lint_fixtures/E0202_duplicate_key.yml",
    ]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.starts_with(
            "::error file=tests/lint_fixtures/E0202_duplicate_key.yml,line=9,col=1,endLine=9,\
             endColumn=10,title=pounce%3A%3AE0202::duplicate key `Severity`%0Ahelp: "
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn github_annotation_for_every_finding() {
    let json = json_of(&[FIXTURES]);
    let text = run_lint(&["--format", "github", FIXTURES]).stdout;
    let lines: Vec<&str> = text.lines().collect();
    let findings: Vec<(&Value, &Value)> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| {
            f["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |x| (&f["file"], x))
        })
        .collect();
    assert_eq!(lines.len(), findings.len());
    for (line, (file, f)) in lines.iter().zip(findings) {
        let (kind, props, message) = annotation(line);
        assert_eq!(kind, f["severity"].as_str().unwrap());
        assert_eq!(props["file"], file.as_str().unwrap());
        assert_eq!(props["line"], f["line"].to_string());
        assert_eq!(props["col"], f["column"].to_string());
        assert_eq!(props["endLine"], f["end_line"].to_string());
        assert_eq!(props["endColumn"], f["end_column"].to_string());
        assert_eq!(
            props["title"],
            f["code"].as_str().unwrap().replace(':', "%3A")
        );
        assert!(message.starts_with(&f["message"].as_str().unwrap().replace('\n', "%0A")));
    }
}

// ---- junit ------------------------------------------------------------------------------

/// One test case per file; a failure for each file with findings at or above the fail level.
#[test]
fn junit_counts_files_at_the_fail_level() {
    let json = json_of(&[FIXTURES]);
    let files = json["files"].as_array().unwrap();
    let with_errors = files
        .iter()
        .filter(|f| {
            f["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["severity"] == "error")
        })
        .count();
    let checked = json["files_checked"].as_u64().unwrap();
    for (level, failing) in [("error", with_errors), ("warning", files.len())] {
        let xml = run_lint(&["--format", "junit", "--fail-level", level, FIXTURES]).stdout;
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
        assert!(xml.contains(&format!(
            "<testsuite name=\"pounce lint\" tests=\"{checked}\" failures=\"{failing}\">"
        )));
        assert_eq!(xml.matches("<testcase ").count() as u64, checked);
        assert_eq!(xml.matches("<failure ").count(), failing);
    }
    let xml = run_lint(&[
        "--format",
        "junit",
        "tests/lint_fixtures/E0202_duplicate_key.yml",
    ])
    .stdout;
    assert!(xml.contains(
        "<failure message=\"1 finding(s)\">tests/lint_fixtures/E0202_duplicate_key.yml:9:1: \
         pounce::E0202 duplicate key `Severity`</failure>"
    ));
}

// ---- (f) exit codes -----------------------------------------------------------------------

#[test]
fn exit_codes() {
    let code = |args: &[&str]| Some(run_lint(args).code);
    let clean = "tests/lint_fixtures/clean_policy.yml";
    let error = "tests/lint_fixtures/E0202_duplicate_key.yml";
    let warning = "tests/lint_fixtures/W0107_duplicate_conjunct.yml";
    assert_eq!(code(&[clean]), Some(0));
    assert_eq!(code(&[clean, "--fail-level", "warning"]), Some(0));
    assert_eq!(code(&[error]), Some(1));
    assert_eq!(code(&[warning]), Some(0));
    assert_eq!(code(&[warning, "--fail-level", "error"]), Some(0));
    assert_eq!(code(&[warning, "--fail-level", "warning"]), Some(1));
    assert_eq!(code(&["-e", "a startswith \"x\""]), Some(1));
    assert_eq!(code(&["-e", "a == 1 and a == 1"]), Some(0));
    assert_eq!(
        code(&["-e", "a == 1 and a == 1", "--fail-level", "warning"]),
        Some(1)
    );
    // Usage errors: a path that does not exist, an unknown format.
    let missing = run_lint(&["tests/lint_fixtures/no_such_rule.yml"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("no_such_rule.yml"));
    assert_eq!(code(&["--format", "xml", clean]), Some(2));
}

// ---- (g) LintAllow ------------------------------------------------------------------------

/// The fixture's text with `LintAllow: [CODE]` added after its first key.
fn with_allow(text: &str, code: &str) -> String {
    let at = text.find("\nAnalysisType:").unwrap() + 1;
    let end = at + text[at..].find('\n').unwrap() + 1;
    format!("{}LintAllow: [{code}]\n{}", &text[..end], &text[end..])
}

/// Allowing a fixture's warning code silences it, for every warning; nothing else changes.
#[test]
fn lint_allow_silences_each_warning() {
    let registry = pounce::standard_registry();
    for f in fixtures() {
        let Some(code) = code_of(&f).filter(|c| c.starts_with("pounce::W")) else {
            continue;
        };
        let bare = code.trim_start_matches("pounce::");
        let path = root().join(&f);
        let text = std::fs::read_to_string(&path).unwrap();
        let before = pounce::lint::lint_str(&path, &text, &registry).report;
        assert!(
            before.findings.iter().any(|x| x.code.as_str() == code),
            "{}",
            f.display()
        );
        let after = pounce::lint::lint_str(&path, &with_allow(&text, bare), &registry).report;
        let left: Vec<&str> = after.findings.iter().map(|x| x.code.as_str()).collect();
        assert!(
            left.is_empty(),
            "{}: `LintAllow: [{bare}]` leaves {left:?}",
            f.display()
        );
        // Allowing another code does not hide this one.
        let other = if bare == "W0101" { "W0102" } else { "W0101" };
        let still = pounce::lint::lint_str(&path, &with_allow(&text, other), &registry).report;
        assert!(
            still.findings.iter().any(|x| x.code.as_str() == code),
            "{}",
            f.display()
        );
    }
}

#[test]
fn lint_allow_fixture_warns_without_its_allow() {
    let registry = pounce::standard_registry();
    let path = root().join("tests/lint_fixtures/clean_lint_allow.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        pounce::lint::lint_str(&path, &text, &registry)
            .report
            .findings
            .is_empty()
    );
    let without = text.replace("LintAllow: [W0103]\n", "");
    assert_ne!(without, text);
    let report = pounce::lint::lint_str(&path, &without, &registry).report;
    let codes: Vec<&str> = report.findings.iter().map(|x| x.code.as_str()).collect();
    assert_eq!(codes, ["pounce::W0103"]);
}

// ---- condition checks that the fixtures do not spell out ----------------------------------

/// `pounce lint -e` (no tests, so only the checks of the condition alone): codes and help.
#[test]
fn condition_checks() {
    let cases: &[(&str, &[&str], Option<&str>)] = &[
        ("a == 1 and b == 2 and a == 1", &["pounce::W0107"], None),
        ("not (a == 1) or a == 1", &["pounce::W0106"], None),
        ("a is_null or a not is_null", &["pounce::W0106"], None),
        ("a == 1 and a != 1", &["pounce::W0105"], None),
        ("a in [\"x\"] and a == \"y\"", &["pounce::W0105"], None),
        ("a == 1 or a == 2", &[], None),
        (
            "a matches \"foo\"",
            &["pounce::W0108"],
            Some("write `a contains \"foo\"`: clearer and faster"),
        ),
        (
            "a not matches \"^foo$\"",
            &["pounce::W0108"],
            Some("write `a != \"foo\"`: clearer and faster"),
        ),
        (
            "a not matches \"^foo\"",
            &["pounce::W0108"],
            Some("write `a not starts_with \"foo\"`: clearer and faster"),
        ),
        ("a matches \"^foo\\\\d\"", &[], None),
        ("a matches \"(?i)^foo$\"", &[], None),
        (
            "any(xs, @ == 1) and any(xs, @ == 1)",
            &["pounce::W0107"],
            None,
        ),
    ];
    let registry = pounce::standard_registry();
    for (src, codes, help) in cases {
        let report = pounce::lint::lint_condition(src, &registry);
        let got: Vec<&str> = report.findings.iter().map(|x| x.code.as_str()).collect();
        assert_eq!(got, *codes, "`{src}`");
        if let Some(h) = help {
            assert_eq!(report.findings[0].help.as_deref(), Some(*h), "`{src}`");
        }
    }
}

/// W0103 does not depend on the side the field is written on: `"Enabled" != Versioning.Status`
/// warns as `Versioning.Status != "Enabled"` does, and a guard on either side silences both.
#[test]
fn negation_over_missing_with_the_sides_swapped() {
    let registry = pounce::standard_registry();
    let path = root().join("tests/lint_fixtures/W0103_negation_over_missing.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    let codes = |t: &str| -> Vec<&'static str> {
        pounce::lint::lint_str(&path, t, &registry)
            .report
            .findings
            .iter()
            .map(|x| x.code.as_str())
            .collect()
    };
    for cond in [
        "Versioning.Status != \"Enabled\"",
        "\"Enabled\" != Versioning.Status",
        "not (\"Enabled\" == Versioning.Status)",
        "\"Enabled\" not in Versioning.Status",
    ] {
        let t = text.replace("Versioning.Status != \"Enabled\"", cond);
        assert!(
            codes(&t).contains(&"pounce::W0103"),
            "{cond}: {:?}",
            codes(&t)
        );
    }
    let guarded = text.replace(
        "Versioning.Status != \"Enabled\"",
        "\"Enabled\" != Versioning.Status and \"Suspended\" == Versioning.Status",
    );
    assert!(
        !codes(&guarded).contains(&"pounce::W0103"),
        "{:?}",
        codes(&guarded)
    );
}

/// An unknown ATT&CK technique gets a suggestion only from its own tactic: `TA0003:T9999`
/// (Persistence) is not told `T1099` (a Defense Evasion technique spelt close to it).
#[test]
fn attack_suggestions_stay_within_the_tactic() {
    let registry = pounce::standard_registry();
    let path = root().join("tests/lint_fixtures/W0112_unknown_technique.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    let help = |entry: &str| -> Vec<String> {
        let t = text.replace("TA0005:T1562.08", entry);
        pounce::lint::lint_str(&path, &t, &registry)
            .report
            .findings
            .iter()
            .filter(|f| f.code.as_str() == "pounce::W0112")
            .filter_map(|f| f.help.clone())
            .collect()
    };
    let h = help("TA0003:T9999");
    assert_eq!(h.len(), 1, "{h:?}");
    assert!(!h[0].contains("T1099"), "{h:?}");
    assert!(
        h[0].starts_with("no technique of Persistence (TA0003)"),
        "{h:?}"
    );
    // A close one within the tactic is suggested, with its name.
    let h = help("TA0005:T1562.08");
    assert!(h[0].starts_with("did you mean `T1562.008` (Disable or Modify Cloud Logs), a technique of Defense Evasion?"), "{h:?}");
    // Without a tactic there is nothing to choose from.
    let h = help("T9999");
    assert!(!h[0].contains("did you mean"), "{h:?}");
}

/// A misspelt key inside a test is named with a did-you-mean (W0101, and E0209 for the key
/// that is then missing), and the file's other errors are still reported.
#[test]
fn misspelt_test_keys_are_named_and_the_other_errors_kept() {
    let doc = json_of(&["tests/cli_fixtures/misspelt_test_keys.yml"]);
    let findings = doc["files"][0]["findings"].as_array().unwrap();
    let got: Vec<(String, String, String)> = findings
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
                f["help"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let has = |code: &str, msg: &str, help: &str| {
        got.iter()
            .any(|(c, m, h)| c == code && m == msg && h.contains(help))
    };
    assert!(
        has("pounce::E0002", "unknown operator `=`", "`==`"),
        "{got:#?}"
    );
    assert!(
        has(
            "pounce::E0209",
            "test `A login` has no `ExpectedResult`",
            "this test has `ExpectedResults`"
        ),
        "{got:#?}"
    );
    assert!(
        has(
            "pounce::W0101",
            "unknown key `ExpectedResults` in a test",
            "did you mean `ExpectedResult`?"
        ),
        "{got:#?}"
    );
    assert!(
        has(
            "pounce::E0209",
            "test `A logout` has no `Log`",
            "did you mean `Log`? this test has `Logs`"
        ),
        "{got:#?}"
    );
    assert!(
        has(
            "pounce::W0101",
            "unknown key `Logs` in a test",
            "did you mean `Log`?"
        ),
        "{got:#?}"
    );
    assert!(
        got.iter().all(|(_, m, _)| !m.contains("invalid YAML")),
        "{got:#?}"
    );
}

/// The shipped packs lint clean: no error and no warning (deliberate cases carry `LintAllow`
/// with a reason), upstream test keys included (`LogType`).
#[test]
fn the_shipped_packs_lint_clean() {
    let reports = pounce::lint::lint_paths(
        &[root().join("policies"), root().join("rules")],
        &common::registry(),
    );
    assert!(reports.len() > 250, "{} files", reports.len());
    let findings: Vec<String> = reports
        .iter()
        .flat_map(|r| {
            r.findings
                .iter()
                .map(move |f| format!("{}: {} {}", r.path, f.code, f.message))
        })
        .collect();
    assert!(findings.is_empty(), "{findings:#?}");
}
