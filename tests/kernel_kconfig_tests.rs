//! The kernel's own Kconfig test cases (scripts/kconfig/tests), read from the installed
//! 6.12 tree rather than the vendored copy that tests/kconfig_cases.rs runs: the checks
//! of the cases' __init__.py files, one test each (tests/common/kconfig_cases.rs). This
//! catches a vendored case drifting from the tree the conformance tests use.

mod common;

use std::path::PathBuf;

fn tree_cases() -> Option<PathBuf> {
    let dir = common::tree("6.12").join("scripts/kconfig/tests");
    if dir.is_dir() {
        return Some(dir);
    }
    let message = format!("{} missing (scripts/test.sh extracts it)", dir.display());
    if std::env::var_os("XENLINT_REQUIRE_KERNEL").is_some() {
        panic!("{message}");
    }
    eprintln!("SKIPPED: {message}");
    None
}

common::kconfig_cases::kconfig_case_tests!(
    #[ignore = "needs the 6.12 kernel tree: scripts/test.sh extracts it"]
    cases: tree_cases()
);
