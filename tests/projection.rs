//! The projected representation (only what the rules read) gives the same verdicts as the
//! full serde_json `Value`, on every test document of the pack and on generated documents.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use pounce::engine::Pack;
use pounce::engine::project::parse_projected;
use pounce::lang::reads::reads;
use pounce::{Env, compile};
use proptest::prelude::*;
use serde_json::{Value, json};

#[test]
fn every_pack_test_document_gives_the_same_verdict_projected() {
    for pack in ["policies", "rules"] {
        same_verdicts_projected(pack);
    }
}

/// Every test document of `pack` gives each rule the same verdict parsed whole, projected on
/// what the rule reads, and projected on what the whole pack reads; and the pack does not read
/// whole records.
fn same_verdicts_projected(pack_dir: &str) {
    let (rules, invalid) = common::load(&[pack_dir]);
    assert!(invalid.is_empty(), "{pack_dir} has invalid files");
    let now = Env::system().now;
    let mut checked = 0;
    let docs: Vec<(usize, usize)> = rules
        .iter()
        .enumerate()
        .flat_map(|(i, r)| (0..r.tests.len()).map(move |t| (i, t)))
        .collect();
    let pack = Pack::new(common::load(&[pack_dir]).0);
    assert!(
        !pack.trie().whole,
        "{pack_dir}: the pack reads whole records"
    );
    for (i, t) in docs {
        let rule = &rules[i];
        let case = &rule.tests[t];
        let env = Env {
            now,
            overrides: case.mocks.clone(),
            keys: rule.key_match,
            ..Env::default()
        };
        let text = serde_json::to_string(&case.document).unwrap();
        let full = rule.program.eval_with(&case.document, &env);
        let own = parse_projected(
            &text,
            &pounce::lang::reads::reads_with(&rule.program, rule.key_match),
        )
        .unwrap();
        assert_eq!(
            rule.program.eval_with(&own, &env),
            full,
            "{} / {}: own projection {own}",
            rule.id,
            case.name
        );
        let shared = pack.parse(&text).unwrap();
        assert_eq!(
            rule.program.eval_with(&shared, &env),
            full,
            "{} / {}: pack projection",
            rule.id,
            case.name
        );
        checked += 1;
    }
    assert!(checked > 100, "only {checked} documents checked");
}

#[test]
fn first_and_filter_keep_the_elements_they_give_back() {
    // What follows `first`/`filter` reads the elements they return: they are kept whole.
    let doc = json!({"a": [{"b": 1, "c": 1, "d": 5}], "z": 1});
    for cond in [
        "first(a, b == 1).c == 1",
        "filter(a, b == 1)[-1].c == 1",
        "let x = first(a, b exists) in x.c == 1",
        "any(filter(a[*], b == 1), c == 1)",
    ] {
        let p = compile(cond, &common::registry()).unwrap();
        let v = parse_projected(&doc.to_string(), &reads(&p)).unwrap();
        assert_eq!(v, json!({"a": [{"b": 1, "c": 1, "d": 5}]}), "{cond}");
        assert!(p.eval(&v), "{cond}");
    }
    // `any`, `count` and `map` give no element back: only what their bodies read is kept.
    let p = compile(
        "count(a, b == 1) == 1 and map(a, c) == [1]",
        &common::registry(),
    )
    .unwrap();
    let v = parse_projected(&doc.to_string(), &reads(&p)).unwrap();
    assert_eq!(v, json!({"a": [{"b": 1, "c": 1}]}));
}

#[test]
fn projection_keeps_only_what_is_read() {
    let p = compile(
        "IpPermissionsEgress not is_null and egress_allows_all_ports(IpPermissionsEgress)",
        &common::registry(),
    )
    .unwrap();
    let doc = json!({"GroupId": "sg-1", "IpPermissions": [{"FromPort": 1}], "IpPermissionsEgress": [{"FromPort": 0, "ToPort": 65535, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}, "x"]});
    let v = parse_projected(&doc.to_string(), &reads(&p)).unwrap();
    assert_eq!(
        v,
        json!({"IpPermissionsEgress": [{"FromPort": 0, "ToPort": 65535}, "x"]})
    );
    let q = compile(
        "any(Tags[*], @ == \"x\") and len(Names) == 2 and a[1].b > 0",
        &common::registry(),
    )
    .unwrap();
    let doc = json!({"Tags": {"k": "x", "j": "y"}, "Names": ["a", "b"], "a": [{"b": 0, "c": 1}, {"b": 2, "c": 3}], "z": 1});
    let v = parse_projected(&doc.to_string(), &reads(&q)).unwrap();
    assert_eq!(
        v,
        json!({"Tags": {"k": "x", "j": "y"}, "Names": ["a", "b"], "a": [{"b": 0}, {"b": 2}]})
    );
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..70000).prop_map(|n| json!(n)),
        prop_oneof![
            Just("a"),
            Just("x"),
            Just("10.0.0.1"),
            Just(""),
            Just("AWS.EC2.SecurityGroup")
        ]
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("a"),
                    Just("b"),
                    Just("FromPort"),
                    Just("ToPort"),
                    Just("c")
                ]
                .prop_map(String::from),
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const CONDITIONS: &[&str] = &[
    "a == 1 or b.c == \"x\"",
    "a[*].b == 1 and c not is_null",
    "any(a, b == 1 or FromPort > 5)",
    "all(a[*], @ is_empty)",
    "none(b, any(@.a, @ == \"x\"))",
    "len(a) > 1 or a[-1].c exists",
    "egress_allows_all_ports(a) and not (b is_null)",
    "a[0] in [1, \"a\", null] and $.b.c != 2",
    "a.b + 1 > c",
    "lower(a) == \"x\" or upper(b.a) starts_with \"A\"",
    "a[*] contains \"x\" or b[*].c[*] == 1",
    "any(a[*].b, $.c == @)",
    "keys(a) contains \"b\"",
    "truthy(b) and not truthy(c.a)",
    "$..a == 1",
    "parse_json(b.a).x == 1 or keys(c).a exists",
    "first(a, b == 1).c == 1",
    "any(filter(a, b == 1), c == \"x\")",
    "filter(a, b == 1)[-1].c == 1",
    "let x = first(a, b exists) in x.c == 2 or x.a == 1",
];

proptest! {
    #[test]
    fn generated_documents_give_the_same_verdict(doc in arb_json(), which in 0..CONDITIONS.len()) {
        let p = compile(CONDITIONS[which], &common::registry()).unwrap();
        let env = Env::default();
        let projected = parse_projected(&doc.to_string(), &reads(&p)).unwrap();
        prop_assert_eq!(p.eval_with(&projected, &env), p.eval_with(&doc, &env), "{} over {} projected to {}", CONDITIONS[which], doc, projected);
    }
}
