//! Projection: parse a record once, materialising only the parts a set of compiled conditions
//! read and skipping the rest at scanning speed. The paths a program reads form a [`Trie`];
//! [`parse_projected`] deserialises JSON text into a `serde_json::Value` holding only those
//! parts (with lists kept whole in length, so indexes and counts are unchanged). Evaluating a
//! program over the projection of its own trie gives the same verdict as over the full value.

use crate::ast::{Segment, TestKind};
use crate::compile::{CRoot, Node, NodeKind, Program};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

/// The parts of a document that conditions read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trie {
    /// The whole subtree is read.
    pub whole: bool,
    /// Object members read, by key.
    pub keys: HashMap<String, Trie>,
    /// What is read of every list element (from `[n]`, `[*]` or a quantifier).
    pub elements: Option<Box<Trie>>,
    /// What is read of every object member (from `[*]` on an object).
    pub values: Option<Box<Trie>>,
    /// Keys also match ignoring ASCII case (for rules evaluated with case-insensitive keys).
    pub ignore_case: bool,
}

impl Trie {
    /// A trie that reads everything.
    pub fn everything() -> Self {
        Trie {
            whole: true,
            ..Trie::default()
        }
    }
    /// Merges `other` into `self`.
    pub fn merge(&mut self, other: &Trie) {
        if other.whole {
            self.whole = true;
        }
        for (k, t) in &other.keys {
            self.keys.entry(k.clone()).or_default().merge(t);
        }
        if let Some(e) = &other.elements {
            self.elements.get_or_insert_with(Default::default).merge(e);
        }
        if let Some(v) = &other.values {
            self.values.get_or_insert_with(Default::default).merge(v);
        }
    }
    /// Marks the path `segs` (relative to this node) as read whole.
    pub fn add_path(&mut self, segs: &[Segment]) {
        self.add(segs, true);
    }
    /// Adds the path `segs`; `whole` reads its subtree entirely, otherwise only its kind
    /// (enough for `exists` and `is_null`). `[n]` and `[*]` descend into list elements, `[*]`
    /// into object values too.
    pub fn add(&mut self, segs: &[Segment], whole: bool) {
        let Some((first, rest)) = segs.split_first() else {
            self.whole |= whole;
            return;
        };
        match first {
            Segment::Key(k) => self.keys.entry(k.clone()).or_default().add(rest, whole),
            Segment::Index(_) => self
                .elements
                .get_or_insert_with(Default::default)
                .add(rest, whole),
            Segment::Wildcard => {
                self.elements
                    .get_or_insert_with(Default::default)
                    .add(rest, whole);
                self.values
                    .get_or_insert_with(Default::default)
                    .add(rest, whole);
            }
        }
    }
    /// Folds wildcard reads into named keys (a key reached both by name and by `[*]` reads
    /// both) and drops what lies under a node read whole. Call once after building.
    pub fn finalize(&mut self) {
        if self.whole {
            self.keys.clear();
            self.elements = None;
            self.values = None;
            return;
        }
        if let Some(v) = self.values.as_deref() {
            let v = v.clone();
            for t in self.keys.values_mut() {
                t.merge(&v);
            }
        }
        for t in self.keys.values_mut() {
            t.finalize();
        }
        if let Some(e) = self.elements.as_deref_mut() {
            e.finalize();
        }
        if let Some(v) = self.values.as_deref_mut() {
            v.finalize();
        }
    }
    /// Makes every key of this trie match ignoring ASCII case too.
    pub fn set_ignore_case(&mut self) {
        self.ignore_case = true;
        for t in self.keys.values_mut() {
            t.set_ignore_case();
        }
        if let Some(e) = self.elements.as_deref_mut() {
            e.set_ignore_case();
        }
        if let Some(v) = self.values.as_deref_mut() {
            v.set_ignore_case();
        }
    }
    /// True when nothing is read.
    pub fn is_empty(&self) -> bool {
        !self.whole && self.keys.is_empty() && self.elements.is_none() && self.values.is_none()
    }
}

