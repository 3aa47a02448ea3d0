//! What each commit builds, per arch and baseline, and the checks on it: objects built at
//! the base and the tip but not in between (XL0008 object-dropped), and objects the series
//! stops building for good (XL0009 object-lost, with the symbol that now gates them).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use git2::Oid;

use super::changes::{SeriesView, Span};
use super::engine::{defined, definition_pos, Values};
use super::Finding;
use crate::git::CommitSource;
use crate::kbuild::objects::{autoconf_value, objects, ObjectSet, Request};
use crate::kbuild::refs::{kbuild_references, FileKind, Form};
use crate::kconfig::env::KernelEnv;
use crate::make::normalize;
use crate::source::Source;

/// Object sets of one baseline along the series, reusing the previous commit's set when
/// neither the configuration nor any file the walk read changed.
#[derive(Default)]
pub(super) struct Track {
    pub sets: Vec<Option<Arc<ObjectSet>>>,
    last_values: Option<Arc<Values>>,
    reads: Vec<(String, Option<Oid>)>,
    pub walks: usize,
}

impl Track {
    pub fn push(
        &mut self,
        source: &CommitSource,
        env: &KernelEnv,
        values: Option<&Arc<Values>>,
        changed: &HashSet<String>,
    ) {
        let Some(values) = values else {
            self.sets.push(None);
            return;
        };
        let same_config = self
            .last_values
            .as_ref()
            .is_some_and(|v| Arc::ptr_eq(v, values) || **v == **values);
        let listed = self
            .sets
            .last()
            .and_then(|s| s.as_ref())
            .map(|s| s.dirs_listed.as_slice())
            .unwrap_or(&[]);
        let same_files = self.reads.iter().all(|(path, _)| !changed.contains(path))
            && !changed.iter().any(|path| {
                let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
                listed.iter().any(|l| l == dir)
            });
        if let Some(Some(last)) = self.sets.last() {
            if same_config && same_files {
                let last = last.clone();
                self.sets.push(Some(last));
                return;
            }
        }
        let config: HashMap<String, String> = values
            .iter()
            .filter(|(_, v)| v.as_str() != "n")
            .map(|(k, v)| (format!("CONFIG_{k}"), autoconf_value(v)))
            .collect();
        let before = source.reads.lock().expect("reads lock").len();
        let set = objects(
            source,
            &Request {
                arch: &env.arch,
                srcarch: &env.srcarch,
                config: &config,
            },
        );
        self.reads = source.reads.lock().expect("reads lock")[before..].to_vec();
        self.walks += 1;
        self.last_values = Some(values.clone());
        self.sets.push(Some(Arc::new(set)));
    }
}

fn list(paths: &[&String]) -> String {
    let shown: Vec<String> = paths.iter().take(4).map(|p| format!("`{p}`")).collect();
    match paths.len() {
        n if n > 4 => format!("{} and {} more", shown.join(", "), n - 4),
        _ => shown.join(", "),
    }
}

