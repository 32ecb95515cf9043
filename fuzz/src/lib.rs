//! The bodies of pounce's fuzz targets (see `fuzz_targets/`), and the invariants they check
//! beyond "never panics, never overflows the stack":
//!
//! - `condition`: every diagnostic span lies inside the source, on character boundaries, and
//!   renders; a condition that compiles evaluates and explains alike.
//! - `rule_file`: every finding renders; a rule that loads runs its own tests and evaluates
//!   through a pack as it does alone.
//! - `eval`: the streaming reader reports every record once, in order; a fixed pack (hand-written
//!   conditions plus the shipped `policies/`) gives the same verdicts over the projected parse as
//!   over the full one, and each condition alone agrees with its own projection.
//! - `explain`: the explanation's verdict is the evaluation's, and it serialises to JSON.
//!
//! Inputs that are not UTF-8 are skipped by the targets whose API takes `&str`; the stream
//! target takes bytes as they come.

use pounce::Registry;
use pounce::engine::Pack;
use pounce::panther::Rule;
use pounce::{Env, Program};
use serde_json::Value;
use std::io::Cursor;
use std::path::Path;
use std::sync::LazyLock;

/// Conditions the eval and explain targets run over every input: one or more of each operator,
/// path form, quantifier, built-in and a few natives.
pub const CONDITIONS: &[&str] = &[
    "a == 1",
    "a.b[0].c != \"x\"",
    "a[-1] > 2 and b < \"m\"",
    "a[*].b == 1",
    "a[*] is_empty",
    "`key with spaces`.x exists",
    "$..CidrIp in_cidr \"10.0.0.0/8\"",
    "$.Tags[?@.Key == 'env'].Value == \"prod\"",
    "$['a'][0] exists and $.b is_null",
    "any(a, @.b == 1 or @ == 2)",
    "all(a[*].c, none(@, @ is_null))",
    "any(a, any(@, $.b == @))",
    "len(a) >= 2 and lower(b) starts_with \"x\"",
    "upper(b) ends_with \"Z\" or b contains \"q\" or a contains 1",
    "b matches \"^a.*b$\" or b not matches \"(?i)k+\"",
    "(a + 1) * 2 / 3 - -a == 4",
    "a / 0 > 1 or a * a > 1e308 or a - b < 0",
    "a in [1, 2, \"a\", null, true, [1]]",
    "a not in [1] and b not contains \"x\" and b not starts_with \"y\"",
    "b is_empty or a not is_null or c not exists",
    "ip in_cidr [\"::/0\", \"192.168.0.0/16\"] or ip not in_cidr \"10.0.0.0/8\"",
    "ip in_cidr cidrs",
    "a == b and a != c",
    "$ is_empty or $[*] exists",
    "a[1][2][3] == 3 and a[9223372036854775807] exists and a[-9223372036854775808] exists",
    "not a and not (b or c)",
    "a",
    "IpPermissionsEgress not is_null and egress_allows_all_ports(IpPermissionsEgress)",
    "any(IpPermissionsEgress, FromPort is_null or ToPort is_null or (FromPort == 0 and ToPort == 65535))",
    // v2
    "(if a == 1 then b else c) == (a ?? b ?? \"d\")",
    "let x = a[*].b in any(x, @ == 1) and len([x, b, {\"k\": c}]) > 1",
    "first(a, @.b == 1).c == b[a[0]] or count(a, @ exists) > 2",
    "map(filter(a, @.b exists), @.b + \"!\") contains \"x!\"",
    "{\"k\": a, \"l\": [b, c]}.l[-1] == c and (b ?? [1])[0] exists",
];

/// A fixed clock, so natives that read the time give the same verdict on every run.
pub const NOW: i64 = 1_700_000_000;

/// The registry every target compiles with.
pub static REGISTRY: LazyLock<Registry> = LazyLock::new(pounce::standard_registry);

/// [`CONDITIONS`], compiled.
pub static PROGRAMS: LazyLock<Vec<(Program, pounce::lang::reads::Trie)>> = LazyLock::new(|| {
    CONDITIONS
        .iter()
        .map(|c| match pounce::compile(c, &REGISTRY) {
            Ok(p) => {
                let t = pounce::lang::reads::reads(&p);
                (p, t)
            }
            Err(e) => panic!("fuzz fixture `{c}` does not compile: {e:?}"),
        })
        .collect()
});

