//! The series engine: resolve every commit of a series for every arch and baseline, and
//! turn differences between neighbouring commits into findings. Produces data only;
//! `report` renders it.

mod changes;
pub mod checks;
pub mod engine;
mod objects;
mod references;

use serde::Serialize;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

/// A place in a file at a commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub commit: String,
    pub file: String,
    pub line: u32,
    /// The text of that line, for snippets.
    pub source_line: String,
    /// What the location says, shown under it.
    pub label: String,
    /// The part of the line to underline (a symbol name), if any.
    pub highlight: Option<String>,
}

/// One finding of a check.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub culprit: Option<String>,
    pub culprit_summary: Option<String>,
    pub repair: Option<String>,
    pub repair_summary: Option<String>,
    pub arches: Vec<String>,
    pub baselines: Vec<String>,
    pub symbols: Vec<String>,
    pub locations: Vec<Location>,
    pub notes: Vec<String>,
}
