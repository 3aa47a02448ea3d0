//! The Kconfig parser: scripts/kconfig/parser.y and the menu_add_*() builders of menu.c.
//!
//! A recursive-descent parser over the lexer's tokens. It builds the menu tree and the
//! symbol table as the kernel's parser actions do, and never stops at an error: each one is
//! recorded with file and line (in the kernel's wording where it has one) and parsing goes
//! on from the next line. Files are read through `Source`; `source` statements that name a
//! missing file are errors, not panics.

use super::expr::{CmpOp, Expr};
use super::fragments::{
    Context, Fragment, Marks, Op, Recording, SubtreeCache, SymRef, RECORD_DEPTH,
};
use super::lexer::{keyword, Lexer, Tok, Token};
use super::macros::{Flavor, MacroEvent, Preprocessor};
use super::model::*;
use crate::source::Source;

/// Which generation of the Kconfig language a tree speaks: what the conf make would
/// build from the tree's own scripts/kconfig accepts, never its version number (a
/// backport, or a series that changes scripts/kconfig, speaks what its sources say).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Dialect {
    optional_choices: bool,
    bool_choices_only: bool,
}

impl Dialect {
    /// Kconfig since 6.11: bool choices only, no `optional`. Also what a tree without
    /// scripts/kconfig is read as.
    pub const CURRENT: Dialect = Dialect {
        optional_choices: false,
        bool_choices_only: true,
    };
    /// Kconfig before 6.10: tristate and `optional` choices.
    pub const TRISTATE_CHOICES: Dialect = Dialect {
        optional_choices: true,
        bool_choices_only: false,
    };

    /// The dialect of the tree's scripts/kconfig: lexer.l that returns T_OPTIONAL for
    /// `optional` (removed in 6.10), parser.y that rejects a choice member that is not
    /// bool (tristate choices removed in 6.11). A part that is missing counts as current.
    pub fn of_tree(source: &dyn Source) -> Dialect {
        let text = |path: &str| -> Option<String> {
            match source.read(path) {
                Ok(Some(bytes)) => Some(String::from_utf8_lossy(&bytes).into_owned()),
                _ => None,
            }
        };
        Dialect {
            optional_choices: text("scripts/kconfig/lexer.l")
                .is_some_and(|t| t.contains("\"optional\"")),
            bool_choices_only: text("scripts/kconfig/parser.y")
                .is_none_or(|t| t.contains("choice member must be bool")),
        }
    }

    /// Choice members must be bool and have a prompt; choices are bool and unnamed.
    pub fn bool_choices_only(self) -> bool {
        self.bool_choices_only
    }

    /// Choices may be `optional`.
    pub fn optional_choices(self) -> bool {
        self.optional_choices
    }
}

impl Default for Dialect {
    fn default() -> Self {
        Dialect::CURRENT
    }
}

/// The block a statement list is parsed in; decides which `end*` closes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    Top,
    Menu,
    Choice,
    If,
}

impl Block {
    fn name(self) -> &'static str {
        match self {
            Block::Top => "top",
            Block::Menu => "menu",
            Block::Choice => "choice",
            Block::If => "if",
        }
    }
}

/// `visible if` conditions menu_add_prompt() may copy into prompts, over a whole tree.
/// Each prompt gets every enclosing menu's condition, so D nested menus around N prompts
/// copy D x N, and resolving recurses down the D of each prompt a dependency chain
/// crosses: 1,100 menus around a chain of 1,300 prompts (64 KiB) took 180 MB of stack
/// and 16 s of finalization, 1,450 around 1,450 (80 KB) overflowed the 256 MiB stack.
/// The 6.1 tree copies 246. At this budget, at most about 9 MB of stack.
const MAX_INHERITED_VISIBILITY: usize = 1 << 16;

/// Operands in one entry's expressions and its enclosing blocks' dependencies together:
/// finalization ANDs them into one expression and rewrites it recursively, a level per
/// operand (1,000,000 in one `depends on` line, 9 MB of Kconfig, overflowed the 256 MiB
/// stack). The trees of 5.10 to 7.2 hold at most 294 (5.10, arm). At this budget, about
/// 5 MB of stack.
const MAX_ENTRY_OPERANDS: u32 = 16_384;
/// Operands in the dependencies of all entries of a tree, each entry counted with its
/// blocks' (the sum of what MAX_ENTRY_OPERANDS bounds): what resolution and the
/// dependency checks walk. 16,000 entries inside an `if` of 16,000 operands (860 KB)
/// took 34 s to configure. The trees of 5.10 to 7.2 hold at most 241,188 (7.2, arm); the
/// 4,996 nested `if` blocks conf's parser stack allows hold 12.5 million; inputs shaped
/// to reach the budget configure in about a second.
const MAX_TREE_OPERANDS: u64 = 16_000_000;
/// Files a tree opens with `source` statements, and the bytes of Kconfig it reads. A file
/// whose last line sources it again, without a newline, is read forever by conf (its end
/// closes it before the `source` line is seen, so the recursion check passes): 78 bytes
/// filled 8 GB. Every file named `Kconfig*` in 7.2, all arches together: 1,916 files,
/// 7.1 MB; one arch's tree opens fewer.
#[cfg(not(fuzzing))]
const MAX_SOURCED: u32 = 8_000;
#[cfg(not(fuzzing))]
const MAX_TREE_BYTES: u64 = 32 << 20;
/// The fuzz targets' trees are a few small files: an input that sources them over and
/// over reaches these in milliseconds.
#[cfg(fuzzing)]
const MAX_SOURCED: u32 = 256;
#[cfg(fuzzing)]
const MAX_TREE_BYTES: u64 = 256 << 10;
/// `select` and `imply` lines naming one symbol: each adds a level to its reverse
/// dependency. The trees of 5.10 to 7.2 have at most 567 for one symbol.
const MAX_SELECTS: u32 = 16_384;

/// The entries of conf's parser stack: bison's default YYMAXDEPTH, which parser.y keeps.
/// Deeper nesting makes conf print `memory exhausted` at the line and stop reading, and so
/// does the parser here, counting entries as bison holds them: 2 per open `if`, `menu` or
/// `choice` block, 7 for a statement's own tokens, 1 per `!` or `(` pending, 2 per `&&` or
/// `||` whose right side is being read, and the operand (measured against conf for
/// `depends on` lines at the top and inside blocks, to the entry; other statements hold
/// up to 3 fewer or 1 more). Without it, recursion follows the nesting: 1.5 million
/// nested parentheses in a 3 MB file overflowed the 256 MiB stack.
const PARSER_STACK: u32 = 10_000;
/// What a statement's own tokens hold of the parser stack, besides its expression.
const STATEMENT_ENTRIES: u32 = 7;

pub struct Parser<'a> {
    source: &'a dyn Source,
    lexer: Lexer,
    pub pp: Preprocessor,
    model: Model,
    dialect: Dialect,
    file_ids: crate::FastMap<String, FileId>,
    /// One token of lookahead.
    peeked: Option<Token>,
    /// Position of the last token consumed (for statement spans).
    last_end: u32,
    current_menu: MenuId,
    current_entry: MenuId,
    current_choice: Option<MenuId>,
    /// The symbol of `option defconfig_list` (`sym_defconfig_list`), before 5.13.
    defconfig_list: Option<SymbolId>,
    /// `visible if` conditions copied into prompts so far (MAX_INHERITED_VISIBILITY).
    inherited_visibility: usize,
    /// Open `if`, `menu` and `choice` blocks, and the parser-stack entries of the
    /// expression being read (PARSER_STACK).
    blocks: u32,
    expr_entries: u32,
    /// The parser stack ran out: the rest of the input is not read, and nothing more said.
    exhausted: bool,
    /// Per menu entry, the operands of its expressions and of its enclosing blocks'
    /// (MAX_ENTRY_OPERANDS), and whether an entry has gone past it.
    entry_operands: Vec<u32>,
    operands_exceeded: bool,
    /// The sum of `entry_operands` over the entries so far (MAX_TREE_OPERANDS).
    tree_operands: u64,
    /// Files opened by `source` and bytes read (MAX_SOURCED, MAX_TREE_BYTES).
    sourced: u32,
    bytes_read: u64,
    /// `select` and `imply` lines per target (MAX_SELECTS).
    selects: crate::FastMap<SymbolId, u32>,
    /// Subtrees to splice in and to keep (`fragments`), and those being recorded, the
    /// outermost first.
    subtrees: Option<SubtreeCache>,
    recording: Vec<Recording>,
    /// Tokens consumed so far.
    bumps: u64,
}

impl<'a> Parser<'a> {
    pub fn new(source: &'a dyn Source, pp: Preprocessor, dialect: Dialect) -> Self {
        let mut model = Model {
            files: Vec::new(),
            symbols: Vec::new(),
            menus: Vec::new(),
            props: Vec::new(),
            modules_sym: None,
            option_statements: false,
            env_used: Vec::new(),
            macro_files: Vec::new(),
            shell_commands: Vec::new(),
            diagnostics: Vec::new(),
            info: Vec::new(),
            by_name: Default::default(),
            const_by_name: Default::default(),
        };
        for name in ["n", "m", "y"] {
            model.symbols.push(Symbol {
                name: Some(name.into()),
                is_const: true,
                is_choice: false,
                stype: SymbolType::Tristate,
                props: Vec::new(),
                menus: Vec::new(),
                transitional: false,
                optional: false,
                allnoconfig_y: false,
                no_write: false,
            });
        }
        model.menus.push(Menu {
            kind: MenuKind::Root,
            parent: None,
            children: Vec::new(),
            sym: None,
            prompt: None,
            dep: None,
            depends: Vec::new(),
            visibility: None,
            help: None,
            pos: Pos {
                file: FileId(0),
                line: 0,
                start: 0,
                end: 0,
            },
        });
        Parser {
            source,
            lexer: Lexer::new(),
            pp,
            model,
            dialect,
            file_ids: Default::default(),
            peeked: None,
            last_end: 0,
            current_menu: Model::ROOT,
            current_entry: Model::ROOT,
            current_choice: None,
            defconfig_list: None,
            inherited_visibility: 0,
            blocks: 0,
            expr_entries: 0,
            exhausted: false,
            entry_operands: vec![0],
            operands_exceeded: false,
            tree_operands: 0,
            sourced: 0,
            bytes_read: 0,
            selects: Default::default(),
            subtrees: None,
            recording: Vec::new(),
            bumps: 0,
        }
    }

    /// Make room for a model the size of `like` (the tree of the commit before): the
    /// tables are then filled without growing.
    pub fn with_room_for(mut self, like: &Model) -> Self {
        let m = &mut self.model;
        m.files.reserve(like.files.len());
        m.symbols.reserve(like.symbols.len());
        m.menus.reserve(like.menus.len());
        m.props.reserve(like.props.len());
        m.by_name.reserve(like.by_name.len());
        m.const_by_name.reserve(like.const_by_name.len());
        self.file_ids.reserve(like.files.len());
        self.entry_operands.reserve(like.menus.len());
        self
    }

    /// Splice in the subtrees `cache` holds where they apply, and keep there the subtrees
    /// this parse makes (`fragments`).
    pub fn with_subtrees(mut self, cache: SubtreeCache) -> Self {
        self.subtrees = Some(cache);
        self
    }

