//! `--format sarif`: SARIF 2.1.0 (OASIS), for code scanning services. One run; one rule per
//! registered check, documented from its `.md`; one result per finding, at the file and line
//! of its primary location as the commit it names has it, the other locations related.
//! Columns count Unicode code points (`columnKind`). Fingerprints use the stable finding id,
//! so a finding keeps its identity when the series is rebased or resent.

use std::collections::BTreeMap;

use serde::Serialize;

use super::shared::{arches_of, baselines_of, consequences_text, fingerprint, full_commit};
use crate::lint::checks::CHECKS;
use crate::lint::{Finding, Location, Report, Severity};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    version_control_provenance: Vec<VersionControl<'a>>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Text,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VersionControl<'a> {
    repository_uri: &'a str,
    revision_id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties<'a> {
    base_commit: &'a str,
    base_source: &'static str,
    arches: &'a [String],
    baselines: &'a [String],
    command_line: &'a [String],
    notes: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<SarifLocation<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation<'a>>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    culprit: Option<&'a str>,
    repair: Option<&'a str>,
    arches: &'a [String],
    baselines: &'a [String],
    symbols: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    message: Text,
    properties: LocationProperties<'a>,
}

#[derive(Serialize)]
struct LocationProperties<'a> {
    /// The commit the file is read at.
    commit: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
    #[serde(skip_serializing_if = "Option::is_none")]
    context_region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
    snippet: Text,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// The paragraphs under one heading of a check's doc (`What it does`, ...), joined into one.
fn doc_section(doc: &str, heading: &str) -> String {
    let mut lines = doc
        .lines()
        .skip_while(|line| line.trim() != heading)
        .skip(1);
    let mut text = String::new();
    for line in lines.by_ref() {
        if !line.is_empty() && !line.starts_with(' ') {
            break;
        }
        let line = line.trim();
        if !text.is_empty() {
            text.push(if line.is_empty() { '\n' } else { ' ' });
        }
        text.push_str(line);
    }
    text.trim().to_string()
}

/// The first sentence of `text`.
fn first_sentence(text: &str) -> String {
    match text.find(". ") {
        Some(end) => text[..=end].to_string(),
        None => text.to_string(),
    }
}

fn rules() -> Vec<Rule> {
    CHECKS
        .iter()
        .map(|check| {
            let what = doc_section(check.doc, "What it does");
            Rule {
                id: check.code,
                name: check.name,
                short_description: Text {
                    text: first_sentence(&what),
                },
                full_description: Text { text: what },
                help: Text {
                    text: check.doc.trim_end().to_string(),
                },
                default_configuration: Configuration {
                    level: level(check.severity),
                },
            }
        })
        .collect()
}

/// A repository-relative path as a URI reference: bytes outside RFC 3986's unreserved set
/// and `/` are percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn physical(location: &Location) -> PhysicalLocation {
    let line_region = || Region {
        start_line: location.line.max(1),
        start_column: None,
        end_column: None,
        snippet: Text {
            text: location.source_line.clone(),
        },
    };
    // 1-based columns in code points; the end column is the one after the last underlined.
    let columns = location.span.as_ref().and_then(|span| {
        let before = location.source_line.get(..span.start)?;
        let underlined = location.source_line.get(span.clone())?;
        let start = before.chars().count() + 1;
        Some((start, start + underlined.chars().count(), underlined))
    });
    match columns {
        Some((start, end, underlined)) if end > start => PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: uri(&location.file),
            },
            region: Region {
                start_line: location.line.max(1),
                start_column: Some(start),
                end_column: Some(end),
                snippet: Text {
                    text: underlined.to_string(),
                },
            },
            context_region: Some(line_region()),
        },
        _ => PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: uri(&location.file),
            },
            region: line_region(),
            context_region: None,
        },
    }
}

fn sarif_location<'a>(
    report: &'a Report,
    location: &'a Location,
    id: Option<usize>,
) -> SarifLocation<'a> {
    let commit = full_commit(report, &location.commit);
    SarifLocation {
        id,
        physical_location: physical(location),
        message: Text {
            text: format!(
                "{} (at {})",
                location.label,
                commit.get(..12).unwrap_or(commit)
            ),
        },
        properties: LocationProperties { commit },
    }
}

fn result<'a>(report: &'a Report, finding: &'a Finding) -> SarifResult<'a> {
    let rule_index = CHECKS
        .iter()
        .position(|check| check.code == finding.code)
        .expect("every finding comes from a registered check");
    let mut text = finding.message.clone();
    if let Some(summary) = &finding.culprit_summary {
        text.push_str(&format!(" (culprit: \"{summary}\""));
        if let Some(repair) = &finding.repair_summary {
            text.push_str(&format!("; repaired by \"{repair}\""));
        }
        text.push(')');
    }
    if let Some(consequences) = consequences_text(finding) {
        text.push_str(&format!("; {consequences}"));
    }
    SarifResult {
        rule_id: finding.code,
        rule_index,
        level: level(finding.severity),
        message: Text { text },
        locations: finding
            .locations
            .iter()
            .take(1)
            .map(|l| sarif_location(report, l, None))
            .collect(),
        related_locations: finding
            .locations
            .iter()
            .skip(1)
            .enumerate()
            .map(|(i, l)| sarif_location(report, l, Some(i + 1)))
            .collect(),
        partial_fingerprints: BTreeMap::from([("xenlintFinding/v1", fingerprint(finding))]),
        properties: ResultProperties {
            culprit: finding.culprit.as_deref(),
            repair: finding.repair.as_deref(),
            arches: arches_of(report, finding),
            baselines: baselines_of(report, finding),
            symbols: &finding.symbols,
        },
    }
}

/// The report as a SARIF 2.1.0 log. `repository_uri`, when known (the `origin` remote),
/// names the repository of the base commit in `versionControlProvenance`.
pub fn sarif(report: &Report, repository_uri: Option<&str>) -> String {
    let base = &report.commits[0].commit;
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "xenlint",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules: rules(),
                },
            },
            version_control_provenance: repository_uri
                .map(|uri| VersionControl {
                    repository_uri: uri,
                    revision_id: base,
                })
                .into_iter()
                .collect(),
            column_kind: "unicodeCodePoints",
            results: report.findings.iter().map(|f| result(report, f)).collect(),
            properties: RunProperties {
                base_commit: base,
                base_source: report.base_source.key(),
                arches: &report.arches,
                baselines: &report.baselines,
                command_line: &report.command_line,
                notes: &report.notes,
            },
        }],
    };
    serde_json::to_string_pretty(&log).expect("SARIF structs always serialize")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_has_a_description() {
        for rule in rules() {
            assert!(!rule.short_description.text.is_empty(), "{}", rule.id);
            assert!(rule.full_description.text.len() >= rule.short_description.text.len());
        }
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("arch/x86/Kconfig"), "arch/x86/Kconfig");
        assert_eq!(uri("a b/c#d%"), "a%20b/c%23d%25");
    }

    #[test]
    fn columns_count_code_points() {
        let mut location = Location {
            commit: "0123456789ab".into(),
            file: "Kconfig".into(),
            line: 3,
            source_line: "\t# Müller: depends on FOO".into(),
            span: None,
            label: String::new(),
        };
        location.underline("FOO");
        let region = physical(&location).region;
        assert_eq!(
            (region.start_column, region.end_column),
            (Some(23), Some(26))
        );
        assert_eq!(region.snippet.text, "FOO");
    }
}
