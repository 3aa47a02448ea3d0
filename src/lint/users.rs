//! The code files that use symbols a commit removes, found by reading every C, header and
//! assembly file of that commit (a whole kernel tree: seconds of CPU). Kept for the run and
//! the fix verification after it: a rewritten commit differs from the commit scanned
//! before in a few files (the candidate's Kconfig lines), so its users are the kept ones
//! with those files read again.

use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::config_refs::{references, FileKind, Reference};
use crate::git::{GitError, Oid};

/// Scans kept at most; a run keeps one per commit that removes symbols.
const MAX_KEPT: usize = 16;

/// Changed code files past which a new scan costs less than reading them one by one.
const MAX_PATCHED: usize = 2_000;

/// Users found by earlier scans, shared by the runs of one series (`Shared`).
#[derive(Clone, Default)]
pub struct UsersCache {
    kept: Arc<Mutex<Vec<Arc<Scan>>>>,
    /// Whole-tree scans made.
    scans: Arc<std::sync::atomic::AtomicUsize>,
}

/// Every code file of `commit` that names one of `symbols`, with its references.
struct Scan {
    commit: Oid,
    symbols: Vec<String>,
    users: Users,
}

/// Users by path, sorted.
type Users = Arc<Vec<(String, Vec<Reference>)>>;

/// `(path, references)` of `bytes` when the file names one of the symbols `users` matches.
fn user(users: &regex::bytes::Regex, path: &str, bytes: &[u8]) -> Option<(String, Vec<Reference>)> {
    if !users.is_match(bytes) {
        return None;
    }
    let kind = FileKind::of(path)?;
    Some((
        path.to_string(),
        references(kind, &String::from_utf8_lossy(bytes)),
    ))
}

impl UsersCache {
    /// Every C, header and assembly file of `commit` (outside tools/) that refers to one of
    /// `symbols` (sorted), with its references. `None` when the symbols make no pattern.
    pub(super) fn users(
        &self,
        repo_dir: &Path,
        commit: Oid,
        symbols: &[String],
    ) -> Result<Option<Users>, GitError> {
        let alternatives: Vec<String> = symbols.iter().map(|s| regex::escape(s)).collect();
        let pattern = format!(r"CONFIG_(?:{})(?:_MODULE)?\b", alternatives.join("|"));
        let Ok(users) = regex::bytes::Regex::new(&pattern) else {
            return Ok(None);
        };
        let earlier: Vec<Arc<Scan>> = {
            let kept = self.kept.lock().expect("users cache lock");
            kept.iter()
                .rev()
                .filter(|s| s.symbols == symbols)
                .cloned()
                .collect()
        };
        for scan in earlier {
            if scan.commit == commit {
                return Ok(Some(scan.users.clone()));
            }
            // A commit of another run's scratch repository is not in this one: no base.
            let Ok(Some(changed)) = crate::git::changed_between(repo_dir, scan.commit, commit)
            else {
                continue;
            };
            let changed: Vec<String> = changed
                .into_iter()
                .filter(|p| FileKind::is_code(p))
                .collect();
            if changed.len() > MAX_PATCHED {
                continue;
            }
            let mut found: Vec<(String, Vec<Reference>)> = scan
                .users
                .iter()
                .filter(|(path, _)| changed.binary_search(path).is_err())
                .cloned()
                .collect();
            crate::git::read_files(repo_dir, commit, &changed, &mut |path, bytes| {
                found.extend(user(&users, path, bytes));
            })?;
            return Ok(Some(self.keep(commit, symbols, found)));
        }
        let found: Mutex<Vec<(String, Vec<Reference>)>> = Default::default();
        self.scans
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        crate::git::scan_files(repo_dir, commit, &FileKind::is_code, &|path, bytes| {
            if let Some(u) = user(&users, path, bytes) {
                found.lock().expect("found lock").push(u);
            }
        })?;
        let found = found.into_inner().expect("found lock");
        Ok(Some(self.keep(commit, symbols, found)))
    }

