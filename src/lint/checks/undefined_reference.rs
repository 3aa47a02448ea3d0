//! XL0003 undefined-reference: References to symbols a commit removed.
//! Documented in undefined_reference.md (`xenlint explain XL0003`); computed by the series engine.

use super::CheckInfo;
use crate::lint::Severity;

pub const INFO: CheckInfo = CheckInfo {
    code: "XL0003",
    name: "undefined-reference",
    severity: Severity::Warning,
    doc: include_str!("undefined_reference.md"),
};
