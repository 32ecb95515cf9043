//! Criterion micro-benchmarks: compiling conditions, and evaluating one condition per operator
//! family over a fixed document (plus the two ways of parsing a record: full and projected).
//!
//! Run: `cargo bench --bench micro` (filter with e.g. `cargo bench --bench micro -- eval/`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use criterion::{Criterion, criterion_group, criterion_main};
use pounce::{Env, compile};
use serde_json::{Value, json};
use std::hint::black_box;
use std::path::PathBuf;

/// A small condition: two comparisons.
const SMALL: &str = "FromPort == 0 and ToPort == 65535";

/// The largest condition of the pack (falls back to a built-in one if the file moved).
fn large_condition() -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("policies/aws_iam/aws_iam_role_github_actions_trust.yml");
    let (rules, _) = pounce::panther::load_paths(&[p], &pounce::standard_registry());
    match rules.first() {
        Some(r) => r.program.source().to_string(),
        None => {
            // Every operator family, nested: about as long as the pack's largest condition.
            let one = "(GroupName == \"default\" and OwnerId != \"1\" and Count >= 3 \
                and Region in [\"us-east-1\", \"eu-west-1\"] and Description contains \"VPC\" \
                and VpcId starts_with \"vpc-\" and GroupName matches \"^def\" \
                and Cidr in_cidr \"10.0.0.0/8\" and Tags exists and (Count * 2 + 1) > 5 \
                and any(IpPermissionsEgress, FromPort == 0 and ToPort == 65535))";
            [one; 6].join(" or ")
        }
    }
}

/// The fixed document every evaluation benchmark reads: a security group like the seed
/// policy's test resources, with a few extra scalar fields.
fn document() -> Value {
    let ingress: Vec<Value> = (0..4)
        .map(|i| {
            json!({
                "FromPort": 443 + i, "IpProtocol": "tcp", "ToPort": 443 + i,
                "IpRanges": [{"CidrIp": format!("10.{i}.0.0/16"), "Description": null}],
                "Ipv6Ranges": null, "PrefixListIds": null,
                "UserIdGroupPairs": [{"Description": null, "GroupId": format!("sg-{i:06}"),
                    "GroupName": null, "PeeringStatus": null, "UserId": "123456789012",
                    "VpcId": null, "VpcPeeringConnectionId": null}]
            })
        })
        .collect();
    // The all-ports permission is last, so quantifiers and the native walk the whole list.
    let egress = json!([
        {"FromPort": 3306, "IpProtocol": "tcp", "ToPort": 3306,
         "IpRanges": [{"CidrIp": "10.1.0.0/16", "Description": null}], "Ipv6Ranges": null,
         "PrefixListIds": null, "UserIdGroupPairs": null},
        {"FromPort": 443, "IpProtocol": "tcp", "ToPort": 443,
         "IpRanges": [{"CidrIp": "172.16.0.0/12", "Description": "https"}], "Ipv6Ranges": null,
         "PrefixListIds": null, "UserIdGroupPairs": null},
        {"FromPort": 53, "IpProtocol": "udp", "ToPort": 53,
         "IpRanges": [{"CidrIp": "192.168.0.0/16", "Description": null}], "Ipv6Ranges": null,
         "PrefixListIds": null, "UserIdGroupPairs": null},
        {"FromPort": 0, "IpProtocol": "-1", "ToPort": 65535,
         "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": null}], "Ipv6Ranges": null,
         "PrefixListIds": null, "UserIdGroupPairs": null}
    ]);
    json!({
        "ResourceType": "AWS.EC2.SecurityGroup",
        "ResourceId": "arn:aws:ec2:us-east-1:123456789012:security-group/sg-abc123",
        "Region": "eu-west-1",
        "AccountId": "123456789012",
        "Description": "example VPC security group for the web tier",
        "GroupId": "sg-abc123",
        "GroupName": "default",
        "OwnerId": "123456789012",
        "VpcId": "vpc-abc111222333",
        "Cidr": "10.20.30.40",
        "Count": 7,
        "Ratio": 0.25,
        "Empty": [],
        "Null": null,
        "Tags": {"environment": "pci", "team": "web", "owner": "alice"},
        "IpPermissions": ingress,
        "IpPermissionsEgress": egress,
    })
}

