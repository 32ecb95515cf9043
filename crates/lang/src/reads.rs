//! Read analysis: the parts of a document a compiled program reads, as a [`Trie`] of paths. A
//! host uses it to parse only what its conditions read (projection); evaluating a program over
//! a projection of its own trie gives the same verdict as over the whole document.

use crate::ast::{Quantifier, Segment, TestKind};
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
    let mut w = Walk {
        root: &mut root,
        seen_calls: Vec::new(),
    };
    w.collect(&program.root, &Scope::top());
    root.finalize();
    root
}

/// Where a path leads in the document.
enum Reach {
    /// To these absolute segments.
    Doc(Vec<Segment>),
    /// Into a computed value: the document is not read.
    Nothing,
    /// Somewhere projection cannot follow: read everything.
    Whole,
}

/// What relative paths, `@` and bound names stand for at a point of the tree: an absolute
/// path in the document, or `None` for a computed value.
#[derive(Clone)]
struct Scope {
    /// Bare paths (the document, or the element inside a quantifier).
    implicit: Option<Vec<Segment>>,
    /// `@`: outside a quantifier `None`; inside one, the element's path (if in the document).
    current: Option<Option<Vec<Segment>>>,
    /// Bound names by slot: the bound value's path when it is a path of the document.
    binds: Vec<Option<Vec<Segment>>>,
}

impl Scope {
    fn top() -> Self {
        Scope {
            implicit: Some(Vec::new()),
            current: None,
            binds: Vec::new(),
        }
    }
    /// Inside a quantifier or collection function whose elements are at `elem`.
    fn element(&self, elem: Option<Vec<Segment>>) -> Self {
        Scope {
            implicit: elem.clone(),
            current: Some(elem),
            binds: self.binds.clone(),
        }
    }
    /// Where `p` leads.
    fn reach(&self, p: &CPath) -> Reach {
        let start = match &p.root {
            CRoot::Root => Some(Vec::new()),
            CRoot::JsonPath(_) => {
                return simple_path(&p.text, true).map_or(Reach::Whole, Reach::Doc);
            }
            CRoot::Implicit => self.implicit.clone(),
            CRoot::Current => match &self.current {
                None => return Reach::Whole,
                Some(e) => e.clone(),
            },
            CRoot::Binding(slot) => self.binds.get(*slot).cloned().flatten(),
        };
        match start {
            Some(mut s) => {
                s.extend(p.segments.iter().cloned());
                Reach::Doc(s)
            }
            None => Reach::Nothing,
        }
    }
}

/// The walk that fills the trie.
struct Walk<'t> {
    root: &'t mut Trie,
    /// Function calls already walked with the same argument paths (a call tree may repeat).
    seen_calls: Vec<(*const Node, Vec<Option<Vec<Segment>>>)>,
}

impl Walk<'_> {
    /// Marks what `p` reaches: its whole subtree, or (`whole` false) only its kind.
    fn add(&mut self, reach: Reach, whole: bool) {
        match reach {
            Reach::Doc(s) => self.root.add(&s, whole),
            Reach::Nothing => {}
            Reach::Whole => self.root.whole = true,
        }
    }

    fn collect(&mut self, n: &Node, sc: &Scope) {
        match &n.kind {
            NodeKind::Literal(_) => {}
            NodeKind::Path(p) => self.add(sc.reach(p), true),
            // `exists` and `is_null` need only a value's kind, not its content.
            NodeKind::Test {
                test: TestKind::Exists | TestKind::IsNull,
                operand,
                ..
            } if matches!(operand.kind, NodeKind::Path(_)) => {
                if let NodeKind::Path(p) = &operand.kind {
                    self.add(sc.reach(p), false);
                }
            }
            NodeKind::Native(native, args) => {
                document_reads(native, args.len(), self.root);
                for (i, a) in args.iter().enumerate() {
                    match (&a.kind, native.arg_reads(i)) {
                        (NodeKind::Path(p), Some(sub)) => match sc.reach(p) {
                            Reach::Doc(mut s) => {
                                // Keep the path's node (even when nothing below is read) and
                                // the sub-paths.
                                self.root.add(&s, false);
                                let plen = s.len();
                                for r in sub {
                                    s.truncate(plen);
                                    s.extend(r.iter().cloned());
                                    self.root.add_path(&s);
                                }
                            }
                            other => self.add(other, true),
                        },
                        _ => self.collect(a, sc),
                    }
                }
            }
            NodeKind::Quantifier(q, list, body) => {
                // `first` and `filter` give elements of the list as their value, which may be
                // read in any way afterwards: those elements are read whole.
                let keeps_elements = matches!(q, Quantifier::First | Quantifier::Filter);
                let elem = match &list.kind {
                    NodeKind::Path(p) => match sc.reach(p) {
                        Reach::Doc(s) => {
                            // Elements: of the list value, or the path's own values when
                            // multi-valued; they must exist (their count matters) even when
                            // the body reads nothing.
                            let mut eb = s;
                            if !p.multi {
                                eb.push(Segment::Wildcard);
                            }
                            self.root.add(&eb, keeps_elements);
                            Some(eb)
                        }
                        Reach::Nothing => None,
                        Reach::Whole => {
                            self.root.whole = true;
                            None
                        }
                    },
                    // A computed list: the body reads that value, not the document.
                    _ => {
                        self.collect(list, sc);
                        None
                    }
                };
                self.collect(body, &sc.element(elem));
            }
            NodeKind::Let(slot, _, value, body) => {
                let bound = self.bind(value, sc);
                let mut inner = sc.clone();
                inner.binds.truncate(*slot);
                inner.binds.resize(*slot, None);
                inner.binds.push(bound);
                self.collect(body, &inner);
            }
            NodeKind::Call(f, args) => {
                let binds: Vec<Option<Vec<Segment>>> =
                    args.iter().map(|a| self.bind(a, sc)).collect();
                let key = (std::ptr::from_ref(&f.body), binds.clone());
                if self.seen_calls.contains(&key) {
                    return;
                }
                self.seen_calls.push(key);
                let inner = Scope {
                    implicit: None,
                    current: None,
                    binds,
                };
                self.collect(&f.body, &inner);
            }
            // Everything else reads what its parts read.
            _ => {
                for c in n.children() {
                    self.collect(c, sc);
                }
            }
        }
    }

    /// A value about to be bound to a name: a path of the document is remembered (what is
    /// read through the name is added where it is used); anything else is read now.
    fn bind(&mut self, value: &Node, sc: &Scope) -> Option<Vec<Segment>> {
        if let NodeKind::Path(p) = &value.kind {
            match sc.reach(p) {
                Reach::Doc(s) => return Some(s),
                Reach::Nothing => return None,
                Reach::Whole => {
                    self.root.whole = true;
                    return None;
                }
            }
        }
        self.collect(value, sc);
        None
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
