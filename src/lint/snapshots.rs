//! The Kconfig snapshots of one arch along a series, held as the checks need them rather
//! than all at once.
//!
//! A parsed tree of a full kernel is tens of megabytes with its finalized dependencies,
//! and a long series has dozens of distinct trees per arch. Resolution needs only the tree
//! of the commit it resolves and the one before it; the checks need what every tree says
//! about a few things (its Kconfig errors, its references to undefined symbols, its
//! `$(shell,...)` commands, the tools it was refused: [`TreeFacts`], taken while the tree
//! is in memory, among them which symbols it defines: `names.rs`, what XL0005 and XL0007
//! search commits for) and the whole tree at the commits a finding is about (the base, the
//! tip, a culprit and its parent). So the engine keeps a tree's facts and how it was
//! made, drops the tree (the base's and the tip's are kept whole: every arch's checks read
//! them), and the store reads it again, from the same blobs with the same environment and
//! the first reading's `$(shell,...)` answers, the first time a check asks for it; a tree
//! made again is kept until the arch's checks end. A tree read again is the tree read
//! first: the parse is a function of those inputs, and it runs nothing.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use super::options::{LintError, Options};
use super::snapshot::KconfigSnapshot;
use crate::git::{BlobCache, CommitSource, Oid};
use crate::kconfig::env::KernelEnv;
use crate::kconfig::fragments::SubtreeCache;
use crate::kconfig::macros::{Prepare, ShellCache, ShellPolicy, ShellRunner};

/// What every distinct tree says that some check reads at every commit.
pub struct TreeFacts {
    /// Kconfig errors the parser reported: (file, message) -> first line.
    pub parse_errors: BTreeMap<(String, String), u32>,
    /// What finalization finds (recursive dependencies, the rewriting budget), taken when
    /// the tree parsed without errors and resolves unlike the commit before it (XL0002).
    pub final_errors: Option<BTreeMap<(String, String), u32>>,
    /// References to undefined symbols, (owner, missing) -> (file, line) where first
    /// said, taken when the tree resolves unlike the commit before it (XL0003).
    pub undefined: Option<UndefinedRefs>,
    /// `$(shell,...)` commands not run: command -> (file, line) of its first use (XL0004).
    pub unran_commands: BTreeMap<String, (String, u32)>,
    /// Which symbols the tree defines, and which of them are choice members, as far as
    /// the checks that search commits ask (XL0005, XL0007): answered without the tree.
    pub names: super::names::NameFacts,
}

/// References to undefined symbols: (owner, missing) -> (file, line) where first said.
pub type UndefinedRefs = BTreeMap<(String, String), (String, u32)>;

/// How a tree was made, so that it can be made again.
pub(super) enum Made {
    /// Parsed from commit `index`; `answers` are the `$(shell,...)` commands the first
    /// reading ran, with their outputs (made again, the tree runs nothing: it is given
    /// these, and every other command gets the answer of a command not run); `reads` and
    /// `fingerprint` are those of the first reading (which also read the Makefiles).
    Parsed {
        index: usize,
        answers: Vec<(String, String)>,
        reads: Vec<(String, Option<Oid>)>,
        fingerprint: u64,
    },
    /// The tree of the slot before, with the help texts and prompts commit `index`
    /// rewords (`help_only`).
    Reworded { index: usize },
}

/// Makes a tree again: the engine's reading of one commit.
pub(super) trait Recipe: Sync {
    /// The tree `made` describes, read in `env`; `previous` gives the tree of the slot
    /// before (for a reworded one).
    fn make(
        &self,
        made: &Made,
        env: &KernelEnv,
        previous: &dyn Fn() -> Result<Arc<KconfigSnapshot>, LintError>,
    ) -> Result<Arc<KconfigSnapshot>, LintError>;
}

struct Slot {
    made: Made,
    fingerprint: u64,
    env: KernelEnv,
    facts: TreeFacts,
    tree: OnceLock<Arc<KconfigSnapshot>>,
}

