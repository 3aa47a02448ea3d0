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

use std::collections::HashSet;

pub use super::context::{Check, Scope};
use super::names::NameFacts;
use super::snapshot::KconfigSnapshot;
use super::snapshots::TreeFacts;

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

/// What the checks that read every commit take from a tree while it is whole (the engine
/// drops it after). `resolves_like_previous`: the commit before has a tree that resolves
/// alike (same fingerprint), whose finalization and references this one shares.
/// `acyclic_before`: the tree of the commit before, when it has no recursive dependency,
/// with the paths this commit changes. `names_before`: the tree of the slot before with
/// its name facts (none at the base). `base`: the arch's tree at the base (none for the
/// base itself).
pub(crate) fn tree_facts(
    tree: &KconfigSnapshot,
    base: Option<&KconfigSnapshot>,
    resolves_like_previous: bool,
    acyclic_before: Option<(&KconfigSnapshot, &HashSet<String>)>,
    names_before: Option<(&KconfigSnapshot, &NameFacts)>,
) -> TreeFacts {
    let parse_errors = kconfig_error::parse_errors(tree);
    let final_errors = (parse_errors.is_empty() && !resolves_like_previous)
        .then(|| kconfig_error::final_errors(tree, acyclic_before));
    TreeFacts {
        parse_errors,
        final_errors,
        undefined: (!resolves_like_previous).then(|| undefined_reference::undefined_at(tree, base)),
        unran_commands: new_shell_command::unran_commands(tree),
        names: NameFacts::new(tree, names_before, resolves_like_previous),
    }
}

/// The findings of the checks that hold for every arch at once.
pub(crate) fn series_checks(
    series: &crate::lint::context::SeriesCommits,
    references: &crate::lint::references::ReferenceScan,
) -> Vec<crate::lint::Finding> {
    let cx = crate::lint::context::SeriesContext { series, references };
    let mut findings = Vec::new();
    for check in CHECKS {
        if let Scope::Series(run) = check.scope {
            findings.extend(run(&cx));
        }
    }
    findings
}

/// A check by code (any case) or name.
pub fn find(code_or_name: &str) -> Option<&'static Check> {
    CHECKS
        .iter()
        .copied()
        .find(|c| c.code.eq_ignore_ascii_case(code_or_name) || c.name == code_or_name)
}
