//! Hostile Kbuild and Kconfig lines end in a record naming the file and line, never in a
//! hang or an allocation of gigabytes: a directory naming itself or leaving the tree, a
//! variable referencing itself, variables doubled forty times (make and Kconfig macros).
//! Each case is one commit on the clean Xen fixture, run through `xenlint series` with a
//! timeout.

mod common;

use predicates::prelude::*;
use std::time::Duration;

/// The clean Xen fixture with one more commit appending `text` to `file`.
fn series_with(file: &str, text: &str) -> (tempfile::TempDir, String) {
    let repo = common::xen_fixture(true);
    let path = repo.path().join(file);
    let mut old = std::fs::read_to_string(&path).expect("fixture file");
    old.push_str(text);
    std::fs::write(&path, old).expect("write");
    common::git_ok(repo.path(), &["commit", "-qam", "hostile line"]);
    let head = common::rev(repo.path(), "HEAD");
    (repo, head[..12].to_string())
}

fn series(repo: &tempfile::TempDir) -> assert_cmd::assert::Assert {
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["series", "base..master", "--arch", "x86", "--repo"])
        .arg(repo.path())
        .timeout(Duration::from_secs(20))
        .assert()
}

/// A Kbuild record is a note at the commit that brings it: the walk goes on, the run
/// succeeds.
fn kbuild_note(file: &str, text: &str, at: &str, construct: &str) {
    let (repo, head) = series_with(file, text);
    series(&repo)
        .success()
        .stdout(predicate::str::contains(format!(
            "at {head}: {at}: Kbuild construct not understood ({construct})"
        )));
}

fn doubling(op: &str, first: &str) -> String {
    let mut text = format!("A0 {op} {first}\n");
    for i in 1..=40 {
        text.push_str(&format!("A{i} {op} $(A{})$(A{})\n", i - 1, i - 1));
    }
    text
}

#[test]
fn a_directory_naming_itself_is_entered_once() {
    kbuild_note(
        "drivers/xen/Makefile",
        "obj-y += ./\n",
        "drivers/xen/Makefile:5",
        "directory `./` is `drivers/xen`, already entered: a cycle",
    );
}

#[test]
fn a_directory_reached_through_dot_dot_is_entered_once() {
    kbuild_note(
        "drivers/xen/Makefile",
        "obj-y += ../xen/\n",
        "drivers/xen/Makefile:5",
        "directory `../xen/` is `drivers/xen`, already entered: a cycle",
    );
    kbuild_note(
        "drivers/xen/Makefile",
        "subdir-y += .\n",
        "drivers/xen/Makefile:5",
        "directory `.` is `drivers/xen`, already entered: a cycle",
    );
}

#[test]
fn a_directory_outside_the_tree_is_not_entered() {
    kbuild_note(
        "drivers/xen/Makefile",
        "obj-y += ../../../\n",
        "drivers/xen/Makefile:5",
        "directory `../../../` outside the tree, not entered",
    );
}

#[test]
fn a_make_variable_referencing_itself() {
    kbuild_note(
        "drivers/xen/Makefile",
        "X = $(X)$(X)\nobj-y += $(X)\n",
        "drivers/xen/Makefile:6",
        "*** Recursive variable 'X' references itself (eventually).  Stop.",
    );
}

#[test]
fn a_make_function_recursing_inside_nested_references() {
    // Each call of f opens 8,000 references before it calls f again: 512,000 nested at
    // the 64 calls allowed, which overflowed the stack (32 KB of Makefile). The
    // fixture's Makefile has 4 lines.
    let body = format!("{}$(call f){}", "$(a".repeat(8000), ")".repeat(8000));
    kbuild_note(
        "drivers/xen/Makefile",
        &format!("f = {body}\nobj-y += $(call f)\n"),
        "drivers/xen/Makefile:6",
        "expansion nested deeper than 10000 references",
    );
}

#[test]
fn make_variables_doubled_forty_times() {
    // `:=` builds each value: A18 (786 KB) fits, A19 does not (line 4 + 20).
    let mut simple = doubling(":=", "x.o");
    simple.push_str("obj-y += $(A40)\n");
    kbuild_note(
        "drivers/xen/Makefile",
        &simple,
        "drivers/xen/Makefile:24",
        "expansion larger than 1048576 bytes, taken as empty",
    );
    // `=` builds nothing until obj-y is expanded, on its line.
    let mut recursive = doubling("=", "x.o");
    recursive.push_str("obj-y += $(A40)\n");
    kbuild_note(
        "drivers/xen/Makefile",
        &recursive,
        "drivers/xen/Makefile:46",
        "expansion budget of 4194304 units spent: the rest of this evaluation expands to nothing",
    );
}

