//! The checks conf makes once the menu tree is finalized: property sanity
//! (sym_check_prop() and the type check in _menu_finalize(), menu.c) and recursive
//! dependencies (sym_check_deps(), symbol.c). Their messages carry the kernel's wording.

use super::confdata::string_valid;
use super::expr::Expr;
use super::finalize::Finalized;
use super::model::*;

/// Warnings of _menu_finalize(), in the order conf prints them (each symbol once, after
/// the entries nested below it).
pub fn property_warnings(model: &Model, fin: &Finalized) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut warned = vec![false; model.symbols.len()];
    post_order(model, fin, Model::ROOT, &mut warned, &mut out);
    out
}

fn post_order(
    model: &Model,
    fin: &Finalized,
    menu: MenuId,
    warned: &mut [bool],
    out: &mut Vec<Diagnostic>,
) {
    for &child in &fin.children[menu.0 as usize] {
        post_order(model, fin, child, warned, out);
    }
    let entry = model.menu(menu);
    let Some(sym) = entry.sym else { return };
    if warned[sym.0 as usize] {
        return;
    }
    warned[sym.0 as usize] = true;
    let warn_at = |out: &mut Vec<Diagnostic>, pos: Pos, message: String| {
        out.push(Diagnostic::new(
            Severity::Warning,
            model.file_name(pos.file),
            pos.line,
            message,
            KernelStyle::Warning,
        ));
    };
    let stype = fin.types[sym.0 as usize];
    if stype == SymbolType::Unknown {
        warn_at(
            out,
            entry.pos,
            "config symbol defined without type".to_string(),
        );
    }
    let is_choice = model.symbol(sym).is_choice;
    let name = model.sym_name(sym).to_string();
    let number_ok = |bound: SymbolId| -> bool {
        let t = fin.types[bound.0 as usize];
        t == SymbolType::Int
            || t == SymbolType::Hex
            || (t == SymbolType::Unknown && string_valid(stype, model.sym_name(bound)))
    };
    for &prop_id in &model.symbol(sym).props {
        let prop = model.prop(prop_id);
        let pos = prop.pos;
        match prop.kind {
            PropKind::Default => {
                let single = match &prop.expr {
                    Some(Expr::Symbol(s)) => Some(*s),
                    _ => None,
                };
                if matches!(
                    stype,
                    SymbolType::String | SymbolType::Int | SymbolType::Hex
                ) && single.is_none()
                {
                    warn_at(
                        out,
                        pos,
                        format!("default for config symbol '{name}' must be a single symbol"),
                    );
                }
                let Some(target) = single else { continue };
                if matches!(stype, SymbolType::Int | SymbolType::Hex) && !number_ok(target) {
                    warn_at(out, pos, format!("'{name}': number is invalid"));
                }
                if is_choice {
                    let contained = fin.choice_of[target.0 as usize]
                        .is_some_and(|c| model.menu(c).sym == Some(sym));
                    if !contained {
                        warn_at(
                            out,
                            pos,
                            format!(
                                "choice default symbol '{}' is not contained in the choice",
                                model.sym_name(target)
                            ),
                        );
                    }
                }
            }
            PropKind::Select | PropKind::Imply => {
                let keyword = prop.kind.keyword();
                let Some(Expr::Symbol(target)) = &prop.expr else {
                    continue;
                };
                let ttype = fin.types[target.0 as usize];
                if !matches!(stype, SymbolType::Bool | SymbolType::Tristate) {
                    warn_at(
                        out,
                        pos,
                        format!(
                            "config symbol '{name}' uses {keyword}, but is not bool or tristate"
                        ),
                    );
                } else if !matches!(
                    ttype,
                    SymbolType::Unknown | SymbolType::Bool | SymbolType::Tristate
                ) {
                    warn_at(
                        out,
                        pos,
                        format!(
                            "'{}' has wrong type. '{keyword}' only accept arguments of bool and tristate type",
                            model.sym_name(*target)
                        ),
                    );
                }
            }
            PropKind::Range => {
                if !matches!(stype, SymbolType::Int | SymbolType::Hex) {
                    warn_at(
                        out,
                        pos,
                        "range is only allowed for int or hex symbols".to_string(),
                    );
                }
                if let Some(Expr::Range(low, high)) = &prop.expr {
                    if !number_ok(*low) || !number_ok(*high) {
                        warn_at(out, pos, "range is invalid".to_string());
                    }
                }
            }
            _ => {}
        }
    }
}

