//! The seed policy `AWS.SecurityGroup.RestrictsOutboundTraffic` in both of the contract's forms
//! (with the native `egress_allows_all_ports` and in the pure language, also through the policy
//! pack's helper `allows_all_ports`) over the three test resources of Panther's YAML file, and
//! the native extension hook through the public API.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use pounce::Registry;
use pounce::lang::functions::{Native, NativeError};
use pounce::{Env, Program, compile};
use serde_json::{Value, json};

const NATIVE_FORM: &str =
    "IpPermissionsEgress not is_null and egress_allows_all_ports(IpPermissionsEgress)";
const PURE_FORM: &str = "IpPermissionsEgress not is_null
  and any(IpPermissionsEgress,
          FromPort is_null or ToPort is_null or (FromPort == 0 and ToPort == 65535))";
const EXCLUSION: &str = "IpPermissionsEgress is_null";
/// The pure form with the policy pack's own function (policies/helpers/network.yml), as the
/// pack's other security-group policies are written.
const HELPER_FORM: &str =
    "IpPermissionsEgress not is_null and any(IpPermissionsEgress, allows_all_ports(@))";

/// The standard registry with the policy pack's functions.
fn pack_program(src: &str) -> Program {
    let (reg, bad) =
        pounce::panther::with_data_models(&[common::root().join("policies")], &common::registry());
    assert!(bad.is_empty());
    compile(src, &reg).unwrap()
}

/// The copy of Panther's policy file in tests/data (checked against the corpus below).
const COPY: &str = "tests/data/aws_security_group_restricts_outbound_traffic.yml";

/// Panther's policy file, from the copy in the repository.
fn policy_yaml() -> Value {
    let text = std::fs::read_to_string(common::root().join(COPY)).unwrap();
    serde_saphyr::from_str::<Value>(&text).unwrap()
}

/// The copy is Panther's file as the corpus has it (skipped, visibly, without the corpus).
#[test]
fn the_copy_is_the_upstream_file() {
    let Some(dir) = common::corpus("the_copy_is_the_upstream_file", "policies/aws_vpc_policies")
    else {
        return;
    };
    let upstream =
        std::fs::read_to_string(dir.join("aws_security_group_restricts_outbound_traffic.yml"))
            .unwrap();
    let copy = std::fs::read_to_string(common::root().join(COPY)).unwrap();
    assert_eq!(
        serde_saphyr::from_str::<Value>(&copy).unwrap(),
        serde_saphyr::from_str::<Value>(&upstream).unwrap()
    );
}

