//! The patch text of a commit against its first parent, as `git show --format= <commit>`
//! prints it with git's defaults (renames found at 50%, three lines of context, the indent
//! heuristic), and its `git patch-id --stable`. Headers and rename scores are built here
//! the way git's diff.c builds them, because a patch-id hashes them; hunks come from
//! libgit2, which shares git's xdiff. Reads objects only.

use std::path::Path;

use git2::{DiffOptions, Oid, Repository};

use super::patch_id::patch_id;
use super::renames::{find_renames, is_binary, Rename, Side};
use super::GitError;

/// Which of git's two ways of showing a commit's diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffFlavour {
    /// `git show`: a binary file is `Binary files a/f and b/f differ`, with the blob ids of
    /// its `index` line abbreviated.
    Show,
    /// `git format-patch` and b4 (`--binary`): a binary file's `index` line carries full
    /// blob ids. Its base85 data is left out: a patch-id never reads it.
    Mail,
}

/// One side of a file pair.
struct FileSide {
    path: String,
    oid: Oid,
    mode: u32,
    data: Vec<u8>,
}

/// What one `diff --git` section shows.
struct FilePair {
    old: Option<FileSide>,
    new: Option<FileSide>,
    rename: Option<u64>,
}

/// The patch id of `commit` as `git show <commit> | git patch-id --stable` prints it (for
/// `DiffFlavour::Show`), or as it is computed from the commit's mail (`Mail`). `None` for
/// a commit that changes nothing.
pub fn commit_patch_id(
    repo: &Repository,
    commit: Oid,
    flavour: DiffFlavour,
) -> Result<Option<String>, GitError> {
    Ok(patch_id(&commit_diff(repo, commit, flavour)?))
}

