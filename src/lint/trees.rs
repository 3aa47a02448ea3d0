//! Each commit's Kconfig tree for one arch, read in series order. When an arch has the
//! cores to itself (the last arches of a run, or a run of one), they are read on a thread
//! of their own and finalized on another, ahead of the resolution that consumes them
//! (engine.rs): reading the tree of commit N+2, finalizing that of N+1 and resolving and
//! walking N overlap, so one arch keeps two cores busy. Otherwise the resolving thread
//! reads and finalizes each tree itself when it needs the next (`Reader`).
//!
//! The reading rules are those of a single pass: a commit that changes no file the last
//! tree read (and leaves the macro environment as it was) reuses that tree; the base runs
//! the `$(shell,...)` commands it asks for, a later commit only the base's commands; a
//! commit whose tree cannot be read as a kernel is reported and skipped. Trees an arch
//! is done with are freed off the path to the report.

use std::collections::HashSet;
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;

use super::context::Unreadable;
use super::options::LintError;
use super::snapshot::{fingerprint, KconfigSnapshot};
use super::snapshots::{Inputs, Made};
use crate::exec::ToolTrust;
use crate::git::{CommitSource, Oid};
use crate::kconfig::env::{EnvError, EnvRequest, KernelEnv};
use crate::kconfig::macros::{Prepare, ShellPolicy, ShellRunner};

/// Did the commit leave every file of `reads` as it was in its parent?
pub(super) fn unchanged(changed: &HashSet<String>, reads: &[(String, Option<Oid>)]) -> bool {
    reads.iter().all(|(path, _)| !changed.contains(path))
}

/// One commit, as the reader leaves it for resolution.
pub(super) enum Read {
    Tree {
        source: CommitSource,
        tree: Arc<KconfigSnapshot>,
        /// How the tree was made for this commit; `None`: the last tree read, reused.
        made: Option<Made>,
        /// The parent's tree, or one that resolves alike (same fingerprint).
        same_semantics: bool,
    },
    /// A commit after the base that cannot be read as a kernel tree.
    Unreadable {
        source: CommitSource,
        why: Unreadable,
    },
    /// The base cannot be read: nothing to compare with.
    BaseUnreadable(EnvError),
}

/// Writes the `scripts/` of commit `trusted` under `srctree` when a command first runs
/// (the trusted side's, never those of a commit under test): a run whose commands are all
/// answered from kept answers writes nothing.
pub(super) fn scripts_on_demand(repo_dir: &Path, trusted: Oid, srctree: &Path) -> Prepare {
    let (repo_dir, srctree) = (repo_dir.to_path_buf(), srctree.to_path_buf());
    Prepare::new(move || {
        let repo = crate::git::open(&repo_dir)?;
        Ok(crate::git::export_dir(&repo, trusted, "scripts", &srctree)?)
    })
}

/// Every commit's tree for `arch`, in order: read on a thread of its own, and finalized
/// where resolution will need it on another, each a step ahead of the thread after it, so
/// that parsing a commit, finalizing the one before and resolving the one before that
/// overlap.
pub(super) fn read_ahead<'scope, 'env>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    inputs: Inputs<'env>,
    arch: &'env str,
) -> Receiver<Result<Read, LintError>> {
    let (tx, read) = sync_channel(1);
    spawn(scope, "tree reader", move || {
        for item in Reader::new(inputs, arch, false) {
            if tx.send(item).is_err() {
                return;
            }
        }
    });
    let (tx, finalized) = sync_channel(1);
    spawn(scope, "tree finalizer", move || {
        // The tree finalized last, which the next one takes alike entries from.
        let mut last = None;
        for item in read {
            finalize_next(&item, &mut last);
            if tx.send(item).is_err() {
                return;
            }
        }
    });
    finalized
}

/// Finalize the tree `item` brings when resolution will need it (a tree parsed for its
/// commit, read without errors, unlike the one before), taking alike entries from `last`,
/// the tree finalized before it, which it then replaces.
fn finalize_next(item: &Result<Read, LintError>, last: &mut Option<Arc<KconfigSnapshot>>) {
    if let Ok(Read::Tree {
        tree,
        made: Some(Made::Parsed { .. }),
        same_semantics: false,
        ..
    }) = item
    {
        if !tree.has_errors() {
            tree.fin_like(last.as_deref());
            super::snapshot::release(last.replace(tree.clone()));
        }
    }
}

