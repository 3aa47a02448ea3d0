//! The input is a `.config`: the one reader (config_lines, config_assignments, the Kbuild
//! walk's auto.conf values), then conf runs over a fixed model that has every symbol type:
//! olddefconfig through make_config(), the input as a defconfig and as KCONFIG_ALLCONFIG.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xenlint::kconfig::finalize::{finalize, Finalized};
use xenlint::kconfig::macros::{ShellPolicy, ShellRunner};
use xenlint::kconfig::model::Model;
use xenlint::kconfig::targets::{InputFile, Target};
use xenlint::source::MemSource;

mod common;

const KCONFIG: &str = r#"mainmenu "Fuzz"
source "arch/x86/Kconfig"
config MODULES
	bool "modules"
	modules
	default y
config B
	bool "b"
	default y
	select T
	imply I
config T
	tristate "t"
	depends on MODULES || B
config I
	tristate "i"
config S
	string "s"
	default "str"
config N
	int "n"
	range 1 100
	default 7
config H
	hex "h"
	range 0x10 0xff
	default 0x20
choice
	prompt "pick"
	default C1
config C1
	bool "c1"
config C2
	bool "c2"
	depends on B
endchoice
menuconfig MC
	bool "menu"
if MC
config INNER
	tristate "inner"
	default m
endif
config HIDDEN
	bool
	default B && !C2
source "drivers/Kconfig"
"#;

struct World {
    source: MemSource,
    env: xenlint::kconfig::env::KernelEnv,
    model: Model,
    fin: Finalized,
}

fn world() -> World {
    let source = common::tree().with("Kconfig", KCONFIG);
    let env = common::env(xenlint::kconfig::parser::Dialect::CURRENT);
    let model = xenlint::kconfig::read_tree(&source, &env, ShellRunner::new(ShellPolicy::Never));
    assert!(
        model.diagnostics.is_empty(),
        "the fixed model parses cleanly"
    );
    let fin = finalize(&model, true);
    World {
        source,
        env,
        model,
        fin,
    }
}

thread_local! {
    static WORLD: World = world();
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for _ in xenlint::kconfig::confdata::config_lines(&text) {}
    for _ in xenlint::kconfig::confdata::config_assignments(&text) {}
    xenlint::kbuild::objects::config_values(&text);

    WORLD.with(|w| {
        let input = InputFile {
            name: ".config".into(),
            text: data.to_vec(),
        };
        let run = xenlint::kconfig::make_config(
            &w.source,
            &w.env,
            &w.model,
            &w.fin,
            "olddefconfig",
            &[],
            Some(input.clone()),
        )
        .expect("olddefconfig needs no file");
        // What conf wrote must read back without warnings and be a fixed point.
        let again = xenlint::kconfig::make_config(
            &w.source,
            &w.env,
            &w.model,
            &w.fin,
            "olddefconfig",
            &[],
            Some(InputFile {
                name: ".config".into(),
                text: run.config.clone().into_bytes(),
            }),
        )
        .expect("olddefconfig needs no file");
        assert_eq!(run.config, again.config, "olddefconfig is idempotent");
        let run_conf = |target: Target, input: Option<&InputFile>, all: Option<&InputFile>| {
            xenlint::kconfig::run_conf(&w.model, &w.fin, true, &target, input, all)
        };
        run_conf(Target::Defconfig, Some(&input), None);
        run_conf(Target::SaveDefconfig, Some(&input), None);
        run_conf(Target::AllNoconfig, None, Some(&input));
    });
});
