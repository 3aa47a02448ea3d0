//! `xenlint diff`'s output: the lines of the kernel's scripts/diffconfig, and an explicit,
//! versioned JSON schema, both over `lint::revision_diff::DiffReport`.
//!
//! diffconfig's lines: `-SYM old` for a symbol only in the old configuration, ` SYM old ->
//! new` for one whose value changed, `+SYM new` for one only in the new configuration,
//! in that order, each group sorted by symbol; values as `.config` writes them (`n` for
//! `# CONFIG_SYM is not set`). Nothing is printed when nothing differs.

use serde::Serialize;

use crate::lint::config_diff::{ConfigDiff, SymbolChange};
use crate::lint::revision_diff::{DiffReport, Revision};

/// The JSON schema version of `diff --format json`.
pub const DIFF_JSON_VERSION: u32 = 1;

/// The differences of one configuration pair, exactly as scripts/diffconfig prints them.
pub fn diffconfig(diff: &ConfigDiff) -> String {
    diff.iter().map(|c| format!("{}\n", c.line())).collect()
}

/// Every comparison of the report: diffconfig's lines alone when there is one, else
/// under a header per arch and baseline (`ARCH=x86 defconfig:`), a blank line between.
pub fn diff_human(report: &DiffReport) -> String {
    if let [only] = report.comparisons.as_slice() {
        return diffconfig(&only.diff);
    }
    let mut out = String::new();
    for (index, comparison) in report.comparisons.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        out.push_str(&format!(
            "ARCH={} {}:\n",
            comparison.arch, comparison.baseline
        ));
        out.push_str(&diffconfig(&comparison.diff));
    }
    out
}

#[derive(Serialize)]
struct JsonDiff<'a> {
    version: u32,
    old: JsonRevision<'a>,
    new: JsonRevision<'a>,
    configs: Vec<JsonConfig<'a>>,
    notes: &'a [String],
}

#[derive(Serialize)]
struct JsonRevision<'a> {
    /// As given on the command line.
    rev: &'a str,
    /// The full commit id it names.
    commit: String,
}

#[derive(Serialize)]
struct JsonConfig<'a> {
    arch: &'a str,
    baseline: &'a str,
    removed: Vec<JsonChange<'a>>,
    added: Vec<JsonChange<'a>>,
    changed: Vec<JsonChange<'a>>,
}

#[derive(Serialize)]
struct JsonChange<'a> {
    /// Without `CONFIG_`.
    symbol: &'a str,
    /// As written in `.config` (`n` for "is not set"); null when the symbol is absent.
    old: Option<&'a str>,
    new: Option<&'a str>,
}

fn json_revision(revision: &Revision) -> JsonRevision<'_> {
    JsonRevision {
        rev: &revision.rev,
        commit: revision.commit.to_string(),
    }
}

fn json_changes(list: &[SymbolChange]) -> Vec<JsonChange<'_>> {
    list.iter()
        .map(|change| JsonChange {
            symbol: &change.symbol,
            old: change.old.as_deref(),
            new: change.new.as_deref(),
        })
        .collect()
}

/// `diff --format json` (see CONTRIBUTING.md, Output formats).
pub fn diff_json(report: &DiffReport) -> String {
    let doc = JsonDiff {
        version: DIFF_JSON_VERSION,
        old: json_revision(&report.old),
        new: json_revision(&report.new),
        configs: report
            .comparisons
            .iter()
            .map(|comparison| JsonConfig {
                arch: &comparison.arch,
                baseline: &comparison.baseline,
                removed: json_changes(&comparison.diff.removed),
                added: json_changes(&comparison.diff.added),
                changed: json_changes(&comparison.diff.changed),
            })
            .collect(),
        notes: &report.notes,
    };
    serde_json::to_string_pretty(&doc).expect("diff structs always serialize")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::config_diff::diff_configs;
    use crate::lint::revision_diff::ConfigComparison;

    fn report(comparisons: Vec<ConfigComparison>) -> DiffReport {
        let commit = crate::git::Oid::from_str("0123456789abcdef0123456789abcdef01234567")
            .expect("a valid id");
        DiffReport {
            old: Revision {
                rev: "v6.1".to_string(),
                commit,
            },
            new: Revision {
                rev: "v6.12".to_string(),
                commit,
            },
            comparisons,
            notes: Vec::new(),
        }
    }

    fn comparison(arch: &str, old: &str, new: &str) -> ConfigComparison {
        ConfigComparison {
            arch: arch.to_string(),
            baseline: "defconfig".to_string(),
            diff: diff_configs(old, new),
        }
    }

    #[test]
    fn lines_follow_diffconfig() {
        let diff = diff_configs(
            "CONFIG_EXT2_FS_XATTR=y\nCONFIG_EXT2_FS=y\nCONFIG_LOG_BUF_SHIFT=14\n# CONFIG_CRAMFS is not set\n",
            "# CONFIG_EXT2_FS is not set\nCONFIG_LOG_BUF_SHIFT=16\nCONFIG_CRAMFS=y\nCONFIG_NEW=\"a b\"\n",
        );
        assert_eq!(
            diffconfig(&diff),
            "-EXT2_FS_XATTR y\n CRAMFS n -> y\n EXT2_FS y -> n\n LOG_BUF_SHIFT 14 -> 16\n+NEW \"a b\"\n"
        );
    }

    #[test]
    fn one_comparison_has_no_header_several_have_one_each() {
        let one = report(vec![comparison("x86", "CONFIG_A=y\n", "CONFIG_A=m\n")]);
        assert_eq!(diff_human(&one), " A y -> m\n");
        let two = report(vec![
            comparison("x86", "CONFIG_A=y\n", "CONFIG_A=m\n"),
            comparison("arm64", "CONFIG_A=y\n", "CONFIG_A=y\n"),
        ]);
        assert_eq!(
            diff_human(&two),
            "ARCH=x86 defconfig:\n A y -> m\n\nARCH=arm64 defconfig:\n"
        );
        assert_eq!(diff_human(&report(vec![comparison("x86", "", "")])), "");
    }

    #[test]
    fn json_names_every_field() {
        let doc = diff_json(&report(vec![comparison(
            "x86",
            "CONFIG_A=y\nCONFIG_B=y\n",
            "CONFIG_B=m\n# CONFIG_C is not set\n",
        )]));
        let value: serde_json::Value = serde_json::from_str(&doc).expect("valid JSON");
        assert_eq!(value["version"], DIFF_JSON_VERSION);
        assert_eq!(value["old"]["rev"], "v6.1");
        assert_eq!(
            value["new"]["commit"],
            "0123456789abcdef0123456789abcdef01234567"
        );
        let config = &value["configs"][0];
        assert_eq!(config["arch"], "x86");
        assert_eq!(config["baseline"], "defconfig");
        assert_eq!(
            config["removed"],
            serde_json::json!([{"symbol": "A", "old": "y", "new": null}])
        );
        assert_eq!(
            config["changed"],
            serde_json::json!([{"symbol": "B", "old": "y", "new": "m"}])
        );
        assert_eq!(
            config["added"],
            serde_json::json!([{"symbol": "C", "old": null, "new": "n"}])
        );
        assert_eq!(value["notes"], serde_json::json!([]));
    }
}
