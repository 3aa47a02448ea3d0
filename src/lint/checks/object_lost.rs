//! XL0009 object-lost: objects built at the base that the tip no longer builds.
//! Documented in object_lost.md (`xenlint explain XL0009`); computed from the Kbuild walk
//! of every commit (lint/objects.rs).

use super::object_cause::{dropped, explain, gating_successor, list};
use super::{Check, Scope};
use crate::lint::context::ArchContext;
use crate::lint::finding::SCOPE_HIT;
use crate::lint::{Finding, Severity};

pub const CHECK: Check = Check {
    code: "XL0009",
    name: "object-lost",
    severity: Severity::Note,
    doc: include_str!("object_lost.md"),
    scope: Scope::Arch(check),
    needs_kbuild: true,
};

fn check(cx: &ArchContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for run in cx.baselines {
        for group in dropped(&run.objects).iter().filter(|g| g.persistent) {
            let why = explain(cx, run, group);
            let paths = &group.paths;
            // The symbol now gating the same objects: the successor of a renamed gate.
            let successor = gating_successor(cx, paths, group.parent, &why.parent_gates);
            let message = format!(
                "{} built at the base {} no longer built at the tip on {SCOPE_HIT}{}",
                list(paths),
                if paths.len() == 1 { "is" } else { "are" },
                successor
                    .as_ref()
                    .map(|s| format!(": now gated by CONFIG_{s}"))
                    .unwrap_or_default()
            );
            let mut symbols: Vec<String> = why.cause.iter().map(|(g, _)| g.clone()).collect();
            symbols.extend(successor);
            let mut finding = cx.finding(&CHECK, &group.span, message, symbols, why.locations);
            finding.baselines = vec![run.name.clone()];
            finding.notes = why.notes;
            out.push(finding);
        }
    }
    out
}
