//! XL0008 object-dropped: objects built at the base and the tip but not at a commit between.
//! Documented in object_dropped.md (`xenlint explain XL0008`); computed from the Kbuild walk
//! of every commit (lint/objects.rs).

use super::CheckInfo;
use crate::lint::Severity;

pub const INFO: CheckInfo = CheckInfo {
    code: "XL0008",
    name: "object-dropped",
    severity: Severity::Error,
    doc: include_str!("object_dropped.md"),
};
