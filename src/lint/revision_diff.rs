//! Two revisions compared: the `.config` each gives for every arch and baseline, read
//! from git objects as `series` reads its commits (nothing checked out, nothing written to
//! the repository), and their differences as scripts/diffconfig finds them
//! (`config_diff`). Produces data only; `report::config_diff` renders it.

use std::path::{Path, PathBuf};

use super::config_diff::{diff_configs, ConfigDiff};
use super::options::{validate_tree, Baseline, LintError};
use crate::exec::ToolTrust;
use crate::git::{CommitSource, Oid};
use crate::kconfig::env::{EnvRequest, KernelEnv};
use crate::kconfig::macros::{ShellCache, ShellPolicy, ShellRunner};
use crate::kconfig::targets::InputFile;
use crate::kconfig::ConfigError;

/// What each revision may run: Kconfig's `$(shell,...)` commands and the toolchain probes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffTrust {
    /// Both revisions are trees the user chose: each runs its commands as make would in
    /// it, with its own `scripts/` as `$(srctree)`.
    Both,
    /// The old revision is trusted as a series' base is; the new one may run only the
    /// commands and tool values the old one ran, with the old `scripts/`.
    Old,
    /// Nothing runs: each command is answered from its text alone (`ShellPolicy::Never`).
    Nothing,
}

pub struct DiffOptions {
    /// None: every arch both revisions have.
    pub arches: Option<Vec<String>>,
    pub baselines: Vec<Baseline>,
    /// Make variables from the command line (CROSS_COMPILE=..., LLVM=1).
    pub overrides: Vec<(String, String)>,
    pub trust: DiffTrust,
    /// Called as each arch finishes, with (arches done, arches in all).
    pub progress: Option<Box<dyn Fn(usize, usize) + Send + Sync>>,
}

/// A revision as given and the commit it names.
#[derive(Debug, Clone)]
pub struct Revision {
    pub rev: String,
    pub commit: Oid,
}

/// One arch and baseline: what differs from the old configuration to the new.
#[derive(Debug, Clone)]
pub struct ConfigComparison {
    pub arch: String,
    pub baseline: String,
    pub diff: ConfigDiff,
}

#[derive(Debug, Clone)]
pub struct DiffReport {
    pub old: Revision,
    pub new: Revision,
    /// Arch by arch in the order asked (default: sorted), baselines in the order given.
    pub comparisons: Vec<ConfigComparison>,
    /// What was not compared, and why.
    pub notes: Vec<String>,
}

