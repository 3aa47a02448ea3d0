//! XL0005 lost-symbol: Symbols set at the base that the tip no longer has.
//! Documented in lost_symbol.md (`xenlint explain XL0005`); computed by the series engine.

use std::collections::{BTreeMap, BTreeSet};

use super::{Check, Scope};
use crate::lint::context::{ArchContext, BreakSpan};
use crate::lint::snapshot::{defined, definition_pos};
use crate::lint::{find_word, Finding, Severity};
use crate::source::Source;

pub const CHECK: Check = Check {
    code: "XL0005",
    name: "lost-symbol",
    severity: Severity::Note,
    doc: include_str!("lost_symbol.md"),
    scope: Scope::Arch(check),
    needs_kbuild: false,
};

fn check(cx: &ArchContext) -> Vec<Finding> {
    // Symbols set (to anything but n) at the base by any baseline.
    let set_at_base: BTreeSet<String> = cx
        .baselines
        .iter()
        .filter_map(|run| run.values.first().cloned().flatten())
        .flat_map(|v| {
            v.iter()
                .filter(|(_, val)| val.as_str() != "n")
                .map(|(k, _)| k.clone())
                .collect::<Vec<_>>()
        })
        .collect();
    let no_successors = BTreeMap::new();
    let gate_successors = cx
        .references
        .map(|r| &r.gate_successors)
        .unwrap_or(&no_successors);
    lost_symbols(cx, &set_at_base, gate_successors)
}

/// XL0005: symbols set at the base that the tip no longer defines, with a successor.
fn lost_symbols(
    cx: &ArchContext,
    set_at_base: &BTreeSet<String>,
    gate_successors: &BTreeMap<String, String>,
) -> Vec<Finding> {
    let (base, tip) = (&cx.snapshots[0], &cx.snapshots[cx.snapshots.len() - 1]);
    let mut out = Vec::new();
    let mut still_set = None;
    for name in set_at_base {
        let Some(old) = defined(base, name) else {
            continue;
        };
        if defined(tip, name).is_some() {
            continue;
        }
        let pos = definition_pos(base, old);
        let file = base.model.file_name(pos.file).to_string();
        let loc = cx.location(
            0,
            &file,
            pos.line,
            format!("`{name}` defined here at the base"),
            Some(name),
        );
        // The commit that removes it: the first one where it is no longer defined.
        let culprit = (1..cx.snapshots.len())
            .find(|&i| cx.snapshots.defined_at(i, name).is_none())
            .unwrap_or(1);
        let span = BreakSpan {
            culprit,
            repair: None,
        };
        // What that commit adds in its place, with the evidence; else the symbol that now
        // stands where it was referenced, or that gates the objects it gated.
        let mut found = successors(cx, culprit, name);
        if found.is_empty() {
            if let Some(s) = successor(cx, name) {
                found.push((s, vec!["named where it was referenced".to_string()]));
            } else if let Some(s) = gate_successors.get(name) {
                found.push((s.clone(), vec!["gates the objects it gated".to_string()]));
            }
        }
        let names: Vec<String> = found.iter().map(|(s, _)| format!("CONFIG_{s}")).collect();
        let message = match names.len() {
            0 => format!(
                "CONFIG_{name} is set at the base but gone at the tip: configurations lose it"
            ),
            1 => format!(
                "CONFIG_{name} is set at the base but gone at the tip; likely successor: {}",
                names[0]
            ),
            _ => format!(
                "CONFIG_{name} is set at the base but gone at the tip; split into {}",
                names.join(" and ")
            ),
        };
        let mut finding = cx.finding(
            &CHECK,
            &span,
            message,
            std::iter::once(name.clone())
                .chain(found.iter().map(|(s, _)| s.clone()))
                .collect(),
            vec![loc],
        );
        for (successor, evidence) in &found {
            finding
                .notes
                .push(format!("CONFIG_{successor}: {}", evidence.join("; ")));
        }
        finding.notes.extend(carried(cx, name, &found));
        let setters = still_set.get_or_insert_with(|| defconfig_settings(cx));
        if let Some(lines) = setters.get(name.as_str()) {
            let shown: Vec<String> = lines
                .iter()
                .take(5)
                .map(|(f, l)| format!("{f}:{l}"))
                .collect();
            let more = lines.len().saturating_sub(5);
            finding.notes.push(format!(
                "still set at the tip in {}{}: make olddefconfig ignores the line there",
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ));
        }
        finding.notes.push(
            "`make olddefconfig` drops the values of symbols that no longer exist".to_string(),
        );
        out.push(finding);
    }
    out
}