/// Which dependency of a symbol a step of a cycle goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    DirDep,
    RevDep,
    Implied,
    /// The value expression of a default.
    DefaultValue(PropId),
    /// The condition of a property.
    Visibility(PropId),
    None,
}

struct Frame {
    sym: SymbolId,
    via: Via,
}

/// A recursive dependency, as conf reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecursiveDep {
    /// The lines conf prints between "error: recursive dependency detected!" and the
    /// pointer to the documentation, without the leading tab.
    pub steps: Vec<String>,
}

impl RecursiveDep {
    pub fn kernel_text(&self) -> String {
        let mut text = String::from("error: recursive dependency detected!\n");
        for step in &self.steps {
            text.push('\t');
            text.push_str(step);
            text.push('\n');
        }
        text.push_str(
            "For a resolution refer to Documentation/kbuild/kconfig-language.rst\n\
             subsection \"Kconfig recursive dependency limitations\"\n",
        );
        text
    }
}

struct DepChecker<'a> {
    model: &'a Model,
    fin: &'a Finalized,
    checking: Vec<bool>,
    checked: Vec<bool>,
    stack: Vec<Frame>,
    found: Vec<RecursiveDep>,
}

/// sym_check_deps() for every entry, in menu order: each cycle found once per entry.
pub fn recursive_dependencies(model: &Model, fin: &Finalized) -> Vec<RecursiveDep> {
    let mut checker = DepChecker::new(model, fin);
    for menu in model.menu_walk() {
        if let Some(sym) = model.menu(menu).sym {
            checker.check(sym);
        }
    }
    checker.found
}

/// Whether sym_check_deps() from each of `starts`, in turn, finds a recursive dependency:
/// whether one is reachable from them.
pub fn cycle_reachable(model: &Model, fin: &Finalized, starts: &[SymbolId]) -> bool {
    let mut checker = DepChecker::new(model, fin);
    starts
        .iter()
        .any(|&sym| checker.check(sym).is_some() || !checker.found.is_empty())
}

impl<'a> DepChecker<'a> {
    fn new(model: &'a Model, fin: &'a Finalized) -> Self {
        DepChecker {
            model,
            fin,
            checking: vec![false; model.symbols.len()],
            checked: vec![false; model.symbols.len()],
            stack: Vec::new(),
            found: Vec::new(),
        }
    }

    fn name(&self, sym: SymbolId) -> String {
        self.model.sym_name(sym).to_string()
    }

    fn check(&mut self, sym: SymbolId) -> Option<SymbolId> {
        if self.checking[sym.0 as usize] {
            self.report(sym);
            return Some(sym);
        }
        if self.checked[sym.0 as usize] {
            return None;
        }
        if let Some(choice) = self.fin.choice_of[sym.0 as usize] {
            let choice_sym = self.model.menu(choice).sym?;
            self.stack.push(Frame {
                sym,
                via: Via::None,
            });
            let found = self.check(choice_sym);
            self.stack.pop();
            found
        } else if self.model.symbol(sym).is_choice {
            self.check_choice(sym)
        } else {
            self.checking[sym.0 as usize] = true;
            self.checked[sym.0 as usize] = true;
            let found = self.check_sym(sym);
            self.checking[sym.0 as usize] = false;
            found
        }
    }

    /// The symbols a choice check covers: the finalized subtree (6.11+) or the list of
    /// choice values (6.1).
    fn subtree(&self, choice_sym: SymbolId) -> Vec<SymbolId> {
        let Some(&menu) = self.model.symbol(choice_sym).menus.first() else {
            return Vec::new();
        };
        let lists = if self.fin.choice_subtree.is_empty() {
            &self.fin.choice_members
        } else {
            &self.fin.choice_subtree
        };
        lists
            .iter()
            .find(|(m, _)| *m == menu)
            .map(|(_, s)| s.clone())
            .unwrap_or_default()
    }

    fn check_choice(&mut self, choice_sym: SymbolId) -> Option<SymbolId> {
        self.stack.push(Frame {
            sym: choice_sym,
            via: Via::None,
        });
        let members = self.subtree(choice_sym);
        for &m in &members {
            self.checking[m.0 as usize] = true;
            self.checked[m.0 as usize] = true;
        }
        self.checking[choice_sym.0 as usize] = true;
        self.checked[choice_sym.0 as usize] = true;
        let mut found = self.check_sym(choice_sym);
        self.checking[choice_sym.0 as usize] = false;
        if found.is_none() {
            for &m in &members {
                found = self.check_sym(m);
                if found.is_some() {
                    break;
                }
            }
        }
        for &m in &members {
            self.checking[m.0 as usize] = false;
        }
        if let Some(f) = found {
            let same_choice = self.fin.choice_of[f.0 as usize]
                .is_some_and(|c| self.model.menu(c).sym == Some(choice_sym));
            if same_choice {
                found = Some(choice_sym);
            }
        }
        self.stack.pop();
        found
    }

