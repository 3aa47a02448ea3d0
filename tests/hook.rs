//! hooks/pre-push speaking git's protocol, against the Xen fixture: a push of the broken
//! series is refused, the clean one passes, deletions and Kconfig-free pushes pass at once,
//! new branches and force pushes are checked from the right base.

mod common;

use common::{rev, xen_fixture as fixture};
use std::path::Path;
use std::process::{Command, Stdio};

/// Run the hook in `dir` with `lines` on stdin; return its exit code and stderr.
fn hook(dir: &Path, lines: &str) -> (i32, String) {
    hook_with(dir, lines, &[])
}

/// The hook with extra environment variables (XENLINT, XENLINT_ARGS, ...).
fn hook_with(dir: &Path, lines: &str, env: &[(&str, &str)]) -> (i32, String) {
    let mut child = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/hooks/pre-push"))
        .args(["origin", "https://example.org/linux.git"])
        .current_dir(dir)
        .env("XENLINT", env!("CARGO_BIN_EXE_xenlint"))
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hook runs");
    use std::io::Write;
    // A hook may end without reading its input (as git allows): a closed pipe is fine.
    let written = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(lines.as_bytes());
    if let Err(e) = written {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write: {e}");
    }
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

#[test]
fn a_missing_binary_warns_and_lets_the_push_through_unless_strict() {
    let repo = fixture(false);
    let (base, tip) = (rev(repo.path(), "base"), rev(repo.path(), "master"));
    let push = format!("refs/heads/master {tip} refs/heads/master {base}\n");
    let missing = [("XENLINT", "/nonexistent/xenlint")];
    let (code, err) = hook_with(repo.path(), &push, &missing);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning") && err.contains("not found"),
        "{err}"
    );
    let strict = [
        ("XENLINT", "/nonexistent/xenlint"),
        ("XENLINT_HOOK_STRICT", "1"),
    ];
    let (code, err) = hook_with(repo.path(), &push, &strict);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--no-verify"), "{err}");
}

#[test]
fn an_internal_error_warns_and_blocks_only_when_strict() {
    let repo = fixture(false);
    let (base, tip) = (rev(repo.path(), "base"), rev(repo.path(), "master"));
    let push = format!("refs/heads/master {tip} refs/heads/master {base}\n");
    // A usage error (exit status 2): xenlint checked nothing.
    let bad = [("XENLINT_ARGS", "--arch nosucharch")];
    let (code, err) = hook_with(repo.path(), &push, &bad);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("could not check") && err.contains("nosucharch"),
        "{err}"
    );
    let strict = [
        ("XENLINT_ARGS", "--arch nosucharch"),
        ("XENLINT_HOOK_STRICT", "1"),
    ];
    let (code, err) = hook_with(repo.path(), &push, &strict);
    assert_eq!(code, 1, "{err}");
}

#[test]
fn a_change_to_a_sourced_file_of_any_name_is_checked() {
    let repo = fixture(true);
    let dir = repo.path();
    let git = |args: &[&str]| git(dir, args);
    // A Kconfig fragment whose name does not start with Kconfig, sourced by one that does.
    std::fs::write(
        dir.join("drivers/xen/xen-options.in"),
        "config XEN_OPTION\n\tbool\n",
    )
    .expect("write");
    let kconfig = dir.join("drivers/xen/Kconfig");
    let mut text = std::fs::read_to_string(&kconfig).expect("Kconfig");
    text.push_str("\nsource \"drivers/xen/xen-options.in\"\n");
    std::fs::write(&kconfig, text).expect("write");
    git(&["add", "-A"]);
    commit(dir, "xen: options");
    let before = rev(dir, "master");
    // Now only the sourced file changes, with a syntax error.
    std::fs::write(
        dir.join("drivers/xen/xen-options.in"),
        "config XEN_OPTION\n\tbool (\n",
    )
    .expect("write");
    git(&["add", "-A"]);
    commit(dir, "xen: break the options");
    let after = rev(dir, "master");
    let (code, err) = hook(
        dir,
        &format!("refs/heads/master {after} refs/heads/master {before}\n"),
    );
    assert_eq!(code, 1, "the change is checked and its error found: {err}");
    assert!(err.contains("xen-options.in"), "{err}");
}

#[test]
fn a_push_that_points_cc_at_its_own_script_runs_nothing() {
    let repo = fixture(true);
    let dir = repo.path();
    let canary_dir = tempfile::tempdir().expect("tempdir");
    let canary = canary_dir.path().join("ran");
    let base = rev(dir, "master");
    std::fs::write(
        dir.join("evil.sh"),
        format!("#!/bin/sh\ntouch '{}'\n", canary.display()),
    )
    .expect("write");
    git(dir, &["update-index", "--add", "--chmod=+x", "evil.sh"]);
    let makefile = dir.join("arch/x86/Makefile");
    let mut text = std::fs::read_to_string(&makefile).expect("arch Makefile");
    text.push_str("CC := ./evil.sh\n");
    std::fs::write(&makefile, text).expect("write");
    git(dir, &["add", "-A"]);
    commit(dir, "x86: our compiler");
    let tip = rev(dir, "master");
    let (code, err) = hook(
        dir,
        &format!("refs/heads/master {tip} refs/heads/master {base}\n"),
    );
    assert!(!canary.exists(), "the series' script ran: {err}");
    assert_eq!(code, 0, "a warning does not block: {err}");
    assert!(err.contains("XL0004"), "{err}");
}