    /// Parse the tree from `root` (normally `Kconfig`) and return the model.
    pub fn parse(mut self, root: &str) -> Model {
        match self.read_file(root) {
            Some(text) if text.is_empty() => {
                self.model.diagnostics.push(Diagnostic::new(
                    Severity::Error,
                    root,
                    1,
                    "file is empty: no Kconfig statements to read".to_string(),
                    KernelStyle::Plain,
                ));
            }
            Some(text) => {
                let file = self.file_id(root);
                self.lexer.push_file(file, root, text);
                self.parse_input();
            }
            None => {
                self.model.diagnostics.push(Diagnostic::new(
                    Severity::Error,
                    "",
                    0,
                    format!("can't find file {root}"),
                    KernelStyle::Bare,
                ));
            }
        }
        self.finish()
    }

    fn finish(mut self) -> Model {
        self.recording.clear();
        self.flush_lexer_warnings();
        self.flush_macro_events();
        self.model.env_used = std::mem::take(&mut self.pp.env_used);
        let mut macro_files = std::mem::take(&mut self.pp.used_in);
        macro_files.sort_unstable();
        macro_files.dedup();
        self.model.macro_files = macro_files;
        self.model.shell_commands = std::mem::take(&mut self.pp.shell_log);
        // Kconfig without a prompt for the main menu gets the kernel's default one.
        if self.model.menu(Model::ROOT).prompt.is_none() {
            self.current_entry = Model::ROOT;
            self.add_prompt(PropKind::Menu, "Main menu".to_string(), None);
        }
        self.model
    }

    fn flush_lexer_warnings(&mut self) {
        for warning in std::mem::take(&mut self.lexer.warnings) {
            self.model.diagnostics.push(Diagnostic::new(
                Severity::Warning,
                &warning.file,
                warning.line,
                warning.message,
                KernelStyle::Warning,
            ));
        }
    }

    fn flush_macro_events(&mut self) {
        for (file, line, event) in std::mem::take(&mut self.pp.events) {
            let (severity, message) = match event {
                MacroEvent::Info(m) => {
                    self.model.info.push(m);
                    continue;
                }
                MacroEvent::Warning(m) => (Severity::Warning, m),
                MacroEvent::Error(m) => (Severity::Error, m),
            };
            self.model.diagnostics.push(Diagnostic::new(
                severity,
                &file,
                line,
                message,
                KernelStyle::Plain,
            ));
        }
    }

