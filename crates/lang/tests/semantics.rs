//! The semantics of the condition language, written as a specification: each row says that a
//! condition holds (or not) over a document. Rows follow docs/LANGUAGE.md section by section.
//! Rows marked `// choice:` encode a rule the contract leaves open (or states only in passing)
//! and the reference documents the same choice. The rows that call a host's function are
//! pounce's tests/semantics.rs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![recursion_limit = "512"]

#[macro_use]
mod common;

use common::{cases, doc, table};
use serde_json::json;

// ---------------------------------------------------------------------------------------
// Comparisons, one block per operator; rows per {present value, null, missing, wrong type}.

#[test]
fn equality() {
    table(
        &doc(),
        &[
            // present
            ("n == 5", true),
            ("n == 6", false),
            ("s == \"Hello World\"", true),
            ("t == true", true),
            ("list == [1, 2, 3]", true),
            ("list == [1, 2.0, 3e0]", true), // deep equality, numbers by value
            ("list == [1, 2]", false),
            ("1 == 1.0", true),
            ("f == 1.5", true),
            ("1.5e3 == 1500", true),
            ("big == 9007199254740993", true), // numbers compare exactly, beyond 2^53
            ("big == 9007199254740992", false),
            ("big == 9007199254740992.0", false),
            ("n != 6", true),
            ("n != 5", false),
            // null
            ("z == null", true),
            ("z == 0", false),
            ("z != null", false),
            ("z != 0", true),
            // missing: not null, and a comparison with a missing operand is false
            ("m == null", false),
            ("m == m", false),
            ("m != null", true), // `!=` is exactly `not ==`
            ("m != 1", true),
            // wrong type: no string/number coercion
            ("num_s == 5", false),
            ("n == \"5\"", false),
            ("t == 1", false),
            ("num_s != 5", true),
            ("obj == null", false),
        ],
    );
}

#[test]
fn ordering() {
    table(
        &doc(),
        &[
            ("n < 6", true),
            ("n < 5", false),
            ("n <= 5", true),
            ("n > 4.5", true),
            ("n >= 5.0", true),
            ("neg < zero", true),
            ("big > 9007199254740992", true),
            ("s < \"Hello Xorld\"", true),
            ("\"B\" < \"a\"", true), // strings by code point, not locale
            ("\"é\" > \"z\"", true),
            ("s >= s", true),
            // null
            ("z < 1", false),
            ("z >= 0", false),
            ("not (z < 1)", true),
            // missing
            ("m < 1", false),
            ("m >= 1", false),
            ("not (m > 1)", true),
            // wrong type: a number and a string never compare
            ("num_s < 6", false),
            ("num_s >= 0", false),
            ("n > \"4\"", false),
            ("list > 0", false),
            ("t > fl", false), // booleans are not ordered
        ],
    );
}

#[test]
fn membership() {
    table(
        &doc(),
        &[
            ("n in [4, 5, 6]", true),
            ("n in [4, 6]", false),
            ("n in [5.0]", true),
            ("\"a\" in strs", true), // a list in the document
            ("\"b\" in strs", false),
            ("[2] in [[1], [2]]", true),
            ("n not in [4, 6]", true),
            ("n not in [5]", false),
            ("n in [4, 5, 6,]", true), // trailing comma
            ("n in []", false),
            // null is a value like any other
            ("z in [null]", true),
            ("z in [1]", false),
            ("z not in [1]", true),
            ("1 in z", false),
            // missing
            ("m in [null]", false),
            ("m not in [null]", true),
            ("1 in m", false),
            ("1 not in m", true),
            // wrong type: the right side is not a list
            ("\"ell\" in s", false),
            ("\"k\" in obj", false), // choice: `in` never looks at object keys
            ("n in 5", false),
            ("n not in 5", true),
            ("num_s in list", false),
        ],
    );
}

