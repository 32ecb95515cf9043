//! Language v2, as a table: every construct of contract v2 (`if`, `??`, list and object
//! literals of expressions, string `+`, computed access, paths after any expression,
//! `first/filter/map/count`, `let`, user functions) over documents, with the choices where the
//! contract is silent pinned next to the rows that show them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use pounce_lang::{Env, FunctionDef, Registry, compile};
use serde_json::{Value, json};

fn doc() -> Value {
    json!({
        "a": 1, "n": null, "s": "abc", "t": true, "f": false, "zero": 0,
        "arn": "arn:aws:iam::123456789012:user/bob",
        "list": [1, 2, 3],
        "objs": [{"k": "x", "v": 1}, {"k": "y", "v": 2}, {"k": "x", "v": 3}],
        "obj": {"x": 10, "y": null},
        "if": "a key named like a keyword",
        "idx": 1, "key": "x"
    })
}

/// The value of `expr` over the test document (`None`: missing or undefined).
fn value(expr: &str) -> Option<Value> {
    value_in(expr, &Registry::empty())
}

fn value_in(expr: &str, reg: &Registry) -> Option<Value> {
    let p = compile(expr, reg).unwrap_or_else(|e| panic!("`{expr}` does not compile: {e:?}"));
    p.value_with(&doc(), &Env::default())
}

fn holds(expr: &str) -> bool {
    compile(expr, &Registry::empty())
        .unwrap_or_else(|e| panic!("`{expr}` does not compile: {e:?}"))
        .eval_with(&doc(), &Env::default())
}

fn values(rows: &[(&str, Option<Value>)]) {
    for (expr, want) in rows {
        assert_eq!(&value(expr), want, "{expr}");
    }
}

#[test]
fn if_then_else_is_lazy_and_yields_the_branch() {
    values(&[
        ("if a == 1 then \"one\" else \"other\"", Some(json!("one"))),
        (
            "if a == 2 then \"two\" else if a == 1 then \"one\" else \"other\"",
            Some(json!("one")),
        ),
        // The condition is read as a condition: a bare non-boolean is false.
        ("if s then 1 else 2", Some(json!(2))),
        ("if missing then 1 else 2", Some(json!(2))),
        // The branch's value, missing included.
        ("if t then missing else 2", None),
        ("(if t then 5 else 6) + 1", Some(json!(6))),
    ]);
    // Only the chosen branch runs: 1/0 in the other branch changes nothing.
    assert!(holds("if t then true else (1 / 0 == 1)"));
    assert!(holds("if a == 1 then s == \"abc\" else false"));
    assert!(!holds("if f then true else s == \"x\""));
    // Binds loosest: the else branch takes the whole `or`.
    assert!(holds("if f then false else f or t"));
}

#[test]
fn coalesce_takes_the_first_present_non_null_value() {
    values(&[
        ("missing ?? \"d\"", Some(json!("d"))),
        ("n ?? \"d\"", Some(json!("d"))),
        ("zero ?? 5", Some(json!(0))),
        ("f ?? true", Some(json!(false))),
        ("s ?? \"d\"", Some(json!("abc"))),
        ("(1 / 0) ?? 7", Some(json!(7))),
        ("missing ?? n ?? 3", Some(json!(3))),
        ("missing ?? n", Some(json!(null))),
        // Multi-valued: its present non-null values, or the default when there are none.
        ("objs[*].k ?? \"none\"", Some(json!(["x", "y", "x"]))),
        ("objs[*].nope ?? \"none\"", Some(json!("none"))),
    ]);
    // Tighter than comparisons, looser than `+`.
    assert!(holds("missing ?? \"x\" == \"x\""));
    assert!(holds("missing ?? 1 + 1 == 2"));
}

