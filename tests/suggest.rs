//! Suggested fixes: for a break a later commit repairs, xenlint offers to move the repair
//! before the culprit or to fold it in, only when the rewritten series lints without the
//! break and without a new finding. Each suggestion is checked here independently: git
//! itself rewrites the series (cherry-pick in a clone) and the result is linted again.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

fn lint(repo: &Path, range: &str, extra: &[&str]) -> serde_json::Value {
    let out = assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args([
            "series",
            range,
            "--arch",
            "x86",
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .args(extra)
        .arg("--repo")
        .arg(repo)
        .output()
        .expect("runs");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=T", "-c", "user.email=t@example.org"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// (code, first symbol) of every finding.
fn keys(json: &serde_json::Value) -> BTreeSet<(String, String)> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or("").to_string(),
                f["symbols"][0].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Carry out `suggestion` with git in a clone of `repo` and lint the result: the finding
/// `broken` is gone and nothing appears that the series did not have.
fn git_agrees(repo: &Path, report: &serde_json::Value, broken: (&str, &str)) {
    let suggestion = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == broken.0 && f["symbols"][0] == broken.1)
        .map(|f| f["suggestion"].clone())
        .expect("the finding");
    let (kind, culprit, repair) = (
        suggestion["kind"].as_str().expect("kind"),
        suggestion["culprit"].as_str().expect("culprit").to_string(),
        suggestion["repair"].as_str().expect("repair").to_string(),
    );
    let clone = tempfile::tempdir().expect("tempdir");
    git(
        Path::new("/"),
        &[
            "clone",
            "-q",
            &repo.display().to_string(),
            &clone.path().display().to_string(),
        ],
    );
    let dir = clone.path();
    let commits: Vec<String> = git(dir, &["rev-list", "--reverse", "base..origin/master"])
        .lines()
        .map(String::from)
        .collect();
    git(dir, &["checkout", "-q", "-b", "rewritten", "base"]);
    for commit in &commits {
        match kind {
            "reorder" if *commit == culprit => {
                git(dir, &["cherry-pick", &repair]);
                git(dir, &["cherry-pick", commit]);
            }
            "reorder" if *commit == repair => {}
            "squash" if *commit == culprit => {
                git(dir, &["cherry-pick", commit]);
                git(dir, &["cherry-pick", "-n", &repair]);
                git(
                    dir,
                    &["commit", "-q", "--amend", "--no-edit", "--allow-empty"],
                );
            }
            "squash" if *commit == repair => {}
            _ => {
                git(dir, &["cherry-pick", "--allow-empty", commit]);
            }
        }
    }
    let again = lint(dir, "base..rewritten", &["--no-suggest"]);
    let (before, after) = (keys(report), keys(&again));
    assert!(
        !after.contains(&(broken.0.to_string(), broken.1.to_string())),
        "{kind}: {broken:?} remains: {again:#}"
    );
    assert!(
        after.is_subset(&before),
        "{kind}: new findings {:?}",
        after.difference(&before)
    );
}

#[test]
fn a_repair_that_can_move_before_its_culprit_is_suggested_and_git_agrees() {
    let repo = common::xen_fixture(false);
    let report = lint(repo.path(), "base..master", &[]);
    for (code, symbol) in [("XL0001", "XEN_PVH"), ("XL0010", "XEN_BUILD_HYPERVISOR")] {
        let f = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["code"] == code && f["symbols"][0] == symbol)
            .unwrap_or_else(|| panic!("{code} {symbol}: {report:#}"));
        assert_eq!(f["suggestion"]["kind"], "reorder", "{f:#}");
        assert_eq!(f["suggestion"]["culprit"], f["culprit"]["commit"]);
        assert_eq!(f["suggestion"]["repair"], f["repair"]["commit"]);
        git_agrees(repo.path(), &report, (code, symbol));
    }
}

#[test]
fn a_repair_that_only_folds_in_is_suggested_as_a_squash_and_git_agrees() {
    let repo = common::fixture("check-cases.sh", &["changed-dependency"]);
    let report = lint(repo.path(), "base..master", &[]);
    let f = &report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == "XL0001")
        .cloned()
        .expect("the break");
    assert_eq!(f["suggestion"]["kind"], "squash", "{f:#}");
    git_agrees(repo.path(), &report, ("XL0001", "XEN_PV"));
}

#[test]
fn no_rewrite_is_suggested_when_none_removes_the_break() {
    let repo = common::fixture("check-cases.sh", &["no-fix"]);
    let report = lint(repo.path(), "base..master", &[]);
    let findings = report["findings"].as_array().expect("findings");
    assert!(findings
        .iter()
        .any(|f| f["code"] == "XL0001" && f["repair"].is_object()));
    assert!(
        findings.iter().all(|f| f["suggestion"].is_null()),
        "{report:#}"
    );
}

#[test]
fn no_suggest_skips_the_search() {
    let repo = common::xen_fixture(false);
    let report = lint(repo.path(), "base..master", &["--no-suggest"]);
    let findings = report["findings"].as_array().expect("findings");
    assert!(findings.iter().all(|f| f["suggestion"].is_null()));
}