/// Compare the configurations of `old_rev` and `new_rev` in the repository at
/// `repo_path`. Revisions, arches and baselines are checked against both trees before any
/// work: a typo is a `LintError::Usage` naming it.
pub fn diff_revisions(
    repo_path: &Path,
    old_rev: &str,
    new_rev: &str,
    options: &DiffOptions,
) -> Result<DiffReport, LintError> {
    crate::git::skip_hash_verification();
    let repo = crate::git::open(repo_path)?;
    let repo_dir = repo.path().to_path_buf();
    let old = Revision {
        rev: old_rev.to_string(),
        commit: crate::git::commit_of(&repo, old_rev)?,
    };
    let new = Revision {
        rev: new_rev.to_string(),
        commit: crate::git::commit_of(&repo, new_rev)?,
    };
    let blobs = crate::git::BlobCache::default();
    let open = |commit: Oid| CommitSource::with_cache(&repo_dir, commit, None, blobs.clone());
    let (old_tree, new_tree) = (open(old.commit)?, open(new.commit)?);
    let mut notes = Vec::new();
    let arches: Vec<String> = match &options.arches {
        // An arch named twice is compared once.
        Some(list) => {
            let mut seen = std::collections::HashSet::new();
            list.iter()
                .filter(|arch| seen.insert(arch.as_str()))
                .cloned()
                .collect()
        }
        None => {
            // An arch one side lacks has no configuration there to compare with.
            let old_arches = crate::kconfig::env::tree_arches(&old_tree);
            let new_arches = crate::kconfig::env::tree_arches(&new_tree);
            for (arches, others, rev) in [
                (&old_arches, &new_arches, &new.rev),
                (&new_arches, &old_arches, &old.rev),
            ] {
                for arch in arches.iter().filter(|a| !others.contains(a)) {
                    notes.push(format!(
                        "ARCH={arch} is not compared: {rev} has no arch/{arch}/Kconfig"
                    ));
                }
            }
            old_arches
                .into_iter()
                .filter(|a| new_arches.contains(a))
                .collect()
        }
    };
    for (tree, revision) in [(&old_tree, &old), (&new_tree, &new)] {
        validate_tree(
            tree,
            &format!("`{}`", revision.rev),
            Some(&arches),
            &options.baselines,
        )?;
    }
    drop((old_tree, new_tree));

    // The `scripts/` that Kconfig commands find under $(srctree), outside the repository.
    let scratch = crate::scratch::Scratch::new("diff")
        .map_err(|e| LintError::Setup(format!("temporary directory: {e}")))?;
    let export = |name: &str, commit: Oid| -> Result<PathBuf, LintError> {
        let dir = scratch.path().join(name);
        // create_dir, not create_dir_all: a scratch directory a signal removed stays removed.
        std::fs::create_dir(&dir).map_err(|e| LintError::Setup(e.to_string()))?;
        crate::git::export_dir(&repo, commit, "scripts", &dir)?;
        Ok(dir)
    };
    let old_srctree = export("old", old.commit)?;
    let new_srctree = match options.trust {
        DiffTrust::Both => export("new", new.commit)?,
        DiffTrust::Old | DiffTrust::Nothing => old_srctree.clone(),
    };
    let workdir = scratch.path().join("work");
    std::fs::create_dir(&workdir).map_err(|e| LintError::Setup(e.to_string()))?;
    drop(repo);

    let ctx = Ctx {
        repo_dir,
        old: &old,
        new: &new,
        old_srctree,
        new_srctree,
        workdir,
        cache: ShellCache::new(),
        blobs: blobs.clone(),
        options,
    };
    let mut results: std::collections::HashMap<String, Result<ArchResult, LintError>> =
        run_arches(&ctx, &arches).into_iter().collect();
    let mut comparisons = Vec::new();
    // In the order asked, whatever order the workers finished in.
    for arch in &arches {
        let result = results.remove(arch).expect("every arch has a result")?;
        comparisons.extend(result.comparisons);
        notes.extend(result.notes);
    }
    // A read that failed for a missing object may have looked like an absent file.
    if let Some(missing) = blobs.missing_object() {
        return Err(LintError::Corrupt(missing));
    }
    if comparisons.is_empty() {
        return Err(LintError::Usage(format!(
            "nothing to compare: {}",
            if notes.is_empty() {
                "no arch both revisions have".to_string()
            } else {
                notes.join("; ")
            }
        )));
    }
    Ok(DiffReport {
        old,
        new,
        comparisons,
        notes,
    })
}

struct Ctx<'a> {
    repo_dir: PathBuf,
    old: &'a Revision,
    new: &'a Revision,
    old_srctree: PathBuf,
    new_srctree: PathBuf,
    workdir: PathBuf,
    cache: ShellCache,
    blobs: crate::git::BlobCache,
    options: &'a DiffOptions,
}

#[derive(Default)]
struct ArchResult {
    comparisons: Vec<ConfigComparison>,
    notes: Vec<String>,
}

/// The arches on the machine's cores, each on a thread with room for conf's recursion.
fn run_arches(ctx: &Ctx, arches: &[String]) -> Vec<(String, Result<ArchResult, LintError>)> {
    let queue = std::sync::Mutex::new(arches.to_vec());
    let finished = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(arches.len().max(1));
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                std::thread::Builder::new()
                    .stack_size(256 << 20)
                    .spawn_scoped(scope, || {
                        let mut done = Vec::new();
                        loop {
                            let next = queue.lock().expect("queue lock").pop();
                            let Some(arch) = next else { break };
                            done.push((arch.clone(), diff_arch(ctx, &arch)));
                            let count =
                                finished.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                            if let Some(progress) = &ctx.options.progress {
                                progress(count, arches.len());
                            }
                        }
                        done
                    })
                    .expect("spawning a worker")
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker panicked"))
            .collect()
    })
}

/// One revision read for one arch: the configuration of each baseline, or why there is
/// none (a defconfig or fragment that revision lacks).
struct Side {
    configs: Vec<Result<String, ConfigError>>,
    /// What the next side may run under `DiffTrust::Old`.
    commands: std::collections::HashSet<String>,
    probed: std::collections::BTreeMap<String, String>,
}

