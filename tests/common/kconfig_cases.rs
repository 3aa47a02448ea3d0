//! The kernel's Kconfig test cases (scripts/kconfig/tests) driven through xenlint the way
//! the kernel's conftest.py drives conf: one function per check of a case's __init__.py,
//! taking the directory that holds the cases, so the same checks run on the vendored copy
//! (tests/kconfig-cases) and on an installed kernel tree.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use xenlint::kconfig::ask::AskMode;
use xenlint::kconfig::macros::{ShellPolicy, ShellRunner};
use xenlint::kconfig::parser::Dialect;
use xenlint::kconfig::targets::{InputFile, Target};
use xenlint::source::DirSource;

/// What one conf invocation gave: its exit status, its two streams and the .config it
/// wrote (None when it stopped with an error, as conftest.py records it).
#[derive(Debug)]
pub struct ConfRun {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
    pub config: Option<String>,
}

/// How conf is started in a case directory: `conf <mode> Kconfig` with `srctree` set to
/// the case directory.
pub struct Case {
    dir: PathBuf,
    name: String,
}

impl Case {
    pub fn new(cases: &Path, name: &str) -> Case {
        Case {
            dir: cases.join(name),
            name: name.to_string(),
        }
    }

    fn parse(
        &self,
    ) -> (
        xenlint::kconfig::model::Model,
        xenlint::kconfig::finalize::Finalized,
    ) {
        let source = DirSource::new(&self.dir);
        let mut env: HashMap<String, String> = std::env::vars().collect();
        env.insert("srctree".to_string(), self.dir.display().to_string());
        let model = xenlint::kconfig::parse_kconfig(
            &source,
            "Kconfig",
            env,
            ShellRunner::new(ShellPolicy::Trusted),
            Dialect::CURRENT,
        );
        let fin = xenlint::kconfig::finalize::finalize(&model, true);
        (model, fin)
    }

    /// conf's start: read Kconfig, print what `$(info,...)` said and the parse messages;
    /// on an error conf exits with status 1 before writing anything.
    fn start(
        &self,
    ) -> Result<
        (
            xenlint::kconfig::model::Model,
            xenlint::kconfig::finalize::Finalized,
            String,
        ),
        ConfRun,
    > {
        let (model, fin) = self.parse();
        let mut stdout = String::new();
        for line in &model.info {
            stdout.push_str(line);
            stdout.push('\n');
        }
        let (stderr, failed) = xenlint::kconfig::conf_parse_messages(&model, &fin);
        if failed {
            return Err(ConfRun {
                status: 1,
                stdout,
                stderr,
                config: None,
            });
        }
        Ok((model, fin, stdout))
    }

    /// `conf --oldaskconfig` or `--oldconfig`: the case's `dot_config` copied to .config,
    /// `keys` typed, then Enter until conf finishes.
    pub fn interactive(&self, mode: AskMode, dot_config: Option<&str>, keys: &str) -> ConfRun {
        let (model, fin, mut stdout) = match self.start() {
            Ok(started) => started,
            Err(run) => return run,
        };
        let input = dot_config.map(|name| InputFile {
            name: ".config".to_string(),
            text: std::fs::read(self.dir.join(name))
                .unwrap_or_else(|e| panic!("{}/{name}: {e}", self.dir.display())),
        });
        // conftest.py writes the keys, then newlines: the first answer holds the keys.
        let answers: Vec<String> = if keys.is_empty() {
            Vec::new()
        } else {
            vec![keys.to_string()]
        };
        let (asked, config) =
            xenlint::kconfig::run_interactive(&model, &fin, mode, input.as_ref(), &answers);
        stdout.push_str(&asked);
        let (stderr, _) = xenlint::kconfig::conf_parse_messages(&model, &fin);
        ConfRun {
            status: 0,
            stdout,
            stderr,
            config: Some(config),
        }
    }

    pub fn oldaskconfig(&self, dot_config: Option<&str>, keys: &str) -> ConfRun {
        self.interactive(AskMode::OldAsk, dot_config, keys)
    }

    pub fn oldconfig(&self, dot_config: Option<&str>, keys: &str) -> ConfRun {
        self.interactive(AskMode::Old, dot_config, keys)
    }

    /// `conf --all{yes,mod,no,def}config Kconfig`, no KCONFIG_ALLCONFIG.
    pub fn allconfig(&self, target: Target) -> ConfRun {
        let (model, fin, stdout) = match self.start() {
            Ok(started) => started,
            Err(run) => return run,
        };
        let run = xenlint::kconfig::run_conf(&model, &fin, true, &target, None, None);
        ConfRun {
            status: 0,
            stdout,
            stderr: run.stderr,
            config: Some(run.config),
        }
    }

    fn expected(&self, file: &str) -> String {
        std::fs::read_to_string(self.dir.join(file))
            .unwrap_or_else(|e| panic!("{}/{file}: {e}", self.dir.display()))
    }

    pub fn assert_status(&self, run: &ConfRun, status: i32) {
        assert_eq!(run.status, status, "{}: exit status; {run:#?}", self.name);
    }

    pub fn assert_failed(&self, run: &ConfRun) {
        assert_ne!(run.status, 0, "{}: exit status; {run:#?}", self.name);
    }

    pub fn stdout_contains(&self, run: &ConfRun, file: &str) {
        let want = self.expected(file);
        assert!(
            run.stdout.contains(&want),
            "{}: stdout\n{}\nlacks {file}:\n{want}",
            self.name,
            run.stdout
        );
    }

