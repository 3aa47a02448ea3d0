//! What each tree defines, by name, kept beside the facts of its slot (`TreeFacts`) so
//! that the checks searching commits for a symbol (XL0005: the first commit without it;
//! XL0007: whether a symbol that lost its value is still defined and not a choice member)
//! answer without making the trees again. A tree says only what differs from the tree of
//! the slot before; the base's tree, kept whole, says the rest.

use std::sync::Arc;

use super::snapshot::KconfigSnapshot;
use crate::kconfig::model::{Model, SymbolId};

/// A symbol defined at a commit, as the facts say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Defined {
    /// On a choice's member list (sym_is_choice_value()).
    pub choice_value: bool,
}

/// The symbols a tree defines, said as what differs from the tree of the slot before (at
/// the base: nothing, the base's tree is kept whole), and its choice members by name.
#[derive(Default)]
pub struct NameFacts {
    /// Names defined here and not before (`true`), or before and not here (`false`).
    pub defined_delta: crate::FastMap<Arc<str>, bool>,
    /// Names of the symbols on a choice's member list (sym_is_choice_value()), sorted;
    /// shared with the slot before when the tree resolves alike.
    pub choice_values: Arc<Vec<Arc<str>>>,
}

impl NameFacts {
    /// What `tree` defines against `before` (the tree of the slot before, with its facts;
    /// `None` at the base). `alike`: the two trees have the same fingerprint, hence the
    /// same symbols by name, menu entries and choices.
    pub fn new(
        tree: &KconfigSnapshot,
        before: Option<(&KconfigSnapshot, &NameFacts)>,
        alike: bool,
    ) -> NameFacts {
        // A tree with Kconfig errors has no configuration of its own (conf stops): it says
        // no choice members unless it shares them, and a tree without errors never shares
        // its members from one with errors.
        let share = before.filter(|(old, _)| alike && (tree.has_errors() || !old.has_errors()));
        if let Some((_, facts)) = share {
            return NameFacts {
                defined_delta: Default::default(),
                choice_values: facts.choice_values.clone(),
            };
        }
        let model = &tree.model;
        let fin = (!tree.has_errors()).then(|| tree.fin());
        // By the name table, as the lookup reads them (see below).
        let mut choice_values: Vec<Arc<str>> = (model.by_name.iter())
            .filter(|(_, s)| fin.is_some_and(|f| f.is_choice_value[s.0 as usize]))
            .map(|(name, _)| name.clone())
            .collect();
        choice_values.sort();
        let mut defined_delta = crate::FastMap::default();
        if let Some((old, _)) = before {
            let old = &old.model;
            // Each name the trees look symbols up by (not the constants), defined or not
            // as `snapshot::defined` reads it: a name may have been given to two symbols
            // (6.1: a named choice after a reference to its name), the lookup gives the
            // last. Where both trees give each name to one symbol, a symbol of the same
            // name at the same index is the one the lookup finds: no lookup by name.
            let by_index = unique_names(model) && unique_names(old);
            // The symbol `tree` looks `name` up as, tried first at `index` (where the
            // other tree has it).
            let find = |tree: &Model, index: SymbolId, name: &Arc<str>| {
                (tree.symbols.get(index.0 as usize))
                    .filter(|s| by_index && !s.is_const && s.name.as_ref() == Some(name))
                    .map(|_| index)
                    .or_else(|| tree.lookup(name))
            };
            let defined = |tree: &Model, s: SymbolId| !tree.symbol(s).menus.is_empty();
            for (name, &s) in &model.by_name {
                let now = defined(model, s);
                if now != find(old, s, name).is_some_and(|o| defined(old, o)) {
                    defined_delta.insert(name.clone(), now);
                }
            }
            for (name, &o) in &old.by_name {
                if defined(old, o) && find(model, o, name).is_none() {
                    defined_delta.insert(name.clone(), false);
                }
            }
        }
        NameFacts {
            defined_delta,
            choice_values: Arc::new(choice_values),
        }
    }
}

