//! XL0002 kconfig-error: Kconfig errors a commit introduces.
//! Documented in kconfig_error.md (`xenlint explain XL0002`); computed by the series engine.

use super::CheckInfo;
use crate::lint::Severity;

pub const INFO: CheckInfo = CheckInfo {
    code: "XL0002",
    name: "kconfig-error",
    severity: Severity::Error,
    doc: include_str!("kconfig_error.md"),
};
