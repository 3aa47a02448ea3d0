//! Rendering findings, one module per output format over the one report model in
//! `lint::finding`: `human` for terminals (rustc-style, optionally coloured), `json_schema`
//! (a versioned schema of its own), `sarif` (SARIF 2.1.0), `github` (workflow commands and
//! a step summary), `email` (replies to the patches, as an mbox), `b4` (b4's check command
//! results), `patchwork` (patchwork's checks) and `checkpatch` (checkpatch.pl's lines, which
//! b4 reads); `config_diff` renders `xenlint diff` (diffconfig's lines, its own JSON
//! schema). Only this module knows about terminals,
//! colour and formats; it never decides what a finding is.

mod b4;
mod checkpatch;
mod config_diff;
mod email;
mod github;
mod human;
mod json_schema;
mod patchwork;
mod sarif;
mod shared;

pub use b4::{b4_json_patch, b4_json_series};
pub use checkpatch::checkpatch;
pub use config_diff::{diff_human, diff_json, diffconfig, DIFF_JSON_VERSION};
pub use email::{email, patch_email};
pub use github::{escape_data, escape_property, github, github_summary, ANNOTATIONS_PER_LEVEL};
pub use human::human;
pub use json_schema::{json, JSON_VERSION};
pub use patchwork::{patchwork, DESCRIPTION_MAX, PATCHWORK_CONTEXT};
pub use sarif::sarif;
pub use shared::fingerprint;
