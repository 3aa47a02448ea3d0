//! XL0008 object-dropped: objects built at the base and the tip but not at a commit between.
//! Documented in object_dropped.md (`xenlint explain XL0008`); computed from the Kbuild walk
//! of every commit (lint/objects.rs).

use super::object_cause::{dropped, explain, list};
use super::{Check, Scope};
use crate::lint::context::ArchContext;
use crate::lint::finding::SCOPE_HIT;
use crate::lint::{Finding, Severity};

pub const CHECK: Check = Check {
    code: "XL0008",
    name: "object-dropped",
    severity: Severity::Error,
    doc: include_str!("object_dropped.md"),
    scope: Scope::Arch(check),
    needs_kbuild: true,
};

fn check(cx: &ArchContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for run in cx.baselines {
        for group in dropped(&run.objects).iter().filter(|g| !g.persistent) {
            let why = explain(cx, run, group);
            let paths = &group.paths;
            let until = group
                .span
                .repair
                .map(|r| format!(" until {}", cx.series.commits[r].short))
                .unwrap_or_default();
            let message = format!(
                "{} {} not built on {SCOPE_HIT} from {}{until}, though built at the base and the tip",
                list(paths),
                if paths.len() == 1 { "is" } else { "are" },
                cx.series.commits[group.span.culprit].short,
            );
            let symbols = why.cause.iter().map(|(g, _)| g.clone()).collect();
            let mut finding = cx.finding(&CHECK, &group.span, message, symbols, why.locations);
            finding.baselines = vec![run.name.clone()];
            finding.notes = why.notes;
            out.push(finding);
        }
    }
    out
}
