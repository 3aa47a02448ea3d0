//! Resolve a series: every commit x arch x baseline, reusing work where nothing it depends
//! on changed (a commit that touches no file a tree read reuses that tree and its
//! configurations), then compare neighbouring commits.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use git2::Oid;

use super::{Finding, Location, Report, SeriesCommit, Severity};
use crate::git::{CommitSource, Series};
use crate::kconfig::env::{EnvRequest, KernelEnv};
use crate::kconfig::expr::Expr;
use crate::kconfig::finalize::{finalize, Finalized};
use crate::kconfig::macros::{ShellCache, ShellPolicy, ShellRunner};
use crate::kconfig::model::{Model, SymbolId};
use crate::kconfig::targets::InputFile;
use crate::source::Source;

#[derive(Debug, thiserror::Error)]
pub enum LintError {
    #[error(transparent)]
    Git(#[from] crate::git::GitError),
    #[error("{0}")]
    Setup(String),
}

/// A configuration to resolve at every commit.
#[derive(Debug, Clone)]
pub enum Baseline {
    /// A make target and fragments (`defconfig`, `allmodconfig`, `x86_64_defconfig+xen.config`).
    Target {
        target: String,
        fragments: Vec<String>,
    },
    /// A user's .config, carried forward with olddefconfig at every commit.
    Config { name: String, text: Vec<u8> },
}

impl Baseline {
    pub fn parse(spec: &str) -> Baseline {
        let mut parts = spec.split('+').map(String::from);
        let target = parts.next().unwrap_or_default();
        Baseline::Target {
            target,
            fragments: parts.collect(),
        }
    }

    pub fn name(&self) -> String {
        match self {
            Baseline::Target { target, fragments } if fragments.is_empty() => target.clone(),
            Baseline::Target { target, fragments } => format!("{target}+{}", fragments.join("+")),
            Baseline::Config { name, .. } => name.clone(),
        }
    }

    pub fn defaults() -> Vec<Baseline> {
        ["defconfig", "allnoconfig", "allmodconfig"]
            .iter()
            .map(|t| Baseline::parse(t))
            .collect()
    }
}

pub struct Options {
    pub arches: Option<Vec<String>>,
    pub baselines: Vec<Baseline>,
    pub overrides: Vec<(String, String)>,
    /// Called as each arch finishes, with (arches done, arches in all).
    pub progress: Option<Box<dyn Fn(usize, usize) + Send + Sync>>,
    /// Walk Kbuild at every commit (objects built) and check CONFIG_ references.
    pub kbuild: bool,
}

pub(super) struct Tree {
    pub(super) env: KernelEnv,
    pub(super) model: Model,
    fin_cell: std::sync::OnceLock<Finalized>,
    /// Files the tree was read from, with their blob ids.
    reads: Vec<(String, Option<Oid>)>,
    /// What decides values (see `fingerprint`): equal fingerprints resolve alike.
    pub(super) fingerprint: u64,
}

impl Tree {
    pub(super) fn fin(&self) -> &Finalized {
        self.fin_cell
            .get_or_init(|| finalize(&self.model, self.env.dialect().bool_choices_only()))
    }
}

/// A hash of everything in a model that can change a symbol's value: the menu tree, each
/// entry's dependencies and properties by symbol name, types and flags. Help texts, prompt
/// wording and positions are left out, so a commit that only rewords help reuses the
/// configurations of its parent.
fn fingerprint(model: &Model, env: &KernelEnv) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    env.vars.hash(&mut h);
    // Symbols by name: ids differ between parses of different trees.
    fn expr(model: &Model, e: Option<&Expr>, h: &mut std::collections::hash_map::DefaultHasher) {
        let Some(e) = e else {
            0u8.hash(h);
            return;
        };
        match e {
            Expr::Symbol(s) => (1u8, model.sym_name(*s), model.symbol(*s).is_const).hash(h),
            Expr::Not(a) => {
                2u8.hash(h);
                expr(model, Some(a), h);
            }
            Expr::And(a, b) | Expr::Or(a, b) => {
                (if matches!(e, Expr::And(..)) { 3u8 } else { 4u8 }).hash(h);
                expr(model, Some(a), h);
                expr(model, Some(b), h);
            }
            Expr::Cmp(op, a, b) => {
                (5u8, op.token(), model.sym_name(*a), model.sym_name(*b)).hash(h)
            }
            Expr::Range(a, b) => (6u8, model.sym_name(*a), model.sym_name(*b)).hash(h),
        }
    }
    for menu in model.menu_walk() {
        let m = model.menu(menu);
        (m.kind as u8, m.parent.map(|p| p.0), m.prompt.is_some()).hash(&mut h);
        expr(model, m.dep.as_ref(), &mut h);
        expr(model, m.visibility.as_ref(), &mut h);
        if let Some(sym) = m.sym {
            let s = model.symbol(sym);
            (
                model.sym_name(sym),
                s.stype as u8,
                s.is_choice,
                s.transitional,
                s.optional,
            )
                .hash(&mut h);
            for &p in &s.props {
                let prop = model.prop(p);
                if prop.menu != menu {
                    continue;
                }
                (prop.kind as u8).hash(&mut h);
                expr(model, prop.expr.as_ref(), &mut h);
                expr(model, prop.cond.as_ref(), &mut h);
            }
        } else if let Some(p) = m.prompt {
            // Menu and comment titles appear in .config only as comments, never in values.
            expr(model, model.prop(p).cond.as_ref(), &mut h);
        }
    }
    model.modules_sym.map(|s| model.sym_name(s)).hash(&mut h);
    h.finish()
}

