//! CONFIG_ references along the series, for every arch at once: the symbols every Kconfig
//! file of a commit defines, against the references of every Kbuild file and of the C,
//! header and assembly files the series touches. Reports references that become undefined
//! at some commit (XL0010 undefined-gate for Kbuild lines gating objects, XL0011
//! undefined-config for the rest), and finds the successors of gates the series removes.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use git2::Oid;

use super::engine::{line_of, LintError, Point};
use super::{Finding, Location, Severity};
use crate::git::{BlobCache, CommitSource};
use crate::kbuild::refs::{references, Definitions, FileKind, Form, Reference};
use crate::make::normalize;
use crate::source::Source;

pub(super) struct Outcome {
    pub findings: Vec<Finding>,
    /// Symbols the series removes -> the symbol gating the same Kbuild words at the tip.
    pub gate_successors: BTreeMap<String, String>,
}

/// An undefined reference, keyed without its line (lines move as files change).
type Key = (String, String, bool);

struct Seen {
    line: u32,
    form: Form,
    gated: Vec<String>,
    similar: Vec<String>,
}

fn read(source: &CommitSource, path: &str) -> Option<String> {
    source
        .read(path)
        .ok()
        .flatten()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

pub(super) fn check(
    repo_dir: &Path,
    oids: &[Oid],
    points: &[Point],
    changed: &[HashSet<String>],
    blobs: &BlobCache,
) -> Result<Outcome, LintError> {
    let open = |i: usize| CommitSource::with_cache(repo_dir, oids[i], None, blobs.clone());
    let base = open(0)?;
    let all = base.list_files("").unwrap_or_default();
    let mut definitions = Definitions::default();
    let mut kbuild: BTreeMap<String, Vec<Reference>> = BTreeMap::new();
    for path in &all {
        match FileKind::of(path) {
            Some(FileKind::Kconfig) => {
                if let Some(text) = read(&base, path) {
                    definitions.add_file(path, &text);
                }
            }
            Some(FileKind::Kbuild) => {
                if let Some(text) = read(&base, path) {
                    kbuild.insert(path.clone(), references(FileKind::Kbuild, &text));
                }
            }
            _ => {}
        }
    }
    // Code files the series touches, read where they change.
    let touched: BTreeSet<String> = changed
        .iter()
        .flatten()
        .filter(|p| {
            matches!(
                FileKind::of(p),
                Some(FileKind::C | FileKind::Header | FileKind::Asm)
            )
        })
        .cloned()
        .collect();
    let mut code: BTreeMap<String, Vec<Reference>> = BTreeMap::new();
    for path in &touched {
        if let (Some(kind), Some(text)) = (FileKind::of(path), read(&base, path)) {
            code.insert(path.clone(), references(kind, &text));
        }
    }
    let base_kbuild = kbuild.clone();
    let base_definitions = definitions.clone();

    let mut sets: Vec<BTreeMap<Key, Seen>> = Vec::new();
    for index in 0..oids.len() {
        if index > 0 {
            let source = open(index)?;
            // Symbols that lost a definition at this commit (checked once all its
            // Kconfig files are read again).
            let mut lost: Vec<String> = Vec::new();
            for path in &changed[index] {
                let kind = FileKind::of(path);
                let text = kind.and_then(|_| read(&source, path));
                match kind {
                    Some(FileKind::Kconfig) => {
                        lost.extend(definitions.remove_file(path));
                        if let Some(text) = &text {
                            definitions.add_file(path, text);
                        }
                    }
                    Some(FileKind::Kbuild) => match &text {
                        Some(text) => {
                            kbuild.insert(path.clone(), references(FileKind::Kbuild, text));
                        }
                        None => {
                            kbuild.remove(path);
                        }
                    },
                    Some(k) => match &text {
                        Some(text) => {
                            code.insert(path.clone(), references(k, text));
                        }
                        None => {
                            code.remove(path);
                        }
                    },
                    None => {}
                }
            }
            // Symbols this commit removes from every Kconfig file: their users in code the
            // series does not touch are read too, from this commit on.
            lost.retain(|s| !definitions.defines(s));
            lost.sort();
            lost.dedup();
            if !lost.is_empty() {
                scan_users(repo_dir, oids[index], &lost, &mut code)?;
            }
        }
        let mut undefined = BTreeMap::new();
        for (file, refs) in kbuild.iter().chain(code.iter()) {
            for r in refs {
                if !definitions.is_undefined(r) {
                    continue;
                }
                let key = (file.clone(), r.symbol.clone(), r.form == Form::Gate);
                // One finding per file and symbol: later lines add the words they gate.
                let seen = undefined.entry(key).or_insert_with(|| Seen {
                    line: r.line,
                    form: r.form,
                    gated: Vec::new(),
                    similar: Vec::new(),
                });
                seen.gated.extend(r.gated.iter().cloned());
            }
        }
        // Suggestions only for what is new against the base.
        let new_keys: Vec<Key> = undefined
            .keys()
            .filter(|k| {
                sets.first()
                    .is_none_or(|b: &BTreeMap<Key, Seen>| !b.contains_key(*k))
            })
            .cloned()
            .collect();
        if index > 0 {
            for k in new_keys {
                let similar = definitions.similar(&k.1);
                if let Some(seen) = undefined.get_mut(&k) {
                    seen.similar = similar;
                }
            }
        }
        sets.push(undefined);
    }

    let gate_successors = gate_successors(&base_definitions, &definitions, &base_kbuild, &kbuild);
    let mut findings = Vec::new();
    let sources: Vec<std::sync::OnceLock<Option<CommitSource>>> =
        oids.iter().map(|_| std::sync::OnceLock::new()).collect();
    let source_line = |index: usize, file: &str, line: u32| -> String {
        line_of(
            sources[index].get_or_init(|| open(index).ok()).as_ref(),
            file,
            line,
        )
    };
    for index in 1..sets.len() {
        for (key, seen) in &sets[index] {
            if sets[index - 1].contains_key(key) || sets[0].contains_key(key) {
                continue;
            }
            let repair = (index + 1..sets.len()).find(|&j| !sets[j].contains_key(key));
            let (file, symbol, gate) = key;
            let successor = gate_successors.get(symbol);
            let info = if *gate {
                &super::checks::undefined_gate::INFO
            } else {
                &super::checks::undefined_config::INFO
            };
            let written = match seen.form {
                Form::Macro(m) => format!("{m}(CONFIG_{symbol})"),
                Form::Module => format!("CONFIG_{symbol}_MODULE"),
                _ => format!("CONFIG_{symbol}"),
            };
            let message = if *gate {
                let words: Vec<String> = seen.gated.iter().map(|w| format!("`{w}`")).collect();
                format!(
                    "{} gated by CONFIG_{symbol}, which no Kconfig file defines at this commit",
                    if words.is_empty() {
                        "a Kbuild list".to_string()
                    } else {
                        words.join(", ")
                    }
                )
            } else {
                format!("`{written}` refers to a symbol no Kconfig file defines at this commit")
            };
            let location = Location {
                commit: points[index].short.clone(),
                file: file.clone(),
                line: seen.line,
                source_line: source_line(index, file, seen.line),
                label: if *gate {
                    "never built: the symbol does not exist".into()
                } else {
                    "always false: the symbol does not exist".into()
                },
                highlight: Some(format!("CONFIG_{symbol}")),
            };
            let mut notes = Vec::new();
            if let Some(s) = successor {
                notes.push(format!(
                    "CONFIG_{symbol} is removed by the series; CONFIG_{s} gates the same objects at the tip"
                ));
            } else if let Some(first) = seen.similar.first() {
                notes.push(format!("did you mean CONFIG_{first}?"));
            }
            if base_definitions.defines(symbol) {
                notes.push(format!("CONFIG_{symbol} is defined at the base"));
            }
            let r = repair.map(|j| &points[j]);
            findings.push(Finding {
                code: info.code,
                name: info.name,
                severity: if *gate && repair.is_some() {
                    Severity::Error
                } else {
                    info.severity
                },
                message,
                culprit: Some(points[index].commit.clone()),
                culprit_summary: Some(points[index].summary.clone()),
                repair: r.map(|p| p.commit.clone()),
                repair_summary: r.map(|p| p.summary.clone()),
                arches: Vec::new(),
                baselines: Vec::new(),
                symbols: std::iter::once(symbol.clone())
                    .chain(successor.cloned())
                    .collect(),
                locations: vec![location],
                notes,
            });
        }
    }
    Ok(Outcome {
        findings,
        gate_successors,
    })
}

/// Add to `code` the C, header and assembly files of `commit` (outside tools/) that refer
/// to one of `symbols` and are not there yet: the users a removed symbol leaves behind.
fn scan_users(
    repo_dir: &Path,
    commit: Oid,
    symbols: &[String],
    code: &mut BTreeMap<String, Vec<Reference>>,
) -> Result<(), LintError> {
    let alternatives: Vec<String> = symbols.iter().map(|s| regex::escape(s)).collect();
    let pattern = format!(r"CONFIG_(?:{})(?:_MODULE)?\b", alternatives.join("|"));
    let Ok(users) = regex::bytes::Regex::new(&pattern) else {
        return Ok(());
    };
    let keep = |path: &str| {
        matches!(
            FileKind::of(path),
            Some(FileKind::C | FileKind::Header | FileKind::Asm)
        ) && !code.contains_key(path)
    };
    let found: std::sync::Mutex<Vec<(String, Vec<Reference>)>> = Default::default();
    crate::git::scan_files(repo_dir, commit, &keep, &|path, bytes| {
        if users.is_match(bytes) {
            if let Some(kind) = FileKind::of(path) {
                let refs = references(kind, &String::from_utf8_lossy(bytes));
                found
                    .lock()
                    .expect("found lock")
                    .push((path.to_string(), refs));
            }
        }
    })?;
    code.extend(found.into_inner().expect("found lock"));
    Ok(())
}

/// For each symbol defined at the base and gone at the tip: the new symbol that gates, at
/// the tip, words the old one gated at the base in the same Kbuild file.
fn gate_successors(
    base_definitions: &Definitions,
    tip_definitions: &Definitions,
    base: &BTreeMap<String, Vec<Reference>>,
    tip: &BTreeMap<String, Vec<Reference>>,
) -> BTreeMap<String, String> {
    // Gated words as paths of the tree: `xen/enlighten_hvm.o` in arch/x86/Kbuild and
    // `enlighten_hvm.o` in arch/x86/xen/Makefile are the same object.
    let gated = |files: &BTreeMap<String, Vec<Reference>>, keep: &dyn Fn(&str) -> bool| {
        let mut by_symbol: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (file, refs) in files {
            let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
            for r in refs
                .iter()
                .filter(|r| r.form == Form::Gate && keep(&r.symbol))
            {
                by_symbol
                    .entry(r.symbol.clone())
                    .or_default()
                    .extend(r.gated.iter().map(|w| normalize(&format!("{dir}/{w}"))));
            }
        }
        by_symbol
    };
    let removed = gated(base, &|s| {
        base_definitions.defines(s) && !tip_definitions.defines(s)
    });
    let added = gated(tip, &|s| {
        !base_definitions.defines(s) && tip_definitions.defines(s)
    });
    let mut votes: HashMap<String, BTreeMap<String, usize>> = HashMap::new();
    for (old, old_paths) in &removed {
        for (new, new_paths) in &added {
            let shared = old_paths.intersection(new_paths).count();
            if shared > 0 {
                *votes
                    .entry(old.clone())
                    .or_default()
                    .entry(new.clone())
                    .or_default() += shared;
            }
        }
    }
    votes
        .into_iter()
        .filter_map(|(old, candidates)| {
            candidates
                .into_iter()
                .max_by_key(|(_, n)| *n)
                .map(|(new, _)| (old, new))
        })
        .collect()
}
