//! XL0004 new-shell-command: `$(shell,...)` commands the series adds, and toolchain
//! probes it changes (a CC or CROSS_COMPILE the base does not use), none of them run.
//! Documented in new_shell_command.md (`xenlint explain XL0004`); computed by the series engine.

use std::collections::{BTreeMap, BTreeSet};

use super::{Check, Scope};
use crate::lint::context::{new_items, ArchContext};
use crate::lint::{Finding, Severity};
use crate::source::Source;

pub const CHECK: Check = Check {
    code: "XL0004",
    name: "new-shell-command",
    severity: Severity::Warning,
    doc: include_str!("new_shell_command.md"),
    scope: Scope::Arch(check),
    needs_kbuild: false,
};

fn check(cx: &ArchContext) -> Vec<Finding> {
    let mut out = new_shell_commands(cx);
    out.extend(changed_tools(cx));
    out
}

/// Tool probes refused at a commit because the series changed the tool (`CC :=`,
/// `CROSS_COMPILE :=` in an arch Makefile): the arch Makefile line that sets it.
fn changed_tools(cx: &ArchContext) -> Vec<Finding> {
    let sets: Vec<BTreeSet<&str>> = cx
        .snapshots
        .iter()
        .enumerate()
        .map(|(index, tree)| {
            if cx.unreadable[index].is_some() {
                return BTreeSet::new();
            }
            tree.env.refused.iter().map(String::as_str).collect()
        })
        .collect();
    new_items(&sets)
        .into_iter()
        .map(|(why, span)| {
            let env = &cx.snapshots[span.culprit].env;
            let makefile = format!("arch/{}/Makefile", env.srcarch);
            let locations = tool_assignment(cx, span.culprit, &makefile)
                .map(|(line, variable)| {
                    cx.location(
                        span.culprit,
                        &makefile,
                        line,
                        "not run: answered as a failed command".to_string(),
                        Some(&variable),
                    )
                })
                .into_iter()
                .collect();
            cx.finding(
                &CHECK,
                &span,
                format!("the series changes a tool make runs before Kconfig: {why}"),
                Vec::new(),
                locations,
            )
        })
        .collect()
}

/// The first line of `file` at commit `index` that assigns a toolchain variable.
fn tool_assignment(cx: &ArchContext, index: usize, file: &str) -> Option<(u32, String)> {
    let text = cx.series.source(index)?.read(file).ok()??;
    let text = String::from_utf8_lossy(&text);
    let tools = [
        "CROSS_COMPILE",
        "CC",
        "LD",
        "AR",
        "NM",
        "OBJCOPY",
        "RUSTC",
        "HOSTCC",
    ];
    text.lines().enumerate().find_map(|(n, line)| {
        let line = line.trim_start();
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let name: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let rest = line[name.len()..].trim_start();
        let assigns = ["=", ":=", "::=", "?=", "+="]
            .iter()
            .any(|op| rest.starts_with(op));
        (tools.contains(&name.as_str()) && assigns).then(|| (n as u32 + 1, name))
    })
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
