//! Kbuild: from a kernel tree and a resolved configuration to the objects it builds
//! (`objects`), and the CONFIG_ references of Kbuild, C, assembly, header and Kconfig files
//! (`refs`). Reads files only through `crate::source::Source`; knows nothing of git.

pub mod make;
pub mod objects;
pub mod refs;