/// The trie of everything `program` reads when evaluated with key matching `keys`.
pub fn reads_with(program: &Program, keys: crate::KeyMatch) -> Trie {
    let mut t = reads(program);
    if keys == crate::KeyMatch::CaseInsensitiveFallback {
        t.set_ignore_case();
    }
    t
}

/// The trie of everything `program` reads.
pub fn reads(program: &Program) -> Trie {
    let mut root = Trie::default();
    collect(&program.root, &mut root, &[], None);
    root.finalize();
    root
}

/// Where relative paths start: the root, or a quantifier element (the root trie and the path
/// from it to the element list's element trie).
fn collect(n: &Node, root: &mut Trie, base: &[Segment], elem: Option<&ElemBase>) {
    match &n.kind {
        NodeKind::Literal(_) => {}
        NodeKind::Path(p) => {
            let segs = path_from(p, base, elem);
            match segs {
                Some(s) => root.add_path(&s),
                None => root.whole = true,
            }
        }
        // A path into a computed value reads only what computing it reads.
        NodeKind::Builtin(_, a)
        | NodeKind::Not(a)
        | NodeKind::Neg(a)
        | NodeKind::Access(a, _, _) => collect(a, root, base, elem),
        // `exists` and `is_null` need only a value's kind, not its content.
        NodeKind::Test {
            test: TestKind::Exists | TestKind::IsNull,
            operand,
            ..
        } if matches!(operand.kind, NodeKind::Path(_)) => {
            if let NodeKind::Path(p) = &operand.kind {
                match path_from(p, base, elem) {
                    Some(s) => root.add(&s, false),
                    None => root.whole = true,
                }
            }
        }
        NodeKind::Test { operand, .. } => collect(operand, root, base, elem),
        NodeKind::Arith(_, a, b) | NodeKind::Compare { lhs: a, rhs: b, .. } => {
            collect(a, root, base, elem);
            collect(b, root, base, elem);
        }
        NodeKind::And(items) | NodeKind::Or(items) => {
            items.iter().for_each(|i| collect(i, root, base, elem))
        }
        NodeKind::Native(native, args) => {
            for (i, a) in args.iter().enumerate() {
                match (&a.kind, native.arg_reads(i)) {
                    (NodeKind::Path(p), Some(sub)) => match path_from(p, base, elem) {
                        Some(mut s) => {
                            // Keep the path's node (even when nothing below is read) and the sub-paths.
                            root.add(&s, false);
                            let plen = s.len();
                            for r in sub {
                                s.truncate(plen);
                                s.extend(r.iter().cloned());
                                root.add_path(&s);
                            }
                        }
                        None => root.whole = true,
                    },
                    _ => collect(a, root, base, elem),
                }
            }
        }
        NodeKind::Udm(u) => {
            root.add(&[Segment::Key("p_log_type".into())], true);
            for p in [&u.p_udm, &u.top] {
                root.add(&p.segments, true);
            }
            for (_, t) in &u.models {
                match t {
                    crate::compile::UdmTarget::Path(p) => root.add(&p.segments, true),
                    crate::compile::UdmTarget::Native(n) => match n.arg_reads(0) {
                        Some(sub) => sub.iter().for_each(|s| root.add(s, true)),
                        None => root.whole = true,
                    },
                }
            }
        }
        NodeKind::Quantifier(_, list, body) => {
            collect_list(list, root, base, elem);
            match &list.kind {
                NodeKind::Path(p) => match path_from(p, base, elem) {
                    Some(s) => {
                        // Elements: of the list value, or the path's own values when multi-valued.
                        let mut eb = s.clone();
                        if !p.multi {
                            eb.push(Segment::Wildcard);
                        }
                        // Ensure the elements exist (their count matters) even if the body reads nothing.
                        root.add(&eb, false);
                        let e = ElemBase { segs: eb };
                        collect(body, root, &e.segs.clone(), Some(&e));
                    }
                    None => root.whole = true,
                },
                // A computed list (a native's result): the body reads that value, not the document;
                // paths in it that start from the root still count.
                _ => collect_roots_only(body, root),
            }
        }
    }
}

struct ElemBase {
    segs: Vec<Segment>,
}

