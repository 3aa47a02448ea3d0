//! `xenlint series`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};

use super::common::*;

#[derive(clap::Args)]
pub struct Args {
    /// The commits to check.
    pub range: String,

    #[command(flatten)]
    pub lint: LintArgs,

    /// Exit with status 1 when a finding is at least this severe.
    #[arg(long, value_enum, default_value = "error")]
    pub fail_on: FailOn,

    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

/// What a series is linted with: shared by `series` and `check-patch`.
#[derive(clap::Args, Clone)]
pub struct LintArgs {
    /// The repository (default: the one containing the current directory).
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,

    /// Arches to check, as make's ARCH= (repeat it or give a comma list: x86,arm64);
    /// default: every arch of the tree.
    #[arg(long = "arch", value_delimiter = ',')]
    pub arches: Vec<String>,

    /// Baselines, replacing the defaults (defconfig, allnoconfig, allmodconfig):
    /// a target, optionally with fragments (x86_64_defconfig+xen.config). Repeat it or
    /// give a comma list.
    #[arg(long = "baseline", value_delimiter = ',')]
    pub baselines: Vec<String>,

    /// Also carry this .config through the series (olddefconfig at every commit).
    #[arg(long)]
    pub config: Option<PathBuf>,

    /// Make variables (CROSS_COMPILE=..., LLVM=1).
    #[arg(long = "make-var", value_name = "VAR=VALUE")]
    pub vars: Vec<String>,

    /// Check Kconfig only: skip the Kbuild walk (objects built) and the CONFIG_
    /// references of Kbuild and code files.
    #[arg(long)]
    pub no_kbuild: bool,

