//! What a series run is asked to do (arches, baselines, overrides) and how it fails.

#[derive(Debug, thiserror::Error)]
pub enum LintError {
    #[error(transparent)]
    Git(#[from] crate::git::GitError),
    #[error("{0}")]
    Setup(String),
    /// An argument names something the series' base does not have: nothing was checked.
    #[error("{0}")]
    Usage(String),
    /// An object the series needs is missing: no finding can be trusted.
    #[error("the repository is corrupt: {0} is missing (git fsck tells more)")]
    Corrupt(String),
}

/// A configuration to resolve at every commit.
#[derive(Debug, Clone)]
pub enum Baseline {
    /// A make target and fragments (`defconfig`, `allmodconfig`, `x86_64_defconfig+xen.config`).
    Target {
        target: String,
        fragments: Vec<String>,
    },
    /// A user's .config, carried forward with olddefconfig at every commit.
    Config { name: String, text: Vec<u8> },
}

impl Baseline {
    pub fn parse(spec: &str) -> Baseline {
        let mut parts = spec.split('+').map(String::from);
        let target = parts.next().unwrap_or_default();
        Baseline::Target {
            target,
            fragments: parts.collect(),
        }
    }

    pub fn name(&self) -> String {
        match self {
            Baseline::Target { target, fragments } if fragments.is_empty() => target.clone(),
            Baseline::Target { target, fragments } => format!("{target}+{}", fragments.join("+")),
            Baseline::Config { name, .. } => name.clone(),
        }
    }

    pub fn defaults() -> Vec<Baseline> {
        ["defconfig", "allnoconfig", "allmodconfig"]
            .iter()
            .map(|t| Baseline::parse(t))
            .collect()
    }
}

pub struct Options {
    pub arches: Option<Vec<String>>,
    pub baselines: Vec<Baseline>,
    pub overrides: Vec<(String, String)>,
    /// Called as each commit of each arch is done.
    pub progress: Option<Box<dyn Fn(Progress) + Send + Sync>>,
    /// Walk Kbuild at every commit (objects built) and check CONFIG_ references.
    pub kbuild: bool,
    /// Explain every change of this symbol's value (`Report::changes`).
    pub explain: Option<String>,
    /// Reuse a parent's configuration when the commit's Kconfig change provably cannot
    /// change it (`lint::incremental`), and a parent's parsed tree when the commit only
    /// rewords help texts (`lint::help_only`); off, conf runs whenever the semantics
    /// changed and every tree whose files changed is parsed.
    pub incremental: bool,
    /// Where the base's `$(shell,...)` answers are kept between runs (`None`: run them).
    pub cache: Option<std::sync::Arc<super::cache::Cache>>,
    /// The commit whose `scripts/`, `$(shell,...)` commands and tools are the trusted
    /// side, when that is not the series' base (`None`: the base). Fix verification lints
    /// a window of the series on the culprit's parent, a commit under test: what it may
    /// run is still what the real base runs.
    pub trusted: Option<crate::git::Oid>,
}

/// How far a run is: one step is one commit of one arch (its Kconfig read, its baselines
/// resolved, its Kbuild walked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

/// The steps of a run done so far, reported to `Options::progress`.
pub(crate) struct Steps {
    done: std::sync::atomic::AtomicUsize,
    total: usize,
}

impl Steps {
    pub(crate) fn new(total: usize) -> Steps {
        Steps {
            done: std::sync::atomic::AtomicUsize::new(0),
            total,
        }
    }