/// Every commit's tree for `arch`, in order, each read when the next is asked for (and
/// finalized then, with `finalize`). The rules are those of a single pass (see the
/// module's notes); the first error, or a base that cannot be read, ends it.
pub(super) struct Reader<'a> {
    inputs: Inputs<'a>,
    arch: &'a str,
    finalize: bool,
    next: usize,
    started: bool,
    done: bool,
    last: Option<Arc<KconfigSnapshot>>,
    last_finalized: Option<Arc<KconfigSnapshot>>,
    base_commands: HashSet<String>,
    base_tools: Option<ToolTrust>,
}

impl<'a> Reader<'a> {
    pub(super) fn new(inputs: Inputs<'a>, arch: &'a str, finalize: bool) -> Self {
        Reader {
            inputs,
            arch,
            finalize,
            next: 0,
            started: false,
            done: false,
            last: None,
            last_finalized: None,
            base_commands: HashSet::new(),
            base_tools: None,
        }
    }
}

impl Iterator for Reader<'_> {
    type Item = Result<Read, LintError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let inputs = &self.inputs;
        if !std::mem::replace(&mut self.started, true) && inputs.trusted != inputs.oids[0] {
            // The window's first commit is under test: learn the trusted side's commands
            // and tools from its own tree first.
            let read = read_one(
                inputs,
                self.arch,
                0,
                inputs.trusted,
                &mut None,
                &mut self.base_commands,
                &mut self.base_tools,
            );
            if let Err(_) | Ok(Read::BaseUnreadable(_)) = read {
                self.done = true;
                return Some(read);
            }
        }
        let oid = *inputs.oids.get(self.next)?;
        let read = read_one(
            inputs,
            self.arch,
            self.next,
            oid,
            &mut self.last,
            &mut self.base_commands,
            &mut self.base_tools,
        );
        self.next += 1;
        self.done = matches!(read, Err(_) | Ok(Read::BaseUnreadable(_)));
        if self.finalize {
            finalize_next(&read, &mut self.last_finalized);
        }
        Some(read)
    }
}

/// Both threads of `read_ahead` build or free trees: they get the stack of the workers
/// (engine.rs).
fn spawn<'scope, 'env>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    what: &str,
    work: impl FnOnce() + Send + 'scope,
) {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn_scoped(scope, work)
        .unwrap_or_else(|e| panic!("spawning the {what}: {e}"));
}

