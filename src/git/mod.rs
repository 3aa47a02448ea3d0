//! Git access without a work tree: open a repository (bare or not), turn a revision range
//! into a series of commits, and read files straight from commit trees. Nothing here
//! writes to the repository: no checkout, no index, no refs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use git2::{ObjectType, Sort};
pub use git2::{Oid, Repository};

use crate::source::{ContentId, Source, SourceError};

pub mod apply;

mod b4_prep;
mod commit_diff;
mod patch_id;
mod renames;
mod tree_diff;

pub use b4_prep::{b4_prep_range, PrepRange};
pub use commit_diff::{commit_diff, commit_patch_id, commit_patch_ids, DiffFlavour};
pub use patch_id::{patch_id, patch_ids};

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{path}: not in a git repository ({message})")]
    NotARepo { path: String, message: String },
    #[error("revision `{rev}`: {message}")]
    BadRevision { rev: String, message: String },
    #[error("`{range}` holds no commits (is the range reversed?)")]
    EmptyRange { range: String },
    #[error("commit {commit}: {message}")]
    Commit { commit: String, message: String },
    #[error("writing {path}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the clone is shallow and does not reach {what}: fetch deeper (git fetch --deepen=<n>, or --unshallow)")]
    Shallow { what: String },
}

/// One commit of a series.
#[derive(Debug, Clone)]
pub struct SeriesCommit {
    pub oid: Oid,
    pub summary: String,
    /// A merge in the range, followed along its first parent.
    pub is_merge: bool,
}

impl SeriesCommit {
    pub fn short(&self) -> String {
        self.oid.to_string()[..12].to_string()
    }
}

/// A range of commits and the commit it applies to.
#[derive(Debug, Clone)]
pub struct Series {
    pub base: Oid,
    pub commits: Vec<SeriesCommit>,
}

pub fn open(path: &Path) -> Result<Repository, GitError> {
    Repository::discover(path).map_err(|e| GitError::NotARepo {
        path: path.display().to_string(),
        message: e.message().to_string(),
    })
}

/// The commit `rev` names (a branch, a tag, an abbreviated or full id).
pub fn commit_of(repo: &Repository, rev: &str) -> Result<Oid, GitError> {
    resolve(repo, rev)
}

fn resolve(repo: &Repository, rev: &str) -> Result<Oid, GitError> {
    let object = repo
        .revparse_single(rev)
        .map_err(|e| GitError::BadRevision {
            rev: rev.to_string(),
            message: e.message().to_string(),
        })?;
    let commit = object.peel_to_commit().map_err(|e| GitError::BadRevision {
        rev: rev.to_string(),
        message: e.message().to_string(),
    })?;
    Ok(commit.id())
}

/// `A..B` (commits reachable from B and not from A, along first parents), `A...B` (the
/// commits of B since it forked from A: `merge-base A B..B`, as `git diff A...B` reads
/// it), or a single commit (that commit on its parent). Ranges are parsed by git's
/// revision parser, so `@{upstream}..`, `HEAD~3..` and `main...topic` mean what they mean
/// to git.
pub fn series(repo: &Repository, range: &str) -> Result<Series, GitError> {
    let (from, to) = parse_range(repo, range)?;
    let bad = |message: String| GitError::BadRevision {
        rev: range.to_string(),
        message,
    };
    let mut walk = repo.revwalk().map_err(|e| bad(e.message().to_string()))?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)
        .map_err(|e| bad(e.message().to_string()))?;
    walk.simplify_first_parent()
        .map_err(|e| bad(e.message().to_string()))?;
    walk.push(to).map_err(|e| bad(e.message().to_string()))?;
    let mut commits = Vec::new();
    match from {
        Some(from) => {
            walk.hide(from).map_err(|e| bad(e.message().to_string()))?;
            for oid in walk {
                let oid = oid.map_err(|e| bad(e.message().to_string()))?;
                commits.push(oid);
            }
        }
        None => commits.push(to),
    }
    if commits.is_empty() {
        return Err(GitError::EmptyRange {
            range: range.to_string(),
        });
    }
    let first = repo
        .find_commit(commits[0])
        .map_err(|e| bad(e.message().to_string()))?;
    let shallow = |what: String| GitError::Shallow { what };
    let base = match first.parent_id(0) {
        Ok(base) => base,
        Err(_) if repo.is_shallow() => {
            return Err(shallow(format!("the parent of {}", commits[0])))
        }
        Err(_) => {
            return Err(GitError::Commit {
                commit: commits[0].to_string(),
                message: "the first commit of the series has no parent to compare with".to_string(),
            })
        }
    };
    if repo.find_commit(base).is_err() {
        return Err(if repo.is_shallow() {
            shallow(format!("the series' base {base}"))
        } else {
            GitError::Commit {
                commit: base.to_string(),
                message: "the series' base is missing: the repository is corrupt".to_string(),
            }
        });
    }
    let commits = commits
        .into_iter()
        .map(|oid| {
            let commit = repo
                .find_commit(oid)
                .map_err(|e| bad(e.message().to_string()))?;
            Ok(SeriesCommit {
                oid,
                summary: commit.summary().unwrap_or("").to_string(),
                is_merge: commit.parent_count() > 1,
            })
        })
        .collect::<Result<Vec<_>, GitError>>()?;
    Ok(Series { base, commits })
}