#[test]
fn kconfig_macros_doubled_forty_times() {
    // The fixture's Kconfig file has 27 lines: A21 (2 MiB) is on line 49.
    let (repo, _) = series_with("arch/x86/xen/Kconfig", &doubling(":=", "x"));
    series(&repo)
        .code(1)
        .stdout(predicate::str::contains(
            "error[XL0002]: kconfig-error: Kconfig error at arch/x86/xen/Kconfig:49: expansion larger than 1048576 bytes, taken as empty",
        ));
    let (repo, _) = series_with("arch/x86/xen/Kconfig", &doubling("=", "x"));
    std::fs::write(
        repo.path().join("arch/x86/xen/Kconfig.big"),
        "config BIG\n\tstring\n\tdefault \"$(A40)\"\n",
    )
    .expect("write");
    let kconfig = repo.path().join("arch/x86/xen/Kconfig");
    let mut text = std::fs::read_to_string(&kconfig).expect("Kconfig");
    text.push_str("source \"arch/x86/xen/Kconfig.big\"\n");
    std::fs::write(&kconfig, text).expect("write");
    common::git_ok(repo.path(), &["add", "-A"]);
    common::git_ok(repo.path(), &["commit", "-qm", "use A40"]);
    // `=` builds nothing before A40 is used; A20 alone takes 2^21 references.
    series(&repo).code(1).stdout(predicate::str::contains(
        "Kconfig error at arch/x86/xen/Kconfig.big:3: expansion budget of 1048576 references spent",
    ));
}

#[test]
fn kconfig_macro_recursing_inside_nested_references() {
    // Each call of f opens 300 references before it calls f again: 300,000 references
    // nested in one another before f alone is too deep, which overflowed the stack
    // (1.2 KB of Kconfig). The fixture's Kconfig file has 27 lines.
    let body = format!("{}$(f,x){}", "$(a".repeat(300), ")".repeat(300));
    let text = format!("f = {body}\nconfig HOSTILE\n\tdef_bool $(f,x)\n");
    let (repo, _) = series_with("arch/x86/xen/Kconfig", &text);
    series(&repo).code(1).stdout(predicate::str::contains(
        "error[XL0002]: kconfig-error: Kconfig error at arch/x86/xen/Kconfig:30: expansion nested deeper than 10000 references",
    ));
}

#[test]
fn objects_names_the_culprit_too() {
    let (repo, _) = series_with("drivers/xen/Makefile", "obj-y += a/../a/./../../xen/\n");
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["objects", "defconfig", "--arch", "x86", "--srctree"])
        .arg(repo.path())
        .timeout(Duration::from_secs(20))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "drivers/xen/Makefile:5: directory `a/../a/./../../xen/` is `drivers/xen`, already entered: a cycle",
        ));
}

#[test]
fn a_match_anything_rule_does_not_grow_paths_without_end() {
    // Found by fuzzing the Kbuild walk: `%: %x` chases a.ox, a.oxx, ... as prerequisites.
    objects_on_kbuild(b"obj-y += a.o\n%: %x %y\n")
        .code(0)
        .stdout(predicates::str::contains("a.o"));
}

/// A tiny tree whose top Kbuild is `kbuild`: `xenlint objects` on it, within 20 s.
fn objects_on_kbuild(kbuild: &[u8]) -> assert_cmd::assert::Assert {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in [
        (
            "Makefile",
            &b"VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\nEXTRAVERSION =\n"[..],
        ),
        ("Kconfig", b"source \"arch/x86/Kconfig\"\n"),
        ("arch/x86/Kconfig", b"config X86\n\tdef_bool y\n"),
        ("Kbuild", kbuild),
        (".config", b"CONFIG_X86=y\n"),
    ] {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["objects", "--arch", "x86", "--shell", "never", "--config"])
        .arg(dir.path().join(".config"))
        .arg("--srctree")
        .arg(dir.path())
        .timeout(std::time::Duration::from_secs(20))
        .assert()
}

#[test]
fn several_match_anything_rules_do_not_multiply_paths() {
    // Found by the kbuild_walk fuzz target: three `%:` rules with one prerequisite each
    // made rule following branch at every link (seconds, reading files at every node).
    let kbuild = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fuzz-regressions/kbuild-pattern-rules.mk"
    ))
    .expect("the reproducer");
    objects_on_kbuild(&kbuild).code(0);
}

#[test]
fn pattern_rules_with_many_prerequisites_spend_a_budget() {
    // Found by the kbuild_walk fuzz target: `%:` rules with many prerequisites made every
    // lookup branch (over a minute, a file read at every node).
    let kbuild = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fuzz-regressions/kbuild-many-prerequisites.mk"
    ))
    .expect("the reproducer");
    objects_on_kbuild(&kbuild)
        .code(0)
        .stderr(predicates::str::contains("rule following past"));
}

