//! Throughput of `pounce eval -r` as a library (the path the CLI takes: `stream::run` + `Pack`),
//! against baselines measured in the same run, on deterministic generated data (SplitMix64,
//! fixed seeds: the same records on every run and machine).
//!
//! Workloads:
//! - W1: AWS.EC2.SecurityGroup resources like the seed policy's test resources (egress lists
//!   mixing all-ports, null-port, single-port and port-range permissions, or null / empty /
//!   missing; ingress lists, tags, descriptions), evaluated by the seed policy
//!   (`AWS.SecurityGroup.RestrictsOutboundTraffic`) alone;
//! - W2: mixed resources made by varying every rule's own test documents (`ResourceType` set
//!   from the rule's `ResourceTypes` when absent; digits of strings, booleans and integers
//!   varied), evaluated by the whole pack (enabled and disabled rules).
//!
//! Measures, interleaved over `--reps` repetitions (median reported, wall-clock and CPU time):
//! - `serde_value`: the baseline, each record parsed into a `serde_json::Value` (one thread,
//!   no evaluation);
//! - `full_eval`: each record parsed into a full `Value` and evaluated by the pack (what
//!   projection saves);
//! - `projected_parse`: `Pack::parse` alone (one thread);
//! - `stream_only`: `stream::run` with nothing to do per record (the reader alone);
//! - `pounce_1t` / `pounce_2t`: `stream::run` + `Pack::parse` + `Pack::evaluate` in a rayon pool
//!   of one / two threads, as `pounce eval -r` does;
//! - `python_ref` (W1, when `python3` runs): `benches/reference.py`, `json.loads` per line and
//!   the seed policy in Python, timed by itself (interpreter start-up excluded).
//!
//! Every evaluating measure must report the same number of findings (checked).
//!
//! Usage: `cargo bench --bench throughput [-- OPTIONS]`
//! - `--records N` (100000), `--reps R` (5, at least 3), `--dir DIR` (`target/bench-data`): the
//!   generated files `w1.ndjson` / `w2.ndjson` and a TSV of the medians (`throughput.tsv`) go to
//!   DIR, for `benches/run.sh` to time the CLI over the same data;
//! - `--no-python`; `--workload W1|W2` and `--measure NAME` (repeatable) to run a subset;
//!   `--bare` to leave out the baseline (for a profiler); `--profile-rules`: time each rule of
//!   W2 alone and show how much of its records its projection keeps.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    missing_docs
)]

use pounce::Env;
use pounce::engine::Pack;
use pounce::engine::stream;
use pounce::panther::{AnalysisType, Rule};
use serde_json::{Map, Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

const SEED_POLICY: &str = "policies/aws_vpc/aws_security_group_restricts_outbound_traffic.yml";

// ---- a small deterministic PRNG (SplitMix64) ------------------------------------------------

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// True with probability `p` percent.
    fn pct(&mut self, p: u64) -> bool {
        self.below(100) < p
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    fn hex(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from_digit(self.below(16) as u32, 16).unwrap_or('0'))
            .collect()
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from_digit(self.below(10) as u32, 10).unwrap_or('0'))
            .collect()
    }
}

// ---- W1: security groups ----------------------------------------------------------------------

const REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-2",
];
const DESCRIPTIONS: &[&str] = &[
    "example VPC security group",
    "default VPC security group",
    "launch-wizard-1 created 2019-04-16T12:13:14.000Z",
    "Allow HTTPS from the load balancer",
    "Managed by Terraform",
    "database tier: MySQL from the app subnets only",
];
const TAG_KEYS: &[&str] = &[
    "environment",
    "team",
    "owner",
    "cost-center",
    "Name",
    "aws:cloudformation:stack-name",
];
const TAG_VALUES: &[&str] = &["pci", "prod", "staging", "web", "data", "alice", "1234"];