/// The two ends of a range: (exclusive start, tip).
fn parse_range(repo: &Repository, range: &str) -> Result<(Option<Oid>, Oid), GitError> {
    if !range.contains("..") {
        return Ok((None, resolve(repo, range)?));
    }
    let bad = |message: String| GitError::BadRevision {
        rev: range.to_string(),
        message,
    };
    let spec = match repo.revparse(range) {
        Ok(spec) => spec,
        Err(err) => {
            // Name the side git could not find, as git does.
            let (a, b) = range
                .split_once("...")
                .or_else(|| range.split_once(".."))
                .unwrap_or((range, ""));
            for side in [a, b].into_iter().filter(|s| !s.is_empty()) {
                if let Err(e) = resolve(repo, side) {
                    return Err(match repo.is_shallow() {
                        true => GitError::Shallow {
                            what: format!("`{side}` ({e})"),
                        },
                        false => e,
                    });
                }
            }
            return Err(bad(err.message().to_string()));
        }
    };
    let commit_of = |object: Option<&git2::Object>| -> Result<Oid, GitError> {
        let object = object.ok_or_else(|| bad("one side of the range is missing".into()))?;
        object
            .peel_to_commit()
            .map(|c| c.id())
            .map_err(|e| bad(e.message().to_string()))
    };
    let from = commit_of(spec.from())?;
    let to = commit_of(spec.to())?;
    if spec.mode().contains(git2::RevparseMode::MERGE_BASE) {
        let base = repo
            .merge_base(from, to)
            .map_err(|e| bad(format!("no merge base: {}", e.message())))?;
        return Ok((Some(base), to));
    }
    Ok((Some(from), to))
}

/// A path's blob id and bytes, or None when the commit has no such file.
type CachedRead = Option<(Oid, Vec<u8>)>;

/// The tree of one commit, read through the object database.
pub struct CommitSource {
    repo: Mutex<Repository>,
    commit: Oid,
    tree: Oid,
    /// Files read, with their blob ids (None: absent), in order.
    pub reads: Mutex<Vec<(String, Option<Oid>)>>,
    /// Files whose existence alone was asked (`Source::exists`), with the answer, in order.
    pub exists_asked: Mutex<Vec<(String, bool)>>,
    cache: Mutex<HashMap<String, CachedRead>>,
    local_root: Option<PathBuf>,
    blobs: BlobCache,
}

/// Blob contents by id, shared between the sources of a series: most files are the same
/// blob at every commit, and are inflated once. It also remembers the first object the
/// repository lacks: a read that fails that way must end the run as a broken repository,
/// never pass as a missing file (which would blame the series).
#[derive(Clone, Default)]
pub struct BlobCache {
    blobs: std::sync::Arc<Mutex<crate::FastMap<Oid, std::sync::Arc<Vec<u8>>>>>,
    /// The entries of each tree object read: neighbouring commits share almost every
    /// subtree, so a path is looked up by walking trees parsed once for the series.
    trees: std::sync::Arc<Mutex<crate::FastMap<Oid, std::sync::Arc<TreeEntries>>>>,
    missing: std::sync::Arc<Mutex<Option<String>>>,
}

/// One tree object's entries by name: (object id, is a tree).
type TreeEntries = crate::FastMap<String, (Oid, bool)>;

impl BlobCache {
    /// The first object found missing, if any: `<id> (<path> at <commit>)`.
    pub fn missing_object(&self) -> Option<String> {
        self.missing.lock().expect("missing lock").clone()
    }