#[test]
fn list_and_object_literals_of_expressions() {
    values(&[
        ("[a, s, 1]", Some(json!([1, "abc", 1]))),
        // Missing and undefined members are left out; write `?? null` to keep a null.
        (
            "[a, missing, 1 / 0, missing ?? null]",
            Some(json!([1, null])),
        ),
        // A multi-valued member contributes each value (as jq's `[.a[]]` collects).
        ("[objs[*].v, 9]", Some(json!([1, 2, 3, 9]))),
        (
            "{\"a\": a, name: s, `odd key`: list[0]}",
            Some(json!({"a": 1, "name": "abc", "odd key": 1})),
        ),
        ("{x: missing, y: a}", Some(json!({"y": 1}))),
        ("{vs: objs[*].v}", Some(json!({"vs": [1, 2, 3]}))),
        ("{vs: objs[*].nope}", Some(json!({}))),
        // All-literal lists and objects are literals.
        ("[1, \"a\", [true]]", Some(json!([1, "a", [true]]))),
        ("{\"k\": [1]}", Some(json!({"k": [1]}))),
    ]);
    assert!(holds("[a, 2] == [1, 2]"));
    assert!(holds("s in [\"x\", s]"));
}

#[test]
fn string_plus_concatenates_and_never_coerces() {
    values(&[
        ("s + \"-\" + s", Some(json!("abc-abc"))),
        ("s + 1", None),
        ("1 + s", None),
        ("s + missing", None),
        ("1 + 2", Some(json!(3))),
    ]);
}

#[test]
fn computed_access_and_paths_after_any_expression() {
    values(&[
        ("list[idx]", Some(json!(2))),
        ("list[idx - 2]", Some(json!(3))),
        ("obj[key]", Some(json!(10))),
        ("obj[\"x\"]", Some(json!(10))),
        ("list[s]", None),
        ("obj[idx]", None),
        ("list[1.5]", None),
        ("list[t]", None),
        ("objs[idx].k", Some(json!("y"))),
        ("(missing ?? obj).x", Some(json!(10))),
        ("{\"a\": {\"b\": 1}}.a.b", Some(json!(1))),
        ("[10, 20][1]", Some(json!(20))),
        ("[a, 20][-1]", Some(json!(20))),
        ("\"abc\".x", None),
        // A key named like a keyword still needs backticks.
        ("`if`", Some(json!("a key named like a keyword"))),
    ]);
}

#[test]
fn collection_functions_bind_the_element() {
    values(&[
        ("first(objs, @.k == \"x\").v", Some(json!(1))),
        ("first(objs, @.k == \"z\")", None),
        (
            "filter(objs, k == \"x\")",
            Some(json!([{"k": "x", "v": 1}, {"k": "x", "v": 3}])),
        ),
        ("map(objs, v * 10)", Some(json!([10, 20, 30]))),
        ("map(objs, @.nope)", Some(json!([]))),
        ("count(objs, k == \"x\")", Some(json!(2))),
        ("count(list, @ > 1)", Some(json!(2))),
        // Like the quantifiers, a missing or non-list LIST counts as empty.
        ("count(missing, true)", Some(json!(0))),
        ("filter(s, true)", Some(json!([]))),
        ("map(missing, @)", Some(json!([]))),
        ("first(obj, true)", None),
        // Over a multi-valued path: its values.
        ("map(objs[*].v, @ + 1)", Some(json!([2, 3, 4]))),
        ("len(filter(list, @ >= 2))", Some(json!(2))),
    ]);
}

#[test]
fn let_binds_a_name_for_its_body() {
    values(&[
        ("let x = a + 1 in x * 2", Some(json!(4))),
        ("let o = obj in o.x", Some(json!(10))),
        ("let o = {\"p\": {\"q\": 3}} in o.p.q", Some(json!(3))),
        ("let x = 1 in let y = x + 1 in [x, y]", Some(json!([1, 2]))),
        // Shadowing: the inner binding wins; the document key is reached through `$`.
        ("let a = 5 in let a = a + 1 in a", Some(json!(6))),
        ("let a = 5 in $.a", Some(json!(1))),
        ("let x = missing in x", None),
        ("let vs = objs[*].v in vs", Some(json!([1, 2, 3]))),
        // The bound value ends at the first `in` outside brackets.
        ("let ok = (a in [1]) in ok", Some(json!(true))),
    ]);
    assert!(holds("let acct = \"123456789012\" in arn contains acct"));
    assert!(holds("any(objs, let k2 = k in k2 == \"y\")"));
    assert!(holds("let xs = list in any(xs, @ == 3)"));
}

