//! menu_finalize(): from the parsed menu tree to the dependencies the resolver evaluates.
//!
//! Mirrors _menu_finalize() in scripts/kconfig/menu.c: every entry's `depends on` is ANDed
//! with its parents' (with `m` rewritten to `m && MODULES`), every property's condition
//! with its entry's, `select` and `imply` become reverse dependencies of their targets, and
//! each symbol's direct dependency is the OR of the dependencies of its definitions. It
//! also builds automatic submenus (an entry that depends on the symbol before it goes
//! below that symbol) and finds choice members. The result depends only on the model, so
//! one `Finalized` serves every configuration resolved against it.

use super::expr::CmpOp;
use super::expr::Expr;
use super::model::*;
use super::simplify::{
    eliminate_dups, eliminate_dups_onto, eliminate_eq, expr_is_yes, transform, SymInfo,
    REWRITE_STEPS,
};

#[derive(Debug, Clone)]
pub struct Finalized {
    /// `menu->dep` after propagation.
    pub menu_dep: Vec<Option<Expr>>,
    /// `prop->visible.expr` after propagation.
    pub prop_cond: Vec<Option<Expr>>,
    /// `sym->dir_dep.expr`, `sym->rev_dep.expr`, `sym->implied.expr`.
    pub dir_dep: Vec<Option<Expr>>,
    pub rev_dep: Vec<Option<Expr>>,
    pub implied: Vec<Option<Expr>>,
    /// For each symbol, the choice menu it belongs to (sym_get_choice_menu()).
    pub choice_of: Vec<Option<MenuId>>,
    /// For each symbol, whether it is on a choice's member list (sym_is_choice_value()).
    pub is_choice_value: Vec<bool>,
    /// Choice menus with their members in definition order (the kernel's choice_members).
    pub choice_members: Vec<(MenuId, Vec<SymbolId>)>,
    /// Every choice menu's subtree entries that carry a symbol (menu_for_each_sub_entry).
    pub choice_subtree: Vec<(MenuId, Vec<SymbolId>)>,
    /// Symbol types after finalization (6.1 infers a choice's type from its members).
    pub types: Vec<SymbolType>,
    /// SYMBOL_CONST per symbol.
    pub is_const: Vec<bool>,
    /// Warnings menu_finalize() prints (type missing, property checks).
    pub warnings: Vec<Diagnostic>,
    /// The entry whose dependencies were being rewritten when the tree's budget of
    /// rewriting steps ran out (`simplify::REWRITE_STEPS`): the later rewrites were left
    /// out (values are the same, conf's messages may word dependencies otherwise).
    pub rewrites_exhausted: Option<MenuId>,
    /// The menu tree after automatic submenus and the flattening of `if` blocks.
    pub parent: Vec<Option<MenuId>>,
    pub children: Vec<Vec<MenuId>>,
    /// What conf prints while parsing this tree, and whether it stops there
    /// (computed once: see `conf_parse_messages`).
    pub parse_messages: std::sync::OnceLock<(String, bool)>,
    /// Rewriting steps the propagation into each entry spent (`finalize_like`).
    spent: Vec<u32>,
}

impl Finalized {
    pub fn choice_index(&self, choice: MenuId) -> Option<usize> {
        self.choice_members.iter().position(|(m, _)| *m == choice)
    }
}

/// rewrite_m(): `m` becomes `m && MODULES`, so that it is `n` without modules.
fn rewrite_m(e: &Expr, modules: SymbolId) -> Expr {
    match e {
        Expr::Not(inner) => Expr::not(rewrite_m(inner, modules)),
        Expr::And(a, b) => Expr::and(rewrite_m(a, modules), rewrite_m(b, modules)),
        Expr::Or(a, b) => Expr::or(rewrite_m(a, modules), rewrite_m(b, modules)),
        Expr::Symbol(s) if *s == SymbolId::MOD => {
            Expr::and(Expr::sym(SymbolId::MOD), Expr::sym(modules))
        }
        other => other.clone(),
    }
}

struct Finalizer<'a> {
    model: &'a Model,
    fin: Finalized,
    modules: SymbolId,
    /// Kernels before 6.11.
    v1: bool,
    /// Rewriting steps left (`simplify::REWRITE_STEPS`).
    fuel: std::cell::Cell<u64>,
    /// The finalization of a tree, and which entries propagate alike in it (`alike`).
    reuse: Option<(&'a Finalized, Vec<bool>)>,
    /// Entries and properties whose own dependency `fin` holds (or has replaced).
    taken_menus: Vec<bool>,
    taken_props: Vec<bool>,
}