    /// The entries of tree `id`, parsed once.
    fn tree(&self, repo: &Repository, id: Oid) -> Result<std::sync::Arc<TreeEntries>, git2::Error> {
        if let Some(hit) = self.trees.lock().expect("tree cache lock").get(&id) {
            return Ok(hit.clone());
        }
        let tree = repo.find_tree(id)?;
        let entries: TreeEntries = tree
            .iter()
            .filter_map(|e| {
                let name = e.name()?.to_string();
                match e.kind() {
                    Some(ObjectType::Blob) => Some((name, (e.id(), false))),
                    Some(ObjectType::Tree) => Some((name, (e.id(), true))),
                    _ => None,
                }
            })
            .collect();
        let entries = std::sync::Arc::new(entries);
        self.trees
            .lock()
            .expect("tree cache lock")
            .insert(id, entries.clone());
        Ok(entries)
    }

    /// The object at `path` below tree `root`: (id, is a tree), or `None` when no such
    /// path exists. A tree the repository lacks is an error (`ErrorClass::Odb`).
    fn lookup(
        &self,
        repo: &Repository,
        root: Oid,
        path: &str,
    ) -> Result<Option<(Oid, bool)>, git2::Error> {
        let mut here = (root, true);
        for part in path.split('/').filter(|p| !p.is_empty()) {
            if !here.1 {
                return Ok(None);
            }
            match self.tree(repo, here.0)?.get(part) {
                Some(&next) => here = next,
                None => return Ok(None),
            }
        }
        Ok(Some(here))
    }

    fn note_missing(&self, what: String) {
        let mut missing = self.missing.lock().expect("missing lock");
        if missing.is_none() {
            *missing = Some(what);
        }
    }
}

impl CommitSource {
    /// `repo_path` is reopened so that each source owns its handle (git2 handles are not
    /// shareable across threads).
    pub fn new(
        repo_path: &Path,
        commit: Oid,
        local_root: Option<PathBuf>,
    ) -> Result<Self, GitError> {
        Self::with_cache(repo_path, commit, local_root, BlobCache::default())
    }

    pub fn with_cache(
        repo_path: &Path,
        commit: Oid,
        local_root: Option<PathBuf>,
        blobs: BlobCache,
    ) -> Result<Self, GitError> {
        let repo = Repository::open(repo_path).map_err(|e| GitError::NotARepo {
            path: repo_path.display().to_string(),
            message: e.message().to_string(),
        })?;
        let tree = repo
            .find_commit(commit)
            .and_then(|c| c.tree())
            .map_err(|e| GitError::Commit {
                commit: commit.to_string(),
                message: e.message().to_string(),
            })?
            .id();
        Ok(CommitSource {
            repo: Mutex::new(repo),
            commit,
            tree,
            reads: Mutex::new(Vec::new()),
            exists_asked: Mutex::new(Vec::new()),
            cache: Mutex::new(HashMap::new()),
            local_root,
            blobs,
        })
    }

    pub fn commit(&self) -> Oid {
        self.commit
    }

    /// The id of this commit's tree.
    pub fn root(&self) -> Oid {
        self.tree
    }

    /// The id of the tree object at directory `path` in this commit, if there is one.
    pub fn tree_id(&self, path: &str) -> Option<Oid> {
        let repo = self.repo.lock().expect("repository lock is never poisoned");
        match self.blobs.lookup(&repo, self.tree, path) {
            Ok(Some((id, true))) => Some(id),
            _ => None,
        }
    }

    /// The blob id of `path` in this commit, if any.
    pub fn blob_id(&self, path: &str) -> Option<Oid> {
        let repo = self.repo.lock().expect("repository lock is never poisoned");
        match self.blobs.lookup(&repo, self.tree, path) {
            Ok(Some((id, false))) => Some(id),
            _ => None,
        }
    }

    fn read_blob(&self, path: &str) -> Result<Option<(Oid, Vec<u8>)>, SourceError> {
        if let Some(hit) = self.cache.lock().expect("cache lock").get(path) {
            return Ok(hit.clone());
        }
        let found = {
            let repo = self.repo.lock().expect("repository lock is never poisoned");
            let err = |e: git2::Error| SourceError::Io {
                path: format!("{}:{path}", self.commit),
                message: e.message().to_string(),
            };
            let entry = if path.is_empty() {
                Ok(None)
            } else {
                self.blobs.lookup(&repo, self.tree, path)
            };
            match entry {
                Ok(Some((id, false))) => {
                    let cached = self
                        .blobs
                        .blobs
                        .lock()
                        .expect("blob cache lock")
                        .get(&id)
                        .cloned();
                    let bytes = match cached {
                        Some(bytes) => bytes.as_ref().clone(),
                        None => {
                            let blob = repo.find_blob(id).map_err(|e| {
                                self.blobs.note_missing(format!(
                                    "object {id} ({path} at {})",
                                    self.commit
                                ));
                                err(e)
                            })?;
                            let bytes = blob.content().to_vec();
                            self.blobs
                                .blobs
                                .lock()
                                .expect("blob cache lock")
                                .insert(id, std::sync::Arc::new(bytes.clone()));
                            bytes
                        }
                    };
                    Some((id, bytes))
                }
                // A path missing from the tree is an absent file; a tree object missing
                // from the repository is not.
                Err(e) if e.class() == git2::ErrorClass::Odb => {
                    self.blobs
                        .note_missing(format!("a tree on the way to {path} at {}", self.commit));
                    return Err(err(e));
                }
                _ => None,
            }
        };
        self.cache
            .lock()
            .expect("cache lock")
            .insert(path.to_string(), found.clone());
        Ok(found)
    }
}

