//! The checkpatch format: one line per finding, `file:line: ERROR: XL0001 bisect-break:
//! message`, as scripts/checkpatch.pl prints with `--terse --showfile`, for the tools that
//! read checkpatch's output (b4's `prep-perpatch-check-cmd` and `am-perpatch-check-cmd`).
//! b4 marks a patch failed for a line with `ERROR:`, with a warning for any other line, so
//! notes are left out: they would read as warnings. Nothing is printed for a clean patch.

use crate::lint::{Finding, Report, Severity};

/// The findings of `report` (with `Some(i)`, only those whose culprit is patch `i`, 1-based
/// as `Report::commits`), one checkpatch line each.
pub fn checkpatch(report: &Report, patch: Option<usize>) -> String {
    let mut out = String::new();
    let chosen = report
        .findings
        .iter()
        .filter(|f| patch.is_none_or(|i| f.culprit_index == Some(i)));
    for finding in chosen {
        if let Some(line) = line(finding) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

fn line(finding: &Finding) -> Option<String> {
    let level = match finding.severity {
        Severity::Error => "ERROR",
        Severity::Warning => "WARNING",
        Severity::Note => return None,
    };
    let place = finding
        .locations
        .first()
        .map(|l| format!("{}:{}: ", l.file, l.line))
        .unwrap_or_default();
    let arches = if finding.arches.is_empty() || finding.message.contains("ARCH=") {
        String::new()
    } else {
        format!(" (ARCH={})", finding.arches.join(","))
    };
    // One finding, one line: a message never spans lines here.
    let message = finding
        .message
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Some(format!(
        "{place}{level}: {} {}: {message}{arches}",
        finding.code, finding.name
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{BaseSource, Location};

    fn finding(severity: Severity, culprit: usize) -> Finding {
        Finding {
            code: "XL0001",
            name: "bisect-break",
            severity,
            message: "`XEN_PVH` can no longer\nbe enabled".into(),
            culprit: None,
            culprit_summary: None,
            repair: None,
            repair_summary: None,
            culprit_index: Some(culprit),
            repair_index: None,
            arches: vec!["x86".into()],
            baselines: Vec::new(),
            symbols: Vec::new(),
            locations: vec![Location {
                commit: "0123456789ab".into(),
                file: "arch/x86/xen/Kconfig".into(),
                line: 12,
                source_line: String::new(),
                span: None,
                label: String::new(),
            }],
            notes: Vec::new(),
            suggestion: None,
            consequences: Vec::new(),
        }
    }

    fn report(findings: Vec<Finding>) -> Report {
        Report {
            commits: Vec::new(),
            arches: Vec::new(),
            baselines: Vec::new(),
            findings,
            notes: Vec::new(),
            parsed: 0,
            resolved: 0,
            walks: 0,
            base_source: BaseSource::Range,
            command_line: Vec::new(),
            changes: Vec::new(),
        }
    }

    #[test]
    fn one_line_per_finding_of_the_patch_asked() {
        let r = report(vec![
            finding(Severity::Error, 2),
            finding(Severity::Warning, 3),
            finding(Severity::Note, 2),
        ]);
        assert_eq!(
            checkpatch(&r, Some(2)),
            "arch/x86/xen/Kconfig:12: ERROR: XL0001 bisect-break: `XEN_PVH` can no longer be enabled (ARCH=x86)\n"
        );
        assert!(checkpatch(&r, Some(3)).contains(": WARNING: XL0001"));
        assert_eq!(checkpatch(&r, Some(1)), "");
        assert_eq!(checkpatch(&r, None).lines().count(), 2);
    }
}
