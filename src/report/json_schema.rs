//! `--format json`: an explicit, versioned schema converted from the report model, so a
//! change inside the engine cannot change what a CI system reads.
//!
//! Version 2: commits are named by their full ids everywhere (locations too); every commit
//! has its patch number, patch-id, mail and verdict; findings have a stable `id`, culprit
//! and repair as objects, the span of patches that does not bisect, and the arches and
//! baselines they hold for as explicit lists; the base says where it came from; the run's
//! coverage and command line are part of the report.

use serde::Serialize;

use super::shared::{arches_of, baselines_of, broken_span, commit_index, finding_ids, full_commit};
use crate::lint::{Finding, Location, PatchMail, Report, SeriesCommit, Verdict};

/// The JSON schema version of `--format json`.
pub const JSON_VERSION: u32 = 2;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    base: JsonBase<'a>,
    commits: Vec<JsonCommit<'a>>,
    coverage: JsonCoverage<'a>,
    command_line: &'a [String],
    verdicts: JsonVerdicts,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonBase<'a> {
    commit: &'a str,
    short: &'a str,
    summary: &'a str,
    /// `range`, `argument`, `base-commit-trailer` or `guessed`.
    source: &'static str,
    describe: String,
}

#[derive(Serialize)]
struct JsonCommit<'a> {
    commit: &'a str,
    short: &'a str,
    summary: &'a str,
    /// 1 for the first patch of the series.
    patch: usize,
    patch_id: Option<&'a str>,
    mail: Option<JsonMail<'a>>,
    verdict: &'static str,
}

#[derive(Serialize)]
struct JsonMail<'a> {
    message_id: &'a str,
    subject: &'a str,
    number: usize,
    total: usize,
    revision: u32,
    references: &'a [String],
    from: &'a str,
}

#[derive(Serialize)]
struct JsonCoverage<'a> {
    arches: &'a [String],
    baselines: &'a [String],
    trees_parsed: usize,
    configurations_resolved: usize,
    kbuild_walks: usize,
    /// What was skipped or not understood, and findings the settings ignore.
    notes: &'a [String],
}

/// The patch numbers of each verdict.
#[derive(Serialize)]
struct JsonVerdicts {
    fail: Vec<usize>,
    warning: Vec<usize>,
    success: Vec<usize>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    /// Stable across rebases and resends: check, symbols, file and line text.
    id: String,
    code: &'a str,
    name: &'a str,
    severity: &'static str,
    message: &'a str,
    culprit: Option<JsonPatchRef<'a>>,
    repair: Option<JsonPatchRef<'a>>,
    broken_span: Option<JsonSpan>,
    arches: &'a [String],
    baselines: &'a [String],
    symbols: &'a [String],
    locations: Vec<JsonLocation<'a>>,
    notes: &'a [String],
    /// A verified rewrite that removes the break, when one was found.
    suggestion: Option<JsonSuggestion<'a>>,
    /// What the same root cause also brings about, each of which would otherwise be a
    /// finding of its own (all of them; text formats name the first few).
    consequences: Vec<JsonConsequence<'a>>,
}

#[derive(Serialize)]
struct JsonConsequence<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'static str,
    message: &'a str,
    symbols: &'a [String],
    arches: &'a [String],
    baselines: &'a [String],
    location: Option<JsonLocation<'a>>,
}

#[derive(Serialize)]
struct JsonSuggestion<'a> {
    kind: &'a str,
    culprit: &'a str,
    repair: &'a str,
    text: &'a str,
}

#[derive(Serialize)]
struct JsonPatchRef<'a> {
    commit: &'a str,
    /// The patch number (0 for the base).
    patch: Option<usize>,
    summary: Option<&'a str>,
}

/// The first and last patch at which the tree does not bisect.
#[derive(Serialize)]
struct JsonSpan {
    first: usize,
    last: usize,
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    commit: &'a str,
    /// The patch number of `commit` (0 for the base), when it is one of the report's.
    patch: Option<usize>,
    /// `culprit`, `parent` (the commit before the culprit), `base`, `repair` or `other`.
    role: &'static str,
    file: &'a str,
    line: u32,
    source_line: &'a str,
    label: &'a str,
    /// The underlined text of `source_line`.
    highlight: Option<&'a str>,
}

fn mail(m: &PatchMail) -> JsonMail<'_> {
    JsonMail {
        message_id: &m.message_id,
        subject: &m.subject,
        number: m.number,
        total: m.total,
        revision: m.revision,
        references: &m.references,
        from: &m.from,
    }
}

