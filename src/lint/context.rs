//! What checks read: the data the engine produced for a series (commits, Kconfig
//! snapshots, configurations, unmet dependencies, object sets, CONFIG_ references) and the
//! helpers every check builds its findings with (`location`, `finding`, `new_items`).
//! Checks never schedule work or open repositories themselves: commit sources are opened
//! here, lazily, for the commits a finding quotes.

use std::collections::{BTreeSet, HashSet};
use std::sync::{Arc, OnceLock};

use super::builds::ObjectTrack;
use super::options::Baseline;
use super::references::{NewUndefined, ReferenceScan};
use super::snapshot::Values;
pub use super::span::{new_items, BreakSpan};
use super::{Finding, Location, SeriesCommit, Severity};
use crate::git::CommitSource;
use crate::source::Source;

/// Line `line` (1-based) of `file` in `source`, or nothing.
pub fn line_of(source: Option<&CommitSource>, file: &str, line: u32) -> String {
    source
        .and_then(|s| s.read(file).ok().flatten())
        .map(|bytes| {
            String::from_utf8_lossy(&bytes)
                .lines()
                .nth(line.saturating_sub(1) as usize)
                .unwrap_or("")
                .to_string()
        })
        .unwrap_or_default()
}

/// The commits of a series and their sources, shared by every scope of checks.
pub struct SeriesCommits<'a> {
    /// The base first, then the series.
    pub commits: &'a [SeriesCommit],
    /// Paths each commit changes relative to the one before it (index 0: none).
    pub changed: &'a [HashSet<String>],
    /// Sources of the commits, opened on first use by `open`.
    pub(super) sources: Vec<OnceLock<Option<CommitSource>>>,
    pub(super) open: &'a (dyn Fn(usize) -> Option<CommitSource> + Sync),
}

impl<'a> SeriesCommits<'a> {
    pub(super) fn new(
        commits: &'a [SeriesCommit],
        changed: &'a [HashSet<String>],
        open: &'a (dyn Fn(usize) -> Option<CommitSource> + Sync),
    ) -> Self {
        SeriesCommits {
            commits,
            changed,
            sources: commits.iter().map(|_| OnceLock::new()).collect(),
            open,
        }
    }

    /// The tree of commit `index`, opened on first use.
    pub fn source(&self, index: usize) -> Option<&CommitSource> {
        self.sources[index]
            .get_or_init(|| (self.open)(index))
            .as_ref()
    }

    /// The index of the tip.
    pub fn tip(&self) -> usize {
        self.commits.len() - 1
    }

    /// A location at commit `index`, its line read from the commit, `underline` underlined
    /// where the line names it.
    pub fn location(
        &self,
        index: usize,
        file: &str,
        line: u32,
        label: String,
        underline: Option<&str>,
    ) -> Location {
        let mut location = Location {
            commit: self.commits[index].short.clone(),
            file: file.to_string(),
            line,
            source_line: line_of(self.source(index), file, line),
            span: None,
            label,
        };
        if let Some(word) = underline {
            location.underline(word);
        }
        location
    }

    /// A finding of `check` with its culprit and repair; arches and baselines are the
    /// caller's to fill.
    pub fn finding(
        &self,
        check: &Check,
        span: &BreakSpan,
        message: String,
        symbols: Vec<String>,
        locations: Vec<Location>,
    ) -> Finding {
        let c = &self.commits[span.culprit];
        let r = span.repair.map(|j| &self.commits[j]);
        Finding {
            code: check.code,
            name: check.name,
            severity: check.severity,
            message,
            culprit: Some(c.commit.clone()),
            culprit_summary: Some(c.summary.clone()),
            repair: r.map(|p| p.commit.clone()),
            repair_summary: r.map(|p| p.summary.clone()),
            culprit_index: Some(span.culprit),
            repair_index: span.repair,
            arches: Vec::new(),
            baselines: Vec::new(),
            symbols,
            locations,
            notes: Vec::new(),
            suggestion: None,
            consequences: Vec::new(),
        }
    }
}

/// One baseline along the series for one arch.
pub struct BaselineRun<'a> {
    pub baseline: &'a Baseline,
    pub name: String,
    /// The configuration at each commit; `None` where conf could not run.
    pub values: Vec<Option<Arc<Values>>>,
    /// Symbols with unmet direct dependencies at each commit.
    pub unmet: Vec<Option<Arc<BTreeSet<String>>>>,
    /// What is built at each commit (empty without Kbuild).
    pub objects: ObjectTrack,
}

