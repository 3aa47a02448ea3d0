//! Just enough of GNU make to read what an arch Makefile decides before Kconfig runs:
//! KBUILD_DEFCONFIG, and changes to the toolchain variables (`NM := $(NM) --synthetic`,
//! `CROSS_COMPILE := $(call cc-cross-prefix, ...)`). Conditionals (ifeq, ifneq, ifdef,
//! ifndef, else, endif), assignments (=, :=, ?=, +=, with continuation lines) and the
//! functions these lines use (shell, if, filter, foreach, call cc-cross-prefix).
//! Anything else expands to nothing. `$(shell ...)` goes through the caller, which decides
//! whether commands may run.

/// Variables and a shell for one evaluation.
pub struct MakeEval<'a> {
    pub vars: Vec<(String, String)>,
    pub shell: &'a dyn Fn(&str) -> String,
}

impl MakeEval<'_> {
    pub fn get(&self, name: &str) -> String {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn is_defined(&self, name: &str) -> bool {
        self.vars.iter().any(|(n, _)| n == name)
    }

    pub fn set(&mut self, name: &str, value: String) {
        self.vars.retain(|(n, _)| n != name);
        self.vars.push((name.to_string(), value));
    }

    /// Expand `$(...)` references in `text`.
    pub fn expand(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find('$') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            if after.starts_with('$') {
                out.push('$');
                rest = &after[1..];
                continue;
            }
            if !after.starts_with('(') && !after.starts_with('{') {
                // $X: a one-letter variable.
                let mut chars = after.chars();
                if let Some(c) = chars.next() {
                    out.push_str(&self.get(&c.to_string()));
                    rest = chars.as_str();
                } else {
                    rest = after;
                }
                continue;
            }
            let (open, close) = if after.starts_with('(') {
                ('(', ')')
            } else {
                ('{', '}')
            };
            let mut depth = 0;
            let mut end = None;
            for (i, c) in after.char_indices() {
                if c == open {
                    depth += 1;
                } else if c == close {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(i);
                        break;
                    }
                }
            }
            let Some(end) = end else {
                rest = "";
                break;
            };
            out.push_str(&self.call(&after[1..end]));
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }

    fn call(&self, body: &str) -> String {
        let (name, args) = match body.find([' ', '\t']) {
            Some(i) if !body[..i].contains(',') => (&body[..i], body[i + 1..].trim_start()),
            _ => (body, ""),
        };
        match name {
            "shell" => {
                let command = self.expand(args);
                let output = (self.shell)(&command);
                output.trim_end_matches('\n').replace('\n', " ")
            }
            "if" => {
                let parts = split_args(args);
                let cond = self.expand(parts.first().map(String::as_str).unwrap_or(""));
                let pick = if !cond.trim().is_empty() {
                    parts.get(1)
                } else {
                    parts.get(2)
                };
                pick.map(|a| self.expand(a)).unwrap_or_default()
            }
            "filter" | "filter-out" => {
                let parts = split_args(args);
                let patterns: Vec<String> = self
                    .expand(parts.first().map(String::as_str).unwrap_or(""))
                    .split_whitespace()
                    .map(String::from)
                    .collect();
                let words = self.expand(parts.get(1).map(String::as_str).unwrap_or(""));
                let keep = name == "filter";
                words
                    .split_whitespace()
                    .filter(|w| patterns.iter().any(|p| pattern_matches(p, w)) == keep)
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            "foreach" => {
                let parts = split_args(args);
                if parts.len() < 3 {
                    return String::new();
                }
                let var = self.expand(&parts[0]);
                let list = self.expand(&parts[1]);
                let mut results = Vec::new();
                for word in list.split_whitespace() {
                    let mut inner = MakeEval {
                        vars: self.vars.clone(),
                        shell: self.shell,
                    };
                    inner.set(var.trim(), word.to_string());
                    results.push(inner.expand(&parts[2]));
                }
                results.join(" ")
            }
            "call" => {
                let parts = split_args(args);
                let function = parts.first().map(|f| self.expand(f)).unwrap_or_default();
                if function.trim() == "cc-cross-prefix" {
                    let candidates = self.expand(parts.get(1).map(String::as_str).unwrap_or(""));
                    return cc_cross_prefix(&candidates);
                }
                String::new()
            }
            _ if args.is_empty() => self.get(body.trim()),
            _ => String::new(),
        }
    }

    fn condition(&self, line: &str) -> Option<bool> {
        let (negate, rest) = if let Some(r) = line.strip_prefix("ifeq") {
            (false, r)
        } else if let Some(r) = line.strip_prefix("ifneq") {
            (true, r)
        } else if let Some(r) = line.strip_prefix("ifdef") {
            let name = self.expand(r.trim());
            return Some(!self.get(name.trim()).is_empty());
        } else if let Some(r) = line.strip_prefix("ifndef") {
            let name = self.expand(r.trim());
            return Some(self.get(name.trim()).is_empty());
        } else {
            return None;
        };
        let inner = rest.trim();
        let (a, b) = if let Some(inner) = inner.strip_prefix('(').and_then(|i| i.strip_suffix(')'))
        {
            let parts = split_args(inner);
            (
                parts.first().cloned().unwrap_or_default(),
                parts.get(1).cloned().unwrap_or_default(),
            )
        } else {
            // ifeq "a" "b" / ifeq 'a' 'b'
            let words: Vec<&str> = inner.split_whitespace().collect();
            let unquote = |w: &str| w.trim_matches(|c| c == '"' || c == '\'').to_string();
            (
                words.first().map(|w| unquote(w)).unwrap_or_default(),
                words.get(1).map(|w| unquote(w)).unwrap_or_default(),
            )
        };
        Some((self.expand(a.trim()) == self.expand(b.trim())) != negate)
    }

    /// Evaluate the top level of a Makefile: conditionals and assignments. Rules and their
    /// recipes are skipped.
    pub fn eval_file(&mut self, text: &str) {
        // Each level: (this branch active, some branch of this chain taken, outer active).
        let mut stack: Vec<(bool, bool)> = Vec::new();
        let mut logical = String::new();
        // Tab-led lines after a rule are its recipe; elsewhere they are make lines.
        let mut in_recipe = false;
        let mut in_define = false;
        for raw in text.lines() {
            if in_define {
                in_define = raw.trim() != "endef";
                continue;
            }
            if raw.starts_with('\t') && in_recipe && logical.is_empty() {
                continue;
            }
            if !raw.starts_with('\t')
                && !raw.trim().is_empty()
                && !raw.trim_start().starts_with('#')
            {
                in_recipe = false;
            }
            if raw.starts_with("define ") {
                in_define = true;
                continue;
            }
            if let Some(stripped) = raw.strip_suffix('\\') {
                logical.push_str(stripped);
                logical.push(' ');
                continue;
            }
            logical.push_str(raw);
            let line_owned = std::mem::take(&mut logical);
            let line = strip_comment(&line_owned).trim().to_string();
            let active = stack.iter().all(|(a, _)| *a);
            if let Some(rest) = line.strip_prefix("else") {
                if rest.is_empty() || rest.starts_with(' ') || rest.starts_with('\t') {
                    if let Some((current, taken)) = stack.pop() {
                        let taken = taken || current;
                        let outer = stack.iter().all(|(a, _)| *a);
                        let rest = rest.trim();
                        let now = if rest.is_empty() {
                            !taken
                        } else {
                            !taken && outer && self.condition(rest).unwrap_or(false)
                        };
                        stack.push((now, taken));
                    }
                    continue;
                }
            }
            if line.starts_with("endif") {
                stack.pop();
                continue;
            }
            if let Some(holds) = if line.starts_with("if") {
                self.condition(&line)
            } else {
                None
            } {
                stack.push((active && holds, !active));
                continue;
            }
            if !active {
                continue;
            }
            if self.assign(&line) {
                in_recipe = true;
            }
        }
    }

    /// Evaluate an assignment line; returns true when the line is a rule instead.
    fn assign(&mut self, line: &str) -> bool {
        let line = line.strip_prefix("export ").unwrap_or(line);
        let line = line.strip_prefix("override ").unwrap_or(line);
        // The first assignment operator outside references.
        let mut depth = 0;
        let bytes = line.as_bytes();
        for i in 0..bytes.len() {
            match bytes[i] {
                b'(' | b'{' => depth += 1,
                b')' | b'}' => depth -= 1,
                b'=' if depth == 0 => {
                    let (name_part, op) = match i.checked_sub(1).map(|j| bytes[j]) {
                        Some(b':') => (&line[..i - 1], ":="),
                        Some(b'?') => (&line[..i - 1], "?="),
                        Some(b'+') => (&line[..i - 1], "+="),
                        _ => (&line[..i], "="),
                    };
                    let name = self.expand(name_part.trim());
                    if name.is_empty() || name.contains(char::is_whitespace) {
                        return false;
                    }
                    let value = line[i + 1..].trim();
                    match op {
                        "?=" if self.is_defined(&name) => {}
                        "+=" => {
                            let old = self.get(&name);
                            let new = self.expand(value);
                            let joined = if old.is_empty() {
                                new
                            } else {
                                format!("{old} {new}")
                            };
                            self.set(&name, joined);
                        }
                        _ => {
                            let expanded = self.expand(value);
                            self.set(&name, expanded);
                        }
                    }
                    return false;
                }
                b':' if depth == 0 && bytes.get(i + 1) != Some(&b'=') => return true,
                _ => {}
            }
        }
        false
    }
}

