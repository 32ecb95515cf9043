//! Read analysis: the parts of a document a compiled program reads, as a [`Trie`] of paths. A
//! host uses it to parse only what its conditions read (projection); evaluating a program over
//! a projection of its own trie gives the same verdict as over the whole document.

use crate::ast::{Segment, TestKind};
use crate::document::KeyMatch;
use crate::functions::Native;
use crate::ir::{CPath, CRoot, Node, NodeKind, Program};
use crate::syntax::simple_path;
use std::collections::HashMap;

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
pub fn reads_with(program: &Program, keys: KeyMatch) -> Trie {
    let mut t = reads(program);
    if keys == KeyMatch::CaseInsensitiveFallback {
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
            document_reads(native, args.len(), root);
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

/// What a function that gets the document reads of it (its declared reads, else everything).
fn document_reads(native: &Native, nargs: usize, root: &mut Trie) {
    if !native.takes_document() {
        return;
    }
    match native.arg_reads(nargs) {
        Some(sub) => sub.iter().for_each(|s| root.add_path(s)),
        None => root.whole = true,
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
            CRoot::JsonPath(_) => match simple_path(&p.text, true) {
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
        NodeKind::And(items) | NodeKind::Or(items) => {
            items.iter().for_each(|i| collect_roots_only(i, root))
        }
        NodeKind::Native(native, items) => {
            document_reads(native, items.len(), root);
            items.iter().for_each(|i| collect_roots_only(i, root))
        }
        NodeKind::Literal(_) => {}
    }
}

/// The absolute segments of a path, or `None` when it cannot be projected (JSONPath).
fn path_from(p: &CPath, base: &[Segment], elem: Option<&ElemBase>) -> Option<Vec<Segment>> {
    let start: Vec<Segment> = match (&p.root, elem) {
        (CRoot::Implicit | CRoot::Current, Some(e)) => e.segs.clone(),
        (CRoot::Implicit, None) => base.to_vec(),
        (CRoot::Current, None) => return Some(vec![]),
        (CRoot::Root, _) => vec![],
        (CRoot::JsonPath(_), _) => return simple_path(&p.text, true),
    };
    let mut s = start;
    s.extend(p.segments.iter().cloned());
    Some(s)
}
