//! Nothing a series ships ever runs: a series that points the toolchain at its own
//! script (`CC :=`, `CROSS_COMPILE :=` in an arch Makefile), or at an interpreter with
//! arguments, is linted with the series checked out as the current directory; the
//! script's canary file never appears, and the change is reported (XL0004).

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Add a commit to the fixture's master that sets `assignment` in arch/x86/Makefile and
/// ships `evil.sh`, which would create `canary` if run.
fn hostile_series(assignment: &str, canary: &Path) -> tempfile::TempDir {
    let repo = common::xen_fixture(true);
    let dir = repo.path();
    let script = dir.join("evil.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ntouch '{}'\necho 'gcc (GCC) 99'\n",
            canary.display()
        ),
    )
    .expect("write the script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let script_dir = dir.join("scripts");
    std::fs::create_dir_all(&script_dir).expect("mkdir");
    std::fs::copy(&script, script_dir.join("evil-gcc")).expect("copy");
    let makefile = dir.join("arch/x86/Makefile");
    let mut text = std::fs::read_to_string(&makefile).expect("arch Makefile");
    text.push_str(assignment);
    text.push('\n');
    std::fs::write(&makefile, text).expect("write");
    common::git_ok(dir, &["add", "-A"]);
    common::git_ok(dir, &["commit", "-q", "-m", "x86: use our own compiler"]);
    repo
}

/// `xenlint series base..master --arch x86` in `repo`, its temporary files under `tmpdir`
/// when given: the exit status and the JSON report.
fn lint_in(repo: &Path, tmpdir: Option<&Path>) -> (i32, serde_json::Value) {
    let mut command = assert_cmd::cargo::cargo_bin_cmd!("xenlint");
    if let Some(tmpdir) = tmpdir {
        command.env("TMPDIR", tmpdir);
    }
    let out = command
        .current_dir(repo)
        .args([
            "series",
            "base..master",
            "--arch",
            "x86",
            "--format",
            "json",
        ])
        .args(["--fail-on", "never", "--no-cache"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("runs");
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), json)
}

fn assert_refused(assignment: &str) {
    let canary_dir = tempfile::tempdir().expect("tempdir");
    let canary = canary_dir.path().join("ran");
    let repo = hostile_series(assignment, &canary);
    let (code, json) = lint_in(repo.path(), None);
    assert_eq!(code, 0, "{json:#}");
    assert!(!canary.exists(), "`{assignment}`: the series' program ran");
    let reported = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|f| f["code"] == "XL0004" && f["message"].as_str().unwrap_or("").contains("not run"));
    assert!(reported, "`{assignment}` is not reported: {json:#}");
}

#[test]
fn cc_pointing_at_a_script_of_the_series_is_not_run() {
    assert_refused("CC := ./evil.sh");
}

#[test]
fn cross_compile_pointing_into_the_series_is_not_run() {
    assert_refused("CROSS_COMPILE := scripts/evil-");
}

#[test]
fn cc_through_an_interpreter_is_not_run() {
    assert_refused("CC := sh ./evil.sh");
}

#[test]
fn cc_with_shell_syntax_is_not_run() {
    assert_refused("CC := gcc; ./evil.sh; true");
}

#[test]
fn a_signal_removes_the_temporary_directory() {
    let repo = common::xen_fixture(false);
    let tmp = tempfile::tempdir().expect("tempdir");
    for signal in ["TERM", "INT"] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_xenlint"))
            .args(["series", "base..master", "--repo"])
            .arg(repo.path())
            .env("TMPDIR", tmp.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("runs");
        // Wait for the run's scratch directory, then interrupt it.
        let started = std::time::Instant::now();
        let mut seen = false;
        while started.elapsed() < std::time::Duration::from_secs(20) {
            let entries = std::fs::read_dir(tmp.path()).expect("tmp").count();
            if entries > 0 {
                seen = true;
                break;
            }
            if child.try_wait().expect("wait").is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        assert!(seen, "the run made no temporary directory in TMPDIR");
        let status = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        let exit = child.wait().expect("wait");
        let left: Vec<_> = std::fs::read_dir(tmp.path())
            .expect("tmp")
            .map(|e| e.expect("entry").path())
            .collect();
        assert!(left.is_empty(), "SIG{signal} ({exit}) left {left:?}");
        assert_eq!(exit.code(), Some(130), "the handler ended the run");
    }
}

/// The loose object file of `path` at `rev`.
fn object_file(repo: &Path, rev: &str, path: &str) -> std::path::PathBuf {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["rev-parse", &format!("{rev}:{path}")])
        .output()
        .expect("git");
    let hex = String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_string();
    repo.join(".git/objects").join(&hex[..2]).join(&hex[2..])
}

#[test]
fn a_missing_object_is_a_corrupt_repository_not_a_finding() {
    let repo = common::xen_fixture(true);
    // The Kconfig blob the fold commit writes: only the series reads it.
    let object = object_file(repo.path(), "master~3", "arch/x86/xen/Kconfig");
    std::fs::remove_file(&object).expect("a loose object");
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["series", "base..master", "--arch", "x86", "--repo"])
        .arg(repo.path())
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains("the repository is corrupt"))
        .stderr(predicates::str::contains("arch/x86/xen/Kconfig"));
}

