//! The persistent cache: a series' report, kept by what determines it, so that the
//! pre-push hook and per-patch CI calls that ask again about commits already seen answer
//! without resolving anything.
//!
//! What determines a report: the commits (ids name their whole content), what is asked
//! (arches, baselines and a .config's bytes, make variables, Kbuild, suggestions), the
//! environment the probes and `$(shell)` commands see, and the xenlint build. The key is
//! a hash of all of these; the entry also lists every program the run's commands named
//! with its size and modification time, and is used only while each is still the same
//! file (a compiler upgraded in place is a different answer to `$(CC) --version`).
//!
//! Entries are written to a temporary file and renamed into place, so concurrent runs
//! never read half an entry; an entry that does not parse is a miss. The directory is
//! kept under a size bound, oldest entries (by last use) removed first.

use std::path::{Path, PathBuf};

use super::{Baseline, Options, Report};
use crate::git::Series;
use crate::kconfig::macros::ShellCache;

/// Bumped whenever the entry format or the meaning of a report changes.
const FORMAT: &str = "xenlint-cache-1";

/// The default bound of the cache directory.
pub const DEFAULT_MAX_BYTES: u64 = 256 << 20;

/// Environment variables that change between runs without changing any answer.
const VOLATILE: &str =
    "PWD OLDPWD SHLVL _ TERM COLORTERM COLUMNS LINES DISPLAY WINDOWID SSH_CLIENT \
     SSH_CONNECTION SSH_TTY SSH_AUTH_SOCK TMUX TMUX_PANE STY XDG_SESSION_ID \
     XDG_RUNTIME_DIR GPG_TTY MAIL GIT_DIR GIT_INDEX_FILE GIT_EXEC_PATH GIT_PREFIX \
     XENLINT_CACHE_DIR XENLINT_NO_CACHE";

/// The `$(shell,...)` answers of the base commits of one scope (`Cache::shell_scope`).
#[derive(serde::Serialize, serde::Deserialize)]
struct ShellAnswers {
    format: String,
    programs: Vec<(String, String, u64, i128)>,
    /// Command -> output, the run's scratch directory written as [`SCRATCH`].
    answers: std::collections::BTreeMap<String, String>,
}

/// Stands for the run's scratch directory (where the base's scripts are written) in a
/// kept command: every run has its own.
const SCRATCH: &str = "@XENLINT_SCRATCH@";

/// A cache directory.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    max_bytes: u64,
}

/// What an entry holds.
#[derive(serde::Serialize, serde::Deserialize)]
struct Entry {
    format: String,
    /// Programs the run's commands named, as found then: (word, path, size, mtime in ns).
    programs: Vec<(String, String, u64, i128)>,
    report: Report,
}

impl Cache {
    /// `dir` if given (`--cache-dir`, `$XENLINT_CACHE_DIR`), else
    /// `$XDG_CACHE_HOME/xenlint`, `$HOME/.cache/xenlint`; `None` when none of these is set.
    pub fn open(dir: Option<&Path>) -> Option<Cache> {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        let dir = match dir {
            Some(dir) => dir.to_path_buf(),
            None => var("XDG_CACHE_HOME")
                .map(|d| PathBuf::from(d).join("xenlint"))
                .or_else(|| var("HOME").map(|d| PathBuf::from(d).join(".cache/xenlint")))?,
        };
        Some(Cache {
            dir,
            max_bytes: DEFAULT_MAX_BYTES,
        })
    }

