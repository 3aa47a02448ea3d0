//! What several commands share: output formats, the options of commands that read one
//! tree, loading that tree.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::bail;

use xenlint::kconfig::env::KernelEnv;
use xenlint::kconfig::model::Model;
use xenlint::source::{DirSource, Source};

use clap::ValueEnum;

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// The formats of a series report (`series --format`, `--output FORMAT=PATH`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum ReportFormat {
    /// rustc-style diagnostics.
    Human,
    /// JSON, schema version 2 (see CONTRIBUTING.md).
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands: an annotation per finding.
    Github,
    /// Markdown for $GITHUB_STEP_SUMMARY: the verdict on each patch, the findings.
    GithubSummary,
    /// A reply to each patch with findings, as an mbox.
    Email,
    /// patchwork checks, one per patch, keyed by Message-ID.
    Patchwork,
    /// The result b4's review check commands print, for the series.
    B4Json,
    /// checkpatch.pl's lines (`file:line: ERROR: ...`), for b4 and other patch tools.
    Checkpatch,
}

/// Where one report goes: `--output FORMAT=PATH`, PATH `-` for standard output.
#[derive(Clone, Debug)]
pub struct OutputSpec {
    pub format: ReportFormat,
    /// `None`: standard output.
    pub path: Option<PathBuf>,
}

/// Parses `FORMAT=PATH` for clap.
pub fn parse_output(spec: &str) -> Result<OutputSpec, String> {
    let Some((name, path)) = spec.split_once('=') else {
        return Err(format!(
            "`{spec}`: expected FORMAT=PATH (PATH `-` is standard output)"
        ));
    };
    let format = ReportFormat::from_str(name, false).map_err(|_| {
        let names: Vec<String> = ReportFormat::value_variants()
            .iter()
            .filter_map(|f| f.to_possible_value().map(|v| v.get_name().to_string()))
            .collect();
        format!(
            "`{name}`: no such format; the formats are {}",
            names.join(", ")
        )
    })?;
    if path.is_empty() {
        return Err(format!("`{spec}`: no PATH after `=`"));
    }
    Ok(OutputSpec {
        format,
        path: (path != "-").then(|| PathBuf::from(path)),
    })
}

/// What renders need beyond the report.
pub struct RenderContext {
    /// ANSI colour for the human format.
    pub color: bool,
    /// The repository's public URL, for SARIF's versionControlProvenance.
    pub repository_uri: Option<String>,
}

/// The report in `format`.
pub fn render_report(
    format: ReportFormat,
    report: &xenlint::lint::Report,
    context: &RenderContext,
) -> String {
    use xenlint::report;
    match format {
        ReportFormat::Human => report::human(report, context.color),
        ReportFormat::Json => report::json(report) + "\n",
        ReportFormat::Sarif => report::sarif(report, context.repository_uri.as_deref()) + "\n",
        ReportFormat::Github => report::github(report),
        ReportFormat::GithubSummary => report::github_summary(report),
        ReportFormat::Email => report::email(report),
        ReportFormat::Patchwork => report::patchwork(report) + "\n",
        ReportFormat::B4Json => report::b4_json_series(report) + "\n",
        ReportFormat::Checkpatch => report::checkpatch(report, None),
    }
}

/// A remote URL as a report may name it: a URL with a scheme, any user name or password
/// in it left out; `None` for paths and scp-style `host:path`.
pub fn public_url(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    {
        return None;
    }
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    if host.is_empty() {
        return None;
    }
    Some(format!("{scheme}://{host}{path}"))
}

