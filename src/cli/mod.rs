//! The commands: one file each, with its clap arguments, validation and the call into the
//! library. `main.rs` parses, runs and maps errors to exit codes.

/// `println!` that hands a write error (a closed pipe, a full disk) back to the caller
/// instead of panicking; `main` treats a closed pipe as success.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*).map_err(crate::cli::stdout_error)?
    }};
}

/// `print!` with the same error handling as `outln!`.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*).map_err(crate::cli::stdout_error)?
    }};
}

mod check_patch;
mod common;
mod config;
mod demo;
mod diff;
mod explain;
mod install_hook;
mod mbox;
mod objects;
mod refs;
mod series;
mod symbols;
mod why;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "xenlint",
    version,
    about = "Find Kconfig changes that break bisection of a kernel patch series",
    long_about = "xenlint finds the commits of a kernel patch series that break bisection through\n\
                  Kconfig, reading every commit from git objects and resolving each one exactly as\n\
                  the kernel's scripts/kconfig/conf would, for every ARCH.\n\n\
                  Examples:\n  \
                  xenlint demo                                   # a real report, no kernel needed\n  \
                  xenlint series origin/master..HEAD             # lint a series in a kernel clone\n  \
                  xenlint diff v6.11 v6.12 --arch x86 --baseline defconfig   # what changed in .config\n  \
                  xenlint config x86_64_defconfig xen.config --arch x86 --srctree ~/linux\n  \
                  xenlint why XEN_PVH --arch x86 --srctree ~/linux --config .config\n  \
                  xenlint symbols --arch arm64 --srctree ~/linux --make-var CROSS_COMPILE=aarch64-linux-gnu-"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// List the Kconfig files read, every symbol defined with its type and definition
    /// sites, and the errors found, for one ARCH.
    Symbols(symbols::Args),
    /// Write the .config that `make ARCH=<arch> TARGET [FRAGMENT.config...]` would write.
    ///
    /// TARGET is a kernel configuration target: defconfig (the arch's KBUILD_DEFCONFIG),
    /// <name>_defconfig, olddefconfig, alldefconfig, allnoconfig, allyesconfig,
    /// allmodconfig or savedefconfig. Fragments are merged afterwards as the kernel's
    /// `%.config` rule does (kernel/configs/ and arch/<arch>/configs/).
    ///
    /// Example: xenlint config x86_64_defconfig xen.config --arch x86 -o /tmp/xen.config
    Config(config::Args),
    /// Lint a patch series: every commit, every arch, every baseline, read from git objects.
    ///
    /// RANGE is what git understands: A..B, @{upstream}..HEAD, or one commit (checked on
    /// its parent). Nothing in the repository is changed: files are read from commit trees.
    ///
    /// Example: xenlint series origin/master..HEAD --arch x86 --arch arm64
    Series(series::Args),
    /// Lint a series posted as mail, without applying it to any branch: the newest
    /// revision in the mbox, applied in memory on its base (--base, else the series'
    /// base-commit: trailer, else --guess-base). The repository gains nothing.
    ///
    /// A series that cannot be placed or does not apply is not tested: exit status 3, with
    /// the patch that failed and why.
    ///
    /// Example: b4 am -o - <message-id> | xenlint mbox - --format sarif
    Mbox(mbox::Args),
    /// Check one patch of the current series, read on standard input as b4 pipes it: the
    /// findings whose culprit it is, as checkpatch lines (`file:line: ERROR: ...`).
    ///
    /// For b4: `git config b4.prep-perpatch-check-cmd "xenlint check-patch --arch x86"`,
    /// then `b4 prep --check`. The patch is found by its `git patch-id --stable` among the
    /// commits of the series: --range A..B, else the branch `b4 prep` manages (from its
    /// cover letter commit or tracking data), else @{upstream}..HEAD. The series is linted
    /// once and its report kept in the cache (--cache-dir, ~/.cache/xenlint), keyed by the
    /// commits, the options, the environment and the xenlint build. Settings come from
    /// --settings or the series' base, never from the work tree (b4 runs this in the
    /// series' tip).
    ///
    /// Exit status: 0 when the patch was checked, findings or not (b4 reads the lines:
    /// `ERROR:` fails the patch, `WARNING:` warns, nothing is a pass). 2 with a message
    /// on standard error when it cannot be checked (a patch that is not a commit of the
    /// series, a bad range): b4 shows that message as a failure of the patch, so a wrong
    /// range is never taken for a clean patch.
    ///
    /// Example: xenlint check-patch --range origin/master..HEAD --arch x86 < 0002.patch
    CheckPatch(check_patch::Args),
    /// Compare the .config two revisions give, per arch and baseline, in the form of the
    /// kernel's scripts/diffconfig.
    ///
    /// Each revision is read from git objects (nothing is checked out) and resolved as
    /// `make ARCH=<arch> <baseline>` would in it; the differences are diffconfig's lines:
    /// `-SYM old` (only in A), ` SYM old -> new` (changed), `+SYM new` (only in B), in
    /// that order, each group sorted; `n` is `# CONFIG_SYM is not set`, and a symbol
    /// absent from one .config is not `n`. With more than one arch or baseline, each
    /// comparison is under a header such as `ARCH=x86 defconfig:`. Exit status 0, with
    /// differences or without.
    ///
    /// --format json gives {version, old {rev, commit}, new {rev, commit}, configs
    /// [{arch, baseline, removed, added, changed: [{symbol, old, new}]}], notes}, with
    /// values as .config writes them and null for "absent".
    ///
    /// Both revisions are trusted by default, as trees you chose: their Kconfig
    /// `$(shell,...)` commands and toolchain probes run as make would (--shell).
    #[command(after_help = diff::EXAMPLES)]
    Diff(diff::Args),
    /// Install the pre-push hook (hooks/pre-push) in a repository, so that `git push`
    /// lints the commits it sends.
    InstallHook(install_hook::Args),
    /// Print the documentation of a check (XL0001 or its name).
    Explain(explain::Args),
    /// Build a small Xen rework series in a temporary directory and lint it: a real
    /// report without a kernel clone.
    Demo,
    /// List the objects a configuration builds, as `make vmlinux modules` would compile
    /// them: built in or as modules, each with the Makefile line that brought it in.
    ///
    /// The configuration is what TARGET [FRAGMENT.config...] produces, or --config FILE
    /// brought up to date as make's syncconfig does (default .config).
    ///
    /// Example: xenlint objects x86_64_defconfig --arch x86 --srctree ~/linux --format json
    Objects(objects::Args),
    /// Find CONFIG_ references to symbols no Kconfig file of the tree defines, with
    /// "did you mean" suggestions: in Kconfig expressions, Kbuild files (`obj-$(CONFIG_X)`,
    /// `ifdef CONFIG_X`), C, headers and assembly (`#ifdef`, `IS_ENABLED()`, `CONFIG_X_MODULE`).
    ///
    /// Like the kernel's scripts/checkkconfigsymbols.py on one tree, without git. Give
    /// paths to check only those files or directories (default: the whole tree, except
    /// tools/). Exit status 1 when an undefined reference is found.
    ///
    /// Example: xenlint refs --srctree ~/linux --kind kbuild --kind kconfig
    Refs(refs::Args),
    /// Explain why a symbol has its value: the user value, default, select, imply or
    /// dependency that decided it, with file:line.
    ///
    /// The configuration is --config FILE (as olddefconfig reads it; default .config), or
    /// what --target would produce.
    ///
    /// Example: xenlint why XEN_PVH --arch x86 --target x86_64_defconfig
    Why(why::Args),
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Symbols(args) => symbols::run(args),
        Command::Config(args) => config::run(args),
        Command::Series(args) => series::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Mbox(args) => mbox::run(args),
        Command::InstallHook(args) => install_hook::run(args),
        Command::CheckPatch(args) => check_patch::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Demo => demo::run(),
        Command::Objects(args) => objects::run(args),
        Command::Refs(args) => refs::run(args),
        Command::Why(args) => why::run(args),
    }
}

/// An error writing standard output, saying so.
pub fn stdout_error(err: std::io::Error) -> anyhow::Error {
    anyhow::Error::new(err).context("writing standard output")
}

/// Was the output cut short by a closed pipe (`xenlint ... | head`)? Then all the reader
/// wanted was written: not an error.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
