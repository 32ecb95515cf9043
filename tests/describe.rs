//! `pounce describe` and `pounce coverage` end to end: golden (insta) snapshots of every format
//! on the seed policy and on the fixture pack (tests/describe_fixtures/pack: four rules over
//! six tactics, one unknown technique, one rule without ATT&CK mapping, one rule full of
//! characters that need escaping), the static site, exit codes, and checks that every HTML
//! page is well formed, escapes what the rule file says and loads nothing from elsewhere.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{SEED, pounce, root};
use std::path::{Path, PathBuf};

const PACK: &str = "tests/describe_fixtures/pack";
const BROKEN: &str = "tests/describe_fixtures/broken";
const ESCAPES: &str = "tests/describe_fixtures/pack/cloudtrail_stopped.yml";

/// Runs a command that must succeed silently on stderr; returns stdout.
fn ok(args: &[&str]) -> String {
    let r = pounce(args);
    assert_eq!(r.code, 0, "{args:?}: stderr: {}", r.stderr);
    assert_eq!(r.stderr, "", "{args:?}");
    r.stdout
}

/// A fresh folder for a site.
fn temp_dir(name: &str) -> PathBuf {
    common::fresh_dir("describe", name)
}

fn pack_files() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join(PACK))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yml"))
        .collect();
    files.sort();
    files
}

// ---------------------------------------------------------------------------------------------
// HTML checks

const VOID: &[&str] = &["meta", "br", "input", "link", "img", "hr", "wbr", "source"];

/// A small well-formedness check: every tag closed in order (void elements aside), attribute
/// values quoted, no stray `<` and no `&` that is not an entity in text or attributes, a
/// doctype, one `<html>`, a `<title>` and a Content-Security-Policy.
fn assert_well_formed(name: &str, page: &str) {
    assert!(page.starts_with("<!DOCTYPE html>\n"), "{name}: doctype");
    assert!(page.contains("<meta charset=\"utf-8\">"), "{name}: charset");
    assert!(
        page.contains("http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"),
        "{name}: CSP"
    );
    assert_eq!(page.matches("<html").count(), 1, "{name}: one html element");
    assert_eq!(page.matches("<title>").count(), 1, "{name}: one title");
    let mut stack: Vec<String> = Vec::new();
    let mut rest = page.strip_prefix("<!DOCTYPE html>").unwrap();
    while let Some(lt) = rest.find('<') {
        check_text(name, &rest[..lt]);
        rest = &rest[lt..];
        let gt = rest
            .find('>')
            .unwrap_or_else(|| panic!("{name}: unclosed tag"));
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        if let Some(closing) = tag.strip_prefix('/') {
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("{name}: stray </{closing}>"));
            assert_eq!(open, closing, "{name}: </{closing}> closes <{open}>");
            continue;
        }
        let tag_name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(
            !tag_name.is_empty(),
            "{name}: `<` that starts no tag: <{tag}>"
        );
        check_attributes(name, &tag[tag_name.len()..]);
        if tag_name == "script" || tag_name == "style" {
            let end = format!("</{tag_name}>");
            let close = rest
                .find(&end)
                .unwrap_or_else(|| panic!("{name}: unclosed {tag_name}"));
            rest = &rest[close + end.len()..];
            continue;
        }
        if !VOID.contains(&tag_name.as_str()) {
            stack.push(tag_name);
        }
    }
    check_text(name, rest);
    assert!(stack.is_empty(), "{name}: unclosed elements {stack:?}");
}

fn check_text(name: &str, text: &str) {
    assert!(!text.contains('>'), "{name}: raw `>` in text: {text:?}");
    check_entities(name, text);
}

fn check_entities(name: &str, s: &str) {
    for (i, _) in s.match_indices('&') {
        let tail = &s[i + 1..];
        let ent: String = tail
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '#')
            .collect();
        assert!(
            !ent.is_empty() && tail[ent.len()..].starts_with(';'),
            "{name}: `&` that is not an entity: {:?}",
            &s[i..(i + 20).min(s.len())]
        );
    }
}

