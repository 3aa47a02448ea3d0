//! A Kbuild walk that takes directories from the walk before gives the object set a walk
//! from nothing gives (`objects_reusing` against `objects`). The input is a flags byte and
//! up to four NUL-separated parts: the top Makefile and drivers/Makefile at a first commit,
//! then at a second; the flags pick each commit's configuration and whether the drivers'
//! sources exist. Then the second commit is walked for another arch and the first
//! configuration, seeded with the directories of the x86 walk (`WalkSeeds`), against a
//! walk from nothing; and for x86 and the second configuration, seeded with the
//! directories of the first commit's walk and the paths changed since (as fix
//! verification starts a window from the series base's walks). A difference is a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xenlint::kbuild::objects::{
    config_values, objects, objects_reusing, Request, WalkMemo, WalkSeeds,
};
use xenlint::source::MemSource;

mod common;

fuzz_target!(|data: &[u8]| {
    let data = data.to_vec();
    common::with_big_stack(move || check(data));
});

/// The files of one commit: the fixed ones and the input's two Makefiles.
fn files(top: &[u8], drivers: &[u8], sources: u8) -> Vec<(&'static str, Vec<u8>)> {
    let mut files = vec![
        ("Makefile", top.to_vec()),
        ("drivers/Makefile", drivers.to_vec()),
        ("arch/x86/Makefile", b"core-y += arch/x86/\n".to_vec()),
        ("arch/x86/Kbuild", b"obj-y += kernel/\n".to_vec()),
        (
            "arch/x86/kernel/Makefile",
            b"obj-y := setup.o\nobj-$(CONFIG_M) += m.o\n".to_vec(),
        ),
        ("arch/x86/kernel/setup.c", Vec::new()),
        (
            "drivers/sub/Makefile",
            b"obj-$(CONFIG_DRV) += s.o\n".to_vec(),
        ),
    ];
    for (bit, path) in [
        (1, "drivers/drv.c"),
        (2, "drivers/sub/s.c"),
        (4, "arch/x86/kernel/m.c"),
    ] {
        if sources & bit != 0 {
            files.push((path, Vec::new()));
        }
    }
    files
}

fn source(files: &[(&str, Vec<u8>)]) -> MemSource {
    let mut source = MemSource::new();
    for (path, text) in files {
        source.insert(path, text.clone());
    }
    source
}

/// A configuration from three bits: CONFIG_M, CONFIG_DRV and CONFIG_X set or not.
fn config(bits: u8) -> String {
    let mut text = String::from("CONFIG_X86=y\nCONFIG_S=\"a b\"\n");
    for (bit, line) in [
        (1, "CONFIG_M=m\n"),
        (2, "CONFIG_DRV=y\n"),
        (4, "CONFIG_X=y\n"),
    ] {
        if bits & bit != 0 {
            text.push_str(line);
        }
    }
    text
}

fn check(data: Vec<u8>) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let parts: Vec<&[u8]> = rest.splitn(4, |&b| b == 0).collect();
    let part = |i: usize| parts.get(i).copied().unwrap_or(b"obj-y += sub/\n");
    let first = files(part(0), part(1), flags & 7);
    // The second commit keeps a part the input leaves out.
    let second = files(
        parts.get(2).copied().unwrap_or(part(0)),
        parts.get(3).copied().unwrap_or(part(1)),
        (flags >> 3) & 7,
    );
    let changed: xenlint::FastSet<String> = first
        .iter()
        .chain(&second)
        .map(|(path, _)| *path)
        .filter(|path| {
            let at = |files: &[(&str, Vec<u8>)]| {
                files
                    .iter()
                    .find(|(p, _)| p == path)
                    .map(|(_, t)| t.clone())
            };
            at(&first) != at(&second)
        })
        .map(str::to_string)
        .collect();
    let (first_config, second_config) = (
        config_values(&config(flags >> 6)),
        config_values(&config(flags.rotate_left(3))),
    );
    let request = |config| Request {
        arch: "x86",
        srcarch: "x86",
        config,
    };
    let other = |config| Request {
        arch: "um",
        srcarch: "um",
        config,
    };
    let mut memo = WalkMemo::default();
    objects_reusing(
        &source(&first),
        &request(&first_config),
        &mut memo,
        None,
        &Default::default(),
    );
    let mut earlier = WalkSeeds::default();
    earlier.add(&memo);
    let second = source(&second);
    let (reused, _) = objects_reusing(
        &second,
        &request(&second_config),
        &mut memo,
        None,
        &changed,
    );
    let fresh = objects(&second, &request(&second_config));
    assert_eq!(
        reused, fresh,
        "a reused walk differs from a walk from nothing"
    );
    let mut seeds = WalkSeeds::default();
    seeds.add(&memo);
    let (seeded, _) = objects_reusing(
        &second,
        &other(&first_config),
        &mut WalkMemo::default(),
        Some((&seeds, &Default::default())),
        &Default::default(),
    );
    let fresh = objects(&second, &other(&first_config));
    assert_eq!(
        seeded, fresh,
        "a seeded walk differs from a walk from nothing"
    );
    let (later, _) = objects_reusing(
        &second,
        &request(&second_config),
        &mut WalkMemo::default(),
        Some((&earlier, &changed)),
        &Default::default(),
    );
    let fresh = objects(&second, &request(&second_config));
    assert_eq!(
        later, fresh,
        "a walk seeded from an earlier commit differs from a walk from nothing"
    );
}
