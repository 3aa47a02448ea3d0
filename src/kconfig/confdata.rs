//! .config files: reading them as conf_read_simple() does and writing them as conf_write()
//! and conf_write_defconfig() do (scripts/kconfig/confdata.c), byte for byte.

use super::model::*;
use super::resolve::{Config, Tristate};

/// A message conf prints while reading a configuration file (conf_warning()).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReadWarning {
    pub file: String,
    pub line: u32,
    pub message: String,
}

impl std::fmt::Display for ReadWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:warning: {}", self.file, self.line, self.message)
    }
}

/// What reading a file changed, for conf_read()'s bookkeeping.
#[derive(Debug, Default)]
pub struct ReadOutcome {
    pub warnings: Vec<ReadWarning>,
    /// A line named a symbol the tree does not have.
    pub unknown_symbols: Vec<String>,
}

/// One line of a `.config`, as conf_read_simple() reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigLine<'a> {
    /// `CONFIG_X=value`, or `# CONFIG_X is not set` (value `n`). `name` has no prefix.
    Assign { name: &'a str, value: &'a str },
    /// A line conf warns about ("unexpected data").
    Unexpected(&'a str),
    /// Blank lines and comments.
    Skip,
}

/// The lines of a `.config` with their 1-based numbers: the one reader of `.config` text,
/// for conf's passes, the series engine and the Kbuild walk alike.
pub fn config_lines(text: &str) -> impl Iterator<Item = (u32, ConfigLine<'_>)> {
    let text = text.strip_suffix('\n').unwrap_or(text);
    text.split('\n').enumerate().map(|(index, raw)| {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        (index as u32 + 1, parse_config_line(line))
    })
}

fn parse_config_line(line: &str) -> ConfigLine<'_> {
    if line.is_empty() {
        return ConfigLine::Skip;
    }
    if let Some(rest) = line.strip_prefix('#') {
        let not_set = rest
            .strip_prefix(' ')
            .and_then(|r| r.strip_prefix("CONFIG_"))
            .and_then(|r| r.split_once(' '))
            .filter(|(_, tail)| *tail == "is not set");
        return match not_set {
            Some((name, _)) => ConfigLine::Assign { name, value: "n" },
            None => ConfigLine::Skip,
        };
    }
    match line
        .strip_prefix("CONFIG_")
        .and_then(|rest| rest.split_once('='))
    {
        Some((name, value)) => ConfigLine::Assign { name, value },
        None => ConfigLine::Unexpected(line),
    }
}

/// The assignments of a `.config`, in order (a later one for the same name wins).
pub fn config_assignments(text: &str) -> impl Iterator<Item = (&str, &str)> {
    config_lines(text).filter_map(|(_, line)| match line {
        ConfigLine::Assign { name, value } => Some((name, value)),
        _ => None,
    })
}

/// conf_read_simple(name, S_DEF_USER): user values from `text`, later lines winning.
pub fn read_user_values(cfg: &mut Config<'_>, file: &str, text: &[u8]) -> ReadOutcome {
    let mut out = ReadOutcome::default();
    let model = cfg.model;
    for index in 3..model.symbols.len() {
        cfg.clear_user(SymbolId(index as u32));
    }
    cfg.invalidate_all();
    // 6.1: a choice's user value is the member set to y; start from none.
    cfg.reset_choice_user_values();
    let text = String::from_utf8_lossy(text);
    for (lineno, line) in config_lines(&text) {
        let warn = |out: &mut ReadOutcome, message: String| {
            out.warnings.push(ReadWarning {
                file: file.to_string(),
                line: lineno,
                message,
            })
        };
        let (name, value) = match line {
            ConfigLine::Assign { name, value } => (name, value),
            ConfigLine::Unexpected(line) => {
                warn(&mut out, format!("unexpected data: {line}"));
                continue;
            }
            ConfigLine::Skip => continue,
        };
        let Some(sym) = model.lookup(name) else {
            out.unknown_symbols.push(name.to_string());
            cfg.changed = true;
            continue;
        };
        if cfg.has_user_value(sym) {
            warn(&mut out, format!("override: reassigning to symbol {name}"));
        }
        if let Err(message) = set_sym_value(cfg, sym, value) {
            if let Some(message) = message {
                warn(&mut out, message);
            }
            continue;
        }
        cfg.after_user_value(sym, &mut |message| warn(&mut out, message));
    }
    for w in &out.warnings {
        cfg.messages.push(format!("{w}\n"));
    }
    out
}

