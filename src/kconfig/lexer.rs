//! The Kconfig lexer: scripts/kconfig/lexer.l, by hand, over a stack of included files.
//!
//! It follows flex's rules exactly where they decide meaning: keywords only as whole words,
//! `$(...)` expanded inside words and quoted strings (the expansion is not lexed again),
//! `VAR = value` lines switching to raw assignment values, help text indentation measured
//! with 8-column tabs, and the second-stage filter (`yylex()`) that drops blank statements
//! and records each statement's first line. Files come from the parser, which owns the
//! `Source`; this module never reads anything itself.

use super::macros::Preprocessor;
use super::model::FileId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    Word(String),
    Quoted(String),
    HelpText(String),
    AssignVal(String),
    Eol,
    Eof,
    // Keywords.
    Bool,
    Choice,
    Comment,
    Config,
    DefBool,
    DefTristate,
    Default,
    Depends,
    EndChoice,
    EndIf,
    EndMenu,
    Help,
    Hex,
    If,
    Imply,
    Int,
    MainMenu,
    Menu,
    MenuConfig,
    Modules,
    On,
    Prompt,
    Range,
    Select,
    Source,
    RSource,
    OSource,
    ORSource,
    String,
    Tristate,
    Visible,
    Transitional,
    /// Kernels before 6.10.
    Optional,
    /// Kernels before 5.13 (`option modules`, `option env=...`, ...).
    OptionKw,
    // Operators.
    Or,
    And,
    Equal,
    Unequal,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    Not,
    OpenParen,
    CloseParen,
    ColonEqual,
    PlusEqual,
}

impl Tok {
    /// How a token is named in messages.
    pub fn describe(&self) -> String {
        match self {
            Tok::Word(w) => format!("'{w}'"),
            Tok::Quoted(q) => format!("\"{q}\""),
            Tok::HelpText(_) => "help text".to_string(),
            Tok::AssignVal(v) => format!("'{v}'"),
            Tok::Eol => "end of line".to_string(),
            Tok::Eof => "end of file".to_string(),
            other => format!("'{}'", keyword_text(other).unwrap_or("?")),
        }
    }
}

const KEYWORDS: &[(&str, Tok)] = &[
    ("bool", Tok::Bool),
    ("choice", Tok::Choice),
    ("comment", Tok::Comment),
    ("config", Tok::Config),
    ("def_bool", Tok::DefBool),
    ("def_tristate", Tok::DefTristate),
    ("default", Tok::Default),
    ("depends", Tok::Depends),
    ("endchoice", Tok::EndChoice),
    ("endif", Tok::EndIf),
    ("endmenu", Tok::EndMenu),
    ("help", Tok::Help),
    ("---help---", Tok::Help),
    ("hex", Tok::Hex),
    ("if", Tok::If),
    ("imply", Tok::Imply),
    ("int", Tok::Int),
    ("mainmenu", Tok::MainMenu),
    ("menu", Tok::Menu),
    ("menuconfig", Tok::MenuConfig),
    ("modules", Tok::Modules),
    ("on", Tok::On),
    ("option", Tok::OptionKw),
    ("optional", Tok::Optional),
    ("prompt", Tok::Prompt),
    ("range", Tok::Range),
    ("select", Tok::Select),
    ("source", Tok::Source),
    ("rsource", Tok::RSource),
    ("osource", Tok::OSource),
    ("orsource", Tok::ORSource),
    ("string", Tok::String),
    ("transitional", Tok::Transitional),
    ("tristate", Tok::Tristate),
    ("visible", Tok::Visible),
];

