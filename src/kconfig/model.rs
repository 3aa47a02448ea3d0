//! The Kconfig model: symbols, menu entries and properties, each with its source position.
//!
//! This is what the parser produces and the resolver consumes. It mirrors the kernel's
//! `struct symbol`, `struct menu` and `struct property` (scripts/kconfig/expr.h) closely
//! enough that the resolver can follow the C, but with indices instead of pointers.
//! This module holds data only: no parsing, no evaluation.

use std::fmt;

use super::expr::Expr;
pub use super::expr::SymbolId;

/// Index of a menu entry in `Model::menus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct MenuId(pub u32);

/// Index of a property in `Model::props`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct PropId(pub u32);

/// Index of a file in `Model::files`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct FileId(pub u32);

/// A symbol's type, as `enum symbol_type` in expr.h.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SymbolType {
    Unknown,
    Bool,
    Tristate,
    Int,
    Hex,
    String,
}

impl SymbolType {
    /// The name conf uses in messages (`sym_type_name()`).
    pub fn kernel_name(self) -> &'static str {
        match self {
            SymbolType::Unknown => "unknown",
            SymbolType::Bool => "bool",
            SymbolType::Tristate => "tristate",
            SymbolType::Int => "integer",
            SymbolType::Hex => "hex",
            SymbolType::String => "string",
        }
    }

    /// The keyword used to declare it in Kconfig.
    pub fn keyword(self) -> &'static str {
        match self {
            SymbolType::Unknown => "unknown",
            SymbolType::Bool => "bool",
            SymbolType::Tristate => "tristate",
            SymbolType::Int => "int",
            SymbolType::Hex => "hex",
            SymbolType::String => "string",
        }
    }
}

impl fmt::Display for SymbolType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

/// A place in a Kconfig file: the statement's first line and its byte span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pos {
    pub file: FileId,
    /// 1-based line of the statement's first token, as conf reports it.
    pub line: u32,
    /// Byte range of the statement in the file, continuation lines included.
    pub start: u32,
    pub end: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Symbol {
    /// `None` for the anonymous symbol of a `choice`.
    pub name: Option<std::sync::Arc<str>>,
    /// Quoted strings in expressions and the constants `n`, `m`, `y`.
    pub is_const: bool,
    /// The symbol of a `choice` block.
    pub is_choice: bool,
    pub stype: SymbolType,
    /// Every property of every definition, in definition order (`sym->prop`).
    pub props: Vec<PropId>,
    /// Every menu entry that defines it (`sym->menus`).
    pub menus: Vec<MenuId>,
    /// `transitional`: read from .config, never written.
    pub transitional: bool,
    /// 6.1 choices may be `optional`.
    pub optional: bool,
    /// Kernels before 5.13: `option allnoconfig_y`.
    pub allnoconfig_y: bool,
    /// Kernels before 5.13: the symbol of `option defconfig_list` (SYMBOL_NO_WRITE): it has
    /// a value, but conf never writes it to .config, auto.conf or a defconfig.
    pub no_write: bool,
}

/// The kind of a property, as `enum prop_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PropKind {
    Prompt,
    Comment,
    Menu,
    Default,
    Select,
    Imply,
    Range,
}

impl PropKind {
    pub fn keyword(self) -> &'static str {
        match self {
            PropKind::Prompt => "prompt",
            PropKind::Comment => "comment",
            PropKind::Menu => "menu",
            PropKind::Default => "default",
            PropKind::Select => "select",
            PropKind::Imply => "imply",
            PropKind::Range => "range",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    pub kind: PropKind,
    pub menu: MenuId,
    /// The default value, selected or implied symbol, or the `Range` bounds.
    pub expr: Option<Expr>,
    /// The `if` condition (`prop->visible.expr`); for prompts, ANDed with enclosing
    /// `visible if` conditions as menu_add_prompt() does.
    pub cond: Option<Expr>,
    /// Prompt, menu or comment text.
    pub text: Option<std::sync::Arc<str>>,
    pub pos: Pos,
}

/// What kind of statement made a menu entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MenuKind {
    Root,
    Config,
    MenuConfig,
    Choice,
    Menu,
    Comment,
    If,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Menu {
    pub kind: MenuKind,
    pub parent: Option<MenuId>,
    pub children: Vec<MenuId>,
    pub sym: Option<SymbolId>,
    pub prompt: Option<PropId>,
    /// `depends on` of this entry (or the condition of an `if` block), ANDed in order.
    pub dep: Option<Expr>,
    /// Each `depends on` line by itself, with its position.
    pub depends: Vec<(Expr, Pos)>,
    /// `visible if` of a menu.
    pub visibility: Option<Expr>,
    pub help: Option<std::sync::Arc<str>>,
    pub pos: Pos,
}

/// A problem found while reading Kconfig, with its position.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: String,
    pub line: u32,
    pub message: String,
    /// Exactly what the kernel's conf prints for it (no trailing newline).
    #[serde(skip)]
    pub kernel: String,
}

/// How conf lays out a message: the C function that prints it decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KernelStyle {
    /// `file:line: message` (zconf_error(), zconfprint(), pperror(), warning-if).
    Plain,
    /// `file:line:warning: message` (the lexer, menu_warn(), prop_warn()).
    Warning,
    /// `file:line: error: message` (checks of choices in the parser).
    Error,
    /// The message alone.
    Bare,
}

