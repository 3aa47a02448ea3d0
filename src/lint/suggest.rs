//! Verified fixes for transient breaks. A break that a later commit repairs is almost
//! always fixed by moving the repair before the culprit or by folding the repair into the
//! culprit. Each candidate is made in memory (no work tree, nothing written to the
//! repository) on the culprit's parent, the rewritten commits (up to the repair, the only
//! ones a rewrite changes) are linted again for the arches the break hits, and a
//! candidate is offered only when the break is gone and no finding appeared that the
//! series did not have.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::git::apply::{rewrite_series, Step};
use crate::git::{Oid, Series};

use super::finding::{Finding, Report, Severity, Suggestion};
use super::options::{LintError, Options, Shared};

type Key = (String, Option<String>, Option<String>);

/// What identifies a finding across a rewrite (commit ids and lines change), and each of
/// its consequences: a rewrite may leave one of them standing alone.
fn keys(f: &Finding) -> impl Iterator<Item = Key> + '_ {
    let own = (
        f.code.to_string(),
        f.symbols.first().cloned(),
        f.locations.first().map(|l| l.file.clone()),
    );
    std::iter::once(own).chain(f.consequences.iter().map(|c| {
        (
            c.code.to_string(),
            c.symbols.first().cloned(),
            c.location.as_ref().map(|l| l.file.clone()),
        )
    }))
}

/// Try the rewrites for each error with a culprit and a repair, and attach the first
/// that verifies to every finding of that (culprit, repair) pair. `shared`: the caches of
/// the series' own run (`engine::lint_sharing`), which the rewritten windows read too.
pub fn suggest(
    repo_path: &Path,
    series: &Series,
    options: &Options,
    report: &mut Report,
    shared: &Shared,
) -> Result<(), LintError> {
    // The breaks, by (culprit, repair) index, with the arches they hit.
    let mut breaks: BTreeMap<(usize, usize), BTreeSet<String>> = BTreeMap::new();
    for f in &report.findings {
        if let (Severity::Error, Some(c), Some(r)) = (f.severity, f.culprit_index, f.repair_index) {
            if c >= 1 && r > c && r <= series.commits.len() {
                breaks
                    .entry((c, r))
                    .or_default()
                    .extend(f.arches.iter().cloned());
            }
        }
    }
    if breaks.is_empty() {
        return Ok(());
    }
    let before: BTreeSet<Key> = report.findings.iter().flat_map(keys).collect();
    let repo = crate::git::open(repo_path)?;
    let oids: Vec<Oid> = series.commits.iter().map(|c| c.oid).collect();
    for ((c, r), arches) in breaks {
        let broken: BTreeSet<_> = report
            .findings
            .iter()
            .filter(|f| f.culprit_index == Some(c) && f.repair_index == Some(r))
            .flat_map(keys)
            .collect();
        let short = |i: usize| report.commits[i].short.clone();
        let said = |i: usize| format!("{} (\"{}\")", short(i), report.commits[i].summary);
        // Only the commits from the culprit to the repair change: the rewrite is made and
        // linted on the culprit's parent, not on the whole series again.
        let window = &oids[c - 1..r];
        let parent = if c == 1 { series.base } else { oids[c - 2] };
        let last = window.len();
        let candidates = [
            (
                "reorder",
                reorder(window, 1, last),
                format!("move {} before {}", said(r), said(c)),
            ),
            (
                "squash",
                squash(window, 1, last),
                format!("squash {} into {}", said(r), said(c)),
            ),
        ];
        for (kind, steps, text) in candidates {
            let Some(rewritten) = rewrite_series(&repo, parent, &steps)
                .map_err(|e| LintError::Setup(e.to_string()))?
            else {
                continue;
            };
            let check = |arches: Option<Vec<String>>| Options {
                arches,
                baselines: options.baselines.clone(),
                overrides: options.overrides.clone(),
                progress: None,
                kbuild: options.kbuild,
                explain: None,
                cache: options.cache.clone(),
                incremental: options.incremental,
                trusted: Some(options.trusted.unwrap_or(series.base)),
            };
            let lint = |arches| {
                super::engine::lint_sharing(
                    &rewritten.git_dir,
                    &rewritten.series,
                    &check(arches),
                    shared,
                )
            };
            let fails = |k: &Key| broken.contains(k) || !before.contains(k);
            // A candidate that fails on one arch fails on all of them: tried on the first
            // alone, it is rejected without linting the others. Linting more arches keeps
            // every check's findings, so a check the series had no finding of is new.
            if arches.len() > 1 {
                let one = lint(Some(arches.iter().take(1).cloned().collect()))?;
                let mut found = one.findings.iter().flat_map(keys);
                let new_check = |k: &Key| !before.iter().any(|b| b.0 == k.0);
                if found.any(|k| (same_for_every_arch(&k) && fails(&k)) || new_check(&k)) {
                    continue;
                }
            }
            let again = lint((!arches.is_empty()).then(|| arches.iter().cloned().collect()))?;
            if !again.findings.iter().flat_map(keys).any(|k| fails(&k)) {
                let suggestion = Suggestion {
                    kind,
                    culprit: report.commits[c].commit.clone(),
                    repair: report.commits[r].commit.clone(),
                    text,
                };
                for f in report
                    .findings
                    .iter_mut()
                    .filter(|f| f.culprit_index == Some(c) && f.repair_index == Some(r))
                {
                    f.suggestion = Some(suggestion.clone());
                }
                break;
            }
        }
    }
    Ok(())
}

/// Commit `r` (1-based, as the report's indices) moved before commit `c`.
fn reorder(oids: &[Oid], c: usize, r: usize) -> Vec<Step> {
    let mut order: Vec<Oid> = oids.to_vec();
    let repair = order.remove(r - 1);
    order.insert(c - 1, repair);
    order.into_iter().map(Step::Pick).collect()
}

/// Commit `r` folded into commit `c`.
fn squash(oids: &[Oid], c: usize, r: usize) -> Vec<Step> {
    oids.iter()
        .enumerate()
        .filter(|(i, _)| *i != r - 1)
        .map(|(i, &oid)| {
            if i == c - 1 {
                Step::Squash(oid, oids[r - 1])
            } else {
                Step::Pick(oid)
            }
        })
        .collect()
}

/// Whether a finding with key `k`, found linting some arches, is found with that key
/// linting any set of arches that includes them. Each arch's findings are made alone, and
/// merged or grouped under keys that keep their first symbol and location; only XL0005's
/// findings of one commit removing several symbols from one file become one finding
/// whose first symbol depends on which arch found them first.
fn same_for_every_arch(k: &Key) -> bool {
    k.0 != "XL0005"
}
