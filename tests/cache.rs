//! The persistent cache (`--cache-dir`, src/lint/cache.rs): a run answered from it gives
//! the very report a run that computes everything gives; an entry is used only while the
//! programs its run named are the same files; `--no-cache` neither reads nor writes it.

mod common;

use std::path::Path;

fn series(repo: &Path, cache: Option<&Path>, format: &str) -> (i32, String) {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("xenlint");
    cmd.args(["series", "base..master", "--format", format, "--repo"])
        .arg(repo);
    // By the environment, so that the command line (which reports quote) is the same.
    match cache {
        Some(dir) => cmd
            .env("XENLINT_CACHE_DIR", dir)
            .env_remove("XENLINT_NO_CACHE"),
        None => cmd.env("XENLINT_NO_CACHE", "1"),
    };
    let out = cmd.output().expect("runs");
    assert!(
        out.stderr.is_empty() || !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("UTF-8"),
    )
}

/// The files of `dir` whose names start with `prefix`.
fn kept(dir: &Path, prefix: &str) -> Vec<std::path::PathBuf> {
    let mut list: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| Some(e.ok()?.path())).collect())
        .unwrap_or_default();
    list.retain(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix));
    list.sort();
    list
}

/// The reports kept in `dir`: entries named by a key alone.
fn entries(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut list = kept(dir, "");
    list.retain(|p| {
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        name.len() == 40 && name.bytes().all(|b| b.is_ascii_hexdigit())
    });
    list
}

/// Rewrite the one entry of `dir` with `edit` applied to its JSON.
fn edit_entry(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let list = entries(dir);
    assert_eq!(list.len(), 1, "one entry: {list:?}");
    let mut entry: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&list[0]).expect("entry")).expect("entry is JSON");
    edit(&mut entry);
    std::fs::write(&list[0], serde_json::to_vec(&entry).expect("JSON")).expect("write");
}

/// Add a note to an entry's report: a run that prints it was answered from the entry.
fn mark(entry: &mut serde_json::Value) {
    entry["report"]["notes"]
        .as_array_mut()
        .expect("notes")
        .push("marked in the cache".into());
}

#[test]
fn a_cached_report_is_the_computed_one_in_every_format() {
    let repo = common::xen_fixture(false);
    let cache = tempfile::tempdir().expect("tempdir");
    for format in ["json", "human", "sarif", "b4-json"] {
        let computed = series(repo.path(), None, format);
        let first = series(repo.path(), Some(cache.path()), format);
        let second = series(repo.path(), Some(cache.path()), format);
        assert_eq!(computed.0, 1, "the broken rework fails");
        assert_eq!(first, computed, "{format}: a run that fills the cache");
        assert_eq!(second, computed, "{format}: a run answered from the cache");
    }
    // One key for every format: the report is kept, rendering is done each time.
    assert_eq!(entries(cache.path()).len(), 1);
}

#[test]
fn the_cache_answers_and_no_cache_bypasses_it() {
    let repo = common::xen_fixture(false);
    let cache = tempfile::tempdir().expect("tempdir");
    let computed = series(repo.path(), Some(cache.path()), "json");
    // Mark the entry: a run that prints the mark was answered from it.
    edit_entry(cache.path(), mark);
    let answered = series(repo.path(), Some(cache.path()), "json");
    assert!(answered.1.contains("marked in the cache"));
    let bypassed = series(repo.path(), None, "json");
    assert_eq!(bypassed, computed, "--no-cache computes the report again");
    // Other arches are another question: not answered by the entry.
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("xenlint");
    let other = cmd
        .args([
            "series",
            "base..master",
            "--format",
            "json",
            "--arch",
            "arm64",
            "--repo",
        ])
        .arg(repo.path())
        .arg("--cache-dir")
        .arg(cache.path())
        .env_remove("XENLINT_NO_CACHE")
        .output()
        .expect("runs");
    assert!(!String::from_utf8_lossy(&other.stdout).contains("marked in the cache"));
    assert_eq!(entries(cache.path()).len(), 2);
}

#[test]
fn an_entry_whose_programs_changed_is_not_used() {
    let repo = common::xen_fixture(false);
    let cache = tempfile::tempdir().expect("tempdir");
    let computed = series(repo.path(), Some(cache.path()), "json");
    // The entry says `sh` (which every $(shell) runs through) was another file then.
    edit_entry(cache.path(), |e| {
        mark(e);
        e["programs"]
            .as_array_mut()
            .expect("programs")
            .push(serde_json::json!(["sh", "/nonexistent/sh", 1, 1]));
    });
    let again = series(repo.path(), Some(cache.path()), "json");
    assert_eq!(
        again, computed,
        "computed again, not read from the stale entry"
    );
}

