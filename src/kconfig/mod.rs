//! Kconfig: from a kernel tree to a model of every symbol, menu and property, and (in the
//! resolver) to a configuration. Reads files only through `crate::source::Source`.

pub mod ask;
pub mod check;
pub mod confdata;
pub mod defconfig;
pub mod env;
pub mod expr;
pub mod finalize;
pub mod fragments;
pub mod lexer;
pub mod macros;
pub mod model;
pub mod parser;
pub mod resolve;
mod resolve_v1;
pub mod shell_model;
pub mod simplify;
pub mod targets;
pub mod why;

use crate::source::Source;
use env::KernelEnv;
use macros::{Preprocessor, ShellRunner};
use model::Model;

/// Parse Kconfig from `root` with an explicit environment: for trees that are not a kernel
/// (tests, fixtures) or callers that computed the environment themselves.
pub fn parse_kconfig(
    source: &dyn Source,
    root: &str,
    env: std::collections::HashMap<String, String>,
    shell: ShellRunner,
    dialect: parser::Dialect,
) -> Model {
    let pp = Preprocessor::new(env, shell);
    parser::Parser::new(source, pp, dialect).parse(root)
}

/// What conf prints on standard error while reading a tree: parse messages, the checks
/// of menu_finalize(), then recursive dependencies. Errors make conf stop with status 1.
pub fn conf_parse_messages(model: &Model, fin: &finalize::Finalized) -> (String, bool) {
    fin.parse_messages
        .get_or_init(|| compute_parse_messages(model, fin))
        .clone()
}

fn compute_parse_messages(model: &Model, fin: &finalize::Finalized) -> (String, bool) {
    let mut text = String::new();
    let mut failed = false;
    for d in &model.diagnostics {
        text.push_str(&d.kernel);
        text.push('\n');
        failed |= d.severity == model::Severity::Error;
    }
    if failed {
        return (text, true);
    }
    for d in check::property_warnings(model, fin) {
        text.push_str(&d.kernel);
        text.push('\n');
    }
    for cycle in check::recursive_dependencies(model, fin) {
        text.push_str(&cycle.kernel_text());
        text.push('\n');
        failed = true;
    }
    if let Some(d) = fin.rewrite_error(model) {
        text.push_str(&d.kernel);
        text.push('\n');
        failed = true;
    }
    (text, failed)
}

/// How far a tree on disk is trusted: `Trusted` runs its Kconfig and arch Makefile
/// commands and the toolchain probes as make would; `Never` runs nothing at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeTrust {
    Trusted,
    Never,
}

/// A kernel tree on disk read for one arch: what the tree commands (`config`, `symbols`,
/// `why`, `objects`) and the benchmarks start from.
pub struct OpenTree {
    pub source: crate::source::DirSource,
    pub env: env::KernelEnv,
    pub model: model::Model,
}

