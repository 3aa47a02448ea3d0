//! `xenlint install-hook`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};

#[derive(clap::Args)]
pub struct Args {
    /// The repository (default: the one containing the current directory).
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,

    /// Replace an existing pre-push hook.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Args { repo, force } = args;
    install_hook(&repo, force)
}

const PRE_PUSH_HOOK: &str = include_str!("../../hooks/pre-push");

fn install_hook(repo: &std::path::Path, force: bool) -> anyhow::Result<ExitCode> {
    let repository = xenlint::git::open(repo)?;
    // Hooks live in core.hooksPath when set, else in the git directory's hooks/.
    let hooks = match repository
        .config()
        .ok()
        .and_then(|c| c.get_path("core.hooksPath").ok())
    {
        Some(path) if path.is_absolute() => path,
        Some(path) => repository
            .workdir()
            .unwrap_or_else(|| repository.path())
            .join(path),
        None => repository.path().join("hooks"),
    };
    let target = hooks.join("pre-push");
    if target.exists() && !force {
        bail!("{} exists; use --force to replace it", target.display());
    }
    std::fs::create_dir_all(&hooks).with_context(|| format!("creating {}", hooks.display()))?;
    std::fs::write(&target, PRE_PUSH_HOOK)
        .with_context(|| format!("writing {}", target.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755))?;
    }
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "xenlint".into());
    outln!("installed {}", target.display());
    outln!("it runs `xenlint` from PATH (this binary is {exe}); set XENLINT to use another");
    Ok(ExitCode::SUCCESS)
}
