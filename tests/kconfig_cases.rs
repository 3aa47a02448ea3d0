//! The kernel's own Kconfig test cases, vendored from Linux 6.12's scripts/kconfig/tests
//! into tests/kconfig-cases (see its README), run through xenlint with no kernel tree:
//! one test per check of the cases' __init__.py files.

mod common;

use std::path::PathBuf;

fn vendored() -> Option<PathBuf> {
    Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/kconfig-cases"))
}

common::kconfig_cases::kconfig_case_tests!(cases: vendored());
