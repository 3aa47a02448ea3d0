//! A Kconfig snapshot: the model one commit's tree gives for one arch, with what it read
//! and a fingerprint of its semantics, and the queries checks ask of it.

use std::collections::BTreeMap;

use crate::git::Oid;

use crate::kconfig::env::KernelEnv;
use crate::kconfig::expr::Expr;
use crate::kconfig::finalize::Finalized;
use crate::kconfig::model::{MenuId, Model, Pos, SymbolId};

pub struct KconfigSnapshot {
    pub(crate) env: KernelEnv,
    /// Shared with the parent's tree when the commit only rewords help texts (`help_only`).
    pub(crate) model: std::sync::Arc<Model>,
    pub(crate) fin_cell: std::sync::Arc<std::sync::OnceLock<Finalized>>,
    /// Files the tree was read from, with their blob ids.
    pub(crate) reads: Vec<(String, Option<Oid>)>,
    /// What decides values (see `fingerprint`): equal fingerprints resolve alike.
    pub(crate) fingerprint: u64,
    /// Help texts of this commit that differ from the shared model's.
    pub(crate) help: std::sync::Arc<std::collections::HashMap<MenuId, String>>,
}

impl KconfigSnapshot {
    /// A menu entry's help text at this commit.
    pub(crate) fn help(&self, menu: MenuId) -> Option<&str> {
        match self.help.get(&menu) {
            Some(text) => Some(text),
            None => self.model.menu(menu).help.as_deref(),
        }
    }

    /// A tree with no Kconfig file in `env`: what stands in for a tree that could not be
    /// made again, while the run fails with the reason.
    pub(crate) fn empty(env: KernelEnv) -> Self {
        use crate::kconfig::macros::{ShellPolicy, ShellRunner};
        let source = crate::source::MemSource::new();
        let model = crate::kconfig::read_tree_with(
            &source,
            &env,
            ShellRunner::new(ShellPolicy::Never),
            None,
            None,
        );
        KconfigSnapshot {
            env,
            model: std::sync::Arc::new(model),
            fin_cell: Default::default(),
            reads: Vec::new(),
            fingerprint: 0,
            help: Default::default(),
        }
    }

    /// Whether the parser reported Kconfig errors (conf stops at them).
    pub(crate) fn has_errors(&self) -> bool {
        self.model.errors().next().is_some()
    }

    pub(crate) fn fin(&self) -> &Finalized {
        self.fin_like(None)
    }

    /// `fin`, finalized from `like` (the tree of the commit before) where the two propagate
    /// alike, when `like` is finalized in the same dialect.
    pub(crate) fn fin_like(&self, like: Option<&KconfigSnapshot>) -> &Finalized {
        let bool_choices = self.env.dialect().bool_choices_only();
        self.fin_cell.get_or_init(|| {
            let like = like
                .filter(|l| l.env.dialect().bool_choices_only() == bool_choices)
                .and_then(|l| Some((l.model.as_ref(), l.fin_cell.get()?)));
            crate::kconfig::finalize::finalize_like(&self.model, bool_choices, like)
        })
    }
}

/// The hasher of fingerprints and symbol hashes, keyed at random once per process: an
/// equal hash means "resolves alike" and skips work, so a series must not be able to make
/// two different trees hash alike, and with a key it cannot know it cannot search for
/// such a pair. Hashes are compared within one run only, never kept.
fn semantic_hasher() -> std::collections::hash_map::DefaultHasher {
    use std::hash::BuildHasher;
    static KEY: std::sync::OnceLock<std::collections::hash_map::RandomState> =
        std::sync::OnceLock::new();
    KEY.get_or_init(std::collections::hash_map::RandomState::new)
        .build_hasher()
}

/// A hash of everything in a model that can change a symbol's value: the menu tree, each
/// entry's dependencies and properties by symbol name, types and flags. Help texts, prompt
/// wording and positions are left out, so a commit that only rewords help reuses the
/// configurations of its parent.
pub(crate) fn fingerprint(model: &Model, env: &KernelEnv) -> u64 {
    use std::hash::{Hash, Hasher};
    // The model's words are gathered first and hashed in one call: the keyed hasher costs
    // a round per call, and a tree makes hundreds of thousands of small words.
    let mut h = Gathered(Vec::with_capacity(model.menus.len() * 48));
    env.vars.hash(&mut h);
    env.dialect.hash(&mut h);
    // Symbols by name: ids differ between parses of different trees.
    for menu in model.menu_walk() {
        let m = model.menu(menu);
        (m.kind as u8, m.parent.map(|p| p.0), m.prompt.is_some()).hash(&mut h);
        hash_expr(model, m.dep.as_ref(), &mut h);
        hash_expr(model, m.visibility.as_ref(), &mut h);
        if let Some(sym) = m.sym {
            let s = model.symbol(sym);
            (model.sym_name(sym), flags(s)).hash(&mut h);
            for &p in &s.props {
                let prop = model.prop(p);
                if prop.menu != menu {
                    continue;
                }
                (prop.kind as u8).hash(&mut h);
                hash_expr(model, prop.expr.as_ref(), &mut h);
                hash_expr(model, prop.cond.as_ref(), &mut h);
            }
        } else if let Some(p) = m.prompt {
            // Menu and comment titles appear in .config only as comments, never in values.
            hash_expr(model, model.prop(p).cond.as_ref(), &mut h);
        }
    }
    model.modules_sym.map(|s| model.sym_name(s)).hash(&mut h);
    model.option_statements.hash(&mut h);
    h.finish()
}

