//! The report model: what the series engine produces and every renderer in `report/`
//! reads. Data only; no rendering, no engine state.

use std::collections::HashMap;
use std::ops::Range;

/// `&'static str` under a name serde's derive does not take for a borrow of its input.
type Interned = &'static str;

/// A check's code or name read back from the cache (`lint::cache`): each distinct string
/// is kept once for the life of the process (there are a few dozen).
fn interned<'de, D: serde::Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static SEEN: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let text = <String as serde::Deserialize>::deserialize(d)?;
    let mut seen = SEEN
        .get_or_init(Default::default)
        .lock()
        .expect("interner lock");
    if let Some(&known) = seen.get(text.as_str()) {
        return Ok(known);
    }
    let leaked: &'static str = Box::leak(text.into_boxed_str());
    seen.insert(leaked);
    Ok(leaked)
}

/// How bad a finding is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

/// Stands in a message for the arches a finding hits, which only the merge of every
/// arch's findings knows: `ARCH=x86` for one, `3 arches (arm, arm64, x86)` for more.
pub const ARCHES_HIT: &str = "\u{1}arches\u{1}";

/// Stands in a message for the arches and the baselines a finding hits:
/// `ARCH=x86 with defconfig and allmodconfig`, `5 arches with allmodconfig`.
pub const SCOPE_HIT: &str = "\u{1}scope\u{1}";

/// The words for `SCOPE_HIT`.
pub(crate) fn scope_phrase(arches: &[String], all: &[String], baselines: &[String]) -> String {
    let on = arches_phrase(arches, all);
    match baselines {
        [] => on,
        [one] => format!("{on} with {one}"),
        [init @ .., last] => format!("{on} with {} and {last}", init.join(", ")),
    }
}

/// The words for the arches in `ARCHES_HIT`, of `all` linted.
pub(crate) fn arches_phrase(hit: &[String], all: &[String]) -> String {
    match hit {
        [one] => format!("ARCH={one}"),
        _ if hit.len() == all.len() && all.len() > 1 => format!("all {} arches checked", all.len()),
        _ => format!("{} arches ({})", hit.len(), hit.join(", ")),
    }
}

/// One finding of a check.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    #[serde(deserialize_with = "interned")]
    pub code: Interned,
    #[serde(deserialize_with = "interned")]
    pub name: Interned,
    pub severity: Severity,
    pub message: String,
    pub culprit: Option<String>,
    pub culprit_summary: Option<String>,
    pub repair: Option<String>,
    pub repair_summary: Option<String>,
    /// The culprit and the repair as indices of `Report::commits` (0 is the base, patch i
    /// of the series is index i): the tree does not bisect from the culprit up to, not
    /// including, the repair (to the end of the series without one).
    pub culprit_index: Option<usize>,
    pub repair_index: Option<usize>,
    /// Arches hit; empty for findings that hold for every arch (CONFIG_ references).
    pub arches: Vec<String>,
    pub baselines: Vec<String>,
    pub symbols: Vec<String>,
    /// The primary location first.
    pub locations: Vec<Location>,
    pub notes: Vec<String>,
    /// A rewrite of the series that removes the break, verified by linting it.
    pub suggestion: Option<Suggestion>,
    /// What the same root cause also brings about (dependent symbols, symbols that can no
    /// longer be enabled, objects dropped, references left dangling), each of which would
    /// otherwise be a finding of its own.
    pub consequences: Vec<Consequence>,
}

/// A consequence of a finding's root cause, folded into it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Consequence {
    /// The check that reports it when it has a cause of its own.
    #[serde(deserialize_with = "interned")]
    pub code: Interned,
    #[serde(deserialize_with = "interned")]
    pub name: Interned,
    pub severity: Severity,
    pub message: String,
    pub symbols: Vec<String>,
    pub arches: Vec<String>,
    pub baselines: Vec<String>,
    /// Where it shows, if it has a place of its own.
    pub location: Option<Location>,
}

/// How to fix a transient break, checked before it is offered: the series rewritten in
/// memory this way was linted again, and neither this finding nor any new one remained.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Suggestion {
    /// `reorder` (the repair moved before the culprit) or `squash` (the repair folded
    /// into the culprit).
    #[serde(deserialize_with = "interned")]
    pub kind: Interned,
    /// The culprit and the repair, full commit ids.
    pub culprit: String,
    pub repair: String,
    /// What to do, in words: `move 8ad9dcc4c893 ("...") before a88948a781cc ("...")`.
    pub text: String,
}

/// A commit of the series as the report names it (index 0 of `Report::commits` is the base).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SeriesCommit {
    pub commit: String,
    pub short: String,
    pub summary: String,
    /// `git patch-id --stable` of the commit against its parent (none for the base).
    pub patch_id: Option<String>,
    /// The mail the commit was made from, for a series read from an mbox.
    pub mail: Option<PatchMail>,
}

