//! XL0002 kconfig-error: Kconfig errors a commit introduces.
//! Documented in kconfig_error.md (`xenlint explain XL0002`); computed by the series engine.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::{Check, Scope};
use crate::kconfig::finalize::REWRITES_EXHAUSTED;
use crate::kconfig::model::Severity as KSeverity;
use crate::lint::context::{new_items, ArchContext};
use crate::lint::snapshot::KconfigSnapshot;
use crate::lint::{Finding, Severity};

pub const CHECK: Check = Check {
    code: "XL0002",
    name: "kconfig-error",
    severity: Severity::Error,
    doc: include_str!("kconfig_error.md"),
    scope: Scope::Arch(check),
    needs_kbuild: false,
};

fn check(cx: &ArchContext) -> Vec<Finding> {
    kconfig_errors(cx)
}

/// Errors the parser reported in `tree`: (file, message) -> first line. Keyed without
/// the line, which moves when lines are added above.
pub(crate) fn parse_errors(tree: &KconfigSnapshot) -> BTreeMap<(String, String), u32> {
    let mut errors = BTreeMap::new();
    for d in tree
        .model
        .diagnostics
        .iter()
        .filter(|d| d.severity == KSeverity::Error)
    {
        errors
            .entry((d.file.clone(), d.message.clone()))
            .or_insert(d.line);
    }
    errors
}

/// What finalizing `tree` finds: recursive dependencies (they stop conf too) and the
/// rewriting budget exhausted.
pub(crate) fn final_errors(
    tree: &KconfigSnapshot,
    acyclic_before: Option<(&KconfigSnapshot, &HashSet<String>)>,
) -> BTreeMap<(String, String), u32> {
    let mut errors = BTreeMap::new();
    // Only a search over every symbol says which cycles conf reports, and in what words;
    // a tree shown to have none needs no search.
    let acyclic = acyclic_before.is_some_and(|(before, changed)| {
        crate::lint::incremental::still_acyclic(before, tree, changed)
    });
    let cycles = match acyclic {
        true => Vec::new(),
        false => crate::kconfig::check::recursive_dependencies(&tree.model, tree.fin()),
    };
    for cycle in cycles {
        let message = format!("recursive dependency: {}", cycle.steps.join("; "));
        errors.entry((String::new(), message)).or_insert(0);
    }
    if let Some(d) = tree.fin().rewrite_error(&tree.model) {
        errors.entry((d.file, d.message)).or_insert(d.line);
    }
    errors
}

/// XL0002: Kconfig errors present at a commit and not at the base.
fn kconfig_errors(cx: &ArchContext) -> Vec<Finding> {
    let trees = cx.snapshots;
    let mut at: Vec<BTreeMap<(String, String), u32>> = Vec::new();
    for index in 0..trees.len() {
        let facts = trees.facts(index);
        let mut errors = facts.parse_errors.clone();
        // What finalization finds is the same at a commit of the same semantics. conf
        // stops before finalizing a tree with parse errors: what finalization found at
        // the commit before is not known to be gone there, and is kept (no false repair).
        let parse_failed = !errors.is_empty();
        let same_semantics = index > 0 && trees.fingerprint(index - 1) == trees.fingerprint(index);
        if index > 0 && (parse_failed || same_semantics) {
            for (key, line) in at[index - 1]
                .iter()
                .filter(|((file, message), _)| file.is_empty() || message == REWRITES_EXHAUSTED)
            {
                errors.insert(key.clone(), *line);
            }
        } else if !parse_failed {
            let found = facts
                .final_errors
                .as_ref()
                .expect("taken at every tree that resolves unlike the commit before");
            for (key, line) in found {
                errors.entry(key.clone()).or_insert(*line);
            }
        }
        at.push(errors);
    }
    let sets: Vec<BTreeSet<(String, String)>> =
        at.iter().map(|m| m.keys().cloned().collect()).collect();
    new_items(&sets)
        .into_iter()
        .map(|((file, message), span)| {
            let line = at[span.culprit][&(file.clone(), message.clone())];
            let first_line = message.lines().next().unwrap_or("").to_string();
            if file.is_empty() {
                return cx.finding(
                    &CHECK,
                    &span,
                    format!("Kconfig {first_line}"),
                    Vec::new(),
                    Vec::new(),
                );
            }
            let loc = cx.location(span.culprit, &file, line, first_line.clone(), None);
            cx.finding(
                &CHECK,
                &span,
                format!("Kconfig error at {file}:{line}: {first_line}"),
                Vec::new(),
                vec![loc],
            )
        })
        .collect()
}