/// A quantifier's list: read its elements' existence without marking the list whole.
fn collect_list(list: &Node, root: &mut Trie, base: &[Segment], elem: Option<&ElemBase>) {
    if let NodeKind::Path(_) = &list.kind {
        return; // handled by the caller
    }
    collect(list, root, base, elem);
}

/// Paths inside a body iterating a computed value: only `$` paths read the document.
fn collect_roots_only(n: &Node, root: &mut Trie) {
    match &n.kind {
        NodeKind::Path(p) => match &p.root {
            CRoot::Root => root.add_path(&p.segments),
            CRoot::JsonPath(_) => match jsonpath_segments(&p.text) {
                Some(segs) => root.add_path(&segs),
                None => root.whole = true,
            },
            _ => {}
        },
        NodeKind::Builtin(_, a)
        | NodeKind::Not(a)
        | NodeKind::Neg(a)
        | NodeKind::Access(a, _, _)
        | NodeKind::Test { operand: a, .. } => collect_roots_only(a, root),
        NodeKind::Arith(_, a, b)
        | NodeKind::Compare { lhs: a, rhs: b, .. }
        | NodeKind::Quantifier(_, a, b) => {
            collect_roots_only(a, root);
            collect_roots_only(b, root);
        }
        NodeKind::And(items) | NodeKind::Or(items) | NodeKind::Native(_, items) => {
            items.iter().for_each(|i| collect_roots_only(i, root))
        }
        NodeKind::Literal(_) => {}
        NodeKind::Udm(_) => {
            let mut sub = Trie::default();
            collect(n, &mut sub, &[], None);
            root.merge(&sub);
        }
    }
}

/// The absolute segments of a path, or `None` when it cannot be projected (JSONPath).
fn path_from(
    p: &crate::compile::CPath,
    base: &[Segment],
    elem: Option<&ElemBase>,
) -> Option<Vec<Segment>> {
    let start: Vec<Segment> = match (&p.root, elem) {
        (CRoot::Implicit | CRoot::Current, Some(e)) => e.segs.clone(),
        (CRoot::Implicit, None) => base.to_vec(),
        (CRoot::Current, None) => return Some(vec![]),
        (CRoot::Root, _) => vec![],
        (CRoot::JsonPath(_), _) => return jsonpath_segments(&p.text),
    };
    let mut s = start;
    s.extend(p.segments.iter().cloned());
    Some(s)
}

/// The steps of a JSONPath made only of member names (`.name`, `['name']`), indexes (`[n]`)
/// and wildcards (`.*`, `[*]`), as path segments from the root: what it reads, for projection
/// (a wildcard keeps every element of a list and every member of an object, a superset of what
/// `[*]` selects). `None` for anything else (`..`, filters, slices, unions): read everything.
fn jsonpath_segments(text: &str) -> Option<Vec<Segment>> {
    let mut rest = text.strip_prefix('$')?;
    let mut segs = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let name = r.get(..end)?;
            if name == "*" {
                segs.push(Segment::Wildcard);
            } else if name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                segs.push(Segment::Key(name.to_string()));
            } else {
                return None;
            }
            rest = r.get(end..)?;
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let inner = r.get(..end)?;
            let quoted = |q: char| {
                inner
                    .strip_prefix(q)
                    .and_then(|b| b.strip_suffix(q))
                    .filter(|b| !b.contains(['\\', '\'', '"']) && !b.chars().any(char::is_control))
            };
            if inner == "*" {
                segs.push(Segment::Wildcard);
            } else if let Some(name) = quoted('\'').or_else(|| quoted('"')) {
                segs.push(Segment::Key(name.to_string()));
            } else if !inner.is_empty()
                && inner
                    .strip_prefix('-')
                    .unwrap_or(inner)
                    .bytes()
                    .all(|b| b.is_ascii_digit())
            {
                segs.push(Segment::Index(inner.parse().ok()?));
            } else {
                return None;
            }
            rest = r.get(end + 1..)?;
        } else {
            return None;
        }
    }
    Some(segs)
}

