//! Why a symbol's value differs between a commit and its parent, followed through the
//! mechanism conf uses to the Kconfig line the commit changed: a `depends on` line, a
//! `select` or `imply` another symbol gained or lost (and that symbol's own cause), a
//! `default` of the symbol or of its choice, a `range`, the type, the prompt, a symbol
//! removed or misspelt. The series report (XL0001) and `xenlint why --since` share it.

use std::collections::BTreeSet;

mod own;

use own::property_text;

use crate::kconfig::expr::Expr;
use crate::kconfig::model::{MenuId, Pos, PropKind, SymbolId};
use crate::lint::context::{ArchContext, SeriesCommits};
use crate::lint::snapshot::{defined, definition_pos, names_only, KconfigSnapshot, Values};
use crate::lint::textdiff::{first_change, hunk};
use crate::lint::{Baseline, Location, ValueChange};

/// One side of the comparison: a commit's index in the series, its snapshot for the arch
/// and its configuration for the baseline (`None` where conf could not run).
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub index: usize,
    pub tree: &'a KconfigSnapshot,
    pub values: Option<&'a Values>,
}

impl Side<'_> {
    fn value(&self, name: &str) -> String {
        self.values
            .and_then(|v| v.get(name).cloned())
            .unwrap_or_else(|| "n".to_string())
    }
}

/// The root cause of a value change.
#[derive(Debug, Clone)]
pub struct Cause {
    /// The entry whose own Kconfig text changed (or that vanished): a symbol, or
    /// `choice "<prompt>"`.
    pub root: String,
    /// What identifies the cause among others of the same commit: root and change.
    pub key: String,
    /// What changed, in words.
    pub text: String,
    /// How the change reached the symbol asked about, that symbol first: `selected by
    /// XEN_PV`, `depends on XEN_PV`; empty when the symbol is the root.
    pub path: Vec<String>,
    /// The changed line at the commit, then the line it replaced in the parent.
    pub locations: Vec<Location>,
    /// The changed lines as a diff hunk, where there is more than one line to compare.
    pub hunk: Option<String>,
}

/// A symbol of a cause's group, with the path the cause took to it.
pub type Member<T> = (T, Vec<String>);

/// Explains many symbols of one commit against its parent, each symbol traced once: a
/// commit that changes thousands of values (a driver marked BROKEN under allmodconfig)
/// costs one walk of the graph, not one per symbol.
pub struct Explainer<'a> {
    tracer: Tracer<'a>,
}

impl<'a> Explainer<'a> {
    /// `baseline`: the baseline the values come from, whose defconfig and fragments can be
    /// the cause.
    pub fn new(
        series: &'a SeriesCommits<'a>,
        at: Side<'a>,
        parent: Side<'a>,
        baseline: &Baseline,
    ) -> Self {
        let srcarch = &at.tree.env.srcarch;
        let files: Vec<String> = match baseline {
            Baseline::Target { target, fragments } => {
                let defconfig = match target.as_str() {
                    "defconfig" => Some(at.tree.env.kbuild_defconfig.clone()),
                    t if t.ends_with("_defconfig") => Some(t.to_string()),
                    _ => None,
                };
                defconfig
                    .into_iter()
                    .chain(fragments.iter().cloned())
                    .map(|f| format!("arch/{srcarch}/configs/{f}"))
                    .chain(fragments.iter().map(|f| format!("kernel/configs/{f}")))
                    .collect()
            }
            Baseline::Config { .. } => Vec::new(),
        };
        let config_files = files
            .into_iter()
            .filter(|f| series.changed[at.index].contains(f))
            .collect();
        Explainer {
            tracer: Tracer {
                series,
                at,
                parent,
                config_files,
                memo: Default::default(),
            },
        }
    }

    /// `items` (symbols, by `name`) grouped by the cause of their change: one group per
    /// cause, its members nearest the cause first, each with the path the cause took.
    pub fn by_cause<T>(
        &self,
        items: impl IntoIterator<Item = T>,
        name: impl Fn(&T) -> &str,
    ) -> Vec<(Cause, Vec<Member<T>>)> {
        let mut groups: Vec<(Cause, Vec<Member<T>>)> = Vec::new();
        for item in items {
            let cause = self.explain(name(&item));
            match groups.iter_mut().find(|(c, _)| c.key == cause.key) {
                Some((_, members)) => members.push((item, cause.path)),
                None => {
                    let path = cause.path.clone();
                    groups.push((cause, vec![(item, path)]));
                }
            }
        }
        for (_, members) in &mut groups {
            members.sort_by(|a, b| (a.1.len(), name(&a.0)).cmp(&(b.1.len(), name(&b.0))));
        }
        groups
    }

    /// Why `name` has a different value at `at` than at `parent`.
    pub fn explain(&self, name: &str) -> Cause {
        let mut visited = BTreeSet::new();
        self.tracer
            .trace(name, &mut visited, 0)
            .unwrap_or_else(|| self.tracer.fallback(name))
    }
}

