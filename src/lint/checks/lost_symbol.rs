//! XL0005 lost-symbol: Symbols set at the base that the tip no longer has.
//! Documented in lost_symbol.md (`xenlint explain XL0005`); computed by the series engine.

use super::CheckInfo;
use crate::lint::Severity;

pub const INFO: CheckInfo = CheckInfo {
    code: "XL0005",
    name: "lost-symbol",
    severity: Severity::Note,
    doc: include_str!("lost_symbol.md"),
};