/// What is said of a tree whose rewrites ran out (`Finalized::rewrites_exhausted`).
pub const REWRITES_EXHAUSTED: &str =
    "dependencies too large to rewrite: more than 50,000,000 steps in this tree";
// The message spells out the budget.
const _: () = assert!(REWRITE_STEPS == 50_000_000);

impl Finalized {
    /// The error at the entry where the rewriting budget ran out, as conf words its
    /// messages (`file:line:message`).
    pub fn rewrite_error(&self, model: &Model) -> Option<Diagnostic> {
        let menu = self.rewrites_exhausted?;
        let pos = model.menu(menu).pos;
        Some(Diagnostic::new(
            Severity::Error,
            model.file_name(pos.file),
            pos.line,
            REWRITES_EXHAUSTED.to_string(),
            KernelStyle::Plain,
        ))
    }
}

pub fn finalize(model: &Model, bool_choices: bool) -> Finalized {
    finalize_like(model, bool_choices, None)
}

/// `finalize`, taking what the propagation of each entry gives from `like` (the tree of
/// the commit before, finalized) where that cannot differ: the same result.
pub fn finalize_like(
    model: &Model,
    bool_choices: bool,
    like: Option<(&Model, &Finalized)>,
) -> Finalized {
    let nsyms = model.symbols.len();
    let fin = Finalized {
        // Each entry's and property's own, taken when propagating into it (`own_dep`).
        menu_dep: vec![None; model.menus.len()],
        prop_cond: vec![None; model.props.len()],
        dir_dep: vec![None; nsyms],
        rev_dep: vec![None; nsyms],
        implied: vec![None; nsyms],
        choice_of: vec![None; nsyms],
        is_choice_value: vec![false; nsyms],
        choice_members: Vec::new(),
        choice_subtree: Vec::new(),
        types: model.symbols.iter().map(|s| s.stype).collect(),
        is_const: model.symbols.iter().map(|s| s.is_const).collect(),
        warnings: Vec::new(),
        rewrites_exhausted: None,
        parent: model.menus.iter().map(|m| m.parent).collect(),
        children: model.menus.iter().map(|m| m.children.clone()).collect(),
        parse_messages: std::sync::OnceLock::new(),
        spent: vec![0; model.menus.len()],
    };
    let reuse = like
        .map(|(old, old_fin)| (old_fin, alike(model, old, old_fin, !bool_choices)))
        .filter(|(_, same)| same.contains(&true));
    // Without a `modules` symbol, modules_sym is the constant n.
    let modules = model.modules_sym.unwrap_or(SymbolId::NO);
    let mut f = Finalizer {
        model,
        fin,
        modules,
        v1: !bool_choices,
        fuel: std::cell::Cell::new(REWRITE_STEPS),
        reuse,
        taken_menus: vec![false; model.menus.len()],
        taken_props: vec![false; model.props.len()],
    };
    f.own_dep(Model::ROOT);
    f.finalize_menu(Model::ROOT, false);
    // An entry or property never propagated into keeps its own.
    for index in 0..model.menus.len() {
        f.own_dep(MenuId(index as u32));
    }
    for index in 0..model.props.len() {
        f.own_cond(PropId(index as u32));
    }
    let mut fin = f.fin;
    if bool_choices {
        choices_from_blocks(model, &mut fin);
    }
    fin
}

