//! `xenlint check-patch`: one patch on standard input, found by its patch-id among the
//! commits of the current series, answered with the checkpatch lines of the findings whose
//! culprit it is. The series is linted once; the answers for all its patches are cached,
//! so the M calls of `b4 prep --check` cost one run.

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

    /// Neither read nor write the cache of answers.
    #[arg(long)]
    pub no_cache: bool,
}

/// What the cache keeps for one series: each patch's ids and answer.
#[derive(serde::Serialize, serde::Deserialize)]
struct CachedSeries {
    patches: Vec<CachedPatch>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct CachedPatch {
    commit: String,
    patch_ids: Vec<String>,
    output: String,
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
    let settings_name = &settings.0;
    let tip = series.commits.last().expect("a series has commits").oid;
    let key = cache_key(
        &args.lint,
        series.base,
        tip,
        settings_name,
        &settings_text(&args, &repository, series.base),
    );
    let path = cache_dir().map(|dir| dir.join(format!("check-patch-{key}.json")));
    let cached = match (&path, args.no_cache) {
        (Some(path), false) => std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<CachedSeries>(&bytes).ok()),
        _ => None,
    };
    let answers = match cached {
        Some(answers) => answers,
        None => {
            let report = lint_series(repository.path(), &series, &args.lint, &settings, |_| {})?;
            let mut patches = Vec::new();
            for (index, commit) in series.commits.iter().enumerate() {
                patches.push(CachedPatch {
                    commit: commit.oid.to_string(),
                    patch_ids: xenlint::git::commit_patch_ids(&repository, commit.oid)?,
                    output: xenlint::report::checkpatch(&report, Some(index + 1)),
                });
            }
            let answers = CachedSeries { patches };
            if let (Some(path), false) = (&path, args.no_cache) {
                // A cache that cannot be written costs time, not the answer.
                let _ = write_atomically(path, &serde_json::to_vec(&answers)?);
            }
            answers
        }
    };
    let Some(patch) = answers.patches.iter().find(|p| p.patch_ids.contains(&id)) else {
        bail!(
            "patch \"{subject}\" (patch-id {id}) is not a commit of {range}: check the range \
             (--range A..B)"
        );
    };
    out!("{}", patch.output);
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

/// The settings text in force, for the cache key (`--settings FILE` or the base's file).
fn settings_text(args: &Args, repo: &xenlint::git::Repository, base: xenlint::git::Oid) -> String {
    match &args.lint.settings_file {
        Some(path) => {
            String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned()
        }
        None => xenlint::git::settings_file_at(repo, ".xenlint.toml", base)
            .map(|(_, text)| text)
            .unwrap_or_default(),
    }
}

/// Everything that decides the answers: xenlint's version, the series' ends, the options
/// and the settings (with the .config carried, read now).
fn cache_key(
    lint: &LintArgs,
    base: xenlint::git::Oid,
    tip: xenlint::git::Oid,
    settings_name: &str,
    settings_text: &str,
) -> String {
    let config = lint
        .config
        .as_ref()
        .map(|path| std::fs::read(path).unwrap_or_default())
        .unwrap_or_default();
    let parts = serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"),
        "base": base.to_string(),
        "tip": tip.to_string(),
        "arches": lint.arches,
        "baselines": lint.baselines,
        "config": String::from_utf8_lossy(&config),
        "vars": lint.vars,
        "no_kbuild": lint.no_kbuild,
        "settings_name": settings_name,
        "settings": settings_text,
    });
    sha1_smol::Sha1::from(parts.to_string())
        .digest()
        .to_string()
}

/// $XDG_CACHE_HOME/xenlint, else ~/.cache/xenlint.
fn cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    Some(base.join("xenlint"))
}

/// Write `bytes` to `path` through a temporary file in the same directory, renamed over
/// it: a reader sees the old file or the new one, never a part, and two runs writing the
/// same answers at once both succeed.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().expect("a cache file has a directory");
    std::fs::create_dir_all(dir)?;
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut temp, bytes)?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
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
