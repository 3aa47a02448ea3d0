//! XL0009 object-lost: objects built at the base that the tip no longer builds.
//! Documented in object_lost.md (`xenlint explain XL0009`); computed from the Kbuild walk
//! of every commit (lint/objects.rs).

use super::CheckInfo;
use crate::lint::Severity;

pub const INFO: CheckInfo = CheckInfo {
    code: "XL0009",
    name: "object-lost",
    severity: Severity::Note,
    doc: include_str!("object_lost.md"),
};
