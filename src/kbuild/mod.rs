//! Kbuild: from a kernel tree and a resolved configuration to the objects it builds
//! (`objects`), and the CONFIG_ references of Kbuild, C, assembly, header and Kconfig files
//! (`refs`), walking Kbuild files with the make evaluator of `crate::make`. Reads files
//! only through `crate::source::Source`; knows nothing of git and runs nothing.

pub mod objects;
pub mod refs;
