//! One finding per root cause, with the cause found through the mechanism conf uses: a
//! misspelt dependency whose select chain takes more symbols and objects with it, a
//! choice whose default flips and flips back, a rename and a split with their successors.
//! Each case is a fixture of testrepos/check-cases.sh; the human report is a snapshot and
//! the JSON is checked field by field.

mod common;

use std::path::Path;

fn lint(repo: &Path, format: &str) -> String {
    let out = assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args([
            "series",
            "base..master",
            "--format",
            format,
            "--fail-on",
            "never",
        ])
        .arg("--repo")
        .arg(repo)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn json(repo: &Path) -> serde_json::Value {
    serde_json::from_str(&lint(repo, "json")).expect("json")
}

fn findings(json: &serde_json::Value) -> &Vec<serde_json::Value> {
    json["findings"].as_array().expect("findings")
}

fn consequences(f: &serde_json::Value) -> Vec<(String, String)> {
    f["consequences"]
        .as_array()
        .expect("consequences")
        .iter()
        .map(|c| {
            (
                c["code"].as_str().expect("code").to_string(),
                c["symbols"][0].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn text(v: &serde_json::Value) -> &str {
    v.as_str().expect("a string")
}

#[test]
fn a_misspelt_dependency_is_one_finding_with_its_select_chain_grouped() {
    let repo = common::fixture("check-cases.sh", &["misspelt-dependency"]);
    let json = json(repo.path());
    let all = findings(&json);
    assert_eq!(all.len(), 1, "{json:#}");
    let f = &all[0];
    assert_eq!(f["code"], "XL0001");
    assert_eq!(f["symbols"][0], "XEN_PV");
    assert!(
        text(&f["message"]).contains(
            "`depends on XEN && HYPERVISOR_GEUST` names `HYPERVISOR_GEUST`, which is not defined (did you mean `HYPERVISOR_GUEST`?)"
        ),
        "{f:#}"
    );
    let root = &f["locations"][0];
    assert_eq!(root["file"], "arch/x86/xen/Kconfig");
    assert_eq!(root["role"], "culprit");
    assert_eq!(root["highlight"], "HYPERVISOR_GEUST");
    let found = consequences(f);
    // Lost through the select, then through the dependency on what was selected.
    for symbol in ["XEN_PV_HELPER", "XEN_PV_SMP", "XEN_DOM0", "XEN_BACKEND"] {
        assert!(
            found.contains(&("XL0001".to_string(), symbol.to_string())),
            "{symbol}: {found:?}"
        );
    }
    let helper = f["consequences"]
        .as_array()
        .expect("consequences")
        .iter()
        .find(|c| c["symbols"][0] == "XEN_PV_SMP")
        .expect("XEN_PV_SMP");
    assert!(
        text(&helper["message"]).ends_with("depends on XEN_PV_HELPER, selected by XEN_PV"),
        "{helper:#}"
    );
    // The objects gated by the symbols of the chain drop out with them.
    let objects: Vec<&str> = f["consequences"]
        .as_array()
        .expect("consequences")
        .iter()
        .filter(|c| c["code"] == "XL0008")
        .map(|c| text(&c["message"]))
        .collect();
    assert!(
        objects.iter().any(|m| m.contains("arch/x86/xen/smp_pv.o")),
        "{objects:?}"
    );
    assert!(
        objects
            .iter()
            .any(|m| m.contains("drivers/xen/xen-backend.o")),
        "{objects:?}"
    );
    // The fix touches the misspelt line, so it cannot move before it: only the squash.
    assert_eq!(f["suggestion"]["kind"], "squash");
    insta::assert_snapshot!("misspelt_dependency", lint(repo.path(), "human"));
}

#[test]
fn a_choice_default_flip_is_found_at_the_default_line() {
    let repo = common::fixture("check-cases.sh", &["choice-default"]);
    let json = json(repo.path());
    let all = findings(&json);
    assert_eq!(all.len(), 1, "{json:#}");
    let f = &all[0];
    assert_eq!(f["code"], "XL0001");
    assert!(
        text(&f["message"]).contains(
            "the default of the choice \"Timer frequency\" became `HZ_1000` (was `HZ_250`)"
        ),
        "{f:#}"
    );
    assert_eq!(f["locations"][0]["source_line"], "\tdefault HZ_1000");
    assert_eq!(f["locations"][0]["role"], "culprit");
    assert_eq!(f["locations"][1]["source_line"], "\tdefault HZ_250");
    // The culprit is patch 1: its parent is the base.
    assert_eq!(f["locations"][1]["role"], "base");
    let found = consequences(f);
    assert!(found.contains(&("XL0001".to_string(), "HZ".to_string())));
    assert!(found.contains(&("XL0001".to_string(), "HZ_250".to_string())));
    // The symbol itself is the finding, never one of its own dependents.
    assert!(!found.iter().any(|(_, s)| s == text(&f["symbols"][0])));
    // A member allmodconfig does not pick can still be picked: not a dead symbol.
    assert!(!found.iter().any(|(code, _)| code == "XL0007"), "{found:?}");
    assert!(f["suggestion"]["kind"].is_string());
    insta::assert_snapshot!("choice_default", lint(repo.path(), "human"));
}

#[test]
fn a_rename_names_its_successor_with_the_evidence() {
    let repo = common::fixture("check-cases.sh", &["rename"]);
    let json = json(repo.path());
    // One removal, though three arches define the symbol in files of their own.
    let all = findings(&json);
    assert_eq!(all.len(), 1, "{json:#}");
    let x86 = &all[0];
    assert_eq!(x86["code"], "XL0005");
    assert_eq!(x86["arches"], serde_json::json!(["arm", "arm64", "x86"]));
    let files: Vec<&str> = x86["locations"]
        .as_array()
        .expect("locations")
        .iter()
        .map(|l| text(&l["file"]))
        .collect();
    assert_eq!(
        files,
        [
            "arch/arm/Kconfig",
            "arch/arm64/Kconfig",
            "arch/x86/xen/Kconfig"
        ]
    );
    assert_eq!(
        x86["symbols"],
        serde_json::json!(["XEN_DOM0", "XEN_INITIAL_DOMAIN"])
    );
    let notes: Vec<&str> = x86["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .map(text)
        .collect();
    assert!(
        notes.iter().any(|n| n
            .starts_with("CONFIG_XEN_INITIAL_DOMAIN: same type; same dependencies")
            && n.contains("users moved to it in drivers/xen/Kconfig")),
        "{notes:?}"
    );
    assert!(
        notes.contains(&"defconfig: CONFIG_XEN_DOM0=y at the base becomes CONFIG_XEN_INITIAL_DOMAIN=y at the tip"),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("still set at the tip in arch/x86/configs/x86_64_defconfig:")),
        "{notes:?}"
    );
    insta::assert_snapshot!("rename", lint(repo.path(), "human"));
}

#[test]
fn a_split_names_both_successors() {
    let repo = common::fixture("check-cases.sh", &["split"]);
    let json = json(repo.path());
    let all = findings(&json);
    assert_eq!(all.len(), 1, "{json:#}");
    let f = &all[0];
    assert_eq!(f["code"], "XL0005");
    assert_eq!(
        f["symbols"],
        serde_json::json!([
            "XEN_BLKDEV_FRONTEND",
            "XEN_BLKFRONT",
            "XEN_BLKFRONT_PERSISTENT"
        ])
    );
    assert!(text(&f["message"])
        .ends_with("split into CONFIG_XEN_BLKFRONT and CONFIG_XEN_BLKFRONT_PERSISTENT"));
    let notes: Vec<&str> = f["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .map(text)
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("CONFIG_XEN_BLKFRONT: same prompt")
                && n.contains("drivers/xen/Makefile")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("CONFIG_XEN_BLKFRONT_PERSISTENT:")
                && n.contains("drivers/xen/xen-blkfront.c")),
        "{notes:?}"
    );
    insta::assert_snapshot!("split", lint(repo.path(), "human"));
}

#[test]
fn why_along_a_range_gives_the_same_cause_as_the_series_report() {
    let repo = common::fixture("check-cases.sh", &["misspelt-dependency"]);
    let out = assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args([
            "why",
            "CONFIG_XEN_PV_SMP",
            "--range",
            "base..master",
            "--arch",
            "x86",
        ])
        .args(["--baseline", "allmodconfig", "--format", "json", "--repo"])
        .arg(repo.path())
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let why: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let changes = why["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 2, "{why:#}");
    let (lost, back) = (&changes[0], &changes[1]);
    assert_eq!(
        (&lost["before"], &lost["after"]),
        (&"y".into(), &"n".into())
    );
    assert_eq!(lost["patch"], 1);
    assert_eq!(
        lost["path"],
        serde_json::json!(["depends on XEN_PV_HELPER", "selected by XEN_PV"])
    );
    // The series report states the very same cause for the break.
    let report = json(repo.path());
    let finding = &findings(&report)[0];
    assert!(
        text(&finding["message"]).ends_with(text(&lost["cause"])),
        "{finding:#}"
    );
    assert_eq!(
        lost["locations"][0]["line"],
        finding["locations"][0]["line"]
    );
    assert_eq!(back["patch"], 2);
    assert!(text(&back["cause"]).contains("became `depends on XEN && HYPERVISOR_GUEST`"));
}

#[test]
fn the_series_report_shows_what_the_culprit_changes_as_xenlint_diff_does() {
    let repo = common::fixture("check-cases.sh", &["misspelt-dependency"]);
    let json = json(repo.path());
    let f = &findings(&json)[0];
    let note = f["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .map(text)
        .find(|n| n.starts_with("what this commit changes in the defconfig .config of ARCH=x86"))
        .unwrap_or_else(|| panic!("{f:#}"));
    let out = assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args([
            "diff",
            "base",
            "master~1",
            "--arch",
            "x86",
            "--baseline",
            "defconfig",
        ])
        .arg("--repo")
        .arg(repo.path())
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let diff = String::from_utf8(out.stdout).expect("utf-8");
    let shown: Vec<&str> = note.lines().skip(1).collect();
    assert_eq!(shown, diff.lines().collect::<Vec<_>>());
    assert!(shown.contains(&"-XEN_PV y"), "{shown:?}");
}

#[test]
fn a_defconfig_line_is_the_cause_when_the_kconfig_did_not_change() {
    let repo = common::fixture("check-cases.sh", &["defconfig-line"]);
    let json = json(repo.path());
    let all = findings(&json);
    assert_eq!(all.len(), 1, "{json:#}");
    let f = &all[0];
    assert_eq!(f["symbols"][0], "PARAVIRT");
    assert!(
        text(&f["message"])
            .ends_with("`arch/x86/configs/x86_64_defconfig` no longer has `CONFIG_PARAVIRT=y`"),
        "{f:#}"
    );
    assert_eq!(f["baselines"], serde_json::json!(["defconfig"]));
    let root = &f["locations"][0];
    assert_eq!(root["file"], "arch/x86/configs/x86_64_defconfig");
    assert_eq!(root["source_line"], "CONFIG_PARAVIRT=y");
    assert_eq!(root["role"], "base");
    let found = consequences(f);
    assert!(
        found.contains(&("XL0001".to_string(), "XEN".to_string())),
        "{found:?}"
    );
    insta::assert_snapshot!("defconfig_line", lint(repo.path(), "human"));
}

#[test]
fn a_symbol_marked_broken_for_good_is_one_finding_with_what_it_takes_along() {
    let repo = common::fixture("check-cases.sh", &["mark-broken"]);
    let json = json(repo.path());
    let dead: Vec<&serde_json::Value> = findings(&json)
        .iter()
        .filter(|f| f["code"] == "XL0007")
        .collect();
    assert_eq!(dead.len(), 1, "{json:#}");
    let f = dead[0];
    assert_eq!(f["symbols"][0], "XEN_PV");
    assert!(
        text(&f["message"]).ends_with("this commit adds `depends on XEN && BROKEN`")
            || text(&f["message"]).contains("`depends on XEN` became `depends on XEN && BROKEN`"),
        "{f:#}"
    );
    let found = consequences(f);
    assert!(
        found.contains(&("XL0007".to_string(), "XEN_DOM0".to_string())),
        "{found:?}"
    );
    assert!(found.iter().any(|(code, _)| code == "XL0009"), "{found:?}");
    // Nothing about it is reported twice.
    assert!(
        findings(&json).iter().all(|g| g["code"] != "XL0009"),
        "{json:#}"
    );
}
