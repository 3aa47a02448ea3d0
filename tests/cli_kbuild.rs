//! `xenlint objects` and `xenlint refs` on the Xen fixture's working tree (its tip), and
//! the note a series gets for a Makefile construct the walk cannot follow.

mod common;

use assert_cmd::Command;
use predicates::prelude::*;

fn xenlint() -> Command {
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
}

#[test]
fn objects_lists_what_the_configuration_builds() {
    let repo = common::xen_fixture(false);
    let out = xenlint()
        .args([
            "objects",
            "defconfig",
            "--arch",
            "x86",
            "--format",
            "json",
            "--srctree",
        ])
        .arg(repo.path())
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let objects = json["objects"].as_array().expect("objects");
    let paths: Vec<&str> = objects
        .iter()
        .map(|o| o["path"].as_str().expect("path"))
        .collect();
    // The fixture's x86_64_defconfig at the tip: XEN, XEN_PV, XEN_PVH, XEN_FRONTEND, the
    // frontends and XEN_BUILD_HYPERVISOR are y; XEN_DOM0 (XEN_PV && SMP) is y, so the
    // backend is built too. Checked by hand against the Kconfig and Kbuild files.
    assert_eq!(
        paths,
        [
            "arch/x86/xen/enlighten.o",
            "arch/x86/xen/enlighten_hvm.o",
            "arch/x86/xen/enlighten_pv.o",
            "arch/x86/xen/enlighten_pvh.o",
            "arch/x86/xen/mmu.o",
            "arch/x86/xen/suspend_hvm.o",
            "drivers/xen/features.o",
            "drivers/xen/grant-table.o",
            "drivers/xen/xen-backend.o",
            "drivers/xen/xen-blkfront.o",
            "drivers/xen/xen-netfront.o",
        ]
    );
    let pvh = &objects[3];
    assert_eq!(pvh["kind"], "built_in");
    assert_eq!(pvh["file"], "arch/x86/Kbuild");
    assert_eq!(pvh["line"], 4);
    assert_eq!(pvh["gates"], serde_json::json!(["XEN_PVH"]));

    xenlint()
        .args(["objects", "allnoconfig", "--arch", "x86", "--srctree"])
        .arg(repo.path())
        .assert()
        .success()
        .stderr(predicate::str::contains("0 objects"));
}

#[test]
fn objects_reports_bad_input_with_status_2() {
    let repo = common::xen_fixture(false);
    xenlint()
        .args([
            "objects",
            "--arch",
            "x86",
            "--config",
            "/nonexistent/.config",
            "--srctree",
        ])
        .arg(repo.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/.config"));
    xenlint()
        .args(["objects", "no_such_defconfig", "--arch", "x86", "--srctree"])
        .arg(repo.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no_such_defconfig"));
}

#[test]
fn refs_finds_the_folded_symbol_left_in_code() {
    let repo = common::xen_fixture(false);
    xenlint()
        .args(["refs", "--srctree"])
        .arg(repo.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "arch/x86/xen/enlighten.c:8: `CONFIG_XEN_PVHVM` is not defined by any Kconfig file (did you mean `CONFIG_XEN_PVH`?)",
        ));
    let clean = common::xen_fixture(true);
    xenlint()
        .args(["refs", "--srctree"])
        .arg(clean.path())
        .assert()
        .success()
        .stderr(predicate::str::contains("0 undefined references"));
    xenlint()
        .args(["refs", "--srctree", "/"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a kernel tree"));
    xenlint()
        .args(["refs", "no/such/dir", "--srctree"])
        .arg(clean.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/dir"));
}

#[test]
fn a_makefile_construct_not_understood_is_noted() {
    let repo = common::xen_fixture(true);
    let git = |args: &[&str]| common::git_ok(repo.path(), args);
    let kbuild = repo.path().join("arch/x86/Kbuild");
    let mut text = std::fs::read_to_string(&kbuild).expect("Kbuild");
    text.push_str("obj-$(shell echo y) += probe.o\n");
    std::fs::write(&kbuild, text).expect("write");
    git(&["commit", "-qam", "x86: probe"]);
    xenlint()
        .args(["series", "base..master", "--arch", "x86", "--repo"])
        .arg(repo.path())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "arch/x86/Kbuild:6: Kbuild construct not understood ($(shell ...))",
        ));
}