fn ip_range(r: &mut Rng) -> Value {
    let cidr = match r.below(4) {
        0 => "0.0.0.0/0".to_string(),
        1 => format!("10.{}.0.0/16", r.below(256)),
        2 => format!("172.{}.{}.0/24", 16 + r.below(16), r.below(256)),
        _ => format!("192.168.{}.{}/32", r.below(256), r.below(256)),
    };
    let desc = if r.pct(50) {
        Value::Null
    } else {
        json!(*r.pick(&["office", "vpn", "partner", "monitoring"]))
    };
    json!({"CidrIp": cidr, "Description": desc})
}

fn group_pairs(r: &mut Rng, owner: &str) -> Value {
    if r.pct(60) {
        return Value::Null;
    }
    let n = 1 + r.below(2);
    Value::Array(
        (0..n)
            .map(|_| {
                json!({
                    "Description": null,
                    "GroupId": format!("sg-{}", r.hex(8)),
                    "GroupName": null,
                    "PeeringStatus": null,
                    "UserId": owner,
                    "VpcId": null,
                    "VpcPeeringConnectionId": null,
                })
            })
            .collect(),
    )
}

/// A permission; `kind`: 0 all ports (0-65535), 1 null ports (protocol -1), 2 one port,
/// 3 a port range.
fn permission(r: &mut Rng, kind: u64, owner: &str) -> Value {
    let (from, to, proto) = match kind {
        0 => (json!(0), json!(65535), "-1"),
        1 => (Value::Null, Value::Null, "-1"),
        2 => {
            let p = *r.pick(&[22, 53, 80, 443, 3306, 5432, 6379, 8080]);
            (json!(p), json!(p), *r.pick(&["tcp", "udp"]))
        }
        _ => {
            let f = 1024 + r.below(30000);
            (json!(f), json!(f + 1 + r.below(1000)), "tcp")
        }
    };
    let ranges: Vec<Value> = (0..r.below(3)).map(|_| ip_range(r)).collect();
    let ranges = if ranges.is_empty() && r.pct(50) {
        Value::Null
    } else {
        Value::Array(ranges)
    };
    let v6 = if r.pct(80) {
        Value::Null
    } else {
        json!([{"CidrIpv6": "::/0", "Description": null}])
    };
    let prefixes = if r.pct(70) { Value::Null } else { json!([]) };
    json!({
        "FromPort": from,
        "IpProtocol": proto,
        "IpRanges": ranges,
        "Ipv6Ranges": v6,
        "PrefixListIds": prefixes,
        "ToPort": to,
        "UserIdGroupPairs": group_pairs(r, owner),
    })
}

/// One security group; about a third allow all egress ports.
fn security_group(r: &mut Rng) -> Value {
    let region = *r.pick(REGIONS);
    let owner = r.digits(12);
    let gid = format!("sg-{}", r.hex(17));
    let mut m = Map::new();
    m.insert("ResourceType".into(), json!("AWS.EC2.SecurityGroup"));
    m.insert(
        "ResourceId".into(),
        json!(format!("arn:aws:ec2:{region}:{owner}:security-group/{gid}")),
    );
    m.insert("Region".into(), json!(region));
    m.insert("AccountId".into(), json!(owner));
    m.insert("Description".into(), json!(*r.pick(DESCRIPTIONS)));
    m.insert("GroupId".into(), json!(gid));
    let name = if r.pct(30) {
        "default".to_string()
    } else {
        format!("app-{}-sg", r.below(1000))
    };
    m.insert("GroupName".into(), json!(name));
    let ingress: Vec<Value> = (0..r.below(4))
        .map(|_| {
            let k = 2 + r.below(2);
            permission(r, k, &owner)
        })
        .collect();
    m.insert("IpPermissions".into(), Value::Array(ingress));
    // Egress: missing, null, empty, or 1-4 permissions mixing the kinds.
    match r.below(20) {
        0 => {}
        1 | 2 => {
            m.insert("IpPermissionsEgress".into(), Value::Null);
        }
        3 => {
            m.insert("IpPermissionsEgress".into(), json!([]));
        }
        _ => {
            let n = 1 + r.below(4);
            let perms: Vec<Value> = (0..n)
                .map(|_| {
                    // 0 and 1 allow all ports: kept rare enough for about a third flagged.
                    let k = match r.below(10) {
                        0 => 0,
                        1 => 1,
                        2..=6 => 2,
                        _ => 3,
                    };
                    permission(r, k, &owner)
                })
                .collect();
            m.insert("IpPermissionsEgress".into(), Value::Array(perms));
        }
    }
    m.insert("OwnerId".into(), json!(owner));
    let tags: Map<String, Value> = (0..r.below(5))
        .map(|_| ((*r.pick(TAG_KEYS)).to_string(), json!(*r.pick(TAG_VALUES))))
        .collect();
    m.insert(
        "Tags".into(),
        if tags.is_empty() && r.pct(50) {
            Value::Null
        } else {
            Value::Object(tags)
        },
    );
    m.insert("VpcId".into(), json!(format!("vpc-{}", r.hex(12))));
    Value::Object(m)
}

