//! Projection: parse a record once, materialising only the parts a set of compiled conditions
//! read and skipping the rest at scanning speed. The paths a program reads form a [`Trie`];
//! [`parse_projected`] deserialises JSON text into a `serde_json::Value` holding only those
//! parts (with lists kept whole in length, so indexes and counts are unchanged). Evaluating a
//! program over the projection of its own trie gives the same verdict as over the full value.

use pounce_lang::reads::Trie;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

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
    use pounce_lang::ast::Segment;
    use pounce_lang::reads::reads;
    use pounce_lang::syntax::simple_path;
    use serde_json::json;

    fn jsonpath_segments(text: &str) -> Option<Vec<Segment>> {
        simple_path(text, true)
    }

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
        use pounce_lang::ast::Segment::{Index, Key, Wildcard};
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
        assert_eq!(jsonpath_segments("$.a[ 1 ]"), Some(vec![k("a"), Index(1)]));
        for other in [
            "$..a",
            "$.a[0:2]",
            "$.a[?@.b]",
            "$.a['b','c']",
            "$.1a",
            "$.a.",
            "$['a\\'b']",
        ] {
            assert_eq!(jsonpath_segments(other), None, "{other}");
        }
        let reg = crate::standard_registry();
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
            let p = pounce_lang::compile::compile(cond, &reg).ok();
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
