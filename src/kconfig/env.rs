//! The environment the kernel's top Makefile hands to Kconfig, computed the same way.
//!
//! `make ARCH=x86 defconfig` exports ARCH, SRCARCH, KERNELVERSION, CC, LD, AR, NM, OBJCOPY,
//! PAHOLE, RUSTC, BINDGEN, PYTHON3, srctree, CC_VERSION_TEXT and RUSTC_VERSION_TEXT (and in
//! 7.x PAHOLE_VERSION, evaluated from the top Makefile's definition) before it runs conf; Kconfig files read them through the macro language. This module derives
//! the same values (ARCH to SRCARCH, the toolchain names from CROSS_COMPILE or LLVM, the
//! version texts from the tools themselves, KERNELVERSION from the top Makefile) and lets
//! the command line override any of them.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, OnceLock};

use crate::make::{Host, Make};
use crate::source::{MemSource, Source};

#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    #[error("{source_name}: no top-level Makefile, so no kernel version (is this a kernel tree?)")]
    NoMakefile { source_name: String },
    #[error("{source_name}: Makefile: cannot find `VERSION = ` and `PATCHLEVEL = ` lines")]
    NoVersion { source_name: String },
    #[error(
        "ARCH={arch}: {source_name} has no arch/{srcarch}/Kconfig; arches in this tree: {known}"
    )]
    UnknownArch {
        arch: String,
        srcarch: String,
        source_name: String,
        known: String,
    },
    #[error(transparent)]
    Source(#[from] crate::source::SourceError),
}

/// A kernel version as the top Makefile states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelVersion {
    pub version: u32,
    pub patchlevel: u32,
    pub sublevel: Option<u32>,
    pub extraversion: String,
}

impl KernelVersion {
    /// Read VERSION, PATCHLEVEL, SUBLEVEL and EXTRAVERSION from the top Makefile.
    pub fn from_makefile(text: &str) -> Option<Self> {
        let field = |name: &str| -> Option<String> {
            text.lines().find_map(|line| {
                let rest = line.strip_prefix(name)?;
                let rest = rest.trim_start();
                let value = rest.strip_prefix('=')?;
                Some(value.trim().to_string())
            })
        };
        let version = field("VERSION")?.parse().ok()?;
        let patchlevel = field("PATCHLEVEL")?.parse().ok()?;
        let sublevel = field("SUBLEVEL").and_then(|s| s.parse().ok());
        let extraversion = field("EXTRAVERSION").unwrap_or_default();
        Some(KernelVersion {
            version,
            patchlevel,
            sublevel,
            extraversion,
        })
    }

    /// KERNELVERSION as the Makefile computes it.
    pub fn kernelversion(&self) -> String {
        let mut text = format!("{}.{}", self.version, self.patchlevel);
        if let Some(sub) = self.sublevel {
            text.push_str(&format!(".{sub}"));
        }
        text.push_str(&self.extraversion);
        text
    }
}

/// ARCH to SRCARCH, as the top Makefile maps it.
pub fn srcarch_of(arch: &str) -> &str {
    match arch {
        "i386" | "x86_64" => "x86",
        "sparc32" | "sparc64" => "sparc",
        "parisc64" => "parisc",
        "sh64" => "sh",
        other => other,
    }
}

/// The host's ARCH (SUBARCH in scripts/subarch.include), from `uname -m`.
pub fn host_arch() -> String {
    let machine = std::env::consts::ARCH;
    subarch_of(machine).to_string()
}

fn subarch_of(machine: &str) -> &str {
    match machine {
        m if m == "x86_64" || (m.starts_with('i') && m.ends_with("86") && m.len() == 4) => "x86",
        "x86" => "x86",
        "aarch64" | "arm64" => "arm64",
        m if m.starts_with("arm") || m == "sa110" => "arm",
        "s390x" | "s390" => "s390",
        m if m.starts_with("ppc") || m.starts_with("powerpc") => "powerpc",
        m if m.starts_with("mips") => "mips",
        m if m.starts_with("riscv") => "riscv",
        m if m.starts_with("loongarch") => "loongarch",
        "sun4u" | "sparc64" => "sparc64",
        other => other,
    }
}