#[test]
fn let_value_errors_are_reported() {
    assert!(compile("let part = split_free(arn) in part", &Registry::empty()).is_err());
}

fn defs(src: &[(&str, &[&str], &str)]) -> Vec<FunctionDef> {
    src.iter()
        .map(|(name, params, body)| FunctionDef {
            name: (*name).to_string(),
            params: params.iter().map(|p| (*p).to_string()).collect(),
            body: (*body).to_string(),
            origin: "helpers.yml".to_string(),
        })
        .collect()
}

#[test]
fn user_functions_compile_once_and_see_only_their_parameters() {
    let mut reg = Registry::empty();
    let errors = reg.define(&defs(&[
        ("is_x", &["o"], "o.k == \"x\""),
        ("xs", &["l"], "filter(l, is_x(@))"),
        ("ALLOW", &[], "[\"y\"]"),
        ("allowed", &["o"], "o.k in ALLOW()"),
        ("root_a", &[], "$.a"),
        ("twice", &["v"], "v + v"),
    ]));
    assert!(errors.is_empty(), "{errors:?}");
    for (expr, want) in [
        ("len(xs(objs))", json!(2)),
        ("count(objs, allowed(@))", json!(1)),
        ("root_a()", json!(1)),
        ("twice(twice(a))", json!(4)),
        ("twice(s)", json!("abcabc")),
    ] {
        assert_eq!(value_in(expr, &reg), Some(want), "{expr}");
    }
    assert!(
        compile("is_x(first(objs, true))", &reg)
            .unwrap()
            .eval_with(&doc(), &Env::default())
    );
    // Tests replace a function by name (a pack parameter most of all).
    let mut env = Env::default();
    env.overrides.insert("ALLOW".into(), json!(["x"]));
    let p = compile("count(objs, allowed(@))", &reg).unwrap();
    assert_eq!(p.value_with(&doc(), &env), Some(json!(2)));
}

#[test]
fn user_function_errors() {
    let codes = |src: &[(&str, &[&str], &str)]| -> Vec<String> {
        let mut reg = Registry::empty();
        reg.define(&defs(src))
            .iter()
            .flat_map(|e| e.error.errors.iter().map(|c| c.code.to_string()))
            .collect()
    };
    assert_eq!(codes(&[("f", &["x"], "y == 1")]), ["pounce::E0114"]);
    assert_eq!(
        codes(&[("f", &["x"], "$.y == x and any(x, y == 1)")]),
        Vec::<String>::new()
    );
    assert_eq!(codes(&[("len", &["x"], "1")]), ["pounce::E0113"]);
    assert_eq!(
        codes(&[("f", &["x"], "1"), ("f", &["y"], "2")]),
        ["pounce::E0111"]
    );
    assert_eq!(codes(&[("f", &["x", "x"], "1")]), ["pounce::E0111"]);
    assert_eq!(
        codes(&[
            ("f", &["x"], "g(x)"),
            ("g", &["x"], "h(x)"),
            ("h", &["x"], "f(x)")
        ]),
        ["pounce::E0112", "pounce::E0112", "pounce::E0112"]
    );
    assert_eq!(codes(&[("f", &["x"], "f(x)")]), ["pounce::E0112"]);
    // A caller of a broken function is reported too.
    assert_eq!(
        codes(&[("f", &["x"], "x =="), ("g", &["x"], "f(x)")]),
        ["pounce::E0001", "pounce::E0101"]
    );
    let mut reg = Registry::empty();
    assert!(reg.define(&defs(&[("f", &["x"], "x")])).is_empty());
    let err = compile("f(1, 2)", &reg).unwrap_err();
    assert_eq!(err.errors[0].code.to_string(), "pounce::E0102");
}

#[test]
fn object_keys_must_not_repeat() {
    let err = compile("{a: 1, b: s, a: 2}", &Registry::empty()).unwrap_err();
    assert_eq!(err.errors[0].code.to_string(), "pounce::E0110");
}