/// Which entries of `model` propagate exactly as those of `old` (finalized as `old_fin`)
/// at the same index do, given the same dependency of their parent: an entry's dependency
/// and its properties' conditions after propagation are a function of its parent's, its
/// own `depends on` and conditions, and the types of the symbols they name. So the entries
/// must be the same (kind, parent, symbol, prompt, dependency; their properties the same),
/// naming only symbols that are the same at both (name, type), with the same modules
/// symbol. Whether the parent's dependency came out the same is known only while
/// propagating (`Finalizer::propagate_child`). A 6.1 tree takes only entries from the start,
/// up to its first choice: its choices' values change their dependencies after
/// propagation, and choice types come from members further on.
fn alike(model: &Model, old: &Model, old_fin: &Finalized, v1: bool) -> Vec<bool> {
    let none = || vec![false; model.menus.len()];
    if old_fin.rewrites_exhausted.is_some()
        || model.modules_sym != old.modules_sym
        || old_fin.spent.len() != old.menus.len()
    {
        return none();
    }
    // Symbols named the same and of the same type in both trees.
    let same_sym: Vec<bool> = (model.symbols.iter().enumerate())
        .map(|(i, a)| {
            old.symbols
                .get(i)
                .is_some_and(|b| a.name == b.name && a.stype == b.stype && a.is_const == b.is_const)
        })
        .collect();
    if model.modules_sym.is_some_and(|m| !same_sym[m.0 as usize]) {
        return none();
    }
    let foreign = |e: &Option<Expr>| {
        e.as_ref()
            .is_some_and(|e| e.any_symbol(&|s| !same_sym[s.0 as usize]))
    };
    let mut same = vec![true; model.menus.len()];
    same.iter_mut()
        .skip(old.menus.len())
        .for_each(|s| *s = false);
    // Properties by index: where the two trees differ, the entries of both sides' property
    // differ (an entry whose last property is gone keeps its other fields, but not what
    // propagating into it cost).
    for index in 0..model.props.len().max(old.props.len()) {
        let (a, b) = (model.props.get(index), old.props.get(index));
        let kept = a.zip(b).is_some_and(|(a, b)| {
            a.menu == b.menu
                && a.kind == b.kind
                && a.expr == b.expr
                && a.cond == b.cond
                && !foreign(&a.expr)
                && !foreign(&a.cond)
        });
        if !kept {
            for prop in [a, b].into_iter().flatten() {
                if let Some(s) = same.get_mut(prop.menu.0 as usize) {
                    *s = false;
                }
            }
        }
    }
    let mut in_choice = vec![false; model.menus.len()];
    for (index, (a, b)) in model.menus.iter().zip(&old.menus).enumerate() {
        same[index] &= a.kind == b.kind
            && a.parent == b.parent
            && a.sym == b.sym
            && a.prompt == b.prompt
            && a.dep == b.dep
            && a.sym.is_none_or(|s| same_sym[s.0 as usize])
            && !foreign(&a.dep);
        in_choice[index] =
            a.kind == MenuKind::Choice || a.parent.is_some_and(|p| in_choice[p.0 as usize]);
        if v1 && (!same[index] || in_choice[index]) {
            same[index..].iter_mut().for_each(|s| *s = false);
            break;
        }
    }
    same
}

/// 6.11+: choice members are the config entries of the choice block, as the parser
/// records them (a symbol joins only the first choice it appears in); the choice a symbol
/// belongs to is found from its first prompted entry (sym_get_choice_menu()).
fn choices_from_blocks(model: &Model, fin: &mut Finalized) {
    for (index, menu) in model.menus.iter().enumerate() {
        if menu.kind != MenuKind::Choice {
            continue;
        }
        let choice = MenuId(index as u32);
        let mut members = Vec::new();
        collect_members(model, choice, &mut members);
        let members: Vec<SymbolId> = members
            .into_iter()
            .filter(|&s| {
                let first = !fin.is_choice_value[s.0 as usize];
                fin.is_choice_value[s.0 as usize] = true;
                first
            })
            .collect();
        let mut subtree = Vec::new();
        subtree_syms(model, fin, choice, &mut subtree);
        fin.choice_members.push((choice, members));
        fin.choice_subtree.push((choice, subtree));
    }
    for (index, sym) in model.symbols.iter().enumerate() {
        let Some(&with_prompt) = sym.menus.iter().find(|&&m| model.menu(m).prompt.is_some()) else {
            continue;
        };
        let mut menu = fin.parent[with_prompt.0 as usize];
        while let Some(m) = menu {
            if model.menu(m).sym.is_some() {
                break;
            }
            menu = fin.parent[m.0 as usize];
        }
        if let Some(m) = menu {
            if model.menu(m).kind == MenuKind::Choice {
                fin.choice_of[index] = Some(m);
            }
        }
    }
}

/// Config entries inside a choice block, at any depth of the parsed tree.
fn collect_members(model: &Model, menu: MenuId, members: &mut Vec<SymbolId>) {
    for &child in &model.menu(menu).children {
        let entry = model.menu(child);
        if let Some(sym) = entry.sym {
            if matches!(entry.kind, MenuKind::Config | MenuKind::MenuConfig)
                && !members.contains(&sym)
            {
                members.push(sym);
            }
        }
        collect_members(model, child, members);
    }
}

