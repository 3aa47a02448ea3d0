//! conf's line-oriented front end (`make oldconfig`, `make config`): conf(), check_conf(),
//! conf_sym(), conf_string() and conf_choice() from scripts/kconfig/conf.c, answering from
//! a list of input lines (then empty lines, as the kernel's tests feed it). Output is
//! conf's standard output, answers echoed as conf echoes them when stdin is not a
//! terminal. Follows the 6.11+ choice semantics.

use super::model::*;
use super::resolve::{Config, Tristate};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AskMode {
    /// `--oldaskconfig` (`make config`): ask every visible question.
    OldAsk,
    /// `--oldconfig`: ask only for symbols without a value.
    Old,
}

pub struct Asker<'c, 'm, I: Iterator<Item = String>> {
    pub cfg: &'c mut Config<'m>,
    input: I,
    mode: AskMode,
    indent: usize,
    root_entry: MenuId,
    conf_cnt: usize,
    pub out: String,
    line: String,
}

/// Run conf's interactive mode on a configuration already read (conf_read()).
pub fn run(cfg: &mut Config<'_>, mode: AskMode, answers: &[String]) -> String {
    let input = answers
        .iter()
        .cloned()
        .chain(std::iter::repeat(String::new()));
    let mut asker = Asker {
        cfg,
        input,
        mode,
        indent: 1,
        root_entry: Model::ROOT,
        conf_cnt: 0,
        out: String::new(),
        line: String::new(),
    };
    if mode == AskMode::OldAsk {
        asker.conf(Model::ROOT);
        asker.mode = AskMode::Old;
    }
    loop {
        asker.conf_cnt = 0;
        asker.check_conf(Model::ROOT);
        if asker.conf_cnt == 0 {
            break;
        }
    }
    asker.out
}

