//! Resolve a series: every commit x arch x baseline, reusing work where nothing it depends
//! on changed (a commit that touches no file a tree read reuses that tree and its
//! configurations), then hand the data to the checks (`checks::CHECKS`). The engine
//! schedules and produces per-commit data; it detects nothing itself.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::builds::{EarlierSeeds, ObjectTrack};
use super::checks::{tree_facts, Scope, CHECKS};
use super::context::{ArchContext, BaselineRun, SeriesCommits, Unreadable};
use super::options::{Baseline, LintError, Options, Shared};
use super::references::PendingScan;
use super::snapshot::{parse_values, KconfigSnapshot, Values};
use super::snapshots::{Made, Remake, Snapshots};
use super::trees::{unchanged, Read};
use super::{Finding, Report, SeriesCommit};
use crate::git::{CommitSource, Oid, Series};
use crate::kconfig::fragments::SubtreeCache;
use crate::kconfig::macros::{Prepare, ShellCache};
use crate::kconfig::targets::InputFile;

/// Lint `series` in the repository at `repo_path`.
pub fn lint(repo_path: &Path, series: &Series, options: &Options) -> Result<Report, LintError> {
    lint_sharing(repo_path, series, options, &Shared::default())
}

/// `lint`, with caches that earlier runs on the same repository and trusted side filled.
pub fn lint_sharing(
    repo_path: &Path,
    series: &Series,
    options: &Options,
    shared: &Shared,
) -> Result<Report, LintError> {
    crate::git::skip_hash_verification();
    let repo = crate::git::open(repo_path)?;
    let repo_dir = repo.path().to_path_buf();
    let mut notes = Vec::new();
    let mut points = super::context::series_points(&repo, series, &mut notes);
    let oids: Vec<Oid> = std::iter::once(series.base)
        .chain(series.commits.iter().map(|c| c.oid))
        .collect();

    // Scripts the base's $(shell,...) commands call, written outside the repository: the
    // trusted side's (`Options::trusted`), never those of a commit under test.
    let trusted = options.trusted.unwrap_or(series.base);
    let scratch = crate::scratch::Scratch::new("series")
        .map_err(|e| LintError::Setup(format!("temporary directory: {e}")))?;
    let srctree: PathBuf = scratch.path().join("srctree");
    // create_dir, not create_dir_all: a scratch directory a signal removed stays removed.
    std::fs::create_dir(&srctree).map_err(|e| LintError::Setup(e.to_string()))?;
    let scripts = super::trees::scripts_on_demand(&repo_dir, trusted, &srctree);
    let workdir = scratch.path().join("work");
    std::fs::create_dir(&workdir).map_err(|e| LintError::Setup(e.to_string()))?;

    let blobs = shared.blobs.clone();
    let base_tree = CommitSource::with_cache(&repo_dir, oids[0], None, blobs.clone())?;
    // The base's $(shell,...) answers, kept between runs for the same scripts and tools.
    let trusted_scripts = CommitSource::with_cache(&repo_dir, trusted, None, blobs.clone())?;
    let scripts_tree = trusted_scripts.tree_id("scripts");
    let (shell_cache, keeper) = super::cache::shell_answers(
        options,
        scripts_tree,
        scratch.path(),
        &shared.shell_answers_in(scratch.path(), scripts_tree),
    );
    let tip = CommitSource::new(&repo_dir, *oids.last().expect("a series has commits"), None)?;
    let arches = match &options.arches {
        Some(list) => list.clone(),
        None => crate::kconfig::env::tree_arches(&tip),
    };
    super::options::validate(&base_tree, options)?;
    let changed = crate::git::changed_paths(&repo, &oids)?;
    let reuse = options.incremental && options.kbuild;
    let since = |t: Oid| crate::git::changed_paths(&repo, &[t, oids[0]]).ok()?.pop();
    let earlier = EarlierSeeds::of_window(&shared.seeds, options.trusted, reuse, oids[0], since);
    // References are the same for every arch: scanned once, beside the arches.
    let references = options.kbuild.then(PendingScan::default);
    let ctx = Ctx {
        references: references.as_ref(),
        repo_dir: repo_dir.clone(),
        oids: oids.clone(),
        points: points.clone(),
        srctree: srctree.clone(),
        scripts: scripts.clone(),
        workdir: workdir.clone(),
        cache: shell_cache.clone(),
        subtrees: options.incremental.then(|| shared.subtrees.clone()),
        blobs: blobs.clone(),
        users: shared.users.clone(),
        seeds: shared.seeds.clone(),
        earlier,
        changed,
        options,
        steps: super::options::Steps::new(oids.len() * arches.len()),
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let queue = super::schedule::ArchQueue::new(&arches, &ctx.changed, cores);
    let workers = cores.min(arches.len().max(1));
    let (results, findings) = std::thread::scope(|scope| {
        // Checks that hold for every arch at once run beside the arches.
        let series_checks = scope.spawn(|| series_findings(&ctx));
        let patch_ids = scope.spawn(|| super::context::patch_ids(&repo_dir, series));
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                std::thread::Builder::new()
                    .stack_size(256 << 20)
                    .spawn_scoped(scope, || {
                        let mut done = Vec::new();
                        while let Some((arch, ahead)) = queue.next() {
                            done.push((arch.clone(), lint_arch(&ctx, &arch, ahead)));
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
        let ids = patch_ids.join().expect("patch-ids panicked");
        (points.iter_mut().skip(1).zip(ids)).for_each(|(point, id)| point.patch_id = id);
        (all, series_checks.join().expect("series checks panicked"))
    });
    super::snapshot::free_off_the_path((ctx.seeds, references));
    // Commands were answered as failed ones if the scripts could not be written for them.
    if let Some(err) = scripts.error() {
        return Err(LintError::Setup(err.to_string()));
    }
    let mut findings = super::grouping::for_arches_checked(findings?, &arches);
    let (mut parsed, mut resolved, mut walks) = (0, 0, 0);
    let mut changes = Vec::new();
    // Which baselines each arch does not take, said once per baseline.
    let mut inapplicable: Vec<(String, Vec<String>)> = Vec::new();
    for (arch, result) in results {
        let r = result?;
        findings.extend(r.findings);
        changes.extend(r.changes);
        for note in r.notes {
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
        inapplicable.push((arch, r.inapplicable));
        (parsed, resolved, walks) = (parsed + r.parsed, resolved + r.resolved, walks + r.walks);
    }
    notes.extend(super::context::inapplicable_notes(
        inapplicable,
        arches.len(),
    ));
    // A read that failed for a missing object may have looked like an absent file.
    if let Some(missing) = blobs.missing_object() {
        return Err(LintError::Corrupt(missing));
    }
    if let Some(keeper) = keeper {
        keeper.keep(&shell_cache);
    }
    let findings = super::grouping::group(super::finding::merge(findings), &arches);
    Ok(Report {
        commits: points,
        arches,
        baselines: options.baselines.iter().map(Baseline::name).collect(),
        findings,
        notes,
        parsed,
        resolved,
        walks,
        base_source: super::finding::BaseSource::Range,
        command_line: Vec::new(),
        changes,
    })
}

/// The findings of the checks that hold for every arch at once (with Kbuild only).
/// The reference scan is made here, and the arches' checks wait for it.
fn series_findings(ctx: &Ctx) -> Result<Vec<Finding>, LintError> {
    let Some(pending) = ctx.references else {
        return Ok(Vec::new());
    };
    // Only the trusted side's scan is kept: fixes are verified on other bases.
    let trusted = ctx.options.trusted.is_none_or(|t| t == ctx.oids[0]);
    let kept = ctx.options.cache.as_deref().filter(|_| trusted);
    let references = pending.fill(|| {
        super::references::scan(
            &ctx.repo_dir,
            &ctx.oids,
            &ctx.changed,
            &ctx.blobs,
            &ctx.users,
            kept,
        )
    })?;
    let open = |index: usize| {
        CommitSource::with_cache(&ctx.repo_dir, ctx.oids[index], None, ctx.blobs.clone()).ok()
    };
    let series = SeriesCommits::new(&ctx.points, &ctx.changed, &open);
    Ok(super::checks::series_checks(&series, references))
}

struct Ctx<'a> {
    /// Commits x arches done (`Options::progress`).
    steps: super::options::Steps,
    repo_dir: PathBuf,
    oids: Vec<Oid>,
    points: Vec<SeriesCommit>,
    srctree: PathBuf,
    workdir: PathBuf,
    cache: ShellCache,
    /// Parsed subtrees shared by every commit and arch.
    subtrees: Option<SubtreeCache>,
    blobs: crate::git::BlobCache,
    /// Users of removed symbols, kept for fix verification.
    users: super::users::UsersCache,
    /// Directories of the first Kbuild walks at each commit, for the other arches'.
    seeds: Arc<super::builds::SeedPool>,
    earlier: Option<Arc<super::builds::EarlierSeeds>>,
    /// Paths each commit changes relative to the one before it (index 0: none).
    changed: Vec<HashSet<String>>,
    /// CONFIG_ references along the series (with Kbuild only), made beside the arches.
    references: Option<&'a PendingScan>,
    /// Writes `srctree`'s scripts when a command first runs.
    scripts: Prepare,
    options: &'a Options,
}

#[derive(Default)]
struct ArchResult {
    findings: Vec<Finding>,
    changes: Vec<super::ValueChange>,
    notes: Vec<String>,
    /// Baselines that do not apply to this arch (no such defconfig, a fragment missing).
    inapplicable: Vec<String>,
    parsed: usize,
    resolved: usize,
    walks: usize,
}

/// Every commit and baseline of one arch. `ahead`: trees are read and finalized ahead of
/// resolution on threads of their own (`trees::read_ahead`), else on this thread as
/// resolution asks for them (`trees::Reader`); see `schedule::ArchQueue`.
fn lint_arch(ctx: &Ctx, arch: &str, ahead: bool) -> Result<ArchResult, LintError> {
    let inputs = super::snapshots::Inputs {
        repo_dir: &ctx.repo_dir,
        oids: &ctx.oids,
        trusted: ctx.options.trusted.unwrap_or(ctx.oids[0]),
        srctree: &ctx.srctree,
        scripts: &ctx.scripts,
        workdir: &ctx.workdir,
        cache: &ctx.cache,
        subtrees: ctx.subtrees.as_ref(),
        blobs: &ctx.blobs,
        changed: &ctx.changed,
        options: ctx.options,
    };
    if !ahead {
        let reads = super::trees::Reader::new(inputs, arch, true);
        return resolve_arch(ctx, arch, reads, &Remake { inputs });
    }
    std::thread::scope(|scope| {
        let reads = super::trees::read_ahead(scope, inputs, arch);
        resolve_arch(ctx, arch, reads, &Remake { inputs })
    })
}

/// Resolve every commit and baseline of one arch from the trees `reads` brings, in order.
fn resolve_arch(
    ctx: &Ctx,
    arch: &str,
    reads: impl IntoIterator<Item = Result<Read, LintError>>,
    remake: &Remake,
) -> Result<ArchResult, LintError> {
    let mut out = ArchResult::default();
    // Each commit's tree as facts, made again when a check asks; the newest one whole.
    let mut trees = Snapshots::new(remake);
    let mut newest: Option<Arc<KconfigSnapshot>> = None;
    // Whether `newest` is known to have no recursive dependency.
    let mut acyclic = false;
    // Why each commit could not be read as a kernel tree, if it could not.
    let mut unreadable: Vec<Option<Unreadable>> = vec![None; ctx.oids.len()];
    let mut values: Vec<Vec<Option<Arc<Values>>>> = vec![Vec::new(); ctx.options.baselines.len()];
    // Symbols with unmet direct dependencies, per baseline and commit.
    let mut unmet: Vec<Vec<Option<Arc<BTreeSet<String>>>>> =
        vec![Vec::new(); ctx.options.baselines.len()];
    let mut inputs: Vec<Vec<(String, Option<Oid>)>> = vec![Vec::new(); ctx.options.baselines.len()];
    // What each baseline builds at each commit (Kbuild walk).
    let mut objects: Vec<ObjectTrack> = (0..ctx.options.baselines.len())
        .map(|_| {
            ObjectTrack::new(
                ctx.options.incremental,
                ctx.seeds.clone(),
                ctx.earlier.clone(),
            )
        })
        .collect();
    for (index, read) in reads.into_iter().enumerate() {
        let changed = &ctx.changed[index];
        let (source, tree, made, same_semantics) = match read? {
            Read::Tree {
                source,
                tree,
                made,
                same_semantics,
            } => {
                out.parsed += usize::from(matches!(made, Some(Made::Parsed { .. })));
                (source, tree, made, same_semantics)
            }
            Read::BaseUnreadable(err) => {
                // Nothing to compare with: said once, as a note of the report.
                out.notes.push(format!(
                    "ARCH={arch} at {}: {err}",
                    &ctx.oids[0].to_string()[..12]
                ));
                // Nothing more to do for this arch: its steps are done.
                (0..ctx.oids.len()).for_each(|_| ctx.steps.step(ctx.options));
                break;
            }
            Read::Unreadable { source, why } => {
                // A commit that cannot be read as a kernel is a finding about that commit
                // (unreadable-tree); the commits after it are still checked, against the
                // last snapshot that could be read.
                unreadable[index] = Some(why);
                acyclic = false;
                let last = newest.clone().expect("the base was read");
                for b in 0..ctx.options.baselines.len() {
                    values[b].push(None);
                    unmet[b].push(None);
                    inputs[b].clear();
                }
                if ctx.options.kbuild {
                    ObjectTrack::push_each(&mut objects, &values, &source, &last.env, changed);
                }
                trees.push_same();
                ctx.steps.step(ctx.options);
                continue;
            }
        };
        // What the commit changes in symbol definitions, once for every baseline.
        let delta = std::cell::OnceCell::new();
        // Alike a tree conf stopped at, without its errors: no configuration to lend.
        let mends = newest.as_ref().is_some_and(|t| t.has_errors()) && !tree.has_errors();
        for (b, baseline) in ctx.options.baselines.iter().enumerate() {
            if same_semantics && !mends && !values[b].is_empty() && unchanged(changed, &inputs[b]) {
                let last = values[b].last().cloned().flatten();
                values[b].push(last);
                let last_unmet = unmet[b].last().cloned().flatten();
                unmet[b].push(last_unmet);
                continue;
            }
            // conf stops on Kconfig errors: no configuration to compare (kconfig-error says it).
            if tree.has_errors() {
                values[b].push(None);
                unmet[b].push(None);
                continue;
            }
            // A change that provably leaves the parent's configuration as it is.
            let last = values[b].last().cloned().flatten();
            if let (Some(prev), Some(last)) = (&newest, &last) {
                if ctx.options.incremental
                    && unchanged(changed, &inputs[b])
                    && delta
                        .get_or_init(|| super::incremental::delta(prev, &tree, changed))
                        .as_ref()
                        .is_some_and(|d| d.unaffected(&tree, last))
                {
                    values[b].push(Some(last.clone()));
                    let last_unmet = unmet[b].last().cloned().flatten();
                    unmet[b].push(last_unmet);
                    continue;
                }
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
            ObjectTrack::push_each(&mut objects, &values, &source, &tree.env, changed);
        }
        // What the checks read of every tree is taken now, while it is whole.
        let like_previous = index > 0 && trees.fingerprint(index - 1) == tree.fingerprint;
        match made {
            None => trees.push_same(),
            Some(made) => {
                let before = (newest
                    .as_deref()
                    .filter(|_| acyclic && ctx.options.incremental))
                .map(|t| (t, changed));
                let names = newest
                    .as_deref()
                    .map(|t| (t, &trees.facts(index - 1).names));
                let base = (index > 0).then(|| &trees[0]);
                let facts = tree_facts(&tree, base, like_previous, before, names);
                // Recursive dependencies are said without a file, running out of rewrites
                // with one; a tree like the one before has what that one has.
                if !like_previous {
                    acyclic = (facts.final_errors.as_ref())
                        .is_some_and(|e| e.keys().all(|(file, _)| !file.is_empty()));
                }
                trees.push_new(&tree, made, facts);
            }
        }
        super::snapshot::release(newest.replace(tree));
        ctx.steps.step(ctx.options);
    }
    out.walks = objects.iter().map(|t| t.walks).sum();
    objects.iter_mut().for_each(ObjectTrack::finish);
    let notes = super::context::unknown_construct_notes(arch, &objects, &ctx.changed, &ctx.points);
    out.notes.extend(notes);
    if trees.len() != ctx.oids.len() {
        return Ok(out);
    }
    trees.keep_last(newest.take().expect("the base was read"));
    let mut runs = Vec::new();
    for ((baseline, (values, unmet)), objects) in ctx
        .options
        .baselines
        .iter()
        .zip(values.into_iter().zip(unmet))
        .zip(objects)
    {
        if values.iter().all(|v| v.is_none()) {
            out.inapplicable.push(baseline.name());
            continue;
        }
        runs.push(BaselineRun {
            baseline,
            name: baseline.name(),
            values,
            unmet,
            objects,
        });
    }
    // Commit sources are opened only for the commits a finding quotes.
    let open = |index: usize| {
        CommitSource::with_cache(&ctx.repo_dir, ctx.oids[index], None, ctx.blobs.clone()).ok()
    };
    let series = SeriesCommits::new(&ctx.points, &ctx.changed, &open);
    let cx = ArchContext {
        arch,
        series: &series,
        snapshots: &trees,
        baselines: &runs,
        references: ctx.references.and_then(PendingScan::wait),
        unreadable: &unreadable,
        kbuild: ctx.options.kbuild,
    };
    if let Some(symbol) = &ctx.options.explain {
        out.changes = super::cause::changes(&cx, symbol);
    }
    let kbuild = ctx.options.kbuild;
    for check in CHECKS.iter().filter(|c| kbuild || !c.needs_kbuild) {
        if let Scope::Arch(run) = check.scope {
            out.findings.extend(run(&cx));
        }
    }
    trees.failure().map_or(Ok(()), Err)?;
    super::snapshot::free_off_the_path(trees.into_trees());
    Ok(out)
}
