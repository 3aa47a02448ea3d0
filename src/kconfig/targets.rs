//! The kernel's configuration targets, as scripts/kconfig/conf.c runs them: which input is
//! read, which user values a mode sets, and what is written.

use super::confdata::{self, ReadWarning};
use super::model::*;
use super::resolve::{Config, Tristate};

/// A configuration target (`make <target>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    OldDefconfig,
    /// `defconfig` or `<name>_defconfig`: the base file's text is given by the caller.
    Defconfig,
    AllDefconfig,
    AllNoconfig,
    AllYesconfig,
    AllModconfig,
    SaveDefconfig,
}

impl Target {
    pub fn mode(&self) -> Option<Tristate> {
        match self {
            Target::AllNoconfig => Some(Tristate::No),
            Target::AllYesconfig => Some(Tristate::Yes),
            Target::AllModconfig => Some(Tristate::Mod),
            _ => None,
        }
    }
}

/// A named input file (a .config, a defconfig, a KCONFIG_ALLCONFIG file).
#[derive(Debug, Clone)]
pub struct InputFile {
    pub name: String,
    pub text: Vec<u8>,
}

/// The order conf's for_all_symbols() visits symbols: its hash table's buckets in order,
/// the most recently created symbol first within a bucket. Evaluation order decides the
/// order of conf's messages, and for 6.1 choices, results in rare dependency tangles.
pub fn hash_order(model: &Model, bool_choices: bool) -> Vec<SymbolId> {
    let size: u32 = if bool_choices { 1 << 14 } else { 9973 };
    let mut keyed: Vec<(u32, std::cmp::Reverse<u32>)> = model
        .symbols
        .iter()
        .enumerate()
        .skip(3)
        .map(|(index, sym)| {
            let hash = match &sym.name {
                Some(name) => {
                    let mut h: u32 = 2166136261;
                    for &b in name.as_bytes() {
                        // `char` is signed on the hosts conf is built for.
                        h = (h ^ (b as i8 as i32 as u32)).wrapping_mul(0x01000193);
                    }
                    h
                }
                None => 0,
            };
            (hash % size, std::cmp::Reverse(index as u32))
        })
        .collect();
    keyed.sort_unstable();
    keyed
        .into_iter()
        .map(|(_, std::cmp::Reverse(i))| SymbolId(i))
        .collect()
}

/// What a target produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The .config text (for savedefconfig: the minimal defconfig).
    pub config: String,
    pub read_warnings: Vec<ReadWarning>,
}

/// Run `target` on a finished configuration state. `input` is the .config (olddefconfig,
/// savedefconfig) or the defconfig file (defconfig); `allconfig` is KCONFIG_ALLCONFIG.
pub fn run(
    cfg: &mut Config<'_>,
    target: &Target,
    input: Option<&InputFile>,
    allconfig: Option<&InputFile>,
) -> Outcome {
    let mut read_warnings = Vec::new();
    let order = hash_order(cfg.model, cfg.bool_choices);
    match target {
        Target::OldDefconfig | Target::SaveDefconfig | Target::Defconfig => {
            if let Some(file) = input {
                conf_read(cfg, file, &order, &mut read_warnings);
            } else {
                cfg.changed = true;
                let modules = cfg.modules_sym();
                cfg.calc(modules);
            }
        }
        _ => {
            if let Some(file) = allconfig {
                let out = confdata::read_user_values(cfg, &file.name, &file.text);
                read_warnings.extend(out.warnings);
            }
        }
    }
    match target {
        Target::Defconfig | Target::AllDefconfig => set_all_new_symbols(cfg, None, &order),
        Target::AllNoconfig | Target::AllYesconfig | Target::AllModconfig => {
            set_all_new_symbols(cfg, target.mode(), &order)
        }
        _ => {}
    }
    let config = if *target == Target::SaveDefconfig {
        confdata::write_defconfig(cfg)
    } else {
        confdata::write_config(cfg)
    };
    Outcome {
        config,
        read_warnings,
    }
}

/// conf_read(NULL) as the interactive modes start: the .config if there is one.
pub fn read_existing(cfg: &mut Config<'_>, input: Option<&InputFile>) -> Vec<ReadWarning> {
    let mut warnings = Vec::new();
    match input {
        Some(file) => {
            let order = hash_order(cfg.model, cfg.bool_choices);
            conf_read(cfg, file, &order, &mut warnings);
        }
        None => {
            cfg.changed = true;
            let modules = cfg.modules_sym();
            cfg.calc(modules);
        }
    }
    warnings
}

