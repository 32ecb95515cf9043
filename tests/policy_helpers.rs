//! The policy pack's own functions (`policies/helpers/*.yml`) and the policies rewritten in the
//! language, on the edge cases that pinned the Rust natives they replace. The IAM readings are
//! checked against the Rust model of policy documents that the CloudTrail natives keep
//! (`pounce::aws::iam::policy`), and the network-ACL policy against Python's `ipaddress` rules
//! as `pounce::stdlib::python` implements them, on generated inputs, so that the two cannot
//! drift apart.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use pounce::aws::iam::policy;
use pounce::lang::document::KeyMatch;
use pounce::panther::Rule;
use pounce::stdlib::python::parse_py_network_as;
use pounce::stdlib::truthy;
use pounce::{Env, Registry, compile};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::sync::OnceLock;

/// The standard registry plus the policy pack's functions.
fn pack_registry() -> &'static Registry {
    static REG: OnceLock<Registry> = OnceLock::new();
    REG.get_or_init(|| {
        let (reg, bad) = pounce::panther::with_data_models(
            &[common::root().join("policies")],
            &common::registry(),
        );
        assert!(
            bad.is_empty(),
            "the policy pack's functions files do not load"
        );
        reg
    })
}

/// The policies of the pack.
fn pack() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let (rules, bad) = common::load(&["policies"]);
        assert!(bad.is_empty());
        rules
    })
}

/// Whether the policy `id` flags `doc`.
fn flags(id: &str, doc: &Value) -> bool {
    let rule = pack().iter().find(|r| r.id == id).unwrap();
    rule.program.eval_with(doc, &Env::default())
}

/// The value of the expression `expr` over `doc` (`None`: missing or undefined).
fn value(expr: &str, doc: &Value) -> Option<Value> {
    compile(expr, pack_registry())
        .unwrap_or_else(|e| panic!("`{expr}`: {e:?}"))
        .value_with(doc, &Env::default())
}

/// `f($.a)` with `$.a` = `arg` (absent for `None`).
fn call(f: &str, arg: Option<Value>) -> Option<Value> {
    let doc = arg.map_or_else(|| json!({}), |a| json!({ "a": a }));
    value(&format!("{f}($.a)"), &doc)
}

