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

    /// Instead of one tree: every commit of this range (as `series` takes it) at which the
    /// symbol's value changes, with the line that changed it, followed through `depends
    /// on`, `select`, `imply`, defaults and choices; the same analysis as the root causes
    /// of `xenlint series`. Example: `xenlint why XEN_PVH --range v6.12..HEAD --arch x86`.
    #[arg(long, value_name = "A..B", conflicts_with_all = ["config"])]
    pub range: Option<String>,

    /// The repository of --range (default: the one containing the current directory).
    #[arg(long, default_value = ".", requires = "range")]
    pub repo: PathBuf,

    /// With --range: the baselines to resolve at each commit (default: defconfig,
    /// allnoconfig, allmodconfig; a target may take fragments: x86_64_defconfig+xen.config).
    #[arg(long = "baseline", value_delimiter = ',', requires = "range")]
    pub baselines: Vec<String>,

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
        range,
        repo,
        baselines,
        format,
    } = args;
    match range {
        Some(range) => why_along(&repo, &range, &tree, &symbol, target, baselines, format),
        None => why(&tree, &symbol, config, target, format),
    }
}

/// `why --range`: each change of the symbol's value along a series, with its cause.
fn why_along(
    repo: &std::path::Path,
    range: &str,
    tree: &TreeArgs,
    symbol: &str,
    target: Option<String>,
    mut baselines: Vec<String>,
    format: Format,
) -> anyhow::Result<ExitCode> {
    use xenlint::lint::{Baseline, Options};
    let name = symbol.strip_prefix("CONFIG_").unwrap_or(symbol).to_string();
    let repository = xenlint::git::open(repo)?;
    let series = xenlint::git::series(&repository, range)?;
    baselines.extend(target);
    let options = Options {
        arches: tree.arch.clone().map(|a| vec![a]),
        baselines: if baselines.is_empty() {
            Baseline::defaults()
        } else {
            baselines.iter().map(|b| Baseline::parse(b)).collect()
        },
        overrides: parse_vars(&tree.vars)?,
        progress: None,
        kbuild: false,
        explain: Some(name.clone()),
        cache: None,
        trusted: None,
        incremental: true,
    };
    let report = xenlint::lint::lint(repository.path(), &series, &options)?;
    let commit = |i: usize| &report.commits[i];
    match format {
        Format::Json => {
            let changes: Vec<serde_json::Value> = report
                .changes
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "arch": c.arch,
                        "baseline": c.baseline,
                        "commit": commit(c.index).commit,
                        "patch": c.index,
                        "summary": commit(c.index).summary,
                        "before": c.before,
                        "after": c.after,
                        "cause": c.cause,
                        "path": c.path,
                        "hunk": c.hunk,
                        "locations": c.locations.iter().map(|l| serde_json::json!({
                            "commit": report.commits.iter().find(|p| p.short == l.commit).map_or(l.commit.as_str(), |p| p.commit.as_str()),
                            "file": l.file,
                            "line": l.line,
                            "source_line": l.source_line,
                            "label": l.label,
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            outln!(
                "{}",
                serde_json::to_string_pretty(
                    &serde_json::json!({ "symbol": name, "changes": changes })
                )?
            );
        }
        Format::Human => {
            if report.changes.is_empty() {
                outln!(
                    "CONFIG_{name} keeps its value at every commit of {range} ({} arch{}, {} baseline{})",
                    report.arches.len(),
                    if report.arches.len() == 1 { "" } else { "es" },
                    report.baselines.len(),
                    if report.baselines.len() == 1 { "" } else { "s" }
                );
            }
            for c in &report.changes {
                let at = commit(c.index);
                outln!(
                    "CONFIG_{name}: {} -> {} at {} (\"{}\"), ARCH={} {}",
                    c.before,
                    c.after,
                    at.short,
                    untrusted(&at.summary),
                    c.arch,
                    c.baseline
                );
                outln!("  because {}", untrusted(&c.cause));
                if !c.path.is_empty() {
                    outln!(
                        "  reached CONFIG_{name} through: {}",
                        untrusted(&c.path.join(", "))
                    );
                }
                for l in &c.locations {
                    outln!(
                        "  --> {}:{}:{}: {}",
                        l.commit,
                        untrusted(&l.file),
                        l.line,
                        untrusted(&l.label)
                    );
                    outln!("      {}", untrusted(l.source_line.trim()));
                }
                if let Some(hunk) = &c.hunk {
                    for line in hunk.lines() {
                        outln!("      {}", untrusted(line));
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
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
        Format::Human => out!("{explanation}"),
        Format::Json => outln!("{}", serde_json::to_string_pretty(&explanation)?),
    }
    Ok(ExitCode::SUCCESS)
}

/// Text from the repository with its control characters escaped, so a commit cannot
/// drive the terminal.
fn untrusted(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}