/// Every arch directory of a tree that has a Kconfig, sorted: the `ARCH=` values `make`
/// accepts for it.
pub fn tree_arches(source: &dyn Source) -> Vec<String> {
    let mut arches: Vec<String> = source
        .list_dir("arch")
        .ok()
        .flatten()
        .unwrap_or_default()
        .into_iter()
        .filter(|arch| matches!(source.read(&format!("arch/{arch}/Kconfig")), Ok(Some(_))))
        .collect();
    arches.sort();
    arches
}

/// Run a trusted tree's arch Makefile `$(shell ...)` command once per process, as make
/// would (through `sh -c`; only for `--shell trusted`, see crate::exec).
fn tool_output(command: &str) -> String {
    static CACHE: OnceLock<Mutex<HashMap<String, String>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache
        .lock()
        .expect("tool cache lock is never poisoned")
        .get(command)
    {
        return hit.clone();
    }
    crate::exec::note_command(command);
    let output = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(command)
        .env("LC_ALL", "C")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
        .unwrap_or_default();
    cache
        .lock()
        .expect("tool cache lock is never poisoned")
        .insert(command.to_string(), output.clone());
    output
}

/// What the arch Makefile may learn from the host while the environment is computed.
/// `$(shell ...)` runs under the tree's policy: any command for a trusted tree, only
/// `uname -m` otherwise (every other command then prints nothing).
struct ArchMakefileHost {
    untrusted: bool,
}

impl Host for ArchMakefileHost {
    fn shell(&self, command: &str) -> Option<String> {
        if command.trim() == "uname -m" {
            return Some(
                crate::exec::probe(&["uname".to_string(), "-m".to_string()]).unwrap_or_default(),
            );
        }
        if self.untrusted {
            return Some(String::new());
        }
        // A tree the user chose to trust: its Makefile's command runs as make runs it.
        Some(tool_output(command))
    }

    fn cc_cross_prefix(&self, candidates: &str) -> Option<String> {
        Some(cc_cross_prefix_on_path(candidates))
    }
}

/// What the top Makefile's own definitions of exported variables may learn from the host:
/// a trusted tree's commands run as make runs them; otherwise none runs, and the command is
/// answered as an untrusted Kconfig `$(shell,...)` is (`super::shell_model`: the version
/// scripts of optional tools say `0`, as they do when the tool is missing).
struct TopMakefileHost {
    untrusted: bool,
}

impl Host for TopMakefileHost {
    fn shell(&self, command: &str) -> Option<String> {
        if self.untrusted {
            return Some(super::shell_model::answer(command));
        }
        Some(tool_output(command))
    }
}

/// The variables this module derives itself (from the arch Makefile, or by probing the
/// tools as `$(CC) --version` would) among those the top Makefile exports to conf.
const DERIVED_EXPORTS: &[&str] = &[
    "KBUILD_DEFCONFIG",
    "KBUILD_KCONFIG",
    "CC_VERSION_TEXT",
    "RUSTC_VERSION_TEXT",
];

/// The other names on the top Makefile's `export KBUILD_DEFCONFIG KBUILD_KCONFIG
/// CC_VERSION_TEXT ...` line, the one that hands the config targets their environment:
/// none up to 6.x, PAHOLE_VERSION in 7.x (which moved `scripts/pahole-version.sh` from
/// init/Kconfig's `$(shell,...)` to the Makefile). Only names the Makefile defines.
fn makefile_exports(makefile: &str) -> Vec<&str> {
    let Some(line) = makefile.lines().find(|line| {
        let mut words = line.split_whitespace();
        words.next() == Some("export") && words.any(|word| word == "CC_VERSION_TEXT")
    }) else {
        return Vec::new();
    };
    line.split_whitespace()
        .skip(1)
        .filter(|name| !DERIVED_EXPORTS.contains(name))
        .filter(|name| !definitions(makefile, &[name]).is_empty())
        .collect()
}