/// Parses JSON text, keeping only what `trie` reads. An empty trie keeps the top-level kind
/// (an object becomes `{}`). To parse many records with one trie, build a [`Projection`] once.
pub fn parse_projected(text: &str, trie: &Trie) -> Result<Value, serde_json::Error> {
    Projection::new(trie).parse(text)
}

/// A [`Trie`] prepared for parsing: the same reads, with object keys looked up without SipHash
/// (in turn when there are few, else in a table with a cheap multiplicative hash). The table
/// holds only the rules' keys; a record's keys are looked up, never inserted, so a weak hash
/// gives it no way to slow the table down.
#[derive(Clone, Debug, Default)]
pub struct Projection {
    whole: bool,
    ignore_case: bool,
    keys: Keys,
    elements: Option<Box<Projection>>,
    values: Option<Box<Projection>>,
}

/// Up to this many keys are compared in turn.
const FEW_KEYS: usize = 8;

#[derive(Clone, Debug)]
enum Keys {
    Few(Vec<(Box<str>, Projection)>),
    Many(HashMap<Box<str>, Projection, BuildHasherDefault<FxHasher>>),
}

impl Default for Keys {
    fn default() -> Self {
        Keys::Few(Vec::new())
    }
}

impl Keys {
    fn get(&self, k: &str) -> Option<&Projection> {
        match self {
            Keys::Few(v) => v.iter().find(|(n, _)| **n == *k).map(|(_, p)| p),
            Keys::Many(m) => m.get(k),
        }
    }
    /// The first key equal to `k` ignoring ASCII case.
    fn get_ignore_case(&self, k: &str) -> Option<&Projection> {
        match self {
            Keys::Few(v) => v
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(k))
                .map(|(_, p)| p),
            Keys::Many(m) => m
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(k))
                .map(|(_, p)| p),
        }
    }
}

impl Projection {
    /// Prepares `trie` for parsing.
    pub fn new(trie: &Trie) -> Self {
        let mut keys: Vec<(Box<str>, Projection)> = trie
            .keys
            .iter()
            .map(|(k, t)| (k.as_str().into(), Projection::new(t)))
            .collect();
        keys.sort_by(|a, b| a.0.cmp(&b.0));
        Projection {
            whole: trie.whole,
            ignore_case: trie.ignore_case,
            keys: if keys.len() <= FEW_KEYS {
                Keys::Few(keys)
            } else {
                Keys::Many(keys.into_iter().collect())
            },
            elements: trie
                .elements
                .as_deref()
                .map(|t| Box::new(Projection::new(t))),
            values: trie.values.as_deref().map(|t| Box::new(Projection::new(t))),
        }
    }

    /// Parses JSON text, keeping only what the trie reads.
    pub fn parse(&self, text: &str) -> Result<Value, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        let v = Proj(self).deserialize(&mut de)?;
        de.end()?;
        Ok(v)
    }

    /// What is read of the member `k` of an object.
    fn member(&self, k: &str) -> Option<&Projection> {
        match self.keys.get(k) {
            Some(p) => Some(p),
            None if self.ignore_case => self.keys.get_ignore_case(k),
            None => None,
        }
        .or(self.values.as_deref())
    }
}

/// FxHash (as in rustc): one rotate, xor and multiply per 8 bytes.
#[derive(Clone, Copy, Default)]
struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            self.add(u64::from_le_bytes(b));
        }
        for &b in words.remainder() {
            self.add(u64::from(b));
        }
    }
    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

struct Proj<'t>(&'t Projection);

impl<'de> DeserializeSeed<'de> for Proj<'_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        if self.0.whole {
            serde::Deserialize::deserialize(d)
        } else {
            d.deserialize_any(ProjVisitor(self.0))
        }
    }
}

struct ProjVisitor<'t>(&'t Projection);

/// A map key, borrowed from the input when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KV;
        impl<'de> Visitor<'de> for KV {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KV)
    }
}