/// A pack of [`CONDITIONS`] (as untyped policies and rules) and the shipped policies.
pub static PACK: LazyLock<Pack> = LazyLock::new(|| {
    let mut rules: Vec<Rule> = Vec::new();
    for (i, c) in CONDITIONS.iter().enumerate() {
        let kind = if i % 2 == 0 { "policy" } else { "rule" };
        let id = if i % 2 == 0 { "PolicyID" } else { "RuleID" };
        let text = format!(
            "AnalysisType: {kind}\n{id}: Fuzz.{i}\nSeverity: Low\nCondition: '{}'\n",
            c.replace('\'', "''")
        );
        match pounce::panther::load_str(Path::new("fuzz.yml"), &text, &REGISTRY) {
            Ok(r) => rules.push(r),
            Err(e) => panic!("fuzz fixture rule {i} does not load: {e:?}"),
        }
    }
    // From the fuzz crate, or from tests/robustness.rs, which includes this file.
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let policies = [here.join("policies"), here.join("../policies")]
        .into_iter()
        .find(|p| p.is_dir())
        .unwrap_or_else(|| panic!("no policies/ beside {}", here.display()));
    let (shipped, bad) = pounce::panther::load_paths(&[policies], &REGISTRY);
    assert!(bad.is_empty(), "shipped policies do not load");
    rules.extend(shipped);
    Pack::new(rules)
});

fn env() -> Env {
    Env {
        now: NOW,
        ..Env::default()
    }
}

/// Renders a diagnostic as the CLI does (no colour); a panic here is a bug in a span.
fn render(d: &dyn miette::Diagnostic) -> String {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(100);
    let mut out = String::new();
    if handler.render_report(&mut out, d).is_err() {
        out = d.to_string();
    }
    out
}

/// Documents a compiled condition is tried on.
fn sample_docs() -> Vec<Value> {
    vec![
        Value::Null,
        serde_json::json!({}),
        serde_json::json!({"a": 1, "b": "xaZ", "c": [null], "ip": "10.1.2.3", "cidrs": ["10.0.0.0/8", "bad"]}),
        serde_json::json!({"a": [{"b": 1, "c": [1, null]}, 2, [3]], "b": "q", "$": {"x": 1}}),
        serde_json::json!({"IpPermissionsEgress": [{"FromPort": 0, "ToPort": 65535, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}),
    ]
}

/// Parse, check and compile arbitrary text; render whatever errors come out.
pub fn condition(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let rec = pounce::lang::syntax::parse_recovering(src);
    for e in &rec.errors {
        assert!(
            e.span.start <= e.span.end && e.span.end <= src.len(),
            "syntax error span {:?} outside a source of {} bytes",
            e.span,
            src.len()
        );
        assert!(
            src.is_char_boundary(e.span.start) && src.is_char_boundary(e.span.end),
            "syntax error span {:?} splits a character",
            e.span
        );
    }
    if let Ok(ast) = pounce::lang::syntax::parse(src) {
        let _ = pounce::lang::check::check(&ast, &REGISTRY);
    }
    match pounce::compile(src, &REGISTRY) {
        Err(e) => {
            for c in &e.errors {
                assert!(
                    c.span.end <= src.len() && c.span.start <= c.span.end,
                    "compile error span {:?} outside a source of {} bytes",
                    c.span,
                    src.len()
                );
            }
            let _ = render(&e);
        }
        Ok(p) => {
            // Nested quantifiers cost the product of their lists' lengths: keep the runs fast.
            if quantifier_words(src) > 6 {
                return;
            }
            let env = env();
            let trie = pounce::lang::reads::reads(&p);
            for doc in sample_docs() {
                let verdict = p.eval_with(&doc, &env);
                let x = p.explain(&doc, &env);
                assert_eq!(x.flagged, verdict, "explain disagrees with eval on {doc}");
                let text = doc.to_string();
                if let Ok(proj) = pounce::engine::project::parse_projected(&text, &trie) {
                    assert_eq!(
                        p.eval_with(&proj, &env),
                        verdict,
                        "the projection of {doc} changes the verdict"
                    );
                }
            }
            let _ = pounce::lang::exclusions::exclusions(p.ast());
        }
    }
}

/// An upper bound of how deeply quantifiers nest in `src`: the number of quantifier words.
fn quantifier_words(src: &str) -> usize {
    src.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| matches!(*w, "any" | "all" | "none"))
        .count()
}

/// Load arbitrary text as a rule file; render every finding; run the tests of one that loads.
pub fn rule_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match pounce::panther::load_str(Path::new("fuzz.yml"), text, &REGISTRY) {
        Err(report) => {
            for d in report.diagnostics() {
                let _ = render(&d);
            }
        }
        Ok(rule) => {
            let outcomes = pounce::panther::testing::run_tests(&rule, NOW);
            assert_eq!(outcomes.len(), rule.tests.len());
            let docs: Vec<Value> = rule.tests.iter().map(|t| t.document.clone()).collect();
            let alone: Vec<bool> = docs
                .iter()
                .map(|d| rule.program.eval_with(d, &env()))
                .collect();
            let pack = Pack::new(vec![rule]);
            for (doc, alone) in docs.iter().zip(alone) {
                let r = pack.evaluate(doc, None, &env(), true);
                let packed = r.verdicts.first().is_some_and(|v| v.1);
                // The pack's index may skip a rule that cannot match; it never adds a finding.
                assert!(
                    !packed || alone,
                    "the pack flags {doc} that the rule alone does not"
                );
            }
        }
    }
}

