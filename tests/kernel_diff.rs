//! `xenlint diff v6.1 v6.12` against the kernel itself: on a repository holding the two
//! complete Debian trees (testrepos/linux-6.1-6.12.sh), the output for x86 and arm64, for
//! defconfig and the all*config targets, must be byte for byte what the kernel's own
//! scripts/diffconfig prints for the two `.config` files make wrote
//! (scripts/kernel-refs.sh), run by python3.
//!
//! Building the repository takes about two minutes; XENLINT_LINUX_REPO names one
//! already built by the script, to reuse it.

mod common;

use std::path::{Path, PathBuf};

const ARCHES: &[&str] = &["x86", "arm64"];
const TARGETS: &[&str] = &["defconfig", "allnoconfig", "allmodconfig", "allyesconfig"];

/// scripts/diffconfig of the newer tree on the two reference `.config` files.
fn kernel_diffconfig(arch: &str, target: &str) -> String {
    let script = common::tree("6.12").join("scripts/diffconfig");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(common::reference("6.1", arch, target).join(".config"))
        .arg(common::reference("6.12", arch, target).join(".config"))
        .output()
        .expect("python3 runs (CI installs it)");
    assert!(
        out.status.success(),
        "{}: {}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("diffconfig prints UTF-8")
}

fn xenlint_diff(repo: &Path, args: &[&str]) -> String {
    let out = assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["diff", "v6.1", "v6.12", "--shell", "trusted"])
        .args(args)
        .arg("--repo")
        .arg(repo)
        .output()
        .expect("xenlint runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "xenlint diff: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("xenlint prints UTF-8")
}

fn assert_identical(arch: &str, target: &str, got: &str) {
    let want = kernel_diffconfig(arch, target);
    assert!(
        want.lines().count() > 100,
        "ARCH={arch} {target}: 6.1 and 6.12 differ in hundreds of symbols"
    );
    assert!(
        want == got,
        "ARCH={arch} {target}: xenlint diff differs from scripts/diffconfig:\n{}",
        common::unified_diff(&want, got, "diffconfig", "xenlint diff", 80)
    );
    eprintln!(
        "ARCH={arch} {target}: {} lines, identical to scripts/diffconfig",
        got.lines().count()
    );
}

/// The sections of a run with several comparisons: (`ARCH=<arch> <baseline>`, lines).
/// diffconfig's lines start with `-`, `+` or a space, so a header or a blank line cannot
/// be one of them.
fn sections(output: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in output.split_inclusive('\n') {
        if let Some(header) = line.strip_suffix(":\n").filter(|l| l.starts_with("ARCH=")) {
            out.push((header.to_string(), String::new()));
        } else if line != "\n" {
            out.last_mut().expect("a header first").1.push_str(line);
        }
    }
    out
}

#[test]
#[ignore = "needs the 6.1 and 6.12 kernel trees and their references: scripts/test.sh makes them"]
fn diff_of_6_1_and_6_12_is_the_kernels_diffconfig() {
    let arches: Vec<String> = ARCHES.iter().map(|a| a.to_string()).collect();
    let available = common::VERSIONS.iter().all(|v| {
        TARGETS
            .iter()
            .all(|t| common::kernel_available(v, &arches, t))
    });
    if !available {
        return;
    }
    let built;
    let repo: PathBuf = match std::env::var_os("XENLINT_LINUX_REPO") {
        Some(path) => PathBuf::from(path),
        None => {
            built = common::fixture("linux-6.1-6.12.sh", &[]);
            built.path().to_path_buf()
        }
    };
    // The defconfig of each arch alone: diffconfig's lines and nothing else.
    for arch in ARCHES {
        let got = xenlint_diff(&repo, &["--arch", arch, "--baseline", "defconfig"]);
        assert_identical(arch, "defconfig", &got);
    }
    // The other targets in one run, one section each, in the order asked.
    let others = TARGETS[1..].join(",");
    let got = xenlint_diff(&repo, &["--arch", "x86,arm64", "--baseline", &others]);
    let got = sections(&got);
    let mut expected = Vec::new();
    for arch in ARCHES {
        for target in &TARGETS[1..] {
            expected.push(format!("ARCH={arch} {target}"));
        }
    }
    let headers: Vec<String> = got.iter().map(|(header, _)| header.clone()).collect();
    assert_eq!(headers, expected);
    for (header, lines) in &got {
        let (arch, target) = header["ARCH=".len()..]
            .split_once(' ')
            .expect("ARCH=<arch> <target>");
        assert_identical(arch, target, lines);
    }

    // The JSON holds the same differences, comparison by comparison.
    let all = TARGETS.join(",");
    let json: serde_json::Value = serde_json::from_str(&xenlint_diff(
        &repo,
        &[
            "--arch",
            "x86,arm64",
            "--baseline",
            &all,
            "--format",
            "json",
        ],
    ))
    .expect("valid JSON");
    let configs = json["configs"].as_array().expect("configs");
    assert_eq!(configs.len(), ARCHES.len() * TARGETS.len());
    for config in configs {
        let arch = config["arch"].as_str().expect("arch");
        let target = config["baseline"].as_str().expect("baseline");
        let want = kernel_diffconfig(arch, target);
        let mut lines = String::new();
        for (list, sign) in [("removed", '-'), ("changed", ' '), ("added", '+')] {
            for change in config[list].as_array().expect("a list") {
                let value = |side: &str| change[side].as_str().map(String::from);
                let symbol = change["symbol"].as_str().expect("symbol");
                lines.push_str(&match (value("old"), value("new")) {
                    (Some(old), None) => format!("{sign}{symbol} {old}\n"),
                    (None, Some(new)) => format!("{sign}{symbol} {new}\n"),
                    (Some(old), Some(new)) => format!("{sign}{symbol} {old} -> {new}\n"),
                    (None, None) => panic!("{symbol}: neither old nor new"),
                });
            }
        }
        assert!(
            want == lines,
            "ARCH={arch} {target}: the JSON differs from diffconfig"
        );
    }
}
