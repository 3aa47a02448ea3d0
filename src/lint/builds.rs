//! What each commit builds, per arch and baseline: the Kbuild walk along the series, reusing
//! the previous commit's object set when nothing the walk read changed, and otherwise each
//! directory's part of the last walk when nothing that directory read changed
//! (`objects_reusing`).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use super::snapshot::Values;
use crate::git::{CommitSource, Oid};
use crate::kbuild::objects::{
    autoconf_vars, changes_listing, objects_reusing, ObjectSet, Request, WalkMemo, WalkSeeds,
};
use crate::kconfig::env::KernelEnv;
use crate::make::SharedVars;
use crate::source::Source;

/// The directories of the first walks made at each commit, by every arch and baseline of
/// one run: another track's first walk of that commit takes each directory whose inputs
/// hold for it (the same directory under another arch often reads the same `CONFIG_`
/// values and files). Later walks start from their own track's walk before.
#[derive(Default)]
pub struct SeedPool(Mutex<HashMap<Oid, Arc<WalkSeeds>>>);

/// The seeds of an earlier commit, for the first walks of a later one: each directory is
/// taken only when nothing it read is among the paths changed between the two.
pub struct EarlierSeeds {
    /// The commit whose walks take them.
    pub commit: Oid,
    pub seeds: Arc<WalkSeeds>,
    pub since: crate::FastSet<String>,
}

impl EarlierSeeds {
    /// For a window of a series (fix verification) whose first commit is `first`: the
    /// directories the series' run walked at the trusted base, taken where what they read
    /// has not changed between the two (`changed_since`: the paths changed from a commit
    /// to `first`).
    pub(super) fn of_window(
        pool: &SeedPool,
        trusted: Option<Oid>,
        reuse_dirs: bool,
        first: Oid,
        changed_since: impl FnOnce(Oid) -> Option<HashSet<String>>,
    ) -> Option<Arc<EarlierSeeds>> {
        let trusted = trusted.filter(|&t| t != first && reuse_dirs)?;
        let seeds = pool.get(trusted)?;
        let since = changed_since(trusted)?;
        Some(Arc::new(EarlierSeeds {
            commit: first,
            seeds,
            since: since.into_iter().collect(),
        }))
    }
}

impl SeedPool {
    fn get(&self, commit: Oid) -> Option<Arc<WalkSeeds>> {
        self.0.lock().expect("seed pool lock").get(&commit).cloned()
    }

    fn add(&self, commit: Oid, memo: &WalkMemo) {
        let mut pool = self.0.lock().expect("seed pool lock");
        Arc::make_mut(pool.entry(commit).or_default()).add(memo);
    }
}

/// Object sets of one baseline along the series, reusing the previous commit's set when
/// neither the configuration nor any file the walk read changed.
#[derive(Default)]
pub struct ObjectTrack {
    pub sets: Vec<Option<Arc<ObjectSet>>>,
    last_values: Option<Arc<Values>>,
    /// The last walk's `CONFIG_` variables, made from `last_values`.
    last_config: SharedVars,
    /// Files the last walk read.
    reads: Vec<String>,
    /// Files whose existence alone the last walk asked (a source beside an object), with
    /// the answer: a change to their contents leaves the walk as it was.
    exists_asked: crate::FastMap<String, bool>,
    pub walks: usize,
    /// Take each directory's part from the last walk when nothing it read changed
    /// (`--no-incremental` walks every directory).
    pub reuse_dirs: bool,
    /// The directories of the last walk, and the paths changed since it.
    memo: WalkMemo,
    changed_since: crate::FastSet<String>,
    /// Directories walked, and taken from the walk before.
    pub dirs_walked: usize,
    pub dirs_reused: usize,
    /// The commit (index) of the last walk.
    walked_at: Option<usize>,
    /// The first walks of every track of the run.
    pool: Arc<SeedPool>,
    /// Seeds of an earlier commit, when the pool has none of the first walk's.
    earlier: Option<Arc<EarlierSeeds>>,
}

impl ObjectTrack {
    pub fn new(reuse_dirs: bool, pool: Arc<SeedPool>, earlier: Option<Arc<EarlierSeeds>>) -> Self {
        ObjectTrack {
            reuse_dirs,
            pool,
            earlier,
            ..ObjectTrack::default()
        }
    }

