//! CONFIG_ references along the series, for every arch at once: the symbols every Kconfig
//! file of a commit defines, against the references of every Kbuild file and of the C,
//! header and assembly files the series touches. Produces the references that become
//! undefined at some commit (XL0010 undefined-gate and XL0011 undefined-config report
//! them) and the successors of gates the series removes. Data only: no findings here.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use crate::git::Oid;

use super::cache::Cache;
use super::options::LintError;
use super::span::BreakSpan;
use super::users::UsersCache;
use crate::config_refs::{references, Definitions, FileKind, Form, Reference};
use crate::git::{BlobCache, CommitSource};
use crate::make::normalize;
use crate::source::Source;

/// CONFIG_ references along the series that name no symbol any Kconfig file defines.
pub struct ReferenceScan {
    /// Undefined references at each commit (index 0: the base).
    sets: Vec<BTreeMap<Key, Seen>>,
    /// The symbols the base defines.
    base_defined: BTreeSet<String>,
    /// Symbols the series removes -> the symbol gating the same Kbuild words at the tip.
    pub gate_successors: BTreeMap<String, String>,
}

/// An undefined reference, keyed without its line (lines move as files change).
type Key = (String, String, bool);

/// Where an undefined reference is first written in a file, and what it gates.
#[derive(Clone)]
pub struct Seen {
    pub line: u32,
    pub form: Form,
    /// The Kbuild words the symbol gates in that file.
    pub gated: Vec<String>,
    /// Defined symbols of a similar name.
    pub similar: Vec<String>,
}

