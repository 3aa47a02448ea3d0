//! `xenlint mbox` on the Xen fixture posted as mail (`git format-patch`): the same findings
//! as `xenlint series` on the branch, on the same patches, whatever gives the base; a patch
//! that does not apply is "not tested" (exit 3) naming it; of two revisions the newer is
//! linted; the repository is byte-identical afterwards.

mod common;

use std::path::Path;

use predicates::prelude::*;

/// The fixture's series as an mbox: `git format-patch --cover-letter --base=base`.
fn format_patch(repo: &Path, extra: &[&str]) -> Vec<u8> {
    let out = std::process::Command::new("git")
        .current_dir(repo)
        .args(["format-patch", "--stdout", "--cover-letter"])
        .args(extra)
        .arg("base..master")
        .output()
        .expect("git format-patch runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn xenlint(args: &[&str], repo: &Path, stdin: Vec<u8>) -> std::process::Output {
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(args)
        .args(["--arch", "x86", "--format", "json", "--repo"])
        .arg(repo)
        .write_stdin(stdin)
        .output()
        .expect("runs")
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn a_posted_series_gives_the_findings_of_its_branch() {
    let repo = common::xen_fixture(false);
    let before = common::git_snapshot(repo.path());
    let series = assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args([
            "series",
            "base..master",
            "--arch",
            "x86",
            "--format",
            "json",
            "--repo",
        ])
        .arg(repo.path())
        .output()
        .expect("runs");
    let expected = common::findings_by_position(&json(&series));
    assert!(!expected.is_empty());

    // The base from the base-commit: trailer.
    let mbox = format_patch(repo.path(), &["--base=base"]);
    let out = xenlint(&["mbox", "-"], repo.path(), mbox);
    assert_eq!(out.status.code(), Some(1));
    let posted = json(&out);
    assert_eq!(common::findings_by_position(&posted), expected);
    assert_eq!(posted["base"]["commit"], common::rev(repo.path(), "base"));

    // The base guessed from the index lines, among the commits of master.
    let mbox = format_patch(repo.path(), &[]);
    let out = xenlint(
        &["mbox", "-", "--guess-base", "--guess-from", "master"],
        repo.path(),
        mbox,
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(common::findings_by_position(&json(&out)), expected);

    // --base wins.
    let mbox = format_patch(repo.path(), &[]);
    let out = xenlint(&["mbox", "-", "--base", "base"], repo.path(), mbox);
    assert_eq!(common::findings_by_position(&json(&out)), expected);

    assert!(
        before == common::git_snapshot(repo.path()),
        "the repository changed"
    );
}

#[test]
fn a_series_without_a_base_is_not_tested() {
    let repo = common::xen_fixture(false);
    let mbox = format_patch(repo.path(), &[]);
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["mbox", "-", "--repo"])
        .arg(repo.path())
        .write_stdin(mbox)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("no base-commit: trailer"));
}

#[test]
fn a_patch_that_does_not_apply_is_named() {
    let repo = common::xen_fixture(false);
    let mbox = format_patch(repo.path(), &["--base=base"]);
    let before = common::git_snapshot(repo.path());
    // Patch 2 applied on the tip: its preimage is gone.
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["mbox", "-", "--base", "master", "--repo"])
        .arg(repo.path())
        .write_stdin(mbox)
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("not tested: patch 1/")
                .and(predicate::str::contains("does not apply to")),
        );
    assert!(
        before == common::git_snapshot(repo.path()),
        "the repository changed"
    );
}

#[test]
fn of_two_revisions_the_newer_is_linted() {
    let repo = common::xen_fixture(false);
    let clean = common::xen_fixture(true);
    // v1: the broken series; v2: the clean one, posted on the same base.
    let mut mbox = format_patch(repo.path(), &["--base=base", "-v1"]);
    let v2_base = common::rev(clean.path(), "base");
    assert_eq!(
        v2_base,
        common::rev(repo.path(), "base"),
        "fixtures share the base"
    );
    mbox.extend(format_patch(clean.path(), &["--base=base", "-v2"]));
    let out = xenlint(&["mbox", "-"], repo.path(), mbox);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let posted = json(&out);
    assert!(posted["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .all(|f| f["severity"] != "error"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("v1"));
}

#[test]
fn replies_thread_under_the_culprit_patches() {
    let repo = common::xen_fixture(false);
    let mbox = format_patch(repo.path(), &["--base=base", "--thread"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let replies = dir.path().join("replies.mbox");
    let out = assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["mbox", "-", "--arch", "x86", "--format", "json", "--output"])
        .arg(format!("email={}", replies.display()))
        .arg("--repo")
        .arg(repo.path())
        .write_stdin(mbox)
        .output()
        .expect("runs");
    let report = json(&out);
    // The Message-ID of each patch with an error, from the report's attribution.
    let mut culprits: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            let patch = f["culprit"]["patch"].as_u64().expect("patch number") as usize;
            let mail = &report["commits"][patch - 1]["mail"];
            assert_eq!(mail["number"], patch as u64);
            format!("<{}>", mail["message_id"].as_str().expect("message id"))
        })
        .collect();
    culprits.sort();
    culprits.dedup();
    assert!(!culprits.is_empty());
    // Python's mailbox and email packages read the replies back.
    let script = r#"
import mailbox, sys
for m in mailbox.mbox(sys.argv[1]):
    assert m["Subject"].startswith("Re: [PATCH "), m["Subject"]
    assert m["In-Reply-To"] in m["References"].split(), m["References"]
    print(m["In-Reply-To"])
"#;
    let py = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&replies)
        .output()
        .expect("python3 runs");
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    let mut threaded: Vec<String> = String::from_utf8_lossy(&py.stdout)
        .lines()
        .map(String::from)
        .collect();
    threaded.sort();
    // Every patch with an error gets a reply; warnings-only patches may too.
    for id in &culprits {
        assert!(threaded.contains(id), "no reply to {id}: {threaded:?}");
    }
}