    pub fn stderr_contains(&self, run: &ConfRun, file: &str) {
        let want = self.expected(file);
        assert!(
            run.stderr.contains(&want),
            "{}: stderr\n{}\nlacks {file}:\n{want}",
            self.name,
            run.stderr
        );
    }

    pub fn stderr_matches(&self, run: &ConfRun, file: &str) {
        assert_eq!(run.stderr, self.expected(file), "{}: stderr", self.name);
    }

    pub fn config_contains(&self, run: &ConfRun, file: &str) {
        let want = self.expected(file);
        let config = run.config.as_deref().unwrap_or("");
        assert!(
            config.contains(&want),
            "{}: .config\n{config}\nlacks {file}:\n{want}",
            self.name
        );
    }

    pub fn config_matches(&self, run: &ConfRun, file: &str) {
        assert_eq!(
            run.config.as_deref(),
            Some(self.expected(file).as_str()),
            "{}: .config",
            self.name
        );
    }
}

// One function per test of the cases' __init__.py files, in their words.

pub fn auto_submenu(cases: &Path) {
    let case = Case::new(cases, "auto_submenu");
    let run = case.oldaskconfig(None, "");
    case.assert_status(&run, 0);
    case.stdout_contains(&run, "expected_stdout");
}

pub fn choice_oldask0(cases: &Path) {
    let case = Case::new(cases, "choice");
    let run = case.oldaskconfig(None, "");
    case.assert_status(&run, 0);
    case.stdout_contains(&run, "oldask0_expected_stdout");
}

fn choice_all(cases: &Path, target: Target, expected: &str) {
    let case = Case::new(cases, "choice");
    let run = case.allconfig(target);
    case.assert_status(&run, 0);
    case.config_contains(&run, expected);
}

pub fn choice_allyes(cases: &Path) {
    choice_all(cases, Target::AllYesconfig, "allyes_expected_config");
}

pub fn choice_allmod(cases: &Path) {
    choice_all(cases, Target::AllModconfig, "allmod_expected_config");
}

pub fn choice_allno(cases: &Path) {
    choice_all(cases, Target::AllNoconfig, "allno_expected_config");
}

pub fn choice_alldef(cases: &Path) {
    choice_all(cases, Target::AllDefconfig, "alldef_expected_config");
}

pub fn err_recursive_dep(cases: &Path) {
    let case = Case::new(cases, "err_recursive_dep");
    let run = case.oldaskconfig(None, "");
    case.assert_status(&run, 1);
    case.stderr_contains(&run, "expected_stderr");
}

pub fn err_recursive_inc(cases: &Path) {
    let case = Case::new(cases, "err_recursive_inc");
    let run = case.oldaskconfig(None, "");
    case.assert_failed(&run);
    case.stderr_contains(&run, "expected_stderr");
}

pub fn new_choice_with_dep(cases: &Path) {
    let case = Case::new(cases, "new_choice_with_dep");
    let run = case.oldconfig(Some("config"), "y");
    case.assert_status(&run, 0);
    case.stdout_contains(&run, "expected_stdout");
}

pub fn no_write_if_dep_unmet(cases: &Path) {
    let case = Case::new(cases, "no_write_if_dep_unmet");
    let run = case.oldaskconfig(Some("config"), "n");
    case.assert_status(&run, 0);
    case.config_matches(&run, "expected_config");
}

pub fn preprocess_builtin_func(cases: &Path) {
    let case = Case::new(cases, "preprocess/builtin_func");
    let run = case.oldaskconfig(None, "");
    case.assert_status(&run, 0);
    case.stdout_contains(&run, "expected_stdout");
    case.stderr_matches(&run, "expected_stderr");
}

pub fn preprocess_circular_expansion(cases: &Path) {
    let case = Case::new(cases, "preprocess/circular_expansion");
    let run = case.oldaskconfig(None, "");
    case.assert_failed(&run);
    case.stderr_matches(&run, "expected_stderr");
}

pub fn preprocess_escape(cases: &Path) {
    let case = Case::new(cases, "preprocess/escape");
    let run = case.oldaskconfig(None, "");
    case.assert_status(&run, 0);
    case.stderr_matches(&run, "expected_stderr");
}

pub fn preprocess_variable(cases: &Path) {
    let case = Case::new(cases, "preprocess/variable");
    let run = case.oldaskconfig(None, "");
    case.assert_status(&run, 0);
    case.stderr_matches(&run, "expected_stderr");
}

/// One `#[test]` per check above, on the cases under `$cases()` (an `Option<PathBuf>`:
/// None skips), each carrying the given attributes.
// Only the two tests that run the cases use it; the other test binaries share common/.
#[allow(unused_macros)]
macro_rules! kconfig_case_tests {
    ($(#[$attr:meta])* cases: $cases:expr) => {
        crate::common::kconfig_cases::kconfig_case_tests!(@tests [$(#[$attr])*] $cases;
            auto_submenu choice_oldask0 choice_allyes choice_allmod choice_allno choice_alldef
            err_recursive_dep err_recursive_inc new_choice_with_dep no_write_if_dep_unmet
            preprocess_builtin_func preprocess_circular_expansion preprocess_escape
            preprocess_variable);
    };
    (@tests $attrs:tt $cases:expr; $($name:ident)*) => {
        $( crate::common::kconfig_cases::kconfig_case_tests!(@one $attrs $cases; $name); )*
    };
    (@one [$(#[$attr:meta])*] $cases:expr; $name:ident) => {
        #[test]
        $(#[$attr])*
        fn $name() {
            let Some(cases) = $cases else { return };
            crate::common::kconfig_cases::$name(&cases);
        }
    };
}
#[allow(unused_imports)]
pub(crate) use kconfig_case_tests;