#[derive(Debug, thiserror::Error)]
pub enum OpenTreeError {
    #[error("--srctree {path}")]
    Srctree {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Env(#[from] env::EnvError),
}

/// Read the Kconfig of the tree at `srctree` for `arch` (None: $ARCH, then the host's),
/// with make's command-line variables `overrides`, as far as `trust` allows.
pub fn open_tree(
    srctree: &std::path::Path,
    arch: Option<String>,
    overrides: Vec<(String, String)>,
    trust: TreeTrust,
) -> Result<OpenTree, OpenTreeError> {
    let root = srctree
        .canonicalize()
        .map_err(|source| OpenTreeError::Srctree {
            path: srctree.display().to_string(),
            source,
        })?;
    let source = crate::source::DirSource::new(&root);
    let request = env::EnvRequest {
        arch,
        srctree: root.display().to_string(),
        overrides,
        untrusted: trust == TreeTrust::Never,
        tools: match trust {
            TreeTrust::Never => crate::exec::ToolTrust::Nothing,
            TreeTrust::Trusted => crate::exec::ToolTrust::Any,
        },
    };
    let env = env::KernelEnv::compute(&source, &request)?;
    let policy = match trust {
        TreeTrust::Never => macros::ShellPolicy::Never,
        TreeTrust::Trusted => macros::ShellPolicy::Trusted,
    };
    let model = read_tree(&source, &env, macros::ShellRunner::new(policy));
    Ok(OpenTree { source, env, model })
}

/// Read the Kconfig tree of `source` as `make ARCH=<arch>` would, starting at `Kconfig`.
pub fn read_tree(source: &dyn Source, env: &KernelEnv, shell: ShellRunner) -> Model {
    read_tree_with(source, env, shell, None, None)
}

/// Commands run with make's exported variables, unless the runner was given its own.
fn export_env(shell: &mut ShellRunner, env: &KernelEnv) {
    if shell.env.is_empty() {
        shell.env = (env.vars.iter())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
    }
}

/// Run the `$(shell,...)` commands the tree of `source` asks for ahead of reading it,
/// `jobs` at a time, into `shell`'s cache: a first reading notes what the tree asks, each
/// answer the cache lacks a mark ([`macros::UNKNOWN_OUTPUT`]), and the commands not made
/// from a mark run side by side ([`ShellRunner::prefetch`]). The reading that counts finds
/// their answers and runs what the first one could not foresee. `source` should be a
/// source of its own: the first reading's reads are not the tree's.
pub fn run_commands_ahead(
    source: &dyn Source,
    env: &KernelEnv,
    shell: &mut ShellRunner,
    jobs: usize,
) {
    export_env(shell, env);
    let noted = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut first = shell.clone();
    first.noted = Some(noted.clone());
    drop(read_tree_with(source, env, first, None, None));
    let commands = std::mem::take(&mut *noted.lock().expect("noted commands lock"));
    shell.prefetch(&commands, jobs);
}

/// `read_tree`, splicing in the subtrees `subtrees` keeps where they apply and keeping
/// there the subtrees it parses (`fragments`), with room made for a model like `like`.
pub fn read_tree_with(
    source: &dyn Source,
    env: &KernelEnv,
    mut shell: ShellRunner,
    subtrees: Option<fragments::SubtreeCache>,
    like: Option<&Model>,
) -> Model {
    let macro_env = env.macro_env();
    export_env(&mut shell, env);
    let pp = Preprocessor::new(macro_env, shell);
    let mut parser = parser::Parser::new(source, pp, env.dialect());
    if let Some(cache) = subtrees {
        parser = parser.with_subtrees(cache);
    }
    if let Some(like) = like {
        parser = parser.with_room_for(like);
    }
    let mut model = parser.parse("Kconfig");
    // A budget the arch Makefile spent stops make before Kconfig is read.
    for limit in &env.limits {
        let message = format!("arch Makefile: {}", limit.construct);
        model.diagnostics.push(model::Diagnostic {
            severity: model::Severity::Error,
            file: limit.file.clone(),
            line: limit.line,
            kernel: format!("{}:{}: {message}", limit.file, limit.line),
            message,
        });
    }
    model
}

use confdata::ReadWarning;
use targets::{InputFile, Target};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("unknown target `{0}`: use defconfig, <name>_defconfig, olddefconfig, alldefconfig, allnoconfig, allyesconfig, allmodconfig or savedefconfig")]
    UnknownTarget(String),
    #[error("ARCH={arch}: no arch/{srcarch}/configs/{name} and no make rule builds it")]
    NoDefconfig {
        arch: String,
        srcarch: String,
        name: String,
    },
    #[error("fragment `{0}`: not in kernel/configs/ or arch/{1}/configs/")]
    NoFragment(String, String),
    #[error(transparent)]
    Source(#[from] crate::source::SourceError),
}

/// What `make <target> [fragments...]` would leave in .config, and what conf said.
#[derive(Debug, Clone)]
pub struct ConfigRun {
    pub config: String,
    pub warnings: Vec<ReadWarning>,
    /// Unmet direct dependencies found while resolving, by symbol name (deduplicated).
    pub unmet: Vec<String>,
    /// What the conf invocations print on standard error, in the kernel's words and order.
    pub stderr: String,
    /// The defconfig file a `defconfig` target started from, as make announces it.
    pub based_on: Option<String>,
}

fn read_required(source: &dyn Source, path: &str) -> Result<Option<Vec<u8>>, ConfigError> {
    Ok(source.read(path)?)
}

/// Run one conf invocation on a fresh state, as each make step starts a new conf process.
/// How closely a conf run mirrors conf's passes.
#[derive(Debug, Clone, Copy)]
pub struct ConfOptions {
    /// Compute every symbol right after reading the input, as conf_read() does. It only
    /// decides which messages conf repeats; the series engine, which needs values, skips it
    /// (6.11+ trees; in 6.1 that pass also resets out-of-range values).
    pub check_pass: bool,
}

impl Default for ConfOptions {
    fn default() -> Self {
        ConfOptions { check_pass: true }
    }
}

pub fn run_conf(
    model: &model::Model,
    fin: &finalize::Finalized,
    bool_choices: bool,
    target: &Target,
    input: Option<&InputFile>,
    allconfig: Option<&InputFile>,
) -> ConfigRun {
    run_conf_with(
        model,
        fin,
        bool_choices,
        target,
        input,
        allconfig,
        ConfOptions::default(),
    )
}

pub fn run_conf_with(
    model: &model::Model,
    fin: &finalize::Finalized,
    bool_choices: bool,
    target: &Target,
    input: Option<&InputFile>,
    allconfig: Option<&InputFile>,
    opts: ConfOptions,
) -> ConfigRun {
    let mut cfg = resolve::Config::new(model, fin, bool_choices);
    cfg.check_pass = opts.check_pass;
    let outcome = targets::run(&mut cfg, target, input, allconfig);
    let mut unmet: Vec<String> = Vec::new();
    for u in &cfg.unmet {
        let name = model.sym_name(u.sym).to_string();
        if !unmet.contains(&name) {
            unmet.push(name);
        }
    }
    let (mut stderr, _) = conf_parse_messages(model, fin);
    for message in &cfg.messages {
        stderr.push_str(message);
    }
    ConfigRun {
        config: outcome.config,
        warnings: outcome.read_warnings,
        unmet,
        stderr,
        based_on: None,
    }
}

/// Append a later conf invocation's results to an earlier one's.
fn chain(first: ConfigRun, next: ConfigRun) -> ConfigRun {
    let mut warnings = first.warnings;
    warnings.extend(next.warnings);
    let mut unmet = first.unmet;
    for name in next.unmet {
        if !unmet.contains(&name) {
            unmet.push(name);
        }
    }
    ConfigRun {
        config: next.config,
        warnings,
        unmet,
        stderr: first.stderr + &next.stderr,
        based_on: first.based_on,
    }
}

/// `make ARCH=<arch> <target> [fragment.config ...]` for one tree.
pub fn make_config(
    source: &dyn Source,
    env: &KernelEnv,
    model: &model::Model,
    fin: &finalize::Finalized,
    target: &str,
    fragments: &[String],
    input: Option<InputFile>,
) -> Result<ConfigRun, ConfigError> {
    make_config_with(
        source,
        env,
        model,
        fin,
        target,
        fragments,
        input,
        ConfOptions::default(),
    )
}

/// make_config() with control over conf's passes.
#[allow(clippy::too_many_arguments)]
pub fn make_config_with(
    source: &dyn Source,
    env: &KernelEnv,
    model: &model::Model,
    fin: &finalize::Finalized,
    target: &str,
    fragments: &[String],
    input: Option<InputFile>,
    opts: ConfOptions,
) -> Result<ConfigRun, ConfigError> {
    let bool_choices = env.dialect().bool_choices_only();
    let run_conf = |t: &Target, input: Option<&InputFile>, all: Option<&InputFile>| {
        run_conf_with(model, fin, bool_choices, t, input, all, opts)
    };
    let olddefconfig_text = |text: String| {
        let file = InputFile {
            name: ".config".to_string(),
            text: text.into_bytes(),
        };
        run_conf_with(
            model,
            fin,
            bool_choices,
            &Target::OldDefconfig,
            Some(&file),
            None,
            opts,
        )
    };
    let simple = match target {
        "olddefconfig" => Some(Target::OldDefconfig),
        "alldefconfig" => Some(Target::AllDefconfig),
        "allnoconfig" => Some(Target::AllNoconfig),
        "allyesconfig" => Some(Target::AllYesconfig),
        "allmodconfig" => Some(Target::AllModconfig),
        "savedefconfig" => Some(Target::SaveDefconfig),
        _ => None,
    };
    let mut run = if let Some(t) = simple {
        let allconfig = None;
        run_conf(&t, input.as_ref(), allconfig)
    } else if target == "defconfig" || target.ends_with("_defconfig") {
        let name = if target == "defconfig" {
            defconfig::kbuild_defconfig(source, env)
        } else {
            target.to_string()
        };
        let no_defconfig = || ConfigError::NoDefconfig {
            arch: env.arch.clone(),
            srcarch: env.srcarch.clone(),
            name: name.clone(),
        };
        match defconfig::recipe(source, env, &name).ok_or_else(no_defconfig)? {
            defconfig::DefconfigRecipe::File(path) => {
                let text = read_required(source, &path)?.ok_or_else(no_defconfig)?;
                let file = InputFile { name: path, text };
                let mut run = run_conf(&Target::Defconfig, Some(&file), None);
                if target == "defconfig" {
                    run.based_on = Some(name.clone());
                }
                run
            }
            defconfig::DefconfigRecipe::Merge { base, fragments } => {
                let base_text = read_required(source, &base)?.ok_or_else(no_defconfig)?;
                let mut texts = Vec::new();
                for f in &fragments {
                    let t = read_required(source, f)?.ok_or_else(no_defconfig)?;
                    texts.push(String::from_utf8_lossy(&t).into_owned());
                }
                let merged =
                    defconfig::merge_fragments(&String::from_utf8_lossy(&base_text), &texts);
                olddefconfig_text(merged)
            }
            defconfig::DefconfigRecipe::MipsGeneric {
                base,
                fragments,
                boards,
            } => {
                let read_text = |path: &str| -> Result<String, ConfigError> {
                    let bytes = read_required(source, path)?.ok_or_else(no_defconfig)?;
                    Ok(String::from_utf8_lossy(&bytes).into_owned())
                };
                let mut texts = Vec::new();
                for f in &fragments {
                    texts.push(read_text(f)?);
                }
                let mut merged = defconfig::merge_fragments(&read_text(&base)?, &texts);
                let reference_input = InputFile {
                    name: ".config".to_string(),
                    text: merged.clone().into_bytes(),
                };
                let reference = run_conf(&Target::OldDefconfig, Some(&reference_input), None);
                for board in &boards {
                    let board_text = read_text(board)?;
                    if defconfig::board_requirements_met(&board_text, &reference.config) {
                        merged = defconfig::merge_fragments(&merged, &[board_text]);
                    }
                }
                let last = olddefconfig_text(merged);
                chain(reference, last)
            }
        }
    } else {
        return Err(ConfigError::UnknownTarget(target.to_string()));
    };
    for fragment in fragments {
        // The `%.config` rule: merge_config.sh -m .config <fragments>, then olddefconfig.
        let mut texts = Vec::new();
        for path in [
            format!("kernel/configs/{fragment}"),
            format!("arch/{}/configs/{fragment}", env.srcarch),
        ] {
            if let Some(t) = read_required(source, &path)? {
                texts.push(String::from_utf8_lossy(&t).into_owned());
            }
        }
        if texts.is_empty() {
            return Err(ConfigError::NoFragment(
                fragment.clone(),
                env.srcarch.clone(),
            ));
        }
        let merged = defconfig::merge_fragments(&run.config, &texts);
        let next = olddefconfig_text(merged);
        run = chain(run, next);
    }
    Ok(run)
}

/// `conf --oldaskconfig` / `--oldconfig` with the given answers (then empty lines):
/// conf's standard output and the .config it writes.
pub fn run_interactive(
    model: &model::Model,
    fin: &finalize::Finalized,
    mode: ask::AskMode,
    input: Option<&InputFile>,
    answers: &[String],
) -> (String, String) {
    let mut cfg = resolve::Config::new(model, fin, true);
    targets::read_existing(&mut cfg, input);
    let stdout = ask::run(&mut cfg, mode, answers);
    let config = confdata::write_config(&mut cfg);
    (stdout, config)
}