    pub fn with_max_bytes(mut self, max_bytes: u64) -> Cache {
        self.max_bytes = max_bytes;
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The key of a run of `series` with `options` (`suggest`: fixes looked for).
    pub fn key(&self, series: &Series, options: &Options, suggest: bool) -> String {
        let mut text = String::new();
        let mut line = |k: &str, v: &str| {
            text.push_str(k);
            text.push('\t');
            text.push_str(&v.replace('\n', "\\n"));
            text.push('\n');
        };
        line("format", FORMAT);
        line("version", env!("CARGO_PKG_VERSION"));
        line("build", &build_identity());
        line("machine", std::env::consts::ARCH);
        line("base", &series.base.to_string());
        if let Some(trusted) = options.trusted {
            line("trusted", &trusted.to_string());
        }
        for c in &series.commits {
            line("commit", &c.oid.to_string());
        }
        match &options.arches {
            Some(list) => line("arches", &list.join(",")),
            None => line("arches", "*"),
        }
        for b in &options.baselines {
            match b {
                Baseline::Target { target, fragments } => {
                    line("baseline", &format!("{target}+{}", fragments.join("+")))
                }
                Baseline::Config { name, text } => {
                    line("config", &format!("{name} {}", hash(text)))
                }
            }
        }
        for (k, v) in &options.overrides {
            line("make-var", &format!("{k}={v}"));
        }
        line("kbuild", &options.kbuild.to_string());
        line("incremental", &options.incremental.to_string());
        line("suggest", &suggest.to_string());
        line("explain", options.explain.as_deref().unwrap_or(""));
        for (k, v) in environment() {
            line("env", &format!("{k}={v}"));
        }
        hash(text.as_bytes())
    }

    /// The scope of `$(shell,...)` answers: the scripts the commands may call (the tree
    /// id of the base's `scripts/`), the environment and the xenlint build. The kernel's
    /// Kconfig probes the compiler with about a hundred commands (`cc-option`,
    /// `as-instr`, `ld-version.sh`), a thousand processes that take seconds; their answers
    /// depend on these and on the programs they name, nothing else.
    pub fn shell_scope(&self, scripts: &str) -> String {
        let mut text = format!("{}{scripts}\n", build_scope("shell"));
        for (k, v) in environment() {
            text.push_str(&format!("{k}={v}\n"));
        }
        format!("shell-{}", hash(text.as_bytes()))
    }

    /// Fill `into` with the answers kept for `scope`, if every program they name is the
    /// same file it was; `scratch` is this run's scratch directory.
    pub fn load_shell(&self, scope: &str, scratch: &Path, into: &ShellCache) {
        let Ok(text) = std::fs::read(self.path(scope)) else {
            return;
        };
        let Ok(kept) = serde_json::from_slice::<ShellAnswers>(&text) else {
            return;
        };
        if kept.format != FORMAT || !programs_unchanged(&kept.programs) {
            return;
        }
        let here = scratch.display().to_string();
        for (command, output) in crate::kconfig::macros::renamed(kept.answers, SCRATCH, &here) {
            into.insert(&command, output);
        }
    }

    /// Keep the answers of `from` for `scope`.
    pub fn store_shell(&self, scope: &str, scratch: &Path, from: &ShellCache) {
        let here = scratch.display().to_string();
        let answers = crate::kconfig::macros::renamed(from.entries(), &here, SCRATCH);
        let mut words = std::collections::BTreeSet::new();
        for command in answers.keys() {
            words.extend(crate::exec::command_words(command));
        }
        let kept = ShellAnswers {
            format: FORMAT.to_string(),
            programs: identities(words.into_iter().filter(|w| !w.contains(SCRATCH))),
            answers,
        };
        if let Ok(bytes) = serde_json::to_vec(&kept) {
            self.write(scope, &bytes);
        }
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// The report kept under `key`, if there is one and every program it ran is unchanged.
    pub fn load(&self, key: &str) -> Option<Report> {
        let entry: Entry = self.read(key)?;
        (entry.format == FORMAT && programs_unchanged(&entry.programs)).then_some(entry.report)
    }

    /// The entry under `key` when it parses as a `T`, marked as used now: last use
    /// decides what goes first when the directory is over its bound.
    fn read<T: serde::de::DeserializeOwned>(&self, key: &str) -> Option<T> {
        let path = self.path(key);
        let value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
        if let Ok(file) = std::fs::File::options().append(true).open(&path) {
            let _ = file.set_modified(std::time::SystemTime::now());
        }
        Some(value)
    }

    /// Keep `report` under `key`. A cache that cannot be written is no error: the run
    /// has its answer; the next one computes it again.
    pub fn store(&self, key: &str, report: &Report) {
        let entry = Entry {
            format: FORMAT.to_string(),
            programs: identities(crate::exec::programs_named().into_iter()),
            report: report.clone(),
        };
        if let Ok(bytes) = serde_json::to_vec(&entry) {
            self.write(key, &bytes);
        }
    }

    /// What this build derived from `what` alone and kept: `what` names a tree by its id.
    pub fn load_derived<T: serde::de::DeserializeOwned>(&self, what: &str) -> Option<T> {
        self.read(&derived_key(what))
    }

    pub fn store_derived<T: serde::Serialize>(&self, what: &str, value: &T) {
        if let Ok(bytes) = serde_json::to_vec(value) {
            self.write(&derived_key(what), &bytes);
        }
    }

    /// Write an entry through a temporary file renamed into place, then trim.
    fn write(&self, key: &str, bytes: &[u8]) {
        if std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        let Ok(mut tmp) = tempfile::NamedTempFile::new_in(&self.dir) else {
            return;
        };
        use std::io::Write;
        if tmp.write_all(bytes).is_err() || tmp.persist(self.path(key)).is_err() {
            return;
        }
        self.trim();
    }

    /// Remove the least recently used entries until the directory is within its bound.
    fn trim(&self) {
        let Ok(dir) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let mut entries: Vec<(std::time::SystemTime, u64, PathBuf)> = dir
            .filter_map(|e| {
                let e = e.ok()?;
                let meta = e.metadata().ok()?;
                let name = e.file_name();
                let name = name.to_str()?;
                (meta.is_file() && name.ends_with(".json"))
                    .then(|| Some((meta.modified().ok()?, meta.len(), e.path())))?
            })
            .collect();
        let mut total: u64 = entries.iter().map(|e| e.1).sum();
        entries.sort();
        for (_, len, path) in entries {
            if total <= self.max_bytes {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                total -= len;
            }
        }
    }
}

/// The program a command word names, as it is now: (path, size, mtime in ns). Words that
/// name no program (arguments, file names) are `None`, then as now.
fn identify(word: &str) -> Option<(String, u64, i128)> {
    let path = crate::exec::resolve_program(word)?;
    let meta = std::fs::metadata(&path).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i128)
        .unwrap_or(0);
    Some((path.display().to_string(), meta.len(), mtime))
}

/// Keeps one run's `$(shell,...)` answers at its end (`shell_answers`).
pub struct ShellKeeper<'a> {
    cache: &'a Cache,
    scope: String,
    scratch: PathBuf,
    loaded: usize,
}

