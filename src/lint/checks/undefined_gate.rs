//! XL0010 undefined-gate: Kbuild lines gating objects by a symbol no Kconfig file defines.
//! Documented in undefined_gate.md (`xenlint explain XL0010`); computed in
//! lint/references.rs.

use super::CheckInfo;
use crate::lint::Severity;

pub const INFO: CheckInfo = CheckInfo {
    code: "XL0010",
    name: "undefined-gate",
    severity: Severity::Error,
    doc: include_str!("undefined_gate.md"),
};