fn ndjson(n: usize, mut make: impl FnMut(&mut Rng) -> Value, seed: u64) -> Vec<u8> {
    let mut r = Rng(seed);
    let mut out = Vec::with_capacity(n * 1200);
    for _ in 0..n {
        serde_json::to_writer(&mut out, &make(&mut r)).unwrap();
        out.push(b'\n');
    }
    out
}

// ---- W2: the pack's test documents, varied ------------------------------------------------------

/// A string that a rule may parse (a timestamp, a JSON document): left as written.
fn structured(s: &str) -> bool {
    let b = s.as_bytes();
    let dateish = b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit) && b.get(4) == Some(&b'-');
    dateish || s.starts_with('{') || s.starts_with('[') || s.starts_with('%')
}

/// Varies the leaves of a test document: digits of some strings, some booleans, some integers.
fn vary(v: &mut Value, r: &mut Rng, top: bool) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if top && (k == "ResourceType" || k == "p_log_type") {
                    continue;
                }
                vary(x, r, false);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| vary(x, r, false)),
        Value::String(s) => {
            if !structured(s) && r.pct(25) {
                *s = s
                    .chars()
                    .map(|c| {
                        if c.is_ascii_digit() {
                            char::from_digit(r.below(10) as u32, 10).unwrap_or(c)
                        } else {
                            c
                        }
                    })
                    .collect();
            }
        }
        Value::Bool(b) => {
            if r.pct(10) {
                *b = !*b;
            }
        }
        Value::Number(n) => {
            if let Some(u) = n.as_u64()
                && r.pct(10)
            {
                *v = json!(r.below(2 * u + 2));
            }
        }
        Value::Null => {}
    }
}

fn mixed_resources(rules: &[Rule], n: usize, seed: u64) -> Vec<u8> {
    let mut docs: Vec<Value> = Vec::new();
    for rule in rules {
        for t in &rule.tests {
            let mut d = t.document.clone();
            if let Value::Object(m) = &mut d {
                let field = match rule.kind {
                    AnalysisType::Policy => "ResourceType",
                    _ => "p_log_type",
                };
                if !m.contains_key("ResourceType")
                    && !m.contains_key("p_log_type")
                    && let Some(t) = rule.types.first()
                {
                    m.insert(field.into(), json!(t));
                }
            }
            docs.push(d);
        }
    }
    assert!(!docs.is_empty(), "no test documents in the pack");
    ndjson(
        n,
        |r| {
            let mut d = r.pick(&docs).clone();
            vary(&mut d, r, true);
            d
        },
        seed,
    )
}

// ---- measurements -------------------------------------------------------------------------------