/// Attributes: `name="value"` pairs (or bare names), values without `<` or raw `&`.
fn check_attributes(name: &str, attrs: &str) {
    let mut rest = attrs.trim();
    while !rest.is_empty() {
        let n: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        assert!(!n.is_empty(), "{name}: bad attribute syntax in {attrs:?}");
        rest = &rest[n.len()..];
        if let Some(v) = rest.strip_prefix("=\"") {
            let end = v.find('"').unwrap();
            let value = &v[..end];
            assert!(!value.contains('<'), "{name}: `<` in attribute {n}");
            check_entities(name, value);
            rest = &v[end + 1..];
        } else {
            assert!(!rest.starts_with('='), "{name}: unquoted attribute {n}");
        }
        rest = rest.trim_start();
    }
}

/// No asset is loaded from anywhere: no `src`, `srcset`, `poster`, `data` or `action`
/// attribute, no `<link>`, no `<iframe>`/`<object>`/`<embed>`, no CSS `url(` or `@import`;
/// an `http(s)` (or protocol-relative) `href` only on `<a>` (a link a person follows, not an
/// asset), and only `http(s)` links at all (never `javascript:`).
fn assert_self_contained(name: &str, page: &str) {
    for bad in [
        " src=", " srcset=", " poster=", " data=", " action=", "<link", "<iframe", "<object",
        "<embed", "url(", "@import",
    ] {
        assert!(!page.contains(bad), "{name}: contains {bad}");
    }
    for (i, _) in page.match_indices("href=\"") {
        let value = &page[i + 6..];
        let value = &value[..value.find('"').unwrap()];
        let tag_start = page[..i].rfind('<').unwrap();
        let tag = &page[tag_start..i];
        let lower = value.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("//")
        {
            assert!(tag.starts_with("<a "), "{name}: external href on {tag}");
        } else {
            assert!(!lower.contains(':'), "{name}: href with a scheme: {value}");
        }
    }
}

fn assert_html(name: &str, page: &str) {
    assert_well_formed(name, page);
    assert_self_contained(name, page);
}

#[test]
fn the_html_checks_catch_mistakes() {
    let shell = |body: &str| {
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"><title>t</title></head><body>{body}</body></html>\n"
        )
    };
    assert_html(
        "good",
        &shell("<p>a &amp; b <a href=\"https://x\">x</a><br></p>"),
    );
    for bad in [
        "<p>a & b</p>",
        "<div><p></div>",
        "<p>1 < 2</p>",
        "<p>2 > 1</p>",
        "<p>x",
        "<p class=x>y</p>",
        "<img src=\"https://x/y.png\">",
        "<link rel=\"stylesheet\" href=\"https://x/y.css\">",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<style>@import 'https://x/y.css';</style>",
        "<div style=\"background:url(https://x)\"></div>",
    ] {
        let page = shell(bad);
        let caught = std::panic::catch_unwind(|| assert_html("bad", &page)).is_err();
        assert!(caught, "not caught: {bad}");
    }
}

// ---------------------------------------------------------------------------------------------
// describe: the seed policy

