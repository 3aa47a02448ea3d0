//! `xenlint series` on the Xen fixture repositories (testrepos/xen-rework.sh): the broken
//! rework is found with the right culprit, repair, arches and root cause; the clean one
//! stays silent; the repository is byte-for-byte unchanged afterwards.

mod common;

use common::xen_fixture as fixture;
use std::path::Path;
use std::process::Command as Process;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Process::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("git runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Everything a command could have changed: refs, HEAD, index, work tree status, config.
fn state(dir: &Path) -> Vec<String> {
    let git_dir = git(dir, &["rev-parse", "--absolute-git-dir"]);
    let read = |name: &str| std::fs::read(Path::new(&git_dir).join(name)).unwrap_or_default();
    vec![
        git(dir, &["for-each-ref"]),
        git(dir, &["rev-parse", "HEAD"]),
        git(dir, &["status", "--porcelain", "--ignored"]),
        format!("{:?}", read("index")),
        format!("{:?}", read("HEAD")),
        format!("{:?}", read("config")),
    ]
}

/// The findings of one check.
pub fn codes(json: &serde_json::Value, code: &str) -> Vec<serde_json::Value> {
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == code)
        .cloned()
        .collect()
}

/// The checks of a finding's consequences, in order.
pub fn consequence_codes(finding: &serde_json::Value) -> Vec<String> {
    finding["consequences"]
        .as_array()
        .expect("consequences")
        .iter()
        .map(|c| c["code"].as_str().expect("code").to_string())
        .collect()
}

fn series(dir: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let out = assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["series", "base..master", "--format", "json", "--repo"])
        .arg(dir)
        .args(extra)
        .output()
        .expect("runs");
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), json)
}

