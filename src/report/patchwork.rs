//! `--format patchwork`: for each patch, the check patchwork's REST API takes at
//! `POST /api/patches/{id}/checks/` (`state`, `context`, `description`), with the patch's
//! Message-ID: xenlint does no network I/O, so whatever posts the checks maps the
//! Message-ID to patchwork's patch id. Patches of a plain git series have no Message-ID
//! (`null`); their commit ids are given instead.

use serde::Serialize;

use super::shared::{count_words, covering_finding};
use crate::lint::{Finding, Report, Verdict};

/// The `context` of every check: a slug, as patchwork requires (`^[-a-zA-Z0-9_]+$`).
pub const PATCHWORK_CONTEXT: &str = "xenlint";

/// The longest description written. Patchwork stores it as unbounded text and shows it in
/// one line of the patch's check list, so it stays brief.
pub const DESCRIPTION_MAX: usize = 255;

#[derive(Serialize)]
struct PatchCheck<'a> {
    message_id: Option<&'a str>,
    /// `i/M`.
    patch: String,
    commit: &'a str,
    check: Check,
}

#[derive(Serialize)]
struct Check {
    state: &'static str,
    context: &'static str,
    description: String,
}

fn state(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Success => "success",
        Verdict::Warning => "warning",
        Verdict::Fail => "fail",
    }
}

/// `text` cut to `max` bytes at a character boundary, with `...` when cut.
fn brief(text: String, max: usize) -> String {
    if text.len() <= max {
        return text;
    }
    let mut end = max - 3;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

fn description(report: &Report, index: usize, verdict: Verdict) -> String {
    let own: Vec<&Finding> = report.findings_of(index).collect();
    let text = if !own.is_empty() {
        let mut names: Vec<String> = Vec::new();
        for f in &own {
            let name = match f.symbols.first() {
                Some(symbol) => format!("{} {} ({symbol})", f.code, f.name),
                None => format!("{} {}", f.code, f.name),
            };
            if !names.contains(&name) {
                names.push(name);
            }
        }
        format!("{}: {}", count_words(&own), names.join(", "))
    } else if let Some(covering) = (verdict != Verdict::Success)
        .then(|| covering_finding(report, index))
        .flatten()
    {
        format!(
            "does not bisect: {} {} of patch {} is not repaired yet",
            covering.code,
            covering.name,
            covering.culprit_index.unwrap_or_default()
        )
    } else {
        format!(
            "no findings ({} arches x {} baselines)",
            report.arches.len(),
            report.baselines.len()
        )
    };
    brief(text, DESCRIPTION_MAX)
}

/// A JSON array with the check of every patch of the series, in order.
pub fn patchwork(report: &Report) -> String {
    let patches = report.commits.len().saturating_sub(1);
    let checks: Vec<PatchCheck> = report
        .verdicts()
        .into_iter()
        .enumerate()
        .map(|(i, verdict)| {
            let index = i + 1;
            let commit = &report.commits[index];
            let mail = commit.mail.as_ref();
            PatchCheck {
                message_id: mail.map(|m| m.message_id.as_str()),
                patch: match mail {
                    Some(m) => format!("{}/{}", m.number, m.total),
                    None => format!("{index}/{patches}"),
                },
                commit: &commit.commit,
                check: Check {
                    state: state(verdict),
                    context: PATCHWORK_CONTEXT,
                    description: description(report, index, verdict),
                },
            }
        })
        .collect();
    serde_json::to_string_pretty(&checks).expect("check structs always serialize")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_cut_at_characters() {
        assert_eq!(brief("short".into(), 10), "short");
        let cut = brief("ü".repeat(200), DESCRIPTION_MAX);
        assert!(cut.len() <= DESCRIPTION_MAX && cut.ends_with("..."));
    }

    #[test]
    fn the_context_is_a_slug() {
        assert!(PATCHWORK_CONTEXT
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }
}
