//! The differences between two configurations, symbol by symbol, as the kernel's
//! scripts/diffconfig finds them: a pure function over two `.config` texts or two value
//! maps. It reads nothing and renders nothing (`report::config_diff` prints it).
//!
//! diffconfig's rules, which this follows:
//! - A configuration is a map from symbol (without `CONFIG_`) to its value as written:
//!   `CONFIG_X=value` gives the value verbatim (a string keeps its quotes), and
//!   `# CONFIG_X is not set` gives `n`. A symbol the file does not mention is absent,
//!   which is not the same as `n`: absent -> `n` is an addition, `n` -> absent a removal.
//!   When a symbol is assigned twice, the later line wins.
//! - Symbols only in the old configuration are removed, those in both with a different
//!   value changed, those only in the new one added; values are compared as text.
//! - Each of the three lists is sorted by symbol name (code point order).
//!
//! Lines are read by the one `.config` reader (`kconfig::confdata::config_lines`). On the
//! files conf writes, it reads what diffconfig reads; on malformed text it keeps to conf's
//! reading where diffconfig's own is accidental (diffconfig stops with a Python error on a
//! `CONFIG_` line without `=`, and cuts the last character of a final line without a
//! newline).

use std::collections::BTreeMap;

/// One symbol that differs. `old` is `None` for an added symbol, `new` for a removed one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymbolChange {
    /// The name without `CONFIG_`.
    pub symbol: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// What differs between two configurations, in diffconfig's order: removed, changed,
/// added, each sorted by symbol.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigDiff {
    pub removed: Vec<SymbolChange>,
    pub changed: Vec<SymbolChange>,
    pub added: Vec<SymbolChange>,
}

impl SymbolChange {
    /// The line diffconfig prints for it: `-SYM old`, ` SYM old -> new` or `+SYM new`
    /// (no newline).
    pub fn line(&self) -> String {
        match (&self.old, &self.new) {
            (Some(old), None) => format!("-{} {old}", self.symbol),
            (None, Some(new)) => format!("+{} {new}", self.symbol),
            (Some(old), Some(new)) => format!(" {} {old} -> {new}", self.symbol),
            (None, None) => String::new(),
        }
    }
}

impl ConfigDiff {
    pub fn is_empty(&self) -> bool {
        self.removed.is_empty() && self.changed.is_empty() && self.added.is_empty()
    }

    /// Every change in diffconfig's order.
    pub fn iter(&self) -> impl Iterator<Item = &SymbolChange> {
        self.removed
            .iter()
            .chain(self.changed.iter())
            .chain(self.added.iter())
    }
}

/// A `.config` as diffconfig reads it: symbol -> value as written, `n` for
/// `# CONFIG_X is not set`, the later of two assignments winning.
pub fn config_values(text: &str) -> BTreeMap<String, String> {
    crate::kconfig::confdata::config_assignments(text)
        .map(|(symbol, value)| (symbol.to_string(), value.to_string()))
        .collect()
}

/// The differences between two `.config` texts.
pub fn diff_configs(old: &str, new: &str) -> ConfigDiff {
    diff_values(&config_values(old), &config_values(new))
}

