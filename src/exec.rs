//! What xenlint runs on the machine, decided here. Three kinds of program run at all:
//!
//! - the toolchain probes make does before Kconfig (`$(CC) --version` for
//!   CC_VERSION_TEXT, `$(RUSTC) --version`), through [`probe`];
//! - `uname -m` for SUBARCH, through [`probe`];
//! - Kconfig `$(shell,...)` commands and arch Makefile `$(shell ...)` of a tree the user
//!   chose to trust (`--shell trusted`, the default for a tree on disk), and, in `series`,
//!   the commands the base commit itself runs (kconfig/macros.rs, `ShellPolicy`).
//!
//! Probes run without a shell: the tool's value is split into words as make's shell
//! would split an unquoted `$(CC)`, the first word is found on PATH (absolute directories
//! only) unless it is an absolute path, and nothing else is interpolated. Under
//! [`ToolTrust::Only`] (the commits of a series) a tool runs only when its value is the one
//! the trusted side (the base) probed; any other value is refused, answered as a failed
//! command, and reported. Nothing in this module writes anywhere.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long a probe may take before it is killed (a `--version` answers at once).
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);
/// How much of a probe's output is kept.
const PROBE_OUTPUT_LIMIT: usize = 64 << 10;

/// Which tool values may be probed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ToolTrust {
    /// Any: a tree the user chose (tree commands), or the base of a series.
    #[default]
    Any,
    /// Only these values, by variable (`CC` -> `gcc`): what the base of a series probed.
    Only(BTreeMap<String, String>),
    /// None: `--shell never`; every probe is answered as a failed command.
    Nothing,
}

impl ToolTrust {
    /// May the tool variable `name` with value `value` be run?
    pub fn allows(&self, name: &str, value: &str) -> bool {
        match self {
            ToolTrust::Any => true,
            ToolTrust::Only(values) => values.get(name).is_some_and(|v| v == value),
            ToolTrust::Nothing => false,
        }
    }
}

/// The program `word` names: an absolute path as it is, a bare name looked up in PATH's
/// absolute directories. A relative path (`./cc`, `scripts/cc`) names a file of whatever
/// directory xenlint runs in, often the tree under review: never run.
pub fn resolve_program(word: &str) -> Option<PathBuf> {
    if word.is_empty() {
        return None;
    }
    if word.contains('/') {
        let path = Path::new(word);
        return (path.is_absolute() && path.is_file()).then(|| path.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(word))
        .find(|candidate| candidate.is_file())
}

/// Run `argv` without a shell, stdin closed, stderr dropped, `LC_ALL=C`, in `/`, killed
/// after [`PROBE_TIMEOUT`]; its standard output (at most [`PROBE_OUTPUT_LIMIT`] bytes), or
/// `None` when it could not run. Answers are cached for the life of the process: the same
/// probe gives the same answer for every arch and commit.
pub fn probe(argv: &[String]) -> Option<String> {
    static CACHE: OnceLock<Mutex<HashMap<Vec<String>, Option<String>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().expect("probe cache lock").get(argv) {
        return hit.clone();
    }
    let answer = run(argv, PROBE_TIMEOUT);
    cache
        .lock()
        .expect("probe cache lock")
        .insert(argv.to_vec(), answer.clone());
    answer
}

/// Note that `command` (a probe's words, or a shell command line) is about to run. What a
/// run executed decides whether its result may be reused: the cache (`lint::cache`)
/// answers only while every program these commands name is the same file it was.
pub fn note_command(command: &str) {
    commands_noted()
        .lock()
        .expect("command notes lock")
        .extend(command_words(command));
}

/// The words of a command that may name a program (options and references left out).
pub fn command_words(command: &str) -> impl Iterator<Item = String> + '_ {
    command
        .split(|c: char| c.is_whitespace() || "|;&()<>`'\"=".contains(c))
        .filter(|w| !w.is_empty() && !w.starts_with('-') && !w.starts_with('$'))
        .map(String::from)
}

/// The words of every command run so far by this process ([`note_command`]).
pub fn programs_named() -> Vec<String> {
    commands_noted()
        .lock()
        .expect("command notes lock")
        .iter()
        .cloned()
        .collect()
}

fn commands_noted() -> &'static Mutex<std::collections::BTreeSet<String>> {
    static NOTED: OnceLock<Mutex<std::collections::BTreeSet<String>>> = OnceLock::new();
    NOTED.get_or_init(Default::default)
}

fn run(argv: &[String], timeout: Duration) -> Option<String> {
    note_command(&argv.join(" "));
    let program = resolve_program(argv.first()?)?;
    let mut child = std::process::Command::new(program)
        .args(&argv[1..])
        .env("LC_ALL", "C")
        .current_dir("/")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let mut stdout = child.stdout.take()?;
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = (&mut stdout)
            .take(PROBE_OUTPUT_LIMIT as u64)
            .read_to_end(&mut out);
        // Drain the rest so the child is not blocked on a full pipe.
        let _ = std::io::copy(&mut stdout, &mut std::io::sink());
        out
    });
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => return None,
        }
    }
    let out = reader.join().ok()?;
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// `$(TOOL) --version` as make's `$(shell $(CC) --version)` gives it, when `trust` allows
/// the value; `Err` says why not (the caller answers as a failed command and reports it).
pub fn tool_version(trust: &ToolTrust, name: &str, value: &str) -> Result<String, String> {
    if !trust.allows(name, value) {
        return Err(format!(
            "{name} = `{value}` is not the tool the base of the series uses: not run"
        ));
    }
    let mut argv: Vec<String> = value.split_whitespace().map(String::from).collect();
    if argv.is_empty() {
        return Ok(String::new());
    }
    argv.push("--version".to_string());
    Ok(probe(&argv).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_never_programs() {
        assert_eq!(resolve_program("./cc"), None);
        assert_eq!(resolve_program("scripts/cc"), None);
        assert_eq!(resolve_program(""), None);
        assert!(resolve_program("sh").is_some(), "sh is on PATH");
    }

    #[test]
    fn only_the_base_tools_run_under_only() {
        let base = ToolTrust::Only(BTreeMap::from([("CC".to_string(), "gcc".to_string())]));
        assert!(base.allows("CC", "gcc"));
        assert!(!base.allows("CC", "./evil.sh"));
        assert!(!base.allows("LD", "ld"));
        assert!(!ToolTrust::Nothing.allows("CC", "gcc"));
        let refused = tool_version(&base, "CC", "python3 -c 'print(1)'").unwrap_err();
        assert!(refused.contains("not run"), "{refused}");
    }

    #[test]
    fn a_probe_runs_without_a_shell() {
        // A shell would expand `$(...)`; without one it is an argument printed back.
        let out = probe(&["echo".into(), "$(touch /tmp/x)".into(), "a;b".into()]);
        assert_eq!(out.as_deref(), Some("$(touch /tmp/x) a;b\n"));
    }

    #[test]
    fn a_probe_that_hangs_is_killed() {
        // `sleep` past the timeout would block; the probe returns anyway.
        let started = Instant::now();
        let out = run(&["sleep".into(), "30".into()], Duration::from_millis(200));
        assert!(started.elapsed() < Duration::from_secs(20));
        assert_eq!(out.as_deref(), Some(""));
    }
}
