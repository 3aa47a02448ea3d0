//! The paths two trees differ in, found by walking only the subtrees whose ids differ.
//! Neighbouring commits of a kernel series share almost every subtree: a commit that
//! changes one driver differs from its parent in a handful of trees out of ~5,000, so the
//! walk reads those and nothing else (libgit2's tree-to-tree diff iterates every entry of
//! both trees, ~80,000 on a full kernel, for each pair).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use git2::{ObjectType, Repository, Tree};

/// One entry of a tree: its id, its file mode as stored (libgit2's diff compares stored
/// modes: 100664 against 100644 is a change), and whether it is a subtree.
type Entry = (git2::Oid, i32, bool);

/// The mode of a submodule (gitlink) entry.
const GITLINK: i32 = 0o160000;

fn entries(tree: &Tree) -> BTreeMap<Vec<u8>, Entry> {
    tree.iter()
        .map(|e| {
            let is_tree = e.kind() == Some(ObjectType::Tree);
            (e.name_bytes().to_vec(), (e.id(), e.filemode_raw(), is_tree))
        })
        .collect()
}

fn join(prefix: &[u8], name: &[u8]) -> Vec<u8> {
    if prefix.is_empty() {
        return name.to_vec();
    }
    let mut path = Vec::with_capacity(prefix.len() + 1 + name.len());
    path.extend_from_slice(prefix);
    path.push(b'/');
    path.extend_from_slice(name);
    path
}

/// The files two trees differ in: their paths as stored (not necessarily UTF-8), sorted,
/// and whether a submodule is among them.
#[derive(Debug, Default)]
pub struct Changes {
    pub paths: BTreeSet<Vec<u8>>,
    pub gitlink: bool,
}

impl Changes {
    fn file(&mut self, path: Vec<u8>, mode: i32) {
        self.gitlink |= mode == GITLINK;
        self.paths.insert(path);
    }
}

/// The files (blobs, symlinks, submodules) that `old` and `new` differ in: added, removed,
/// changed in content or in stored mode; a file replaced by a directory gives the file
/// and every file of the directory. The paths of libgit2's tree-to-tree diff (old and new
/// path of each delta, rename detection off).
pub fn changes(repo: &Repository, old: &Tree, new: &Tree) -> Result<Changes, git2::Error> {
    let mut out = Changes::default();
    walk(repo, old, new, b"", &mut out)?;
    Ok(out)
}

/// [`changes`] as UTF-8 paths; a path that is not UTF-8 is left out (no file the engine
/// reads is named so).
pub fn changed_files(
    repo: &Repository,
    old: &Tree,
    new: &Tree,
) -> Result<HashSet<String>, git2::Error> {
    Ok(changes(repo, old, new)?
        .paths
        .into_iter()
        .filter_map(|p| String::from_utf8(p).ok())
        .collect())
}

/// Every file under the subtree `id` (a subtree added or removed whole).
fn all_files(
    repo: &Repository,
    id: git2::Oid,
    prefix: &[u8],
    out: &mut Changes,
) -> Result<(), git2::Error> {
    let tree = repo.find_tree(id)?;
    for (name, (id, mode, is_tree)) in entries(&tree) {
        let path = join(prefix, &name);
        if is_tree {
            all_files(repo, id, &path, out)?;
        } else {
            out.file(path, mode);
        }
    }
    Ok(())
}

