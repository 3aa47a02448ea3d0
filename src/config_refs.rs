//! CONFIG_ references in a tree's files, and the symbols its Kconfig files define.
//!
//! Files are classified as the kernel's scripts/checkkconfigsymbols.py does (names matching
//! `Kconfig*` are Kconfig files, `Makefile*` and `Kbuild*` are Kbuild files; `.c`, `.h` and
//! `.S` are code), but read with each language's rules: make comments in Kbuild files and
//! help texts in Kconfig files hold no references. A reference records how it was written
//! (`IS_ENABLED(CONFIG_X)`, `CONFIG_X_MODULE`, `obj-$(CONFIG_X)`), and for Kbuild lines
//! that add to a list, the words it gates.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::source::Source;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Kconfig,
    Kbuild,
    C,
    Header,
    Asm,
}

impl FileKind {
    /// The kind of `path`, or None for files that hold no references worth reading.
    pub fn of(path: &str) -> Option<FileKind> {
        let name = path.rsplit('/').next().unwrap_or(path);
        if path.starts_with("tools/") || path.starts_with(".git/") {
            return None;
        }
        if name.starts_with("Kconfig") {
            return Some(FileKind::Kconfig);
        }
        if name.starts_with("Makefile") || name.starts_with("Kbuild") {
            return Some(FileKind::Kbuild);
        }
        match name.rsplit_once('.').map(|(_, ext)| ext) {
            Some("c") => Some(FileKind::C),
            Some("h") => Some(FileKind::Header),
            Some("S") => Some(FileKind::Asm),
            _ => None,
        }
    }

    /// Whether `path` is a C, header or assembly file (outside tools/).
    pub fn is_code(path: &str) -> bool {
        matches!(
            FileKind::of(path),
            Some(FileKind::C | FileKind::Header | FileKind::Asm)
        )
    }
}

/// The kernel's macros that test a symbol (include/linux/kconfig.h).
const MACROS: [&str; 4] = ["IS_ENABLED", "IS_BUILTIN", "IS_MODULE", "IS_REACHABLE"];

/// How a reference is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    /// `CONFIG_X` (in Kconfig files: the bare symbol in an expression).
    Plain,
    /// `IS_ENABLED(CONFIG_X)`, `IS_BUILTIN`, `IS_MODULE`, `IS_REACHABLE`.
    Macro(&'static str),
    /// `CONFIG_X_MODULE`: set by the kernel's autoconf.h when X is m.
    Module,
    /// A Kbuild list name: `obj-$(CONFIG_X) += ...`.
    Gate,
}

/// Read back as written; a macro other than [`MACROS`] is an error.
impl<'de> serde::Deserialize<'de> for Form {
    fn deserialize<D: serde::Deserializer<'de>>(from: D) -> Result<Form, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum Written {
            Plain,
            Macro(String),
            Module,
            Gate,
        }
        Ok(match Written::deserialize(from)? {
            Written::Plain => Form::Plain,
            Written::Module => Form::Module,
            Written::Gate => Form::Gate,
            Written::Macro(name) => Form::Macro(
                MACROS
                    .into_iter()
                    .find(|m| *m == name)
                    .ok_or_else(|| serde::de::Error::custom(format!("no macro {name}")))?,
            ),
        })
    }
}

