//! XL0004 new-shell-command: `$(shell,...)` commands the series adds.
//! Documented in new_shell_command.md (`xenlint explain XL0004`); computed by the series engine.

use super::CheckInfo;
use crate::lint::Severity;

pub const INFO: CheckInfo = CheckInfo {
    code: "XL0004",
    name: "new-shell-command",
    severity: Severity::Warning,
    doc: include_str!("new_shell_command.md"),
};
