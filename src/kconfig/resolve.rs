//! Symbol values: sym_calc_value() and its helpers from scripts/kconfig/symbol.c.
//!
//! A `Config` holds user values (from a .config, a defconfig or an all*config mode) and
//! computes every symbol's value on demand, memoised per symbol exactly as the kernel's
//! SYMBOL_VALID flag does, so evaluation order and the "value while being computed"
//! fallback match conf's. Choices follow the kernel generation of the tree: 6.11 and later
//! (bool-only choices with a member priority list) or the older tristate/optional choices.

use std::collections::{HashMap, HashSet};

use super::expr::{CmpOp, Expr};
use super::finalize::Finalized;
use super::model::*;

/// A tristate value; `And` is min, `Or` is max, `Not` is 2 - x (EXPR_AND/OR/NOT).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Tristate {
    No = 0,
    Mod = 1,
    Yes = 2,
}

impl Tristate {
    pub fn and(self, other: Tristate) -> Tristate {
        self.min(other)
    }
    pub fn or(self, other: Tristate) -> Tristate {
        self.max(other)
    }
    // Named as the kernel's EXPR_NOT(); callers chain it with `and`/`or` above.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Tristate {
        match self {
            Tristate::No => Tristate::Yes,
            Tristate::Mod => Tristate::Mod,
            Tristate::Yes => Tristate::No,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Tristate::No => "n",
            Tristate::Mod => "m",
            Tristate::Yes => "y",
        }
    }
    pub fn as_char(self) -> char {
        self.as_str().as_bytes()[0] as char
    }
}

/// An unmet direct dependency found while computing a value (sym_warn_unmet_dep()).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnmetDep {
    pub sym: SymbolId,
    pub dir_dep: Tristate,
    /// The warning as conf prints it (starting with an empty line).
    pub text: String,
}

#[derive(Debug, Clone, Default)]
struct SymState {
    valid: bool,
    write: bool,
    visible: Option<Tristate>,
    dir_dep: Option<Tristate>,
    rev_dep: Option<Tristate>,
    implied: Option<Tristate>,
    tri: Option<Tristate>,
    val: Option<String>,
    /// SYMBOL_DEF_USER and def[S_DEF_USER].
    has_user: bool,
    user_tri: Option<Tristate>,
    user_val: Option<String>,
}

/// The state 6.1 choices keep besides symbol values.
#[derive(Debug, Clone, Default)]
pub struct V1State {
    /// `curr.val` of a choice symbol: the member it selects.
    pub cur_sel: HashMap<SymbolId, Option<SymbolId>>,
    /// `def[S_DEF_USER].val` of a choice symbol: the member the input set to y.
    pub user_sel: HashMap<SymbolId, SymbolId>,
    /// SYMBOL_NEED_SET_CHOICE_VALUES.
    pub need_set: HashSet<SymbolId>,
}

/// A configuration being resolved against one model.
pub struct Config<'m> {
    pub v1: V1State,
    pub model: &'m Model,
    pub fin: &'m Finalized,
    state: Vec<SymState>,
    /// Choice member priority lists (choice_members), reordered by user input.
    pub choice_members: Vec<(MenuId, Vec<SymbolId>)>,
    modules_val: Tristate,
    pub unmet: Vec<UnmetDep>,
    /// What conf prints on standard error while it runs, in order: warnings about the
    /// input file and unmet dependencies.
    pub messages: Vec<String>,
    /// Whether conf_read() computes every symbol after reading (see ConfOptions).
    pub check_pass: bool,
    /// True once values may be stale (conf_set_changed()).
    pub changed: bool,
    pub bool_choices: bool,
}

fn default_value(stype: SymbolType) -> &'static str {
    match stype {
        SymbolType::Int => "0",
        SymbolType::Hex => "0x0",
        _ => "",
    }
}

impl<'m> Config<'m> {
    pub fn new(model: &'m Model, fin: &'m Finalized, bool_choices: bool) -> Self {
        let mut state = vec![SymState::default(); model.symbols.len()];
        for (id, tri) in [
            (SymbolId::NO, Tristate::No),
            (SymbolId::MOD, Tristate::Mod),
            (SymbolId::YES, Tristate::Yes),
        ] {
            let s = &mut state[id.0 as usize];
            s.valid = true;
            s.tri = Some(tri);
            s.val = Some(tri.as_str().to_string());
        }
        Config {
            v1: V1State::default(),
            model,
            fin,
            state,
            choice_members: fin.choice_members.clone(),
            modules_val: Tristate::No,
            unmet: Vec::new(),
            messages: Vec::new(),
            check_pass: true,
            changed: false,
            bool_choices,
        }
    }

    fn st(&self, sym: SymbolId) -> &SymState {
        &self.state[sym.0 as usize]
    }