/// menu_for_each_sub_entry() over the finalized tree: every symbol below `menu`.
fn subtree_syms(model: &Model, fin: &Finalized, menu: MenuId, out: &mut Vec<SymbolId>) {
    for &child in &fin.children[menu.0 as usize] {
        if let Some(sym) = model.menu(child).sym {
            out.push(sym);
        }
        subtree_syms(model, fin, child, out);
    }
}

impl Finalizer<'_> {
    /// `fin.menu_dep` of `menu`, from its own `depends on` the first time it is asked for:
    /// an entry taken from the tree before never copies its own.
    fn own_dep(&mut self, menu: MenuId) {
        let index = menu.0 as usize;
        if !std::mem::replace(&mut self.taken_menus[index], true) {
            self.fin.menu_dep[index] = self.model.menu(menu).dep.clone();
        }
    }

    /// `fin.prop_cond` of `prop`, from its own condition the first time it is asked for.
    fn own_cond(&mut self, prop: PropId) {
        let index = prop.0 as usize;
        if !std::mem::replace(&mut self.taken_props[index], true) {
            self.fin.prop_cond[index] = self.model.prop(prop).cond.clone();
        }
    }

    /// `f` with the symbols' types lent out; `menu` is the entry whose dependencies it
    /// rewrites, recorded when the budget of rewriting steps runs out in it.
    fn info_call<R>(&mut self, menu: MenuId, f: impl FnOnce(&mut Finalized, &SymInfo) -> R) -> R {
        // The rewrites read symbol types while `fin` is being written: lend them out.
        let types = std::mem::take(&mut self.fin.types);
        let is_const = std::mem::take(&mut self.fin.is_const);
        let result = f(
            &mut self.fin,
            &SymInfo {
                types: &types,
                is_const: &is_const,
                fuel: &self.fuel,
            },
        );
        if self.fuel.get() == 0 && self.fin.rewrites_exhausted.is_none() {
            self.fin.rewrites_exhausted = Some(menu);
        }
        self.fin.types = types;
        self.fin.is_const = is_const;
        result
    }

    /// Propagate the parent's dependency into a child entry and its properties; record
    /// selects and implies (the first loop of _menu_finalize()).
    fn propagate_child(&mut self, child: MenuId, parent_dep: Option<&Expr>) {
        let model = self.model;
        let modules = self.modules;
        let index = child.0 as usize;
        // Alike in the tree before, under a parent whose dependency came out the same,
        // and as far from running out of steps.
        let reuse = (self.reuse.as_ref())
            .filter(|(old, same)| {
                same[index]
                    && self.fuel.get() > u64::from(old.spent[index])
                    && model
                        .menu(child)
                        .parent
                        .is_some_and(|p| parent_dep == old.menu_dep[p.0 as usize].as_ref())
            })
            .map(|&(old, _)| old);
        let fuel_before = self.fuel.get();
        let child_menu = model.menu(child);
        let props: &[PropId] = match child_menu.sym {
            Some(sym) => &model.symbol(sym).props,
            None => child_menu.prompt.as_slice(),
        };
        match reuse {
            // Replaced below as a whole.
            Some(_) => {
                self.taken_menus[index] = true;
                for &prop in props.iter().filter(|&&p| model.prop(p).menu == child) {
                    self.taken_props[prop.0 as usize] = true;
                }
            }
            None => {
                self.own_dep(child);
                for &prop in props.iter().filter(|&&p| model.prop(p).menu == child) {
                    self.own_cond(prop);
                }
            }
        }
        self.info_call(child, |fin, info| {
            // Each slot is written once; what is taken from the tree before is cloned once.
            fin.menu_dep[index] = match reuse {
                Some(old) => old.menu_dep[index].clone(),
                None => {
                    let own = fin.menu_dep[index]
                        .as_ref()
                        .map(|d| transform(&rewrite_m(d, modules), info));
                    eliminate_dups_onto(parent_dep.cloned(), own, info)
                }
            };
            for &prop in props {
                let p = model.prop(prop);
                if p.menu != child {
                    continue;
                }
                let slot = prop.0 as usize;
                fin.prop_cond[slot] = match reuse {
                    Some(old) => old.prop_cond[slot].clone(),
                    None => {
                        let cond = fin.prop_cond[slot]
                            .as_ref()
                            .map(|c| transform(&rewrite_m(c, modules), info));
                        eliminate_dups_onto(fin.menu_dep[index].clone(), cond, info)
                    }
                };
                if let (Some(owner), Some(Expr::Symbol(target))) = (child_menu.sym, p.expr.as_ref())
                {
                    let dep = fin.prop_cond[slot].clone();
                    let term = Expr::and_opt(Some(Expr::sym(owner)), dep);
                    let slot = match p.kind {
                        PropKind::Select => &mut fin.rev_dep[target.0 as usize],
                        PropKind::Imply => &mut fin.implied[target.0 as usize],
                        _ => continue,
                    };
                    *slot = Expr::or_opt(slot.take(), term);
                }
            }
        });
        let spent = match reuse {
            Some(old) => {
                self.fuel.set(self.fuel.get() - u64::from(old.spent[index]));
                old.spent[index]
            }
            None => (fuel_before - self.fuel.get()) as u32,
        };
        self.fin.spent[index] = spent;
    }

    fn children(&self, menu: MenuId) -> &Vec<MenuId> {
        &self.fin.children[menu.0 as usize]
    }

    /// _menu_finalize().
    fn finalize_menu(&mut self, parent: MenuId, inside_choice: bool) {
        let model = self.model;
        let sym = model.menu(parent).sym;
        let is_choice = sym.is_some_and(|s| model.symbol(s).is_choice);
        if !self.children(parent).is_empty() {
            let parent_dep = if self.v1 && is_choice {
                let choice_sym = sym.expect("a choice has a symbol");
                self.infer_choice_types(parent, choice_sym);
                // 6.1: the choice itself bounds its members.
                Some(Expr::sym(choice_sym))
            } else {
                self.fin.menu_dep[parent.0 as usize].clone()
            };
            // Propagating changes no entry's children.
            for index in 0..self.children(parent).len() {
                let child = self.children(parent)[index];
                self.propagate_child(child, parent_dep.as_ref());
            }
            // Children may take their following siblings as submenus: walk by index.
            let mut index = 0;
            while index < self.children(parent).len() {
                let child = self.children(parent)[index];
                self.finalize_menu(child, is_choice);
                index += 1;
            }
        } else if let Some(sym) = sym {
            if self.v1 || !inside_choice {
                self.auto_submenu(parent, sym);
                let dep = self.fin.menu_dep[parent.0 as usize].clone();
                let slot = &mut self.fin.dir_dep[sym.0 as usize];
                *slot = Expr::or_opt(slot.take(), dep);
            }
        }
        self.flatten(parent, is_choice.then_some(sym).flatten());
        if self.v1 && is_choice {
            self.choice_rev_dep_v1(parent, sym.expect("a choice has a symbol"));
        }
    }

    /// Automatic submenus: the entries right after `parent` that depend on its symbol
    /// become its children.
    fn auto_submenu(&mut self, parent: MenuId, sym: SymbolId) {
        let model = self.model;
        let Some(grand) = self.fin.parent[parent.0 as usize] else {
            return;
        };
        let Some(position) = self.children(grand).iter().position(|&m| m == parent) else {
            return;
        };
        // The symbol's own dependency in comparable form; only needed for the superset
        // test, which most entries never reach.
        let mut basedep: Option<Option<Expr>> = None;
        let mut moved = 0;
        loop {
            let next_index = position + 1 + moved;
            let Some(&menu) = self.children(grand).get(next_index) else {
                break;
            };
            let entry = model.menu(menu);
            let slot = match entry.prompt {
                Some(p) => &self.fin.prop_cond[p.0 as usize],
                None => &self.fin.menu_dep[menu.0 as usize],
            };
            if !contains_symbol(slot.as_ref(), sym) {
                break;
            }
            if !depends_symbol(slot.as_ref(), sym) {
                let dep = slot.clone();
                // Also a dependency when it is a superset of the symbol's own.
                if basedep.is_none() {
                    let own = model
                        .menu(parent)
                        .prompt
                        .and_then(|p| self.fin.prop_cond[p.0 as usize].clone());
                    basedep = Some(self.info_call(menu, |_, info| {
                        let e = trans_compare(own.as_ref(), CmpOp::Unequal, SymbolId::NO);
                        eliminate_dups(Some(transform(&e, info)), info)
                    }));
                }
                let basedep = basedep.clone().flatten();
                let superset = self.info_call(menu, |_, info| {
                    let d = trans_compare(dep.as_ref(), CmpOp::Unequal, SymbolId::NO);
                    let d = eliminate_dups(Some(transform(&d, info)), info);
                    let (_, rest) = eliminate_eq(d, basedep.clone(), info);
                    expr_is_yes(rest.as_ref())
                });
                if !superset {
                    break;
                }
            }
            self.finalize_menu(menu, false);
            self.fin.parent[menu.0 as usize] = Some(parent);
            moved += 1;
        }
        if moved > 0 {
            let taken: Vec<MenuId> = self.fin.children[grand.0 as usize]
                .drain(position + 1..position + 1 + moved)
                .collect();
            self.fin.children[parent.0 as usize] = taken;
        }
    }

    /// The flattening loop of _menu_finalize(): the children of a child without a prompt
    /// text (an `if`, or a symbol without prompt) move up beside it. For a 6.1 choice it
    /// also marks the choice values.
    fn flatten(&mut self, parent: MenuId, choice_sym: Option<SymbolId>) {
        let model = self.model;
        let mut index = 0;
        while index < self.children(parent).len() {
            let menu = self.children(parent)[index];
            if self.v1 {
                if let (Some(cs), Some(member)) = (choice_sym, model.menu(menu).sym) {
                    self.mark_choice_value_v1(parent, cs, menu, member);
                }
            }
            let has_text = model
                .menu(menu)
                .prompt
                .is_some_and(|p| model.prop(p).text.is_some());
            if !self.children(menu).is_empty() && !has_text {
                let grandchildren = std::mem::take(&mut self.fin.children[menu.0 as usize]);
                for &g in &grandchildren {
                    self.fin.parent[g.0 as usize] = Some(parent);
                }
                let list = &mut self.fin.children[parent.0 as usize];
                list.splice(index + 1..index + 1, grandchildren);
            }
            index += 1;
        }
    }

    /// 6.1: a choice's type comes from its first typed member; untyped members take it.
    fn infer_choice_types(&mut self, choice: MenuId, choice_sym: SymbolId) {
        let model = self.model;
        let members: Vec<SymbolId> = self
            .children(choice)
            .iter()
            .filter_map(|&c| model.menu(c).sym)
            .collect();
        if self.fin.types[choice_sym.0 as usize] == SymbolType::Unknown {
            if let Some(t) = members
                .iter()
                .map(|s| self.fin.types[s.0 as usize])
                .find(|&t| t != SymbolType::Unknown)
            {
                self.fin.types[choice_sym.0 as usize] = t;
            }
        }
        let choice_type = self.fin.types[choice_sym.0 as usize];
        for s in members {
            if self.fin.types[s.0 as usize] == SymbolType::Unknown {
                self.fin.types[s.0 as usize] = choice_type;
            }
        }
    }

    /// 6.1: mark a direct child of a choice as one of its values; a tristate choice's
    /// non-tristate values depend on the choice being y.
    fn mark_choice_value_v1(
        &mut self,
        choice: MenuId,
        choice_sym: SymbolId,
        menu: MenuId,
        member: SymbolId,
    ) {
        let model = self.model;
        if self.fin.is_choice_value[member.0 as usize] {
            return;
        }
        self.fin.is_choice_value[member.0 as usize] = true;
        self.fin.choice_of[member.0 as usize] = Some(choice);
        match self
            .fin
            .choice_members
            .iter_mut()
            .find(|(m, _)| *m == choice)
        {
            Some((_, list)) => list.push(member),
            None => self.fin.choice_members.push((choice, vec![member])),
        }
        if self.fin.types[choice_sym.0 as usize] == SymbolType::Tristate
            && self.fin.types[member.0 as usize] != SymbolType::Tristate
        {
            let must_be_y = Expr::Cmp(CmpOp::Equal, choice_sym, SymbolId::YES);
            let dep = self.fin.menu_dep[menu.0 as usize].take();
            self.fin.menu_dep[menu.0 as usize] = Expr::and_opt(Some(must_be_y.clone()), dep);
            for &prop in &model.symbol(member).props {
                if model.prop(prop).menu != menu {
                    continue;
                }
                let cond = self.fin.prop_cond[prop.0 as usize].take();
                self.fin.prop_cond[prop.0 as usize] = Expr::and_opt(Some(must_be_y.clone()), cond);
            }
        }
    }

    /// 6.1: a non-optional choice is selected to at least m wherever its prompt shows.
    fn choice_rev_dep_v1(&mut self, choice: MenuId, choice_sym: SymbolId) {
        let model = self.model;
        if !self.fin.choice_members.iter().any(|(m, _)| *m == choice) {
            self.fin.choice_members.push((choice, Vec::new()));
        }
        if model.symbol(choice_sym).optional {
            return;
        }
        if let Some(prompt) = model.menu(choice).prompt {
            let term = Expr::and_opt(
                self.fin.prop_cond[prompt.0 as usize].clone(),
                Some(Expr::sym(SymbolId::MOD)),
            );
            let slot = &mut self.fin.rev_dep[choice_sym.0 as usize];
            *slot = Expr::or_opt(slot.take(), term);
        }
    }
}

