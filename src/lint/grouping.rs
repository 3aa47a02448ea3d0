//! One finding per root cause. A commit that breaks one symbol's dependency also makes it
//! impossible to enable (XL0007), drops the objects it gates (XL0008), leaves the line
//! that names a removed symbol dangling (XL0003) and changes what it selects; each check
//! sees only its part. Here the parts whose cause is another finding's, over the same
//! span of commits, are folded into that finding as its consequences.

use super::finding::{arches_phrase, scope_phrase, ARCHES_HIT, SCOPE_HIT};
use super::{Consequence, Finding};

/// The findings that stand for a cause, and the checks whose findings they can explain.
fn explains(root: &Finding, other: &Finding) -> bool {
    if root.culprit_index != other.culprit_index || root.repair_index != other.repair_index {
        return false;
    }
    let Some(first) = other.symbols.first() else {
        return false;
    };
    match root.code {
        // A symbol whose value changed: what it can no longer enable, the objects it
        // gates, its unmet dependencies, the undefined name its own line now reads.
        "XL0001" => {
            matches!(
                other.code,
                "XL0003" | "XL0006" | "XL0007" | "XL0008" | "XL0009"
            ) && root.symbols.contains(first)
        }
        // A symbol that can no longer be enabled: the objects it gates.
        "XL0007" => matches!(other.code, "XL0008" | "XL0009") && root.symbols.contains(first),
        // A Kbuild gate no Kconfig file defines: the objects it gated, the code that tests it.
        "XL0010" => {
            matches!(other.code, "XL0008" | "XL0009" | "XL0011")
                && root.symbols.first() == Some(first)
        }
        _ => false,
    }
}

/// Folds every finding another one explains into it; states the arches of findings that
/// hold for all of them (`arches`) explicitly, and in messages (`ARCHES_HIT`).
pub(crate) fn group(findings: Vec<Finding>, arches: &[String]) -> Vec<Finding> {
    let mut findings: Vec<Option<Finding>> = one_per_removing_commit(one_per_removal(findings))
        .into_iter()
        .map(|mut f| {
            if f.arches.is_empty() {
                f.arches = arches.to_vec();
            }
            Some(f)
        })
        .collect();
    // Candidate roots by (culprit, repair, symbol), so each finding looks up its few
    // candidates instead of scanning every finding.
    type At = (Option<usize>, Option<usize>, String);
    let mut roots: std::collections::HashMap<At, Vec<usize>> = Default::default();
    for (j, f) in findings.iter().enumerate() {
        let f = f.as_ref().expect("all present");
        let names = match f.code {
            "XL0001" | "XL0007" => &f.symbols[..],
            "XL0010" => &f.symbols[..f.symbols.len().min(1)],
            _ => &[][..],
        };
        for name in names {
            roots
                .entry((f.culprit_index, f.repair_index, name.clone()))
                .or_default()
                .push(j);
        }
    }
    for i in 0..findings.len() {
        let Some(other) = &findings[i] else { continue };
        let Some(first) = other.symbols.first() else {
            continue;
        };
        let at = (other.culprit_index, other.repair_index, first.clone());
        let root = roots.get(&at).into_iter().flatten().copied().find(|&j| {
            j != i
                && findings[j]
                    .as_ref()
                    .is_some_and(|root| explains(root, other))
        });
        let Some(j) = root else { continue };
        let other = findings[i].take().expect("checked above");
        let root = findings[j].as_mut().expect("checked above");
        root.severity = root.severity.max(other.severity);
        root.consequences.push(Consequence {
            code: other.code,
            name: other.name,
            severity: other.severity,
            message: other.message,
            symbols: other.symbols,
            arches: other.arches,
            baselines: other.baselines,
            location: other.locations.into_iter().next(),
        });
        root.consequences.extend(other.consequences);
    }
    let mut findings: Vec<Finding> = findings.into_iter().flatten().collect();
    for f in &mut findings {
        f.message = f
            .message
            .replace(ARCHES_HIT, &arches_phrase(&f.arches, arches))
            .replace(SCOPE_HIT, &scope_phrase(&f.arches, arches, &f.baselines));
        for c in &mut f.consequences {
            c.message = c
                .message
                .replace(ARCHES_HIT, &arches_phrase(&c.arches, arches))
                .replace(SCOPE_HIT, &scope_phrase(&c.arches, arches, &c.baselines));
        }
    }
    findings
}

