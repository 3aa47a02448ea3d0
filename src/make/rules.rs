//! Rules as make reads them: explicit and static pattern rules with expanded targets and
//! prerequisites, their recipes, and whether a recipe compiles. Nothing here is run.

use super::expand::{top_level_find, words_of};
use super::{Make, Rule};

impl Make<'_> {
    /// Record `targets: rest`. Target-specific assignments (`$(obj)/x.o: CFLAGS += ...`)
    /// are not rules of their own.
    pub(super) fn rule(&mut self, targets: &str, rest: &str, file: &str, line: u32) {
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
}
