//! What a `$(shell,...)` command that is not run answers.
//!
//! A command the policy refuses (every command under `--shell never`, a command a series
//! wrote) runs no process. Its answer is decided here, in the process, from the command text
//! alone, the same on every machine:
//!
//! - the shell idioms of scripts/Kconfig.include are evaluated: `$(success,...)`,
//!   `$(failure,...)` and `$(if-success,...)` (`{ CMD; } >/dev/null 2>&1 && echo A || echo B`),
//!   `set -- WORDS && echo $N`, `echo WORDS`, and as conditions `test` (`-z`, `-n`, `=`, `!=`)
//!   and `command -v TOOL`, which succeeds: tools are taken to exist;
//! - the toolchain identity scripts answer a GNU toolchain of unknown version:
//!   `scripts/cc-version.sh` `GCC 0`, `scripts/as-version.sh` `GNU 0`,
//!   `scripts/ld-version.sh` `BFD 0`; the version scripts of optional tools
//!   (`pahole-version.sh`, `rustc-version.sh`, `rustc-llvm-version.sh`) answer `0`, as they
//!   do when the tool is missing; so do the one-number version scripts of older trees
//!   (5.10: `gcc-version.sh`, `clang-version.sh`, `lld-version.sh`, and `ld-version.sh`
//!   reading `$(LD) --version` from a pipe);
//! - `expr A OP B` computes, for integers and `+ - * / %`;
//! - any other condition fails (a compiler option probe says `n`) and any other command prints
//!   nothing, as a failed command does.

/// Identity and version scripts of scripts/, by file name, and what they answer.
pub const SCRIPT_DEFAULTS: &[(&str, &str)] = &[
    ("cc-version.sh", "GCC 0"),
    ("as-version.sh", "GNU 0"),
    ("ld-version.sh", "BFD 0"),
    ("pahole-version.sh", "0"),
    ("rustc-version.sh", "0"),
    ("rustc-llvm-version.sh", "0"),
    ("gcc-version.sh", "0"),
    ("clang-version.sh", "0"),
    ("lld-version.sh", "0"),
];

/// The answer of `command` when it is not run.
pub fn answer(command: &str) -> String {
    let command = command.trim();
    if let Some((condition, then, otherwise)) = if_success(command) {
        return if status(condition) { then } else { otherwise }.to_string();
    }
    output(command).unwrap_or_default()
}

/// `{ CMD; } >/dev/null 2>&1 && echo "A" || echo "B"`, the expansion of `$(if-success,...)`.
fn if_success(command: &str) -> Option<(&str, &str, &str)> {
    let rest = command.strip_prefix("{ ")?;
    let (condition, tail) = rest.rsplit_once("; } >/dev/null 2>&1 && echo \"")?;
    let (then, otherwise) = tail.split_once("\" || echo \"")?;
    let otherwise = otherwise.strip_suffix('"')?;
    if then.contains('"') || otherwise.contains('"') {
        return None;
    }
    Some((condition, then, otherwise))
}

/// What a command that prints its answer prints, when the model knows.
fn output(command: &str) -> Option<String> {
    // 5.10: `$(LD) --version | $(srctree)/scripts/ld-version.sh` prints one number.
    if let Some((_, script)) = command.rsplit_once(" | ") {
        let script = script.trim();
        let is_script = script.starts_with("scripts/") || script.contains("/scripts/");
        return (is_script && script.rsplit('/').next() == Some("ld-version.sh"))
            .then(|| "0".to_string());
    }
    if let Some(rest) = command.strip_prefix("set -- ") {
        let (words, tail) = rest.rsplit_once(" && echo $")?;
        let index: usize = tail.trim().parse().ok()?;
        let words = split_words(words)?;
        return Some(
            index
                .checked_sub(1)
                .and_then(|i| words.get(i))
                .cloned()
                .unwrap_or_default(),
        );
    }
    let words = split_words(command)?;
    let (program, args) = words.split_first()?;
    if program == "echo" {
        return Some(args.join(" "));
    }
    if program == "expr" {
        return expr(args);
    }
    let name = program.rsplit('/').next()?;
    if program.contains("/scripts/") || program.starts_with("scripts/") {
        return SCRIPT_DEFAULTS
            .iter()
            .find(|(script, _)| *script == name)
            .map(|(_, answer)| answer.to_string());
    }
    None
}

/// expr(1) on two integers; nothing (a failed command) for anything else, division by zero
/// and overflow included.
fn expr(args: &[String]) -> Option<String> {
    let [a, op, b] = args else {
        return None;
    };
    let (a, b): (i64, i64) = (a.parse().ok()?, b.parse().ok()?);
    let value = match op.as_str() {
        "+" => a.checked_add(b),
        "-" => a.checked_sub(b),
        "*" => a.checked_mul(b),
        "/" => a.checked_div(b),
        "%" => a.checked_rem(b),
        _ => None,
    }?;
    Some(value.to_string())
}

