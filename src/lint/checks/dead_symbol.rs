//! XL0007 dead-symbol: Symbols that can no longer be enabled.
//! Documented in dead_symbol.md (`xenlint explain XL0007`); computed by the series engine.

use super::CheckInfo;
use crate::lint::Severity;

pub const INFO: CheckInfo = CheckInfo {
    code: "XL0007",
    name: "dead-symbol",
    severity: Severity::Warning,
    doc: include_str!("dead_symbol.md"),
};
