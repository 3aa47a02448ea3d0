//! `--format b4-json`: what b4's review check commands print (`b4.review-perpatch-check-cmd`
//! and `b4.review-series-check-cmd`): a JSON array of results, each with `tool`, `status`
//! (`pass`, `warn` or `fail`), `summary` and `details`. b4 shows `details` as a list when it
//! is itself a JSON array of `{status, description, srcline}` entries, as its own checkpatch
//! handler writes them; xenlint writes one entry per finding.

use serde::Serialize;

use super::shared::{count_words, covering_finding, series_verdict};
use crate::lint::{Finding, Report, Severity, Verdict};

#[derive(Serialize)]
struct CheckResult {
    tool: &'static str,
    status: &'static str,
    summary: String,
    details: String,
}

#[derive(Serialize)]
struct Detail<'a> {
    status: &'static str,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    srcline: Option<&'a str>,
}

fn status(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Success => "pass",
        Verdict::Warning => "warn",
        Verdict::Fail => "fail",
    }
}

fn finding_status(finding: &Finding) -> &'static str {
    match finding.severity {
        Severity::Error => "fail",
        Severity::Warning => "warn",
        Severity::Note => "pass",
    }
}

fn details(report: &Report, findings: &[&Finding]) -> String {
    let entries: Vec<Detail> = findings
        .iter()
        .map(|f| {
            let primary = f.locations.first();
            let mut description = format!("{}: {}: {}", f.code, f.name, f.message);
            if let Some(l) = primary {
                description.push_str(&format!(" ({}:{})", l.file, l.line));
            }
            if let Some(repair) = f.repair_index.and_then(|i| report.commits.get(i)) {
                description.push_str(&format!(
                    "; repaired by {} (\"{}\")",
                    repair.short, repair.summary
                ));
            }
            if !f.consequences.is_empty() {
                description.push_str(&format!(
                    "; and {} consequence{} of the same cause",
                    f.consequences.len(),
                    if f.consequences.len() == 1 { "" } else { "s" }
                ));
            }
            Detail {
                status: finding_status(f),
                description,
                srcline: primary.map(|l| l.source_line.trim()),
            }
        })
        .collect();
    if entries.is_empty() {
        String::new()
    } else {
        serde_json::to_string(&entries).expect("detail structs always serialize")
    }
}

fn render(result: CheckResult) -> String {
    serde_json::to_string_pretty(&[result]).expect("result structs always serialize")
}

/// The result for patch `index` (an index of `Report::commits`), for a per-patch check
/// command.
pub fn b4_json_patch(report: &Report, index: usize) -> String {
    let verdict = report
        .verdicts()
        .get(index.wrapping_sub(1))
        .copied()
        .unwrap_or(Verdict::Success);
    let own: Vec<&Finding> = report.findings_of(index).collect();
    let summary = if !own.is_empty() {
        count_words(&own)
    } else if let Some(covering) = (verdict != Verdict::Success)
        .then(|| covering_finding(report, index))
        .flatten()
    {
        let culprit = covering.culprit_index.unwrap_or_default();
        format!(
            "the tree does not bisect here: {} {} of patch {culprit}",
            covering.code, covering.name
        )
    } else {
        format!(
            "no findings ({} arches x {} baselines)",
            report.arches.len(),
            report.baselines.len()
        )
    };
    render(CheckResult {
        tool: "xenlint",
        status: status(verdict),
        summary,
        details: details(report, &own),
    })
}

/// The result for the series as a whole, for a per-series check command.
pub fn b4_json_series(report: &Report) -> String {
    let all: Vec<&Finding> = report.findings.iter().collect();
    let summary = if all.is_empty() {
        format!(
            "no findings in {} patches ({} arches x {} baselines)",
            report.commits.len().saturating_sub(1),
            report.arches.len(),
            report.baselines.len()
        )
    } else {
        let failing = report
            .verdicts()
            .iter()
            .filter(|&&v| v != Verdict::Success)
            .count();
        format!(
            "{}; {failing} of {} patches do not bisect cleanly",
            count_words(&all),
            report.commits.len().saturating_sub(1)
        )
    };
    render(CheckResult {
        tool: "xenlint",
        status: status(series_verdict(report)),
        summary,
        details: details(report, &all),
    })
}
