//! What several formats derive from the report model in the same way: stable finding ids,
//! full commit ids for the short ones locations carry, the arches and baselines a finding
//! really covers, the span of patches that does not bisect, shell quoting.

use crate::lint::{Consequence, Finding, Report, Severity, Verdict};

/// A finding's identity across rebases and resends: its check, symbols, primary file and
/// the text of its primary line, never commit ids or line numbers (both change when the
/// series moves). 16 hex digits of FNV-1a, which is defined bit for bit and so the same
/// with every compiler and on every machine.
pub fn fingerprint(finding: &Finding) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &byte in bytes {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        // A separator no field contains, so ("ab", "c") and ("a", "bc") differ.
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    };
    feed(finding.code.as_bytes());
    for symbol in &finding.symbols {
        feed(symbol.as_bytes());
    }
    if let Some(primary) = finding.locations.first() {
        feed(primary.file.as_bytes());
        feed(primary.source_line.trim().as_bytes());
    }
    format!("{hash:016x}")
}

/// The stable id of every finding of the report, in order: the fingerprint, with `-2`,
/// `-3`... for the second and later findings that share one.
pub fn finding_ids(report: &Report) -> Vec<String> {
    let mut seen: std::collections::HashMap<String, usize> = Default::default();
    report
        .findings
        .iter()
        .map(|finding| {
            let print = fingerprint(finding);
            let count = seen.entry(print.clone()).or_default();
            *count += 1;
            if *count == 1 {
                print
            } else {
                format!("{print}-{count}")
            }
        })
        .collect()
}

/// The full id of a commit of the report named by its short id (or already full); an id
/// the report does not hold is returned as it is.
pub fn full_commit<'a>(report: &'a Report, id: &'a str) -> &'a str {
    report
        .commits
        .iter()
        .find(|c| c.short == id || c.commit == id)
        .map(|c| c.commit.as_str())
        .unwrap_or(id)
}

/// The index in `Report::commits` of a commit named by its short or full id.
pub fn commit_index(report: &Report, id: &str) -> Option<usize> {
    report
        .commits
        .iter()
        .position(|c| c.short == id || c.commit == id)
}

/// The arches a finding holds for, as a list: an empty list in the model means every arch
/// of the run.
pub fn arches_of<'a>(report: &'a Report, finding: &'a Finding) -> &'a [String] {
    if finding.arches.is_empty() {
        &report.arches
    } else {
        &finding.arches
    }
}

/// The baselines a finding holds for: findings that do not depend on a configuration
/// (a Makefile gate, a CONFIG_ reference) carry none in the model and hold for all.
pub fn baselines_of<'a>(report: &'a Report, finding: &'a Finding) -> &'a [String] {
    if finding.baselines.is_empty() {
        &report.baselines
    } else {
        &finding.baselines
    }
}

/// The first and last patch (indices of `Report::commits`) at which the tree does not
/// bisect: from the culprit up to the patch before the repair, or to the end.
pub fn broken_span(report: &Report, finding: &Finding) -> Option<(usize, usize)> {
    let last_patch = report.commits.len().checked_sub(1)?;
    let first = finding.culprit_index.filter(|&i| i >= 1)?;
    let last = match finding.repair_index {
        Some(repair) => repair.saturating_sub(1),
        None => last_patch,
    };
    Some((first, last.clamp(first, last_patch.max(first))))
}

/// `error` / `warning` / `note` counts as `2 errors, 1 warning`; empty for none.
pub fn count_words(findings: &[&Finding]) -> String {
    let mut parts = Vec::new();
    for (severity, one, many) in [
        (Severity::Error, "error", "errors"),
        (Severity::Warning, "warning", "warnings"),
        (Severity::Note, "note", "notes"),
    ] {
        let n = findings.iter().filter(|f| f.severity == severity).count();
        match n {
            0 => {}
            1 => parts.push(format!("1 {one}")),
            n => parts.push(format!("{n} {many}")),
        }
    }
    parts.join(", ")
}

/// The worst verdict of the series (success for an empty one).
pub fn series_verdict(report: &Report) -> Verdict {
    report
        .verdicts()
        .into_iter()
        .max()
        .unwrap_or(Verdict::Success)
}

/// Why a patch without findings of its own is not a success: the earliest finding whose
/// broken span covers it.
pub fn covering_finding(report: &Report, index: usize) -> Option<&Finding> {
    report.findings.iter().find(|f| {
        f.severity == Severity::Error
            && broken_span(report, f).is_some_and(|(first, last)| first < index && index <= last)
    })
}

/// `words` as one POSIX shell command line: words of plain characters as they are, the rest
/// in single quotes (a quote inside as `'\''`).
pub fn shell_quote(words: &[String]) -> String {
    words
        .iter()
        .map(|word| {
            let plain = !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%^".contains(&b));
            if plain {
                word.clone()
            } else {
                format!("'{}'", word.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// How many consequences a text format names before it says "and N more".
pub const CONSEQUENCES_SHOWN: usize = 5;

/// One consequence on one line: `warning[XL0007] <message> (x86; at <commit>:<file>:<line>)`.
pub fn consequence_line(c: &Consequence) -> String {
    let mut line = format!(
        "{}[{}] {} ({}",
        c.severity.word(),
        c.code,
        c.message,
        c.arches.join(", ")
    );
    if let Some(l) = &c.location {
        line.push_str(&format!("; at {}:{}:{}", l.commit, l.file, l.line));
    }
    line.push(')');
    line
}

/// A finding's consequences as text: a count, the first few, and how many more.
pub fn consequences_text(finding: &Finding) -> Option<String> {
    let all = &finding.consequences;
    if all.is_empty() {
        return None;
    }
    let mut text = format!(
        "{} more finding{} of this cause, folded in here:",
        all.len(),
        if all.len() == 1 { "" } else { "s" }
    );
    for c in all.iter().take(CONSEQUENCES_SHOWN) {
        text.push_str("\n  ");
        text.push_str(&consequence_line(c));
    }
    if all.len() > CONSEQUENCES_SHOWN {
        text.push_str(&format!(
            "\n  and {} more (`--format json` lists them all)",
            all.len() - CONSEQUENCES_SHOWN
        ));
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_with_shell_characters_are_quoted() {
        let words = [
            "xenlint",
            "series",
            "a..b",
            "--arch",
            "x86 arm64",
            "it's",
            "",
        ]
        .map(String::from);
        assert_eq!(
            shell_quote(&words),
            r"xenlint series a..b --arch 'x86 arm64' 'it'\''s' ''"
        );
    }
}