impl SeriesView<'_> {
    /// XL0008 and XL0009 for one baseline.
    pub fn object_changes(
        &self,
        sets: &[Option<Arc<ObjectSet>>],
        values: &[Option<Arc<Values>>],
        baseline: &str,
    ) -> Vec<Finding> {
        let last = sets.len() - 1;
        let (Some(base), Some(tip)) = (&sets[0], &sets[last]) else {
            return Vec::new();
        };
        // (culprit, repair) -> objects
        let mut dropped: BTreeMap<(usize, Option<usize>), Vec<&String>> = BTreeMap::new();
        for path in base.objects.keys() {
            let absent = |i: usize| {
                sets[i]
                    .as_ref()
                    .is_some_and(|s| !s.objects.contains_key(path))
            };
            if tip.objects.contains_key(path) {
                if let Some(culprit) = (1..last).find(|&i| absent(i)) {
                    let repair = (culprit + 1..=last).find(|&j| !absent(j));
                    dropped.entry((culprit, repair)).or_default().push(path);
                }
            } else {
                let culprit = (1..=last)
                    .rev()
                    .take_while(|&i| absent(i))
                    .last()
                    .unwrap_or(last);
                dropped.entry((culprit, None)).or_default().push(path);
            }
        }
        let mut out = Vec::new();
        for ((culprit, repair), paths) in dropped {
            let persistent = !tip.objects.contains_key(paths[0]);
            let parent = sets[culprit - 1].as_ref().unwrap_or(base);
            out.push(self.object_finding(
                persistent,
                Span { culprit, repair },
                &paths,
                parent,
                values,
                baseline,
            ));
        }
        out
    }

    fn object_finding(
        &self,
        persistent: bool,
        span: Span,
        paths: &[&String],
        parent: &ObjectSet,
        values: &[Option<Arc<Values>>],
        baseline: &str,
    ) -> Finding {
        let culprit = span.culprit;
        let first = &parent.objects[paths[0]];
        // The root cause: a gating symbol that went away or changed value at the culprit.
        let value = |i: usize, sym: &str| -> Option<String> {
            values[i]
                .as_ref()
                .map(|v| v.get(sym).cloned().unwrap_or_else(|| "n".into()))
        };
        let mut gates: Vec<&String> = Vec::new();
        for path in paths {
            if let Some(object) = parent.objects.get(*path) {
                for g in &object.gates {
                    if !gates.contains(&g) {
                        gates.push(g);
                    }
                }
            }
        }
        // Kbuild lines the culprit changed that name these objects, with their gates.
        let now_gated = self.culprit_gates(culprit, paths);
        let parent_gates = gates.clone();
        for (_, _, g) in &now_gated {
            if !gates.contains(&g) {
                gates.push(g);
            }
        }
        let cause = gates
            .iter()
            .find(|g| defined(&self.trees[culprit], g).is_none())
            .map(|g| (g.to_string(), true))
            .or_else(|| {
                gates
                    .iter()
                    .find(|g| value(culprit - 1, g) != value(culprit, g))
                    .map(|g| (g.to_string(), false))
            })
            .or_else(|| {
                // A new gate that is not set.
                now_gated
                    .iter()
                    .find(|(_, _, g)| value(culprit, g).as_deref() == Some("n"))
                    .map(|(_, _, g)| (g.clone(), false))
            });
        let mut at_parent = self.location(
            culprit - 1,
            &first.file,
            first.line,
            format!("`{}` is built at the parent through this line", paths[0]),
            None,
        );
        // Underline what the line says about the object: its gate, else its name.
        let mut candidates: Vec<String> =
            cause.iter().map(|(g, _)| format!("CONFIG_{g}")).collect();
        candidates.extend(first.gates.iter().rev().map(|g| format!("CONFIG_{g}")));
        candidates.extend(paths[0].rsplit('/').next().map(String::from));
        at_parent.highlight = candidates
            .into_iter()
            .find(|c| at_parent.source_line.contains(c.as_str()));
        let mut locations = vec![at_parent];
        for (file, line, gate) in &now_gated {
            locations.push(self.location(
                culprit,
                file,
                *line,
                format!("at this commit `{}` is gated by `CONFIG_{gate}`", paths[0]),
                Some(format!("CONFIG_{gate}")),
            ));
        }
        let mut notes = Vec::new();
        if let Some((gate, undefined)) = &cause {
            let before = value(culprit - 1, gate).unwrap_or_default();
            if let Some(sym) = defined(&self.trees[culprit - 1], gate) {
                let pos = definition_pos(&self.trees[culprit - 1], sym);
                let file = self.trees[culprit - 1]
                    .model
                    .file_name(pos.file)
                    .to_string();
                locations.push(self.location(
                    culprit - 1,
                    &file,
                    pos.line,
                    format!("`{gate}` is {before} at the parent"),
                    Some(gate.clone()),
                ));
            }
            if *undefined {
                notes.push(format!(
                    "CONFIG_{gate} is not defined by any Kconfig file ARCH={} reads at {}",
                    self.arch, self.points[culprit].short
                ));
            } else if let Some(sym) = defined(&self.trees[culprit], gate) {
                let now = value(culprit, gate).unwrap_or_default();
                let pos = definition_pos(&self.trees[culprit], sym);
                let file = self.trees[culprit].model.file_name(pos.file).to_string();
                locations.push(self.location(
                    culprit,
                    &file,
                    pos.line,
                    format!("`{gate}` is {now} here"),
                    Some(gate.clone()),
                ));
            }
        }
        let info = if persistent {
            &super::checks::object_lost::INFO
        } else {
            &super::checks::object_dropped::INFO
        };
        let successor = if persistent {
            self.gating_successor(paths, parent, &parent_gates)
        } else {
            None
        };
        let message = if persistent {
            format!(
                "{} built at the base {} no longer built at the tip{}",
                list(paths),
                if paths.len() == 1 { "is" } else { "are" },
                successor
                    .as_ref()
                    .map(|s| format!(": now gated by CONFIG_{s}"))
                    .unwrap_or_default()
            )
        } else {
            format!(
                "{} {} not built at this commit, though built at the base and the tip",
                list(paths),
                if paths.len() == 1 { "is" } else { "are" },
            )
        };
        let mut symbols: Vec<String> = cause.iter().map(|(g, _)| g.clone()).collect();
        symbols.extend(successor.clone());
        let mut finding = self.finding(info, &span, message, symbols, locations);
        finding.baselines = vec![baseline.to_string()];
        finding.notes = notes;
        if paths.len() > 4 {
            finding.notes.push(format!(
                "all {} objects: {}",
                paths.len(),
                paths
                    .iter()
                    .map(|p| p.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
        }
        finding
    }

    /// Kbuild lines changed by commit `index` that gate one of `paths`: (file, line, symbol).
    fn culprit_gates(&self, index: usize, paths: &[&String]) -> Vec<(String, u32, String)> {
        let mut out = Vec::new();
        let Some(source) = self.sources[index]
            .get_or_init(|| (self.open)(index))
            .as_ref()
        else {
            return out;
        };
        let mut files: Vec<&String> = self.changed[index]
            .iter()
            .filter(|p| FileKind::of(p) == Some(FileKind::Kbuild))
            .collect();
        files.sort();
        for file in files {
            let Ok(Some(bytes)) = source.read(file) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            // Only lines the commit wrote: an unchanged line is not what changed the build.
            let before: HashSet<String> = self.sources[index - 1]
                .get_or_init(|| (self.open)(index - 1))
                .as_ref()
                .and_then(|s| s.read(file).ok().flatten())
                .map(|b| {
                    String::from_utf8_lossy(&b)
                        .lines()
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
            for r in kbuild_references(&text) {
                let line_text = lines.get(r.line as usize - 1).copied().unwrap_or("");
                if before.contains(line_text) {
                    continue;
                }
                let names_one = r.form == Form::Gate
                    && r.gated.iter().any(|w| {
                        let path = normalize(&format!("{dir}/{w}"));
                        paths.iter().any(|p| **p == path)
                    });
                if names_one && !out.iter().any(|(f, l, _)| f == file && *l == r.line) {
                    out.push((file.clone(), r.line, r.symbol));
                }
            }
        }
        out
    }

    /// The symbol that gates the same objects at the tip, in the Makefile that named them
    /// at the base: the successor of a renamed gate.
    fn gating_successor(
        &self,
        paths: &[&String],
        parent: &ObjectSet,
        old_gates: &[&String],
    ) -> Option<String> {
        let tip_index = self.points.len() - 1;
        let mut votes: BTreeMap<String, usize> = BTreeMap::new();
        let mut files: Vec<&str> = paths
            .iter()
            .filter_map(|p| parent.objects.get(*p).map(|o| o.file.as_str()))
            .collect();
        files.sort();
        files.dedup();
        let source = self.sources[tip_index]
            .get_or_init(|| (self.open)(tip_index))
            .as_ref()?;
        for file in files {
            let Ok(Some(bytes)) = source.read(file) else {
                continue;
            };
            let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
            for reference in kbuild_references(&String::from_utf8_lossy(&bytes)) {
                if reference.form != Form::Gate || old_gates.contains(&&reference.symbol) {
                    continue;
                }
                let hits = reference
                    .gated
                    .iter()
                    .filter(|w| paths.iter().any(|p| **p == format!("{dir}/{w}")))
                    .count();
                if hits > 0 {
                    *votes.entry(reference.symbol.clone()).or_default() += hits;
                }
            }
        }
        votes.into_iter().max_by_key(|(_, n)| *n).map(|(s, _)| s)
    }
}