#[test]
fn describe_seed_markdown() {
    let out = ok(&["describe", SEED]);
    // The issue's examples, verbatim.
    assert!(out.contains("| Tactic | Techniques |\n|---|---|\n| Exfiltration | [T1567](https://attack.mitre.org/techniques/T1567/) Exfiltration Over Web Service |\n"));
    assert!(out.contains(
        "| Suppressed when | Excluded values |\n|---|---|\n| `IpPermissionsEgress is_null` | — |\n"
    ));
    assert!(out.contains("| PCI | 1.1.4, 1.3.2 |"));
    assert!(out.contains(
        "```\nIpPermissionsEgress not is_null\nand egress_allows_all_ports(IpPermissionsEgress)\n```"
    ));
    assert!(out.contains("imperative logic that the condition language does not express"));
    // Sections in the order of the issue.
    let order = [
        "# AWS Security Group Restricts Outbound Traffic",
        "## MITRE ATT&CK",
        "## Reports, tags and references",
        "## Detection logic",
        "## Exclusions",
        "## Rule body",
        "## Tests",
    ];
    let positions: Vec<usize> = order.iter().map(|h| out.find(h).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    // The body is the file as written.
    let text = std::fs::read_to_string(root().join(SEED)).unwrap();
    assert!(out.contains(text.trim_end()));
    insta::assert_snapshot!("describe_seed_markdown", out);
}

/// docs/DESCRIBE.md shows an excerpt of the seed policy's page: each part between `…` lines is
/// taken verbatim from the real output.
#[test]
fn the_readme_excerpt_is_real_output() {
    let doc = std::fs::read_to_string(root().join("docs/DESCRIBE.md")).unwrap();
    let excerpt = doc.split("## README excerpt").nth(1).unwrap();
    let block = excerpt.split("````markdown\n").nth(1).unwrap();
    let block = &block[..block.find("\n````").unwrap()];
    let (command, page) = block.split_once('\n').unwrap();
    assert_eq!(command, format!("$ pounce describe {SEED}"));
    let out = ok(&["describe", SEED]);
    let mut from = 0;
    for part in page.split("\n…\n") {
        let at = out[from..]
            .find(part.trim_end())
            .unwrap_or_else(|| panic!("not in the output (in order): {part}"));
        from += at + part.trim_end().len();
    }
}

#[test]
fn markdown_is_the_default_format() {
    assert_eq!(
        ok(&["describe", SEED]),
        ok(&["describe", SEED, "--format", "markdown"])
    );
}

#[test]
fn describe_seed_html() {
    let out = ok(&["describe", SEED, "--format", "html"]);
    assert_html("seed", &out);
    assert!(
        out.contains("<tr><td>Exfiltration</td><td><a href=\"https://attack.mitre.org/techniques/T1567/\" rel=\"noopener noreferrer\">T1567</a> Exfiltration Over Web Service</td></tr>")
    );
    assert!(out.contains("<tr><td><code>IpPermissionsEgress is_null</code></td><td></td></tr>"));
    assert!(!out.contains("<script"), "a rule page needs no script");
    insta::assert_snapshot!("describe_seed_html", out);
}

#[test]
fn describe_seed_json() {
    let out = ok(&["describe", SEED, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], 1);
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "version",
            "id",
            "title",
            "display_name",
            "kind",
            "severity",
            "enabled",
            "types",
            "description",
            "file",
            "attack",
            "reports",
            "tags",
            "runbook",
            "reference",
            "body",
            "condition",
            "exclusions",
            "tests"
        ],
        "documented in docs/DESCRIBE.md"
    );
    assert_eq!(v["attack"][0]["tactic"]["name"], "Exfiltration");
    assert_eq!(v["attack"][0]["techniques"][0]["id"], "T1567");
    assert_eq!(v["exclusions"][0]["kind"], "is_null");
    assert_eq!(
        v["condition"]["natives"][0]["name"],
        "egress_allows_all_ports"
    );
    insta::assert_snapshot!("describe_seed_json", out);
}

// ---------------------------------------------------------------------------------------------
// describe: the fixture pack

#[test]
fn describe_pack_markdown() {
    for f in pack_files() {
        let path = format!("{PACK}/{f}");
        let out = ok(&["describe", &path]);
        insta::assert_snapshot!(
            format!("describe_pack_{}_markdown", f.trim_end_matches(".yml")),
            out
        );
    }
}

