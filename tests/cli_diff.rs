//! `xenlint diff A B` on the Xen fixture (testrepos/xen-rework.sh): diffconfig's lines,
//! a header per comparison when there are several, the JSON schema, nothing when nothing
//! differs, and usage errors (exit 2) that name the bad argument.

mod common;

use predicates::prelude::*;

fn diff(repo: &std::path::Path, args: &[&str]) -> assert_cmd::assert::Assert {
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .arg("diff")
        .args(args)
        .arg("--repo")
        .arg(repo)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
}

/// The rework on x86: XEN_PVHVM folded into the new XEN_FRONTEND, XEN_BUILD_HYPERVISOR
/// added at the end.
const X86_DEFCONFIG: &str = "-XEN_PVHVM y\n+XEN_BUILD_HYPERVISOR y\n+XEN_FRONTEND y\n";

#[test]
fn one_comparison_prints_diffconfig_lines_alone() {
    let repo = common::xen_fixture(false);
    diff(
        repo.path(),
        &["base", "master", "--arch", "x86", "--baseline", "defconfig"],
    )
    .code(0)
    .stdout(X86_DEFCONFIG)
    .stderr("");
}

#[test]
fn several_comparisons_each_get_a_header() {
    let repo = common::xen_fixture(false);
    diff(
        repo.path(),
        &[
            "base",
            "master",
            "--arch",
            "x86,arm64",
            "--baseline",
            "defconfig,allnoconfig",
        ],
    )
    .code(0)
    .stdout(format!(
        "ARCH=x86 defconfig:\n{X86_DEFCONFIG}\nARCH=x86 allnoconfig:\n\n\
         ARCH=arm64 defconfig:\n+XEN_FRONTEND y\n\nARCH=arm64 allnoconfig:\n"
    ));
}

#[test]
fn changed_values_show_old_and_new() {
    // A commit on top that turns XEN_FRONTEND off by default: its value changes, and the
    // frontends and XEN_PVH, which depend on it, leave the configuration.
    let repo = common::xen_fixture(false);
    let kconfig = repo.path().join("drivers/xen/Kconfig");
    let text = std::fs::read_to_string(&kconfig).expect("read");
    let before = "\tbool \"Xen frontend drivers\"\n\tdefault y\n";
    assert_eq!(text.matches(before).count(), 1);
    std::fs::write(
        &kconfig,
        text.replace(before, "\tbool \"Xen frontend drivers\"\n\tdefault n\n"),
    )
    .expect("write");
    common::git_ok(
        repo.path(),
        &["commit", "-qam", "xen: frontends off by default"],
    );
    diff(
        repo.path(),
        &[
            "master~1",
            "master",
            "--arch",
            "x86",
            "--baseline",
            "defconfig",
        ],
    )
    .code(0)
    .stdout("-XEN_BLKDEV_FRONTEND y\n-XEN_NETDEV_FRONTEND y\n-XEN_PVH y\n XEN_FRONTEND y -> n\n");
}

#[test]
fn json_lists_removed_added_and_changed() {
    let repo = common::xen_fixture(false);
    let out = assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args([
            "diff",
            "base",
            "master",
            "--arch",
            "x86",
            "--baseline",
            "defconfig",
        ])
        .args(["--format", "json", "--repo"])
        .arg(repo.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["version"], 1);
    assert_eq!(json["old"]["rev"], "base");
    assert_eq!(json["old"]["commit"], common::rev(repo.path(), "base"));
    assert_eq!(json["new"]["rev"], "master");
    assert_eq!(json["new"]["commit"], common::rev(repo.path(), "master"));
    assert_eq!(json["notes"], serde_json::json!([]));
    assert_eq!(
        json["configs"],
        serde_json::json!([{
            "arch": "x86",
            "baseline": "defconfig",
            "removed": [{"symbol": "XEN_PVHVM", "old": "y", "new": null}],
            "added": [
                {"symbol": "XEN_BUILD_HYPERVISOR", "old": null, "new": "y"},
                {"symbol": "XEN_FRONTEND", "old": null, "new": "y"}
            ],
            "changed": []
        }])
    );
}

