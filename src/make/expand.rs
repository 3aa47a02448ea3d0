//! Expansion: variable references, substitution references and make's functions, over
//! the variables of one evaluation. What the host may answer (`$(shell ...)`,
//! cc-cross-prefix) is asked of the evaluation's `Host`; this file runs nothing and reads
//! files only through `Source` (for `$(wildcard ...)`).

use super::{budget, Make, SRCTREE};

impl Make<'_> {
    /// Expand every reference in `text`. Within the evaluation's budgets: a reference
    /// nested too deep, a value too big, work past the budget expand to nothing and are
    /// recorded at the line being evaluated.
    pub fn expand(&mut self, text: &str) -> String {
        if !text.contains('$') {
            return text.to_string();
        }
        if self.exhausted {
            return String::new();
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
            if !self.spend(1) {
                return String::new();
            }
            if first != '(' && first != '{' {
                let name = first.to_string();
                let value = self.lookup(&name);
                if !self.spend(value.len() as u64) || !self.fits(out.len() + value.len()) {
                    return String::new();
                }
                out.push_str(&value);
                rest = &after[first.len_utf8()..];
                continue;
            }
            let Some(end) = closing(after) else {
                self.hits.push(format!("unterminated reference `${after}`"));
                rest = "";
                break;
            };
            let body = &after[1..end];
            if self.nesting >= budget::MAX_NESTING {
                self.budget_error(format!(
                    "expansion nested deeper than {} references",
                    budget::MAX_NESTING
                ));
                return String::new();
            }
            self.nesting += 1;
            let value = self.reference(body);
            self.nesting -= 1;
            if !self.spend(value.len() as u64) || !self.fits(out.len() + value.len()) {
                return String::new();
            }
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
                let words = words_of(&value).map(|w| patsubst_word(&from, &to, w));
                return self.bounded_join(words);
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
                    return text;
                }
                // The result's size is known before it is built.
                let grows = to.len().saturating_sub(from.len());
                let count = if grows == 0 {
                    0
                } else {
                    text.matches(&from).count()
                };
                if !self.fits(text.len().saturating_add(count.saturating_mul(grows))) {
                    return String::new();
                }
                text.replace(&from, &to)
            }
            "patsubst" => {
                let (from, to) = (arg(self, 0), arg(self, 1));
                let text = arg(self, 2);
                let words = words_of(&text).map(|w| patsubst_word(from.trim(), to.trim(), w));
                self.bounded_join(words)
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
                let words = words_of(&text).map(|w| {
                    if name == "addprefix" {
                        format!("{fix}{w}")
                    } else {
                        format!("{w}{fix}")
                    }
                });
                self.bounded_join(words)
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
                let mut size = 0usize;
                for word in words_of(&list) {
                    self.set(&var, word);
                    let value = self.expand(&body);
                    size += value.len() + 1;
                    if !self.fits(size) {
                        results.clear();
                        break;
                    }
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
                if defined.is_none() && function == "cc-cross-prefix" {
                    let candidates = frame.get(1).map(String::as_str).unwrap_or("");
                    if let Some(prefix) = self.host.cc_cross_prefix(candidates) {
                        return prefix;
                    }
                }
                match defined {
                    // Make lets a function call itself (its arguments may shrink each
                    // time): only depth and work bound it.
                    Some(_) if self.depth >= budget::MAX_DEPTH => {
                        self.budget_error(format!(
                            "$(call {function},...) nested deeper than {} calls",
                            budget::MAX_DEPTH
                        ));
                        String::new()
                    }
                    Some(body) => {
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
            "eval" => {
                let text = self.expand(args);
                self.eval_text(&text);
                String::new()
            }
            "info" | "warning" | "error" => String::new(),
            "shell" => {
                let command = self.expand(args);
                match self.host.shell(&command) {
                    // Make drops the final newlines and turns the others into spaces.
                    Some(output) => output.trim_end_matches('\n').replace('\n', " "),
                    None => {
                        self.hits.push(format!("$({name} ...)"));
                        String::new()
                    }
                }
            }
            _ => {
                self.hits.push(format!("$({name} ...)"));
                String::new()
            }
        }
    }

    /// Words joined by spaces, or nothing (recorded) when the result would pass
    /// `budget::MAX_VALUE_BYTES`: `$(addprefix $(BIG),$(MANY))` must not be built first.
    fn bounded_join(&mut self, words: impl Iterator<Item = String>) -> String {
        let mut out = String::new();
        for word in words {
            if !self.fits(out.len() + word.len() + 1) {
                return String::new();
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&word);
        }
        out
    }

    /// `$(wildcard pattern)` over the tree: only paths under `$(srctree)` exist here.
    fn wildcard(&mut self, pattern: &str) -> Vec<String> {
        let Some(path) = pattern
            .strip_prefix(SRCTREE)
            .map(|p| p.trim_start_matches('/'))
        else {
            return Vec::new();
        };
        if !inside_tree(path) {
            return Vec::new();
        }
        let path = normalize(path);
        let (dir, name) = match path.rfind('/') {
            Some(i) => (&path[..i], &path[i + 1..]),
            None => ("", path.as_str()),
        };
        if !self.dirs_listed.iter().any(|d| d == dir) {
            self.dirs_listed.push(dir.to_string());
        }
        if !name.contains(['*', '?', '[']) {
            let exists = matches!(self.source.exists(&path), Ok(true))
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
pub(super) fn closing(text: &str) -> Option<usize> {
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

pub(super) fn top_level_find(text: &str, wanted: char) -> Option<usize> {
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

pub(super) fn words_of(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace()
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

/// Make's `%` pattern match (one `%` at most).
pub fn pattern_matches(pattern: &str, word: &str) -> bool {
    match pattern.split_once('%') {
        Some((pre, post)) => {
            word.len() >= pre.len() + post.len() && word.starts_with(pre) && word.ends_with(post)
        }
        None => pattern == word,
    }
}

pub(super) fn patsubst_word(from: &str, to: &str, word: &str) -> String {
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

/// Whether a relative path stays inside the tree once normalised.
pub(super) fn inside_tree(path: &str) -> bool {
    let normal = normalize(path);
    !(path.starts_with('/') || normal == ".." || normal.starts_with("../"))
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