    fn st_mut(&mut self, sym: SymbolId) -> &mut SymState {
        &mut self.state[sym.0 as usize]
    }

    pub fn stype(&self, sym: SymbolId) -> SymbolType {
        self.fin.types[sym.0 as usize]
    }

    /// sym_get_type(): a tristate is a bool while modules are off.
    pub fn effective_type(&self, sym: SymbolId) -> SymbolType {
        let t = self.stype(sym);
        if t == SymbolType::Tristate && self.modules_val == Tristate::No {
            SymbolType::Bool
        } else {
            t
        }
    }

    pub fn modules_sym(&self) -> SymbolId {
        self.model.modules_sym.unwrap_or(SymbolId::NO)
    }

    // ---- user values -------------------------------------------------------------------

    pub fn has_user_value(&self, sym: SymbolId) -> bool {
        self.st(sym).has_user
    }

    pub fn user_tri(&self, sym: SymbolId) -> Option<Tristate> {
        let s = self.st(sym);
        if s.has_user {
            Some(s.user_tri.unwrap_or(Tristate::No))
        } else {
            None
        }
    }

    pub fn user_val(&self, sym: SymbolId) -> Option<&str> {
        let s = self.st(sym);
        if s.has_user {
            s.user_val.as_deref()
        } else {
            None
        }
    }

    /// `sym->visible` as last computed, without computing.
    pub fn visible_now(&self, sym: SymbolId) -> Tristate {
        self.st(sym).visible.unwrap_or(Tristate::No)
    }

    /// `sym->curr.tri` as last computed, without computing.
    pub fn tri_now(&self, sym: SymbolId) -> Tristate {
        self.st(sym).tri.unwrap_or(Tristate::No)
    }

    /// `def[S_DEF_USER].val` regardless of SYMBOL_DEF_USER.
    pub fn raw_user_val(&self, sym: SymbolId) -> Option<&str> {
        self.st(sym).user_val.as_deref()
    }

    pub fn set_user_tri(&mut self, sym: SymbolId, tri: Tristate) {
        let s = self.st_mut(sym);
        s.has_user = true;
        s.user_tri = Some(tri);
    }

    pub fn set_user_val(&mut self, sym: SymbolId, val: String) {
        let s = self.st_mut(sym);
        s.has_user = true;
        s.user_val = Some(val);
    }

    pub fn clear_user(&mut self, sym: SymbolId) {
        let s = self.st_mut(sym);
        s.has_user = false;
        s.user_tri = None;
        s.user_val = None;
    }

    /// The user picked `sym` in its choice: give it the highest priority (list_move()).
    pub fn promote_choice_member(&mut self, sym: SymbolId) {
        let Some(choice) = self.fin.choice_of[sym.0 as usize] else {
            return;
        };
        if let Some((_, members)) = self.choice_members.iter_mut().find(|(m, _)| *m == choice) {
            if let Some(pos) = members.iter().position(|&s| s == sym) {
                members.remove(pos);
                members.insert(0, sym);
            }
        }
    }

    /// sym_clear_all_valid().
    pub fn clear_all_valid(&mut self) {
        for (index, s) in self.state.iter_mut().enumerate() {
            if index > 2 {
                s.valid = false;
            }
        }
        self.changed = true;
        let modules = self.modules_sym();
        self.calc(modules);
    }

    // ---- values ------------------------------------------------------------------------

    pub fn tri(&mut self, sym: SymbolId) -> Tristate {
        self.calc(sym);
        self.st(sym).tri.unwrap_or(Tristate::No)
    }

    pub fn visible(&mut self, sym: SymbolId) -> Tristate {
        self.calc(sym);
        self.st(sym).visible.unwrap_or(Tristate::No)
    }

    pub fn rev_dep_tri(&self, sym: SymbolId) -> Tristate {
        self.st(sym).rev_dep.unwrap_or(Tristate::No)
    }

    pub fn dir_dep_tri(&self, sym: SymbolId) -> Tristate {
        self.st(sym).dir_dep.unwrap_or(Tristate::Yes)
    }

    pub fn implied_tri(&self, sym: SymbolId) -> Tristate {
        self.st(sym).implied.unwrap_or(Tristate::No)
    }

    /// SYMBOL_WRITE after the symbol's last computation.
    pub fn is_written(&mut self, sym: SymbolId) -> bool {
        self.calc(sym);
        self.st(sym).write
    }

    /// sym_get_string_value().
    pub fn string_value(&mut self, sym: SymbolId) -> String {
        self.calc(sym);
        self.current_string(sym)
    }

    fn raw_val(&self, sym: SymbolId) -> String {
        let s = self.st(sym);
        match &s.val {
            Some(v) => v.clone(),
            None => match self.stype(sym) {
                SymbolType::Unknown => self.model.sym_name(sym).to_string(),
                other => default_value(other).to_string(),
            },
        }
    }