/// One reference to a symbol.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reference {
    /// The symbol, without CONFIG_ (and without _MODULE for `Form::Module`).
    pub symbol: String,
    pub line: u32,
    pub form: Form,
    /// For `Form::Gate`: the words the line adds (objects, directories).
    pub gated: Vec<String>,
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// checkkconfigsymbols.py's filter: at least two upper-case letters or digits, ending in a
/// letter or digit (`CONFIG_FOO_##x` and `CONFIG_` alone are not references).
fn plausible(name: &str) -> bool {
    name.bytes()
        .filter(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        .count()
        >= 2
        && name
            .as_bytes()
            .last()
            .is_some_and(|b| b.is_ascii_alphanumeric())
}

/// `CONFIG_` names in one line of code or make, with the column of each (`-DCONFIG_X`
/// counts).
fn config_tokens(line: &str) -> Vec<(usize, String)> {
    crate::config_name::config_tokens(line, crate::config_name::Defines::Count)
}

/// References in a C, header or assembly file.
pub fn code_references(text: &str) -> Vec<Reference> {
    let mut refs = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if !line.contains("CONFIG_") {
            continue;
        }
        for (column, name) in config_tokens(line) {
            if !plausible(&name) {
                continue;
            }
            let before = line[..column].trim_end();
            let form = MACROS
                .into_iter()
                .find(|m| before.ends_with(&format!("{m}(")))
                .map(Form::Macro);
            refs.push(module_form(
                name,
                index as u32 + 1,
                form.unwrap_or(Form::Plain),
            ));
        }
    }
    refs
}

fn module_form(name: String, line: u32, form: Form) -> Reference {
    match (form, name.strip_suffix("_MODULE")) {
        (Form::Plain, Some(base)) if !base.is_empty() => Reference {
            symbol: base.to_string(),
            line,
            form: Form::Module,
            gated: Vec::new(),
        },
        _ => Reference {
            symbol: name,
            line,
            form,
            gated: Vec::new(),
        },
    }
}

/// References in a Kbuild file or Makefile. Comments are skipped; continuation lines are
/// joined, the reference keeping the first line's number.
pub fn kbuild_references(text: &str) -> Vec<Reference> {
    let mut refs = Vec::new();
    let mut logical = String::new();
    let mut first = 0u32;
    for (index, raw) in text.lines().chain(std::iter::once("")).enumerate() {
        if logical.is_empty() {
            first = index as u32 + 1;
        }
        let raw = match raw.find('#') {
            Some(i) if !raw[..i].ends_with('\\') => &raw[..i],
            _ => raw,
        };
        if let Some(stripped) = raw.strip_suffix('\\') {
            logical.push_str(stripped);
            logical.push(' ');
            continue;
        }
        logical.push_str(raw);
        let line = std::mem::take(&mut logical);
        if !line.contains("CONFIG_") {
            continue;
        }
        // `obj-$(CONFIG_X) += a.o b/`: the left side gates the words on the right.
        let assignment = ["+=", ":=", "?=", "="]
            .iter()
            .filter_map(|op| line.find(op).map(|i| (i, op.len())))
            .min();
        for (column, name) in config_tokens(&line) {
            if !plausible(&name) {
                continue;
            }
            let mut reference = module_form(name, first, Form::Plain);
            if let Some((at, len)) = assignment {
                let lhs = line[..at].trim();
                if column < at && !lhs.contains(char::is_whitespace) && lhs.contains("$(CONFIG_") {
                    reference.form = Form::Gate;
                    reference.gated = line[at + len..]
                        .split_whitespace()
                        .filter(|w| !w.contains('$'))
                        .map(String::from)
                        .collect();
                }
            }
            refs.push(reference);
        }
    }
    refs
}