/// The top-level lines of `makefile` that assign one of `names` (`NAME = ...`, `:=`, `?=`,
/// `+=`), continuation lines included, in file order.
fn definitions(makefile: &str, names: &[&str]) -> String {
    let mut out = String::new();
    let mut continued = false;
    for line in makefile.lines() {
        let assigns = || {
            let Some((name, _)) = line.split_once('=') else {
                return false;
            };
            let name = name.trim_end().trim_end_matches([':', '?', '+']);
            !line.starts_with(char::is_whitespace) && names.contains(&name.trim_end())
        };
        if continued || assigns() {
            out.push_str(line);
            out.push('\n');
            continued = line.ends_with('\\');
        }
    }
    out
}

/// cc-cross-prefix (scripts/Makefile.compiler): the first prefix whose `gcc` is on PATH.
/// Looked up in PATH's directories rather than with `command -v`, so nothing runs.
fn cc_cross_prefix_on_path(candidates: &str) -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for prefix in candidates.split_whitespace() {
        let gcc = format!("{prefix}gcc");
        if std::env::split_paths(&path).any(|dir| dir.join(&gcc).is_file()) {
            return prefix.to_string();
        }
    }
    String::new()
}

/// The variables Kconfig sees for one arch of one tree.
#[derive(Debug, Clone)]
pub struct KernelEnv {
    pub arch: String,
    pub srcarch: String,
    pub version: KernelVersion,
    /// The Kconfig language of the tree's own scripts/kconfig.
    pub dialect: super::parser::Dialect,
    /// KBUILD_DEFCONFIG as the arch Makefile sets it (`defconfig` when it does not).
    pub kbuild_defconfig: String,
    /// Values the Makefile exports, after overrides.
    pub vars: BTreeMap<String, String>,
    /// The tool values probed for their `--version` (CC, RUSTC), run or refused.
    pub probed: BTreeMap<String, String>,
    /// Probes refused by the request's `tools` trust, with why: answered as failed.
    pub refused: Vec<String>,
    /// Budgets the arch Makefile spent (crate::make::budget), where make itself would
    /// stop or run out of memory: errors of the tree at that file and line.
    pub limits: Vec<crate::make::Unknown>,
}

/// What the caller fixes: the arch, the source directory for `srctree`, and overrides
/// (`CC=clang`, `CROSS_COMPILE=aarch64-linux-gnu-`, `LLVM=1`, or any variable itself).
#[derive(Debug, Clone, Default)]
pub struct EnvRequest {
    pub arch: Option<String>,
    pub srctree: String,
    pub overrides: Vec<(String, String)>,
    /// Whether `$(shell ...)` in the arch Makefile may run (a tree the user trusts).
    /// Otherwise only `uname -m` is answered, from the host.
    pub untrusted: bool,
    /// Which tool values (CC, RUSTC) may be run for their `--version`.
    pub tools: crate::exec::ToolTrust,
}

