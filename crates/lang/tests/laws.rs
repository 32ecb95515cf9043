//! Laws of the condition language, checked on random conditions over random documents:
//! `not` is a complement, De Morgan holds, every negated operator is exactly `not` of the
//! operator, quantifiers relate as expected, the canonical form re-parses to the same tree,
//! and neither the parser nor the evaluator panics on any input. Conditions call functions
//! through stand-ins (`nonempty`, see tests/common): the laws hold whatever a function does.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use pounce_lang::{Env, Program, Registry, compile};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value, json};
use std::sync::LazyLock;

static REGISTRY: LazyLock<Registry> = LazyLock::new(common::stand_ins);

fn program(cond: &str) -> Program {
    compile(cond, &REGISTRY).unwrap_or_else(|e| panic!("`{cond}` does not compile: {e}"))
}

fn eval(cond: &str, doc: &Value) -> bool {
    program(cond).eval_with(doc, &Env::default())
}

/// `v` keeping only what `t` reads, as the engine's projected parse keeps it: unread object
/// members are dropped, unread list elements become `null` (the length stays).
fn prune(v: &Value, t: &pounce_lang::reads::Trie) -> Value {
    if t.whole {
        return v.clone();
    }
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter_map(|(k, x)| {
                    let sub = t.keys.get(k).or(t.values.as_deref())?;
                    Some((k.clone(), prune(x, sub)))
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| t.elements.as_deref().map_or(Value::Null, |e| prune(x, e)))
                .collect(),
        ),
        other => other.clone(),
    }
}

// ---- random documents ----------------------------------------------------------------------

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..4).prop_map(Value::from),
        select(vec![0.5, 2.5, -1.5, 1e300]).prop_map(Value::from),
        select(vec!["", "x", "ab", "X", "10.0.0.1", "::1", "1"]).prop_map(Value::from),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(select(vec!["a", "b", "c"]), inner, 0..3).prop_map(|m| {
                Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

/// An object with some of the keys `a`, `b`, `c` (never `m`, which stays missing).
fn document() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(select(vec!["a", "b", "c"]), value(), 0..4).prop_map(|m| {
        let mut o = Map::new();
        for (k, v) in m {
            o.insert(k.to_string(), v);
        }
        Value::Object(o)
    })
}

// ---- random conditions ---------------------------------------------------------------------

const PATHS: &[&str] = &[
    "a",
    "b",
    "c",
    "m",
    "a.b",
    "a.c",
    "a[0]",
    "a[-1]",
    "a[*]",
    "a[*].b",
    "b[*]",
    "`a`",
    "$",
    "$.a",
    "$.b.c",
    "$['a']",
    "$..c",
    "$.a[*]",
    "$.b[?@.c == 1]",
];
/// Inside a quantifier, paths may also name the element.
const INNER_PATHS: &[&str] = &["@", "@.a", "@[0]", "a", "c", "$.a", "@[*]"];
const LITERALS: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "1",
    "-1",
    "2.5",
    "\"x\"",
    "\"\"",
    "\"1\"",
    "\"10.0.0.1\"",
    "[1, \"x\", null]",
    "[]",
    "[[1]]",
];
const WORD_OPS: &[&str] = &["in", "contains", "starts_with", "ends_with"];
const SYM_OPS: &[&str] = &["==", "!=", "<", "<=", ">", ">="];
const TESTS: &[&str] = &["exists", "is_null", "is_empty"];

fn path(inner: bool) -> BoxedStrategy<String> {
    let set: Vec<&str> = if inner {
        PATHS.iter().chain(INNER_PATHS).copied().collect()
    } else {
        PATHS.to_vec()
    };
    select(set).prop_map(String::from).boxed()
}