/// The keyword `word` spells, if any (the words of KEYWORDS, matched by length first).
/// Most words are symbol names, in capitals: they are turned away by their first byte.
pub(super) fn keyword(word: &str) -> Option<Tok> {
    let first = *word.as_bytes().first()?;
    if !(first.is_ascii_lowercase() || first == b'-') || word.len() > 12 {
        return None;
    }
    Some(match word {
        "bool" => Tok::Bool,
        "choice" => Tok::Choice,
        "comment" => Tok::Comment,
        "config" => Tok::Config,
        "def_bool" => Tok::DefBool,
        "def_tristate" => Tok::DefTristate,
        "default" => Tok::Default,
        "depends" => Tok::Depends,
        "endchoice" => Tok::EndChoice,
        "endif" => Tok::EndIf,
        "endmenu" => Tok::EndMenu,
        "help" | "---help---" => Tok::Help,
        "hex" => Tok::Hex,
        "if" => Tok::If,
        "imply" => Tok::Imply,
        "int" => Tok::Int,
        "mainmenu" => Tok::MainMenu,
        "menu" => Tok::Menu,
        "menuconfig" => Tok::MenuConfig,
        "modules" => Tok::Modules,
        "on" => Tok::On,
        "option" => Tok::OptionKw,
        "optional" => Tok::Optional,
        "prompt" => Tok::Prompt,
        "range" => Tok::Range,
        "select" => Tok::Select,
        "source" => Tok::Source,
        "rsource" => Tok::RSource,
        "osource" => Tok::OSource,
        "orsource" => Tok::ORSource,
        "string" => Tok::String,
        "transitional" => Tok::Transitional,
        "tristate" => Tok::Tristate,
        "visible" => Tok::Visible,
        _ => return None,
    })
}

fn keyword_text(tok: &Tok) -> Option<&'static str> {
    KEYWORDS.iter().find(|(_, t)| t == tok).map(|(s, _)| *s)
}

/// A token with where it starts in its file.
#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    pub file: FileId,
    /// Line of the token (flex's yylineno after matching it).
    pub line: u32,
    pub start: u32,
    pub end: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Initial,
    AssignVal,
}

/// One open file.
struct Frame {
    file: FileId,
    name: String,
    text: String,
    pos: usize,
    line: u32,
    /// The statement line of the `source` that opened the file after this one.
    source_line: u32,
}

/// A message from the lexer (the kernel prints these as warnings).
#[derive(Debug, Clone)]
pub struct LexWarning {
    pub file: String,
    pub line: u32,
    pub message: String,
}

pub struct Lexer {
    frames: Vec<Frame>,
    mode: Mode,
    prev_token_eolish: bool,
    prev_prev_eol: bool,
    prev_was_word: bool,
    /// Line of the first token of the current statement (`cur_lineno`).
    pub stmt_line: u32,
    pub stmt_file: FileId,
    pub stmt_start: u32,
    pub warnings: Vec<LexWarning>,
    pending_help: bool,
}

fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

impl Lexer {
    pub fn new() -> Self {
        Lexer {
            frames: Vec::new(),
            mode: Mode::Initial,
            prev_token_eolish: true,
            prev_prev_eol: true,
            prev_was_word: false,
            stmt_line: 0,
            stmt_file: FileId(0),
            stmt_start: 0,
            warnings: Vec::new(),
            pending_help: false,
        }
    }

    /// Start reading `text` as file `file` (zconf_initscan() / zconf_nextfile()).
    pub fn push_file(&mut self, file: FileId, name: &str, text: String) {
        if let Some(top) = self.frames.last_mut() {
            top.source_line = self.stmt_line;
        }
        self.frames.push(Frame {
            file,
            name: name.to_string(),
            text,
            pos: 0,
            line: 1,
            source_line: 0,
        });
    }

    /// The include chain, innermost first: (file name, line of its `source` statement).
    pub fn include_chain(&self) -> Vec<(String, u32)> {
        let mut chain = Vec::new();
        let depth = self.frames.len();
        for (index, frame) in self.frames.iter().enumerate().rev() {
            let line = if index + 1 == depth {
                self.stmt_line
            } else {
                frame.source_line
            };
            chain.push((frame.name.clone(), line));
        }
        chain
    }

    /// The word the next token starts with, read without lexing it: `Some("")` at the end
    /// of the input, `None` when the next token is not a plain word (a macro reference,
    /// a quote, an operator, a character the lexer would warn about). Blank lines,
    /// comments and line continuations before it are skipped, and so are the ends of
    /// open files, as the lexer skips them. Only at the start of a line.
    pub fn next_word(&self) -> Option<&str> {
        for frame in self.frames.iter().rev() {
            let bytes = frame.text.as_bytes();
            let mut pos = frame.pos;
            while pos < bytes.len() {
                match bytes[pos] {
                    b' ' | b'\t' | b'\n' => pos += 1,
                    b'#' => pos = line_end(bytes, pos),
                    b'\\' if bytes.get(pos + 1) == Some(&b'\n') => pos += 2,
                    c if is_word_byte(c) => {
                        let end = pos
                            + bytes[pos..]
                                .iter()
                                .take_while(|&&b| is_word_byte(b))
                                .count();
                        if bytes.get(end) == Some(&b'$') {
                            return None;
                        }
                        return Some(&frame.text[pos..end]);
                    }
                    _ => return None,
                }
            }
        }
        Some("")
    }