/// conf_set_sym_val() for S_DEF_USER. `Err(None)` means "ignored without a word".
fn set_sym_value(cfg: &mut Config<'_>, sym: SymbolId, value: &str) -> Result<(), Option<String>> {
    let name = cfg.model.sym_name(sym).to_string();
    let invalid = || Some(format!("symbol value '{value}' invalid for {name}"));
    match cfg.stype(sym) {
        SymbolType::Bool | SymbolType::Tristate => {
            let tri = match value.as_bytes().first() {
                Some(b'm') if cfg.stype(sym) == SymbolType::Tristate => Tristate::Mod,
                Some(b'y') => Tristate::Yes,
                Some(b'n') => Tristate::No,
                _ => return Err(invalid()),
            };
            cfg.set_user_tri(sym, tri);
            Ok(())
        }
        SymbolType::String => {
            let Some(body) = value.strip_prefix('"') else {
                // conf silently ignores an unquoted string value.
                return Ok(());
            };
            let mut result = String::new();
            let mut chars = body.chars();
            let mut closed = false;
            while let Some(c) = chars.next() {
                match c {
                    '"' => {
                        closed = true;
                        break;
                    }
                    '\\' => {
                        if let Some(next) = chars.next() {
                            result.push(next);
                        }
                    }
                    other => result.push(other),
                }
            }
            if !closed {
                return Err(Some("invalid string found".to_string()));
            }
            cfg.set_user_val(sym, result);
            Ok(())
        }
        SymbolType::Int | SymbolType::Hex => {
            if string_valid(cfg.stype(sym), value) {
                cfg.set_user_val(sym, value.to_string());
                Ok(())
            } else {
                Err(invalid())
            }
        }
        SymbolType::Unknown => Err(None),
    }
}

/// sym_string_valid().
pub fn string_valid(stype: SymbolType, text: &str) -> bool {
    let b = text.as_bytes();
    match stype {
        SymbolType::String => true,
        SymbolType::Int => {
            let mut i = 0;
            if b.first() == Some(&b'-') {
                i = 1;
            }
            let Some(&first) = b.get(i) else {
                return false;
            };
            if !first.is_ascii_digit() {
                return false;
            }
            if first == b'0' && i + 1 < b.len() {
                return false;
            }
            b[i + 1..].iter().all(|c| c.is_ascii_digit())
        }
        SymbolType::Hex => {
            let digits = if b.len() >= 2 && b[0] == b'0' && (b[1] == b'x' || b[1] == b'X') {
                &b[2..]
            } else {
                b
            };
            // A bare "0x" passes in conf too: its do-while tests the terminating NUL? No:
            // isxdigit('\0') is false, so an empty digit string is invalid.
            !digits.is_empty() && digits.iter().all(|c| c.is_ascii_hexdigit())
        }
        SymbolType::Bool | SymbolType::Tristate => {
            matches!(b.first(), Some(b'y' | b'Y' | b'm' | b'M' | b'n' | b'N'))
        }
        SymbolType::Unknown => false,
    }
}

/// escape_string_value(): quote a string value, escaping `"` and `\`.
fn escape_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// print_symbol_for_dotconfig().
fn print_symbol(cfg: &mut Config<'_>, sym: SymbolId, out: &mut String) {
    let stype = cfg.stype(sym);
    // `transitional` symbols (6.18) are read from a .config but never written back.
    if stype == SymbolType::Unknown || cfg.model.symbol(sym).transitional {
        return;
    }
    let name = cfg.model.sym_name(sym).to_string();
    let value = cfg.string_value(sym);
    if matches!(stype, SymbolType::Bool | SymbolType::Tristate) && value.starts_with('n') {
        out.push_str(&format!("# CONFIG_{name} is not set\n"));
        return;
    }
    let value = if stype == SymbolType::String {
        escape_string(&value)
    } else {
        value
    };
    out.push_str(&format!("CONFIG_{name}={value}\n"));
}

/// menu_is_visible() for entries without a symbol (menus and comments).
pub fn menu_is_visible(cfg: &mut Config<'_>, menu: MenuId) -> bool {
    let model = cfg.model;
    let entry = model.menu(menu);
    let Some(prompt) = entry.prompt else {
        return false;
    };
    if let Some(vis) = &entry.visibility {
        if cfg.eval(vis) == Tristate::No {
            return false;
        }
    }
    if let Some(sym) = entry.sym {
        cfg.calc(sym);
        let visible = cfg.eval_opt(cfg.fin.prop_cond[prompt.0 as usize].as_ref());
        if visible != Tristate::No {
            return true;
        }
        if cfg.tri(sym) == Tristate::No {
            return false;
        }
        // The finalized tree: automatic submenus count as children.
        let fin = cfg.fin;
        return (fin.children[menu.0 as usize].iter()).any(|&c| menu_is_visible(cfg, c));
    }
    cfg.eval_opt(cfg.fin.prop_cond[prompt.0 as usize].as_ref()) != Tristate::No
}

