//! User-defined functions: a pack's `name(params): body` definitions checked as a set (names,
//! parameters, cycles) and compiled once each, callees before callers, into the registry.

use crate::ast::{Expr, ExprKind};
use crate::check::{builtin_names, check_in};
use crate::compile::lower_in;
use crate::error::{CompileError, ConditionError, ErrorCode};
use crate::functions::{FunctionDef, FunctionError, Registry};
use crate::ir::Function;
use crate::span::Span;
use crate::syntax;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Compiles `defs` into `reg`; returns the errors of those that could not be added.
pub(crate) fn define_functions(reg: &mut Registry, defs: &[FunctionDef]) -> Vec<FunctionError> {
    let mut errors = Vec::new();
    let mut valid: BTreeMap<&str, (usize, Expr)> = BTreeMap::new();
    for (i, d) in defs.iter().enumerate() {
        if let Some(e) = signature_error(reg, defs, i) {
            errors.push(e);
            continue;
        }
        let rec = syntax::parse_recovering(&d.body);
        match rec.patched {
            Some(ast) if rec.errors.is_empty() => {
                valid.insert(d.name.as_str(), (i, ast));
            }
            _ => errors.push(body_error(i, d, rec.errors)),
        }
    }
    // Calls between the functions being defined.
    let calls: BTreeMap<&str, Vec<(&str, Span)>> = valid
        .iter()
        .map(|(name, (_, ast))| {
            let callees = ast
                .descendants()
                .filter_map(|e| match &e.kind {
                    ExprKind::Call { name: n, .. } if defs.iter().any(|d| d.name == n.name) => {
                        Some((
                            defs.iter()
                                .find(|d| d.name == n.name)
                                .map_or("", |d| d.name.as_str()),
                            n.span,
                        ))
                    }
                    _ => None,
                })
                .collect();
            (*name, callees)
        })
        .collect();
    for cycle in cycles(&calls) {
        let text = cycle.join(" → ");
        for (k, name) in cycle.iter().enumerate().take(cycle.len().saturating_sub(1)) {
            let Some((i, _)) = valid.get(name) else {
                continue;
            };
            let next = cycle.get(k + 1).copied().unwrap_or("");
            let span = calls
                .get(name)
                .and_then(|c| c.iter().find(|(n, _)| *n == next))
                .map_or(Span::new(0, 0), |(_, s)| *s);
            let Some(d) = defs.get(*i) else { continue };
            errors.push(body_error(
                *i,
                d,
                vec![ConditionError::new(ErrorCode::E0112, span, format!("functions call each other in a cycle: {text}"), "calls back into the cycle")
                    .with_help("functions cannot be recursive, directly or through others: compute the value without the cycle")],
            ));
        }
        for name in &cycle {
            valid.remove(name);
        }
    }
    // Compile callees before callers; a caller of a function that did not compile fails too.
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let mut pending: Vec<&str> = valid.keys().copied().collect();
    while !pending.is_empty() {
        let ready: Vec<&str> = pending
            .iter()
            .copied()
            .filter(|n| {
                calls.get(n).is_none_or(|c| {
                    c.iter()
                        .all(|(callee, _)| done.contains(callee) || !valid.contains_key(callee))
                })
            })
            .collect();
        if ready.is_empty() {
            break;
        }
        for name in ready {
            pending.retain(|p| *p != name);
            let Some((i, ast)) = valid.get(name) else {
                continue;
            };
            let Some(d) = defs.get(*i) else {
                continue;
            };
            let broken: Vec<ConditionError> = calls
                .get(name)
                .into_iter()
                .flatten()
                .filter(|(callee, _)| !done.contains(callee) && reg.function(callee).is_none())
                .map(|(callee, span)| {
                    ConditionError::new(
                        ErrorCode::E0101,
                        *span,
                        format!("`{callee}` is defined but does not compile"),
                        "calls a function with errors",
                    )
                    .with_help(format!("fix the errors of `{callee}` first"))
                })
                .collect();
            if !broken.is_empty() {
                errors.push(body_error(*i, d, broken));
                continue;
            }
            let errs = check_in(ast, reg, &d.params, true);
            if !errs.is_empty() {
                errors.push(body_error(*i, d, errs));
                continue;
            }
            match lower_in(ast, reg, &d.params) {
                Ok(body) => {
                    reg.insert_function(Function {
                        name: d.name.clone(),
                        params: d.params.clone(),
                        origin: d.origin.clone(),
                        body,
                        source: Arc::from(d.body.as_str()),
                        ast: ast.clone(),
                    });
                    done.insert(name);
                }
                Err(errs) => errors.push(body_error(*i, d, errs)),
            }
        }
    }
    errors.sort_by_key(|e| e.index);
    errors
}