    /// expr_calc_value().
    pub fn eval(&mut self, e: &Expr) -> Tristate {
        match e {
            Expr::Symbol(s) => self.tri(*s),
            Expr::And(a, b) => {
                let l = self.eval(a);
                let r = self.eval(b);
                l.and(r)
            }
            Expr::Or(a, b) => {
                let l = self.eval(a);
                let r = self.eval(b);
                l.or(r)
            }
            Expr::Not(a) => self.eval(a).not(),
            Expr::Cmp(op, a, b) => self.eval_cmp(*op, *a, *b),
            Expr::Range(..) => Tristate::No,
        }
    }

    pub fn eval_opt(&mut self, e: Option<&Expr>) -> Tristate {
        match e {
            None => Tristate::Yes,
            Some(e) => self.eval(e),
        }
    }

    fn eval_cmp(&mut self, op: CmpOp, a: SymbolId, b: SymbolId) -> Tristate {
        let s1 = self.string_value(a);
        let s2 = self.string_value(b);
        let (t1, t2) = (self.stype(a), self.stype(b));
        let mut k1 = Parsed::Str;
        let mut k2 = Parsed::Str;
        if t1 != SymbolType::String || t2 != SymbolType::String {
            k1 = parse_for_compare(&s1, t1);
            k2 = parse_for_compare(&s2, t2);
        }
        let ord = match (k1, k2) {
            (Parsed::Str, _) | (_, Parsed::Str) => s1.as_bytes().cmp(s2.as_bytes()),
            (Parsed::Unsigned(x), Parsed::Unsigned(y)) => x.cmp(&y),
            (Parsed::Unsigned(x), Parsed::Signed(y)) => x.cmp(&(y as u64)),
            (Parsed::Signed(x), Parsed::Unsigned(y)) => (x as u64).cmp(&y),
            (Parsed::Signed(x), Parsed::Signed(y)) => x.cmp(&y),
        };
        use std::cmp::Ordering::*;
        let truth = match op {
            CmpOp::Equal => ord == Equal,
            CmpOp::Unequal => ord != Equal,
            CmpOp::Less => ord == Less,
            CmpOp::LessEqual => ord != Greater,
            CmpOp::Greater => ord == Greater,
            CmpOp::GreaterEqual => ord != Less,
        };
        if truth {
            Tristate::Yes
        } else {
            Tristate::No
        }
    }

    /// sym_calc_visibility().
    fn calc_visibility(&mut self, sym: SymbolId) {
        let model = self.model;
        let fin = self.fin;
        let mut tri = Tristate::No;
        for &prop in &model.symbol(sym).props {
            if model.prop(prop).text.is_some() {
                let v = self.eval_opt(fin.prop_cond[prop.0 as usize].as_ref());
                tri = tri.or(v);
            }
        }
        if tri == Tristate::Mod
            && (self.stype(sym) != SymbolType::Tristate || self.modules_val == Tristate::No)
        {
            tri = Tristate::Yes;
        }
        self.st_mut(sym).visible = Some(tri);
        // Choice values keep whatever dependency state they had: conf never computes it.
        if fin.is_choice_value[sym.0 as usize] {
            return;
        }
        let as_bool = self.effective_type(sym) == SymbolType::Bool;
        let lift = |t: Tristate| {
            if t == Tristate::Mod && as_bool {
                Tristate::Yes
            } else {
                t
            }
        };
        let dir = match &fin.dir_dep[sym.0 as usize] {
            Some(e) => self.eval(e),
            None => Tristate::Yes,
        };
        let dir = lift(dir);
        let rev = match &fin.rev_dep[sym.0 as usize] {
            Some(e) => self.eval(e),
            None => Tristate::No,
        };
        let rev = lift(rev);
        let imp = match &fin.implied[sym.0 as usize] {
            Some(e) => self.eval(e),
            None => Tristate::No,
        };
        let imp = lift(imp);
        let s = self.st_mut(sym);
        s.dir_dep = Some(dir);
        s.rev_dep = Some(rev);
        s.implied = Some(imp);
    }

    /// The first property of `kind` whose condition is not n, with that condition's value
    /// (sym_get_default_prop(), sym_get_range_prop()).
    fn first_active(&mut self, sym: SymbolId, kind: PropKind) -> Option<(PropId, Tristate)> {
        let model = self.model;
        for &prop in &model.symbol(sym).props {
            if model.prop(prop).kind != kind {
                continue;
            }
            let v = self.eval_opt(self.fin.prop_cond[prop.0 as usize].as_ref());
            if v != Tristate::No {
                return Some((prop, v));
            }
        }
        None
    }

