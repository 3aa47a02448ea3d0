//! menu_finalize(): from the parsed menu tree to the dependencies the resolver evaluates.
//!
//! Mirrors _menu_finalize() in scripts/kconfig/menu.c: every entry's `depends on` is ANDed
//! with its parents' (with `m` rewritten to `m && MODULES`), every property's condition
//! with its entry's, `select` and `imply` become reverse dependencies of their targets, and
//! each symbol's direct dependency is the OR of the dependencies of its definitions. It
//! also finds choice members. The result depends only on the model, so one `Finalized`
//! serves every configuration resolved against it.

use super::expr::Expr;
use super::model::*;
use super::simplify::{eliminate_dups, transform, SymInfo};

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

pub fn finalize(model: &Model, bool_choices: bool) -> Finalized {
    let nsyms = model.symbols.len();
    let mut fin = Finalized {
        menu_dep: model.menus.iter().map(|m| m.dep.clone()).collect(),
        prop_cond: model.props.iter().map(|p| p.cond.clone()).collect(),
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
    };
    // Without a `modules` symbol, modules_sym is the constant n.
    let modules = model.modules_sym.unwrap_or(SymbolId::NO);
    if !bool_choices {
        finalize_v1(model, &mut fin, Model::ROOT, modules);
        return fin;
    }
    finalize_menu(model, &mut fin, Model::ROOT, false, modules);

    // Choice membership, as the parser records it: every config entry inside a choice
    // block, a symbol joining only the first choice it appears in.
    for (index, menu) in model.menus.iter().enumerate() {
        if menu.kind != MenuKind::Choice {
            continue;
        }
        let choice = MenuId(index as u32);
        let mut members = Vec::new();
        let mut subtree = Vec::new();
        collect_members(model, choice, &mut members, &mut subtree);
        let members: Vec<SymbolId> = members
            .into_iter()
            .filter(|&s| {
                let first = !fin.is_choice_value[s.0 as usize];
                fin.is_choice_value[s.0 as usize] = true;
                first
            })
            .collect();
        fin.choice_members.push((choice, members));
        fin.choice_subtree.push((choice, subtree));
    }
    // sym_get_choice_menu(): the first definition with a prompt decides; its nearest
    // ancestor carrying a symbol must be a choice.
    for (index, sym) in model.symbols.iter().enumerate() {
        let Some(&with_prompt) = sym.menus.iter().find(|&&m| model.menu(m).prompt.is_some()) else {
            continue;
        };
        let mut menu = model.menu(with_prompt).parent;
        while let Some(m) = menu {
            if model.menu(m).sym.is_some() {
                break;
            }
            menu = model.menu(m).parent;
        }
        if let Some(m) = menu {
            if model.menu(m).kind == MenuKind::Choice {
                fin.choice_of[index] = Some(m);
            }
        }
    }
    fin
}

fn collect_members(model: &Model, menu: MenuId, members: &mut Vec<SymbolId>, subtree: &mut Vec<SymbolId>) {
    for &child in &model.menu(menu).children {
        let entry = model.menu(child);
        if let Some(sym) = entry.sym {
            subtree.push(sym);
            if matches!(entry.kind, MenuKind::Config | MenuKind::MenuConfig) && !members.contains(&sym) {
                members.push(sym);
            }
        }
        collect_members(model, child, members, subtree);
    }
}

fn finalize_menu(model: &Model, fin: &mut Finalized, parent: MenuId, inside_choice: bool, modules: SymbolId) {
    let parent_menu = model.menu(parent);
    let parent_dep = fin.menu_dep[parent.0 as usize].clone();
    if !parent_menu.children.is_empty() {
        for &child in &parent_menu.children {
            propagate_child(model, fin, child, parent_dep.clone(), modules);
        }
        let is_choice = parent_menu
            .sym
            .map(|s| model.symbol(s).is_choice)
            .unwrap_or(false);
        for &child in &parent_menu.children {
            finalize_menu(model, fin, child, is_choice, modules);
        }
    } else if !inside_choice {
        if let Some(sym) = parent_menu.sym {
            let slot = &mut fin.dir_dep[sym.0 as usize];
            *slot = Expr::or_opt(slot.take(), parent_dep);
        }
    }
}

/// Propagate `basedep` into a child entry and its properties; record selects and implies.
fn propagate_child(model: &Model, fin: &mut Finalized, child: MenuId, parent_dep: Option<Expr>, modules: SymbolId) {
    // The rewrites read symbol types while `fin` is being written: lend them out.
    let types = std::mem::take(&mut fin.types);
    let is_const = std::mem::take(&mut fin.is_const);
    propagate_child_with(model, fin, child, parent_dep, modules, &SymInfo { types: &types, is_const: &is_const });
    fin.types = types;
    fin.is_const = is_const;
}

