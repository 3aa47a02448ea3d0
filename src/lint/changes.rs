//! Checks on each commit's Kconfig tree compared with the base: new Kconfig errors,
//! references to symbols that no longer exist, `$(shell,...)` commands the series adds,
//! and symbols the tip no longer has.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::engine::{defined, definition_pos, line_of, Tree};
use super::SeriesCommit;
use super::{Finding, Location};
use crate::git::CommitSource;
use crate::kconfig::model::{Model, Pos, Severity as KSeverity, SymbolId};

pub(super) struct SeriesView<'a> {
    pub points: &'a [SeriesCommit],
    pub trees: &'a [Arc<Tree>],
    /// Sources of the commits, opened on first use by `open`.
    pub sources: &'a [std::sync::OnceLock<Option<CommitSource>>],
    pub open: &'a dyn Fn(usize) -> Option<CommitSource>,
    pub arch: &'a str,
    /// Paths each commit changes (index 0: none).
    pub changed: &'a [std::collections::HashSet<String>],
}

/// Where an item first appears after the base, and where it goes away again.
pub(super) struct Span {
    pub culprit: usize,
    pub repair: Option<usize>,
}

/// Items of `sets` that are not in the base set, with the commits that bring them in
/// and (if any) take them out again.
fn new_items<K: Ord + Clone>(sets: &[BTreeSet<K>]) -> Vec<(K, Span)> {
    let mut out = Vec::new();
    for i in 1..sets.len() {
        for item in sets[i].difference(&sets[i - 1]) {
            if sets[0].contains(item) {
                continue;
            }
            let repair = (i + 1..sets.len()).find(|&j| !sets[j].contains(item));
            out.push((item.clone(), Span { culprit: i, repair }));
        }
    }
    out
}

fn is_number(name: &str) -> bool {
    let digits = name
        .strip_prefix("0x")
        .or_else(|| name.strip_prefix("0X"))
        .unwrap_or(name);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_hexdigit())
        || name.parse::<i64>().is_ok()
}