pub(super) type Values = BTreeMap<String, String>;

fn parse_values(config: &str) -> Values {
    let mut values = Values::new();
    for line in config.lines() {
        if let Some(rest) = line.strip_prefix("CONFIG_") {
            if let Some((name, value)) = rest.split_once('=') {
                values.insert(name.to_string(), value.to_string());
            }
        } else if let Some(rest) = line.strip_prefix("# CONFIG_") {
            if let Some(name) = rest.strip_suffix(" is not set") {
                values.insert(name.to_string(), "n".to_string());
            }
        }
    }
    values
}

/// Did the commit leave every file of `reads` as it was in its parent?
fn unchanged(changed: &HashSet<String>, reads: &[(String, Option<Oid>)]) -> bool {
    reads.iter().all(|(path, _)| !changed.contains(path))
}

/// Lint `series` in the repository at `repo_path`.
pub fn lint(repo_path: &Path, series: &Series, options: &Options) -> Result<Report, LintError> {
    // Objects come from the user's own repository: skip re-hashing each one on read.
    git2::opts::strict_hash_verification(false);
    let repo = crate::git::open(repo_path)?;
    let repo_dir = repo.path().to_path_buf();
    let mut points = vec![SeriesCommit {
        commit: series.base.to_string(),
        short: series.base.to_string()[..12].to_string(),
        summary: repo
            .find_commit(series.base)
            .ok()
            .and_then(|c| c.summary().map(String::from))
            .unwrap_or_default(),
    }];
    let mut notes = Vec::new();
    for c in &series.commits {
        if c.is_merge {
            notes.push(format!(
                "{} is a merge: followed along its first parent",
                c.short()
            ));
        }
        points.push(SeriesCommit {
            commit: c.oid.to_string(),
            short: c.short(),
            summary: c.summary.clone(),
        });
    }
    let oids: Vec<Oid> = std::iter::once(series.base)
        .chain(series.commits.iter().map(|c| c.oid))
        .collect();

    // Scripts the base's $(shell,...) commands call, written outside the repository.
    let scratch =
        tempfile::tempdir().map_err(|e| LintError::Setup(format!("temporary directory: {e}")))?;
    let srctree: PathBuf = scratch.path().join("srctree");
    std::fs::create_dir_all(&srctree).map_err(|e| LintError::Setup(e.to_string()))?;
    crate::git::export_dir(&repo, series.base, "scripts", &srctree)?;
    let workdir = scratch.path().join("work");
    std::fs::create_dir_all(&workdir).map_err(|e| LintError::Setup(e.to_string()))?;

    let blobs = crate::git::BlobCache::default();
    let tip = CommitSource::new(&repo_dir, *oids.last().expect("a series has commits"), None)?;
    let arches = match &options.arches {
        Some(list) => list.clone(),
        None => tip
            .list_dir("arch")
            .ok()
            .flatten()
            .unwrap_or_default()
            .into_iter()
            .filter(|a| matches!(tip.read(&format!("arch/{a}/Kconfig")), Ok(Some(_))))
            .collect(),
    };
    let changed = crate::git::changed_paths(&repo, &oids)?;
    // References are the same for every arch: checked once, before the arches.
    let references = if options.kbuild {
        Some(super::references::check(
            &repo_dir, &oids, &points, &changed, &blobs,
        )?)
    } else {
        None
    };
    let ctx = Ctx {
        gate_successors: references
            .as_ref()
            .map(|r| r.gate_successors.clone())
            .unwrap_or_default(),
        repo_dir: repo_dir.clone(),
        oids: oids.clone(),
        points: points.clone(),
        srctree: srctree.clone(),
        workdir: workdir.clone(),
        cache: ShellCache::new(),
        blobs: blobs.clone(),
        changed,
        options,
    };
    // Arches are independent: spread them over the machine's cores.
    let queue = std::sync::Mutex::new(arches.clone());
    let finished_count = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(arches.len().max(1));
    let results: Vec<Result<ArchResult, LintError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                std::thread::Builder::new()
                    .stack_size(256 << 20)
                    .spawn_scoped(scope, || {
                        let mut done = Vec::new();
                        loop {
                            let next = queue.lock().expect("queue lock").pop();
                            let Some(arch) = next else { break };
                            done.push((arch.clone(), lint_arch(&ctx, &arch)));
                            let finished = finished_count
                                .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                                + 1;
                            if let Some(progress) = &ctx.options.progress {
                                progress(finished, arches.len());
                            }
                        }
                        done
                    })
                    .expect("spawning a worker")
            })
            .collect();
        let mut all: Vec<(String, Result<ArchResult, LintError>)> = handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker panicked"))
            .collect();
        // Report in arch order, whatever order the workers finished in.
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all.into_iter().map(|(_, r)| r).collect()
    });
    // A reference in arch/<a>/ matters only to the arches built from it.
    let srcarches: HashSet<&str> = arches
        .iter()
        .map(|a| crate::kconfig::env::srcarch_of(a))
        .collect();
    let mut findings: Vec<Finding> = references
        .map(|r| r.findings)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|mut f| {
            let file = f
                .locations
                .first()
                .map(|l| l.file.clone())
                .unwrap_or_default();
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
        .collect();
    let (mut parsed, mut resolved, mut walks) = (0, 0, 0);
    for result in results {
        let r = result?;
        findings.extend(r.findings);
        notes.extend(r.notes);
        parsed += r.parsed;
        resolved += r.resolved;
        walks += r.walks;
    }
    Ok(Report {
        commits: points,
        arches,
        baselines: options.baselines.iter().map(Baseline::name).collect(),
        findings: merge_findings(findings),
        notes,
        parsed,
        resolved,
        walks,
    })
}