/// expr_contains_symbol().
fn contains_symbol(e: Option<&Expr>, sym: SymbolId) -> bool {
    match e {
        None => false,
        Some(Expr::And(a, b)) | Some(Expr::Or(a, b)) => {
            contains_symbol(Some(a), sym) || contains_symbol(Some(b), sym)
        }
        Some(Expr::Symbol(s)) => *s == sym,
        Some(Expr::Cmp(_, a, b)) => *a == sym || *b == sym,
        Some(Expr::Not(a)) => contains_symbol(Some(a), sym),
        Some(Expr::Range(..)) => false,
    }
}

/// expr_depends_symbol(): `e` can only be true when `sym` is not n.
fn depends_symbol(e: Option<&Expr>, sym: SymbolId) -> bool {
    match e {
        None => false,
        Some(Expr::And(a, b)) => depends_symbol(Some(a), sym) || depends_symbol(Some(b), sym),
        Some(Expr::Symbol(s)) => *s == sym,
        Some(Expr::Cmp(CmpOp::Equal, a, b)) => {
            *a == sym && (*b == SymbolId::YES || *b == SymbolId::MOD)
        }
        Some(Expr::Cmp(CmpOp::Unequal, a, b)) => *a == sym && *b == SymbolId::NO,
        _ => false,
    }
}