/// A blob id as the `Source` trait names contents.
fn content_id(id: Oid) -> ContentId {
    let mut bytes = [0u8; 20];
    bytes.copy_from_slice(id.as_bytes());
    ContentId(bytes)
}

impl Source for CommitSource {
    fn exists(&self, path: &str) -> Result<bool, SourceError> {
        let found = if path.is_empty() {
            false
        } else {
            let repo = self.repo.lock().expect("repository lock is never poisoned");
            match self.blobs.lookup(&repo, self.tree, path) {
                Ok(found) => matches!(found, Some((_, false))),
                Err(e) if e.class() == git2::ErrorClass::Odb => {
                    self.blobs
                        .note_missing(format!("a tree on the way to {path} at {}", self.commit));
                    return Err(SourceError::Io {
                        path: format!("{}:{path}", self.commit),
                        message: e.message().to_string(),
                    });
                }
                Err(_) => false,
            }
        };
        self.exists_asked
            .lock()
            .expect("exists lock")
            .push((path.to_string(), found));
        Ok(found)
    }

    fn content_id(&self, path: &str) -> Option<Option<ContentId>> {
        if path.is_empty() {
            return Some(None);
        }
        let repo = self.repo.lock().expect("repository lock is never poisoned");
        match self.blobs.lookup(&repo, self.tree, path) {
            Ok(Some((id, false))) => Some(Some(content_id(id))),
            // A missing object is for `read` to report.
            Err(e) if e.class() == git2::ErrorClass::Odb => None,
            _ => Some(None),
        }
    }

    fn note_read(&self, path: &str, id: Option<ContentId>) {
        let id = id.map(|ContentId(bytes)| Oid::from_bytes(&bytes).expect("20 bytes"));
        self.reads
            .lock()
            .expect("reads lock")
            .push((path.to_string(), id));
    }

    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, SourceError> {
        let found = self.read_blob(path)?;
        self.reads
            .lock()
            .expect("reads lock")
            .push((path.to_string(), found.as_ref().map(|(oid, _)| *oid)));
        Ok(found.map(|(_, bytes)| bytes))
    }

    fn list_dir(&self, path: &str) -> Result<Option<Vec<String>>, SourceError> {
        let repo = self.repo.lock().expect("repository lock is never poisoned");
        let err = |e: git2::Error| SourceError::Io {
            path: format!("{}:{path}", self.commit),
            message: e.message().to_string(),
        };
        let tree = repo.find_tree(self.tree).map_err(err)?;
        let path = path.trim_end_matches('/');
        // "" is the top directory, which get_path() cannot name.
        let sub = if path.is_empty() {
            tree
        } else {
            match tree.get_path(Path::new(path)) {
                Ok(entry) if entry.kind() == Some(ObjectType::Tree) => {
                    repo.find_tree(entry.id()).map_err(err)?
                }
                _ => return Ok(None),
            }
        };
        let mut names: Vec<String> = sub
            .iter()
            .filter_map(|e| e.name().map(String::from))
            .collect();
        names.sort();
        Ok(Some(names))
    }

    fn list_files(&self, dir: &str) -> Result<Vec<String>, SourceError> {
        let repo = self.repo.lock().expect("repository lock is never poisoned");
        let err = |e: git2::Error| SourceError::Io {
            path: format!("{}:{dir}", self.commit),
            message: e.message().to_string(),
        };
        let root = repo.find_tree(self.tree).map_err(err)?;
        let dir = dir.trim_end_matches('/');
        let tree = if dir.is_empty() {
            root
        } else {
            match root.get_path(Path::new(dir)) {
                Ok(entry) if entry.kind() == Some(ObjectType::Tree) => {
                    repo.find_tree(entry.id()).map_err(err)?
                }
                _ => return Ok(Vec::new()),
            }
        };
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let mut out = Vec::new();
        tree.walk(git2::TreeWalkMode::PreOrder, |parent, entry| {
            let Some(name) = entry.name() else {
                return git2::TreeWalkResult::Skip;
            };
            if name.starts_with('.') {
                return git2::TreeWalkResult::Skip;
            }
            if entry.kind() == Some(ObjectType::Blob) {
                out.push(format!("{prefix}{parent}{name}"));
            }
            git2::TreeWalkResult::Ok
        })
        .map_err(err)?;
        out.sort();
        Ok(out)
    }