fn read_one(
    inputs: &Inputs,
    arch: &str,
    index: usize,
    oid: Oid,
    last: &mut Option<Arc<KconfigSnapshot>>,
    base_commands: &mut HashSet<String>,
    base_tools: &mut Option<ToolTrust>,
) -> Result<Read, LintError> {
    // Only the trusted side runs what it asks for; the others run what it ran.
    let trusted = index == 0 && oid == inputs.trusted;
    let source = CommitSource::with_cache(
        inputs.repo_dir,
        oid,
        Some(inputs.srctree.to_path_buf()),
        inputs.blobs.clone(),
    )?;
    let request = EnvRequest {
        arch: Some(arch.to_string()),
        srctree: inputs.srctree.display().to_string(),
        overrides: inputs.options.overrides.clone(),
        untrusted: true,
        // The base's tools are the trusted side; a commit may run only those.
        tools: base_tools.clone().unwrap_or(ToolTrust::Any),
    };
    let env = match KernelEnv::compute(&source, &request) {
        Ok(env) => env,
        Err(err) if index == 0 => return Ok(Read::BaseUnreadable(err)),
        Err(err) => {
            // A Makefile without its version lines is shown at its first line.
            let file = matches!(err, EnvError::NoVersion { .. }).then(|| "Makefile".to_string());
            let why = Unreadable {
                why: err.to_string(),
                file,
            };
            return Ok(Read::Unreadable { source, why });
        }
    };
    let changed = &inputs.changed[index];
    if let Some(tree) = last
        .as_ref()
        .filter(|t| t.env.vars == env.vars && unchanged(changed, &t.reads))
    {
        return Ok(Read::Tree {
            source,
            tree: tree.clone(),
            made: None,
            same_semantics: true,
        });
    }
    // Help texts reworded, nothing else of what the last tree read: that tree, new texts.
    let reword = index > 0 && inputs.options.incremental;
    if let Some(parent) = last.as_ref().filter(|_| reword) {
        let before = CommitSource::with_cache(
            inputs.repo_dir,
            inputs.oids[index - 1],
            None,
            inputs.blobs.clone(),
        )?;
        if let Some(tree) = super::help_only::reworded(parent, changed, &before, &source, &env) {
            let tree = Arc::new(tree);
            *last = Some(tree.clone());
            return Ok(Read::Tree {
                source,
                tree,
                made: Some(Made::Reworded { index }),
                same_semantics: true,
            });
        }
    }
    let policy = if trusted {
        ShellPolicy::Trusted
    } else {
        ShellPolicy::Allow(base_commands.clone())
    };
    let mut shell = ShellRunner::new(policy);
    shell.cache = inputs.cache.clone();
    shell.workdir = Some(inputs.workdir.to_path_buf());
    shell.prepare = Some(inputs.scripts.clone());
    if trusted {
        probe_ahead(inputs, oid, &env, &mut shell)?;
    }
    let like = last.as_ref().map(|t| t.model.as_ref());
    let model =
        crate::kconfig::read_tree_with(&source, &env, shell, inputs.subtrees.cloned(), like);
    if trusted {
        base_commands.extend(model.shell_commands.iter().map(|c| c.command.clone()));
        *base_tools = Some(ToolTrust::Only(env.probed.clone()));
    }
    let reads = source.reads.lock().expect("reads lock").clone();
    let fingerprint = fingerprint(&model, &env);
    let tree = Arc::new(KconfigSnapshot {
        env,
        model: Arc::new(model),
        fin_cell: Default::default(),
        reads,
        fingerprint,
        help: Default::default(),
    });
    let same_semantics = last.as_ref().is_some_and(|t| t.fingerprint == fingerprint);
    *last = Some(tree.clone());
    let answers = (tree.model.shell_commands.iter())
        .filter(|c| c.ran)
        .map(|c| (c.command.clone(), c.output.clone()))
        .collect();
    let made = Made::Parsed {
        index,
        answers,
        reads: tree.reads.clone(),
        fingerprint,
    };
    Ok(Read::Tree {
        source,
        tree,
        made: Some(made),
        same_semantics,
    })
}