fn operand(inner: bool) -> BoxedStrategy<String> {
    let p = path(inner);
    prop_oneof![
        4 => p.clone(),
        3 => select(LITERALS).prop_map(String::from),
        1 => p.clone().prop_map(|p| format!("{p} + 1")),
        1 => p.clone().prop_map(|p| format!("{p} * 2 - 1")),
        1 => p.clone().prop_map(|p| format!("1 / {p}")),
        1 => p.clone().prop_map(|p| format!("-{p}")),
        1 => p.clone().prop_map(|p| format!("len({p})")),
        1 => p.clone().prop_map(|p| format!("lower({p})")),
        // v2 constructs as operands.
        1 => (p.clone(), select(LITERALS)).prop_map(|(p, l)| format!("({p} ?? {l})")),
        1 => (p.clone(), select(LITERALS)).prop_map(|(p, l)| format!("(if {p} == 1 then {p} else {l})")),
        1 => (p.clone(), select(LITERALS)).prop_map(|(p, l)| format!("[{p}, {l}]")),
        1 => p.clone().prop_map(|p| format!("{{\"k\": {p}}}.k")),
        1 => p.clone().prop_map(|p| format!("(let x = {p} in x)")),
        1 => p.clone().prop_map(|p| format!("(let x = {p} in x.b)")),
        1 => p.clone().prop_map(|p| format!("({p})[1 - 1]")),
        1 => p.clone().prop_map(|p| format!("{p} + \"x\"")),
        1 => p.clone().prop_map(|p| format!("first({p}, @ != 1)")),
        1 => p.clone().prop_map(|p| format!("count({p}, @ exists)")),
        1 => p.clone().prop_map(|p| format!("map({p}, @.a)")),
        1 => p.prop_map(|p| format!("filter({p}, @ == 1)")),
    ]
    .boxed()
}

/// One comparison, test, bare operand or native call.
fn atom(inner: bool) -> BoxedStrategy<String> {
    let not = || select(vec!["", "not "]);
    prop_oneof![
        (operand(inner), select(SYM_OPS), operand(inner))
            .prop_map(|(l, o, r)| format!("{l} {o} {r}")),
        (operand(inner), not(), select(WORD_OPS), operand(inner))
            .prop_map(|(l, n, o, r)| format!("{l} {n}{o} {r}")),
        (
            operand(inner),
            not(),
            select(vec!["\"^x\"", "\"a|b\"", "\".\"", "\"\""])
        )
            .prop_map(|(l, n, r)| format!("{l} {n}matches {r}")),
        (
            operand(inner),
            not(),
            prop_oneof![
                select(vec!["\"10.0.0.0/8\"", "[\"0.0.0.0/0\", \"::/0\"]"]).prop_map(String::from),
                path(inner),
            ]
        )
            .prop_map(|(l, n, r)| format!("{l} {n}in_cidr {r}")),
        (operand(inner), not(), select(TESTS)).prop_map(|(p, n, t)| format!("{p} {n}{t}")),
        path(inner),
        path(inner).prop_map(|p| format!("nonempty({p})")),
    ]
    .boxed()
}

fn quantified(inner: bool) -> BoxedStrategy<String> {
    (select(vec!["any", "all", "none"]), path(inner), atom(true))
        .prop_map(|(q, l, b)| format!("{q}({l}, {b})"))
        .boxed()
}

