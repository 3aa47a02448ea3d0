//! Reading a Makefile: logical lines, conditionals, `define`, `include`, `export`, and
//! assignments with their flavours. Rules go to `rules.rs`; expansion to `expand.rs`.

use super::expand::{inside_tree, normalize, split_args, words_of};
use super::{budget, config_names, is_list_var, Make, NoHost, Origin, Unknown, Var, SRCTREE};

impl Make<'_> {
    /// Read and evaluate `path` (relative to the tree). Returns false when there is no such
    /// file.
    pub fn include(&mut self, path: &str) -> bool {
        // The tree is all there is: `include ../../x` must not read beside it.
        if !inside_tree(path) {
            return false;
        }
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
        if self.files_read.len() >= budget::MAX_INCLUDES {
            self.budget_error(format!(
                "more than {} files read through include, {path} not read",
                budget::MAX_INCLUDES
            ));
            return true;
        }
        self.files_read.push(path.to_string());
        // The includer's position comes back after the included file.
        let position = self.position.clone();
        self.eval(path, &text);
        self.position = position;
        true
    }

    /// Evaluate the text of Makefile `file`.
    pub fn eval(&mut self, file: &str, text: &str) {
        self.eval_lines(file, text, None);
    }

    /// `$(eval text)`: the expanded argument read as Makefile text, with conditionals of
    /// its own, where the call stands (its lines all count as that line). Mirrors
    /// func_eval() in make's function.c, which hands the text to eval_buffer().
    pub(super) fn eval_text(&mut self, text: &str) {
        if self.bookkeeping {
            // Origins are looked up by expanding values again; that must not assign.
            return;
        }
        if self.depth >= budget::MAX_DEPTH {
            self.budget_error(format!(
                "$(eval ...) nested deeper than {} evaluations",
                budget::MAX_DEPTH
            ));
            return;
        }
        // Each evaluation pays for its text, and what it appends (below) for the whole
        // value: `$(foreach w,$(MANY),$(eval X += $(w)))` copies X once per word.
        if !self.spend(text.len() as u64) {
            return;
        }
        let (file, line) = self.position.clone();
        self.depth += 1;
        self.evaluating += 1;
        self.eval_lines(&file, text, Some(line));
        self.evaluating -= 1;
        self.depth -= 1;
        self.position = (file, line);
    }

    /// The lines of `text`, numbered from 1, or all `at` (text an `$(eval)` made).
    fn eval_lines(&mut self, file: &str, text: &str, at: Option<u32>) {
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
            let number = at.unwrap_or(index as u32 + 1);
            if let Some((name, op, body)) = define.as_mut() {
                let trimmed = raw.trim();
                if trimmed == "endef" || trimmed.starts_with("endef ") {
                    let (name, op, body) = (name.clone(), op.clone(), body.clone());
                    define = None;
                    if stack.iter().all(|s| s.0) {
                        self.position = (file.to_string(), number);
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
            self.position = (file.to_string(), logical_line);
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
                    let name = name.trim();
                    self.vars.remove(name);
                    if self.base.is_some() {
                        self.undefined.insert(name.to_string());
                    }
                }
                continue;
            }
            let conditions: Vec<String> = stack.iter().map(|s| s.2.clone()).collect();
            let rules_before = self.rules.len();
            let mut assigned = self.assign(line, file, logical_line, &conditions);
            if assigned.is_none() && line.contains('$') {
                // Neither assignment nor rule as written: make expands the line (which
                // runs any `$(eval)` in it) and reads what is left as a rule.
                self.hits.clear();
                let expanded = self.expand(line);
                self.hits.clear();
                let expanded = expanded.trim();
                if !expanded.is_empty() && !expanded.contains('$') {
                    assigned = self.assign(expanded, file, logical_line, &conditions);
                }
            }
            match assigned {
                Some(true) => {
                    in_recipe = true;
                    recipe_of = rules_before..self.rules.len();
                }
                Some(false) => in_recipe = false,
                None => {}
            }
        }
    }

    /// Expand `text` for the evaluator's own records (origins, the early look at a list
    /// that is expanded later), never for a value make would compute at this point: so the
    /// host is not asked, and nothing runs that make would not run.
    fn expand_for_bookkeeping(&mut self, text: &str) -> String {
        let host = std::mem::replace(&mut self.host, &NoHost);
        let outer = std::mem::replace(&mut self.bookkeeping, true);
        let out = self.expand(text);
        self.bookkeeping = outer;
        self.host = host;
        out
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
                            self.expand_for_bookkeeping(value);
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
                if self.evaluating > 0 && !self.spend((old.len() + add.len()) as u64) {
                    return;
                }
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
        // `obj-y += x.o` line after line: the words of the text already looked at are
        // recorded (the first origin wins), so only what follows it can add one, when the
        // text grew at a word boundary, the words recorded were the old text's own, and
        // the text is not expanded now (a simple list) or expands to itself (no reference:
        // no expansion, so no budget, can differ from expanding the whole).
        let literal = !recursive || !text.contains('$');
        let seen = match self.origins_scanned.get(name) {
            Some((old, old_literal))
                if *old_literal
                    && literal
                    && !old.is_empty()
                    && text.starts_with(old.as_str())
                    && text[old.len()..]
                        .chars()
                        .next()
                        .is_none_or(char::is_whitespace) =>
            {
                old.len()
            }
            _ => 0,
        };
        self.origins_scanned
            .insert(name.to_string(), (text.clone(), literal));
        let part = &text[seen..];
        let saved = std::mem::take(&mut self.hits);
        let value = if recursive {
            self.expand_for_bookkeeping(part)
        } else {
            part.to_string()
        };
        self.hits = saved;
        let mut gates = config_names(lhs);
        for cond in conditions {
            for g in config_names(cond) {
                if !gates.contains(&g) {
                    gates.push(g);
                }
            }
        }
        let words = self.origins.entry(name.to_string()).or_default();
        for word in words_of(&value) {
            if !words.contains_key(word) {
                let origin = Origin {
                    file: file.to_string(),
                    line,
                    gates: gates.clone(),
                };
                words.insert(word.to_string(), origin);
            }
        }
    }
}

/// Make's comment rule: `#` starts a comment unless escaped.
pub(super) fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for i in 0..bytes.len() {
        if bytes[i] == b'#' && (i == 0 || bytes[i - 1] != b'\\') {
            return &line[..i];
        }
    }
    line
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
