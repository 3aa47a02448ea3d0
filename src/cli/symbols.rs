//! `xenlint symbols`.

use std::io::Write;
use std::process::ExitCode;

use super::common::*;
use xenlint::kconfig::model::Severity;
use xenlint::source::Source;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub tree: TreeArgs,

    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Args { tree, format } = args;
    symbols(&tree, format)
}

#[derive(serde::Serialize)]
struct SymbolsJson<'a> {
    arch: &'a str,
    kernelversion: String,
    files: &'a [String],
    symbols: Vec<SymbolJson>,
    env: Vec<(String, String)>,
    errors: Vec<&'a xenlint::kconfig::model::Diagnostic>,
    warnings: Vec<&'a xenlint::kconfig::model::Diagnostic>,
}

#[derive(serde::Serialize)]
struct SymbolJson {
    name: String,
    #[serde(rename = "type")]
    stype: String,
    definitions: Vec<String>,
}

fn symbols(tree: &TreeArgs, format: Format) -> anyhow::Result<ExitCode> {
    let (_source, env, model) = load_tree(tree)?;
    let symbols: Vec<SymbolJson> = model
        .defined_symbols()
        .map(|id| {
            let sym = model.symbol(id);
            SymbolJson {
                name: model.sym_name(id).to_string(),
                stype: sym.stype.keyword().to_string(),
                definitions: sym
                    .menus
                    .iter()
                    .map(|&m| {
                        let pos = model.menu(m).pos;
                        format!("{}:{}", model.file_name(pos.file), pos.line)
                    })
                    .collect(),
            }
        })
        .collect();
    let errors: Vec<_> = model.errors().collect();
    let warnings: Vec<_> = model
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .collect();
    let mut out = std::io::stdout().lock();
    match format {
        Format::Checkpatch => anyhow::bail!(
            "--format checkpatch lists the findings of a series: use it with `xenlint series`"
        ),
        Format::Json => {
            let doc = SymbolsJson {
                arch: &env.arch,
                kernelversion: env.version.kernelversion(),
                files: &model.files,
                symbols,
                env: model.env_used.clone(),
                errors: errors.clone(),
                warnings,
            };
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        Format::Human => {
            writeln!(
                out,
                "ARCH={} (SRCARCH={}), Linux {}: {} Kconfig files, {} symbols",
                env.arch,
                env.srcarch,
                env.version.kernelversion(),
                model.files.len(),
                symbols.len()
            )?;
            for sym in &symbols {
                writeln!(
                    out,
                    "CONFIG_{} {} {}",
                    sym.name,
                    sym.stype,
                    sym.definitions.join(" ")
                )?;
            }
            for warning in &warnings {
                eprintln!("{warning}");
            }
            for error in &errors {
                eprintln!("{error}");
            }
        }
    }
    if errors.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "xenlint: {} error(s) in the Kconfig of {}",
            errors.len(),
            _source.describe()
        );
        Ok(ExitCode::from(2))
    }
}
