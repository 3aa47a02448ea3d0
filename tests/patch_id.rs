//! Patch-ids measured against git itself: for every commit of the fixture series and of a
//! repository made of awkward changes (renames, mode changes, added and deleted files,
//! files without a final newline, binaries, several files per commit), xenlint's patch
//! text must be `git show`'s and its ids those of `git patch-id --stable`, from `git show`
//! and from `git format-patch`.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use xenlint::git::{commit_diff, commit_patch_id, patch_id, DiffFlavour, Oid};

/// git with no user or system configuration, so that diff settings are git's defaults.
fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    cmd
}

fn git_output(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = git(dir).args(args).output().expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `git patch-id --stable` of `text`: the first id it prints.
fn git_patch_id(dir: &Path, text: &[u8]) -> Option<String> {
    let mut child = git(dir)
        .args(["patch-id", "--stable"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("git patch-id runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let text = text.to_vec();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        stdin.write_all(&text).expect("write to git patch-id");
    });
    let out = child.wait_with_output().expect("git patch-id finishes");
    writer.join().expect("writer");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .map(String::from)
}

/// Compare every commit reachable from HEAD; returns how many were compared.
fn compare_all(dir: &Path) -> usize {
    let repo = xenlint::git::open(dir).expect("opens");
    let list =
        String::from_utf8(git_output(dir, &["rev-list", "--reverse", "HEAD"])).expect("utf-8");
    let mut compared = 0;
    for hex in list.lines() {
        let oid = Oid::from_str(hex).expect("an id");
        let ours = commit_diff(&repo, oid, DiffFlavour::Show).expect("diff");
        let shown = git_output(dir, &["show", "--format=", hex]);
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&shown),
            "patch text of {hex}"
        );
        let show = git_output(dir, &["show", hex]);
        let want = git_patch_id(dir, &show);
        assert_eq!(patch_id(&show), want, "patch-id of `git show {hex}`");
        assert_eq!(
            commit_patch_id(&repo, oid, DiffFlavour::Show).expect("id"),
            want,
            "patch-id of {hex}"
        );
        let mail = git_output(dir, &["format-patch", "-1", "--stdout", hex]);
        let want_mail = git_patch_id(dir, &mail);
        assert_eq!(patch_id(&mail), want_mail, "patch-id of the mail of {hex}");
        assert_eq!(
            commit_patch_id(&repo, oid, DiffFlavour::Mail).expect("id"),
            want_mail,
            "mail patch-id of {hex}"
        );
        compared += 1;
    }
    compared
}

#[test]
fn fixture_series_have_gits_patch_ids() {
    for clean in [false, true] {
        let dir = common::xen_fixture(clean);
        assert!(compare_all(dir.path()) >= 7);
    }
}

/// Write `files` (path, bytes; None deletes) in `dir` and commit them.
fn commit(dir: &Path, message: &str, files: &[(&str, Option<&[u8]>)]) {
    for (path, data) in files {
        let path = dir.join(path);
        match data {
            Some(data) => {
                std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
                std::fs::write(&path, data).expect("write");
            }
            None => std::fs::remove_file(&path).expect("remove"),
        }
    }
    git_output(dir, &["add", "-A"]);
    git_output(
        dir,
        &[
            "-c",
            "user.name=A",
            "-c",
            "user.email=a@example.org",
            "commit",
            "-q",
            "-m",
            message,
        ],
    );
}

fn chmod(dir: &Path, path: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.join(path), std::fs::Permissions::from_mode(mode)).expect("chmod");
}

fn numbered(from: usize, to: usize, word: &str) -> Vec<u8> {
    (from..to)
        .flat_map(|i| format!("{word} line {i}\n").into_bytes())
        .collect()
}

