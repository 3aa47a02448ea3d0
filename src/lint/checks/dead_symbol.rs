//! XL0007 dead-symbol: Symbols that can no longer be enabled.
//! Documented in dead_symbol.md (`xenlint explain XL0007`); computed by the series engine.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::{Check, Scope};
use crate::lint::context::{new_items, ArchContext};
use crate::lint::finding::ARCHES_HIT;
use crate::lint::snapshot::{defined, definition_pos, Values};
use crate::lint::{Finding, Severity};

pub const CHECK: Check = Check {
    code: "XL0007",
    name: "dead-symbol",
    severity: Severity::Warning,
    doc: include_str!("dead_symbol.md"),
    scope: Scope::Arch(check),
    needs_kbuild: false,
};

fn check(cx: &ArchContext) -> Vec<Finding> {
    cx.baselines
        .iter()
        .filter(|run| run.is_allmodconfig())
        .flat_map(|run| dead_symbols(cx, &run.values))
        .collect()
}

/// XL0007: symbols allmodconfig enables at the base that a commit makes impossible to
/// enable while they are still defined.
fn dead_symbols(cx: &ArchContext, values: &[Option<Arc<Values>>]) -> Vec<Finding> {
    let Some(Some(base)) = values.first() else {
        return Vec::new();
    };
    let mut sets: Vec<BTreeSet<String>> = Vec::new();
    for (index, v) in values.iter().enumerate() {
        let Some(v) = v else {
            sets.push(sets.last().cloned().unwrap_or_default());
            continue;
        };
        let dead = base
            .iter()
            .filter(|(_, val)| val.as_str() != "n")
            .filter(|(name, _)| v.get(*name).is_none_or(|now| now == "n"))
            // A choice member allmodconfig does not pick can still be picked by hand.
            .filter(|(name, _)| {
                let tree = &cx.snapshots[index];
                defined(tree, name).is_some_and(|s| !tree.fin().is_choice_value[s.0 as usize])
            })
            .map(|(name, _)| name.clone())
            .collect();
        sets.push(dead);
    }
    new_items(&sets)
        .into_iter()
        .map(|(name, span)| {
            let tree = &cx.snapshots[span.culprit];
            let sym = defined(tree, &name).expect("dead symbols are defined");
            let pos = definition_pos(tree, sym);
            let file = tree.model.file_name(pos.file).to_string();
            let (label, message) = match span.repair {
                Some(repair) => (
                    format!("allmodconfig cannot enable `{name}` here"),
                    format!(
                        "CONFIG_{name} cannot be enabled on {ARCHES_HIT} from {} until {}",
                        cx.series.commits[span.culprit].short, cx.series.commits[repair].short
                    ),
                ),
                None => (
                    format!("allmodconfig can no longer enable `{name}`"),
                    format!("CONFIG_{name} can no longer be enabled on {ARCHES_HIT}"),
                ),
            };
            let loc = cx.location(span.culprit, &file, pos.line, label, Some(&name));
            let mut f = cx.finding(&CHECK, &span, message, vec![name], vec![loc]);
            f.baselines.push("allmodconfig".to_string());
            f
        })
        .collect()
}