fn commit<'a>(patch: usize, c: &'a SeriesCommit, verdict: Verdict) -> JsonCommit<'a> {
    JsonCommit {
        commit: &c.commit,
        short: &c.short,
        summary: &c.summary,
        patch,
        patch_id: c.patch_id.as_deref(),
        mail: c.mail.as_ref().map(mail),
        verdict: verdict.word(),
    }
}

fn location<'a>(report: &'a Report, f: &Finding, l: &'a Location) -> JsonLocation<'a> {
    let patch = commit_index(report, &l.commit);
    // What the commit is to the finding: the culprit, the commit before it, the repair.
    let role = match (patch, f.culprit_index) {
        (Some(p), Some(c)) if p == c => "culprit",
        (Some(0), _) => "base",
        (Some(p), Some(c)) if p + 1 == c => "parent",
        (Some(p), _) if Some(p) == f.repair_index => "repair",
        _ => "other",
    };
    JsonLocation {
        commit: full_commit(report, &l.commit),
        patch,
        role,
        file: &l.file,
        line: l.line,
        source_line: &l.source_line,
        label: &l.label,
        highlight: l.underlined(),
    }
}

fn patch_ref<'a>(
    report: &'a Report,
    id: Option<&'a String>,
    index: Option<usize>,
    summary: Option<&'a String>,
) -> Option<JsonPatchRef<'a>> {
    let id = id?;
    let index = index.or_else(|| commit_index(report, id));
    Some(JsonPatchRef {
        commit: full_commit(report, id),
        patch: index,
        summary: summary
            .map(String::as_str)
            .or_else(|| index.map(|i| report.commits[i].summary.as_str())),
    })
}

fn finding<'a>(report: &'a Report, f: &'a Finding, id: String) -> JsonFinding<'a> {
    JsonFinding {
        id,
        code: f.code,
        name: f.name,
        severity: f.severity.word(),
        message: &f.message,
        culprit: patch_ref(
            report,
            f.culprit.as_ref(),
            f.culprit_index,
            f.culprit_summary.as_ref(),
        ),
        repair: patch_ref(
            report,
            f.repair.as_ref(),
            f.repair_index,
            f.repair_summary.as_ref(),
        ),
        broken_span: broken_span(report, f).map(|(first, last)| JsonSpan { first, last }),
        arches: arches_of(report, f),
        baselines: baselines_of(report, f),
        symbols: &f.symbols,
        locations: f.locations.iter().map(|l| location(report, f, l)).collect(),
        notes: &f.notes,
        suggestion: f.suggestion.as_ref().map(|s| JsonSuggestion {
            kind: s.kind,
            culprit: &s.culprit,
            repair: &s.repair,
            text: &s.text,
        }),
        consequences: f
            .consequences
            .iter()
            .map(|c| JsonConsequence {
                code: c.code,
                name: c.name,
                severity: c.severity.word(),
                message: &c.message,
                symbols: &c.symbols,
                arches: &c.arches,
                baselines: &c.baselines,
                location: c.location.as_ref().map(|l| location(report, f, l)),
            })
            .collect(),
    }
}

/// The report as JSON, schema version `JSON_VERSION`.
pub fn json(report: &Report) -> String {
    let base = &report.commits[0];
    let verdicts = report.verdicts();
    let numbered = |wanted: Verdict| {
        (1..=verdicts.len())
            .filter(|&patch| verdicts[patch - 1] == wanted)
            .collect()
    };
    let doc = JsonReport {
        version: JSON_VERSION,
        base: JsonBase {
            commit: &base.commit,
            short: &base.short,
            summary: &base.summary,
            source: report.base_source.key(),
            describe: report.base_source.describe(),
        },
        commits: report.commits[1..]
            .iter()
            .zip(&verdicts)
            .enumerate()
            .map(|(i, (c, &verdict))| commit(i + 1, c, verdict))
            .collect(),
        coverage: JsonCoverage {
            arches: &report.arches,
            baselines: &report.baselines,
            trees_parsed: report.parsed,
            configurations_resolved: report.resolved,
            kbuild_walks: report.walks,
            notes: &report.notes,
        },
        command_line: &report.command_line,
        verdicts: JsonVerdicts {
            fail: numbered(Verdict::Fail),
            warning: numbered(Verdict::Warning),
            success: numbered(Verdict::Success),
        },
        findings: report
            .findings
            .iter()
            .zip(finding_ids(report))
            .map(|(f, id)| finding(report, f, id))
            .collect(),
    };
    serde_json::to_string_pretty(&doc).expect("report structs always serialize")
}