#[test]
fn describe_pack_html_and_json() {
    for f in pack_files() {
        let path = format!("{PACK}/{f}");
        let page = ok(&["describe", &path, "--format", "html"]);
        assert_html(&f, &page);
        let json = ok(&["describe", &path, "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["version"], 1);
        if f == "console_login_without_mfa.yml" {
            insta::assert_snapshot!("describe_pack_console_login_json", json);
        }
        if f == "cloudtrail_stopped.yml" {
            insta::assert_snapshot!("describe_pack_cloudtrail_stopped_html", page);
        }
    }
}

#[test]
fn unknown_technique_is_shown_not_dropped() {
    let out = ok(&["describe", &format!("{PACK}/console_login_without_mfa.yml")]);
    assert!(out.contains("| Initial Access | [T1078.004](https://attack.mitre.org/techniques/T1078/004/) Valid Accounts: Cloud Accounts |"));
    assert!(out.contains("| Credential Access | T9999 (unknown technique) |"));
    let json = ok(&[
        "describe",
        &format!("{PACK}/console_login_without_mfa.yml"),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["attack"][1]["techniques"][0]["status"], "unknown");
}

#[test]
fn conjunct_lines_keep_or_parenthesised() {
    let out = ok(&["describe", &format!("{PACK}/console_login_without_mfa.yml")]);
    assert!(out.contains(
        "```\neventName == \"ConsoleLogin\"\nand additionalEventData.MFAUsed != \"Yes\"\nand userIdentity.type not in [\"AssumedRole\",\"AWSService\"]\nand ((responseElements.ConsoleLogin == \"Success\") or (errorCode is_null))\n```"
    ));
    assert!(
        out.contains("| `additionalEventData.MFAUsed == \"Yes\"` | `Yes` |"),
        "{out}"
    );
    assert!(out.contains("| `userIdentity.type in [\"AssumedRole\",\"AWSService\"]` | `AssumedRole`, `AWSService` |"), "{out}");
}

#[test]
fn user_text_is_escaped() {
    let md = ok(&["describe", ESCAPES]);
    assert!(md.starts_with("# CloudTrail \\<Stopped> | Deleted & \"Logging\" Off\n"));
    assert!(md.contains("| CIS | 3.1, 3.2 \\| 3.3 |"), "pipes in cells");
    assert!(md.contains("| Sandbox trail \\| deleted | false (no alert) |"));
    assert!(
        md.contains("`Defense Evasion|Impair Defenses`"),
        "code spans stay literal"
    );

    let page = ok(&["describe", ESCAPES, "--format", "html"]);
    assert_html("escapes", &page);
    assert!(!page.contains("<script>alert"));
    assert!(!page.contains("<Stopped>"));
    assert!(page.contains(
        "<title>CloudTrail &lt;Stopped&gt; | Deleted &amp; &quot;Logging&quot; Off</title>"
    ));
    assert!(page.contains("<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>"));
    assert!(
        !page.contains("href=\"javascript"),
        "only http(s) references become links"
    );
    assert!(page.contains("<dt>Reference</dt><dd>javascript:alert(1)</dd>"));

    let seed = ok(&["describe", SEED, "--format", "html"]);
    assert!(seed.contains(
        "<a href=\"https://docs.aws.amazon.com/cli/latest/userguide/cli-services-ec2-sg.html\" rel=\"noopener noreferrer\">"
    ));
}

// ---------------------------------------------------------------------------------------------
// describe --site

fn read_site(dir: &Path) -> Vec<(String, String)> {
    let mut pages: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        // The site's list of its own pages is not a page.
        .filter(|e| e.as_ref().is_ok_and(|e| e.file_name() != ".pounce-site"))
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect();
    pages.sort();
    pages
}

#[test]
fn site_of_the_pack() {
    let dir = temp_dir("pack");
    let r = pounce(&["describe", "--site", dir.to_str().unwrap(), PACK]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr, "");
    let pages = read_site(&dir);
    let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "coverage.html",
            "fixture.cloudtrail.stopped.html",
            "fixture.console.loginwithoutmfa.html",
            "fixture.s3.bucket.publicread.html",
            "fixture.securitygroup.defaulthasingress.html",
            "index.html"
        ]
    );
    for (name, page) in &pages {
        assert_html(name, page);
        // Every local link points at a page of the site.
        for (i, _) in page.match_indices("href=\"") {
            let v = &page[i + 6..];
            let target = v[..v.find('"').unwrap()].split('#').next().unwrap();
            if !target.starts_with("http") {
                assert!(names.contains(&target), "{name}: broken link {target}");
            }
        }
    }
    let page = |n: &str| &pages.iter().find(|(p, _)| p == n).unwrap().1;
    // Linked both ways.
    let index = page("index.html");
    for (name, p) in pages.iter().filter(|(n, _)| n.starts_with("fixture.")) {
        assert!(
            index.contains(&format!("<a href=\"{name}\">")),
            "index → {name}"
        );
        assert!(
            p.contains("<a href=\"index.html\">&larr; All rules</a>"),
            "{name} → index"
        );
    }
    assert!(page("coverage.html").contains("<a href=\"fixture.s3.bucket.publicread.html\""));
    // Search and filters.
    assert!(index.contains("<input id=\"q\" type=\"search\""));
    assert!(index.contains("<option value=\"Critical\">Critical</option>"));
    assert!(index.contains("<option value=\"tactic-ta0006\">Credential Access</option>"));
    assert!(index.contains("<option value=\"unmapped\">No ATT&amp;CK mapping</option>"));
    assert!(index.contains("data-search=\"fixture.cloudtrail.stopped cloudtrail &lt;stopped&gt; | deleted &amp; &quot;logging&quot; off aws defense evasion|impair defenses &lt;script&gt;alert(1)&lt;/script&gt;"), "{index}");
    insta::assert_snapshot!("describe_site_pack_index", index);
    insta::assert_snapshot!("describe_site_pack_coverage", page("coverage.html"));
    insta::assert_snapshot!(
        "describe_site_pack_rule_page",
        page("fixture.console.loginwithoutmfa.html")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn site_of_the_seed_policy() {
    let dir = temp_dir("seed");
    let r = pounce(&["describe", "--site", dir.to_str().unwrap(), SEED]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("wrote 1 rule page, index.html and coverage.html to ")
    );
    let pages = read_site(&dir);
    let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "aws.securitygroup.restrictsoutboundtraffic.html",
            "coverage.html",
            "index.html"
        ]
    );
    for (name, p) in &pages {
        assert_html(name, p);
    }
    // The site's page is the stand-alone page plus navigation.
    let standalone = ok(&["describe", SEED, "--format", "html"]);
    let site_page = &pages[0].1;
    assert!(site_page.contains("<nav><a href=\"index.html\">&larr; All rules</a> &middot; <a href=\"coverage.html\">ATT&amp;CK coverage</a></nav>"));
    assert!(site_page.contains("<a href=\"coverage.html#tactic-ta0010\">Exfiltration</a>"));
    assert_eq!(
        standalone
            .lines()
            .filter(|l| l.starts_with("<tr><td>Security"))
            .count(),
        site_page
            .lines()
            .filter(|l| l.starts_with("<tr><td>Security"))
            .count()
    );
    insta::assert_snapshot!("describe_site_seed_index", &pages[2].1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn site_builds_the_rest_when_a_file_is_invalid() {
    let dir = temp_dir("broken");
    let r = pounce(&["describe", "--site", dir.to_str().unwrap(), PACK, BROKEN]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        "pounce: invalid rule file tests/describe_fixtures/broken/invalid_severity.yml:3:11: invalid `Severity` `Urgent` (see `pounce lint tests/describe_fixtures/broken/invalid_severity.yml`)\n"
    );
    assert_eq!(
        read_site(&dir).len(),
        6,
        "four rule pages, index and coverage"
    );
    let coverage = std::fs::read_to_string(dir.join("coverage.html")).unwrap();
    assert!(coverage.contains("1 rule file could not be loaded and is not counted: <code>tests/describe_fixtures/broken/invalid_severity.yml</code>."));
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------
// coverage

#[test]
fn coverage_of_the_seed_policy() {
    let md = ok(&["coverage", SEED]);
    assert!(md.contains("| T1567 Exfiltration Over Web Service (1 rule) |"));
    insta::assert_snapshot!("describe_coverage_seed_markdown", md);
    let page = ok(&["coverage", SEED, "--format", "html"]);
    assert_html("coverage seed", &page);
    insta::assert_snapshot!("describe_coverage_seed_html", page);
    let json = ok(&["coverage", SEED, "--format", "json"]);
    insta::assert_snapshot!("describe_coverage_seed_json", json);
}

#[test]
fn coverage_of_the_pack() {
    let md = ok(&["coverage", PACK]);
    // Tactics as columns in kill-chain order.
    assert!(md.contains("| Reconnaissance | Resource Development | Initial Access | Execution | Persistence | Privilege Escalation | Defense Evasion | Credential Access | Discovery | Lateral Movement | Collection | Command and Control | Exfiltration | Impact |"));
    assert!(md.contains(
        "| Credential Access | T9999 (unknown technique) | `Fixture.Console.LoginWithoutMFA` |"
    ));
    assert!(md.contains("## Rules without ATT&CK mapping\n\n- `Fixture.SecurityGroup.DefaultHasIngress`: Default Security Group Has Ingress Rules\n"));
    insta::assert_snapshot!("describe_coverage_pack_markdown", md);

    let page = ok(&["coverage", PACK, "--format", "html"]);
    assert_html("coverage pack", &page);
    assert!(page.contains("<section class=\"tactic\" id=\"tactic-ta0009\">"));
    assert!(page.contains("<span class=\"unknown\">T9999 (unknown technique)</span>"));
    insta::assert_snapshot!("describe_coverage_pack_html", page);

    let json = ok(&["coverage", PACK, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["rules"], 4);
    assert_eq!(v["mapped_rules"], 3);
    assert_eq!(
        v["unmapped_rules"][0],
        "Fixture.SecurityGroup.DefaultHasIngress"
    );
    let tactics: Vec<&str> = v["tactics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tactic"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        tactics,
        [
            "TA0043", "TA0042", "TA0001", "TA0002", "TA0003", "TA0004", "TA0005", "TA0006",
            "TA0007", "TA0008", "TA0009", "TA0011", "TA0010", "TA0040"
        ]
    );
    insta::assert_snapshot!("describe_coverage_pack_json", json);
}

#[test]
fn coverage_counts_the_rest_when_a_file_is_invalid() {
    let r = pounce(&["coverage", PACK, BROKEN, "--format", "json"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("invalid_severity.yml:3:11"));
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["rules"], 4);
    assert_eq!(
        v["invalid_files"][0],
        "tests/describe_fixtures/broken/invalid_severity.yml"
    );
}

// ---------------------------------------------------------------------------------------------
// exit codes

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["describe"][..],
        &["describe", SEED, ESCAPES],
        &["describe", PACK],
        &["describe", "no/such/file.yml"],
        &["describe", SEED, "--format", "pdf"],
        &["describe", "--site", "target/no-site", "--format", "json"],
        &["describe", "--site", "target/no-site", "no/such/folder"],
        &["coverage", "no/such/folder"],
        &["coverage", "--format", "csv"],
    ] {
        let r = pounce(args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert_eq!(r.stdout, "", "{args:?}");
        assert!(!r.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn an_invalid_rule_file_exits_1() {
    let r = pounce(&["describe", &format!("{BROKEN}/invalid_severity.yml")]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("invalid `Severity` `Urgent`"));
}

#[test]
fn help_shows_both_forms_and_exit_codes() {
    let out = ok(&["describe", "--help"]);
    assert!(out.contains("pounce describe RULE_FILE [--format markdown|html|json]"));
    assert!(out.contains("pounce describe --site OUT_DIR [PATH...]"));
    assert!(out.contains("Exit codes: 0 ok; 1 a rule file is invalid"));
    assert!(ok(&["coverage", "--help"]).contains("Exit codes: 0 ok;"));
}

/// The page reads as the issue asked: detection logic before the rule body, technique ids and
/// runbook URLs linked, exclusion rows as predicates; the site's search covers techniques and
/// tactics, and a rebuild removes only its own pages of rules that left the pack.
#[test]
fn pages_link_order_and_site_upkeep() {
    let md = ok(&[
        "describe",
        "rules/aws_cloudtrail/aws_console_login_without_mfa.yml",
    ]);
    let logic = md.find("## Detection logic").unwrap();
    assert!(logic < md.find("## Rule body").unwrap());
    assert!(
        md.contains("[T1078](https://attack.mitre.org/techniques/T1078/) Valid Accounts"),
        "{md}"
    );
    assert!(md.contains("- **Runbook:** <https://"), "{md}");
    assert!(!md.contains("| not |"), "{md}");
    assert!(
        !md.contains("not in the native registry"),
        "udm is a registered function"
    );
    let site = common::fresh_dir("describe", "upkeep");
    let s = site.to_str().unwrap();
    let r = pounce(&["describe", "--site", s, "rules/"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(
        index.contains("t1098 account manipulation"),
        "T1098 is searchable"
    );
    assert!(
        index.contains(" persistence "),
        "tactic names are searchable"
    );
    std::fs::write(site.join("mine.html"), "kept").unwrap();
    let pages = std::fs::read_dir(&site).unwrap().count();
    let r = pounce(&[
        "describe",
        "--site",
        s,
        "rules/aws_cloudtrail/aws_console_login_without_mfa.yml",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("removed"), "{}", r.stderr);
    let left: Vec<String> = std::fs::read_dir(&site)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        left.len() < pages && left.contains(&"mine.html".to_string()),
        "{left:?}"
    );
    assert_eq!(
        left.iter().filter(|n| n.ends_with(".html")).count(),
        4,
        "{left:?}"
    );
}
