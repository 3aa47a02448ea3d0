//! xenlint as b4's per-patch check command, with the real b4: the Xen fixture becomes a
//! `b4 prep` branch, `b4 prep --check` runs `xenlint check-patch` on every patch, and the
//! XEN_PVH break must show on the patch that causes it, and nowhere on the clean twin.
//! Everything b4 and git read or write lives in a temporary HOME.

mod common;

use std::path::Path;
use std::process::Command;

/// A command run with the temporary HOME and XDG directories, git's system and user
/// configuration left out.
fn command(home: &Path, program: &str) -> Command {
    let mut cmd = Command::new(common::client(program));
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("GIT_CONFIG_GLOBAL", home.join(".gitconfig"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE");
    cmd
}

fn run(home: &Path, dir: &Path, program: &str, args: &[&str]) -> String {
    let out = command(home, program)
        .current_dir(dir)
        .args(args)
        .output()
        .expect("runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{program} {args:?}:\n{text}");
    text
}

/// `b4 prep --check` on the fixture: per patch (in order), its summary and the lines b4
/// shows under it.
fn b4_check(clean: bool) -> Vec<(String, Vec<String>)> {
    let fixture = common::xen_fixture(clean);
    let dir = fixture.path();
    let home = tempfile::tempdir().expect("tempdir");
    let home = home.path();
    run(
        home,
        dir,
        "git",
        &["config", "--global", "user.name", "Xen Developer"],
    );
    run(
        home,
        dir,
        "git",
        &["config", "--global", "user.email", "xen-devel@example.org"],
    );
    run(home, dir, "git", &["checkout", "-q", "-b", "xen-rework"]);
    run(home, dir, "b4", &["prep", "--enroll", "master~6"]);
    let check = format!("{} check-patch --arch x86", env!("CARGO_BIN_EXE_xenlint"));
    run(
        home,
        dir,
        "git",
        &["config", "b4.prep-perpatch-check-cmd", &check],
    );
    let output = run(home, dir, "b4", &["prep", "--check"]);
    let ansi = regex::Regex::new("\x1b\\[[0-9;]*m").expect("a valid pattern");
    let output = ansi.replace_all(&output, "");
    let mut patches: Vec<(String, Vec<String>)> = Vec::new();
    for line in output.lines() {
        if let Some(rest) = line.strip_prefix("● ") {
            // `<12 hex>: <summary>`
            let summary = rest.split_once(": ").map(|(_, s)| s).unwrap_or(rest);
            patches.push((summary.to_string(), Vec::new()));
        } else if let Some(rest) = line.strip_prefix("  ● ") {
            patches
                .last_mut()
                .expect("a patch heading")
                .1
                .push(rest.to_string());
        }
    }
    assert_eq!(patches.len(), 6, "{output}");
    patches
}

#[test]
#[ignore = "needs b4: scripts/install-clients.sh installs it (scripts/test.sh runs it)"]
fn b4_prep_check_shows_the_break_on_its_patch() {
    if !common::client_available("b4", &["--version"], "pip install b4") {
        return;
    }
    let patches = b4_check(false);
    let pvh = |lines: &Vec<String>| {
        lines
            .iter()
            .any(|l| l.contains("ERROR: XL0001 bisect-break: CONFIG_XEN_PVH"))
    };
    for (summary, lines) in &patches {
        let culprit = summary == "x86/xen: fold XEN_PVHVM into XEN_FRONTEND";
        assert_eq!(pvh(lines), culprit, "{summary}: {lines:#?}");
        assert!(
            lines.iter().all(|l| l.starts_with("xenlint: ")),
            "{summary}: {lines:#?}"
        );
    }
    // The patches that cause nothing pass.
    for (summary, lines) in &patches {
        let quiet = [
            "xen: introduce XEN_FRONTEND",
            "xen: reword the frontend help texts",
            "x86/xen: let XEN_PVH depend on XEN_FRONTEND",
            "x86/xen: add XEN_BUILD_HYPERVISOR",
        ];
        if quiet.contains(&summary.as_str()) {
            assert!(lines.is_empty(), "{summary}: {lines:#?}");
        }
    }
}

#[test]
#[ignore = "needs b4: scripts/install-clients.sh installs it (scripts/test.sh runs it)"]
fn b4_prep_check_is_silent_on_the_clean_series() {
    if !common::client_available("b4", &["--version"], "pip install b4") {
        return;
    }
    for (summary, lines) in b4_check(true) {
        assert!(lines.is_empty(), "{summary}: {lines:#?}");
    }
}