/// How far a change is followed from symbol to symbol; kernel chains are a few links.
const MAX_DEPTH: usize = 64;

struct Tracer<'a> {
    series: &'a SeriesCommits<'a>,
    at: Side<'a>,
    parent: Side<'a>,
    /// The defconfigs and fragments the baseline reads that the commit changes.
    config_files: Vec<String>,
    /// What tracing each symbol found, its path starting at that symbol.
    memo: std::cell::RefCell<std::collections::HashMap<String, Option<Cause>>>,
}

/// A change of an entry's own Kconfig text, before it becomes a `Cause`.
struct Own {
    text: String,
    locations: Vec<Location>,
    hunk: Option<String>,
}

impl Tracer<'_> {
    fn location(&self, side: Side, pos: Pos, label: String, underline: Option<&str>) -> Location {
        let file = side.tree.model.file_name(pos.file);
        self.series
            .location(side.index, file, pos.line, label, underline)
    }

    fn trace(&self, name: &str, visited: &mut BTreeSet<String>, depth: usize) -> Option<Cause> {
        if depth > MAX_DEPTH || !visited.insert(name.to_string()) {
            return None;
        }
        if let Some(known) = self.memo.borrow().get(name) {
            return known.clone();
        }
        let found = self.trace_anew(name, visited, depth);
        self.memo
            .borrow_mut()
            .insert(name.to_string(), found.clone());
        found
    }

    fn trace_anew(
        &self,
        name: &str,
        visited: &mut BTreeSet<String>,
        depth: usize,
    ) -> Option<Cause> {
        if let Some(own) = self
            .own_change(name)
            .or_else(|| self.defconfig_change(name))
        {
            return Some(Cause {
                root: name.to_string(),
                key: format!("{name}\0{}", own.text),
                text: own.text,
                path: Vec::new(),
                locations: own.locations,
                hunk: own.hunk,
            });
        }
        let sym = defined(self.at.tree, name)?;
        if let Some(cause) = self.choice_change(sym) {
            return Some(cause);
        }
        for (relation, input) in self.inputs(sym) {
            let (now, before) = (
                defined(self.at.tree, &input),
                defined(self.parent.tree, &input),
            );
            // A number or a name neither side defines is a constant, not an input.
            let unchanged = self.at.value(&input) == self.parent.value(&input) && now.is_some();
            if unchanged || (now.is_none() && before.is_none()) {
                continue;
            }
            if let Some(mut cause) = self.trace(&input, visited, depth + 1) {
                cause.path.insert(0, format!("{relation} {input}"));
                return Some(cause);
            }
        }
        None
    }

    /// The symbols `sym`'s value is computed from, with how: its dependencies first (a
    /// dependency gone explains a value gone), then what selects or implies it, then the
    /// expressions of its defaults and prompt.
    fn inputs(&self, sym: SymbolId) -> Vec<(&'static str, String)> {
        let (tree, i) = (self.at.tree, sym.0 as usize);
        let fin = tree.fin();
        let mut out: Vec<(&'static str, String)> = Vec::new();
        let add = |relation: &'static str, e: Option<&Expr>, out: &mut Vec<_>| {
            let mut found = Vec::new();
            if let Some(e) = e {
                e.symbols(&mut found);
            }
            for s in found {
                let model = &tree.model;
                if model.symbol(s).is_const || model.symbol(s).name.is_none() {
                    continue;
                }
                let n = model.sym_name(s).to_string();
                if !out.iter().any(|(_, m): &(&str, String)| *m == n) {
                    out.push((relation, n));
                }
            }
        };
        add("depends on", fin.dir_dep[i].as_ref(), &mut out);
        add("selected by", fin.rev_dep[i].as_ref(), &mut out);
        add("implied by", fin.implied[i].as_ref(), &mut out);
        for &p in &tree.model.symbol(sym).props {
            let prop = tree.model.prop(p);
            match prop.kind {
                PropKind::Default | PropKind::Range => {
                    add("its default reads", prop.expr.as_ref(), &mut out);
                    add(
                        "its default reads",
                        fin.prop_cond[p.0 as usize].as_ref(),
                        &mut out,
                    );
                }
                PropKind::Prompt => add(
                    "its prompt depends on",
                    fin.prop_cond[p.0 as usize].as_ref(),
                    &mut out,
                ),
                _ => {}
            }
        }
        out
    }

    /// A member of a choice whose default changed, or whose selection moved because
    /// another member changed.
    fn choice_change(&self, sym: SymbolId) -> Option<Cause> {
        let (at, parent) = (self.at.tree, self.parent.tree);
        let choice = at.fin().choice_of[sym.0 as usize]?;
        let name = at.model.sym_name(sym).to_string();
        let parent_sym = defined(parent, &name)?;
        let parent_choice = parent.fin().choice_of[parent_sym.0 as usize]?;
        let defaults_at = choice_defaults(at, choice);
        let defaults_parent = choice_defaults(parent, parent_choice);
        let texts_at: Vec<String> = defaults_at.iter().map(|d| d.0.clone()).collect();
        let texts_parent: Vec<String> = defaults_parent.iter().map(|d| d.0.clone()).collect();
        let (was, is) = first_change(&texts_parent, &texts_at)?;
        let title = choice_title(at, choice);
        let mut locations = Vec::new();
        if let Some(i) = is {
            let mut l = self.location(
                self.at,
                defaults_at[i].1,
                format!(
                    "the {title} defaults to `{}` at this commit",
                    defaults_at[i].2
                ),
                None,
            );
            l.underline_line();
            locations.push(l);
        }
        if let Some(i) = was {
            let mut l = self.location(
                self.parent,
                defaults_parent[i].1,
                format!("`default {}` in the parent", texts_parent[i]),
                None,
            );
            l.underline_line();
            locations.push(l);
        }
        let text = match (was, is) {
            (Some(w), Some(i)) => format!(
                "the default of the {title} became `{}` (was `{}`)",
                texts_at[i], texts_parent[w]
            ),
            (None, Some(i)) => format!("the {title} gains `default {}`", texts_at[i]),
            (Some(w), None) => format!("the {title} loses `default {}`", texts_parent[w]),
            (None, None) => return None,
        };
        let path = if at.model.menu(choice).sym == Some(sym) {
            Vec::new()
        } else {
            vec![format!("a member of the {title}")]
        };
        Some(Cause {
            root: title.clone(),
            key: format!("{title}\0{text}"),
            text,
            path,
            locations,
            hunk: Some(hunk("default", &texts_parent, &texts_at)),
        })
    }

    /// When no line explains the change: the symbol's definition on both sides and its
    /// dependencies as they now read.
    fn fallback(&self, name: &str) -> Cause {
        let (at, parent) = (self.at.tree, self.parent.tree);
        let mut locations = Vec::new();
        let mut text = format!("`{name}` is no longer defined");
        if let Some(sym) = defined(at, name) {
            locations.push(self.location(
                self.at,
                definition_pos(at, sym),
                format!("`{name}` as this commit defines it"),
                Some(name),
            ));
            let deps = at.fin().dir_dep[sym.0 as usize]
                .as_ref()
                .map(|e| names_only(&at.model, e))
                .unwrap_or_else(|| "y".to_string());
            text = format!("its dependencies became `{deps}`");
        }
        if let Some(p) = defined(parent, name) {
            locations.push(self.location(
                self.parent,
                definition_pos(parent, p),
                "as the parent defined it".to_string(),
                Some(name),
            ));
        }
        Cause {
            root: name.to_string(),
            key: format!("{name}\0{text}"),
            text,
            path: Vec::new(),
            locations,
            hunk: None,
        }
    }
}