    /// Files open, the top one counting 1: the length of the `source` chain being read.
    pub fn depth(&self) -> usize {
        self.frames.len()
    }

    pub fn is_open(&self, name: &str) -> bool {
        self.frames.iter().any(|f| f.name == name)
    }

    pub fn current_name(&self) -> &str {
        self.frames.last().map(|f| f.name.as_str()).unwrap_or("")
    }

    pub fn current_line(&self) -> u32 {
        self.frames.last().map(|f| f.line).unwrap_or(0)
    }

    /// The parser saw `help` and its end of line: read the help text next.
    pub fn start_help(&mut self) {
        self.pending_help = true;
    }

    fn warn(&mut self, line: u32, message: String) {
        let file = self.current_name().to_string();
        self.warnings.push(LexWarning {
            file,
            line,
            message,
        });
    }

    /// The next token for the parser (the kernel's second-stage yylex()).
    pub fn next(&mut self, pp: &mut Preprocessor) -> Token {
        loop {
            let token = self.next_raw(pp);
            let eol = matches!(token.tok, Tok::Eol);
            if self.prev_token_eolish {
                if eol {
                    // Blank statements never reach the parser.
                    continue;
                }
                self.stmt_line = token.line;
                self.stmt_file = token.file;
                self.stmt_start = token.start;
            }
            let assign = matches!(token.tok, Tok::Equal | Tok::ColonEqual | Tok::PlusEqual);
            if self.prev_prev_eol && self.prev_was_word && assign {
                self.mode = Mode::AssignVal;
            }
            self.prev_prev_eol = self.prev_token_eolish;
            self.prev_was_word = matches!(token.tok, Tok::Word(_));
            self.prev_token_eolish = matches!(token.tok, Tok::Eol | Tok::HelpText(_));
            return token;
        }
    }

    fn make(&self, tok: Tok, start: usize, end: usize) -> Token {
        let frame = self
            .frames
            .last()
            .expect("a token is only made while a file is open");
        Token {
            tok,
            file: frame.file,
            line: frame.line,
            start: start as u32,
            end: end as u32,
        }
    }

    fn next_raw(&mut self, pp: &mut Preprocessor) -> Token {
        if self.pending_help {
            self.pending_help = false;
            return self.lex_help();
        }
        loop {
            let Some(frame) = self.frames.last() else {
                return Token {
                    tok: Tok::Eof,
                    file: self.stmt_file,
                    line: self.stmt_line,
                    start: 0,
                    end: 0,
                };
            };
            let pos = frame.pos;
            let len = frame.text.len();
            if pos >= len {
                self.mode = Mode::Initial;
                if !self.prev_token_eolish {
                    let line = self.current_line();
                    self.warn(line, "no new line at end of file".to_string());
                }
                let end = len;
                let token = self.make(Tok::Eol, end, end);
                self.frames.pop();
                if self.frames.is_empty() {
                    // The top file ends without a T_EOL, as in lexer.l: a last statement
                    // with no newline after it is a syntax error there too.
                    continue;
                }
                return token;
            }
            if self.mode == Mode::AssignVal {
                if let Some(token) = self.lex_assign_val() {
                    return token;
                }
                continue;
            }
            let frame = self.frames.last().expect("open");
            let bytes = frame.text.as_bytes();
            let c = bytes[pos];
            match c {
                b'#' => {
                    let end = line_end(bytes, pos);
                    self.frames.last_mut().expect("open").pos = end;
                }
                b' ' | b'\t' => {
                    let mut end = pos;
                    while end < bytes.len() && (bytes[end] == b' ' || bytes[end] == b'\t') {
                        end += 1;
                    }
                    self.frames.last_mut().expect("open").pos = end;
                }
                b'\\' if bytes.get(pos + 1) == Some(&b'\n') => {
                    let frame = self.frames.last_mut().expect("open");
                    frame.pos += 2;
                    frame.line += 1;
                }
                b'\n' => {
                    let token = self.make(Tok::Eol, pos, pos + 1);
                    let frame = self.frames.last_mut().expect("open");
                    frame.pos += 1;
                    frame.line += 1;
                    return token;
                }
                b'"' | b'\'' => return self.lex_string(pp, c),
                _ if is_word_byte(c) || c == b'$' => {
                    if let Some(token) = self.lex_word(pp) {
                        return token;
                    }
                }
                _ => {
                    if let Some((tok, len)) = operator(&bytes[pos..]) {
                        let token = self.make(tok, pos, pos + len);
                        self.frames.last_mut().expect("open").pos += len;
                        return token;
                    }
                    // A multi-byte character is one character to the user.
                    let ch = frame.text[pos..].chars().next().unwrap_or('?');
                    let line = frame.line;
                    self.frames.last_mut().expect("open").pos += ch.len_utf8();
                    self.warn(line, format!("ignoring unsupported character '{ch}'"));
                }
            }
        }
    }