    /// sym_get_default_prop(): the first default whose condition is not n.
    fn default_prop(&mut self, sym: SymbolId) -> Option<(PropId, Tristate)> {
        self.first_active(sym, PropKind::Default)
    }

    /// The default of a choice whose condition holds and whose symbol passes `usable`
    /// (the first half of sym_choice_default(), in both kernel generations).
    pub(super) fn choice_default_from_props(&mut self, choice_sym: SymbolId) -> Option<SymbolId> {
        let model = self.model;
        for &prop in &model.symbol(choice_sym).props {
            if model.prop(prop).kind != PropKind::Default {
                continue;
            }
            if self.eval_opt(self.fin.prop_cond[prop.0 as usize].as_ref()) == Tristate::No {
                continue;
            }
            if let Some(Expr::Symbol(def)) = &model.prop(prop).expr {
                if self.cur_visible(*def) != Tristate::No {
                    return Some(*def);
                }
            }
        }
        None
    }

    /// sym_calc_value().
    pub fn calc(&mut self, sym: SymbolId) {
        if self.st(sym).valid {
            return;
        }
        if !self.bool_choices && self.v1.need_set.remove(&sym) {
            // 6.1: a member waiting for set_all_choice_values() computes its choice first.
            if let Some(choice_sym) = self.v1_choice_sym(sym) {
                self.calc(choice_sym);
            }
        }
        self.st_mut(sym).valid = true;
        let stype = self.stype(sym);
        let (mut new_tri, mut new_val): (Tristate, Option<String>) = match stype {
            SymbolType::Int | SymbolType::Hex | SymbolType::String => {
                (Tristate::No, Some(default_value(stype).to_string()))
            }
            SymbolType::Bool | SymbolType::Tristate => (Tristate::No, None),
            SymbolType::Unknown => {
                let s = self.st_mut(sym);
                s.val = None;
                s.tri = Some(Tristate::No);
                return;
            }
        };
        let old = (self.st(sym).tri, self.st(sym).val.clone());
        self.st_mut(sym).write = false;
        self.calc_visibility(sym);
        let visible = self.st(sym).visible.unwrap_or(Tristate::No);
        if visible != Tristate::No {
            self.st_mut(sym).write = true;
        }
        // While being computed (a dependency loop), the symbol reads as its type's default.
        {
            let s = self.st_mut(sym);
            s.tri = Some(new_tri);
            s.val = new_val.clone();
        }
        let is_choice = self.model.symbol(sym).is_choice;
        match self.effective_type(sym) {
            SymbolType::Bool | SymbolType::Tristate => {
                if self.bool_choices {
                    if let Some(choice) = self.fin.choice_of[sym.0 as usize] {
                        self.calc_choice(choice);
                        new_tri = self.st(sym).tri.unwrap_or(Tristate::No);
                    } else {
                        new_tri = self.calc_plain_tristate(sym, visible, is_choice);
                    }
                } else {
                    new_tri = self.calc_tristate_v1(sym, visible, is_choice);
                }
                if new_tri == Tristate::Mod && self.effective_type(sym) == SymbolType::Bool {
                    new_tri = Tristate::Yes;
                }
            }
            SymbolType::String | SymbolType::Hex | SymbolType::Int => {
                if visible != Tristate::No
                    && self.st(sym).has_user
                    && self.st(sym).user_val.is_some()
                {
                    new_val = self.st(sym).user_val.clone();
                } else if let Some((prop, _)) = self.default_prop(sym) {
                    if let Some(&Expr::Symbol(ds)) = self.model.prop(prop).expr.as_ref() {
                        self.st_mut(sym).write = true;
                        self.calc(ds);
                        new_val = Some(self.raw_val(ds));
                    }
                }
            }
            SymbolType::Unknown => {}
        }
        {
            let s = self.st_mut(sym);
            s.tri = Some(new_tri);
            s.val = new_val;
        }
        if !self.bool_choices && is_choice && new_tri == Tristate::Yes {
            self.calc_choice_v1(sym);
        }
        self.validate_range(sym);
        let changed = old != (self.st(sym).tri, self.st(sym).val.clone());
        if changed && Some(sym) == self.model.modules_sym {
            self.modules_val = self.st(sym).tri.unwrap_or(Tristate::No);
        }
        if !self.bool_choices && is_choice {
            self.finish_choice_v1(sym);
        }
        // SYMBOL_NO_WRITE (`option defconfig_list`, before 5.13).
        if is_choice || self.model.symbol(sym).no_write {
            self.st_mut(sym).write = false;
        }
        // Read once: the environment is looked up under a lock, and this runs per symbol.
        static TRACE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
        if let Some(names) = TRACE.get_or_init(|| std::env::var("XENLINT_TRACE").ok()) {
            let name = self.model.sym_name(sym);
            if names.split(',').any(|n| n == name) {
                let s = self.st(sym);
                eprintln!(
                    "trace: {name} tri={:?} val={:?} visible={:?} dir={:?} rev={:?} write={} user={:?}",
                    s.tri, s.val, s.visible, s.dir_dep, s.rev_dep, s.write, s.user_tri
                );
            }
        }
    }