#[test]
fn canonical_print_parses_back() {
    for src in [
        "if a then b else c",
        "(if a then 1 else 2) == x",
        "a ?? b ?? c",
        "[a, 1, {\"k\": v}]",
        "{\"k\": a ?? 1}",
        "x[i + 1].y[j]",
        "(a ?? b).c",
        "let x = a in let y = (b in [1]) in x and y",
        "first(l, @ > 1)",
        "map(l, {\"v\": @})",
        "s + \"x\"",
    ] {
        let e = pounce_lang::syntax::parse(src).unwrap();
        let printed = e.to_string();
        let again = pounce_lang::syntax::parse(&printed)
            .unwrap_or_else(|err| panic!("`{printed}` (from `{src}`) does not parse: {err:?}"));
        assert_eq!(e, again, "{src} → {printed}");
    }
}

fn explain(expr: &str, reg: &Registry) -> pounce_lang::explain::Explanation {
    compile(expr, reg).unwrap().explain(&doc(), &Env::default())
}

#[test]
fn explain_shows_branches_bindings_sides_and_calls() {
    let reg = Registry::empty();
    let e = explain("if a == 1 then s == \"abc\" else false", &reg);
    assert!(e.flagged);
    assert_eq!(
        e.tree.message.as_deref(),
        Some("`a == 1` is true: the `then` branch `s == \"abc\"` is taken")
    );
    let e = explain("let x = obj.x in x > 5", &reg);
    assert!(e.flagged);
    assert_eq!(e.tree.message.as_deref(), Some("`x` is bound to 10"));
    let e = explain("(missing ?? n ?? \"d\") == \"d\"", &reg);
    let note = e.tree.operands[0].note.as_deref().unwrap();
    assert!(
        note.starts_with("`??` used its right side `\"d\"`"),
        "{note}"
    );
    let e = explain("(s ?? \"d\") == \"abc\"", &reg);
    assert_eq!(
        e.tree.operands[0].note.as_deref(),
        Some("`??` used its left side `s`")
    );

    let mut reg = Registry::empty();
    assert!(
        reg.define(&defs(&[("is_x", &["o"], "o.k == \"x\"")]))
            .is_empty()
    );
    let e = explain("is_x(objs[1])", &reg);
    assert!(!e.flagged);
    assert_eq!(e.tree.message.as_deref(), Some("`is_x(o)` is false"));
    assert_eq!(e.tree.operands[0].note.as_deref(), Some("parameter `o`"));
    assert_eq!(e.tree.operands[0].value, Some(json!({"k": "y", "v": 2})));
    let body = &e.tree.children[0];
    assert_eq!(body.function.as_deref(), Some("is_x"));
    assert_eq!(body.text, "o.k == \"x\"");
    // Spans stay in the condition (the call's), not in the function's body.
    assert_eq!(body.span, e.tree.span);
}

#[test]
fn explain_agrees_with_eval_on_v2_conditions() {
    let mut reg = Registry::empty();
    assert!(
        reg.define(&defs(&[
            ("is_x", &["o"], "o.k == \"x\""),
            ("P", &[], "[2, 3]")
        ]))
        .is_empty()
    );
    for src in [
        "if a == 1 then s == \"abc\" else false",
        "if missing then true else n is_null",
        "let x = obj.x in x > 5 and x < 20",
        "let xs = filter(objs, k == \"x\") in len(xs) == 2",
        "(missing ?? n ?? \"d\") == \"d\"",
        "is_x(first(objs, true))",
        "not is_x(objs[1])",
        "count(objs, is_x(@)) == 2",
        "any(P(), @ == a)",
        "[a, s][1] == s",
        "{\"k\": s}.k == \"abc\" and list[idx] == 2",
        "s + \"!\" == \"abc!\"",
    ] {
        let p = compile(src, &reg).unwrap();
        let want = p.eval_with(&doc(), &Env::default());
        assert_eq!(p.explain(&doc(), &Env::default()).flagged, want, "{src}");
    }
}

