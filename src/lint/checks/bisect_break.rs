//! XL0001 bisect-break.
//!
//! ## What it does
//! Finds symbols whose value at some commit of the series differs from both their value at
//! the base and at the tip: for an arch and a baseline configuration (a defconfig,
//! allnoconfig, allmodconfig or your own .config), the symbol is lost, gained or changes
//! value in the middle of the series and comes back later.
//!
//! ## Why it breaks bisection
//! `git bisect` lands on every commit. At the commits in between, the kernel configures
//! differently from both ends: code the series never meant to drop is not built, or is
//! built differently. Whoever bisects there tests a kernel unlike the one they think.
//!
//! ## How to fix
//! Make the commit named as the culprit keep the symbol's value: update the dependency,
//! select or default that it changes in the same commit (the root cause shows the line at
//! the culprit and at its parent), or move the repair earlier in the series.

use super::CheckInfo;
use crate::lint::Severity;

pub const INFO: CheckInfo = CheckInfo {
    code: "XL0001",
    name: "bisect-break",
    severity: Severity::Error,
    doc: include_str!("bisect_break.md"),
};