fn propagate_child_with(
    model: &Model,
    fin: &mut Finalized,
    child: MenuId,
    parent_dep: Option<Expr>,
    modules: SymbolId,
    info: &SymInfo,
) {
    let own = fin.menu_dep[child.0 as usize]
        .as_ref()
        .map(|d| transform(&rewrite_m(d, modules), info));
    let basedep = eliminate_dups(Expr::and_opt(parent_dep, own), info);
    fin.menu_dep[child.0 as usize] = basedep.clone();
    let child_menu = model.menu(child);
    let props: Vec<PropId> = match child_menu.sym {
        Some(sym) => model.symbol(sym).props.clone(),
        None => child_menu.prompt.into_iter().collect(),
    };
    for prop in props {
        let p = model.prop(prop);
        if p.menu != child {
            continue;
        }
        let cond = fin.prop_cond[prop.0 as usize]
            .as_ref()
            .map(|c| transform(&rewrite_m(c, modules), info));
        let dep = eliminate_dups(Expr::and_opt(basedep.clone(), cond), info);
        fin.prop_cond[prop.0 as usize] = dep.clone();
        if let (Some(owner), Some(Expr::Symbol(target))) = (child_menu.sym, p.expr.as_ref()) {
            let term = Expr::and_opt(Some(Expr::sym(owner)), dep);
            let slot = match p.kind {
                PropKind::Select => &mut fin.rev_dep[target.0 as usize],
                PropKind::Imply => &mut fin.implied[target.0 as usize],
                _ => continue,
            };
            *slot = Expr::or_opt(slot.take(), term);
        }
    }
}

/// menu_finalize() of kernels before 6.11: choice members depend on the choice symbol,
/// a tristate choice's bool members on `choice = y`, and a non-optional choice is selected
/// to at least m wherever its prompt is visible.
fn finalize_v1(model: &Model, fin: &mut Finalized, parent: MenuId, modules: SymbolId) {
    let parent_menu = model.menu(parent);
    let sym = parent_menu.sym;
    let is_choice = sym.is_some_and(|s| model.symbol(s).is_choice);
    if !parent_menu.children.is_empty() {
        let parent_dep = if is_choice {
            let choice_sym = sym.expect("a choice has a symbol");
            if fin.types[choice_sym.0 as usize] == SymbolType::Unknown {
                let inferred = parent_menu
                    .children
                    .iter()
                    .filter_map(|&c| model.menu(c).sym)
                    .map(|s| fin.types[s.0 as usize])
                    .find(|&t| t != SymbolType::Unknown);
                if let Some(t) = inferred {
                    fin.types[choice_sym.0 as usize] = t;
                }
            }
            let choice_type = fin.types[choice_sym.0 as usize];
            for &c in &parent_menu.children {
                if let Some(s) = model.menu(c).sym {
                    if fin.types[s.0 as usize] == SymbolType::Unknown {
                        fin.types[s.0 as usize] = choice_type;
                    }
                }
            }
            Some(Expr::sym(choice_sym))
        } else {
            fin.menu_dep[parent.0 as usize].clone()
        };
        for &child in &parent_menu.children {
            propagate_child(model, fin, child, parent_dep.clone(), modules);
        }
        for &child in &parent_menu.children {
            finalize_v1(model, fin, child, modules);
        }
    } else if let Some(sym) = sym {
        let parent_dep = fin.menu_dep[parent.0 as usize].clone();
        let slot = &mut fin.dir_dep[sym.0 as usize];
        *slot = Expr::or_opt(slot.take(), parent_dep);
    }
    if is_choice {
        let choice_sym = sym.expect("a choice has a symbol");
        let mut members = Vec::new();
        let mut flat = Vec::new();
        flatten_ifs(model, parent, &mut flat);
        for child in flat {
            let Some(member) = model.menu(child).sym else {
                continue;
            };
            if fin.is_choice_value[member.0 as usize] {
                continue;
            }
            fin.is_choice_value[member.0 as usize] = true;
            fin.choice_of[member.0 as usize] = Some(parent);
            members.push(member);
            if fin.types[choice_sym.0 as usize] == SymbolType::Tristate
                && fin.types[member.0 as usize] != SymbolType::Tristate
            {
                let must_be_y = Expr::Cmp(super::expr::CmpOp::Equal, choice_sym, SymbolId::YES);
                let dep = fin.menu_dep[child.0 as usize].take();
                fin.menu_dep[child.0 as usize] = Expr::and_opt(Some(must_be_y.clone()), dep);
                for &prop in &model.symbol(member).props {
                    if model.prop(prop).menu != child {
                        continue;
                    }
                    let cond = fin.prop_cond[prop.0 as usize].take();
                    fin.prop_cond[prop.0 as usize] = Expr::and_opt(Some(must_be_y.clone()), cond);
                }
            }
        }
        fin.choice_members.push((parent, members));
        if !model.symbol(choice_sym).optional {
            if let Some(prompt) = parent_menu.prompt {
                let term = Expr::and_opt(
                    fin.prop_cond[prompt.0 as usize].clone(),
                    Some(Expr::sym(SymbolId::MOD)),
                );
                let slot = &mut fin.rev_dep[choice_sym.0 as usize];
                *slot = Expr::or_opt(slot.take(), term);
            }
        }
    }
}

/// The direct children of `menu` once `if` blocks (entries without a prompt) are flattened.
fn flatten_ifs(model: &Model, menu: MenuId, out: &mut Vec<MenuId>) {
    for &child in &model.menu(menu).children {
        out.push(child);
        let entry = model.menu(child);
        let has_prompt_text = entry.prompt.is_some_and(|p| model.prop(p).text.is_some());
        if !entry.children.is_empty() && !has_prompt_text {
            flatten_ifs(model, child, out);
        }
    }
}