/// The answers kept for a run of `options` whose base has scripts tree `scripts` and
/// whose scratch directory is `scratch`, and what keeps the run's answers at its end.
pub fn shell_answers<'a>(
    options: &'a Options,
    scripts: Option<crate::git::Oid>,
    scratch: &Path,
    answers: &ShellCache,
) -> (ShellCache, Option<ShellKeeper<'a>>) {
    let answers = answers.clone();
    // Answers another run filled (fix verification shares the series' run's) name that
    // run's scratch directory: that run keeps its answers, this one keeps none.
    let shared = !answers.is_empty();
    let (Some(cache), Some(scripts)) = (options.cache.as_deref(), scripts) else {
        return (answers, None);
    };
    let scope = cache.shell_scope(&scripts.to_string());
    cache.load_shell(&scope, scratch, &answers);
    if shared {
        return (answers, None);
    }
    let loaded = answers.len();
    let keeper = ShellKeeper {
        cache,
        scope,
        scratch: scratch.to_path_buf(),
        loaded,
    };
    (answers, Some(keeper))
}

impl ShellKeeper<'_> {
    /// Keep `answers` when the run added any.
    pub fn keep(&self, answers: &ShellCache) {
        if answers.len() != self.loaded {
            self.cache.store_shell(&self.scope, &self.scratch, answers);
        }
    }
}

/// The environment, without the variables that change between runs for no reason.
fn environment() -> Vec<(String, String)> {
    let mut vars: Vec<(String, String)> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.to_string_lossy().into_owned())))
        .filter(|(k, _)| !VOLATILE.split_whitespace().any(|v| v == k))
        .collect();
    vars.sort();
    vars
}