    fn local_root(&self) -> Option<&Path> {
        self.local_root.as_deref()
    }

    fn describe(&self) -> String {
        format!("commit {}", &self.commit.to_string()[..12])
    }
}

/// Call `each` with the path and contents of every file of commit `commit` that `keep`
/// accepts, reading blobs straight from the object database without caching them (a
/// scan over a whole kernel tree, spread over the machine's cores). `each` runs on
/// several threads at once, in no particular order.
pub fn scan_files(
    repo_dir: &Path,
    commit: Oid,
    keep: &(dyn Fn(&str) -> bool + Sync),
    each: &(dyn Fn(&str, &[u8]) + Sync),
) -> Result<(), GitError> {
    let open = || {
        Repository::open(repo_dir).map_err(|e| GitError::NotARepo {
            path: repo_dir.display().to_string(),
            message: e.message().to_string(),
        })
    };
    let fail = |e: git2::Error| commit_error(commit, &e);
    let repo = open()?;
    let tree = commit_tree(&repo, commit)?;
    let mut files: Vec<(String, Oid)> = Vec::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |root, entry| {
        if entry.kind() == Some(ObjectType::Blob) {
            if let Some(name) = entry.name() {
                let path = format!("{root}{name}");
                if keep(&path) {
                    files.push((path, entry.id()));
                }
            }
        }
        git2::TreeWalkResult::Ok
    })
    .map_err(fail)?;
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(files.len().max(1));
    let chunk = files.len().div_ceil(workers).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || -> Result<(), GitError> {
                    // A Repository is not shared between threads: one each.
                    let repo = open()?;
                    let odb = repo.odb().map_err(fail)?;
                    for (path, oid) in part {
                        if let Ok(object) = odb.read(*oid) {
                            each(path, object.data());
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a scanning thread panicked"))
            .collect::<Result<Vec<()>, GitError>>()
    })?;
    Ok(())
}

/// The error of reading commit `commit`.
fn commit_error(commit: Oid, e: &git2::Error) -> GitError {
    GitError::Commit {
        commit: commit.to_string(),
        message: e.message().to_string(),
    }
}

/// The root tree of commit `commit`.
fn commit_tree(repo: &Repository, commit: Oid) -> Result<git2::Tree<'_>, GitError> {
    repo.find_commit(commit)
        .and_then(|c| c.tree())
        .map_err(|e| commit_error(commit, &e))
}

/// The paths whose files commits `old` and `new` differ in, or `None` when one of them is
/// not UTF-8 (`scan_files` leaves such files out, so no set of paths stands for them).
pub fn changed_between(
    repo_dir: &Path,
    old: Oid,
    new: Oid,
) -> Result<Option<Vec<String>>, GitError> {
    let repo = open(repo_dir)?;
    let (a, b) = (commit_tree(&repo, old)?, commit_tree(&repo, new)?);
    let changes = tree_diff::changes(&repo, &a, &b).map_err(|e| commit_error(new, &e))?;
    Ok(changes
        .paths
        .into_iter()
        .map(String::from_utf8)
        .collect::<Result<Vec<String>, _>>()
        .ok())
}

/// Call `each` with the path and contents of each of `paths` that is a file of commit
/// `commit`, read as `scan_files` reads them (a blob at that path; anything else, or an
/// object that cannot be read, is left out).
pub fn read_files(
    repo_dir: &Path,
    commit: Oid,
    paths: &[String],
    each: &mut dyn FnMut(&str, &[u8]),
) -> Result<(), GitError> {
    let repo = open(repo_dir)?;
    let tree = commit_tree(&repo, commit)?;
    let odb = repo.odb().map_err(|e| commit_error(commit, &e))?;
    for path in paths {
        let Ok(entry) = tree.get_path(Path::new(path)) else {
            continue;
        };
        if entry.kind() == Some(ObjectType::Blob) {
            if let Ok(object) = odb.read(entry.id()) {
                each(path, object.data());
            }
        }
    }
    Ok(())
}