/// A `Hasher` that collects the bytes it is given and hashes them all at once with the
/// keyed hasher (a hash of the byte stream, however it was cut into words).
struct Gathered(Vec<u8>);

impl std::hash::Hasher for Gathered {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    fn finish(&self) -> u64 {
        let mut keyed = semantic_hasher();
        keyed.write(&self.0);
        keyed.finish()
    }
}

/// A symbol's type and the flags that change how conf reads or writes it.
fn flags(s: &crate::kconfig::model::Symbol) -> (u8, bool, bool, bool, bool, bool) {
    (
        s.stype as u8,
        s.is_choice,
        s.transitional,
        s.optional,
        s.allnoconfig_y,
        s.no_write,
    )
}

/// A defined symbol's own definition, hashed by names (ids differ between parses): type,
/// flags, choice membership, direct dependency and properties with their conditions as
/// menu_finalize() leaves them. Not the reverse dependencies: they change when another
/// symbol's `select` or `imply` does (see `incremental`).
pub(crate) fn symbol_hash(tree: &KconfigSnapshot, sym: SymbolId) -> u64 {
    use std::hash::{Hash, Hasher};
    let (model, fin) = (&tree.model, tree.fin());
    let (s, index) = (model.symbol(sym), sym.0 as usize);
    let mut h = semantic_hasher();
    (flags(s), fin.choice_of[index].is_some(), s.menus.len()).hash(&mut h);
    hash_expr(model, fin.dir_dep[index].as_ref(), &mut h);
    for &p in &s.props {
        let prop = model.prop(p);
        (prop.kind as u8).hash(&mut h);
        hash_expr(model, prop.expr.as_ref(), &mut h);
        hash_expr(model, prop.cond.as_ref(), &mut h);
        hash_expr(model, fin.prop_cond[p.0 as usize].as_ref(), &mut h);
    }
    h.finish()
}

/// The named symbols with an entry in one of `files`, or inside a menu, `if` or choice
/// that is: all a change to those files can redefine.
pub(crate) fn symbols_in(
    tree: &KconfigSnapshot,
    files: &std::collections::HashSet<String>,
) -> Vec<String> {
    let model = &tree.model;
    let Some(touched) = touched_menus(model, files) else {
        return Vec::new();
    };
    (model.symbols.iter())
        .filter(|s| !s.is_const && s.menus.iter().any(|m| touched[m.0 as usize]))
        .filter_map(|s| s.name.as_deref().map(str::to_string))
        .collect()
}

/// For each menu, whether it or an enclosing one is in one of `files`; `None` when no
/// menu is.
pub(crate) fn touched_menus(
    model: &Model,
    files: &std::collections::HashSet<String>,
) -> Option<Vec<bool>> {
    let changed: Vec<bool> = model.files.iter().map(|f| files.contains(f)).collect();
    if !changed.contains(&true) {
        return None;
    }
    // Parents are made before their children: one pass in id order decides every menu.
    let mut touched = vec![false; model.menus.len()];
    for (id, menu) in model.menus.iter().enumerate() {
        let parent = menu.parent.is_some_and(|p| touched[p.0 as usize]);
        touched[id] = parent || changed[menu.pos.file.0 as usize];
    }
    Some(touched)
}

/// An expression hashed by symbol names.
pub(crate) fn hash_expr(model: &Model, e: Option<&Expr>, h: &mut impl std::hash::Hasher) {
    use std::hash::Hash;
    let Some(e) = e else {
        0u8.hash(h);
        return;
    };
    match e {
        Expr::Symbol(s) => (1u8, model.sym_name(*s), model.symbol(*s).is_const).hash(h),
        Expr::Not(a) => {
            2u8.hash(h);
            hash_expr(model, Some(a), h);
        }
        Expr::And(a, b) | Expr::Or(a, b) => {
            (if matches!(e, Expr::And(..)) { 3u8 } else { 4u8 }).hash(h);
            hash_expr(model, Some(a), h);
            hash_expr(model, Some(b), h);
        }
        Expr::Cmp(op, a, b) => (5u8, op.token(), model.sym_name(*a), model.sym_name(*b)).hash(h),
        Expr::Range(a, b) => (6u8, model.sym_name(*a), model.sym_name(*b)).hash(h),
    }
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

/// Let go of `tree`: freed off the path when this is its last reference (freeing a tree
/// walks its whole model), else only its count goes down (the reader, which holds it too,
/// frees it on its own thread).
pub(super) fn release(tree: Option<std::sync::Arc<KconfigSnapshot>>) {
    if let Some(tree) = tree.filter(|t| std::sync::Arc::strong_count(t) == 1) {
        free_off_the_path(tree);
    }
}

/// Free `value` on a thread of its own, off the path to the report: freeing a tree is a
/// walk over every symbol, menu and expression of it. The walk recurses down each
/// expression, a level per `!` of a `depends on` line, so the thread has the stack of
/// the workers that built the trees: 65,536 `!` overflowed a default 2 MiB thread.
/// Without a thread, the value is freed here.
pub(super) fn free_off_the_path<T: Send + 'static>(
    value: T,
) -> Option<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || drop(value))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kconfig::expr::SymbolId;

    #[test]
    fn a_deep_expression_is_freed_off_the_path() {
        let mut deep = Expr::sym(SymbolId::YES);
        for _ in 0..1_000_000 {
            deep = Expr::not(deep);
        }
        free_off_the_path(deep)
            .expect("a thread")
            .join()
            .expect("freed without a panic");
    }
}