    fn keep(
        &self,
        commit: Oid,
        symbols: &[String],
        mut users: Vec<(String, Vec<Reference>)>,
    ) -> Users {
        users.sort_by(|a, b| a.0.cmp(&b.0));
        let users = Arc::new(users);
        let scan = Arc::new(Scan {
            commit,
            symbols: symbols.to_vec(),
            users: users.clone(),
        });
        let mut kept = self.kept.lock().expect("users cache lock");
        if kept.len() >= MAX_KEPT {
            kept.remove(0);
        }
        kept.push(scan);
        users
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A repository with a work tree, committed with git2 alone.
    struct Repo {
        dir: tempfile::TempDir,
        repo: git2::Repository,
    }

    impl Repo {
        fn new() -> Repo {
            let dir = tempfile::tempdir().expect("tempdir");
            let repo = git2::Repository::init(dir.path()).expect("init");
            Repo { dir, repo }
        }

        /// Make the work tree hold exactly `files` and commit it.
        fn commit(&self, files: &[(&str, &str)]) -> Oid {
            let mut index = self.repo.index().expect("index");
            index.clear().expect("clear");
            for (path, text) in files {
                let full = self.dir.path().join(path);
                std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
                std::fs::write(&full, text).expect("write");
                index.add_path(Path::new(path)).expect("add");
            }
            let tree = self
                .repo
                .find_tree(index.write_tree().expect("tree"))
                .expect("tree");
            let sig = git2::Signature::new("A", "a@example.org", &git2::Time::new(0, 0))
                .expect("signature");
            let parent = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
            let parents: Vec<&git2::Commit> = parent.iter().collect();
            self.repo
                .commit(Some("HEAD"), &sig, &sig, "c", &tree, &parents)
                .expect("commit")
        }

        fn git_dir(&self) -> &Path {
            self.repo.path()
        }
    }

    fn paths(users: &Users) -> Vec<&str> {
        users.iter().map(|(p, _)| p.as_str()).collect()
    }

    const FOO: &str = "#if IS_ENABLED(CONFIG_FOO)\n#endif\n";

    #[test]
    fn a_commit_near_a_scanned_one_reads_only_the_files_they_differ_in() {
        let repo = Repo::new();
        let a = repo.commit(&[
            ("drivers/a.c", FOO),
            ("drivers/b.c", "int b;\n"),
            ("include/c.h", "#ifdef CONFIG_FOO_MODULE\n#endif\n"),
            ("tools/t.c", FOO),
            ("drivers/Kconfig", "config FOO\n\tbool\n"),
        ]);
        let b = repo.commit(&[
            ("drivers/a.c", "int a;\n"),
            ("drivers/b.c", FOO),
            ("arch/x86/d.S", "#ifdef CONFIG_FOO\n#endif\n"),
            ("tools/t.c", FOO),
            ("drivers/Kconfig", "config BAR\n\tbool\n"),
        ]);
        let symbols = ["FOO".to_string()];
        let cache = UsersCache::default();
        let at_a = cache.users(repo.git_dir(), a, &symbols).unwrap().unwrap();
        assert_eq!(paths(&at_a), ["drivers/a.c", "include/c.h"]);
        let patched = cache.users(repo.git_dir(), b, &symbols).unwrap().unwrap();
        assert_eq!(paths(&patched), ["arch/x86/d.S", "drivers/b.c"]);
        assert_eq!(cache.scans.load(std::sync::atomic::Ordering::Relaxed), 1);
        let scanned = UsersCache::default()
            .users(repo.git_dir(), b, &symbols)
            .unwrap()
            .unwrap();
        assert_eq!(patched, scanned);
        assert!(patched
            .iter()
            .all(|(_, refs)| refs.iter().any(|r| r.symbol == "FOO")));
        // Other symbols: a scan of their own.
        let bar = cache
            .users(repo.git_dir(), b, &["BAR".to_string()])
            .unwrap()
            .unwrap();
        assert!(bar.is_empty());
    }

    #[test]
    fn a_scan_of_another_repository_is_no_base() {
        let (one, two) = (Repo::new(), Repo::new());
        let symbols = ["FOO".to_string()];
        let cache = UsersCache::default();
        let c1 = one.commit(&[("a.c", FOO)]);
        assert_eq!(
            paths(&cache.users(one.git_dir(), c1, &symbols).unwrap().unwrap()),
            ["a.c"]
        );
        let c2 = two.commit(&[("b.c", FOO)]);
        assert_eq!(
            paths(&cache.users(two.git_dir(), c2, &symbols).unwrap().unwrap()),
            ["b.c"]
        );
    }
}