fn strip_comment(line: &str) -> &str {
    match line.find('#') {
        Some(i) if !line[..i].ends_with('\\') => &line[..i],
        _ => line,
    }
}

pub use crate::kbuild::make::{pattern_matches, split_args};

/// cc-cross-prefix (scripts/Makefile.compiler): the first prefix whose `gcc` is on PATH.
fn cc_cross_prefix(candidates: &str) -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for prefix in candidates.split_whitespace() {
        let gcc = format!("{prefix}gcc");
        if std::env::split_paths(&path).any(|dir| dir.join(&gcc).is_file()) {
            return prefix.to_string();
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditionals_and_assignments() {
        let shell = |_: &str| "x86_64".to_string();
        let mut m = MakeEval {
            vars: vec![("ARCH".into(), "x86".into()), ("NM".into(), "nm".into())],
            shell: &shell,
        };
        m.eval_file(
            "ifeq ($(ARCH),x86)\n  ifeq ($(shell uname -m),i386)\n\tK := a\n  else\n\tK := b\n  endif\nelse\nK := c\nendif\nNM := $(NM) -B\nall:\n\tK := d\ndefine x\nK := e\nendef\n",
        );
        assert_eq!(m.get("K"), "b");
        assert_eq!(m.get("NM"), "nm -B");
        let mut m = MakeEval {
            vars: vec![("uname".into(), "x86_64".into())],
            shell: &shell,
        };
        m.eval_file("K := $(if $(filter ppc%,$(uname)),$(uname),ppc64le)_defconfig\n");
        assert_eq!(m.get("K"), "ppc64le_defconfig");
    }
}