#[test]
fn a_damaged_entry_is_a_miss() {
    let repo = common::xen_fixture(false);
    let cache = tempfile::tempdir().expect("tempdir");
    let computed = series(repo.path(), Some(cache.path()), "json");
    let list = entries(cache.path());
    std::fs::write(&list[0], b"{\"format\": \"xenlint-cache-1\", \"report\": ").expect("write");
    assert_eq!(series(repo.path(), Some(cache.path()), "json"), computed);
}

/// What the CONFIG_ reference scan reads of the base tree is kept by the tree's id: a run
/// on the same base whose report is not kept reads it (the entry is used: its time of last
/// use moves) and gives the computed report; a damaged one is read again from the tree.
#[test]
fn the_base_reference_scan_is_kept() {
    let repo = common::xen_fixture(false);
    let cache = tempfile::tempdir().expect("tempdir");
    let computed = series(repo.path(), None, "json");
    assert_eq!(series(repo.path(), Some(cache.path()), "json"), computed);
    let scan = kept(cache.path(), "tree-");
    assert_eq!(scan.len(), 1, "{:?}", kept(cache.path(), ""));
    let text = std::fs::read_to_string(&scan[0]).expect("entry");
    assert!(text.contains("XEN_PVHVM"), "the base's definitions: {text}");
    let long_ago = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1 << 30);
    let age = |path: &Path| std::fs::metadata(path).unwrap().modified().unwrap();
    for damage in [None, Some(&b"{\"definitions\": "[..])] {
        for report in entries(cache.path()) {
            std::fs::remove_file(report).expect("remove the report");
        }
        if let Some(bytes) = damage {
            std::fs::write(&scan[0], bytes).expect("damage");
        }
        let file = std::fs::File::options().append(true).open(&scan[0]);
        file.and_then(|f| f.set_modified(long_ago))
            .expect("set mtime");
        assert_eq!(series(repo.path(), Some(cache.path()), "json"), computed);
        assert!(
            age(&scan[0]) > long_ago,
            "the entry was read, or written again"
        );
        let again = std::fs::read_to_string(&scan[0]).expect("entry");
        assert_eq!(again, text, "a damaged entry is made again");
    }
}

/// The base's `$(shell,...)` answers are kept too: a run that asks something else about
/// the same base (here without suggestions, so the report is not in the cache) runs no
/// probe; `--no-cache` runs them again.
#[test]
fn the_base_probes_run_once() {
    let repo = common::xen_fixture(false);
    let dir = repo.path();
    let canary = tempfile::tempdir().expect("tempdir");
    let ran = canary.path().join("ran");
    std::fs::create_dir_all(dir.join("scripts")).expect("scripts");
    std::fs::write(
        dir.join("scripts/probe.sh"),
        "#!/bin/sh\necho run >> \"$XENLINT_TEST_CANARY\"\necho y\n",
    )
    .expect("probe");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        dir.join("scripts/probe.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .expect("chmod");
    common::git_ok(dir, &["checkout", "-q", "-B", "probed", "base"]);
    let kconfig = dir.join("arch/x86/xen/Kconfig");
    let mut text = std::fs::read_to_string(&kconfig).expect("Kconfig");
    text.push_str("\nconfig PROBED\n\tdef_bool $(shell,$(srctree)/scripts/probe.sh)\n");
    std::fs::write(&kconfig, text).expect("Kconfig");
    common::git_ok(dir, &["add", "-A"]);
    common::git_ok(dir, &["commit", "-q", "-m", "a probe"]);
    common::git_ok(dir, &["tag", "probe-base"]);
    common::git_ok(dir, &["commit", "-q", "--allow-empty", "-m", "next"]);
    let cache = tempfile::tempdir().expect("tempdir");
    let run = |extra: &[&str]| {
        let out = assert_cmd::cargo::cargo_bin_cmd!("xenlint")
            .args([
                "series",
                "probe-base..probed",
                "--arch",
                "x86",
                "--format",
                "json",
            ])
            .arg("--repo")
            .arg(dir)
            .args(extra)
            .env("XENLINT_TEST_CANARY", &ran)
            .env("XENLINT_CACHE_DIR", cache.path())
            .env_remove("XENLINT_NO_CACHE")
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let runs = std::fs::read_to_string(&ran)
            .unwrap_or_default()
            .lines()
            .count();
        let _ = std::fs::remove_file(&ran);
        runs
    };
    assert!(run(&[]) >= 1, "the first run probes");
    let shell = kept(cache.path(), "shell-");
    let shell = shell.first().expect("the answers are kept");
    let text = std::fs::read_to_string(shell).expect("entry");
    assert!(
        text.contains("@XENLINT_SCRATCH@/srctree/scripts/probe.sh"),
        "{text}"
    );
    assert_eq!(run(&["--no-suggest"]), 0, "answered from the kept answers");
    assert!(
        run(&["--no-suggest", "--no-cache"]) >= 1,
        "--no-cache probes again"
    );
}