    fn check_sym(&mut self, sym: SymbolId) -> Option<SymbolId> {
        self.stack.push(Frame {
            sym,
            via: Via::DirDep,
        });
        let found = self.check_sym_inner(sym);
        self.stack.pop();
        found
    }

    fn set_via(&mut self, via: Via) {
        if let Some(top) = self.stack.last_mut() {
            top.via = via;
        }
    }

    fn check_sym_inner(&mut self, sym: SymbolId) -> Option<SymbolId> {
        let fin = self.fin;
        self.set_via(Via::DirDep);
        if let Some(e) = &fin.dir_dep[sym.0 as usize] {
            if let Some(f) = self.check_expr(e) {
                return Some(f);
            }
        }
        self.set_via(Via::RevDep);
        if let Some(e) = &fin.rev_dep[sym.0 as usize] {
            if let Some(f) = self.check_expr(e) {
                return Some(f);
            }
        }
        self.set_via(Via::Implied);
        if let Some(e) = &fin.implied[sym.0 as usize] {
            if let Some(f) = self.check_expr(e) {
                return Some(f);
            }
        }
        let model = self.model;
        for &prop in &model.symbol(sym).props {
            let p = model.prop(prop);
            if matches!(p.kind, PropKind::Select | PropKind::Imply) {
                continue;
            }
            self.set_via(Via::Visibility(prop));
            if let Some(e) = &fin.prop_cond[prop.0 as usize] {
                if let Some(f) = self.check_expr(e) {
                    return Some(f);
                }
            }
            if p.kind != PropKind::Default || model.symbol(sym).is_choice {
                continue;
            }
            self.set_via(Via::DefaultValue(prop));
            if let Some(e) = &p.expr {
                if let Some(f) = self.check_expr(e) {
                    return Some(f);
                }
            }
        }
        None
    }

    fn check_expr(&mut self, e: &Expr) -> Option<SymbolId> {
        match e {
            Expr::And(a, b) | Expr::Or(a, b) => self.check_expr(a).or_else(|| self.check_expr(b)),
            Expr::Not(a) => self.check_expr(a),
            Expr::Cmp(_, a, b) => self.check(*a).or_else(|| self.check(*b)),
            Expr::Symbol(s) => self.check(*s),
            Expr::Range(..) => None,
        }
    }

    /// sym_check_print_recursive().
    fn report(&mut self, last: SymbolId) {
        let mut last = last;
        let mut pushed_member = false;
        if let Some(choice) = self.fin.choice_of[last.0 as usize] {
            self.stack.push(Frame {
                sym: last,
                via: Via::None,
            });
            pushed_member = true;
            if let Some(cs) = self.model.menu(choice).sym {
                last = cs;
            }
        }
        let Some(start) = self.stack.iter().rposition(|f| f.sym == last) else {
            if pushed_member {
                self.stack.pop();
            }
            return;
        };
        let mut steps = Vec::new();
        for index in start..self.stack.len() {
            let frame = &self.stack[index];
            let sym = frame.sym;
            let next = self.stack.get(index + 1).map(|f| f.sym).unwrap_or(last);
            let name = self.name(sym);
            let next_name = self.name(next);
            let step = if self.model.symbol(next).is_choice {
                let menu = self.model.symbol(next).menus[0];
                let pos = self.model.menu(menu).pos;
                format!(
                    "symbol {name} is part of choice block at {}:{}",
                    self.model.file_name(pos.file),
                    pos.line
                )
            } else {
                match frame.via {
                    Via::DirDep => format!("symbol {name} depends on {next_name}"),
                    Via::RevDep => format!("symbol {name} is selected by {next_name}"),
                    Via::Implied => format!("symbol {name} is implied by {next_name}"),
                    Via::DefaultValue(p) => format!(
                        "symbol {name} {} value contains {next_name}",
                        self.model.prop(p).kind.keyword()
                    ),
                    Via::Visibility(p) => format!(
                        "symbol {name} {} is visible depending on {next_name}",
                        self.model.prop(p).kind.keyword()
                    ),
                    Via::None => {
                        format!("symbol {name} unknown is visible depending on {next_name}")
                    }
                }
            };
            steps.push(step);
        }
        self.found.push(RecursiveDep { steps });
        if pushed_member {
            self.stack.pop();
        }
    }
}