    fn lex_word(&mut self, pp: &mut Preprocessor) -> Option<Token> {
        let frame = self.frames.last().expect("open");
        let bytes = frame.text.as_bytes();
        let start = frame.pos;
        let mut end = start;
        let mut has_dollar = false;
        while end < bytes.len() && (is_word_byte(bytes[end]) || bytes[end] == b'$') {
            has_dollar |= bytes[end] == b'$';
            end += 1;
        }
        if !has_dollar {
            let word = &frame.text[start..end];
            let tok = keyword(word).unwrap_or_else(|| Tok::Word(word.to_string()));
            let token = self.make(tok, start, end);
            self.frames.last_mut().expect("open").pos = end;
            return Some(token);
        }
        // The word holds a reference: expand from its start to the end of the word, which
        // may run past `end` (a reference can hold spaces). The rest of the line is lexed
        // again; the expansion is not.
        let line_stop = line_end(bytes, start);
        let rest = frame.text[start..line_stop].to_string();
        pp.filename = frame.name.clone();
        pp.lineno = frame.line;
        let (expanded, used) = pp.expand_token(&rest);
        let token = self.make(Tok::Word(expanded.clone()), start, start + used);
        self.frames.last_mut().expect("open").pos = start + used;
        if expanded.is_empty() {
            None
        } else {
            Some(token)
        }
    }

    fn lex_string(&mut self, pp: &mut Preprocessor, quote: u8) -> Token {
        // Lend the file's text out of its frame while scanning, to read it without a copy.
        let frame = self.frames.last_mut().expect("open");
        let text = std::mem::take(&mut frame.text);
        let token = self.lex_string_in(pp, quote, &text);
        self.frames.last_mut().expect("open").text = text;
        token
    }

    fn lex_string_in(&mut self, pp: &mut Preprocessor, quote: u8, text: &str) -> Token {
        let frame = self.frames.last().expect("open");
        let bytes = text.as_bytes();
        let start = frame.pos;
        let mut pos = start + 1;
        let mut value = String::new();
        while let Some(&c) = bytes.get(pos) {
            match c {
                b'$' => {
                    let stop = line_end(bytes, pos);
                    pp.filename = self.current_name().to_string();
                    pp.lineno = self.current_line();
                    let (expanded, used) = pp.expand_dollar(&text[pos + 1..stop]);
                    value.push_str(&expanded);
                    pos += 1 + used;
                }
                b'\\' => {
                    // `\\.?`: the next character, whatever it is, but not a newline.
                    match text[pos + 1..].chars().next() {
                        Some(ch) if ch != '\n' => {
                            value.push(ch);
                            pos += 1 + ch.len_utf8();
                        }
                        _ => pos += 1,
                    }
                }
                b'\n' => {
                    let line = self.current_line();
                    self.warn(line, "multi-line strings not supported".to_string());
                    break;
                }
                _ if c == quote => {
                    pos += 1;
                    break;
                }
                _ => {
                    let ch = text[pos..].chars().next().expect("in bounds");
                    value.push(ch);
                    pos += ch.len_utf8();
                }
            }
        }
        let token = self.make(Tok::Quoted(value), start, pos);
        self.frames.last_mut().expect("open").pos = pos;
        token
    }

    fn lex_assign_val(&mut self) -> Option<Token> {
        let frame = self.frames.last_mut().expect("open");
        let bytes = frame.text.as_bytes();
        let mut pos = frame.pos;
        while pos < bytes.len() && (bytes[pos] == b' ' || bytes[pos] == b'\t') {
            pos += 1;
        }
        if pos >= bytes.len() {
            frame.pos = pos;
            return None;
        }
        if bytes[pos] == b'\n' {
            self.mode = Mode::Initial;
            let line = frame.line;
            frame.pos = pos + 1;
            frame.line += 1;
            return Some(Token {
                tok: Tok::Eol,
                file: frame.file,
                line,
                start: pos as u32,
                end: pos as u32 + 1,
            });
        }
        let end = line_end(bytes, pos);
        let value = frame.text[pos..end].to_string();
        frame.pos = end;
        Some(Token {
            tok: Tok::AssignVal(value),
            file: frame.file,
            line: frame.line,
            start: pos as u32,
            end: end as u32,
        })
    }

