//! `CONFIG_` names in text: the one scanner, for Makefile gates (make/), CONFIG_
//! references in code and Kbuild (kbuild/refs.rs) alike. A name is `CONFIG_` followed by
//! identifier characters, not itself inside a longer identifier (`xCONFIG_A` is none).

/// Where `CONFIG_` may also follow a `D`: compiler command lines (`-DCONFIG_X`), which code
/// and Makefile references count and Makefile gates do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defines {
    Count,
    Skip,
}

/// Every `CONFIG_` name in `text`: (byte offset of `CONFIG_`, the name without the
/// prefix), in order.
pub fn config_tokens(text: &str, defines: Defines) -> Vec<(usize, String)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("CONFIG_").map(|i| i + from) {
        let start_ok = i == 0
            || !is_ident(bytes[i - 1])
            || (defines == Defines::Count
                && bytes[i - 1] == b'D'
                && (i == 1 || !is_ident(bytes[i - 2])));
        let name_start = i + "CONFIG_".len();
        let len = bytes[name_start..]
            .iter()
            .take_while(|b| is_ident(**b))
            .count();
        if start_ok && len > 0 {
            out.push((i, text[name_start..name_start + len].to_string()));
        }
        from = name_start + len;
    }
    out
}

/// The distinct `CONFIG_` names of `text` (no `-D` forms), in order of first appearance.
pub fn config_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (_, name) in config_tokens(text, Defines::Skip) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_whole_identifiers() {
        assert_eq!(
            config_names("obj-$(CONFIG_X86_64) CONFIG_Y xCONFIG_Z CONFIG_Y CONFIG_"),
            vec!["X86_64".to_string(), "Y".to_string()]
        );
        assert_eq!(
            config_tokens("ccflags-y += -DCONFIG_FOO xDCONFIG_BAR", Defines::Count),
            vec![(15, "FOO".to_string())]
        );
        assert!(config_tokens("-DCONFIG_FOO", Defines::Skip).is_empty());
    }
}