/// The symbols commit `culprit` (which removes `lost`) adds in its place, with the evidence:
/// the same prompt, help text, type, dependencies or defaults, and the users (Kconfig,
/// Kbuild and code lines of the files the commit changes) that named `lost` and now name
/// the new symbol.
fn successors(cx: &ArchContext, culprit: usize, lost: &str) -> Vec<(String, Vec<String>)> {
    let (at, parent) = (&cx.snapshots[culprit], &cx.snapshots[culprit - 1]);
    let tip = &cx.snapshots[cx.snapshots.len() - 1];
    let Some(old) = defined(parent, lost) else {
        return Vec::new();
    };
    let moved = moved_users(cx, culprit, lost);
    let old_facts = facts(parent, old);
    let mut out: Vec<(usize, String, Vec<String>)> = Vec::new();
    for (index, sym) in at.model.symbols.iter().enumerate() {
        let Some(name) = &sym.name else { continue };
        if sym.menus.is_empty() || defined(parent, name).is_some() || defined(tip, name).is_none() {
            continue;
        }
        let new_facts = facts(at, crate::kconfig::model::SymbolId(index as u32));
        let mut evidence: Vec<String> = old_facts
            .iter()
            .zip(&new_facts)
            .filter(|((_, a), (_, b))| !a.is_empty() && a == b)
            .map(|((what, _), _)| format!("same {what}"))
            .collect();
        let users: Vec<&String> = moved
            .iter()
            .filter(|(_, names)| names.contains(name.as_ref()))
            .map(|(file, _)| file)
            .collect();
        let identity = evidence
            .iter()
            .any(|e| e == "same prompt" || e == "same help text");
        if users.is_empty() && !identity {
            continue;
        }
        if !users.is_empty() {
            let files: Vec<&str> = users.iter().map(|f| f.as_str()).collect();
            evidence.push(format!("users moved to it in {}", files.join(", ")));
        }
        out.push((users.len() * 2 + evidence.len(), name.to_string(), evidence));
    }
    out.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    out.into_iter()
        .map(|(_, name, evidence)| (name, evidence))
        .collect()
}

/// What identifies a symbol's definition besides its name, as (what, text).
fn facts(
    tree: &crate::lint::snapshot::KconfigSnapshot,
    sym: crate::kconfig::model::SymbolId,
) -> Vec<(&'static str, String)> {
    use crate::kconfig::model::PropKind;
    let model = &tree.model;
    let menus = &model.symbol(sym).menus;
    let prompt = menus
        .iter()
        .find_map(|&m| model.menu(m).prompt)
        .and_then(|p| model.prop(p).text.clone())
        .unwrap_or_default();
    let help = menus
        .iter()
        .find_map(|&m| tree.help(m).map(str::to_string))
        .unwrap_or_default();
    let deps = tree.fin().dir_dep[sym.0 as usize]
        .as_ref()
        .map(|e| crate::lint::snapshot::names_only(model, e))
        .unwrap_or_default();
    let defaults: Vec<String> = model
        .symbol(sym)
        .props
        .iter()
        .filter(|&&p| model.prop(p).kind == PropKind::Default)
        .filter_map(|&p| model.prop(p).expr.as_ref())
        .map(|e| crate::lint::snapshot::names_only(model, e))
        .collect();
    vec![
        ("prompt", prompt.trim().to_string()),
        ("help text", help.trim().to_string()),
        (
            "type",
            tree.fin().types[sym.0 as usize].keyword().to_string(),
        ),
        ("dependencies", deps),
        ("defaults", defaults.join(", ")),
    ]
}

