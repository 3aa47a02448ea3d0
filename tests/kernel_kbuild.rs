//! The Kbuild reader against Kbuild itself: for each case, the objects `xenlint objects`
//! lists for the kernel's own .config must be exactly the objects `make prepare` and
//! `make -n vmlinux modules` compile for the kernel (references from
//! scripts/kbuild-refs.sh: every `-c -o path.o` command carrying -nostdinc).

mod common;

use std::collections::BTreeSet;

use xenlint::kbuild::objects::{config_values, objects, Request};
use xenlint::source::DirSource;

/// The cases the test suite runs for the CI versions (scripts/test.sh builds their
/// references). Cases for other arches need cross compilers and are run by
/// scripts/kbuild-conformance.sh (scripts/kbuild-cases lists them all).
const CASES: &[(&str, &str, &str)] = &[
    ("6.12", "x86", "x86_64_defconfig"),
    ("6.1", "x86", "x86_64_defconfig"),
    ("6.12", "x86", "allmodconfig"),
    ("6.1", "x86", "allmodconfig"),
    ("6.12", "x86", "allnoconfig"),
];

/// The cases of the versions scripts/fetch-kernel-source.sh fetches: required where
/// `common::kernel_required` says (scripts/test.sh builds their references when the fetch
/// succeeded).
const FETCHED_CASES: &[(&str, &str, &str)] = &[
    ("7.2", "x86", "x86_64_defconfig"),
    ("7.2", "x86", "allmodconfig"),
];

fn check(version: &str, arch: &str, target: &str) -> Option<String> {
    let reference = common::kernels_dir()
        .join("kbuild")
        .join(version)
        .join(arch)
        .join(target);
    if !reference.join(".done").exists() || !common::tree(version).join("Makefile").exists() {
        let message = format!(
            "{} missing (run scripts/kbuild-refs.sh {version}:{arch}:{target})",
            reference.display()
        );
        if common::kernel_required(version) {
            return Some(message);
        }
        eprintln!("SKIPPED: {message}");
        return None;
    }
    let dot_config = std::fs::read_to_string(reference.join(".config")).expect(".config");
    let want: BTreeSet<String> = std::fs::read_to_string(reference.join("objects.txt"))
        .expect("objects.txt")
        .lines()
        .map(String::from)
        .collect();
    let source = DirSource::new(common::tree(version));
    let values = config_values(&dot_config);
    let srcarch = xenlint::kconfig::env::srcarch_of(arch);
    let set = objects(
        &source,
        &Request {
            arch,
            srcarch,
            config: &values,
        },
    );
    let got: BTreeSet<String> = set.objects.keys().map(|p| p.to_string()).collect();
    assert!(
        want.len() > 500,
        "{version} {arch} {target}: reference too small"
    );
    if got == want {
        eprintln!(
            "{version} {arch} {target}: {} objects, identical",
            got.len()
        );
        return None;
    }
    let only_kbuild: Vec<_> = want.difference(&got).take(10).collect();
    let only_ours: Vec<_> = got.difference(&want).take(10).collect();
    Some(format!(
        "{version} {arch} {target}: kbuild {} objects, xenlint {}; only kbuild: {only_kbuild:?}; only xenlint: {only_ours:?}",
        want.len(),
        got.len()
    ))
}

#[test]
#[ignore = "needs the kernel trees and Kbuild references: scripts/test.sh builds them"]
fn object_sets_equal_kbuilds_compile_commands() {
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|(v, a, t)| check(v, a, t))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
#[ignore = "needs linux-source-7.2 and its Kbuild references: scripts/fetch-kernel-source.sh 7.2, \
            scripts/kbuild-refs.sh 7.2:x86:x86_64_defconfig 7.2:x86:allmodconfig"]
fn fetched_versions_object_sets_equal_kbuilds_compile_commands() {
    let failures: Vec<String> = FETCHED_CASES
        .iter()
        .filter_map(|(v, a, t)| check(v, a, t))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
#[ignore = "needs the kernel trees and Kbuild references: scripts/test.sh builds them"]
fn every_object_names_the_makefile_line_that_brought_it_in() {
    let (version, arch, target) = CASES[2];
    let reference = common::kernels_dir()
        .join("kbuild")
        .join(version)
        .join(arch)
        .join(target);
    if !reference.join(".done").exists() {
        if std::env::var_os("XENLINT_REQUIRE_KERNEL").is_some() {
            panic!(
                "{} missing (run scripts/kbuild-refs.sh)",
                reference.display()
            );
        }
        eprintln!("SKIPPED: {} missing", reference.display());
        return;
    }
    let dot_config = std::fs::read_to_string(reference.join(".config")).expect(".config");
    let values = config_values(&dot_config);
    let source = DirSource::new(common::tree(version));
    let set = objects(
        &source,
        &Request {
            arch,
            srcarch: "x86",
            config: &values,
        },
    );
    // Spot checks against the tree's Makefiles, by hand.
    let xen = &set.objects["arch/x86/xen/enlighten.o"];
    assert_eq!((xen.file.as_str(), xen.line), ("arch/x86/xen/Makefile", 14));
    assert!(xen.gates.contains(&"XEN".to_string()), "{:?}", xen.gates);
    let zstd = &set.objects["lib/zstd/common/debug.o"];
    assert_eq!((zstd.file.as_str(), zstd.line), ("lib/zstd/Makefile", 37));
    let module = set
        .objects
        .values()
        .filter(|o| o.kind == xenlint::kbuild::objects::Kind::Module)
        .count();
    assert!(module > 0);
    for (path, object) in &set.objects {
        assert!(
            !object.file.is_empty() && object.line > 0,
            "{path} has no Makefile line"
        );
    }
}
