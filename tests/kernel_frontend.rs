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
        if version == "6.1" {
            // 6.1's conf keeps its file list newest first (file_lookup() prepends).
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