/// Symbols a Kconfig file defines (`config X`, `menuconfig X`) with their lines, and the
/// symbols its expressions reference (depends on, select, imply, if, default, range,
/// visible if). Help texts, strings, numbers and `$(...)` macros are not references.
pub fn kconfig_scan(text: &str) -> (Vec<(String, u32)>, Vec<Reference>) {
    let mut defs = Vec::new();
    let mut refs = Vec::new();
    let mut help_indent: Option<usize> = None;
    let mut continued = false;
    for (index, raw) in text.lines().enumerate() {
        let number = index as u32 + 1;
        let indent = raw.len() - raw.trim_start().len();
        let expanded_indent: usize = raw[..indent]
            .chars()
            .map(|c| if c == '\t' { 8 } else { 1 })
            .sum();
        if let Some(min) = help_indent {
            if raw.trim().is_empty() {
                continue;
            }
            if min == usize::MAX {
                help_indent = Some(expanded_indent);
                continue;
            }
            if expanded_indent >= min {
                continue;
            }
            help_indent = None;
        }
        let line = match raw.find('#') {
            Some(i) => &raw[..i],
            None => raw,
        };
        let trimmed = line.trim();
        let was_continued = continued;
        continued = trimmed.ends_with('\\');
        let mut words = trimmed.split_whitespace();
        let first = words.next().unwrap_or("");
        if !was_continued {
            match first {
                "help" | "---help---" => {
                    help_indent = Some(usize::MAX);
                    continue;
                }
                "config" | "menuconfig" => {
                    if let Some(name) = words.next() {
                        defs.push((name.to_string(), number));
                    }
                    continue;
                }
                _ => {}
            }
        }
        let expression = if was_continued {
            trimmed
        } else {
            match first {
                "depends" => trimmed
                    .strip_prefix("depends")
                    .map(|r| r.trim_start())
                    .and_then(|r| r.strip_prefix("on"))
                    .unwrap_or(""),
                "select" | "imply" | "if" | "range" => &trimmed[first.len()..],
                "default" | "def_bool" | "def_tristate" => &trimmed[first.len()..],
                // A prompt's condition: the symbols after an `if` outside the prompt text.
                "bool" | "tristate" | "string" | "int" | "hex" | "prompt" | "menu" | "comment" => {
                    after_if(trimmed)
                }
                "visible" => trimmed
                    .strip_prefix("visible")
                    .map(|r| r.trim_start())
                    .and_then(|r| r.strip_prefix("if"))
                    .unwrap_or(""),
                _ => "",
            }
        };
        for name in expression_symbols(expression) {
            refs.push(Reference {
                symbol: name,
                line: number,
                form: Form::Plain,
                gated: Vec::new(),
            });
        }
    }
    (defs, refs)
}

/// What follows the first `if` outside quotes: the condition of a prompt line.
fn after_if(line: &str) -> &str {
    let bytes = line.as_bytes();
    let mut quote: Option<u8> = None;
    for i in 0..bytes.len() {
        match quote {
            Some(q) if bytes[i] == q && (i == 0 || bytes[i - 1] != b'\\') => quote = None,
            Some(_) => {}
            None if bytes[i] == b'"' || bytes[i] == b'\'' => quote = Some(bytes[i]),
            None if line[i..].starts_with("if")
                && (i == 0 || !is_ident(bytes[i - 1]))
                && !bytes.get(i + 2).is_some_and(|b| is_ident(*b)) =>
            {
                return &line[i + 2..];
            }
            None => {}
        }
    }
    ""
}

