//! XL0007 dead-symbol: Symbols that can no longer be enabled.
//! Documented in dead_symbol.md (`xenlint explain XL0007`); computed by the series engine.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::{Check, Scope};
use crate::lint::cause::{Explainer, Side};
use crate::lint::context::{grouped_symbol, new_items, ArchContext, BaselineRun, BreakSpan};
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
        .flat_map(|run| dead_symbols(cx, run))
        .collect()
}

/// XL0007: symbols allmodconfig enables at the base that a commit makes impossible to
/// enable while they are still defined.
fn dead_symbols(cx: &ArchContext, run: &BaselineRun) -> Vec<Finding> {
    let values: &[Option<Arc<Values>>] = &run.values;
    let Some(Some(base)) = values.first() else {
        return Vec::new();
    };
    let mut sets: Vec<BTreeSet<String>> = Vec::new();
    for (index, v) in values.iter().enumerate() {
        // The configuration and the tree of the commit before: the same symbols.
        let like_before = |v: &Arc<Values>| {
            index > 0
                && cx.snapshots.same_tree(index, index - 1)
                && values[index - 1]
                    .as_ref()
                    .is_some_and(|p| Arc::ptr_eq(p, v))
        };
        // No configuration, or the one before on the same tree: the set before.
        let Some(v) = v.as_ref().filter(|v| !like_before(v)) else {
            sets.push(sets.last().cloned().unwrap_or_default());
            continue;
        };
        // The base's very configuration: every symbol it enables, it still enables.
        if Arc::ptr_eq(v, base) {
            sets.push(BTreeSet::new());
            continue;
        }
        let dead = base
            .iter()
            .filter(|(_, val)| val.as_str() != "n")
            .filter(|(name, _)| v.get(*name).is_none_or(|now| now == "n"))
            // A choice member allmodconfig does not pick can still be picked by hand.
            .filter(|(name, _)| {
                cx.snapshots
                    .defined_at(index, name)
                    .is_some_and(|d| !d.choice_value)
            })
            .map(|(name, _)| name.clone())
            .collect();
        sets.push(dead);
    }
    // One finding per root cause at each culprit: the other symbols it takes with it
    // are its consequences.
    let mut out: Vec<Finding> = Vec::new();
    let mut by_span: BTreeMap<(usize, Option<usize>), Vec<String>> = BTreeMap::new();
    for (name, span) in new_items(&sets) {
        by_span
            .entry((span.culprit, span.repair))
            .or_default()
            .push(name);
    }
    for ((culprit, repair), names) in by_span {
        let span = BreakSpan { culprit, repair };
        let side = |index: usize| Side {
            index,
            tree: &cx.snapshots[index],
            values: values[index].as_deref(),
        };
        let explainer = Explainer::new(cx.series, side(culprit), side(culprit - 1), run.baseline);
        let groups = explainer.by_cause(names, |name| name.as_str());
        let state = |name: &str| match repair {
            Some(r) => format!(
                "CONFIG_{name} cannot be enabled on {ARCHES_HIT} from {} until {}",
                cx.series.commits[culprit].short, cx.series.commits[r].short
            ),
            None => format!("CONFIG_{name} can no longer be enabled on {ARCHES_HIT}"),
        };
        for (cause, members) in groups {
            let (name, path) = &members[0];
            let tree = &cx.snapshots[culprit];
            let sym = defined(tree, name).expect("dead symbols are defined");
            let pos = definition_pos(tree, sym);
            let file = tree.model.file_name(pos.file).to_string();
            let label = match repair {
                Some(_) => format!("allmodconfig cannot enable `{name}` here"),
                None => format!("allmodconfig can no longer enable `{name}`"),
            };
            let mut message = format!("{}: {}", state(name), cause.text);
            if !path.is_empty() {
                message.push_str(&format!(" (CONFIG_{name}: {})", path.join(", ")));
            }
            let mut locations = vec![cx.location(culprit, &file, pos.line, label, Some(name))];
            locations.extend(cause.locations);
            let symbols = members.iter().map(|(n, _)| n.clone()).collect();
            let mut f = cx.finding(&CHECK, &span, message, symbols, locations);
            f.baselines.push("allmodconfig".to_string());
            for (other, path) in members.iter().skip(1) {
                f.consequences.push(grouped_symbol(
                    &CHECK,
                    other,
                    state(other),
                    path,
                    cx.arch,
                    "allmodconfig",
                ));
            }
            out.push(f);
        }
    }
    out
}