impl BaselineRun<'_> {
    /// `allmodconfig` with no fragments: the configuration that enables all it can.
    pub fn is_allmodconfig(&self) -> bool {
        matches!(self.baseline, Baseline::Target { target, fragments } if target == "allmodconfig" && fragments.is_empty())
    }

    /// A symbol's value at commit `index` (`n` when unset), if the commit configured.
    pub fn value(&self, index: usize, symbol: &str) -> Option<String> {
        self.values[index]
            .as_ref()
            .map(|v| v.get(symbol).cloned().unwrap_or_else(|| "n".into()))
    }
}

/// Everything checks of one arch read.
pub struct ArchContext<'a> {
    pub arch: &'a str,
    pub series: &'a SeriesCommits<'a>,
    /// The Kconfig snapshot at each commit.
    pub snapshots: &'a super::snapshots::Snapshots<'a>,
    pub baselines: &'a [BaselineRun<'a>],
    /// CONFIG_ references along the series (with Kbuild only).
    pub references: Option<&'a ReferenceScan>,
    /// Why each commit could not be read as a kernel tree (its snapshot is then the last
    /// one that could, and its configurations are `None`).
    pub unreadable: &'a [Option<Unreadable>],
    pub kbuild: bool,
}

impl ArchContext<'_> {
    /// A finding of `check` on this arch.
    pub fn finding(
        &self,
        check: &Check,
        span: &BreakSpan,
        message: String,
        symbols: Vec<String>,
        locations: Vec<Location>,
    ) -> Finding {
        let mut finding = self
            .series
            .finding(check, span, message, symbols, locations);
        finding.arches = vec![self.arch.to_string()];
        finding
    }

    pub fn location(
        &self,
        index: usize,
        file: &str,
        line: u32,
        label: String,
        underline: Option<&str>,
    ) -> Location {
        self.series.location(index, file, line, label, underline)
    }
}

/// Why a commit's tree cannot be read as a kernel for an arch, and the file at fault when
/// there is one to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub why: String,
    pub file: Option<String>,
}

/// Everything series-wide checks (those that hold for every arch at once) read.
pub struct SeriesContext<'a> {
    pub series: &'a SeriesCommits<'a>,
    pub references: &'a ReferenceScan,
}

impl SeriesContext<'_> {
    /// A finding of `check` on a reference that became undefined: located at its line with
    /// the symbol underlined, naming the symbol and the successor of a removed gate, with
    /// the scan's notes (successor, did you mean, defined at the base).
    pub fn undefined_finding(
        &self,
        check: &Check,
        new: &NewUndefined,
        message: String,
        label: &str,
    ) -> Finding {
        let symbol = new.symbol;
        let location = self.series.location(
            new.span.culprit,
            new.file,
            new.seen.line,
            label.to_string(),
            Some(&format!("CONFIG_{symbol}")),
        );
        let mut symbols = vec![symbol.to_string()];
        symbols.extend(self.references.gate_successors.get(symbol).cloned());
        let mut finding = self
            .series
            .finding(check, &new.span, message, symbols, vec![location]);
        finding.notes = self.references.notes(symbol, new.seen);
        finding
    }
}

/// What a check runs over.
pub enum Scope {
    /// Once per arch, over that arch's snapshots and configurations.
    Arch(fn(&ArchContext) -> Vec<Finding>),
    /// Once per series, for every arch at once (CONFIG_ references).
    Series(fn(&SeriesContext) -> Vec<Finding>),
}

/// A check: its identity, documentation and the function that finds it.
pub struct Check {
    /// `XL` + 4 digits, never reused.
    pub code: &'static str,
    /// Kebab-case, usable in settings and on the command line.
    pub name: &'static str,
    pub severity: Severity,
    /// What it does / Why it breaks bisection / How to fix (`xenlint explain`).
    pub doc: &'static str,
    pub scope: Scope,
    /// Needs the Kbuild walk or the reference scan (off with `--no-kbuild`).
    pub needs_kbuild: bool,
}

