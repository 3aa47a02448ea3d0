//! The code map's rules, checked: no import cycle between the modules of `src/`, `main.rs`
//! stays a thin entry point, files in `lint/` stay readable in one sitting, and git2 is
//! used only in `git/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/`, as module path (`lint::checks::bisect_break`) -> file.
fn modules() -> BTreeMap<String, PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files
        .into_iter()
        .map(|file| {
            let relative = file.strip_prefix(&root).expect("under src/");
            let mut parts: Vec<String> = relative
                .with_extension("")
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            if matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                parts.pop();
            }
            (parts.join("::"), file)
        })
        .collect()
}

/// The code of a file without comments and without its inline test module.
fn code(file: &Path) -> String {
    let text = std::fs::read_to_string(file).expect("a source file");
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => &text,
    };
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The longest module that `path` (`lint::context::ArchContext`) names.
fn resolve<'a>(modules: &'a BTreeMap<String, PathBuf>, path: &[String]) -> Option<&'a str> {
    (1..=path.len())
        .rev()
        .find_map(|n| modules.get_key_value(&path[..n].join("::")))
        .map(|(k, _)| k.as_str())
}

/// Module -> the modules its code names through `crate::` or `super::` paths, in `use`
/// lists (`use super::{a, b}`) too. A module naming its own ancestor is not counted: that
/// is how a child reaches the types its parent re-exports.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules();
    let path_re = regex::Regex::new(r"\b(crate|super)((?:::\w+)+)").expect("a valid pattern");
    let list_re =
        regex::Regex::new(r"\b(crate|super)((?:::\w+)*)::\{([^}]*)\}").expect("a valid pattern");
    let mut graph = BTreeMap::new();
    for (module, file) in &modules {
        let text = code(file);
        let here: Vec<String> = module
            .split("::")
            .filter(|p| !p.is_empty())
            .map(String::from)
            .collect();
        let base = |kind: &str| -> Vec<String> {
            if kind == "crate" {
                Vec::new()
            } else {
                here[..here.len().saturating_sub(1)].to_vec()
            }
        };
        let mut targets = BTreeSet::new();
        let mut add = |path: Vec<String>| {
            if let Some(target) = resolve(&modules, &path) {
                let ancestor = target.is_empty()
                    || module == target
                    || module.starts_with(&format!("{target}::"));
                if !ancestor {
                    targets.insert(target.to_string());
                }
            }
        };
        for m in path_re.captures_iter(&text) {
            let mut path = base(&m[1]);
            path.extend(m[2].split("::").filter(|p| !p.is_empty()).map(String::from));
            add(path);
        }
        for m in list_re.captures_iter(&text) {
            for item in m[3].split(',') {
                let first = item.trim().split("::").next().unwrap_or("").trim();
                if first.is_empty() || first == "self" {
                    continue;
                }
                let mut path = base(&m[1]);
                path.extend(m[2].split("::").filter(|p| !p.is_empty()).map(String::from));
                path.push(first.to_string());
                add(path);
            }
        }
        graph.insert(module.clone(), targets);
    }
    graph
}

/// A cycle through `start`, if any (depth-first search).
fn cycle_from(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    fn visit(
        graph: &BTreeMap<String, BTreeSet<String>>,
        start: &str,
        node: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in graph.get(node).into_iter().flatten() {
            if next == start {
                path.push(next.clone());
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if visit(graph, start, next, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    let mut seen = BTreeSet::new();
    visit(graph, start, start, &mut path, &mut seen).then_some(path)
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let graph = imports();
    assert!(
        graph.contains_key("lint::checks::bisect_break"),
        "modules found"
    );
    assert!(
        graph["lint::engine"].contains("lint::checks"),
        "the engine's imports are seen"
    );
    let cycles: Vec<String> = graph
        .keys()
        .filter_map(|m| cycle_from(&graph, m))
        .map(|c| c.join(" -> "))
        .collect();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_detector_sees_a_cycle() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(
        cycle_from(&graph, "a"),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    assert_eq!(cycle_from(&graph, "d"), None);
}

#[test]
fn main_rs_is_a_thin_entry_point() {
    let lines = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/main.rs"))
        .expect("main.rs")
        .lines()
        .count();
    assert!(lines <= 150, "src/main.rs has {lines} lines (at most 150)");
}

#[test]
fn lint_files_stay_small_and_git2_stays_in_git() {
    for (module, file) in modules() {
        let text = std::fs::read_to_string(&file).expect("a source file");
        if module.starts_with("lint") {
            let lines = text.lines().count();
            assert!(
                lines <= 500,
                "{}: {lines} lines (at most 500 in lint/)",
                file.display()
            );
        }
        if !module.starts_with("git") {
            assert!(
                !code(&file).contains("git2::"),
                "{}: uses git2 outside src/git/",
                file.display()
            );
        }
    }
}
