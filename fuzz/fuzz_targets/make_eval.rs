//! The make evaluator with no host: the input is a Makefile, evaluated, then the lists the
//! Kbuild walk reads are expanded.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xenlint::make::Make;
use xenlint::source::MemSource;

mod common;

fuzz_target!(|data: &[u8]| {
    let data = data.to_vec();
    common::with_big_stack(move || eval(data));
});

fn eval(data: Vec<u8>) {
    let text = String::from_utf8_lossy(&data).into_owned();
    let source = MemSource::new().with("Makefile", data);
    let mut make = Make::new(&source);
    make.set("obj", ".");
    make.eval("Makefile", &text);
    for list in ["obj-y", "obj-m", "lib-y", "subdir-y", "always-y", "targets"] {
        make.words(list);
    }
    make.exported();
}
