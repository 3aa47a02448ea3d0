//! Arguments are checked before any work: a typo in an arch, a baseline, a fragment, a
//! `.config` or a range is a usage error (exit 2) that names it and lists what exists,
//! never a run that checks nothing and passes.

mod common;

use predicates::prelude::*;

fn series(repo: &std::path::Path, args: &[&str]) -> assert_cmd::assert::Assert {
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["series", "--no-kbuild", "--repo"])
        .arg(repo)
        .args(args)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
}

#[test]
fn an_unknown_arch_is_a_usage_error_listing_the_arches() {
    let repo = common::xen_fixture(true);
    series(repo.path(), &["base..master", "--arch", "nosucharch"])
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("--arch `nosucharch`"))
        .stderr(predicate::str::contains("arches here: arm arm64 x86"));
}

#[test]
fn an_empty_arch_is_a_usage_error() {
    let repo = common::xen_fixture(true);
    series(repo.path(), &["base..master", "--arch="])
        .code(2)
        .stderr(predicate::str::contains("--arch ``"));
}

#[test]
fn a_misspelt_baseline_is_a_usage_error() {
    let repo = common::xen_fixture(true);
    series(
        repo.path(),
        &["base..master", "--baseline", "x86_64_defconfg"],
    )
    .code(2)
    .stderr(predicate::str::contains("--baseline `x86_64_defconfg`"))
    .stderr(predicate::str::contains("allmodconfig"));
}

#[test]
fn a_missing_fragment_is_a_usage_error() {
    let repo = common::xen_fixture(true);
    series(
        repo.path(),
        &["base..master", "--baseline", "defconfig+nosuch.config"],
    )
    .code(2)
    .stderr(predicate::str::contains("no fragment `nosuch.config`"));
}

#[test]
fn a_config_that_is_not_a_config_is_a_usage_error_with_its_line() {
    let repo = common::xen_fixture(true);
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("my.config");
    std::fs::write(&config, "CONFIG_XEN=y\nthis is not a config\n").expect("write");
    series(repo.path(), &["base..master", "--config"])
        .code(2)
        .stderr(predicate::str::contains("--config"));
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["series", "base..master", "--no-kbuild", "--repo"])
        .arg(repo.path())
        .arg("--config")
        .arg(&config)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("my.config:2: not a .config line"));
}

#[test]
fn comma_lists_are_accepted_and_duplicates_folded() {
    let repo = common::xen_fixture(true);
    let out = assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["series", "base..master", "--no-kbuild", "--format", "json"])
        .args(["--arch", "x86,arm64", "--arch", "x86"])
        .args(["--baseline", "defconfig,allnoconfig,defconfig", "--repo"])
        .arg(repo.path())
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        json["coverage"]["arches"],
        serde_json::json!(["x86", "arm64"])
    );
    assert_eq!(
        json["coverage"]["baselines"],
        serde_json::json!(["defconfig", "allnoconfig"])
    );
}

#[test]
fn a_symmetric_range_lints_the_branch_since_the_merge_base() {
    let repo = common::xen_fixture(false);
    let json_of = |range: &str| -> serde_json::Value {
        let out = assert_cmd::cargo::cargo_bin_cmd!("xenlint")
            .args([
                "series",
                range,
                "--no-kbuild",
                "--arch",
                "x86",
                "--format",
                "json",
            ])
            .args(["--fail-on", "never", "--repo"])
            .arg(repo.path())
            .output()
            .expect("runs");
        serde_json::from_slice(&out.stdout).expect("json")
    };
    let two_dots = json_of("base..master");
    let three_dots = json_of("base...master");
    assert_eq!(two_dots["base"], three_dots["base"]);
    assert_eq!(two_dots["commits"], three_dots["commits"]);
    assert!(!two_dots["commits"].as_array().expect("commits").is_empty());
}

#[test]
fn a_bad_side_of_a_range_is_named() {
    let repo = common::xen_fixture(true);
    series(repo.path(), &["nosuch...master"])
        .code(2)
        .stderr(predicate::str::contains("revision `nosuch`"));
}

#[test]
fn config_input_naming_a_missing_file_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = common::xen_fixture(true);
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args([
            "config",
            "olddefconfig",
            "--arch",
            "x86",
            "--shell",
            "never",
        ])
        .arg("--srctree")
        .arg(repo.path())
        .arg("--input")
        .arg(dir.path().join("missing.config"))
        .arg("-o")
        .arg(dir.path().join("out.config"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--input"))
        .stderr(predicate::str::contains("missing.config"));
    assert!(!dir.path().join("out.config").exists());
}

#[test]
fn a_baseline_for_some_arches_is_said_once_with_the_arches_it_skips() {
    let repo = common::xen_fixture(true);
    let out = series(
        repo.path(),
        &["base..master", "--baseline", "x86_64_defconfig,defconfig"],
    )
    .get_output()
    .stdout
    .clone();
    let text = String::from_utf8_lossy(&out);
    let notes: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("does not apply"))
        .collect();
    assert_eq!(
        notes,
        ["note: baseline x86_64_defconfig does not apply to ARCH=arm, ARCH=arm64"],
        "{text}"
    );
}
