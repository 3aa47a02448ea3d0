//! `xenlint demo`.

use std::process::ExitCode;

use anyhow::{bail, Context};

use super::common::*;

pub fn run() -> anyhow::Result<ExitCode> {
    demo()
}

/// The Xen example series, built by the same script as the test fixtures.
const XEN_REWORK_SCRIPT: &str = include_str!("../../testrepos/xen-rework.sh");

fn demo() -> anyhow::Result<ExitCode> {
    let dir = xenlint::scratch::Scratch::new("demo").context("creating a temporary directory")?;
    let script = dir.path().join("xen-rework.sh");
    std::fs::write(&script, XEN_REWORK_SCRIPT)?;
    let repo = dir.path().join("linux");
    let status = std::process::Command::new("bash")
        .arg(&script)
        .arg(&repo)
        .status()
        .context("running bash (the demo builds its repository with git)")?;
    if !status.success() {
        bail!("building the demo repository failed (are git and python3 installed?)");
    }
    outln!(
        "A six-commit Xen rework on a small x86/arm/arm64 tree ({}):",
        repo.display()
    );
    let log = std::process::Command::new("git")
        .arg("-C")
        .arg(&repo)
        .args(["log", "--oneline", "base..master"])
        .output()?;
    out!("{}", String::from_utf8_lossy(&log.stdout));
    outln!("\n$ xenlint series base..master\n");
    super::series::run(super::series::Args {
        range: "base..master".into(),
        repo: repo.clone(),
        lint: super::series::LintArgs {
            arches: Vec::new(),
            baselines: Vec::new(),
            config: None,
            vars: Vec::new(),
            no_kbuild: false,
            no_suggest: false,
            settings_file: None,
            cache_dir: None,
            // The demo shows the work, not a cached answer.
            no_cache: true,
            no_incremental: false,
        },
        report: super::series::ReportArgs {
            fail_on: FailOn::Never,
            format: Some(ReportFormat::Human),
            outputs: Vec::new(),
        },
    })?;
    Ok(ExitCode::SUCCESS)
}
