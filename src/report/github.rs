//! `--format github`: GitHub Actions workflow commands (`::error file=...,line=...::...`),
//! one annotation per finding, and the Markdown for `$GITHUB_STEP_SUMMARY`
//! (`--output github-summary=PATH`). GitHub shows at most 10 annotations of each level per
//! step; past that they are left out here, and a last notice says how many.

use super::shared::{arches_of, baselines_of, consequences_text, count_words, full_commit};
use crate::lint::{Finding, Report, Severity, Verdict};

/// Annotations GitHub shows per level (error, warning, notice) and step.
pub const ANNOTATIONS_PER_LEVEL: usize = 10;

/// A command's message: `%`, CR and LF are escaped, as GitHub's toolkit does.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command's property value: as data, and `:` and `,` too, which end a property.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn command(finding: &Finding) -> &'static str {
    match finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

fn annotation(report: &Report, finding: &Finding) -> String {
    let mut properties = Vec::new();
    if let Some(primary) = finding.locations.first() {
        properties.push(format!("file={}", escape_property(&primary.file)));
        properties.push(format!("line={}", primary.line.max(1)));
        if let Some(span) = &primary.span {
            if let Some(before) = primary.source_line.get(..span.start) {
                let column = before.chars().count() + 1;
                properties.push(format!("col={column}"));
            }
        }
    }
    properties.push(format!(
        "title={}",
        escape_property(&format!("{} {}", finding.code, finding.name))
    ));
    let mut message = finding.message.clone();
    if let (Some(commit), Some(summary)) = (&finding.culprit, &finding.culprit_summary) {
        let commit = full_commit(report, commit);
        message.push_str(&format!(
            "\nculprit: {} (\"{summary}\")",
            commit.get(..12).unwrap_or(commit)
        ));
    }
    if let (Some(commit), Some(summary)) = (&finding.repair, &finding.repair_summary) {
        let commit = full_commit(report, commit);
        message.push_str(&format!(
            "\nrepaired by: {} (\"{summary}\")",
            commit.get(..12).unwrap_or(commit)
        ));
    }
    message.push_str(&format!(
        "\narches: {}; baselines: {}",
        arches_of(report, finding).join(", "),
        baselines_of(report, finding).join(", ")
    ));
    if let Some(consequences) = consequences_text(finding) {
        message.push_str(&format!("\n{consequences}"));
    }
    format!(
        "::{} {}::{}\n",
        command(finding),
        properties.join(","),
        escape_data(&message)
    )
}

/// The workflow commands for `report`: one annotation per finding, at most
/// `ANNOTATIONS_PER_LEVEL` per level, then a notice saying how many were left out.
pub fn github(report: &Report) -> String {
    let mut shown = std::collections::HashMap::new();
    let mut left_out = 0;
    let mut out = String::new();
    let total = |level: &str| {
        report
            .findings
            .iter()
            .filter(|f| command(f) == level)
            .count()
    };
    let overflow = ["error", "warning", "notice"]
        .iter()
        .any(|level| total(level) > ANNOTATIONS_PER_LEVEL);
    for finding in &report.findings {
        let level = command(finding);
        // The last notice slot is kept for the line that says what was left out.
        let room = if overflow && level == "notice" {
            ANNOTATIONS_PER_LEVEL - 1
        } else {
            ANNOTATIONS_PER_LEVEL
        };
        let count = shown.entry(level).or_insert(0);
        if *count < room {
            *count += 1;
            out.push_str(&annotation(report, finding));
        } else {
            left_out += 1;
        }
    }
    if left_out > 0 {
        out.push_str(&format!(
            "::notice title=xenlint::{}\n",
            escape_data(&format!(
                "{left_out} more finding{} not annotated (GitHub shows {ANNOTATIONS_PER_LEVEL} per level); the step summary and `xenlint series` list them all",
                if left_out == 1 { " was" } else { "s were" }
            ))
        ));
    }
    out
}