/// Each program-like word with what it names now (`("", 0, 0)`: nothing).
fn identities(words: impl Iterator<Item = String>) -> Vec<(String, String, u64, i128)> {
    words
        .filter(|word| word.contains('/') || is_name(word))
        .map(|word| match identify(&word) {
            Some((path, size, mtime)) => (word, path, size, mtime),
            None => (word, String::new(), 0, 0),
        })
        .collect()
}

/// Whether every program of a kept entry is still what it was.
fn programs_unchanged(programs: &[(String, String, u64, i128)]) -> bool {
    programs.iter().all(|(word, path, size, mtime)| {
        identify(word).unwrap_or_default() == (path.clone(), *size, *mtime)
    })
}

/// A word that could be a program's name on PATH.
fn is_name(word: &str) -> bool {
    word.len() <= 64
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._+-".contains(c))
}

/// This executable: its size and modification time (a rebuilt xenlint is another build).
fn build_identity() -> String {
    std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            let mtime = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            format!("{} {mtime}", m.len())
        })
        .unwrap_or_default()
}

/// The lines that name an entry of `kind` made by this build: no other build reads it.
fn build_scope(kind: &str) -> String {
    format!(
        "{FORMAT}\n{kind}\n{}\n{}\n{}\n",
        env!("CARGO_PKG_VERSION"),
        build_identity(),
        std::env::consts::ARCH
    )
}

fn derived_key(what: &str) -> String {
    let text = format!("{}{what}\n", build_scope("derived"));
    format!("tree-{}", hash(text.as_bytes()))
}

fn hash(bytes: &[u8]) -> String {
    sha1_smol::Sha1::from(bytes).digest().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directory_keeps_within_its_bound_least_recently_used_first() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = Cache::open(Some(dir.path()))
            .expect("a directory")
            .with_max_bytes(1000);
        let entry = vec![b'x'; 400];
        for (i, key) in ["a", "b", "c"].iter().enumerate() {
            cache.write(key, &entry);
            // Older by a minute each, the first written oldest.
            let age = std::time::Duration::from_secs(60 * (3 - i as u64));
            let file = std::fs::File::options()
                .append(true)
                .open(cache.path(key))
                .expect("entry");
            file.set_modified(std::time::SystemTime::now() - age)
                .expect("mtime");
        }
        cache.trim();
        let mut left: Vec<String> = std::fs::read_dir(cache.dir())
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["b.json", "c.json"]);
    }

    #[test]
    fn a_program_that_changed_or_appeared_invalidates_an_entry() {
        let sh = identify("sh").expect("sh is on PATH");
        assert!(programs_unchanged(&[(
            "sh".into(),
            sh.0.clone(),
            sh.1,
            sh.2
        )]));
        assert!(!programs_unchanged(&[("sh".into(), sh.0, sh.1, sh.2 + 1)]));
        // Absent when kept: still absent, or the entry is not used.
        assert!(programs_unchanged(&[(
            "no-such-program-x".into(),
            String::new(),
            0,
            0
        )]));
        assert!(!programs_unchanged(&[("sh".into(), String::new(), 0, 0)]));
    }

    #[test]
    fn a_run_sharing_another_runs_answers_keeps_none_of_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let options = Options {
            cache: Cache::open(Some(dir.path())).map(std::sync::Arc::new),
            ..Options::plain()
        };
        let scripts = Some(crate::git::Oid::zero());
        let (first, second) = (dir.path().join("first"), dir.path().join("second"));
        let shared = ShellCache::new();
        let (answers, keeper) = shell_answers(&options, scripts, &first, &shared);
        answers.insert(&format!("{}/probe.sh", first.display()), "y".into());
        keeper
            .expect("the first run keeps its answers")
            .keep(&answers);
        let (_, keeper) = shell_answers(&options, scripts, &second, &shared);
        assert!(
            keeper.is_none(),
            "the answers name the first run's scratch directory"
        );
        let (fresh, keeper) = shell_answers(&options, scripts, &second, &ShellCache::new());
        assert!(keeper.is_some());
        let command = format!("{}/probe.sh", second.display());
        assert_eq!(
            fresh.get(&command).as_deref(),
            Some("y"),
            "kept, in this run's terms"
        );
    }
}
