//! `xenlint check-patch` without b4: a patch found in the series gets its findings, once
//! linted and then from the cache; a patch that is not in the series is an error naming it.

mod common;

fn format_patch(dir: &std::path::Path, rev: &str) -> Vec<u8> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["format-patch", "-1", "--stdout", rev])
        .output()
        .expect("git runs");
    out.stdout
}

#[test]
fn a_patch_is_answered_from_one_lint_of_its_series() {
    let fixture = common::xen_fixture(false);
    let cache = tempfile::tempdir().expect("tempdir");
    let check = |rev: &str, extra: &[&str]| {
        assert_cmd::cargo::cargo_bin_cmd!("xenlint")
            .current_dir(fixture.path())
            .env("XDG_CACHE_HOME", cache.path())
            .env_remove("XENLINT_NO_CACHE")
            .args([
                "check-patch",
                "--range",
                "master~6..master",
                "--arch",
                "x86",
            ])
            .args(extra)
            .write_stdin(format_patch(fixture.path(), rev))
            .assert()
    };
    let culprit = check("master~3", &[]).success();
    let text = String::from_utf8_lossy(&culprit.get_output().stdout).into_owned();
    assert!(
        text.contains("arch/x86/xen/Kconfig:17: ERROR: XL0001 bisect-break: CONFIG_XEN_PVH"),
        "{text}"
    );
    // One report; beside it, what the reference scan read of the base (`tree-`).
    let reports = std::fs::read_dir(cache.path().join("xenlint"))
        .expect("a cache")
        .filter(|e| {
            let name = e.as_ref().expect("an entry").file_name();
            !name.to_string_lossy().starts_with("tree-")
        })
        .count();
    assert_eq!(reports, 1);
    // The next patches come from the cache: the same answers.
    check("master~5", &[]).success().stdout("");
    check("master~3", &["--no-cache"]).success().stdout(text);
}

#[test]
fn a_patch_not_in_the_series_is_an_error_naming_it() {
    let fixture = common::xen_fixture(false);
    let clean = common::xen_fixture(true);
    let cache = tempfile::tempdir().expect("tempdir");
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .current_dir(fixture.path())
        .env("XDG_CACHE_HOME", cache.path())
        .env_remove("XENLINT_NO_CACHE")
        .args([
            "check-patch",
            "--range",
            "master~6..master",
            "--arch",
            "x86",
        ])
        .write_stdin(format_patch(clean.path(), "master~3"))
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains(
            "[PATCH] x86/xen: fold XEN_PVHVM into XEN_FRONTEND",
        ));
}