impl KernelEnv {
    pub fn compute(source: &dyn Source, request: &EnvRequest) -> Result<Self, EnvError> {
        let makefile = source
            .read("Makefile")?
            .ok_or_else(|| EnvError::NoMakefile {
                source_name: source.describe(),
            })?;
        let makefile = String::from_utf8_lossy(&makefile);
        let version =
            KernelVersion::from_makefile(&makefile).ok_or_else(|| EnvError::NoVersion {
                source_name: source.describe(),
            })?;
        let overrides: HashMap<&str, &str> = request
            .overrides
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let arch = request
            .arch
            .clone()
            .or_else(|| overrides.get("ARCH").map(|s| s.to_string()))
            .unwrap_or_else(host_arch);
        let srcarch = srcarch_of(&arch).to_string();
        if !matches!(source.read(&format!("arch/{srcarch}/Kconfig")), Ok(Some(_))) {
            return Err(EnvError::UnknownArch {
                arch,
                srcarch,
                source_name: source.describe(),
                known: tree_arches(source).join(" "),
            });
        }

        let get = |name: &str, default: String| -> String {
            overrides
                .get(name)
                .map(|s| s.to_string())
                .unwrap_or(default)
        };
        let cross = get("CROSS_COMPILE", String::new());
        let llvm = get("LLVM", String::new());
        let (llvm_prefix, llvm_suffix) = if llvm.is_empty() || llvm == "1" {
            (String::new(), String::new())
        } else if llvm.ends_with('/') {
            (llvm.clone(), String::new())
        } else if llvm.starts_with('-') {
            (String::new(), llvm.clone())
        } else {
            (String::new(), String::new())
        };
        let tools_for = |cross: &str| -> Vec<(String, String)> {
            let tool = |gnu: &str, llvm_name: &str| -> String {
                if llvm.is_empty() {
                    format!("{cross}{gnu}")
                } else {
                    format!("{llvm_prefix}{llvm_name}{llvm_suffix}")
                }
            };
            vec![
                ("CC".to_string(), get("CC", tool("gcc", "clang"))),
                ("LD".to_string(), get("LD", tool("ld", "ld.lld"))),
                ("AR".to_string(), get("AR", tool("ar", "llvm-ar"))),
                ("NM".to_string(), get("NM", tool("nm", "llvm-nm"))),
                (
                    "OBJCOPY".to_string(),
                    get("OBJCOPY", tool("objcopy", "llvm-objcopy")),
                ),
            ]
        };
        // The arch Makefile may pick a CROSS_COMPILE and adjust the tools (powerpc's
        // `NM := $(NM) --synthetic`); make evaluates it before exporting them to conf.
        let host = ArchMakefileHost {
            untrusted: request.untrusted,
        };
        let base_vars = |cross: &str| -> Vec<(String, String)> {
            let mut vars = vec![
                ("ARCH".to_string(), arch.clone()),
                ("SRCARCH".to_string(), srcarch.clone()),
                ("SUBARCH".to_string(), host_arch()),
                ("CROSS_COMPILE".to_string(), cross.to_string()),
                ("srctree".to_string(), request.srctree.clone()),
            ];
            vars.extend(tools_for(cross));
            vars
        };
        let arch_makefile_path = format!("arch/{srcarch}/Makefile");
        let arch_makefile = source
            .read(&arch_makefile_path)?
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        // The arch Makefile is read alone: its includes (scripts/Makefile.compiler's
        // helpers, sub-arch fragments) are not followed, so nothing they would run or
        // read is touched before Kconfig.
        let no_includes = MemSource::new();
        let read_arch_makefile = |cross: &str| -> Make<'_> {
            let mut make = Make::new(&no_includes).with_host(&host);
            for (name, value) in base_vars(cross) {
                make.set(&name, &value);
            }
            make.eval(&arch_makefile_path, &arch_makefile);
            make
        };
        let mut eval = read_arch_makefile(&cross);
        let cross = if overrides.contains_key("CROSS_COMPILE") {
            cross
        } else {
            let picked = eval.value("CROSS_COMPILE");
            if picked != cross {
                eval = read_arch_makefile(&picked);
            }
            picked
        };
        let kbuild_defconfig = match eval.value("KBUILD_DEFCONFIG") {
            name if name.is_empty() => "defconfig".to_string(),
            name => name,
        };
        // Variables given on the command line win over the Makefile's assignments.
        let mut final_tool = |name: &str| -> String {
            match overrides.get(name) {
                Some(v) => v.to_string(),
                None => eval.value(name),
            }
        };
        let cc = final_tool("CC");
        let ld = final_tool("LD");
        let ar = final_tool("AR");
        let nm = final_tool("NM");
        let objcopy = final_tool("OBJCOPY");
        let rustc = get("RUSTC", "rustc".to_string());
        let limits = std::mem::take(&mut eval.limits);