#[test]
fn string_operators() {
    table(
        &doc(),
        &[
            ("s contains \"lo Wo\"", true),
            ("s contains \"xyz\"", false),
            ("s contains \"\"", true),
            ("list contains 2", true),
            ("list contains 2.0", true),
            ("strs contains \"a\"", true),
            ("strs contains \"b\"", false), // list contains is element equality, not substring
            ("s not contains \"xyz\"", true),
            ("s starts_with \"Hell\"", true),
            ("s starts_with \"World\"", false),
            ("s ends_with \"World\"", true),
            ("s not starts_with \"x\"", true),
            ("s not ends_with \"World\"", false),
            ("s starts_with \"\"", true),
            ("s starts_with \"hell\"", false), // case-sensitive
            // null
            ("z contains \"a\"", false),
            ("z not contains \"a\"", true),
            ("z starts_with \"\"", false),
            ("z ends_with \"\"", false),
            ("z not ends_with \"\"", true),
            ("s contains z", false),
            ("list contains null", false),
            ("some_null contains null", true),
            // missing
            ("m contains \"a\"", false),
            ("m not contains \"a\"", true),
            ("m starts_with \"a\"", false),
            ("m not starts_with \"a\"", true),
            ("s contains m", false),
            ("s starts_with m", false),
            // wrong type
            ("n contains 5", false),
            ("obj contains \"k\"", false),
            ("obj not contains \"k\"", true),
            ("s contains 1", false),
            ("n starts_with \"5\"", false),
            ("strs starts_with \"a\"", false),
            ("s ends_with 1", false),
        ],
    );
}

