//! What reading a series from mail costs before any lint: splitting the mbox, reading each
//! patch as git mailinfo does, and applying the patches in memory on a temporary object
//! store, for the 21-patch Xen rework on the 6.12 tree (testrepos/linux-xen-series.sh,
//! posted with `git format-patch --cover-letter --thread --base`).
//!
//! Run: cargo bench --bench mbox. Prints the median of 7 runs of each stage.

use std::time::{Duration, Instant};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let work =
        std::env::var("XENLINT_BENCH_DIR").unwrap_or_else(|_| "/var/tmp/xenlint-bench".into());
    let repo_dir = std::path::PathBuf::from(&work).join("linux");
    if !repo_dir.join(".git").exists() {
        let built = std::process::Command::new("testrepos/linux-xen-series.sh")
            .arg(&repo_dir)
            .status()
            .expect("testrepos/linux-xen-series.sh runs");
        if !built.success() {
            eprintln!("the 6.12 tree is missing: run scripts/kernel-refs.sh first");
            return;
        }
    }
    let mbox = std::process::Command::new("git")
        .current_dir(&repo_dir)
        .args([
            "format-patch",
            "--stdout",
            "--cover-letter",
            "--thread",
            "--base=base",
        ])
        .arg("base..master")
        .output()
        .expect("git format-patch runs")
        .stdout;
    let repo = xenlint::git::open(&repo_dir).expect("the repository opens");
    let base = xenlint::git::commit_of(&repo, "base").expect("base");

    let (mut read, mut apply) = (Vec::new(), Vec::new());
    let mut patches = 0;
    for _ in 0..7 {
        let start = Instant::now();
        let mails = xenlint::mail::split_mbox(&mbox).expect("an mbox");
        let posted = xenlint::mail::posted_series(mails).expect("a series");
        read.push(start.elapsed());
        let to_apply: Vec<xenlint::git::apply::PatchToApply> = posted
            .patches
            .iter()
            .map(xenlint::git::apply::PatchToApply::from_posted)
            .collect();
        let start = Instant::now();
        let applied =
            xenlint::git::apply::apply_series(&repo, base, &to_apply).expect("the series applies");
        apply.push(start.elapsed());
        patches = applied.series.commits.len();
    }
    let (read, apply) = (median(read), median(apply));
    println!(
        "{patches} patches, {} KiB of mail: read {:.1} ms, applied in memory {:.1} ms, \
         together {:.1} ms (median of 7)",
        mbox.len() / 1024,
        ms(read),
        ms(apply),
        ms(read + apply)
    );
}