/// The snapshot at each commit of a series for one arch.
pub struct Snapshots<'a> {
    /// Commit index -> its slot: commits that reuse a tree share the slot.
    slot_of: Vec<usize>,
    slots: Vec<Slot>,
    recipe: &'a dyn Recipe,
    /// The first failure to make a tree again (the repository changed under the run):
    /// the run fails with it, whatever the checks made of the stand-in tree.
    failure: Mutex<Option<LintError>>,
}

impl<'a> Snapshots<'a> {
    pub(super) fn new(recipe: &'a dyn Recipe) -> Self {
        Snapshots {
            slot_of: Vec::new(),
            slots: Vec::new(),
            recipe,
            failure: Mutex::new(None),
        }
    }

    /// The next commit has a tree of its own, made as `made`. The base's is kept whole:
    /// every arch's checks ask for it.
    pub(super) fn push_new(&mut self, tree: &Arc<KconfigSnapshot>, made: Made, facts: TreeFacts) {
        let kept = OnceLock::new();
        if self.slots.is_empty() {
            let _ = kept.set(tree.clone());
        }
        self.slot_of.push(self.slots.len());
        self.slots.push(Slot {
            made,
            fingerprint: tree.fingerprint,
            env: tree.env.clone(),
            facts,
            tree: kept,
        });
    }

    /// The next commit has the same tree as the commit before it.
    pub(super) fn push_same(&mut self) {
        let last = *self.slot_of.last().expect("the base has a tree");
        self.slot_of.push(last);
    }

    /// `tree` is the last commit's, whole: it is kept, not made again.
    pub(super) fn keep_last(&mut self, tree: Arc<KconfigSnapshot>) {
        if let Some(&slot) = self.slot_of.last() {
            // Taken when the slot is still empty: a stand-in never replaces a tree.
            let _ = self.slots[slot].tree.set(tree);
        }
    }

    /// Commits so far.
    pub fn len(&self) -> usize {
        self.slot_of.len()
    }

    /// Whether commits `a` and `b` have the very same tree (one reuses the other's).
    pub fn same_tree(&self, a: usize, b: usize) -> bool {
        self.slot_of[a] == self.slot_of[b]
    }

    /// What decides values at commit `index` (equal fingerprints resolve alike).
    pub fn fingerprint(&self, index: usize) -> u64 {
        self.slots[self.slot_of[index]].fingerprint
    }

    /// The environment Kconfig was read in at commit `index`.
    pub fn env(&self, index: usize) -> &KernelEnv {
        &self.slots[self.slot_of[index]].env
    }

    /// What the tree at commit `index` says for the checks that read every commit.
    pub fn facts(&self, index: usize) -> &TreeFacts {
        &self.slots[self.slot_of[index]].facts
    }

    /// Whether the tree at commit `index` defines `name`, and whether it is a choice member
    /// there, read from the facts (the tree is not made again).
    pub fn defined_at(&self, index: usize, name: &str) -> Option<super::names::Defined> {
        let slot = self.slot_of[index];
        let defined = (1..=slot)
            .rev()
            .find_map(|s| self.slots[s].facts.names.defined_delta.get(name).copied())
            .unwrap_or_else(|| super::snapshot::defined(self.slot_tree(0), name).is_some());
        let choice_values = &self.slots[slot].facts.names.choice_values;
        defined.then(|| super::names::Defined {
            choice_value: choice_values.binary_search_by(|n| (**n).cmp(name)).is_ok(),
        })
    }

    /// The first failure to make a tree again, if any.
    pub(super) fn failure(&self) -> Option<LintError> {
        self.failure.lock().expect("failure lock").take()
    }

    /// Every tree made again, to be freed off the path to the report.
    pub(super) fn into_trees(self) -> Vec<Arc<KconfigSnapshot>> {
        self.slots
            .into_iter()
            .filter_map(|s| s.tree.into_inner())
            .collect()
    }