fn read(source: &CommitSource, path: &str) -> Option<String> {
    source
        .read(path)
        .ok()
        .flatten()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// What the scan reads of a whole tree: the symbols of its Kconfig files and the
/// references of its Kbuild files. Kept in the persistent cache by the tree's id.
#[derive(serde::Serialize, serde::Deserialize)]
struct BaseFiles {
    definitions: Definitions,
    kbuild: BTreeMap<String, Vec<Reference>>,
}

impl BaseFiles {
    fn of(tree: &CommitSource, kept: Option<&Cache>) -> BaseFiles {
        use FileKind::{Kbuild, Kconfig};
        let what = format!("reference scan of tree {}", tree.root());
        if let Some(files) = kept.and_then(|c| c.load_derived(&what)) {
            return files;
        }
        let mut files = BaseFiles {
            definitions: Definitions::default(),
            kbuild: BTreeMap::new(),
        };
        for path in &tree.list_files("").unwrap_or_default() {
            // Only these two kinds are read: the others are most of the tree.
            let Some(kind) = FileKind::of(path).filter(|k| matches!(k, Kconfig | Kbuild)) else {
                continue;
            };
            let Some(text) = read(tree, path) else {
                continue;
            };
            if kind == Kconfig {
                files.definitions.add_file(path, &text);
            } else {
                files.kbuild.insert(path.clone(), references(Kbuild, &text));
            }
        }
        if let Some(cache) = kept {
            cache.store_derived(&what, &files);
        }
        files
    }
}

/// Scan every Kbuild file of every commit, and the code files the series touches (and, at
/// a commit removing a symbol, every code file using it), for undefined references.
pub(super) fn scan(
    repo_dir: &Path,
    oids: &[Oid],
    changed: &[HashSet<String>],
    blobs: &BlobCache,
    users: &UsersCache,
    kept: Option<&Cache>,
) -> Result<ReferenceScan, LintError> {
    let open = |i: usize| CommitSource::with_cache(repo_dir, oids[i], None, blobs.clone());
    let base = open(0)?;
    let BaseFiles {
        mut definitions,
        mut kbuild,
    } = BaseFiles::of(&base, kept);
    // Code files the series touches, read where they change.
    let touched: BTreeSet<String> = changed
        .iter()
        .flatten()
        .filter(|p| FileKind::is_code(p))
        .cloned()
        .collect();
    let mut code: BTreeMap<String, Vec<Reference>> = BTreeMap::new();
    for path in &touched {
        if let (Some(kind), Some(text)) = (FileKind::of(path), read(&base, path)) {
            code.insert(path.clone(), references(kind, &text));
        }
    }
    // The base's version of each Kbuild file a commit changes (`None`: not at the base).
    let mut base_kbuild: BTreeMap<String, Option<Vec<Reference>>> = BTreeMap::new();
    // The names the base defines: all that is asked of its definitions later.
    let base_defined: BTreeSet<String> = definitions.symbols.keys().cloned().collect();

    let mut sets: Vec<BTreeMap<Key, Seen>> = Vec::new();
    for index in 0..oids.len() {
        if index > 0 {
            let source = open(index)?;
            // Symbols that lost a definition at this commit (checked once all its
            // Kconfig files are read again).
            let mut lost: Vec<String> = Vec::new();
            // Whether a file whose references count changed, or the defined symbols did.
            let mut moved = false;
            for path in &changed[index] {
                let kind = FileKind::of(path);
                let text = kind.and_then(|_| read(&source, path));
                moved |= kind.is_some_and(|k| k != FileKind::Kconfig);
                match kind {
                    Some(FileKind::Kconfig) => {
                        // Sorted: a map's keys.
                        let gone = definitions.remove_file(path);
                        if let Some(text) = &text {
                            // A symbol the file alone defined, defined by it again: no change.
                            let new = definitions.add_file(path, text);
                            moved |= new.iter().any(|s| gone.binary_search(s).is_err());
                        }
                        lost.extend(gone);
                    }
                    Some(FileKind::Kbuild) => {
                        (base_kbuild.entry(path.clone()))
                            .or_insert_with(|| kbuild.get(path).cloned());
                        match &text {
                            Some(text) => {
                                kbuild.insert(path.clone(), references(FileKind::Kbuild, text));
                            }
                            None => {
                                kbuild.remove(path);
                            }
                        }
                    }
                    Some(k) => match &text {
                        Some(text) => {
                            code.insert(path.clone(), references(k, text));
                        }
                        None => {
                            code.remove(path);
                        }
                    },
                    None => {}
                }
            }
            // Symbols this commit removes from every Kconfig file: their users in code the
            // series does not touch are read too, from this commit on.
            lost.retain(|s| !definitions.defines(s));
            lost.sort();
            lost.dedup();
            if !lost.is_empty() {
                scan_users(repo_dir, oids[index], &lost, &mut code, users)?;
            }
            // The same references against the same symbols: the same undefined ones.
            if !moved && lost.is_empty() {
                let previous = sets[index - 1].clone();
                sets.push(previous);
                continue;
            }
        }
        let mut undefined = BTreeMap::new();
        for (file, refs) in kbuild.iter().chain(code.iter()) {
            for r in refs {
                if !definitions.is_undefined(r) {
                    continue;
                }
                let key = (file.clone(), r.symbol.clone(), r.form == Form::Gate);
                // One finding per file and symbol: later lines add the words they gate.
                let seen = undefined.entry(key).or_insert_with(|| Seen {
                    line: r.line,
                    form: r.form,
                    gated: Vec::new(),
                    similar: Vec::new(),
                });
                seen.gated.extend(r.gated.iter().cloned());
            }
        }
        // Suggestions only for what is new against the base.
        let new_keys: Vec<Key> = undefined
            .keys()
            .filter(|k| {
                sets.first()
                    .is_none_or(|b: &BTreeMap<Key, Seen>| !b.contains_key(*k))
            })
            .cloned()
            .collect();
        if index > 0 {
            for k in new_keys {
                let similar = definitions.similar(&k.1);
                if let Some(seen) = undefined.get_mut(&k) {
                    seen.similar = similar;
                }
            }
        }
        sets.push(undefined);
    }

    let gate_successors = gate_successors(&base_defined, &definitions, &kbuild, &base_kbuild);
    Ok(ReferenceScan {
        sets,
        base_defined,
        gate_successors,
    })
}

/// A reference that is undefined from some commit on and was not at the base.
pub struct NewUndefined<'a> {
    pub span: BreakSpan,
    pub file: &'a str,
    pub symbol: &'a str,
    pub seen: &'a Seen,
}