    /// The bool/tristate branch of sym_calc_value() for symbols outside choices.
    fn calc_plain_tristate(
        &mut self,
        sym: SymbolId,
        visible: Tristate,
        is_choice: bool,
    ) -> Tristate {
        let mut new_tri = Tristate::No;
        // A transitional symbol has no prompt: its value is what the old .config said.
        let transitional = self.model.symbol(sym).transitional;
        let use_user = (visible != Tristate::No || transitional) && self.st(sym).has_user;
        if use_user {
            new_tri = self.st(sym).user_tri.unwrap_or(Tristate::No).and(visible);
        } else {
            if self.rev_dep_tri(sym) != Tristate::No {
                self.st_mut(sym).write = true;
            }
            if !is_choice {
                if let Some((prop, cond)) = self.default_prop(sym) {
                    let model = self.model;
                    let value = match model.prop(prop).expr.as_ref() {
                        Some(e) => self.eval(e),
                        None => Tristate::No,
                    };
                    new_tri = value.and(cond);
                    if new_tri != Tristate::No {
                        self.st_mut(sym).write = true;
                    }
                }
                let implied = self.implied_tri(sym);
                if implied != Tristate::No {
                    self.st_mut(sym).write = true;
                    new_tri = new_tri.or(implied).and(self.dir_dep_tri(sym));
                }
            }
        }
        let (dir, rev) = (self.dir_dep_tri(sym), self.rev_dep_tri(sym));
        if dir < rev {
            let text = self.unmet_dep_text(sym, dir);
            self.messages.push(text.clone());
            self.unmet.push(UnmetDep {
                sym,
                dir_dep: dir,
                text,
            });
        }
        new_tri.or(rev)
    }

    /// sym_choice_default() (6.11+).
    pub fn choice_default(&mut self, choice: MenuId) -> Option<SymbolId> {
        if let Some(choice_sym) = self.model.menu(choice).sym {
            if let Some(def) = self.choice_default_from_props(choice_sym) {
                return Some(def);
            }
        }
        let subtree = self.subtree(choice);
        subtree
            .into_iter()
            .find(|&s| self.st(s).visible.unwrap_or(Tristate::No) != Tristate::No)
    }

    fn subtree(&self, choice: MenuId) -> Vec<SymbolId> {
        self.fin
            .choice_subtree
            .iter()
            .find(|(m, _)| *m == choice)
            .map(|(_, s)| s.clone())
            .unwrap_or_default()
    }

    fn members(&self, choice: MenuId) -> Vec<SymbolId> {
        self.choice_members
            .iter()
            .find(|(m, _)| *m == choice)
            .map(|(_, s)| s.clone())
            .unwrap_or_default()
    }

    /// sym_calc_choice() (6.11+): pick the member that is y; set every visible member.
    pub fn calc_choice(&mut self, choice: MenuId) -> Option<SymbolId> {
        let members = self.members(choice);
        let mut res = None;
        for &sym in &members {
            self.calc_visibility(sym);
            if self.st(sym).visible.unwrap_or(Tristate::No) == Tristate::No {
                continue;
            }
            if self.st(sym).has_user && self.st(sym).user_tri == Some(Tristate::Yes) {
                res = Some(sym);
                break;
            }
        }
        if res.is_none() {
            res = self.choice_default(choice);
            if let Some(r) = res {
                if self.st(r).has_user
                    && self.st(r).user_tri.unwrap_or(Tristate::No) == Tristate::No
                {
                    res = None;
                }
            }
        }
        let subtree = self.subtree(choice);
        if res.is_none() {
            res = subtree.iter().copied().find(|&s| {
                self.st(s).visible.unwrap_or(Tristate::No) != Tristate::No && !self.st(s).has_user
            });
        }
        if res.is_none() {
            res = members
                .iter()
                .rev()
                .copied()
                .find(|&s| self.st(s).visible.unwrap_or(Tristate::No) != Tristate::No);
        }
        for s in subtree {
            if self.st(s).visible.unwrap_or(Tristate::No) == Tristate::No {
                continue;
            }
            let val = if Some(s) == res {
                Tristate::Yes
            } else {
                Tristate::No
            };
            let st = self.st_mut(s);
            st.tri = Some(val);
            st.valid = true;
            st.write = true;
        }
        res
    }

    // 6.1 choices live in resolve_v1.rs.