/// One record of the stream: parse it in full and projected, evaluate both ways.
fn record(raw: pounce::engine::stream::RawRecord<'_>) -> usize {
    let Ok(text) = raw else {
        return 0;
    };
    let env = env();
    let full = serde_json::from_str::<Value>(text);
    let projected = PACK.parse(text);
    if let (Ok(full), Ok(projected)) = (&full, &projected) {
        let a = PACK.evaluate(full, None, &env, true);
        let b = PACK.evaluate(projected, None, &env, true);
        assert_eq!(a, b, "the pack's projection changes a verdict on {text}");
        for (p, trie) in PROGRAMS.iter() {
            let verdict = p.eval_with(full, &env);
            if let Ok(own) = pounce::engine::project::parse_projected(text, trie) {
                assert_eq!(
                    p.eval_with(&own, &env),
                    verdict,
                    "the projection of `{}` changes its verdict on {text}",
                    p.source()
                );
            }
        }
    }
    // Whatever the full parse accepts, the projection accepts (it only skips more).
    assert!(
        full.is_err() || projected.is_ok(),
        "the projection rejects {text}: {projected:?}"
    );
    1
}

/// Arbitrary bytes as a stream of records through the streaming reader and the fixed pack.
pub fn eval(data: &[u8]) {
    // Once with the default record limit, evaluating; once with a tiny one, only reading.
    for max in [pounce::engine::stream::DEFAULT_MAX_RECORD_BYTES, 64] {
        let mut lines = Vec::new();
        let each = |_, raw: pounce::engine::stream::RawRecord<'_>| {
            if max == 64 {
                raw.map_or(0, str::len)
            } else {
                record(raw)
            }
        };
        let n = pounce::engine::stream::run(Cursor::new(data), max, each, |l, _| lines.push(l));
        let n = n.unwrap_or_else(|e| panic!("reading from memory failed: {e}"));
        assert_eq!(n, lines.len(), "records counted but not delivered");
        assert!(
            lines.windows(2).all(|w| w.first() < w.get(1)),
            "records out of order: {lines:?}"
        );
    }
}

/// Explain the fixed conditions over arbitrary JSON.
pub fn explain(data: &[u8]) {
    let Ok(doc) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let env = env();
    for (p, _) in PROGRAMS.iter() {
        let x = p.explain(&doc, &env);
        assert_eq!(
            x.flagged,
            p.eval_with(&doc, &env),
            "explain disagrees with eval for `{}` on {doc}",
            p.source()
        );
        assert!(
            x.deciding_spans.iter().all(|s| s.end <= p.source().len()),
            "a deciding span lies outside `{}`",
            p.source()
        );
        let json = serde_json::to_string(&x);
        assert!(json.is_ok(), "the explanation does not serialise");
        let _ = pounce::lang::explain::shorten(&doc, 3);
    }
}
