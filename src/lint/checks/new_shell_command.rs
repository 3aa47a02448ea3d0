//! XL0004 new-shell-command: `$(shell,...)` commands the series adds.
//! Documented in new_shell_command.md (`xenlint explain XL0004`); computed by the series engine.

use std::collections::{BTreeMap, BTreeSet};

use super::{Check, Scope};
use crate::lint::context::{new_items, ArchContext};
use crate::lint::{Finding, Severity};

pub const CHECK: Check = Check {
    code: "XL0004",
    name: "new-shell-command",
    severity: Severity::Warning,
    doc: include_str!("new_shell_command.md"),
    scope: Scope::Arch(check),
    needs_kbuild: false,
};

fn check(cx: &ArchContext) -> Vec<Finding> {
    new_shell_commands(cx)
}

/// XL0004: `$(shell,...)` commands the series adds (never run).
fn new_shell_commands(cx: &ArchContext) -> Vec<Finding> {
    let mut at: Vec<BTreeMap<String, (String, u32)>> = Vec::new();
    for tree in cx.snapshots {
        let mut commands = BTreeMap::new();
        for c in tree.model.shell_commands.iter().filter(|c| !c.ran) {
            commands
                .entry(c.command.clone())
                .or_insert((c.file.clone(), c.line));
        }
        at.push(commands);
    }
    let sets: Vec<BTreeSet<String>> = at.iter().map(|m| m.keys().cloned().collect()).collect();
    new_items(&sets)
        .into_iter()
        .map(|(command, span)| {
            let (file, line) = at[span.culprit][&command].clone();
            let loc = cx.location(
                span.culprit,
                &file,
                line,
                "not run: answered as a failed command".to_string(),
                None,
            );
            cx.finding(
                &CHECK,
                &span,
                format!("the series adds the Kconfig command `{command}`"),
                Vec::new(),
                vec![loc],
            )
        })
        .collect()
}
