//! The `Source` trait: read one path of a kernel tree, wherever the tree lives.
//!
//! Everything under `kconfig/` and `kbuild/` reads files only through this trait, so the same
//! parser serves a directory, a git commit (read straight from the object database) and an
//! in-memory tree built by a test. This module owns no parsing and no caching policy beyond
//! what a backend needs to answer `read`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Why a read failed for a reason other than "the file does not exist".
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
}

/// A kernel tree, addressed by paths relative to its top directory (`arch/x86/Kconfig`).
pub trait Source: Send + Sync {
    /// The bytes of `path`, or `None` when the tree has no such file.
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, SourceError>;

    /// Whether the tree has a file at `path`. Only its existence is asked: a backend that
    /// records what a result depended on (a commit's reads) records this apart, so that a
    /// change to the file's contents does not count as a change to the answer.
    fn exists(&self, path: &str) -> Result<bool, SourceError> {
        Ok(self.read(path)?.is_some())
    }

    /// The names of the entries of directory `path`, sorted; `None` when there is no such
    /// directory. Make's `$(wildcard ...)` needs it.
    fn list_dir(&self, path: &str) -> Result<Option<Vec<String>>, SourceError>;

    /// Every file under directory `dir` ("" for the whole tree), as paths from the top,
    /// sorted. Hidden entries (`.git`) are left out.
    fn list_files(&self, dir: &str) -> Result<Vec<String>, SourceError> {
        let mut out = Vec::new();
        let mut pending = vec![dir.trim_end_matches('/').to_string()];
        while let Some(d) = pending.pop() {
            for name in self.list_dir(&d)?.unwrap_or_default() {
                if name.starts_with('.') {
                    continue;
                }
                let path = if d.is_empty() {
                    name
                } else {
                    format!("{d}/{name}")
                };
                if self.list_dir(&path)?.is_some() {
                    pending.push(path);
                } else {
                    out.push(path);
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// What names the contents of `path` without reading it, for caches keyed by content:
    /// `Some(Some(id))` the file's (a commit's blob id), `Some(None)` no file there, `None` when the
    /// backend has no such names or cannot say (then nothing is answered from a cache).
    /// Unlike `read`, it records nothing.
    fn content_id(&self, _path: &str) -> Option<Option<ContentId>> {
        None
    }

    /// A cache answered for `path` what `read` would have given (`id` as `content_id`
    /// named it): record it as a read, as `read` does.
    fn note_read(&self, _path: &str, _id: Option<ContentId>) {}

    /// A directory on disk holding the same tree, if there is one. `$(shell,...)` commands
    /// that call scripts of the tree (`$(srctree)/scripts/...`) need it.
    fn local_root(&self) -> Option<&Path> {
        None
    }

    /// A short description for messages: a directory path or a commit id.
    fn describe(&self) -> String;
}

/// What names a file's contents: a git blob id, or a digest of the bytes where there is
/// none. Equal ids, equal contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContentId(pub [u8; 20]);

impl ContentId {
    /// 160 bits of SipHash over the bytes, under three fixed keys: for trees that have no
    /// object ids (in memory); a commit names its files by blob id.
    pub fn digest(bytes: &[u8]) -> ContentId {
        use std::hash::{Hash, Hasher};
        let mut out = [0u8; 20];
        for (i, chunk) in out.chunks_mut(8).enumerate() {
            let mut hasher = std::hash::DefaultHasher::new();
            (i as u64).hash(&mut hasher);
            bytes.hash(&mut hasher);
            let word = hasher.finish().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        ContentId(out)
    }
}

/// A kernel tree in a directory.
#[derive(Debug, Clone)]
pub struct DirSource {
    root: PathBuf,
}

impl DirSource {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DirSource { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl Source for DirSource {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, SourceError> {
        let full = self.root.join(path);
        match std::fs::read(&full) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(err)
                if err.kind() == std::io::ErrorKind::NotFound
                    || err.kind() == std::io::ErrorKind::NotADirectory =>
            {
                Ok(None)
            }
            // Kconfig names a directory by mistake: the kernel's fopen() fails the same way.
            Err(_) if full.is_dir() => Ok(None),
            Err(err) => Err(SourceError::Io {
                path: full.display().to_string(),
                message: err.to_string(),
            }),
        }
    }

    fn list_files(&self, dir: &str) -> Result<Vec<String>, SourceError> {
        let mut out = Vec::new();
        let mut pending = vec![dir.trim_end_matches('/').to_string()];
        while let Some(d) = pending.pop() {
            let full = self.root.join(&d);
            let entries = match std::fs::read_dir(&full) {
                Ok(entries) => entries,
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
                Err(err) => {
                    return Err(SourceError::Io {
                        path: full.display().to_string(),
                        message: err.to_string(),
                    })
                }
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') {
                    continue;
                }
                let path = if d.is_empty() {
                    name
                } else {
                    format!("{d}/{name}")
                };
                match entry.file_type() {
                    Ok(t) if t.is_dir() => pending.push(path),
                    Ok(t) if t.is_file() => out.push(path),
                    _ => {}
                }
            }
        }
        out.sort();
        Ok(out)
    }

    fn list_dir(&self, path: &str) -> Result<Option<Vec<String>>, SourceError> {
        let full = self.root.join(path);
        match std::fs::read_dir(&full) {
            Ok(entries) => {
                let mut names: Vec<String> = entries
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect();
                names.sort();
                Ok(Some(names))
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(SourceError::Io {
                path: full.display().to_string(),
                message: err.to_string(),
            }),
        }
    }

    fn local_root(&self) -> Option<&Path> {
        Some(&self.root)
    }

    fn describe(&self) -> String {
        self.root.display().to_string()
    }
}

/// A tree held in memory: tests, and a commit's changes applied on top of another source.
#[derive(Debug, Clone, Default)]
pub struct MemSource {
    files: BTreeMap<String, Vec<u8>>,
}

impl MemSource {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, path: &str, contents: impl Into<Vec<u8>>) -> Self {
        self.insert(path, contents);
        self
    }

    pub fn insert(&mut self, path: &str, contents: impl Into<Vec<u8>>) {
        self.files.insert(path.to_string(), contents.into());
    }

    pub fn remove(&mut self, path: &str) {
        self.files.remove(path);
    }
}

impl Source for MemSource {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, SourceError> {
        Ok(self.files.get(path).cloned())
    }

    /// A digest of the contents.
    fn content_id(&self, path: &str) -> Option<Option<ContentId>> {
        Some(self.files.get(path).map(|bytes| ContentId::digest(bytes)))
    }

    fn list_dir(&self, path: &str) -> Result<Option<Vec<String>>, SourceError> {
        // "" is the top directory: every path is under it.
        let dir = path.trim_end_matches('/');
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        // A BTreeSet, not the map's order: "a.txt" sorts before "a/b" as a key, but the
        // names "a" and "a.txt" must come out sorted, as DirSource lists them.
        let names: BTreeSet<String> = self
            .files
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix))
            .map(|rest| rest.split('/').next().unwrap_or(rest).to_string())
            .collect();
        if names.is_empty() {
            Ok(None)
        } else {
            Ok(Some(names.into_iter().collect()))
        }
    }

    fn describe(&self) -> String {
        "<memory>".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> MemSource {
        MemSource::new()
            .with("Kconfig", "source \"a/Kconfig\"\n")
            .with("a/Kconfig", "config A\n")
            .with("a.txt", "text")
            .with("a/b/c", "")
            .with("a-b", "")
            .with(".git/HEAD", "ref")
    }

    #[test]
    fn mem_source_lists_the_top_directory_sorted() {
        let top = tree().list_dir("").expect("no I/O");
        assert_eq!(
            top,
            Some(vec![
                ".git".to_string(),
                "Kconfig".to_string(),
                "a".to_string(),
                "a-b".to_string(),
                "a.txt".to_string(),
            ])
        );
    }

    #[test]
    fn mem_source_lists_a_directory_once_per_entry() {
        let source = tree();
        assert_eq!(
            source.list_dir("a").expect("no I/O"),
            Some(vec!["Kconfig".to_string(), "b".to_string()])
        );
        assert_eq!(
            source.list_dir("a/").expect("no I/O"),
            source.list_dir("a").expect("no I/O")
        );
        assert_eq!(source.list_dir("a/b/c").expect("no I/O"), None, "a file");
        assert_eq!(source.list_dir("z").expect("no I/O"), None, "nothing there");
    }

    #[test]
    fn mem_source_reads_files_only() {
        let source = tree();
        assert_eq!(
            source.read("a/Kconfig").expect("no I/O"),
            Some(b"config A\n".to_vec())
        );
        assert_eq!(source.read("a").expect("no I/O"), None, "a directory");
        assert_eq!(source.read("missing").expect("no I/O"), None);
    }

    #[test]
    fn mem_source_and_dir_source_list_the_same_tree_alike() {
        let mem = tree();
        let dir = tempfile::tempdir().expect("tempdir");
        for path in mem.files.keys() {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().expect("a parent")).expect("mkdir");
            std::fs::write(&full, &mem.files[path]).expect("write");
        }
        let disk = DirSource::new(dir.path());
        for path in ["", "a", "a/b", "missing"] {
            assert_eq!(
                mem.list_dir(path).expect("no I/O"),
                disk.list_dir(path).expect("no I/O"),
                "list_dir({path:?})"
            );
        }
        // Hidden entries are left out of the recursive listing by both.
        let files = mem.list_files("").expect("no I/O");
        assert_eq!(files, vec!["Kconfig", "a-b", "a.txt", "a/Kconfig", "a/b/c"]);
        assert_eq!(files, disk.list_files("").expect("no I/O"));
        assert_eq!(
            mem.list_files("a").expect("no I/O"),
            disk.list_files("a").expect("no I/O")
        );
    }
}
