//! xenlint: finds Kconfig and Kbuild changes that break bisection of a Linux kernel patch
//! series, by reading Kconfig at every commit and resolving it as the kernel's conf does.
//!
//! The pipeline runs one way: a revision becomes a tree of files (`source`), files become a
//! Kconfig model (`kconfig`), the model plus a baseline becomes a configuration per arch,
//! configurations of neighbouring commits become findings, findings become a report.

pub mod config_name;
pub mod config_refs;
pub mod exec;
pub mod git;
pub mod kbuild;
pub mod kconfig;
pub mod lint;
pub mod mail;
pub mod make;
pub mod report;
pub mod scratch;
pub mod source;
