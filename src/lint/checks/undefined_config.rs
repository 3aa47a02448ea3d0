//! XL0011 undefined-config: CONFIG_ references to symbols no Kconfig file defines, in
//! Kbuild files and in the code files the series touches.
//! Documented in undefined_config.md (`xenlint explain XL0011`); computed from the
//! reference scan of lint/references.rs.

use super::{Check, Scope};
use crate::config_refs::Form;
use crate::lint::context::SeriesContext;
use crate::lint::{Finding, Severity};

pub const CHECK: Check = Check {
    code: "XL0011",
    name: "undefined-config",
    severity: Severity::Warning,
    doc: include_str!("undefined_config.md"),
    scope: Scope::Series(check),
    needs_kbuild: true,
};

fn check(cx: &SeriesContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for new in cx.references.new_undefined(false) {
        let symbol = new.symbol;
        let written = match new.seen.form {
            Form::Macro(m) => format!("{m}(CONFIG_{symbol})"),
            Form::Module => format!("CONFIG_{symbol}_MODULE"),
            _ => format!("CONFIG_{symbol}"),
        };
        let message =
            format!("`{written}` refers to a symbol no Kconfig file defines at this commit");
        let finding = cx.undefined_finding(
            &CHECK,
            &new,
            message,
            "always false: the symbol does not exist",
        );
        out.push(finding);
    }
    out
}
