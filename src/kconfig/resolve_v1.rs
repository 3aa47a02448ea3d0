//! Choices as kernels before 6.11 compute them (scripts/kconfig/symbol.c of 6.1):
//! a choice is itself a bool or tristate symbol whose value selects one member (y) or lets
//! several be m; the user's pick is the member last set to y in the input.

use super::model::*;
use super::resolve::{Config, Tristate};

impl Config<'_> {
    /// The bool/tristate branch of sym_calc_value() in 6.1.
    pub(super) fn calc_tristate_v1(
        &mut self,
        sym: SymbolId,
        visible: Tristate,
        is_choice: bool,
    ) -> Tristate {
        if self.fin.is_choice_value[sym.0 as usize] && visible == Tristate::Yes {
            let choice_sym = self.v1_choice_sym(sym);
            let selected = choice_sym.and_then(|c| self.v1.cur_sel.get(&c).copied().flatten());
            return if selected == Some(sym) {
                Tristate::Yes
            } else {
                Tristate::No
            };
        }
        self.calc_plain_tristate_pub(sym, visible, is_choice)
    }

    pub(super) fn v1_choice_sym(&self, member: SymbolId) -> Option<SymbolId> {
        let choice = self.fin.choice_of[member.0 as usize]?;
        self.model.menu(choice).sym
    }

    fn v1_members(&self, choice_sym: SymbolId) -> Vec<SymbolId> {
        let Some(&menu) = self.model.symbol(choice_sym).menus.first() else {
            return Vec::new();
        };
        self.fin
            .choice_members
            .iter()
            .find(|(m, _)| *m == menu)
            .map(|(_, s)| s.clone())
            .unwrap_or_default()
    }

    /// sym_calc_choice() of 6.1: the selected member, once the choice is y.
    pub(super) fn calc_choice_v1(&mut self, choice_sym: SymbolId) {
        let members = self.v1_members(choice_sym);
        let mut all_user = true;
        for &m in &members {
            self.calc_visibility_pub(m);
            if self.cur_visible(m) != Tristate::No && !self.has_user_value(m) {
                all_user = false;
            }
        }
        if !all_user {
            self.clear_user_flag(choice_sym);
        }
        let user_pick = self.v1.user_sel.get(&choice_sym).copied();
        let pick = match user_pick {
            Some(p) if self.cur_visible(p) != Tristate::No => Some(p),
            _ => {
                let d = self.choice_default_v1(choice_sym);
                if d.is_none() {
                    self.set_val_raw(choice_sym, Some(Tristate::No), None);
                }
                d
            }
        };
        self.v1.cur_sel.insert(choice_sym, pick);
    }

    /// sym_choice_default() of 6.1.
    pub fn choice_default_v1(&mut self, choice_sym: SymbolId) -> Option<SymbolId> {
        if let Some(def) = self.choice_default_from_props(choice_sym) {
            return Some(def);
        }
        self.v1_members(choice_sym)
            .into_iter()
            .find(|&m| self.cur_visible(m) != Tristate::No)
    }

    /// The tail of sym_calc_value() for a 6.1 choice: members inherit SYMBOL_WRITE, and a
    /// pending set_all_choice_values() runs.
    pub(super) fn finish_choice_v1(&mut self, choice_sym: SymbolId) {
        let write = self.is_write_flag(choice_sym);
        for m in self.v1_members(choice_sym) {
            if write && self.cur_visible(m) != Tristate::No {
                self.set_write(m, true);
            }
        }
        if self.v1.need_set.remove(&choice_sym) {
            self.set_all_choice_values_v1(choice_sym);
        }
    }

    /// set_all_choice_values(): members without a user value read as n; the choice gets
    /// its user flag and is computed again.
    pub fn set_all_choice_values_v1(&mut self, choice_sym: SymbolId) {
        for m in self.v1_members(choice_sym) {
            if !self.has_user_value(m) {
                self.set_user_tri_silent(m, Tristate::No);
            }
        }
        self.set_user_flag(choice_sym);
        self.set_valid(choice_sym, false);
        self.v1.need_set.remove(&choice_sym);
    }

    /// conf_read_simple()'s choice bookkeeping after a member got a user value (6.1).
    pub(super) fn v1_after_member_value(&mut self, sym: SymbolId, warn: &mut dyn FnMut(String)) {
        let Some(cs) = self.v1_choice_sym(sym) else {
            return;
        };
        let member_tri = self.user_tri(sym).unwrap_or(Tristate::No);
        let choice_tri = self.raw_user_tri(cs);
        let name = self.model.sym_name(sym).to_string();
        match member_tri {
            Tristate::No => {}
            Tristate::Mod => {
                if choice_tri == Tristate::Yes {
                    warn(format!("{name} creates inconsistent choice state"));
                    self.clear_user_flag(cs);
                }
            }
            Tristate::Yes => {
                if choice_tri != Tristate::No {
                    warn(format!("override: {name} changes choice state"));
                }
                self.v1.user_sel.insert(cs, sym);
            }
        }
        let combined = self.raw_user_tri(cs).or(member_tri);
        self.set_user_tri_silent(cs, combined);
    }
}
