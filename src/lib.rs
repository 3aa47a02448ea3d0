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

/// Hash maps and sets keyed by what a series holds (symbol names, paths), where hashing is
/// a large part of the work. foldhash with a seed chosen per process: several times faster
/// than the standard library's SipHash, and a series cannot know the seed to make its
/// names collide.
pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
pub type FastSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;
