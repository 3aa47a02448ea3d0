//! Rendering findings, one module per output format over the one report model in
//! `lint::finding`: `human` for terminals (rustc-style, optionally coloured), `json_schema`
//! for machines (a versioned schema of its own) and `checkpatch` for the tools that read
//! scripts/checkpatch.pl's lines. Only this module knows about terminals and
//! colour; it never decides what a finding is.

mod checkpatch;
mod human;
mod json_schema;

pub use checkpatch::checkpatch;
pub use human::human;
pub use json_schema::{json, JSON_VERSION};