/// A condition: atoms and quantifiers combined with `and`, `or`, `not` and parentheses.
fn condition() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![3 => atom(false), 1 => quantified(false)];
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) and ({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) or ({b})")),
            inner.clone().prop_map(|a| format!("not ({a})")),
            (select(vec!["any", "all", "none"]), path(false), inner)
                .prop_map(|(q, l, b)| format!("{q}({l}, {b})")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn not_is_the_complement(c in condition(), doc in document()) {
        prop_assert_eq!(eval(&format!("not ({c})"), &doc), !eval(&c, &doc));
    }

    #[test]
    fn and_or_are_boolean(a in condition(), b in condition(), doc in document()) {
        let (x, y) = (eval(&a, &doc), eval(&b, &doc));
        prop_assert_eq!(eval(&format!("({a}) and ({b})"), &doc), x && y);
        prop_assert_eq!(eval(&format!("({a}) or ({b})"), &doc), x || y);
    }

    #[test]
    fn de_morgan(a in condition(), b in condition(), doc in document()) {
        prop_assert_eq!(
            eval(&format!("not (({a}) and ({b}))"), &doc),
            eval(&format!("(not ({a})) or (not ({b}))"), &doc)
        );
        prop_assert_eq!(
            eval(&format!("not (({a}) or ({b}))"), &doc),
            eval(&format!("(not ({a})) and (not ({b}))"), &doc)
        );
    }

    #[test]
    fn not_equal_is_not_equal(l in operand(false), r in operand(false), doc in document()) {
        prop_assert_eq!(
            eval(&format!("{l} != {r}"), &doc),
            eval(&format!("not ({l} == {r})"), &doc)
        );
    }

    #[test]
    fn word_negations_are_not(
        l in operand(false),
        op in select(WORD_OPS),
        r in operand(false),
        doc in document()
    ) {
        prop_assert_eq!(
            eval(&format!("{l} not {op} {r}"), &doc),
            eval(&format!("not ({l} {op} {r})"), &doc)
        );
    }

    #[test]
    fn matches_and_in_cidr_negations_are_not(
        l in operand(false),
        re in select(vec!["\"^x\"", "\"\\\\d\"", "\"\""]),
        cidr in select(vec!["\"10.0.0.0/8\"", "\"::/0\"", "a", "a[*]", "[\"1.0.0.0/8\", \"::/0\"]"]),
        doc in document()
    ) {
        prop_assert_eq!(
            eval(&format!("{l} not matches {re}"), &doc),
            eval(&format!("not ({l} matches {re})"), &doc)
        );
        prop_assert_eq!(
            eval(&format!("{l} not in_cidr {cidr}"), &doc),
            eval(&format!("not ({l} in_cidr {cidr})"), &doc)
        );
    }

    #[test]
    fn test_negations_are_not(p in operand(false), t in select(TESTS), doc in document()) {
        prop_assert_eq!(
            eval(&format!("{p} not {t}"), &doc),
            eval(&format!("not ({p} {t})"), &doc)
        );
    }

    #[test]
    fn is_null_is_implied_by_not_exists(p in path(false), doc in document()) {
        // missing is null for `is_null`, and null is empty for `is_empty`
        let (exists, is_null, is_empty) = (
            eval(&format!("{p} exists"), &doc),
            eval(&format!("{p} is_null"), &doc),
            eval(&format!("{p} is_empty"), &doc),
        );
        prop_assert!(exists || is_null, "missing but not is_null");
        prop_assert!(!is_null || is_empty, "is_null but not is_empty");
    }

    #[test]
    fn quantifiers_are_related(l in path(false), body in atom(true), doc in document()) {
        let any = eval(&format!("any({l}, {body})"), &doc);
        prop_assert_eq!(eval(&format!("none({l}, {body})"), &doc), !any);
        prop_assert_eq!(
            eval(&format!("all({l}, {body})"), &doc),
            !eval(&format!("any({l}, not ({body}))"), &doc)
        );
    }

    #[test]
    fn the_canonical_form_reparses_to_the_same_tree(c in condition(), doc in document()) {
        let p = program(&c);
        let printed = p.ast().to_string();
        let again = program(&printed);
        prop_assert_eq!(p.ast(), again.ast(), "printed as `{}`", printed);
        prop_assert_eq!(p.eval_with(&doc, &Env::default()), again.eval_with(&doc, &Env::default()));
    }

    #[test]
    fn projecting_what_a_condition_reads_keeps_its_verdict(c in condition(), doc in document()) {
        // Read analysis follows bindings, computed access and collection functions too.
        let p = program(&c);
        let trie = pounce_lang::reads::reads(&p);
        let projected = prune(&doc, &trie);
        prop_assert_eq!(
            p.eval_with(&projected, &Env::default()),
            p.eval_with(&doc, &Env::default()),
            "projected: {}", projected
        );
    }

    #[test]
    fn a_program_is_deterministic(c in condition(), doc in document()) {
        let p = program(&c);
        prop_assert_eq!(p.eval_with(&doc, &Env::default()), p.eval_with(&doc, &Env::default()));
    }
}

// ---- never panics --------------------------------------------------------------------------

/// Tokens of the language, including broken ones, to build inputs close to real conditions.
const TOKENS: &[&str] = &[
    "a",
    "b.c",
    "x[0]",
    "x[-1]",
    "x[*]",
    "`k k`",
    "`",
    "$",
    "$.a",
    "$..b",
    "$[?@.a == 1]",
    "$[?",
    "@",
    "@.a",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "=",
    "!",
    "&&",
    "in",
    "not",
    "and",
    "or",
    "contains",
    "starts_with",
    "ends_with",
    "matches",
    "in_cidr",
    "exists",
    "is_null",
    "is_empty",
    "any",
    "all",
    "none",
    "len",
    "lower",
    "upper",
    "nonempty",
    "nope",
    "(",
    ")",
    "[",
    "]",
    ",",
    "+",
    "-",
    "*",
    "/",
    "1",
    "-1",
    "1.5e3",
    "1e999",
    "01",
    "\"s\"",
    "\"10.0.0.0/8\"",
    "\"([\"",
    "\"\\ud800\"",
    "\"",
    "'x'",
    "true",
    "false",
    "null",
    "#",
    "\n",
    "[1,]",
    "[",
    ".",
    "é",
    "\u{0}",
];

fn token_soup() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(select(TOKENS), 0..24),
        select(vec![" ", ""]),
    )
        .prop_map(|(t, sep)| t.join(sep))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn the_parser_never_panics_on_arbitrary_strings(s in any::<String>()) {
        let _ = compile(&s, &REGISTRY);
    }

    #[test]
    fn the_parser_never_panics_on_token_soup(s in token_soup(), doc in document()) {
        match compile(&s, &REGISTRY) {
            Ok(p) => {
                let _ = p.eval_with(&doc, &Env::default());
            }
            Err(e) => {
                // every error points inside the source, on character boundaries
                for err in &e.errors {
                    prop_assert!(err.span.start <= err.span.end && err.span.end <= s.len());
                    prop_assert!(s.is_char_boundary(err.span.start) && s.is_char_boundary(err.span.end));
                }
            }
        }
    }
}

