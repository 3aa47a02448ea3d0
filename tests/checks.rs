//! Every registered check is documented and has a fixture where it fires and one where it
//! must stay silent; both are run here.

mod common;

use std::path::Path;

use assert_cmd::Command;
use xenlint::lint::checks::CHECKS;

/// (code, fixture that fires, fixture that stays silent). A fixture is a script and its
/// argument; every series is base..master on ARCH=x86.
/// A fixture script and its argument.
type Fixture = (&'static str, &'static str);

const FIXTURES: &[(&str, Fixture, Fixture)] = &[
    (
        "XL0001",
        ("xen-rework.sh", ""),
        ("xen-rework.sh", "--clean"),
    ),
    (
        "XL0002",
        ("check-cases.sh", "kconfig-error"),
        ("xen-rework.sh", "--clean"),
    ),
    (
        "XL0003",
        ("xen-rework.sh", ""),
        ("xen-rework.sh", "--clean"),
    ),
    (
        "XL0004",
        ("check-cases.sh", "new-shell-command"),
        ("xen-rework.sh", "--clean"),
    ),
    (
        "XL0005",
        ("xen-rework.sh", ""),
        ("check-cases.sh", "kconfig-error"),
    ),
    (
        "XL0006",
        ("check-cases.sh", "unmet-dependency"),
        ("xen-rework.sh", "--clean"),
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
        ("xen-rework.sh", "--clean"),
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
];

fn build(script: &str, arg: &str) -> tempfile::TempDir {
    match (script, arg) {
        // check-cases.sh takes the case before the directory, like the flags of the others.
        (_, "") => common::fixture(script, &[]),
        (_, arg) => common::fixture(script, &[arg]),
    }
}

fn codes(dir: &Path) -> Vec<String> {
    let out = Command::cargo_bin("xenlint")
        .expect("binary")
        .args([
            "series",
            "base..master",
            "--arch",
            "x86",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--repo",
        ])
        .arg(dir)
        .output()
        .expect("runs");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().expect("code").to_string())
        .collect()
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

#[test]
fn every_check_fires_on_its_fixture_and_stays_silent_on_its_twin() {
    for check in CHECKS {
        let Some((_, fire, silent)) = FIXTURES.iter().find(|(code, _, _)| *code == check.code)
        else {
            panic!("{} has no fixtures", check.code);
        };
        let fired = codes(build(fire.0, fire.1).path());
        assert!(
            fired.iter().any(|c| c == check.code),
            "{} did not fire on {fire:?}: {fired:?}",
            check.code
        );
        let quiet = codes(build(silent.0, silent.1).path());
        assert!(
            !quiet.iter().any(|c| c == check.code),
            "{} fired on {silent:?}: {quiet:?}",
            check.code
        );
    }
}