/// Whether no two symbols of `model` have one name (6.1: a named choice after a
/// reference to its name has two): then the name table holds every named symbol.
fn unique_names(model: &Model) -> bool {
    let named = (model.symbols.iter())
        .filter(|s| s.name.is_some() && !s.is_const)
        .count();
    named == model.by_name.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kconfig::env::EnvRequest;
    use crate::kconfig::env::KernelEnv;
    use crate::kconfig::macros::ShellPolicy;
    use crate::kconfig::macros::ShellRunner;
    use crate::lint::options::LintError;
    use crate::lint::snapshot::defined;
    use crate::lint::snapshots::{Made, Recipe, Snapshots, TreeFacts};
    use crate::source::MemSource;

    /// A recipe for trees that are never made again.
    struct Never;

    impl Recipe for Never {
        fn make(
            &self,
            _: &Made,
            _: &KernelEnv,
            _: &dyn Fn() -> Result<Arc<KconfigSnapshot>, LintError>,
        ) -> Result<Arc<KconfigSnapshot>, LintError> {
            panic!("a tree was made again")
        }
    }

    fn tree(kconfig: &str) -> Arc<KconfigSnapshot> {
        tree_of(12, kconfig)
    }

    /// The tree `kconfig` makes in a 6.`patchlevel` kernel.
    fn tree_of(patchlevel: u32, kconfig: &str) -> Arc<KconfigSnapshot> {
        let makefile =
            format!("VERSION = 6\nPATCHLEVEL = {patchlevel}\nSUBLEVEL = 0\nEXTRAVERSION =\n");
        let source = MemSource::new()
            .with("Makefile", makefile)
            .with("arch/x86/Kconfig", "")
            .with("Kconfig", kconfig);
        let request = EnvRequest {
            arch: Some("x86".to_string()),
            untrusted: true,
            tools: crate::exec::ToolTrust::Only(Default::default()),
            ..Default::default()
        };
        let env = KernelEnv::compute(&source, &request).expect("an environment");
        let shell = ShellRunner::new(ShellPolicy::Never);
        let model = crate::kconfig::read_tree_with(&source, &env, shell, None, None);
        let fingerprint = crate::lint::snapshot::fingerprint(&model, &env);
        Arc::new(KconfigSnapshot {
            env,
            model: Arc::new(model),
            fin_cell: Default::default(),
            reads: Vec::new(),
            fingerprint,
            help: Default::default(),
        })
    }

    #[test]
    fn a_name_given_to_two_symbols_is_defined_as_its_lookup_says() {
        // 6.1: a named choice after a reference to its name makes a second symbol FOO;
        // the name looks up the choice, which is defined at both commits.
        let choice = "choice FOO\n\tprompt \"foo\"\nconfig X\n\tbool \"x\"\nendchoice\n";
        let before = tree_of(1, choice);
        let after = tree_of(
            1,
            &format!("config Y\n\tbool \"y\"\n\tdepends on FOO\n{choice}"),
        );
        let named_foo = |t: &KconfigSnapshot| {
            (t.model.symbols.iter())
                .filter(|s| s.name.as_deref() == Some("FOO"))
                .count()
        };
        assert_eq!((named_foo(&before), named_foo(&after)), (1, 2));
        let base = NameFacts::new(&before, None, false);
        let facts = NameFacts::new(&after, Some((&before, &base)), false);
        assert!(defined(&after, "FOO").is_some());
        assert_eq!(facts.defined_delta.get("FOO"), None, "FOO stays defined");
    }

    #[test]
    fn what_a_commit_defines_is_read_from_the_facts_as_from_its_tree() {
        let base = "config A\n\tbool \"a\"\nconfig B\n\tbool \"b\"\n\
            choice\n\tprompt \"c\"\nconfig C1\n\tbool \"c1\"\nconfig C2\n\tbool \"c2\"\nendchoice\n";
        let commits = [
            base.to_string(),
            // A gone, D referenced only.
            base.replace(
                "config A\n\tbool \"a\"\n",
                "config B2\n\tbool \"b2\"\n\tdepends on D\n",
            ),
            // Help text only: the same symbols.
            base.replace(
                "config A\n\tbool \"a\"\n",
                "config B2\n\tbool \"b2\"\n\tdepends on D\n\thelp\n\t  x\n",
            ),
            // A back, C2 out of the choice, D defined.
            base.replace("endchoice\n", "endchoice\nconfig D\n\tbool \"d\"\n")
                .replace(
                    "config C2\n\tbool \"c2\"\nendchoice\n",
                    "endchoice\nconfig C2\n\tbool \"c2\"\n",
                ),
            // Back to the base, with a line conf stops at: no configuration here.
            format!("{base}bogus\n"),
            // Without it: alike the tree before, whose choice members it must not take.
            base.to_string(),
        ];
        let trees: Vec<Arc<KconfigSnapshot>> = commits.iter().map(|k| tree(k)).collect();
        let mut snapshots = Snapshots::new(&Never);
        for (index, t) in trees.iter().enumerate() {
            let alike = index > 0 && trees[index - 1].fingerprint == t.fingerprint;
            let before =
                (index > 0).then(|| (&*trees[index - 1], &snapshots.facts(index - 1).names));
            let names = NameFacts::new(t, before, alike);
            let facts = TreeFacts {
                parse_errors: Default::default(),
                final_errors: None,
                undefined: None,
                unran_commands: Default::default(),
                names,
            };
            let made = Made::Reworded { index };
            snapshots.push_new(t, made, facts);
        }
        assert_eq!(
            trees[1].fingerprint, trees[2].fingerprint,
            "a help text alone"
        );
        assert!(trees[4].has_errors(), "conf stops at 4");
        assert_eq!(trees[4].fingerprint, trees[5].fingerprint, "4 and 5 alike");
        for (index, t) in trees.iter().enumerate() {
            // Choice members are asked only of trees without errors.
            let errors = t.has_errors();
            for name in ["A", "B", "B2", "C1", "C2", "D", "NONE"] {
                let want = defined(t, name).map(|s| Defined {
                    choice_value: !errors && t.fin().is_choice_value[s.0 as usize],
                });
                assert_eq!(snapshots.defined_at(index, name), want, "{name} at {index}");
            }
        }
        assert!(snapshots
            .defined_at(0, "C2")
            .is_some_and(|d| d.choice_value));
        assert_eq!(
            snapshots.defined_at(3, "C2"),
            Some(Defined {
                choice_value: false
            })
        );
        assert_eq!(snapshots.defined_at(1, "A"), None);
        assert_eq!(
            snapshots.defined_at(3, "D"),
            Some(Defined {
                choice_value: false
            })
        );
    }
}