fn value_at<'a>(values: &'a [Option<Arc<Values>>], index: usize, sym: &str) -> Option<&'a str> {
    values[index]
        .as_ref()
        .map(|v| v.get(sym).map(String::as_str).unwrap_or("n"))
}

/// Symbols whose value at an intermediate commit differs from both ends.
fn bisect_breaks(
    repo_dir: &Path,
    oids: &[Oid],
    points: &[SeriesCommit],
    trees: &[Arc<Tree>],
    values: &[Option<Arc<Values>>],
    arch: &str,
    baseline: &str,
) -> Vec<Finding> {
    let last = values.len() - 1;
    let mut names: BTreeSet<&str> = BTreeSet::new();
    for v in values.iter().flatten() {
        names.extend(v.keys().map(String::as_str));
    }
    // (culprit, repair) -> [(symbol, base value, broken value)]
    let mut breaks: BTreeMap<(usize, usize), Vec<(String, String, String)>> = BTreeMap::new();
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
            let source_at = CommitSource::new(repo_dir, oids[culprit], None).ok();
            let source_parent = CommitSource::new(repo_dir, oids[culprit - 1], None).ok();
            let (cause, locations) = root_cause(
                at,
                parent,
                sym,
                &points[culprit],
                &points[culprit - 1],
                source_at.as_ref(),
                source_parent.as_ref(),
            );
            let mut notes = Vec::new();
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
            out.push(Finding {
                code: "XL0001",
                name: "bisect-break",
                severity: Severity::Error,
                message: format!(
                    "CONFIG_{sym} is {was} at the base and the tip, but {now} from {} until {}: {cause}",
                    c.short, r.short
                ),
                culprit: Some(c.commit.clone()),
                culprit_summary: Some(c.summary.clone()),
                repair: Some(r.commit.clone()),
                repair_summary: Some(r.summary.clone()),
                arches: vec![arch.to_string()],
                baselines: vec![baseline.to_string()],
                symbols: std::iter::once(sym.clone())
                    .chain(if index == 0 { dependents.iter().map(|(s, _, _)| s.clone()).collect::<Vec<_>>() } else { Vec::new() })
                    .collect(),
                locations,
                notes,
            });
        }
    }
    out
}

