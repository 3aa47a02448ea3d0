//! The macro language alone (preprocess.c): each input line is an assignment
//! (`name := value`, `name = value`, `name += value`) or text to expand.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use xenlint::kconfig::macros::{Flavor, Preprocessor, ShellPolicy, ShellRunner};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let env = HashMap::from([("ARCH".to_string(), "x86".to_string())]);
    let mut pp = Preprocessor::new(env, ShellRunner::new(ShellPolicy::Never));
    pp.filename = "Kconfig".into();
    for (index, line) in text.lines().enumerate() {
        pp.lineno = index as u32 + 1;
        let assignment = [
            (":=", Flavor::Simple),
            ("+=", Flavor::Append),
            ("=", Flavor::Recursive),
        ]
        .into_iter()
        .find_map(|(op, flavor)| line.split_once(op).map(|(n, v)| (n, v, flavor)));
        match assignment {
            Some((name, value, flavor)) if !name.trim().is_empty() && !name.contains('$') => {
                pp.assign(name.trim(), value.trim_start(), flavor)
            }
            _ => {
                pp.expand_all(line);
                pp.expand_token(line);
            }
        }
    }
});
