//! Parsed subtrees spliced from the cache (`kconfig::fragments`) on the real trees: each
//! version's arches read in turn with one cache, each tree also read without it, and the
//! models compared whole. Then the same with a tree changed the way a series changes it
//! (a new symbol early in the tree, so that every later symbol id shifts; an entry
//! reworded deep under drivers/), read after the unchanged one.

mod common;

use std::collections::HashMap;
use std::path::Path;

use xenlint::kconfig::env::{EnvRequest, KernelEnv};
use xenlint::kconfig::fragments::SubtreeCache;
use xenlint::kconfig::macros::{ShellCache, ShellPolicy, ShellRunner};
use xenlint::source::{ContentId, DirSource, Source, SourceError};

/// A kernel tree in a directory, with some files replaced, naming contents by digests of
/// their bytes.
struct Tree {
    dir: DirSource,
    replaced: HashMap<String, Vec<u8>>,
}

impl Source for Tree {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, SourceError> {
        match self.replaced.get(path) {
            Some(bytes) => Ok(Some(bytes.clone())),
            None => self.dir.read(path),
        }
    }

    fn content_id(&self, path: &str) -> Option<Option<ContentId>> {
        let bytes = self.read(path).ok()?;
        Some(bytes.map(|b| ContentId::digest(&b)))
    }

    fn list_dir(&self, path: &str) -> Result<Option<Vec<String>>, SourceError> {
        self.dir.list_dir(path)
    }

    fn local_root(&self) -> Option<&Path> {
        self.dir.local_root()
    }

    fn describe(&self) -> String {
        self.dir.describe()
    }
}

/// The model of `tree` for `arch`, with and without `cache`, as dumps.
fn both(tree: &Tree, arch: &str, shells: &ShellCache, cache: &SubtreeCache) -> (String, String) {
    let request = EnvRequest {
        arch: Some(arch.to_string()),
        srctree: tree.dir.root().display().to_string(),
        overrides: Vec::new(),
        untrusted: false,
        tools: xenlint::exec::ToolTrust::Any,
    };
    let env = KernelEnv::compute(tree, &request).expect("kernel tree has a Makefile");
    let shell = || {
        let mut shell = ShellRunner::new(ShellPolicy::Trusted);
        shell.cache = shells.clone();
        shell
    };
    let plain = xenlint::kconfig::read_tree_with(tree, &env, shell(), None, None);
    let cached = xenlint::kconfig::read_tree_with(tree, &env, shell(), Some(cache.clone()), None);
    assert!(
        plain.errors().next().is_none(),
        "{arch}: {:?}",
        plain.diagnostics
    );
    (plain.dump(), cached.dump())
}

/// The first line where two dumps differ, for the failure message.
fn first_difference(a: &str, b: &str) -> String {
    let (n, (x, y)) = a
        .lines()
        .zip(b.lines())
        .enumerate()
        .find(|(_, (x, y))| x != y)
        .unwrap_or((0, ("", "")));
    format!("line {n}: parsed {x:?}, spliced {y:?}")
}

fn check_version(version: &str) {
    let root = common::tree(version);
    if !root.join("Makefile").exists() {
        let message = format!("linux {version}: {} missing", root.display());
        if common::kernel_required(version) {
            panic!("{message}");
        }
        eprintln!("SKIPPED: {message}");
        return;
    }
    let arches = if common::CI_VERSIONS.contains(&version) {
        common::arches(version)
    } else {
        common::OTHER_ARCHES.iter().map(|a| a.to_string()).collect()
    };
    let version = version.to_string();
    common::with_big_stack(move || {
        let shells = ShellCache::new();
        let cache = SubtreeCache::new();
        let unchanged = Tree {
            dir: DirSource::new(&root),
            replaced: HashMap::new(),
        };
        // A symbol defined early (init/Kconfig, which every arch reads first) and an
        // entry of drivers/net/Kconfig depending on it.
        let init = std::fs::read_to_string(root.join("init/Kconfig")).expect("init/Kconfig");
        let net = std::fs::read_to_string(root.join("drivers/net/Kconfig")).expect("net");
        let net_changed =
            net.replacen("\tdepends on NET\n", "\tdepends on NET && XENLINT_NEW\n", 1);
        assert_ne!(
            net_changed, net,
            "drivers/net/Kconfig has a `depends on NET` line"
        );
        let net = net_changed;
        let changed = Tree {
            dir: DirSource::new(&root),
            replaced: HashMap::from([
                (
                    "init/Kconfig".to_string(),
                    format!("config XENLINT_NEW\n\tbool \"new\"\n\n{init}").into_bytes(),
                ),
                ("drivers/net/Kconfig".to_string(), net.into_bytes()),
            ]),
        };
        let mut failures = Vec::new();
        for arch in &arches {
            for (name, tree) in [("unchanged", &unchanged), ("changed", &changed)] {
                let (plain, cached) = both(tree, arch, &shells, &cache);
                if plain != cached {
                    let at = first_difference(&plain, &cached);
                    failures.push(format!("{version} {arch} {name}: {at}"));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        // Every tree after the first had subtrees to splice.
        let reads = 2 * arches.len() as u64;
        assert!(
            cache.spliced() >= 20 * (reads - 1),
            "{version}: only {} splices in {reads} trees",
            cache.spliced()
        );
    });
}

#[test]
#[ignore = "needs the 6.1 kernel tree: scripts/test.sh extracts it"]
fn linux_6_1_subtrees_spliced_give_the_parsed_model() {
    check_version("6.1");
}

#[test]
#[ignore = "needs the 6.12 kernel tree: scripts/test.sh extracts it"]
fn linux_6_12_subtrees_spliced_give_the_parsed_model() {
    check_version("6.12");
}

#[test]
#[ignore = "needs the 5.10 kernel tree: scripts/fetch-kernel-source.sh 5.10"]
fn linux_5_10_subtrees_spliced_give_the_parsed_model() {
    check_version("5.10");
}

#[test]
#[ignore = "needs the 7.2 kernel tree: scripts/fetch-kernel-source.sh 7.2"]
fn linux_7_2_subtrees_spliced_give_the_parsed_model() {
    check_version("7.2");
}
