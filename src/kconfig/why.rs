//! Why a symbol has its value: the user value, default, select, imply or dependency that
//! decided it, each with the file:line that states it. `xenlint why` prints this, and the
//! series engine names root causes with it.

use super::expr::Expr;
use super::model::*;
use super::resolve::{Config, Tristate};

/// A place in a Kconfig file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    pub file: String,
    pub line: u32,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One property that bears on the value: the condition as conf prints it, its value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reason {
    pub text: String,
    pub value: String,
    pub location: Option<Location>,
}

/// What decided the value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decision {
    /// The symbol is not defined by any Kconfig file of this tree and arch.
    Undefined,
    /// The user's value, possibly limited by the prompt's visibility.
    User { requested: String, limited: bool },
    /// The first `default` whose condition holds.
    Default { location: Location },
    /// Its direct dependencies (`depends on`, enclosing menus and ifs) are n.
    Dependencies,
    /// No default applies and nothing selects it: the type's empty value.
    NoDefault,
    /// A `select` raised it (or kept it from n).
    Selected,
    /// An `imply` raised it.
    Implied,
    /// Its choice picked it (or another member).
    Choice { selected: Option<String> },
    /// A `range` clamped the value.
    Range { location: Location },
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Explanation {
    pub symbol: String,
    #[serde(rename = "type")]
    pub stype: String,
    pub value: String,
    pub written: bool,
    pub definitions: Vec<Location>,
    pub visible: String,
    pub prompts: Vec<Reason>,
    pub depends_on: Option<Reason>,
    pub selected_by: Vec<Reason>,
    pub implied_by: Vec<Reason>,
    pub defaults: Vec<Reason>,
    pub user_value: Option<String>,
    pub decided_by: Decision,
}

fn location(model: &Model, pos: Pos) -> Location {
    Location {
        file: model.file_name(pos.file).to_string(),
        line: pos.line,
    }
}

/// Explain `name` in a resolved configuration.
pub fn explain(cfg: &mut Config<'_>, name: &str) -> Explanation {
    let model = cfg.model;
    let Some(sym) = model
        .lookup(name)
        .filter(|&s| !model.symbol(s).menus.is_empty())
    else {
        return Explanation {
            symbol: name.to_string(),
            stype: "unknown".to_string(),
            value: "n".to_string(),
            written: false,
            definitions: Vec::new(),
            visible: "n".to_string(),
            prompts: Vec::new(),
            depends_on: None,
            selected_by: Vec::new(),
            implied_by: Vec::new(),
            defaults: Vec::new(),
            user_value: None,
            decided_by: Decision::Undefined,
        };
    };
    let value = cfg.string_value(sym);
    let written = cfg.is_written(sym);
    let visible = cfg.visible(sym);
    let stype = cfg.stype(sym);
    let definitions = model
        .symbol(sym)
        .menus
        .iter()
        .map(|&m| location(model, model.menu(m).pos))
        .collect();
    let cond_reason = |cfg: &mut Config<'_>, e: Option<&Expr>, pos: Pos| -> Reason {
        let (text, value) = match e {
            Some(e) => (cfg.expr_with_values(e), cfg.eval(e)),
            None => ("y".to_string(), Tristate::Yes),
        };
        Reason {
            text,
            value: value.as_str().to_string(),
            location: Some(location(model, pos)),
        }
    };
    let mut prompts = Vec::new();
    let mut defaults = Vec::new();
    let mut active_default = None;
    let mut active_range = None;
    for &prop in &model.symbol(sym).props {
        let p = model.prop(prop);
        let cond = cfg.fin.prop_cond[prop.0 as usize].clone();
        match p.kind {
            PropKind::Prompt | PropKind::Menu => {
                prompts.push(cond_reason(cfg, cond.as_ref(), p.pos))
            }
            PropKind::Default => {
                let mut reason = cond_reason(cfg, cond.as_ref(), p.pos);
                let value_text = p
                    .expr
                    .as_ref()
                    .map(|e| cfg.expr_with_values(e))
                    .unwrap_or_default();
                reason.text = format!("{value_text} if {}", reason.text);
                if active_default.is_none() && reason.value != "n" {
                    active_default = Some(location(model, p.pos));
                }
                defaults.push(reason);
            }
            PropKind::Range
                if active_range.is_none() && cfg.eval_opt(cond.as_ref()) != Tristate::No =>
            {
                active_range = Some(location(model, p.pos));
            }
            _ => {}
        }
    }
    let depends_on = cfg.fin.dir_dep[sym.0 as usize].clone().map(|e| {
        let v = cfg.eval(&e);
        Reason {
            text: cfg.expr_with_values(&e),
            value: v.as_str().to_string(),
            location: None,
        }
    });
    // Every select and imply naming this symbol, from the symbols that state them.
    let mut selected_by = Vec::new();
    let mut implied_by = Vec::new();
    for (index, p) in model.props.iter().enumerate() {
        if !matches!(p.kind, PropKind::Select | PropKind::Imply) || p.expr != Some(Expr::sym(sym)) {
            continue;
        }
        let Some(owner) = model.menu(p.menu).sym else {
            continue;
        };
        let cond = cfg.fin.prop_cond[index].clone();
        let term = Expr::and_opt(Some(Expr::sym(owner)), cond);
        let reason = cond_reason(cfg, term.as_ref(), p.pos);
        if p.kind == PropKind::Select {
            selected_by.push(reason);
        } else {
            implied_by.push(reason);
        }
    }
    let user_value = if cfg.has_user_value(sym) {
        match stype {
            SymbolType::Bool | SymbolType::Tristate => {
                cfg.user_tri(sym).map(|t| t.as_str().to_string())
            }
            _ => cfg.user_val(sym).map(str::to_string),
        }
    } else {
        None
    };
    let decided_by = decide(
        cfg,
        sym,
        &value,
        visible,
        &user_value,
        &selected_by,
        &implied_by,
        active_default,
        active_range,
    );
    Explanation {
        symbol: name.to_string(),
        stype: stype.kernel_name().to_string(),
        value,
        written,
        definitions,
        visible: visible.as_str().to_string(),
        prompts,
        depends_on,
        selected_by,
        implied_by,
        defaults,
        user_value,
        decided_by,
    }
}