/// One condition per operator family; each is true on [`document`] (so `and` chains run to the
/// end) except where noted.
const FAMILIES: &[(&str, &str)] = &[
    (
        "equality",
        "GroupName == \"default\" and OwnerId != \"000000000000\" and Count == 7",
    ),
    ("ordering", "Count > 3 and Count <= 7 and Ratio < 0.5"),
    (
        "in_list",
        "Region in [\"us-east-1\", \"us-east-2\", \"us-west-1\", \"us-west-2\", \"eu-west-1\"]",
    ),
    (
        "string_ops",
        "Description contains \"VPC\" and VpcId starts_with \"vpc-\" and ResourceId ends_with \"sg-abc123\"",
    ),
    (
        "matches",
        "ResourceId matches \"^arn:aws:ec2:[a-z0-9-]+:[0-9]{12}:security-group/sg-[0-9a-f]+$\"",
    ),
    (
        "in_cidr",
        "Cidr in_cidr \"10.0.0.0/8\" and Cidr not in_cidr \"192.168.0.0/16\"",
    ),
    (
        "tests",
        "Tags exists and Null is_null and Empty is_empty and Missing not exists",
    ),
    ("arithmetic", "(Count * 2 + 1) / 3 - Ratio > 4"),
    (
        "quantifiers",
        "any(IpPermissionsEgress, FromPort == 0 and ToPort == 65535) and all(IpPermissions, IpProtocol == \"tcp\")",
    ),
    (
        "natives",
        "egress_allows_all_ports(IpPermissionsEgress) and truthy(Tags)",
    ),
    (
        "jsonpath",
        "any($.IpPermissionsEgress[*].IpRanges[*].CidrIp, @ == \"0.0.0.0/0\")",
    ),
];

fn bench_compile(c: &mut Criterion) {
    let reg = pounce::standard_registry();
    let large = large_condition();
    let mut g = c.benchmark_group("compile");
    g.bench_function("small", |b| {
        b.iter(|| compile(black_box(SMALL), &reg).map(|_| ()))
    });
    g.bench_function(format!("large_{}B", large.len()), |b| {
        b.iter(|| compile(black_box(&large), &reg).map(|_| ()))
    });
    g.finish();
}

fn bench_eval(c: &mut Criterion) {
    let reg = pounce::standard_registry();
    let doc = document();
    let env = Env::system();
    let mut g = c.benchmark_group("eval");
    for (name, src) in FAMILIES {
        let p = compile(src, &reg).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert!(p.eval_with(&doc, &env), "{name} should be true: {src}");
        g.bench_function(*name, |b| b.iter(|| p.eval_with(black_box(&doc), &env)));
    }
    g.finish();
}

fn bench_parse(c: &mut Criterion) {
    let reg = pounce::standard_registry();
    let text = document().to_string();
    let p = compile(
        "IpPermissionsEgress not is_null and egress_allows_all_ports(IpPermissionsEgress)",
        &reg,
    )
    .unwrap();
    let trie = pounce::lang::reads::reads(&p);
    let mut g = c.benchmark_group("parse");
    g.throughput(criterion::Throughput::Bytes(text.len() as u64));
    g.bench_function("serde_json_value", |b| {
        b.iter(|| serde_json::from_str::<Value>(black_box(&text)).map(|_| ()))
    });
    g.bench_function("projected_seed_policy", |b| {
        b.iter(|| pounce::engine::project::parse_projected(black_box(&text), &trie).map(|_| ()))
    });
    g.finish();
}

criterion_group!(benches, bench_compile, bench_eval, bench_parse);
criterion_main!(benches);
