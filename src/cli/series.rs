//! `xenlint series`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};

use super::common::*;

#[derive(clap::Args)]
pub struct Args {
    /// The commits to check.
    pub range: String,

    /// The repository (default: the one containing the current directory).
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,

    #[command(flatten)]
    pub lint: LintArgs,

    #[command(flatten)]
    pub report: ReportArgs,
}

/// What to check: shared by every command that lints a series.
#[derive(clap::Args)]
pub struct LintArgs {
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

    /// Do not look for fixes: by default, for each break a later commit repairs, xenlint
    /// rewrites the series in memory (the repair moved before the culprit, or folded into
    /// it), lints it again, and suggests the rewrite that leaves no finding.
    #[arg(long)]
    pub no_suggest: bool,

    /// Settings to use instead of .xenlint.toml (which is read from the work tree, else
    /// from the series' base; never from a commit under test).
    #[arg(long = "settings", value_name = "FILE")]
    pub settings_file: Option<PathBuf>,

    /// Where reports are kept for the next run that asks the same about the same
    /// commits (default: $XENLINT_CACHE_DIR, else $XDG_CACHE_HOME/xenlint, else
    /// ~/.cache/xenlint; at most 256 MiB, least recently used entries removed first).
    #[arg(long, value_name = "DIR", env = "XENLINT_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Compute everything again: neither read nor write the cache (also
    /// XENLINT_NO_CACHE=1).
    #[arg(long, env = "XENLINT_NO_CACHE", action = clap::ArgAction::SetTrue,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub no_cache: bool,

    /// Run conf for every commit whose Kconfig semantics changed, even where the change
    /// provably leaves the configuration as it was, and parse every tree whose files
    /// changed, help texts alone too (for checking those proofs).
    #[arg(long, hide = true)]
    pub no_incremental: bool,
}

/// How to report: shared by the commands that write a report.
#[derive(clap::Args)]
pub struct ReportArgs {
    /// Exit with status 1 when a finding is at least this severe.
    #[arg(long, value_enum, default_value = "error")]
    pub fail_on: FailOn,

    /// Output format on standard output (default: human, unless --output writes
    /// every report asked for).
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,

    /// Also write the report as FORMAT to PATH (`-`: standard output); repeat it for
    /// several formats in one run, e.g. --output sarif=xenlint.sarif
    /// --output github-summary="$GITHUB_STEP_SUMMARY".
    #[arg(long = "output", value_name = "FORMAT=PATH", value_parser = parse_output)]
    pub outputs: Vec<OutputSpec>,
}

