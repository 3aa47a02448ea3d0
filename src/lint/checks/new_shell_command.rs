//! XL0004 new-shell-command: `$(shell,...)` commands the series adds, toolchain probes
//! it changes (a CC or CROSS_COMPILE the base does not use), and scripts the base's
//! commands run that the series changes: none of the series' versions run.
//! Documented in new_shell_command.md (`xenlint explain XL0004`); computed by the series engine.

use std::collections::{BTreeMap, BTreeSet};

use super::{Check, Scope};
use crate::lint::context::{new_items, ArchContext};
use crate::lint::snapshot::KconfigSnapshot;
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
    out.extend(changed_scripts(cx));
    out
}

/// The files under `scripts/` a command names through `$(srctree)` (expanded to `srctree`:
/// `$(srctree)/scripts/cc-version.sh $(CC)` names `scripts/cc-version.sh`).
fn scripts_named<'c>(command: &'c str, srctree: &str) -> impl Iterator<Item = &'c str> {
    let prefix = format!("{srctree}/");
    command
        .split(|c: char| c.is_whitespace() || "'\"`;|&()<>".contains(c))
        .filter_map(move |word| {
            let path = word.strip_prefix(prefix.as_str())?;
            (path.starts_with("scripts/") && path.len() > "scripts/".len()).then_some(path)
        })
}

/// Scripts the base's Kconfig commands run, changed by the series: the engine runs the
/// base's version (its `scripts/` is what it exports), so the series' version is never run
/// and the answers at those commits may differ from what a trusting `make` would get.
fn changed_scripts(cx: &ArchContext) -> Vec<Finding> {
    let series = cx.series;
    let touches = |i: usize| series.changed[i].iter().any(|p| p.starts_with("scripts/"));
    if !(1..series.commits.len()).any(touches) {
        return Vec::new();
    }
    let Some(base) = series.source(0) else {
        return Vec::new();
    };
    // Where the base runs each script (the command's text holds the scratch srctree).
    let base_tree = &cx.snapshots[0];
    let Some(srctree) = base_tree.env.vars.get("srctree") else {
        return Vec::new();
    };
    let mut run_by: BTreeMap<&str, String> = BTreeMap::new();
    for c in base_tree.model.shell_commands.iter().filter(|c| c.ran) {
        for script in scripts_named(&c.command, srctree) {
            run_by
                .entry(script)
                .or_insert_with(|| format!("{}:{}", c.file, c.line));
        }
    }
    let at_base: BTreeMap<&str, _> = run_by.keys().map(|&s| (s, base.blob_id(s))).collect();
    let sets: Vec<BTreeSet<&str>> = (0..series.commits.len())
        .map(|i| match series.source(i) {
            Some(source) if i > 0 && cx.unreadable[i].is_none() => at_base
                .iter()
                .filter(|(script, id)| source.blob_id(script) != **id)
                .map(|(script, _)| *script)
                .collect(),
            _ => BTreeSet::new(),
        })
        .collect();
    new_items(&sets)
        .into_iter()
        .map(|(script, span)| {
            let location = cx.location(
                span.culprit,
                script,
                1,
                "not run: the base's version answers".to_string(),
                None,
            );
            cx.finding(
                &CHECK,
                &span,
                format!(
                    "the series changes `{script}`, which the base's Kconfig runs ({})",
                    run_by[script]
                ),
                Vec::new(),
                vec![location],
            )
        })
        .collect()
}

/// Tool probes refused at a commit because the series changed the tool (`CC :=`,
/// `CROSS_COMPILE :=` in an arch Makefile): the arch Makefile line that sets it.
fn changed_tools(cx: &ArchContext) -> Vec<Finding> {
    let sets: Vec<BTreeSet<&str>> = (0..cx.snapshots.len())
        .map(|index| {
            if cx.unreadable[index].is_some() {
                return BTreeSet::new();
            }
            let refused = &cx.snapshots.env(index).refused;
            refused.iter().map(String::as_str).collect()
        })
        .collect();
    new_items(&sets)
        .into_iter()
        .map(|(why, span)| {
            let env = cx.snapshots.env(span.culprit);
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

/// The `$(shell,...)` commands of `tree` that were not run: command -> (file, line) of
/// its first use.
pub(crate) fn unran_commands(tree: &KconfigSnapshot) -> BTreeMap<String, (String, u32)> {
    let mut commands = BTreeMap::new();
    for c in tree.model.shell_commands.iter().filter(|c| !c.ran) {
        commands
            .entry(c.command.clone())
            .or_insert((c.file.clone(), c.line));
    }
    commands
}

/// XL0004: `$(shell,...)` commands the series adds (never run).
fn new_shell_commands(cx: &ArchContext) -> Vec<Finding> {
    let at: Vec<&BTreeMap<String, (String, u32)>> = (0..cx.snapshots.len())
        .map(|index| &cx.snapshots.facts(index).unran_commands)
        .collect();
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
