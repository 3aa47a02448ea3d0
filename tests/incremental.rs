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

/// Apply `edit` to the files of the fixture's base, commit it on a branch of its own, and
/// compare the two ways of linting base..branch; the counts of configurations resolved.
fn same_answer(name: &str, edit: impl Fn(&Path)) -> (u64, u64) {
    same_answer_over(name, &[&|dir| edit(dir)])
}

/// `same_answer` for a branch of one commit per edit.
fn same_answer_over(name: &str, edits: &[&dyn Fn(&Path)]) -> (u64, u64) {
    let repo = common::xen_fixture(false);
    let dir = repo.path();
    common::git_ok(dir, &["checkout", "-q", "-B", name, "base"]);
    for (index, edit) in edits.iter().enumerate() {
        edit(dir);
        common::git_ok(dir, &["add", "-A"]);
        common::git_ok(dir, &["commit", "-q", "-m", &format!("{name} {index}")]);
    }
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

/// A Makefile line dropped and a source removed: the Kbuild walk takes every other
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
