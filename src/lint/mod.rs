//! The series engine: resolve every commit of a series for every arch and baseline, and
//! turn differences between neighbouring commits into findings. Produces data only;
//! `report` renders it.

mod changes;
pub mod checks;
pub mod engine;
mod objects;
mod references;

mod finding;

pub use finding::{find_word, Finding, Location, Report, SeriesCommit, Severity};