/// The ids a mail of `commit` may carry: that of `git show` and, when the commit has a
/// binary file, that of `git format-patch`.
pub fn commit_patch_ids(repo: &Repository, commit: Oid) -> Result<Vec<String>, GitError> {
    let mut ids = Vec::new();
    for flavour in [DiffFlavour::Show, DiffFlavour::Mail] {
        if let Some(id) = commit_patch_id(repo, commit, flavour)? {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    Ok(ids)
}

/// The diff of `commit` against its first parent (a root commit against nothing).
pub fn commit_diff(
    repo: &Repository,
    commit: Oid,
    flavour: DiffFlavour,
) -> Result<Vec<u8>, GitError> {
    let fail = |e: git2::Error| GitError::Commit {
        commit: commit.to_string(),
        message: e.message().to_string(),
    };
    let found = repo.find_commit(commit).map_err(fail)?;
    let new_tree = found.tree().map_err(fail)?;
    let old_tree = match found.parent_count() {
        0 => None,
        _ => Some(found.parent(0).and_then(|p| p.tree()).map_err(fail)?),
    };
    // libgit2 iterates every entry of both trees; told the exact paths that differ (found
    // by walking only the subtrees whose ids differ), it skips the rest.
    // A submodule is matched against the list as a pattern (`!`, `#`, trailing blanks
    // mean something there), and a name that is not UTF-8 cannot be given: then diff all.
    let mut options = DiffOptions::new();
    if let Some(old) = &old_tree {
        let changes = super::tree_diff::changes(repo, old, &new_tree).map_err(fail)?;
        if changes.paths.is_empty() {
            return Ok(Vec::new());
        }
        let paths: Option<Vec<&str>> = changes
            .paths
            .iter()
            .map(|p| std::str::from_utf8(p).ok())
            .collect();
        if let Some(paths) = paths.filter(|_| !changes.gitlink) {
            options.disable_pathspec_match(true);
            for path in paths {
                options.pathspec(path);
            }
        }
    }
    let diff = repo
        .diff_tree_to_tree(old_tree.as_ref(), Some(&new_tree), Some(&mut options))
        .map_err(fail)?;
    let read = |file: git2::DiffFile| -> Result<Option<FileSide>, git2::Error> {
        if !file.exists() {
            return Ok(None);
        }
        let mode = u32::from(file.mode());
        let oid = file.id();
        let data = if mode == 0o160000 {
            // A submodule shows as the commit it points at (diff_populate_gitlink()).
            format!("Subproject commit {oid}\n").into_bytes()
        } else {
            repo.find_blob(oid)?.content().to_vec()
        };
        let path = file
            .path()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Some(FileSide {
            path,
            oid,
            mode,
            data,
        }))
    };
    let mut pairs = Vec::new();
    for delta in diff.deltas() {
        pairs.push(FilePair {
            old: read(delta.old_file()).map_err(fail)?,
            new: read(delta.new_file()).map_err(fail)?,
            rename: None,
        });
    }
    let pairs = pair_renames(pairs);
    let mut out = Vec::new();
    for pair in &pairs {
        write_pair(repo, pair, flavour, &mut out).map_err(fail)?;
    }
    Ok(out)
}

/// Deleted and added files that git would show as renames, merged into one pair placed
/// where the added file was; the deletions they consumed disappear.
fn pair_renames(pairs: Vec<FilePair>) -> Vec<FilePair> {
    let deleted: Vec<usize> = (0..pairs.len())
        .filter(|&i| pairs[i].new.is_none())
        .collect();
    let added: Vec<usize> = (0..pairs.len())
        .filter(|&i| pairs[i].old.is_none())
        .collect();
    if deleted.is_empty() || added.is_empty() {
        return pairs;
    }
    let sources: Vec<Side> = deleted.iter().map(|&i| side(&pairs[i].old)).collect();
    let destinations: Vec<Side> = added.iter().map(|&i| side(&pairs[i].new)).collect();
    let renames: Vec<Rename> = find_renames(&sources, &destinations);
    drop((sources, destinations));
    if renames.is_empty() {
        return pairs;
    }
    let mut slots: Vec<Option<FilePair>> = pairs.into_iter().map(Some).collect();
    for rename in &renames {
        let from = deleted[rename.source];
        let to = added[rename.destination];
        let old = slots[from].take().and_then(|p| p.old);
        if let Some(pair) = slots[to].as_mut() {
            pair.old = old;
            pair.rename = Some(rename.similarity());
        }
    }
    slots.into_iter().flatten().collect()
}

fn side(file: &Option<FileSide>) -> Side<'_> {
    let file = file.as_ref().expect("present");
    Side {
        path: file.path.as_str(),
        oid: file.oid,
        mode: file.mode,
        data: &file.data,
    }
}

