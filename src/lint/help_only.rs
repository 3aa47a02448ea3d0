//! A commit that only rewords help texts or the prompts of config entries keeps its
//! parent's parsed tree: the model and its finalized dependencies are shared, and the new
//! help texts are kept beside them.
//!
//! The proof is a lexical one, for each Kconfig file the tree read that the commit changes:
//! both versions are lexed by themselves and must give the same tokens, help texts and
//! prompts apart. Then the parser, which decides only on tokens (the words of a help text
//! or a prompt never steer it), builds the same model from the new version, but for those
//! texts and for the lines of what follows a help text that grew or shrank. A new prompt
//! or moved lines make a copy of the model with them (the copy is still far cheaper than a
//! parse); help texts alone share it. Neither kind of text decides a value or is written
//! to a .config (menu and comment titles are, and stay out: they are not prompts here). To
//! keep the argument that simple, a file qualifies only when neither version holds a `$`
//! outside its help texts (no macro can expand differently), both are UTF-8, the parent's
//! tree has no message about the file (so every `help` in it opened a help text, every
//! prompt made one prompt, none blank, repeated or redefined), the new help texts are not
//! blank nor the new prompts indented, and the file's entries with a help text and its
//! prompts pair one to one with the texts of the file, in order. Anything else is parsed.
//!
//! What the model keeps from the parent: byte spans of statements (`Pos::start`,
//! `Pos::end`) in the changed files, which nothing after parsing reads.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::snapshot::KconfigSnapshot;
use crate::git::CommitSource;
use crate::kconfig::env::KernelEnv;
use crate::kconfig::lexer::{Lexer, Tok};
use crate::kconfig::macros::{Preprocessor, ShellPolicy, ShellRunner};
use crate::kconfig::model::{FileId, MenuId, MenuKind, Model, Pos, PropId, PropKind};
use crate::source::Source;

/// The tree of a commit that changes only help texts and prompts of the files `parent`
/// read, built on `parent`; `None` when the commit changes anything else of them (then it
/// is parsed). `old` is the parent commit, `new` this one, `env` the environment computed
/// for it.
pub(super) fn reworded(
    parent: &Arc<KconfigSnapshot>,
    changed: &HashSet<String>,
    old: &CommitSource,
    new: &CommitSource,
    env: &KernelEnv,
) -> Option<KconfigSnapshot> {
    if parent.env.vars != env.vars || parent.env.dialect != env.dialect {
        return None;
    }
    let model = &parent.model;
    let mut help = parent.help.as_ref().clone();
    let mut reads = parent.reads.clone();
    // What a copy of the model must change: lines by file, prompt texts by property.
    let mut edits = Edits::default();
    // Entries with a help text and prompts of config entries and choices, in the files the
    // commit changes, by file, in the order the parser made them.
    let touched: crate::FastSet<u32> = (model.files.iter().enumerate())
        .filter(|(_, path)| changed.contains(path.as_str()))
        .map(|(i, _)| i as u32)
        .collect();
    let mut with_help: HashMap<FileId, Vec<MenuId>> = HashMap::new();
    for m in (0..model.menus.len() as u32).map(MenuId) {
        let menu = model.menu(m);
        if menu.help.is_some() && touched.contains(&menu.pos.file.0) {
            with_help.entry(menu.pos.file).or_default().push(m);
        }
    }
    let mut prompts: HashMap<FileId, Vec<PropId>> = HashMap::new();
    for p in (0..model.props.len() as u32).map(PropId) {
        // A menuconfig's prompt is a `menu` property (the parser turns it into one).
        let prop = model.prop(p);
        if !touched.contains(&prop.pos.file.0) {
            continue;
        }
        let menuconfig = model.menu(prop.menu).kind == MenuKind::MenuConfig;
        if prop.kind == PropKind::Prompt || (prop.kind == PropKind::Menu && menuconfig) {
            prompts.entry(prop.pos.file).or_default().push(p);
        }
    }
    let mut any = false;
    for (path, id) in reads.iter_mut() {
        if !changed.contains(path.as_str()) {
            continue;
        }
        any = true;
        // A file that appears or goes away is more than a rewording.
        let was = (*id)?;
        if old.blob_id(path) != Some(was) {
            return None;
        }
        let now = new.blob_id(path)?;
        let before = text_of(old, path)?;
        let after = text_of(new, path)?;
        let file = FileId(model.files.iter().position(|f| f == path)? as u32);
        if model.diagnostics.iter().any(|d| d.file == *path) {
            return None;
        }
        let words = rewordings(&before, &after)?;
        let entries = with_help.get(&file).map_or(&[][..], Vec::as_slice);
        let props = prompts.get(&file).map_or(&[][..], Vec::as_slice);
        if entries.len() != words.help.len() || props.len() != words.prompts.len() {
            return None;
        }
        for (&menu, text) in entries.iter().zip(words.help) {
            help.insert(menu, text);
        }
        for (&prop, text) in props.iter().zip(words.prompts) {
            if model.prop(prop).text.as_deref() != Some(text.as_str()) {
                edits.prompts.insert(prop, text);
            }
        }
        if words.lines.iter().any(|(a, b)| a != b) {
            edits.lines.push((file, words.lines));
        }
        *id = Some(now);
    }
    if !any {
        return None;
    }
    let model = match edits.lines.is_empty() && edits.prompts.is_empty() {
        true => parent.model.clone(),
        false => Arc::new(edits.apply(model)?),
    };
    // Keep only what differs from the model's own texts.
    help.retain(|m, text| model.menu(*m).help.as_deref() != Some(text.as_str()));
    Some(KconfigSnapshot {
        env: env.clone(),
        model,
        // Positions, help texts and prompt wording are not part of the finalized tree.
        fin_cell: parent.fin_cell.clone(),
        reads,
        fingerprint: parent.fingerprint,
        help: Arc::new(help),
    })
}

