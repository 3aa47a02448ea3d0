//! XL0001 bisect-break.
//!
//! ## What it does
//! Finds symbols whose value at some commit of the series differs from both their value at
//! the base and at the tip: for an arch and a baseline configuration (a defconfig,
//! allnoconfig, allmodconfig or your own .config), the symbol is lost, gained or changes
//! value in the middle of the series and comes back later.
//!
//! ## Why it breaks bisection
//! `git bisect` lands on every commit. At the commits in between, the kernel configures
//! differently from both ends: code the series never meant to drop is not built, or is
//! built differently. Whoever bisects there tests a kernel unlike the one they think.
//!
//! ## How to fix
//! Make the commit named as the culprit keep the symbol's value: update the dependency,
//! select or default that it changes in the same commit (the root cause shows the line at
//! the culprit and at its parent), or move the repair earlier in the series.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::{Check, Scope};
use crate::kconfig::model::{Pos, SymbolId};
use crate::lint::context::{ArchContext, BaselineRun, BreakSpan, SeriesCommits};
use crate::lint::snapshot::{defined, definition_pos, names_only, KconfigSnapshot, Values};
use crate::lint::textdiff::{first_change, hunk};
use crate::lint::{Finding, Location, Severity};

pub const CHECK: Check = Check {
    code: "XL0001",
    name: "bisect-break",
    severity: Severity::Error,
    doc: include_str!("bisect_break.md"),
    scope: Scope::Arch(check),
    needs_kbuild: false,
};

fn check(cx: &ArchContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for run in cx.baselines {
        out.extend(bisect_breaks(cx, run));
    }
    out
}

fn value_at<'a>(values: &'a [Option<Arc<Values>>], index: usize, sym: &str) -> Option<&'a str> {
    values[index]
        .as_ref()
        .map(|v| v.get(sym).map(String::as_str).unwrap_or("n"))
}

/// Symbols whose value at an intermediate commit differs from both ends.
/// A symbol whose value changed: (name, value at the base, value in the broken span).
type Changed = (String, String, String);

fn bisect_breaks(cx: &ArchContext, run: &BaselineRun) -> Vec<Finding> {
    let (trees, values, points) = (cx.snapshots, &run.values, cx.series.commits);
    let last = values.len() - 1;
    let mut names: BTreeSet<&str> = BTreeSet::new();
    for v in values.iter().flatten() {
        names.extend(v.keys().map(String::as_str));
    }
    // (culprit, repair) -> [(symbol, base value, broken value)]
    let mut breaks: BTreeMap<(usize, usize), Vec<Changed>> = BTreeMap::new();
    for name in names {
        let (Some(first), Some(tip)) = (value_at(values, 0, name), value_at(values, last, name))
        else {
            continue;
        };
        let mut i = 1;
        while i < last {
            match value_at(values, i, name) {
                Some(v) if v != first && v != tip => {
                    let start = i;
                    while i < last
                        && value_at(values, i, name).is_some_and(|w| w != first && w != tip)
                    {
                        i += 1;
                    }
                    let broken = value_at(values, start, name).unwrap_or("n").to_string();
                    breaks.entry((start, i)).or_default().push((
                        name.to_string(),
                        first.to_string(),
                        broken,
                    ));
                }
                _ => i += 1,
            }
        }
    }
    let mut out = Vec::new();
    for ((culprit, repair), symbols) in breaks {
        let (at, parent) = (&trees[culprit], &trees[culprit - 1]);
        let (roots, dependents): (Vec<_>, Vec<_>) =
            symbols.iter().partition(|(s, _, _)| is_root(at, parent, s));
        let roots = if roots.is_empty() {
            symbols.iter().take(1).collect()
        } else {
            roots
        };
        for (index, (sym, was, now)) in roots.iter().enumerate() {
            let (cause, locations, hunk) = root_cause(cx.series, culprit, at, parent, sym);
            let mut notes = Vec::new();
            if let Some(hunk) = hunk {
                notes.push(format!(
                    "`depends on` of `{sym}`, parent to this commit:\n{hunk}"
                ));
            }
            if index == 0 && !dependents.is_empty() {
                let names: Vec<String> = dependents
                    .iter()
                    .map(|(s, _, _)| format!("CONFIG_{s}"))
                    .collect();
                notes.push(format!(
                    "and {} dependent symbol{}: {}",
                    names.len(),
                    if names.len() == 1 { "" } else { "s" },
                    names.join(", ")
                ));
            }
            let (c, r) = (&points[culprit], &points[repair]);
            let mut symbols = vec![sym.clone()];
            if index == 0 {
                symbols.extend(dependents.iter().map(|(s, _, _)| s.clone()));
            }
            let span = BreakSpan {
                culprit,
                repair: Some(repair),
            };
            let message = format!(
                "CONFIG_{sym} is {was} at the base and the tip, but {now} from {} until {}: {cause}",
                c.short, r.short
            );
            let mut finding = cx.finding(&CHECK, &span, message, symbols, locations);
            finding.baselines = vec![run.name.clone()];
            finding.notes = notes;
            out.push(finding);
        }
    }
    out
}