/// git's quote_c_style() with core.quotePath on: names with control characters, quotes,
/// backslashes or bytes above 0x7e are quoted, with C escapes.
fn quote_path(name: &str) -> String {
    let needs = name
        .bytes()
        .any(|b| b < 0x20 || b == b'"' || b == b'\\' || b >= 0x7f);
    if !needs {
        return name.to_string();
    }
    let mut out = String::from("\"");
    for b in name.bytes() {
        match b {
            b'\x07' => out.push_str("\\a"),
            b'\x08' => out.push_str("\\b"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\x0b' => out.push_str("\\v"),
            b'\x0c' => out.push_str("\\f"),
            b'\r' => out.push_str("\\r"),
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b if !(0x20..0x7f).contains(&b) => out.push_str(&format!("\\{b:03o}")),
            b => out.push(char::from(b)),
        }
    }
    out.push('"');
    out
}

/// An abbreviated blob id as git prints it in an `index` line.
fn abbreviate(repo: &Repository, oid: Oid, full: bool) -> String {
    let hex = oid.to_string();
    if full {
        return hex;
    }
    if oid.is_zero() {
        return hex[..7].to_string();
    }
    repo.find_object(oid, None)
        .and_then(|o| o.short_id())
        .ok()
        .and_then(|buf| buf.as_str().map(String::from))
        .unwrap_or_else(|| hex[..7].to_string())
}

/// One `diff --git` section. Mirrors builtin_diff() and fill_metainfo() in git's diff.c.
fn write_pair(
    repo: &Repository,
    pair: &FilePair,
    flavour: DiffFlavour,
    out: &mut Vec<u8>,
) -> Result<(), git2::Error> {
    let empty = FileSide {
        path: String::new(),
        oid: Oid::zero(),
        mode: 0,
        data: Vec::new(),
    };
    let old = pair.old.as_ref().unwrap_or(&empty);
    let new = pair.new.as_ref().unwrap_or(&empty);
    let name_a = pair.old.as_ref().unwrap_or(new).path.as_str();
    let name_b = pair.new.as_ref().unwrap_or(old).path.as_str();
    let a = quote_path(&format!("a/{name_a}"));
    let b = quote_path(&format!("b/{name_b}"));
    let label_a = if pair.old.is_some() {
        a.as_str()
    } else {
        "/dev/null"
    };
    let label_b = if pair.new.is_some() {
        b.as_str()
    } else {
        "/dev/null"
    };
    let mut text = format!("diff --git {a} {b}\n");
    if pair.old.is_none() {
        text += &format!("new file mode {:06o}\n", new.mode);
    } else if pair.new.is_none() {
        text += &format!("deleted file mode {:06o}\n", old.mode);
    } else if old.mode != new.mode {
        text += &format!("old mode {:06o}\nnew mode {:06o}\n", old.mode, new.mode);
    }
    if let Some(similarity) = pair.rename {
        text += &format!(
            "similarity index {similarity}%\nrename from {}\nrename to {}\n",
            quote_path(name_a),
            quote_path(name_b)
        );
    }
    let binary = is_binary(&old.data) || is_binary(&new.data);
    if old.oid != new.oid {
        let full = flavour == DiffFlavour::Mail && binary;
        text += &format!(
            "index {}..{}",
            abbreviate(repo, old.oid, full),
            abbreviate(repo, new.oid, full)
        );
        if old.mode == new.mode {
            text += &format!(" {:06o}", old.mode);
        }
        text.push('\n');
    }
    out.extend_from_slice(text.as_bytes());
    // Nothing to show, or no diff between a file and a symlink (git shows neither).
    let both = pair.old.is_some() && pair.new.is_some();
    if old.data == new.data || (both && (old.mode ^ new.mode) & 0o170000 != 0) {
        return Ok(());
    }
    if binary {
        let line = match flavour {
            DiffFlavour::Show => format!("Binary files {label_a} and {label_b} differ\n"),
            DiffFlavour::Mail => "GIT binary patch\n".to_string(),
        };
        out.extend_from_slice(line.as_bytes());
        return Ok(());
    }
    let mut options = DiffOptions::new();
    options
        .context_lines(3)
        .interhunk_lines(0)
        .indent_heuristic(true)
        .force_text(true);
    let patch = git2::Patch::from_buffers(
        &old.data,
        Some(Path::new(name_a)),
        &new.data,
        Some(Path::new(name_b)),
        Some(&mut options),
    )?;
    if patch.num_hunks() == 0 {
        return Ok(());
    }
    // A name with a space gets a tab after it, so that tools can tell where it ends.
    let tab = |name: &str| if name.contains(' ') { "\t" } else { "" };
    let header = format!(
        "--- {label_a}{}\n+++ {label_b}{}\n",
        if pair.old.is_some() { tab(name_a) } else { "" },
        if pair.new.is_some() { tab(name_b) } else { "" }
    );
    out.extend_from_slice(header.as_bytes());
    for h in 0..patch.num_hunks() {
        let (hunk, lines) = patch.hunk(h)?;
        out.extend_from_slice(hunk.header());
        for l in 0..lines {
            let line = patch.line_in_hunk(h, l)?;
            let origin = line.origin();
            if !matches!(origin, '+' | '-' | ' ') {
                continue;
            }
            out.push(origin as u8);
            out.extend_from_slice(line.content());
            if !line.content().ends_with(b"\n") {
                out.extend_from_slice(b"\n\\ No newline at end of file\n");
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_quoted_as_git_quotes_them() {
        assert_eq!(quote_path("a/plain name.c"), "a/plain name.c");
        assert_eq!(quote_path("a/tab\there"), "\"a/tab\\there\"");
        assert_eq!(quote_path("a/Müller"), "\"a/M\\303\\274ller\"");
    }
}