    /// Read a file through the source, decoding it; `None` when it does not exist.
    fn read_file(&mut self, name: &str) -> Option<String> {
        if !self.recording.is_empty() {
            let id = self.source.content_id(name);
            for r in &mut self.recording {
                match id {
                    Some(id) => r.reads.push((name.to_string(), id)),
                    None => r.tainted = true,
                }
            }
        }
        let bytes = match self.source.read(name) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return None,
            Err(err) => {
                self.error_at(name.to_string(), 0, err.to_string());
                return None;
            }
        };
        match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(err) => {
                let valid = err.utf8_error().valid_up_to();
                let bytes = err.into_bytes();
                let line = 1 + bytes[..valid].iter().filter(|&&b| b == b'\n').count();
                let column = valid
                    - bytes[..valid]
                        .iter()
                        .rposition(|&b| b == b'\n')
                        .map(|p| p + 1)
                        .unwrap_or(0)
                    + 1;
                self.error_at(
                    name.to_string(),
                    line as u32,
                    format!(
                        "invalid UTF-8 (byte 0x{:02x} at column {column}); read as U+FFFD",
                        bytes[valid]
                    ),
                );
                Some(String::from_utf8_lossy(&bytes).into_owned())
            }
        }
    }

    fn file_id(&mut self, name: &str) -> FileId {
        let id = match self.file_ids.get(name) {
            Some(&id) => id,
            None => {
                let id = FileId(self.model.files.len() as u32);
                self.model.files.push(name.to_string());
                self.file_ids.insert(name.to_string(), id);
                id
            }
        };
        for r in &mut self.recording {
            r.file(id, name);
        }
        id
    }

    // ---- diagnostics -------------------------------------------------------------------

    fn error_at(&mut self, file: String, line: u32, message: String) {
        self.error_styled(file, line, message, KernelStyle::Plain);
    }

    fn error_styled(&mut self, file: String, line: u32, message: String, style: KernelStyle) {
        if self.exhausted {
            return;
        }
        self.model.diagnostics.push(Diagnostic::new(
            Severity::Error,
            &file,
            line,
            message,
            style,
        ));
    }

    fn stmt_file_name(&self) -> String {
        self.model
            .files
            .get(self.lexer.stmt_file.0 as usize)
            .cloned()
            .unwrap_or_default()
    }

    /// zconf_error(): an error at the current statement.
    fn error(&mut self, message: String) {
        let file = self.stmt_file_name();
        self.error_at(file, self.lexer.stmt_line, message);
    }

    /// zconfprint(): a warning at the current statement.
    fn warning(&mut self, message: String) {
        if self.exhausted {
            return;
        }
        let file = self.stmt_file_name();
        let mut diag = Diagnostic::new(
            Severity::Warning,
            &file,
            self.lexer.stmt_line,
            message,
            KernelStyle::Plain,
        );
        diag.kernel = format!("{file}:{}: warning: {}", diag.line, diag.message);
        self.model.diagnostics.push(diag);
    }

    /// menu_warn() / prop_warn(): a warning at an entry or property.
    fn warning_at(&mut self, pos: Pos, message: String) {
        if self.exhausted {
            return;
        }
        let file = self.model.file_name(pos.file).to_string();
        self.model.diagnostics.push(Diagnostic::new(
            Severity::Warning,
            &file,
            pos.line,
            message,
            KernelStyle::Warning,
        ));
    }

    // ---- tokens ------------------------------------------------------------------------

    fn peek(&mut self) -> &Tok {
        if self.exhausted {
            let eof = Token {
                tok: Tok::Eof,
                file: self.lexer.stmt_file,
                line: self.lexer.stmt_line,
                start: self.last_end,
                end: self.last_end,
            };
            self.peeked = Some(eof);
        } else if self.peeked.is_none() {
            let before = (self.lexer.stmt_file, self.lexer.stmt_line);
            let token = self.lexer.next(&mut self.pp);
            if !self.recording.is_empty() {
                self.note_closed_files(before);
            }
            if !self.lexer.warnings.is_empty() {
                self.flush_lexer_warnings();
            }
            if !self.pp.events.is_empty() {
                self.flush_macro_events();
            }
            self.peeked = Some(token);
        }
        &self.peeked.as_ref().expect("just filled").tok
    }

    fn bump(&mut self) -> Token {
        self.peek();
        self.bumps += 1;
        let token = self.peeked.take().expect("peek filled it");
        self.last_end = token.end;
        token
    }

    fn at(&mut self, tok: &Tok) -> bool {
        self.peek() == tok
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        if self.at(tok) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// The position of the statement being parsed, ending at the last token consumed.
    fn stmt_pos(&self) -> Pos {
        Pos {
            file: self.lexer.stmt_file,
            line: self.lexer.stmt_line,
            start: self.lexer.stmt_start,
            end: self.last_end.max(self.lexer.stmt_start),
        }
    }

    /// After a syntax error: report it and drop the rest of the statement.
    fn syntax_error(&mut self, expected: &str) {
        let found = self.peek().describe();
        self.error(format!(
            "syntax error, unexpected {found}, expecting {expected}"
        ));
        self.skip_line();
    }

    fn skip_line(&mut self) {
        loop {
            match self.peek() {
                Tok::Eol => {
                    self.bump();
                    return;
                }
                Tok::Eof => return,
                _ => {
                    self.bump();
                }
            }
        }
    }

    /// Expect the end of the statement.
    fn expect_eol(&mut self) -> bool {
        if self.eat(&Tok::Eol) {
            true
        } else {
            self.syntax_error("end of line");
            false
        }
    }

    // ---- symbols -----------------------------------------------------------------------

    /// sym_lookup(): `y`, `m` and `n` are the constants; quoted text is a constant symbol
    /// of its own, distinct from a config symbol of the same name.
    fn lookup(&mut self, name: &str, is_const: bool) -> SymbolId {
        self.lookup_shared(name, None, is_const)
    }

    /// `lookup`, where the name may come shared (from a kept subtree): the recordings then
    /// share it too.
    fn lookup_shared(
        &mut self,
        name: &str,
        shared: Option<&std::sync::Arc<str>>,
        is_const: bool,
    ) -> SymbolId {
        match name {
            "n" => return SymbolId::NO,
            "m" => return SymbolId::MOD,
            "y" => return SymbolId::YES,
            _ => {}
        }
        let table = if is_const {
            &self.model.const_by_name
        } else {
            &self.model.by_name
        };
        let id = match table.get(name) {
            Some(&id) => id,
            None => {
                // A name from a kept subtree is shared, not copied.
                let name: std::sync::Arc<str> = match shared {
                    Some(shared) => shared.clone(),
                    None => name.into(),
                };
                let id = self.new_symbol(Some(name.clone()), is_const);
                if is_const {
                    self.model.const_by_name.insert(name, id);
                } else {
                    self.model.by_name.insert(name, id);
                }
                id
            }
        };
        // A recording asks for the name only the first time it meets the symbol: the
        // shared name's count is touched then, not at every reference (the threads of every
        // arch splice the same kept names).
        let mut owned: Option<std::sync::Arc<str>> = None;
        let mut name = || match shared {
            Some(shared) => shared.clone(),
            None => owned.get_or_insert_with(|| name.into()).clone(),
        };
        for r in &mut self.recording {
            r.symbol(id, is_const, &mut name);
        }
        id
    }

    fn new_symbol(&mut self, name: Option<std::sync::Arc<str>>, is_const: bool) -> SymbolId {
        let id = SymbolId(self.model.symbols.len() as u32);
        self.model.symbols.push(Symbol {
            name,
            is_const,
            is_choice: false,
            stype: SymbolType::Unknown,
            props: Vec::new(),
            menus: Vec::new(),
            transitional: false,
            optional: false,
            allnoconfig_y: false,
            no_write: false,
        });
        id
    }

    // ---- menu builders (menu.c) ----------------------------------------------------------

    fn add_entry(&mut self, kind: MenuKind, sym: Option<SymbolId>) {
        let id = MenuId(self.model.menus.len() as u32);
        let pos = self.stmt_pos();
        self.model.menus.push(Menu {
            kind,
            parent: Some(self.current_menu),
            children: Vec::new(),
            sym,
            prompt: None,
            dep: None,
            depends: Vec::new(),
            visibility: None,
            help: None,
            pos,
        });
        self.model.menus[self.current_menu.0 as usize]
            .children
            .push(id);
        self.current_entry = id;
        let inherited = self.entry_operands[self.current_menu.0 as usize];
        self.entry_operands.push(inherited);
        self.add_tree_operands(u64::from(inherited));
        if let Some(sym) = sym {
            self.model.symbols[sym.0 as usize].menus.push(id);
        }
    }

    /// Add to the operands the tree's entries hold: past MAX_TREE_OPERANDS, an error and
    /// the rest of the input unread.
    fn add_tree_operands(&mut self, more: u64) -> bool {
        if self.exhausted {
            return false;
        }
        self.tree_operands += more;
        if self.tree_operands <= MAX_TREE_OPERANDS {
            return true;
        }
        self.error(format!(
            "more than {MAX_TREE_OPERANDS} operands in the dependencies of this tree's entries"
        ));
        self.exhausted = true;
        false
    }

    /// Count an operand of the current entry's expressions: false past
    /// MAX_ENTRY_OPERANDS, said once per tree.
    fn count_operand(&mut self) -> bool {
        if !self.add_tree_operands(1) {
            return false;
        }
        let count = &mut self.entry_operands[self.current_entry.0 as usize];
        *count += 1;
        if *count <= MAX_ENTRY_OPERANDS {
            return true;
        }
        if !self.operands_exceeded {
            self.operands_exceeded = true;
            self.error(format!(
                "more than {MAX_ENTRY_OPERANDS} operands in the dependencies of one entry"
            ));
        }
        false
    }

    fn add_menu(&mut self) -> MenuId {
        self.current_menu = self.current_entry;
        self.current_menu
    }

    fn end_menu(&mut self) {
        self.current_menu = self
            .model
            .menu(self.current_menu)
            .parent
            .unwrap_or(Model::ROOT);
    }

    fn entry_mut(&mut self) -> &mut Menu {
        &mut self.model.menus[self.current_entry.0 as usize]
    }

    fn add_dep(&mut self, dep: Expr) {
        let entry = self.entry_mut();
        entry.dep = Expr::and_opt(entry.dep.take(), Some(dep));
    }

    /// menu_set_type(): the first type sticks; a different one later is warned about.
    fn set_type(&mut self, stype: SymbolType) {
        self.set_type_of(self.current_entry, stype);
    }

    fn set_type_of(&mut self, entry: MenuId, stype: SymbolType) {
        for r in &mut self.recording {
            r.ops.push(Op::SetType(entry, stype));
        }
        let Some(sym) = self.model.menu(entry).sym else {
            return;
        };
        let current = self.model.symbol(sym).stype;
        if current == stype {
            return;
        }
        if current == SymbolType::Unknown {
            self.model.symbols[sym.0 as usize].stype = stype;
            return;
        }
        let pos = self.model.menu(entry).pos;
        let name = self.model.sym_name(sym).to_string();
        self.warning_at(
            pos,
            format!(
                "ignoring type redefinition of '{name}' from '{}' to '{}'",
                current.kernel_name(),
                stype.kernel_name()
            ),
        );
    }

    fn add_prop(
        &mut self,
        kind: PropKind,
        expr: Option<Expr>,
        cond: Option<Expr>,
        text: Option<String>,
    ) -> PropId {
        let id = PropId(self.model.props.len() as u32);
        // Finalization gives each property its entry's dependencies.
        let held = self.entry_operands[self.current_entry.0 as usize];
        self.add_tree_operands(u64::from(held));
        let pos = self.stmt_pos();
        self.model.props.push(Property {
            kind,
            menu: self.current_entry,
            expr,
            cond,
            text: text.map(Into::into),
            pos,
        });
        if let Some(sym) = self.model.menu(self.current_entry).sym {
            self.model.symbols[sym.0 as usize].props.push(id);
        }
        id
    }

    /// menu_add_prompt(): also applies every enclosing menu's `visible if`.
    fn add_prompt(&mut self, kind: PropKind, text: String, cond: Option<Expr>) -> PropId {
        let trimmed = text.trim_start_matches(|c: char| c.is_ascii_whitespace());
        let leading_space = trimmed.len() != text.len();
        let text = trimmed.to_string();
        let mut cond = cond;
        if kind == PropKind::Prompt {
            let mut menu = self.model.menu(self.current_entry).parent;
            while let Some(m) = menu {
                let visibility = self.model.menu(m).visibility.clone();
                menu = self.model.menu(m).parent;
                let Some(visibility) = visibility else {
                    continue;
                };
                if self.inherited_visibility >= MAX_INHERITED_VISIBILITY {
                    if self.inherited_visibility == MAX_INHERITED_VISIBILITY {
                        self.inherited_visibility += 1;
                        self.error(format!(
                            "prompts inherit more than {MAX_INHERITED_VISIBILITY} 'visible if' conditions in this tree"
                        ));
                    }
                    break;
                }
                self.inherited_visibility += 1;
                cond = Expr::and_opt(cond, Some(visibility));
            }
        }
        let redefined = self.model.menu(self.current_entry).prompt.is_some();
        let id = self.add_prop(kind, None, cond, Some(text));
        let pos = self.model.prop(id).pos;
        if leading_space {
            self.warning_at(pos, "leading whitespace ignored".to_string());
        }
        if redefined {
            self.warning_at(pos, "prompt redefined".to_string());
        }
        self.entry_mut().prompt = Some(id);
        id
    }

    // ---- grammar -----------------------------------------------------------------------

    /// Whether conf's parser stack holds `more` entries on top of the open blocks, the
    /// statement and the expression so far; when not, `memory exhausted` and the end.
    fn stack_holds(&mut self, more: u32) -> bool {
        if self.exhausted {
            return false;
        }
        let used = 2 * self.blocks + STATEMENT_ENTRIES + self.expr_entries + more;
        if used <= PARSER_STACK {
            return true;
        }
        self.error("memory exhausted".to_string());
        self.exhausted = true;
        false
    }

    fn parse_input(&mut self) {
        if self.at(&Tok::MainMenu) {
            self.bump();
            match self.bump().tok {
                Tok::Quoted(text) => {
                    if self.expect_eol() {
                        self.add_prompt(PropKind::Menu, text, None);
                    }
                }
                _ => self.syntax_error("a quoted main menu title"),
            }
        }
        let end = self.parse_stmt_list(Block::Top);
        if end != Tok::Eof {
            let name = keyword_block(&end).unwrap_or("?");
            self.error(format!("unexpected '{name}' outside any block"));
        }
    }

    /// stmt_list / stmt_list_in_choice: statements until an `end*` keyword or the end of
    /// input, which is returned (and consumed, with its line end).
    fn parse_stmt_list(&mut self, block: Block) -> Tok {
        let nested = u32::from(block != Block::Top);
        self.blocks += nested;
        let end = self.parse_stmts(block);
        self.blocks -= nested;
        end
    }

    fn parse_stmts(&mut self, block: Block) -> Tok {
        loop {
            if !self.stack_holds(1) {
                return Tok::Eof;
            }
            let tok = self.peek().clone();
            if self.recording.last().is_some_and(|r| r.closed_at.is_some()) {
                self.end_recordings();
            }
            match tok {
                Tok::Eof => return Tok::Eof,
                Tok::EndMenu | Tok::EndChoice | Tok::EndIf => {
                    if block == Block::Top {
                        let name = keyword_block(&tok).unwrap_or("?");
                        self.error(format!("unexpected 'end{name}' outside any block"));
                        self.skip_line();
                        continue;
                    }
                    self.bump();
                    self.expect_eol();
                    return tok;
                }
                Tok::Config | Tok::MenuConfig => self.parse_config(tok == Tok::MenuConfig),
                Tok::Comment => self.parse_comment(),
                Tok::If => self.parse_if(block == Block::Choice),
                Tok::Choice if block != Block::Choice => self.parse_choice(),
                Tok::Menu if block != Block::Choice => self.parse_menu(),
                Tok::Source | Tok::RSource | Tok::OSource | Tok::ORSource
                    if block != Block::Choice =>
                {
                    self.parse_source()
                }
                Tok::Word(word) if block != Block::Choice => self.parse_assignment_or_unknown(word),
                _ => {
                    self.error("invalid statement".to_string());
                    self.skip_line();
                }
            }
        }
    }

    fn parse_assignment_or_unknown(&mut self, word: String) {
        self.bump();
        let flavor = match self.peek() {
            Tok::Equal => Flavor::Recursive,
            Tok::ColonEqual => Flavor::Simple,
            Tok::PlusEqual => Flavor::Append,
            _ => {
                self.error(format!("unknown statement \"{word}\""));
                self.skip_line();
                return;
            }
        };
        self.bump();
        let value = match self.peek().clone() {
            Tok::AssignVal(value) => {
                self.bump();
                value
            }
            _ => String::new(),
        };
        if self.expect_eol() {
            self.taint_recordings();
            self.pp.filename = self.stmt_file_name();
            self.pp.lineno = self.lexer.stmt_line;
            self.pp.assign(&word, &value, flavor);
        }
    }

    /// Close a block opened by `open` with the `end*` token `end` (zconf_endtoken()).
    fn close_block(&mut self, block: Block, open: MenuId, end: Tok) {
        if end == Tok::Eof {
            let pos = self.model.menu(open).pos;
            let file = self.model.file_name(pos.file).to_string();
            self.error_at(
                file,
                pos.line,
                "missing end statement for this entry".to_string(),
            );
            self.current_menu = open;
            self.end_menu();
            return;
        }
        let name = keyword_block(&end).unwrap_or("?");
        if name != block.name() {
            self.error(format!(
                "unexpected 'end{name}' within {} block",
                block.name()
            ));
        } else {
            let open_file = self.model.menu(open).pos.file;
            if open_file != self.lexer.stmt_file {
                self.error(format!(
                    "'end{name}' in different file than '{}'",
                    block.name()
                ));
            }
        }
        // Close it regardless, so that one mistake does not shift every later entry.
        self.current_menu = open;
        self.end_menu();
    }

    fn parse_config(&mut self, menuconfig: bool) {
        self.bump();
        let sym = match self.peek().clone() {
            Tok::Word(name) => {
                self.bump();
                self.lookup(&name, false)
            }
            _ => {
                self.syntax_error("a symbol name");
                return;
            }
        };
        if !self.expect_eol() {
            return;
        }
        let kind = if menuconfig {
            MenuKind::MenuConfig
        } else {
            MenuKind::Config
        };
        self.add_entry(kind, Some(sym));
        self.parse_config_options(false);
        let entry = self.current_entry;
        if menuconfig {
            if let Some(prompt) = self.model.menu(entry).prompt {
                self.model.props[prompt.0 as usize].kind = PropKind::Menu;
            } else {
                let pos = self.stmt_pos();
                self.warning_at(pos, "menuconfig statement without prompt".to_string());
            }
        }
        if self.current_choice.is_some() {
            self.check_choice_member(entry, sym);
        }
    }

    fn check_choice_member(&mut self, entry: MenuId, sym: SymbolId) {
        for r in &mut self.recording {
            r.ops.push(Op::ChoiceMember(entry, sym));
        }
        if !self.dialect.bool_choices_only() {
            return;
        }
        let pos = self.model.menu(entry).pos;
        let file = self.model.file_name(pos.file).to_string();
        if self.model.menu(entry).prompt.is_none() {
            self.error_styled(
                file.clone(),
                pos.line,
                "choice member must have a prompt".to_string(),
                KernelStyle::Error,
            );
        }
        if self.model.symbol(sym).stype != SymbolType::Bool {
            self.error_styled(
                file,
                pos.line,
                "choice member must be bool".to_string(),
                KernelStyle::Error,
            );
        }
    }

    /// config_option_list / choice_option_list: options until a line that is not one.
    fn parse_config_options(&mut self, in_choice: bool) {
        loop {
            let tok = self.peek().clone();
            match tok {
                Tok::Bool | Tok::Tristate | Tok::Int | Tok::Hex | Tok::String => {
                    self.bump();
                    let stype = match tok {
                        Tok::Bool => SymbolType::Bool,
                        Tok::Tristate => SymbolType::Tristate,
                        Tok::Int => SymbolType::Int,
                        Tok::Hex => SymbolType::Hex,
                        _ => SymbolType::String,
                    };
                    let prompt = self.parse_optional_prompt();
                    if !self.expect_eol() {
                        continue;
                    }
                    if in_choice && self.dialect.bool_choices_only() && stype != SymbolType::Bool {
                        self.error(format!("syntax error: a choice is bool, not {stype}"));
                    }
                    self.set_type(stype);
                    if let Some((text, cond)) = prompt {
                        self.add_prompt(PropKind::Prompt, text, cond);
                    }
                }
                Tok::Prompt => {
                    self.bump();
                    let Tok::Quoted(text) = self.peek().clone() else {
                        self.syntax_error("a quoted prompt");
                        continue;
                    };
                    self.bump();
                    let cond = self.parse_if_expr();
                    if self.expect_eol() {
                        self.add_prompt(PropKind::Prompt, text, cond);
                    }
                }
                Tok::Default | Tok::DefBool | Tok::DefTristate => {
                    self.bump();
                    if in_choice {
                        let Tok::Word(name) = self.peek().clone() else {
                            self.syntax_error("a symbol name");
                            continue;
                        };
                        self.bump();
                        let target = self.lookup(&name, false);
                        let cond = self.parse_if_expr();
                        if self.expect_eol() {
                            self.add_prop(PropKind::Default, Some(Expr::sym(target)), cond, None);
                        }
                        continue;
                    }
                    let Some(value) = self.parse_expr() else {
                        self.skip_line();
                        continue;
                    };
                    let cond = self.parse_if_expr();
                    if !self.expect_eol() {
                        continue;
                    }
                    self.add_prop(PropKind::Default, Some(value), cond, None);
                    match tok {
                        Tok::DefBool => self.set_type(SymbolType::Bool),
                        Tok::DefTristate => self.set_type(SymbolType::Tristate),
                        _ => {}
                    }
                }
                Tok::Select | Tok::Imply if !in_choice => {
                    self.bump();
                    let Tok::Word(name) = self.peek().clone() else {
                        self.syntax_error("a symbol name");
                        continue;
                    };
                    self.bump();
                    let target = self.lookup(&name, false);
                    for r in &mut self.recording {
                        r.selects.push((target, 1));
                    }
                    let count = self.selects.entry(target).or_insert(0);
                    *count += 1;
                    if *count > MAX_SELECTS {
                        if *count == MAX_SELECTS + 1 {
                            self.error(format!(
                                "{name} selected or implied by more than {MAX_SELECTS} entries"
                            ));
                        }
                        self.skip_line();
                        continue;
                    }
                    let cond = self.parse_if_expr();
                    if self.expect_eol() {
                        let kind = if tok == Tok::Select {
                            PropKind::Select
                        } else {
                            PropKind::Imply
                        };
                        self.add_prop(kind, Some(Expr::sym(target)), cond, None);
                    }
                }
                Tok::Range if !in_choice => {
                    self.bump();
                    let Some(low) = self.parse_symbol() else {
                        self.skip_line();
                        continue;
                    };
                    let Some(high) = self.parse_symbol() else {
                        self.skip_line();
                        continue;
                    };
                    let cond = self.parse_if_expr();
                    if self.expect_eol() {
                        self.add_prop(PropKind::Range, Some(Expr::Range(low, high)), cond, None);
                    }
                }
                Tok::Modules if !in_choice => {
                    self.taint_recordings();
                    self.bump();
                    if self.expect_eol() {
                        self.set_modules_symbol();
                    }
                }
                Tok::Transitional if !in_choice => {
                    self.bump();
                    if self.expect_eol() {
                        if let Some(sym) = self.model.menu(self.current_entry).sym {
                            self.model.symbols[sym.0 as usize].transitional = true;
                            for r in &mut self.recording {
                                r.ops.push(Op::Transitional(sym));
                            }
                        }
                    }
                }
                Tok::Optional if in_choice => {
                    self.bump();
                    if self.expect_eol() {
                        if !self.dialect.optional_choices() {
                            self.error("invalid statement".to_string());
                        } else if let Some(sym) = self.model.menu(self.current_entry).sym {
                            self.model.symbols[sym.0 as usize].optional = true;
                            for r in &mut self.recording {
                                r.ops.push(Op::Optional(sym));
                            }
                        }
                    }
                }
                Tok::OptionKw => self.parse_option(),
                Tok::Depends => self.parse_depends(),
                Tok::Help => self.parse_help(),
                _ => return,
            }
        }
    }

    /// `option ...` of kernels before 5.13.
    fn parse_option(&mut self) {
        self.taint_recordings();
        self.bump();
        let name = match self.peek().clone() {
            Tok::Word(name) => name,
            Tok::Modules => "modules".to_string(),
            _ => {
                self.syntax_error("an option name");
                return;
            }
        };
        self.bump();
        if self.eat(&Tok::Equal) {
            // `option env="ARCH"` and the like: the value is irrelevant today.
            self.bump();
        }
        if !self.expect_eol() {
            return;
        }
        let sym = self.model.menu(self.current_entry).sym;
        match name.as_str() {
            "modules" => self.set_modules_symbol(),
            "allnoconfig_y" => {
                if let Some(sym) = sym {
                    self.model.symbols[sym.0 as usize].allnoconfig_y = true;
                }
            }
            // Mirrors menu_add_option_defconfig_list(): the first symbol keeps the option,
            // and it is never written.
            "defconfig_list" => {
                if let Some(sym) = sym {
                    match self.defconfig_list {
                        None => self.defconfig_list = Some(sym),
                        Some(first) if first != sym => {
                            self.error("trying to redefine defconfig symbol".to_string())
                        }
                        Some(_) => {}
                    }
                    if let Some(first) = self.defconfig_list {
                        self.model.symbols[first.0 as usize].no_write = true;
                    }
                }
            }
            // `option env="VAR"` (before 4.18): the macro language reads the environment.
            "env" => {}
            other => {
                self.warning(format!("ignoring unknown option {other}"));
                return;
            }
        }
        self.model.option_statements = true;
    }

    fn set_modules_symbol(&mut self) {
        let Some(sym) = self.model.menu(self.current_entry).sym else {
            return;
        };
        if let Some(existing) = self.model.modules_sym {
            let (new_name, old_name) = (
                self.model.sym_name(sym).to_string(),
                self.model.sym_name(existing).to_string(),
            );
            self.error(format!(
                "symbol '{new_name}' redefines option 'modules' already defined by symbol '{old_name}'"
            ));
        }
        self.model.modules_sym = Some(sym);
    }

    /// `depends on EXPR`, and `depends on EXPR if COND` (= `EXPR || COND = n`).
    fn parse_depends(&mut self) {
        self.bump();
        if !self.eat(&Tok::On) {
            self.syntax_error("'on'");
            return;
        }
        let Some(dep) = self.parse_expr() else {
            self.skip_line();
            return;
        };
        let cond = self.parse_if_expr();
        if !self.expect_eol() {
            return;
        }
        let dep = match cond {
            None => dep,
            Some(cond) => Expr::or(dep, Expr::not(cond)),
        };
        let pos = self.stmt_pos();
        self.entry_mut().depends.push((dep.clone(), pos));
        self.add_dep(dep);
    }

    fn parse_help(&mut self) {
        self.bump();
        if !self.expect_eol() {
            return;
        }
        self.lexer.start_help();
        let Tok::HelpText(text) = self.bump().tok else {
            return;
        };
        let name = self
            .model
            .menu(self.current_entry)
            .sym
            .map(|s| self.model.sym_name(s).to_string())
            .unwrap_or_else(|| "<choice>".to_string());
        if self.model.menu(self.current_entry).help.is_some() {
            self.warning(format!(
                "'{name}' defined with more than one help text -- only the last one will be used"
            ));
        }
        if text
            .trim_matches(|c: char| " \x0c\n\r\t\x0b".contains(c))
            .is_empty()
        {
            self.warning(format!("'{name}' defined with blank help text"));
        }
        self.entry_mut().help = Some(text.into());
    }

    fn parse_optional_prompt(&mut self) -> Option<(String, Option<Expr>)> {
        let Tok::Quoted(text) = self.peek().clone() else {
            return None;
        };
        self.bump();
        let cond = self.parse_if_expr();
        Some((text, cond))
    }

    fn parse_if_expr(&mut self) -> Option<Expr> {
        if self.eat(&Tok::If) {
            self.parse_expr()
        } else {
            None
        }
    }

    fn parse_comment(&mut self) {
        self.bump();
        let Tok::Quoted(text) = self.peek().clone() else {
            self.syntax_error("a quoted comment");
            return;
        };
        self.bump();
        if !self.expect_eol() {
            return;
        }
        self.add_entry(MenuKind::Comment, None);
        self.add_prompt(PropKind::Comment, text, None);
        while self.at(&Tok::Depends) {
            self.parse_depends();
        }
    }

    fn parse_menu(&mut self) {
        self.bump();
        let Tok::Quoted(text) = self.peek().clone() else {
            self.syntax_error("a quoted menu title");
            return;
        };
        self.bump();
        if !self.expect_eol() {
            return;
        }
        self.add_entry(MenuKind::Menu, None);
        self.add_prompt(PropKind::Menu, text, None);
        loop {
            match self.peek() {
                Tok::Depends => self.parse_depends(),
                Tok::Visible => {
                    self.bump();
                    let cond = self.parse_if_expr();
                    if self.expect_eol() {
                        let entry = self.entry_mut();
                        entry.visibility = Expr::and_opt(entry.visibility.take(), cond);
                    }
                }
                _ => break,
            }
        }
        let open = self.add_menu();
        let end = self.parse_stmt_list(Block::Menu);
        self.close_block(Block::Menu, open, end);
    }

    fn parse_if(&mut self, in_choice: bool) {
        self.bump();
        // The condition's operands are the `if` entry's, made after it is read: count them
        // from what the entry inherits, in the place of the entry before it.
        let before = self.current_entry.0 as usize;
        let saved = self.entry_operands[before];
        let inherited = self.entry_operands[self.current_menu.0 as usize];
        self.entry_operands[before] = inherited;
        let cond = self.parse_expr();
        let own = self.entry_operands[before] - inherited;
        self.entry_operands[before] = saved;
        let Some(cond) = cond else {
            self.skip_line();
            return;
        };
        if !self.expect_eol() {
            return;
        }
        self.add_entry(MenuKind::If, None);
        *self
            .entry_operands
            .last_mut()
            .expect("the entry just added") += own;
        self.add_dep(cond);
        let open = self.add_menu();
        let block = if in_choice { Block::Choice } else { Block::If };
        let end = self.parse_stmt_list(block);
        // Inside a choice the statement list is stmt_list_in_choice, closed by `endif`.
        self.close_block(Block::If, open, end);
    }

    fn parse_choice(&mut self) {
        self.bump();
        let name = match self.peek().clone() {
            Tok::Word(name) => {
                self.bump();
                Some(name)
            }
            _ => None,
        };
        if !self.expect_eol() {
            return;
        }
        if name.is_some() && self.dialect.bool_choices_only() {
            self.error("syntax error: choices have no name since 6.11".to_string());
        }
        let sym = match name {
            // 6.1: a named choice can be defined in several places.
            Some(name) => {
                self.taint_recordings();
                let existing = self.model.by_name.get(name.as_str()).copied();
                match existing {
                    Some(id) if self.model.symbol(id).is_choice => id,
                    _ => {
                        let name: std::sync::Arc<str> = name.into();
                        let id = self.new_symbol(Some(name.clone()), false);
                        self.model.by_name.insert(name, id);
                        id
                    }
                }
            }
            None => self.new_choice_symbol(),
        };
        self.model.symbols[sym.0 as usize].is_choice = true;
        self.add_entry(MenuKind::Choice, Some(sym));
        if self.dialect.bool_choices_only() {
            self.set_type(SymbolType::Bool);
        }
        self.parse_config_options(true);
        let entry = self.current_entry;
        if self.model.menu(entry).prompt.is_none() && self.dialect.bool_choices_only() {
            let pos = self.model.menu(entry).pos;
            let file = self.model.file_name(pos.file).to_string();
            self.error_styled(
                file,
                pos.line,
                "choice must have a prompt".to_string(),
                KernelStyle::Error,
            );
        }
        let open = self.add_menu();
        let outer_choice = self.current_choice.replace(open);
        let end = self.parse_stmt_list(Block::Choice);
        self.current_choice = outer_choice;
        self.close_block(Block::Choice, open, end);
    }

    fn parse_source(&mut self) {
        let kind = self.bump().tok;
        let Tok::Quoted(name) = self.peek().clone() else {
            self.syntax_error("a quoted file name");
            return;
        };
        self.bump();
        if !self.expect_eol() {
            return;
        }
        let relative = matches!(kind, Tok::RSource | Tok::ORSource);
        let optional = matches!(kind, Tok::OSource | Tok::ORSource);
        let path = if relative {
            let current = self.stmt_file_name();
            match current.rfind('/') {
                Some(slash) => format!("{}/{}", &current[..slash], name),
                None => name.clone(),
            }
        } else {
            name.clone()
        };
        let path = path.strip_prefix("./").unwrap_or(&path).to_string();
        if !self.within_read_budgets(1, 0) {
            return;
        }
        if !self.lexer.is_open(&path) && self.splice_subtree(&path) {
            return;
        }
        if self.lexer.is_open(&path) {
            let mut message =
                format!("Recursive inclusion detected.\nInclusion path:\n  current file : {path}");
            for (file, line) in self.lexer.include_chain() {
                message.push_str(&format!("\n  included from: {file}:{line}"));
            }
            let file = self.stmt_file_name();
            self.error_styled(file, self.lexer.stmt_line, message, KernelStyle::Bare);
            return;
        }
        // What reading the file says (bytes that are not UTF-8) is part of its subtree.
        let marks = self.marks();
        match self.read_file(&path) {
            Some(text) if !self.within_read_budgets(0, text.len() as u64) => {}
            Some(text) => {
                let file = self.file_id(&path);
                self.lexer.push_file(file, &path, text);
                self.start_recording(&path, file, marks);
            }
            None if optional => {}
            None => self.error(format!("can't open file \"{path}\"")),
        }
    }

    // ---- subtrees kept and spliced (fragments.rs) -------------------------------------

    fn new_choice_symbol(&mut self) -> SymbolId {
        let id = self.new_symbol(None, false);
        for r in &mut self.recording {
            r.choice(id);
        }
        id
    }

    /// Something was read that a kept subtree could not replay: none of those being
    /// recorded is kept.
    fn taint_recordings(&mut self) {
        for r in &mut self.recording {
            r.tainted = true;
        }
    }

    /// Where the statement being read would source a file: `None` when a subtree sourced
    /// here is neither recorded nor spliced (inside a choice, under a `visible if`).
    fn subtree_context(&self) -> Option<Context> {
        if self.subtrees.is_none() || self.exhausted || self.current_choice.is_some() {
            return None;
        }
        let mut menu = Some(self.current_menu);
        while let Some(m) = menu {
            if self.model.menu(m).visibility.is_some() {
                return None;
            }
            menu = self.model.menu(m).parent;
        }
        Some(Context {
            bool_choices_only: self.dialect.bool_choices_only(),
            optional_choices: self.dialect.optional_choices(),
            blocks: self.blocks,
            inherited: self.entry_operands[self.current_menu.0 as usize],
        })
    }

    fn marks(&self) -> Marks {
        Marks {
            menus: self.model.menus.len(),
            props: self.model.props.len(),
            diagnostics: self.model.diagnostics.len(),
            tree_operands: self.tree_operands,
            visibility: self.inherited_visibility,
            sourced: self.sourced,
            bytes: self.bytes_read,
            macro_entries: self.pp.entries(),
        }
    }

    /// `path` was just opened as `file`: record its subtree when it is shallow enough,
    /// from `marks` (taken before the file was read).
    fn start_recording(&mut self, path: &str, file: FileId, marks: Marks) {
        let depth = self.lexer.depth();
        if !(2..=RECORD_DEPTH).contains(&depth) {
            return;
        }
        let Some(context) = self.subtree_context() else {
            return;
        };
        let Some(Some(id)) = self.source.content_id(path) else {
            return;
        };
        // Files closed since the last statement end their recordings first (a file whose
        // last line sources again closes before that line is seen): at most one recording
        // per depth is open.
        self.end_recordings();
        let recording = Recording::new(path, id, file, depth, context, self.current_menu, marks);
        self.recording.push(recording);
    }

    /// After reading a token: the files it closed end their recordings, at the next
    /// statement if nothing more is consumed before it.
    /// `last` is where the statement before the token started.
    fn note_closed_files(&mut self, last: (FileId, u32)) {
        let depth = self.lexer.depth();
        for r in self.recording.iter_mut().rev() {
            if r.depth <= depth {
                break;
            }
            if r.closed_at.is_none() {
                r.closed_at = Some(self.bumps);
                // A subtree without a statement leaves the `source` line's place.
                r.end = r
                    .has_file(last.0)
                    .then_some((last.0, last.1, self.last_end));
            }
        }
    }

    /// At a statement: keep the subtrees whose files are closed, when they qualify.
    fn end_recordings(&mut self) {
        while self.recording.last().is_some_and(|r| r.closed_at.is_some()) {
            let r = self.recording.pop().expect("just seen");
            let m = r.marks;
            let clean = !r.tainted
                && r.closed_at == Some(self.bumps)
                && !self.exhausted
                && self.model.diagnostics.len() == m.diagnostics
                && self.pp.entries() == m.macro_entries
                && self.current_menu == r.parent
                && self.blocks == r.context.blocks
                && self.current_choice.is_none();
            if !clean {
                continue;
            }
            let menus = &self.model.menus[m.menus..];
            let props = &self.model.props[m.props..];
            let inside = |id: MenuId| id.0 as usize >= m.menus;
            let own = menus.iter().all(|menu| {
                menu.parent.is_some_and(|p| p == r.parent || inside(p))
                    && menu.prompt.is_none_or(|p| p.0 as usize >= m.props)
            }) && props.iter().all(|prop| inside(prop.menu));
            if !own {
                continue;
            }
            let Some(cache) = self.subtrees.clone() else {
                continue;
            };
            let (path, id) = (r.path.clone(), r.id);
            let fragment = Fragment::new(
                r,
                menus.to_vec(),
                props.to_vec(),
                self.entry_operands[m.menus..].to_vec(),
                self.tree_operands - m.tree_operands,
                self.inherited_visibility - m.visibility,
                (self.sourced - m.sourced, self.bytes_read - m.bytes),
            );
            cache.insert(path, id, fragment);
        }
    }

    /// Splice in a kept subtree for `path` sourced here, when one applies: true when done.
    fn splice_subtree(&mut self, path: &str) -> bool {
        if !(2..=RECORD_DEPTH).contains(&(self.lexer.depth() + 1)) {
            return false;
        }
        let Some(context) = self.subtree_context() else {
            return false;
        };
        // What follows the `source` line must start a statement of its own: a parse would
        // read an option there (`depends on`, `default`...) into the subtree's last entry.
        match self.lexer.next_word().map(keyword) {
            Some(None) if self.lexer.next_word() == Some("") => {}
            Some(Some(tok)) if starts_a_statement(&tok) => {}
            _ => return false,
        }
        let Some(cache) = self.subtrees.clone() else {
            return false;
        };
        let Some(Some(id)) = self.source.content_id(path) else {
            return false;
        };
        for fragment in cache.candidates(path, id) {
            if fragment.context == context
                && self.within_budgets(&fragment)
                && fragment.files.iter().all(|(_, f)| !self.lexer.is_open(f))
                && fragment
                    .reads
                    .iter()
                    .all(|(p, id)| self.source.content_id(p) == Some(*id))
            {
                self.splice(&fragment);
                cache.note_splice();
                return true;
            }
        }
        false
    }

    /// Count `files` more opened by `source` and `bytes` more read: past MAX_SOURCED or
    /// MAX_TREE_BYTES, an error at the statement and the rest of the input unread.
    fn within_read_budgets(&mut self, files: u32, bytes: u64) -> bool {
        if self.exhausted {
            return false;
        }
        self.sourced += files;
        self.bytes_read += bytes;
        if self.sourced <= MAX_SOURCED && self.bytes_read <= MAX_TREE_BYTES {
            return true;
        }
        self.error(format!(
            "more than {MAX_SOURCED} files sourced or {} MiB of Kconfig read in this tree",
            MAX_TREE_BYTES >> 20
        ));
        self.exhausted = true;
        false
    }

    /// Whether the budgets a parse counts hold the subtree's: a splice must not pass one
    /// where the parse would have stopped with an error.
    fn within_budgets(&self, f: &Fragment) -> bool {
        let selects_fit = f.selects.iter().all(|&(old, index, n)| {
            let now = match index.map(|i| &f.syms[i].1) {
                None => self.selects.get(&old),
                Some(SymRef::Named { name, .. }) => self
                    .model
                    .by_name
                    .get(name.as_ref())
                    .and_then(|id| self.selects.get(id)),
                Some(SymRef::Choice) => return false,
            };
            now.copied().unwrap_or(0) + n <= MAX_SELECTS
        });
        selects_fit
            && self.sourced + f.sourced <= MAX_SOURCED
            && self.bytes_read + f.bytes <= MAX_TREE_BYTES
            && self.tree_operands + f.operands <= MAX_TREE_OPERANDS
            && self.inherited_visibility + f.visibility <= MAX_INHERITED_VISIBILITY
    }

    /// Add a kept subtree to the model as its parse here would have.
    fn splice(&mut self, f: &Fragment) {
        for (path, id) in &f.reads {
            self.source.note_read(path, *id);
            for r in &mut self.recording {
                r.reads.push((path.clone(), *id));
            }
        }
        let mut files: crate::FastMap<u32, FileId> = Default::default();
        for (old, name) in &f.files {
            let new = self.file_id(name);
            files.insert(old.0, new);
        }
        let mut syms: crate::FastMap<u32, SymbolId> = Default::default();
        for (old, sym) in &f.syms {
            let new = match sym {
                SymRef::Named { name, is_const } => self.lookup_shared(name, Some(name), *is_const),
                SymRef::Choice => {
                    let id = self.new_choice_symbol();
                    self.model.symbols[id.0 as usize].is_choice = true;
                    id
                }
            };
            syms.insert(old.0, new);
        }
        let menu_base = self.model.menus.len() as u32;
        let prop_base = self.model.props.len() as u32;
        let parent = self.current_menu;
        let identity = menu_base == f.menu_base
            && prop_base == f.prop_base
            && parent == f.parent
            && files.iter().all(|(old, new)| *old == new.0)
            && syms.iter().all(|(old, new)| *old == new.0);
        let sym = |id: SymbolId| syms.get(&id.0).copied().unwrap_or(id);
        let menu_id = |id: MenuId| {
            if id == f.parent {
                parent
            } else {
                MenuId(id.0 - f.menu_base + menu_base)
            }
        };
        let prop_id = |id: PropId| PropId(id.0 - f.prop_base + prop_base);
        let pos = |p: Pos| Pos {
            file: files.get(&p.file.0).copied().unwrap_or(p.file),
            ..p
        };
        let expr = |e: &Expr| {
            if identity {
                e.clone()
            } else {
                e.map_symbols(&sym)
            }
        };
        for (i, m) in f.menus.iter().enumerate() {
            let id = MenuId(menu_base + i as u32);
            let depends: Vec<(Expr, Pos)> =
                m.depends.iter().map(|(e, p)| (expr(e), pos(*p))).collect();
            // An entry's dependency is its `depends on` lines ANDed in order (`add_dep`), or
            // an `if` condition: made again from the lines just mapped, it shares their
            // nodes instead of mapping each twice.
            let dep = if identity || depends.is_empty() {
                m.dep.as_ref().map(expr)
            } else {
                (depends.iter()).fold(None, |dep, (e, _)| Expr::and_opt(dep, Some(e.clone())))
            };
            debug_assert_eq!(dep, m.dep.as_ref().map(expr));
            let menu = Menu {
                kind: m.kind,
                parent: m.parent.map(menu_id),
                children: m.children.iter().map(|&c| menu_id(c)).collect(),
                sym: m.sym.map(sym),
                prompt: m.prompt.map(prop_id),
                dep,
                depends,
                visibility: m.visibility.as_ref().map(expr),
                help: m.help.clone(),
                pos: pos(m.pos),
            };
            if menu.parent == Some(parent) {
                self.model.menus[parent.0 as usize].children.push(id);
            }
            if let Some(s) = menu.sym {
                self.model.symbols[s.0 as usize].menus.push(id);
            }
            self.model.menus.push(menu);
        }
        self.entry_operands.extend_from_slice(&f.entry_operands);
        for (i, p) in f.props.iter().enumerate() {
            let id = PropId(prop_base + i as u32);
            let menu = menu_id(p.menu);
            if let Some(s) = self.model.menu(menu).sym {
                self.model.symbols[s.0 as usize].props.push(id);
            }
            self.model.props.push(Property {
                kind: p.kind,
                menu,
                expr: p.expr.as_ref().map(expr),
                cond: p.cond.as_ref().map(expr),
                text: p.text.clone(),
                pos: pos(p.pos),
            });
        }
        if !f.menus.is_empty() {
            self.current_entry = MenuId(self.model.menus.len() as u32 - 1);
        }
        // Where the last statement read started and its last token ended, as the parse
        // leaves them for what follows (the default main menu prompt takes its place).
        if let Some((file, line, end)) = f.end {
            self.lexer.stmt_file = files.get(&file.0).copied().unwrap_or(file);
            self.lexer.stmt_line = line;
            self.last_end = end;
        }
        for op in &f.ops {
            match *op {
                Op::SetType(entry, stype) => self.set_type_of(menu_id(entry), stype),
                Op::ChoiceMember(entry, s) => self.check_choice_member(menu_id(entry), sym(s)),
                Op::Transitional(s) => {
                    let s = sym(s);
                    self.model.symbols[s.0 as usize].transitional = true;
                    for r in &mut self.recording {
                        r.ops.push(Op::Transitional(s));
                    }
                }
                Op::Optional(s) => {
                    let s = sym(s);
                    self.model.symbols[s.0 as usize].optional = true;
                    for r in &mut self.recording {
                        r.ops.push(Op::Optional(s));
                    }
                }
            }
        }
        for &(old, _, n) in &f.selects {
            let target = sym(old);
            *self.selects.entry(target).or_insert(0) += n;
            for r in &mut self.recording {
                r.selects.push((target, n));
            }
        }
        self.tree_operands += f.operands;
        self.inherited_visibility += f.visibility;
        self.sourced += f.sourced;
        self.bytes_read += f.bytes;
    }

    // ---- expressions -------------------------------------------------------------------

    /// `expr` of parser.y: `||` binds loosest, then `&&`, then comparisons, then `!`.
    fn parse_expr(&mut self) -> Option<Expr> {
        let mut left = self.parse_and()?;
        while self.eat(&Tok::Or) {
            let right = self.with_entries(2, Self::parse_and)?;
            left = Expr::or(left, right);
        }
        Some(left)
    }

    fn parse_and(&mut self) -> Option<Expr> {
        let mut left = self.parse_unary()?;
        while self.eat(&Tok::And) {
            let right = self.with_entries(2, Self::parse_unary)?;
            left = Expr::and(left, right);
        }
        Some(left)
    }

    /// `parse` with `entries` more of the parser stack held below it (PARSER_STACK).
    fn with_entries(
        &mut self,
        entries: u32,
        parse: impl FnOnce(&mut Self) -> Option<Expr>,
    ) -> Option<Expr> {
        if !self.stack_holds(entries) {
            return None;
        }
        self.expr_entries += entries;
        let out = parse(self);
        self.expr_entries -= entries;
        out
    }

    fn parse_unary(&mut self) -> Option<Expr> {
        match self.peek() {
            Tok::Not => {
                self.bump();
                Some(Expr::not(self.with_entries(1, Self::parse_unary)?))
            }
            Tok::OpenParen => {
                self.bump();
                let inner = self.with_entries(1, Self::parse_expr)?;
                // The `)` is shifted above the `(` and the expression.
                if !self.stack_holds(3) {
                    return None;
                }
                if !self.eat(&Tok::CloseParen) {
                    let found = self.peek().describe();
                    self.error(format!("syntax error, unexpected {found}, expecting ')'"));
                    return None;
                }
                Some(inner)
            }
            _ => {
                if !self.stack_holds(1) || !self.count_operand() {
                    return None;
                }
                let left = self.parse_symbol()?;
                let op = match self.peek() {
                    Tok::Equal => CmpOp::Equal,
                    Tok::Unequal => CmpOp::Unequal,
                    Tok::Less => CmpOp::Less,
                    Tok::LessEqual => CmpOp::LessEqual,
                    Tok::Greater => CmpOp::Greater,
                    Tok::GreaterEqual => CmpOp::GreaterEqual,
                    _ => return Some(Expr::sym(left)),
                };
                self.bump();
                if !self.stack_holds(3) {
                    return None;
                }
                let right = self.parse_symbol()?;
                Some(Expr::Cmp(op, left, right))
            }
        }
    }

    fn parse_symbol(&mut self) -> Option<SymbolId> {
        match self.peek().clone() {
            Tok::Word(name) => {
                self.bump();
                Some(self.lookup(&name, false))
            }
            Tok::Quoted(text) => {
                self.bump();
                Some(self.lookup(&text, true))
            }
            other => {
                self.error(format!(
                    "syntax error, unexpected {}, expecting a symbol",
                    other.describe()
                ));
                None
            }
        }
    }
}

