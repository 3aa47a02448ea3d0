//! The `make vmlinux modules` walk over a tree whose top Makefile is the input, for a
//! configuration with a few symbols set, on a 256 MiB stack as xenlint walks.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xenlint::kbuild::objects::{config_values, objects, Request};
use xenlint::source::MemSource;

mod common;

fuzz_target!(|data: &[u8]| {
    let data = data.to_vec();
    common::with_big_stack(move || walk(data));
});

fn walk(data: Vec<u8>) {
    let source = MemSource::new()
        .with("Makefile", data)
        .with("arch/x86/Makefile", "core-y += arch/x86/\n")
        .with("arch/x86/Kbuild", "obj-y += kernel/\n")
        .with(
            "arch/x86/kernel/Makefile",
            "obj-y := setup.o\nobj-$(CONFIG_M) += m.o\n",
        )
        .with(
            "drivers/Makefile",
            "obj-$(CONFIG_DRV) += drv.o\nobj-y += sub/\n",
        );
    let config = config_values("CONFIG_X86=y\nCONFIG_M=m\nCONFIG_DRV=y\nCONFIG_S=\"a b\"\n");
    objects(
        &source,
        &Request {
            arch: "x86",
            srcarch: "x86",
            config: &config,
        },
    );
}
