//! Bad input never panics or hangs: each case gives an error naming file and line, and
//! exit status 2. Trees are tiny kernel-shaped directories written by the test.

mod common;

use common::tiny_tree as tree;
use predicates::prelude::*;

fn symbols(dir: &tempfile::TempDir) -> assert_cmd::assert::Assert {
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["symbols", "--arch", "x86", "--shell", "never", "--srctree"])
        .arg(dir.path())
        .timeout(std::time::Duration::from_secs(20))
        .assert()
}

#[test]
fn a_good_tree_reads_cleanly() {
    let dir = tree(&[("Kconfig", b"mainmenu \"Test\"\nsource \"arch/x86/Kconfig\"\nconfig A\n\tbool \"a\"\n\thelp\n\t  Some help.\n")]);
    symbols(&dir)
        .code(0)
        .stdout(predicate::str::contains("CONFIG_A bool Kconfig:3"))
        .stdout(predicate::str::contains(
            "CONFIG_X86 bool arch/x86/Kconfig:1",
        ));
}

#[test]
fn missing_sourced_file() {
    let dir = tree(&[(
        "Kconfig",
        b"source \"arch/x86/Kconfig\"\nsource \"drivers/nope/Kconfig\"\n",
    )]);
    symbols(&dir).code(2).stderr(predicate::str::contains(
        "Kconfig:2: error: can't open file \"drivers/nope/Kconfig\"",
    ));
}

#[test]
fn syntax_error() {
    let dir = tree(&[(
        "Kconfig",
        b"config A\n\tbool \"a\"\n\tdepends on (B &&\nconfig B\n\tbool\n",
    )]);
    symbols(&dir)
        .code(2)
        .stderr(predicate::str::contains("Kconfig:3: error: syntax error"));
}

#[test]
fn unknown_statement() {
    let dir = tree(&[("Kconfig", b"confg A\n\tbool \"a\"\n")]);
    symbols(&dir).code(2).stderr(predicate::str::contains(
        "Kconfig:1: error: unknown statement \"confg\"",
    ));
}

#[test]
fn unterminated_choice() {
    let dir = tree(&[(
        "Kconfig",
        b"choice\n\tprompt \"pick\"\nconfig A\n\tbool \"a\"\n",
    )]);
    symbols(&dir).code(2).stderr(predicate::str::contains(
        "Kconfig:1: error: missing end statement for this entry",
    ));
}

#[test]
fn unterminated_menu_across_files() {
    let dir = tree(&[
        ("Kconfig", b"source \"sub/Kconfig\"\nendmenu\n"),
        ("sub/Kconfig", b"menu \"M\"\nconfig A\n\tbool \"a\"\n"),
    ]);
    symbols(&dir).code(2).stderr(predicate::str::contains(
        "Kconfig:2: error: 'endmenu' in different file than 'menu'",
    ));
}

#[test]
fn help_running_to_the_end_of_the_file_is_read_as_the_kernel_does() {
    // conf accepts a help text that ends the file; so does xenlint, keeping the text.
    let dir = tree(&[(
        "Kconfig",
        b"config A\n\tbool \"a\"\n\thelp\n\t  first\n\n\t  second",
    )]);
    symbols(&dir)
        .code(0)
        .stdout(predicate::str::contains("CONFIG_A bool Kconfig:1"));
}

#[test]
fn macro_that_references_itself() {
    let dir = tree(&[(
        "Kconfig",
        b"X = $(Y)\nY = $(X)\nconfig A\n\tdef_bool $(X)\n",
    )]);
    symbols(&dir).code(2).stderr(predicate::str::contains(
        "Kconfig:4: error: Recursive variable 'X' references itself (eventually)",
    ));
}

#[test]
fn function_that_recurses_forever() {
    let dir = tree(&[("Kconfig", b"f = $(f,$(1)x)\nconfig A\n\tdef_bool $(f,a)\n")]);
    symbols(&dir).code(2).stderr(predicate::str::contains(
        "Kconfig:3: error: Too deep recursive expansion",
    ));
}

#[test]
fn recursive_source() {
    let dir = tree(&[
        ("Kconfig", b"source \"a/Kconfig\"\n"),
        ("a/Kconfig", b"\nsource \"Kconfig\"\n"),
    ]);
    symbols(&dir)
        .code(2)
        .stderr(predicate::str::contains("Recursive inclusion detected."))
        .stderr(predicate::str::contains("included from: a/Kconfig:2"));
}

#[test]
fn non_utf8_bytes() {
    let dir = tree(&[("Kconfig", b"config A\n\tbool \"caf\xe9\"\n")]);
    symbols(&dir).code(2).stderr(predicate::str::contains(
        "Kconfig:2: error: invalid UTF-8 (byte 0xe9 at column 11)",
    ));
}

#[test]
fn empty_kconfig() {
    let dir = tree(&[("Kconfig", b"")]);
    symbols(&dir)
        .code(2)
        .stderr(predicate::str::contains("Kconfig:1: error: file is empty"));
}

