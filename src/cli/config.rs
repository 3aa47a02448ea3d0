//! `xenlint config`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};

use super::common::*;
use xenlint::kconfig::env::KernelEnv;
use xenlint::kconfig::model::Model;
use xenlint::source::{DirSource, Source};

#[derive(clap::Args)]
pub struct Args {
    /// The target, as given to make.
    pub target: String,

    /// Config fragments to merge after the target (xen.config, kvm_guest.config).
    #[arg(value_name = "FRAGMENT.config")]
    pub fragments: Vec<String>,

    #[command(flatten)]
    pub tree: TreeArgs,

    /// Where to write the result (default: .config in the current directory).
    #[arg(short, long)]
    pub output: Option<PathBuf>,

    /// The existing configuration for olddefconfig and savedefconfig (default: .config).
    #[arg(long)]
    pub input: Option<PathBuf>,

    /// KCONFIG_ALLCONFIG for the all*config targets: values to keep fixed.
    #[arg(long, env = "KCONFIG_ALLCONFIG")]
    pub allconfig: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Args {
        target,
        fragments,
        tree,
        output,
        input,
        allconfig,
    } = args;
    config(&tree, &target, &fragments, output, input, allconfig)
}

fn config(
    tree: &TreeArgs,
    target: &str,
    fragments: &[String],
    output: Option<PathBuf>,
    input: Option<PathBuf>,
    allconfig: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let (source, env, model) = load_tree(tree)?;
    let errors: Vec<_> = model.errors().collect();
    if !errors.is_empty() {
        for error in &errors {
            eprintln!("{error}");
        }
        bail!(
            "the Kconfig of {} has errors; no configuration written",
            source.describe()
        );
    }
    let needs_input = matches!(target, "olddefconfig" | "savedefconfig");
    let input = match (needs_input, input) {
        (true, path) => {
            // Without --input, a missing .config is what make olddefconfig starts from
            // too (defaults); a file named on the command line must exist.
            let explicit = path.is_some();
            let path = path.unwrap_or_else(|| PathBuf::from(".config"));
            match std::fs::read(&path) {
                Ok(text) => Some(xenlint::kconfig::targets::InputFile {
                    name: path.display().to_string(),
                    text,
                }),
                Err(err)
                    if err.kind() == std::io::ErrorKind::NotFound
                        && target == "olddefconfig"
                        && !explicit =>
                {
                    None
                }
                Err(err) => bail!("--input {}: {err}", path.display()),
            }
        }
        (false, Some(_)) => bail!("--input is for olddefconfig and savedefconfig, not {target}"),
        (false, None) => None,
    };
    let bool_choices = env.dialect().bool_choices_only();
    let fin = xenlint::kconfig::finalize::finalize(&model, bool_choices);
    let all_target = match target {
        "allnoconfig" => Some(xenlint::kconfig::targets::Target::AllNoconfig),
        "allyesconfig" => Some(xenlint::kconfig::targets::Target::AllYesconfig),
        "allmodconfig" => Some(xenlint::kconfig::targets::Target::AllModconfig),
        "alldefconfig" => Some(xenlint::kconfig::targets::Target::AllDefconfig),
        _ => None,
    };
    let run = match (allconfig.filter(|p| !p.as_os_str().is_empty()), all_target) {
        (Some(path), Some(all)) => {
            // KCONFIG_ALLCONFIG=1 means allno.config etc. in the current directory; a path
            // names the file.
            let text = std::fs::read(&path)
                .with_context(|| format!("KCONFIG_ALLCONFIG {}", path.display()))?;
            let file = xenlint::kconfig::targets::InputFile {
                name: path.display().to_string(),
                text,
            };
            xenlint::kconfig::run_conf(&model, &fin, bool_choices, &all, None, Some(&file))
        }
        _ => xenlint::kconfig::make_config(&source, &env, &model, &fin, target, fragments, input)?,
    };
    if let Some(name) = &run.based_on {
        outln!("*** Default configuration is based on '{name}'");
    }
    // conf's own messages, exactly as the kernel prints them.
    eprint!("{}", run.stderr);
    let default_name = if target == "savedefconfig" {
        "defconfig"
    } else {
        ".config"
    };
    let output = output.unwrap_or_else(|| PathBuf::from(default_name));
    std::fs::write(&output, &run.config)
        .with_context(|| format!("writing {}", output.display()))?;
    if target != "savedefconfig" {
        outln!("#\n# configuration written to {}\n#", output.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The configuration a command works on: what a make target (with fragments) produces,
/// or the file given with --config (default .config), to be brought up to date.
pub(super) fn config_input(
    source: &DirSource,
    env: &KernelEnv,
    model: &Model,
    fin: &xenlint::kconfig::finalize::Finalized,
    target: Option<&str>,
    fragments: &[String],
    config: Option<PathBuf>,
) -> anyhow::Result<xenlint::kconfig::targets::InputFile> {
    use xenlint::kconfig::targets::InputFile;
    match target {
        Some(target) => {
            let run =
                xenlint::kconfig::make_config(source, env, model, fin, target, fragments, None)?;
            Ok(InputFile {
                name: format!("<{target}>"),
                text: run.config.into_bytes(),
            })
        }
        None => {
            if !fragments.is_empty() {
                bail!("fragments go with a target: defconfig xen.config");
            }
            let path = config.unwrap_or_else(|| PathBuf::from(".config"));
            let text = std::fs::read(&path).with_context(|| {
                format!(
                    "{}: give a configuration with --config FILE or a make target",
                    path.display()
                )
            })?;
            Ok(InputFile {
                name: path.display().to_string(),
                text,
            })
        }
    }
}
