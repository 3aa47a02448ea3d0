//! Incremental resolution: whether a commit's Kconfig change can change a configuration
//! at all, so that the configuration of its parent stands for it without running conf.
//!
//! A symbol's value is a function of its own definition (type, flags, properties with
//! their conditions, direct and reverse dependencies as menu_finalize() computes them)
//! and of the values of the symbols those name. Take the symbols whose own definition a
//! commit changes, adds or removes (`changed`; a `select` or `imply` belongs to the
//! symbol that has it, so a target whose only change is a new selector is not in it). When, under the parent's configuration,
//! each of them is a bool or tristate outside any choice that the parent did not write
//! and that the commit leaves with its dependencies, selects and implies all `n`, then
//! conf computes `n` for each at both commits (sym_calc_value(): an invisible symbol takes
//! a default or a reverse dependency only through conditions that are `n` here) and
//! writes none of them; their selects and implies add `n` to their targets' reverse
//! dependencies at both commits; every other symbol has the same definition at both
//! commits and sees the same values, so it computes the same value. The baseline's inputs (the
//! defconfig, fragments, the user's .config) must be unchanged as well, which the engine
//! checks. Comparisons (`A = "x"`) read an undefined symbol as its name, not `n`: a symbol
//! added or removed must not appear in one.

use std::collections::HashSet;

use super::snapshot::{symbol_hash, symbols_in, touched_menus, KconfigSnapshot, Values};
use crate::kconfig::expr::Expr;
use crate::kconfig::model::{Menu, MenuKind, Model, SymbolId, SymbolType};

/// What a commit changes in the definitions of an arch's symbols, when every changed
/// symbol is one the argument covers whatever the configuration: a plain bool or tristate
/// at both commits, and, when added or removed, named in no comparison. `None` when some
/// symbol is not, or when something beyond symbols changed (environment, dialect, the
/// modules symbol, only the order of entries). `files` are the paths the commit changes.
/// The same for every baseline: computed once per commit.
pub(crate) struct Delta {
    /// Names of the changed symbols, with their symbol at the new commit (`None`: removed).
    changed: Vec<(String, Option<SymbolId>)>,
}

pub(crate) fn delta(
    old: &KconfigSnapshot,
    new: &KconfigSnapshot,
    files: &HashSet<String>,
) -> Option<Delta> {
    let files = redefining_files(old, new, files)?;
    let mut candidates = symbols_in(old, &files);
    candidates.extend(symbols_in(new, &files));
    candidates.sort();
    candidates.dedup();
    let defined_in = |tree: &KconfigSnapshot, name: &str| {
        tree.model.lookup(name).filter(|&s| defined(&tree.model, s))
    };
    let mut compared: Option<HashSet<String>> = None;
    let mut changed = Vec::new();
    for name in candidates {
        let (at_old, at_new) = (defined_in(old, &name), defined_in(new, &name));
        if at_old.map(|s| symbol_hash(old, s)) == at_new.map(|s| symbol_hash(new, s)) {
            continue;
        }
        if at_old.is_some_and(|s| !plain(old, s)) || at_new.is_some_and(|s| !plain(new, s)) {
            return None;
        }
        if at_old.is_none() || at_new.is_none() {
            let names = compared.get_or_insert_with(|| {
                let mut set = compared_names(&old.model);
                set.extend(compared_names(&new.model));
                set
            });
            if names.contains(&name) {
                return None;
            }
        }
        changed.push((name, at_new));
    }
    // Nothing changed but the order of entries: that can decide a choice, or what conf asks.
    (!changed.is_empty()).then_some(Delta { changed })
}

impl Delta {
    /// Whether `values`, the configuration resolved at the old commit, is also what conf
    /// resolves at `new` for the same baseline inputs (see the module's comment for why).
    pub(crate) fn unaffected(&self, new: &KconfigSnapshot, values: &Values) -> bool {
        let fin = new.fin();
        self.changed.iter().all(|(name, at_new)| {
            !values.contains_key(name)
                && at_new.is_none_or(|s| {
                    let i = s.0 as usize;
                    fin.dir_dep[i].is_some()
                        && [&fin.dir_dep[i], &fin.rev_dep[i], &fin.implied[i]]
                            .iter()
                            .all(|dep| {
                                dep.as_ref()
                                    .is_none_or(|e| eval(&new.model, e, values) == Some(0))
                            })
                })
        })
    }
}

