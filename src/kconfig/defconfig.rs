//! Which file `make ARCH=<arch> defconfig` starts from: KBUILD_DEFCONFIG as the arch
//! Makefile sets it, under the conditionals those Makefiles use (ARCH, SUBARCH, the host's
//! `uname -m`), and the `merge_into_defconfig` recipes that build some defaults from a base
//! file plus fragments (powerpc's ppc64le_defconfig).

use super::env::KernelEnv;
use crate::source::Source;

/// How to obtain the configuration a defconfig target starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefconfigRecipe {
    /// `arch/<srcarch>/configs/<name>`, read by conf --defconfig.
    File(String),
    /// merge_config.sh of a base file and fragments, then olddefconfig.
    Merge {
        base: String,
        fragments: Vec<String>,
    },
    /// MIPS "generic" defconfigs (`32r2el_defconfig`): generic_defconfig plus ISA and
    /// endianness fragments, then every board fragment whose `# require` lines the
    /// intermediate configuration meets (arch/mips/tools/generic-board-config.sh).
    MipsGeneric {
        base: String,
        fragments: Vec<String>,
        boards: Vec<String>,
    },
}

/// KBUILD_DEFCONFIG for this arch, as arch/<srcarch>/Makefile sets it.
pub fn kbuild_defconfig(_source: &dyn Source, env: &KernelEnv) -> String {
    env.kbuild_defconfig.clone()
}

/// How to build the configuration named `name` (`x86_64_defconfig`, `ppc64le_defconfig`).
pub fn recipe(source: &dyn Source, env: &KernelEnv, name: &str) -> Option<DefconfigRecipe> {
    let file = format!("arch/{}/configs/{}", env.srcarch, name);
    if matches!(source.read(&file), Ok(Some(_))) {
        return Some(DefconfigRecipe::File(file));
    }
    if env.srcarch == "mips" {
        if let Some(recipe) = mips_generic(source, name) {
            return Some(recipe);
        }
    }
    // A make rule `name:` whose recipe is $(call merge_into_defconfig,BASE,FRAGMENTS).
    let makefile = source
        .read(&format!("arch/{}/Makefile", env.srcarch))
        .ok()??;
    let text = String::from_utf8_lossy(&makefile);
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim_end() != format!("{name}:") {
            continue;
        }
        let recipe = lines.next()?.trim();
        let call = recipe
            .strip_prefix("$(call merge_into_defconfig,")
            .or_else(|| recipe.strip_prefix("$(call merge_into_defconfig_override,"))?;
        let call = call.strip_suffix(')')?;
        let (base, fragments) = call.split_once(',')?;
        let dir = format!("arch/{}/configs", env.srcarch);
        return Some(DefconfigRecipe::Merge {
            base: format!("{dir}/{}", base.trim()),
            fragments: fragments
                .split_whitespace()
                .map(|f| format!("{dir}/{f}.config"))
                .collect(),
        });
    }
    None
}

/// merge_config.sh -m: the base text with every symbol a fragment sets removed, then the
/// fragment appended after a blank line, fragment after fragment.
pub fn merge_fragments(base: &str, fragments: &[String]) -> String {
    let mut merged = base.to_string();
    for fragment in fragments {
        let mut names = Vec::new();
        for line in fragment.lines() {
            if let Some(rest) = line.strip_prefix("CONFIG_") {
                if let Some((name, _)) = rest.split_once('=') {
                    names.push(format!("CONFIG_{name}"));
                }
            } else if let Some(rest) = line.strip_prefix("# CONFIG_") {
                if let Some(name) = rest.strip_suffix(" is not set") {
                    names.push(format!("CONFIG_{name}"));
                }
            }
        }
        for name in names {
            let eq = format!("{name}=");
            let sp = format!("{name} ");
            merged = merged
                .split_inclusive('\n')
                .filter(|line| !(line.contains(&eq) || line.contains(&sp)))
                .collect();
        }
        merged.push('\n');
        merged.push_str(fragment);
    }
    merged
}

/// Does some arch of the tree know the configuration target `name`: a file in its
/// configs/, a make rule of its Makefile, or one of MIPS's generated generic targets?
pub fn exists_for_some_arch(source: &dyn Source, srcarches: &[String], name: &str) -> bool {
    srcarches.iter().any(|arch| {
        matches!(
            source.read(&format!("arch/{arch}/configs/{name}")),
            Ok(Some(_))
        ) || (arch == "mips" && mips_generic(source, name).is_some())
            || source
                .read(&format!("arch/{arch}/Makefile"))
                .ok()
                .flatten()
                .is_some_and(|m| {
                    String::from_utf8_lossy(&m)
                        .lines()
                        .any(|l| l.trim_end() == format!("{name}:"))
                })
    })
}

/// The targets of gen_generic_defconfigs in arch/mips/Makefile: (32|64)(r1|r2|r6) and
/// micro32r2, each big endian or with `el` little endian.
fn mips_generic(source: &dyn Source, name: &str) -> Option<DefconfigRecipe> {
    let stem = name.strip_suffix("_defconfig")?;
    let (isa, endian) = match stem.strip_suffix("el") {
        Some(isa) => (isa, "el"),
        None => (stem, "eb"),
    };
    let known = ["32r1", "32r2", "32r6", "64r1", "64r2", "64r6", "micro32r2"];
    if !known.contains(&isa) {
        return None;
    }
    let dir = "arch/mips/configs/generic";
    let boards = source
        .list_dir(dir)
        .ok()??
        .into_iter()
        .filter(|f| f.starts_with("board-") && f.ends_with(".config"))
        .map(|f| format!("{dir}/{f}"))
        .collect();
    Some(DefconfigRecipe::MipsGeneric {
        base: "arch/mips/configs/generic_defconfig".to_string(),
        fragments: vec![
            format!("{dir}/{isa}.config"),
            format!("{dir}/{endian}.config"),
        ],
        boards,
    })
}

/// Does `config` (a .config text) meet a board fragment's `# require CONFIG_X=y|n` lines?
pub fn board_requirements_met(board: &str, config: &str) -> bool {
    for line in board.lines() {
        let Some(req) = line.strip_prefix("# require ") else {
            continue;
        };
        let req = req.trim();
        if let Some(name) = req.strip_suffix("=y") {
            let want = format!("{name}=y");
            if !config.lines().any(|l| l == want) {
                return false;
            }
        } else if let Some(name) = req.strip_suffix("=n") {
            let unwanted = format!("{name}=y");
            if config.lines().any(|l| l == unwanted) {
                return false;
            }
        }
    }
    true
}