    fn slot_tree(&self, slot: usize) -> &Arc<KconfigSnapshot> {
        self.slots[slot].tree.get_or_init(|| {
            let previous = || match slot.checked_sub(1) {
                Some(before) => Ok(self.slot_tree(before).clone()),
                None => Err(LintError::Setup(
                    "a reworded tree has no tree before it".into(),
                )),
            };
            let Slot { made, env, .. } = &self.slots[slot];
            match self.recipe.make(made, env, &previous) {
                Ok(tree) => tree,
                Err(err) => {
                    let mut failure = self.failure.lock().expect("failure lock");
                    failure.get_or_insert(err);
                    // A stand-in, so that the checks can finish; the run reports the
                    // failure instead of their findings.
                    Arc::new(KconfigSnapshot::empty(self.slots[slot].env.clone()))
                }
            }
        })
    }
}

impl std::ops::Index<usize> for Snapshots<'_> {
    type Output = KconfigSnapshot;

    /// The whole tree at commit `index`, made again the first time it is asked for.
    fn index(&self, index: usize) -> &KconfigSnapshot {
        self.slot_tree(self.slot_of[index])
    }
}

/// What the tree reader (trees.rs) and `Remake` need of the series.
#[derive(Clone, Copy)]
pub(super) struct Inputs<'a> {
    pub repo_dir: &'a Path,
    pub oids: &'a [Oid],
    /// The commit whose commands and tools are the trusted side: the base (`oids[0]`), or
    /// the real base when `oids` is a window of a series (`Options::trusted`).
    pub trusted: Oid,
    pub srctree: &'a Path,
    /// Writes `srctree`'s scripts when a command first runs.
    pub scripts: &'a Prepare,
    pub workdir: &'a Path,
    pub cache: &'a ShellCache,
    /// Parsed subtrees shared by every commit and arch (with `Options::incremental`).
    pub subtrees: Option<&'a SubtreeCache>,
    pub blobs: &'a BlobCache,
    /// Paths each commit changes relative to the one before it (index 0: none).
    pub changed: &'a [HashSet<String>],
    pub options: &'a Options,
}

/// Makes an arch's trees again for the checks (`Snapshots`): as the reader (trees.rs) made them,
/// from the same blobs, environment and `$(shell,...)` answers.
pub(super) struct Remake<'a> {
    pub inputs: Inputs<'a>,
}

impl Recipe for Remake<'_> {
    fn make(
        &self,
        made: &Made,
        env: &KernelEnv,
        previous: &dyn Fn() -> Result<Arc<KconfigSnapshot>, LintError>,
    ) -> Result<Arc<KconfigSnapshot>, LintError> {
        let inputs = &self.inputs;
        let source = |index: usize, srctree: bool| {
            CommitSource::with_cache(
                inputs.repo_dir,
                inputs.oids[index],
                srctree.then(|| inputs.srctree.to_path_buf()),
                inputs.blobs.clone(),
            )
        };
        match made {
            Made::Parsed {
                index,
                answers,
                reads,
                fingerprint,
            } => {
                // The first reading's answers and nothing else: nothing runs.
                let cache = ShellCache::new();
                for (command, output) in answers {
                    cache.insert(command, output.clone());
                }
                let policy = ShellPolicy::Allow(answers.iter().map(|(c, _)| c.clone()).collect());
                let mut shell = ShellRunner::new(policy);
                shell.cache = cache;
                let source = source(*index, true)?;
                let model = crate::kconfig::read_tree_with(
                    &source,
                    env,
                    shell,
                    inputs.subtrees.cloned(),
                    None,
                );
                Ok(Arc::new(KconfigSnapshot {
                    env: env.clone(),
                    model: Arc::new(model),
                    fin_cell: Default::default(),
                    reads: reads.clone(),
                    fingerprint: *fingerprint,
                    help: Default::default(),
                }))
            }
            Made::Reworded { index } => {
                let parent = previous()?;
                let (before, after) = (source(index - 1, false)?, source(*index, true)?);
                super::help_only::reworded(&parent, &inputs.changed[*index], &before, &after, env)
                    .map(Arc::new)
                    .ok_or_else(|| {
                        LintError::Setup(format!(
                            "the Kconfig tree of {} read differently a second time",
                            inputs.oids[*index]
                        ))
                    })
            }
        }
    }
}
