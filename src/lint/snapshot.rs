//! A Kconfig snapshot: the model one commit's tree gives for one arch, with what it read
//! and a fingerprint of its semantics, and the queries checks ask of it.

use std::collections::BTreeMap;

use crate::git::Oid;

use crate::kconfig::env::KernelEnv;
use crate::kconfig::expr::Expr;
use crate::kconfig::finalize::{finalize, Finalized};
use crate::kconfig::model::{Model, Pos, SymbolId};

pub struct KconfigSnapshot {
    pub(crate) env: KernelEnv,
    pub(crate) model: Model,
    pub(crate) fin_cell: std::sync::OnceLock<Finalized>,
    /// Files the tree was read from, with their blob ids.
    pub(crate) reads: Vec<(String, Option<Oid>)>,
    /// What decides values (see `fingerprint`): equal fingerprints resolve alike.
    pub(crate) fingerprint: u64,
}

impl KconfigSnapshot {
    pub(crate) fn fin(&self) -> &Finalized {
        self.fin_cell
            .get_or_init(|| finalize(&self.model, self.env.dialect().bool_choices_only()))
    }
}

/// A hash of everything in a model that can change a symbol's value: the menu tree, each
/// entry's dependencies and properties by symbol name, types and flags. Help texts, prompt
/// wording and positions are left out, so a commit that only rewords help reuses the
/// configurations of its parent.
pub(crate) fn fingerprint(model: &Model, env: &KernelEnv) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    env.vars.hash(&mut h);
    env.dialect.hash(&mut h);
    // Symbols by name: ids differ between parses of different trees.
    fn expr(model: &Model, e: Option<&Expr>, h: &mut std::collections::hash_map::DefaultHasher) {
        let Some(e) = e else {
            0u8.hash(h);
            return;
        };
        match e {
            Expr::Symbol(s) => (1u8, model.sym_name(*s), model.symbol(*s).is_const).hash(h),
            Expr::Not(a) => {
                2u8.hash(h);
                expr(model, Some(a), h);
            }
            Expr::And(a, b) | Expr::Or(a, b) => {
                (if matches!(e, Expr::And(..)) { 3u8 } else { 4u8 }).hash(h);
                expr(model, Some(a), h);
                expr(model, Some(b), h);
            }
            Expr::Cmp(op, a, b) => {
                (5u8, op.token(), model.sym_name(*a), model.sym_name(*b)).hash(h)
            }
            Expr::Range(a, b) => (6u8, model.sym_name(*a), model.sym_name(*b)).hash(h),
        }
    }
    for menu in model.menu_walk() {
        let m = model.menu(menu);
        (m.kind as u8, m.parent.map(|p| p.0), m.prompt.is_some()).hash(&mut h);
        expr(model, m.dep.as_ref(), &mut h);
        expr(model, m.visibility.as_ref(), &mut h);
        if let Some(sym) = m.sym {
            let s = model.symbol(sym);
            (
                model.sym_name(sym),
                s.stype as u8,
                s.is_choice,
                s.transitional,
                s.optional,
                s.allnoconfig_y,
                s.no_write,
            )
                .hash(&mut h);
            for &p in &s.props {
                let prop = model.prop(p);
                if prop.menu != menu {
                    continue;
                }
                (prop.kind as u8).hash(&mut h);
                expr(model, prop.expr.as_ref(), &mut h);
                expr(model, prop.cond.as_ref(), &mut h);
            }
        } else if let Some(p) = m.prompt {
            // Menu and comment titles appear in .config only as comments, never in values.
            expr(model, model.prop(p).cond.as_ref(), &mut h);
        }
    }
    model.modules_sym.map(|s| model.sym_name(s)).hash(&mut h);
    model.option_statements.hash(&mut h);
    h.finish()
}

/// A configuration as `.config` gives it: symbol name (without `CONFIG_`) -> value, `n`
/// for `# CONFIG_X is not set`.
pub type Values = BTreeMap<String, String>;

pub(crate) fn parse_values(config: &str) -> Values {
    crate::kconfig::confdata::config_assignments(config)
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

pub(crate) fn defined(tree: &KconfigSnapshot, name: &str) -> Option<SymbolId> {
    tree.model
        .lookup(name)
        .filter(|&s| !tree.model.symbol(s).menus.is_empty())
}

/// Where a symbol is (first) defined in a tree.
pub(crate) fn definition_pos(tree: &KconfigSnapshot, sym: SymbolId) -> Pos {
    tree.model.menu(tree.model.symbol(sym).menus[0]).pos
}

pub(crate) fn names_only(model: &Model, e: &Expr) -> String {
    let mut out = String::new();
    e.print_with(&mut out, 0, &mut |out, s| out.push_str(model.sym_name(s)));
    out
}

/// A number written where a symbol could stand (`0x10`, `42`): no symbol to define.
pub(crate) fn is_number(name: &str) -> bool {
    let digits = name
        .strip_prefix("0x")
        .or_else(|| name.strip_prefix("0X"))
        .unwrap_or(name);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_hexdigit())
        || name.parse::<i64>().is_ok()
}
