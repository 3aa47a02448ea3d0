//! XL0005 lost-symbol: Symbols set at the base that the tip no longer has.
//! Documented in lost_symbol.md (`xenlint explain XL0005`); computed by the series engine.

use std::collections::{BTreeMap, BTreeSet};

use super::{Check, Scope};
use crate::lint::context::{ArchContext, BreakSpan};
use crate::lint::snapshot::{defined, definition_pos};
use crate::lint::{Finding, Severity};

pub const CHECK: Check = Check {
    code: "XL0005",
    name: "lost-symbol",
    severity: Severity::Note,
    doc: include_str!("lost_symbol.md"),
    scope: Scope::Arch(check),
    needs_kbuild: false,
};

fn check(cx: &ArchContext) -> Vec<Finding> {
    // Symbols set (to anything but n) at the base by any baseline.
    let set_at_base: BTreeSet<String> = cx
        .baselines
        .iter()
        .filter_map(|run| run.values.first().cloned().flatten())
        .flat_map(|v| {
            v.iter()
                .filter(|(_, val)| val.as_str() != "n")
                .map(|(k, _)| k.clone())
                .collect::<Vec<_>>()
        })
        .collect();
    let no_successors = BTreeMap::new();
    let gate_successors = cx
        .references
        .map(|r| &r.gate_successors)
        .unwrap_or(&no_successors);
    lost_symbols(cx, &set_at_base, gate_successors)
}

/// XL0005: symbols set at the base that the tip no longer defines, with a successor.
fn lost_symbols(
    cx: &ArchContext,
    set_at_base: &BTreeSet<String>,
    gate_successors: &BTreeMap<String, String>,
) -> Vec<Finding> {
    let (base, tip) = (&cx.snapshots[0], &cx.snapshots[cx.snapshots.len() - 1]);
    let mut out = Vec::new();
    for name in set_at_base {
        let Some(old) = defined(base, name) else {
            continue;
        };
        if defined(tip, name).is_some() {
            continue;
        }
        // By dependencies first; else by the objects the symbol gated in Kbuild.
        let successor = successor(cx, name).or_else(|| gate_successors.get(name).cloned());
        let pos = definition_pos(base, old);
        let file = base.model.file_name(pos.file).to_string();
        let loc = cx.location(
            0,
            &file,
            pos.line,
            format!("`{name}` defined here at the base"),
            Some(name),
        );
        // The commit that removes it: the first one where it is no longer defined.
        let culprit = (1..cx.snapshots.len())
            .find(|&i| defined(&cx.snapshots[i], name).is_none())
            .unwrap_or(1);
        let span = BreakSpan {
            culprit,
            repair: None,
        };
        let message = match &successor {
            Some(s) => format!("CONFIG_{name} is set at the base but gone at the tip; likely successor: CONFIG_{s}"),
            None => format!("CONFIG_{name} is set at the base but gone at the tip: configurations lose it"),
        };
        let mut finding = cx.finding(
            &CHECK,
            &span,
            message,
            std::iter::once(name.clone()).chain(successor).collect(),
            vec![loc],
        );
        finding.notes.push(
            "`make olddefconfig` drops the values of symbols that no longer exist".to_string(),
        );
        out.push(finding);
    }
    out
}

/// The symbol that now stands where `lost` was referenced: symbols whose dependencies
/// named `lost` at the base name a symbol at the tip that the base did not define.
fn successor(cx: &ArchContext, lost: &str) -> Option<String> {
    let (base, tip) = (&cx.snapshots[0], &cx.snapshots[cx.snapshots.len() - 1]);
    let mut votes: BTreeMap<String, usize> = BTreeMap::new();
    for (index, sym) in base.model.symbols.iter().enumerate() {
        let Some(name) = &sym.name else { continue };
        let Some(dep) = &base.fin().dir_dep[index] else {
            continue;
        };
        let mut referenced = Vec::new();
        dep.symbols(&mut referenced);
        if !referenced.iter().any(|&r| base.model.sym_name(r) == lost) {
            continue;
        }
        let Some(now) = defined(tip, name) else {
            continue;
        };
        let Some(tip_dep) = &tip.fin().dir_dep[now.0 as usize] else {
            continue;
        };
        let mut now_refs = Vec::new();
        tip_dep.symbols(&mut now_refs);
        for r in now_refs {
            let r_name = tip.model.sym_name(r).to_string();
            if defined(base, &r_name).is_none() && defined(tip, &r_name).is_some() {
                *votes.entry(r_name).or_default() += 1;
            }
        }
    }
    votes
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(name, _)| name)
}