/// expr_trans_compare(): rewrite `e` as an explicit comparison with `sym`.
fn trans_compare(e: Option<&Expr>, op: CmpOp, sym: SymbolId) -> Expr {
    let Some(e) = e else {
        let base = Expr::sym(sym);
        return if op == CmpOp::Unequal {
            Expr::not(base)
        } else {
            base
        };
    };
    match e {
        Expr::And(a, b) | Expr::Or(a, b) => {
            let is_and = matches!(e, Expr::And(..));
            let e1 = trans_compare(Some(a), CmpOp::Equal, sym);
            let e2 = trans_compare(Some(b), CmpOp::Equal, sym);
            let mut out = e.clone();
            if sym == SymbolId::YES {
                out = if is_and {
                    Expr::and(e1.clone(), e2.clone())
                } else {
                    Expr::or(e1.clone(), e2.clone())
                };
            }
            if sym == SymbolId::NO {
                out = if is_and {
                    Expr::or(e1, e2)
                } else {
                    Expr::and(e1, e2)
                };
            }
            if op == CmpOp::Unequal {
                out = Expr::not(out);
            }
            out
        }
        Expr::Not(a) => {
            let flipped = if op == CmpOp::Equal {
                CmpOp::Unequal
            } else {
                CmpOp::Equal
            };
            trans_compare(Some(a), flipped, sym)
        }
        Expr::Cmp(..) => {
            if op == CmpOp::Equal {
                if sym == SymbolId::YES {
                    e.clone()
                } else if sym == SymbolId::MOD {
                    Expr::sym(SymbolId::NO)
                } else {
                    Expr::not(e.clone())
                }
            } else if sym == SymbolId::YES {
                Expr::not(e.clone())
            } else if sym == SymbolId::MOD {
                Expr::sym(SymbolId::YES)
            } else {
                e.clone()
            }
        }
        Expr::Symbol(s) => Expr::Cmp(op, *s, sym),
        Expr::Range(..) => e.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kconfig::macros::{Preprocessor, ShellPolicy, ShellRunner};
    use crate::kconfig::parser::{Dialect, Parser};
    use crate::source::MemSource;

    fn parse(text: &str, dialect: Dialect) -> Model {
        let source = MemSource::new().with("Kconfig", text);
        let pp = Preprocessor::new(Default::default(), ShellRunner::new(ShellPolicy::Never));
        Parser::new(&source, pp, dialect).parse("Kconfig")
    }

    fn same(a: &Finalized, b: &Finalized) -> bool {
        a.menu_dep == b.menu_dep
            && a.prop_cond == b.prop_cond
            && a.dir_dep == b.dir_dep
            && a.rev_dep == b.rev_dep
            && a.implied == b.implied
            && a.types == b.types
            && a.parent == b.parent
            && a.children == b.children
            && a.choice_members == b.choice_members
            && a.spent == b.spent
            && a.rewrites_exhausted == b.rewrites_exhausted
    }

    const BEFORE: &str = "config MODULES\n\tbool \"m\"\n\tmodules\n\
        menu \"A\"\n\tdepends on X || m\nconfig X\n\ttristate \"x\"\n\tselect T if Y\n\
        config Y\n\tbool \"y\"\n\tdepends on X && X\nendmenu\n\
        choice\n\tprompt \"c\"\nconfig C1\n\tbool \"c1\"\nconfig C2\n\ttristate \"c2\"\nendchoice\n\
        config T\n\tbool\n\tdepends on !X\n";

    #[test]
    fn a_tree_finalized_from_the_one_before_is_finalized_alike() {
        for dialect in [Dialect::CURRENT, Dialect::TRISTATE_CHOICES] {
            let bool_choices = dialect.bool_choices_only();
            let before = parse(BEFORE, dialect);
            let before_fin = finalize(&before, bool_choices);
            // The last entry changes; a symbol is added after it; the menu stays.
            let after = parse(
                &BEFORE.replace(
                    "\tdepends on !X\n",
                    "\tdepends on !X || Y\nconfig NEW\n\tbool\n",
                ),
                dialect,
            );
            let taken = alike(&after, &before, &before_fin, !bool_choices);
            let count = taken.iter().filter(|&&a| a).count();
            assert!(count > 1, "{dialect:?}: {count} entries alike");
            assert!(
                !taken[after.menus.len() - 2],
                "{dialect:?}: the changed entry differs"
            );
            let reused = finalize_like(&after, bool_choices, Some((&before, &before_fin)));
            assert!(
                same(&reused, &finalize(&after, bool_choices)),
                "{dialect:?}"
            );
            // A menu's dependency changes: its entries are propagated again; the choice
            // and T after it are taken alike (6.12 on).
            let menu_dep = parse(
                &BEFORE.replace("depends on X || m", "depends on X"),
                dialect,
            );
            let taken = alike(&menu_dep, &before, &before_fin, !bool_choices);
            let last = menu_dep.menus.len() - 1;
            assert_eq!(taken[last], bool_choices, "{dialect:?}: the last entry");
            let reused = finalize_like(&menu_dep, bool_choices, Some((&before, &before_fin)));
            assert!(
                same(&reused, &finalize(&menu_dep, bool_choices)),
                "{dialect:?} menu dependency"
            );
            // X loses its last property (`select T if Y`): the property that takes its
            // index is the next entry's, and X differs too: propagating into it costs less
            // now.
            let unselected = parse(&BEFORE.replace("\tselect T if Y\n", ""), dialect);
            let taken = alike(&unselected, &before, &before_fin, !bool_choices);
            let x = unselected.menus.iter().position(|m| {
                m.sym
                    .is_some_and(|s| unselected.symbols[s.0 as usize].name.as_deref() == Some("X"))
            });
            assert_eq!(x.map(|x| taken[x]), Some(false), "{dialect:?}: X differs");
            let reused = finalize_like(&unselected, bool_choices, Some((&before, &before_fin)));
            assert!(
                same(&reused, &finalize(&unselected, bool_choices)),
                "{dialect:?} a property gone"
            );
            // A type changed further on changes how the entries before it propagate.
            let retyped = parse(
                &BEFORE.replace("config T\n\tbool", "config T\n\ttristate"),
                dialect,
            );
            let reused = finalize_like(&retyped, bool_choices, Some((&before, &before_fin)));
            assert!(
                same(&reused, &finalize(&retyped, bool_choices)),
                "{dialect:?} retyped"
            );
        }
    }
}
