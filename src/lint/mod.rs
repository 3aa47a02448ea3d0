//! The series engine: resolve every commit of a series for every arch and baseline, and
//! turn differences between neighbouring commits into findings. Produces data only;
//! `report` renders it.
//!
//! Layers, each using only those above it: `finding` (the report model) and `config_diff`
//! (two configurations compared as scripts/diffconfig does, a pure function), `snapshot` (a
//! commit's Kconfig model and its queries), `builds` and `references` (object sets and
//! CONFIG_ references along a series), `context` (what checks read), `cause` (why a
//! value changed, to the line), `checks` (one file per check), `grouping` (one finding
//! per root cause), `engine` (scheduling, reuse, merging). Beside the series engine,
//! `revision_diff` resolves two revisions and compares them (`xenlint diff`).

mod builds;
pub mod cache;
mod cause;
pub mod checks;
pub mod config_diff;
mod context;
pub mod engine;
mod finding;
mod grouping;
mod help_only;
mod incremental;
mod names;
mod options;
mod references;
pub mod revision_diff;
mod schedule;
mod snapshot;
mod snapshots;
mod span;
pub mod suggest;
mod textdiff;
mod trees;
mod users;

pub use engine::lint;
pub use finding::{
    find_word, BaseSource, Consequence, Finding, Location, PatchMail, Report, SeriesCommit,
    Severity, Suggestion, ValueChange, Verdict,
};
pub use options::{Baseline, LintError, Options, Progress, Shared};