#[test]
fn a_fuzzer_found_call_chain_spends_its_budget_and_is_named() {
    // A mutated arch Makefile whose `add_hex` calls nest and multiply: found by the
    // make_eval fuzz target (it took seconds per input with a larger work budget).
    let kbuild = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fuzz-regressions/make-call-chain.mk"
    ))
    .expect("the reproducer");
    objects_on_kbuild(&kbuild)
        .code(0)
        .stderr(predicates::str::contains("Kbuild:4:"))
        .stderr(predicates::str::contains("expansion budget"));
}

#[test]
fn an_arch_makefile_spending_a_budget_is_a_kconfig_error_at_its_line() {
    // make evaluates the arch Makefile before Kconfig: a value doubled forty times stops
    // it there. Building A21 spends the work budget (4 Mi units) first.
    let (repo, head) = series_with("arch/x86/Makefile", &doubling(":=", "x"));
    let lines = std::fs::read_to_string(repo.path().join("arch/x86/Makefile"))
        .expect("arch Makefile")
        .lines()
        .count();
    let line = lines - 40 + 21;
    series(&repo).code(1).stdout(predicate::str::contains(format!(
        "error[XL0002]: kconfig-error: Kconfig error at arch/x86/Makefile:{line}: arch Makefile: expansion budget of 4194304 units spent: the rest of this evaluation expands to nothing"
    )).and(predicate::str::contains(head)));
}

#[test]
fn a_dependency_too_large_then_a_parse_error_is_not_a_repair() {
    // 10,000 operands in one line run the tree out of rewriting steps (XL0002 at the
    // entry); the next commit adds 100,000 (an error of the parser). conf stops before
    // finalizing a tree that does not parse, so the first error is not known to be gone
    // there: both findings stand, neither is said to be repaired. The fixture's Kconfig
    // file has 27 lines.
    let chain = |n: usize, name: &str| {
        let terms: Vec<String> = (0..n).map(|i| format!("B{i}")).collect();
        format!(
            "config {name}\n\tbool \"{name}\"\n\tdepends on {}\n",
            terms.join(" && ")
        )
    };
    let (repo, _) = series_with("arch/x86/xen/Kconfig", &chain(10_000, "LONG"));
    let kconfig = repo.path().join("arch/x86/xen/Kconfig");
    let mut text = std::fs::read_to_string(&kconfig).expect("Kconfig");
    text.push_str(&chain(100_000, "LONGER"));
    std::fs::write(&kconfig, text).expect("write");
    common::git_ok(repo.path(), &["commit", "-qam", "longer"]);
    let output = series(&repo)
        .code(1)
        .stdout(predicate::str::contains(
            "Kconfig error at arch/x86/xen/Kconfig:28: dependencies too large to rewrite: more than 50,000,000 steps in this tree",
        ))
        .stdout(predicate::str::contains(
            "Kconfig error at arch/x86/xen/Kconfig:33: more than 16384 operands in the dependencies of one entry",
        ))
        .get_output()
        .stdout
        .clone();
    let report = String::from_utf8_lossy(&output);
    assert!(!report.contains("repaired by"), "{report}");
}

/// Transparent huge pages are off for the process unless `MIMALLOC_ALLOW_THP` says
/// otherwise (main.rs): a `$(shell,...)` command, a child that inherits the flag, reads it
/// from /proc and hands it to the .config.
#[test]
#[cfg(target_os = "linux")]
fn huge_pages_are_off_unless_the_allocator_variable_asks() {
    let dir = common::tiny_tree(&[(
        "Kconfig",
        b"source \"arch/x86/Kconfig\"\nconfig THP\n\tstring\n\
          \tdefault \"$(shell,grep ^THP_enabled: /proc/self/status)\"\n",
    )]);
    let flag = |allow: Option<&str>| {
        let out = dir.path().join("out.config");
        let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("xenlint");
        cmd.args(["config", "olddefconfig", "--arch", "x86", "--srctree"])
            .arg(dir.path())
            .arg("-o")
            .arg(&out)
            .env_remove("MIMALLOC_ALLOW_THP")
            .timeout(Duration::from_secs(20));
        if let Some(value) = allow {
            cmd.env("MIMALLOC_ALLOW_THP", value);
        }
        cmd.assert().success();
        let config = std::fs::read_to_string(&out).expect("config written");
        config
            .lines()
            .find(|l| l.starts_with("CONFIG_THP="))
            .expect("CONFIG_THP written")
            .to_string()
    };
    assert_eq!(flag(None), "CONFIG_THP=\"THP_enabled:\t0\"");
    // Asked for, the flag is what this test's own process has.
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let own = status
        .lines()
        .find(|l| l.starts_with("THP_enabled:"))
        .expect("THP_enabled in /proc/self/status");
    assert_eq!(flag(Some("1")), format!("CONFIG_THP=\"{own}\""));
}