#[test]
fn a_shallow_clone_is_named_as_the_reason() {
    let repo = common::xen_fixture(true);
    let shallow = tempfile::tempdir().expect("tempdir");
    common::git_ok(
        shallow.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "2",
            &format!("file://{}", repo.path().display()),
            ".",
        ],
    );
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["series", "HEAD~5..HEAD", "--arch", "x86", "--repo"])
        .arg(shallow.path())
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("the clone is shallow"))
        .stderr(predicates::str::contains("fetch deeper"));
    // A range that starts past the boundary: the walk stops at the shallow commit.
    let tip_parent = "HEAD~1";
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args([
            "series",
            &format!("{tip_parent}^..HEAD"),
            "--arch",
            "x86",
            "--repo",
        ])
        .arg(shallow.path())
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("the clone is shallow"));
}

#[test]
fn a_closed_pipe_ends_quietly_and_a_full_disk_is_named() {
    let repo = common::xen_fixture(false);
    // The reader is gone before xenlint writes: as `xenlint series ... | head -0`.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_xenlint"))
        .args(["series", "base..master", "--fail-on", "never", "--repo"])
        .arg(repo.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("waits");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // /dev/full: every write fails with ENOSPC.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xenlint"))
        .args(["series", "base..master", "--fail-on", "never", "--repo"])
        .arg(repo.path())
        .stdout(full)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("writing standard output"), "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
}

/// A series whose first commit rewrites a script the base's Kconfig runs, followed by a
/// break the next commit repairs: the outer run keeps running the base's script, and the
/// search for a verified fix (which lints the rewritten commits on the culprit's parent,
/// here the commit that changed the script) must not run the series' version either.
#[test]
fn verifying_a_fix_runs_no_script_the_series_changed() {
    let canary_dir = tempfile::tempdir().expect("tempdir");
    let canary = canary_dir.path().join("ran");
    let repo = common::xen_fixture(true);
    let dir = repo.path();
    let at = |date: &str| {
        [
            ("GIT_AUTHOR_DATE", date.to_string()),
            ("GIT_COMMITTER_DATE", date.to_string()),
        ]
    };
    let commit = |message: &str, date: &str| {
        common::git_ok(dir, &["add", "-A"]);
        let status = std::process::Command::new("git")
            .current_dir(dir)
            .envs(at(date))
            .args(["commit", "-q", "-m", message])
            .status()
            .expect("git commit");
        assert!(status.success());
    };
    // The scene, as the new base: Kconfig asks a script of the tree.
    common::git_ok(dir, &["checkout", "-q", "-B", "master", "base"]);
    let probe = dir.join("scripts/probe.sh");
    std::fs::write(&probe, "#!/bin/sh\necho y\n").expect("write");
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let kconfig = dir.join("arch/x86/xen/Kconfig");
    let text = std::fs::read_to_string(&kconfig).expect("Kconfig");
    std::fs::write(
        &kconfig,
        format!("{text}\nconfig XEN_PROBED\n\tdef_bool $(shell,$(srctree)/scripts/probe.sh)\n"),
    )
    .expect("write");
    commit("x86/xen: probe the tree", "2026-03-01T12:00:00+0000");
    common::git_ok(dir, &["tag", "-f", "base"]);
    // 1: the script now leaves a mark.
    std::fs::write(
        &probe,
        format!("#!/bin/sh\ntouch '{}'\necho y\n", canary.display()),
    )
    .expect("write");
    commit("scripts: probe more", "2026-03-02T12:00:00+0000");
    // 2: a break, 3: its repair (a transient break, so a fix is searched for).
    let text = std::fs::read_to_string(&kconfig).expect("Kconfig");
    assert!(text.contains("\tdepends on XEN\n"), "{text}");
    std::fs::write(
        &kconfig,
        text.replacen("\tdepends on XEN\n", "\tdepends on XEN && !SMP\n", 1),
    )
    .expect("write");
    commit("x86/xen: XEN_PV is for UP only", "2026-03-03T12:00:00+0000");
    std::fs::write(&kconfig, text).expect("write");
    commit(
        "x86/xen: XEN_PV works on SMP again",
        "2026-03-04T12:00:00+0000",
    );

    // A temporary directory whose path has a `scripts/` of its own.
    let tmp = canary_dir.path().join("scripts/tmp");
    std::fs::create_dir_all(&tmp).expect("mkdir");
    let (_, json) = lint_in(dir, Some(&tmp));
    assert!(!canary.exists(), "the series' script ran: {json:#}");
    let findings = json["findings"].as_array().expect("findings");
    // The break is found and its fix verified without the series' script.
    let fixed = findings.iter().any(|f| {
        f["culprit"]["summary"] == "x86/xen: XEN_PV is for UP only"
            && f["suggestion"]["kind"].is_string()
    });
    assert!(fixed, "no verified fix for the break: {json:#}");
    let reported = findings
        .iter()
        .any(|f| f["code"] == "XL0004" && f["culprit"]["summary"] == "scripts: probe more");
    assert!(reported, "the script change is not reported: {json:#}");
}