    /// Settings to use instead of .xenlint.toml (which is read from the work tree, else
    /// from the series' base; never from a commit under test).
    #[arg(long = "settings", value_name = "FILE")]
    pub settings_file: Option<PathBuf>,
}

/// Where .xenlint.toml may come from when no --settings is given.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SettingsFrom {
    /// The work tree, else the series' base.
    WorkTreeOrBase,
    /// The series' base only (the work tree may be a commit under test).
    Base,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Args {
        range,
        lint,
        fail_on,
        format,
    } = args;
    let repository = xenlint::git::open(&lint.repo)?;
    let series = xenlint::git::series(&repository, &range)?;
    let (settings_name, settings) = repo_settings(
        &repository,
        lint.settings_file.as_deref(),
        series.base,
        SettingsFrom::WorkTreeOrBase,
    )?;
    let report = lint_series(&repository, &series, lint, &settings_name, &settings)?;
    drop(repository);
    use std::io::IsTerminal;
    match format {
        Format::Json => outln!("{}", xenlint::report::json(&report)),
        Format::Checkpatch => out!("{}", xenlint::report::checkpatch(&report, None)),
        Format::Human => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            out!("{}", xenlint::report::human(&report, color));
        }
    }
    let threshold = match fail_on {
        FailOn::Note => Some(xenlint::lint::Severity::Note),
        FailOn::Warning => Some(xenlint::lint::Severity::Warning),
        FailOn::Error => Some(xenlint::lint::Severity::Error),
        FailOn::Never => None,
    };
    let failed = threshold.is_some_and(|t| report.findings.iter().any(|f| f.severity >= t));
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Lint `series` with `lint`'s options and the settings in force; findings the settings
/// ignore are left out and said in the notes.
pub fn lint_series(
    repository: &xenlint::git::Repository,
    series: &xenlint::git::Series,
    lint: LintArgs,
    settings_name: &str,
    settings: &RepoSettings,
) -> anyhow::Result<xenlint::lint::Report> {
    use std::io::IsTerminal;
    use xenlint::lint::{Baseline, Options};
    let LintArgs {
        repo: _,
        arches,
        baselines,
        config,
        vars,
        no_kbuild,
        settings_file: _,
    } = lint;
    let kbuild = !no_kbuild;
    let repo_path = repository.path().to_path_buf();
    // The command line wins over .xenlint.toml; a name given twice is checked once.
    let dedup = |list: Vec<String>| {
        let mut seen = std::collections::HashSet::new();
        list.into_iter()
            .filter(|item| seen.insert(item.clone()))
            .collect::<Vec<_>>()
    };
    let (arches, baselines) = (dedup(arches), dedup(baselines));
    let arches = if arches.is_empty() {
        settings.arches.clone().unwrap_or_default()
    } else {
        arches
    };
    let baselines = if baselines.is_empty() {
        settings.baselines.clone().unwrap_or_default()
    } else {
        baselines
    };
    let mut baselines: Vec<Baseline> = if baselines.is_empty() {
        Baseline::defaults()
    } else {
        baselines.iter().map(|b| Baseline::parse(b)).collect()
    };
    if let Some(path) = config {
        let text = std::fs::read(&path).with_context(|| format!("--config {}", path.display()))?;
        baselines.push(Baseline::Config {
            name: path.display().to_string(),
            text,
        });
    }
    let options = Options {
        arches: if arches.is_empty() {
            None
        } else {
            Some(arches)
        },
        baselines,
        overrides: parse_vars(&vars)?,
        progress: std::io::stderr().is_terminal().then(|| {
            Box::new(|done: usize, all: usize| {
                eprint!("\rxenlint: {done}/{all} arches checked");
                if done == all {
                    eprint!("\r\x1b[K");
                }
            }) as Box<dyn Fn(usize, usize) + Send + Sync>
        }),
        kbuild,
    };
    let mut report = xenlint::lint::lint(&repo_path, series, &options)?;
    // What the settings ignore is said, with the file that says so.
    let mut ignored: std::collections::BTreeMap<&str, usize> = Default::default();
    report.findings.retain(|f| {
        let ignore = settings
            .ignore
            .iter()
            .any(|i| i.eq_ignore_ascii_case(f.code) || i == f.name);
        if ignore {
            *ignored.entry(f.name).or_default() += 1;
        }
        !ignore
    });
    for (name, count) in ignored {
        report.notes.push(format!(
            "{count} {name} finding{} ignored by {settings_name}",
            if count == 1 { "" } else { "s" }
        ));
    }
    Ok(report)
}

/// .xenlint.toml at the repository's top: arches, baselines and checks to ignore.
#[derive(Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoSettings {
    arches: Option<Vec<String>>,
    baselines: Option<Vec<String>>,
    #[serde(default)]
    ignore: Vec<String>,
}

/// The settings in force and where they come from: `--settings FILE`, else .xenlint.toml
/// of the work tree (the user's own checkout), else that of the series' base. Never from a
/// commit under test: a series cannot switch off the checks that judge it.
pub fn repo_settings(
    repo: &xenlint::git::Repository,
    file: Option<&std::path::Path>,
    base: xenlint::git::Oid,
    from: SettingsFrom,
) -> anyhow::Result<(String, RepoSettings)> {
    let found = match file {
        Some(path) => {
            let text =
                std::fs::read(path).with_context(|| format!("--settings {}", path.display()))?;
            Some((
                path.display().to_string(),
                String::from_utf8_lossy(&text).into_owned(),
            ))
        }
        None if from == SettingsFrom::Base => {
            xenlint::git::settings_file_at(repo, ".xenlint.toml", base)
        }
        None => xenlint::git::settings_file(repo, ".xenlint.toml", Some(base)),
    };
    let Some((name, text)) = found else {
        return Ok((String::new(), RepoSettings::default()));
    };
    let settings: RepoSettings =
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    for code in &settings.ignore {
        if xenlint::lint::checks::find(code).is_none() {
            bail!("{name}: ignore: no check `{code}` (see `xenlint explain`)");
        }
    }
    Ok((name, settings))
}