    /// sym_validate_range().
    fn validate_range(&mut self, sym: SymbolId) {
        let base = match self.stype(sym) {
            SymbolType::Int => 10,
            SymbolType::Hex => 16,
            _ => return,
        };
        let model = self.model;
        let range = self.first_active(sym, PropKind::Range).map(|(p, _)| p);
        let Some(prop) = range else {
            return;
        };
        let Some(&Expr::Range(low, high)) = model.prop(prop).expr.as_ref() else {
            return;
        };
        let val = c_strtoll(&self.raw_val(sym), base);
        let mut bound = low;
        let low_val = self.range_val(low, base);
        if val >= low_val {
            bound = high;
            let high_val = self.range_val(high, base);
            if val <= high_val {
                return;
            }
        }
        let clamp = self.raw_val(bound);
        self.st_mut(sym).val = Some(clamp);
    }

    /// sym_get_range_val().
    pub fn range_val(&mut self, sym: SymbolId, base: u32) -> i64 {
        self.calc(sym);
        let base = match self.stype(sym) {
            SymbolType::Int => 10,
            SymbolType::Hex => 16,
            _ => base,
        };
        c_strtoll(&self.raw_val(sym), base)
    }

    /// sym_is_changeable(): can the user move it at all?
    pub fn is_changeable(&mut self, sym: SymbolId) -> bool {
        let visible = self.visible(sym);
        !self.model.symbol(sym).is_choice && visible > self.rev_dep_tri(sym)
    }

    pub(super) fn calc_plain_tristate_pub(
        &mut self,
        sym: SymbolId,
        visible: Tristate,
        is_choice: bool,
    ) -> Tristate {
        self.calc_plain_tristate(sym, visible, is_choice)
    }

    pub(super) fn clear_user_flag(&mut self, sym: SymbolId) {
        self.st_mut(sym).has_user = false;
    }

    pub(super) fn set_user_flag(&mut self, sym: SymbolId) {
        self.st_mut(sym).has_user = true;
    }

    /// `def[S_DEF_USER].tri = val` without SYMBOL_DEF_USER.
    pub(super) fn set_user_tri_silent(&mut self, sym: SymbolId, tri: Tristate) {
        self.st_mut(sym).user_tri = Some(tri);
    }

    pub(super) fn raw_user_tri(&self, sym: SymbolId) -> Tristate {
        self.st(sym).user_tri.unwrap_or(Tristate::No)
    }

    pub(super) fn is_write_flag(&self, sym: SymbolId) -> bool {
        self.st(sym).write
    }

    /// Mark every value stale without recomputing anything (the first half of
    /// sym_clear_all_valid(), as conf_read_simple() does).
    pub fn invalidate_all(&mut self) {
        for (index, s) in self.state.iter_mut().enumerate() {
            if index > 2 {
                s.valid = false;
            }
        }
    }

    pub(super) fn reset_choice_user_values(&mut self) {
        self.v1.user_sel.clear();
        if self.bool_choices {
            self.choice_members = self.fin.choice_members.clone();
        }
    }

    /// What conf_read_simple() does after a user value was stored.
    pub(super) fn after_user_value(&mut self, sym: SymbolId, warn: &mut dyn FnMut(String)) {
        if self.bool_choices {
            self.promote_choice_member(sym);
        } else if self.fin.is_choice_value[sym.0 as usize] {
            self.v1_after_member_value(sym, warn);
        }
    }

    /// sym_get_string_default().
    pub fn string_default(&mut self, sym: SymbolId) -> String {
        self.calc_visibility(sym);
        let modules = self.modules_sym();
        self.calc(modules);
        let mut val = Tristate::No;
        let mut text = String::new();
        if let Some((prop, cond)) = self.default_prop(sym) {
            match self.stype(sym) {
                SymbolType::Bool | SymbolType::Tristate => {
                    let model = self.model;
                    let v = match model.prop(prop).expr.as_ref() {
                        Some(e) => self.eval(e),
                        None => Tristate::No,
                    };
                    val = v.and(cond);
                }
                _ => {
                    if let Some(&Expr::Symbol(ds)) = self.model.prop(prop).expr.as_ref() {
                        self.calc(ds);
                        text = self.raw_val(ds);
                    }
                }
            }
        }
        val = val.or(self.rev_dep_tri(sym));
        if val == Tristate::Mod
            && !self.fin.is_choice_value[sym.0 as usize]
            && self.cur_tri(modules) == Tristate::No
        {
            val = Tristate::Yes;
        }
        if self.stype(sym) == SymbolType::Bool && val == Tristate::Mod {
            val = Tristate::Yes;
        }
        if val < self.implied_tri(sym) {
            val = self.implied_tri(sym);
        }
        match self.stype(sym) {
            SymbolType::Bool | SymbolType::Tristate => val.as_str().to_string(),
            SymbolType::Int if text.is_empty() && self.bool_choices => "0".to_string(),
            SymbolType::Hex if text.is_empty() && self.bool_choices => "0x0".to_string(),
            _ => text,
        }
    }

