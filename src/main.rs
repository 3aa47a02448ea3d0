//! The xenlint command line: argument parsing, output, and the exit status.
//!
//! Exit status: 0 when all is well, 1 when findings were reported, 2 for usage errors and
//! bad input (a missing tree, an unknown arch, a Kconfig tree with errors).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand, ValueEnum};

use xenlint::kconfig::env::{EnvRequest, KernelEnv};
use xenlint::kconfig::macros::{ShellPolicy, ShellRunner};
use xenlint::kconfig::model::{Model, Severity};
use xenlint::source::{DirSource, Source};

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
                  xenlint config x86_64_defconfig xen.config --arch x86 --srctree ~/linux\n  \
                  xenlint why XEN_PVH --arch x86 --srctree ~/linux --config .config\n  \
                  xenlint symbols --arch arm64 --srctree ~/linux --make-var CROSS_COMPILE=aarch64-linux-gnu-"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum RefKind {
    Kconfig,
    Kbuild,
    C,
    Header,
    Asm,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Note,
    Warning,
    Error,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
enum ShellMode {
    /// Never run `$(shell,...)`: every command expands to nothing (compiler probes fail).
    Never,
    /// Run commands as make would. The default for a tree on disk, which you chose to trust.
    Trusted,
}

/// Options shared by every command that reads one tree.
#[derive(clap::Args)]
struct TreeArgs {
    /// The architecture, as make's ARCH= (x86, arm64, x86_64, i386, ...). Default: $ARCH,
    /// then the host's.
    #[arg(long, env = "ARCH")]
    arch: Option<String>,

    /// The kernel source tree.
    #[arg(long, default_value = ".")]
    srctree: PathBuf,

    /// Whether Kconfig's `$(shell,...)` commands run.
    #[arg(long, value_enum, default_value = "trusted")]
    shell: ShellMode,

    /// Make variables, as on make's command line: CC=clang, CROSS_COMPILE=..., LLVM=1.
    #[arg(long = "make-var", value_name = "VAR=VALUE")]
    vars: Vec<String>,
}

