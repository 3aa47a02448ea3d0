//! XL0006 unmet-dependency: New unmet direct dependencies.
//! Documented in unmet_dependency.md (`xenlint explain XL0006`); computed by the series engine.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::{Check, Scope};
use crate::lint::context::{new_items, ArchContext};
use crate::lint::snapshot::{defined, definition_pos};
use crate::lint::{Finding, Severity};

pub const CHECK: Check = Check {
    code: "XL0006",
    name: "unmet-dependency",
    severity: Severity::Warning,
    doc: include_str!("unmet_dependency.md"),
    scope: Scope::Arch(check),
    needs_kbuild: false,
};

fn check(cx: &ArchContext) -> Vec<Finding> {
    cx.baselines
        .iter()
        .flat_map(|run| unmet_dependencies(cx, &run.unmet, &run.name))
        .collect()
}

/// XL0006: unmet direct dependencies (conf's WARNING) that a commit introduces.
fn unmet_dependencies(
    cx: &ArchContext,
    unmet: &[Option<Arc<BTreeSet<String>>>],
    baseline: &str,
) -> Vec<Finding> {
    if unmet.iter().any(Option::is_none) {
        // Some commit could not be configured (kconfig-error says so).
        return Vec::new();
    }
    let sets: Vec<BTreeSet<String>> = unmet
        .iter()
        .map(|u| u.as_deref().cloned().unwrap_or_default())
        .collect();
    new_items(&sets)
        .into_iter()
        .map(|(name, span)| {
            let tree = &cx.snapshots[span.culprit];
            let mut locations = Vec::new();
            if let Some(sym) = defined(tree, &name) {
                let pos = definition_pos(tree, sym);
                let file = tree.model.file_name(pos.file).to_string();
                locations.push(cx.location(
                    span.culprit,
                    &file,
                    pos.line,
                    format!("`{name}` is selected while its dependencies are not met"),
                    Some(&name),
                ));
            }
            let mut f = cx.finding(
                &CHECK,
                &span,
                format!("conf warns: unmet direct dependencies detected for {name}"),
                vec![name],
                locations,
            );
            f.baselines.push(baseline.to_string());
            f
        })
        .collect()
}
