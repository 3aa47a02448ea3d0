//! Shared by the object checks (XL0008 object-dropped, XL0009 object-lost): which objects
//! built at the base drop out of the build at some commit, and why (the gate that went
//! away or changed value, the Kbuild lines the culprit wrote).

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::config_refs::{kbuild_references, FileKind, Form};
use crate::kbuild::objects::ObjectSet;
use crate::lint::builds::ObjectTrack;
use crate::lint::context::{ArchContext, BaselineRun, BreakSpan};
use crate::lint::snapshot::{defined, definition_pos};
use crate::lint::textdiff::written_lines;
use crate::lint::Location;
use crate::make::normalize;
use crate::source::Source;

pub fn list(paths: &[&str]) -> String {
    let shown: Vec<String> = paths.iter().take(4).map(|p| format!("`{p}`")).collect();
    match paths.len() {
        n if n > 4 => format!("{} and {} more", shown.join(", "), n - 4),
        _ => shown.join(", "),
    }
}

/// Kbuild lines changed by commit `index` that gate one of `paths`: (file, line, symbol).
pub fn culprit_gates(cx: &ArchContext, index: usize, paths: &[&str]) -> Vec<(String, u32, String)> {
    let mut out = Vec::new();
    let Some(source) = cx.series.source(index) else {
        return out;
    };
    let mut files: Vec<&String> = cx.series.changed[index]
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
        let before = cx
            .series
            .source(index - 1)
            .and_then(|s| s.read(file).ok().flatten())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let written = written_lines(&before, &text);
        let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
        for r in kbuild_references(&text) {
            if !written.contains(&r.line) {
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
pub fn gating_successor(
    cx: &ArchContext,
    paths: &[&str],
    parent: &ObjectSet,
    old_gates: &[String],
) -> Option<String> {
    let tip_index = cx.series.commits.len() - 1;
    let mut votes: BTreeMap<String, usize> = BTreeMap::new();
    let mut files: Vec<&str> = paths
        .iter()
        .filter_map(|p| parent.objects.get(*p).map(|o| o.file.as_str()))
        .collect();
    files.sort();
    files.dedup();
    let source = cx.series.source(tip_index)?;
    for file in files {
        let Ok(Some(bytes)) = source.read(file) else {
            continue;
        };
        let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
        for reference in kbuild_references(&String::from_utf8_lossy(&bytes)) {
            if reference.form != Form::Gate || old_gates.contains(&reference.symbol) {
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

/// Objects built at the base that some commit stops building, grouped by the commits that
/// drop them and bring them back.
pub struct Dropped<'a> {
    pub span: BreakSpan,
    pub paths: Vec<&'a str>,
    /// Not built at the tip either (object-lost); else back by the tip (object-dropped).
    pub persistent: bool,
    /// What the commit before the culprit builds.
    pub parent: &'a ObjectSet,
}

/// For each object of `base` in order, whether `set` lacks it.
fn lacked(base: &ObjectSet, set: &ObjectSet) -> Vec<bool> {
    let mut others = set.objects.keys().peekable();
    base.objects
        .keys()
        .map(|path| {
            while others.next_if(|other| *other < path).is_some() {}
            others.next_if(|other| *other == path).is_none()
        })
        .collect()
}

/// Every group of objects built at the base that drops out of the build, in series order.
pub fn dropped(track: &ObjectTrack) -> Vec<Dropped<'_>> {
    let sets = &track.sets;
    let last = sets.len() - 1;
    let (Some(base), Some(tip)) = (&sets[0], &sets[last]) else {
        return Vec::new();
    };
    let mut groups: BTreeMap<(usize, Option<usize>), Vec<&str>> = BTreeMap::new();
    // Neighbouring commits often share one object set: it is compared once.
    let shared = super::bisect_break::shared_with_previous(sets);
    // Which base objects each commit lacks, by walking both sorted maps side by side.
    let mut lacks: Vec<Rc<Vec<bool>>> = Vec::with_capacity(sets.len());
    let none = Rc::new(vec![false; base.objects.len()]);
    for (i, set) in sets.iter().enumerate() {
        let column = match set {
            _ if i == 0 => none.clone(),
            _ if shared[i] => lacks[i - 1].clone(),
            Some(set) => Rc::new(lacked(base, set)),
            None => none.clone(),
        };
        lacks.push(column);
    }
    for (p, path) in base.objects.keys().enumerate() {
        let absent = |i: usize| lacks[i][p];
        if !absent(last) {
            if let Some(culprit) = (1..last).find(|&i| absent(i)) {
                let repair = (culprit + 1..=last).find(|&j| !absent(j));
                groups.entry((culprit, repair)).or_default().push(path);
            }
        } else {
            let culprit = (1..=last)
                .rev()
                .take_while(|&i| absent(i))
                .last()
                .unwrap_or(last);
            groups.entry((culprit, None)).or_default().push(path);
        }
    }
    groups
        .into_iter()
        .map(|((culprit, repair), paths)| Dropped {
            persistent: !tip.objects.contains_key(paths[0]),
            parent: sets[culprit - 1].as_deref().unwrap_or(base),
            span: BreakSpan { culprit, repair },
            paths,
        })
        .collect()
}

/// Why a group of objects dropped out: the gate that vanished or changed value at the
/// culprit, with the Makefile line at the parent, the Kbuild lines the culprit wrote and
/// the gate's definition on both sides.
pub struct Explained {
    /// The gating symbol, and whether it is undefined at the culprit.
    pub cause: Option<(String, bool)>,
    pub locations: Vec<Location>,
    pub notes: Vec<String>,
    /// The gates of the objects at the parent.
    pub parent_gates: Vec<String>,
}

pub fn explain(cx: &ArchContext, run: &BaselineRun, group: &Dropped) -> Explained {
    let (culprit, paths, parent) = (group.span.culprit, &group.paths, group.parent);
    let first = &parent.objects[paths[0]];
    let value = |i: usize, sym: &str| run.value(i, sym);
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
    let now_gated = culprit_gates(cx, culprit, paths);
    let parent_gates: Vec<String> = gates.iter().map(|g| g.to_string()).collect();
    for (_, _, g) in &now_gated {
        if !gates.contains(&g) {
            gates.push(g);
        }
    }
    let cause = gates
        .iter()
        .find(|g| cx.snapshots.defined_at(culprit, g).is_none())
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
    let mut at_parent = cx.location(
        culprit - 1,
        &first.file,
        first.line,
        format!("`{}` is built at the parent through this line", paths[0]),
        None,
    );
    // Underline what the line says about the object: its gate, else its name.
    let mut candidates: Vec<String> = cause.iter().map(|(g, _)| format!("CONFIG_{g}")).collect();
    candidates.extend(first.gates.iter().rev().map(|g| format!("CONFIG_{g}")));
    candidates.extend(paths[0].rsplit('/').next().map(String::from));
    if let Some(word) = candidates
        .into_iter()
        .find(|c| at_parent.source_line.contains(c.as_str()))
    {
        at_parent.underline(&word);
    }
    let mut locations = vec![at_parent];
    for (file, line, gate) in &now_gated {
        locations.push(cx.location(
            culprit,
            file,
            *line,
            format!("at this commit `{}` is gated by `CONFIG_{gate}`", paths[0]),
            Some(&format!("CONFIG_{gate}")),
        ));
    }
    let mut notes = Vec::new();
    if let Some((gate, undefined)) = &cause {
        let before = value(culprit - 1, gate).unwrap_or_default();
        let at_parent = &cx.snapshots[culprit - 1];
        if let Some(sym) = defined(at_parent, gate) {
            let pos = definition_pos(at_parent, sym);
            locations.push(cx.location(
                culprit - 1,
                at_parent.model.file_name(pos.file),
                pos.line,
                format!("`{gate}` is {before} at the parent"),
                Some(gate),
            ));
        }
        let at = &cx.snapshots[culprit];
        if *undefined {
            notes.push(format!(
                "CONFIG_{gate} is not defined by any Kconfig file ARCH={} reads at {}",
                cx.arch, cx.series.commits[culprit].short
            ));
        } else if let Some(sym) = defined(at, gate) {
            let now = value(culprit, gate).unwrap_or_default();
            let pos = definition_pos(at, sym);
            locations.push(cx.location(
                culprit,
                at.model.file_name(pos.file),
                pos.line,
                format!("`{gate}` is {now} here"),
                Some(gate),
            ));
        }
    }
    if paths.len() > 4 {
        notes.push(format!("all {} objects: {}", paths.len(), paths.join(" ")));
    }
    Explained {
        cause,
        locations,
        notes,
        parent_gates,
    }
}
