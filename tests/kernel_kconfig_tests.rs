//! The kernel's own Kconfig test cases (scripts/kconfig/tests in the 6.12 tree), driven
//! through xenlint: the macro preprocessor cases, recursive inclusion and recursive
//! dependency errors, and the choice cases for the all*config targets. The expected
//! outputs are the kernel's files, read from the installed tree.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

use xenlint::kconfig::ask::AskMode;
use xenlint::kconfig::macros::{ShellPolicy, ShellRunner};
use xenlint::kconfig::parser::Dialect;
use xenlint::kconfig::targets::{InputFile, Target};
use xenlint::source::DirSource;

fn tests_dir() -> Option<PathBuf> {
    let dir = common::tree("6.12").join("scripts/kconfig/tests");
    if dir.is_dir() {
        return Some(dir);
    }
    let message = format!("{} missing (run scripts/kernel-refs.sh)", dir.display());
    if std::env::var_os("XENLINT_REQUIRE_KERNEL").is_some() {
        panic!("{message}");
    }
    eprintln!("SKIPPED: {message}");
    None
}

struct ConfRun {
    stdout: String,
    stderr: String,
    failed: bool,
    config: String,
}

/// What `conf <mode> Kconfig` does in a test directory, up to writing .config.
fn run_case(dir: &PathBuf, target: Option<Target>) -> ConfRun {
    let source = DirSource::new(dir);
    let mut env: HashMap<String, String> = std::env::vars().collect();
    env.insert("srctree".to_string(), dir.display().to_string());
    let model = xenlint::kconfig::parse_kconfig(
        &source,
        "Kconfig",
        env,
        ShellRunner::new(ShellPolicy::Trusted),
        Dialect::for_version(6, 12),
    );
    let fin = xenlint::kconfig::finalize::finalize(&model, true);
    let (stderr, failed) = xenlint::kconfig::conf_parse_messages(&model, &fin);
    let mut stdout = String::new();
    for line in &model.info {
        stdout.push_str(line);
        stdout.push('\n');
    }
    let config = match (failed, target) {
        (false, Some(target)) => {
            xenlint::kconfig::run_conf(&model, &fin, true, &target, None, None).config
        }
        _ => String::new(),
    };
    ConfRun {
        stdout,
        stderr,
        failed,
        config,
    }
}

fn expected(dir: &PathBuf, name: &str) -> String {
    std::fs::read_to_string(dir.join(name))
        .unwrap_or_else(|e| panic!("{}/{name}: {e}", dir.display()))
}

#[test]
fn preprocess_cases_match_the_kernel() {
    let Some(tests) = tests_dir() else { return };
    let mut checked = 0;
    for case in ["builtin_func", "escape", "variable", "circular_expansion"] {
        let dir = tests.join("preprocess").join(case);
        let run = run_case(&dir, None);
        assert_eq!(
            run.stderr,
            expected(&dir, "expected_stderr"),
            "preprocess/{case}: stderr"
        );
        if dir.join("expected_stdout").exists() {
            let want = expected(&dir, "expected_stdout");
            assert!(
                run.stdout.contains(&want),
                "preprocess/{case}: stdout {:?} lacks {want:?}",
                run.stdout
            );
        }
        // circular_expansion must fail; the others must not.
        assert_eq!(
            run.failed,
            case == "circular_expansion",
            "preprocess/{case}: exit status"
        );
        checked += 1;
    }
    assert_eq!(checked, 4);
}

#[test]
fn recursive_inclusion_is_reported_as_the_kernel_does() {
    let Some(tests) = tests_dir() else { return };
    let dir = tests.join("err_recursive_inc");
    let run = run_case(&dir, None);
    assert!(run.failed);
    let want = expected(&dir, "expected_stderr");
    assert!(
        run.stderr.contains(&want),
        "stderr {:?} lacks {want:?}",
        run.stderr
    );
}

