//! `xenlint why` on the real 6.12 tree: the decision and the file:line behind it.

mod common;

use predicates::prelude::*;

fn why(symbol: &str) -> Option<assert_cmd::assert::Assert> {
    if !common::kernel_available("6.12", &["x86".to_string()], "defconfig") {
        return None;
    }
    Some(
        assert_cmd::cargo::cargo_bin_cmd!("xenlint")
            .args([
                "why",
                symbol,
                "--arch",
                "x86",
                "--target",
                "x86_64_defconfig",
                "--srctree",
            ])
            .arg(common::tree("6.12"))
            .assert(),
    )
}

#[test]
#[ignore = "needs the 6.12 kernel tree: scripts/test.sh extracts it"]
fn a_symbol_off_for_its_dependencies() {
    let Some(a) = why("XEN_PVH") else { return };
    a.success()
        .stdout(predicate::str::contains("CONFIG_XEN_PVH=n"))
        .stdout(predicate::str::contains(
            "decided by: its dependencies are not met",
        ))
        .stdout(predicate::str::contains(
            "defined at arch/x86/xen/Kconfig:80",
        ))
        .stdout(predicate::str::contains("XEN [=n] && XEN_PVHVM [=n]"));
}

#[test]
#[ignore = "needs the 6.12 kernel tree: scripts/test.sh extracts it"]
fn a_symbol_from_a_default() {
    let Some(a) = why("CONFIG_X86_64") else {
        return;
    };
    a.success()
        .stdout(predicate::str::contains("CONFIG_X86_64=y"))
        .stdout(predicate::str::contains(
            "decided by: the default at arch/x86/Kconfig:25",
        ));
}

#[test]
#[ignore = "needs the 6.12 kernel tree: scripts/test.sh extracts it"]
fn an_undefined_symbol() {
    let Some(a) = why("HAVE_KVM") else { return };
    a.success()
        .stdout(predicate::str::contains("not defined for this arch"));
}
