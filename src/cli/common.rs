//! What several commands share: output formats, the options of commands that read one
//! tree, loading that tree.

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
    /// checkpatch.pl's lines (`file:line: ERROR: ...`), for b4 and other patch tools: `series` only.
    Checkpatch,
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
