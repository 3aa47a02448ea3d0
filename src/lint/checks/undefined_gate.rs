//! XL0010 undefined-gate: Kbuild lines gating objects by a symbol no Kconfig file defines.
//! Documented in undefined_gate.md (`xenlint explain XL0010`); computed from the
//! reference scan of lint/references.rs.

use super::{Check, Scope};
use crate::lint::context::SeriesContext;
use crate::lint::{Finding, Severity};

pub const CHECK: Check = Check {
    code: "XL0010",
    name: "undefined-gate",
    severity: Severity::Error,
    doc: include_str!("undefined_gate.md"),
    scope: Scope::Series(check),
    needs_kbuild: true,
};

fn check(cx: &SeriesContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for new in cx.references.new_undefined(true) {
        let symbol = new.symbol;
        let words: Vec<String> = new.seen.gated.iter().map(|w| format!("`{w}`")).collect();
        let message = format!(
            "{} gated by CONFIG_{symbol}, which no Kconfig file defines at this commit",
            if words.is_empty() {
                "a Kbuild list".to_string()
            } else {
                words.join(", ")
            }
        );
        let finding = cx.undefined_finding(
            &CHECK,
            &new,
            message,
            "never built: the symbol does not exist",
        );
        out.push(finding);
    }
    out
}
