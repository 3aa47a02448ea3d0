//! Incremental resolution (src/lint/incremental.rs) changes no answer: commits shaped to
//! test its argument, each linted with it and with `--no-incremental`, give the same
//! report apart from the count of configurations resolved.

mod common;

use std::path::Path;

fn lint(repo: &Path, range: &str, extra: &[&str]) -> serde_json::Value {
    let out = assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args([
            "series",
            range,
            "--format",
            "json",
            "--no-suggest",
            "--repo",
        ])
        .arg(repo)
        .args(extra)
        .output()
        .expect("runs");
    let mut json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    json.as_object_mut().expect("object").remove("command_line");
    json
}

/// The fixture with a branch `name` on its base: one commit per edit.
fn branch(name: &str, edits: &[&dyn Fn(&Path)]) -> tempfile::TempDir {
    let repo = common::xen_fixture(false);
    let dir = repo.path();
    common::git_ok(dir, &["checkout", "-q", "-B", name, "base"]);
    for (index, edit) in edits.iter().enumerate() {
        edit(dir);
        common::git_ok(dir, &["add", "-A"]);
        common::git_ok(dir, &["commit", "-q", "-m", &format!("{name} {index}")]);
    }
    repo
}

/// Apply `edit` to the files of the fixture's base, commit it on a branch of its own, and
/// compare the two ways of linting base..branch; the counts of configurations resolved.
fn same_answer(name: &str, edit: impl Fn(&Path)) -> (u64, u64) {
    same_answer_over(name, &[&|dir| edit(dir)])
}

/// `same_answer` for a branch of one commit per edit.
fn same_answer_over(name: &str, edits: &[&dyn Fn(&Path)]) -> (u64, u64) {
    let repo = branch(name, edits);
    let dir = repo.path();
    let range = format!("base..{name}");
    let mut incremental = lint(dir, &range, &[]);
    let full = lint(dir, &range, &["--no-incremental"]);
    let count = |json: &serde_json::Value| {
        json["coverage"]["configurations_resolved"]
            .as_u64()
            .expect("count")
    };
    let counts = (count(&incremental), count(&full));
    incremental["coverage"]["configurations_resolved"] =
        full["coverage"]["configurations_resolved"].clone();
    assert_eq!(
        incremental, full,
        "{name}: incremental resolution changed the report"
    );
    counts
}

fn append(dir: &Path, file: &str, text: &str) {
    let path = dir.join(file);
    let mut old = std::fs::read_to_string(&path).expect("file");
    old.push_str(text);
    std::fs::write(path, old).expect("write");
}

fn replace(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let old = std::fs::read_to_string(&path).expect("file");
    assert!(old.contains(from), "{file} has no {from:?}");
    std::fs::write(path, old.replace(from, to)).expect("write");
}

#[test]
fn a_symbol_that_stays_off_needs_no_conf_run() {
    let (incremental, full) = same_answer("off", |dir| {
        append(
            dir,
            "arch/x86/Kconfig",
            "\nconfig NEW_OFF\n\tbool \"new\"\n\tdepends on UNDEFINED_X\n",
        )
    });
    assert!(incremental < full, "{incremental} against {full}");
}

#[test]
fn a_source_line_removed_with_an_off_symbol_added_is_resolved() {
    // The sourced file is unchanged; its symbols go because the line that read it goes.
    same_answer("unsourced", |dir| {
        replace(
            dir,
            "arch/x86/Kconfig",
            "source \"arch/x86/xen/Kconfig\"\n",
            "",
        );
        append(
            dir,
            "arch/x86/Kconfig",
            "\nconfig NEW_OFF\n\tbool \"new\"\n\tdepends on UNDEFINED_X\n",
        );
    });
}

#[test]
fn an_off_symbol_that_selects_a_set_one_changes_nothing_and_one_set_does() {
    same_answer("selector-off", |dir| {
        append(
            dir,
            "arch/x86/Kconfig",
            "\nconfig SELECTOR\n\tbool \"selector\"\n\tdepends on UNDEFINED_X\n\tselect SMP\n",
        )
    });
    same_answer("selector-on", |dir| {
        append(
            dir,
            "arch/x86/Kconfig",
            "\nconfig SELECTOR\n\tbool \"selector\"\n\tdefault y\n\tselect PARAVIRT\n",
        )
    });
}

#[test]
fn a_symbol_compared_by_value_is_resolved_when_it_appears() {
    // `NEW_CMP != "n"` reads an undefined NEW_CMP as its name, a defined one as `n`.
    same_answer("compared", |dir| {
        append(
            dir,
            "arch/x86/Kconfig",
            "\nconfig USES_CMP\n\tdef_bool y\n\tdepends on NEW_CMP != \"n\"\n",
        )
    });
    same_answer("compared-defined", |dir| {
        append(
            dir,
            "arch/x86/Kconfig",
            "\nconfig USES_CMP\n\tdef_bool y\n\tdepends on NEW_CMP != \"n\"\n\nconfig NEW_CMP\n\tbool\n\tdepends on UNDEFINED_X\n",
        )
    });
}