impl ReferenceScan {
    /// References that become undefined at some commit, in series order: Kbuild gates
    /// (`gate`) or the rest.
    pub fn new_undefined(&self, gate: bool) -> Vec<NewUndefined<'_>> {
        let sets = &self.sets;
        let mut out = Vec::new();
        for index in 1..sets.len() {
            for (key, seen) in &sets[index] {
                if key.2 != gate || sets[index - 1].contains_key(key) || sets[0].contains_key(key) {
                    continue;
                }
                let repair = (index + 1..sets.len()).find(|&j| !sets[j].contains_key(key));
                out.push(NewUndefined {
                    span: BreakSpan {
                        culprit: index,
                        repair,
                    },
                    file: &key.0,
                    symbol: &key.1,
                    seen,
                });
            }
        }
        out
    }

    /// What a finding on an undefined reference adds: the successor of a removed gate,
    /// else a symbol of a similar name; whether the base defined it.
    pub fn notes(&self, symbol: &str, seen: &Seen) -> Vec<String> {
        let mut notes = Vec::new();
        if let Some(s) = self.gate_successors.get(symbol) {
            notes.push(format!(
                "CONFIG_{symbol} is removed by the series; CONFIG_{s} gates the same objects at the tip"
            ));
        } else if let Some(first) = seen.similar.first() {
            notes.push(format!("did you mean CONFIG_{first}?"));
        }
        if self.base_defined.contains(symbol) {
            notes.push(format!("CONFIG_{symbol} is defined at the base"));
        }
        notes
    }
}

/// Add to `code` the C, header and assembly files of `commit` (outside tools/) that refer
/// to one of `symbols` and are not there yet: the users a removed symbol leaves behind.
fn scan_users(
    repo_dir: &Path,
    commit: Oid,
    symbols: &[String],
    code: &mut BTreeMap<String, Vec<Reference>>,
    users: &UsersCache,
) -> Result<(), LintError> {
    if let Some(found) = users.users(repo_dir, commit, symbols)? {
        for (path, refs) in found.iter() {
            if !code.contains_key(path) {
                code.insert(path.clone(), refs.clone());
            }
        }
    }
    Ok(())
}

/// For each symbol defined at the base and gone at the tip: the new symbol that gates, at
/// the tip, words the old one gated at the base in the same Kbuild file. The base's Kbuild
/// files are the tip's but for `at_base`, the base's version of those the series changes.
fn gate_successors(
    base_defined: &BTreeSet<String>,
    tip_definitions: &Definitions,
    tip: &BTreeMap<String, Vec<Reference>>,
    at_base: &BTreeMap<String, Option<Vec<Reference>>>,
) -> BTreeMap<String, String> {
    let base = (tip.iter().filter(|(path, _)| !at_base.contains_key(*path))).chain(
        at_base
            .iter()
            .filter_map(|(path, refs)| Some((path, refs.as_ref()?))),
    );
    let removed = gated(base, &|s| {
        base_defined.contains(s) && !tip_definitions.defines(s)
    });
    let added = gated(tip.iter(), &|s| {
        !base_defined.contains(s) && tip_definitions.defines(s)
    });
    let mut votes: HashMap<String, BTreeMap<String, usize>> = HashMap::new();
    for (old, old_paths) in &removed {
        for (new, new_paths) in &added {
            let shared = old_paths.intersection(new_paths).count();
            if shared > 0 {
                *votes
                    .entry(old.clone())
                    .or_default()
                    .entry(new.clone())
                    .or_default() += shared;
            }
        }
    }
    votes
        .into_iter()
        .filter_map(|(old, candidates)| {
            candidates
                .into_iter()
                .max_by_key(|(_, n)| *n)
                .map(|(new, _)| (old, new))
        })
        .collect()
}

/// The words each symbol `keep` accepts gates in `files`, as paths of the tree:
/// `xen/enlighten_hvm.o` in arch/x86/Kbuild and `enlighten_hvm.o` in arch/x86/xen/Makefile
/// are the same object.
fn gated<'a>(
    files: impl Iterator<Item = (&'a String, &'a Vec<Reference>)>,
    keep: &dyn Fn(&str) -> bool,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut by_symbol: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, refs) in files {
        let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
        for r in refs
            .iter()
            .filter(|r| r.form == Form::Gate && keep(&r.symbol))
        {
            by_symbol
                .entry(r.symbol.clone())
                .or_default()
                .extend(r.gated.iter().map(|w| normalize(&format!("{dir}/{w}"))));
        }
    }
    by_symbol
}

/// The scan, made on one thread while others go on and wait for it only when they need it.
#[derive(Default)]
pub(super) struct PendingScan {
    scan: std::sync::OnceLock<Option<ReferenceScan>>,
    ready: std::sync::Mutex<bool>,
    signal: std::sync::Condvar,
}