#[test]
fn deep_inputs_do_not_overflow_the_stack() {
    for src in [
        "(".repeat(10_000),
        "[".repeat(10_000),
        format!("{}x", "not ".repeat(10_000)),
        format!("{}x", "-".repeat(10_000)),
        format!("x{}", " + 1".repeat(10_000)),
        format!("{}x", "any(a, ".repeat(2_000)),
        "a and ".repeat(5_000) + "a",
    ] {
        let _ = compile(&src, &REGISTRY);
    }
    // just under the depth limit: compiles and evaluates on a test thread's 2 MiB stack, in
    // debug builds too (regression: compiling 200 nested `not` overflowed it)
    for (src, doc) in [
        (format!("{}x", "not ".repeat(250)), json!({"x": true})),
        (format!("{}x == 1", "-".repeat(250)), json!({"x": 1})),
        (format!("x{} == 251", " + 1".repeat(250)), json!({"x": 1})),
        (format!("{}x", "not -".repeat(125)), json!({"x": 1})),
    ] {
        let _ = eval(&src, &doc);
    }
    // a long flat conjunction compiles and evaluates
    let long = vec!["a == 1"; 200].join(" and "); // a chain counts one level per `and` (limit 256)
    assert!(eval(&long, &json!({"a": 1})));
}

#[test]
fn projection_keeps_what_is_read_through_elements_first_and_filter_return() {
    // `first` and `filter` give document elements as their value; what is read of them later
    // (a step, `map`, a `let`) must be kept by projection too.
    let doc = json!({"r": [{"t": "b", "acct": "1", "x": 0}, {"t": "b", "acct": "2"}, {"t": "o"}], "z": 1});
    for c in [
        "len(map(filter(r, t == \"b\"), acct)) == 2",
        "first(r, t == \"b\").acct == \"1\"",
        "let hit = first(r, t == \"b\") in hit.acct == \"1\"",
        "any(filter(r, t == \"b\"), acct == \"2\")",
        "filter(r, t == \"b\")[1].acct == \"2\"",
    ] {
        let p = program(c);
        let projected = prune(&doc, &pounce_lang::reads::reads(&p));
        assert!(p.eval_with(&doc, &Env::default()), "{c} over the document");
        assert!(
            p.eval_with(&projected, &Env::default()),
            "{c} over its projection {projected}"
        );
    }
}