impl<'de> Visitor<'de> for ProjVisitor<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        match &self.0.elements {
            Some(t) => {
                while let Some(v) = seq.next_element_seed(Proj(t))? {
                    out.push(v);
                }
            }
            None => {
                // Not read below: keep the length (len, indexes, quantifiers) with nulls.
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    out.push(Value::Null);
                }
            }
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
            let sub = self.0.member(&k);
            match sub {
                Some(t) => {
                    let v = map.next_value_seed(Proj(t))?;
                    out.insert(k.into_owned(), v);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn trie(keys: &[&str], ignore_case: bool) -> Trie {
        let mut t = Trie::default();
        for k in keys {
            t.add_path(&[Segment::Key((*k).to_string())]);
        }
        t.finalize();
        if ignore_case {
            t.set_ignore_case();
        }
        t
    }

    #[test]
    fn few_and_many_keys_keep_the_same_members() {
        let many: Vec<String> = (0..3 * FEW_KEYS).map(|i| format!("k{i}")).collect();
        let doc = json!({"k1": 1, "x": {"y": 2}, "k20": [1, {"z": 3}], "K3": true, "k3": false});
        for n in [3, many.len()] {
            let keys: Vec<&str> = many.iter().take(n).map(String::as_str).collect();
            let got = parse_projected(&doc.to_string(), &trie(&keys, false)).ok();
            let want = if keys.len() > 20 {
                json!({"k1": 1, "k20": [1, {"z": 3}], "k3": false})
            } else {
                json!({"k1": 1})
            };
            assert_eq!(got, Some(want), "{} keys", keys.len());
        }
    }

    #[test]
    fn simple_jsonpaths_are_projected() {
        use crate::ast::Segment::{Index, Key, Wildcard};
        let k = |s: &str| Key(s.to_string());
        assert_eq!(
            jsonpath_segments("$.a[*].b"),
            Some(vec![k("a"), Wildcard, k("b")])
        );
        assert_eq!(
            jsonpath_segments("$['a b'][-1].*[\"c\"][0]"),
            Some(vec![k("a b"), Index(-1), Wildcard, k("c"), Index(0)])
        );
        assert_eq!(jsonpath_segments("$"), Some(vec![]));
        for other in [
            "$..a",
            "$.a[0:2]",
            "$.a[?@.b]",
            "$.a['b','c']",
            "$.a[ 1 ]",
            "$.1a",
            "$.a.",
            "$['a\\'b']",
        ] {
            assert_eq!(jsonpath_segments(other), None, "{other}");
        }
        let reg = crate::natives::Registry::standard();
        let doc = json!({
            "a": [{"b": 1, "c": 2}, {"b": 3}, 4],
            "o": {"x": {"b": 5, "d": 6}},
            "z": {"big": [1, 2, 3]}
        });
        for (cond, kept) in [
            (
                "any([1, 3], not ($.a[*].b == @))",
                json!({"a": [{"b": 1}, {"b": 3}, 4]}),
            ),
            ("$.o.*.b == 5", json!({"o": {"x": {"b": 5}}})),
            ("any($.a[*], @.c == 2)", json!({"a": [{"c": 2}, {}, 4]})),
        ] {
            let p = crate::compile::compile(cond, &reg).ok();
            let p = p.as_ref();
            let trie = p.map(reads).unwrap_or_default();
            let got = parse_projected(&doc.to_string(), &trie).ok();
            assert_eq!(got.as_ref(), Some(&kept), "{cond}");
            let full = p.map(|p| p.eval(&doc));
            assert_eq!(p.zip(got.as_ref()).map(|(p, v)| p.eval(v)), full, "{cond}");
        }
    }

    #[test]
    fn keys_ignoring_case() {
        let doc = json!({"EventName": "x", "other": 1, "SOURCE": {"a": 1}});
        for n in [2, 3 * FEW_KEYS] {
            let mut keys: Vec<String> = (0..n).map(|i| format!("pad{i}")).collect();
            keys.push("eventName".into());
            keys.push("source".into());
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            let got = parse_projected(&doc.to_string(), &trie(&keys, true)).ok();
            assert_eq!(
                got,
                Some(json!({"EventName": "x", "SOURCE": {"a": 1}})),
                "{n} keys"
            );
            let exact = parse_projected(&doc.to_string(), &trie(&keys, false)).ok();
            assert_eq!(exact, Some(json!({})), "{n} keys, exact");
        }
    }
}
