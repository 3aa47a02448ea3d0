//! Why a symbol's value differs between a commit and its parent, followed through the
//! mechanism conf uses to the Kconfig line the commit changed: a `depends on` line, a
//! `select` or `imply` another symbol gained or lost (and that symbol's own cause), a
//! `default` of the symbol or of its choice, a `range`, the type, the prompt, a symbol
//! removed or misspelt. The series report (XL0001) and `xenlint why --since` share it.

use std::collections::BTreeSet;

use crate::kconfig::expr::Expr;
use crate::kconfig::model::{MenuId, Model, Pos, PropKind, SymbolId};
use crate::lint::context::SeriesCommits;
use crate::lint::snapshot::{
    defined, definition_pos, is_number, names_only, KconfigSnapshot, Values,
};
use crate::lint::textdiff::{first_change, hunk};
use crate::lint::Location;

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

/// Why `name` has a different value at `at` than at `parent` (its parent commit).
pub fn explain(series: &SeriesCommits, at: Side, parent: Side, name: &str) -> Cause {
    let tracer = Tracer { series, at, parent };
    let mut visited = BTreeSet::new();
    tracer
        .trace(name, &mut visited, 0)
        .unwrap_or_else(|| tracer.fallback(name))
}

/// How far a change is followed from symbol to symbol; kernel chains are a few links.
const MAX_DEPTH: usize = 64;