    /// In conf_write_defconfig(): is `sym` what its choice would pick by default?
    pub fn is_choice_default_member(&mut self, choice: MenuId, sym: SymbolId) -> bool {
        if self.bool_choices {
            self.choice_default(choice) == Some(sym)
        } else {
            match self.model.menu(choice).sym {
                Some(cs) => self.choice_default_v1(cs) == Some(sym),
                None => false,
            }
        }
    }

    pub fn clear_user_flag_pub(&mut self, sym: SymbolId) {
        self.st_mut(sym).has_user = false;
    }

    pub fn set_valid_pub(&mut self, sym: SymbolId, valid: bool) {
        self.st_mut(sym).valid = valid;
    }

    pub fn state_valid_pub(&self, sym: SymbolId) -> bool {
        self.st(sym).valid
    }

    /// sym_get_range_prop(): the bounds of the first active `range`.
    pub fn active_range(&mut self, sym: SymbolId) -> Option<(SymbolId, SymbolId)> {
        let (prop, _) = self.first_active(sym, PropKind::Range)?;
        match &self.model.prop(prop).expr {
            Some(Expr::Range(low, high)) => Some((*low, *high)),
            _ => None,
        }
    }

    /// sym_get_string_value() without computing anything: what a message shows.
    fn current_string(&self, sym: SymbolId) -> String {
        match self.stype(sym) {
            SymbolType::Bool | SymbolType::Tristate => self
                .st(sym)
                .tri
                .unwrap_or(Tristate::No)
                .as_str()
                .to_string(),
            _ => self.raw_val(sym),
        }
    }

    /// expr_gstr_print(): an expression with each typed symbol's current value.
    pub fn expr_with_values(&self, e: &Expr) -> String {
        let mut out = String::new();
        e.print_with(&mut out, 0, &mut |out, sym| {
            let symbol = self.model.symbol(sym);
            match &symbol.name {
                Some(name) => {
                    out.push_str(name);
                    if self.stype(sym) != SymbolType::Unknown {
                        out.push_str(&format!(" [={}]", self.current_string(sym)));
                    }
                }
                None => out.push_str("<choice>"),
            }
        });
        out
    }

    /// expr_print_revdep(): the terms of a reverse dependency whose value is `which`.
    fn revdep_terms(&mut self, e: &Expr, which: Tristate, out: &mut Vec<String>) {
        if let Expr::Or(a, b) = e {
            self.revdep_terms(a, which, out);
            self.revdep_terms(b, which, out);
        } else if self.eval(e) == which {
            out.push(self.expr_with_values(e));
        }
    }

    /// sym_warn_unmet_dep().
    fn unmet_dep_text(&mut self, sym: SymbolId, dir: Tristate) -> String {
        let name = self.model.sym_name(sym).to_string();
        let dep_char = if dir == Tristate::Mod { 'm' } else { 'n' };
        let dir_expr = match &self.fin.dir_dep[sym.0 as usize] {
            Some(e) => self.expr_with_values(e),
            None => "y".to_string(),
        };
        let mut text = format!(
            "\nWARNING: unmet direct dependencies detected for {name}\n  Depends on [{dep_char}]: {dir_expr}\n"
        );
        if let Some(rev) = self.fin.rev_dep[sym.0 as usize].clone() {
            for (which, title) in [
                (Tristate::Yes, "  Selected by [y]:\n"),
                (Tristate::Mod, "  Selected by [m]:\n"),
            ] {
                let mut terms = Vec::new();
                self.revdep_terms(&rev, which, &mut terms);
                if !terms.is_empty() {
                    text.push_str(title);
                    for term in terms {
                        text.push_str(&format!("  - {term}\n"));
                    }
                }
            }
        }
        text
    }

    pub(super) fn set_val_raw(
        &mut self,
        sym: SymbolId,
        tri: Option<Tristate>,
        val: Option<String>,
    ) {
        let s = self.st_mut(sym);
        if tri.is_some() {
            s.tri = tri;
        }
        if val.is_some() {
            s.val = val;
        }
    }

    pub(super) fn set_write(&mut self, sym: SymbolId, write: bool) {
        self.st_mut(sym).write = write;
    }

    pub(super) fn set_valid(&mut self, sym: SymbolId, valid: bool) {
        self.st_mut(sym).valid = valid;
    }

    pub(super) fn cur_visible(&self, sym: SymbolId) -> Tristate {
        self.st(sym).visible.unwrap_or(Tristate::No)
    }

    pub(super) fn cur_tri(&self, sym: SymbolId) -> Tristate {
        self.st(sym).tri.unwrap_or(Tristate::No)
    }