/// A symbol that several arches define in their own files and one commit removes is one
/// removal (XL0005): the findings of each definition become one, with every definition
/// among its locations.
fn one_per_removal(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for f in findings {
        let same = out.iter_mut().find(|g| {
            f.code == "XL0005"
                && g.code == f.code
                && g.symbols.first() == f.symbols.first()
                && g.culprit_index == f.culprit_index
        });
        let Some(g) = same else {
            out.push(f);
            continue;
        };
        absorb(g, f);
        // What holds for every removal is said last.
        let general = |n: &String| n.starts_with("`make olddefconfig`");
        let (last, first): (Vec<String>, Vec<String>) = g.notes.drain(..).partition(general);
        g.notes = first.into_iter().chain(last).collect();
    }
    out
}

/// Symbols without a successor that one commit removes from one Kconfig file (a driver
/// deleted) are one finding, every symbol named.
fn one_per_removing_commit(findings: Vec<Finding>) -> Vec<Finding> {
    const LOSE: &str = ": configurations lose it";
    let lone = |f: &Finding| f.code == "XL0005" && f.message.ends_with(LOSE);
    let mut out: Vec<Finding> = Vec::new();
    let mut merged: Vec<usize> = Vec::new();
    for f in findings {
        let file = f.locations.first().map(|l| l.file.clone());
        let same = out.iter().position(|g| {
            lone(&f)
                && lone(g)
                && g.culprit_index == f.culprit_index
                && g.locations.first().map(|l| &l.file) == file.as_ref()
        });
        let Some(i) = same else {
            out.push(f);
            continue;
        };
        absorb(&mut out[i], f);
        if !merged.contains(&i) {
            merged.push(i);
        }
    }
    for i in merged {
        let g = &mut out[i];
        let names: Vec<String> = g.symbols.iter().map(|s| format!("CONFIG_{s}")).collect();
        let shown = names.iter().take(6).cloned().collect::<Vec<_>>().join(", ");
        let more = names.len().saturating_sub(6);
        g.message = format!(
            "{} symbols set at the base are gone at the tip, removed from {} by this commit: {shown}{}; configurations lose them",
            names.len(),
            g.locations.first().map(|l| l.file.as_str()).unwrap_or("Kconfig"),
            if more > 0 { format!(" and {more} more") } else { String::new() }
        );
    }
    out
}

/// `f`'s symbols, arches, locations and notes added to `g`'s, each once.
fn absorb(g: &mut Finding, f: Finding) {
    fn add<T: PartialEq>(into: &mut Vec<T>, from: Vec<T>, same: impl Fn(&T, &T) -> bool) {
        for item in from {
            if !into.iter().any(|i| same(i, &item)) {
                into.push(item);
            }
        }
    }
    add(&mut g.symbols, f.symbols, |a, b| a == b);
    add(&mut g.arches, f.arches, |a, b| a == b);
    add(&mut g.locations, f.locations, |a, b| {
        a.file == b.file && a.line == b.line
    });
    add(&mut g.notes, f.notes, |a, b| a == b);
}

/// Series-wide findings about a file under arch/<a>/ matter only to the arches built from
/// it: they are kept for those (when checked) and dropped otherwise.
pub(super) fn for_arches_checked(findings: Vec<Finding>, arches: &[String]) -> Vec<Finding> {
    let srcarches: std::collections::HashSet<&str> = arches
        .iter()
        .map(|a| crate::kconfig::env::srcarch_of(a))
        .collect();
    findings
        .into_iter()
        .filter_map(|mut f| {
            let file = f.locations.first().map(|l| l.file.as_str()).unwrap_or("");
            match file
                .strip_prefix("arch/")
                .and_then(|rest| rest.split_once('/'))
            {
                Some((srcarch, _)) if srcarches.contains(srcarch) => {
                    f.arches = vec![srcarch.to_string()];
                    Some(f)
                }
                Some(_) => None,
                None => Some(f),
            }
        })
        .collect()
}
