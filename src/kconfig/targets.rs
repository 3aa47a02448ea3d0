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
        if model.symbol(sym).is_choice || model.symbol(sym).no_write {
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
            // allnoconfig answers y for `option allnoconfig_y` (before 5.13).
            let val = if val == Tristate::No && model.symbol(sym).allnoconfig_y {
                Tristate::Yes
            } else {
                val
            };
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

#[cfg(test)]
mod tests {
    use super::super::macros::{ShellPolicy, ShellRunner};
    use super::super::parser::Dialect;
    use super::*;
    use crate::source::MemSource;

    // Every expected .config here is what the 6.12 conf wrote for the same Kconfig
    // (`srctree=DIR scripts/kconfig/conf --<target> Kconfig` in an empty directory).
    const KCONFIG: &str = "config MODULES\n\tbool \"modules\"\n\tmodules\n\n\
        config A\n\ttristate \"a\"\n\tdefault y\n\n\
        config B\n\tbool \"b\"\n\tdepends on A\n\n\
        config N\n\tint \"n\"\n\tdefault 3\n\n\
        config S\n\tstring \"s\"\n\tdefault \"x\"\n";

    const HEADER: &str = "#\n# Automatically generated file; DO NOT EDIT.\n# Main menu\n#\n";

    fn run_target(target: Target, input: Option<&str>) -> Outcome {
        run_target_on(KCONFIG, Dialect::CURRENT, target, input)
    }

    fn run_target_on(
        kconfig: &str,
        dialect: Dialect,
        target: Target,
        input: Option<&str>,
    ) -> Outcome {
        let source = MemSource::new().with("Kconfig", kconfig);
        let model = crate::kconfig::parse_kconfig(
            &source,
            "Kconfig",
            std::collections::HashMap::new(),
            ShellRunner::new(ShellPolicy::Never),
            dialect,
        );
        assert!(model.diagnostics.is_empty(), "{:?}", model.diagnostics);
        let bool_choices = dialect.bool_choices_only();
        let fin = crate::kconfig::finalize::finalize(&model, bool_choices);
        let mut cfg = Config::new(&model, &fin, bool_choices);
        let input = input.map(|text| InputFile {
            name: ".config".to_string(),
            text: text.as_bytes().to_vec(),
        });
        run(&mut cfg, &target, input.as_ref(), None)
    }

    #[test]
    fn allnoconfig_sets_every_prompted_bool_and_tristate_to_n() {
        let out = run_target(Target::AllNoconfig, None);
        assert_eq!(
            out.config,
            format!(
                "{HEADER}# CONFIG_MODULES is not set\n# CONFIG_A is not set\n\
                 CONFIG_N=3\nCONFIG_S=\"x\"\n"
            )
        );
    }

    #[test]
    fn allmodconfig_makes_tristates_m_and_bools_on_m_y() {
        let out = run_target(Target::AllModconfig, None);
        assert_eq!(
            out.config,
            format!(
                "{HEADER}CONFIG_MODULES=y\nCONFIG_A=m\nCONFIG_B=y\n\
                 CONFIG_N=3\nCONFIG_S=\"x\"\n"
            )
        );
    }

    #[test]
    fn alldefconfig_takes_the_defaults() {
        let out = run_target(Target::AllDefconfig, None);
        assert_eq!(
            out.config,
            format!(
                "{HEADER}# CONFIG_MODULES is not set\nCONFIG_A=y\n# CONFIG_B is not set\n\
                 CONFIG_N=3\nCONFIG_S=\"x\"\n"
            )
        );
    }

    #[test]
    fn olddefconfig_keeps_valid_values_and_warns_about_invalid_ones() {
        let input =
            "CONFIG_MODULES=y\nCONFIG_A=m\nCONFIG_N=x\nCONFIG_NOPE=y\nCONFIG_S=\"a\\\"b\"\n";
        let out = run_target(Target::OldDefconfig, Some(input));
        assert_eq!(
            out.config,
            format!(
                "{HEADER}CONFIG_MODULES=y\nCONFIG_A=m\n# CONFIG_B is not set\n\
                 CONFIG_N=3\nCONFIG_S=\"a\\\"b\"\n"
            )
        );
        let warnings: Vec<String> = out.read_warnings.iter().map(|w| w.to_string()).collect();
        assert_eq!(
            warnings,
            vec![".config:3:warning: symbol value 'x' invalid for N"]
        );
    }

    #[test]
    fn savedefconfig_keeps_only_what_differs_from_the_defaults() {
        let input = "CONFIG_MODULES=y\nCONFIG_A=m\nCONFIG_N=3\nCONFIG_S=\"a\\\"b\"\n";
        let out = run_target(Target::SaveDefconfig, Some(input));
        assert_eq!(
            out.config,
            "CONFIG_MODULES=y\nCONFIG_A=m\nCONFIG_S=\"a\\\"b\"\n"
        );
    }

    // The `option` statements of kernels before 5.13. The expected outputs are what 5.10's
    // conf wrote for this Kconfig.
    const KCONFIG_OPTIONS: &str = "config DEFCONFIG_LIST\n\tstring\n\toption defconfig_list\n\
        \tdefault \"/nonexistent/.config\"\n\n\
        config MODULES\n\tbool \"modules\"\n\toption modules\n\n\
        config EMBEDDED\n\tbool \"embedded\"\n\toption allnoconfig_y\n\tselect EXPERT\n\n\
        config EXPERT\n\tbool \"expert\"\n\n\
        menu \"Empty\"\nendmenu\n\n\
        menu \"Full\"\n\nconfig A\n\ttristate \"a\"\n\nendmenu\n";

    #[test]
    fn option_statements_as_the_conf_of_their_time() {
        let dialect = Dialect::TRISTATE_CHOICES;
        // allnoconfig_y answers y; the defconfig_list symbol is not written; the empty menu
        // gets no `# end of`.
        let out = run_target_on(KCONFIG_OPTIONS, dialect, Target::AllNoconfig, None);
        assert_eq!(
            out.config,
            format!(
                "{HEADER}# CONFIG_MODULES is not set\nCONFIG_EMBEDDED=y\nCONFIG_EXPERT=y\n\n\
                 #\n# Empty\n#\n\n#\n# Full\n#\n# CONFIG_A is not set\n# end of Full\n"
            )
        );
        let out = run_target_on(KCONFIG_OPTIONS, dialect, Target::AllModconfig, None);
        assert!(out.config.contains("CONFIG_MODULES=y\nCONFIG_EMBEDDED=y\n"));
        assert!(out.config.contains("CONFIG_A=m\n# end of Full\n"));
        let input = "CONFIG_DEFCONFIG_LIST=\"/x\"\nCONFIG_MODULES=y\nCONFIG_EMBEDDED=y\n\
                     CONFIG_EXPERT=y\nCONFIG_A=m\n";
        let out = run_target_on(KCONFIG_OPTIONS, dialect, Target::SaveDefconfig, Some(input));
        assert_eq!(
            out.config,
            "CONFIG_MODULES=y\nCONFIG_EMBEDDED=y\nCONFIG_A=m\n"
        );
    }

    #[test]
    fn an_empty_menu_is_closed_without_option_statements() {
        let kconfig = "menu \"Empty\"\nendmenu\n";
        let out = run_target_on(kconfig, Dialect::CURRENT, Target::AllNoconfig, None);
        assert_eq!(
            out.config,
            format!("{HEADER}\n#\n# Empty\n#\n# end of Empty\n")
        );
    }

    #[test]
    fn only_the_all_targets_force_a_value() {
        assert_eq!(Target::AllNoconfig.mode(), Some(Tristate::No));
        assert_eq!(Target::AllModconfig.mode(), Some(Tristate::Mod));
        assert_eq!(Target::AllYesconfig.mode(), Some(Tristate::Yes));
        assert_eq!(Target::AllDefconfig.mode(), None);
        assert_eq!(Target::OldDefconfig.mode(), None);
    }
}
