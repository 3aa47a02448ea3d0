//! Changes of an entry's own Kconfig text: the `depends on`, prompt, type, `default`,
//! `range` lines of the symbol, a `select` or `imply` of it that another symbol gained or
//! lost, a dependency on a symbol that is not defined (removed, or misspelt).

use super::{Own, Tracer};
use crate::kconfig::expr::Expr;
use crate::kconfig::model::{Model, Pos, PropId, PropKind, SymbolId};
use crate::lint::snapshot::{defined, definition_pos, is_number, names_only, KconfigSnapshot};
use crate::lint::textdiff::{first_change, hunk};

impl Tracer<'_> {
    /// The first change of `name`'s own definition, in the order that decides a value.
    pub(super) fn own_change(&self, name: &str) -> Option<Own> {
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
            .or_else(|| self.inherited_change(sym, old))
            .or_else(|| self.property_change(sym, old, PropKind::Prompt))
            .or_else(|| self.type_change(sym, old))
            .or_else(|| self.property_change(sym, old, PropKind::Default))
            .or_else(|| self.property_change(sym, old, PropKind::Range))
            .or_else(|| self.reverse_change(name, PropKind::Select))
            .or_else(|| self.reverse_change(name, PropKind::Imply))
    }

    /// A line of the baseline's defconfig or fragment that sets `name` and that the commit
    /// adds, removes or changes.
    pub(super) fn defconfig_change(&self, name: &str) -> Option<Own> {
        use crate::source::Source;
        let setting = |index: usize, file: &str| -> Option<(String, u32, String)> {
            let bytes = self.series.source(index)?.read(file).ok()??;
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let mut found = None;
            for (line, parsed) in crate::kconfig::confdata::config_lines(&text) {
                if let crate::kconfig::confdata::ConfigLine::Assign { name: n, value } = parsed {
                    if n == name {
                        let raw = text
                            .lines()
                            .nth(line as usize - 1)
                            .unwrap_or("")
                            .to_string();
                        found = Some((value.to_string(), line, raw));
                    }
                }
            }
            found
        };
        for file in &self.config_files {
            let (now, before) = (
                setting(self.at.index, file),
                setting(self.parent.index, file),
            );
            if now.as_ref().map(|n| &n.0) == before.as_ref().map(|b| &b.0) {
                continue;
            }
            let mut locations = Vec::new();
            if let Some((_, line, _)) = &now {
                let mut l = self.series.location(
                    self.at.index,
                    file,
                    *line,
                    "set here at this commit".to_string(),
                    None,
                );
                l.underline_line();
                locations.push(l);
            }
            if let Some((_, line, _)) = &before {
                let mut l = self.series.location(
                    self.parent.index,
                    file,
                    *line,
                    "in the parent".to_string(),
                    None,
                );
                l.underline_line();
                locations.push(l);
            }
            let text = match (&now, &before) {
                (Some(n), Some(b)) => {
                    format!("`{file}` changes `{}` to `{}`", b.2.trim(), n.2.trim())
                }
                (Some(n), None) => format!("`{file}` now has `{}`", n.2.trim()),
                (None, Some(b)) => format!("`{file}` no longer has `{}`", b.2.trim()),
                (None, None) => continue,
            };
            return Some(Own {
                text,
                locations,
                hunk: None,
            });
        }
        None
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

    /// The dependencies an enclosing `if`, `menu` or choice hands down changed while the
    /// entry's own lines did not.
    fn inherited_change(&self, sym: SymbolId, old: SymbolId) -> Option<Own> {
        let (at, parent) = (self.at.tree, self.parent.tree);
        let text = |tree: &KconfigSnapshot, s: SymbolId| {
            tree.fin().dir_dep[s.0 as usize]
                .as_ref()
                .map(|e| names_only(&tree.model, e))
                .unwrap_or_else(|| "y".to_string())
        };
        let (now, before) = (text(at, sym), text(parent, old));
        if now == before {
            return None;
        }
        let name = at.model.sym_name(sym);
        Some(Own {
            text: format!(
                "the dependencies of `{name}` became `{now}` (were `{before}`) through an enclosing `if`, `menu` or `choice`"
            ),
            locations: vec![
                self.location(
                    self.at,
                    definition_pos(at, sym),
                    format!("`{name}` depends on `{now}` here"),
                    Some(name),
                ),
                self.location(
                    self.parent,
                    definition_pos(parent, old),
                    format!("on `{before}` in the parent"),
                    Some(name),
                ),
            ],
            hunk: None,
        })
    }

    /// The `kind` properties of the symbol itself (prompt, default, range) that differ.
    fn property_change(&self, sym: SymbolId, old: SymbolId, kind: PropKind) -> Option<Own> {
        let (at, parent) = (self.at.tree, self.parent.tree);
        // What decides a value: a prompt's wording does not, its presence and condition do.
        let props = |tree: &KconfigSnapshot, s: SymbolId| -> Vec<(String, String, Pos)> {
            tree.model
                .symbol(s)
                .props
                .iter()
                .map(|&p| (p, tree.model.prop(p)))
                .filter(|(_, prop)| prop.kind == kind)
                .map(|(p, prop)| {
                    let text = property_text(tree, p);
                    let key = match kind {
                        PropKind::Prompt => prop
                            .cond
                            .as_ref()
                            .map(|c| names_only(&tree.model, c))
                            .unwrap_or_default(),
                        _ => text.clone(),
                    };
                    (text, key, prop.pos)
                })
                .collect()
        };
        let (now, before) = (props(at, sym), props(parent, old));
        let texts_at: Vec<String> = now.iter().map(|l| l.0.clone()).collect();
        let texts_parent: Vec<String> = before.iter().map(|l| l.0.clone()).collect();
        let keys_at: Vec<String> = now.iter().map(|l| l.1.clone()).collect();
        let keys_parent: Vec<String> = before.iter().map(|l| l.1.clone()).collect();
        let (was, is) = first_change(&keys_parent, &keys_at)?;
        let keyword = kind.keyword();
        let mut locations = Vec::new();
        if let Some(i) = is {
            let mut l = self.location(
                self.at,
                now[i].2,
                format!("`{keyword} {}` at this commit", now[i].0),
                None,
            );
            l.underline_line();
            locations.push(l);
        }
        if let Some(i) = was {
            let mut l = self.location(
                self.parent,
                before[i].2,
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
}

/// A property as it reads in Kconfig, by names: `FOO if BAR`.
pub(super) fn property_text(tree: &KconfigSnapshot, p: PropId) -> String {
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
