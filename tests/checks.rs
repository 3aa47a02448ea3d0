//! Every registered check is documented and has a fixture where it fires and one where it
//! must stay silent; both are run here.

mod common;

use std::path::Path;

use xenlint::lint::checks::CHECKS;

/// A fixture: a script under testrepos/ and its argument; every series is base..master on
/// ARCH=x86.
type Fixture = (&'static str, &'static str);

/// Each check with the fixture it fires on and its silent twin: a near miss, a series that
/// comes close to the same mistake and makes none.
const FIXTURES: &[(&str, Fixture, Fixture)] = &[
    (
        "XL0001",
        ("xen-rework.sh", ""),
        ("xen-rework.sh", "--clean"),
    ),
    (
        "XL0002",
        ("check-cases.sh", "kconfig-error"),
        ("check-cases.sh", "kconfig-error-near"),
    ),
    (
        "XL0003",
        ("xen-rework.sh", ""),
        ("xen-rework.sh", "--clean"),
    ),
    (
        "XL0004",
        ("check-cases.sh", "new-shell-command"),
        ("check-cases.sh", "new-shell-command-near"),
    ),
    (
        "XL0005",
        ("xen-rework.sh", ""),
        ("check-cases.sh", "lost-symbol-near"),
    ),
    (
        "XL0006",
        ("check-cases.sh", "unmet-dependency"),
        ("check-cases.sh", "unmet-dependency-near"),
    ),
    (
        "XL0007",
        ("xen-rework.sh", ""),
        ("xen-rework.sh", "--clean"),
    ),
    (
        "XL0008",
        ("xen-rework.sh", ""),
        ("xen-rework.sh", "--clean"),
    ),
    (
        "XL0009",
        ("check-cases.sh", "object-lost"),
        ("check-cases.sh", "object-lost-near"),
    ),
    (
        "XL0010",
        ("xen-rework.sh", ""),
        ("xen-rework.sh", "--clean"),
    ),
    (
        "XL0011",
        ("xen-rework.sh", ""),
        ("xen-rework.sh", "--clean"),
    ),
    (
        "XL0012",
        ("check-cases.sh", "unreadable-tree"),
        ("check-cases.sh", "unreadable-tree-near"),
    ),
];

fn build(script: &str, arg: &str) -> tempfile::TempDir {
    match (script, arg) {
        // check-cases.sh takes the case before the directory, like the flags of the others.
        (_, "") => common::fixture(script, &[]),
        (_, arg) => common::fixture(script, &[arg]),
    }
}

/// `xenlint series base..master --arch x86 --format json` on `dir`, whatever it finds.
fn series_json(dir: &Path) -> serde_json::Value {
    series_json_with(dir, &[])
}

/// `series_json` with `extra` arguments.
fn series_json_with(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let out = assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args([
            "series",
            "base..master",
            "--arch",
            "x86",
            "--format",
            "json",
        ])
        .args(["--fail-on", "never", "--repo"])
        .arg(dir)
        .args(extra)
        .output()
        .expect("runs");
    serde_json::from_slice(&out.stdout).expect("json")
}

/// The checks that found something: findings, and the consequences folded into them
/// (a check's detection stands whether its result is a finding or part of another's cause).
fn codes(dir: &Path) -> Vec<String> {
    let json = series_json(dir);
    let mut out = Vec::new();
    for f in json["findings"].as_array().expect("findings") {
        out.push(f["code"].as_str().expect("code").to_string());
        for c in f["consequences"].as_array().expect("consequences") {
            out.push(c["code"].as_str().expect("code").to_string());
        }
    }
    out
}

#[test]
fn every_check_is_documented() {
    for check in CHECKS {
        for heading in ["What it does", "How to fix"] {
            assert!(
                check.doc.contains(heading),
                "{} lacks `{heading}`",
                check.code
            );
        }
        assert!(
            check.doc.contains("Why it"),
            "{} lacks its `Why ...` section",
            check.code
        );
        assert!(
            check
                .doc
                .starts_with(&format!("{} {}", check.code, check.name)),
            "{}",
            check.code
        );
    }
}

fn fixtures_of(code: &str) -> (Fixture, Fixture) {
    let (_, fire, silent) = FIXTURES
        .iter()
        .find(|(c, _, _)| *c == code)
        .unwrap_or_else(|| panic!("{code} has no fixtures"));
    (*fire, *silent)
}

fn fires(code: &str) {
    let (fire, _) = fixtures_of(code);
    let found = codes(build(fire.0, fire.1).path());
    assert!(
        found.iter().any(|c| c == code),
        "{code} did not fire on {fire:?}: {found:?}"
    );
}