#[test]
fn no_difference_prints_nothing_and_succeeds() {
    let repo = common::xen_fixture(false);
    // The same commit, and a commit that only rewords help texts.
    diff(
        repo.path(),
        &["base", "base", "--arch", "x86", "--baseline", "defconfig"],
    )
    .code(0)
    .stdout("");
    diff(
        repo.path(),
        &[
            "master~3",
            "master~2",
            "--arch",
            "x86",
            "--baseline",
            "defconfig",
        ],
    )
    .code(0)
    .stdout("");
    let out = assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["diff", "master~3", "master~2", "--arch", "arm64"])
        .args(["--format", "json", "--repo"])
        .arg(repo.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    // The default baselines, each with empty lists.
    let configs = json["configs"].as_array().expect("configs");
    let baselines: Vec<&str> = configs
        .iter()
        .map(|c| c["baseline"].as_str().expect("baseline"))
        .collect();
    assert_eq!(baselines, ["defconfig", "allnoconfig", "allmodconfig"]);
    for config in configs {
        for list in ["removed", "added", "changed"] {
            assert_eq!(config[list], serde_json::json!([]));
        }
    }
}

#[test]
fn the_repository_is_left_as_it_was() {
    let repo = common::xen_fixture(false);
    let state = || {
        let git = |args: &[&str]| {
            let out = std::process::Command::new("git")
                .arg("-C")
                .arg(repo.path())
                .args(args)
                .output()
                .expect("git runs");
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        (
            git(&["for-each-ref"]),
            git(&["status", "--porcelain", "--ignored"]),
            std::fs::read(repo.path().join(".git/index")).expect("index"),
        )
    };
    let before = state();
    diff(repo.path(), &["base", "master", "--arch", "x86"]).code(0);
    assert!(before == state(), "xenlint diff changed the repository");
}

#[test]
fn a_bad_revision_is_a_usage_error_naming_it() {
    let repo = common::xen_fixture(true);
    diff(repo.path(), &["nosuch", "master"])
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("revision `nosuch`"));
    diff(repo.path(), &["base", "master~99"])
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("revision `master~99`"));
}

#[test]
fn a_bad_arch_or_baseline_is_a_usage_error_naming_it() {
    let repo = common::xen_fixture(true);
    diff(repo.path(), &["base", "master", "--arch", "nosucharch"])
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("--arch `nosucharch`"))
        .stderr(predicate::str::contains(
            "`base` has no arch/nosucharch/Kconfig",
        ))
        .stderr(predicate::str::contains("arches here: arm arm64 x86"));
    diff(
        repo.path(),
        &["base", "master", "--baseline", "x86_64_defconfg"],
    )
    .code(2)
    .stderr(predicate::str::contains("--baseline `x86_64_defconfg`"));
    diff(
        repo.path(),
        &["base", "master", "--baseline", "defconfig+nosuch.config"],
    )
    .code(2)
    .stderr(predicate::str::contains("no fragment `nosuch.config`"));
    diff(
        repo.path(),
        &["base", "master", "--make-var", "CROSS_COMPILE"],
    )
    .code(2)
    .stderr(predicate::str::contains(
        "`CROSS_COMPILE`: expected VAR=VALUE",
    ));
}

#[test]
fn bad_usage_is_refused_by_the_parser() {
    let repo = common::xen_fixture(true);
    diff(repo.path(), &["base", "master", "--format", "yaml"])
        .code(2)
        .stderr(predicate::str::contains("--format"));
    diff(repo.path(), &["base"])
        .code(2)
        .stderr(predicate::str::contains("<B>"));
    let not_a_repo = tempfile::tempdir().expect("tempdir");
    diff(not_a_repo.path(), &["base", "master"])
        .code(2)
        .stderr(predicate::str::contains("not in a git repository"));
}

#[test]
fn help_teaches_with_examples() {
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["diff", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "xenlint diff v6.1 v6.12 --arch x86 --baseline defconfig",
        ))
        .stdout(predicate::str::contains("ARCH=x86 defconfig:"))
        .stdout(predicate::str::contains(" SYM old -> new"));
}