/// A choice's `default` lines: (text, position, the member it names).
fn choice_defaults(tree: &KconfigSnapshot, choice: MenuId) -> Vec<(String, Pos, String)> {
    let model = &tree.model;
    let Some(sym) = model.menu(choice).sym else {
        return Vec::new();
    };
    model
        .symbol(sym)
        .props
        .iter()
        .filter(|&&p| model.prop(p).kind == PropKind::Default)
        .map(|&p| {
            let member = model
                .prop(p)
                .expr
                .as_ref()
                .map(|e| names_only(model, e))
                .unwrap_or_default();
            (property_text(tree, p), model.prop(p).pos, member)
        })
        .collect()
}

/// How a choice is named in messages: `choice "Timer frequency"`, or by its name.
fn choice_title(tree: &KconfigSnapshot, choice: MenuId) -> String {
    let model = &tree.model;
    let menu = model.menu(choice);
    if let Some(text) = menu.prompt.and_then(|p| model.prop(p).text.clone()) {
        return format!("choice \"{text}\"");
    }
    match menu.sym.and_then(|s| model.symbol(s).name.clone()) {
        Some(name) => format!("choice {name}"),
        None => format!(
            "choice at {}:{}",
            model.file_name(menu.pos.file),
            menu.pos.line
        ),
    }
}

/// Every commit at which `symbol`'s value differs from its parent's, per baseline, with
/// the root cause.
pub(crate) fn changes(cx: &ArchContext, symbol: &str) -> Vec<ValueChange> {
    let mut out = Vec::new();
    for run in cx.baselines {
        let side = |index: usize| Side {
            index,
            tree: &cx.snapshots[index],
            values: run.values[index].as_deref(),
        };
        for index in 1..cx.snapshots.len() {
            let (Some(before), Some(after)) =
                (run.value(index - 1, symbol), run.value(index, symbol))
            else {
                continue;
            };
            if before == after {
                continue;
            }
            let cause = Explainer::new(cx.series, side(index), side(index - 1), run.baseline)
                .explain(symbol);
            out.push(ValueChange {
                arch: cx.arch.to_string(),
                baseline: run.name.clone(),
                index,
                before,
                after,
                cause: cause.text,
                path: cause.path,
                locations: cause.locations,
                hunk: cause.hunk,
            });
        }
    }
    out
}
