//! The part of GNU make that decides what Kbuild builds: variables (recursive and simple,
//! `=`, `:=`, `::=`, `?=`, `+=`, `define`), conditionals, `include`, and the text functions
//! Kbuild files use. Rules and recipes are skipped; `$(shell ...)`, `$(eval ...)` and calls
//! of functions this module does not define expand to nothing and are recorded as constructs
//! not understood, with file and line, when they reach a list that decides the build.
//!
//! Files are read through `Source`; paths under `$(srctree)` map to the tree. This module
//! knows make, not Kbuild: `objects.rs` applies scripts/Makefile.lib's rules to the lists.

use std::collections::HashMap;

use crate::source::Source;

/// The value `$(srctree)` has during an evaluation. Paths starting with it are read from the
/// tree; it is no real directory.
pub const SRCTREE: &str = "/@srctree";

/// Where a word of a list came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: u32,
    /// CONFIG_ symbols (without the prefix) named in the assignment's left side and in the
    /// conditionals around it: what gates the word.
    pub gates: Vec<String>,
}

/// A rule of a Makefile: `targets: prerequisites` and the first line of its recipe.
#[derive(Debug, Clone)]
pub struct Rule {
    pub targets: Vec<String>,
    pub prereqs: Vec<String>,
    pub recipe: String,
    /// The recipe compiles its target (`cc_o_c`, `as_o_S`, or a `cmd_*` of the Makefile's
    /// own that runs the compiler with `-c`); set by `take_rules`.
    pub compiles: bool,
    pub file: String,
    pub line: u32,
}

/// A construct the evaluator could not follow, on a line that decides the build.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unknown {
    pub file: String,
    pub line: u32,
    pub construct: String,
}

/// Simple variables shared by many evaluations.
#[derive(Debug, Default)]
pub struct Vars(HashMap<String, Var>);

impl Vars {
    pub fn from_pairs<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Vars {
        Vars(
            pairs
                .into_iter()
                .map(|(name, value)| {
                    (
                        name,
                        Var {
                            value,
                            recursive: false,
                            tainted: false,
                        },
                    )
                })
                .collect(),
        )
    }
}

#[derive(Debug, Clone)]
struct Var {
    value: String,
    recursive: bool,
    /// Its value holds the result of a construct not understood.
    tainted: bool,
}

/// One make evaluation: the variables of one directory's sub-make.
pub struct Make<'s> {
    source: &'s dyn Source,
    /// Variables every directory starts with (auto.conf, the top Makefile's exports),
    /// shared rather than copied: the directory's own assignments go to `vars`.
    base: Option<&'s Vars>,
    vars: HashMap<String, Var>,
    exported: Vec<String>,
    /// Arguments of the `$(call ...)` being expanded: `$(1)`, `$(2)`...
    frames: Vec<Vec<String>>,
    /// Constructs not understood during the current line.
    hits: Vec<String>,
    /// Words of lists with their origin, by (variable, word); the first assignment wins.
    origins: HashMap<(String, String), Origin>,
    pub unknown: Vec<Unknown>,
    /// Rules, with targets and prerequisites expanded as make does when it reads them.
    pub rules: Vec<Rule>,
    /// Files read (includes too), for reuse decisions.
    pub files_read: Vec<String>,
    /// Directories `$(wildcard)` listed: a file added there can change the result.
    pub dirs_listed: Vec<String>,
    depth: usize,
}

/// Variables whose words decide what is built (and not compiler flags).
pub fn is_list_var(name: &str) -> bool {
    if name.contains("flags") || name.contains("FLAGS") {
        return false;
    }
    name.starts_with("obj-")
        || name.starts_with("lib-")
        || name.starts_with("subdir-")
        || name.starts_with("extra-")
        || name.starts_with("always-")
        || name.ends_with("-y")
        || name.ends_with("-m")
        || name.ends_with("-objs")
        || name.ends_with('-')
}