    /// The HELP start condition of lexer.l: collect lines indented at least as much as the
    /// first one, tabs counting to the next multiple of 8, re-indented relative to it.
    fn lex_help(&mut self) -> Token {
        let Some(frame) = self.frames.last_mut() else {
            return Token {
                tok: Tok::HelpText(String::new()),
                file: self.stmt_file,
                line: self.stmt_line,
                start: 0,
                end: 0,
            };
        };
        let bytes = frame.text.as_bytes();
        let start = frame.pos;
        let mut pos = frame.pos;
        let mut text = String::new();
        let mut first_ts = 0usize;
        let mut last_ts = 0usize;
        loop {
            if pos >= bytes.len() {
                break;
            }
            let c = bytes[pos];
            if c == b' ' || c == b'\t' {
                let mut end = pos;
                let mut ts = 0usize;
                while end < bytes.len() && (bytes[end] == b' ' || bytes[end] == b'\t') {
                    ts = if bytes[end] == b'\t' {
                        (ts & !7) + 8
                    } else {
                        ts + 1
                    };
                    end += 1;
                }
                if end < bytes.len() && bytes[end] == b'\n' {
                    // `[ \t]*\n` is the longer match: handled as a line end below.
                    pos = end;
                    continue;
                }
                last_ts = ts;
                pos = end;
                if first_ts != 0 {
                    if ts < first_ts {
                        break;
                    }
                    let mut extra = ts - first_ts;
                    while extra > 8 {
                        text.push_str("        ");
                        extra -= 8;
                    }
                    text.extend(std::iter::repeat_n(' ', extra));
                }
                continue;
            }
            if c == b'\n' {
                pos += 1;
                frame.line += 1;
                let next = bytes.get(pos).copied();
                match next {
                    Some(b' ') | Some(b'\t') | Some(b'\n') | None => text.push('\n'),
                    // A line starting in column 0 ends the help text.
                    Some(_) => break,
                }
                continue;
            }
            let end = line_end(bytes, pos);
            let mut content_end = end;
            while content_end > pos && matches!(bytes[content_end - 1], b' ' | b'\t') {
                content_end -= 1;
            }
            text.push_str(&frame.text[pos..content_end]);
            if first_ts == 0 {
                first_ts = last_ts;
            }
            pos = end;
        }
        frame.pos = pos;
        Token {
            tok: Tok::HelpText(text),
            file: frame.file,
            line: frame.line,
            start: start as u32,
            end: pos as u32,
        }
    }
}

impl Default for Lexer {
    fn default() -> Self {
        Self::new()
    }
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    memchr::memchr(b'\n', &bytes[from..])
        .map(|i| from + i)
        .unwrap_or(bytes.len())
}

fn operator(bytes: &[u8]) -> Option<(Tok, usize)> {
    let two = if bytes.len() >= 2 {
        &bytes[..2]
    } else {
        &[][..]
    };
    let tok2 = match two {
        b"||" => Some(Tok::Or),
        b"&&" => Some(Tok::And),
        b"!=" => Some(Tok::Unequal),
        b"<=" => Some(Tok::LessEqual),
        b">=" => Some(Tok::GreaterEqual),
        b":=" => Some(Tok::ColonEqual),
        b"+=" => Some(Tok::PlusEqual),
        _ => None,
    };
    if let Some(tok) = tok2 {
        return Some((tok, 2));
    }
    let tok1 = match bytes.first()? {
        b'=' => Tok::Equal,
        b'<' => Tok::Less,
        b'>' => Tok::Greater,
        b'!' => Tok::Not,
        b'(' => Tok::OpenParen,
        b')' => Tok::CloseParen,
        _ => return None,
    };
    Some((tok1, 1))
}

