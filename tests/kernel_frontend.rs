//! The front end against the kernel: for each tree and arch, xenlint reads exactly the files
//! the kernel's conf read (include/config/auto.conf.cmd after `make defconfig`), sees the
//! same environment, reports no errors, and defines exactly the symbols that the `config`
//! and `menuconfig` lines of those files name.

mod common;

use std::collections::BTreeSet;

use regex::Regex;
use xenlint::kconfig::macros::ShellCache;

fn config_lines(version: &str, files: &[String]) -> BTreeSet<String> {
    let line = Regex::new(r"^\s*(?:config|menuconfig)\s+([A-Za-z0-9_]+)\s*(?:#.*)?$")
        .expect("valid regex");
    let mut names = BTreeSet::new();
    for file in files {
        let bytes = std::fs::read(common::tree(version).join(file))
            .expect("file listed by the kernel exists");
        for text in String::from_utf8_lossy(&bytes).lines() {
            if let Some(caps) = line.captures(text) {
                names.insert(caps[1].to_string());
            }
        }
    }
    names
}

fn check_version(version: &str) {
    let arches = common::arches(version);
    if !common::kernel_available(version, &arches, "defconfig") {
        return;
    }
    let cache = ShellCache::new();
    let mut failures = Vec::new();
    for arch in &arches {
        let (env, model) = common::parse(version, arch, &cache);
        let (mut kernel_files, kernel_env) = common::auto_conf_cmd(version, arch, "defconfig");
        if matches!(version, "5.10" | "6.1") {
            // 5.10's and 6.1's conf keep their file list newest first (file_lookup()
            // prepends).
            kernel_files.reverse();
        }
        let errors: Vec<String> = model.errors().map(|e| e.to_string()).collect();
        if !errors.is_empty() {
            failures.push(format!("{version} {arch}: errors: {errors:?}"));
        }
        if model.files != kernel_files {
            let ours: BTreeSet<_> = model.files.iter().collect();
            let theirs: BTreeSet<_> = kernel_files.iter().collect();
            failures.push(format!(
                "{version} {arch}: files differ: only xenlint {:?}, only kernel {:?}, order differs: {}",
                ours.difference(&theirs).collect::<Vec<_>>(),
                theirs.difference(&ours).collect::<Vec<_>>(),
                ours == theirs
            ));
        }
        if model.env_used != kernel_env {
            failures.push(format!(
                "{version} {arch}: environment differs: xenlint {:?}, kernel {:?}",
                model.env_used, kernel_env
            ));
        }
        let defined: BTreeSet<String> = model
            .defined_symbols()
            .map(|id| model.sym_name(id).to_string())
            .collect();
        let expected = config_lines(version, &kernel_files);
        if defined != expected {
            failures.push(format!(
                "{version} {arch}: symbols differ: only xenlint {:?}, only config lines {:?}",
                defined.difference(&expected).take(10).collect::<Vec<_>>(),
                expected.difference(&defined).take(10).collect::<Vec<_>>()
            ));
        }
        eprintln!(
            "{version} {arch} (KERNELVERSION {}): {} files, {} symbols",
            env.version.kernelversion(),
            model.files.len(),
            defined.len()
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
#[ignore = "needs the kernel trees and references: scripts/test.sh builds them"]
fn linux_6_1_front_end_matches_the_kernel() {
    check_version("6.1");
}

#[test]
#[ignore = "needs the kernel trees and references: scripts/test.sh builds them"]
fn linux_6_12_front_end_matches_the_kernel() {
    check_version("6.12");
}

#[test]
#[ignore = "needs linux-source-5.10 and its references: scripts/fetch-kernel-source.sh 5.10, \
            scripts/kernel-refs.sh -v 5.10 -a \"x86 arm64\""]
fn linux_5_10_front_end_matches_the_kernel() {
    check_version("5.10");
}

#[test]
#[ignore = "needs linux-source-7.2 and its references: scripts/fetch-kernel-source.sh 7.2, \
            scripts/kernel-refs.sh -v 7.2 -a \"x86 arm64\""]
fn linux_7_2_front_end_matches_the_kernel() {
    check_version("7.2");
}

/// `--shell never` reads the real trees: no error, a `.config` written, and nothing run (the
/// only programs on PATH are canaries that would leave a file behind).
fn shell_never_reads(version: &str) {
    use std::os::unix::fs::PermissionsExt as _;
    let arches = common::arches(version);
    if !common::kernel_available(version, &arches, "defconfig") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).expect("bin dir");
    let canary = dir.path().join("ran");
    for tool in [
        "sh", "gcc", "cc", "ld", "as", "pahole", "rustc", "bindgen", "make",
    ] {
        let path = bin.join(tool);
        std::fs::write(
            &path,
            format!("#!/bin/sh\necho {tool} >> {}\n", canary.display()),
        )
        .expect("canary");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let mut failures = Vec::new();
    for arch in &arches {
        let out = dir.path().join(format!("{arch}.config"));
        let run = assert_cmd::cargo::cargo_bin_cmd!("xenlint")
            .env("PATH", &bin)
            .args(["config", "defconfig", "--shell", "never", "--arch", arch])
            .arg("--srctree")
            .arg(common::tree(version))
            .arg("-o")
            .arg(&out)
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&run.stderr);
        let config = std::fs::read_to_string(&out).unwrap_or_default();
        if !run.status.success() || stderr.contains("error") {
            failures.push(format!("{version} {arch}: {:?}: {stderr}", run.status));
        } else if !config.contains("\nCONFIG_GCC_VERSION=0\n") {
            failures.push(format!(
                "{version} {arch}: no CONFIG_GCC_VERSION=0 in the .config"
            ));
        }
    }
    assert!(
        !canary.exists(),
        "a program ran: {:?}",
        std::fs::read_to_string(&canary)
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
#[ignore = "needs the kernel trees and references: scripts/test.sh builds them"]
fn linux_6_1_reads_with_shell_never() {
    shell_never_reads("6.1");
}

#[test]
#[ignore = "needs the kernel trees and references: scripts/test.sh builds them"]
fn linux_6_12_reads_with_shell_never() {
    shell_never_reads("6.12");
}

#[test]
#[ignore = "needs linux-source-5.10 and its references: scripts/fetch-kernel-source.sh 5.10, \
            scripts/kernel-refs.sh -v 5.10 -a \"x86 arm64\""]
fn linux_5_10_reads_with_shell_never() {
    shell_never_reads("5.10");
}

#[test]
#[ignore = "needs linux-source-7.2 and its references: scripts/fetch-kernel-source.sh 7.2, \
            scripts/kernel-refs.sh -v 7.2 -a \"x86 arm64\""]
fn linux_7_2_reads_with_shell_never() {
    shell_never_reads("7.2");
}
