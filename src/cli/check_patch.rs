//! `xenlint check-patch`: one patch on standard input, found by its patch-id among the
//! commits of the current series, answered with the checkpatch lines of the findings whose
//! culprit it is. The series' report is kept in the cache (`lint::cache`), so the M calls of
//! `b4 prep --check` cost one run.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};

use super::series::{lint_series, repo_settings, LintArgs};

#[derive(clap::Args)]
pub struct Args {
    /// The series to find the patch in (default: the branch `b4 prep` manages, else
    /// @{upstream}..HEAD).
    #[arg(long)]
    pub range: Option<String>,

    /// The repository (default: the one containing the current directory).
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,

    #[command(flatten)]
    pub lint: LintArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut mail = Vec::new();
    std::io::stdin()
        .read_to_end(&mut mail)
        .context("reading the patch on standard input")?;
    let subject = subject(&mail);
    let Some(id) = xenlint::git::patch_id(&mail) else {
        bail!("patch \"{subject}\": no diff in it");
    };
    let repository = xenlint::git::open(&args.repo)?;
    let range = match &args.range {
        Some(range) => range.clone(),
        None => match xenlint::git::b4_prep_range(&repository) {
            Some(prep) => format!("{}..{}", prep.from, prep.to),
            None => "@{upstream}..HEAD".to_string(),
        },
    };
    let series = xenlint::git::series(&repository, &range)?;
    // The work tree is the series' tip under b4: settings come from the base only.
    let settings = repo_settings(
        &repository,
        args.lint.settings_file.as_deref(),
        series.base,
        false,
    )?;
    // The report comes from the cache (`--cache-dir`) after the first patch of the series.
    let report = lint_series(repository.path(), &series, &args.lint, &settings, |_| {})?;
    let mut found = None;
    for (index, commit) in series.commits.iter().enumerate() {
        if xenlint::git::commit_patch_ids(&repository, commit.oid)?.contains(&id) {
            found = Some(index);
            break;
        }
    }
    let Some(index) = found else {
        bail!(
            "patch \"{subject}\" (patch-id {id}) is not a commit of {range}: check the range \
             (--range A..B)"
        );
    };
    out!("{}", xenlint::report::checkpatch(&report, Some(index + 1)));
    Ok(ExitCode::SUCCESS)
}

/// The Subject of the mail as the mail reader decodes it; "(no subject)" without one.
fn subject(mail: &[u8]) -> String {
    xenlint::mail::split_mbox(mail)
        .ok()
        .and_then(|mails| mails.into_iter().next())
        .map(|m| m.subject)
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "(no subject)".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subject_is_read_unfolded() {
        let mail = b"From: A <a@example.org>\nSubject: [PATCH 2/6] x86/xen: build the Xen\n objects by role\nDate: now\n\nSubject: not this\n";
        assert_eq!(
            subject(mail),
            "[PATCH 2/6] x86/xen: build the Xen objects by role"
        );
        assert_eq!(subject(b"\n\nbody"), "(no subject)");
    }
}