#[test]
fn the_broken_rework_is_found() {
    let repo = fixture(false);
    let before = state(repo.path());
    let (code, json) = series(repo.path(), &[]);
    assert_eq!(state(repo.path()), before, "the repository changed");
    assert_eq!(code, 1);
    assert_eq!(json["version"], 2);
    let findings = codes(&json, "XL0001");
    assert_eq!(findings.len(), 1, "{json:#}");
    let f = &findings[0];
    assert_eq!(f["code"], "XL0001");
    assert_eq!(f["name"], "bisect-break");
    assert_eq!(f["symbols"][0], "XEN_PVH");
    assert_eq!(
        f["culprit"]["commit"],
        git(repo.path(), &["rev-parse", "master~3"])
    );
    assert_eq!(
        f["repair"]["commit"],
        git(repo.path(), &["rev-parse", "master~1"])
    );
    assert_eq!(f["arches"], serde_json::json!(["x86"]));
    assert_eq!(
        f["baselines"],
        serde_json::json!(["defconfig", "allmodconfig"])
    );
    let location = &f["locations"][0];
    assert_eq!(location["file"], "arch/x86/xen/Kconfig");
    assert_eq!(
        location["source_line"],
        "\tdepends on XEN && XEN_PVHVM && ACPI"
    );
    assert!(f["message"]
        .as_str()
        .expect("message")
        .contains("`XEN_PVHVM`, which this commit removes"));

    // One finding per root cause: what XEN_PVH's broken dependency also does is folded in.
    assert_eq!(
        consequence_codes(f),
        ["XL0003", "XL0007", "XL0008"],
        "{json:#}"
    );
    let pvh = &f["consequences"][2];
    assert_eq!(pvh["symbols"][0], "XEN_PVH");
    assert!(pvh["message"]
        .as_str()
        .expect("message")
        .starts_with("`arch/x86/xen/enlighten_pvh.o` is not built"));
    assert!(f["consequences"][1]["message"]
        .as_str()
        .expect("message")
        .contains("cannot be enabled on ARCH=x86 from"));
    assert_eq!(codes(&json, "XL0008").len(), 0, "{json:#}");
    assert_eq!(codes(&json, "XL0007").len(), 0, "{json:#}");

    // Kbuild: arch/x86/Kbuild gates objects by XEN_BUILD_HYPERVISOR two commits before
    // the commit that defines it: the objects it gated and the code that tests it are the
    // consequences of that one cause.
    let gates = codes(&json, "XL0010");
    assert_eq!(gates.len(), 1, "{json:#}");
    assert_eq!(gates[0]["symbols"][0], "XEN_BUILD_HYPERVISOR");
    assert_eq!(gates[0]["severity"], "error");
    assert_eq!(gates[0]["locations"][0]["file"], "arch/x86/Kbuild");
    assert_eq!(
        gates[0]["culprit"]["commit"],
        git(repo.path(), &["rev-parse", "master~4"])
    );
    assert_eq!(
        gates[0]["repair"]["commit"],
        git(repo.path(), &["rev-parse", "master"])
    );
    assert_eq!(consequence_codes(&gates[0]), ["XL0011", "XL0008"]);
    assert!(gates[0]["consequences"][0]["message"]
        .as_str()
        .expect("message")
        .contains("IS_ENABLED(CONFIG_XEN_BUILD_HYPERVISOR)"));
    let by_role = &gates[0]["consequences"][1];
    assert!(by_role["message"]
        .as_str()
        .expect("message")
        .starts_with("`arch/x86/xen/enlighten.o`, `arch/x86/xen/mmu.o` are not built"));
    assert_eq!(by_role["location"]["file"], "arch/x86/xen/Makefile");

    // Code: IS_ENABLED() of the symbol before it exists, and an #ifdef left on the folded
    // symbol, with its successor found through the Kbuild lines it gated.
    // These have no repair in the series: a cause of their own.
    let code_refs = codes(&json, "XL0011");
    assert_eq!(code_refs.len(), 2, "{json:#}");
    assert_eq!(
        code_refs[0]["symbols"],
        serde_json::json!(["XEN_PVHVM", "XEN_FRONTEND"])
    );
    assert_eq!(code_refs[0]["repair"], serde_json::Value::Null);
    assert_eq!(
        code_refs[0]["broken_span"],
        serde_json::json!({"first": 3, "last": 6})
    );
    // A user of the removed symbol in a file the series never touches is found too.
    let untouched = &code_refs[1];
    assert_eq!(
        untouched["locations"][0]["file"],
        "drivers/xen/platform-pci.c"
    );
    assert_eq!(
        untouched["locations"][0]["source_line"],
        "\tif (!IS_ENABLED(CONFIG_XEN_PVHVM))"
    );
    assert_eq!(
        untouched["culprit"]["commit"],
        git(repo.path(), &["rev-parse", "master~3"])
    );
}

#[test]
fn the_clean_rework_is_silent() {
    let repo = fixture(true);
    let (code, json) = series(repo.path(), &[]);
    assert_eq!(code, 0);
    // Only the note that XEN_PVHVM is gone, with its successor: nothing breaks.
    let findings = json["findings"].as_array().expect("findings");
    assert!(findings.iter().all(|f| f["code"] == "XL0005"), "{json:#}");
}

#[test]
fn a_bare_clone_works_and_stays_unchanged() {
    let repo = fixture(false);
    let bare = tempfile::tempdir().expect("tempdir");
    let status = Process::new("git")
        .args(["clone", "-q", "--bare"])
        .arg(repo.path())
        .arg(bare.path())
        .status()
        .expect("git");
    assert!(status.success());
    let before = state(bare.path());
    let (code, json) = series(bare.path(), &["--arch", "x86", "--baseline", "defconfig"]);
    assert_eq!(state(bare.path()), before);
    assert_eq!(code, 1);
    assert_eq!(
        codes(&json, "XL0001")[0]["baselines"],
        serde_json::json!(["defconfig"])
    );
}

#[test]
fn a_bad_range_is_a_usage_error() {
    let repo = fixture(true);
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["series", "nope..master", "--repo"])
        .arg(repo.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("revision `nope`"));
}