        let mut vars = BTreeMap::new();
        let mut probed = BTreeMap::new();
        let mut refused = Vec::new();
        // `$(shell $(CC) --version)`, run without a shell and only as far as the request
        // trusts the tool (crate::exec); a refused probe answers as a failed one.
        let mut version_of = |name: &str, value: &str| -> String {
            probed.insert(name.to_string(), value.to_string());
            crate::exec::tool_version(&request.tools, name, value).unwrap_or_else(|why| {
                refused.push(why);
                String::new()
            })
        };
        let cc_version_text = match overrides.get("CC_VERSION_TEXT") {
            Some(text) => text.to_string(),
            None => first_line(&version_of("CC", &cc)).replace('#', ""),
        };
        let rustc_version_text = match overrides.get("RUSTC_VERSION_TEXT") {
            Some(text) => text.to_string(),
            None => {
                // $(shell ...) in make turns newlines into spaces.
                let raw = version_of("RUSTC", &rustc);
                raw.trim_end_matches('\n')
                    .replace('\n', " ")
                    .replace('#', "")
            }
        };
        vars.insert("ARCH".to_string(), arch.clone());
        vars.insert("SRCARCH".to_string(), srcarch.clone());
        vars.insert("KERNELVERSION".to_string(), version.kernelversion());
        vars.insert("CC".to_string(), cc);
        vars.insert("LD".to_string(), ld);
        vars.insert("AR".to_string(), ar);
        vars.insert("NM".to_string(), nm);
        vars.insert("OBJCOPY".to_string(), objcopy);
        vars.insert("PAHOLE".to_string(), get("PAHOLE", "pahole".to_string()));
        vars.insert("RUSTC".to_string(), rustc);
        vars.insert("BINDGEN".to_string(), get("BINDGEN", "bindgen".to_string()));
        vars.insert("PYTHON3".to_string(), get("PYTHON3", "python3".to_string()));
        vars.insert(
            "srctree".to_string(),
            get("srctree", request.srctree.clone()),
        );
        vars.insert("CC_VERSION_TEXT".to_string(), cc_version_text);
        vars.insert("RUSTC_VERSION_TEXT".to_string(), rustc_version_text);
        // Exported too; 5.10's init/Kconfig reads it (DEFCONFIG_LIST's last default).
        vars.insert(
            "KBUILD_DEFCONFIG".to_string(),
            get("KBUILD_DEFCONFIG", kbuild_defconfig.clone()),
        );
        // What else the top Makefile exports to conf (7.x: PAHOLE_VERSION), evaluated from
        // its own definitions, after the tools it names.
        let exports = makefile_exports(&makefile);
        if !exports.is_empty() {
            let top_host = TopMakefileHost {
                untrusted: request.untrusted,
            };
            let no_includes = MemSource::new();
            let mut top = Make::new(&no_includes).with_host(&top_host);
            for (name, value) in &vars {
                top.set(name, value);
            }
            top.eval("Makefile", &definitions(&makefile, &exports));
            for name in exports {
                let value = match overrides.get(name) {
                    Some(value) => value.to_string(),
                    None => top.value(name),
                };
                vars.insert(name.to_string(), value);
            }
        }
        if srcarch == "um" {
            // arch/um/Makefile exports these, and arch/um/Kconfig reads them.
            let subarch = get("SUBARCH", host_arch());
            let header_arch = if matches!(subarch.as_str(), "x86" | "x86_64" | "i386") {
                "x86".to_string()
            } else {
                subarch.clone()
            };
            vars.insert("SUBARCH".to_string(), subarch);
            vars.insert("HEADER_ARCH".to_string(), get("HEADER_ARCH", header_arch));
        }
        if !cross.is_empty() {
            vars.insert("CROSS_COMPILE".to_string(), cross);
        }
        // Anything else given on the command line is passed through, as make passes it.
        for (name, value) in &request.overrides {
            if !matches!(name.as_str(), "CROSS_COMPILE" | "LLVM") {
                vars.entry(name.clone()).or_insert_with(|| value.clone());
            }
        }
        Ok(KernelEnv {
            arch,
            srcarch,
            version,
            dialect: super::parser::Dialect::of_tree(source),
            kbuild_defconfig,
            vars,
            probed,
            refused,
            limits,
        })
    }

    /// The environment seen by the macro language: the process environment with the
    /// Makefile's exports on top, as conf sees it under make.
    pub fn macro_env(&self) -> HashMap<String, String> {
        let mut env: HashMap<String, String> = std::env::vars().collect();
        for (name, value) in &self.vars {
            env.insert(name.clone(), value.clone());
        }
        env
    }

    pub fn dialect(&self) -> super::parser::Dialect {
        self.dialect
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arch_mapping_follows_the_makefile() {
        assert_eq!(srcarch_of("x86_64"), "x86");
        assert_eq!(srcarch_of("i386"), "x86");
        assert_eq!(srcarch_of("sparc64"), "sparc");
        assert_eq!(srcarch_of("parisc64"), "parisc");
        assert_eq!(srcarch_of("arm64"), "arm64");
        assert_eq!(subarch_of("aarch64"), "arm64");
        assert_eq!(subarch_of("armv7l"), "arm");
        assert_eq!(subarch_of("i686"), "x86");
        assert_eq!(subarch_of("ppc64le"), "powerpc");
    }

    #[test]
    fn exports_beyond_the_derived_ones_come_from_the_makefile() {
        let v612 = "CC_VERSION_TEXT = $(shell $(CC) --version)\n\
                    export KBUILD_DEFCONFIG KBUILD_KCONFIG CC_VERSION_TEXT RUSTC_VERSION_TEXT\n";
        assert!(makefile_exports(v612).is_empty());
        let v72 = "PAHOLE_VERSION = $(shell $(srctree)/scripts/pahole-version.sh $(PAHOLE))\n\
                   prepare: PAHOLE_VERSION := $(PAHOLE_VERSION)\n\
                   \t@echo $(PAHOLE_VERSION)\n\
                   export KBUILD_DEFCONFIG KBUILD_KCONFIG CC_VERSION_TEXT RUSTC_VERSION_TEXT \
                   PAHOLE_VERSION UNDEFINED\n";
        assert_eq!(makefile_exports(v72), vec!["PAHOLE_VERSION"]);
        assert_eq!(
            definitions(v72, &["PAHOLE_VERSION"]),
            "PAHOLE_VERSION = $(shell $(srctree)/scripts/pahole-version.sh $(PAHOLE))\n"
        );
        // Untrusted, the version script is not run and answers as for a missing tool.
        let host = TopMakefileHost { untrusted: true };
        let no_includes = MemSource::new();
        let mut make = Make::new(&no_includes).with_host(&host);
        make.set("srctree", "/src");
        make.set("PAHOLE", "pahole");
        make.eval("Makefile", &definitions(v72, &["PAHOLE_VERSION"]));
        assert_eq!(make.value("PAHOLE_VERSION"), "0");
    }

    #[test]
    fn kernelversion_from_makefile() {
        let text =
            "# SPDX\nVERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 117\nEXTRAVERSION =\nNAME = Baby\n";
        let version = KernelVersion::from_makefile(text).expect("parses");
        assert_eq!(version.kernelversion(), "6.12.117");
        let rc = "VERSION = 6\nPATCHLEVEL = 13\nSUBLEVEL = 0\nEXTRAVERSION = -rc1\n";
        assert_eq!(
            KernelVersion::from_makefile(rc)
                .expect("parses")
                .kernelversion(),
            "6.13.0-rc1"
        );
    }
}