/// Whether a statement starts with `tok`, which no statement before it reads as its own
/// (an option of a config entry or comment).
fn starts_a_statement(tok: &Tok) -> bool {
    matches!(
        tok,
        Tok::Config
            | Tok::MenuConfig
            | Tok::Menu
            | Tok::EndMenu
            | Tok::Choice
            | Tok::EndChoice
            | Tok::Comment
            | Tok::If
            | Tok::EndIf
            | Tok::Source
            | Tok::RSource
            | Tok::OSource
            | Tok::ORSource
            | Tok::MainMenu
    )
}

fn keyword_block(tok: &Tok) -> Option<&'static str> {
    match tok {
        Tok::EndMenu => Some("menu"),
        Tok::EndChoice => Some("choice"),
        Tok::EndIf => Some("if"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::macros::{ShellPolicy, ShellRunner};
    use super::super::model::{Model, PropKind, SymbolType};
    use super::*;
    use crate::source::MemSource;

    fn parse(source: &MemSource) -> Model {
        let env = std::collections::HashMap::new();
        let pp = Preprocessor::new(env, ShellRunner::new(ShellPolicy::Never));
        Parser::new(source, pp, Dialect::CURRENT).parse("Kconfig")
    }

    fn errors(model: &Model) -> Vec<String> {
        model.diagnostics.iter().map(|d| d.kernel.clone()).collect()
    }

    /// The line and message of each error.
    fn error_lines(model: &Model) -> Vec<(u32, &str)> {
        model
            .errors()
            .map(|d| (d.line, d.message.as_str()))
            .collect()
    }

    #[test]
    fn option_statements_set_symbol_flags() {
        // 5.10's conf: `K:7: trying to redefine defconfig symbol`, and exit status 1.
        let source = MemSource::new().with(
            "Kconfig",
            "config D1\n\tstring\n\toption defconfig_list\n\n\
             config D2\n\tstring\n\toption defconfig_list\n\n\
             config M\n\tbool\n\toption modules\n\n\
             config E\n\tbool\n\toption allnoconfig_y\n",
        );
        let model = parse(&source);
        assert_eq!(
            errors(&model),
            vec!["Kconfig:7: trying to redefine defconfig symbol"]
        );
        let flag = |name: &str| {
            let sym = model.symbol(model.lookup(name).expect("defined"));
            (sym.no_write, sym.allnoconfig_y)
        };
        assert_eq!(flag("D1"), (true, false));
        assert_eq!(flag("D2"), (false, false));
        assert_eq!(flag("E"), (false, true));
        assert_eq!(model.modules_sym, model.lookup("M"));
        assert!(model.option_statements);
        let modern = parse(&MemSource::new().with("Kconfig", "config M\n\tbool\n\tmodules\n"));
        assert!(!modern.option_statements);
    }

    #[test]
    fn symbols_get_their_types_and_properties() {
        let source = MemSource::new().with(
            "Kconfig",
            "config A\n\ttristate \"a\"\n\tdepends on B\n\tselect C if B\n\timply D\n\
             \tdefault m\n\thelp\n\t  Help.\n\
             config B\n\tdef_bool y\n\
             config C\n\tbool\n\
             config D\n\tint \"d\"\n\trange 1 4\n",
        );
        let model = parse(&source);
        assert!(model.diagnostics.is_empty(), "{:?}", errors(&model));
        let a = model.lookup("A").expect("A defined");
        assert_eq!(model.symbol(a).stype, SymbolType::Tristate);
        let kinds: Vec<PropKind> = model
            .symbol(a)
            .props
            .iter()
            .map(|&p| model.prop(p).kind)
            .collect();
        for kind in [
            PropKind::Prompt,
            PropKind::Select,
            PropKind::Imply,
            PropKind::Default,
        ] {
            assert!(kinds.contains(&kind), "{kind:?} missing from {kinds:?}");
        }
        let d = model.lookup("D").expect("D defined");
        assert_eq!(model.symbol(d).stype, SymbolType::Int);
        let defined: Vec<&str> = model
            .defined_symbols()
            .map(|id| model.sym_name(id))
            .collect();
        assert_eq!(defined.len(), 4, "{defined:?}");
        assert_eq!(model.files, vec!["Kconfig".to_string()]);
    }

    #[test]
    fn sourced_files_are_read_and_listed_in_order() {
        let source = MemSource::new()
            .with("Kconfig", "source \"a/Kconfig\"\nconfig TOP\n\tbool\n")
            .with("a/Kconfig", "rsource \"b/Kconfig\"\nconfig A\n\tbool\n")
            .with("a/b/Kconfig", "config B\n\tbool\n");
        let model = parse(&source);
        assert!(model.diagnostics.is_empty(), "{:?}", errors(&model));
        assert_eq!(model.files, vec!["Kconfig", "a/Kconfig", "a/b/Kconfig"]);
        for name in ["TOP", "A", "B"] {
            assert!(model.lookup(name).is_some(), "{name}");
        }
    }

    #[test]
    fn visible_if_conditions_copied_into_prompts_are_bounded() {
        // 256 nested menus with `visible if` around 256 prompts copy 65,536 conditions,
        // the budget; a 257th prompt (its `bool` line is line 1026) would pass it.
        let tree = |prompts: usize| {
            let mut text = String::new();
            for menu in 0..256 {
                text.push_str(&format!("menu \"m\"\n\tvisible if V{menu}\n"));
            }
            for prompt in 0..prompts {
                text.push_str(&format!(
                    "config S{prompt}\n\tbool \"s\" if S{}\n",
                    prompt + 1
                ));
            }
            text.push_str(&"endmenu\n".repeat(256));
            MemSource::new().with("Kconfig", text)
        };
        let model = parse(&tree(256));
        assert_eq!(model.errors().count(), 0, "{:?}", errors(&model));
        let model = parse(&tree(257));
        let found = error_lines(&model);
        assert_eq!(
            found,
            [(
                1026,
                "prompts inherit more than 65536 'visible if' conditions in this tree"
            )]
        );
    }

    #[test]
    fn operands_of_one_entry_are_bounded_with_its_blocks() {
        // Two `if` blocks of 4,096 operands each around an entry whose two `depends on`
        // lines hold 4,096 each: 16,384, the budget. One more operand on the entry's
        // second line (line 6) passes it, and only that entry's line is in error.
        let chain = |n: usize, from: usize| {
            (from..from + n)
                .map(|i| format!("B{i}"))
                .collect::<Vec<_>>()
                .join(" && ")
        };
        let tree = |last: usize| {
            let text = format!(
                "if {}\nif {}\nconfig A\n\tbool \"a\"\n\tdepends on {}\n\tdepends on {}\n\
                 endif\nendif\nconfig NEXT\n\tbool \"n\" if B1\n",
                chain(4096, 0),
                chain(4096, 4096),
                chain(4096, 8192),
                chain(last, 12288)
            );
            MemSource::new().with("Kconfig", text)
        };
        let model = parse(&tree(4096));
        assert_eq!(model.errors().count(), 0, "{:?}", errors(&model));
        let model = parse(&tree(4097));
        let found = error_lines(&model);
        assert_eq!(
            found,
            [(
                6,
                "more than 16384 operands in the dependencies of one entry"
            )]
        );
        // The entry after the blocks starts from nothing again.
        let next = model.lookup("NEXT").expect("NEXT parsed");
        assert_eq!(model.symbol(next).props.len(), 1);
    }

    #[test]
    fn operands_held_by_a_trees_entries_are_bounded() {
        // An `if` of 10,000 operands around entries that each inherit them: the `if` and
        // 1,599 entries hold 16,000,000, the budget; the 1,600th (line 3,200) passes it,
        // and the rest of the input is not read.
        let tree = |entries: usize| {
            let cond: Vec<String> = (0..10_000).map(|i| format!("B{i}")).collect();
            let mut text = format!("if {}\n", cond.join(" && "));
            for i in 0..entries {
                text.push_str(&format!("config S{i}\n\tbool\n"));
            }
            text.push_str("endif\nconfig AFTER\n\tbool\n");
            MemSource::new().with("Kconfig", text)
        };
        let model = parse(&tree(1599));
        assert_eq!(model.errors().count(), 0, "{:?}", errors(&model));
        assert!(model.lookup("AFTER").is_some());
        let model = parse(&tree(1601));
        let found = error_lines(&model);
        assert_eq!(
            found,
            [(
                3200,
                "more than 16000000 operands in the dependencies of this tree's entries"
            )]
        );
        assert!(model.lookup("S1600").is_none());
        assert!(model.lookup("AFTER").is_none());
    }

    #[test]
    fn selects_of_one_symbol_are_bounded() {
        let tree = |selects: usize| {
            let mut text = String::new();
            for i in 0..selects {
                text.push_str(&format!("config S{i}\n\tbool \"s\"\n\tselect T\n"));
            }
            text.push_str("config T\n\tbool\n");
            MemSource::new().with("Kconfig", text)
        };
        let model = parse(&tree(16_384));
        assert_eq!(model.errors().count(), 0, "{:?}", errors(&model));
        let model = parse(&tree(16_385));
        let found = error_lines(&model);
        // The 16,385th `select T` is line 3 x 16,385.
        assert_eq!(
            found,
            [(49_155, "T selected or implied by more than 16384 entries")]
        );
    }

    #[test]
    fn a_syntax_error_names_its_file_and_line_and_parsing_goes_on() {
        let source = MemSource::new()
            .with(
                "Kconfig",
                "config A\n\tbool\nsource \"sub\"\nconfig LATER\n\tbool\n",
            )
            .with("sub", "config B\n\tbool\n\tdepends on (A\n");
        let model = parse(&source);
        let found = errors(&model);
        assert!(
            found
                .first()
                .is_some_and(|e| e.starts_with("sub:3: syntax error")),
            "{found:?}"
        );
        // Parsing never gives up: what follows the error is still read.
        assert!(model.lookup("LATER").is_some());
        assert!(model.errors().count() >= 1);
    }

    #[test]
    fn a_missing_source_is_an_error_at_the_source_line() {
        let source =
            MemSource::new().with("Kconfig", "config A\n\tbool\nsource \"nope/Kconfig\"\n");
        let model = parse(&source);
        // conf's wording, checked against the 6.12 conf (tests/cases/missing_source).
        assert_eq!(
            errors(&model),
            vec!["Kconfig:3: can't open file \"nope/Kconfig\""]
        );
        // osource of a missing file is silent.
        let quiet = MemSource::new().with("Kconfig", "osource \"nope/Kconfig\"\n");
        assert!(parse(&quiet).diagnostics.is_empty());
    }

    #[test]
    fn an_unterminated_choice_is_an_error() {
        let source = MemSource::new().with(
            "Kconfig",
            "choice\n\tprompt \"c\"\nconfig A\n\tbool \"a\"\n",
        );
        let model = parse(&source);
        assert!(model.errors().count() >= 1, "{:?}", errors(&model));
        assert!(model.lookup("A").is_some());
    }

    #[test]
    fn the_dialect_follows_the_trees_own_scripts_kconfig() {
        // The lines that decide, as 6.1 and 6.12 have them.
        let lexer_6_1 = "\"menu\"\t\treturn T_MENU;\n\"optional\"\t\treturn T_OPTIONAL;\n";
        let parser_6_1 = "choice_option: T_OPTIONAL T_EOL\n";
        let lexer_6_12 = "\"menu\"\t\treturn T_MENU;\n";
        let parser_6_12 =
            "\t\t\tfprintf(stderr, \"%s:%d: error: choice member must be bool\\n\",\n";
        let tree = |lexer: &str, parser: &str| {
            MemSource::new()
                .with("scripts/kconfig/lexer.l", lexer)
                .with("scripts/kconfig/parser.y", parser)
        };
        assert_eq!(
            Dialect::of_tree(&tree(lexer_6_1, parser_6_1)),
            Dialect::TRISTATE_CHOICES
        );
        assert_eq!(
            Dialect::of_tree(&tree(lexer_6_12, parser_6_12)),
            Dialect::CURRENT
        );
        // 6.10: `optional` gone, tristate choices still there.
        let between = Dialect::of_tree(&tree(lexer_6_12, parser_6_1));
        assert!(!between.optional_choices() && !between.bool_choices_only());
        // The version lines say nothing.
        let versioned = MemSource::new().with("Makefile", "VERSION = 6\nPATCHLEVEL = 1\n");
        assert_eq!(Dialect::of_tree(&versioned), Dialect::CURRENT);
    }

    /// The parser's messages on `kconfig`, read on a thread with xenlint's 256 MiB stack.
    fn messages(kconfig: String) -> Vec<String> {
        std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(move || errors(&parse(&MemSource::new().with("Kconfig", kconfig))))
            .expect("spawn")
            .join()
            .expect("no overflow")
    }

    /// `depends on EXPR` of an entry inside `blocks` nested `if` blocks, then B and Y.
    fn tree(blocks: usize, expr: &str) -> String {
        format!(
            "{}config A\n\tbool \"a\"\n\tdepends on {expr}\n{}config B\n\tdef_bool y\nconfig Y\n\tdef_bool y\n",
            "if Y\n".repeat(blocks),
            "endif\n".repeat(blocks)
        )
    }

    /// The deepest nesting 6.12's conf reads, each kind, with one more: `memory exhausted`
    /// at the statement's line (conf then stops reading; so does the parser, silently).
    #[test]
    fn conf_runs_out_of_parser_stack_where_the_parser_does() {
        let nots = |n: usize| format!("{}B", "!".repeat(n));
        let parens = |n: usize| format!("{}B{}", "(".repeat(n), ")".repeat(n));
        let ands = |n: usize| format!("{}B{}", "B && (".repeat(n), ")".repeat(n));
        for (blocks, expr, deepest) in [
            (0, &nots as &dyn Fn(usize) -> String, 9992),
            (1, &nots, 9990),
            (10, &nots, 9972),
            (0, &parens, 9991),
            (10, &parens, 9971),
            (0, &ands, 3330),
        ] {
            assert_eq!(messages(tree(blocks, &expr(deepest))), Vec::<String>::new());
            let line = blocks + 3;
            assert_eq!(
                messages(tree(blocks, &expr(deepest + 1))),
                [format!("Kconfig:{line}: memory exhausted")],
                "{blocks} blocks, {deepest} + 1"
            );
        }
        // 4,996 nested `if` blocks are read, 4,997 are not.
        let ifs = |n: usize| {
            format!(
                "{}config A\n\tbool \"a\"\n{}",
                "if Y\n".repeat(n),
                "endif\n".repeat(n)
            )
        };
        assert_eq!(messages(ifs(4996)), Vec::<String>::new());
        assert_eq!(messages(ifs(4997)), ["Kconfig:4997: memory exhausted"]);
    }

    /// 1.5 million nested parentheses (3 MB) overflowed the 256 MiB stack before.
    #[test]
    fn a_million_parentheses_are_refused_not_followed() {
        let n = 1_500_000;
        let text = tree(0, &format!("{}B{}", "(".repeat(n), ")".repeat(n)));
        assert_eq!(messages(text), ["Kconfig:3: memory exhausted"]);
    }
}

#[cfg(test)]
mod subtree_tests {
    //! Subtrees spliced from the cache (fragments.rs) give the model a parse gives.
    use super::super::fragments::SubtreeCache;
    use super::super::macros::{Preprocessor, ShellPolicy, ShellRunner};
    use super::super::model::Model;
    use super::{Dialect, Parser};
    use crate::source::MemSource;

    fn parse(source: &MemSource, cache: Option<&SubtreeCache>) -> Model {
        let env = std::collections::HashMap::new();
        let pp = Preprocessor::new(env, ShellRunner::new(ShellPolicy::Never));
        let mut parser = Parser::new(source, pp, Dialect::CURRENT);
        if let Some(cache) = cache {
            parser = parser.with_subtrees(cache.clone());
        }
        parser.parse("Kconfig")
    }

    /// Read every tree in turn with one cache, each also without it; the models must be
    /// the same. Returns the splices made.
    fn splices(trees: &[MemSource]) -> u64 {
        let cache = SubtreeCache::new();
        for (i, tree) in trees.iter().enumerate() {
            let plain = parse(tree, None).dump();
            let cached = parse(tree, Some(&cache)).dump();
            if let Some((n, (a, b))) = plain
                .lines()
                .zip(cached.lines())
                .enumerate()
                .find(|(_, (a, b))| a != b)
            {
                panic!("tree {i}: line {n} of the dump: parsed {a:?}, spliced {b:?}\n{cached}");
            }
            assert_eq!(cached, plain, "tree {i}");
        }
        cache.spliced()
    }

    /// A top file sourcing `a/Kconfig`, which sources `a/b/Kconfig` (depths 2 and 3).
    fn tree(top: &str, a: &str, b: &str) -> MemSource {
        MemSource::new()
            .with("Kconfig", top)
            .with("a/Kconfig", a)
            .with("a/b/Kconfig", b)
    }

    const A: &str = "config A1\n\tbool \"a1\"\n\tdepends on B1 || C\n\tselect S\n\nsource \"a/b/Kconfig\"\n\nconfig A2\n\ttristate\n\tdefault B1\n";
    const B: &str = "config B1\n\tbool \"b1\"\n\tdepends on X && !Y\n\tselect S\n\thelp\n\t  words\n\nchoice\n\tprompt \"pick\"\nconfig B2\n\tbool \"b2\"\nconfig B3\n\tbool \"b3\"\nendchoice\n";

    #[test]
    fn a_subtree_read_again_is_spliced_and_gives_the_same_model() {
        let top = "source \"a/Kconfig\"\n";
        let t = tree(top, A, B);
        assert_eq!(splices(&[t.clone(), t]), 1);
    }

    #[test]
    fn symbols_made_elsewhere_first_keep_the_order_a_parse_gives() {
        // The second tree defines Y, S and a symbol of the subtree before sourcing it: its
        // lookups create the other symbols after those, and every id shifts.
        let first = tree("source \"a/Kconfig\"\n", A, B);
        let second = tree(
            "config Y\n\tbool \"y\"\nconfig S\n\tbool\nconfig B3\n\tbool\nsource \"a/Kconfig\"\nconfig Z\n\tbool\n\tdepends on A1\n",
            A,
            B,
        );
        assert_eq!(splices(&[first, second]), 1);
    }

    #[test]
    fn a_type_defined_outside_first_is_warned_about_as_conf_does() {
        // B1 is tristate before the subtree says bool: "ignoring type redefinition".
        let first = tree("source \"a/Kconfig\"\n", A, B);
        let second = tree("config B1\n\ttristate\nsource \"a/Kconfig\"\n", A, B);
        assert_eq!(splices(&[first, second.clone()]), 1);
        let model = parse(&second, None);
        assert!(
            model
                .diagnostics
                .iter()
                .any(|d| d.message.contains("ignoring type redefinition of 'B1'")),
            "{:?}",
            model.diagnostics
        );
        // A choice member typed tristate outside: the checks of the member say so.
        let third = tree("config B2\n\ttristate\nsource \"a/Kconfig\"\n", A, B);
        assert_eq!(splices(&[tree("source \"a/Kconfig\"\n", A, B), third]), 1);
    }

    #[test]
    fn a_changed_inner_file_is_parsed_and_its_siblings_spliced() {
        let first = tree("source \"a/Kconfig\"\n", A, B);
        let b2 = B.replace("depends on X && !Y", "depends on X && !Y && NEW");
        let second = tree("source \"a/Kconfig\"\n", A, &b2);
        // a/Kconfig reads a changed file: parsed; a/b/Kconfig changed: parsed too.
        assert_eq!(splices(&[first.clone(), second.clone()]), 0);
        // The top file sources a second, unchanged subtree as well.
        let with_c = |t: MemSource| {
            t.with(
                "Kconfig",
                "source \"a/Kconfig\"\nsource \"c/Kconfig\"\n".to_string(),
            )
            .with("c/Kconfig", "config C\n\tbool \"c\"\n\tdepends on NEW\n")
        };
        assert_eq!(splices(&[with_c(first), with_c(second)]), 1);
    }

    #[test]
    fn a_subtree_in_a_block_is_spliced_only_into_the_same_nesting() {
        let plain = tree("source \"a/Kconfig\"\n", A, B);
        let in_if = tree("if P\nsource \"a/Kconfig\"\nendif\n", A, B);
        let in_menu = tree("menu \"m\"\nsource \"a/Kconfig\"\nendmenu\n", A, B);
        let visible = tree(
            "menu \"m\"\n\tvisible if V\nsource \"a/Kconfig\"\nendmenu\n",
            A,
            B,
        );
        // Different open blocks or inherited operands: no splice across them, at either
        // depth; under a `visible if`, nothing is kept or spliced.
        assert_eq!(splices(&[plain, in_if.clone(), in_menu.clone()]), 0);
        assert_eq!(splices(&[in_if.clone(), in_if]), 1);
        assert_eq!(splices(&[in_menu.clone(), in_menu]), 1);
        assert_eq!(splices(&[visible.clone(), visible]), 0);
    }

    #[test]
    fn a_statement_outside_that_reads_into_the_subtree_keeps_nothing() {
        // The top file's `depends on` after the source line is read as an option of the
        // subtree's last entry (the token stream goes on across files).
        let t = tree("source \"a/Kconfig\"\n\tdepends on OUT\n", A, B);
        // a/Kconfig is not kept; a/b/Kconfig, which ends before it, is.
        assert_eq!(splices(&[t.clone(), t]), 1);
        let model = parse(
            &tree("source \"a/Kconfig\"\n\tdepends on OUT\n", A, B),
            None,
        );
        let a2 = model.lookup("A2").expect("A2");
        assert!(model.menu(model.symbol(a2).menus[0]).dep.is_some());
    }

    #[test]
    fn a_subtree_is_not_spliced_where_an_option_follows_the_source_line() {
        // Kept where a statement follows; here `depends on` (after a blank line and a
        // comment) continues the subtree's last entry, as a parse reads it (found by
        // kconfig_subtrees). a/b/Kconfig, followed by a config entry, is spliced.
        let first = tree("source \"a/Kconfig\"\nsource \"c/Kconfig\"\n", A, B);
        let second = tree("source \"a/Kconfig\"\n\n# c\n\tdepends on OUT\n", A, B);
        let third = tree("source \"a/Kconfig\"\n\tdefault $(Y)\n", A, B);
        assert_eq!(splices(&[first.clone(), second]), 1);
        assert_eq!(splices(&[first, third]), 1);
    }

    #[test]
    fn macros_options_and_messages_keep_nothing() {
        for a in [
            "X := 1\nconfig A1\n\tbool\n",
            "config A1\n\tbool \"$(X)\"\n",
            "config A1\n\tbool\n\toption modules\n",
            "config A1\n\tbool \"a\"\n\tbool \"again\"\n",
            "menu \"open\"\nconfig A1\n\tbool\n",
        ] {
            let t = tree("source \"a/Kconfig\"\n", a, "");
            assert_eq!(splices(&[t.clone(), t]), 0, "{a}");
        }
    }

    #[test]
    fn files_read_or_missing_are_part_of_the_key() {
        let a = "osource \"a/opt/Kconfig\"\nsource \"a/b/Kconfig\"\nsource \"a/b/Kconfig\"\n";
        let without = tree("source \"a/Kconfig\"\n", a, B);
        let with = without
            .clone()
            .with("a/opt/Kconfig", "config OPT\n\tbool \"opt\"\n");
        // a/b/Kconfig read twice: parsed, then spliced. The optional file appearing
        // changes a/Kconfig's subtree: parsed, a/b/Kconfig spliced both times. Without
        // it again: a/Kconfig's first subtree is spliced whole.
        let n = splices(&[without.clone(), with, without]);
        assert_eq!(n, 1 + 2 + 1);
    }

    #[test]
    fn a_subtree_without_statements_leaves_the_source_lines_place() {
        // c/Kconfig holds no statement: after it, the last statement is still the
        // `source` line, wherever the top file has it (the default main-menu prompt is
        // placed there). The second tree moves that line down (found by kconfig_subtrees).
        let t = |top: &str| tree(top, A, B).with("c/Kconfig", "# nothing\n");
        let first = t("source \"a/Kconfig\"\nsource \"c/Kconfig\"\n");
        let second = t("config P\n\tbool\n\nsource \"a/Kconfig\"\nsource \"c/Kconfig\"\n");
        assert_eq!(splices(&[first, second]), 2);
    }

    #[test]
    fn a_file_that_is_not_utf8_keeps_nothing() {
        // The message about the bytes comes from reading the file, before its first token
        // (found by kconfig_subtrees).
        let t =
            tree("source \"a/Kconfig\"\n", A, B).with("a/b/Kconfig", b"config B\xff\n".to_vec());
        assert_eq!(splices(&[t.clone(), t]), 0);
    }

    #[test]
    fn a_file_sourcing_itself_on_its_last_line_stops_at_the_budget() {
        // Its end closes it before the `source` line is seen: conf reads it forever
        // (found by kconfig_subtrees).
        let t = tree("source \"c/Kconfig\"\n", "", "")
            .with("c/Kconfig", "config C\n\tbool\nsource \"c/Kconfig\"");
        let model = parse(&t, None);
        let errors: Vec<_> = model.errors().map(|d| (d.file.as_str(), d.line)).collect();
        assert_eq!(errors, [("c/Kconfig", 3)]);
        assert!(model.menus.len() < 10_000, "{} entries", model.menus.len());
        assert_eq!(splices(&[t.clone(), t]), 0);
    }

    #[test]
    fn a_splice_that_would_pass_a_budget_is_not_made() {
        // A subtree's own `visible if` count is replayed.
        let a = "menu \"m\"\n\tvisible if V\nconfig A1\n\tbool \"a1\"\nendmenu\n";
        let t = tree("source \"a/Kconfig\"\n", a, "");
        assert_eq!(splices(&[t.clone(), t]), 1);
        // 400 selects of S kept from a tree without others; a tree that selects S 16,000
        // times before sourcing it goes past MAX_SELECTS inside the subtree: parsed, and
        // the error is where the parse puts it.
        let a = "config A\n\tbool\n".to_string() + &"\tselect S\n".repeat(400);
        let lean = tree("source \"a/Kconfig\"\n", &a, "");
        let mut top = String::new();
        for i in 0..16_000 {
            top.push_str(&format!("config T{i}\n\tbool\n\tselect S\n"));
        }
        top.push_str("source \"a/Kconfig\"\n");
        let heavy = tree(&top, &a, "");
        assert_eq!(splices(&[lean.clone(), heavy.clone(), lean]), 1);
        let model = parse(&heavy, None);
        let errors: Vec<_> = model.errors().map(|d| (d.file.as_str(), d.line)).collect();
        assert_eq!(errors, [("a/Kconfig", 387)]);
    }
}