/// conf_read(): read the file, then compute every symbol (as conf does, for its checks).
fn conf_read(
    cfg: &mut Config<'_>,
    file: &InputFile,
    order: &[SymbolId],
    warnings: &mut Vec<ReadWarning>,
) {
    cfg.changed = false;
    let out = confdata::read_user_values(cfg, &file.name, &file.text);
    let modules = cfg.modules_sym();
    cfg.calc(modules);
    if !cfg.check_pass && cfg.bool_choices {
        // Values come out the same without the pass; conf_write() then computes once.
        cfg.changed = true;
        warnings.extend(out.warnings);
        return;
    }
    let mut unsaved = 0usize;
    for &sym in order {
        cfg.calc(sym);
        let model = cfg.model;
        if model.symbol(sym).is_choice {
            continue;
        }
        let has = cfg.has_user_value(sym);
        let write = cfg.is_written(sym);
        if has && write {
            let same = match cfg.stype(sym) {
                SymbolType::Bool | SymbolType::Tristate => cfg.user_tri(sym) == Some(cfg.tri(sym)),
                _ => cfg.user_val(sym).map(str::to_string) == Some(cfg.string_value(sym)),
            };
            if same {
                continue;
            }
        } else if !has && !write {
            continue;
        }
        unsaved += 1;
    }
    if !cfg.bool_choices {
        // 6.1 resets out-of-range user values, and forgets the values of invisible
        // symbols when nothing else changed.
        for &sym in order {
            if !cfg.has_user_value(sym) || cfg.fin.is_choice_value[sym.0 as usize] {
                continue;
            }
            if cfg.visible(sym) == Tristate::No && unsaved == 0 {
                cfg.clear_user_flag_pub(sym);
            }
            if matches!(
                cfg.stype(sym),
                SymbolType::String | SymbolType::Int | SymbolType::Hex
            ) {
                // def[S_DEF_USER].val, whether or not the flag was just cleared.
                let value = cfg.raw_user_val(sym).unwrap_or("").to_string();
                if !string_within_range(cfg, sym, &value) {
                    cfg.clear_user_flag_pub(sym);
                    cfg.set_valid_pub(sym, false);
                    unsaved += 1;
                }
            }
        }
    }
    if !out.warnings.is_empty() || unsaved > 0 || !out.unknown_symbols.is_empty() {
        cfg.changed = true;
    }
    warnings.extend(out.warnings);
}

/// sym_string_within_range() for string, int and hex symbols.
fn string_within_range(cfg: &mut Config<'_>, sym: SymbolId, value: &str) -> bool {
    let stype = cfg.stype(sym);
    if !confdata::string_valid(stype, value) {
        return false;
    }
    let base = match stype {
        SymbolType::Int => 10,
        SymbolType::Hex => 16,
        _ => return true,
    };
    let Some((low, high)) = cfg.active_range(sym) else {
        return true;
    };
    let v = super::resolve::c_strtoll(value, base);
    v >= cfg.range_val(low, base) && v <= cfg.range_val(high, base)
}

/// conf_set_all_new_symbols(): give every symbol without a user value the mode's value.
fn set_all_new_symbols(cfg: &mut Config<'_>, mode: Option<Tristate>, order: &[SymbolId]) {
    let model = cfg.model;
    if cfg.bool_choices {
        for menu in model.menu_walk() {
            let entry = model.menu(menu);
            let Some(sym) = entry.sym else { continue };
            if entry.prompt.is_none()
                || cfg.has_user_value(sym)
                || !matches!(cfg.stype(sym), SymbolType::Bool | SymbolType::Tristate)
                || cfg.fin.is_choice_value[sym.0 as usize]
                || model.symbol(sym).is_choice
            {
                continue;
            }
            if let Some(val) = mode {
                cfg.set_user_tri(sym, val);
            }
        }
        cfg.clear_all_valid();
        return;
    }
    // 6.1: every symbol not yet computed, choices included, in hash order.
    for &sym in order {
        if cfg.has_user_value(sym) || cfg.state_valid_pub(sym) {
            continue;
        }
        if !matches!(
            cfg.effective_type(sym),
            SymbolType::Bool | SymbolType::Tristate
        ) {
            continue;
        }
        if let Some(val) = mode {
            cfg.set_user_tri(sym, val);
        }
    }
    cfg.clear_all_valid();
    for &sym in order {
        let is_choice = model.symbol(sym).is_choice;
        if (is_choice && !cfg.has_user_value(sym)) || cfg.fin.is_choice_value[sym.0 as usize] {
            cfg.v1.need_set.insert(sym);
        }
    }
    for &sym in order {
        if cfg.has_user_value(sym) || !model.symbol(sym).is_choice {
            continue;
        }
        cfg.calc(sym);
        cfg.set_all_choice_values_v1(sym);
    }
}