/// What a symbol's definitions say, in names: if this differs between two commits, the
/// symbol's own Kconfig changed.
fn signature(tree: &KconfigSnapshot, sym: SymbolId) -> Vec<String> {
    let model = &tree.model;
    let mut sig = Vec::new();
    if let Some(dep) = &tree.fin().dir_dep[sym.0 as usize] {
        sig.push(format!("depends {}", names_only(model, dep)));
    }
    if let Some(rev) = &tree.fin().rev_dep[sym.0 as usize] {
        sig.push(format!("selected {}", names_only(model, rev)));
    }
    for &p in &model.symbol(sym).props {
        let prop = model.prop(p);
        let expr = prop
            .expr
            .as_ref()
            .map(|e| names_only(model, e))
            .unwrap_or_default();
        let cond = tree.fin().prop_cond[p.0 as usize]
            .as_ref()
            .map(|e| names_only(model, e))
            .unwrap_or_default();
        sig.push(format!("{} {expr} if {cond}", prop.kind.keyword()));
    }
    // A referenced symbol that no longer exists changes the meaning without changing text.
    let mut referenced = Vec::new();
    if let Some(dep) = &tree.fin().dir_dep[sym.0 as usize] {
        dep.symbols(&mut referenced);
    }
    for r in referenced {
        if !model.symbol(r).is_const && model.symbol(r).menus.is_empty() {
            sig.push(format!("undefined {}", model.sym_name(r)));
        }
    }
    sig
}

fn is_root(at: &KconfigSnapshot, parent: &KconfigSnapshot, name: &str) -> bool {
    match (defined(at, name), defined(parent, name)) {
        (Some(a), Some(p)) => signature(at, a) != signature(parent, p),
        _ => true,
    }
}

fn root_cause(
    series: &SeriesCommits,
    index: usize,
    at: &KconfigSnapshot,
    parent: &KconfigSnapshot,
    name: &str,
) -> (String, Vec<Location>, Option<String>) {
    let location = |tree: &KconfigSnapshot, index: usize, pos: Pos, label: String| {
        let file = tree.model.file_name(pos.file);
        series.location(index, file, pos.line, label, None)
    };
    let culprit = &series.commits[index];
    let Some(sym) = defined(at, name) else {
        let mut locations = Vec::new();
        if let Some(p) = defined(parent, name) {
            locations.push(location(
                parent,
                index - 1,
                definition_pos(parent, p),
                format!("`{name}` defined here before {}", culprit.short),
            ));
        }
        return (format!("`{name}` is no longer defined"), locations, None);
    };
    // A dependency on a symbol the culprit removed.
    for &menu in &at.model.symbol(sym).menus {
        for (dep, pos) in &at.model.menu(menu).depends {
            let mut referenced = Vec::new();
            dep.symbols(&mut referenced);
            for r in referenced {
                let r_name = at.model.sym_name(r).to_string();
                if at.model.symbol(r).is_const || defined(at, &r_name).is_some() {
                    continue;
                }
                let mut locations = vec![location(
                    at,
                    index,
                    *pos,
                    format!("`{r_name}` is not defined at this commit"),
                )];
                locations[0].underline(&r_name);
                if let Some(old) = defined(parent, &r_name) {
                    let mut before = location(
                        parent,
                        index - 1,
                        definition_pos(parent, old),
                        format!("`{r_name}` was defined here in the parent"),
                    );
                    before.underline(&r_name);
                    locations.push(before);
                }
                let why = if defined(parent, &r_name).is_some() {
                    "which this commit removes"
                } else {
                    "which is not defined"
                };
                return (
                    format!(
                        "`depends on {}` names `{r_name}`, {why}",
                        names_only(&at.model, dep)
                    ),
                    locations,
                    None,
                );
            }
        }
    }
    // A `depends on` line that reads differently from the parent's: show both.
    if let Some(p) = defined(parent, name) {
        let (menu_at, menu_parent) = (
            at.model.symbol(sym).menus[0],
            parent.model.symbol(p).menus[0],
        );
        let lines_at = &at.model.menu(menu_at).depends;
        let lines_parent = &parent.model.menu(menu_parent).depends;
        // Paired by a diff, not by position: a `depends on` line inserted above the others
        // is an addition, not a change of every line below it.
        let texts_at: Vec<String> = lines_at
            .iter()
            .map(|(e, _)| names_only(&at.model, e))
            .collect();
        let texts_parent: Vec<String> = lines_parent
            .iter()
            .map(|(e, _)| names_only(&parent.model, e))
            .collect();
        if let Some((was, is)) = first_change(&texts_parent, &texts_at) {
            let now = is.map(|i| (texts_at[i].clone(), lines_at[i].1));
            let before = was.map(|i| (texts_parent[i].clone(), lines_parent[i].1));
            let mut locations = Vec::new();
            if let Some((text, pos)) = &now {
                locations.push(location(
                    at,
                    index,
                    *pos,
                    format!("`depends on {text}` at this commit"),
                ));
                locations.last_mut().expect("just pushed").underline_line();
            }
            if let Some((text, pos)) = &before {
                locations.push(location(
                    parent,
                    index - 1,
                    *pos,
                    format!("was `depends on {text}` in the parent"),
                ));
                locations.last_mut().expect("just pushed").underline_line();
            }
            let cause = match (&now, &before) {
                (Some((n, _)), Some((b, _))) => format!("`depends on {b}` became `depends on {n}`"),
                (Some((n, _)), None) => format!("this commit adds `depends on {n}`"),
                (None, Some((b, _))) => format!("this commit drops `depends on {b}`"),
                (None, None) => unreachable!("one side has the line"),
            };
            return (cause, locations, Some(hunk(&texts_parent, &texts_at)));
        }
    }
    // Otherwise: its own definition changed; show it on both sides.
    let mut locations = vec![location(
        at,
        index,
        definition_pos(at, sym),
        format!("`{name}` as this commit defines it"),
    )];
    if let Some(p) = defined(parent, name) {
        locations.push(location(
            parent,
            index - 1,
            definition_pos(parent, p),
            "as the parent defined it".to_string(),
        ));
    }
    let dep_text = at.fin().dir_dep[sym.0 as usize]
        .as_ref()
        .map(|e| names_only(&at.model, e))
        .unwrap_or_else(|| "y".to_string());
    (
        format!("its dependencies became `{dep_text}`"),
        locations,
        None,
    )
}