/// Text for a Markdown table cell: `|` escaped (GitHub's tables want that even inside
/// code spans), newlines joined.
fn cell(text: &str) -> String {
    line(text).replace('|', "\\|")
}

/// Text for one line of Markdown: newlines joined. Messages quote Kconfig in code spans,
/// where any escape would show literally.
fn line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

/// Inline code: wrapped in more backticks than `text` holds in a row.
fn code(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!(
        "{fence}{pad}{}{pad}{fence}",
        text.replace(['\r', '\n'], " ")
    )
}

fn verdict_cell(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Fail => ":x: fail",
        Verdict::Warning => ":warning: warning",
        Verdict::Success => ":white_check_mark: success",
    }
}

/// The Markdown summary for `$GITHUB_STEP_SUMMARY`: the verdict on each patch, then every
/// finding with its culprit, repair and location.
pub fn github_summary(report: &Report) -> String {
    let findings: Vec<&Finding> = report.findings.iter().collect();
    let patches = report.commits.len().saturating_sub(1);
    let mut out = format!(
        "## xenlint: {}\n\n",
        match count_words(&findings) {
            words if words.is_empty() => format!("no findings in {patches} patches"),
            words => format!("{words} in {patches} patches"),
        }
    );
    let base = &report.commits[0];
    out.push_str(&format!(
        "Base {} ({}), from {}; arches: {}; baselines: {}.\n\n",
        code(&base.short),
        line(&base.summary),
        line(&report.base_source.describe()),
        report.arches.join(", "),
        report.baselines.join(", ")
    ));
    out.push_str("| # | commit | summary | verdict | findings |\n|---|---|---|---|---|\n");
    for (i, verdict) in report.verdicts().into_iter().enumerate() {
        let index = i + 1;
        let commit = &report.commits[index];
        let own: Vec<&Finding> = report.findings_of(index).collect();
        out.push_str(&format!(
            "| {index} | {} | {} | {} | {} |\n",
            code(&commit.short),
            cell(&commit.summary),
            verdict_cell(verdict),
            cell(&count_words(&own))
        ));
    }
    if !report.findings.is_empty() {
        out.push_str("\n### Findings\n\n");
    }
    for finding in &report.findings {
        out.push_str(&format!(
            "- **{} {}** {}: {}\n",
            finding.severity.word(),
            finding.code,
            finding.name,
            line(&finding.message)
        ));
        if let Some(primary) = finding.locations.first() {
            out.push_str(&format!(
                "  - at {}\n",
                code(&format!(
                    "{}:{}:{}",
                    primary.commit, primary.file, primary.line
                ))
            ));
        }
        for (word, index) in [
            ("culprit", finding.culprit_index),
            ("repaired by", finding.repair_index),
        ] {
            if let Some(commit) = index.and_then(|i| report.commits.get(i)) {
                out.push_str(&format!(
                    "  - {word}: patch {} {} ({})\n",
                    index.unwrap_or_default(),
                    code(&commit.short),
                    line(&commit.summary)
                ));
            }
        }
        out.push_str(&format!(
            "  - arches: {}; baselines: {}\n",
            arches_of(report, finding).join(", "),
            baselines_of(report, finding).join(", ")
        ));
    }
    if !report.notes.is_empty() {
        out.push_str("\n### Notes\n\n");
        for note in &report.notes {
            out.push_str(&format!("- {}\n", line(note)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escapes_percent_and_line_ends() {
        assert_eq!(escape_data("50% of\r\nlines"), "50%25 of%0D%0Alines");
        // `%` first, or the escapes themselves would be escaped again.
        assert_eq!(escape_data("%0A"), "%250A");
        assert_eq!(escape_data("a: b, c"), "a: b, c");
    }

    #[test]
    fn properties_also_escape_colon_and_comma() {
        assert_eq!(
            escape_property("XL0001 a,b: c%\n"),
            "XL0001 a%2Cb%3A c%25%0A"
        );
    }

    #[test]
    fn markdown_code_outlasts_backticks_inside() {
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(cell("a || b\nc"), "a \\|\\| b c");
    }
}
