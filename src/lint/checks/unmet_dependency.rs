//! XL0006 unmet-dependency: New unmet direct dependencies.
//! Documented in unmet_dependency.md (`xenlint explain XL0006`); computed by the series engine.

use super::CheckInfo;
use crate::lint::Severity;

pub const INFO: CheckInfo = CheckInfo {
    code: "XL0006",
    name: "unmet-dependency",
    severity: Severity::Warning,
    doc: include_str!("unmet_dependency.md"),
};
