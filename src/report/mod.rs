//! Rendering findings, one module per output format over the one report model in
//! `lint::finding`: `human` for terminals (rustc-style, optionally coloured) and `json_schema`
//! for machines (a versioned schema of its own). Only this module knows about terminals and
//! colour; it never decides what a finding is.

mod human;
mod json_schema;

pub use human::human;
pub use json_schema::{json, JSON_VERSION};
