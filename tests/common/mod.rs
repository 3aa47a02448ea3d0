//! Shared helpers for the tests that compare xenlint with the kernel's own tools.
//!
//! The kernel trees and the reference outputs come from scripts/kernel-refs.sh (run by
//! scripts/test.sh and .ci/run for the CI versions; the other versions' tarballs come from
//! scripts/fetch-kernel-source.sh). The tests that need them are `#[ignore]`d, so a plain
//! `cargo test` lists them as ignored; scripts/test.sh runs them with `--include-ignored`
//! and XENLINT_REQUIRE_KERNEL=1, under which missing material of a CI version fails the
//! test (`XENLINT_REQUIRE_KERNEL=all`, or a list of versions, requires the others too).
//! Otherwise a test whose material is missing says why on standard error and returns.

#![allow(dead_code)]

pub mod kconfig_cases;

use std::path::PathBuf;

use xenlint::kconfig::env::{EnvRequest, KernelEnv};
use xenlint::kconfig::macros::{ShellCache, ShellPolicy, ShellRunner};
use xenlint::kconfig::model::Model;
use xenlint::source::DirSource;

/// A tiny kernel-shaped tree: a Makefile with version lines, `arch/x86/Kconfig` defining
/// X86, and `files` (path, contents) beside them.
pub fn tiny_tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut all: Vec<(&str, &[u8])> = vec![
        (
            "Makefile",
            b"VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\nEXTRAVERSION =\n",
        ),
        ("arch/x86/Kconfig", b"config X86\n\tdef_bool y\n"),
    ];
    all.extend_from_slice(files);
    for (path, text) in all {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("has parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }
    dir
}

/// The kernel versions measured, as scripts/kernel-versions.sh lists them (a test checks).
pub const VERSIONS: &[&str] = &["5.10", "6.1", "6.12", "7.2"];
/// The versions CI provisions (the machine's own apt sources carry them): their material
/// must be there under XENLINT_REQUIRE_KERNEL=1. The others come from
/// scripts/fetch-kernel-source.sh and are required only when XENLINT_REQUIRE_KERNEL is
/// `all` or names them (`XENLINT_REQUIRE_KERNEL="5.10 7.2"`).
pub const CI_VERSIONS: &[&str] = &["6.1", "6.12"];
/// The arches every test run covers for a CI version; XENLINT_ARCHES=all (or a list)
/// widens it.
pub const CI_ARCHES: &[&str] = &["x86", "arm64", "arm", "riscv", "powerpc", "s390", "mips"];
/// The arches the other versions are measured on (their references are built for these).
pub const OTHER_ARCHES: &[&str] = &["x86", "arm64"];

pub fn kernels_dir() -> PathBuf {
    std::env::var_os("XENLINT_KERNELS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/xenlint-kernels"))
}

pub fn tree(version: &str) -> PathBuf {
    kernels_dir().join(format!("linux-source-{version}"))
}

pub fn reference(version: &str, arch: &str, target: &str) -> PathBuf {
    kernels_dir()
        .join("refs")
        .join(version)
        .join(arch)
        .join(target)
}

/// Whether XENLINT_REQUIRE_KERNEL makes missing material for `version` a failure: for the
/// CI versions when it is set at all, for the others when it is `all` or lists them.
pub fn kernel_required(version: &str) -> bool {
    match std::env::var("XENLINT_REQUIRE_KERNEL") {
        Err(_) => false,
        Ok(value) => {
            CI_VERSIONS.contains(&version)
                || value == "all"
                || value.split_whitespace().any(|v| v == version)
        }
    }
}

/// How to make the material of `version`.
fn how_to_build(version: &str) -> String {
    if CI_VERSIONS.contains(&version) {
        "scripts/test.sh builds it".to_string()
    } else {
        format!(
            "scripts/fetch-kernel-source.sh {version} && \
             scripts/kernel-refs.sh -v {version} -a \"{}\" builds it",
            OTHER_ARCHES.join(" ")
        )
    }
}