/// (name, resource, ExpectedResult) of each test in the file.
fn upstream_tests() -> Vec<(String, Value, bool)> {
    let yaml = policy_yaml();
    yaml["Tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["Name"].as_str().unwrap().to_string(),
                t["Resource"].clone(),
                t["ExpectedResult"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn program(src: &str) -> Program {
    compile(src, &common::registry()).unwrap()
}

#[test]
fn the_file_has_the_three_expected_resources() {
    let tests = upstream_tests();
    let ports: Vec<(Value, Value)> = tests
        .iter()
        .map(|(_, r, _)| {
            let e = &r["IpPermissionsEgress"][0];
            (e["FromPort"].clone(), e["ToPort"].clone())
        })
        .collect();
    assert_eq!(
        ports,
        vec![
            (json!(3306), json!(3306)),
            (json!(0), json!(65535)),
            (Value::Null, Value::Null),
        ]
    );
}

#[test]
fn both_forms_flag_exactly_the_non_compliant_resources() {
    // Panther's `ExpectedResult: true` means compliant; a condition flags, so it is the negation.
    let flagged = |src: &str| -> Vec<bool> {
        let p = program(src);
        upstream_tests()
            .iter()
            .map(|(_, r, _)| p.eval_with(r, &Env::default()))
            .collect()
    };
    // restricted 3306 → not flagged; 0–65535 → flagged; null ports → flagged
    assert_eq!(flagged(NATIVE_FORM), vec![false, true, true]);
    assert_eq!(flagged(PURE_FORM), vec![false, true, true]);
    let helper = pack_program(HELPER_FORM);
    let by_helper: Vec<bool> = upstream_tests()
        .iter()
        .map(|(_, r, _)| helper.eval_with(r, &Env::default()))
        .collect();
    assert_eq!(by_helper, vec![false, true, true]);
    for (name, resource, expected) in upstream_tests() {
        assert_eq!(
            program(NATIVE_FORM).eval(&resource),
            !expected,
            "native form, test `{name}`"
        );
        assert_eq!(
            program(PURE_FORM).eval(&resource),
            !expected,
            "pure form, test `{name}`"
        );
    }
}

#[test]
fn both_forms_agree_beyond_the_upstream_tests() {
    let egress = [
        json!(null),
        json!([]),
        json!({}),
        json!("x"),
        json!([{"FromPort": 22}]),
        json!([{"ToPort": 22}]),
        json!([{"FromPort": 0, "ToPort": 1024}]),
        json!([{"FromPort": 443, "ToPort": 443}, {"FromPort": 0, "ToPort": 65535}]),
        json!([{"FromPort": 0.0, "ToPort": 65535.0}]),
        json!([{"FromPort": "0", "ToPort": "65535"}]),
    ];
    let (native, pure, exclusion) = (program(NATIVE_FORM), program(PURE_FORM), program(EXCLUSION));
    let helper = pack_program(HELPER_FORM);
    for e in egress {
        let doc = json!({ "IpPermissionsEgress": e });
        assert_eq!(native.eval(&doc), pure.eval(&doc), "{doc}");
        assert_eq!(native.eval(&doc), helper.eval(&doc), "{doc}");
        // the exclusion and the condition never both hold
        assert!(!(exclusion.eval(&doc) && native.eval(&doc)), "{doc}");
    }
    // a missing list is excluded and not flagged
    assert!(!native.eval(&json!({})) && !pure.eval(&json!({})));
    assert!(exclusion.eval(&json!({})));
    // choice: a non-list egress value is vacuous for `any` and false for the native
    assert!(!native.eval(&json!({"IpPermissionsEgress": {"FromPort": 0}})));
}

// ---- the native extension hook -------------------------------------------------------------

/// A registry with a few natives a host program might add.
fn host_registry() -> Registry {
    let mut reg = common::registry();
    // `port_open(perms, port)`: some permission's range covers `port`.
    reg.register(Native::new(
        "port_open",
        2,
        2,
        "true when some permission of the list covers the port",
        |args, ctx| {
            let (Some(Value::Array(perms)), Some(port)) = (args.get(0), args.get(1)) else {
                return Ok(Value::Bool(false));
            };
            let port = port.as_f64().unwrap_or(f64::NAN);
            let open = perms.iter().any(|p| {
                let from = p.get("FromPort").and_then(Value::as_f64);
                let to = p.get("ToPort").and_then(Value::as_f64);
                matches!((from, to), (Some(f), Some(t)) if f <= port && port <= t)
            });
            ctx.note(format_args!("port {port} open: {open}"));
            Ok(Value::Bool(open))
        },
    ));
    // `kind(x)`: what the native received.
    reg.register(Native::new(
        "kind",
        1,
        1,
        "the kind of the argument",
        |args, _| {
            Ok(Value::from(match args.get(0) {
                None => "missing",
                Some(Value::Null) => "null",
                Some(Value::Array(_)) => "list",
                Some(_) => "other",
            }))
        },
    ));
    // `join(a, b?)`: its arguments as text, to see how it was called.
    reg.register(Native::new(
        "join",
        1,
        2,
        "the arguments as text",
        |args, _| {
            let show = |v: Option<&Value>| v.map_or("-".to_string(), |v| v.to_string());
            Ok(Value::from(format!(
                "{}|{}",
                show(args.get(0)),
                show(args.get(1))
            )))
        },
    ));
    // `fails(x)`: always an error, so the call is undefined.
    reg.register(Native::new("fails", 1, 1, "always fails", |_, _| {
        Err(NativeError("no".to_string()))
    }));
    // `clock()`: the injected time.
    reg.register(Native::new("clock", 0, 0, "the time", |_, ctx| {
        Ok(Value::from(ctx.now))
    }));
    reg
}

fn holds(reg: &Registry, doc: &Value, cond: &str) -> bool {
    compile(cond, reg)
        .unwrap_or_else(|e| panic!("`{cond}`: {e}"))
        .eval_with(doc, &Env::default())
}

#[test]
fn a_custom_native_is_called_through_the_public_api() {
    let reg = host_registry();
    let doc =
        json!({"perms": [{"FromPort": 20, "ToPort": 25}], "a": [1, 2], "b": ["x"], "z": null});
    assert!(holds(&reg, &doc, "port_open(perms, 22)"));
    assert!(!holds(&reg, &doc, "port_open(perms, 80)"));
    assert!(holds(&reg, &doc, "not port_open(perms, 80)"));
    assert!(holds(&reg, &doc, "port_open(perms, 20 + 2) == true"));
    assert!(!holds(&reg, &doc, "port_open(missing, 22)"));
    // the registry's own natives are still there
    assert!(holds(&reg, &doc, "not egress_allows_all_ports(perms)"));
    // the checker knows the new names and arities
    assert!(compile("port_open(perms)", &reg).is_err());
    assert!(compile("port_open(perms, 22)", &common::registry()).is_err());
    assert_eq!(
        reg.iter()
            .map(|n| n.name.as_str())
            .filter(|n| *n == "port_open")
            .count(),
        1
    );
}

#[test]
fn natives_receive_missing_and_null_as_such() {
    let reg = host_registry();
    let doc = json!({"a": [1, 2], "z": null});
    assert!(holds(&reg, &doc, "kind(m) == \"missing\""));
    assert!(holds(&reg, &doc, "kind(z) == \"null\""));
    assert!(holds(&reg, &doc, "kind(a) == \"list\""));
    assert!(holds(&reg, &doc, "kind(1 / 0) == \"missing\"")); // undefined arrives as missing
    assert!(holds(&reg, &doc, "join(1) == \"1|-\"")); // an argument not given is missing too
}

#[test]
fn natives_over_multi_valued_arguments_are_called_per_combination() {
    let reg = host_registry();
    let doc = json!({"a": [1, 2], "b": ["x", "y"]});
    // choice: one call per combination of values; the result is multi-valued (existential)
    for want in ["1|\"x\"", "1|\"y\"", "2|\"x\"", "2|\"y\""] {
        let cond = format!(
            "join(a[*], b[*]) == {}",
            serde_json::to_string(want).unwrap()
        );
        assert!(holds(&reg, &doc, &cond), "{cond}");
    }
    assert!(!holds(&reg, &doc, "join(a[*], b[*]) == \"1|2\""));
    assert!(holds(&reg, &doc, "join(a[*], 0) == \"2|0\""));
    // no values: no call, so nothing to compare
    assert!(!holds(&reg, &doc, "join(a[*].nope) exists"));
    assert!(holds(&reg, &doc, "join(a) == \"[1,2]|-\"")); // a list is one value
}

#[test]
fn a_failing_native_is_undefined() {
    let reg = host_registry();
    let doc = json!({"x": 1});
    assert!(!holds(&reg, &doc, "fails(x) exists"));
    assert!(holds(&reg, &doc, "fails(x) is_null"));
    assert!(!holds(&reg, &doc, "fails(x) == null"));
    assert!(holds(&reg, &doc, "fails(x) != 1"));
    assert!(!holds(&reg, &doc, "fails(x)"));
}

#[test]
fn natives_read_the_injected_clock_and_can_be_mocked() {
    let reg = host_registry();
    let p = compile("clock() == 1700000000", &reg).unwrap();
    let mut env = Env {
        now: 1_700_000_000,
        ..Env::default()
    };
    assert!(p.eval_with(&json!({}), &env));
    env.now += 1;
    assert!(!p.eval_with(&json!({}), &env));
    env.overrides
        .insert("clock".to_string(), json!(1_700_000_000));
    assert!(p.eval_with(&json!({}), &env)); // a mock replaces the call
    let mut env = Env::default();
    env.overrides
        .insert("egress_allows_all_ports".to_string(), json!(true));
    let native = program(NATIVE_FORM);
    let restricted = &upstream_tests()[0].1;
    assert!(!native.eval(restricted));
    assert!(native.eval_with(restricted, &env));
}

#[test]
fn a_program_is_send_and_sync_and_shared_across_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Program>();
    send_sync::<Registry>();
    let native = std::sync::Arc::new(program(NATIVE_FORM));
    let tests = upstream_tests();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let p = std::sync::Arc::clone(&native);
                let tests = &tests;
                s.spawn(move || {
                    tests
                        .iter()
                        .map(|(_, r, _)| p.eval(r))
                        .collect::<Vec<bool>>()
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), vec![false, true, true]);
        }
    });
}