impl Diagnostic {
    pub fn new(
        severity: Severity,
        file: &str,
        line: u32,
        message: String,
        style: KernelStyle,
    ) -> Self {
        let kernel = match style {
            KernelStyle::Plain => format!("{file}:{line}: {message}"),
            KernelStyle::Warning => format!("{file}:{line}:warning: {message}"),
            KernelStyle::Error => format!("{file}:{line}: error: {message}"),
            KernelStyle::Bare => message.clone(),
        };
        Diagnostic {
            severity,
            file: file.to_string(),
            line,
            message,
            kernel,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if self.file.is_empty() {
            write!(f, "{kind}: {}", self.message)
        } else {
            write!(f, "{}:{}: {kind}: {}", self.file, self.line, self.message)
        }
    }
}

/// The parsed Kconfig tree of one revision and architecture.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Files in the order the kernel reads them (first reading only), as `source` named them.
    pub files: Vec<String>,
    pub symbols: Vec<Symbol>,
    pub menus: Vec<Menu>,
    pub props: Vec<Property>,
    /// The symbol carrying `modules` (`modules_sym`), normally MODULES.
    pub modules_sym: Option<SymbolId>,
    /// The tree sets symbol flags with `option modules`, `option defconfig_list` or `option
    /// allnoconfig_y`: the Kconfig language of kernels before 5.13, read by a conf whose
    /// conf_write() closes a menu with `# end of` only when the menu has entries.
    pub option_statements: bool,
    /// Environment variables the macro language read, with their values, in first-use order
    /// (what the kernel writes to include/config/auto.conf.cmd).
    pub env_used: Vec<(String, String)>,
    /// Files where the macro language was used (an expansion or an assignment), sorted: a
    /// variable one of them assigns can change what the others expand to.
    pub macro_files: Vec<String>,
    /// `$(shell,...)` commands the tree asked for, in order, with how each was answered.
    pub shell_commands: Vec<super::macros::ShellRecord>,
    pub diagnostics: Vec<Diagnostic>,
    /// What `$(info,...)` printed, in order (conf prints it on standard output).
    pub info: Vec<String>,
    /// Lookup of non-constant symbols by name.
    pub by_name: crate::FastMap<std::sync::Arc<str>, SymbolId>,
    /// Lookup of constant symbols (quoted strings) by text.
    pub const_by_name: crate::FastMap<std::sync::Arc<str>, SymbolId>,
}

impl Model {
    pub const ROOT: MenuId = MenuId(0);

    pub fn symbol(&self, id: SymbolId) -> &Symbol {
        &self.symbols[id.0 as usize]
    }

    pub fn menu(&self, id: MenuId) -> &Menu {
        &self.menus[id.0 as usize]
    }

    pub fn prop(&self, id: PropId) -> &Property {
        &self.props[id.0 as usize]
    }

    pub fn file_name(&self, id: FileId) -> &str {
        &self.files[id.0 as usize]
    }

    pub fn lookup(&self, name: &str) -> Option<SymbolId> {
        self.by_name.get(name).copied()
    }

    /// The name of a symbol for messages: choices are `<choice>`.
    pub fn sym_name(&self, id: SymbolId) -> &str {
        self.symbol(id).name.as_deref().unwrap_or("<choice>")
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }

    /// Symbols defined by a `config` or `menuconfig` entry, in first-definition order.
    pub fn defined_symbols(&self) -> impl Iterator<Item = SymbolId> + '_ {
        self.symbols.iter().enumerate().filter_map(|(index, sym)| {
            let defined = sym.name.is_some() && !sym.menus.is_empty() && !sym.is_const;
            defined.then_some(SymbolId(index as u32))
        })
    }

    /// Every field as text, the name lookups sorted: two models read alike when their
    /// dumps are equal.
    pub fn dump(&self) -> String {
        let mut by_name: Vec<_> = self.by_name.iter().collect();
        by_name.sort();
        let mut const_by_name: Vec<_> = self.const_by_name.iter().collect();
        const_by_name.sort();
        format!(
            "files {:?}\nsymbols {:#?}\nmenus {:#?}\nprops {:#?}\nmodules {:?} options {:?}\n\
             env {:?}\nmacros {:?}\nshell {:?}\ndiagnostics {:#?}\ninfo {:?}\nnames {:?}\nconsts {:?}\n",
            self.files,
            self.symbols,
            self.menus,
            self.props,
            self.modules_sym,
            self.option_statements,
            self.env_used,
            self.macro_files,
            self.shell_commands,
            self.diagnostics,
            self.info,
            by_name,
            const_by_name
        )
    }

    /// Walk the menu tree depth first, as menu_for_each_entry() does.
    pub fn menu_walk(&self) -> MenuWalk<'_> {
        MenuWalk {
            model: self,
            stack: vec![(Self::ROOT, 0)],
        }
    }
}

/// Depth-first iterator over menu entries (the root excluded).
pub struct MenuWalk<'a> {
    model: &'a Model,
    stack: Vec<(MenuId, usize)>,
}

impl Iterator for MenuWalk<'_> {
    type Item = MenuId;

    fn next(&mut self) -> Option<MenuId> {
        loop {
            let (menu, child_index) = *self.stack.last()?;
            let children = &self.model.menu(menu).children;
            if child_index < children.len() {
                self.stack.last_mut().expect("stack is not empty here").1 += 1;
                let child = children[child_index];
                self.stack.push((child, 0));
                return Some(child);
            }
            self.stack.pop();
        }
    }
}
