//! The human format: each finding as one rustc-style diagnostic drawn by `annotate-snippets`,
//! then the report's notes and a one-line summary. Owns the layout of terminal output and the
//! choice of colour; it must not decide what is a finding or which exit status follows.

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{normalize_untrusted_str, AnnotationKind, Group, Level, Renderer, Snippet};

use super::shared::consequences_text;
use crate::lint::{Finding, Location, Report, Severity};

/// Renders `report` for a terminal; `color` turns on ANSI escape codes.
pub fn human(report: &Report, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    // ASCII decor like rustc's default, so the output reads the same in any terminal or log.
    .decor_style(DecorStyle::Ascii);

    let mut out = String::new();
    for finding in &report.findings {
        out.push_str(&renderer.render(&[finding_group(finding)]));
        out.push_str("\n\n");
    }
    for note in &report.notes {
        let title = Level::NOTE.primary_title(note.as_str());
        out.push_str(&renderer.render(&[Group::with_title(title)]));
        out.push('\n');
    }
    out.push_str(&summary(report));
    out
}

/// Some findings as plain text, no colour, each diagnostic followed by a blank line: for
/// formats that quote diagnostics (a report mail).
pub(crate) fn plain_findings(findings: &[&Finding]) -> String {
    let renderer = Renderer::plain().decor_style(DecorStyle::Ascii);
    let mut out = String::new();
    for finding in findings {
        out.push_str(&renderer.render(&[finding_group(finding)]));
        out.push_str("\n\n");
    }
    out
}

/// One finding as one diagnostic: title, a snippet per location, then the `= ...` footers.
fn finding_group(finding: &Finding) -> Group<'_> {
    let level = match finding.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    };
    let title = level
        .primary_title(format!("{}: {}", finding.name, finding.message))
        .id(finding.code);
    let mut group = Group::with_title(title);
    for (index, location) in finding.locations.iter().enumerate() {
        group = group.element(location_snippet(location, index == 0));
    }
    for (name, text) in footers(finding) {
        // Footer text carries symbol names and commit subjects written by the series; message()
        // treats its text as trusted, so control characters are neutralised here first.
        let footer = Level::NOTE
            .with_name(name)
            .message(normalize_untrusted_str(&text));
        group = group.element(footer);
    }
    group
}

/// A location as a one-line snippet. The commit goes into the path in git's `<rev>:<path>`
/// form: annotate-snippets appends `:line:col` to the path, and `git show 135c67a00ce8:arch/x86/Kbuild`
/// then opens exactly the file shown, where a bare path would name the work tree's version.
fn location_snippet(
    location: &Location,
    primary: bool,
) -> Snippet<'_, annotate_snippets::Annotation<'_>> {
    let kind = if primary {
        AnnotationKind::Primary
    } else {
        AnnotationKind::Context
    };
    // A span that is out of range or splits a character would make the library panic or point
    // at the wrong text; such a location is shown like one without a span, at the line start.
    let span = location
        .span
        .clone()
        .filter(|span| location.source_line.get(span.clone()).is_some())
        .unwrap_or(0..0);
    Snippet::source(location.source_line.as_str())
        .path(format!("{}:{}", location.commit, location.file))
        .line_start(location.line as usize)
        .fold(false)
        .annotation(kind.span(span).label(location.label.as_str()))
}

/// The `= name: text` lines under a finding, in the order today's readers expect.
fn footers(finding: &Finding) -> Vec<(&'static str, String)> {
    let mut footers = Vec::new();
    if let (Some(commit), Some(summary)) = (&finding.culprit, &finding.culprit_summary) {
        footers.push(("culprit", format!("{} (\"{summary}\")", abbreviate(commit))));
    }
    if let (Some(commit), Some(summary)) = (&finding.repair, &finding.repair_summary) {
        footers.push((
            "repaired by",
            format!("{} (\"{summary}\")", abbreviate(commit)),
        ));
    }
    if !finding.arches.is_empty() {
        footers.push(("arches", finding.arches.join(", ")));
    }
    if !finding.baselines.is_empty() {
        footers.push(("baselines", finding.baselines.join(", ")));
    }
    for note in &finding.notes {
        footers.push(("note", note.clone()));
    }
    if let Some(text) = consequences_text(finding) {
        footers.push(("consequences", text));
    }
    if let Some(suggestion) = &finding.suggestion {
        footers.push((
            "help",
            format!(
                "{}: verified, the rewritten series lints without this break and with no new finding",
                suggestion.text
            ),
        ));
    }
    footers.push((
        "help",
        format!("`xenlint explain {}` documents this check", finding.code),
    ));
    footers
}

/// The 12-digit abbreviation the rest of the report uses; shorter ids are shown whole.
fn abbreviate(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

/// The last line: the size of the run, how many findings, and how much work was reused.
fn summary(report: &Report) -> String {
    let errors = report
        .findings
        .iter()
        .filter(|finding| finding.severity == Severity::Error)
        .count();
    format!(
        "{} commits x {} arches x {} baselines: {} finding{} ({} error{}); {} trees parsed, {} configurations resolved, {} Kbuild walks, the rest reused\n",
        // `commits` holds the base first; the series is the rest.
        report.commits.len().saturating_sub(1),
        report.arches.len(),
        report.baselines.len(),
        report.findings.len(),
        if report.findings.len() == 1 { "" } else { "s" },
        errors,
        if errors == 1 { "" } else { "s" },
        report.parsed,
        report.resolved,
        report.walks
    )
}