/// The command line as run, its first word `xenlint` (not the path it was run by), for
/// reports to say how to reproduce them.
pub fn command_line() -> Vec<String> {
    std::iter::once("xenlint".to_string())
        .chain(
            std::env::args_os()
                .skip(1)
                .map(|a| a.to_string_lossy().into_owned()),
        )
        .collect()
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RefKind {
    Kconfig,
    Kbuild,
    C,
    Header,
    Asm,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FailOn {
    Note,
    Warning,
    Error,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ShellMode {
    /// Run nothing: each `$(shell,...)` is answered from its text alone, the same on every
    /// machine: Kconfig.include's tests are evaluated, `command -v` succeeds, compiler
    /// option probes fail, and the toolchain is GCC/GNU as/BFD ld of version 0 (so
    /// GCC_VERSION=0). Any other command prints nothing.
    Never,
    /// Run commands as make would. The default for a tree on disk, which you chose to trust.
    Trusted,
}

/// Options shared by every command that reads one tree.
#[derive(clap::Args)]
pub struct TreeArgs {
    /// The architecture, as make's ARCH= (x86, arm64, x86_64, i386, ...). Default: $ARCH,
    /// then the host's.
    #[arg(long, env = "ARCH")]
    pub arch: Option<String>,

    /// The kernel source tree.
    #[arg(long, default_value = ".")]
    pub srctree: PathBuf,

    /// Whether Kconfig's `$(shell,...)` commands run.
    #[arg(long, value_enum, default_value = "trusted")]
    pub shell: ShellMode,

    /// Make variables, as on make's command line: CC=clang, CROSS_COMPILE=..., LLVM=1.
    #[arg(long = "make-var", value_name = "VAR=VALUE")]
    pub vars: Vec<String>,
}

/// Read one tree's Kconfig for the arch the arguments name.
pub fn load_tree(tree: &TreeArgs) -> anyhow::Result<(DirSource, KernelEnv, Model)> {
    let trust = match tree.shell {
        ShellMode::Never => xenlint::kconfig::TreeTrust::Never,
        ShellMode::Trusted => xenlint::kconfig::TreeTrust::Trusted,
    };
    let open = xenlint::kconfig::open_tree(
        &tree.srctree,
        tree.arch.clone(),
        parse_vars(&tree.vars)?,
        trust,
    )?;
    Ok((open.source, open.env, open.model))
}

/// A tree read for `arch`, refused when its Kconfig has errors (printed first).
pub fn load_clean_tree(tree: &TreeArgs) -> anyhow::Result<(DirSource, KernelEnv, Model)> {
    let (source, env, model) = load_tree(tree)?;
    let errors: Vec<_> = model.errors().collect();
    if !errors.is_empty() {
        for error in &errors {
            eprintln!("{error}");
        }
        bail!("the Kconfig of {} has errors", source.describe());
    }
    Ok((source, env, model))
}

pub fn parse_vars(vars: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    vars.iter()
        .map(|var| match var.split_once('=') {
            Some((name, value)) => Ok((name.to_string(), value.to_string())),
            None => bail!("`{var}`: expected VAR=VALUE, as on make's command line"),
        })
        .collect()
}

/// Progress on standard error, never on standard output (machine formats stay clean): a
/// bar on a terminal (commits x arches done, rate, time left); elsewhere, as in CI logs,
/// one line every ten seconds or so once a run lasts that long.
pub fn progress_reporter() -> Box<dyn Fn(xenlint::lint::Progress) + Send + Sync> {
    use std::sync::Mutex;
    use std::time::{Duration, Instant};
    if std::io::stderr().is_terminal() {
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "xenlint: [{bar:30}] {pos}/{len} commits x arches, {per_sec}, {eta} left",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        return Box::new(move |p: xenlint::lint::Progress| {
            bar.set_length(p.total as u64);
            bar.set_position(p.done as u64);
            if p.done >= p.total {
                bar.finish_and_clear();
            }
        });
    }
    // The rate is taken from the first step on: the setup before it (reading the series,
    // the reference scan) says nothing about the steps.
    let start = Instant::now();
    let state = Mutex::new((start, None::<(Instant, usize)>));
    Box::new(move |p: xenlint::lint::Progress| {
        let mut state = state.lock().expect("progress lock");
        let (last, first) = &mut *state;
        let now = Instant::now();
        let (since, done_then) = *first.get_or_insert((now, p.done));
        if now.duration_since(*last) < Duration::from_secs(10) || p.done >= p.total {
            return;
        }
        *last = now;
        let percent = 100 * p.done / p.total.max(1);
        let steps = p.done - done_then;
        let elapsed = now.duration_since(since).as_secs_f64();
        if steps == 0 || elapsed <= 0.0 {
            eprintln!(
                "xenlint: {}/{} commits x arches ({percent}%)",
                p.done, p.total
            );
            return;
        }
        let rate = steps as f64 / elapsed;
        let left = (p.total - p.done) as f64 / rate;
        eprintln!(
            "xenlint: {}/{} commits x arches ({percent}%), {rate:.1}/s, about {left:.0} s left",
            p.done, p.total
        );
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_name_a_format_and_a_path() {
        let spec = parse_output("github-summary=/tmp/summary.md").expect("valid");
        assert_eq!(spec.format, ReportFormat::GithubSummary);
        assert_eq!(spec.path, Some(PathBuf::from("/tmp/summary.md")));
        assert_eq!(parse_output("sarif=-").expect("valid").path, None);
        assert!(parse_output("sarif").is_err());
        assert!(parse_output("nope=x")
            .expect_err("unknown")
            .contains("b4-json"));
        assert!(parse_output("json=").is_err());
    }

    #[test]
    fn urls_lose_their_credentials() {
        assert_eq!(
            public_url("https://user:token@example.org/linux.git").as_deref(),
            Some("https://example.org/linux.git")
        );
        assert_eq!(
            public_url("git://example.org/linux.git").as_deref(),
            Some("git://example.org/linux.git")
        );
        assert_eq!(public_url("git@example.org:linux.git"), None);
        assert_eq!(public_url("/srv/linux"), None);
    }
}