#[derive(Default)]
struct Edits {
    /// Old line -> new line, for files whose lines moved.
    lines: Vec<(FileId, HashMap<u32, u32>)>,
    prompts: HashMap<PropId, String>,
}

impl Edits {
    /// A copy of `model` with its positions in the moved files on their new lines and the
    /// new prompts; `None` when a position is not the line of a token (the maps know every
    /// token's line).
    fn apply(&self, model: &Model) -> Option<Model> {
        let mut model = model.clone();
        let map = |pos: &mut Pos| -> Option<()> {
            if let Some((_, lines)) = self.lines.iter().find(|(f, _)| *f == pos.file) {
                pos.line = *lines.get(&pos.line)?;
            }
            Some(())
        };
        for menu in &mut model.menus {
            map(&mut menu.pos)?;
            for (_, pos) in &mut menu.depends {
                map(pos)?;
            }
        }
        for prop in &mut model.props {
            map(&mut prop.pos)?;
        }
        for (prop, text) in &self.prompts {
            model.props[prop.0 as usize].text = Some(text.as_str().into());
        }
        Some(model)
    }
}

/// The file as text, when it is UTF-8.
fn text_of(source: &CommitSource, path: &str) -> Option<String> {
    String::from_utf8(source.read(path).ok()??).ok()
}

/// What the new version of a file says in other words.
struct Rewordings {
    /// Every help text, in order.
    help: Vec<String>,
    /// Every prompt of a config entry or choice (after `bool`, `tristate`, `int`, `hex`,
    /// `string` or `prompt`), in order.
    prompts: Vec<String>,
    /// Where each token's line went.
    lines: HashMap<u32, u32>,
}

/// The help texts and prompts of `after`, when `before` and `after` lex to the same tokens
/// apart from those, without a lexer warning, no help text of `after` blank and none of
/// its prompts starting with a blank (conf warns of both).
fn rewordings(before: &str, after: &str) -> Option<Rewordings> {
    let (a, b) = (tokens(before)?, tokens(after)?);
    if a.len() != b.len() {
        return None;
    }
    let mut out = Rewordings {
        help: Vec::new(),
        prompts: Vec::new(),
        lines: HashMap::new(),
    };
    let mut prompt_next = false;
    for ((old, old_line), (new, new_line)) in a.into_iter().zip(b) {
        if *out.lines.entry(old_line).or_insert(new_line) != new_line {
            return None;
        }
        let prompt_here = std::mem::replace(
            &mut prompt_next,
            matches!(
                old,
                Tok::Bool | Tok::Tristate | Tok::Int | Tok::Hex | Tok::String | Tok::Prompt
            ),
        );
        match (old, new) {
            (Tok::HelpText(_), Tok::HelpText(text)) => {
                if text
                    .trim_matches(|c: char| " \x0c\n\r\t\x0b".contains(c))
                    .is_empty()
                {
                    return None;
                }
                out.help.push(text);
            }
            (Tok::Quoted(_), Tok::Quoted(text)) if prompt_here => {
                if text.starts_with(|c: char| c.is_ascii_whitespace()) {
                    return None;
                }
                out.prompts.push(text);
            }
            (old, new) if old == new => {}
            _ => return None,
        }
    }
    Some(out)
}