impl ReportArgs {
    /// Where each report goes: `--format` (or human) on standard output unless only
    /// `--output` is given. Two reports on standard output are a usage error.
    pub fn outputs(&self) -> anyhow::Result<Vec<OutputSpec>> {
        let mut outputs = self.outputs.clone();
        if self.format.is_some() || outputs.is_empty() {
            outputs.insert(
                0,
                OutputSpec {
                    format: self.format.unwrap_or(ReportFormat::Human),
                    path: None,
                },
            );
        }
        if outputs.iter().filter(|o| o.path.is_none()).count() > 1 {
            bail!("only one report can go to standard output (--format, or --output FORMAT=-)");
        }
        Ok(outputs)
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Args {
        range,
        repo,
        lint,
        report: how,
    } = args;
    how.outputs()?;
    let repository = xenlint::git::open(&repo)?;
    let series = xenlint::git::series(&repository, &range)?;
    let repo_path = repository.path().to_path_buf();
    let repository_uri = xenlint::git::origin_url(&repository).and_then(|url| public_url(&url));
    let settings = repo_settings(
        &repository,
        lint.settings_file.as_deref(),
        series.base,
        true,
    )?;
    drop(repository);
    let report = lint_series(&repo_path, &series, &lint, &settings, |_| {})?;
    render(&report, &how, repository_uri)
}

/// Lint `series` of the repository at `repo_path` as `lint` asks; `adjust` fills in what
/// the caller knows about the commits (the mail they came from, the base's source) before
/// the settings' ignores apply.
pub fn lint_series(
    repo_path: &std::path::Path,
    series: &xenlint::git::Series,
    lint: &LintArgs,
    (settings_name, settings): &(String, RepoSettings),
    adjust: impl FnOnce(&mut xenlint::lint::Report),
) -> anyhow::Result<xenlint::lint::Report> {
    use xenlint::lint::{Baseline, Options};
    // The command line wins over .xenlint.toml; a name given twice is checked once.
    let dedup = |list: &[String]| {
        let mut seen = std::collections::HashSet::new();
        list.iter()
            .filter(|item| seen.insert(item.to_string()))
            .cloned()
            .collect::<Vec<_>>()
    };
    let (arches, baselines) = (dedup(&lint.arches), dedup(&lint.baselines));
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
    if let Some(path) = &lint.config {
        let text = std::fs::read(path).with_context(|| format!("--config {}", path.display()))?;
        baselines.push(Baseline::Config {
            name: path.display().to_string(),
            text,
        });
    }
    let mut options = Options {
        arches: if arches.is_empty() {
            None
        } else {
            Some(arches)
        },
        baselines,
        overrides: parse_vars(&lint.vars)?,
        progress: Some(progress_reporter()),
        kbuild: !lint.no_kbuild,
        explain: None,
        cache: None,
        trusted: None,
        incremental: !lint.no_incremental,
    };
    let cache = match lint.no_cache {
        true => None,
        false => {
            xenlint::lint::cache::Cache::open(lint.cache_dir.as_deref()).map(std::sync::Arc::new)
        }
    };
    options.cache = cache.clone();
    let key = cache
        .as_ref()
        .map(|c| c.key(series, &options, !lint.no_suggest));
    let cached = cache
        .as_ref()
        .zip(key.as_ref())
        .and_then(|(c, k)| c.load(k));
    let mut report = match cached {
        Some(report) => report,
        None => {
            // Fix verification reads what the series' run read: one set of caches. They
            // go with the process, which ends with this report: freeing them would walk
            // every subtree and blob kept.
            let shared = std::mem::ManuallyDrop::new(xenlint::lint::Shared::default());
            let mut report =
                xenlint::lint::engine::lint_sharing(repo_path, series, &options, &shared)?;
            if !lint.no_suggest {
                xenlint::lint::suggest::suggest(repo_path, series, &options, &mut report, &shared)?;
            }
            if let Some((cache, key)) = cache.as_ref().zip(key.as_ref()) {
                cache.store(key, &report);
            }
            report
        }
    };
    report.command_line = command_line();
    adjust(&mut report);
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

/// Write the report in each format asked for; the exit status `--fail-on` decides.
pub fn render(
    report: &xenlint::lint::Report,
    how: &ReportArgs,
    repository_uri: Option<String>,
) -> anyhow::Result<ExitCode> {
    use std::io::IsTerminal;
    for output in &how.outputs()? {
        let context = RenderContext {
            // Colour only on a terminal, never in a file.
            color: output.path.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none(),
            repository_uri: repository_uri.clone(),
        };
        let text = render_report(output.format, report, &context);
        match &output.path {
            None => out!("{text}"),
            Some(path) => std::fs::write(path, text)
                .with_context(|| format!("--output: writing {}", path.display()))?,
        }
    }
    let threshold = match how.fail_on {
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

/// .xenlint.toml at the repository's top: arches, baselines and checks to ignore.
#[derive(Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoSettings {
    arches: Option<Vec<String>>,
    baselines: Option<Vec<String>>,
    #[serde(default)]
    ignore: Vec<String>,
}

impl RepoSettings {
    pub fn arches(&self) -> Option<&[String]> {
        self.arches.as_deref()
    }

    pub fn baselines(&self) -> Option<&[String]> {
        self.baselines.as_deref()
    }
}

/// The settings in force and where they come from: `--settings FILE`, else .xenlint.toml
/// of the work tree (the user's own checkout, when `work_tree` allows it), else that of the
/// series' base. Never from a commit under test: a series cannot switch off the checks
/// that judge it.
pub fn repo_settings(
    repo: &xenlint::git::Repository,
    file: Option<&std::path::Path>,
    base: xenlint::git::Oid,
    work_tree: bool,
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
        None => xenlint::git::settings_file(repo, ".xenlint.toml", Some(base), work_tree),
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