#[test]
fn regex_and_cidr() {
    table(
        &doc(),
        &[
            ("s matches \"^Hel+o\"", true),
            ("s matches \"o W\"", true), // unanchored search
            ("s matches \"^World\"", false),
            ("s matches \"(?i)^hello\"", true),
            ("s not matches \"^x\"", true),
            ("es matches \"^$\"", true),
            ("z matches \".*\"", false),
            ("z not matches \".*\"", true),
            ("m matches \".*\"", false),
            ("m not matches \".*\"", true),
            ("n matches \"5\"", false), // a number is not matched against its text
            ("strs matches \"a\"", false),
            ("ip in_cidr \"10.0.0.0/8\"", true),
            ("ip in_cidr \"10.1.2.3/32\"", true),
            ("ip in_cidr \"10.1.2.200/24\"", true), // host bits allowed in the literal
            ("ip in_cidr \"192.168.0.0/16\"", false),
            ("ip in_cidr [\"192.168.0.0/16\", \"10.0.0.0/8\"]", true),
            ("ip not in_cidr \"192.168.0.0/16\"", true),
            ("ip6 in_cidr \"2001:db8::/32\"", true),
            ("ip6 in_cidr \"0.0.0.0/0\"", false), // IPv4 and IPv6 never contain each other
            ("\"::ffff:10.1.2.3\" in_cidr \"10.0.0.0/8\"", false),
            ("ip in_cidr \"::/0\"", false),
            ("ip in_cidr cidrs", true), // document CIDRs, checked per document
            ("ip in_cidr cidr_s", true),
            ("\"172.16.0.1\" in_cidr cidrs", false), // `not a cidr` never matches
            ("ip in_cidr s", false),
            ("z in_cidr \"0.0.0.0/0\"", false),
            ("z not in_cidr \"0.0.0.0/0\"", true),
            ("ip in_cidr z", false),
            ("m in_cidr \"0.0.0.0/0\"", false),
            ("m not in_cidr \"0.0.0.0/0\"", true),
            ("ip in_cidr m", false),
            ("cidr_s in_cidr \"0.0.0.0/0\"", false), // the left side must be a plain address
            ("n in_cidr \"0.0.0.0/0\"", false),
            ("s in_cidr \"0.0.0.0/0\"", false),
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Postfix tests.

#[test]
fn tests_exists_is_null_is_empty() {
    table(
        &doc(),
        &[
            ("n exists", true),
            ("z exists", true), // null exists
            ("m exists", false),
            ("list[5] exists", false),
            ("s.k exists", false), // a key on a non-object is missing
            ("list.k exists", false),
            ("n not exists", false),
            ("m not exists", true),
            ("z is_null", true),
            ("m is_null", true), // missing and null alike
            ("n is_null", false),
            ("fl is_null", false),
            ("z not is_null", false),
            ("n not is_null", true),
            ("es is_empty", true),
            ("el is_empty", true),
            ("eo is_empty", true),
            ("z is_empty", true),
            ("m is_empty", true),
            ("s is_empty", false),
            ("list is_empty", false),
            ("zero is_empty", false), // 0 and false are not empty
            ("fl is_empty", false),
            ("s not is_empty", true),
            ("m not is_empty", false),
            ("null is_null", true),
            ("\"\" is_empty", true),
            ("[] is_empty", true),
            ("[null] is_empty", false),
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Arithmetic.

#[test]
fn arithmetic() {
    table(
        &doc(),
        &[
            ("n + 1 == 6", true),
            ("n - 7 == -2", true),
            ("n * 2 == 10", true),
            ("n / 2 == 2.5", true),
            ("7 / 2 == 3.5", true), // true division
            ("6 / 3 == 2", true),
            ("-n == -5", true),
            ("-neg == 3", true),
            ("- -n == 5", true),
            ("-(n + 1) == -6", true),
            ("1 + 2 * 3 == 7", true),
            ("(1 + 2) * 3 == 9", true),
            ("10 - 2 - 3 == 5", true), // left associative
            ("12 / 2 / 3 == 2", true),
            ("-2 * 3 == -6", true),
            ("n-1 == 4", true), // `-` between operands is subtraction
            ("f * 2 == 3", true),
            // choice: integer arithmetic stays exact when the result is an integer
            ("9007199254740992 + 1 == 9007199254740993", true),
            ("big - 1 == 9007199254740992", true),
            ("0.1 + 0.2 == 0.3", false), // non-integers are 64-bit floats, compared exactly
            ("9223372036854775807 + 1 > 9223372036854775807", true), // i64 overflow falls back to f64
            // division by zero and non-finite results are undefined
            ("n / 0 exists", false),
            ("n / 0 is_null", true), // tests on undefined behave as on missing
            ("n / 0 == n / 0", false),
            ("n / 0 != 1", true),
            ("not (n / 0 > 1)", true),
            ("0 / 0 exists", false),
            ("n / zero exists", false),
            ("1e308 * 10 exists", false),
            // null, missing and wrong types make it undefined
            ("z + 1 exists", false),
            ("z + 1 == 1", false),
            ("m + 1 exists", false),
            ("m + 1 is_null", true),
            ("-m exists", false),
            ("-z exists", false),
            ("num_s + 1 exists", false), // no coercion
            ("s + s exists", true),      // v2: `+` on two strings concatenates
            ("s + 1 exists", false),     // a string and a number: undefined, no coercion
            ("list * 2 exists", false),
            ("-s exists", false),
            ("t + 1 exists", false),
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Built-in functions and natives.

#[test]
fn functions() {
    table(
        &doc(),
        &[
            ("len(s) == 11", true),
            ("len(\"é😀\") == 2", true), // characters, not bytes
            ("len(list) == 3", true),
            ("len(obj) == 2", true),
            ("len(es) == 0", true),
            ("len(el) == 0", true),
            ("lower(s) == \"hello world\"", true),
            ("upper(s) == \"HELLO WORLD\"", true),
            ("lower(\"ÉCOLE\") == \"école\"", true), // Unicode case mapping
            ("len(z) exists", false),
            ("lower(z) exists", false),
            ("len(m) exists", false),
            ("upper(m) is_null", true),
            ("len(n) exists", false), // wrong type: undefined
            ("lower(n) exists", false),
            ("upper(list) exists", false),
            ("len(t) == 0", false),
            ("len(items[*].name) == 1", true), // per value
            ("lower(items[*].name) == \"y\"", true),
            ("len(lower(s)) == 11", true),
            ("len(s) + 1 == 12", true),
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Paths.

#[test]
fn paths() {
    table(
        &doc(),
        &[
            ("obj.k == \"v\"", true),
            ("deep.a.x == 1", true),
            ("deep.b[1].y.x == 3", true),
            ("list[0] == 1", true),
            ("list[-1] == 3", true), // negative counts from the end
            ("list[-3] == 1", true),
            ("list[-4] exists", false),
            ("list[3] exists", false),
            ("obj[0] exists", false), // an index on an object is missing
            ("list.k exists", false),
            ("keys.`a.b` == 1", true), // backticks quote keys with dots
            ("keys.`and` == 2", true), // and keywords
            ("keys.`@timestamp` == \"2024\"", true),
            ("keys.`with space` == 3", true),
            ("keys.`bucket-name` == \"b\"", true),
            ("`n` == 5", true),
            ("`s` starts_with \"H\"", true),
            ("android == 1", true), // keywords only as whole words
            ("order == 2", true),
            ("index == 3", true),
            ("nullable == 4", true),
            ("exists_flag", true),
            ("$.n == 5", true),
            ("$.obj.k == \"v\"", true),
            ("$['obj']['k'] == \"v\"", true), // choice: a `$` path of names and indexes is single-valued
            ("any($[\"list\"], @ == 2)", true), // single-valued too (regression: was multi-valued)
            ("any($['list'], @ == 2)", true),
            ("any($.list[*], @ == 2)", true),
            ("$.list[-1] == 3", true),
            ("$.list[1] == 2", true),
            ("$.keys.`with space` == 3", true),
            ("$ exists", true),
            ("$.m exists", false),
            ("$.m is_null", true),
            ("$.obj is_empty", false),
            ("$.list == [1, 2, 3]", true),
        ],
    );
}

#[test]
fn multi_valued_paths() {
    table(
        &doc(),
        &[
            ("items[*].b == 2", true), // some value
            ("items[*].b == 3", false),
            ("items[*].b > 1", true),
            ("items[*].b < 1", false),
            ("2 == items[*].b", true), // a multi-valued right side is existential too
            ("items[*].b == items[*].b", true),
            ("items[*].b in [2, 9]", true),
            ("items[*].name starts_with \"Y\"", true),
            ("items[*].b != 1", false), // choice: `!=` is `not ==`, so "no value equals"
            ("items[*].b != 7", true),
            ("items[*].b not in [1]", false),
            ("items[*].b exists", true),
            ("items[*].nope exists", false),
            // elements where the rest of the path is missing yield no value, not null
            ("items[*].b is_null", false),
            ("items[*].nope is_null", true), // no values at all
            ("items[*].nope is_empty", true),
            ("nulls[*] is_null", true), // every value is null
            ("some_null[*] is_null", false),
            ("some_null[*] not is_null", true),
            ("empties[*] is_empty", true),
            ("list[*] is_empty", false),
            ("obj[*] == \"v\"", true), // `[*]` on an object: its values
            ("obj[*] == 2", true),
            ("obj[*] == \"k\"", false),
            ("n[*] exists", false), // on a scalar: nothing
            ("m[*] exists", false),
            ("z[*] is_null", true),
            ("groups[*].members[*].name == \"cy\"", true),
            ("deep[*].x == 1", true),
            ("items[*].b + 1 == 3", true), // arithmetic per value
            ("-items[*].b == -2", true),
            ("flags[*]", true), // a bare multi-valued operand: some value is `true`
            ("noflags[*]", false),
            ("not noflags[*]", true),
            // JSONPath after `$`
            ("$..x == 3", true),
            ("$..x == 4", false),
            ("$..x > 2", true),
            ("$.list[*] == 3", true),
            ("$.items[*].name == \"x\"", true),
            ("$.Tags[?@.Key == 'env'].Value == \"prod\"", true),
            ("$.Tags[?@.Key == 'env'].Value == \"sec\"", false),
            ("$.Tags[?@.Key == 'nope'] exists", false),
            ("$.Tags[?@.Key == 'nope'] is_null", true),
            ("$.Tags[?@.Key == \"team\"].Value == \"sec\"", true),
            ("$.list[0:2] == 2", true),
            ("$.list[0:2] == 3", false),
            ("$..Key == \"team\"", true),
            ("$.nulls[*] is_null", true),
            ("$..nope exists", false),
            ("$.keys[*] == 3", true),
            ("$.deep..x == 2", true),
            // steps after a multi-valued JSONPath apply to each result (regression: were dropped)
            ("$.keys[?@ == 1].`x` exists", false),
            ("$..members[*].`name` == \"cy\"", true),
            ("$.groups[*].`members`[0].name == \"cy\"", true), // every step applies per result
            ("$.groups[*].`members`[1].name == \"cy\"", false),
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Quantifiers.

#[test]
fn quantifiers() {
    table(
        &doc(),
        &[
            ("any(list, @ == 2)", true),
            ("any(list, @ > 3)", false),
            ("all(list, @ > 0)", true),
            ("all(list, @ > 1)", false),
            ("none(list, @ > 3)", true),
            ("none(list, @ == 1)", false),
            ("any(items, b == 2)", true), // bare paths are relative to `@`
            ("any(items, @.b == 2)", true),
            ("all(items, b exists)", false),
            ("all(items, b exists or c exists)", true),
            ("any(items, name == \"Y\" and b == 2)", true),
            ("any(items, name == \"Y\" and c == 3)", false), // same element
            ("any(items, b == $.n - 3)", true),              // `$` still reaches the root
            ("any(items, $.n == 5)", true),
            ("any(items, `name` == \"x\")", true),
            ("any([1, 2, 3], @ == 3)", true),
            ("any(Tags, Key == \"env\" and Value == \"prod\")", true),
            ("any($.Tags[*], Key == \"team\")", true), // over a multi-valued path: its values
            ("any(items[*].b, @ == 2)", true),
            ("all(items[*].b, @ < 3)", true),
            ("any(groups[*].members, len(@) == 2)", true), // values are the lists themselves
            ("any(flags, @)", true),                       // bare body: true only for JSON `true`
            ("all(flags, @)", false),
            ("none(noflags, @)", true), // "true" and 1 are not `true`
            // nested: bare paths are relative to the innermost `@`
            ("any(groups, any(members, name == \"bob\"))", true),
            ("any(groups, all(members, on))", true),
            ("all(groups, all(members, on))", false),
            ("any(groups, name == \"devs\" and all(members, on))", true),
            (
                "any(groups, any(members, name == \"ann\" and $.n == 5))",
                true,
            ),
            ("any(groups, none(members, @.name == \"ann\"))", true),
            ("any(groups, any(members, name == \"admins\"))", false), // not the outer element
            // empty, missing, null, non-list
            ("any(el, true)", false),
            ("all(el, false)", true),
            ("none(el, true)", true),
            ("any(m, true)", false),
            ("all(m, false)", true),
            ("none(m, true)", true),
            ("any(z, true)", false),
            ("all(z, false)", true),
            ("any(s, true)", false),
            ("all(n, false)", true),
            ("any(obj, true)", false), // an object is not iterated
            ("all(obj, false)", true),
            ("none(obj, true)", true),
            ("any(items[*].nope, true)", false),
            ("all(items[*].nope, false)", true),
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Logic, truthiness and precedence.

#[test]
fn logic_and_truthiness() {
    table(
        &doc(),
        &[
            ("t", true), // a bare operand is true only when it is JSON `true`
            ("fl", false),
            ("n", false),
            ("s", false),
            ("num_s", false),
            ("z", false),
            ("m", false),
            ("list", false),
            ("obj", false),
            ("\"true\"", false),
            ("1", false),
            ("true", true),
            ("not m", true),
            ("not n", true),
            ("not not t", true),
            ("t and n == 5", true),
            ("t and fl", false),
            ("fl or t", true),
            ("fl or n", false),
            ("true or false and false", true), // `and` binds tighter than `or`
            ("(true or false) and false", false),
            ("not fl and fl", false), // `not` binds tighter than `and`
            ("not (fl and fl)", true),
            ("not n == 6", true), // `not` is looser than comparisons
            ("not n + 1 == 6", false),
            ("(n == 5) == true", true), // a parenthesised comparison is a boolean value
            ("(n == 6) == false", true),
            ("(m == 1) == false", true),
            ("t and t and t and n == 5", true),
            ("fl or fl or fl or t", true),
            ("m > 1 or not (m > 1)", true),
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Lexical rules.

#[test]
fn lexical() {
    table(
        &doc(),
        &[
            ("n == 5 # a comment\n and t", true),
            ("# only a comment first\n n == 5", true),
            ("n == 5 and # comment ( with [ brackets\n t", true),
            ("\n\t n\n==\n5\n", true),
            ("esc == \"a\\\"b\\\\c\\/é\\n\\t😀\"", true), // JSON escapes
            (
                "esc == \"a\\\"b\\\\c/\\u00e9\\u000a\\u0009\\ud83d\\ude00\"",
                true,
            ),
            ("\"\\u0041\" == \"A\"", true),
            ("n in [1, 2, 5,]", true),
            ("[1, [2, 3,],] == [1, [2, 3]]", true),
            ("n in [\"5\", 5e0]", true),
            ("-1 == 0 - 1", true),
            ("n == 5.0e0", true),
            ("1E2 == 100", true),
            ("1e-2 == 0.01", true),
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Rows that need their own document.

#[test]
fn documents_of_every_shape() {
    cases(&[
        // the root is any JSON value
        (json!([1, 2, 3]), "$[0] == 1", true),
        (json!([1, 2, 3]), "$[*] == 3", true),
        (json!([1, 2, 3]), "any($, @ == 2)", true),
        (json!("x"), "$ == \"x\"", true),
        (json!(null), "$ is_null", true),
        (json!(null), "a exists", false),
        (json!(5), "$ + 1 == 6", true),
        (json!(true), "$", true),
        // `[*]` over nested objects and lists
        (
            json!({"a": {"x": {"b": 1}, "y": {"b": 2}}}),
            "a[*].b == 2",
            true,
        ),
        (json!({"a": [[1, 2], [3]]}), "a[*][*] == 3", true),
        (json!({"a": [[1, 2], [3]]}), "a[*][-1] == 2", true),
        (json!({"a": [[1, 2], [3]]}), "a[*][1] == 3", false),
        // RFC 9535 filters keep their own rules
        (
            json!({"Tags": [{"Key": "env", "Value": "dev"}, {"Key": "env", "Value": "prod"}]}),
            "$.Tags[?@.Key == 'env'].Value == \"prod\"",
            true,
        ),
        (
            json!({"a": [{"n": 1}, {"n": 5}]}),
            "$.a[?@.n > 2].n == 5",
            true,
        ),
        (
            json!({"a": [{"n": 1}, {"n": 5}]}),
            "$.a[?@.n > 2].n == 1",
            false,
        ),
        // numbers
        (json!({"x": 1.0}), "x == 1", true),
        (json!({"x": 1}), "x == 1.0", true),
        (json!({"x": -0.0}), "x == 0", true),
        (
            json!({"x": 18446744073709551615_u64}),
            "x > 9223372036854775807",
            true,
        ),
        (json!({"x": 1e300}), "x * x exists", false), // non-finite: undefined
        // keys that look like syntax
        (json!({"a": {"b.c": {"d": 1}}}), "a.`b.c`.d == 1", true),
        (
            json!({"a": {"b": {"c": {"d": 1}}}}),
            "a.`b.c`.d == 1",
            false,
        ),
        (json!({"not": true}), "`not`", true),
        (json!({"true": false}), "`true`", false),
        (json!({"null": 1}), "`null` == 1", true),
        (json!({"é": 1}), "`é` == 1", true),
        (
            json!({"a": [{"b c": 1}, {"b c": 2, "it's\\": 7}]}),
            "$.a[*].`b c` == 2",
            true,
        ),
        (
            json!({"a": [{"b c": 1}, {"b c": 2, "it's\\": 7}]}),
            "$.a[*].`it's\\` == 7",
            true,
        ),
        (
            json!({"a": [{"b c": 1}]}),
            "any($.a[*].`b c`, @ == 1)",
            true,
        ),
        // the contract's own examples
        (
            json!({"userIdentity": {"type": "AWSService"}}),
            "userIdentity.type not in [\"AWSService\"]",
            false,
        ),
        (
            json!({"userIdentity": {"type": "IAMUser"}}),
            "userIdentity.type not in [\"AWSService\"]",
            true,
        ),
        (json!({"a": [{"b": 1}, {"b": 2}]}), "a[*].b == 1", true),
    ]);
}