#[test]
fn the_human_report_names_both_sides() {
    let repo = fixture(false);
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["series", "base..master", "--repo"])
        .arg(repo.path())
        .env("NO_COLOR", "1")
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "error[XL0001]: bisect-break: CONFIG_XEN_PVH is y at the base and the tip",
        ))
        .stdout(predicates::str::contains(
            "^^^^^^^^^ `XEN_PVHVM` is not defined at this commit",
        ))
        .stdout(predicates::str::contains(
            "`XEN_PVHVM` was defined here in the parent",
        ))
        .stdout(predicates::str::contains("repaired by:"));
}

#[test]
fn explain_documents_the_check() {
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["explain", "bisect-break"])
        .assert()
        .success()
        .stdout(predicates::str::contains("Why it breaks bisection"));
}

#[test]
fn xenlint_toml_sets_arches_and_ignores() {
    let repo = fixture(false);
    std::fs::write(repo.path().join(".xenlint.toml"), "arches = [\"arm64\"]\n").expect("write");
    let (code, json) = series(repo.path(), &[]);
    assert_eq!(
        (code, json["coverage"]["arches"].clone()),
        (0, serde_json::json!(["arm64"]))
    );
    std::fs::write(
        repo.path().join(".xenlint.toml"),
        "ignore = [\"bisect-break\", \"XL0003\", \"object-dropped\", \"XL0010\"]\n",
    )
    .expect("write");
    let (code, json) = series(repo.path(), &[]);
    assert_eq!(code, 0, "{json:#}");
    assert!(codes(&json, "XL0001").is_empty() && codes(&json, "XL0003").is_empty());
    std::fs::write(repo.path().join(".xenlint.toml"), "arch = [\"x86\"]\n").expect("write");
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["series", "base..master", "--repo"])
        .arg(repo.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains(".xenlint.toml"))
        .stderr(predicates::str::contains("unknown field `arch`"));
}

#[test]
fn settings_ignoring_checks_say_so_in_the_report() {
    let repo = fixture(false);
    std::fs::write(
        repo.path().join(".xenlint.toml"),
        "ignore = [\"bisect-break\"]\n",
    )
    .expect("write");
    let (_, json) = series(repo.path(), &[]);
    assert!(codes(&json, "XL0001").is_empty());
    let notes = json["coverage"]["notes"].to_string();
    assert!(
        notes.contains("1 bisect-break finding ignored by") && notes.contains(".xenlint.toml"),
        "{notes}"
    );
}

#[test]
fn a_series_cannot_switch_off_its_own_checks() {
    // A bare clone: no work tree, so settings could only come from commits.
    let repo = fixture(false);
    common::git_ok(repo.path(), &["checkout", "-q", "master"]);
    std::fs::write(
        repo.path().join(".xenlint.toml"),
        "ignore = [\"bisect-break\", \"object-dropped\"]\n",
    )
    .expect("write");
    common::git_ok(repo.path(), &["add", ".xenlint.toml"]);
    common::git_ok(repo.path(), &["commit", "-q", "-m", "silence xenlint"]);
    let bare = tempfile::tempdir().expect("tempdir");
    common::git_ok(
        bare.path(),
        &[
            "clone",
            "-q",
            "--bare",
            &repo.path().display().to_string(),
            ".",
        ],
    );
    let (code, json) = series(bare.path(), &[]);
    assert_eq!(code, 1, "the series' own settings are not obeyed");
    assert!(!codes(&json, "XL0001").is_empty());
    // The user's own settings file is.
    let settings = bare.path().join("mine.toml");
    std::fs::write(
        &settings,
        "ignore = [\"bisect-break\", \"object-dropped\"]\n",
    )
    .expect("write");
    let (_, json) = series(
        bare.path(),
        &["--settings", &settings.display().to_string()],
    );
    assert!(codes(&json, "XL0001").is_empty());
    assert!(json["coverage"]["notes"].to_string().contains("mine.toml"));
}