#[test]
fn a_dependency_turned_off_is_resolved() {
    same_answer("dependency-off", |dir| {
        replace(
            dir,
            "arch/x86/Kconfig",
            "config HYPERVISOR_GUEST\n\tbool \"Linux guest support\"\n",
            "config HYPERVISOR_GUEST\n\tbool \"Linux guest support\"\n\tdepends on UNDEFINED_X\n",
        )
    });
}

#[test]
fn a_macro_variable_assigned_in_the_changed_file_is_read_again_where_expanded() {
    // XL_VAL is assigned in arch/x86/Kconfig and expanded in drivers/xen/Kconfig; the
    // second commit changes its value beside an added symbol that stays off, so the
    // symbols of the changed file alone say nothing changed. Without the
    // `--no-incremental` resolution, USES_VAL's `n` at the second commit would be missed.
    let (incremental, full) = same_answer_over(
        "macro-variable",
        &[
            &|dir| {
                replace(
                    dir,
                    "arch/x86/Kconfig",
                    "source \"arch/x86/xen/Kconfig\"\n",
                    "source \"arch/x86/xen/Kconfig\"\nXL_VAL := y\n",
                );
                append(
                    dir,
                    "drivers/xen/Kconfig",
                    "\nconfig USES_VAL\n\tbool\n\tdefault $(XL_VAL)\n",
                );
            },
            &|dir| {
                replace(dir, "arch/x86/Kconfig", "XL_VAL := y", "XL_VAL := n");
                append(
                    dir,
                    "arch/x86/Kconfig",
                    "\nconfig NEW_OFF\n\tbool \"new\"\n\tdepends on UNDEFINED_X\n",
                );
            },
            &|dir| replace(dir, "arch/x86/Kconfig", "XL_VAL := n", "XL_VAL := y"),
        ],
    );
    assert_eq!(incremental, full, "every commit is resolved");
}

/// Recursive dependencies a commit brings in are reported as when every symbol is searched
/// (`still_acyclic` in src/lint/incremental.rs lets the search start where the commit
/// changed something); `found` is whether the report has a recursive dependency.
fn same_cycles(name: &str, found: bool, edit: impl Fn(&Path)) {
    same_cycles_over(name, found, &[&|dir| edit(dir)]);
}

/// `same_cycles` for a branch of one commit per edit.
fn same_cycles_over(name: &str, found: bool, edits: &[&dyn Fn(&Path)]) {
    let repo = branch(name, edits);
    let dir = repo.path();
    let range = format!("base..{name}");
    let incremental = lint(dir, &range, &["--no-kbuild"]);
    let full = lint(dir, &range, &["--no-kbuild", "--no-incremental"]);
    let messages = |json: &serde_json::Value| -> Vec<String> {
        (json["findings"].as_array().expect("findings").iter())
            .filter(|f| f["code"] == "XL0002")
            .map(|f| f["message"].as_str().expect("message").to_string())
            .collect()
    };
    assert_eq!(messages(&incremental), messages(&full), "{name}");
    let recursive = messages(&full)
        .iter()
        .any(|m| m.contains("recursive dependency"));
    assert_eq!(recursive, found, "{name}: {:?}", messages(&full));
}