fn stays_silent(code: &str) {
    let (_, silent) = fixtures_of(code);
    let found = codes(build(silent.0, silent.1).path());
    assert!(
        !found.iter().any(|c| c == code),
        "{code} fired on its near miss {silent:?}: {found:?}"
    );
}

#[test]
fn every_registered_check_has_fixtures_and_tests() {
    let this_file = include_str!("checks.rs");
    for check in CHECKS {
        fixtures_of(check.code);
        let test = format!("{}_fires", check.code.to_lowercase());
        assert!(
            this_file.contains(&test),
            "{} has no test `{test}`",
            check.code
        );
    }
}

/// One test that the check fires on its fixture and one that it stays silent on the twin.
macro_rules! check_tests {
    ($($code:literal: $fires:ident, $silent:ident;)*) => {$(
        #[test]
        fn $fires() {
            fires($code);
        }

        #[test]
        fn $silent() {
            stays_silent($code);
        }
    )*};
}

check_tests! {
    "XL0001": xl0001_fires, xl0001_stays_silent;
    "XL0002": xl0002_fires, xl0002_stays_silent;
    "XL0003": xl0003_fires, xl0003_stays_silent;
    "XL0004": xl0004_fires, xl0004_stays_silent;
    "XL0005": xl0005_fires, xl0005_stays_silent;
    "XL0006": xl0006_fires, xl0006_stays_silent;
    "XL0007": xl0007_fires, xl0007_stays_silent;
    "XL0008": xl0008_fires, xl0008_stays_silent;
    "XL0009": xl0009_fires, xl0009_stays_silent;
    "XL0010": xl0010_fires, xl0010_stays_silent;
    "XL0011": xl0011_fires, xl0011_stays_silent;
    "XL0012": xl0012_fires, xl0012_stays_silent;
}

#[test]
fn an_unreadable_tree_is_shown_at_its_makefile() {
    let dir = build("check-cases.sh", "unreadable-tree");
    let json = series_json(dir.path());
    let finding = &json["findings"][0];
    assert_eq!(finding["code"], "XL0012");
    let location = &finding["locations"][0];
    assert_eq!(location["file"], "Makefile");
    assert_eq!(location["line"], 1);
    assert_eq!(location["source_line"], "KERNEL_VERSION = 6");
}

/// A symbol the series adds and renames has no value at either end to keep: no XL0001 at
/// its first name; the Makefile line its rename leaves behind is XL0010, repaired later.
#[test]
fn a_symbol_added_then_renamed_is_no_bisect_break() {
    let dir = build("check-cases.sh", "added-then-renamed");
    let json = series_json(dir.path());
    let findings = json["findings"].as_array().expect("findings");
    let first_name = |f: &&serde_json::Value| {
        f["symbols"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s == "XEN_SCSI_FRONTEND"))
    };
    assert!(
        !findings
            .iter()
            .filter(first_name)
            .any(|f| f["code"] == "XL0001"),
        "{json:#}"
    );
    let gated = findings
        .iter()
        .find(|f| f["code"] == "XL0010")
        .expect("XL0010");
    assert_eq!(
        gated["culprit"]["summary"], "xen: rename XEN_SCSI_FRONTEND to XEN_SCSIFRONT",
        "{json:#}"
    );
    assert_eq!(
        gated["repair"]["summary"], "xen: build the SCSI frontend under its new name",
        "{json:#}"
    );
}

/// A commit that only makes a help text longer and rewords a prompt keeps its parent's
/// parsed tree, its lines moved and the prompt replaced: the break after it names the
/// parent's line as parsing that commit would (the report equals that of
/// `--no-incremental`, which parses every tree, but for the counts).
#[test]
fn a_longer_help_text_moves_the_lines_a_finding_names() {
    let dir = build("check-cases.sh", "help-grows");
    let run = |extra: &[&str]| {
        let mut json = series_json_with(dir.path(), extra);
        json.as_object_mut().expect("object").remove("command_line");
        json
    };
    let kept = run(&["--no-cache"]);
    let mut parsed = run(&["--no-cache", "--no-incremental"]);
    let count = |json: &serde_json::Value, what: &str| json["coverage"][what].as_u64();
    assert!(count(&kept, "trees_parsed") < count(&parsed, "trees_parsed"));
    for what in ["trees_parsed", "configurations_resolved"] {
        parsed["coverage"][what] = kept["coverage"][what].clone();
    }
    assert_eq!(kept, parsed);
    // The parent's `depends on XEN` is on line 12 there (11 at the base).
    let parent = kept["findings"][0]["locations"]
        .as_array()
        .expect("locations")
        .iter()
        .find(|l| l["role"] == "parent")
        .cloned()
        .expect("a parent location");
    assert_eq!(parent["line"], 12, "{kept:#}");
    assert_eq!(parent["source_line"], "\tdepends on XEN", "{kept:#}");
}