/// CONFIG_ names in `text`, without the prefix, in order of appearance.
pub fn config_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("CONFIG_") {
        let before_ok = i == 0 || !is_ident(rest.as_bytes()[i - 1]);
        let tail = &rest[i + 7..];
        let len = tail.bytes().take_while(|b| is_ident(*b)).count();
        if before_ok && len > 0 {
            let name = tail[..len].to_string();
            if !names.contains(&name) {
                names.push(name);
            }
        }
        rest = &tail[len..];
    }
    names
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl<'s> Make<'s> {
    pub fn new(source: &'s dyn Source) -> Self {
        Make {
            source,
            base: None,
            vars: HashMap::new(),
            exported: Vec::new(),
            frames: Vec::new(),
            hits: Vec::new(),
            origins: HashMap::new(),
            unknown: Vec::new(),
            rules: Vec::new(),
            files_read: Vec::new(),
            dirs_listed: Vec::new(),
            depth: 0,
        }
    }

    /// An evaluation starting from `base`.
    pub fn with_base(source: &'s dyn Source, base: &'s Vars) -> Self {
        let mut make = Make::new(source);
        make.base = Some(base);
        make
    }

    fn get(&self, name: &str) -> Option<&Var> {
        self.vars
            .get(name)
            .or_else(|| self.base.and_then(|b| b.0.get(name)))
    }

    /// Set a simple variable.
    pub fn set(&mut self, name: &str, value: &str) {
        self.vars.insert(
            name.to_string(),
            Var {
                value: value.to_string(),
                recursive: false,
                tainted: false,
            },
        );
    }

    pub fn is_set(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The expanded value of a variable.
    pub fn value(&mut self, name: &str) -> String {
        self.hits.clear();
        self.lookup(name)
    }

    /// The words of a list variable.
    pub fn words(&mut self, name: &str) -> Vec<String> {
        self.value(name)
            .split_whitespace()
            .map(String::from)
            .collect()
    }

    /// Where `word` of list `var` came from.
    pub fn origin(&self, var: &str, word: &str) -> Option<&Origin> {
        self.origins.get(&(var.to_string(), word.to_string()))
    }

    /// Names and values of exported variables, expanded.
    pub fn exported(&mut self) -> Vec<(String, String)> {
        let names = self.exported.clone();
        names
            .into_iter()
            .map(|n| {
                let v = self.value(&n);
                (n, v)
            })
            .collect()
    }

    fn lookup(&mut self, name: &str) -> String {
        if let Ok(index) = name.parse::<usize>() {
            return self
                .frames
                .last()
                .and_then(|f| f.get(index))
                .cloned()
                .unwrap_or_default();
        }
        let Some(var) = self.get(name) else {
            return String::new();
        };
        let (tainted, recursive) = (var.tainted, var.recursive);
        let text = var.value.clone();
        if tainted {
            self.hits
                .push(format!("$({name}), set from a construct not understood"));
        }
        if recursive {
            if self.depth > 64 {
                self.hits.push(format!("$({name}) references itself"));
                return String::new();
            }
            self.depth += 1;
            let out = self.expand(&text);
            self.depth -= 1;
            out
        } else {
            text
        }
    }

    /// Expand every reference in `text`.
    pub fn expand(&mut self, text: &str) -> String {
        if !text.contains('$') {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find('$') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            let Some(first) = after.chars().next() else {
                rest = after;
                break;
            };
            if first == '$' {
                out.push('$');
                rest = &after[1..];
                continue;
            }
            if first != '(' && first != '{' {
                let name = first.to_string();
                out.push_str(&self.lookup(&name));
                rest = &after[first.len_utf8()..];
                continue;
            }
            let Some(end) = closing(after) else {
                self.hits.push(format!("unterminated reference `${after}`"));
                rest = "";
                break;
            };
            let body = &after[1..end];
            let value = self.reference(body);
            out.push_str(&value);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }

    /// `$(body)`: a variable, a substitution reference or a function call.
    fn reference(&mut self, body: &str) -> String {
        let name_end = body.find([' ', '\t', ':']).unwrap_or(body.len());
        let head = &body[..name_end];
        if name_end < body.len() && body.as_bytes()[name_end] != b':' && is_function(head) {
            let args = body[name_end + 1..].trim_start();
            return self.function(head, args);
        }
        // $(var:a=b) and $(var:%.o=%.c)
        if let Some(colon) = top_level_find(body, ':') {
            if let Some(eq) = body[colon..].find('=') {
                let name = self.expand(&body[..colon]);
                let from = self.expand(&body[colon + 1..colon + eq]);
                let to = self.expand(&body[colon + eq + 1..]);
                let value = self.lookup(name.trim());
                let (from, to) = if from.contains('%') {
                    (from, to)
                } else {
                    (format!("%{from}"), format!("%{to}"))
                };
                return words_of(&value)
                    .map(|w| patsubst_word(&from, &to, w))
                    .collect::<Vec<_>>()
                    .join(" ");
            }
        }
        let name = self.expand(body);
        self.lookup(name.trim())
    }

    fn function(&mut self, name: &str, args: &str) -> String {
        let raw = split_args(args);
        let arg = |m: &mut Self, i: usize| -> String {
            raw.get(i).map(|a| m.expand(a)).unwrap_or_default()
        };
        match name {
            "if" => {
                let cond = arg(self, 0);
                if !cond.trim().is_empty() {
                    arg(self, 1)
                } else {
                    raw.get(2..)
                        .map(|rest| {
                            let text = rest.join(",");
                            self.expand(&text)
                        })
                        .unwrap_or_default()
                }
            }
            "or" => {
                for i in 0..raw.len() {
                    let v = arg(self, i);
                    if !v.trim().is_empty() {
                        return v;
                    }
                }
                String::new()
            }
            "and" => {
                let mut last = String::new();
                for i in 0..raw.len() {
                    last = arg(self, i);
                    if last.trim().is_empty() {
                        return String::new();
                    }
                }
                last
            }
            "strip" => words_of(&self.expand(args)).collect::<Vec<_>>().join(" "),
            "sort" => {
                let text = self.expand(args);
                let mut words: Vec<&str> = words_of(&text).collect();
                words.sort_unstable();
                words.dedup();
                words.join(" ")
            }
            "subst" => {
                let (from, to) = (arg(self, 0), arg(self, 1));
                let text = raw.get(2..).map(|r| r.join(",")).unwrap_or_default();
                let text = self.expand(&text);
                if from.is_empty() {
                    text
                } else {
                    text.replace(&from, &to)
                }
            }
            "patsubst" => {
                let (from, to) = (arg(self, 0), arg(self, 1));
                let text = arg(self, 2);
                words_of(&text)
                    .map(|w| patsubst_word(from.trim(), to.trim(), w))
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            "filter" | "filter-out" => {
                let patterns = arg(self, 0);
                let patterns: Vec<&str> = words_of(&patterns).collect();
                let text = arg(self, 1);
                let keep = name == "filter";
                words_of(&text)
                    .filter(|w| patterns.iter().any(|p| pattern_matches(p, w)) == keep)
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            "findstring" => {
                let (needle, text) = (arg(self, 0), arg(self, 1));
                if text.contains(&needle) {
                    needle
                } else {
                    String::new()
                }
            }
            "word" => {
                let n: usize = arg(self, 0).trim().parse().unwrap_or(0);
                let text = arg(self, 1);
                n.checked_sub(1)
                    .and_then(|i| words_of(&text).nth(i))
                    .unwrap_or("")
                    .to_string()
            }
            "wordlist" => {
                let s: usize = arg(self, 0).trim().parse().unwrap_or(1).max(1);
                let e: usize = arg(self, 1).trim().parse().unwrap_or(0);
                let text = arg(self, 2);
                words_of(&text)
                    .skip(s - 1)
                    .take((e + 1).saturating_sub(s))
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            "words" => words_of(&self.expand(args)).count().to_string(),
            "firstword" => words_of(&self.expand(args))
                .next()
                .unwrap_or("")
                .to_string(),
            "lastword" => words_of(&self.expand(args))
                .last()
                .unwrap_or("")
                .to_string(),
            "addprefix" | "addsuffix" => {
                let fix = arg(self, 0);
                let text = arg(self, 1);
                words_of(&text)
                    .map(|w| {
                        if name == "addprefix" {
                            format!("{fix}{w}")
                        } else {
                            format!("{w}{fix}")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            "dir" | "notdir" | "basename" | "suffix" => {
                let text = self.expand(args);
                words_of(&text)
                    .filter_map(|w| path_part(name, w))
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            "abspath" | "realpath" => {
                let text = self.expand(args);
                words_of(&text).map(normalize).collect::<Vec<_>>().join(" ")
            }
            "wildcard" => {
                let text = self.expand(args);
                let mut found = Vec::new();
                for pattern in words_of(&text) {
                    found.extend(self.wildcard(pattern));
                }
                found.join(" ")
            }
            "foreach" => {
                let var = arg(self, 0).trim().to_string();
                let list = arg(self, 1);
                let body = raw.get(2..).map(|r| r.join(",")).unwrap_or_default();
                let saved = self.vars.remove(&var);
                let mut results = Vec::new();
                for word in words_of(&list) {
                    self.set(&var, word);
                    let value = self.expand(&body);
                    results.push(value);
                }
                self.vars.remove(&var);
                if let Some(saved) = saved {
                    self.vars.insert(var, saved);
                }
                results.join(" ")
            }
            "call" => {
                let function = arg(self, 0).trim().to_string();
                let mut frame = vec![function.clone()];
                for i in 1..raw.len() {
                    frame.push(arg(self, i));
                }
                let defined = self.get(&function).map(|v| v.value.clone());
                match defined {
                    Some(body) if self.depth < 64 => {
                        self.frames.push(frame);
                        self.depth += 1;
                        let out = self.expand(&body);
                        self.depth -= 1;
                        self.frames.pop();
                        out
                    }
                    _ => {
                        self.hits.push(format!("$(call {function},...)"));
                        String::new()
                    }
                }
            }
            "value" => {
                let var = self.expand(args);
                self.get(var.trim())
                    .map(|v| v.value.clone())
                    .unwrap_or_default()
            }
            "origin" => {
                let var = self.expand(args);
                if self.get(var.trim()).is_some() {
                    "file".into()
                } else {
                    "undefined".into()
                }
            }
            "info" | "warning" | "error" => String::new(),
            _ => {
                self.hits.push(format!("$({name} ...)"));
                String::new()
            }
        }
    }

    /// `$(wildcard pattern)` over the tree: only paths under `$(srctree)` exist here.
    fn wildcard(&mut self, pattern: &str) -> Vec<String> {
        let Some(path) = pattern
            .strip_prefix(SRCTREE)
            .map(|p| p.trim_start_matches('/'))
        else {
            return Vec::new();
        };
        let path = normalize(path);
        let (dir, name) = match path.rfind('/') {
            Some(i) => (&path[..i], &path[i + 1..]),
            None => ("", path.as_str()),
        };
        if !self.dirs_listed.iter().any(|d| d == dir) {
            self.dirs_listed.push(dir.to_string());
        }
        if !name.contains(['*', '?', '[']) {
            let exists = matches!(self.source.read(&path), Ok(Some(_)))
                || matches!(self.source.list_dir(&path), Ok(Some(_)));
            return if exists {
                vec![pattern.to_string()]
            } else {
                Vec::new()
            };
        }
        let Ok(Some(entries)) = self.source.list_dir(dir) else {
            return Vec::new();
        };
        entries
            .iter()
            .filter(|e| glob_matches(name, e))
            .map(|e| {
                format!(
                    "{SRCTREE}/{}{e}",
                    if dir.is_empty() {
                        String::new()
                    } else {
                        format!("{dir}/")
                    }
                )
            })
            .collect()
    }

    /// Read and evaluate `path` (relative to the tree). Returns false when there is no such
    /// file.
    pub fn include(&mut self, path: &str) -> bool {
        let text = match self.source.read(path) {
            Ok(Some(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
            _ => return false,
        };
        if self.files_read.iter().filter(|f| *f == path).count() > 8 {
            self.unknown.push(Unknown {
                file: path.to_string(),
                line: 1,
                construct: "recursive include".into(),
            });
            return true;
        }
        self.files_read.push(path.to_string());
        self.eval(path, &text);
        true
    }

    /// Evaluate the text of Makefile `file`.
    pub fn eval(&mut self, file: &str, text: &str) {
        // Conditionals: (this branch active, some branch of this chain taken, raw condition).
        let mut stack: Vec<(bool, bool, String)> = Vec::new();
        let mut logical = String::new();
        let mut logical_line = 0u32;
        let mut in_recipe = false;
        // The rules recipe lines belong to (a static pattern rule makes one per target;
        // none after a target-specific assignment).
        let mut recipe_of: std::ops::Range<usize> = 0..0;
        let mut define: Option<(String, String, String)> = None;
        // A final empty line ends a continuation left open at the end of the file.
        for (index, raw) in text.lines().chain(std::iter::once("")).enumerate() {
            let number = index as u32 + 1;
            if let Some((name, op, body)) = define.as_mut() {
                let trimmed = raw.trim();
                if trimmed == "endef" || trimmed.starts_with("endef ") {
                    let (name, op, body) = (name.clone(), op.clone(), body.clone());
                    define = None;
                    if stack.iter().all(|s| s.0) {
                        let value = if op == ":=" || op == "::=" {
                            self.expand(&body)
                        } else {
                            body
                        };
                        self.vars.insert(
                            name,
                            Var {
                                value,
                                recursive: op == "=",
                                tainted: false,
                            },
                        );
                    }
                } else {
                    if !body.is_empty() {
                        body.push('\n');
                    }
                    body.push_str(raw);
                }
                continue;
            }
            if logical.is_empty() {
                logical_line = number;
                if raw.starts_with('\t') && in_recipe {
                    for rule in self.rules[recipe_of.clone()].iter_mut() {
                        if !rule.recipe.is_empty() {
                            rule.recipe.push('\n');
                        }
                        rule.recipe.push_str(raw.trim());
                    }
                    continue;
                }
            }
            if let Some(stripped) = raw.strip_suffix('\\') {
                if !stripped.ends_with('\\') {
                    logical.push_str(stripped.trim_end());
                    logical.push(' ');
                    continue;
                }
            }
            logical.push_str(if logical.is_empty() {
                raw
            } else {
                raw.trim_start()
            });
            let line_owned = std::mem::take(&mut logical);
            let line = strip_comment(&line_owned).trim();
            if line.is_empty() {
                continue;
            }
            let active = stack.iter().all(|s| s.0);
            let (word, rest) = match line.find([' ', '\t', '(']) {
                Some(i) => (&line[..i], line[i..].trim()),
                None => (line, ""),
            };
            match word {
                "ifeq" | "ifneq" | "ifdef" | "ifndef" => {
                    let holds = active && self.condition(word, rest, file, number);
                    stack.push((holds, !active, line.to_string()));
                    in_recipe = false;
                    continue;
                }
                "else" => {
                    if let Some((current, taken, cond)) = stack.pop() {
                        let taken = taken || current;
                        let outer = stack.iter().all(|s| s.0);
                        let now = if rest.is_empty() {
                            !taken
                        } else {
                            let (w, r) = match rest.find([' ', '\t', '(']) {
                                Some(i) => (&rest[..i], rest[i..].trim()),
                                None => (rest, ""),
                            };
                            !taken && outer && self.condition(w, r, file, number)
                        };
                        stack.push((now, taken, format!("{cond} {line}")));
                    }
                    continue;
                }
                "endif" => {
                    stack.pop();
                    continue;
                }
                _ => {}
            }
            if !active {
                continue;
            }
            if word == "define" {
                let spec = rest.trim();
                let (name, op) = match spec.rsplit_once(' ') {
                    Some((n, o)) if ["=", ":=", "::=", "+="].contains(&o) => (n.trim(), o),
                    _ => (spec.trim_end_matches('=').trim(), "="),
                };
                let name = self.expand(name);
                define = Some((name, op.to_string(), String::new()));
                continue;
            }
            if matches!(word, "include" | "-include" | "sinclude") {
                let paths = self.expand(rest);
                for path in words_of(&paths).map(String::from).collect::<Vec<_>>() {
                    let Some(rel) = path.strip_prefix(SRCTREE) else {
                        // A relative path names the object tree first, then the source
                        // tree (the top Makefile passes --include-dir=$(abs_srctree)).
                        // The object tree holds generated files only
                        // (include/config/auto.conf): what Kbuild needs of them is set
                        // by the caller.
                        self.include(&normalize(&path));
                        continue;
                    };
                    let rel = normalize(rel.trim_start_matches('/'));
                    if !self.include(&rel) && word == "include" {
                        self.unknown.push(Unknown {
                            file: file.to_string(),
                            line: number,
                            construct: format!("include of missing {rel}"),
                        });
                    }
                }
                continue;
            }
            if word == "export" && !rest.contains('=') {
                for name in words_of(&self.expand(rest))
                    .map(String::from)
                    .collect::<Vec<_>>()
                {
                    self.exported.push(name);
                }
                continue;
            }
            if matches!(word, "unexport" | "vpath" | "undefine") {
                if word == "undefine" {
                    let name = self.expand(rest);
                    self.vars.remove(name.trim());
                }
                continue;
            }
            if line.starts_with("$(eval") {
                self.unknown.push(Unknown {
                    file: file.to_string(),
                    line: number,
                    construct: "$(eval ...)".into(),
                });
                continue;
            }
            let conditions: Vec<String> = stack.iter().map(|s| s.2.clone()).collect();
            let rules_before = self.rules.len();
            match self.assign(line, file, logical_line, &conditions) {
                Some(true) => {
                    in_recipe = true;
                    recipe_of = rules_before..self.rules.len();
                }
                Some(false) => in_recipe = false,
                None => {}
            }
        }
    }

    fn condition(&mut self, word: &str, rest: &str, file: &str, line: u32) -> bool {
        self.hits.clear();
        let holds = match word {
            "ifdef" | "ifndef" => {
                let name = self.expand(rest);
                let defined = self.get(name.trim()).is_some_and(|v| !v.value.is_empty());
                defined == (word == "ifdef")
            }
            _ => {
                let (a, b) =
                    if let Some(inner) = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
                        let parts = split_args(inner);
                        (
                            parts.first().cloned().unwrap_or_default(),
                            parts.get(1..).map(|p| p.join(",")).unwrap_or_default(),
                        )
                    } else {
                        let parts = split_quoted(rest);
                        (
                            parts.first().cloned().unwrap_or_default(),
                            parts.get(1).cloned().unwrap_or_default(),
                        )
                    };
                let a = self.expand(a.trim_start());
                let b = self.expand(b.trim_end());
                (a.trim() == b.trim()) == (word == "ifeq")
            }
        };
        self.flush_hits(file, line);
        holds
    }

    fn flush_hits(&mut self, file: &str, line: u32) {
        for construct in std::mem::take(&mut self.hits) {
            let unknown = Unknown {
                file: file.to_string(),
                line,
                construct,
            };
            if !self.unknown.contains(&unknown) {
                self.unknown.push(unknown);
            }
        }
    }

    /// An assignment or a rule. Some(true): a rule (recipe lines may follow); Some(false):
    /// an assignment; None: neither.
    fn assign(
        &mut self,
        line: &str,
        file: &str,
        number: u32,
        conditions: &[String],
    ) -> Option<bool> {
        let mut line = line;
        let mut export = false;
        loop {
            if let Some(r) = line.strip_prefix("export ") {
                export = true;
                line = r.trim_start();
            } else if let Some(r) = line.strip_prefix("override ") {
                line = r.trim_start();
            } else {
                break;
            }
        }
        let bytes = line.as_bytes();
        let mut depth = 0;
        for i in 0..bytes.len() {
            match bytes[i] {
                b'(' | b'{' => depth += 1,
                b')' | b'}' => depth -= 1,
                b'=' if depth == 0 => {
                    let (name_end, op) = if line[..i].ends_with("::") {
                        (i - 2, "::=")
                    } else {
                        match i.checked_sub(1).map(|j| bytes[j]) {
                            Some(b':') => (i - 1, ":="),
                            Some(b'?') => (i - 1, "?="),
                            Some(b'+') => (i - 1, "+="),
                            Some(b'!') => (i - 1, "!="),
                            _ => (i, "="),
                        }
                    };
                    let lhs = line[..name_end].trim();
                    self.hits.clear();
                    let name = self.expand(lhs).trim().to_string();
                    if name.is_empty() || name.contains(char::is_whitespace) {
                        return None;
                    }
                    if export {
                        self.exported.push(name.clone());
                    }
                    let value = line[i + 1..].trim();
                    self.set_var(&name, op, value);
                    let hits = !self.hits.is_empty();
                    if let Some(var) = self.vars.get_mut(&name) {
                        var.tainted |= hits && !var.recursive;
                    }
                    if is_list_var(&name) {
                        if self.vars.get(&name).is_some_and(|v| v.recursive) {
                            // Expanded later: look now for what would not be understood then.
                            self.expand(value);
                        }
                        self.flush_hits(file, number);
                        self.record_origins(&name, lhs, file, number, conditions);
                    } else {
                        self.hits.clear();
                    }
                    return Some(false);
                }
                b':' if depth == 0 && bytes.get(i + 1) != Some(&b'=') => {
                    if line[i + 1..].starts_with(':') && line[i + 2..].starts_with('=') {
                        continue;
                    }
                    self.rule(&line[..i], &line[i + 1..], file, number);
                    return Some(true);
                }
                _ => {}
            }
        }
        None
    }

    /// Record `targets: rest`. Target-specific assignments (`$(obj)/x.o: CFLAGS += ...`)
    /// are not rules of their own.
    fn rule(&mut self, targets: &str, rest: &str, file: &str, line: u32) {
        let rest = rest.strip_prefix(':').unwrap_or(rest);
        let (rest, inline_recipe) = match top_level_find(rest, ';') {
            Some(i) => (&rest[..i], rest[i + 1..].trim().to_string()),
            None => (rest, String::new()),
        };
        if top_level_find(rest, '=').is_some() {
            return;
        }
        let saved = std::mem::take(&mut self.hits);
        let targets: Vec<String> = words_of(&self.expand(targets)).map(String::from).collect();
        // A static pattern rule: `targets: target-pattern: prerequisite-patterns`.
        let static_pattern = top_level_find(rest, ':')
            .map(|i| (self.expand(&rest[..i]).trim().to_string(), &rest[i + 1..]));
        let prereq_text = static_pattern.as_ref().map_or(rest, |(_, p)| p);
        let prereqs: Vec<String> = words_of(&self.expand(&prereq_text.replace('|', " ")))
            .map(String::from)
            .collect();
        self.hits = saved;
        let rule = |targets: Vec<String>, prereqs: Vec<String>| Rule {
            targets,
            prereqs,
            recipe: inline_recipe.clone(),
            compiles: false,
            file: file.to_string(),
            line,
        };
        match static_pattern {
            Some((pattern, _)) => {
                let Some((pre, post)) = pattern.split_once('%') else {
                    return;
                };
                for target in targets {
                    // Make matches the pattern against the target's file name when the
                    // pattern has no slash.
                    let name = if pattern.contains('/') {
                        target.as_str()
                    } else {
                        target.rsplit('/').next().unwrap_or(&target)
                    };
                    let Some(stem) = name.strip_prefix(pre).and_then(|r| r.strip_suffix(post))
                    else {
                        continue;
                    };
                    let dir = &target[..target.len() - name.len()];
                    let prereqs = prereqs
                        .iter()
                        .map(|p| match p.contains('%') && !pattern.contains('/') {
                            true => format!("{dir}{}", p.replacen('%', stem, 1)),
                            false => p.replacen('%', stem, 1),
                        })
                        .collect();
                    self.rules.push(rule(vec![target.clone()], prereqs));
                }
            }
            None => self.rules.push(rule(targets, prereqs)),
        }
    }

    /// The rules read, each marked with whether its recipe compiles.
    pub fn take_rules(&mut self) -> Vec<Rule> {
        let mut rules = std::mem::take(&mut self.rules);
        for rule in rules.iter_mut().filter(|r| !r.recipe.is_empty()) {
            rule.compiles = self.recipe_compiles(&rule.recipe);
        }
        rules
    }

    fn recipe_compiles(&self, recipe: &str) -> bool {
        if ["cc_o_c", "as_o_S"].iter().any(|c| recipe.contains(c)) {
            return true;
        }
        // $(call if_changed,NAME), if_changed_dep, if_changed_rule, $(call cmd,NAME)
        let mut rest = recipe;
        while let Some(i) = rest.find("$(call ") {
            let call = &rest[i + 7..];
            let end = call.find(')').unwrap_or(call.len());
            let mut args = call[..end].split(',').map(str::trim);
            let function = args.next().unwrap_or("");
            if matches!(
                function,
                "if_changed" | "if_changed_dep" | "if_changed_rule" | "cmd"
            ) {
                if let Some(name) = args.next() {
                    let command = self.get(&format!("cmd_{name}")).map(|v| v.value.as_str());
                    if command.is_some_and(|c| c.contains(" -c ") && !c.contains(" -S ")) {
                        return true;
                    }
                }
            }
            rest = &call[end..];
        }
        false
    }

    fn set_var(&mut self, name: &str, op: &str, value: &str) {
        match op {
            "?=" if self.get(name).is_some() => {}
            "+=" => {
                let (recursive, old) = match self.get(name) {
                    Some(v) => (v.recursive, v.value.clone()),
                    None => (true, String::new()),
                };
                let add = if recursive {
                    value.to_string()
                } else {
                    self.expand(value)
                };
                let joined = if old.is_empty() {
                    add
                } else if add.is_empty() {
                    old
                } else {
                    format!("{old} {add}")
                };
                let tainted = self.get(name).is_some_and(|v| v.tainted);
                self.vars.insert(
                    name.to_string(),
                    Var {
                        value: joined,
                        recursive,
                        tainted,
                    },
                );
            }
            ":=" | "::=" => {
                let v = self.expand(value);
                self.vars.insert(
                    name.to_string(),
                    Var {
                        value: v,
                        recursive: false,
                        tainted: false,
                    },
                );
            }
            "!=" => {
                self.hits.push("!= (shell assignment)".into());
                self.set(name, "");
            }
            _ => {
                self.vars.insert(
                    name.to_string(),
                    Var {
                        value: value.to_string(),
                        recursive: true,
                        tainted: false,
                    },
                );
            }
        }
    }

    fn record_origins(
        &mut self,
        name: &str,
        lhs: &str,
        file: &str,
        line: u32,
        conditions: &[String],
    ) {
        // The words this line contributed: the whole value for `=`, which is expanded later,
        // is approximated by expanding it now.
        let Some(var) = self.vars.get(name) else {
            return;
        };
        let text = var.value.clone();
        let recursive = var.recursive;
        let saved = std::mem::take(&mut self.hits);
        let value = if recursive { self.expand(&text) } else { text };
        self.hits = saved;
        let mut gates = config_names(lhs);
        for cond in conditions {
            for g in config_names(cond) {
                if !gates.contains(&g) {
                    gates.push(g);
                }
            }
        }
        for word in words_of(&value) {
            self.origins
                .entry((name.to_string(), word.to_string()))
                .or_insert_with(|| Origin {
                    file: file.to_string(),
                    line,
                    gates: gates.clone(),
                });
        }
    }
}

fn is_function(name: &str) -> bool {
    matches!(
        name,
        "if" | "or"
            | "and"
            | "strip"
            | "sort"
            | "subst"
            | "patsubst"
            | "filter"
            | "filter-out"
            | "findstring"
            | "word"
            | "wordlist"
            | "words"
            | "firstword"
            | "lastword"
            | "addprefix"
            | "addsuffix"
            | "dir"
            | "notdir"
            | "basename"
            | "suffix"
            | "abspath"
            | "realpath"
            | "wildcard"
            | "foreach"
            | "call"
            | "value"
            | "origin"
            | "info"
            | "warning"
            | "error"
            | "shell"
            | "eval"
            | "file"
            | "flavor"
            | "join"
            | "let"
            | "intcmp"
            | "guile"
    )
}

/// Index of the parenthesis closing the one `text` starts with.
fn closing(text: &str) -> Option<usize> {
    let open = text.as_bytes()[0];
    let close = if open == b'(' { b')' } else { b'}' };
    let mut depth = 0;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        if b == open {
            depth += 1;
        } else if b == close {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

fn top_level_find(text: &str, wanted: char) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' | '{' => depth += 1,
            ')' | '}' => depth -= 1,
            c if c == wanted && depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

fn words_of(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace()
}

/// Make's comment rule: `#` starts a comment unless escaped.
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for i in 0..bytes.len() {
        if bytes[i] == b'#' && (i == 0 || bytes[i - 1] != b'\\') {
            return &line[..i];
        }
    }
    line
}

/// Split function arguments at top-level commas.
pub fn split_args(body: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in body.chars() {
        match c {
            '(' | '{' => {
                depth += 1;
                current.push(c)
            }
            ')' | '}' => {
                depth -= 1;
                current.push(c)
            }
            ',' if depth == 0 => args.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    args.push(current);
    args
}

/// `ifeq "a" "b"` / `ifeq 'a' 'b'`.
fn split_quoted(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut chars = text.trim().chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if c == '"' || c == '\'' {
            chars.next();
            let part: String = chars.by_ref().take_while(|&x| x != c).collect();
            parts.push(part);
        } else {
            let part: String = chars.by_ref().take_while(|x| !x.is_whitespace()).collect();
            parts.push(part);
        }
    }
    parts
}

/// Make's `%` pattern match (one `%` at most).
pub fn pattern_matches(pattern: &str, word: &str) -> bool {
    match pattern.split_once('%') {
        Some((pre, post)) => {
            word.len() >= pre.len() + post.len() && word.starts_with(pre) && word.ends_with(post)
        }
        None => pattern == word,
    }
}

fn patsubst_word(from: &str, to: &str, word: &str) -> String {
    match from.split_once('%') {
        Some((pre, post)) => {
            if word.len() >= pre.len() + post.len() && word.starts_with(pre) && word.ends_with(post)
            {
                let stem = &word[pre.len()..word.len() - post.len()];
                to.replacen('%', stem, 1)
            } else {
                word.to_string()
            }
        }
        None if from == word => to.to_string(),
        None => word.to_string(),
    }
}

fn path_part(function: &str, word: &str) -> Option<String> {
    let slash = word.rfind('/');
    let file = slash.map_or(word, |i| &word[i + 1..]);
    let dot = file.rfind('.');
    Some(match function {
        "dir" => slash.map_or("./".to_string(), |i| word[..=i].to_string()),
        "notdir" => file.to_string(),
        "basename" => match dot {
            Some(d) => word[..word.len() - file.len() + d].to_string(),
            None => word.to_string(),
        },
        _ => return dot.map(|d| file[d..].to_string()),
    })
}

fn glob_matches(pattern: &str, name: &str) -> bool {
    fn go(p: &[u8], n: &[u8]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    !name.starts_with('.') && go(pattern.as_bytes(), name.as_bytes())
}

/// `a/./b/../c` -> `a/c`, keeping a leading `/`.
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    if path.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::MemSource;

    fn eval(text: &str) -> (MemSource, String) {
        (MemSource::new().with("Makefile", text), String::new())
    }

    #[test]
    fn lists_conditionals_and_functions() {
        let (src, _) = eval("");
        let mut m = Make::new(&src);
        m.set("CONFIG_A", "y");
        m.set("CONFIG_B", "m");
        m.eval(
            "Makefile",
            "obj-$(CONFIG_A) += a.o \\\n\tb.o\nobj-$(CONFIG_B) += c.o\nobj-$(CONFIG_C) += d.o\n\
             ifdef CONFIG_A\nobj-y += e.o\nelse\nobj-y += f.o\nendif\n\
             ifeq ($(CONFIG_B),y)\nobj-y += g.o\nelse ifeq ($(CONFIG_B),m)\nobj-m += h.o\nendif\n\
             x-objs := $(patsubst %.c,%.o,one.c two.c)\nobj-y += $(x-objs:.o=.o) $(addprefix sub/,z.o)\n\
             foo: bar\n\tobj-y += recipe.o\nobj-y += $(call nosuch,1)\n",
        );
        assert_eq!(
            m.words("obj-y"),
            ["a.o", "b.o", "e.o", "one.o", "two.o", "sub/z.o"]
        );
        assert_eq!(m.words("obj-m"), ["c.o", "h.o"]);
        assert_eq!(m.words("obj-"), ["d.o"]);
        let origin = m.origin("obj-", "d.o").expect("recorded");
        assert_eq!(
            (origin.line, origin.gates.clone()),
            (4, vec!["C".to_string()])
        );
        assert_eq!(m.origin("obj-y", "b.o").map(|o| o.line), Some(1));
        assert_eq!(
            m.origin("obj-y", "e.o").map(|o| o.gates.clone()),
            Some(vec!["A".into()])
        );
        assert_eq!(m.unknown.len(), 1);
        assert_eq!(m.unknown[0].line, 19);
    }

    #[test]
    fn static_pattern_rules_and_compile_recipes() {
        let src = MemSource::new();
        let mut m = Make::new(&src);
        m.set("obj", "v");
        m.eval(
            "v/Makefile",
            "objs := $(addprefix $(obj)/,a-64.o b-64.o)\n$(objs): %-64.o: %.S FORCE\n\t$(call if_changed_dep,vdsoas)\n\
             $(obj)/x.o: $(obj)/y.o\n\t$(call if_changed,objcopy)\n\
             $(objs): CFLAGS += -m64\n\tnot a recipe of anything\n\
             cmd_vdsoas = $(VDSOCC) $(a_flags) -c -o $@ $<\n",
        );
        let rules = m.take_rules();
        let summary: Vec<(Vec<String>, Vec<String>, bool)> = rules
            .iter()
            .map(|r| (r.targets.clone(), r.prereqs.clone(), r.compiles))
            .collect();
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            summary,
            [
                (s(&["v/a-64.o"]), s(&["v/a.S", "FORCE"]), true),
                (s(&["v/b-64.o"]), s(&["v/b.S", "FORCE"]), true),
                (s(&["v/x.o"]), s(&["v/y.o"]), false),
            ]
        );
    }

    #[test]
    fn functions_and_calls() {
        let src = MemSource::new()
            .with(
                "d/Makefile",
                "include $(srctree)/d/inc.mk\nobj-y += $(notdir $(wildcard $(srctree)/d/*.c))\n",
            )
            .with("d/inc.mk", "f = $(1)-$(2)\nV := $(call f,a,b)\n")
            .with("d/x.c", "")
            .with("d/y.c", "");
        let mut m = Make::new(&src);
        m.set("srctree", SRCTREE);
        assert!(m.include("d/Makefile"));
        assert_eq!(m.value("V"), "a-b");
        assert_eq!(m.words("obj-y"), ["x.c", "y.c"]);
        assert_eq!(
            config_names("obj-$(CONFIG_X86_64) CONFIG_Y xCONFIG_Z"),
            ["X86_64", "Y"]
        );
        assert_eq!(normalize("a/./b/../c"), "a/c");
    }
}
