//! `xenlint why`.

use std::path::PathBuf;
use std::process::ExitCode;

use super::common::*;
use super::config::config_input;

#[derive(clap::Args)]
pub struct Args {
    /// The symbol, with or without CONFIG_.
    pub symbol: String,

    #[command(flatten)]
    pub tree: TreeArgs,

    /// The configuration to explain (default: .config).
    #[arg(long, conflicts_with = "target")]
    pub config: Option<PathBuf>,

    /// Explain the configuration a make target would produce instead.
    #[arg(long)]
    pub target: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Args {
        symbol,
        tree,
        config,
        target,
        format,
    } = args;
    why(&tree, &symbol, config, target, format)
}

fn why(
    tree: &TreeArgs,
    symbol: &str,
    config: Option<PathBuf>,
    target: Option<String>,
    format: Format,
) -> anyhow::Result<ExitCode> {
    use xenlint::kconfig::targets::Target;
    let (source, env, model) = load_clean_tree(tree)?;
    let bool_choices = env.dialect().bool_choices_only();
    let fin = xenlint::kconfig::finalize::finalize(&model, bool_choices);
    let input = config_input(&source, &env, &model, &fin, target.as_deref(), &[], config)?;
    let mut cfg = xenlint::kconfig::resolve::Config::new(&model, &fin, bool_choices);
    xenlint::kconfig::targets::run(&mut cfg, &Target::OldDefconfig, Some(&input), None);
    let name = symbol.strip_prefix("CONFIG_").unwrap_or(symbol);
    let explanation = xenlint::kconfig::why::explain(&mut cfg, name);
    match format {
        Format::Checkpatch => anyhow::bail!(
            "--format checkpatch lists the findings of a series: use it with `xenlint series`"
        ),
        Format::Human => out!("{explanation}"),
        Format::Json => outln!("{}", serde_json::to_string_pretty(&explanation)?),
    }
    Ok(ExitCode::SUCCESS)
}