#[allow(clippy::too_many_arguments)]
fn decide(
    cfg: &mut Config<'_>,
    sym: SymbolId,
    value: &str,
    visible: Tristate,
    user_value: &Option<String>,
    selected_by: &[Reason],
    implied_by: &[Reason],
    active_default: Option<Location>,
    active_range: Option<Location>,
) -> Decision {
    let model = cfg.model;
    if let Some(choice) = cfg.fin.choice_of[sym.0 as usize] {
        if cfg.fin.is_choice_value[sym.0 as usize] {
            let members: Vec<SymbolId> = cfg
                .fin
                .choice_members
                .iter()
                .find(|(m, _)| *m == choice)
                .map(|(_, s)| s.clone())
                .unwrap_or_default();
            let selected = members.into_iter().find(|&m| cfg.tri(m) == Tristate::Yes);
            return Decision::Choice {
                selected: selected.map(|s| model.sym_name(s).to_string()),
            };
        }
    }
    let is_tristate = matches!(cfg.stype(sym), SymbolType::Bool | SymbolType::Tristate);
    if is_tristate {
        let raised_by = |reasons: &[Reason]| {
            reasons
                .iter()
                .any(|r| r.value == value || (value != "n" && r.value != "n"))
        };
        let rev = cfg.rev_dep_tri(sym);
        if rev != Tristate::No && rev.as_str() == value {
            if let (Some(u), true) = (user_value, visible != Tristate::No) {
                if u == value {
                    return Decision::User {
                        requested: u.clone(),
                        limited: false,
                    };
                }
            }
            if raised_by(selected_by) {
                return Decision::Selected;
            }
        }
        if let (Some(u), true) = (user_value, visible != Tristate::No) {
            return Decision::User {
                requested: u.clone(),
                limited: u != value,
            };
        }
        if cfg.implied_tri(sym) != Tristate::No && raised_by(implied_by) && active_default.is_none()
        {
            return Decision::Implied;
        }
        if value == "n" && cfg.dir_dep_tri(sym) == Tristate::No {
            return Decision::Dependencies;
        }
    } else {
        if let Some(location) = active_range {
            let raw = user_value.clone().filter(|_| visible != Tristate::No);
            if raw.as_deref().is_some_and(|u| u != value) {
                return Decision::Range { location };
            }
        }
        if let (Some(u), true) = (user_value, visible != Tristate::No) {
            return Decision::User {
                requested: u.clone(),
                limited: u != value,
            };
        }
    }
    match active_default {
        Some(location) => Decision::Default { location },
        None => Decision::NoDefault,
    }
}

impl std::fmt::Display for Explanation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.decided_by == Decision::Undefined {
            return writeln!(
                f,
                "CONFIG_{} is not defined for this arch and tree: it reads as n",
                self.symbol
            );
        }
        writeln!(
            f,
            "CONFIG_{}={} ({}{})",
            self.symbol,
            self.value,
            self.stype,
            if self.written {
                ""
            } else {
                ", not written to .config"
            }
        )?;
        let because = match &self.decided_by {
            Decision::Undefined => unreachable!("handled above"),
            Decision::User {
                requested,
                limited: false,
            } => format!("the configuration sets it to {requested}"),
            Decision::User {
                requested,
                limited: true,
            } => {
                format!(
                    "the configuration asks for {requested}, limited by its dependencies to {}",
                    self.value
                )
            }
            Decision::Default { location } => format!("the default at {location}"),
            Decision::Dependencies => {
                "its dependencies are not met (depends on, below)".to_string()
            }
            Decision::NoDefault => "no default applies and nothing selects it".to_string(),
            Decision::Selected => "it is selected (see below)".to_string(),
            Decision::Implied => "it is implied (see below)".to_string(),
            Decision::Choice { selected: Some(s) } if *s == self.symbol => {
                "its choice picks it".to_string()
            }
            Decision::Choice { selected: Some(s) } => format!("its choice picks CONFIG_{s}"),
            Decision::Choice { selected: None } => "its choice picks nothing".to_string(),
            Decision::Range { location } => format!("the range at {location} clamps it"),
        };
        writeln!(f, "  decided by: {because}")?;
        for d in &self.definitions {
            writeln!(f, "  defined at {d}")?;
        }
        if let Some(dep) = &self.depends_on {
            writeln!(f, "  depends on [{}]: {}", dep.value, dep.text)?;
        }
        for p in &self.prompts {
            writeln!(
                f,
                "  prompt [{}] at {}: {}",
                p.value,
                p.location
                    .as_ref()
                    .map(|l| l.to_string())
                    .unwrap_or_default(),
                p.text
            )?;
        }
        for (title, list) in [
            ("selected by", &self.selected_by),
            ("implied by", &self.implied_by),
            ("default", &self.defaults),
        ] {
            for r in list.iter() {
                let at = r
                    .location
                    .as_ref()
                    .map(|l| format!(" at {l}"))
                    .unwrap_or_default();
                writeln!(f, "  {title} [{}]{at}: {}", r.value, r.text)?;
            }
        }
        if let Some(u) = &self.user_value {
            writeln!(f, "  configuration value: {u}")?;
        }
        Ok(())
    }
}
