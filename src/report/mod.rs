//! Rendering findings: human diagnostics in the style of rustc, and versioned JSON. Only
//! this module knows about terminals and colour.

use std::fmt::Write as _;

use crate::lint::{Report, Severity};

mod json_schema;

pub use json_schema::{json, JSON_VERSION};

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

pub fn human(report: &Report, color: bool) -> String {
    let style = Style { color };
    let mut out = String::new();
    for f in &report.findings {
        let (word, code) = match f.severity {
            Severity::Error => ("error", "1;31"),
            Severity::Warning => ("warning", "1;33"),
            Severity::Note => ("note", "1;36"),
        };
        let _ = writeln!(
            out,
            "{}: {}",
            style.paint(code, &format!("{word}[{}]", f.code)),
            style.paint("1", &format!("{}: {}", f.name, f.message))
        );
        let width = f
            .locations
            .iter()
            .map(|l| l.line.to_string().len())
            .max()
            .unwrap_or(1);
        let pad = " ".repeat(width);
        for (i, loc) in f.locations.iter().enumerate() {
            let arrow = if i == 0 { "-->" } else { ":::" };
            let _ = writeln!(
                out,
                "{pad}{} {}:{} (at {})",
                style.paint("1;34", arrow),
                loc.file,
                loc.line,
                loc.commit
            );
            let bar = style.paint("1;34", "|");
            let _ = writeln!(out, "{pad} {bar}");
            let shown = loc.source_line.replace('\t', "    ");
            let _ = writeln!(
                out,
                "{} {bar} {}",
                style.paint("1;34", &format!("{:>width$}", loc.line)),
                shown
            );
            let marker = loc
                .underlined()
                .and_then(|word| crate::lint::find_word(&shown, word).map(|col| (col, word.len())))
                .map(|(col, len)| format!("{}{} ", " ".repeat(col), "^".repeat(len)))
                .unwrap_or_else(|| "^ ".to_string());
            let _ = writeln!(
                out,
                "{pad} {bar} {}",
                style.paint(code, &format!("{marker}{}", loc.label))
            );
        }
        let eq = style.paint("1;34", "=");
        if let (Some(c), Some(s)) = (&f.culprit, &f.culprit_summary) {
            let _ = writeln!(out, "{pad} {eq} culprit: {} (\"{s}\")", &c[..12]);
        }
        if let (Some(r), Some(s)) = (&f.repair, &f.repair_summary) {
            let _ = writeln!(out, "{pad} {eq} repaired by: {} (\"{s}\")", &r[..12]);
        }
        if f.arches.is_empty() {
            // References are checked against every Kconfig file, for all arches at once.
            let _ = writeln!(out, "{pad} {eq} arches: all");
        } else {
            let _ = writeln!(out, "{pad} {eq} arches: {}", f.arches.join(", "));
        }
        if !f.baselines.is_empty() {
            let _ = writeln!(out, "{pad} {eq} baselines: {}", f.baselines.join(", "));
        }
        for note in &f.notes {
            let _ = writeln!(out, "{pad} {eq} note: {note}");
        }
        let _ = writeln!(
            out,
            "{pad} {eq} help: `xenlint explain {}` documents this check",
            f.code
        );
        out.push('\n');
    }
    for note in &report.notes {
        let _ = writeln!(out, "{}: {note}", style.paint("1;36", "note"));
    }
    let errors = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let _ = writeln!(
        out,
        "{} commits x {} arches x {} baselines: {} finding{} ({} error{}); {} trees parsed, {} configurations resolved, {} Kbuild walks, the rest reused",
        report.commits.len() - 1,
        report.arches.len(),
        report.baselines.len(),
        report.findings.len(),
        if report.findings.len() == 1 { "" } else { "s" },
        errors,
        if errors == 1 { "" } else { "s" },
        report.parsed,
        report.resolved,
        report.walks
    );
    out
}