    /// One more commit of one arch done.
    pub(crate) fn step(&self, options: &Options) {
        let done = self.done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        if let Some(progress) = &options.progress {
            progress(Progress {
                done,
                total: self.total,
            });
        }
    }
}

/// The targets conf runs directly (besides `defconfig` and `<name>_defconfig`).
const SIMPLE_TARGETS: &[&str] = &[
    "olddefconfig",
    "alldefconfig",
    "allnoconfig",
    "allyesconfig",
    "allmodconfig",
];

/// Check what the options name against the base commit's tree before any work: arches,
/// baseline targets and fragments must exist there, a `.config` must read as one. A typo
/// is a usage error that lists what exists, never a run that checks nothing.
pub fn validate(base: &dyn crate::source::Source, options: &Options) -> Result<(), LintError> {
    validate_tree(
        base,
        "the base",
        options.arches.as_deref(),
        &options.baselines,
    )
}

/// `validate` for any tree: `label` names it in the messages ("the base", a revision).
pub fn validate_tree(
    base: &dyn crate::source::Source,
    label: &str,
    wanted_arches: Option<&[String]>,
    baselines: &[Baseline],
) -> Result<(), LintError> {
    let arches = crate::kconfig::env::tree_arches(base);
    if let Some(wanted) = wanted_arches {
        for arch in wanted {
            let srcarch = crate::kconfig::env::srcarch_of(arch);
            if arch.is_empty() || !arches.iter().any(|a| a == srcarch) {
                return Err(LintError::Usage(format!(
                    "--arch `{arch}`: {label} has no arch/{srcarch}/Kconfig; arches here: {}",
                    arches.join(" ")
                )));
            }
        }
    }
    for baseline in baselines {
        match baseline {
            Baseline::Target { target, fragments } => {
                let known = SIMPLE_TARGETS.contains(&target.as_str())
                    || target == "defconfig"
                    || (target.ends_with("_defconfig")
                        && crate::kconfig::defconfig::exists_for_some_arch(base, &arches, target));
                if !known {
                    return Err(LintError::Usage(format!(
                        "--baseline `{}`: `{target}` is not a configuration target of {label}; use one of {}, defconfig, or <name>_defconfig from arch/*/configs/",
                        baseline.name(),
                        SIMPLE_TARGETS.join(", ")
                    )));
                }
                for fragment in fragments {
                    let found = std::iter::once(format!("kernel/configs/{fragment}"))
                        .chain(
                            arches
                                .iter()
                                .map(|a| format!("arch/{a}/configs/{fragment}")),
                        )
                        .any(|path| matches!(base.read(&path), Ok(Some(_))));
                    if fragment.is_empty() || !found {
                        return Err(LintError::Usage(format!(
                            "--baseline `{}`: no fragment `{fragment}` in kernel/configs/ or arch/*/configs/ at {label}",
                            baseline.name()
                        )));
                    }
                }
            }
            Baseline::Config { name, text } => {
                let text = String::from_utf8_lossy(text);
                for (line, kind) in crate::kconfig::confdata::config_lines(&text) {
                    if let crate::kconfig::confdata::ConfigLine::Unexpected(content) = kind {
                        return Err(LintError::Usage(format!(
                            "--config {name}:{line}: not a .config line: `{}`",
                            content.chars().take(60).collect::<String>().escape_debug()
                        )));
                    }
                }
            }
        }
    }
    Ok(())
}

/// A scratch directory, and the tree of the trusted scripts written there.
type NamedScratch = (std::path::PathBuf, Option<crate::git::Oid>);

/// What runs of the engine on one repository and one trusted side share: caches keyed by
/// content (blobs and trees by object id, parsed subtrees by the blobs they read and their
/// context) and the trusted side's `$(shell,...)` answers, which are the same for every
/// run with that trusted side. Fix verification lints rewritten windows of the series
/// with the caches the series' run filled.
#[derive(Clone, Default)]
pub struct Shared {
    shell: crate::kconfig::macros::ShellCache,
    /// The scratch directory of the run that fills `shell` (commands name the scripts
    /// written there, `$(srctree)/scripts/...`), and the tree of those scripts.
    shell_scratch: std::sync::Arc<std::sync::Mutex<Option<NamedScratch>>>,
    pub(super) subtrees: crate::kconfig::fragments::SubtreeCache,
    pub(super) blobs: crate::git::BlobCache,
    pub(super) users: super::users::UsersCache,
    /// The first Kbuild walks of each commit, by every run (`builds::SeedPool`).
    pub(super) seeds: std::sync::Arc<super::builds::SeedPool>,
}

impl Shared {
    /// The trusted side's `$(shell,...)` answers for a run whose scratch directory is
    /// `scratch` and whose trusted scripts are the tree `scripts`: the first run fills the
    /// shared ones; a later run with the same scripts gets a copy in its own terms (the
    /// first run's directory named as its own), so that a command naming the trusted
    /// side's scripts is not run again only because they were written elsewhere; a run
    /// with other scripts gets none.
    pub(super) fn shell_answers_in(
        &self,
        scratch: &std::path::Path,
        scripts: Option<crate::git::Oid>,
    ) -> crate::kconfig::macros::ShellCache {
        let mut named = self.shell_scratch.lock().expect("scratch lock");
        let (first, first_scripts) = named.get_or_insert_with(|| (scratch.to_path_buf(), scripts));
        if *first_scripts != scripts {
            return crate::kconfig::macros::ShellCache::new();
        }
        if first == scratch {
            return self.shell.clone();
        }
        let (there, here) = (first.display().to_string(), scratch.display().to_string());
        let copy = crate::kconfig::macros::ShellCache::new();
        copy.extend(crate::kconfig::macros::renamed(
            self.shell.entries(),
            &there,
            &here,
        ));
        copy
    }
}

#[cfg(test)]
impl Options {
    /// No arch or baseline named, Kconfig only, reuse on, no cache: what unit tests vary.
    pub(crate) fn plain() -> Options {
        Options {
            arches: None,
            baselines: Vec::new(),
            overrides: Vec::new(),
            progress: None,
            kbuild: false,
            explain: None,
            incremental: true,
            cache: None,
            trusted: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn a_later_run_gets_the_shared_answers_in_terms_of_its_own_scratch_directory() {
        let shared = Shared::default();
        let scripts = Some(crate::git::Oid::zero());
        let first = shared.shell_answers_in(Path::new("/tmp/xl-one"), scripts);
        first.insert(
            "/tmp/xl-one/srctree/scripts/cc-version.sh gcc",
            "GCC 1200".into(),
        );
        first.insert("echo /tmp/xl-one/x", "/tmp/xl-one/x".into());
        // The run that fills them gets the shared answers themselves.
        let again = shared.shell_answers_in(Path::new("/tmp/xl-one"), scripts);
        assert_eq!(again.len(), 2);
        let second = shared.shell_answers_in(Path::new("/tmp/xl-two"), scripts);
        let get = |command: &str| second.get(command);
        assert_eq!(
            get("/tmp/xl-two/srctree/scripts/cc-version.sh gcc").as_deref(),
            Some("GCC 1200")
        );
        assert_eq!(get("echo /tmp/xl-two/x").as_deref(), Some("/tmp/xl-two/x"));
        assert_eq!(get("/tmp/xl-one/srctree/scripts/cc-version.sh gcc"), None);
        // A copy: what the later run adds stays its own.
        second.insert("true", String::new());
        assert_eq!(again.get("true"), None);
        // Other trusted scripts: none of them.
        let other = shared.shell_answers_in(Path::new("/tmp/xl-two"), None);
        assert!(other.is_empty());
    }
}
