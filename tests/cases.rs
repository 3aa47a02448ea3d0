//! Small Kconfig trees (tests/cases/<case>) run through xenlint as `conf --<target>
//! Kconfig` runs them, compared with what the kernel's conf printed and wrote for the same
//! case (tests/cases/README.md says how those files were produced). One test per case.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use xenlint::kconfig::macros::{ShellPolicy, ShellRunner};
use xenlint::kconfig::parser::Dialect;
use xenlint::kconfig::targets::{InputFile, Target};
use xenlint::source::DirSource;

fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases")
}

fn read(dir: &Path, name: &str) -> Option<String> {
    match std::fs::read_to_string(dir.join(name)) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => panic!("{}/{name}: {e}", dir.display()),
    }
}

fn target(name: &str) -> Target {
    match name {
        "alldefconfig" => Target::AllDefconfig,
        "allyesconfig" => Target::AllYesconfig,
        "allmodconfig" => Target::AllModconfig,
        "allnoconfig" => Target::AllNoconfig,
        "olddefconfig" => Target::OldDefconfig,
        other => panic!("target `{other}` is not one the cases use"),
    }
}

/// conf's exit status, standard error and .config for the case, from xenlint.
fn run(dir: &Path) -> (i32, String, Option<String>) {
    let target_name = read(dir, "target").expect("each case names its target");
    let target = target(target_name.trim());
    let source = DirSource::new(dir);
    // refresh.sh runs conf with an empty environment but PATH and srctree.
    let env = HashMap::from([("srctree".to_string(), dir.display().to_string())]);
    let model = xenlint::kconfig::parse_kconfig(
        &source,
        "Kconfig",
        env,
        ShellRunner::new(ShellPolicy::Never),
        Dialect::CURRENT,
    );
    let fin = xenlint::kconfig::finalize::finalize(&model, true);
    let (messages, failed) = xenlint::kconfig::conf_parse_messages(&model, &fin);
    if failed {
        return (1, messages, None);
    }
    let input = std::fs::read(dir.join("input.config"))
        .ok()
        .map(|text| InputFile {
            name: ".config".to_string(),
            text,
        });
    let run = xenlint::kconfig::run_conf(&model, &fin, true, &target, input.as_ref(), None);
    (0, run.stderr, Some(run.config))
}

fn check(case: &str) {
    let dir = cases_dir().join(case);
    let (status, stderr, config) = run(&dir);
    let want_status: i32 = read(&dir, "expected_status")
        .expect("expected_status")
        .trim()
        .parse()
        .expect("a number");
    assert_eq!(
        status, want_status,
        "{case}: exit status; stderr:\n{stderr}"
    );
    let want_stderr = read(&dir, "expected_stderr").expect("expected_stderr");
    if read(&dir, "known_difference").is_some() {
        // conf's wording after a syntax error comes from bison's error recovery, which
        // xenlint does not mirror yet (the case's known_difference file says how they
        // differ). The first message must still name the same file:line.
        let location = |text: &str| {
            let first = text.lines().next().unwrap_or("");
            first.split(": ").next().unwrap_or("").to_string()
        };
        assert_eq!(
            location(&stderr),
            location(&want_stderr),
            "{case}: first message\n--- conf\n{want_stderr}--- xenlint\n{stderr}"
        );
        assert!(!location(&stderr).is_empty(), "{case}: no message");
    } else {
        assert_eq!(stderr, want_stderr, "{case}: standard error");
    }
    assert_eq!(config, read(&dir, "expected_config"), "{case}: .config");
}

macro_rules! cases {
    ($($case:ident)*) => {
        $(
            #[test]
            fn $case() {
                check(stringify!($case));
            }
        )*

        /// Every directory under tests/cases is a case listed here, and the other way round.
        #[test]
        fn every_case_directory_is_run() {
            let listed: Vec<&str> = vec![$(stringify!($case)),*];
            let mut dirs: Vec<String> = std::fs::read_dir(cases_dir())
                .expect("tests/cases")
                .flatten()
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            dirs.sort();
            let mut listed_sorted = listed.clone();
            listed_sorted.sort();
            assert_eq!(dirs, listed_sorted);
        }
    };
}

cases! {
    choice_default
    choice_optional
    depends_on_m
    select_imply
    menus_if
    ranges
    syntax_error
    missing_source
    recursive_dep
}
