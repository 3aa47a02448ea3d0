//! Differential: parsed subtrees spliced from the cache (kconfig::fragments) must give
//! the model a parse gives. The input is up to six parts separated by NUL bytes: the top
//! `Kconfig`, `a/Kconfig`, `a/b/Kconfig`, `c/Kconfig`, then a second version of one file
//! (which one: the first byte of the fifth part) and a prefix the second tree adds to the
//! top file. Three trees are read in turn with one cache, each also without it, in both
//! choice dialects; the target crashes when the models differ.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xenlint::kconfig::fragments::SubtreeCache;
use xenlint::kconfig::macros::{ShellPolicy, ShellRunner};
use xenlint::kconfig::parser::Dialect;
use xenlint::source::MemSource;

mod common;

const FILES: [&str; 4] = ["Kconfig", "a/Kconfig", "a/b/Kconfig", "c/Kconfig"];

fuzz_target!(|data: &[u8]| {
    let parts: Vec<Vec<u8>> = data.splitn(6, |&b| b == 0).map(<[u8]>::to_vec).collect();
    common::with_big_stack(move || {
        let mut first = common::tree();
        for (name, text) in FILES.iter().zip(&parts) {
            first.insert(name, text.clone());
        }
        let mut second = first.clone();
        if let Some(new) = parts.get(4) {
            let which = new.first().map_or(0, |&b| usize::from(b) % FILES.len());
            second.insert(FILES[which], new.get(1..).unwrap_or_default().to_vec());
        }
        if let Some(prefix) = parts.get(5) {
            let mut top = prefix.clone();
            top.extend_from_slice(parts.first().map_or(&[][..], |p| p.as_slice()));
            second.insert("Kconfig", top);
        }
        for dialect in [Dialect::CURRENT, Dialect::TRISTATE_CHOICES] {
            let env = common::env(dialect);
            let cache = SubtreeCache::new();
            for tree in [&first, &second, &first] {
                let plain = parse(tree, &env, None);
                let spliced = parse(tree, &env, Some(&cache));
                if plain != spliced {
                    // The dumps sort the name lookups: equal dumps would mean the
                    // comparison itself is wrong.
                    let (plain, spliced) = (plain.dump(), spliced.dump());
                    assert_eq!(plain, spliced, "the spliced model differs from the parsed one");
                    unreachable!("the models differ in a way their dumps do not show");
                }
            }
        }
    });
});

fn parse(
    tree: &MemSource,
    env: &xenlint::kconfig::env::KernelEnv,
    cache: Option<&SubtreeCache>,
) -> xenlint::kconfig::model::Model {
    let shell = ShellRunner::new(ShellPolicy::Never);
    xenlint::kconfig::read_tree_with(tree, env, shell, cache.cloned(), None)
}
