//! The registry of checks. Each check is one file here: its code (`XL` + 4 digits, never
//! reused), kebab-case name, default severity, documentation (the `.md` beside it, which
//! `xenlint explain CODE` prints) and the function that finds it. `CHECKS` is the one table
//! of them; its order is the order of the docs and of the findings of one commit.

mod bisect_break;
mod dead_symbol;
mod kconfig_error;
mod lost_symbol;
mod new_shell_command;
mod object_cause;
mod object_dropped;
mod object_lost;
mod undefined_config;
mod undefined_gate;
mod undefined_reference;
mod unmet_dependency;
mod unreadable_tree;

pub use super::context::{Check, Scope};

pub const CHECKS: &[&Check] = &[
    &bisect_break::CHECK,
    &kconfig_error::CHECK,
    &undefined_reference::CHECK,
    &new_shell_command::CHECK,
    &lost_symbol::CHECK,
    &unmet_dependency::CHECK,
    &dead_symbol::CHECK,
    &object_dropped::CHECK,
    &object_lost::CHECK,
    &undefined_gate::CHECK,
    &undefined_config::CHECK,
    &unreadable_tree::CHECK,
];

/// A check by code (any case) or name.
pub fn find(code_or_name: &str) -> Option<&'static Check> {
    CHECKS
        .iter()
        .copied()
        .find(|c| c.code.eq_ignore_ascii_case(code_or_name) || c.name == code_or_name)
}
