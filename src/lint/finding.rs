//! The report model: what the series engine produces and every renderer in `report/`
//! reads. Data only; no rendering, no engine state.

use std::collections::HashMap;
use std::ops::Range;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    /// The word rustc and checkpatch use: `error`, `warning`, `note`.
    pub fn word(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// A line of a file at a commit, with the part of it a finding points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Abbreviated id of the commit the file is read at.
    pub commit: String,
    pub file: String,
    /// 1-based line number.
    pub line: u32,
    /// The text of that line, for snippets.
    pub source_line: String,
    /// The bytes of `source_line` to underline; `None` points at the line as a whole.
    pub span: Option<Range<usize>>,
    /// What the location says, shown under it.
    pub label: String,
}

impl Location {
    /// Underline `word` where the line names it as a whole identifier (else nothing).
    pub fn underline(&mut self, word: &str) {
        self.span = find_word(&self.source_line, word).map(|start| start..start + word.len());
    }

    /// Underline the line's text, leading and trailing blanks left out.
    pub fn underline_line(&mut self) {
        let start = self.source_line.len() - self.source_line.trim_start().len();
        let end = self.source_line.trim_end().len();
        self.span = (start < end).then_some(start..end);
    }

    /// The underlined text, if any.
    pub fn underlined(&self) -> Option<&str> {
        self.span
            .as_ref()
            .and_then(|span| self.source_line.get(span.clone()))
    }
}

/// The byte offset of `word` in `line` as a whole identifier.
pub fn find_word(line: &str, word: &str) -> Option<usize> {
    if word.is_empty() {
        return None;
    }
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut from = 0;
    while let Some(i) = line[from..].find(word) {
        let start = from + i;
        let end = start + word.len();
        let before = line[..start].chars().last().is_some_and(is_ident);
        let after = line[end..].chars().next().is_some_and(is_ident);
        if !before && !after {
            return Some(start);
        }
        from = end;
    }
    None
}

/// One finding of a check.
#[derive(Debug, Clone)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub culprit: Option<String>,
    pub culprit_summary: Option<String>,
    pub repair: Option<String>,
    pub repair_summary: Option<String>,
    /// Arches hit; empty for findings that hold for every arch (CONFIG_ references).
    pub arches: Vec<String>,
    pub baselines: Vec<String>,
    pub symbols: Vec<String>,
    /// The primary location first.
    pub locations: Vec<Location>,
    pub notes: Vec<String>,
}

/// A commit of the series as the report names it (index 0 of `Report::commits` is the base).
#[derive(Debug, Clone)]
pub struct SeriesCommit {
    pub commit: String,
    pub short: String,
    pub summary: String,
}

/// Everything `xenlint series` found, for the renderers.
#[derive(Debug, Clone)]
pub struct Report {
    /// The base first, then the commits of the series in order.
    pub commits: Vec<SeriesCommit>,
    pub arches: Vec<String>,
    pub baselines: Vec<String>,
    pub findings: Vec<Finding>,
    pub notes: Vec<String>,
    /// Trees parsed, configurations resolved and Kbuild walks done (the rest were reused).
    pub parsed: usize,
    pub resolved: usize,
    pub walks: usize,
}

/// One finding per (symbol, culprit, repair), with every arch and baseline it hits.
pub(crate) fn merge(findings: Vec<Finding>) -> Vec<Finding> {
    let mut merged: Vec<Finding> = Vec::new();
    type Key = (
        &'static str,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
    );
    let mut index: HashMap<Key, usize> = HashMap::new();
    for f in findings {
        let place = f
            .locations
            .first()
            .map(|l| format!("{}:{}", l.file, l.line))
            .unwrap_or_default();
        let key = (
            f.code,
            f.symbols.first().cloned(),
            f.culprit.clone(),
            f.repair.clone(),
            place,
        );
        match index.get(&key) {
            Some(&i) => {
                let m = &mut merged[i];
                for a in f.arches {
                    if !m.arches.contains(&a) {
                        m.arches.push(a);
                    }
                }
                for b in f.baselines {
                    if !m.baselines.contains(&b) {
                        m.baselines.push(b);
                    }
                }
            }
            None => {
                index.insert(key, merged.len());
                merged.push(f);
            }
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_found_whole() {
        assert_eq!(find_word("depends on XEN_PVHVM && XEN", "XEN"), Some(24));
        assert_eq!(find_word("obj-$(CONFIG_XEN) += x.o", "CONFIG_XEN"), Some(6));
        assert_eq!(find_word("XEN_PVH", "XEN"), None);
        assert_eq!(find_word("anything", ""), None);
    }

    #[test]
    fn spans_are_bytes_after_non_ascii_text() {
        let mut loc = Location {
            commit: "0123456789ab".into(),
            file: "Kconfig".into(),
            line: 3,
            source_line: "\t# Müller: depends on FOO".into(),
            span: None,
            label: String::new(),
        };
        loc.underline("FOO");
        assert_eq!(loc.underlined(), Some("FOO"));
        assert_eq!(loc.span, Some(23..26));
    }
}
