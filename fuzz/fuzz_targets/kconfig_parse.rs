//! The input is the top Kconfig of a tiny tree: lexer, macros, parser, menu_finalize(),
//! conf's checks, then the resolver for two targets, in both choice dialects (before 6.10, since 6.11).
#![no_main]

use libfuzzer_sys::fuzz_target;
use xenlint::kconfig::macros::{ShellPolicy, ShellRunner};
use xenlint::kconfig::parser::Dialect;
use xenlint::kconfig::targets::Target;

mod common;

fuzz_target!(|data: &[u8]| {
    let data = data.to_vec();
    common::with_big_stack(move || {
        for dialect in [Dialect::CURRENT, Dialect::TRISTATE_CHOICES] {
            let source = common::tree().with("Kconfig", data.clone());
            let env = common::env(dialect);
            let model =
                xenlint::kconfig::read_tree(&source, &env, ShellRunner::new(ShellPolicy::Never));
            let bool_choices = env.dialect().bool_choices_only();
            let fin = xenlint::kconfig::finalize::finalize(&model, bool_choices);
            let (_, failed) = xenlint::kconfig::conf_parse_messages(&model, &fin);
            if failed {
                continue;
            }
            for target in [Target::OldDefconfig, Target::AllModconfig] {
                xenlint::kconfig::run_conf(&model, &fin, bool_choices, &target, None, None);
            }
        }
    });
});
