//! The resolver against the kernel's conf: for each tree, arch and target, the .config
//! xenlint writes and the messages conf prints must be byte-identical to what
//! `make ARCH=<arch> <target>` produced (references from scripts/kernel-refs.sh).
//! Covers the four standard targets on the CI arches (XENLINT_ARCHES widens it) for the CI
//! versions (6.1, 6.12) and on x86 and arm64 for 5.10 and 7.2 (tarballs from
//! scripts/fetch-kernel-source.sh), olddefconfig of 25 kernel randconfigs for x86 and
//! arm64 (all four versions), and defconfig + xen.config.

mod common;

use xenlint::kconfig::env::KernelEnv;
use xenlint::kconfig::macros::ShellCache;
use xenlint::kconfig::targets::InputFile;
use xenlint::source::DirSource;

const TARGETS: &[&str] = &["defconfig", "allnoconfig", "allyesconfig", "allmodconfig"];

/// Run `cases` (target strings as kernel-refs.sh names them) for one tree and arch;
/// return the failures.
fn check(version: &str, arch: &str, cases: &[String], cache: &ShellCache) -> Vec<String> {
    let (env, model): (KernelEnv, _) = common::parse(version, arch, cache);
    let errors: Vec<String> = model.errors().map(|e| e.to_string()).collect();
    if !errors.is_empty() {
        return vec![format!("{version} {arch}: Kconfig errors {errors:?}")];
    }
    let fin = xenlint::kconfig::finalize::finalize(&model, env.dialect().bool_choices_only());
    let source = DirSource::new(common::tree(version));
    let mut failures = Vec::new();
    for case in cases {
        let reference = common::reference(version, arch, case);
        let (target, fragments, input) = if let Some(_seed) = case.strip_prefix("randconfig") {
            let input =
                std::fs::read(reference.join("randconfig.input")).expect("randconfig.input");
            let file = InputFile {
                name: ".config".to_string(),
                text: input,
            };
            ("olddefconfig".to_string(), Vec::new(), Some(file))
        } else {
            let mut parts = case.split('+').map(String::from);
            let target = parts.next().expect("a target");
            (target, parts.collect::<Vec<_>>(), None)
        };
        let run = match xenlint::kconfig::make_config(
            &source, &env, &model, &fin, &target, &fragments, input,
        ) {
            Ok(run) => run,
            Err(err) => {
                failures.push(format!("{version} {arch} {case}: {err}"));
                continue;
            }
        };
        let want = std::fs::read_to_string(reference.join(".config")).expect("reference .config");
        if run.config != want {
            failures.push(format!(
                "{version} {arch} {case}: .config differs:\n{}",
                common::unified_diff(
                    &want,
                    &run.config,
                    "conf's .config",
                    "xenlint's .config",
                    40
                )
            ));
        }
        let messages = common::kernel_messages(version, arch, case);
        if run.stderr != messages {
            failures.push(format!(
                "{version} {arch} {case}: messages differ:\n{}",
                common::unified_diff(
                    &messages,
                    &run.stderr,
                    "conf's messages",
                    "xenlint's messages",
                    40
                )
            ));
        }
    }
    failures
}

fn run_cases(version: &'static str, arches: Vec<String>, cases: Vec<String>) {
    let all_there = common::kernel_available(version, &arches, &cases[0])
        && cases
            .iter()
            .all(|c| common::kernel_available(version, &arches, c));
    if !all_there {
        return;
    }
    let failures = common::with_big_stack(move || {
        let cache = ShellCache::new();
        let mut failures = Vec::new();
        for arch in &arches {
            failures.extend(check(version, arch, &cases, &cache));
        }
        failures
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn standard_targets() -> Vec<String> {
    TARGETS.iter().map(|t| t.to_string()).collect()
}

fn seeds() -> Vec<String> {
    (1..=25).map(|n| format!("randconfig{n}")).collect()
}

#[test]
#[ignore = "needs the kernel trees and references: scripts/test.sh builds them"]
fn linux_6_1_targets_match_conf() {
    run_cases("6.1", common::arches("6.1"), standard_targets());
}

#[test]
#[ignore = "needs the kernel trees and references: scripts/test.sh builds them"]
fn linux_6_12_targets_match_conf() {
    run_cases("6.12", common::arches("6.12"), standard_targets());
}

#[test]
#[ignore = "needs linux-source-5.10 and its references: scripts/fetch-kernel-source.sh 5.10, \
            scripts/kernel-refs.sh -v 5.10 -a \"x86 arm64\""]
fn linux_5_10_targets_match_conf() {
    run_cases("5.10", common::arches("5.10"), standard_targets());
}

#[test]
#[ignore = "needs linux-source-7.2 and its references: scripts/fetch-kernel-source.sh 7.2, \
            scripts/kernel-refs.sh -v 7.2 -a \"x86 arm64\""]
fn linux_7_2_targets_match_conf() {
    run_cases("7.2", common::arches("7.2"), standard_targets());
}

/// The versions the tests name are those the scripts measure.
#[test]
fn versions_agree_with_the_scripts() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/kernel-versions.sh");
    let text = std::fs::read_to_string(path).expect("scripts/kernel-versions.sh");
    let list = |name: &str| -> Vec<String> {
        let line = text
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("{name}= in {path}"));
        line.trim_matches('"')
            .split_whitespace()
            .map(String::from)
            .collect()
    };
    assert_eq!(list("kernel_versions"), common::VERSIONS);
    assert_eq!(list("ci_kernel_versions"), common::CI_VERSIONS);
}

#[test]
#[ignore = "needs the kernel trees and references: scripts/test.sh builds them"]
fn linux_6_1_randconfigs_match_conf() {
    run_cases("6.1", vec!["x86".into(), "arm64".into()], seeds());
}

#[test]
#[ignore = "needs the kernel trees and references: scripts/test.sh builds them"]
fn linux_6_12_randconfigs_match_conf() {
    run_cases("6.12", vec!["x86".into(), "arm64".into()], seeds());
}

#[test]
#[ignore = "needs linux-source-5.10 and its randconfig references: scripts/fetch-kernel-source.sh \
            5.10, scripts/kernel-refs.sh -v 5.10 -a \"x86 arm64\" -t \"randconfig1 ... randconfig25\""]
fn linux_5_10_randconfigs_match_conf() {
    run_cases("5.10", vec!["x86".into(), "arm64".into()], seeds());
}

#[test]
#[ignore = "needs linux-source-7.2 and its randconfig references: scripts/fetch-kernel-source.sh \
            7.2, scripts/kernel-refs.sh -v 7.2 -a \"x86 arm64\" -t \"randconfig1 ... randconfig25\""]
fn linux_7_2_randconfigs_match_conf() {
    run_cases("7.2", vec!["x86".into(), "arm64".into()], seeds());
}

#[test]
#[ignore = "needs the kernel trees and references: scripts/test.sh builds them"]
fn xen_fragments_match_conf() {
    for version in ["6.1", "6.12"] {
        run_cases(
            version,
            vec!["x86".into()],
            vec!["x86_64_defconfig+xen.config".into()],
        );
        run_cases(
            version,
            vec!["arm64".into()],
            vec!["defconfig+xen.config".into()],
        );
    }
}
