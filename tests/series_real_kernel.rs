//! `xenlint series` on a repository built from the installed 6.12 tree (and the fetched
//! 7.2 one) with a 21-commit Xen rework (testrepos/linux-xen-series.sh): every arch, the
//! default baselines. The break is found at the right commits, on x86 only, in Kconfig
//! and in the objects built; the clean variant is silent.

mod common;

use common::rev;

use std::path::Path;

fn build(clean: bool) -> Option<tempfile::TempDir> {
    build_on("6.12", clean)
}

/// The series on the tree of `version` (from $XENLINT_KERNELS, as common::tree()).
fn build_on(version: &str, clean: bool) -> Option<tempfile::TempDir> {
    if !common::kernel_available(version, &[], "defconfig") {
        return None;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("testrepos/linux-xen-series.sh");
    let mut command = std::process::Command::new("bash");
    command.arg(script);
    if clean {
        command.arg("--clean");
    }
    let status = command
        .arg(dir.path())
        .arg(common::tree(version))
        .status()
        .expect("bash runs");
    assert!(
        status.success(),
        "testrepos/linux-xen-series.sh on {version}"
    );
    Some(dir)
}

fn lint(dir: &Path) -> (i32, serde_json::Value) {
    let out = assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["series", "base..master", "--format", "json", "--repo"])
        .arg(dir)
        .output()
        .expect("runs");
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), json)
}

#[test]
#[ignore = "needs the 6.12 kernel tree: scripts/test.sh extracts it"]
fn the_real_xen_rework_break_is_found_on_x86_only() {
    break_found_on_x86_only("6.12");
}

/// 7.2 has no XEN_DEBUG_FS (the script rewords another help text there) and its own
/// Kconfig and Kbuild elsewhere: the same one break, the same consequences.
#[test]
#[ignore = "needs linux-source-7.2: scripts/fetch-kernel-source.sh 7.2, scripts/kernel-refs.sh -v 7.2"]
fn the_real_xen_rework_break_is_found_on_x86_only_on_7_2() {
    break_found_on_x86_only("7.2");
}

fn break_found_on_x86_only(version: &str) {
    let Some(repo) = build_on(version, false) else {
        return;
    };
    let (code, json) = lint(repo.path());
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(json["commits"].as_array().map(Vec::len), Some(21));
    assert_eq!(
        json["coverage"]["arches"].as_array().map(Vec::len),
        Some(21)
    );
    let findings: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "XL0001")
        .collect();
    assert_eq!(findings.len(), 1, "{json:#}");
    let f = &findings[0];
    assert_eq!(f["symbols"][0], "XEN_PVH");
    assert_eq!(
        f["culprit"]["commit"],
        rev(repo.path(), "master~12"),
        "culprit: the fold commit"
    );
    assert_eq!(
        f["repair"]["commit"],
        rev(repo.path(), "master~1"),
        "repair: the XEN_PVH commit"
    );
    assert_eq!(f["arches"], serde_json::json!(["x86"]));
    assert_eq!(f["baselines"], serde_json::json!(["allmodconfig"]));
    assert_eq!(f["culprit"]["patch"], 9);
    // The verified fix: the repair moved before the fold.
    assert_eq!(f["suggestion"]["kind"], "reorder", "{f:#}");
    assert_eq!(f["suggestion"]["repair"], f["repair"]["commit"]);
    assert_eq!(f["suggestion"]["culprit"], f["culprit"]["commit"]);
    assert_eq!(f["locations"][0]["file"], "arch/x86/xen/Kconfig");
    assert_eq!(
        f["locations"][0]["source_line"],
        "\tdepends on XEN && XEN_PVHVM && ACPI"
    );

    // One cause, one error: with XEN_PVH gone, the PVH guest code drops out of the build
    // over the same commits, on x86 only; that is a consequence of the finding above.
    let errors = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == "error")
        .count();
    assert_eq!(errors, 1, "{json:#}");
    let dropped: Vec<&serde_json::Value> = f["consequences"]
        .as_array()
        .expect("consequences")
        .iter()
        .filter(|c| c["code"] == "XL0008")
        .collect();
    assert_eq!(dropped.len(), 1, "{f:#}");
    let d = dropped[0];
    assert!(d["message"]
        .as_str()
        .expect("message")
        .starts_with("`arch/x86/xen/enlighten_pvh.o`"));
    assert_eq!(d["arches"], serde_json::json!(["x86"]));
    assert_eq!(d["symbols"][0], "XEN_PVH");
    assert_eq!(d["location"]["file"], "arch/x86/xen/Makefile");
    assert_eq!(
        d["location"]["source_line"],
        "obj-$(CONFIG_XEN_PVH)\t\t+= enlighten_pvh.o"
    );
    // The Makefile users of XEN_PVHVM move with it: no reference is left dangling.
    assert!(json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .all(|f| f["code"] != "XL0010" && f["code"] != "XL0011"));
}

