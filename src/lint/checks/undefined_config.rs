//! XL0011 undefined-config: CONFIG_ references to symbols no Kconfig file defines, in
//! Kbuild files and in the code files the series touches.
//! Documented in undefined_config.md (`xenlint explain XL0011`); computed in
//! lint/references.rs.

use super::CheckInfo;
use crate::lint::Severity;

pub const INFO: CheckInfo = CheckInfo {
    code: "XL0011",
    name: "undefined-config",
    severity: Severity::Warning,
    doc: include_str!("undefined_config.md"),
};