/// True when the kernel material is there; otherwise explains, and fails when
/// `kernel_required(version)`.
pub fn kernel_available(version: &str, arches: &[String], target: &str) -> bool {
    let mut missing = Vec::new();
    if !tree(version).join("Makefile").exists() {
        missing.push(tree(version).display().to_string());
    }
    for arch in arches {
        let done = reference(version, arch, target).join(".done");
        if !done.exists() {
            missing.push(done.display().to_string());
        }
    }
    if missing.is_empty() {
        return true;
    }
    let message = format!(
        "linux {version}: kernel reference material missing ({}): {}",
        how_to_build(version),
        missing.join(", ")
    );
    if kernel_required(version) {
        panic!("{message}");
    }
    eprintln!("SKIPPED: {message}");
    false
}

/// True when the external client `program` runs (`program args...` succeeds); otherwise
/// explains, and fails under XENLINT_REQUIRE_CLIENTS (set by scripts/test.sh and CI).
/// Where scripts/install-clients.sh puts the clients: npm's under it, PyPI's in venv/.
pub fn clients_dir() -> PathBuf {
    std::env::var_os("XENLINT_CLIENTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/xenlint-clients"))
}

/// A client program: the one scripts/install-clients.sh installed, else the one on PATH.
pub fn client(program: &str) -> PathBuf {
    let installed = clients_dir().join("venv/bin").join(program);
    if installed.exists() {
        installed
    } else {
        PathBuf::from(program)
    }
}

pub fn client_available(program: &str, args: &[&str], install: &str) -> bool {
    let runs = std::process::Command::new(client(program))
        .args(args)
        .output()
        .is_ok_and(|out| out.status.success());
    if runs {
        return true;
    }
    let message = format!("{program} is not installed ({install})");
    if std::env::var_os("XENLINT_REQUIRE_CLIENTS").is_some() {
        panic!("{message}");
    }
    eprintln!("SKIPPED: {message}");
    false
}