/// The files whose entries a commit can redefine (`files` are the paths it changes), or
/// `None` when it changes more than entries: the environment, the dialect, the modules
/// symbol or the `option` statements.
fn redefining_files(
    old: &KconfigSnapshot,
    new: &KconfigSnapshot,
    files: &HashSet<String>,
) -> Option<HashSet<String>> {
    if old.env.vars != new.env.vars
        || old.env.dialect != new.env.dialect
        || old.model.option_statements != new.model.option_statements
        || old.model.modules_sym.map(|s| old.model.sym_name(s))
            != new.model.modules_sym.map(|s| new.model.sym_name(s))
    {
        return None;
    }
    // Only symbols of the files the commit changes (or inside their blocks) can change,
    // and those of files one tree reads and the other does not (a `source` line added or
    // removed, whose file itself is unchanged).
    let read_old: HashSet<&String> = old.model.files.iter().collect();
    let read_new: HashSet<&String> = new.model.files.iter().collect();
    let mut files = files.clone();
    files.extend(
        read_old
            .symmetric_difference(&read_new)
            .map(|f| f.to_string()),
    );
    // A file that uses the macro language may assign a variable that another one expands:
    // then every file that uses it can read differently.
    let macro_files = || old.model.macro_files.iter().chain(&new.model.macro_files);
    if macro_files().any(|f| files.contains(f)) {
        files.extend(macro_files().cloned());
    }
    Some(files)
}

/// Whether `new` has no recursive dependency, given that `old`, the tree of the commit
/// before it, has none; `false` when that cannot be shown without checking every symbol.
///
/// conf's check (sym_check_deps()) is a depth-first search over the symbols, a choice and
/// its members taken as one, and reports a dependency iff the graph has a cycle. A cycle
/// of `new` that `old` lacks uses an edge `old` lacks, and the edges out of a symbol
/// (its finalized direct and reverse dependencies, its properties' conditions and default
/// values, its choice) can only gain one for a symbol with an entry the commit redefines,
/// or for the target of a `select` or `imply` of one, whose new edge ends at that symbol.
/// Either way a new cycle passes through a redefined symbol, and a search from those
/// symbols finds it. A choice and its members are searched as one, from any member: a
/// member the commit redefines brings its choice's other members in. That holds when the
/// rest is as it was: every symbol keeps its type (the rewrites of menu_finalize() read
/// types), no named choice is redefined, and neither tree ran out of rewriting steps.
pub(crate) fn still_acyclic(
    old: &KconfigSnapshot,
    new: &KconfigSnapshot,
    files: &HashSet<String>,
) -> bool {
    let Some(files) = redefining_files(old, new, files) else {
        return false;
    };
    let (old_fin, new_fin) = (old.fin(), new.fin());
    if old_fin.rewrites_exhausted.is_some() || new_fin.rewrites_exhausted.is_some() {
        return false;
    }
    // Constants (quoted, and numbers as well) are looked up apart from the symbols.
    let same_type = new.model.symbols.iter().enumerate().all(|(index, s)| {
        let Some(name) = s.name.as_deref() else {
            return true;
        };
        let names = match s.is_const {
            true => &old.model.const_by_name,
            false => &old.model.by_name,
        };
        (names.get(name)).is_none_or(|o| old_fin.types[o.0 as usize] == new_fin.types[index])
    });
    if !same_type {
        return false;
    }
    let (Some(at_old), Some(at_new)) = (redefined(old, &files), redefined(new, &files)) else {
        return false;
    };
    // A symbol redefined in `old` alone only loses edges; it is searched from all the same.
    let mut starts = at_new;
    let renamed = at_old
        .iter()
        .map(|&s| new.model.lookup(old.model.sym_name(s)));
    starts.extend(renamed.flatten());
    starts.sort_unstable();
    starts.dedup();
    !crate::kconfig::check::cycle_reachable(&new.model, new_fin, &starts)
}

