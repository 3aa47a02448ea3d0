//! Each commit's Kconfig tree for one arch, read in series order on a thread of its own,
//! ahead of the resolution that consumes them (engine.rs): reading and finalizing the
//! tree of commit N+1 overlaps with resolving and walking commit N, so one arch keeps two
//! cores busy.
//!
//! The reading rules are those of a single pass: a commit that changes no file the last
//! tree read (and leaves the macro environment as it was) reuses that tree; the base runs
//! the `$(shell,...)` commands it asks for, a later commit only the base's commands; a
//! commit whose tree cannot be read as a kernel is reported and skipped. Trees an arch
//! is done with are freed off the path to the report.

use std::collections::HashSet;
use std::path::Path;
use std::sync::mpsc::SyncSender;
use std::sync::Arc;

use super::context::Unreadable;
use super::options::{LintError, Options};
use super::snapshot::{fingerprint, KconfigSnapshot};
use crate::exec::ToolTrust;
use crate::git::{BlobCache, CommitSource, Oid};
use crate::kconfig::env::{EnvError, EnvRequest, KernelEnv};
use crate::kconfig::fragments::SubtreeCache;
use crate::kconfig::macros::{ShellCache, ShellPolicy, ShellRunner};

/// Did the commit leave every file of `reads` as it was in its parent?
pub(super) fn unchanged(changed: &HashSet<String>, reads: &[(String, Option<Oid>)]) -> bool {
    reads.iter().all(|(path, _)| !changed.contains(path))
}

/// What the reader needs of the series.
pub(super) struct Inputs<'a> {
    pub repo_dir: &'a Path,
    pub oids: &'a [Oid],
    /// The commit whose commands and tools are the trusted side: the base (`oids[0]`), or
    /// the real base when `oids` is a window of a series (`Options::trusted`).
    pub trusted: Oid,
    pub srctree: &'a Path,
    pub workdir: &'a Path,
    pub cache: &'a ShellCache,
    /// Parsed subtrees shared by every commit and arch (with `Options::incremental`).
    pub subtrees: Option<&'a SubtreeCache>,
    pub blobs: &'a BlobCache,
    /// Paths each commit changes relative to the one before it (index 0: none).
    pub changed: &'a [HashSet<String>],
    pub options: &'a Options,
}

/// One commit, as the reader leaves it for resolution.
pub(super) enum Read {
    Tree {
        source: CommitSource,
        tree: Arc<KconfigSnapshot>,
        /// Parsed for this commit (not its parent's tree reused).
        parsed: bool,
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

/// Read every commit's tree for `arch`, in order, into `out`; stops early when the
/// receiver is gone or the base cannot be read.
pub(super) fn read_all(inputs: &Inputs, arch: &str, out: &SyncSender<Result<Read, LintError>>) {
    let mut last: Option<Arc<KconfigSnapshot>> = None;
    let mut base_commands: HashSet<String> = HashSet::new();
    let mut base_tools = None;
    if inputs.trusted != inputs.oids[0] {
        // The window's first commit is under test: learn the trusted side's commands and
        // tools from its own tree first.
        let read = read_one(
            inputs,
            arch,
            0,
            inputs.trusted,
            &mut None,
            &mut base_commands,
            &mut base_tools,
        );
        if let Err(_) | Ok(Read::BaseUnreadable(_)) = read {
            let _ = out.send(read);
            return;
        }
    }
    for (index, &oid) in inputs.oids.iter().enumerate() {
        let read = read_one(
            inputs,
            arch,
            index,
            oid,
            &mut last,
            &mut base_commands,
            &mut base_tools,
        );
        let stop = matches!(read, Err(_) | Ok(Read::BaseUnreadable(_)));
        if out.send(read).is_err() || stop {
            return;
        }
    }
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
            parsed: false,
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
                parsed: false,
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
    // Resolution will need the finalized tree: build it here, beside the resolver.
    if !same_semantics && tree.model.errors().next().is_none() {
        tree.fin();
    }
    *last = Some(tree.clone());
    Ok(Read::Tree {
        source,
        tree,
        parsed: true,
        same_semantics,
    })
}

/// Free `value` on a thread of its own, off the path to the report: freeing a tree is a
/// walk over every symbol, menu and expression of it. The walk recurses down each
/// expression, a level per `!` of a `depends on` line, so the thread has the stack of
/// the workers that built the trees: 65,536 `!` overflowed a default 2 MiB thread.
/// Without a thread, the value is freed here.
pub(super) fn free_off_the_path<T: Send + 'static>(
    value: T,
) -> Option<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || drop(value))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kconfig::expr::{Expr, SymbolId};

    #[test]
    fn a_deep_expression_is_freed_off_the_path() {
        let mut deep = Expr::sym(SymbolId::YES);
        for _ in 0..1_000_000 {
            deep = Expr::not(deep);
        }
        free_off_the_path(deep)
            .expect("a thread")
            .join()
            .expect("freed without a panic");
    }
}