#[test]
fn recursive_dependencies_are_reported_as_the_kernel_does() {
    let Some(tests) = tests_dir() else { return };
    let dir = tests.join("err_recursive_dep");
    let run = run_case(&dir, None);
    assert!(run.failed);
    let want = expected(&dir, "expected_stderr");
    assert!(
        run.stderr.contains(&want),
        "stderr:\n{}\nlacks:\n{want}",
        run.stderr
    );
}

#[test]
fn choice_cases_for_all_targets_match_the_kernel() {
    let Some(tests) = tests_dir() else { return };
    let dir = tests.join("choice");
    for (target, file) in [
        (Target::AllYesconfig, "allyes_expected_config"),
        (Target::AllModconfig, "allmod_expected_config"),
        (Target::AllNoconfig, "allno_expected_config"),
        (Target::AllDefconfig, "alldef_expected_config"),
    ] {
        let run = run_case(&dir, Some(target.clone()));
        assert!(!run.failed, "{target:?}: {}", run.stderr);
        let want = expected(&dir, file);
        assert!(
            run.config.contains(&want),
            "{target:?}:\n{}\nlacks:\n{want}",
            run.config
        );
    }
}

/// `conf --oldaskconfig` or `--oldconfig` in a case directory, as conftest.py runs it:
/// an optional .config, the given keys, then Enter until conf finishes.
fn run_interactive(
    dir: &PathBuf,
    mode: AskMode,
    dot_config: Option<&str>,
    keys: &str,
) -> (String, String) {
    let source = DirSource::new(dir);
    let mut env: HashMap<String, String> = std::env::vars().collect();
    env.insert("srctree".to_string(), dir.display().to_string());
    let model = xenlint::kconfig::parse_kconfig(
        &source,
        "Kconfig",
        env,
        ShellRunner::new(ShellPolicy::Trusted),
        Dialect::for_version(6, 12),
    );
    let fin = xenlint::kconfig::finalize::finalize(&model, true);
    let input = dot_config.map(|name| InputFile {
        name: ".config".to_string(),
        text: std::fs::read(dir.join(name)).expect("case .config"),
    });
    // conftest.py writes the keys, then newlines: the first answer holds the keys.
    let answers: Vec<String> = if keys.is_empty() {
        Vec::new()
    } else {
        vec![keys.to_string()]
    };
    xenlint::kconfig::run_interactive(&model, &fin, mode, input.as_ref(), &answers)
}

#[test]
fn auto_submenu_matches_the_kernel() {
    let Some(tests) = tests_dir() else { return };
    let dir = tests.join("auto_submenu");
    let (stdout, _) = run_interactive(&dir, AskMode::OldAsk, None, "");
    let want = expected(&dir, "expected_stdout");
    assert!(stdout.contains(&want), "stdout:\n{stdout}\nlacks:\n{want}");
}

#[test]
fn choice_oldaskconfig_matches_the_kernel() {
    let Some(tests) = tests_dir() else { return };
    let dir = tests.join("choice");
    let (stdout, _) = run_interactive(&dir, AskMode::OldAsk, None, "");
    let want = expected(&dir, "oldask0_expected_stdout");
    assert!(stdout.contains(&want), "stdout:\n{stdout}\nlacks:\n{want}");
}

#[test]
fn new_choice_with_dep_matches_the_kernel() {
    let Some(tests) = tests_dir() else { return };
    let dir = tests.join("new_choice_with_dep");
    let (stdout, _) = run_interactive(&dir, AskMode::Old, Some("config"), "y");
    let want = expected(&dir, "expected_stdout");
    assert!(stdout.contains(&want), "stdout:\n{stdout}\nlacks:\n{want}");
}

#[test]
fn no_write_if_dep_unmet_matches_the_kernel() {
    let Some(tests) = tests_dir() else { return };
    let dir = tests.join("no_write_if_dep_unmet");
    let (_, config) = run_interactive(&dir, AskMode::OldAsk, Some("config"), "n");
    assert_eq!(config, expected(&dir, "expected_config"));
}