#[test]
#[ignore = "needs the 6.12 kernel tree: scripts/test.sh extracts it"]
fn the_clean_real_xen_rework_is_silent() {
    let Some(repo) = build(true) else { return };
    let (code, json) = lint(repo.path());
    assert_eq!(code, 0, "{json:#}");
    // Notes only (XEN_PVHVM is gone at the tip): no errors or warnings.
    let findings = json["findings"].as_array().expect("findings");
    assert!(findings.iter().all(|f| f["severity"] == "note"), "{json:#}");
}

/// The same series posted as mail (`git format-patch --base --cover-letter --thread`) and
/// read with `xenlint mbox`: the same findings on the same patches as `series` on the
/// branch, every arch, the default baselines.
#[test]
#[ignore = "needs the 6.12 kernel tree: scripts/test.sh extracts it"]
fn the_real_xen_rework_posted_as_mail_gives_the_same_findings() {
    let Some(repo) = build(false) else { return };
    let (code, series) = lint(repo.path());
    let patches = std::process::Command::new("git")
        .current_dir(repo.path())
        .args([
            "format-patch",
            "--stdout",
            "--cover-letter",
            "--thread",
            "--base=base",
            "base..master",
        ])
        .output()
        .expect("git format-patch runs");
    assert!(patches.status.success());
    let out = assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["mbox", "-", "--format", "json", "--repo"])
        .arg(repo.path())
        .write_stdin(patches.stdout)
        .output()
        .expect("runs");
    let posted: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(out.status.code(), Some(code));
    assert_eq!(posted["commits"].as_array().map(Vec::len), Some(21));
    assert_eq!(posted["base"]["source"], "base-commit-trailer");
    let expected = common::findings_by_position(&series);
    assert!(!expected.is_empty());
    assert_eq!(common::findings_by_position(&posted), expected);
    // The patch-ids of the commits made from mail are those of the branch.
    for (mine, theirs) in posted["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .zip(series["commits"].as_array().expect("commits"))
    {
        assert_eq!(mine["patch_id"], theirs["patch_id"]);
        assert!(mine["mail"]["message_id"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
}

/// What is reused changes no answer: the series linted with everything computed
/// (`--no-cache --no-incremental`), with incremental resolution, filling the cache and
/// answered from it gives the same report; only the count of configurations resolved
/// differs where conf was provably not needed.
#[test]
#[ignore = "needs the 6.12 kernel tree: scripts/test.sh extracts it"]
fn reuse_changes_no_answer() {
    let Some(repo) = build(false) else { return };
    let cache = tempfile::tempdir().expect("tempdir");
    let run = |extra: &[&str]| {
        let out = assert_cmd::cargo::cargo_bin_cmd!("xenlint")
            .args([
                "series",
                "base..master",
                "--format",
                "json",
                "--arch",
                "x86,arm64,s390",
            ])
            .args(["--repo"])
            .arg(repo.path())
            .args(extra)
            .env("XENLINT_CACHE_DIR", cache.path())
            .env_remove("XENLINT_NO_CACHE")
            .output()
            .expect("runs");
        let mut json: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        json.as_object_mut().expect("object").remove("command_line");
        json
    };
    let resolved = |json: &serde_json::Value| json["coverage"]["configurations_resolved"].clone();
    let parsed = |json: &serde_json::Value| json["coverage"]["trees_parsed"].clone();
    let mut computed = run(&["--no-cache", "--no-incremental"]);
    let incremental = run(&["--no-cache"]);
    let filled = run(&[]);
    let answered = run(&[]);
    assert!(
        resolved(&incremental).as_u64() < resolved(&computed).as_u64(),
        "incremental resolution runs conf less often: {} against {}",
        resolved(&incremental),
        resolved(&computed)
    );
    // The series rewords help texts of arch/x86/xen/Kconfig: x86 keeps its parsed tree.
    assert!(
        parsed(&incremental).as_u64() < parsed(&computed).as_u64(),
        "help texts alone parse nothing again: {} against {}",
        parsed(&incremental),
        parsed(&computed)
    );
    assert_eq!(filled, incremental, "a run that fills the cache");
    assert_eq!(answered, incremental, "a run answered from the cache");
    computed["coverage"]["configurations_resolved"] = resolved(&incremental);
    computed["coverage"]["trees_parsed"] = parsed(&incremental);
    assert_eq!(
        computed, incremental,
        "incremental resolution and kept trees change no answer"
    );
}