/// The differences between two configurations given as symbol -> value maps (as
/// `config_values` reads them). A `BTreeMap` iterates in byte order, which for UTF-8 is
/// the code point order diffconfig sorts by, so each list comes out sorted.
pub fn diff_values(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> ConfigDiff {
    let mut diff = ConfigDiff::default();
    for (symbol, old_value) in old {
        match new.get(symbol) {
            None => diff.removed.push(SymbolChange {
                symbol: symbol.clone(),
                old: Some(old_value.clone()),
                new: None,
            }),
            Some(new_value) if new_value != old_value => diff.changed.push(SymbolChange {
                symbol: symbol.clone(),
                old: Some(old_value.clone()),
                new: Some(new_value.clone()),
            }),
            Some(_) => {}
        }
    }
    for (symbol, new_value) in new {
        if !old.contains_key(symbol) {
            diff.added.push(SymbolChange {
                symbol: symbol.clone(),
                old: None,
                new: Some(new_value.clone()),
            });
        }
    }
    diff
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(symbol: &str, old: Option<&str>, new: Option<&str>) -> SymbolChange {
        SymbolChange {
            symbol: symbol.to_string(),
            old: old.map(String::from),
            new: new.map(String::from),
        }
    }

    #[test]
    fn removed_changed_and_added_are_told_apart() {
        let old = "CONFIG_A=y\nCONFIG_B=m\nCONFIG_LOG_BUF_SHIFT=14\n";
        let new = "CONFIG_B=y\nCONFIG_LOG_BUF_SHIFT=14\nCONFIG_C=y\n";
        let diff = diff_configs(old, new);
        assert_eq!(diff.removed, vec![change("A", Some("y"), None)]);
        assert_eq!(diff.changed, vec![change("B", Some("m"), Some("y"))]);
        assert_eq!(diff.added, vec![change("C", None, Some("y"))]);
    }

    #[test]
    fn not_set_is_n_and_differs_from_absent() {
        let old = "# CONFIG_A is not set\n# CONFIG_B is not set\nCONFIG_C=y\n";
        let new = "CONFIG_A=y\n# CONFIG_C is not set\n# CONFIG_D is not set\n";
        let diff = diff_configs(old, new);
        assert_eq!(diff.removed, vec![change("B", Some("n"), None)]);
        assert_eq!(
            diff.changed,
            vec![
                change("A", Some("n"), Some("y")),
                change("C", Some("y"), Some("n"))
            ]
        );
        assert_eq!(diff.added, vec![change("D", None, Some("n"))]);
    }

    #[test]
    fn each_list_is_sorted_by_name_whatever_the_file_order() {
        let old = "CONFIG_ZED=y\nCONFIG_ALPHA=y\nCONFIG_B_2=1\nCONFIG_B=1\n";
        let new = "CONFIG_B=2\nCONFIG_B_2=2\nCONFIG_Y=y\nCONFIG_X=y\n";
        let diff = diff_configs(old, new);
        let names = |list: &[SymbolChange]| -> Vec<String> {
            list.iter().map(|c| c.symbol.clone()).collect()
        };
        assert_eq!(names(&diff.removed), ["ALPHA", "ZED"]);
        assert_eq!(names(&diff.changed), ["B", "B_2"]);
        assert_eq!(names(&diff.added), ["X", "Y"]);
    }

    #[test]
    fn values_are_compared_as_written() {
        // Strings keep their quotes; 0x10 and 16 are different text.
        let old = "CONFIG_CMDLINE=\"quiet\"\nCONFIG_BASE=0x10\nCONFIG_EMPTY=\"\"\n";
        let new = "CONFIG_CMDLINE=\"quiet splash\"\nCONFIG_BASE=16\nCONFIG_EMPTY=\"\"\n";
        let diff = diff_configs(old, new);
        assert_eq!(
            diff.changed,
            vec![
                change("BASE", Some("0x10"), Some("16")),
                change("CMDLINE", Some("\"quiet\""), Some("\"quiet splash\"")),
            ]
        );
        assert!(diff.removed.is_empty() && diff.added.is_empty());
    }

    #[test]
    fn comments_and_blank_lines_are_not_symbols() {
        let old =
            "#\n# Automatically generated file; DO NOT EDIT.\n# General setup\n\nCONFIG_A=y\n";
        let new = "#\n# Linux/x86 6.12.0 Kernel Configuration\n#\nCONFIG_A=y\n";
        assert!(diff_configs(old, new).is_empty());
    }

    #[test]
    fn the_later_of_two_assignments_wins() {
        let old = "CONFIG_A=y\n# CONFIG_A is not set\n";
        let new = "CONFIG_A=m\n";
        assert_eq!(
            diff_configs(old, new).changed,
            vec![change("A", Some("n"), Some("m"))]
        );
    }

    #[test]
    fn identical_configurations_have_no_difference() {
        let text = "CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=\"x\"\n";
        let diff = diff_configs(text, text);
        assert!(diff.is_empty());
        assert_eq!(diff.iter().count(), 0);
        assert!(diff_configs("", "").is_empty());
    }

    #[test]
    fn value_maps_compare_like_texts() {
        let old = config_values("CONFIG_A=y\nCONFIG_B=y\n");
        let new = config_values("CONFIG_B=m\r\nCONFIG_C=y\r\n");
        let diff = diff_values(&old, &new);
        assert_eq!(
            diff,
            diff_configs("CONFIG_A=y\nCONFIG_B=y\n", "CONFIG_B=m\nCONFIG_C=y\n")
        );
        let order: Vec<&str> = diff.iter().map(|c| c.symbol.as_str()).collect();
        assert_eq!(order, ["A", "B", "C"]);
    }
}
