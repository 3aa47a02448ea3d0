//! `xenlint objects`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use super::common::*;
use super::config::config_input;

#[derive(clap::Args)]
pub struct Args {
    /// A configuration target (defconfig, allmodconfig, x86_64_defconfig, ...).
    #[arg(conflicts_with = "config")]
    pub target: Option<String>,

    /// Config fragments to merge after the target.
    #[arg(value_name = "FRAGMENT.config")]
    pub fragments: Vec<String>,

    #[command(flatten)]
    pub tree: TreeArgs,

    /// The configuration to use instead of a target (default: .config).
    #[arg(long)]
    pub config: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Args {
        target,
        fragments,
        tree,
        config,
        format,
    } = args;
    objects(&tree, target, &fragments, config, format)
}

fn objects(
    tree: &TreeArgs,
    target: Option<String>,
    fragments: &[String],
    config: Option<PathBuf>,
    format: Format,
) -> anyhow::Result<ExitCode> {
    use xenlint::kbuild::objects::{config_values, objects, Kind, Request};
    use xenlint::kconfig::targets::Target;
    let (source, env, model) = load_clean_tree(tree)?;
    let bool_choices = env.dialect().bool_choices_only();
    let fin = xenlint::kconfig::finalize::finalize(&model, bool_choices);
    let input = config_input(
        &source,
        &env,
        &model,
        &fin,
        target.as_deref(),
        fragments,
        config,
    )?;
    // As make's syncconfig: the configuration brought up to date with the tree.
    let dot_config = xenlint::kconfig::run_conf(
        &model,
        &fin,
        bool_choices,
        &Target::OldDefconfig,
        Some(&input),
        None,
    )
    .config;
    let values = config_values(&dot_config);
    let set = objects(
        &source,
        &Request {
            arch: &env.arch,
            srcarch: &env.srcarch,
            config: &values,
        },
    );
    match format {
        Format::Checkpatch => anyhow::bail!(
            "--format checkpatch lists the findings of a series: use it with `xenlint series`"
        ),
        Format::Json => {
            #[derive(serde::Serialize)]
            struct Json<'a> {
                version: u32,
                arch: &'a str,
                objects: Vec<ObjectJson<'a>>,
                unknown: &'a [xenlint::make::Unknown],
            }
            #[derive(serde::Serialize)]
            struct ObjectJson<'a> {
                path: &'a str,
                #[serde(flatten)]
                object: &'a xenlint::kbuild::objects::Object,
            }
            let doc = Json {
                version: 1,
                arch: &env.arch,
                objects: set
                    .objects
                    .iter()
                    .map(|(path, object)| ObjectJson { path, object })
                    .collect(),
                unknown: &set.unknown,
            };
            outln!("{}", serde_json::to_string_pretty(&doc)?);
        }
        Format::Human => {
            let mut out = std::io::stdout().lock();
            for (path, object) in &set.objects {
                let kind = match object.kind {
                    Kind::BuiltIn => "y",
                    Kind::Module => "m",
                };
                writeln!(out, "{kind} {path}  ({}:{})", object.file, object.line)?;
            }
            let built_in = set
                .objects
                .values()
                .filter(|o| o.kind == Kind::BuiltIn)
                .count();
            eprintln!(
                "{} objects ({built_in} built in, {} modular) in {} directories; {} constructs not understood",
                set.objects.len(),
                set.objects.len() - built_in,
                set.dirs.len(),
                set.unknown.len()
            );
            for u in &set.unknown {
                eprintln!("  {}:{}: {}", u.file, u.line, u.construct);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