impl PendingScan {
    /// Make the scan with `make` and give it to the waiters; a failure (or a panic) gives
    /// them `None`, and the failure is returned here.
    pub fn fill(
        &self,
        make: impl FnOnce() -> Result<ReferenceScan, LintError>,
    ) -> Result<&ReferenceScan, LintError> {
        /// Whatever happens to the scan, no waiter is left waiting.
        struct Release<'a>(&'a PendingScan);
        impl Drop for Release<'_> {
            fn drop(&mut self) {
                let _ = self.0.scan.set(None);
                let mut ready = self.0.ready.lock().unwrap_or_else(|e| e.into_inner());
                *ready = true;
                self.0.signal.notify_all();
            }
        }
        let release = Release(self);
        let scan = make()?;
        let _ = self.scan.set(Some(scan));
        drop(release);
        self.scan
            .get()
            .and_then(Option::as_ref)
            .ok_or_else(|| LintError::Setup("the CONFIG_ reference scan was made twice".into()))
    }

    /// The scan once it is made; `None` when it failed.
    pub fn wait(&self) -> Option<&ReferenceScan> {
        let mut ready = self.ready.lock().unwrap_or_else(|e| e.into_inner());
        while !*ready {
            ready = self.signal.wait(ready).unwrap_or_else(|e| e.into_inner());
        }
        self.scan.get().and_then(Option::as_ref)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty() -> ReferenceScan {
        ReferenceScan {
            sets: Vec::new(),
            base_defined: BTreeSet::new(),
            gate_successors: BTreeMap::new(),
        }
    }

    /// What a waiter got once `fill` ran on another thread (which may panic).
    fn waited(fill: impl FnOnce(&PendingScan) + Send) -> Option<bool> {
        let pending = PendingScan::default();
        std::thread::scope(|scope| {
            let waiter = scope.spawn(|| pending.wait().is_some());
            let _ = scope.spawn(|| fill(&pending)).join();
            waiter.join().ok()
        })
    }

    /// The scan reads a tree's Kconfig and Kbuild files, none of the others (most of a
    /// kernel tree: reading them took seconds and gigabytes on a whole 6.1 clone).
    #[test]
    fn a_tree_is_scanned_from_its_kconfig_and_kbuild_files_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = [
            ("Kconfig", "config XEN\n\tbool \"xen\"\n"),
            ("drivers/Makefile", "obj-$(CONFIG_XEN) += xen/\n"),
            ("drivers/xen.c", "#ifdef CONFIG_XEN\n#endif\n"),
            ("README", "CONFIG_XEN\n"),
        ];
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
        let git = |args: &[&str]| {
            let status = std::process::Command::new("git")
                .args(["-c", "user.name=T", "-c", "user.email=t@example.org"])
                .args(args)
                .current_dir(dir.path())
                .status()
                .expect("git runs");
            assert!(status.success(), "git {args:?}");
        };
        git(&["init", "-q"]);
        git(&["add", "-A"]);
        git(&["commit", "-qm", "tree"]);
        let repo = crate::git::open(dir.path()).expect("repository");
        let head = repo.head().expect("HEAD").target().expect("a commit");
        let source = CommitSource::new(dir.path(), head, None).expect("source");
        let files = BaseFiles::of(&source, None);
        assert!(files.definitions.defines("XEN"));
        assert_eq!(files.kbuild["drivers/Makefile"][0].symbol, "XEN");
        let read: Vec<String> = (source.reads.lock().expect("reads").iter())
            .map(|(path, _)| path.clone())
            .collect();
        assert_eq!(read, ["Kconfig", "drivers/Makefile"]);
    }

    #[test]
    fn waiters_get_the_scan_or_none_when_it_fails_or_panics() {
        let made = waited(|p| assert!(p.fill(|| Ok(empty())).is_ok()));
        assert_eq!(made, Some(true), "the scan reaches the waiter");
        let failed = waited(|p| assert!(p.fill(|| Err(LintError::Setup("no".into()))).is_err()));
        assert_eq!(failed, Some(false), "a failed scan releases the waiter");
        let panicked = waited(|p| {
            let _ = p.fill(|| panic!("a scan that panics"));
        });
        assert_eq!(
            panicked,
            Some(false),
            "a panicking scan releases the waiter"
        );
    }
}