/// The report's commits: the base, then each commit of `series` (without patch-ids: see
/// `patch_ids`); a merge is said in `notes`.
pub(super) fn series_points(
    repo: &crate::git::Repository,
    series: &crate::git::Series,
    notes: &mut Vec<String>,
) -> Vec<super::SeriesCommit> {
    let mut points = vec![super::SeriesCommit {
        commit: series.base.to_string(),
        short: series.base.to_string()[..12].to_string(),
        summary: repo
            .find_commit(series.base)
            .ok()
            .and_then(|c| c.summary().map(String::from))
            .unwrap_or_default(),
        patch_id: None,
        mail: None,
    }];
    for c in &series.commits {
        if c.is_merge {
            notes.push(format!(
                "{} is a merge: followed along its first parent",
                c.short()
            ));
        }
        points.push(super::SeriesCommit {
            commit: c.oid.to_string(),
            short: c.short(),
            summary: c.summary.clone(),
            patch_id: None,
            mail: None,
        });
    }
    points
}

/// "Kbuild construct not understood": each make construct the walks of `objects` could not
/// follow in a file the series changes (`changed`, per commit), once.
pub(super) fn unknown_construct_notes(
    arch: &str,
    objects: &[ObjectTrack],
    changed: &[HashSet<String>],
    points: &[SeriesCommit],
) -> Vec<String> {
    let mut told = HashSet::new();
    let mut notes = Vec::new();
    for track in objects {
        for (index, set) in track.sets.iter().enumerate() {
            let Some(set) = set else { continue };
            for u in set
                .unknown
                .iter()
                .filter(|u| changed[index].contains(&u.file))
            {
                if told.insert((&u.file, &u.construct)) {
                    notes.push(format!(
                        "ARCH={arch} at {}: {}:{}: Kbuild construct not understood ({}); what it decides is not checked",
                        points[index].short, u.file, u.line, u.construct
                    ));
                }
            }
        }
    }
    notes
}

/// "baseline B does not apply to ...": for each baseline, the arches (of `arches` checked)
/// it has no configuration for.
pub(super) fn inapplicable_notes(
    by_arch: Vec<(String, Vec<String>)>,
    arches: usize,
) -> impl Iterator<Item = String> {
    // (arch, the baselines it does not take) -> each baseline with its arches, in order.
    let mut inapplicable: Vec<(String, Vec<String>)> = Vec::new();
    for (arch, baselines) in by_arch {
        for baseline in baselines {
            match inapplicable.iter_mut().find(|(b, _)| *b == baseline) {
                Some((_, list)) => list.push(arch.clone()),
                None => inapplicable.push((baseline, vec![arch.clone()])),
            }
        }
    }
    inapplicable.into_iter().map(move |(baseline, list)| {
        let which = if list.len() == arches {
            "any arch checked".to_string()
        } else {
            let words: Vec<String> = list.iter().map(|a| format!("ARCH={a}")).collect();
            words.join(", ")
        };
        format!("baseline {baseline} does not apply to {which}")
    })
}

/// The patch-id of each commit of `series`, in order: only the report shows them, so they
/// are computed beside the checks.
pub(super) fn patch_ids(
    repo_dir: &std::path::Path,
    series: &crate::git::Series,
) -> Vec<Option<String>> {
    let Ok(repo) = crate::git::open(repo_dir) else {
        return vec![None; series.commits.len()];
    };
    // An object the diff lacks is reported by the reads that need it, with its path.
    (series.commits.iter())
        .map(|c| {
            crate::git::commit_patch_id(&repo, c.oid, crate::git::DiffFlavour::Show)
                .ok()
                .flatten()
        })
        .collect()
}

/// A symbol grouped under the finding of its cause: `message` says its state, `path` how
/// the cause reaches it (`depends on X, selected by Y`).
pub(crate) fn grouped_symbol(
    check: &Check,
    symbol: &str,
    mut message: String,
    path: &[String],
    arch: &str,
    baseline: &str,
) -> super::Consequence {
    if !path.is_empty() {
        message.push_str(&format!(": {}", path.join(", ")));
    }
    super::Consequence {
        code: check.code,
        name: check.name,
        severity: check.severity,
        message,
        symbols: vec![symbol.to_string()],
        arches: vec![arch.to_string()],
        baselines: vec![baseline.to_string()],
        location: None,
    }
}
