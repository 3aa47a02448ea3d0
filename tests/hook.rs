//! hooks/pre-push speaking git's protocol, against the Xen fixture: a push of the broken
//! series is refused, the clean one passes, deletions and Kconfig-free pushes pass at once,
//! new branches and force pushes are checked from the right base.

mod common;

use common::{rev, xen_fixture as fixture};
use std::path::Path;
use std::process::{Command, Stdio};

/// Run the hook in `dir` with `lines` on stdin; return its exit code and stderr.
fn hook(dir: &Path, lines: &str) -> (i32, String) {
    let mut child = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/hooks/pre-push"))
        .args(["origin", "https://example.org/linux.git"])
        .current_dir(dir)
        .env("XENLINT", env!("CARGO_BIN_EXE_xenlint"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hook runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(lines.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Run git in `dir`; it must succeed.
fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

/// Commit what is staged, as a fixed test author.
fn commit(dir: &Path, message: &str) {
    git(
        dir,
        &[
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@example.org",
            "commit",
            "-q",
            "-m",
            message,
        ],
    );
}

const ZERO: &str = "0000000000000000000000000000000000000000";

#[test]
fn a_push_of_the_broken_series_is_refused() {
    let repo = fixture(false);
    let (base, tip) = (rev(repo.path(), "base"), rev(repo.path(), "master"));
    let (code, err) = hook(
        repo.path(),
        &format!("refs/heads/master {tip} refs/heads/master {base}\n"),
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("CONFIG_XEN_PVH"), "{err}");
    assert!(err.contains("breaks bisection"), "{err}");
}

#[test]
fn a_push_of_the_clean_series_passes() {
    let repo = fixture(true);
    let (base, tip) = (rev(repo.path(), "base"), rev(repo.path(), "master"));
    let (code, err) = hook(
        repo.path(),
        &format!("refs/heads/master {tip} refs/heads/master {base}\n"),
    );
    assert_eq!(code, 0, "{err}");
}

#[test]
fn deletions_and_kconfig_free_pushes_pass_at_once() {
    let repo = fixture(false);
    let tip = rev(repo.path(), "master");
    let (code, err) = hook(
        repo.path(),
        &format!("(delete) {ZERO} refs/heads/old {tip}\n"),
    );
    assert_eq!((code, err.as_str()), (0, ""));
    // A commit that touches no Kconfig, Kbuild, Makefile or config file.
    std::fs::write(repo.path().join("README"), "notes\n").expect("write");
    let git = |args: &[&str]| git(repo.path(), args);
    git(&["add", "README"]);
    commit(repo.path(), "docs");
    let new_tip = rev(repo.path(), "master");
    let (code, err) = hook(
        repo.path(),
        &format!("refs/heads/master {new_tip} refs/heads/master {tip}\n"),
    );
    assert_eq!((code, err.as_str()), (0, ""));
    // Code that only changes lines without CONFIG_ passes at once too; a CONFIG_ line in
    // code is checked (and here refers to a symbol that does not exist).
    std::fs::write(repo.path().join("drivers/xen/events.c"), "int x;\n").expect("write");
    git(&["add", "drivers/xen/events.c"]);
    commit(repo.path(), "xen: events");
    let code_tip = rev(repo.path(), "master");
    let (code, err) = hook(
        repo.path(),
        &format!("refs/heads/master {code_tip} refs/heads/master {new_tip}\n"),
    );
    assert_eq!((code, err.as_str()), (0, ""));
    std::fs::write(
        repo.path().join("drivers/xen/events.c"),
        "#ifdef CONFIG_XEN_EVTCHN_TYPO\nint x;\n#endif\n",
    )
    .expect("write");
    git(&["add", "drivers/xen/events.c"]);
    commit(repo.path(), "xen: events behind a symbol");
    let typo_tip = rev(repo.path(), "master");
    let (code, err) = hook(
        repo.path(),
        &format!("refs/heads/master {typo_tip} refs/heads/master {code_tip}\n"),
    );
    assert_eq!(code, 0, "warnings do not stop a push: {err}");
    assert!(err.contains("CONFIG_XEN_EVTCHN_TYPO"), "{err}");
}

#[test]
fn a_new_branch_is_checked_from_what_the_remote_has() {
    let repo = fixture(false);
    let git = |args: &[&str]| git(repo.path(), args);
    git(&["update-ref", "refs/remotes/origin/master", "base"]);
    let tip = rev(repo.path(), "master");
    let (code, err) = hook(
        repo.path(),
        &format!("refs/heads/topic {tip} refs/heads/topic {ZERO}\n"),
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("{}..{tip}", rev(repo.path(), "base"))),
        "{err}"
    );
}

#[test]
fn a_force_push_is_checked_from_where_histories_meet() {
    let repo = fixture(false);
    let git = |args: &[&str]| git(repo.path(), args);
    // The remote had another commit on top of the base that is not in the new history.
    git(&["checkout", "-q", "-b", "old", "base"]);
    std::fs::write(repo.path().join("Kconfig.old"), "config OLD\n\tbool\n").expect("write");
    git(&["add", "Kconfig.old"]);
    commit(repo.path(), "old");
    let old = rev(repo.path(), "old");
    let tip = rev(repo.path(), "master");
    let (code, err) = hook(
        repo.path(),
        &format!("refs/heads/master {tip} refs/heads/master {old}\n"),
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("{}..{tip}", rev(repo.path(), "base"))),
        "{err}"
    );
}

#[test]
fn install_hook_writes_it_once() {
    let repo = fixture(true);
    let run = |force: bool| {
        let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("xenlint");
        cmd.args(["install-hook", "--repo"]).arg(repo.path());
        if force {
            cmd.arg("--force");
        }
        cmd.assert()
    };
    run(false).success();
    let hook_path = repo.path().join(".git/hooks/pre-push");
    assert_eq!(
        std::fs::read_to_string(&hook_path).expect("installed"),
        include_str!("../hooks/pre-push")
    );
    run(false)
        .code(2)
        .stderr(predicates::str::contains("--force"));
    run(true).success();
}
