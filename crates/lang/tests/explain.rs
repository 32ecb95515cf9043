//! `Program::explain`: its verdict is the evaluator's (a property over random conditions and
//! documents), its `deciding` marks follow short-circuit order, and its reason codes say
//! precisely why a leaf has its result (docs/EXPLAIN.md). Conditions call functions through
//! stand-ins (tests/common); pounce's tests/explain.rs runs the same checks over every test
//! case of its policies and pins the seed policy's explanations.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::check_tree;
use pounce_lang::explain::{ExplainNode, Explanation, NodeType, Reason};
use pounce_lang::{Env, Program, compile};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};

fn program(cond: &str) -> Program {
    compile(cond, &common::stand_ins())
        .unwrap_or_else(|e| panic!("`{cond}` does not compile: {e} ({:?})", e.codes()))
}

fn explain(doc: &Value, cond: &str) -> Explanation {
    program(cond).explain(doc, &Env::default())
}

// ---- generators -----------------------------------------------------------------------------

/// Keys of generated documents; conditions name the same ones so paths often resolve.
const KEYS: &[&str] = &[
    "a",
    "b",
    "c",
    "FromPort",
    "ToPort",
    "IpPermissionsEgress",
    "k w",
];

const STRINGS: &[&str] = &["", "a", "A", "ab", "b", "10.1.2.3", "::1", "10.0.0.0/8"];

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        select(vec![-1i64, 0, 1, 2, 3306, 65535]).prop_map(Value::from),
        Just(json!(1.5)),
        select(STRINGS.to_vec()).prop_map(Value::from),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(3, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((select(KEYS.to_vec()), inner), 0..5).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

/// A document: always an object at the root.
fn document() -> impl Strategy<Value = Value> {
    prop::collection::vec((select(KEYS.to_vec()), json_value()), 0..6)
        .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
}

/// A path; `@` forms only inside a quantifier (`inq`).
fn path(inq: bool) -> BoxedStrategy<String> {
    let mut paths = vec![
        "a",
        "b",
        "c",
        "a.b",
        "a.c",
        "b.a",
        "a[0]",
        "a[-1]",
        "a[0].b",
        "a[*]",
        "a[*].b",
        "b[*]",
        "FromPort",
        "ToPort",
        "IpPermissionsEgress",
        "IpPermissionsEgress[*].FromPort",
        "`k w`",
        "$",
        "$.a",
        "$.a.b",
        "$..b",
        "$.a[*]",
    ];
    if inq {
        paths.extend(["@", "@", "@.a", "@.b", "@[0]", "@.FromPort", "$.c"]);
    }
    select(paths).prop_map(String::from).boxed()
}

fn scalar_literal() -> BoxedStrategy<String> {
    select(vec![
        "0", "1", "2", "-1", "1.5", "65535", "\"\"", "\"a\"", "\"A\"", "\"ab\"", "true", "false",
        "null",
    ])
    .prop_map(String::from)
    .boxed()
}

fn literal() -> BoxedStrategy<String> {
    prop_oneof![
        4 => scalar_literal(),
        1 => select(vec!["[]", "[1, \"a\"]", "[null, 0, \"b\", [1]]", "[\"a\", \"ab\",]"])
            .prop_map(String::from),
    ]
    .boxed()
}

/// A value expression: paths, literals, arithmetic, unary minus, built-ins, natives, and
/// (rarely) a condition used as a value.
fn operand(inq: bool, depth: u32) -> BoxedStrategy<String> {
    let leaf = prop_oneof![3 => path(inq), 2 => literal()].boxed();
    if depth == 0 {
        return leaf;
    }
    let sub = || operand(inq, depth - 1);
    prop_oneof![
        6 => leaf,
        2 => (sub(), select(vec!["+", "-", "*", "/"]), sub())
            .prop_map(|(a, o, b)| format!("({a} {o} {b})")),
        1 => sub().prop_map(|a| format!("-({a})")),
        2 => (
            select(vec!["len", "lower", "upper", "is_true", "nonempty"]),
            sub()
        )
            .prop_map(|(f, a)| format!("{f}({a})")),
        1 => condition(inq, depth - 1).prop_map(|c| format!("({c})")),
        // v2: defaults, conditionals, literals of expressions, computed access, collection
        // functions, bindings.
        1 => (sub(), sub()).prop_map(|(a, b)| format!("({a} ?? {b})")),
        1 => (condition(inq, depth - 1), sub(), sub())
            .prop_map(|(c, a, b)| format!("(if {c} then {a} else {b})")),
        1 => (sub(), sub()).prop_map(|(a, b)| format!("[{a}, {b}]")),
        1 => (sub(), sub()).prop_map(|(a, b)| format!("{{\"k\": {a}, \"v\": {b}}}.k")),
        1 => (path(inq), sub()).prop_map(|(p, i)| format!("({p})[{i}]")),
        1 => (select(vec!["first", "filter", "map", "count"]), path(inq), condition(true, depth - 1))
            .prop_map(|(f, l, c)| format!("{f}({l}, {c})")),
        1 => (sub(), sub()).prop_map(|(v, b)| format!("(let x = {v} in [x, {b}, x])")),
    ]
    .boxed()
}

/// A leaf condition: a comparison, a test, or a bare operand.
fn leaf_condition(inq: bool, depth: u32) -> BoxedStrategy<String> {
    let cmp_ops = vec![
        "==",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "in",
        "not in",
        "contains",
        "not contains",
        "starts_with",
        "not starts_with",
        "ends_with",
        "not ends_with",
    ];
    let tests = vec![
        "exists",
        "is_null",
        "is_empty",
        "not exists",
        "not is_null",
        "not is_empty",
    ];
    prop_oneof![
        6 => (operand(inq, depth), select(cmp_ops), operand(inq, depth))
            .prop_map(|(a, o, b)| format!("{a} {o} {b}")),
        1 => (
            path(inq),
            select(vec!["matches", "not matches"]),
            select(vec!["\"^a\"", "\"b$\"", "\"a|B\"", "\"\""]),
        )
            .prop_map(|(a, o, b)| format!("{a} {o} {b}")),
        1 => (
            path(inq),
            select(vec!["in_cidr", "not in_cidr"]),
            prop_oneof![
                select(vec!["\"10.0.0.0/8\"", "[\"10.0.0.0/8\", \"::1/128\"]"])
                    .prop_map(String::from),
                path(inq),
            ],
        )
            .prop_map(|(a, o, b)| format!("{a} {o} {b}")),
        3 => (operand(inq, depth), select(tests)).prop_map(|(a, t)| format!("{a} {t}")),
        1 => path(inq),
        1 => (select(vec!["is_true", "nonempty"]), operand(inq, 0))
            .prop_map(|(f, a)| format!("{f}({a})")),
    ]
    .boxed()
}

/// A condition up to `depth` levels of and/or/not/quantifiers.
fn condition(inq: bool, depth: u32) -> BoxedStrategy<String> {
    let leaf = leaf_condition(inq, depth.min(1));
    if depth == 0 {
        return leaf;
    }
    let sub = || condition(inq, depth - 1);
    prop_oneof![
        3 => leaf,
        2 => prop::collection::vec(sub(), 2..4).prop_map(|cs| format!("({})", cs.join(" and "))),
        2 => prop::collection::vec(sub(), 2..4).prop_map(|cs| format!("({})", cs.join(" or "))),
        1 => sub().prop_map(|c| format!("not ({c})")),
        2 => (
            select(vec!["any", "all", "none"]),
            path(inq),
            condition(true, depth - 1)
        )
            .prop_map(|(q, l, b)| format!("{q}({l}, {b})")),
    ]
    .boxed()
}

// ---- laws over the tree ---------------------------------------------------------------------

/// Every node in the tree, with quantifier element bodies.
fn walk<'a>(n: &'a ExplainNode, out: &mut Vec<&'a ExplainNode>) {
    out.push(n);
    for c in &n.children {
        walk(c, out);
    }
    for e in &n.elements {
        if let Some(ex) = &e.explanation {
            walk(ex, out);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn explain_agrees_with_eval(cond in condition(false, 3), doc in document()) {
        let p = program(&cond);
        let env = Env::default();
        let ex = p.explain(&doc, &env);
        let verdict = p.eval_with(&doc, &env);
        prop_assert_eq!(ex.flagged, verdict, "`{}` over {}", cond, doc);
        prop_assert_eq!(ex.tree.result, verdict, "`{}` over {}", cond, doc);
        prop_assert_eq!(ex.version, 1);
        prop_assert_eq!(&ex.condition, &cond);
        if let Err(e) = check_tree(&ex.tree, true, "tree") {
            return Err(TestCaseError::fail(format!("`{cond}` over {doc}: {e}")));
        }
        // The summary's facts are evaluated ones: each deciding span is a deciding node's.
        let mut nodes = Vec::new();
        walk(&ex.tree, &mut nodes);
        for s in &ex.deciding_spans {
            prop_assert!(
                nodes.iter().any(|n| n.span == *s && n.deciding),
                "`{}` over {}: deciding span {:?} is no deciding node", cond, doc, s
            );
        }
        prop_assert!(!ex.deciding_spans.is_empty(), "`{}`: no deciding span", cond);
        let head = if verdict { "flagged: " } else { "not flagged: " };
        prop_assert!(ex.summary.starts_with(head), "`{}`: summary {:?}", cond, ex.summary);
    }
}

// ---- reason codes ---------------------------------------------------------------------------

/// The reason, result and message of the first conjunct of `LEAF and y exists` (so the leaf
/// is always evaluated and deciding).
fn first(doc: Value, leaf: &str) -> (Reason, bool, String) {
    let ex = explain(&doc, &format!("{leaf} and y exists"));
    assert_eq!(ex.tree.node_type, NodeType::And);
    let c = &ex.tree.children[0];
    assert!(c.deciding);
    (
        c.reason.expect("a leaf has a reason"),
        c.result,
        c.message.clone().unwrap_or_default(),
    )
}

#[test]
fn reason_matched() {
    let (r, res, msg) = first(json!({"x": 1}), "x == 1");
    assert_eq!((r, res), (Reason::Matched, true));
    assert_eq!(msg, "holds");
}

#[test]
fn reason_value_mismatch() {
    let (r, res, msg) = first(json!({"x": 2}), "x == 1");
    assert_eq!((r, res), (Reason::ValueMismatch, false));
    assert_eq!(msg, "`x == 1` does not hold");
}

#[test]
fn reason_field_missing() {
    let (r, res, msg) = first(json!({"y": 1}), "x == 1");
    assert_eq!((r, res), (Reason::FieldMissing, false));
    assert_eq!(msg, "`x` is missing, so `==` is false");
}

#[test]
fn reason_field_null() {
    let (r, res, msg) = first(json!({"x": null}), "x > 1");
    assert_eq!((r, res), (Reason::FieldNull, false));
    assert_eq!(msg, "`x` is null");
}

#[test]
fn reason_type_mismatch() {
    let (r, res, msg) = first(json!({"x": "2"}), "x > 1");
    assert_eq!((r, res), (Reason::TypeMismatch, false));
    assert_eq!(msg, "`>` does not apply to a string and a number");
}

#[test]
fn reason_undefined_arithmetic() {
    let (r, res, msg) = first(json!({"x": "3", "y": 2}), "x + y > 4");
    assert_eq!((r, res), (Reason::UndefinedArithmetic, false));
    assert_eq!(msg, "`x + y` is undefined, so `>` is false");
}

#[test]
fn reason_undefined_function() {
    let (r, res, msg) = first(json!({"x": 5}), "len(x) > 2");
    assert_eq!((r, res), (Reason::UndefinedFunction, false));
    assert_eq!(msg, "`len(x)` is undefined, so `>` is false");
}

#[test]
fn reason_empty_list() {
    let (r, res, msg) = first(json!({"a": []}), "a[*].b == 1");
    assert_eq!((r, res), (Reason::EmptyList, false));
    assert_eq!(msg, "`a[*].b` has no values, so `==` is false");
    // A quantifier over an empty list says so too (and `all` is vacuously true).
    let (r, res, msg) = first(json!({"a": []}), "all(a, @ > 1)");
    assert_eq!((r, res), (Reason::EmptyList, true));
    assert_eq!(msg, "`a` has no elements: `all` is vacuously true");
}

#[test]
fn reason_negated_match() {
    let (r, res, msg) = first(json!({"x": "AWSService"}), "x not in [\"AWSService\"]");
    assert_eq!((r, res), (Reason::NegatedMatch, false));
    assert_eq!(
        msg,
        "the value matches, so the negation `x not in [\"AWSService\"]` is false"
    );
    let (r, res, _) = first(json!({"x": 1}), "x != 1");
    assert_eq!((r, res), (Reason::NegatedMatch, false));
}

#[test]
fn a_negation_that_holds_because_of_a_missing_field_keeps_the_reason() {
    // `x != 1` is true when `x` is missing, but not because x is some other value.
    let (r, res, _) = first(json!({}), "x != 1");
    assert_eq!((r, res), (Reason::FieldMissing, true));
    let (r, res, _) = first(json!({"x": 2}), "x != 1");
    assert_eq!((r, res), (Reason::Matched, true));
}

#[test]
fn not_over_a_missing_field_says_so() {
    let ex = explain(&json!({"y": 1}), "not (x > 1) and y exists");
    assert!(ex.flagged);
    let not = &ex.tree.children[0];
    assert_eq!(not.node_type, NodeType::Not);
    assert!(not.result);
    // The negation keeps the surprising reason: it holds only because `x` is missing.
    assert_eq!(not.reason, Some(Reason::FieldMissing));
    assert_eq!(
        not.message.as_deref(),
        Some("`x` is missing, so `>` is false; the negation is true")
    );
    let inner = &not.children[0];
    assert_eq!(
        (inner.reason, inner.result),
        (Some(Reason::FieldMissing), false)
    );
    assert_eq!(
        inner.message.as_deref(),
        Some("`x` is missing, so `>` is false")
    );
    assert!(
        ex.summary
            .starts_with("flagged: `not (x > 1)` (`x` is missing"),
        "{}",
        ex.summary
    );
    // A negation that fails because its inner comparison holds, and one that holds plainly.
    let ex = explain(&json!({"x": 3}), "not (x > 1) or not (x < 1)");
    assert_eq!(ex.tree.children[0].reason, Some(Reason::NegatedMatch));
    assert_eq!(ex.tree.children[1].reason, Some(Reason::Matched));
}

#[test]
fn test_reasons() {
    let (r, res, _) = first(json!({"x": null}), "x not is_null");
    assert_eq!((r, res), (Reason::NegatedMatch, false));
    let (r, res, msg) = first(json!({}), "x is_null");
    assert_eq!((r, res), (Reason::Matched, true));
    assert_eq!(msg, "`x` is missing");
    let (r, res, msg) = first(json!({"x": [1]}), "x is_empty");
    assert_eq!((r, res), (Reason::ValueMismatch, false));
    assert_eq!(msg, "`x` is not empty");
}

#[test]
fn bare_operand_reasons() {
    let (r, res, _) = first(json!({"x": null}), "x");
    assert_eq!((r, res), (Reason::FieldNull, false));
    let (r, res, msg) = first(json!({"x": "yes"}), "x");
    assert_eq!((r, res), (Reason::TypeMismatch, false));
    assert_eq!(msg, "is a string (a condition needs `true`)");
    let (r, res, _) = first(json!({"x": false}), "x");
    assert_eq!((r, res), (Reason::ValueMismatch, false));
}

// ---- quantifiers ----------------------------------------------------------------------------

#[test]
fn quantifier_elements_are_indexed_and_marked() {
    let doc = json!({"Items": [{"v": 0}, {"v": 5}, {"v": 7}, {"v": 2}]});
    let ex = explain(&doc, "any(Items, @.v > 1)");
    let q = &ex.tree;
    assert_eq!(q.node_type, NodeType::Quantifier);
    assert_eq!(q.reason, Some(Reason::Matched));
    assert_eq!(
        q.message.as_deref(),
        Some("element(s) [1, 2, 3] satisfy the condition")
    );
    let got: Vec<(usize, bool, bool)> = q
        .elements
        .iter()
        .map(|e| (e.index, e.result, e.deciding))
        .collect();
    // `any` stops at [1]: later elements are explained but not deciding.
    assert_eq!(
        got,
        vec![
            (0, false, true),
            (1, true, true),
            (2, true, false),
            (3, true, false)
        ]
    );
    let body = q.elements[1].explanation.as_ref().unwrap();
    assert_eq!(body.text, "@.v > 1");
    assert_eq!(body.operands[0].value, Some(json!(5)));

    let ex = explain(&doc, "all(Items, @.v < 6)");
    assert_eq!(
        ex.tree.message.as_deref(),
        Some("element(s) [2] break the condition")
    );
    assert_eq!(ex.tree.reason, Some(Reason::ValueMismatch));
    let ex = explain(&doc, "none(Items, @.v == 7)");
    assert_eq!(
        ex.tree.message.as_deref(),
        Some("element(s) [2] satisfy the condition")
    );
    assert!(!ex.flagged);
}

#[test]
fn quantifier_over_a_multi_valued_path_indexes_its_values() {
    // `a[*].b` has no value for the element without `b`: indexes count values, not elements.
    let doc = json!({"a": [{"b": 1}, {"c": 0}, {"b": 3}]});
    let ex = explain(&doc, "any(a[*].b, @ > 2)");
    let idx: Vec<(usize, bool)> = ex
        .tree
        .elements
        .iter()
        .map(|e| (e.index, e.result))
        .collect();
    assert_eq!(idx, vec![(0, false), (1, true)]);
    assert_eq!(ex.tree.operands[0].count, Some(2));
}

#[test]
fn nested_quantifiers_explain_each_level() {
    let doc = json!({"G": [{"P": [{"FromPort": 22}]}, {"P": [{"FromPort": 0}, {"FromPort": 80}]}]});
    let ex = explain(&doc, "any(G, any(@.P, @.FromPort == 0))");
    assert!(ex.flagged);
    let outer = &ex.tree.elements;
    assert_eq!(outer.len(), 2);
    let inner = outer[1].explanation.as_ref().unwrap();
    assert_eq!(inner.node_type, NodeType::Quantifier);
    let got: Vec<(usize, bool, bool)> = inner
        .elements
        .iter()
        .map(|e| (e.index, e.result, e.deciding))
        .collect();
    assert_eq!(got, vec![(0, true, true), (1, false, false)]);
}

#[test]
fn long_lists_are_counted_beyond_the_explained_elements() {
    let items: Vec<Value> = (0..40).map(|i| json!(i)).collect();
    let ex = explain(&json!({ "a": items }), "all(a, @ < 39)");
    assert!(!ex.flagged);
    let els = &ex.tree.elements;
    assert_eq!(els.len(), 40);
    let shown = els.iter().filter(|e| e.explanation.is_some()).count();
    assert_eq!(shown, pounce_lang::explain::MAX_ELEMENTS_EXPLAINED);
    assert!(!els[39].result);
    assert_eq!(
        ex.tree.message.as_deref(),
        Some("element(s) [39] break the condition")
    );
}

#[test]
fn the_json_form_has_the_documented_fields() {
    let ex = explain(&json!({"x": 1}), "x == 1 or y exists");
    let v = serde_json::to_value(&ex).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        vec![
            "version",
            "flagged",
            "summary",
            "deciding_spans",
            "condition",
            "tree"
        ]
    );
    assert_eq!(v["version"], json!(1));
    assert_eq!(v["tree"]["type"], json!("or"));
    assert_eq!(v["tree"]["children"][0]["reason"], json!("matched"));
    assert_eq!(v["tree"]["children"][1]["deciding"], json!(false));
    assert_eq!(v["deciding_spans"], json!([{"start": 0, "end": 6}]));
}