/// conf_write(): the whole .config text.
pub fn write_config(cfg: &mut Config<'_>) -> String {
    let model = cfg.model;
    let title = model
        .menu(Model::ROOT)
        .prompt
        .and_then(|p| model.prop(p).text.clone())
        .unwrap_or_default();
    let mut out = format!("#\n# Automatically generated file; DO NOT EDIT.\n# {title}\n#\n");
    if !cfg.changed {
        cfg.clear_all_valid();
    }
    let mut written = vec![false; model.symbols.len()];
    let mut need_newline = false;
    write_children(cfg, Model::ROOT, &mut out, &mut written, &mut need_newline);
    out
}

fn write_children(
    cfg: &mut Config<'_>,
    parent: MenuId,
    out: &mut String,
    written: &mut [bool],
    need_newline: &mut bool,
) {
    let model = cfg.model;
    for &menu in &model.menu(parent).children {
        let entry = model.menu(menu);
        match entry.sym {
            None => {
                if menu_is_visible(cfg, menu) {
                    let text = entry
                        .prompt
                        .and_then(|p| model.prop(p).text.as_deref())
                        .unwrap_or("");
                    out.push_str(&format!("\n#\n# {text}\n#\n"));
                    *need_newline = false;
                }
            }
            Some(sym) => {
                if !model.symbol(sym).is_choice && !written[sym.0 as usize] && cfg.is_written(sym) {
                    if *need_newline {
                        out.push('\n');
                        *need_newline = false;
                    }
                    written[sym.0 as usize] = true;
                    print_symbol(cfg, sym, out);
                }
            }
        }
        write_children(cfg, menu, out, written, need_newline);
        // The conf of kernels before 5.13 wrote `# end of` while climbing back from a
        // menu's last entry, so an empty menu got none.
        let closes = !model.option_statements || !entry.children.is_empty();
        if entry.sym.is_none()
            && entry.prompt.map(|p| model.prop(p).kind) == Some(PropKind::Menu)
            && closes
            && menu_is_visible(cfg, menu)
        {
            let text = entry
                .prompt
                .and_then(|p| model.prop(p).text.as_deref())
                .unwrap_or("");
            out.push_str(&format!("# end of {text}\n"));
            *need_newline = true;
        }
    }
}

/// conf_write_defconfig(): the minimal configuration (`make savedefconfig`).
pub fn write_defconfig(cfg: &mut Config<'_>) -> String {
    let model = cfg.model;
    cfg.clear_all_valid();
    let mut out = String::new();
    let mut done = vec![false; model.symbols.len()];
    for menu in model.menu_walk() {
        let Some(sym) = model.menu(menu).sym else {
            continue;
        };
        if model.symbol(sym).is_choice || done[sym.0 as usize] {
            continue;
        }
        if !cfg.is_written(sym) {
            continue;
        }
        done[sym.0 as usize] = true;
        if !cfg.is_changeable(sym) {
            continue;
        }
        let value = cfg.string_value(sym);
        if value == cfg.string_default(sym) {
            continue;
        }
        if let Some(choice) = cfg.fin.choice_of[sym.0 as usize] {
            if cfg.is_choice_default_member(choice, sym) && cfg.tri(sym) == Tristate::Yes {
                continue;
            }
        }
        print_symbol(cfg, sym, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // What sym_string_valid() in scripts/kconfig/symbol.c accepts.
    #[test]
    fn int_values_are_decimal_without_leading_zeros() {
        for ok in ["0", "7", "-3", "1234"] {
            assert!(string_valid(SymbolType::Int, ok), "{ok}");
        }
        for bad in ["", "-", "07", "x", "1x", "0x10", " 1"] {
            assert!(!string_valid(SymbolType::Int, bad), "{bad:?}");
        }
    }

    #[test]
    fn hex_values_take_an_optional_prefix() {
        for ok in ["0x10", "0XfF", "10", "abc"] {
            assert!(string_valid(SymbolType::Hex, ok), "{ok}");
        }
        for bad in ["", "0x", "g1", "-1"] {
            assert!(!string_valid(SymbolType::Hex, bad), "{bad:?}");
        }
    }

    #[test]
    fn strings_take_anything_and_tristates_their_three_values() {
        assert!(string_valid(SymbolType::String, ""));
        assert!(string_valid(SymbolType::String, "any \"thing\""));
        for ok in ["y", "m", "n"] {
            assert!(string_valid(SymbolType::Tristate, ok), "{ok}");
        }
        assert!(!string_valid(SymbolType::Bool, "x"));
    }

    #[test]
    fn warnings_print_as_conf_warning_does() {
        let w = ReadWarning {
            file: ".config".to_string(),
            line: 3,
            message: "symbol value 'x' invalid for N".to_string(),
        };
        assert_eq!(
            w.to_string(),
            ".config:3:warning: symbol value 'x' invalid for N"
        );
    }
}