#[test]
fn reports_match_their_snapshots() {
    let repo = fixture(false);
    let run = |format: &str| {
        // Run inside the repository, so the command line the report records is the same
        // on every machine.
        let out = assert_cmd::cargo::cargo_bin_cmd!("xenlint")
            .args(["series", "base..master", "--format", format])
            .current_dir(repo.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("runs");
        String::from_utf8(out.stdout).expect("utf-8")
    };
    insta::assert_snapshot!("xen_rework_human", run("human"));
    insta::assert_snapshot!("xen_rework_json", run("json"));
}

#[test]
fn a_changed_dependency_is_shown_on_both_sides() {
    let repo = common::fixture("check-cases.sh", &["changed-dependency"]);
    let (code, json) = series(repo.path(), &["--arch", "x86", "--baseline", "defconfig"]);
    assert_eq!(code, 1);
    let breaks = codes(&json, "XL0001");
    assert_eq!(breaks.len(), 1, "{json:#}");
    let f = &breaks[0];
    assert_eq!(f["symbols"][0], "XEN_PV");
    assert!(f["message"]
        .as_str()
        .expect("message")
        .ends_with("`depends on XEN` became `depends on XEN && !SMP`"));
    assert_eq!(f["locations"][0]["source_line"], "\tdepends on XEN && !SMP");
    assert_eq!(f["locations"][1]["source_line"], "\tdepends on XEN");
    assert_eq!(f["locations"][1]["commit"], json["base"]["commit"]);
    assert_eq!(f["locations"][1]["patch"], 0);
    // XEN_DOM0 and XEN_BACKEND follow XEN_PV: grouped under it, not reported apart,
    // nearest the cause first (XEN_DOM0 depends on XEN_PV, XEN_BACKEND on XEN_DOM0).
    assert_eq!(
        f["symbols"],
        serde_json::json!(["XEN_PV", "XEN_DOM0", "XEN_BACKEND"])
    );
}

#[test]
fn a_file_removed_from_a_wildcard_directory_drops_its_object() {
    // drivers/xen builds every .c of drivers/xen/extra through $(wildcard); the series
    // deletes one of them and brings it back: no Makefile changes, the object set does.
    let repo = fixture(true);
    let run = |args: &[&str]| common::git_ok(repo.path(), args);
    run(&["checkout", "-q", "-B", "master", "base"]);
    let extra = repo.path().join("drivers/xen/extra");
    std::fs::create_dir_all(&extra).expect("mkdir");
    std::fs::write(extra.join("balloon.c"), "int balloon;\n").expect("write");
    std::fs::write(
        extra.join("Makefile"),
        "obj-y += $(patsubst %.c,%.o,$(notdir $(wildcard $(srctree)/drivers/xen/extra/*.c)))\n",
    )
    .expect("write");
    let makefile = repo.path().join("drivers/xen/Makefile");
    let mut text = std::fs::read_to_string(&makefile).expect("Makefile");
    text.push_str("obj-y += extra/\n");
    std::fs::write(&makefile, text).expect("write");
    run(&["add", "-A"]);
    run(&["commit", "-qm", "xen: extra drivers"]);
    run(&["tag", "-f", "base"]);
    run(&["rm", "-q", "drivers/xen/extra/balloon.c"]);
    run(&["commit", "-qm", "xen: drop the balloon"]);
    std::fs::write(extra.join("balloon.c"), "int balloon;\n").expect("write");
    run(&["add", "-A"]);
    run(&["commit", "-qm", "xen: bring the balloon back"]);
    let (_, json) = series(repo.path(), &["--arch", "x86", "--baseline", "defconfig"]);
    let dropped = codes(&json, "XL0008");
    assert_eq!(dropped.len(), 1, "{json:#}");
    assert!(dropped[0]["message"]
        .as_str()
        .expect("message")
        .starts_with("`drivers/xen/extra/balloon.o`"));
    assert_eq!(
        dropped[0]["culprit"]["commit"],
        git(repo.path(), &["rev-parse", "master~1"])
    );
}