/// The trusted side's `$(shell,...)` commands run ahead of its reading, side by side
/// (`kconfig::run_commands_ahead`), when nothing answers them yet (no answers kept by an
/// earlier run, no other arch's): each arch reads its base on one thread, a command at a
/// time, and the arches read first ask mostly the same commands (the compiler's), which
/// one runs while the others wait for its answers (`ShellCache::get_or_run`).
fn probe_ahead(
    inputs: &Inputs,
    oid: Oid,
    env: &KernelEnv,
    shell: &mut ShellRunner,
) -> Result<(), LintError> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if !inputs.cache.is_empty() {
        return Ok(());
    }
    let srctree = Some(inputs.srctree.to_path_buf());
    let source = CommitSource::with_cache(inputs.repo_dir, oid, srctree, inputs.blobs.clone())?;
    crate::kconfig::run_commands_ahead(&source, env, shell, cores);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::BlobCache;
    use crate::kconfig::fragments::SubtreeCache;
    use crate::kconfig::macros::ShellCache;
    use crate::lint::options::Options;
    use crate::lint::snapshots::{Recipe, Remake};
    use std::path::Path;

    /// A commit of `files` (path, text) on top of HEAD in the repository at `dir`.
    fn commit(dir: &Path, files: &[(&str, &str)], message: &str) {
        for (path, text) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
        for args in [&["add", "-A"][..], &["commit", "-qm", message]] {
            let status = std::process::Command::new("git")
                .args(["-c", "user.name=T", "-c", "user.email=t@example.org"])
                .args(args)
                .current_dir(dir)
                .status()
                .expect("git runs");
            assert!(status.success(), "git {args:?}");
        }
    }

    const DRIVERS: &str = "config DRV\n\tbool \"drv\"\n\thelp\n\t  Old.\n\nconfig OTHER\n\tbool \"other\"\n\tdepends on DRV\n";

    #[test]
    fn a_tree_made_again_is_the_tree_read_first() {
        let dir = tempfile::tempdir().expect("tempdir");
        let status = std::process::Command::new("git")
            .args(["init", "-q"])
            .current_dir(dir.path())
            .status()
            .expect("git runs");
        assert!(status.success());
        let makefile = "VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 0\nEXTRAVERSION =\n";
        let top = "source \"arch/$(SRCARCH)/Kconfig\"\nsource \"drivers/Kconfig\"\n";
        commit(
            dir.path(),
            &[
                ("Makefile", makefile),
                ("Kconfig", top),
                (
                    "arch/x86/Kconfig",
                    "config X86\n\tdef_bool $(shell,echo y)\n",
                ),
                ("drivers/Kconfig", DRIVERS),
                ("drivers/drv.c", "int drv;\n"),
            ],
            "base",
        );
        // A help text reworded over more lines: the lines after it move.
        let reworded = DRIVERS.replace("Old.", "New,\n\t  and longer.");
        commit(dir.path(), &[("drivers/Kconfig", &reworded)], "reword");
        let depends = reworded.replace("depends on DRV", "depends on !DRV");
        commit(dir.path(), &[("drivers/Kconfig", &depends)], "depends");
        commit(dir.path(), &[("drivers/drv.c", "int drv2;\n")], "code");

        let repo = crate::git::open(dir.path()).expect("open");
        let series = crate::git::series(&repo, "HEAD~3..HEAD").expect("series");
        let oids: Vec<Oid> = std::iter::once(series.base)
            .chain(series.commits.iter().map(|c| c.oid))
            .collect();
        let changed = crate::git::changed_paths(&repo, &oids).expect("changes");
        let options = Options::plain();
        let (srctree, workdir) = (
            tempfile::tempdir().expect("srctree"),
            tempfile::tempdir().expect("workdir"),
        );
        let (cache, subtrees, blobs) =
            (ShellCache::new(), SubtreeCache::new(), BlobCache::default());
        let inputs = Inputs {
            repo_dir: repo.path(),
            oids: &oids,
            trusted: oids[0],
            srctree: srctree.path(),
            scripts: &Prepare::new(|| Ok(())),
            workdir: workdir.path(),
            cache: &cache,
            subtrees: Some(&subtrees),
            blobs: &blobs,
            changed: &changed,
            options: &options,
        };
        let mut read: Vec<(Arc<KconfigSnapshot>, Option<Made>)> = Vec::new();
        for r in Reader::new(inputs, "x86", false) {
            match r.expect("read") {
                Read::Tree { tree, made, .. } => read.push((tree, made)),
                _ => panic!("every commit reads"),
            }
        }
        let kinds: Vec<&str> = read
            .iter()
            .map(|(_, made)| match made {
                Some(Made::Parsed { .. }) => "parsed",
                Some(Made::Reworded { .. }) => "reworded",
                None => "reused",
            })
            .collect();
        assert_eq!(kinds, ["parsed", "reworded", "parsed", "reused"]);
        let remake = Remake { inputs };
        for (index, (tree, made)) in read.iter().enumerate() {
            let Some(made) = made else { continue };
            let previous = || Ok(read[index - 1].0.clone());
            let again = remake.make(made, &tree.env, &previous).expect("made again");
            assert!(again.model == tree.model, "the model of commit {index}");
            assert_eq!(again.reads, tree.reads, "commit {index}");
            assert_eq!(again.fingerprint, tree.fingerprint, "commit {index}");
            assert_eq!(again.help, tree.help, "commit {index}");
            assert_eq!(again.env.vars, tree.env.vars, "commit {index}");
        }
        // The base ran its command; a tree made again is given the first reading's answers
        // and runs nothing: given another answer, it says that one.
        let (base, Some(Made::Parsed { reads, .. })) = &read[0] else {
            panic!("the base is parsed")
        };
        let ran: Vec<&str> = (base.model.shell_commands.iter())
            .filter(|c| c.ran)
            .map(|c| c.output.as_str())
            .collect();
        assert_eq!(ran, ["y"]);
        let told = Made::Parsed {
            index: 0,
            answers: vec![("echo y".to_string(), "n".to_string())],
            reads: reads.clone(),
            fingerprint: base.fingerprint,
        };
        let no_previous = || panic!("a parsed tree needs no tree before it");
        let again = remake
            .make(&told, &base.env, &no_previous)
            .expect("made again");
        let answered: Vec<(&str, &str, bool)> = (again.model.shell_commands.iter())
            .map(|c| (c.command.as_str(), c.output.as_str(), c.ran))
            .collect();
        assert_eq!(answered, [("echo y", "n", true)]);
    }
}