pub(super) fn defined(tree: &Tree, name: &str) -> Option<SymbolId> {
    tree.model
        .lookup(name)
        .filter(|&s| !tree.model.symbol(s).menus.is_empty())
}

/// Where a symbol is (first) defined in a tree.
pub(super) fn definition_pos(tree: &Tree, sym: SymbolId) -> crate::kconfig::model::Pos {
    tree.model.menu(tree.model.symbol(sym).menus[0]).pos
}

pub(super) fn names_only(model: &Model, e: &Expr) -> String {
    let mut out = String::new();
    e.print_with(&mut out, 0, &mut |out, s| out.push_str(model.sym_name(s)));
    out
}

/// What a symbol's definitions say, in names: if this differs between two commits, the
/// symbol's own Kconfig changed.
fn signature(tree: &Tree, sym: SymbolId) -> Vec<String> {
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

fn is_root(at: &Tree, parent: &Tree, name: &str) -> bool {
    match (defined(at, name), defined(parent, name)) {
        (Some(a), Some(p)) => signature(at, a) != signature(parent, p),
        _ => true,
    }
}

pub(super) fn line_of(source: Option<&CommitSource>, file: &str, line: u32) -> String {
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

fn root_cause(
    at: &Tree,
    parent: &Tree,
    name: &str,
    culprit: &SeriesCommit,
    parent_point: &SeriesCommit,
    source_at: Option<&CommitSource>,
    source_parent: Option<&CommitSource>,
) -> (String, Vec<Location>) {
    let location = |tree: &Tree,
                    point: &SeriesCommit,
                    source: Option<&CommitSource>,
                    pos: crate::kconfig::model::Pos,
                    label: String| {
        let file = tree.model.file_name(pos.file).to_string();
        Location {
            commit: point.short.clone(),
            source_line: line_of(source, &file, pos.line),
            file,
            line: pos.line,
            label,
            span: None,
        }
    };
    let Some(sym) = defined(at, name) else {
        let mut locations = Vec::new();
        if let Some(p) = defined(parent, name) {
            locations.push(location(
                parent,
                parent_point,
                source_parent,
                definition_pos(parent, p),
                format!("`{name}` defined here before {}", culprit.short),
            ));
        }
        return (format!("`{name}` is no longer defined"), locations);
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
                    culprit,
                    source_at,
                    *pos,
                    format!("`{r_name}` is not defined at this commit"),
                )];
                locations[0].underline(&r_name);
                if let Some(old) = defined(parent, &r_name) {
                    let mut before = location(
                        parent,
                        parent_point,
                        source_parent,
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
        let count = lines_at.len().max(lines_parent.len());
        for i in 0..count {
            let now = lines_at
                .get(i)
                .map(|(e, pos)| (names_only(&at.model, e), *pos));
            let before = lines_parent
                .get(i)
                .map(|(e, pos)| (names_only(&parent.model, e), *pos));
            if now.as_ref().map(|(t, _)| t) == before.as_ref().map(|(t, _)| t) {
                continue;
            }
            let mut locations = Vec::new();
            if let Some((text, pos)) = &now {
                locations.push(location(
                    at,
                    culprit,
                    source_at,
                    *pos,
                    format!("`depends on {text}` at this commit"),
                ));
            }
            if let Some((text, pos)) = &before {
                locations.push(location(
                    parent,
                    parent_point,
                    source_parent,
                    *pos,
                    format!("was `depends on {text}` in the parent"),
                ));
            }
            let cause = match (&now, &before) {
                (Some((n, _)), Some((b, _))) => format!("`depends on {b}` became `depends on {n}`"),
                (Some((n, _)), None) => format!("this commit adds `depends on {n}`"),
                (None, Some((b, _))) => format!("this commit drops `depends on {b}`"),
                (None, None) => unreachable!("one side has the line"),
            };
            return (cause, locations);
        }
    }
    // Otherwise: its own definition changed; show it on both sides.
    let mut locations = vec![location(
        at,
        culprit,
        source_at,
        definition_pos(at, sym),
        format!("`{name}` as this commit defines it"),
    )];
    if let Some(p) = defined(parent, name) {
        locations.push(location(
            parent,
            parent_point,
            source_parent,
            definition_pos(parent, p),
            "as the parent defined it".to_string(),
        ));
    }
    let dep_text = at.fin().dir_dep[sym.0 as usize]
        .as_ref()
        .map(|e| names_only(&at.model, e))
        .unwrap_or_else(|| "y".to_string());
    (format!("its dependencies became `{dep_text}`"), locations)
}

/// One finding per (symbol, culprit, repair), with every arch and baseline it hits.
fn merge_findings(findings: Vec<Finding>) -> Vec<Finding> {
    let mut merged: Vec<Finding> = Vec::new();
    type Key = (
        &'static str,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
    );
    let mut index: HashMap<Key, usize> = HashMap::new();
    for f in findings {
        let place = f
            .locations
            .first()
            .map(|l| format!("{}:{}", l.file, l.line))
            .unwrap_or_default();
        let key = (
            f.code,
            f.symbols.first().cloned(),
            f.culprit.clone(),
            f.repair.clone(),
            place,
        );
        match index.get(&key) {
            Some(&i) => {
                let m = &mut merged[i];
                for a in f.arches {
                    if !m.arches.contains(&a) {
                        m.arches.push(a);
                    }
                }
                for b in f.baselines {
                    if !m.baselines.contains(&b) {
                        m.baselines.push(b);
                    }
                }
            }
            None => {
                index.insert(key, merged.len());
                merged.push(f);
            }
        }
    }
    merged
}

struct Ctx<'a> {
    repo_dir: PathBuf,
    oids: Vec<Oid>,
    points: Vec<SeriesCommit>,
    srctree: PathBuf,
    workdir: PathBuf,
    cache: ShellCache,
    blobs: crate::git::BlobCache,
    /// Paths each commit changes relative to the one before it (index 0: none).
    changed: Vec<HashSet<String>>,
    /// Gates the series removes -> the symbol gating the same objects at the tip.
    gate_successors: BTreeMap<String, String>,
    options: &'a Options,
}

#[derive(Default)]
struct ArchResult {
    findings: Vec<Finding>,
    notes: Vec<String>,
    parsed: usize,
    resolved: usize,
    walks: usize,
}

/// Every commit and baseline of one arch.
fn lint_arch(ctx: &Ctx, arch: &str) -> Result<ArchResult, LintError> {
    let mut out = ArchResult::default();
    let mut base_commands: HashSet<String> = HashSet::new();
    let mut trees: Vec<Arc<Tree>> = Vec::new();
    let mut values: Vec<Vec<Option<Arc<Values>>>> = vec![Vec::new(); ctx.options.baselines.len()];
    // Symbols with unmet direct dependencies, per baseline and commit.
    let mut unmet: Vec<Vec<Option<Arc<BTreeSet<String>>>>> =
        vec![Vec::new(); ctx.options.baselines.len()];
    let mut inputs: Vec<Vec<(String, Option<Oid>)>> = vec![Vec::new(); ctx.options.baselines.len()];
    // What each baseline builds at each commit (Kbuild walk).
    let mut objects: Vec<super::objects::Track> = (0..ctx.options.baselines.len())
        .map(|_| super::objects::Track::default())
        .collect();
    for (index, &oid) in ctx.oids.iter().enumerate() {
        let source = CommitSource::with_cache(
            &ctx.repo_dir,
            oid,
            Some(ctx.srctree.clone()),
            ctx.blobs.clone(),
        )?;
        let request = EnvRequest {
            arch: Some(arch.to_string()),
            srctree: ctx.srctree.display().to_string(),
            overrides: ctx.options.overrides.clone(),
            untrusted: true,
        };
        let env = match KernelEnv::compute(&source, &request) {
            Ok(env) => env,
            Err(err) => {
                out.notes
                    .push(format!("ARCH={arch} at {}: {err}", &oid.to_string()[..12]));
                break;
            }
        };
        let reuse = trees
            .last()
            .filter(|t| t.env.vars == env.vars && unchanged(&ctx.changed[index], &t.reads))
            .cloned();
        let tree_reused = reuse.is_some();
        let tree = match reuse {
            Some(tree) => tree,
            None => {
                let policy = if index == 0 {
                    ShellPolicy::Trusted
                } else {
                    ShellPolicy::Allow(base_commands.clone())
                };
                let mut shell = ShellRunner::new(policy);
                shell.cache = ctx.cache.clone();
                shell.workdir = Some(ctx.workdir.clone());
                let model = crate::kconfig::read_tree(&source, &env, shell);
                if index == 0 {
                    base_commands.extend(model.shell_commands.iter().map(|c| c.command.clone()));
                }
                let reads = source.reads.lock().expect("reads lock").clone();
                out.parsed += 1;
                let fingerprint = fingerprint(&model, &env);
                Arc::new(Tree {
                    env,
                    model,
                    fin_cell: std::sync::OnceLock::new(),
                    reads,
                    fingerprint,
                })
            }
        };
        let same_semantics = tree_reused
            || trees
                .last()
                .is_some_and(|t| t.fingerprint == tree.fingerprint);
        for (b, baseline) in ctx.options.baselines.iter().enumerate() {
            if same_semantics && !values[b].is_empty() && unchanged(&ctx.changed[index], &inputs[b])
            {
                let last = values[b].last().cloned().flatten();
                values[b].push(last);
                let last_unmet = unmet[b].last().cloned().flatten();
                unmet[b].push(last_unmet);
                continue;
            }
            // conf stops on Kconfig errors: such a commit has no configuration to compare
            // (kconfig-error reports it).
            if tree.model.errors().next().is_some() {
                values[b].push(None);
                unmet[b].push(None);
                continue;
            }
            let before = source.reads.lock().expect("reads lock").len();
            let run = match baseline {
                Baseline::Target { target, fragments } => crate::kconfig::make_config_with(
                    &source,
                    &tree.env,
                    &tree.model,
                    tree.fin(),
                    target,
                    fragments,
                    None,
                    crate::kconfig::ConfOptions { check_pass: false },
                ),
                Baseline::Config { name, text } => {
                    let input = InputFile {
                        name: name.clone(),
                        text: text.clone(),
                    };
                    crate::kconfig::make_config_with(
                        &source,
                        &tree.env,
                        &tree.model,
                        tree.fin(),
                        "olddefconfig",
                        &[],
                        Some(input),
                        crate::kconfig::ConfOptions { check_pass: false },
                    )
                }
            };
            inputs[b] = source.reads.lock().expect("reads lock")[before..].to_vec();
            out.resolved += 1;
            let run = run.ok();
            unmet[b].push(
                run.as_ref()
                    .map(|r| Arc::new(r.unmet.iter().cloned().collect())),
            );
            values[b].push(run.map(|r| Arc::new(parse_values(&r.config))));
        }
        if ctx.options.kbuild {
            for (b, track) in objects.iter_mut().enumerate() {
                let config = values[b].last().cloned().flatten();
                track.push(&source, &tree.env, config.as_ref(), &ctx.changed[index]);
            }
        }
        trees.push(tree);
    }
    out.walks = objects.iter().map(|t| t.walks).sum();
    // Make constructs the walk could not follow, in files the series changes.
    let mut told = HashSet::new();
    for track in &objects {
        for (index, set) in track.sets.iter().enumerate() {
            let Some(set) = set else { continue };
            for u in set
                .unknown
                .iter()
                .filter(|u| ctx.changed[index].contains(&u.file))
            {
                if told.insert((u.file.clone(), u.construct.clone())) {
                    out.notes.push(format!(
                        "ARCH={arch} at {}: {}:{}: Kbuild construct not understood ({}); what it decides is not checked",
                        ctx.points[index].short, u.file, u.line, u.construct
                    ));
                }
            }
        }
    }
    if trees.len() != ctx.oids.len() {
        return Ok(out);
    }
    for (b, baseline) in ctx.options.baselines.iter().enumerate() {
        if values[b].iter().all(|v| v.is_none()) {
            out.notes.push(format!(
                "baseline {} does not apply to ARCH={arch}",
                baseline.name()
            ));
            continue;
        }
        out.findings.extend(bisect_breaks(
            &ctx.repo_dir,
            &ctx.oids,
            &ctx.points,
            &trees,
            &values[b],
            arch,
            &baseline.name(),
        ));
    }
    // Commit sources are opened only for the commits a finding quotes.
    let sources: Vec<std::sync::OnceLock<Option<CommitSource>>> = ctx
        .oids
        .iter()
        .map(|_| std::sync::OnceLock::new())
        .collect();
    let view = super::changes::SeriesView {
        points: &ctx.points,
        trees: &trees,
        sources: &sources,
        open: &|index| {
            CommitSource::with_cache(&ctx.repo_dir, ctx.oids[index], None, ctx.blobs.clone()).ok()
        },
        arch,
        changed: &ctx.changed,
    };
    out.findings.extend(view.kconfig_errors());
    out.findings.extend(view.undefined_references());
    out.findings.extend(view.new_shell_commands());
    let set_at_base: BTreeSet<String> = values
        .iter()
        .filter_map(|v| v.first().cloned().flatten())
        .flat_map(|v| {
            v.iter()
                .filter(|(_, val)| val.as_str() != "n")
                .map(|(k, _)| k.clone())
                .collect::<Vec<_>>()
        })
        .collect();
    out.findings
        .extend(view.lost_symbols(&set_at_base, &ctx.gate_successors));
    for (b, baseline) in ctx.options.baselines.iter().enumerate() {
        out.findings
            .extend(view.unmet_dependencies(&unmet[b], &baseline.name()));
        if matches!(baseline, Baseline::Target { target, fragments } if target == "allmodconfig" && fragments.is_empty())
        {
            out.findings.extend(view.dead_symbols(&values[b]));
        }
        if ctx.options.kbuild {
            out.findings.extend(view.object_changes(
                &objects[b].sets,
                &values[b],
                &baseline.name(),
            ));
        }
    }
    Ok(out)
}
