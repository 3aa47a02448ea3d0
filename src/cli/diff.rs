//! `xenlint diff`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;

use super::common::*;

/// The end of `xenlint diff --help`.
pub const EXAMPLES: &str = "\
Examples:
  xenlint diff v6.1 v6.12 --arch x86 --baseline defconfig
      what changed in x86's defconfig between two releases, as scripts/diffconfig says it
  xenlint diff HEAD~1 HEAD --arch x86,arm64 --baseline x86_64_defconfig+xen.config
      what the last commit changes, for each arch, under an ARCH=<arch> <baseline>: header
  xenlint diff origin/master my-branch --arch arm64 --format json
      the same as data: removed, added and changed, each {symbol, old, new}";

#[derive(clap::Args)]
pub struct Args {
    /// The old revision (a tag, branch or commit).
    #[arg(value_name = "A")]
    pub old: String,

    /// The new revision.
    #[arg(value_name = "B")]
    pub new: String,

    /// The repository (default: the one containing the current directory).
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,

    /// Arches to compare, as make's ARCH= (repeat it or give a comma list: x86,arm64);
    /// default: the arches of .xenlint.toml, else every arch both revisions have.
    #[arg(long = "arch", value_delimiter = ',')]
    pub arches: Vec<String>,

    /// Baselines, replacing the defaults (those of .xenlint.toml, else defconfig,
    /// allnoconfig, allmodconfig): a target, optionally with fragments
    /// (x86_64_defconfig+xen.config). Repeat it or give a comma list.
    #[arg(long = "baseline", value_delimiter = ',')]
    pub baselines: Vec<String>,

    /// Make variables (CROSS_COMPILE=..., LLVM=1).
    #[arg(long = "make-var", value_name = "VAR=VALUE")]
    pub vars: Vec<String>,

    /// What the revisions may run: their Kconfig `$(shell,...)` commands and toolchain
    /// probes. By default only A is trusted, as a series' base is; give `trusted` for two
    /// revisions you have read (two releases), which is what makes the result equal to
    /// the kernel's when B adds compiler probes.
    #[arg(long, value_enum, default_value = "base")]
    pub shell: DiffShell,

    /// human: scripts/diffconfig's lines; json: the same differences as data.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DiffShell {
    /// Both revisions are trees you chose: each runs its commands as make would in it,
    /// with its own scripts/. What makes the result equal to the kernel's own.
    Trusted,
    /// Only A is trusted, as a series' base is: B may run only the commands and
    /// toolchain values A ran. For a B you have not read.
    Base,
    /// Run nothing: commands are answered from their text alone (compiler probes fail).
    Never,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    use std::io::IsTerminal;
    use xenlint::lint::revision_diff::{diff_revisions, DiffOptions, DiffTrust};
    use xenlint::lint::Baseline;
    let repository = xenlint::git::open(&args.repo)?;
    let old_commit = xenlint::git::commit_of(&repository, &args.old)?;
    // Settings as `series` reads them: the work tree's, else A's (the trusted side).
    let (_, settings) = super::series::repo_settings(&repository, None, old_commit, true)?;
    let repo_path = repository.path().to_path_buf();
    drop(repository);
    let dedup = |list: &[String]| {
        let mut seen = std::collections::HashSet::new();
        list.iter()
            .filter(|item| seen.insert(item.to_string()))
            .cloned()
            .collect::<Vec<_>>()
    };
    let arches = match dedup(&args.arches) {
        list if !list.is_empty() => Some(list),
        _ => settings.arches().map(<[String]>::to_vec),
    };
    let baselines = match dedup(&args.baselines) {
        list if !list.is_empty() => list,
        _ => settings
            .baselines()
            .map(<[String]>::to_vec)
            .unwrap_or_default(),
    };
    let options = DiffOptions {
        arches,
        baselines: if baselines.is_empty() {
            Baseline::defaults()
        } else {
            baselines.iter().map(|b| Baseline::parse(b)).collect()
        },
        overrides: parse_vars(&args.vars)?,
        trust: match args.shell {
            DiffShell::Trusted => DiffTrust::Both,
            DiffShell::Base => DiffTrust::Old,
            DiffShell::Never => DiffTrust::Nothing,
        },
        progress: std::io::stderr().is_terminal().then(|| {
            Box::new(|done: usize, all: usize| {
                eprint!("\rxenlint: {done}/{all} arches compared");
                if done == all {
                    eprint!("\r\x1b[K");
                }
            }) as Box<dyn Fn(usize, usize) + Send + Sync>
        }),
    };
    let report = diff_revisions(&repo_path, &args.old, &args.new, &options)?;
    match args.format {
        Format::Human => {
            for note in &report.notes {
                eprintln!("xenlint: note: {note}");
            }
            out!("{}", xenlint::report::diff_human(&report));
        }
        Format::Json => outln!("{}", xenlint::report::diff_json(&report)),
    }
    Ok(ExitCode::SUCCESS)
}