#[test]
fn awkward_changes_have_gits_patch_ids() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    git_output(dir, &["init", "-q", "-b", "main", "."]);
    let long = numbered(0, 60, "kconfig");
    let other = numbered(0, 40, "makefile");
    let binary: Vec<u8> = (0u8..=255).cycle().take(3000).collect();
    commit(
        dir,
        "base",
        &[
            ("drivers/xen/Kconfig", Some(&long)),
            ("drivers/xen/Makefile", Some(&other)),
            ("exact.c", Some(b"int exact;\n")),
            ("no-newline.txt", Some(b"first\nlast")),
            ("scripts/run.sh", Some(b"#!/bin/sh\necho run\n")),
            ("doomed.h", Some(b"#define DOOMED 1\n")),
            ("blob.bin", Some(&binary)),
            ("with space.txt", Some(b"spaced\n")),
        ],
    );
    // Renames (exact, edited, across directories), a mode change, an addition, a
    // deletion, a binary change and a file losing its final newline, in one commit.
    let mut edited = long.clone();
    edited.extend_from_slice(b"kconfig line 60\n");
    edited.splice(0..0, b"# moved\n".iter().copied());
    let mut binary2 = binary.clone();
    binary2[100] = 7;
    commit(
        dir,
        "many kinds of change",
        &[
            ("drivers/xen/Kconfig", None),
            ("drivers/xen/frontend/Kconfig", Some(&edited)),
            ("exact.c", None),
            ("moved/exact.c", Some(b"int exact;\n")),
            ("doomed.h", None),
            ("new.h", Some(b"#define NEW 1")),
            ("empty", Some(b"")),
            ("no-newline.txt", Some(b"first\nlast changed")),
            ("blob.bin", Some(&binary2)),
            ("with space.txt", Some(b"spaced out\n")),
        ],
    );
    chmod(dir, "scripts/run.sh", 0o755);
    git_output(dir, &["add", "-A"]);
    commit(dir, "mode change", &[]);
    // A rename with a mode change and an edit; a final newline added; two hunks.
    let mut two_hunks = numbered(0, 40, "makefile");
    two_hunks.splice(0..0, b"top\n".iter().copied());
    two_hunks.extend_from_slice(b"bottom\n");
    commit(
        dir,
        "rename with mode change",
        &[
            ("scripts/run.sh", None),
            ("tools/run.sh", Some(b"#!/bin/sh\necho run\necho again\n")),
            ("no-newline.txt", Some(b"first\nlast changed\n")),
            ("drivers/xen/Makefile", Some(&two_hunks)),
            ("binary-new.bin", Some(&binary[..500])),
        ],
    );
    chmod(dir, "tools/run.sh", 0o755);
    git_output(dir, &["add", "-A"]);
    commit(dir, "mode again", &[("blob.bin", None)]);
    std::os::unix::fs::symlink("new.h", dir.join("link.h")).expect("symlink");
    commit(dir, "a symlink", &[]);
    assert_eq!(compare_all(dir), 6);
    // The cases are there in git's own text.
    let all = String::from_utf8_lossy(&git_output(dir, &["log", "-p", "--format="])).into_owned();
    for wanted in [
        "rename from drivers/xen/Kconfig",
        "similarity index 100%",
        "similarity index 9",
        "old mode 100644",
        "new file mode 120000",
        "deleted file mode",
        "Binary files a/blob.bin and b/blob.bin differ",
        "\\ No newline at end of file",
        "diff --git a/with space.txt b/with space.txt",
    ] {
        assert!(all.contains(wanted), "no `{wanted}` in:\n{all}");
    }
}

/// The 21-commit Xen rework on Linux 6.12 (testrepos/linux-xen-series.sh), when the
/// kernel tree is there.
#[test]
#[ignore = "needs the kernel trees (scripts/test.sh builds them)"]
fn real_kernel_series_has_gits_patch_ids() {
    if !common::kernel_available("6.12", &[], "defconfig") {
        return;
    }
    let dir = common::fixture("linux-xen-series.sh", &[]);
    // The base commit is the whole tree: compare the 21 commits of the series.
    let repo = xenlint::git::open(dir.path()).expect("opens");
    let list = String::from_utf8(git_output(
        dir.path(),
        &["rev-list", "--reverse", "HEAD~21..HEAD"],
    ))
    .expect("utf-8");
    let mut compared = 0;
    for hex in list.lines() {
        let oid = Oid::from_str(hex).expect("an id");
        let show = git_output(dir.path(), &["show", hex]);
        assert_eq!(
            commit_patch_id(&repo, oid, DiffFlavour::Show).expect("id"),
            git_patch_id(dir.path(), &show),
            "{hex}"
        );
        let mail = git_output(dir.path(), &["format-patch", "-1", "--stdout", hex]);
        assert_eq!(
            commit_patch_id(&repo, oid, DiffFlavour::Mail).expect("id"),
            git_patch_id(dir.path(), &mail),
            "mail of {hex}"
        );
        compared += 1;
    }
    assert_eq!(compared, 21);
}
