//! `xenlint mbox`: lint a series posted as mail.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::common::public_url;
use super::series::{lint_series, render, repo_settings, LintArgs, ReportArgs};

/// Exit status of a series that could not be placed or applied: not tested.
const NOT_TESTED: u8 = 3;

#[derive(clap::Args)]
pub struct Args {
    /// The mbox: a file (`b4 am -o DIR`, `git format-patch --stdout`, a patchwork mbox) or
    /// `-` for standard input.
    pub mbox: PathBuf,

    /// The repository holding the base (default: the one containing the current directory).
    /// It gains nothing: the series is applied in memory, its commits kept in a temporary
    /// object store.
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,

    /// The commit the series applies to. Default: the `base-commit:` trailer of the cover
    /// letter or of patch 1 (`git format-patch --base`, b4).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,

    /// Without --base or a base-commit: trailer, take as the base the newest commit whose
    /// files match the blobs the patches' `index` lines name.
    #[arg(long)]
    pub guess_base: bool,

    /// Where --guess-base looks: commits reachable from these revisions (repeat it or give a
    /// comma list).
    #[arg(
        long,
        value_name = "REV",
        value_delimiter = ',',
        default_value = "HEAD"
    )]
    pub guess_from: Vec<String>,

    /// How many commits --guess-base looks at, newest first.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub guess_depth: usize,

    #[command(flatten)]
    pub lint: LintArgs,

    #[command(flatten)]
    pub report: ReportArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    args.report.outputs()?;
    let bytes = read_mbox(&args.mbox)?;
    let name = args.mbox.display().to_string();
    let mails = xenlint::mail::split_mbox(&bytes).with_context(|| name.clone())?;
    let posted = xenlint::mail::posted_series(mails).with_context(|| name.clone())?;
    let repository = xenlint::git::open(&args.repo)?;
    let repository_uri = xenlint::git::origin_url(&repository).and_then(|u| public_url(&u));

    let (base, source) = match place(&repository, &args, &posted) {
        Ok(placed) => placed,
        Err(why) => return Ok(not_tested(&why)),
    };
    let patches: Vec<xenlint::git::apply::PatchToApply> = posted
        .patches
        .iter()
        .map(xenlint::git::apply::PatchToApply::from_posted)
        .collect();
    let applied = match xenlint::git::apply::apply_series(&repository, base, &patches) {
        Ok(applied) => applied,
        Err(xenlint::git::apply::ApplyError::Store(why)) => anyhow::bail!("{why}"),
        Err(why) => return Ok(not_tested(&why.to_string())),
    };
    // Settings from --settings or the base: never from the series, nor from the work tree
    // of whoever runs a CI job.
    let settings = repo_settings(&repository, args.lint.settings_file.as_deref(), base, false)?;
    drop(repository);

    for note in &posted.skipped {
        eprintln!("xenlint: {name}: {note}");
    }
    let report = lint_series(
        &applied.git_dir,
        &applied.series,
        &args.lint,
        &settings,
        |report| {
            report.base_source = source;
            for (commit, patch) in report.commits.iter_mut().skip(1).zip(&posted.patches) {
                commit.mail = Some(xenlint::lint::PatchMail {
                    message_id: patch.mail.message_id.clone(),
                    subject: patch.mail.subject.clone(),
                    number: patch.number,
                    total: patch.total,
                    revision: patch.revision,
                    references: references(&patch.mail),
                    from: patch.mail.from.clone(),
                });
            }
        },
    )?;
    render(&report, &args.report, repository_uri)
}

fn read_mbox(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("reading the mbox from standard input")?;
    } else {
        bytes = std::fs::read(path).with_context(|| format!("the mbox {}", path.display()))?;
    }
    Ok(bytes)
}

/// The base and where it came from: --base, the base-commit: trailer, --guess-base.
fn place(
    repo: &xenlint::git::Repository,
    args: &Args,
    posted: &xenlint::mail::PostedSeries,
) -> Result<(xenlint::git::Oid, xenlint::lint::BaseSource), String> {
    use xenlint::lint::BaseSource;
    if let Some(rev) = &args.base {
        let oid = xenlint::git::commit_of(repo, rev).map_err(|e| format!("--base: {e}"))?;
        return Ok((oid, BaseSource::Argument(rev.clone())));
    }
    if let Some(sha) = &posted.base_commit {
        let oid = xenlint::git::commit_of(repo, sha).map_err(|_| {
            format!(
                "the series names base-commit {sha}, which this repository does not have: \
                 fetch it, or give --base REV"
            )
        })?;
        return Ok((oid, BaseSource::Trailer));
    }
    if !args.guess_base {
        return Err(
            "the series has no base-commit: trailer: give --base REV, or --guess-base \
                    to look for the commit its index lines were made on"
                .to_string(),
        );
    }
    let mut tips = Vec::new();
    for rev in &args.guess_from {
        tips.push(xenlint::git::commit_of(repo, rev).map_err(|e| format!("--guess-from: {e}"))?);
    }
    let blobs: Vec<(String, String)> = posted
        .patches
        .iter()
        .flat_map(|p| xenlint::git::apply::preimage_blobs(&p.info.patch))
        .collect();
    if blobs.is_empty() {
        return Err(
            "--guess-base: the patches have no `index` lines to match: give --base REV".into(),
        );
    }
    match xenlint::git::apply::guess_base(repo, &tips, args.guess_depth, &blobs) {
        Some(oid) => Ok((oid, BaseSource::Guessed)),
        None => Err(format!(
            "--guess-base: none of the {} newest commits of {} has the files the patches \
             start from: give --base REV, or look further (--guess-depth, --guess-from)",
            args.guess_depth,
            args.guess_from.join(", ")
        )),
    }
}

fn not_tested(why: &str) -> ExitCode {
    eprintln!("xenlint: not tested: {why}");
    ExitCode::from(NOT_TESTED)
}

/// What a reply's References header carries: the patch's own, then its Message-ID.
fn references(mail: &xenlint::mail::Mail) -> Vec<String> {
    let mut refs = mail.references.clone();
    if !mail.message_id.is_empty() && !refs.contains(&mail.message_id) {
        refs.push(mail.message_id.clone());
    }
    refs
}