fn walk(
    repo: &Repository,
    old: &Tree,
    new: &Tree,
    prefix: &[u8],
    out: &mut Changes,
) -> Result<(), git2::Error> {
    let old_entries = entries(old);
    let new_entries = entries(new);
    let names: BTreeSet<&Vec<u8>> = old_entries.keys().chain(new_entries.keys()).collect();
    for name in names {
        let (a, b) = (
            old_entries.get(name).copied(),
            new_entries.get(name).copied(),
        );
        if a == b {
            continue;
        }
        let path = join(prefix, name);
        match (a, b) {
            (Some((a_id, _, true)), Some((b_id, _, true))) => {
                let (a_tree, b_tree) = (repo.find_tree(a_id)?, repo.find_tree(b_id)?);
                walk(repo, &a_tree, &b_tree, &path, out)?;
            }
            _ => {
                for (id, mode, is_tree) in [a, b].into_iter().flatten() {
                    if is_tree {
                        all_files(repo, id, &path, out)?;
                    } else {
                        out.file(path.clone(), mode);
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn libgit2_paths(repo: &Repository, old: &Tree, new: &Tree) -> HashSet<String> {
        let diff = repo
            .diff_tree_to_tree(Some(old), Some(new), None)
            .expect("diff");
        let mut paths = HashSet::new();
        for delta in diff.deltas() {
            for file in [delta.old_file(), delta.new_file()] {
                if let Some(path) = file.path().and_then(|p| p.to_str()) {
                    paths.insert(path.to_string());
                }
            }
        }
        paths
    }

    /// A tree built from (path, content, mode) triples.
    fn tree<'r>(repo: &'r Repository, files: &[(&str, &str, i32)]) -> Tree<'r> {
        let mut index = git2::Index::new().expect("index");
        // The index takes no legacy mode: top-level 100664 files go in by a tree builder.
        let legacy: Vec<_> = files.iter().filter(|f| f.2 == 0o100664).collect();
        for &(path, content, mode) in files.iter().filter(|f| f.2 != 0o100664) {
            let id = repo.blob(content.as_bytes()).expect("blob");
            let entry = git2::IndexEntry {
                ctime: git2::IndexTime::new(0, 0),
                mtime: git2::IndexTime::new(0, 0),
                dev: 0,
                ino: 0,
                mode: mode as u32,
                uid: 0,
                gid: 0,
                file_size: content.len() as u32,
                id,
                flags: 0,
                flags_extended: 0,
                path: path.as_bytes().to_vec(),
            };
            index.add(&entry).expect("add");
        }
        let id = index.write_tree_to(repo).expect("write tree");
        let top = repo.find_tree(id).expect("tree");
        // libgit2 writes no legacy mode either: the tree object is written by hand.
        let mut items: Vec<(Vec<u8>, i32, git2::Oid)> = top
            .iter()
            .map(|e| (e.name_bytes().to_vec(), e.filemode_raw(), e.id()))
            .collect();
        for &&(path, content, mode) in &legacy {
            items.push((
                path.as_bytes().to_vec(),
                mode,
                repo.blob(content.as_bytes()).expect("blob"),
            ));
        }
        let sort_key = |(name, mode, _): &(Vec<u8>, i32, git2::Oid)| {
            let mut key = name.clone();
            if *mode == 0o040000 {
                key.push(b'/');
            }
            key
        };
        items.sort_by_key(sort_key);
        let mut raw = Vec::new();
        for (name, mode, id) in &items {
            raw.extend_from_slice(format!("{mode:o} ").as_bytes());
            raw.extend_from_slice(name);
            raw.push(0);
            raw.extend_from_slice(id.as_bytes());
        }
        let id = repo
            .odb()
            .expect("odb")
            .write(ObjectType::Tree, &raw)
            .expect("write tree object");
        repo.find_tree(id).expect("tree")
    }

    #[test]
    fn the_same_paths_as_libgit2s_diff() {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = Repository::init_bare(dir.path()).expect("init");
        let base = [
            ("Makefile", "VERSION = 6\n", 0o100644),
            ("drivers/xen/Kconfig", "config XEN\n", 0o100644),
            ("drivers/xen/Makefile", "obj-y += a.o\n", 0o100644),
            ("drivers/net/Kconfig", "config NET\n", 0o100644),
            ("drivers/net/wire/a.c", "int a;\n", 0o100644),
            ("scripts/run.sh", "echo y\n", 0o100755),
            ("tools/link", "target", 0o120000),
            ("old/file.c", "gone\n", 0o100644),
            ("becomes-dir", "file\n", 0o100644),
            ("legacy.c", "old mode\n", 0o100664),
        ];
        let old = tree(&repo, &base);
        let legacy = old.get_name("legacy.c").expect("legacy.c");
        assert_eq!(
            legacy.filemode_raw(),
            0o100664,
            "the fixture keeps a legacy mode"
        );
        let changes: Vec<Vec<(&str, &str, i32)>> = vec![
            base.to_vec(),
            // one file's content
            base.iter()
                .map(|&(p, c, m)| {
                    (
                        p,
                        if p == "drivers/xen/Kconfig" {
                            "config XEN2\n"
                        } else {
                            c
                        },
                        m,
                    )
                })
                .collect(),
            // a mode, a symlink target, a whole directory removed, a file added deep
            base.iter()
                .filter(|(p, _, _)| !p.starts_with("old/"))
                .map(|&(p, c, m)| match p {
                    "scripts/run.sh" => (p, c, 0o100644),
                    "tools/link" => (p, "elsewhere", m),
                    _ => (p, c, m),
                })
                .chain([("drivers/net/wire/deep/b.c", "int b;\n", 0o100644)])
                .collect(),
            // a legacy mode made ordinary, same blob
            base.iter()
                .map(|&(p, c, m)| (p, c, if p == "legacy.c" { 0o100644 } else { m }))
                .collect(),
            // a file replaced by a directory
            base.iter()
                .filter(|(p, _, _)| *p != "becomes-dir")
                .copied()
                .chain([
                    ("becomes-dir/inner.c", "x\n", 0o100644),
                    ("becomes-dir/k/K", "y\n", 0o100644),
                ])
                .collect(),
        ];
        for files in changes {
            let new = tree(&repo, &files);
            for (a, b) in [(&old, &new), (&new, &old)] {
                let ours = changed_files(&repo, a, b).expect("walk");
                assert_eq!(ours, libgit2_paths(&repo, a, b), "{files:?}");
            }
        }
    }

    #[test]
    fn a_submodule_among_the_changes_is_said() {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = Repository::init_bare(dir.path()).expect("init");
        let old = tree(&repo, &[("README", "a\n", 0o100644)]);
        let mut index = git2::Index::new().expect("index");
        index.read_tree(&old).expect("read tree");
        let mut entry = index.get_path(Path::new("README"), 0).expect("entry");
        entry.path = b"sub".to_vec();
        entry.mode = 0o160000;
        entry.id = git2::Oid::from_str("0123456789abcdef0123456789abcdef01234567").expect("id");
        index.add(&entry).expect("add");
        let new = repo
            .find_tree(index.write_tree_to(&repo).expect("write"))
            .expect("tree");
        let found = changes(&repo, &old, &new).expect("walk");
        assert!(found.gitlink);
        assert_eq!(
            found.paths.into_iter().collect::<Vec<_>>(),
            [b"sub".to_vec()]
        );
        assert!(!changes(&repo, &old, &old).expect("walk").gitlink);
    }
}