/// The table "Missing, null and undefined in the v2 constructs" of docs/LANGUAGE.md.
#[test]
fn missing_null_and_undefined_in_v2_constructs() {
    let rows: &[(&str, [Option<Value>; 4])] = &[
        (
            "x ?? 0",
            [
                Some(json!(0)),
                Some(json!(0)),
                Some(json!(0)),
                Some(json!(1)),
            ],
        ),
        (
            "if x == 1 then \"a\" else \"b\"",
            [
                Some(json!("b")),
                Some(json!("b")),
                Some(json!("b")),
                Some(json!("a")),
            ],
        ),
        (
            "if true then x else 0",
            [None, Some(json!(null)), None, Some(json!(1))],
        ),
        (
            "[x, 2]",
            [
                Some(json!([2])),
                Some(json!([null, 2])),
                Some(json!([2])),
                Some(json!([1, 2])),
            ],
        ),
        (
            "{\"k\": x}",
            [
                Some(json!({})),
                Some(json!({"k": null})),
                Some(json!({})),
                Some(json!({"k": 1})),
            ],
        ),
        ("[10, 20][x]", [None, None, None, Some(json!(20))]),
        ("x + \"s\"", [None, None, None, None]),
        (
            "count(x, true)",
            [
                Some(json!(0)),
                Some(json!(0)),
                Some(json!(0)),
                Some(json!(0)),
            ],
        ),
        (
            "let y = x in y",
            [None, Some(json!(null)), None, Some(json!(1))],
        ),
    ];
    // `x` missing, null, undefined (`1 / 0`) and 1, written into the expression.
    let docs = [
        json!({}),
        json!({"x": null}),
        json!({"z": 0}),
        json!({"x": 1}),
    ];
    for (expr, want) in rows {
        for (i, (d, w)) in docs.iter().zip(want).enumerate() {
            let src = if i == 2 {
                expr.replace('x', "(1 / z)")
            } else {
                expr.to_string()
            };
            let p = compile(&src, &Registry::empty()).unwrap();
            assert_eq!(&p.value_with(d, &Env::default()), w, "{src} over {d}");
        }
    }
}

#[test]
fn outcomes_tell_missing_from_undefined_and_document_nodes_from_computed_values() {
    use pounce_lang::Outcome;
    let mut reg = Registry::empty();
    assert!(
        reg.define(&defs(&[("id", &["v"], "v"), ("k_of", &["o"], "o.k")]))
            .is_empty()
    );
    let doc_node = |v: Value| Outcome::Value {
        value: v,
        from_document: true,
    };
    let computed = |v: Value| Outcome::Value {
        value: v,
        from_document: false,
    };
    let rows: Vec<(&str, Outcome)> = vec![
        ("obj", doc_node(json!({"x": 10, "y": null}))),
        ("list", doc_node(json!([1, 2, 3]))),
        ("n", doc_node(json!(null))),
        ("missing ?? list", doc_node(json!([1, 2, 3]))),
        (
            "if a == 1 then obj else 0",
            doc_node(json!({"x": 10, "y": null})),
        ),
        ("let o = obj in o", doc_node(json!({"x": 10, "y": null}))),
        ("id(list)", doc_node(json!([1, 2, 3]))),
        ("k_of(objs[0])", doc_node(json!("x"))),
        ("[1, 2]", computed(json!([1, 2]))),
        ("list[*]", computed(json!([1, 2, 3]))),
        ("map(objs, k)", computed(json!(["x", "y", "x"]))),
        ("\"lit\"", computed(json!("lit"))),
        ("missing", Outcome::Missing),
        ("obj.nope", Outcome::Missing),
        ("list[7]", Outcome::Missing),
        ("1 / 0", Outcome::Undefined),
        ("s + 1", Outcome::Undefined),
        ("lower(missing)", Outcome::Undefined),
        ("(1 / 0) ?? 2", computed(json!(2))),
        // A failed value stays failed through a binding, a parameter and steps after it.
        ("let y = 1 / 0 in y", Outcome::Undefined),
        ("id(1 / 0)", Outcome::Undefined),
        ("(1 / 0).k", Outcome::Undefined),
        ("lower(missing)[1]", Outcome::Undefined),
    ];
    for (expr, want) in rows {
        let p = compile(expr, &reg).unwrap_or_else(|e| panic!("{expr}: {e:?}"));
        assert_eq!(p.outcome_with(&doc(), &Env::default()), want, "{expr}");
    }
}
