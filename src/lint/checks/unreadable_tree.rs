//! XL0012 unreadable-tree: a commit whose tree cannot be read as a kernel for an arch.
//! Documented in unreadable_tree.md (`xenlint explain XL0012`).

use std::collections::BTreeSet;

use super::{Check, Scope};
use crate::lint::context::{new_items, ArchContext};
use crate::lint::finding::ARCHES_HIT;
use crate::lint::{Finding, Severity};

pub const CHECK: Check = Check {
    code: "XL0012",
    name: "unreadable-tree",
    severity: Severity::Error,
    doc: include_str!("unreadable_tree.md"),
    scope: Scope::Arch(check),
    needs_kbuild: false,
};

fn check(cx: &ArchContext) -> Vec<Finding> {
    // The reason at each commit; a run of commits with the same reason is one finding.
    let sets: Vec<BTreeSet<&str>> = cx
        .unreadable
        .iter()
        .map(|u| u.iter().map(|u| u.why.as_str()).collect())
        .collect();
    new_items(&sets)
        .into_iter()
        .map(|(why, span)| {
            let message = format!("not a kernel tree for {ARCHES_HIT}: {why}");
            let file = cx.unreadable[span.culprit]
                .as_ref()
                .and_then(|u| u.file.as_deref());
            let locations = file
                .map(|file| {
                    let label = "no `VERSION =` and `PATCHLEVEL =` lines in this file".to_string();
                    vec![cx.location(span.culprit, file, 1, label, None)]
                })
                .unwrap_or_default();
            cx.finding(&CHECK, &span, message, Vec::new(), locations)
        })
        .collect()
}