fn body_error(index: usize, d: &FunctionDef, errs: Vec<ConditionError>) -> FunctionError {
    FunctionError {
        index,
        in_signature: false,
        error: CompileError::new(&d.name, &d.body, errs),
    }
}

/// The error in definition `i`'s name or parameters, if any.
fn signature_error(reg: &Registry, defs: &[FunctionDef], i: usize) -> Option<FunctionError> {
    let d = defs.get(i)?;
    let sig = format!("{}({})", d.name, d.params.join(", "));
    let name_span = Span::new(0, d.name.len());
    let err = |e: ConditionError| FunctionError {
        index: i,
        in_signature: true,
        error: CompileError::new(&d.name, &sig, vec![e]),
    };
    if builtin_names().any(|b| b == d.name) {
        return Some(err(ConditionError::new(
            ErrorCode::E0113,
            name_span,
            format!("`{}` is a built-in function", d.name),
            "built-in name",
        )
        .with_help(
            "built-ins cannot be redefined: give the function another name",
        )));
    }
    let earlier = defs.iter().take(i).find(|o| o.name == d.name);
    if earlier.is_some() || reg.function(&d.name).is_some() {
        let at = earlier.map_or_else(
            || {
                reg.function(&d.name)
                    .map_or(String::new(), |f| f.origin.clone())
            },
            |o| o.origin.clone(),
        );
        return Some(err(ConditionError::new(
            ErrorCode::E0111,
            name_span,
            format!("the function `{}` is defined twice", d.name),
            "defined again here",
        )
        .with_help(format!(
            "it is already defined in {at}: keep one definition"
        ))));
    }
    let mut offset = d.name.len() + 1;
    for (k, p) in d.params.iter().enumerate() {
        let span = Span::new(offset, offset + p.len());
        if d.params.iter().take(k).any(|q| q == p) {
            return Some(err(ConditionError::new(
                ErrorCode::E0111,
                span,
                format!("the parameter `{p}` is named twice"),
                "named again here",
            )
            .with_help("give each parameter its own name")));
        }
        offset += p.len() + 2;
    }
    None
}

/// The call cycles among `calls`, each written from a function back to itself
/// (`a → b → a`), each found once.
fn cycles<'n>(calls: &BTreeMap<&'n str, Vec<(&'n str, Span)>>) -> Vec<Vec<&'n str>> {
    let mut found: Vec<Vec<&str>> = Vec::new();
    let mut in_cycle: BTreeSet<&str> = BTreeSet::new();
    for &start in calls.keys() {
        if in_cycle.contains(start) {
            continue;
        }
        // Depth-first search for a path from `start` back to `start`.
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        let mut path: Vec<&str> = vec![start];
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        while let Some((node, next)) = stack.pop() {
            let callees = calls.get(node).map(Vec::as_slice).unwrap_or(&[]);
            match callees.get(next) {
                None => {
                    path.pop();
                }
                Some((callee, _)) => {
                    stack.push((node, next + 1));
                    if *callee == start {
                        let mut c = path.clone();
                        c.push(start);
                        in_cycle.extend(c.iter().copied());
                        found.push(c);
                        stack.clear();
                    } else if seen.insert(callee) && calls.contains_key(callee) {
                        stack.push((callee, 0));
                        path.push(callee);
                    }
                }
            }
        }
    }
    found
}
