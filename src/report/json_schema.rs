//! `--format json`: an explicit, versioned schema converted from the report model, so a
//! change inside the engine cannot change what a CI system reads.

use serde::Serialize;

use crate::lint::{Finding, Location, Report, SeriesCommit, Severity};

/// The JSON schema version of `--format json`.
pub const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    base: JsonCommit<'a>,
    commits: Vec<JsonCommit<'a>>,
    arches: &'a [String],
    baselines: &'a [String],
    findings: Vec<JsonFinding<'a>>,
    notes: &'a [String],
}

#[derive(Serialize)]
struct JsonCommit<'a> {
    commit: &'a str,
    short: &'a str,
    summary: &'a str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a str,
    culprit: Option<&'a str>,
    culprit_summary: Option<&'a str>,
    repair: Option<&'a str>,
    repair_summary: Option<&'a str>,
    arches: &'a [String],
    baselines: &'a [String],
    symbols: &'a [String],
    locations: Vec<JsonLocation<'a>>,
    notes: &'a [String],
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    commit: &'a str,
    file: &'a str,
    line: u32,
    source_line: &'a str,
    label: &'a str,
    /// The underlined text of `source_line`.
    highlight: Option<&'a str>,
}

fn commit(c: &SeriesCommit) -> JsonCommit<'_> {
    JsonCommit {
        commit: &c.commit,
        short: &c.short,
        summary: &c.summary,
    }
}

fn severity(s: Severity) -> &'static str {
    s.word()
}

fn location(l: &Location) -> JsonLocation<'_> {
    JsonLocation {
        commit: &l.commit,
        file: &l.file,
        line: l.line,
        source_line: &l.source_line,
        label: &l.label,
        highlight: l.underlined(),
    }
}

fn finding(f: &Finding) -> JsonFinding<'_> {
    JsonFinding {
        code: f.code,
        name: f.name,
        severity: severity(f.severity),
        message: &f.message,
        culprit: f.culprit.as_deref(),
        culprit_summary: f.culprit_summary.as_deref(),
        repair: f.repair.as_deref(),
        repair_summary: f.repair_summary.as_deref(),
        arches: &f.arches,
        baselines: &f.baselines,
        symbols: &f.symbols,
        locations: f.locations.iter().map(location).collect(),
        notes: &f.notes,
    }
}

pub fn json(report: &Report) -> String {
    let doc = JsonReport {
        version: JSON_VERSION,
        base: commit(&report.commits[0]),
        commits: report.commits[1..].iter().map(commit).collect(),
        arches: &report.arches,
        baselines: &report.baselines,
        findings: report.findings.iter().map(finding).collect(),
        notes: &report.notes,
    };
    serde_json::to_string_pretty(&doc).expect("report structs always serialize")
}