impl<'m, I: Iterator<Item = String>> Asker<'_, 'm, I> {
    /// The finalized tree's children of `menu`, borrowed from the tree, not from `self`.
    fn children(&self, menu: MenuId) -> &'m [MenuId] {
        let fin: &'m super::finalize::Finalized = self.cfg.fin;
        &fin.children[menu.0 as usize]
    }

    /// menu_is_visible().
    fn visible(&mut self, menu: MenuId) -> bool {
        super::confdata::menu_is_visible(self.cfg, menu)
    }

    fn read_line(&mut self) {
        let answer = self.input.next().unwrap_or_default();
        self.line = format!("{answer}\n");
        self.out.push_str(&self.line);
    }

    fn pad(&self, width: usize, c: char) -> String {
        format!("{}{c}", " ".repeat(width.saturating_sub(1)))
    }

    /// conf_askvalue(): false when the current value stands without asking.
    fn ask_value(&mut self, sym: SymbolId, def: &str) -> bool {
        if !self.cfg.has_user_value(sym) {
            self.out.push_str("(NEW) ");
        }
        self.line = "\n".to_string();
        if !self.cfg.is_changeable(sym)
            || (self.mode == AskMode::Old && self.cfg.has_user_value(sym))
        {
            self.out.push_str(&format!("{def}\n"));
            return false;
        }
        self.read_line();
        true
    }

    fn prompt_text(&self, menu: MenuId) -> String {
        let model = self.cfg.model;
        let entry = model.menu(menu);
        match entry.prompt {
            Some(p) => model
                .prop(p)
                .text
                .as_deref()
                .unwrap_or_default()
                .to_string(),
            None => entry
                .sym
                .map(|s| model.sym_name(s).to_string())
                .unwrap_or_default(),
        }
    }

    fn conf_sym(&mut self, menu: MenuId, sym: SymbolId) {
        loop {
            let text = format!(
                "{}{} ({}) [",
                " ".repeat(self.indent - 1),
                self.prompt_text(menu),
                self.cfg.model.sym_name(sym)
            );
            self.out.push_str(&text);
            let old = self.cfg.tri(sym);
            self.out.push(old.as_char().to_ascii_uppercase());
            for (val, label) in [
                (Tristate::No, "/n"),
                (Tristate::Mod, "/m"),
                (Tristate::Yes, "/y"),
            ] {
                if old != val && self.within_range(sym, val) {
                    self.out.push_str(label);
                }
            }
            self.out.push_str("/?] ");
            let def = self.cfg.string_value(sym);
            if !self.ask_value(sym, &def) {
                return;
            }
            let answer = self.line.trim().to_string();
            let new = match answer.as_str() {
                "n" | "N" | "no" | "No" | "nO" | "NO" => Tristate::No,
                "m" | "M" => Tristate::Mod,
                "y" | "Y" | "yes" | "Yes" | "yES" | "YES" | "yEs" | "YeS" | "yeS" | "YEs" => {
                    Tristate::Yes
                }
                "" => old,
                _ if answer.starts_with('?') => {
                    self.print_help(menu);
                    continue;
                }
                _ => continue,
            };
            if self.set_tristate(sym, new) {
                return;
            }
            self.print_help(menu);
        }
    }

    fn conf_string(&mut self, menu: MenuId, sym: SymbolId) {
        loop {
            let text = format!(
                "{}{} ({}) ",
                " ".repeat(self.indent - 1),
                self.prompt_text(menu),
                self.cfg.model.sym_name(sym)
            );
            self.out.push_str(&text);
            let def = self.cfg.string_value(sym);
            self.out.push_str(&format!("[{def}] "));
            if !self.ask_value(sym, &def) {
                return;
            }
            let value = if self.line == "\n" {
                def
            } else if self.line == "?\n" {
                self.print_help(menu);
                continue;
            } else {
                self.line.trim_end_matches('\n').to_string()
            };
            if self.set_string(sym, &value) {
                return;
            }
        }
    }

    fn conf_choice(&mut self, menu: MenuId) {
        loop {
            let text = format!(
                "{}{}\n",
                " ".repeat(self.indent - 1),
                self.prompt_text(menu)
            );
            self.out.push_str(&text);
            let def_sym = self.cfg.calc_choice(menu);
            let mut cnt: i64 = 0;
            let mut def: i64 = 0;
            let mut is_new = false;
            self.line.clear();
            for &child in self.children(menu) {
                if !self.visible(child) {
                    continue;
                }
                let Some(sym) = self.cfg.model.menu(child).sym else {
                    let line = format!(
                        "{} {}\n",
                        self.pad(self.indent, '*'),
                        self.prompt_text(child)
                    );
                    self.out.push_str(&line);
                    continue;
                };
                cnt += 1;
                let marker = if Some(sym) == def_sym {
                    def = cnt;
                    '>'
                } else {
                    ' '
                };
                let mut line = format!(
                    "{} {}. {} ({})",
                    self.pad(self.indent, marker),
                    cnt,
                    self.prompt_text(child),
                    self.cfg.model.sym_name(sym)
                );
                if !self.cfg.has_user_value(sym) {
                    is_new = true;
                    line.push_str(" (NEW)");
                }
                line.push('\n');
                self.out.push_str(&line);
            }
            let head = format!("{}choice", " ".repeat(self.indent - 1));
            self.out.push_str(&head);
            let mut pick: i64 = cnt;
            if cnt == 1 {
                self.out.push_str("[1]: 1\n");
            } else {
                self.out.push_str(&format!("[1-{cnt}?]: "));
                if self.mode == AskMode::Old && !is_new {
                    pick = def;
                    self.out.push_str(&format!("{pick}\n"));
                } else {
                    self.read_line();
                    let answer = self.line.trim().to_string();
                    if answer.starts_with('?') {
                        self.print_help(menu);
                        continue;
                    }
                    if answer.is_empty() {
                        pick = def;
                    } else if answer.as_bytes()[0].is_ascii_digit() {
                        let digits: String =
                            answer.chars().take_while(|c| c.is_ascii_digit()).collect();
                        pick = digits.parse().unwrap_or(0);
                    } else {
                        continue;
                    }
                }
            }
            let mut chosen = None;
            let mut remaining = pick;
            for &child in self.children(menu) {
                let Some(sym) = self.cfg.model.menu(child).sym else {
                    continue;
                };
                if !self.visible(child) {
                    continue;
                }
                remaining -= 1;
                if remaining == 0 {
                    chosen = Some(sym);
                    break;
                }
            }
            let Some(chosen) = chosen else { continue };
            self.choice_set_value(menu, chosen);
            return;
        }
    }

    /// conf().
    fn conf(&mut self, menu: MenuId) {
        if !self.visible(menu) {
            return;
        }
        let model = self.cfg.model;
        let entry = model.menu(menu);
        if let Some(prompt) = entry.prompt {
            let kind = model.prop(prompt).kind;
            if kind == PropKind::Menu && self.mode != AskMode::OldAsk && self.root_entry != menu {
                self.check_conf(menu);
                return;
            }
            if matches!(kind, PropKind::Menu | PropKind::Comment) {
                let star = self.pad(self.indent, '*');
                let text = format!("{star}\n{star} {}\n{star}\n", self.prompt_text(menu));
                self.out.push_str(&text);
            }
        }
        if let Some(sym) = entry.sym {
            if model.symbol(sym).is_choice {
                self.conf_choice(menu);
                return;
            }
            match self.cfg.stype(sym) {
                SymbolType::Int | SymbolType::Hex | SymbolType::String => {
                    self.conf_string(menu, sym)
                }
                _ => self.conf_sym(menu, sym),
            }
            self.indent += 2;
        }
        for &child in self.children(menu) {
            self.conf(child);
        }
        if entry.sym.is_some() {
            self.indent -= 2;
        }
    }

    /// check_conf(): ask again from the enclosing menu when a symbol has no value yet.
    fn check_conf(&mut self, menu: MenuId) {
        if !self.visible(menu) {
            return;
        }
        if let Some(sym) = self.cfg.model.menu(menu).sym {
            if !self.cfg.has_user_value(sym) && self.cfg.is_changeable(sym) {
                if self.conf_cnt == 0 {
                    self.out.push_str("*\n* Restart config...\n*\n");
                }
                self.conf_cnt += 1;
                self.root_entry = self.parent_menu(menu);
                self.conf(self.root_entry);
            }
        }
        for &child in self.children(menu) {
            self.check_conf(child);
        }
    }

    /// menu_get_parent_menu().
    fn parent_menu(&self, menu: MenuId) -> MenuId {
        let model = self.cfg.model;
        let mut m = menu;
        while m != Model::ROOT {
            if model
                .menu(m)
                .prompt
                .is_some_and(|p| model.prop(p).kind == PropKind::Menu)
            {
                break;
            }
            m = self.cfg.fin.parent[m.0 as usize].unwrap_or(Model::ROOT);
        }
        m
    }

    fn print_help(&mut self, menu: MenuId) {
        let help = self
            .cfg
            .model
            .menu(menu)
            .help
            .as_deref()
            .unwrap_or("There is no help available for this option.");
        self.out.push_str(&format!("\n{help}\n"));
    }

    /// sym_tristate_within_range().
    fn within_range(&mut self, sym: SymbolId, val: Tristate) -> bool {
        let visible = self.cfg.visible(sym);
        let t = self.cfg.effective_type(sym);
        if visible == Tristate::No || !matches!(t, SymbolType::Bool | SymbolType::Tristate) {
            return false;
        }
        if t == SymbolType::Bool && val == Tristate::Mod {
            return false;
        }
        let rev = self.cfg.rev_dep_tri(sym);
        if visible <= rev {
            return false;
        }
        val >= rev && val <= visible
    }

    /// sym_set_tristate_value().
    fn set_tristate(&mut self, sym: SymbolId, val: Tristate) -> bool {
        let old = self.cfg.tri(sym);
        if !self.within_range(sym, val) {
            return false;
        }
        self.cfg.set_user_tri(sym, val);
        if old != val {
            self.cfg.clear_all_valid();
        }
        true
    }

    /// sym_set_string_value() for int, hex and string symbols.
    fn set_string(&mut self, sym: SymbolId, value: &str) -> bool {
        let stype = self.cfg.stype(sym);
        if !super::confdata::string_valid(stype, value) {
            return false;
        }
        if let Some((low, high)) = self.cfg.active_range(sym) {
            let base = if stype == SymbolType::Hex { 16 } else { 10 };
            let v = super::resolve::c_strtoll(value, base);
            if v < self.cfg.range_val(low, base) || v > self.cfg.range_val(high, base) {
                return false;
            }
        }
        let value =
            if stype == SymbolType::Hex && !(value.starts_with("0x") || value.starts_with("0X")) {
                format!("0x{value}")
            } else {
                value.to_string()
            };
        let unchanged =
            self.cfg.has_user_value(sym) && self.cfg.user_val(sym) == Some(value.as_str());
        self.cfg.set_user_val(sym, value);
        if !unchanged {
            self.cfg.clear_all_valid();
        }
        true
    }

    /// choice_set_value().
    fn choice_set_value(&mut self, choice: MenuId, chosen: SymbolId) {
        let subtree: Vec<SymbolId> = self
            .cfg
            .fin
            .choice_subtree
            .iter()
            .find(|(m, _)| *m == choice)
            .map(|(_, s)| s.clone())
            .unwrap_or_default();
        let mut changed = false;
        for sym in subtree {
            if self.cfg.visible_now(sym) == Tristate::No {
                continue;
            }
            let val = if sym == chosen {
                Tristate::Yes
            } else {
                Tristate::No
            };
            if self.cfg.tri_now(sym) != val {
                changed = true;
            }
            self.cfg.set_user_tri(sym, val);
            self.cfg.promote_choice_member(sym);
        }
        if changed {
            self.cfg.clear_all_valid();
        }
    }
}
