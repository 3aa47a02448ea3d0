//! The registry of checks. Each check has a stable code, a kebab-case name, a default
//! severity and documentation that `xenlint explain CODE` prints.

pub mod bisect_break;
pub mod dead_symbol;
pub mod kconfig_error;
pub mod lost_symbol;
pub mod new_shell_command;
pub mod object_dropped;
pub mod object_lost;
pub mod undefined_config;
pub mod undefined_gate;
pub mod undefined_reference;
pub mod unmet_dependency;

use super::Severity;

pub struct CheckInfo {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub doc: &'static str,
}

pub const CHECKS: &[CheckInfo] = &[
    bisect_break::INFO,
    kconfig_error::INFO,
    undefined_reference::INFO,
    new_shell_command::INFO,
    lost_symbol::INFO,
    unmet_dependency::INFO,
    dead_symbol::INFO,
    object_dropped::INFO,
    object_lost::INFO,
    undefined_gate::INFO,
    undefined_config::INFO,
];

pub fn find(code_or_name: &str) -> Option<&'static CheckInfo> {
    CHECKS
        .iter()
        .find(|c| c.code.eq_ignore_ascii_case(code_or_name) || c.name == code_or_name)
}