/// Symbol names in a Kconfig expression.
fn expression_symbols(expression: &str) -> Vec<String> {
    let bytes = expression.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut macro_depth = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' => {
                let quote = bytes[i];
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += 1;
                }
                i += 1;
            }
            b'$' if bytes.get(i + 1) == Some(&b'(') => {
                macro_depth += 1;
                i += 2;
            }
            b'(' if macro_depth > 0 => {
                macro_depth += 1;
                i += 1;
            }
            b')' if macro_depth > 0 => {
                macro_depth -= 1;
                i += 1;
            }
            b if is_ident(b) => {
                let start = i;
                while i < bytes.len() && is_ident(bytes[i]) {
                    i += 1;
                }
                let word = &expression[start..i];
                let numeric = word.bytes().all(|b| b.is_ascii_digit())
                    || word.starts_with("0x")
                    || word.starts_with("0X")
                    || (word.starts_with('-') && word[1..].bytes().all(|b| b.is_ascii_digit()));
                if macro_depth == 0 && !numeric && !matches!(word, "if" | "y" | "m" | "n" | "on") {
                    out.push(word.to_string());
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// Every symbol the Kconfig files of a tree define, with one definition site each.
/// Written as the symbols of each file.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
#[serde(into = "BTreeMap<String, BTreeSet<String>>")]
#[serde(from = "BTreeMap<String, BTreeSet<String>>")]
pub struct Definitions {
    /// Symbol -> files defining it.
    pub symbols: BTreeMap<String, BTreeSet<String>>,
    /// File -> symbols it defines.
    by_file: HashMap<String, BTreeSet<String>>,
}

impl From<Definitions> for BTreeMap<String, BTreeSet<String>> {
    fn from(definitions: Definitions) -> Self {
        definitions.by_file.into_iter().collect()
    }
}

impl From<BTreeMap<String, BTreeSet<String>>> for Definitions {
    fn from(by_file: BTreeMap<String, BTreeSet<String>>) -> Definitions {
        let mut symbols: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (file, names) in &by_file {
            for name in names {
                symbols
                    .entry(name.clone())
                    .or_default()
                    .insert(file.clone());
            }
        }
        let by_file = by_file.into_iter().collect();
        Definitions { symbols, by_file }
    }
}

impl Definitions {
    /// Add the definitions of `path`; returns the symbols no file defined before.
    pub fn add_file(&mut self, path: &str, text: &str) -> Vec<String> {
        let mut new = Vec::new();
        let mut defined = BTreeSet::new();
        for (name, _) in kconfig_scan(text).0 {
            match self.symbols.get_mut(&name) {
                Some(files) => {
                    files.insert(path.to_string());
                }
                None => {
                    new.push(name.clone());
                    self.symbols
                        .insert(name.clone(), BTreeSet::from([path.to_string()]));
                }
            }
            defined.insert(name);
        }
        self.by_file
            .entry(path.to_string())
            .or_default()
            .extend(defined);
        new
    }

    /// Forget the definitions of `path`; returns the symbols no other file defines, sorted.
    pub fn remove_file(&mut self, path: &str) -> Vec<String> {
        let mut gone = Vec::new();
        for name in self.by_file.remove(path).unwrap_or_default() {
            let Some(files) = self.symbols.get_mut(&name) else {
                continue;
            };
            files.remove(path);
            if files.is_empty() {
                self.symbols.remove(&name);
                gone.push(name);
            }
        }
        gone
    }

    pub fn defines(&self, symbol: &str) -> bool {
        self.symbols.contains_key(symbol)
    }

    /// Is the reference to an undefined symbol? `CONFIG_X_MODULE` counts as defined when X
    /// or X_MODULE is.
    pub fn is_undefined(&self, reference: &Reference) -> bool {
        if self.defines(&reference.symbol) {
            return false;
        }
        !(reference.form == Form::Module && self.defines(&format!("{}_MODULE", reference.symbol)))
    }

    /// Defined symbols close to `name`: a few edits apart, closest first.
    pub fn similar(&self, name: &str) -> Vec<String> {
        let limit = (name.len() / 4).clamp(1, 3);
        let mut found: Vec<(usize, &String)> = self
            .symbols
            .keys()
            .filter(|s| s.len().abs_diff(name.len()) <= limit)
            .filter_map(|s| {
                let d = edit_distance(name, s, limit);
                (d <= limit).then_some((d, s))
            })
            .collect();
        found.sort();
        found.into_iter().take(3).map(|(_, s)| s.clone()).collect()
    }
}

/// Levenshtein distance, stopping early once it exceeds `limit`.
pub(crate) fn edit_distance(a: &str, b: &str, limit: usize) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        let mut row_min = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            current[j] = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            row_min = row_min.min(current[j]);
        }
        if row_min > limit {
            return limit + 1;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// Every file of the tree under `dir` whose kind is one of `kinds` (tools/ left out, as
/// checkkconfigsymbols.py does).
pub fn walk(source: &dyn Source, dir: &str, kinds: &[FileKind], out: &mut Vec<String>) {
    let Ok(files) = source.list_files(dir) else {
        return;
    };
    out.extend(
        files
            .into_iter()
            .filter(|path| FileKind::of(path).is_some_and(|k| kinds.contains(&k))),
    );
}

/// The references of one file, by kind.
pub fn references(kind: FileKind, text: &str) -> Vec<Reference> {
    match kind {
        FileKind::Kconfig => kconfig_scan(text).1,
        FileKind::Kbuild => kbuild_references(text),
        FileKind::C | FileKind::Header | FileKind::Asm => code_references(text),
    }
}

/// A reference no Kconfig file of the tree defines, with defined symbols of similar names.
#[derive(Debug, Clone)]
pub struct UndefinedRef {
    pub file: String,
    pub reference: Reference,
    pub similar: Vec<String>,
}

/// What `xenlint refs` reports for one tree.
#[derive(Debug, Clone, Default)]
pub struct TreeScan {
    pub files_checked: usize,
    pub symbols_defined: usize,
    pub undefined: Vec<UndefinedRef>,
}

/// CONFIG_ references of `files` (paths of the tree) that no Kconfig file of the whole tree
/// defines, like scripts/checkkconfigsymbols.py on one tree.
pub fn scan_tree(
    source: &dyn Source,
    files: &[String],
) -> Result<TreeScan, crate::source::SourceError> {
    let read = |path: &str| -> Result<String, crate::source::SourceError> {
        Ok(source
            .read(path)?
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default())
    };
    let mut kconfig_files = Vec::new();
    walk(source, "", &[FileKind::Kconfig], &mut kconfig_files);
    let mut definitions = Definitions::default();
    for path in &kconfig_files {
        definitions.add_file(path, &read(path)?);
    }
    let mut scan = TreeScan {
        files_checked: files.len(),
        symbols_defined: definitions.symbols.len(),
        undefined: Vec::new(),
    };
    for path in files {
        let Some(kind) = FileKind::of(path) else {
            continue;
        };
        for reference in references(kind, &read(path)?) {
            if definitions.is_undefined(&reference) {
                let similar = definitions.similar(&reference.symbol);
                scan.undefined.push(UndefinedRef {
                    file: path.clone(),
                    reference,
                    similar,
                });
            }
        }
    }
    Ok(scan)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the persistent cache keeps reads back the same; a macro not the kernel's is no
    /// reference.
    #[test]
    fn references_and_definitions_read_back_as_written() {
        let code = "#if IS_REACHABLE(CONFIG_XEN) || IS_MODULE(CONFIG_SMP) || CONFIG_HZ_MODULE\n";
        let kbuild = "obj-$(CONFIG_XEN_PV) += pv.o\nifdef CONFIG_ACPI\nendif\n";
        let mut refs = code_references(code);
        refs.extend(references(FileKind::Kbuild, kbuild));
        let forms: BTreeSet<String> = refs.iter().map(|r| format!("{:?}", r.form)).collect();
        assert_eq!(forms.len(), 5, "every form is tried: {forms:?}");
        let text = serde_json::to_string(&refs).expect("JSON");
        let back: Vec<Reference> = serde_json::from_str(&text).expect("reads back");
        assert_eq!(back, refs);
        let forged = text.replace("IS_REACHABLE", "IS_FORGED");
        assert!(serde_json::from_str::<Vec<Reference>>(&forged).is_err());

        let mut defs = Definitions::default();
        defs.add_file("a/Kconfig", "config A\n\tbool\nconfig B\n\ttristate\n");
        defs.add_file("b/Kconfig", "config B\n\ttristate\n");
        let text = serde_json::to_string(&defs).expect("JSON");
        let mut back: Definitions = serde_json::from_str(&text).expect("reads back");
        assert_eq!(back.symbols, defs.symbols);
        assert_eq!(back.remove_file("a/Kconfig"), ["A"]);
        assert_eq!(
            serde_json::to_string(&back).expect("JSON"),
            r#"{"b/Kconfig":["B"]}"#
        );
    }

    #[test]
    fn code_forms() {
        let refs = code_references(
            "#if IS_ENABLED(CONFIG_XEN_PVH) && defined(CONFIG_FOO_MODULE)\n\
             x = CONFIG_HZ; -DCONFIG_AB1 CONFIG_##x CONFIG_lower MY_CONFIG_X\n",
        );
        let got: Vec<(&str, Form, u32)> = refs
            .iter()
            .map(|r| (r.symbol.as_str(), r.form, r.line))
            .collect();
        assert_eq!(
            got,
            [
                ("XEN_PVH", Form::Macro("IS_ENABLED"), 1),
                ("FOO", Form::Module, 1),
                ("HZ", Form::Plain, 2),
                ("AB1", Form::Plain, 2),
            ]
        );
    }

    #[test]
    fn kbuild_gates_and_comments() {
        let refs = kbuild_references(
            "# obj-$(CONFIG_OLD) += old.o\nobj-$(CONFIG_XEN) += a.o \\\n\tb/\nifdef CONFIG_X86_64\nccflags-y += -DCONFIG_SOME\nendif\n",
        );
        assert_eq!(refs.len(), 3);
        assert_eq!(
            (refs[0].symbol.as_str(), refs[0].form, refs[0].line),
            ("XEN", Form::Gate, 2)
        );
        assert_eq!(refs[0].gated, ["a.o", "b/"]);
        assert_eq!(
            (refs[1].symbol.as_str(), refs[1].form),
            ("X86_64", Form::Plain)
        );
        assert_eq!(refs[2].symbol, "SOME");
    }

    #[test]
    fn kconfig_definitions_and_references() {
        let (defs, refs) = kconfig_scan(
            "config XEN_PVH\n\tbool \"PVH if available\" if EXPERT\n\tdepends on XEN && XEN_PVHVM && \\\n\t\tACPI\n\tselect PVH\n\tdefault \"x\" if FOO\n\trange 1 10\n\thelp\n\t  depends on NOT_A_REF\n\nmenuconfig M\n\tdefault $(success,true) if BAR\n",
        );
        assert_eq!(defs, [("XEN_PVH".to_string(), 1), ("M".to_string(), 11)]);
        let names: Vec<&str> = refs.iter().map(|r| r.symbol.as_str()).collect();
        assert_eq!(
            names,
            ["EXPERT", "XEN", "XEN_PVHVM", "ACPI", "PVH", "FOO", "BAR"]
        );
    }

    #[test]
    fn adding_a_file_names_the_symbols_it_defines_first() {
        let mut defs = Definitions::default();
        assert_eq!(
            defs.add_file("a/Kconfig", "config A\nconfig B\n"),
            ["A", "B"]
        );
        assert_eq!(defs.add_file("b/Kconfig", "config B\nconfig C\n"), ["C"]);
        // Read again after a change: what it alone defined is gone, then new again.
        assert_eq!(defs.remove_file("b/Kconfig"), ["C"]);
        assert_eq!(defs.add_file("b/Kconfig", "config B\nconfig C\n"), ["C"]);
        assert!(defs.remove_file("a/Kconfig") == ["A"] && defs.defines("B"));
        // What a file alone defined goes sorted; a file never read takes nothing.
        defs.add_file("c/Kconfig", "config Z\nconfig D\nconfig B\n");
        assert!(defs.remove_file("d/Kconfig").is_empty());
        assert_eq!(defs.remove_file("c/Kconfig"), ["D", "Z"]);
        assert_eq!(defs.remove_file("b/Kconfig"), ["B", "C"]);
        assert!(defs.symbols.is_empty());
    }

    #[test]
    fn similar_names() {
        let mut defs = Definitions::default();
        defs.add_file("Kconfig", "config XEN_PVHVM\nconfig XEN_PVH\nconfig ACPI\n");
        assert_eq!(defs.similar("XEN_PVHM"), ["XEN_PVH", "XEN_PVHVM"]);
        assert!(defs.similar("COMPLETELY_ELSE").is_empty());
        let r = Reference {
            symbol: "ACPI".into(),
            line: 1,
            form: Form::Module,
            gated: vec![],
        };
        assert!(!defs.is_undefined(&r));
        defs.remove_file("Kconfig");
        assert!(defs.is_undefined(&r));
    }
}