/// The named symbols with an entry in one of `files`, or inside a block that is; `None`
/// when one of those entries is a named choice (6.1: the entries after an empty one that
/// depend on it go below it).
fn redefined(tree: &KconfigSnapshot, files: &HashSet<String>) -> Option<Vec<SymbolId>> {
    let model = &tree.model;
    let Some(touched) = touched_menus(model, files) else {
        return Some(Vec::new());
    };
    let named_choice = |menu: &Menu| {
        menu.kind == MenuKind::Choice && menu.sym.is_some_and(|s| model.symbol(s).name.is_some())
    };
    if (model.menus.iter().zip(&touched)).any(|(menu, &t)| t && named_choice(menu)) {
        return None;
    }
    let syms = (model.symbols.iter().enumerate())
        .filter(|(_, s)| s.name.is_some() && !s.is_const)
        .filter(|(_, s)| s.menus.iter().any(|m| touched[m.0 as usize]))
        .map(|(index, _)| SymbolId(index as u32));
    Some(syms.collect())
}

fn defined(model: &Model, s: SymbolId) -> bool {
    !model.symbol(s).menus.is_empty()
}

/// A bool or tristate that is nothing but that: no choice, no flags that change how it is
/// read or written.
fn plain(tree: &KconfigSnapshot, s: SymbolId) -> bool {
    let sym = tree.model.symbol(s);
    matches!(sym.stype, SymbolType::Bool | SymbolType::Tristate)
        && !sym.is_choice
        && !sym.transitional
        && !sym.no_write
        && !sym.allnoconfig_y
        && tree.fin().choice_of[s.0 as usize].is_none()
}

/// The tristate value of `e` under `values` (0, 1, 2), or `None` for a comparison.
fn eval(model: &Model, e: &Expr, values: &Values) -> Option<u8> {
    Some(match e {
        Expr::Symbol(s) => {
            let sym = model.symbol(*s);
            let name = model.sym_name(*s);
            if sym.is_const {
                match name {
                    "y" => 2,
                    "m" => 1,
                    "n" => 0,
                    _ => return None,
                }
            } else if sym.menus.is_empty() {
                0
            } else if sym.no_write
                || sym.transitional
                || !matches!(sym.stype, SymbolType::Bool | SymbolType::Tristate)
            {
                // A value .config does not hold, or not a tristate: not decided here.
                return None;
            } else {
                match values.get(name).map(String::as_str) {
                    Some("y") => 2,
                    Some("m") => 1,
                    _ => 0,
                }
            }
        }
        Expr::Not(a) => 2 - eval(model, a, values)?,
        Expr::And(a, b) => eval(model, a, values)?.min(eval(model, b, values)?),
        Expr::Or(a, b) => eval(model, a, values)?.max(eval(model, b, values)?),
        Expr::Cmp(..) | Expr::Range(..) => return None,
    })
}

/// Every symbol name that appears in a comparison of `model`.
fn compared_names(model: &Model) -> HashSet<String> {
    fn walk(model: &Model, e: &Expr, out: &mut HashSet<String>) {
        match e {
            Expr::Symbol(_) => {}
            Expr::Not(a) => walk(model, a, out),
            Expr::And(a, b) | Expr::Or(a, b) => {
                walk(model, a, out);
                walk(model, b, out);
            }
            Expr::Cmp(_, a, b) | Expr::Range(a, b) => {
                out.insert(model.sym_name(*a).to_string());
                out.insert(model.sym_name(*b).to_string());
            }
        }
    }
    let mut out = HashSet::new();
    let exprs = model
        .props
        .iter()
        .flat_map(|p| [p.expr.as_ref(), p.cond.as_ref()])
        .chain(
            model
                .menus
                .iter()
                .flat_map(|m| [m.dep.as_ref(), m.visibility.as_ref()]),
        );
    for e in exprs.flatten() {
        walk(model, e, &mut out);
    }
    out
}