/// Write the files under `dir` of commit `commit` into `target` (for scripts that
/// `$(shell,...)` commands of a trusted base call). Touches nothing in the repository.
/// `dir` and its parents up to `root`, which must exist: a directory removed meanwhile (a
/// signal's clean-up) is not made again.
fn create_below(root: &Path, dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    match dir.parent() {
        Some(parent) if dir != root => create_below(root, parent)?,
        _ => return Err(std::io::Error::from(std::io::ErrorKind::NotFound)),
    }
    match std::fs::create_dir(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(e),
        _ => Ok(()),
    }
}

pub fn export_dir(
    repo: &Repository,
    commit: Oid,
    dir: &str,
    target: &Path,
) -> Result<(), GitError> {
    let fail = |e: git2::Error| commit_error(commit, &e);
    let tree = commit_tree(repo, commit)?;
    let Ok(entry) = tree.get_path(Path::new(dir)) else {
        return Ok(());
    };
    let sub = repo.find_tree(entry.id()).map_err(fail)?;
    let mut result = Ok(());
    let walked = sub.walk(git2::TreeWalkMode::PreOrder, |root, entry| {
        if entry.kind() != Some(ObjectType::Blob) {
            return git2::TreeWalkResult::Ok;
        }
        let Some(name) = entry.name() else {
            return git2::TreeWalkResult::Ok;
        };
        let path = target.join(dir).join(root).join(name);
        let write = || -> std::io::Result<()> {
            let blob = repo.find_blob(entry.id()).map_err(std::io::Error::other)?;
            create_below(target, path.parent().expect("has a parent"))?;
            std::fs::write(&path, blob.content())?;
            #[cfg(unix)]
            if entry.filemode() == 0o100755 {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
            }
            Ok(())
        };
        if let Err(e) = write() {
            result = Err(GitError::Write {
                path: path.display().to_string(),
                source: e,
            });
            return git2::TreeWalkResult::Abort;
        }
        git2::TreeWalkResult::Ok
    });
    // The write error that stopped the walk says more than the walk's own "callback
    // returned -7".
    result?;
    walked.map_err(fail)
}

/// For each commit of `oids`, the paths it changes relative to the previous one (the
/// first gets an empty set). Renames count as both paths.
pub fn changed_paths(
    repo: &Repository,
    oids: &[Oid],
) -> Result<Vec<std::collections::HashSet<String>>, GitError> {
    let mut out = vec![std::collections::HashSet::new()];
    for pair in oids.windows(2) {
        let fail = |e: git2::Error| GitError::Commit {
            commit: pair[1].to_string(),
            message: e.message().to_string(),
        };
        let old = repo
            .find_commit(pair[0])
            .and_then(|c| c.tree())
            .map_err(fail)?;
        let new = repo
            .find_commit(pair[1])
            .and_then(|c| c.tree())
            .map_err(fail)?;
        out.push(tree_diff::changed_files(repo, &old, &new).map_err(fail)?);
    }
    Ok(out)
}

/// A file of the repository's settings (`.xenlint.toml`): from the work tree when
/// `work_tree` allows it and there is one with the file, else from the tree of commit `at`.
/// Returns where it was read (for messages) and its text.
pub fn settings_file(
    repo: &Repository,
    name: &str,
    at: Option<Oid>,
    work_tree: bool,
) -> Option<(String, String)> {
    if let Some(path) = repo.workdir().filter(|_| work_tree).map(|w| w.join(name)) {
        if path.exists() {
            let text = std::fs::read(&path).ok()?;
            return Some((
                path.display().to_string(),
                String::from_utf8_lossy(&text).into_owned(),
            ));
        }
    }
    settings_file_at(repo, name, at?)
}

/// A file of the repository's settings from the tree of commit `at` alone (never the work
/// tree, which may hold a commit under test).
pub fn settings_file_at(repo: &Repository, name: &str, at: Oid) -> Option<(String, String)> {
    let commit = repo.find_commit(at).ok()?;
    let entry = commit.tree().ok()?.get_path(Path::new(name)).ok()?;
    let blob = repo.find_blob(entry.id()).ok()?;
    Some((
        format!("{name} (at {})", &commit.id().to_string()[..12]),
        String::from_utf8_lossy(blob.content()).into_owned(),
    ))
}

/// The URL of the `origin` remote, if the repository has one: where its commits are
/// published, for reports that name the repository.
pub fn origin_url(repo: &Repository) -> Option<String> {
    let remote = repo.find_remote("origin").ok()?;
    remote.url().map(str::to_string)
}