#[test]
fn policy_statements_are_always_a_list() {
    let rows: &[(Option<Value>, Value)] = &[
        (
            Some(json!({"Statement": {"Effect": "Allow"}})),
            json!([{"Effect": "Allow"}]),
        ),
        (
            Some(json!(r#"{"Statement": [{"Sid": "a"}, {"Sid": "b"}, 3]}"#)),
            json!([{"Sid": "a"}, {"Sid": "b"}, 3]),
        ),
        (
            Some(json!(
                r#"{"Statement":[{"Effect":"Allow"},{"Effect":"Deny"}]}"#
            )),
            json!([{"Effect": "Allow"}, {"Effect": "Deny"}]),
        ),
        (Some(json!({"Version": "x"})), json!([])),
        (Some(json!({"Statement": null})), json!([])),
        (Some(json!("{}")), json!([])),
        (Some(json!(null)), json!([])),
        (None, json!([])),
        // where the natives were undefined (quantifiers read both as empty)
        (Some(json!("{nope")), json!([])),
        (Some(json!("[1]")), json!([])),
        (Some(json!([{}])), json!([])),
        (Some(json!(r#"{"Statement": 3}"#)), json!([])),
    ];
    for (arg, want) in rows {
        assert_eq!(
            call("policy_statements", arg.clone()).as_ref(),
            Some(want),
            "{arg:?}"
        );
    }
}

#[test]
fn principal_names_as_policyuniverse_reads_them() {
    let rows: &[(Value, Value)] = &[
        (
            json!({"AWS": ["arn:a", "*"], "Service": "s.amazonaws.com", "CanonicalUser": "c"}),
            json!(["arn:a", "*", "s.amazonaws.com"]),
        ),
        (json!({"Federated": "*"}), json!(["*"])),
        (json!({"aws": "*"}), json!([])),
        (json!("*"), json!(["*"])),
        (json!(["*", "a"]), json!(["*", "a"])),
        (json!(""), json!([])),
        (json!(null), json!([])),
        (json!({}), json!([])),
    ];
    for (p, want) in rows {
        assert_eq!(
            call("principal_names", Some(p.clone())).as_ref(),
            Some(want),
            "{p}"
        );
    }
    assert_eq!(call("principal_names", None), Some(json!([])));
}

/// The Rust model: the principals of a truthy Principal.
fn model_principals(p: &Value) -> Value {
    if !truthy(p) {
        return json!([]);
    }
    Value::Array(
        policy::principal_values(p, KeyMatch::Exact, None)
            .into_iter()
            .cloned()
            .collect(),
    )
}

#[test]
fn restricts_caller_on_the_natives_cases() {
    let strong = json!({"StringEquals": {"kms:CallerAccount": "111", "kms:ViaService": "ec2"}, "ForAnyValue:StringLikeIfExists": {"AWS:SourceArn": ["a", "b"]}, "StringNotEquals": {"aws:SourceAccount": "1"}, "Bool": {"aws:SecureTransport": "true"}, "ipaddress": {"aws:SourceIp": null}, "ArnLike": {"aws:PrincipalArn": []}, "IpAddressX": "not an object"});
    let rows: &[(Option<Value>, bool)] = &[
        (Some(strong), true),
        (
            Some(json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
            false,
        ),
        (
            Some(json!({"StringNotEquals": {"aws:SourceAccount": "1"}})),
            false,
        ),
        (Some(json!({"IpAddress": {"aws:SourceIp": []}})), false),
        (Some(json!({"IpAddress": {"aws:SourceIp": ""}})), true),
        (
            Some(json!({"StringEqualsIgnoreCase": {"aws:PrincipalOrgID": "o-1"}})),
            true,
        ),
        // folded as Python's str.lower() folds: the Kelvin sign is a `k`
        (
            Some(json!({"ArnLi\u{212A}e": {"\u{212A}ms:CallerAccount": "1"}})),
            true,
        ),
        (Some(json!("x")), false),
        (Some(json!(null)), false),
        (None, false),
    ];
    for (c, want) in rows {
        assert_eq!(
            call("restricts_caller", c.clone()),
            Some(json!(want)),
            "{c:?}"
        );
    }
}

/// The Rust model: some operator's restricting entries are not empty.
fn model_restricts(condition: &Value) -> bool {
    condition.as_object().is_some_and(|ops| {
        ops.iter().any(|(op, body)| {
            body.as_object()
                .is_some_and(|keys| !policy::operator_entries(op, keys).is_empty())
        })
    })
}

fn condition_strategy() -> impl Strategy<Value = Value> {
    let ops = prop::sample::select(vec![
        "StringEquals",
        "stringequals",
        "ForAnyValue:StringLikeIfExists",
        "ForAllValues:ArnEquals",
        "foranyvalue:ipaddress",
        "StringEqualsIgnoreCase",
        "ArnLi\u{212A}e",
        "StringNotEquals",
        "NotIpAddress",
        "ForAllValues:Bool",
        "Bool",
        "IpAddress",
        "x:StringEquals",
    ]);
    let keys = prop::sample::select(vec![
        "kms:CallerAccount",
        "\u{212A}ms:CallerAccount",
        "kms:ViaService",
        "AWS:SourceArn",
        "aws:SecureTransport",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "saml:aud",
        "aws:userid",
        "aws:sourcevpce",
        "aws:SourceVpc",
        "aws:Referer",
    ]);
    let values = prop::sample::select(vec![
        json!("x"),
        json!(null),
        json!([]),
        json!(["a"]),
        json!(""),
        json!({}),
    ]);
    let body = prop_oneof![
        4 => prop::collection::btree_map(keys, values, 0..3)
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        1 => Just(json!("not an object")),
    ];
    prop::collection::btree_map(ops, body, 0..3)
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
}

fn principal_strategy() -> impl Strategy<Value = Value> {
    let leaf = prop::sample::select(vec![
        json!("*"),
        json!("arn:aws:iam::1:root"),
        json!(""),
        json!(null),
        json!(7),
        json!(["*", "a"]),
        json!([]),
        json!([["*"]]),
    ]);
    let kinds = prop::sample::select(vec!["AWS", "Service", "Federated", "CanonicalUser", "aws"]);
    prop_oneof![
        leaf.clone(),
        prop::collection::btree_map(kinds, leaf, 0..4)
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
    ]
}

proptest! {
    #[test]
    fn restricts_caller_agrees_with_the_rust_model(c in condition_strategy()) {
        prop_assert_eq!(call("restricts_caller", Some(c.clone())), Some(json!(model_restricts(&c))), "{}", c);
    }

    #[test]
    fn principal_names_agree_with_the_rust_model(p in principal_strategy()) {
        prop_assert_eq!(call("principal_names", Some(p.clone())), Some(model_principals(&p)), "{}", p);
    }
}

#[test]
fn resource_identifiers() {
    let doc = json!({"r": "us-east-1", "a": "123", "n": null, "b": "logs"});
    assert_eq!(
        value(r#"ec2_arn(r, a, "security-group", "sg-1")"#, &doc),
        Some(json!("arn:aws:ec2:us-east-1:123:security-group/sg-1"))
    );
    // a null field becomes the text None, as in upstream's f-string
    assert_eq!(
        value(r#"ec2_arn(n, a, "network-acl", n)"#, &doc),
        Some(json!("arn:aws:ec2:None:123:network-acl/None"))
    );
    assert_eq!(
        value("s3_bucket_arn(b)", &doc),
        Some(json!("arn:aws:s3:::logs"))
    );
    assert_eq!(value("s3_bucket_arn(n)", &doc), None);
    assert_eq!(value("s3_bucket_arn(nope)", &doc), None);
}

#[test]
fn table_scaling_targets_once_per_name() {
    let rows: &[(Value, Value)] = &[
        (
            json!({"n": "t", "i": [{"IndexName": "ix"}, {"NoName": 1}, {"IndexName": 5}]}),
            json!(["table/t", "table/t/index/ix"]),
        ),
        (json!({"n": "t", "i": null}), json!(["table/t"])),
        (
            json!({"n": "t", "i": [{"IndexName": "i"}, {"IndexName": "i"}]}),
            json!(["table/t", "table/t/index/i"]),
        ),
        (json!({}), json!([])),
        (json!({"n": 5, "i": [{"IndexName": "i"}]}), json!([])),
    ];
    for (doc, want) in rows {
        assert_eq!(
            value("table_scaling_targets(n, i)", doc).as_ref(),
            Some(want),
            "{doc}"
        );
    }
}

#[test]
fn bucket_encryption_reads_the_first_default_encryption() {
    let by_default = |v: Value| json!({ "ApplyServerSideEncryptionByDefault": v });
    let rows: &[(Option<Value>, bool)] = &[
        (
            Some(json!([by_default(json!({"SSEAlgorithm": "AES256"}))])),
            false,
        ),
        (
            Some(json!([
                by_default(json!({})),
                by_default(json!({"SSEAlgorithm": "aws:kms"}))
            ])),
            false,
        ),
        // later rules are not considered
        (
            Some(json!([
                by_default(json!({"SSEAlgorithm": null})),
                by_default(json!({"SSEAlgorithm": "AES256"}))
            ])),
            true,
        ),
        (Some(json!([by_default(json!("yes"))])), true),
        (
            Some(json!(["junk", by_default(json!({"SSEAlgorithm": ""}))])),
            false,
        ),
        (Some(json!([])), true),
        (Some(json!(null)), true),
        (None, true),
    ];
    for (rules, want) in rules_rows(rows) {
        assert_eq!(flags("AWS.S3.Bucket.Encryption", &rules), want, "{rules}");
    }
}

/// Bucket documents with the given `EncryptionRules` (absent for `None`).
fn rules_rows(rows: &[(Option<Value>, bool)]) -> Vec<(Value, bool)> {
    rows.iter()
        .map(|(r, want)| {
            let doc = r
                .as_ref()
                .map_or_else(|| json!({}), |r| json!({ "EncryptionRules": r }));
            (doc, *want)
        })
        .collect()
}

/// The network-ACL first-match evaluation the native did, in Rust: the ingress entries (falsy
/// `Egress`) sorted by `RuleNumber` (stable; entries without a number last), the first one open
/// to the internet (Python `ipaddress` for IPv6) that covers port 22 decides.
fn nacl_reference(entries: &Value) -> bool {
    let Some(list) = entries.as_array() else {
        return false;
    };
    let mut ingress: Vec<&Value> = list
        .iter()
        .filter(|e| e.is_object() && !e.get("Egress").is_some_and(truthy))
        .collect();
    let key = |e: &&Value| {
        e.get("RuleNumber")
            .and_then(Value::as_f64)
            .unwrap_or(f64::INFINITY)
    };
    ingress.sort_by(|a, b| key(a).total_cmp(&key(b)));
    let world = |e: &Value| {
        e.get("CidrBlock").and_then(Value::as_str) == Some("0.0.0.0/0")
            || e.get("Ipv6CidrBlock")
                .and_then(Value::as_str)
                .and_then(|s| parse_py_network_as(s, true))
                .is_some_and(|n| n.prefix == 0 && n.first == 0 && !n.scoped)
    };
    let covers = |e: &Value| match e.get("PortRange") {
        Some(r) if truthy(r) => {
            let n = |k: &str| r.get(k).and_then(Value::as_f64);
            matches!((n("From"), n("To")), (Some(f), Some(t)) if f <= 22.0 && 22.0 <= t)
        }
        _ => true,
    };
    ingress
        .into_iter()
        .find(|e| world(e) && covers(e))
        .is_some_and(|e| e.get("RuleAction").and_then(Value::as_str) != Some("deny"))
}

#[test]
fn network_acl_first_match_on_the_natives_cases() {
    let acl = |entries: Value| json!({ "Entries": entries });
    let ordered = json!([
        {"RuleNumber": 100, "Egress": false, "CidrBlock": "0.0.0.0/0", "RuleAction": "allow"},
        {"RuleNumber": 30, "Egress": false, "CidrBlock": "1.1.1.1/32", "RuleAction": "allow"},
        {"RuleNumber": 50, "Egress": false, "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 22, "To": 22}, "RuleAction": "deny"},
        {"RuleNumber": 1, "Egress": true, "CidrBlock": "0.0.0.0/0", "RuleAction": "allow"}
    ]);
    let rows: &[(Value, bool)] = &[
        // sorted by rule number: the deny for port 22 comes first
        (ordered, false),
        (json!(null), false),
        (json!([]), false),
        (json!(["x", 1]), false),
        (
            json!([{"CidrBlock": "0.0.0.0/0", "PortRange": {"From": 23, "To": 80}}]),
            false,
        ),
        (
            json!([{"CidrBlock": "0.0.0.0/0", "PortRange": {}, "RuleAction": "allow"}]),
            true,
        ),
        // equal rule numbers keep their order; unnumbered entries come last
        (
            json!([{"CidrBlock": "0.0.0.0/0", "RuleAction": "deny"}, {"RuleNumber": 5, "CidrBlock": "0.0.0.0/0", "RuleAction": "allow"}, {"RuleNumber": 5, "CidrBlock": "0.0.0.0/0", "RuleAction": "deny"}]),
            true,
        ),
        (
            json!([{"CidrBlock": "0.0.0.0/0", "RuleAction": "allow"}, {"RuleNumber": 5, "CidrBlock": "0.0.0.0/0", "RuleAction": "deny"}, {"RuleNumber": 5, "CidrBlock": "0.0.0.0/0", "RuleAction": "allow"}]),
            false,
        ),
        (
            json!([{"CidrBlock": "0.0.0.0/0", "RuleAction": "only"}]),
            true,
        ),
        (
            json!([{"RuleNumber": "7", "CidrBlock": "0.0.0.0/0", "RuleAction": "allow"}, {"RuleNumber": "10", "CidrBlock": "0.0.0.0/0", "RuleAction": "deny"}]),
            true,
        ),
    ];
    for (entries, want) in rows {
        assert_eq!(nacl_reference(entries), *want, "reference: {entries}");
        assert_eq!(
            flags("AWS.NetworkACL.RestrictedSSH", &acl(entries.clone())),
            *want,
            "{entries}"
        );
    }
    // the IPv6 whole-internet forms, as Python's ipaddress reads them
    for (v6, world) in [
        ("::/0", true),
        ("0::/0", true),
        ("0:0:0:0:0:0:0:0/0", true),
        ("::/00", true),
        ("::0.0.0.0/0", true),
        ("::/1", false),
        ("::/", false),
        ("0.0.0.0/0", false),
        ("::%1/0", false),
        ("::/0/0", false),
        (" ::/0", false),
        ("::/0 ", false),
    ] {
        let entries = json!([{"Ipv6CidrBlock": v6, "RuleAction": "allow"}]);
        assert_eq!(nacl_reference(&entries), world, "reference: {v6}");
        assert_eq!(
            flags("AWS.NetworkACL.RestrictedSSH", &acl(entries)),
            world,
            "{v6}"
        );
    }
}

fn nacl_entry_strategy() -> impl Strategy<Value = Value> {
    fn pick(values: Vec<Value>) -> impl Strategy<Value = Option<Value>> {
        prop::option::of(prop::sample::select(values))
    }
    (
        pick(vec![
            json!(1),
            json!(5),
            json!(5.0),
            json!(100),
            json!("7"),
            json!(null),
        ]),
        pick(vec![json!(false), json!(true), json!(null), json!(0)]),
        pick(vec![json!("0.0.0.0/0"), json!("1.1.1.1/32")]),
        pick(vec![
            json!("::/0"),
            json!("0::/0"),
            json!("::/00"),
            json!("::/"),
            json!("::/1"),
            json!("::%1/0"),
            json!("2001:db8::/32"),
        ]),
        pick(vec![
            json!(null),
            json!({}),
            json!({"From": 22, "To": 22}),
            json!({"From": 23, "To": 80}),
            json!({"From": "1", "To": 100}),
        ]),
        pick(vec![json!("allow"), json!("deny"), json!("DENY")]),
    )
        .prop_map(|(n, e, c4, c6, p, a)| {
            let mut m = serde_json::Map::new();
            for (k, v) in [
                ("RuleNumber", n),
                ("Egress", e),
                ("CidrBlock", c4),
                ("Ipv6CidrBlock", c6),
                ("PortRange", p),
                ("RuleAction", a),
            ] {
                if let Some(v) = v {
                    m.insert(k.to_string(), v);
                }
            }
            Value::Object(m)
        })
}

proptest! {
    #[test]
    fn network_acl_policy_agrees_with_the_first_match_reference(
        entries in prop::collection::vec(nacl_entry_strategy(), 0..5)
    ) {
        let entries = Value::Array(entries);
        prop_assert_eq!(
            flags("AWS.NetworkACL.RestrictedSSH", &json!({ "Entries": entries.clone() })),
            nacl_reference(&entries),
            "{}", entries
        );
    }
}