/// The arches to test for `version`: CI_ARCHES (OTHER_ARCHES for a version CI does not
/// provision), or XENLINT_ARCHES (`all` or a list).
pub fn arches(version: &str) -> Vec<String> {
    match std::env::var("XENLINT_ARCHES") {
        Ok(list) if list == "all" => {
            let mut all: Vec<String> = std::fs::read_dir(tree(version).join("arch"))
                .map(|entries| {
                    entries
                        .flatten()
                        .filter(|e| e.path().join("Kconfig").exists())
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            all.sort();
            all
        }
        Ok(list) if !list.is_empty() => list.split_whitespace().map(String::from).collect(),
        _ if CI_VERSIONS.contains(&version) => CI_ARCHES.iter().map(|s| s.to_string()).collect(),
        _ => OTHER_ARCHES.iter().map(|s| s.to_string()).collect(),
    }
}

/// Read a tree's Kconfig for `arch` the way `make ARCH=<arch>` does on this machine.
pub fn parse(version: &str, arch: &str, cache: &ShellCache) -> (KernelEnv, Model) {
    let root = tree(version);
    let source = DirSource::new(&root);
    let request = EnvRequest {
        arch: Some(arch.to_string()),
        srctree: root.display().to_string(),
        overrides: Vec::new(),
        untrusted: false,
        tools: xenlint::exec::ToolTrust::Any,
    };
    let env = KernelEnv::compute(&source, &request).expect("kernel tree has a Makefile");
    let mut shell = ShellRunner::new(ShellPolicy::Trusted);
    shell.cache = cache.clone();
    let model = xenlint::kconfig::read_tree(&source, &env, shell);
    (env, model)
}

/// `deps_config` and the environment checks of include/config/auto.conf.cmd.
pub fn auto_conf_cmd(
    version: &str,
    arch: &str,
    target: &str,
) -> (Vec<String>, Vec<(String, String)>) {
    let path = reference(version, arch, target).join("include/config/auto.conf.cmd");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut files = Vec::new();
    let mut env = Vec::new();
    let mut in_deps = false;
    for line in text.lines() {
        if line.starts_with("deps_config := \\") {
            in_deps = true;
            continue;
        }
        if in_deps {
            let name = line.trim().trim_end_matches('\\').trim();
            if name.is_empty() {
                in_deps = false;
            } else {
                files.push(name.to_string());
            }
            continue;
        }
        // ifneq "$(NAME)" "value"
        if let Some(rest) = line.strip_prefix("ifneq \"$(") {
            if let Some((name, value)) = rest.split_once(")\" \"") {
                env.push((name.to_string(), value.trim_end_matches('"').to_string()));
            }
        }
    }
    (files, env)
}

/// Run `f` on a thread with room for conf-style recursion (dependency chains are deep).
pub fn with_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(f)
        .expect("spawn test worker")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
}

/// The kernel's standard error for a reference run, less what the arch Makefiles' own
/// compiler probes print (those lines do not come from conf).
pub fn kernel_messages(version: &str, arch: &str, target: &str) -> String {
    let path = reference(version, arch, target).join("make.err");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.split_inclusive('\n')
        .filter(|l| !l.starts_with("gcc: "))
        .collect()
}

/// Build a fixture repository with `testrepos/<script> <args...> DIR`.
pub fn fixture(script: &str, args: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testrepos")
        .join(script);
    let status = std::process::Command::new("bash")
        .arg(path)
        .args(args)
        .arg(dir.path())
        .status()
        .expect("bash runs");
    assert!(status.success(), "testrepos/{script} {args:?} failed");
    dir
}

/// The Xen rework fixture (testrepos/xen-rework.sh), broken or clean.
pub fn xen_fixture(clean: bool) -> tempfile::TempDir {
    fixture("xen-rework.sh", if clean { &["--clean"] } else { &[] })
}

/// `git rev-parse SPEC` in `dir`.
pub fn rev(dir: &std::path::Path, spec: &str) -> String {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", spec])
        .output()
        .expect("git runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Run `git ARGS` in `dir` as a fixed test author; the command must succeed.
pub fn git_ok(dir: &std::path::Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=A", "-c", "user.email=a@example.org"])
        .args(args)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?} failed");
}

/// A unified diff of `want` (the kernel's) against `got` (xenlint's), three lines of
/// context, at most `limit` lines: what a failing conformance test shows.
#[allow(dead_code)]
pub fn unified_diff(
    want: &str,
    got: &str,
    want_name: &str,
    got_name: &str,
    limit: usize,
) -> String {
    let diff = similar::TextDiff::from_lines(want, got)
        .unified_diff()
        .context_radius(3)
        .header(want_name, got_name)
        .to_string();
    let mut lines: Vec<&str> = diff.lines().collect();
    if lines.len() > limit {
        let more = lines.len() - limit;
        lines.truncate(limit);
        return format!("{}\n... {more} more lines", lines.join("\n"));
    }
    lines.join("\n")
}

/// The findings with every commit id replaced by its position in the series (`#0` is the
/// base), so that a series made from mail compares with the branch it was posted from.
pub fn findings_by_position(json: &serde_json::Value) -> Vec<String> {
    let mut ids = std::collections::BTreeMap::new();
    if let Some(base) = json["base"]["commit"].as_str() {
        ids.insert(base.to_string(), "#0".to_string());
    }
    for (i, c) in json["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .enumerate()
    {
        ids.insert(
            c["commit"].as_str().expect("id").to_string(),
            format!("#{}", i + 1),
        );
    }
    let mut text: Vec<String> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f.to_string())
        .collect();
    for line in &mut text {
        for (id, name) in &ids {
            *line = line.replace(id.as_str(), name).replace(&id[..12], name);
        }
    }
    text.sort();
    text
}

/// Every file under `dir/.git` with its bytes, by path relative to `dir`.
pub fn git_snapshot(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(
        root: &std::path::Path,
        dir: &std::path::Path,
        out: &mut std::collections::BTreeMap<String, Vec<u8>>,
    ) {
        for entry in std::fs::read_dir(dir).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let bytes = std::fs::read(&path).expect("readable file");
                out.insert(
                    path.strip_prefix(root)
                        .expect("under root")
                        .display()
                        .to_string(),
                    bytes,
                );
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, &dir.join(".git"), &mut out);
    out
}