impl SeriesView<'_> {
    pub(super) fn location(
        &self,
        index: usize,
        file: &str,
        line: u32,
        label: String,
        highlight: Option<String>,
    ) -> Location {
        let mut location = Location {
            commit: self.points[index].short.clone(),
            file: file.to_string(),
            line,
            source_line: line_of(
                self.sources[index]
                    .get_or_init(|| (self.open)(index))
                    .as_ref(),
                file,
                line,
            ),
            label,
            span: None,
        };
        if let Some(word) = highlight {
            location.underline(&word);
        }
        location
    }

    pub(super) fn finding(
        &self,
        info: &super::checks::CheckInfo,
        span: &Span,
        message: String,
        symbols: Vec<String>,
        locations: Vec<Location>,
    ) -> Finding {
        let c = &self.points[span.culprit];
        let r = span.repair.map(|j| &self.points[j]);
        Finding {
            code: info.code,
            name: info.name,
            severity: info.severity,
            message,
            culprit: Some(c.commit.clone()),
            culprit_summary: Some(c.summary.clone()),
            repair: r.map(|p| p.commit.clone()),
            repair_summary: r.map(|p| p.summary.clone()),
            arches: vec![self.arch.to_string()],
            baselines: Vec::new(),
            symbols,
            locations,
            notes: Vec::new(),
        }
    }

    /// XL0002: Kconfig errors present at a commit and not at the base.
    pub fn kconfig_errors(&self) -> Vec<Finding> {
        // Keyed without the line, which moves when lines are added above.
        let mut at: Vec<BTreeMap<(String, String), u32>> = Vec::new();
        for (index, tree) in self.trees.iter().enumerate() {
            let mut errors = BTreeMap::new();
            for d in tree
                .model
                .diagnostics
                .iter()
                .filter(|d| d.severity == KSeverity::Error)
            {
                errors
                    .entry((d.file.clone(), d.message.clone()))
                    .or_insert(d.line);
            }
            // Recursive dependencies stop conf too; they change only with the semantics.
            if errors.is_empty() {
                let same_semantics =
                    index > 0 && self.trees[index - 1].fingerprint == tree.fingerprint;
                if same_semantics {
                    for (key, line) in at[index - 1]
                        .iter()
                        .filter(|((file, _), _)| file.is_empty())
                    {
                        errors.insert(key.clone(), *line);
                    }
                } else {
                    for cycle in
                        crate::kconfig::check::recursive_dependencies(&tree.model, tree.fin())
                    {
                        let message = format!("recursive dependency: {}", cycle.steps.join("; "));
                        errors.entry((String::new(), message)).or_insert(0);
                    }
                }
            }
            at.push(errors);
        }
        let sets: Vec<BTreeSet<(String, String)>> =
            at.iter().map(|m| m.keys().cloned().collect()).collect();
        let info = &super::checks::kconfig_error::INFO;
        new_items(&sets)
            .into_iter()
            .map(|((file, message), span)| {
                let line = at[span.culprit][&(file.clone(), message.clone())];
                let first_line = message.lines().next().unwrap_or("").to_string();
                if file.is_empty() {
                    return self.finding(
                        info,
                        &span,
                        format!("Kconfig {first_line}"),
                        Vec::new(),
                        Vec::new(),
                    );
                }
                let loc = self.location(span.culprit, &file, line, first_line.clone(), None);
                self.finding(
                    info,
                    &span,
                    format!("Kconfig error at {file}:{line}: {first_line}"),
                    Vec::new(),
                    vec![loc],
                )
            })
            .collect()
    }

    /// Every (referencing symbol, undefined symbol) pair of a tree, with where it is said.
    fn undefined_refs(tree: &Tree) -> BTreeMap<(String, String), Pos> {
        let model: &Model = &tree.model;
        let mut out = BTreeMap::new();
        let note = |owner: SymbolId,
                    e: &crate::kconfig::expr::Expr,
                    pos: Pos,
                    out: &mut BTreeMap<(String, String), Pos>| {
            let mut referenced = Vec::new();
            e.symbols(&mut referenced);
            for r in referenced {
                let sym = model.symbol(r);
                let name = model.sym_name(r);
                if sym.is_const || !sym.menus.is_empty() || is_number(name) {
                    continue;
                }
                out.entry((model.sym_name(owner).to_string(), name.to_string()))
                    .or_insert(pos);
            }
        };
        for (index, sym) in model.symbols.iter().enumerate() {
            if sym.menus.is_empty() || sym.name.is_none() {
                continue;
            }
            let id = SymbolId(index as u32);
            for &m in &sym.menus {
                for (dep, pos) in &model.menu(m).depends {
                    note(id, dep, *pos, &mut out);
                }
            }
            for &p in &sym.props {
                let prop = model.prop(p);
                for e in [prop.expr.as_ref(), prop.cond.as_ref()]
                    .into_iter()
                    .flatten()
                {
                    note(id, e, prop.pos, &mut out);
                }
            }
        }
        out
    }

    /// XL0003: references to symbols that are not defined at a commit but were at the base.
    pub fn undefined_references(&self) -> Vec<Finding> {
        // References depend only on a tree's semantics: reuse them while that holds, and
        // look positions up again at the commit reported.
        let mut sets: Vec<BTreeSet<(String, String)>> = Vec::new();
        for (index, tree) in self.trees.iter().enumerate() {
            if index > 0 && self.trees[index - 1].fingerprint == tree.fingerprint {
                let previous = sets[index - 1].clone();
                sets.push(previous);
            } else {
                sets.push(Self::undefined_refs(tree).into_keys().collect());
            }
        }
        let mut positions: BTreeMap<usize, BTreeMap<(String, String), Pos>> = BTreeMap::new();
        let info = &super::checks::undefined_reference::INFO;
        new_items(&sets)
            .into_iter()
            .filter(|((_, missing), _)| defined(&self.trees[0], missing).is_some())
            .map(|((owner, missing), span)| {
                let tree = &self.trees[span.culprit];
                let at = positions.entry(span.culprit).or_insert_with(|| Self::undefined_refs(tree));
                let pos = at[&(owner.clone(), missing.clone())];
                let file = tree.model.file_name(pos.file).to_string();
                let loc = self.location(span.culprit, &file, pos.line, format!("`{missing}` is not defined at this commit"), Some(missing.clone()));
                self.finding(
                    info,
                    &span,
                    format!("CONFIG_{owner} refers to `{missing}`, which is no longer defined for ARCH={}", self.arch),
                    vec![owner, missing],
                    vec![loc],
                )
            })
            .collect()
    }

    /// XL0004: `$(shell,...)` commands the series adds (never run).
    pub fn new_shell_commands(&self) -> Vec<Finding> {
        let mut at: Vec<BTreeMap<String, (String, u32)>> = Vec::new();
        for tree in self.trees {
            let mut commands = BTreeMap::new();
            for c in tree.model.shell_commands.iter().filter(|c| !c.ran) {
                commands
                    .entry(c.command.clone())
                    .or_insert((c.file.clone(), c.line));
            }
            at.push(commands);
        }
        let sets: Vec<BTreeSet<String>> = at.iter().map(|m| m.keys().cloned().collect()).collect();
        let info = &super::checks::new_shell_command::INFO;
        new_items(&sets)
            .into_iter()
            .map(|(command, span)| {
                let (file, line) = at[span.culprit][&command].clone();
                let loc = self.location(
                    span.culprit,
                    &file,
                    line,
                    "not run: answered as a failed command".to_string(),
                    None,
                );
                self.finding(
                    info,
                    &span,
                    format!("the series adds the Kconfig command `{command}`"),
                    Vec::new(),
                    vec![loc],
                )
            })
            .collect()
    }

    /// XL0006: unmet direct dependencies (conf's WARNING) that a commit introduces.
    pub fn unmet_dependencies(
        &self,
        unmet: &[Option<Arc<BTreeSet<String>>>],
        baseline: &str,
    ) -> Vec<Finding> {
        if unmet.iter().any(Option::is_none) {
            // Some commit could not be configured (kconfig-error says so).
            return Vec::new();
        }
        let sets: Vec<BTreeSet<String>> = unmet
            .iter()
            .map(|u| u.as_deref().cloned().unwrap_or_default())
            .collect();
        let info = &super::checks::unmet_dependency::INFO;
        new_items(&sets)
            .into_iter()
            .map(|(name, span)| {
                let tree = &self.trees[span.culprit];
                let mut locations = Vec::new();
                if let Some(sym) = defined(tree, &name) {
                    let pos = definition_pos(tree, sym);
                    let file = tree.model.file_name(pos.file).to_string();
                    locations.push(self.location(
                        span.culprit,
                        &file,
                        pos.line,
                        format!("`{name}` is selected while its dependencies are not met"),
                        Some(name.clone()),
                    ));
                }
                let mut f = self.finding(
                    info,
                    &span,
                    format!("conf warns: unmet direct dependencies detected for {name}"),
                    vec![name],
                    locations,
                );
                f.baselines.push(baseline.to_string());
                f
            })
            .collect()
    }

    /// XL0007: symbols allmodconfig enables at the base that a commit makes impossible to
    /// enable while they are still defined.
    pub fn dead_symbols(&self, values: &[Option<Arc<super::engine::Values>>]) -> Vec<Finding> {
        let Some(Some(base)) = values.first() else {
            return Vec::new();
        };
        let info = &super::checks::dead_symbol::INFO;
        let mut sets: Vec<BTreeSet<String>> = Vec::new();
        for (index, v) in values.iter().enumerate() {
            let Some(v) = v else {
                sets.push(sets.last().cloned().unwrap_or_default());
                continue;
            };
            let dead = base
                .iter()
                .filter(|(_, val)| val.as_str() != "n")
                .filter(|(name, _)| v.get(*name).is_none_or(|now| now == "n"))
                .filter(|(name, _)| defined(&self.trees[index], name).is_some())
                .map(|(name, _)| name.clone())
                .collect();
            sets.push(dead);
        }
        new_items(&sets)
            .into_iter()
            .map(|(name, span)| {
                let tree = &self.trees[span.culprit];
                let sym = defined(tree, &name).expect("dead symbols are defined");
                let pos = definition_pos(tree, sym);
                let file = tree.model.file_name(pos.file).to_string();
                let loc = self.location(
                    span.culprit,
                    &file,
                    pos.line,
                    format!("allmodconfig can no longer enable `{name}`"),
                    Some(name.clone()),
                );
                let mut f = self.finding(
                    info,
                    &span,
                    format!(
                        "CONFIG_{name} can no longer be enabled on ARCH={}",
                        self.arch
                    ),
                    vec![name],
                    vec![loc],
                );
                f.baselines.push("allmodconfig".to_string());
                f
            })
            .collect()
    }

    /// XL0005: symbols set at the base that the tip no longer defines, with a successor.
    pub fn lost_symbols(
        &self,
        set_at_base: &BTreeSet<String>,
        gate_successors: &BTreeMap<String, String>,
    ) -> Vec<Finding> {
        let (base, tip) = (&self.trees[0], &self.trees[self.trees.len() - 1]);
        let info = &super::checks::lost_symbol::INFO;
        let mut out = Vec::new();
        for name in set_at_base {
            let Some(old) = defined(base, name) else {
                continue;
            };
            if defined(tip, name).is_some() {
                continue;
            }
            // By dependencies first; else by the objects the symbol gated in Kbuild.
            let successor = self
                .successor(name)
                .or_else(|| gate_successors.get(name).cloned());
            let pos = definition_pos(base, old);
            let file = base.model.file_name(pos.file).to_string();
            let loc = self.location(
                0,
                &file,
                pos.line,
                format!("`{name}` defined here at the base"),
                Some(name.clone()),
            );
            // The commit that removes it: the first one where it is no longer defined.
            let culprit = (1..self.trees.len())
                .find(|&i| defined(&self.trees[i], name).is_none())
                .unwrap_or(1);
            let span = Span {
                culprit,
                repair: None,
            };
            let message = match &successor {
                Some(s) => format!("CONFIG_{name} is set at the base but gone at the tip; likely successor: CONFIG_{s}"),
                None => format!("CONFIG_{name} is set at the base but gone at the tip: configurations lose it"),
            };
            let mut finding = self.finding(
                info,
                &span,
                message,
                std::iter::once(name.clone()).chain(successor).collect(),
                vec![loc],
            );
            finding.notes.push(
                "`make olddefconfig` drops the values of symbols that no longer exist".to_string(),
            );
            out.push(finding);
        }
        out
    }

    /// The symbol that now stands where `lost` was referenced: symbols whose dependencies
    /// named `lost` at the base name a symbol at the tip that the base did not define.
    fn successor(&self, lost: &str) -> Option<String> {
        let (base, tip) = (&self.trees[0], &self.trees[self.trees.len() - 1]);
        let mut votes: BTreeMap<String, usize> = BTreeMap::new();
        for (index, sym) in base.model.symbols.iter().enumerate() {
            let Some(name) = &sym.name else { continue };
            let Some(dep) = &base.fin().dir_dep[index] else {
                continue;
            };
            let mut referenced = Vec::new();
            dep.symbols(&mut referenced);
            if !referenced.iter().any(|&r| base.model.sym_name(r) == lost) {
                continue;
            }
            let Some(now) = defined(tip, name) else {
                continue;
            };
            let Some(tip_dep) = &tip.fin().dir_dep[now.0 as usize] else {
                continue;
            };
            let mut now_refs = Vec::new();
            tip_dep.symbols(&mut now_refs);
            for r in now_refs {
                let r_name = tip.model.sym_name(r).to_string();
                if defined(base, &r_name).is_none() && defined(tip, &r_name).is_some() {
                    *votes.entry(r_name).or_default() += 1;
                }
            }
        }
        votes
            .into_iter()
            .max_by_key(|(_, n)| *n)
            .map(|(name, _)| name)
    }
}
