//! What a series run is asked to do (arches, baselines, overrides) and how it fails.

#[derive(Debug, thiserror::Error)]
pub enum LintError {
    #[error(transparent)]
    Git(#[from] crate::git::GitError),
    #[error("{0}")]
    Setup(String),
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
    /// Called as each arch finishes, with (arches done, arches in all).
    pub progress: Option<Box<dyn Fn(usize, usize) + Send + Sync>>,
    /// Walk Kbuild at every commit (objects built) and check CONFIG_ references.
    pub kbuild: bool,
}