/// Whether a condition succeeds: `test ...` and `command -v TOOL`; anything else fails.
fn status(condition: &str) -> bool {
    let Some(words) = split_words(condition.trim()) else {
        return false;
    };
    match words.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["command", "-v", _] => true,
        ["test", ref args @ ..] => test(args),
        _ => false,
    }
}

/// test(1) for the forms Kconfig files use.
fn test(args: &[&str]) -> bool {
    match *args {
        ["-z", s] => s.is_empty(),
        ["-n", s] | [s] => !s.is_empty(),
        [a, "=", b] => a == b,
        [a, "!=", b] => a != b,
        _ => false,
    }
}

/// The words of a simple command: blanks separate, quotes group, nothing else is special.
/// `None` for anything a shell would do more with (pipes, lists, expansions, redirections).
fn split_words(text: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if let Some(done) = word.take() {
                    words.push(done);
                }
            }
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => w.push(c),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '"' => break,
                        '$' | '`' | '\\' => return None,
                        c => w.push(c),
                    }
                }
            }
            '|' | '&' | ';' | '<' | '>' | '$' | '`' | '\\' | '(' | ')' | '{' | '}' | '*' | '?'
            | '[' | '~' | '#' | '\n' => return None,
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Some(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn if_success(cmd: &str, a: &str, b: &str) -> String {
        answer(&format!(
            "{{ {cmd}; }} >/dev/null 2>&1 && echo \"{a}\" || echo \"{b}\""
        ))
    }

    #[test]
    fn kconfig_include_idioms() {
        assert_eq!(if_success("command -v gcc", "n", "y"), "n");
        assert_eq!(if_success("test -z \"GCC 0\"", "y", "n"), "n");
        assert_eq!(if_success("test -z \"\"", "y", "n"), "y");
        assert_eq!(if_success("test \"GCC\" = GCC", "y", "n"), "y");
        assert_eq!(if_success("test \"Clang\" = GCC", "y", "n"), "n");
        // A compiler option probe: runs nothing, fails.
        let probe = "trap \"rm -rf .tmp_$$\" EXIT; mkdir .tmp_$$; gcc -Werror -mfoo -c -x c /dev/null -o .tmp_$$/tmp.o";
        assert_eq!(if_success(probe, "y", "n"), "n");
        assert_eq!(
            if_success(
                "gcc -Werror -m64 -E -x c /dev/null -o /dev/null",
                "-m64",
                ""
            ),
            ""
        );
        assert_eq!(answer("set -- GCC 0 && echo $1"), "GCC");
        assert_eq!(answer("set -- GCC 0 && echo $2"), "0");
        assert_eq!(answer("set --  && echo $2"), "");
        assert_eq!(answer("echo hello   world"), "hello world");
    }

    #[test]
    fn scripts_answer_documented_defaults() {
        assert_eq!(answer("/src/linux/scripts/cc-version.sh gcc"), "GCC 0");
        assert_eq!(answer("/src/linux/scripts/ld-version.sh ld"), "BFD 0");
        assert_eq!(answer("/src/linux/scripts/as-version.sh gcc"), "GNU 0");
        assert_eq!(answer("/src/linux/scripts/pahole-version.sh pahole"), "0");
        assert_eq!(answer("/src/linux/scripts/other.sh gcc"), "");
        assert_eq!(answer("/src/linux/scripts/gcc-version.sh gcc"), "0");
        assert_eq!(
            answer("ld --version | /src/linux/scripts/ld-version.sh"),
            "0"
        );
        assert_eq!(answer("ld --version | /src/linux/scripts/other.sh"), "");
        assert_eq!(answer("gcc -print-file-name=plugin"), "");
    }

    #[test]
    fn expr_computes_on_integers() {
        assert_eq!(answer("expr 0 / 10000"), "0");
        assert_eq!(answer("expr 190100 / 10000"), "19");
        assert_eq!(answer("expr 7 % 3"), "1");
        assert_eq!(answer("expr 1 / 0"), "");
        assert_eq!(answer("expr / 10000"), "");
        assert_eq!(answer("expr a + 1"), "");
    }

    #[test]
    fn anything_a_shell_would_do_more_with_prints_nothing() {
        for cmd in [
            "echo $(id)",
            "echo `id`",
            "echo a | sh",
            "echo a; touch x",
            "echo \"unterminated",
            "echo a > f",
            "set -- $(cat x) && echo $1",
        ] {
            assert_eq!(answer(cmd), "", "{cmd}");
        }
    }
}