/// A patch as it was posted.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PatchMail {
    pub message_id: String,
    /// The Subject header as posted, `[PATCH v2 3/7] ...` prefix included.
    pub subject: String,
    /// i and M of `[PATCH i/M]` (1/1 for a lone patch); the revision, 1 without `vN`.
    pub number: usize,
    pub total: usize,
    pub revision: u32,
    /// Where replies go: the patch's own References, for threading a reply.
    pub references: Vec<String>,
    pub from: String,
}

/// Where the base of the series came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum BaseSource {
    /// The range given to `series`.
    Range,
    /// `--base REV`.
    Argument(String),
    /// The `base-commit:` trailer of the cover letter or of patch 1.
    Trailer,
    /// `--guess-base`: the commit whose blobs match the patches' `index` lines.
    Guessed,
}

impl BaseSource {
    pub fn describe(&self) -> String {
        match self {
            BaseSource::Range => "the range given".to_string(),
            BaseSource::Argument(rev) => format!("--base {rev}"),
            BaseSource::Trailer => "the series' base-commit: trailer".to_string(),
            BaseSource::Guessed => "--guess-base (blobs of the patches' index lines)".to_string(),
        }
    }

    pub fn key(&self) -> &'static str {
        match self {
            BaseSource::Range => "range",
            BaseSource::Argument(_) => "argument",
            BaseSource::Trailer => "base-commit-trailer",
            BaseSource::Guessed => "guessed",
        }
    }
}

/// The verdict on one patch of the series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Success,
    /// The culprit of a warning, or inside the span where an error's tree does not bisect.
    Warning,
    /// The culprit of an error.
    Fail,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Success => "success",
            Verdict::Warning => "warning",
            Verdict::Fail => "fail",
        }
    }
}

/// Why a symbol's value changed at a commit, for one arch and baseline: what `xenlint why
/// --range` prints, from the analysis the series report's root causes use.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ValueChange {
    pub arch: String,
    pub baseline: String,
    /// The commit (index of `Report::commits`) at which the value changed.
    pub index: usize,
    pub before: String,
    pub after: String,
    /// What changed, in words, and how it reached the symbol (empty: it is the symbol's
    /// own line).
    pub cause: String,
    pub path: Vec<String>,
    /// The changed line, then what it replaced.
    pub locations: Vec<Location>,
    pub hunk: Option<String>,
}

/// Everything `xenlint series` found, for the renderers.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
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
    /// Where the base came from.
    pub base_source: BaseSource,
    /// The command line that produced the report, for "reproduce with".
    pub command_line: Vec<String>,
    /// With `Options::explain`: every change of that symbol's value along the series.
    pub changes: Vec<ValueChange>,
}

impl Report {
    /// The verdict on each patch (index i of the result is `commits[i + 1]`).
    pub fn verdicts(&self) -> Vec<Verdict> {
        let patches = self.commits.len().saturating_sub(1);
        let mut verdicts = vec![Verdict::Success; patches];
        for f in &self.findings {
            let Some(culprit) = f.culprit_index.filter(|&i| i >= 1 && i <= patches) else {
                continue;
            };
            let at_culprit = match f.severity {
                Severity::Error => Verdict::Fail,
                Severity::Warning => Verdict::Warning,
                Severity::Note => Verdict::Success,
            };
            verdicts[culprit - 1] = verdicts[culprit - 1].max(at_culprit);
            if f.severity == Severity::Error {
                let end = f.repair_index.unwrap_or(patches + 1).min(patches + 1);
                for v in verdicts.iter_mut().take(end - 1).skip(culprit) {
                    *v = (*v).max(Verdict::Warning);
                }
            }
        }
        verdicts
    }

    /// The findings whose culprit is patch `index` (1-based, as `commits`).
    pub fn findings_of(&self, index: usize) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(move |f| f.culprit_index == Some(index))
    }
}

/// One finding per (symbol, culprit, repair), with every arch and baseline it hits.
pub(crate) fn merge(findings: Vec<Finding>) -> Vec<Finding> {
    fn add_all(into: &mut Vec<String>, from: Vec<String>) {
        for item in from {
            if !into.contains(&item) {
                into.push(item);
            }
        }
    }
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
                add_all(&mut m.arches, f.arches);
                add_all(&mut m.baselines, f.baselines);
                for c in f.consequences {
                    match m
                        .consequences
                        .iter_mut()
                        .find(|d| d.code == c.code && d.message == c.message)
                    {
                        Some(d) => {
                            add_all(&mut d.arches, c.arches);
                            add_all(&mut d.baselines, c.baselines);
                        }
                        None => m.consequences.push(c),
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