/// The tokens of one file lexed by itself, with their lines, a help text read after each
/// `help` line as the parser asks for it; `None` when the lexer warns or a `$` stands
/// outside a help text (where a macro would expand).
fn tokens(text: &str) -> Option<Vec<(Tok, u32)>> {
    let mut lexer = Lexer::new();
    let mut pp = Preprocessor::new(HashMap::new(), ShellRunner::new(ShellPolicy::Never));
    lexer.push_file(FileId(0), "", text.to_string());
    let mut out: Vec<(Tok, u32)> = Vec::new();
    let mut dollars = text.bytes().enumerate().filter(|(_, b)| *b == b'$');
    let mut dollar = dollars.next().map(|(i, _)| i as u32);
    loop {
        let token = lexer.next(&mut pp);
        if token.tok == Tok::Eof {
            break;
        }
        // Tokens come in file order: each `$` must fall in the help text it meets.
        while let Some(at) = dollar.filter(|&at| at < token.end) {
            if !matches!(token.tok, Tok::HelpText(_)) || at < token.start {
                return None;
            }
            dollar = dollars.next().map(|(i, _)| i as u32);
        }
        if token.tok == Tok::Eol && out.last().is_some_and(|(t, _)| *t == Tok::Help) {
            lexer.start_help();
        }
        out.push((token.tok, token.line));
    }
    (lexer.warnings.is_empty() && dollar.is_none()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::rewordings;

    const BEFORE: &str = "config A\n\tbool \"a\"\n\thelp\n\t  Old words.\n\n\
                          config B\n\tbool\n\tdepends on A\n\thelp\n\t  B.\n";

    #[test]
    fn a_reworded_help_text_is_the_only_change() {
        let after = BEFORE.replace("Old words.", "New, better words.");
        let words = rewordings(BEFORE, &after).expect("help only");
        assert_eq!(words.help, ["New, better words.\n", "B.\n"]);
        assert_eq!(words.prompts, ["a"]);
        assert!(words.lines.iter().all(|(a, b)| a == b), "{:?}", words.lines);
    }

    #[test]
    fn a_longer_help_text_moves_the_lines_after_it() {
        let after = BEFORE.replace("Old words.", "Old words,\n\t  two lines.");
        let words = rewordings(BEFORE, &after).expect("help only");
        assert_eq!(words.help[0], "Old words,\ntwo lines.\n");
        let lines = words.lines;
        // `config A` stays on line 1, `config B` moves from 6 to 7, `depends on A` 8 to 9.
        assert_eq!(lines[&1], 1);
        assert_eq!(lines[&6], 7);
        assert_eq!(lines[&8], 9);
    }

    #[test]
    fn a_dollar_in_a_help_text_is_text() {
        let before = BEFORE.replace("Old words.", "Run $(cat x) and $i.");
        let after = BEFORE.replace("Old words.", "Run $(cat y) and $i.");
        let words = rewordings(&before, &after).expect("help only");
        assert_eq!(words.help[0], "Run $(cat y) and $i.\n");
    }

    #[test]
    fn a_reworded_prompt_is_one_too() {
        let after = BEFORE.replace("\"a\"", "\"A, better\"");
        let words = rewordings(BEFORE, &after).expect("prompt only");
        assert_eq!(words.prompts, ["A, better"]);
        // A menu title and a default string are not prompts.
        let titled = |t: &str| format!("menu \"{t}\"\n{BEFORE}endmenu\n");
        assert!(rewordings(&titled("Old"), &titled("New")).is_none());
        let string =
            |v: &str| BEFORE.replace("\tbool\n", &format!("\tstring\n\tdefault \"{v}\"\n"));
        assert!(rewordings(&string("x"), &string("y")).is_none());
    }

    #[test]
    fn anything_else_is_not() {
        // A dependency, a default string, a menu title, a blank help text, a prompt that
        // starts with a blank, a help text that ends a line early (the next line,
        // shallower, is read as statements).
        for after in [
            BEFORE.replace("depends on A", "depends on !A"),
            BEFORE.replace("\"a\"", "\" a\""),
            BEFORE.replace("\t  Old words.", "\t  "),
            BEFORE.replace("\t  Old words.", "\t  Old\n\tbool"),
            BEFORE.replace("depends on A", "depends on $(A)"),
        ] {
            assert!(rewordings(BEFORE, &after).is_none(), "{after}");
        }
    }
}