/// Skip re-hashing each object on read: the objects come from the user's own repository,
/// already checked by git when they arrived.
pub fn skip_hash_verification() {
    git2::opts::strict_hash_verification(false);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A bare repository built with git2 alone: no work tree, fixed signatures.
    struct Repo {
        _dir: tempfile::TempDir,
        path: PathBuf,
        repo: Repository,
    }

    impl Repo {
        fn new() -> Repo {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("repo.git");
            let repo = Repository::init_bare(&path).expect("init");
            Repo {
                _dir: dir,
                path,
                repo,
            }
        }

        fn tree(&self, files: &BTreeMap<&str, &str>, dir: &str) -> Oid {
            let mut builder = self.repo.treebuilder(None).expect("treebuilder");
            let prefix = if dir.is_empty() {
                String::new()
            } else {
                format!("{dir}/")
            };
            let mut subdirs = Vec::new();
            for (path, text) in files {
                let Some(rest) = path.strip_prefix(&prefix) else {
                    continue;
                };
                match rest.split_once('/') {
                    Some((sub, _)) => subdirs.push(sub.to_string()),
                    None => {
                        let blob = self.repo.blob(text.as_bytes()).expect("blob");
                        builder.insert(rest, blob, 0o100644).expect("insert");
                    }
                }
            }
            subdirs.dedup();
            for sub in subdirs {
                let oid = self.tree(files, &format!("{prefix}{sub}"));
                builder.insert(&sub, oid, 0o040000).expect("insert");
            }
            builder.write().expect("tree")
        }

        /// Commit `files` (the whole tree) on `parent`, moving `main`.
        fn commit(&self, parent: Option<Oid>, files: &[(&str, &str)], message: &str) -> Oid {
            let files: BTreeMap<&str, &str> = files.iter().copied().collect();
            let tree = self.repo.find_tree(self.tree(&files, "")).expect("tree");
            let time = git2::Time::new(1_700_000_000, 0);
            let sig = git2::Signature::new("A", "a@example.org", &time).expect("signature");
            let parents: Vec<git2::Commit> = parent
                .map(|p| self.repo.find_commit(p).expect("parent"))
                .into_iter()
                .collect();
            let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
            self.repo
                .commit(
                    Some("refs/heads/main"),
                    &sig,
                    &sig,
                    message,
                    &tree,
                    &parent_refs,
                )
                .expect("commit")
        }
    }

    /// base, then two commits: one adds a file in a subdirectory, one changes Kconfig.
    fn three_commits(repo: &Repo) -> [Oid; 3] {
        let base = repo.commit(None, &[("Kconfig", "config A\n\tbool\n")], "base");
        let add = repo.commit(
            Some(base),
            &[
                ("Kconfig", "config A\n\tbool\n"),
                ("drivers/Kconfig", "config B\n\tbool\n"),
                ("drivers/b.c", ""),
            ],
            "drivers: add B",
        );
        let change = repo.commit(
            Some(add),
            &[
                ("Kconfig", "config A\n\ttristate\n"),
                ("drivers/Kconfig", "config B\n\tbool\n"),
                ("drivers/b.c", ""),
            ],
            "A: make it tristate\n\nLonger text.",
        );
        [base, add, change]
    }

    #[test]
    fn a_range_is_the_commits_after_its_base_oldest_first() {
        let repo = Repo::new();
        let [base, add, change] = three_commits(&repo);
        let series = series(&repo.repo, &format!("{base}..main")).expect("series");
        assert_eq!(series.base, base);
        let oids: Vec<Oid> = series.commits.iter().map(|c| c.oid).collect();
        assert_eq!(oids, vec![add, change]);
        assert_eq!(series.commits[1].summary, "A: make it tristate");
        assert!(!series.commits[0].is_merge);
        assert_eq!(series.commits[0].short().len(), 12);
    }

    #[test]
    fn a_single_commit_is_a_series_on_its_parent() {
        let repo = Repo::new();
        let [_, add, change] = three_commits(&repo);
        let series = series(&repo.repo, "main").expect("series");
        assert_eq!(series.base, add);
        assert_eq!(series.commits.len(), 1);
        assert_eq!(series.commits[0].oid, change);
    }

    #[test]
    fn bad_and_empty_ranges_are_errors() {
        let repo = Repo::new();
        let [base, ..] = three_commits(&repo);
        assert!(matches!(
            series(&repo.repo, "nope..main"),
            Err(GitError::BadRevision { .. })
        ));
        assert!(matches!(
            series(&repo.repo, "main..main"),
            Err(GitError::EmptyRange { .. })
        ));
        // The root commit has no parent to compare with.
        assert!(matches!(
            series(&repo.repo, &base.to_string()),
            Err(GitError::Commit { .. })
        ));
    }

    #[test]
    fn a_commit_reads_as_a_source() {
        let repo = Repo::new();
        let [base, add, _] = three_commits(&repo);
        let source = CommitSource::new(&repo.path, add, None).expect("source");
        assert_eq!(
            source.read("drivers/Kconfig").expect("read"),
            Some(b"config B\n\tbool\n".to_vec())
        );
        assert_eq!(source.read("missing").expect("read"), None);
        assert_eq!(source.read("drivers").expect("read"), None, "a directory");
        assert_eq!(
            source.list_dir("drivers").expect("list"),
            Some(vec!["Kconfig".to_string(), "b.c".to_string()])
        );
        assert_eq!(
            source.list_dir("").expect("list"),
            Some(vec!["Kconfig".to_string(), "drivers".to_string()])
        );
        assert_eq!(source.list_dir("Kconfig").expect("list"), None, "a file");
        assert_eq!(
            source.list_files("").expect("list"),
            vec!["Kconfig", "drivers/Kconfig", "drivers/b.c"]
        );
        let old = CommitSource::new(&repo.path, base, None).expect("source");
        assert_eq!(old.read("drivers/Kconfig").expect("read"), None);
        assert_eq!(old.commit(), base);
    }

    #[test]
    fn changed_paths_are_per_commit() {
        let repo = Repo::new();
        let oids = three_commits(&repo);
        let changed = changed_paths(&repo.repo, &oids).expect("diff");
        let sorted = |set: &std::collections::HashSet<String>| {
            let mut v: Vec<String> = set.iter().cloned().collect();
            v.sort();
            v
        };
        assert_eq!(changed.len(), 3);
        assert!(changed[0].is_empty());
        assert_eq!(sorted(&changed[1]), vec!["drivers/Kconfig", "drivers/b.c"]);
        assert_eq!(sorted(&changed[2]), vec!["Kconfig"]);
    }

    #[test]
    fn reading_leaves_the_repository_unchanged() {
        let repo = Repo::new();
        let [base, ..] = three_commits(&repo);
        let refs_before: Vec<String> = repo
            .repo
            .references()
            .expect("refs")
            .flatten()
            .filter_map(|r| r.name().map(String::from))
            .collect();
        let head_before = repo.repo.refname_to_id("refs/heads/main").expect("main");
        let _ = series(&repo.repo, &format!("{base}..main")).expect("series");
        let source = CommitSource::new(&repo.path, head_before, None).expect("source");
        let _ = source.list_files("").expect("list");
        let refs_after: Vec<String> = repo
            .repo
            .references()
            .expect("refs")
            .flatten()
            .filter_map(|r| r.name().map(String::from))
            .collect();
        assert_eq!(refs_before, refs_after);
        assert_eq!(
            repo.repo.refname_to_id("refs/heads/main").expect("main"),
            head_before
        );
        assert!(!repo.path.join("index").exists());
    }

    #[test]
    fn a_write_error_names_the_file_it_could_not_write() {
        let repo = Repo::new();
        let base = repo.commit(None, &[("scripts/a.sh", "echo\n")], "base");
        // A target below a file cannot be created: the error names the path.
        let dir = tempfile::tempdir().expect("tempdir");
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "").expect("write");
        let err = export_dir(&repo.repo, base, "scripts", &blocker).expect_err("fails");
        let message = err.to_string();
        assert!(message.contains("file/scripts/a.sh"), "{message}");
        assert!(!message.contains("-7"), "{message}");
    }

    #[test]
    fn a_missing_blob_is_remembered_not_read_as_absent() {
        let repo = Repo::new();
        let base = repo.commit(None, &[("Kconfig", "config A\n\tbool\n")], "base");
        let blob = repo
            .repo
            .find_commit(base)
            .and_then(|c| c.tree())
            .and_then(|t| t.get_path(Path::new("Kconfig")))
            .expect("entry")
            .id();
        let hex = blob.to_string();
        let object = repo.path.join("objects").join(&hex[..2]).join(&hex[2..]);
        std::fs::remove_file(&object).expect("a loose object");
        let blobs = BlobCache::default();
        let source =
            CommitSource::with_cache(&repo.path, base, None, blobs.clone()).expect("opens");
        assert!(source.read("Kconfig").is_err());
        let missing = blobs.missing_object().expect("remembered");
        assert!(
            missing.contains(&hex) && missing.contains("Kconfig"),
            "{missing}"
        );
        // An absent path is not a missing object.
        let other = BlobCache::default();
        let source =
            CommitSource::with_cache(&repo.path, base, None, other.clone()).expect("opens");
        assert_eq!(source.read("nope/Kconfig").expect("reads"), None);
        assert_eq!(other.missing_object(), None);
    }
}
