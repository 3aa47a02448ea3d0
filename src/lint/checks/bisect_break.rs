//! XL0001 bisect-break.
//!
//! ## What it does
//! Finds symbols whose value at some commit of the series differs from both their value at
//! the base and at the tip: for an arch and a baseline configuration (a defconfig,
//! allnoconfig, allmodconfig or your own .config), the symbol is lost, gained or changes
//! value in the middle of the series and comes back later. A symbol that neither end
//! defines (the series adds it and renames or removes it again) is left out: it has no
//! value to keep.
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
use crate::lint::cause::{Explainer, Side};
use crate::lint::config_diff::diff_values;
use crate::lint::context::{grouped_symbol, ArchContext, BaselineRun, BreakSpan};
use crate::lint::finding::SCOPE_HIT;
use crate::lint::snapshot::{defined, Values};
use crate::lint::{Finding, Severity};

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

/// For each commit, whether it has the very configuration of the commit before it (the
/// same shared values, not only equal ones).
pub(crate) fn shared_with_previous<T>(sets: &[Option<Arc<T>>]) -> Vec<bool> {
    (0..sets.len())
        .map(|i| {
            i > 0 && matches!((&sets[i], &sets[i - 1]), (Some(a), Some(b)) if Arc::ptr_eq(a, b))
        })
        .collect()
}

/// Symbols whose value at an intermediate commit differs from both ends.
/// A symbol whose value changed: (name, value at the base, value in the broken span).
type Changed = (String, String, String);

fn bisect_breaks(cx: &ArchContext, run: &BaselineRun) -> Vec<Finding> {
    let (trees, values, points) = (cx.snapshots, &run.values, cx.series.commits);
    let last = values.len() - 1;
    // Neighbouring commits often share one configuration: its values are read once.
    let shared = shared_with_previous(values);
    // One configuration all along: nothing can differ from both ends.
    if shared.iter().skip(1).all(|&s| s) {
        return Vec::new();
    }
    let mut names: BTreeSet<&str> = BTreeSet::new();
    for (v, _) in values.iter().zip(&shared).filter(|(_, &shared)| !shared) {
        names.extend(v.iter().flat_map(|v| v.keys().map(String::as_str)));
    }
    // (culprit, repair) -> [(symbol, base value, broken value)]
    let mut breaks: BTreeMap<(usize, usize), Vec<Changed>> = BTreeMap::new();
    let mut at: Vec<Option<&str>> = vec![None; last + 1];
    for name in names {
        for i in 0..=last {
            at[i] = if shared[i] {
                at[i - 1]
            } else {
                value_at(values, i, name)
            };
        }
        let (Some(first), Some(tip)) = (at[0], at[last]) else {
            continue;
        };
        // A symbol only the middle of the series has (added, then renamed or removed) has
        // no value at either end to keep; what it gates at the tip is XL0010's.
        if defined(&trees[0], name).is_none() && defined(&trees[last], name).is_none() {
            continue;
        }
        let mut i = 1;
        while i < last {
            match at[i] {
                Some(v) if v != first && v != tip => {
                    let start = i;
                    while i < last && at[i].is_some_and(|w| w != first && w != tip) {
                        i += 1;
                    }
                    let broken = at[start].unwrap_or("n").to_string();
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
        let side = |index: usize| Side {
            index,
            tree: &trees[index],
            values: values[index].as_deref(),
        };
        // One finding per root cause; the other symbols it changes are its consequences,
        // nearest the cause first.
        let explainer = Explainer::new(cx.series, side(culprit), side(culprit - 1), run.baseline);
        let groups = explainer.by_cause(&symbols, |changed| changed.0.as_str());
        let (c, r) = (&points[culprit], &points[repair]);
        let span = BreakSpan {
            culprit,
            repair: Some(repair),
        };
        let state = |was: &str, now: &str| {
            format!(
                "is {was} at the base and the tip, but {now} from {} until {} on {SCOPE_HIT}",
                c.short, r.short
            )
        };
        let changes = what_changed(cx, run, culprit);
        for (cause, members) in groups {
            let ((sym, was, now), path) = &members[0];
            let mut message = format!("CONFIG_{sym} {}: {}", state(was, now), cause.text);
            if !path.is_empty() {
                message.push_str(&format!(" (CONFIG_{sym}: {})", path.join(", ")));
            }
            let mut notes = Vec::new();
            if let Some(hunk) = &cause.hunk {
                notes.push(format!("`{}`, parent to this commit:\n{hunk}", cause.root));
            }
            notes.extend(changes.clone());
            let symbols = members.iter().map(|((s, _, _), _)| s.clone()).collect();
            let mut finding = cx.finding(&CHECK, &span, message, symbols, cause.locations);
            finding.baselines = vec![run.name.clone()];
            finding.notes = notes;
            for ((other, was, now), path) in members.iter().skip(1) {
                finding.consequences.push(grouped_symbol(
                    &CHECK,
                    other,
                    format!("CONFIG_{other} {}", state(was, now)),
                    path,
                    cx.arch,
                    &run.name,
                ));
            }
            out.push(finding);
        }
    }
    out
}

/// How many lines of the configuration's diff a finding shows.
const DIFF_LINES_SHOWN: usize = 12;

/// What commit `index` changes in the baseline's `.config`, in scripts/diffconfig's lines
/// (the code `xenlint diff` prints with).
fn what_changed(cx: &ArchContext, run: &BaselineRun, index: usize) -> Option<String> {
    let (Some(before), Some(after)) = (&run.values[index - 1], &run.values[index]) else {
        return None;
    };
    let diff = diff_values(before, after);
    let lines: Vec<String> = diff.iter().map(|c| c.line()).collect();
    if lines.is_empty() {
        return None;
    }
    let (parent, at) = (&cx.series.commits[index - 1], &cx.series.commits[index]);
    let mut text = format!(
        "what this commit changes in the {} .config of ARCH={} (scripts/diffconfig against the parent, {} line{}):",
        run.name,
        cx.arch,
        lines.len(),
        if lines.len() == 1 { "" } else { "s" }
    );
    for line in lines.iter().take(DIFF_LINES_SHOWN) {
        text.push_str(&format!("\n{line}"));
    }
    if lines.len() > DIFF_LINES_SHOWN {
        text.push_str(&format!(
            "\nand {} more: xenlint diff {} {} --arch {} --baseline {}",
            lines.len() - DIFF_LINES_SHOWN,
            parent.short,
            at.short,
            cx.arch,
            run.name
        ));
    }
    Some(text)
}