#[test]
fn a_recursive_dependency_a_commit_brings_in_is_found_from_where_it_changed() {
    // Through a select of an added symbol onto one defined elsewhere.
    same_cycles("cycle-select", true, |dir| {
        append(
            dir,
            "arch/x86/xen/Kconfig",
            "\nconfig CYCLE_A\n\tbool \"a\"\n\tdepends on HYPERVISOR_GUEST\n\tselect HYPERVISOR_GUEST\n",
        )
    });
    // Through a dependency changed on a symbol that others depend on.
    same_cycles("cycle-depends", true, |dir| {
        replace(
            dir,
            "arch/x86/xen/Kconfig",
            "depends on X86_64 && X86_LOCAL_APIC",
            "depends on X86_64 && X86_LOCAL_APIC && !XEN_DOM0",
        )
    });
    // Through a symbol of an unchanged file that the change makes a select target.
    same_cycles("cycle-target", true, |dir| {
        replace(
            dir,
            "arch/x86/xen/Kconfig",
            "config XEN_PV\n",
            "config XEN_PV\n\tselect PARAVIRT\n",
        );
        append(
            dir,
            "arch/x86/Kconfig",
            "\nconfig PARAVIRT_USER\n\tdef_bool y\n\tdepends on XEN_PV\n",
        );
        replace(
            dir,
            "arch/x86/Kconfig",
            "config PARAVIRT\n\tbool \"Enable paravirtualization code\"\n",
            "config PARAVIRT\n\tbool \"Enable paravirtualization code\"\n\tdefault PARAVIRT_USER\n",
        );
    });
    // Through a choice, its members searched as one.
    same_cycles("cycle-choice", true, |dir| {
        append(
            dir,
            "arch/x86/xen/Kconfig",
            "\nchoice\n\tprompt \"pick\"\n\nconfig PICK_A\n\tbool \"a\"\n\tdepends on PICK_USER\n\nconfig PICK_B\n\tbool \"b\"\n\nendchoice\n\nconfig PICK_USER\n\tdef_bool y\n\tdepends on PICK_B\n",
        )
    });
    // Through a symbol of an unchanged file that depends on one member, from a member the
    // commit changes.
    same_cycles_over(
        "cycle-member",
        true,
        &[
            &|dir| {
                append(
                    dir,
                    "arch/x86/xen/Kconfig",
                    "\nchoice\n\tprompt \"pick\"\n\nconfig PICK_A\n\tbool \"a\"\n\nconfig PICK_B\n\tbool \"b\"\n\nendchoice\n",
                );
                append(
                    dir,
                    "arch/x86/Kconfig",
                    "\nconfig PICK_USER\n\tdef_bool y\n\tdepends on PICK_B\n",
                );
            },
            &|dir| {
                replace(
                    dir,
                    "arch/x86/xen/Kconfig",
                    "config PICK_A\n\tbool \"a\"\n",
                    "config PICK_A\n\tbool \"a\"\n\tdepends on PICK_USER\n",
                )
            },
        ],
    );
    // A change that adds no cycle.
    same_cycles("no-cycle", false, |dir| {
        append(
            dir,
            "arch/x86/xen/Kconfig",
            "\nconfig NO_CYCLE\n\tbool \"b\"\n\tdepends on XEN\n\tselect NO_CYCLE_T\n\nconfig NO_CYCLE_T\n\tbool\n",
        )
    });
}

/// A Makefile line dropped and a source removed/// A Makefile line dropped and a source removed: the Kbuild walk takes every other
/// directory from the walk before (src/kbuild/objects.rs, `objects_reusing`), and the
/// report is the one of walking every directory again.
#[test]
fn a_makefile_change_walks_its_directory_again_with_the_same_answer() {
    let repo = common::xen_fixture(false);
    let dir = repo.path();
    common::git_ok(dir, &["checkout", "-q", "-B", "kbuild", "base"]);
    replace(
        dir,
        "drivers/xen/Makefile",
        "obj-y\t\t\t\t\t+= grant-table.o features.o\n",
        "obj-y\t\t\t\t\t+= grant-table.o\n",
    );
    common::git_ok(dir, &["commit", "-q", "-am", "drop features.o"]);
    std::fs::remove_file(dir.join("drivers/xen/xen-backend.c")).expect("remove");
    common::git_ok(dir, &["commit", "-q", "-am", "remove the backend's source"]);
    let incremental = lint(dir, "base..kbuild", &[]);
    let full = lint(dir, "base..kbuild", &["--no-incremental"]);
    assert_eq!(incremental, full, "reused directories changed the report");
    // The objects the two commits drop are reported.
    let text = incremental.to_string();
    for object in ["drivers/xen/features.o", "drivers/xen/xen-backend.o"] {
        assert!(text.contains(object), "{object} not reported: {text}");
    }
}

#[test]
fn a_commit_that_only_mends_a_kconfig_error_has_a_configuration_again() {
    // The first commit turns HYPERVISOR_GUEST off and adds a line conf stops at (no
    // configuration there); the second takes the line out: its tree is alike the first's
    // but for the error, and it must be resolved, not lent the first's missing
    // configuration.
    let bogus = "\nthis is not kconfig\n";
    let repo = branch(
        "mend",
        &[
            &|dir| {
                replace(
                    dir,
                    "arch/x86/Kconfig",
                    "config HYPERVISOR_GUEST\n\tbool \"Linux guest support\"\n",
                    "config HYPERVISOR_GUEST\n\tbool \"Linux guest support\"\n\tdepends on UNDEFINED_X\n",
                );
                append(dir, "arch/x86/Kconfig", bogus);
            },
            &|dir| replace(dir, "arch/x86/Kconfig", bogus, ""),
        ],
    );
    let json = lint(repo.path(), "base..mend", &["--arch", "x86"]);
    let findings = json["findings"].as_array().expect("findings");
    let codes: Vec<&str> = findings.iter().filter_map(|f| f["code"].as_str()).collect();
    assert!(
        codes.contains(&"XL0002"),
        "the error is reported: {codes:?}"
    );
    let dead = findings.iter().any(|f| {
        f["code"] == "XL0007"
            && f["message"]
                .as_str()
                .is_some_and(|m| m.contains("HYPERVISOR_GUEST"))
    });
    assert!(dead, "HYPERVISOR_GUEST can no longer be enabled: {json:#}");
}