#[cfg(test)]
mod tests {
    use super::super::macros::{ShellPolicy, ShellRunner};
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn every_keyword_is_recognised_and_nothing_else() {
        for (word, tok) in KEYWORDS {
            assert_eq!(keyword(word).as_ref(), Some(tok), "{word}");
        }
        for word in [
            "",
            "BOOL",
            "Bool",
            "bools",
            "boo",
            "-",
            "def_tristatex",
            "X86_64",
        ] {
            assert_eq!(keyword(word), None, "{word}");
        }
    }

    /// Every token of `text` as the parser sees it, with its line.
    fn tokens(text: &str) -> (Vec<(Tok, u32)>, Vec<String>) {
        let env = HashMap::from([("ARCH".to_string(), "x86".to_string())]);
        let mut pp = Preprocessor::new(env, ShellRunner::new(ShellPolicy::Never));
        let mut lexer = Lexer::new();
        lexer.push_file(FileId(0), "Kconfig", text.to_string());
        let mut out = Vec::new();
        loop {
            let token = lexer.next(&mut pp);
            if token.tok == Tok::Eof {
                break;
            }
            let help = token.tok == Tok::Help;
            out.push((token.tok, token.line));
            if help {
                // The parser does this after `help` and its end of line.
                let eol = lexer.next(&mut pp);
                out.push((eol.tok, eol.line));
                lexer.start_help();
            }
        }
        let warnings = lexer
            .warnings
            .iter()
            .map(|w| format!("{}:{}: {}", w.file, w.line, w.message))
            .collect();
        (out, warnings)
    }

    fn word(w: &str) -> Tok {
        Tok::Word(w.to_string())
    }

    #[test]
    fn keywords_words_and_operators() {
        let (toks, warnings) = tokens("config FOO_BAR\n\tdepends on A && !(B || C!=y)\n");
        let kinds: Vec<Tok> = toks.into_iter().map(|(t, _)| t).collect();
        assert_eq!(
            kinds,
            vec![
                Tok::Config,
                word("FOO_BAR"),
                Tok::Eol,
                Tok::Depends,
                Tok::On,
                word("A"),
                Tok::And,
                Tok::Not,
                Tok::OpenParen,
                word("B"),
                Tok::Or,
                word("C"),
                Tok::Unequal,
                word("y"),
                Tok::CloseParen,
                Tok::Eol,
            ]
        );
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn a_keyword_is_only_a_whole_word() {
        let (toks, _) = tokens("config configs\n");
        assert_eq!(toks[1].0, word("configs"));
    }

    #[test]
    fn blank_lines_and_comments_are_dropped_and_lines_counted() {
        let (toks, _) = tokens("\n# a comment\n\nconfig A # trailing\n\n\tbool\n");
        assert_eq!(
            toks,
            vec![
                (Tok::Config, 4),
                (word("A"), 4),
                (Tok::Eol, 4),
                (Tok::Bool, 6),
                (Tok::Eol, 6),
            ]
        );
    }

    #[test]
    fn quoted_strings_keep_escaped_quotes_and_expand_macros() {
        let (toks, _) = tokens("prompt \"say \\\"$(ARCH)\\\"\" 'single'\n");
        assert_eq!(toks[1].0, Tok::Quoted("say \"x86\"".to_string()));
        assert_eq!(toks[2].0, Tok::Quoted("single".to_string()));
    }

    #[test]
    fn an_assignment_value_is_raw_text() {
        let (toks, _) = tokens("CC := gcc -O2 && x\n");
        assert_eq!(toks[0].0, word("CC"));
        assert_eq!(toks[1].0, Tok::ColonEqual);
        assert_eq!(toks[2].0, Tok::AssignVal("gcc -O2 && x".to_string()));
    }

    #[test]
    fn help_text_ends_at_a_shallower_line() {
        let text = "config A\n\tbool\n\thelp\n\t  First.\n\n\t    Indented.\nconfig B\n";
        let (toks, _) = tokens(text);
        let help = toks
            .iter()
            .find_map(|(t, _)| match t {
                Tok::HelpText(h) => Some(h.clone()),
                _ => None,
            })
            .expect("help text");
        // lexer.l's <HELP> rules: indentation past the first line's is kept, a line end
        // is appended only when another help line follows, so no final newline.
        assert_eq!(help, "First.\n\n  Indented.");
        assert!(toks.contains(&(word("B"), 7)), "{toks:?}");
    }

    #[test]
    fn a_missing_final_newline_is_a_warning() {
        let (_, warnings) = tokens("config A\n\tbool");
        assert_eq!(warnings, vec!["Kconfig:2: no new line at end of file"]);
    }
}