fn diff_arch(ctx: &Ctx, arch: &str) -> Result<ArchResult, LintError> {
    let trust = ctx.options.trust;
    let old = resolve_side(
        ctx,
        ctx.old,
        arch,
        &ctx.old_srctree,
        match trust {
            DiffTrust::Nothing => ShellPolicy::Never,
            DiffTrust::Both | DiffTrust::Old => ShellPolicy::Trusted,
        },
        match trust {
            DiffTrust::Nothing => ToolTrust::Nothing,
            DiffTrust::Both | DiffTrust::Old => ToolTrust::Any,
        },
    )?;
    let (policy, tools) = match trust {
        DiffTrust::Both => (ShellPolicy::Trusted, ToolTrust::Any),
        DiffTrust::Old => (
            ShellPolicy::Allow(old.commands.clone()),
            ToolTrust::Only(old.probed.clone()),
        ),
        DiffTrust::Nothing => (ShellPolicy::Never, ToolTrust::Nothing),
    };
    let new = resolve_side(ctx, ctx.new, arch, &ctx.new_srctree, policy, tools)?;
    let mut out = ArchResult::default();
    for ((baseline, old_config), new_config) in ctx
        .options
        .baselines
        .iter()
        .zip(&old.configs)
        .zip(&new.configs)
    {
        match (old_config, new_config) {
            (Ok(old_config), Ok(new_config)) => out.comparisons.push(ConfigComparison {
                arch: arch.to_string(),
                baseline: baseline.name(),
                diff: diff_configs(old_config, new_config),
            }),
            (Err(err), Ok(_)) | (Ok(_), Err(err)) => {
                let rev = if old_config.is_err() {
                    &ctx.old.rev
                } else {
                    &ctx.new.rev
                };
                out.notes.push(format!(
                    "ARCH={arch} {} is not compared: {rev}: {err}",
                    baseline.name()
                ));
            }
            (Err(err), Err(_)) => out.notes.push(format!(
                "ARCH={arch} {} is not compared: {err} (at both revisions)",
                baseline.name()
            )),
        }
    }
    Ok(out)
}

/// Read `revision` for `arch` and resolve every baseline, as `make ARCH=<arch> <target>`
/// would in that tree.
fn resolve_side(
    ctx: &Ctx,
    revision: &Revision,
    arch: &str,
    srctree: &Path,
    policy: ShellPolicy,
    tools: ToolTrust,
) -> Result<Side, LintError> {
    let source = CommitSource::with_cache(
        &ctx.repo_dir,
        revision.commit,
        Some(srctree.to_path_buf()),
        ctx.blobs.clone(),
    )?;
    let request = EnvRequest {
        arch: Some(arch.to_string()),
        srctree: srctree.display().to_string(),
        overrides: ctx.options.overrides.clone(),
        // Arch Makefile `$(shell ...)` never runs from git objects, as in `series`.
        untrusted: true,
        tools,
    };
    let env = KernelEnv::compute(&source, &request)
        .map_err(|err| LintError::Usage(format!("`{}`: {err}", revision.rev)))?;
    let mut shell = ShellRunner::new(policy);
    shell.cache = ctx.cache.clone();
    shell.workdir = Some(ctx.workdir.clone());
    let model = crate::kconfig::read_tree(&source, &env, shell);
    // conf stops on a Kconfig error: such a revision has no configuration.
    let errors: Vec<String> = model.errors().map(|e| e.to_string()).collect();
    if !errors.is_empty() {
        const SHOWN: usize = 10;
        let mut text = errors[..errors.len().min(SHOWN)].join("\n");
        if errors.len() > SHOWN {
            text.push_str(&format!("\n... and {} more", errors.len() - SHOWN));
        }
        return Err(LintError::Usage(format!(
            "`{}`: ARCH={arch}: the Kconfig has errors, so conf writes no configuration:\n{text}",
            revision.rev
        )));
    }
    let fin = crate::kconfig::finalize::finalize(&model, env.dialect().bool_choices_only());
    let mut configs = Vec::new();
    for baseline in &ctx.options.baselines {
        let run = match baseline {
            Baseline::Target { target, fragments } => {
                crate::kconfig::make_config(&source, &env, &model, &fin, target, fragments, None)
            }
            Baseline::Config { name, text } => crate::kconfig::make_config(
                &source,
                &env,
                &model,
                &fin,
                "olddefconfig",
                &[],
                Some(InputFile {
                    name: name.clone(),
                    text: text.clone(),
                }),
            ),
        };
        configs.push(match run {
            Ok(run) => Ok(run.config),
            // A file the repository should have and cannot give is no missing defconfig.
            Err(ConfigError::Source(err)) => {
                return Err(LintError::Setup(format!("`{}`: {err}", revision.rev)))
            }
            Err(err) => Err(err),
        });
    }
    Ok(Side {
        configs,
        commands: model
            .shell_commands
            .iter()
            .map(|c| c.command.clone())
            .collect(),
        probed: env.probed.clone(),
    })
}