/// The files commit `culprit` changes where a line naming `lost` became one naming other
/// symbols: (file, the symbols its written lines name that the parent's file did not).
fn moved_users(cx: &ArchContext, culprit: usize, lost: &str) -> Vec<(String, BTreeSet<String>)> {
    let mut out = Vec::new();
    let (Some(now), Some(before)) = (cx.series.source(culprit), cx.series.source(culprit - 1))
    else {
        return out;
    };
    let mut files: Vec<&String> = cx.series.changed[culprit]
        .iter()
        .filter(|p| crate::config_refs::FileKind::of(p).is_some())
        .collect();
    files.sort();
    let read = |source: &crate::git::CommitSource, file: &str| {
        source
            .read(file)
            .ok()
            .flatten()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    for file in files {
        let (old_text, new_text) = (read(before, file), read(now, file));
        let named = |text: &str, word: &str| text.lines().any(|l| find_word(l, word).is_some());
        if !named(&old_text, lost) && !named(&old_text, &format!("CONFIG_{lost}")) {
            continue;
        }
        let written = crate::lint::textdiff::written_lines(&old_text, &new_text);
        let mut names = BTreeSet::new();
        for (i, line) in new_text.lines().enumerate() {
            // A definition renamed is not a user of the new name.
            let head = line.trim_start();
            let defines = head.starts_with("config ") || head.starts_with("menuconfig ");
            if !written.contains(&(i as u32 + 1)) || defines {
                continue;
            }
            for word in line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
                let word = word.strip_prefix("CONFIG_").unwrap_or(word);
                if word.len() > 1 && word != lost && !named(&old_text, word) {
                    names.insert(word.to_string());
                }
            }
        }
        out.push((file.clone(), names));
    }
    out
}

/// The defconfigs and fragments of the arch at the tip (`arch/<SRCARCH>/configs/`,
/// `kernel/configs/`): symbol -> the lines that set it (`CONFIG_X=...` or `# CONFIG_X is
/// not set`).
fn defconfig_settings(cx: &ArchContext) -> BTreeMap<String, Vec<(String, u32)>> {
    let mut out: BTreeMap<String, Vec<(String, u32)>> = BTreeMap::new();
    let tip = cx.snapshots.len() - 1;
    let Some(source) = cx.series.source(tip) else {
        return out;
    };
    let srcarch = &cx.snapshots[tip].env.srcarch;
    for dir in [
        format!("arch/{srcarch}/configs"),
        "kernel/configs".to_string(),
    ] {
        let mut files = source.list_files(&dir).unwrap_or_default();
        files.sort();
        for file in files {
            let Ok(Some(bytes)) = source.read(&file) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            for (line, parsed) in crate::kconfig::confdata::config_lines(&text) {
                if let crate::kconfig::confdata::ConfigLine::Assign { name, .. } = parsed {
                    out.entry(name.to_string())
                        .or_default()
                        .push((file.clone(), line));
                }
            }
        }
    }
    out
}

/// What a configuration that set `lost` at the base has at the tip, baseline by baseline.
fn carried(cx: &ArchContext, lost: &str, successors: &[(String, Vec<String>)]) -> Vec<String> {
    let tip = cx.snapshots.len() - 1;
    let mut notes = Vec::new();
    for run in cx.baselines {
        let Some(was) = run.value(0, lost).filter(|v| v != "n") else {
            continue;
        };
        for (successor, _) in successors {
            let Some(now) = run.value(tip, successor) else {
                continue;
            };
            notes.push(if now == was {
                format!("{}: CONFIG_{lost}={was} at the base becomes CONFIG_{successor}={now} at the tip", run.name)
            } else {
                format!(
                    "{}: CONFIG_{lost}={was} at the base, but CONFIG_{successor} is {now} at the tip: set it where the old value mattered",
                    run.name
                )
            });
        }
    }
    notes
}

/// The symbol that now stands where `lost` was referenced: symbols whose dependencies
/// named `lost` at the base name a symbol at the tip that the base did not define.
fn successor(cx: &ArchContext, lost: &str) -> Option<String> {
    let (base, tip) = (&cx.snapshots[0], &cx.snapshots[cx.snapshots.len() - 1]);
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