#[test]
fn not_a_kernel_tree() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["symbols", "--srctree"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no top-level Makefile"));
}

#[test]
fn unknown_arch_lists_the_arches() {
    let dir = tree(&[("Kconfig", b"source \"arch/$(SRCARCH)/Kconfig\"\n")]);
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["symbols", "--arch", "vax", "--srctree"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ARCH=vax"))
        .stderr(predicate::str::contains("arches in this tree: x86"));
}

#[test]
fn prompts_in_deeply_nested_visible_menus() {
    // Each prompt gets every enclosing menu's `visible if`, so 1,450 nested menus around
    // a chain of 1,450 prompts (`bool "s" if NEXT`) copy 2.1 M conditions, and resolving
    // the chain recursed 1,450 of them deep per prompt: past the 256 MiB stack, after
    // half a minute of finalization. The copies past the budget are an error at the
    // prompt that passes it (the 46th, on line 2,900 + 92).
    let mut text = String::new();
    for menu in 0..1450 {
        text.push_str(&format!("menu \"m\"\nvisible if V{menu}\n"));
    }
    for prompt in 0..1450 {
        text.push_str(&format!(
            "config S{prompt}\nbool \"s\" if S{}\n",
            prompt + 1
        ));
    }
    text.push_str(&"endmenu\n".repeat(1450));
    let dir = tree(&[("Kconfig", text.as_bytes())]);
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["config", "allmodconfig", "--arch", "x86", "--shell", "never"])
        .arg("--srctree")
        .arg(dir.path())
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "Kconfig:2992: error: prompts inherit more than 65536 'visible if' conditions in this tree",
        ));
}

/// `xenlint config TARGET` for x86 on `dir`, running nothing, given a minute.
fn config_on(dir: &tempfile::TempDir, target: &str) -> assert_cmd::Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("xenlint");
    cmd.args(["config", target, "--arch", "x86", "--shell", "never"])
        .arg("--srctree")
        .arg(dir.path())
        .timeout(std::time::Duration::from_secs(60));
    cmd
}

/// `config A` with one `depends on` line of `n` operands, `B0 && B1 && ...`.
fn one_long_dependency(n: usize) -> String {
    let terms: Vec<String> = (0..n).map(|i| format!("B{i}")).collect();
    format!(
        "config A\n\tbool \"a\"\n\tdepends on {}\n\nconfig B0\n\tbool \"b\"\n",
        terms.join(" && ")
    )
}

#[test]
fn a_dependency_of_a_million_operands() {
    // 1,000,000 operands in one `depends on` line (9 MB): finalization rewrote it a level
    // of recursion per operand and overflowed the 256 MiB stack. Past 16,384 operands an
    // entry's line is an error.
    let dir = tree(&[("Kconfig", one_long_dependency(1_000_000).as_bytes())]);
    config_on(&dir, "olddefconfig")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "Kconfig:3: error: more than 16384 operands in the dependencies of one entry",
        ));
}

#[test]
fn a_dependency_too_large_to_rewrite() {
    // 10,000 operands are within the entry's budget, but rewriting them as conf does
    // costs the square of their number (conf 6.12 took over two minutes; 3,000 took
    // 14.6 s): the rewrites stop at the tree's budget of steps, the values stay as they
    // are (A is n: B1 is undefined) and the entry is named.
    let dir = tree(&[("Kconfig", one_long_dependency(10_000).as_bytes())]);
    let out = dir.path().join("out.config");
    config_on(&dir, "olddefconfig")
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "Kconfig:1: dependencies too large to rewrite: more than 50,000,000 steps in this tree",
        ));
    let written = std::fs::read_to_string(&out).expect("configuration written");
    assert!(written.contains("# CONFIG_B0 is not set"), "{written}");
    assert!(!written.contains("CONFIG_A"), "{written}");
}

#[test]
fn many_entries_inherit_a_long_condition() {
    // 16,000 entries inside an `if` of 16,000 operands (860 KB): each entry's dependency
    // holds them all, and resolving and checking walked 256 million operands (34 s). The
    // operands a tree's entries hold are bounded, each entry counted with its blocks' for
    // itself and for each of its properties (about 64,000 here): the `default` line of
    // the 250th entry (line 4 + 4 x 249 + 2) passes the budget, the rest is unread.
    let cond: Vec<String> = (0..16_000).map(|i| format!("B{i}")).collect();
    let mut text = format!("config B0\n\tbool \"b\"\nif {}\n", cond.join(" && "));
    for i in 0..16_000 {
        text.push_str(&format!(
            "config S{i}\n\tbool \"s\"\n\tdefault y\n\tselect T\n"
        ));
    }
    text.push_str("endif\nconfig T\n\tbool\n");
    let dir = tree(&[("Kconfig", text.as_bytes())]);
    config_on(&dir, "olddefconfig")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "Kconfig:1002: error: more than 16000000 operands in the dependencies of this tree's entries",
        ));
}