struct Tracer<'a> {
    series: &'a SeriesCommits<'a>,
    at: Side<'a>,
    parent: Side<'a>,
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
        if let Some(own) = self.own_change(name) {
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

    /// The first change of `name`'s own definition, in the order that decides a value.
    fn own_change(&self, name: &str) -> Option<Own> {
        let (at, parent) = (self.at.tree, self.parent.tree);
        let culprit = &self.series.commits[self.at.index];
        let Some(sym) = defined(at, name) else {
            let mut locations = Vec::new();
            if let Some(p) = defined(parent, name) {
                locations.push(self.location(
                    self.parent,
                    definition_pos(parent, p),
                    format!("`{name}` defined here before {}", culprit.short),
                    Some(name),
                ));
            }
            return Some(Own {
                text: format!("`{name}` is no longer defined"),
                locations,
                hunk: None,
            });
        };
        let Some(old) = defined(parent, name) else {
            return Some(Own {
                text: format!("`{name}` is new at this commit"),
                locations: vec![self.location(
                    self.at,
                    definition_pos(at, sym),
                    format!("`{name}` defined here"),
                    Some(name),
                )],
                hunk: None,
            });
        };
        self.undefined_dependency(sym)
            .or_else(|| self.depends_change(sym, old))
            .or_else(|| self.property_change(sym, old, PropKind::Prompt))
            .or_else(|| self.type_change(sym, old))
            .or_else(|| self.property_change(sym, old, PropKind::Default))
            .or_else(|| self.property_change(sym, old, PropKind::Range))
            .or_else(|| self.reverse_change(name, PropKind::Select))
            .or_else(|| self.reverse_change(name, PropKind::Imply))
    }

    /// A `depends on` line of `sym` naming a symbol that is not defined at this commit.
    fn undefined_dependency(&self, sym: SymbolId) -> Option<Own> {
        let (at, parent) = (self.at.tree, self.parent.tree);
        for &menu in &at.model.symbol(sym).menus {
            for (dep, pos) in &at.model.menu(menu).depends {
                let mut referenced = Vec::new();
                dep.symbols(&mut referenced);
                for r in referenced {
                    let r_name = at.model.sym_name(r).to_string();
                    if at.model.symbol(r).is_const
                        || defined(at, &r_name).is_some()
                        || is_number(&r_name)
                    {
                        continue;
                    }
                    let mut locations = vec![self.location(
                        self.at,
                        *pos,
                        format!("`{r_name}` is not defined at this commit"),
                        Some(&r_name),
                    )];
                    let removed = defined(parent, &r_name);
                    if let Some(old) = removed {
                        locations.push(self.location(
                            self.parent,
                            definition_pos(parent, old),
                            format!("`{r_name}` was defined here in the parent"),
                            Some(&r_name),
                        ));
                    }
                    let why = match (removed, similar_defined(&at.model, &r_name)) {
                        (Some(_), _) => "which this commit removes".to_string(),
                        (None, Some(close)) => {
                            format!("which is not defined (did you mean `{close}`?)")
                        }
                        (None, None) => "which is not defined".to_string(),
                    };
                    return Some(Own {
                        text: format!(
                            "`depends on {}` names `{r_name}`, {why}",
                            names_only(&at.model, dep)
                        ),
                        locations,
                        hunk: None,
                    });
                }
            }
        }
        None
    }

    /// `depends on` lines that read differently from the parent's, paired by a diff.
    fn depends_change(&self, sym: SymbolId, old: SymbolId) -> Option<Own> {
        let (at, parent) = (self.at.tree, self.parent.tree);
        let lines = |tree: &KconfigSnapshot, s: SymbolId| -> Vec<(String, Pos)> {
            tree.model
                .symbol(s)
                .menus
                .iter()
                .flat_map(|&m| tree.model.menu(m).depends.iter())
                .map(|(e, pos)| (names_only(&tree.model, e), *pos))
                .collect()
        };
        let (now, before) = (lines(at, sym), lines(parent, old));
        let texts_at: Vec<String> = now.iter().map(|l| l.0.clone()).collect();
        let texts_parent: Vec<String> = before.iter().map(|l| l.0.clone()).collect();
        let (was, is) = first_change(&texts_parent, &texts_at)?;
        let mut locations = Vec::new();
        if let Some(i) = is {
            let mut l = self.location(
                self.at,
                now[i].1,
                format!("`depends on {}` at this commit", now[i].0),
                None,
            );
            l.underline_line();
            locations.push(l);
        }
        if let Some(i) = was {
            let mut l = self.location(
                self.parent,
                before[i].1,
                format!("was `depends on {}` in the parent", before[i].0),
                None,
            );
            l.underline_line();
            locations.push(l);
        }
        let text = match (was, is) {
            (Some(w), Some(i)) => format!(
                "`depends on {}` became `depends on {}`",
                before[w].0, now[i].0
            ),
            (None, Some(i)) => format!("this commit adds `depends on {}`", now[i].0),
            (Some(w), None) => format!("this commit drops `depends on {}`", before[w].0),
            (None, None) => return None,
        };
        Some(Own {
            text,
            locations,
            hunk: Some(hunk("depends on", &texts_parent, &texts_at)),
        })
    }

    /// The `kind` properties of the symbol itself (prompt, default, range) that differ.
    fn property_change(&self, sym: SymbolId, old: SymbolId, kind: PropKind) -> Option<Own> {
        let (at, parent) = (self.at.tree, self.parent.tree);
        let props = |tree: &KconfigSnapshot, s: SymbolId| -> Vec<(String, Pos)> {
            tree.model
                .symbol(s)
                .props
                .iter()
                .map(|&p| (p, tree.model.prop(p)))
                .filter(|(_, prop)| prop.kind == kind)
                .map(|(p, prop)| (property_text(tree, p), prop.pos))
                .collect()
        };
        let (now, before) = (props(at, sym), props(parent, old));
        let texts_at: Vec<String> = now.iter().map(|l| l.0.clone()).collect();
        let texts_parent: Vec<String> = before.iter().map(|l| l.0.clone()).collect();
        let (was, is) = first_change(&texts_parent, &texts_at)?;
        let keyword = kind.keyword();
        let mut locations = Vec::new();
        if let Some(i) = is {
            let mut l = self.location(
                self.at,
                now[i].1,
                format!("`{keyword} {}` at this commit", now[i].0),
                None,
            );
            l.underline_line();
            locations.push(l);
        }
        if let Some(i) = was {
            let mut l = self.location(
                self.parent,
                before[i].1,
                format!("was `{keyword} {}` in the parent", before[i].0),
                None,
            );
            l.underline_line();
            locations.push(l);
        }
        let text = match (was, is) {
            (Some(w), Some(i)) => format!(
                "`{keyword} {}` became `{keyword} {}`",
                before[w].0, now[i].0
            ),
            (None, Some(i)) => format!("this commit adds `{keyword} {}`", now[i].0),
            (Some(w), None) => format!("this commit drops `{keyword} {}`", before[w].0),
            (None, None) => return None,
        };
        let hunk = (texts_at.len() + texts_parent.len() > 2)
            .then(|| hunk(keyword, &texts_parent, &texts_at));
        Some(Own {
            text,
            locations,
            hunk,
        })
    }

    fn type_change(&self, sym: SymbolId, old: SymbolId) -> Option<Own> {
        let (at, parent) = (self.at.tree, self.parent.tree);
        let (now, before) = (
            at.fin().types[sym.0 as usize],
            parent.fin().types[old.0 as usize],
        );
        if now == before {
            return None;
        }
        let name = at.model.sym_name(sym);
        Some(Own {
            text: format!(
                "its type became `{}` (was `{}`)",
                now.keyword(),
                before.keyword()
            ),
            locations: vec![
                self.location(
                    self.at,
                    definition_pos(at, sym),
                    format!("`{name}` is a {} at this commit", now.keyword()),
                    Some(name),
                ),
                self.location(
                    self.parent,
                    definition_pos(parent, old),
                    format!("a {} in the parent", before.keyword()),
                    Some(name),
                ),
            ],
            hunk: None,
        })
    }

    /// A `select name` (or `imply name`) line another symbol gained or lost.
    fn reverse_change(&self, name: &str, kind: PropKind) -> Option<Own> {
        // Only when what selects (implies) it reads differently: a scan of every property.
        let reverse = |tree: &KconfigSnapshot| {
            let s = defined(tree, name)?;
            let fin = tree.fin();
            let e = match kind {
                PropKind::Select => fin.rev_dep[s.0 as usize].as_ref(),
                _ => fin.implied[s.0 as usize].as_ref(),
            };
            e.map(|e| names_only(&tree.model, e))
        };
        if reverse(self.at.tree) == reverse(self.parent.tree) {
            return None;
        }
        let lines = |tree: &KconfigSnapshot| -> Vec<(String, String, Pos)> {
            let model = &tree.model;
            let mut out = Vec::new();
            for (i, s) in model.symbols.iter().enumerate() {
                if s.name.is_none() || s.menus.is_empty() {
                    continue;
                }
                for &p in &s.props {
                    let prop = model.prop(p);
                    let targets =
                        matches!(&prop.expr, Some(Expr::Symbol(t)) if model.sym_name(*t) == name);
                    if prop.kind == kind && targets {
                        let owner = model.sym_name(SymbolId(i as u32)).to_string();
                        out.push((owner, property_text(tree, p), prop.pos));
                    }
                }
            }
            out
        };
        let (now, before) = (lines(self.at.tree), lines(self.parent.tree));
        let key = |l: &(String, String, Pos)| (l.0.clone(), l.1.clone());
        let keyword = kind.keyword();
        if let Some(added) = now
            .iter()
            .find(|l| !before.iter().any(|b| key(b) == key(l)))
        {
            let mut l = self.location(
                self.at,
                added.2,
                format!("`{}` gains `{keyword} {}` here", added.0, added.1),
                None,
            );
            l.underline_line();
            return Some(Own {
                text: format!("`{}` now has `{keyword} {}`", added.0, added.1),
                locations: vec![l],
                hunk: None,
            });
        }
        let removed = before
            .iter()
            .find(|b| !now.iter().any(|l| key(l) == key(b)))?;
        let mut l = self.location(
            self.parent,
            removed.2,
            format!(
                "`{}` had `{keyword} {}` in the parent",
                removed.0, removed.1
            ),
            None,
        );
        l.underline_line();
        Some(Own {
            text: format!("`{}` no longer has `{keyword} {}`", removed.0, removed.1),
            locations: vec![l],
            hunk: None,
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

/// A property as it reads in Kconfig, by names: `FOO if BAR`.
fn property_text(tree: &KconfigSnapshot, p: crate::kconfig::model::PropId) -> String {
    let model = &tree.model;
    let prop = model.prop(p);
    let mut text = match (&prop.expr, &prop.text) {
        (Some(e), _) => names_only(model, e),
        (None, Some(t)) => format!("\"{t}\""),
        (None, None) => String::new(),
    };
    if let Some(cond) = &prop.cond {
        text.push_str(" if ");
        text.push_str(&names_only(model, cond));
    }
    text
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

/// The defined symbol closest to a name that is not defined: one or two edits away.
fn similar_defined(model: &Model, name: &str) -> Option<String> {
    let limit = (name.len() / 4).clamp(1, 2);
    model
        .symbols
        .iter()
        .filter(|s| !s.menus.is_empty())
        .filter_map(|s| s.name.as_deref())
        .filter(|s| s.len().abs_diff(name.len()) <= limit)
        .map(|s| (crate::config_refs::edit_distance(name, s, limit), s))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, s)| s.to_string())
}