/// Records of an NDJSON buffer: validated as UTF-8 once, then split at `\n` (a `memchr`
/// search), blank lines skipped. Every measure pays the same for it.
fn lines(data: &[u8]) -> impl Iterator<Item = &str> {
    std::str::from_utf8(data)
        .unwrap()
        .split('\n')
        .filter(|l| !l.is_empty())
}

/// Baseline: every record parsed into a `serde_json::Value`, nothing else.
fn serde_value(data: &[u8]) -> usize {
    let mut n = 0;
    for l in lines(data) {
        let v: Value = serde_json::from_str(l).unwrap();
        n += usize::from(v.is_object());
    }
    n
}

/// Full parse, then the pack (no projection): what projection saves. Returns findings.
fn full_eval(data: &[u8], pack: &Pack, env: &Env) -> usize {
    let mut flagged = 0;
    for l in lines(data) {
        let v: Value = serde_json::from_str(l).unwrap();
        flagged += pack.evaluate(&v, None, env, false).verdicts.len();
    }
    flagged
}

/// `Pack::parse` alone.
fn projected_parse(data: &[u8], pack: &Pack) -> usize {
    let mut n = 0;
    for l in lines(data) {
        let v = pack.parse(l).unwrap();
        n += usize::from(v.is_object());
    }
    n
}

/// The CLI's path: `stream::run` in a pool of `threads`, `Pack::parse` + `Pack::evaluate` per
/// record, results in order to a sink. Returns findings.
fn pounce(data: &[u8], pack: &Pack, env: &Env, pool: &rayon::ThreadPool) -> usize {
    pool.install(|| {
        let mut flagged = 0usize;
        let mut records = 0usize;
        stream::run(
            std::io::Cursor::new(data),
            stream::DEFAULT_MAX_RECORD_BYTES,
            |_, raw| match raw {
                Ok(t) => pack
                    .parse(t)
                    .map(|v| pack.evaluate(&v, None, env, false))
                    .ok(),
                Err(_) => None,
            },
            |_, res| {
                records += 1;
                if let Some(r) = res {
                    flagged += r.verdicts.len();
                }
            },
        )
        .unwrap();
        std::hint::black_box(records);
        flagged
    })
}

/// Runs `benches/reference.py FILE`: its own timing of the loop (wall, CPU), and its findings.
fn python_ref(file: &Path) -> Option<(f64, f64, usize)> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/reference.py");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(file)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let v: Value = serde_json::from_slice(&out.stdout).ok()?;
    Some((
        v["seconds"].as_f64()?,
        v["cpu_seconds"].as_f64()?,
        v["flagged"].as_u64()? as usize,
    ))
}