    /// The object set of the next commit. `seed`: another baseline's track of the same
    /// arch, whose last walk, when made at this very commit, this track's first walk takes
    /// directories from (each only when everything it read holds here too); so it does
    /// from the first walks of other tracks (`SeedPool`).
    pub fn push(
        &mut self,
        source: &CommitSource,
        env: &KernelEnv,
        values: Option<&Arc<Values>>,
        changed: &HashSet<String>,
        seed: Option<&ObjectTrack>,
    ) {
        let index = self.sets.len();
        self.changed_since.extend(changed.iter().cloned());
        let Some(values) = values else {
            self.sets.push(None);
            return;
        };
        let same_config = self
            .last_values
            .as_ref()
            .is_some_and(|v| Arc::ptr_eq(v, values) || **v == **values);
        let listed = self
            .sets
            .last()
            .and_then(|s| s.as_ref())
            .map(|s| s.dirs_listed.as_slice())
            .unwrap_or(&[]);
        // `reads` is sorted; `changed` is the short list.
        let same_files = !changed
            .iter()
            .any(|path| self.reads.binary_search(path).is_ok())
            && !changed
                .iter()
                .any(|path| listed.iter().any(|l| changes_listing(l, path)))
            && changed
                .iter()
                .all(|path| match self.exists_asked.get(path) {
                    Some(&existed) => source.exists(path).ok() == Some(existed),
                    None => true,
                });
        if let Some(Some(last)) = self.sets.last() {
            if same_config && same_files {
                let last = last.clone();
                self.sets.push(Some(last));
                return;
            }
        }
        if !same_config || self.walks == 0 {
            self.last_config = autoconf_vars(values.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        let config = self.last_config.clone();
        if !self.reuse_dirs {
            self.memo = WalkMemo::default();
        } else if let Some(seed) = seed.filter(|s| self.walks == 0 && s.walked_at == Some(index)) {
            self.memo = seed.memo.clone();
            self.changed_since.clear();
        }
        let first = self.reuse_dirs && self.walks == 0;
        let seeds = first.then(|| self.pool.get(source.commit())).flatten();
        let same_commit = crate::FastSet::default();
        let seeds = match (&seeds, &self.earlier) {
            (Some(seeds), _) => Some((&**seeds, &same_commit)),
            (None, Some(e)) if first && e.commit == source.commit() => Some((&*e.seeds, &e.since)),
            _ => None,
        };
        let (set, read) = objects_reusing(
            source,
            &Request {
                arch: &env.arch,
                srcarch: &env.srcarch,
                config: &config,
            },
            &mut self.memo,
            seeds,
            &self.changed_since,
        );
        if first {
            self.pool.add(source.commit(), &self.memo);
        }
        self.changed_since.clear();
        self.reads = read.reads;
        self.reads.sort();
        self.reads.dedup();
        self.exists_asked = read.exists.into_iter().collect();
        self.dirs_walked += set.dirs.len();
        self.dirs_reused += self.memo.reused;
        self.walks += 1;
        self.walked_at = Some(index);
        self.last_values = Some(values.clone());
        self.sets.push(Some(Arc::new(set)));
    }

    /// The object sets of the next commit for every baseline's track, from each baseline's
    /// last configuration in `values`; a track's first walk takes directories from the walk
    /// the track before it made at this commit.
    pub fn push_each(
        tracks: &mut [ObjectTrack],
        values: &[Vec<Option<Arc<Values>>>],
        source: &CommitSource,
        env: &KernelEnv,
        changed: &HashSet<String>,
    ) {
        for (b, values) in values.iter().enumerate() {
            let config = values.last().cloned().flatten();
            let (before, rest) = tracks.split_at_mut(b);
            rest[0].push(source, env, config.as_ref(), changed, before.last());
        }
    }

    /// The series is walked: what reuse needed is freed.
    pub fn finish(&mut self) {
        self.memo = WalkMemo::default();
        self.changed_since = Default::default();
        self.reads = Vec::new();
        self.exists_asked = Default::default();
    }
}