    pub(super) fn calc_visibility_pub(&mut self, sym: SymbolId) {
        self.calc_visibility(sym)
    }
}

enum Parsed {
    Str,
    Signed(i64),
    Unsigned(u64),
}

/// expr_parse_string(): how a comparison operand reads as a number.
fn parse_for_compare(text: &str, stype: SymbolType) -> Parsed {
    match stype {
        SymbolType::Bool | SymbolType::Tristate => Parsed::Signed(match text {
            "n" => 0,
            "m" => 1,
            "y" => 2,
            _ => -1,
        }),
        SymbolType::Int => match c_strtoll_full(text, 10) {
            Some(v) if ends_hex_digit(text) => Parsed::Signed(v),
            _ => Parsed::Str,
        },
        SymbolType::Hex => match c_strtoull_full(text, 16) {
            Some(v) if ends_hex_digit(text) => Parsed::Unsigned(v),
            _ => Parsed::Str,
        },
        _ => match c_strtoll_full(text, 0) {
            Some(v) if ends_hex_digit(text) => Parsed::Signed(v),
            _ => Parsed::Str,
        },
    }
}

fn ends_hex_digit(text: &str) -> bool {
    text.as_bytes()
        .last()
        .is_some_and(|b| b.is_ascii_hexdigit())
}

/// Parse like strtoll()/strtoull(): leading blanks, a sign, an optional 0x (base 16 or
/// 0), digits. Returns the value, how many bytes were used, and whether it overflowed.
fn c_parse(text: &str, base: u32) -> (u128, bool, usize, bool) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() && (b[i] == b' ' || (b'\t'..=b'\r').contains(&b[i])) {
        i += 1;
    }
    let mut negative = false;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        negative = b[i] == b'-';
        i += 1;
    }
    let mut base = base;
    let has_hex_prefix = i + 1 < b.len()
        && b[i] == b'0'
        && (b[i + 1] == b'x' || b[i + 1] == b'X')
        && b.get(i + 2).is_some_and(|c| c.is_ascii_hexdigit());
    if (base == 16 || base == 0) && has_hex_prefix {
        i += 2;
        base = 16;
    } else if base == 0 {
        base = if i < b.len() && b[i] == b'0' { 8 } else { 10 };
    }
    let start = i;
    let mut value: u128 = 0;
    let mut overflow = false;
    while i < b.len() {
        let d = match (b[i] as char).to_digit(base) {
            Some(d) => d,
            None => break,
        };
        value = value * base as u128 + d as u128;
        if value > u64::MAX as u128 {
            overflow = true;
            value = u64::MAX as u128 + 1;
        }
        i += 1;
    }
    if i == start {
        return (0, false, 0, false);
    }
    (value, negative, i, overflow)
}

/// strtoll() with saturation, as the kernel's range code uses it.
pub fn c_strtoll(text: &str, base: u32) -> i64 {
    let (value, negative, _, _) = c_parse(text, base);
    if negative {
        if value > i64::MAX as u128 + 1 {
            i64::MIN
        } else {
            (-(value as i128)) as i64
        }
    } else if value > i64::MAX as u128 {
        i64::MAX
    } else {
        value as i64
    }
}

/// strtoll() that must use the whole string without ERANGE.
fn c_strtoll_full(text: &str, base: u32) -> Option<i64> {
    let (value, negative, used, overflow) = c_parse(text, base);
    if used != text.len() || used == 0 || overflow {
        return None;
    }
    if negative {
        if value > i64::MAX as u128 + 1 {
            return None;
        }
        Some((-(value as i128)) as i64)
    } else if value > i64::MAX as u128 {
        None
    } else {
        Some(value as i64)
    }
}

fn c_strtoull_full(text: &str, base: u32) -> Option<u64> {
    let (value, negative, used, overflow) = c_parse(text, base);
    if used != text.len() || used == 0 || overflow || value > u64::MAX as u128 {
        return None;
    }
    Some(if negative {
        (value as u64).wrapping_neg()
    } else {
        value as u64
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtoll_like_c() {
        assert_eq!(c_strtoll("0x10", 16), 16);
        assert_eq!(c_strtoll("10", 16), 16);
        assert_eq!(c_strtoll("-5", 10), -5);
        assert_eq!(c_strtoll("abc", 10), 0);
        assert_eq!(c_strtoll("99999999999999999999", 10), i64::MAX);
        assert_eq!(c_strtoll_full("010", 0), Some(8));
        assert_eq!(c_strtoll_full("12a", 10), None);
    }

    #[test]
    fn tristate_logic() {
        assert_eq!(Tristate::Mod.and(Tristate::Yes), Tristate::Mod);
        assert_eq!(Tristate::Mod.or(Tristate::No), Tristate::Mod);
        assert_eq!(Tristate::Mod.not(), Tristate::Mod);
    }
}