/// CPU time of this process so far (every thread's time on a CPU, from
/// `/proc/self/task/*/schedstat`), in seconds; 0 where unavailable.
fn cpu_seconds() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0.0;
    };
    let mut ns: u64 = 0;
    for t in tasks.flatten() {
        if let Ok(s) = std::fs::read_to_string(t.path().join("schedstat")) {
            ns += s
                .split_whitespace()
                .next()
                .and_then(|x| x.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    ns as f64 / 1e9
}

fn median(xs: &[f64]) -> f64 {
    let mut xs = xs.to_vec();
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

struct Args {
    records: usize,
    reps: usize,
    dir: PathBuf,
    python: bool,
    /// Only these workloads / measures (for profiling); empty: all.
    workloads: Vec<String>,
    measures: Vec<String>,
    /// Time each rule of W2 separately.
    profile_rules: bool,
    /// Run only the `--measure`s given, without the baseline (for a profiler).
    bare: bool,
}

fn args() -> Args {
    let mut a = Args {
        records: 100_000,
        reps: 5,
        dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data"),
        python: true,
        workloads: Vec::new(),
        measures: Vec::new(),
        profile_rules: false,
        bare: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(x) = it.next() {
        match x.as_str() {
            "--records" => a.records = it.next().and_then(|s| s.parse().ok()).unwrap(),
            "--reps" => a.reps = it.next().and_then(|s| s.parse().ok()).unwrap(),
            "--dir" => a.dir = PathBuf::from(it.next().unwrap()),
            "--no-python" => a.python = false,
            "--workload" => a.workloads.push(it.next().unwrap()),
            "--measure" => a.measures.push(it.next().unwrap()),
            "--profile-rules" => a.profile_rules = true,
            "--bare" => a.bare = true,
            _ => {} // `--bench` and filters passed by cargo
        }
    }
    a.reps = a.reps.max(3);
    a
}

struct Workload {
    name: &'static str,
    data: Vec<u8>,
    records: usize,
    pack: Pack,
    file: PathBuf,
    python: bool,
}

/// The measures, in the order they run within a repetition.
const MEASURES: &[&str] = &[
    "serde_value",
    "full_eval",
    "projected_parse",
    "stream_only",
    "pounce_1t",
    "pounce_2t",
    "python_ref",
];

/// Runs measure `name` once: (wall seconds, CPU seconds, findings).
fn measure(
    name: &str,
    w: &Workload,
    env: &Env,
    pool1: &rayon::ThreadPool,
    pool2: &rayon::ThreadPool,
) -> (f64, f64, Option<usize>) {
    if name == "python_ref" {
        let (s, c, f) = python_ref(&w.file).expect("python reference failed");
        return (s, c, Some(f));
    }
    let c0 = cpu_seconds();
    let t = Instant::now();
    let f = match name {
        "serde_value" => {
            assert_eq!(serde_value(&w.data), w.records);
            None
        }
        "full_eval" => Some(full_eval(&w.data, &w.pack, env)),
        "projected_parse" => {
            assert_eq!(projected_parse(&w.data, &w.pack), w.records);
            None
        }
        "stream_only" => {
            assert_eq!(stream_only(&w.data, pool1), w.records);
            None
        }
        "pounce_1t" => Some(pounce(&w.data, &w.pack, env, pool1)),
        "pounce_2t" => Some(pounce(&w.data, &w.pack, env, pool2)),
        _ => panic!("unknown measure {name}"),
    };
    (t.elapsed().as_secs_f64(), cpu_seconds() - c0, f)
}

/// `stream::run` with nothing to do per record (one thread): reading and splitting alone.
fn stream_only(data: &[u8], pool: &rayon::ThreadPool) -> usize {
    pool.install(|| {
        let mut n = 0usize;
        stream::run(
            std::io::Cursor::new(data),
            stream::DEFAULT_MAX_RECORD_BYTES,
            |_, raw| raw.is_ok(),
            |_, ok| n += usize::from(ok),
        )
        .unwrap();
        n
    })
}

/// Per rule of `pack`: the time to evaluate it over the records of its types (fully parsed
/// beforehand), and how much of those records its own projection keeps. Prints the rules taking
/// the most time, and what the pack's projection keeps of every record.
fn profile_rules(w: &Workload, env: &Env) {
    let texts: Vec<&str> = lines(&w.data).collect();
    let docs: Vec<Value> = texts
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kept = |text: &str, p: &pounce::engine::project::Projection| {
        serde_json::to_string(&p.parse(text).unwrap())
            .unwrap()
            .len()
    };
    let mut rows: Vec<(f64, usize, f64, &str)> = Vec::new();
    for rule in &w.pack.rules {
        let mine: Vec<usize> = (0..docs.len())
            .filter(|&i| {
                rule.types.is_empty()
                    || docs[i]
                        .get("ResourceType")
                        .or_else(|| docs[i].get("p_log_type"))
                        .and_then(Value::as_str)
                        .is_some_and(|t| rule.types.iter().any(|x| x == t))
            })
            .collect();
        let mut ts = Vec::new();
        for _ in 0..3 {
            let t = Instant::now();
            let n = mine
                .iter()
                .filter(|&&i| rule.program.eval_with(&docs[i], env))
                .count();
            std::hint::black_box(n);
            ts.push(t.elapsed().as_secs_f64());
        }
        let own =
            pounce::engine::project::Projection::new(&pounce::lang::reads::reads(&rule.program));
        let (k, all) = mine.iter().fold((0, 0), |(k, all), &i| {
            (k + kept(texts[i], &own), all + texts[i].len())
        });
        rows.push((
            median(&ts),
            mine.len(),
            k as f64 / all.max(1) as f64,
            &rule.id,
        ));
    }
    let total: f64 = rows.iter().map(|r| r.0).sum();
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!(
        "{}: per-rule evaluation over fully parsed records (median of 3): {:.3}s in all",
        w.name, total
    );
    println!(
        "{:>8} {:>6} {:>8} {:>10} {:>6}  rule",
        "seconds", "share", "records", "us/record", "kept"
    );
    for (s, n, k, id) in rows.iter().take(12) {
        println!(
            "{:>8.3} {:>5.1}% {:>8} {:>10.2} {:>5.1}%  {}",
            s,
            100.0 * s / total,
            n,
            1e6 * s / (*n).max(1) as f64,
            100.0 * k,
            id
        );
    }
    let greedy: Vec<String> = rows
        .iter()
        .filter(|r| r.2 > 0.5)
        .map(|r| format!("{} ({:.0}%)", r.3, 100.0 * r.2))
        .collect();
    println!(
        "rules whose own projection keeps more than half of their records' bytes: {}",
        if greedy.is_empty() {
            "none".to_string()
        } else {
            greedy.join(", ")
        }
    );
    let pack = pounce::engine::project::Projection::new(w.pack.trie());
    let k: usize = texts.iter().map(|t| kept(t, &pack)).sum();
    let all: usize = texts.iter().map(|t| t.len()).sum();
    println!(
        "the pack's projection keeps {:.1}% of the bytes of {} records",
        100.0 * k as f64 / all.max(1) as f64,
        texts.len()
    );
    // What a projection per record type would keep and cost: the type's rules' reads (with the
    // type and id fields the engine reads), and a first pass that finds the type.
    let field = |f: &str| vec![pounce::lang::ast::Segment::Key(f.to_string())];
    let mut per_type: std::collections::HashMap<&str, pounce::lang::reads::Trie> =
        std::collections::HashMap::new();
    for rule in &w.pack.rules {
        for t in &rule.types {
            per_type
                .entry(t.as_str())
                .or_default()
                .merge(&pounce::lang::reads::reads(&rule.program));
        }
    }
    let type_of = |d: &Value| -> Option<String> {
        pounce::engine::TYPE_FIELDS
            .iter()
            .find_map(|f| d.get(*f).and_then(Value::as_str))
            .map(String::from)
    };
    let prepared: std::collections::HashMap<&str, pounce::engine::project::Projection> = per_type
        .iter_mut()
        .map(|(t, trie)| {
            for f in pounce::engine::TYPE_FIELDS
                .iter()
                .chain(pounce::engine::ID_FIELDS.iter())
            {
                trie.add_path(&field(f));
            }
            trie.finalize();
            (*t, pounce::engine::project::Projection::new(trie))
        })
        .collect();
    let types: Vec<Option<String>> = docs.iter().map(type_of).collect();
    let k: usize = texts
        .iter()
        .zip(&types)
        .map(
            |(t, ty)| match ty.as_deref().and_then(|ty| prepared.get(ty)) {
                Some(p) => kept(t, p),
                None => kept(t, &pack),
            },
        )
        .sum();
    let mut finder = pounce::lang::reads::Trie::default();
    for f in pounce::engine::TYPE_FIELDS {
        finder.add_path(&field(f));
    }
    finder.finalize();
    let finder = pounce::engine::project::Projection::new(&finder);
    let (mut t_pack, mut t_find, mut t_type) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..3 {
        let t = Instant::now();
        texts.iter().for_each(|x| drop(pack.parse(x).unwrap()));
        t_pack.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        texts.iter().for_each(|x| drop(finder.parse(x).unwrap()));
        t_find.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        for (x, ty) in texts.iter().zip(&types) {
            let p = ty
                .as_deref()
                .and_then(|ty| prepared.get(ty))
                .unwrap_or(&pack);
            drop(p.parse(x).unwrap());
        }
        t_type.push(t.elapsed().as_secs_f64());
    }
    let (tp, tf, tt) = (median(&t_pack), median(&t_find), median(&t_type));
    println!(
        "a projection per record type would keep {:.1}%; parse time against the pack's projection \
         (median of 3): per-type projection {:.2}x, finding the type first {:.2}x, both {:.2}x\n",
        100.0 * k as f64 / all.max(1) as f64,
        tt / tp,
        tf / tp,
        (tt + tf) / tp
    );
}

fn main() {
    let a = args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let reg = pounce::standard_registry();
    std::fs::create_dir_all(&a.dir).unwrap();

    let t = Instant::now();
    let (seed_rules, bad) = pounce::panther::load_paths(&[root.join(SEED_POLICY)], &reg);
    assert!(bad.is_empty() && seed_rules.len() == 1, "seed policy");
    let (pack_rules, bad) = pounce::panther::load_paths(&[root.join("policies")], &reg);
    assert!(bad.is_empty(), "invalid rule files in policies/");
    let w2_data = mixed_resources(&pack_rules, a.records, 2);
    let n_rules = pack_rules.len();
    let mut work = vec![
        Workload {
            name: "W1",
            data: ndjson(a.records, security_group, 1),
            records: a.records,
            pack: Pack::new(seed_rules),
            file: a.dir.join("w1.ndjson"),
            python: a.python,
        },
        Workload {
            name: "W2",
            data: w2_data,
            records: a.records,
            pack: Pack::new(pack_rules),
            file: a.dir.join("w2.ndjson"),
            python: false,
        },
    ];
    for w in &work {
        std::fs::write(&w.file, &w.data).unwrap();
    }
    println!(
        "generated {} records per workload in {:.1}s; W1 {:.1} MB, W2 {:.1} MB ({} rules); files in {}",
        a.records,
        t.elapsed().as_secs_f64(),
        work[0].data.len() as f64 / 1e6,
        work[1].data.len() as f64 / 1e6,
        n_rules,
        a.dir.display()
    );

    let env = Env::system();
    let pool1 = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let pool2 = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    if work[0].python && python_ref(&work[0].file).is_none() {
        println!("python3 (or benches/reference.py) unavailable: no Python reference");
        work[0].python = false;
    }
    if a.profile_rules {
        profile_rules(&work[1], &env);
    }

    let mut tsv =
        String::from("workload\tmeasure\tseconds\tcpu_seconds\trecords\tbytes\tfindings\n");
    println!(
        "median of {} interleaved repetitions; ratios against baselines of this run: \
         baseline time / this time, by wall-clock and by CPU time (higher is faster); \
         cores: CPU time / wall time (below 1: the machine was busy)\n",
        a.reps
    );
    println!(
        "{:<3} {:<16} {:>8} {:>8} {:>5} {:>11} {:>7} {:>9} {:>9} {:>9} {:>9} {:>8}",
        "",
        "measure",
        "wall s",
        "cpu s",
        "cores",
        "records/s",
        "MB/s",
        "/serde",
        "/serde",
        "/python",
        "/python",
        "findings"
    );
    println!(
        "{:<3} {:<16} {:>8} {:>8} {:>5} {:>11} {:>7} {:>9} {:>9} {:>9} {:>9} {:>8}",
        "", "", "", "", "", "", "", "wall", "cpu", "wall", "cpu", ""
    );
    for w in &work {
        if !a.workloads.is_empty() && !a.workloads.iter().any(|x| x == w.name) {
            continue;
        }
        let bytes = w.data.len();
        let names: Vec<&str> = MEASURES
            .iter()
            .copied()
            .filter(|n| *n != "python_ref" || w.python)
            // Keep the baseline so ratios still make sense.
            .filter(|n| {
                a.measures.is_empty()
                    || (*n == "serde_value" && !a.bare)
                    || a.measures.iter().any(|m| m == n)
            })
            .collect();
        let mut wall: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
        let mut cpu: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
        let mut findings: Vec<Option<usize>> = vec![None; names.len()];
        for _ in 0..a.reps {
            for (i, name) in names.iter().enumerate() {
                let (s, c, f) = measure(name, w, &env, &pool1, &pool2);
                wall[i].push(s);
                cpu[i].push(c);
                if let Some(f) = f {
                    if let Some(prev) = findings[i] {
                        assert_eq!(prev, f, "{name}: findings changed between repetitions");
                    }
                    findings[i] = Some(f);
                }
            }
        }
        // Every evaluating measure must agree on the findings.
        let expected = findings.iter().flatten().next().copied();
        for (i, f) in findings.iter().enumerate() {
            if let (Some(f), Some(e)) = (f, expected) {
                assert_eq!(*f, e, "{} {}: findings differ", w.name, names[i]);
            }
        }
        let med: Vec<f64> = wall.iter().map(|t| median(t)).collect();
        let med_cpu: Vec<f64> = cpu.iter().map(|t| median(t)).collect();
        let at = |n: &str| names.iter().position(|x| *x == n);
        let ratio = |base: Option<usize>, of: &[f64], i: usize| {
            base.map_or_else(
                || "-".to_string(),
                |b| format!("{:.2}x", of[b] / of[i].max(1e-9)),
            )
        };
        let (serde, python) = (at("serde_value"), at("python_ref"));
        for (i, name) in names.iter().enumerate() {
            let s = med[i];
            println!(
                "{:<3} {:<16} {:>8.3} {:>8.3} {:>5.2} {:>11.0} {:>7.1} {:>9} {:>9} {:>9} {:>9} {:>8}",
                w.name,
                name,
                s,
                med_cpu[i],
                med_cpu[i] / s.max(1e-9),
                w.records as f64 / s,
                bytes as f64 / 1e6 / s,
                ratio(serde, &med, i),
                ratio(serde, &med_cpu, i),
                ratio(python, &med, i),
                ratio(python, &med_cpu, i),
                findings[i].map_or_else(|| "-".to_string(), |f| f.to_string())
            );
            tsv.push_str(&format!(
                "{}\t{}\t{:.6}\t{:.6}\t{}\t{}\t{}\n",
                w.name,
                name,
                s,
                med_cpu[i],
                w.records,
                bytes,
                findings[i].map_or_else(|| "-".to_string(), |f| f.to_string())
            ));
        }
        if let (Some(i1), Some(i2)) = (at("pounce_1t"), at("pounce_2t")) {
            print!(
                "{:<3} two threads / one thread: {:.2}x wall; CPU of two threads / one: {:.2}x",
                w.name,
                med[i1] / med[i2],
                med_cpu[i2] / med_cpu[i1].max(1e-9)
            );
            // The reader and the sink stay on one thread (overlapped with evaluation): with two
            // free cores, the speed-up is at most T1 / max(reader, T1 / 2).
            if let Some(is) = at("stream_only") {
                let (t1, seq) = (med_cpu[i1], med_cpu[is].min(med_cpu[i1]));
                print!(
                    "; reader {:.0}% of one thread's CPU, bound {:.2}x",
                    100.0 * seq / t1.max(1e-9),
                    t1 / seq.max(t1 / 2.0).max(1e-9)
                );
            }
            println!();
        }
        println!();
    }
    let mut f = std::fs::File::create(a.dir.join("throughput.tsv")).unwrap();
    f.write_all(tsv.as_bytes()).unwrap();
}