#[derive(Subcommand)]
enum Command {
    /// List the Kconfig files read, every symbol defined with its type and definition
    /// sites, and the errors found, for one ARCH.
    Symbols {
        #[command(flatten)]
        tree: TreeArgs,

        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Write the .config that `make ARCH=<arch> TARGET [FRAGMENT.config...]` would write.
    ///
    /// TARGET is a kernel configuration target: defconfig (the arch's KBUILD_DEFCONFIG),
    /// <name>_defconfig, olddefconfig, alldefconfig, allnoconfig, allyesconfig,
    /// allmodconfig or savedefconfig. Fragments are merged afterwards as the kernel's
    /// `%.config` rule does (kernel/configs/ and arch/<arch>/configs/).
    ///
    /// Example: xenlint config x86_64_defconfig xen.config --arch x86 -o /tmp/xen.config
    Config {
        /// The target, as given to make.
        target: String,

        /// Config fragments to merge after the target (xen.config, kvm_guest.config).
        #[arg(value_name = "FRAGMENT.config")]
        fragments: Vec<String>,

        #[command(flatten)]
        tree: TreeArgs,

        /// Where to write the result (default: .config in the current directory).
        #[arg(short, long)]
        output: Option<PathBuf>,

        /// The existing configuration for olddefconfig and savedefconfig (default: .config).
        #[arg(long)]
        input: Option<PathBuf>,

        /// KCONFIG_ALLCONFIG for the all*config targets: values to keep fixed.
        #[arg(long, env = "KCONFIG_ALLCONFIG")]
        allconfig: Option<PathBuf>,
    },
    /// Lint a patch series: every commit, every arch, every baseline, read from git objects.
    ///
    /// RANGE is what git understands: A..B, @{upstream}..HEAD, or one commit (checked on
    /// its parent). Nothing in the repository is changed: files are read from commit trees.
    ///
    /// Example: xenlint series origin/master..HEAD --arch x86 --arch arm64
    Series {
        /// The commits to check.
        range: String,

        /// The repository (default: the one containing the current directory).
        #[arg(long, default_value = ".")]
        repo: PathBuf,

        /// Arches to check (repeat it); default: every arch of the tree.
        #[arg(long = "arch")]
        arches: Vec<String>,

        /// Baselines, replacing the defaults (defconfig, allnoconfig, allmodconfig):
        /// a target, optionally with fragments (x86_64_defconfig+xen.config). Repeat it.
        #[arg(long = "baseline")]
        baselines: Vec<String>,

        /// Also carry this .config through the series (olddefconfig at every commit).
        #[arg(long)]
        config: Option<PathBuf>,

        /// Make variables (CROSS_COMPILE=..., LLVM=1).
        #[arg(long = "make-var", value_name = "VAR=VALUE")]
        vars: Vec<String>,

        /// Exit with status 1 when a finding is at least this severe.
        #[arg(long, value_enum, default_value = "error")]
        fail_on: FailOn,

        /// Check Kconfig only: skip the Kbuild walk (objects built) and the CONFIG_
        /// references of Kbuild and code files.
        #[arg(long)]
        no_kbuild: bool,

        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Install the pre-push hook (hooks/pre-push) in a repository, so that `git push`
    /// lints the commits it sends.
    InstallHook {
        /// The repository (default: the one containing the current directory).
        #[arg(long, default_value = ".")]
        repo: PathBuf,

        /// Replace an existing pre-push hook.
        #[arg(long)]
        force: bool,
    },
    /// Print the documentation of a check (XL0001 or its name).
    Explain {
        /// The check's code or name.
        code: String,
    },
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
    Objects {
        /// A configuration target (defconfig, allmodconfig, x86_64_defconfig, ...).
        #[arg(conflicts_with = "config")]
        target: Option<String>,

        /// Config fragments to merge after the target.
        #[arg(value_name = "FRAGMENT.config")]
        fragments: Vec<String>,

        #[command(flatten)]
        tree: TreeArgs,

        /// The configuration to use instead of a target (default: .config).
        #[arg(long)]
        config: Option<PathBuf>,

        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Find CONFIG_ references to symbols no Kconfig file of the tree defines, with
    /// "did you mean" suggestions: in Kconfig expressions, Kbuild files (`obj-$(CONFIG_X)`,
    /// `ifdef CONFIG_X`), C, headers and assembly (`#ifdef`, `IS_ENABLED()`, `CONFIG_X_MODULE`).
    ///
    /// Like the kernel's scripts/checkkconfigsymbols.py on one tree, without git. Give
    /// paths to check only those files or directories (default: the whole tree, except
    /// tools/). Exit status 1 when an undefined reference is found.
    ///
    /// Example: xenlint refs --srctree ~/linux --kind kbuild --kind kconfig
    Refs {
        /// Files or directories of the tree to check (relative to --srctree).
        paths: Vec<String>,

        /// The kernel source tree.
        #[arg(long, default_value = ".")]
        srctree: PathBuf,

        /// Kinds of files to check (repeat it); default: all.
        #[arg(long = "kind", value_enum)]
        kinds: Vec<RefKind>,

        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Explain why a symbol has its value: the user value, default, select, imply or
    /// dependency that decided it, with file:line.
    ///
    /// The configuration is --config FILE (as olddefconfig reads it; default .config), or
    /// what --target would produce.
    ///
    /// Example: xenlint why XEN_PVH --arch x86 --target x86_64_defconfig
    Why {
        /// The symbol, with or without CONFIG_.
        symbol: String,

        #[command(flatten)]
        tree: TreeArgs,

        /// The configuration to explain (default: .config).
        #[arg(long, conflicts_with = "target")]
        config: Option<PathBuf>,

        /// Explain the configuration a make target would produce instead.
        #[arg(long)]
        target: Option<String>,

        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Resolving follows dependency chains recursively, as conf does: give it room.
    let worker = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || run(cli))
        .expect("spawning the worker thread");
    let result = match worker.join() {
        Ok(result) => result,
        Err(_) => {
            eprintln!("xenlint: internal error (a bug: please report it with the command line)");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("xenlint: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Symbols { tree, format } => symbols(&tree, format),
        Command::Config {
            tree,
            target,
            fragments,
            output,
            input,
            allconfig,
        } => config(&tree, &target, &fragments, output, input, allconfig),
        Command::Series {
            range,
            repo,
            arches,
            baselines,
            config,
            vars,
            fail_on,
            no_kbuild,
            format,
        } => series(
            &repo, &range, arches, baselines, config, &vars, fail_on, !no_kbuild, format,
        ),
        Command::Explain { code } => explain(&code),
        Command::InstallHook { repo, force } => install_hook(&repo, force),
        Command::Demo => demo(),
        Command::Why {
            symbol,
            tree,
            config,
            target,
            format,
        } => why(&tree, &symbol, config, target, format),
        Command::Refs {
            paths,
            srctree,
            kinds,
            format,
        } => refs(&srctree, &paths, &kinds, format),
        Command::Objects {
            target,
            fragments,
            tree,
            config,
            format,
        } => objects(&tree, target, &fragments, config, format),
    }
}

/// Read one tree's Kconfig for the arch the arguments name.
fn load_tree(tree: &TreeArgs) -> anyhow::Result<(DirSource, KernelEnv, Model)> {
    let srctree = tree
        .srctree
        .canonicalize()
        .with_context(|| format!("--srctree {}", tree.srctree.display()))?;
    let source = DirSource::new(&srctree);
    let mut overrides = Vec::new();
    for var in &tree.vars {
        let Some((name, value)) = var.split_once('=') else {
            bail!("`{var}`: expected VAR=VALUE, as on make's command line");
        };
        overrides.push((name.to_string(), value.to_string()));
    }
    let request = EnvRequest {
        arch: tree.arch.clone(),
        srctree: srctree.display().to_string(),
        overrides,
        untrusted: matches!(tree.shell, ShellMode::Never),
    };
    let env = KernelEnv::compute(&source, &request).map_err(|err| match err {
        xenlint::kconfig::env::EnvError::UnknownArch { arch, srcarch, .. } => {
            let arches = list_arches(&source);
            anyhow::anyhow!(
                "ARCH={arch}: {} has no arch/{srcarch}/Kconfig; arches in this tree: {}",
                source.describe(),
                arches.join(" ")
            )
        }
        other => other.into(),
    })?;
    let policy = match tree.shell {
        ShellMode::Never => ShellPolicy::Never,
        ShellMode::Trusted => ShellPolicy::Trusted,
    };
    let model = xenlint::kconfig::read_tree(&source, &env, ShellRunner::new(policy));
    Ok((source, env, model))
}

fn list_arches(source: &DirSource) -> Vec<String> {
    let mut arches = Vec::new();
    if let Ok(entries) = std::fs::read_dir(source.root().join("arch")) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if matches!(source.read(&format!("arch/{name}/Kconfig")), Ok(Some(_))) {
                arches.push(name);
            }
        }
    }
    arches.sort();
    arches
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
            let path = path.unwrap_or_else(|| PathBuf::from(".config"));
            match std::fs::read(&path) {
                Ok(text) => Some(xenlint::kconfig::targets::InputFile {
                    name: path.display().to_string(),
                    text,
                }),
                Err(err)
                    if err.kind() == std::io::ErrorKind::NotFound && target == "olddefconfig" =>
                {
                    None
                }
                Err(err) => bail!("{}: {err}", path.display()),
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
        println!("*** Default configuration is based on '{name}'");
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
        println!("#\n# configuration written to {}\n#", output.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// A tree read for `arch`, refused when its Kconfig has errors (printed first).
fn load_clean_tree(tree: &TreeArgs) -> anyhow::Result<(DirSource, KernelEnv, Model)> {
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

/// The configuration a command works on: what a make target (with fragments) produces,
/// or the file given with --config (default .config), to be brought up to date.
fn config_input(
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
        Format::Human => print!("{explanation}"),
        Format::Json => println!("{}", serde_json::to_string_pretty(&explanation)?),
    }
    Ok(ExitCode::SUCCESS)
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
            println!("{}", serde_json::to_string_pretty(&doc)?);
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

fn refs(
    srctree: &std::path::Path,
    paths: &[String],
    kinds: &[RefKind],
    format: Format,
) -> anyhow::Result<ExitCode> {
    use xenlint::kbuild::refs::{references, walk, Definitions, FileKind, Reference};
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
    let read = |path: &str| -> anyhow::Result<String> {
        let bytes = source
            .read(path)?
            .with_context(|| format!("{path}: no such file in {}", root.display()))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    };
    let mut kconfig_files = Vec::new();
    walk(&source, "", &[FileKind::Kconfig], &mut kconfig_files);
    let mut definitions = Definitions::default();
    for path in &kconfig_files {
        definitions.add_file(path, &read(path)?);
    }
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
    #[derive(serde::Serialize)]
    struct Undefined<'a> {
        file: &'a str,
        #[serde(flatten)]
        reference: Reference,
        similar: Vec<String>,
    }
    let mut undefined = Vec::new();
    for path in &files {
        let Some(kind) = FileKind::of(path) else {
            continue;
        };
        for reference in references(kind, &read(path)?) {
            if definitions.is_undefined(&reference) {
                let similar = definitions.similar(&reference.symbol);
                undefined.push(Undefined {
                    file: path,
                    reference,
                    similar,
                });
            }
        }
    }
    match format {
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
                files_checked: files.len(),
                symbols_defined: definitions.symbols.len(),
                undefined: &undefined,
            };
            println!("{}", serde_json::to_string_pretty(&doc)?);
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
                definitions.symbols.len()
            );
        }
    }
    Ok(if undefined.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn parse_vars(vars: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    vars.iter()
        .map(|var| match var.split_once('=') {
            Some((name, value)) => Ok((name.to_string(), value.to_string())),
            None => bail!("`{var}`: expected VAR=VALUE, as on make's command line"),
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn series(
    repo: &std::path::Path,
    range: &str,
    arches: Vec<String>,
    baselines: Vec<String>,
    config: Option<PathBuf>,
    vars: &[String],
    fail_on: FailOn,
    kbuild: bool,
    format: Format,
) -> anyhow::Result<ExitCode> {
    use std::io::IsTerminal;
    use xenlint::lint::engine::{Baseline, Options};
    let repository = xenlint::git::open(repo)?;
    let series = xenlint::git::series(&repository, range)?;
    let repo_path = repository.path().to_path_buf();
    let settings = repo_settings(&repository, series.commits.last().map(|c| c.oid))?;
    drop(repository);
    // The command line wins over .xenlint.toml.
    let arches = if arches.is_empty() {
        settings.arches.clone().unwrap_or_default()
    } else {
        arches
    };
    let baselines = if baselines.is_empty() {
        settings.baselines.clone().unwrap_or_default()
    } else {
        baselines
    };
    let mut baselines: Vec<Baseline> = if baselines.is_empty() {
        Baseline::defaults()
    } else {
        baselines.iter().map(|b| Baseline::parse(b)).collect()
    };
    if let Some(path) = config {
        let text = std::fs::read(&path).with_context(|| format!("--config {}", path.display()))?;
        baselines.push(Baseline::Config {
            name: path.display().to_string(),
            text,
        });
    }
    let options = Options {
        arches: if arches.is_empty() {
            None
        } else {
            Some(arches)
        },
        baselines,
        overrides: parse_vars(vars)?,
        progress: std::io::stderr().is_terminal().then(|| {
            Box::new(|done: usize, all: usize| {
                eprint!("\rxenlint: {done}/{all} arches checked");
                if done == all {
                    eprint!("\r\x1b[K");
                }
            }) as Box<dyn Fn(usize, usize) + Send + Sync>
        }),
        kbuild,
    };
    let mut report = xenlint::lint::engine::lint(&repo_path, &series, &options)?;
    report.findings.retain(|f| {
        !settings
            .ignore
            .iter()
            .any(|i| i.eq_ignore_ascii_case(f.code) || i == f.name)
    });
    match format {
        Format::Json => println!("{}", xenlint::report::json(&report)),
        Format::Human => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            print!("{}", xenlint::report::human(&report, color));
        }
    }
    let threshold = match fail_on {
        FailOn::Note => Some(xenlint::lint::Severity::Note),
        FailOn::Warning => Some(xenlint::lint::Severity::Warning),
        FailOn::Error => Some(xenlint::lint::Severity::Error),
        FailOn::Never => None,
    };
    let failed = threshold.is_some_and(|t| report.findings.iter().any(|f| f.severity >= t));
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn explain(code: &str) -> anyhow::Result<ExitCode> {
    match xenlint::lint::checks::find(code) {
        Some(check) => {
            print!("{}", check.doc);
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let known: Vec<String> = xenlint::lint::checks::CHECKS
                .iter()
                .map(|c| format!("{} ({})", c.code, c.name))
                .collect();
            bail!("no check `{code}`; the checks are: {}", known.join(", "))
        }
    }
}

/// The Xen example series, built by the same script as the test fixtures.
const XEN_REWORK_SCRIPT: &str = include_str!("../testrepos/xen-rework.sh");

fn demo() -> anyhow::Result<ExitCode> {
    let dir = tempfile::tempdir().context("creating a temporary directory")?;
    let script = dir.path().join("xen-rework.sh");
    std::fs::write(&script, XEN_REWORK_SCRIPT)?;
    let repo = dir.path().join("linux");
    let status = std::process::Command::new("bash")
        .arg(&script)
        .arg(&repo)
        .status()
        .context("running bash (the demo builds its repository with git)")?;
    if !status.success() {
        bail!("building the demo repository failed (are git and python3 installed?)");
    }
    println!(
        "A six-commit Xen rework on a small x86/arm/arm64 tree ({}):",
        repo.display()
    );
    let log = std::process::Command::new("git")
        .arg("-C")
        .arg(&repo)
        .args(["log", "--oneline", "base..master"])
        .output()?;
    print!("{}", String::from_utf8_lossy(&log.stdout));
    println!("\n$ xenlint series base..master\n");
    series(
        &repo,
        "base..master",
        Vec::new(),
        Vec::new(),
        None,
        &[],
        FailOn::Never,
        true,
        Format::Human,
    )?;
    Ok(ExitCode::SUCCESS)
}

const PRE_PUSH_HOOK: &str = include_str!("../hooks/pre-push");

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
    println!("installed {}", target.display());
    println!("it runs `xenlint` from PATH (this binary is {exe}); set XENLINT to use another");
    Ok(ExitCode::SUCCESS)
}

/// .xenlint.toml at the repository's top: arches, baselines and checks to ignore.
#[derive(Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RepoSettings {
    arches: Option<Vec<String>>,
    baselines: Option<Vec<String>>,
    #[serde(default)]
    ignore: Vec<String>,
}

/// Read .xenlint.toml from the work tree, or (bare repositories) from the series tip.
fn repo_settings(repo: &git2::Repository, tip: Option<git2::Oid>) -> anyhow::Result<RepoSettings> {
    let (name, text) = match repo.workdir().map(|w| w.join(".xenlint.toml")) {
        Some(path) if path.exists() => {
            (path.display().to_string(), std::fs::read_to_string(&path)?)
        }
        _ => {
            let blob = tip
                .and_then(|oid| repo.find_commit(oid).ok())
                .and_then(|c| c.tree().ok())
                .and_then(|t| t.get_path(std::path::Path::new(".xenlint.toml")).ok())
                .and_then(|e| repo.find_blob(e.id()).ok());
            match blob {
                Some(blob) => (
                    ".xenlint.toml (at the series tip)".to_string(),
                    String::from_utf8_lossy(blob.content()).into_owned(),
                ),
                None => return Ok(RepoSettings::default()),
            }
        }
    };
    let settings: RepoSettings =
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    for code in &settings.ignore {
        if xenlint::lint::checks::find(code).is_none() {
            bail!("{name}: ignore: no check `{code}` (see `xenlint explain`)");
        }
    }
    Ok(settings)
}
