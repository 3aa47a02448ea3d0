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
    Merge { base: String, fragments: Vec<String> },
    /// MIPS "generic" defconfigs (`32r2el_defconfig`): generic_defconfig plus ISA and
    /// endianness fragments, then every board fragment whose `# require` lines the
    /// intermediate configuration meets (arch/mips/tools/generic-board-config.sh).
    MipsGeneric {
        base: String,
        fragments: Vec<String>,
        boards: Vec<String>,
    },
}

fn host_uname() -> String {
    std::env::consts::ARCH.to_string()
}

/// Expand the few make functions these Makefiles use around KBUILD_DEFCONFIG.
fn expand(text: &str, vars: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("$(") {
        out.push_str(&rest[..start]);
        let body_start = start + 2;
        let mut depth = 1;
        let mut end = body_start;
        for (i, c) in rest[body_start..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = body_start + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let body = &rest[body_start..end];
        out.push_str(&eval_call(body, vars));
        rest = &rest[(end + 1).min(rest.len())..];
    }
    out.push_str(rest);
    out
}

fn split_args(body: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in body.chars() {
        match c {
            '(' => {
                depth += 1;
                current.push(c)
            }
            ')' => {
                depth -= 1;
                current.push(c)
            }
            ',' if depth == 0 => args.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    args.push(current);
    args
}

fn eval_call(body: &str, vars: &[(String, String)]) -> String {
    if let Some(cmd) = body.strip_prefix("shell ") {
        let uname = host_uname();
        if cmd.contains("uname -m") {
            if cmd.contains("s/i.86/i386/") && uname.len() == 4 && uname.starts_with('i') && uname.ends_with("86") {
                return "i386".to_string();
            }
            return uname;
        }
        return String::new();
    }
    if let Some(args) = body.strip_prefix("if ") {
        let args = split_args(args);
        let cond = expand(args.first().map(String::as_str).unwrap_or(""), vars);
        let pick = if !cond.trim().is_empty() { args.get(1) } else { args.get(2) };
        return pick.map(|a| expand(a, vars)).unwrap_or_default();
    }
    if let Some(args) = body.strip_prefix("filter ") {
        let args = split_args(args);
        let patterns: Vec<String> = expand(&args[0], vars).split_whitespace().map(String::from).collect();
        let words = expand(args.get(1).map(String::as_str).unwrap_or(""), vars);
        return words
            .split_whitespace()
            .filter(|w| {
                patterns.iter().any(|p| match p.split_once('%') {
                    Some((pre, post)) => w.starts_with(pre) && w.ends_with(post) && w.len() >= pre.len() + post.len(),
                    None => w == p,
                })
            })
            .collect::<Vec<_>>()
            .join(" ");
    }
    vars.iter()
        .find(|(n, _)| n == body.trim())
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn condition_holds(line: &str, vars: &[(String, String)]) -> Option<bool> {
    let (negate, rest) = if let Some(r) = line.strip_prefix("ifeq") {
        (false, r)
    } else if let Some(r) = line.strip_prefix("ifneq") {
        (true, r)
    } else if let Some(r) = line.strip_prefix("ifdef") {
        let value = eval_call(r.trim(), vars);
        return Some(!value.is_empty());
    } else if let Some(r) = line.strip_prefix("ifndef") {
        let value = eval_call(r.trim(), vars);
        return Some(value.is_empty());
    } else {
        return None;
    };
    let inner = rest.trim().trim_start_matches('(').trim_end_matches(')');
    let args = split_args(inner);
    let a = expand(args.first().map(String::as_str).unwrap_or("").trim(), vars);
    let b = expand(args.get(1).map(String::as_str).unwrap_or("").trim(), vars);
    Some((a == b) != negate)
}

/// KBUILD_DEFCONFIG for this arch, as arch/<srcarch>/Makefile sets it (default `defconfig`).
pub fn kbuild_defconfig(source: &dyn Source, env: &KernelEnv) -> String {
    let path = format!("arch/{}/Makefile", env.srcarch);
    let text = match source.read(&path) {
        Ok(Some(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
        _ => return "defconfig".to_string(),
    };
    let mut vars: Vec<(String, String)> = vec![
        ("ARCH".to_string(), env.arch.clone()),
        ("SRCARCH".to_string(), env.srcarch.clone()),
        ("SUBARCH".to_string(), super::env::host_arch()),
    ];
    let mut result = "defconfig".to_string();
    // Each level: (this branch active, some branch of this chain already taken).
    let mut stack: Vec<(bool, bool)> = Vec::new();
    for raw in text.lines() {
        let line = raw.trim();
        let active = stack.iter().all(|(a, _)| *a);
        if let Some(rest) = line.strip_prefix("else") {
            if let Some((cur, taken)) = stack.pop() {
                let taken = taken || cur;
                let outer = stack.iter().all(|(a, _)| *a);
                let rest = rest.trim();
                let now = if rest.is_empty() {
                    !taken
                } else {
                    !taken && condition_holds(rest, &vars).unwrap_or(false)
                };
                let _ = outer;
                stack.push((now, taken));
            }
            continue;
        }
        if line.starts_with("endif") {
            stack.pop();
            continue;
        }
        if let Some(holds) = condition_holds(line, &vars) {
            stack.push((holds, false));
            continue;
        }
        if !active {
            continue;
        }
        for op in [":=", "?=", "="] {
            if let Some((name, value)) = line.split_once(op) {
                let name = name.trim();
                if name.contains(' ') || name.contains('$') || name.is_empty() {
                    break;
                }
                let value = expand(value.trim(), &vars);
                if name == "KBUILD_DEFCONFIG" {
                    result = value.clone();
                }
                vars.retain(|(n, _)| n != name);
                vars.push((name.to_string(), value));
                break;
            }
        }
    }
    result
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
    let makefile = source.read(&format!("arch/{}/Makefile", env.srcarch)).ok()??;
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
        fragments: vec![format!("{dir}/{isa}.config"), format!("{dir}/{endian}.config")],
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
