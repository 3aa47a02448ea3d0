//! Kbuild: from a kernel tree and a resolved configuration to the objects it builds
//! (`objects`), walking Kbuild files with the make evaluator of `crate::make`. Reads files
//! only through `crate::source::Source`; knows nothing of git and runs nothing.

pub mod objects;
