//! `xenlint refs`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};

use super::common::*;
use xenlint::source::DirSource;

#[derive(clap::Args)]
pub struct Args {
    /// Files or directories of the tree to check (relative to --srctree).
    pub paths: Vec<String>,

    /// The kernel source tree.
    #[arg(long, default_value = ".")]
    pub srctree: PathBuf,

    /// Kinds of files to check (repeat it); default: all.
    #[arg(long = "kind", value_enum)]
    pub kinds: Vec<RefKind>,

    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Args {
        paths,
        srctree,
        kinds,
        format,
    } = args;
    refs(&srctree, &paths, &kinds, format)
}

fn refs(
    srctree: &std::path::Path,
    paths: &[String],
    kinds: &[RefKind],
    format: Format,
) -> anyhow::Result<ExitCode> {
    use xenlint::config_refs::{walk, FileKind, Reference};
    let root = srctree
        .canonicalize()
        .with_context(|| format!("--srctree {}", srctree.display()))?;
    if !root.join("Kconfig").is_file() {
        bail!(
            "{}: not a kernel tree (no Kconfig at its top)",
            root.display()
        );
    }
    let source = DirSource::new(&root);
    let kinds: Vec<FileKind> = if kinds.is_empty() {
        vec![
            FileKind::Kconfig,
            FileKind::Kbuild,
            FileKind::C,
            FileKind::Header,
            FileKind::Asm,
        ]
    } else {
        kinds
            .iter()
            .map(|k| match k {
                RefKind::Kconfig => FileKind::Kconfig,
                RefKind::Kbuild => FileKind::Kbuild,
                RefKind::C => FileKind::C,
                RefKind::Header => FileKind::Header,
                RefKind::Asm => FileKind::Asm,
            })
            .collect()
    };
    let mut files = Vec::new();
    if paths.is_empty() {
        walk(&source, "", &kinds, &mut files);
    } else {
        for path in paths {
            let path = path.trim_end_matches('/');
            if root.join(path).is_dir() {
                walk(&source, path, &kinds, &mut files);
            } else if root.join(path).is_file() {
                files.push(path.to_string());
            } else {
                bail!("{path}: no such file or directory in {}", root.display());
            }
        }
    }
    let scan = xenlint::config_refs::scan_tree(&source, &files)?;
    #[derive(serde::Serialize)]
    struct Undefined<'a> {
        file: &'a str,
        #[serde(flatten)]
        reference: &'a Reference,
        similar: &'a [String],
    }
    let undefined: Vec<Undefined> = scan
        .undefined
        .iter()
        .map(|u| Undefined {
            file: &u.file,
            reference: &u.reference,
            similar: &u.similar,
        })
        .collect();
    match format {
        Format::Checkpatch => anyhow::bail!(
            "--format checkpatch lists the findings of a series: use it with `xenlint series`"
        ),
        Format::Json => {
            #[derive(serde::Serialize)]
            struct Json<'a> {
                version: u32,
                files_checked: usize,
                symbols_defined: usize,
                undefined: &'a [Undefined<'a>],
            }
            let doc = Json {
                version: 1,
                files_checked: scan.files_checked,
                symbols_defined: scan.symbols_defined,
                undefined: &undefined,
            };
            outln!("{}", serde_json::to_string_pretty(&doc)?);
        }
        Format::Human => {
            let mut out = std::io::stdout().lock();
            for u in &undefined {
                let prefix = if FileKind::of(u.file) == Some(FileKind::Kconfig) {
                    ""
                } else {
                    "CONFIG_"
                };
                write!(
                    out,
                    "{}:{}: `{prefix}{}` is not defined by any Kconfig file",
                    u.file, u.reference.line, u.reference.symbol
                )?;
                if let Some(first) = u.similar.first() {
                    write!(out, " (did you mean `{prefix}{first}`?)")?;
                }
                writeln!(out)?;
            }
            eprintln!(
                "{} undefined references in {} files checked ({} symbols defined)",
                undefined.len(),
                files.len(),
                scan.symbols_defined
            );
        }
    }
    Ok(if undefined.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
