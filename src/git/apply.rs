//! A posted series made into commits without touching the repository: each patch is
//! applied on the tree of the commit before it, in memory (no work tree, no index file),
//! exactly (no fuzz, as `git am` without `-3`), and the trees and commits go to a temporary
//! object store that borrows the repository's objects through `objects/info/alternates`.
//! The repository gains no object, ref or file; the store goes away with its [`Scratch`].

use std::path::PathBuf;

use git2::{Oid, Repository, RepositoryInitOptions, Signature, Time};

use super::{Series, SeriesCommit};
use crate::scratch::Scratch;

/// One patch as `git mailinfo` splits it.
#[derive(Debug, Clone)]
pub struct PatchToApply {
    /// How messages name it: `patch 2/5 (<message-id>)`.
    pub label: String,
    pub author_name: String,
    pub author_email: String,
    /// The mail's Date header (RFC 2822); the commit time when it parses.
    pub date: String,
    pub subject: String,
    pub message: String,
    pub patch: String,
}

impl PatchToApply {
    /// The patch of a posted series, as `git am` would commit it.
    pub fn from_posted(p: &crate::mail::PostedPatch) -> PatchToApply {
        let who = if p.mail.message_id.is_empty() {
            format!("\"{}\"", p.mail.subject)
        } else {
            format!("<{}>", p.mail.message_id)
        };
        PatchToApply {
            label: format!("patch {}/{} ({who})", p.number, p.total),
            author_name: p.info.author_name.clone(),
            author_email: p.info.author_email.clone(),
            date: p.info.date.clone(),
            subject: p.info.subject.clone(),
            message: p.info.message.clone(),
            patch: p.info.patch.clone(),
        }
    }
}

/// The commits made from a posted series, in a store alive as long as this value.
pub struct AppliedSeries {
    pub store: Scratch,
    /// The store's git directory: open it to read the series (and the base) from.
    pub git_dir: PathBuf,
    pub series: Series,
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("{label}: not a patch git can read: {message}")]
    BadPatch { label: String, message: String },
    #[error("{label} does not apply to {onto}: {message}")]
    DoesNotApply {
        label: String,
        onto: String,
        message: String,
    },
    #[error("the temporary object store: {0}")]
    Store(String),
}

/// Apply `patches` in order on `base` of `repo`.
pub fn apply_series(
    repo: &Repository,
    base: Oid,
    patches: &[PatchToApply],
) -> Result<AppliedSeries, ApplyError> {
    let store_err = |e: &dyn std::fmt::Display| ApplyError::Store(e.to_string());
    let store = Scratch::new("mbox").map_err(|e| store_err(&e))?;
    let git_dir = store.path().join("store.git");
    let temp = borrowing_store(repo, &git_dir)?;

    let mut parent = temp.find_commit(base).map_err(|e| store_err(&e))?;
    let mut commits = Vec::new();
    for patch in patches {
        let diff =
            git2::Diff::from_buffer(patch.patch.as_bytes()).map_err(|e| ApplyError::BadPatch {
                label: patch.label.clone(),
                message: e.message().to_string(),
            })?;
        let tree = parent.tree().map_err(|e| store_err(&e))?;
        let mut index =
            temp.apply_to_tree(&tree, &diff, None)
                .map_err(|e| ApplyError::DoesNotApply {
                    label: patch.label.clone(),
                    onto: parent.id().to_string()[..12].to_string(),
                    message: e.message().to_string(),
                })?;
        let tree_id = index.write_tree_to(&temp).map_err(|e| store_err(&e))?;
        let tree = temp.find_tree(tree_id).map_err(|e| store_err(&e))?;
        let time = mail_time(&patch.date).unwrap_or_else(|| Time::new(0, 0));
        let name = nonempty(&patch.author_name, &patch.author_email);
        let email = nonempty(&patch.author_email, "unknown");
        let who = Signature::new(name, email, &time)
            .or_else(|_| Signature::new("unknown", "unknown", &time))
            .map_err(|e| store_err(&e))?;
        let message = commit_message(&patch.subject, &patch.message);
        let oid = temp
            .commit(None, &who, &who, &message, &tree, &[&parent])
            .map_err(|e| store_err(&e))?;
        commits.push(SeriesCommit {
            oid,
            summary: patch.subject.clone(),
            is_merge: false,
        });
        parent = temp.find_commit(oid).map_err(|e| store_err(&e))?;
    }
    Ok(AppliedSeries {
        store,
        git_dir,
        series: Series { base, commits },
    })
}

fn nonempty<'a>(text: &'a str, otherwise: &'a str) -> &'a str {
    if text.trim().is_empty() {
        otherwise
    } else {
        text
    }
}

/// The message `git am` writes: the subject, a blank line, the body.
fn commit_message(subject: &str, body: &str) -> String {
    let body = body.trim_matches('\n');
    if body.is_empty() {
        format!("{subject}\n")
    } else {
        format!("{subject}\n\n{body}\n")
    }
}

/// An RFC 2822 date (`Tue, 1 Dec 2026 18:04:55 +0100`) as git's time.
pub fn mail_time(date: &str) -> Option<Time> {
    let date = date.split_once(',').map_or(date, |(_, rest)| rest);
    let words: Vec<&str> = date.split_whitespace().collect();
    let [day, month, year, clock, zone, ..] = words[..] else {
        return None;
    };
    let day: i64 = day.parse().ok()?;
    let month = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    .iter()
    .position(|m| month.len() >= 3 && month[..3].eq_ignore_ascii_case(m))? as i64
        + 1;
    let year: i64 = year.parse().ok()?;
    let mut clock = clock.split(':').map(|p| p.parse::<i64>().ok());
    let (hour, minute) = (clock.next()??, clock.next()??);
    let second = clock.next().flatten().unwrap_or(0);
    let offset = match zone.as_bytes() {
        [sign @ (b'+' | b'-'), digits @ ..] if digits.len() == 4 => {
            let n: i64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
            let minutes = n / 100 * 60 + n % 100;
            if *sign == b'-' {
                -minutes
            } else {
                minutes
            }
        }
        _ => 0,
    };
    let valid = (1..=31).contains(&day)
        && (1970..=9999).contains(&year)
        && hour < 24
        && minute < 60
        && second < 61;
    if !valid {
        return None;
    }
    let local = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    Some(Time::new(local - offset * 60, offset as i32))
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The blobs a patch expects before it applies: (path, abbreviated blob id) of each
/// `diff --git` with an `index <old>..<new>` line, new files left out.
pub fn preimage_blobs(patch: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut path: Option<String> = None;
    for line in patch.lines() {
        if let Some(rest) = line.strip_prefix("diff --git ") {
            // `a/<path> b/<path>`; quoted names (special characters) are not followed.
            path = rest
                .strip_prefix("a/")
                .and_then(|r| r.rsplit_once(" b/"))
                .map(|(a, _)| a.to_string())
                .filter(|_| !rest.starts_with('"'));
        } else if let (Some(rest), Some(p)) = (line.strip_prefix("index "), path.take()) {
            let old = rest.split("..").next().unwrap_or("");
            let valid = old.len() >= 4 && old.bytes().all(|b| b.is_ascii_hexdigit());
            if valid && old.bytes().any(|b| b != b'0') {
                out.push((p, old.to_ascii_lowercase()));
            }
        }
    }
    out
}

/// The newest commit among the first `depth` commits reachable from `tips` (newest first)
/// whose tree has every blob of `blobs` at its path: where a series with those `index`
/// lines was made. Each path counts with the first blob the series names for it.
pub fn guess_base(
    repo: &Repository,
    tips: &[Oid],
    depth: usize,
    blobs: &[(String, String)],
) -> Option<Oid> {
    let mut wanted: Vec<(&str, &str)> = Vec::new();
    for (path, blob) in blobs {
        if !wanted.iter().any(|(p, _)| p == path) {
            wanted.push((path, blob));
        }
    }
    if wanted.is_empty() {
        return None;
    }
    let mut walk = repo.revwalk().ok()?;
    walk.set_sorting(git2::Sort::TIME).ok()?;
    for tip in tips {
        walk.push(*tip).ok()?;
    }
    for oid in walk.take(depth).flatten() {
        let Ok(tree) = repo.find_commit(oid).and_then(|c| c.tree()) else {
            continue;
        };
        let matches = wanted.iter().all(|(path, blob)| {
            tree.get_path(std::path::Path::new(path))
                .is_ok_and(|e| e.id().to_string().starts_with(blob))
        });
        if matches {
            return Some(oid);
        }
    }
    None
}

/// One commit of a rewritten series: a commit of the repository replayed on the commits
/// before it, or two commits folded into one (the first's message kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Pick(Oid),
    Squash(Oid, Oid),
}

/// The series `steps` makes on `base`, each commit's change (against its first parent)
/// cherry-picked in memory in the new order, written to a temporary object store as
/// [`apply_series`] does. `None` when a change conflicts where it is moved.
pub fn rewrite_series(
    repo: &Repository,
    base: Oid,
    steps: &[Step],
) -> Result<Option<AppliedSeries>, ApplyError> {
    let store_err = |e: &dyn std::fmt::Display| ApplyError::Store(e.to_string());
    let store = Scratch::new("rewrite").map_err(|e| store_err(&e))?;
    let git_dir = store.path().join("store.git");
    let temp = borrowing_store(repo, &git_dir)?;
    let mut parent = temp.find_commit(base).map_err(|e| store_err(&e))?;
    let mut commits = Vec::new();
    for step in steps {
        let picks: &[Oid] = match step {
            Step::Pick(a) => &[*a][..],
            Step::Squash(a, b) => &[*a, *b][..],
        };
        // Each change replayed as git cherry-pick does (a three-way merge against the
        // commit's parent, in memory); a conflict means the rewrite does not apply.
        let mut tree = parent.tree().map_err(|e| store_err(&e))?;
        let mut onto = parent.clone();
        for oid in picks {
            let commit = temp.find_commit(*oid).map_err(|e| store_err(&e))?;
            let onto_tree = onto.tree().map_err(|e| store_err(&e))?;
            let id =
                match pick_along_paths(&temp, &commit, &onto_tree).map_err(|e| store_err(&e))? {
                    Some(id) => id,
                    None => {
                        let Ok(mut index) = temp.cherrypick_commit(&commit, &onto, 0, None) else {
                            return Ok(None);
                        };
                        if index.has_conflicts() {
                            return Ok(None);
                        }
                        index.write_tree_to(&temp).map_err(|e| store_err(&e))?
                    }
                };
            tree = temp.find_tree(id).map_err(|e| store_err(&e))?;
            if *oid != picks[picks.len() - 1] {
                // The second change of a squash merges onto this state.
                let sig = commit.author();
                let step = temp
                    .commit(None, &sig, &sig, "", &tree, &[&onto])
                    .map_err(|e| store_err(&e))?;
                onto = temp.find_commit(step).map_err(|e| store_err(&e))?;
            }
        }
        let first = temp.find_commit(picks[0]).map_err(|e| store_err(&e))?;
        let oid = temp
            .commit(
                None,
                &first.author(),
                &first.committer(),
                first.message().unwrap_or(""),
                &tree,
                &[&parent],
            )
            .map_err(|e| store_err(&e))?;
        commits.push(SeriesCommit {
            oid,
            summary: first.summary().unwrap_or("").to_string(),
            is_merge: false,
        });
        parent = temp.find_commit(oid).map_err(|e| store_err(&e))?;
    }
    Ok(Some(AppliedSeries {
        store,
        git_dir,
        series: Series { base, commits },
    }))
}

/// A bare repository at `git_dir` whose object database borrows `repo`'s.
/// The cherry-pick of `commit` onto `onto`, made along the paths the commit changes: a
/// path `onto` has as the commit's parent had it takes the commit's side (the three-way
/// merge would), and a file both sides modified is merged by itself, as the merge of the
/// trees merges it (the same file merge, default options). Only the trees along those
/// paths are written: a merge through an index writes, and checks, every tree of the
/// kernel again. `None` when that is not enough to be sure of the merge's answer (a file
/// added, deleted or renamed where `onto` differs, a mode change, a link, a submodule, a
/// conflict): the caller merges the trees.
fn pick_along_paths(
    repo: &Repository,
    commit: &git2::Commit,
    onto: &git2::Tree,
) -> Result<Option<Oid>, git2::Error> {
    let Ok(parent) = commit.parent(0) else {
        return Ok(None);
    };
    let (before, after) = (parent.tree()?, commit.tree()?);
    let diff = repo.diff_tree_to_tree(Some(&before), Some(&after), None)?;
    let entry =
        |tree: &git2::Tree, path: &std::path::Path| -> Result<Option<(Oid, i32)>, git2::Error> {
            match tree.get_path(path) {
                Ok(e) => Ok(Some((e.id(), e.filemode()))),
                Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
                Err(e) => Err(e),
            }
        };
    let mut update = git2::build::TreeUpdateBuilder::new();
    for delta in diff.deltas() {
        let (Some(old), Some(new)) = (delta.old_file().path(), delta.new_file().path()) else {
            return Ok(None);
        };
        let (base, ours) = (entry(&before, old)?, entry(onto, old)?);
        if ours != base || (new != old && entry(onto, new)? != entry(&before, new)?) {
            // Both sides changed the file: merged by itself, when it is a regular file both
            // sides modified in place.
            let (Some(base), Some(ours), Some(theirs)) = (base, ours, entry(&after, new)?) else {
                return Ok(None);
            };
            let mode = match ours.1 {
                0o100644 => git2::FileMode::Blob,
                0o100755 => git2::FileMode::BlobExecutable,
                _ => return Ok(None),
            };
            if delta.status() != git2::Delta::Modified
                || new != old
                || base.1 != ours.1
                || theirs.1 != ours.1
            {
                return Ok(None);
            }
            let side = |(id, mode): (Oid, i32)| git2::IndexEntry {
                ctime: git2::IndexTime::new(0, 0),
                mtime: git2::IndexTime::new(0, 0),
                dev: 0,
                ino: 0,
                mode: mode as u32,
                uid: 0,
                gid: 0,
                file_size: 0,
                id,
                flags: 0,
                flags_extended: 0,
                path: old.to_string_lossy().into_owned().into_bytes(),
            };
            let merged =
                repo.merge_file_from_index(&side(base), &side(ours), &side(theirs), None)?;
            if !merged.is_automergeable() {
                return Ok(None);
            }
            update.upsert(old, repo.blob(merged.content())?, mode);
            continue;
        }
        if entry(&after, old)?.is_none() {
            update.remove(old);
        }
        if let Some((id, mode)) = entry(&after, new)? {
            let mode = match mode {
                0o100755 => git2::FileMode::BlobExecutable,
                0o120000 => git2::FileMode::Link,
                0o160000 => git2::FileMode::Commit,
                0o100644 => git2::FileMode::Blob,
                _ => return Ok(None),
            };
            update.upsert(new, id, mode);
        }
    }
    update.create_updated(repo, onto).map(Some)
}

fn borrowing_store(repo: &Repository, git_dir: &std::path::Path) -> Result<Repository, ApplyError> {
    let store_err = |e: &dyn std::fmt::Display| ApplyError::Store(e.to_string());
    let mut init = RepositoryInitOptions::new();
    // The scratch directory holds it: never made again once a signal removed it.
    init.bare(true).mkpath(false);
    Repository::init_opts(git_dir, &init).map_err(|e| store_err(&e))?;
    let objects = repo.commondir().join("objects");
    let objects = objects.canonicalize().unwrap_or(objects);
    std::fs::write(
        git_dir.join("objects/info/alternates"),
        format!("{}\n", objects.display()),
    )
    .map_err(|e| store_err(&e))?;
    // Opened after the alternates exist, so that its object database includes them.
    Repository::open_bare(git_dir).map_err(|e| store_err(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `git` in `dir`, its output trimmed.
    fn git(dir: &std::path::Path, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .current_dir(dir)
            .args(["-c", "user.name=T", "-c", "user.email=t@example.org"])
            .args([
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// A repository whose two commits change lines `first` and `second` of one file of
    /// twenty lines, beside a directory of others: (repository, base, commits).
    fn two_edits(first: usize, second: usize) -> (tempfile::TempDir, [Oid; 3]) {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        git(d, &["init", "-q"]);
        // Line i as the commits named in `edits` leave it, the last one winning.
        let lines = |edits: &[(usize, &str)]| -> String {
            (0..20)
                .map(|i| match edits.iter().rev().find(|(line, _)| *line == i) {
                    Some((_, by)) => format!("line {i} as {by} left it\n"),
                    None => format!("line {i}\n"),
                })
                .collect()
        };
        std::fs::create_dir_all(d.join("drivers/xen")).expect("mkdir");
        for i in 0..5 {
            std::fs::write(d.join(format!("drivers/xen/f{i}.c")), "int x;\n").expect("write");
        }
        std::fs::write(d.join("Kconfig"), lines(&[])).expect("write");
        git(d, &["add", "-A"]);
        git(d, &["commit", "-qm", "base"]);
        std::fs::write(d.join("Kconfig"), lines(&[(first, "first")])).expect("write");
        git(d, &["commit", "-qam", "first"]);
        let both = [(first, "first"), (second, "second")];
        std::fs::write(d.join("Kconfig"), lines(&both)).expect("write");
        git(d, &["commit", "-qam", "second"]);
        let oid = |rev: &str| Oid::from_str(&git(d, &["rev-parse", rev])).expect("oid");
        let oids = [oid("HEAD~2"), oid("HEAD~1"), oid("HEAD")];
        (dir, oids)
    }

    #[test]
    fn a_file_both_sides_changed_is_merged_by_itself_as_git_cherry_pick_merges_it() {
        let (dir, [base, first, second]) = two_edits(2, 15);
        let repo = Repository::open(dir.path()).expect("open");
        // Taken alone, the second change meets a file the first one changed.
        let onto = repo.find_commit(base).expect("base").tree().expect("tree");
        let picked = pick_along_paths(&repo, &repo.find_commit(second).expect("c"), &onto);
        assert!(picked.expect("picks").is_some(), "merged along its paths");
        let rewritten = rewrite_series(&repo, base, &[Step::Pick(second), Step::Pick(first)])
            .expect("rewrites")
            .expect("applies");
        let store = Repository::open_bare(&rewritten.git_dir).expect("store");
        let ours: Vec<String> = (rewritten.series.commits.iter())
            .map(|c| {
                store
                    .find_commit(c.oid)
                    .expect("commit")
                    .tree_id()
                    .to_string()
            })
            .collect();
        // What git makes of the same reordering.
        let d = dir.path();
        git(d, &["checkout", "-q", "-b", "reordered", &base.to_string()]);
        git(d, &["cherry-pick", &second.to_string()]);
        let theirs_first = git(d, &["rev-parse", "HEAD^{tree}"]);
        git(d, &["cherry-pick", &first.to_string()]);
        assert_eq!(ours, [theirs_first, git(d, &["rev-parse", "HEAD^{tree}"])]);
    }

    #[test]
    fn a_conflict_where_the_change_moves_leaves_the_rewrite_undone() {
        // Both commits change line 4: the second cannot come first.
        let (dir, [base, first, second]) = two_edits(4, 4);
        let repo = Repository::open(dir.path()).expect("open");
        let onto = repo.find_commit(base).expect("base").tree().expect("tree");
        let picked = pick_along_paths(&repo, &repo.find_commit(second).expect("c"), &onto);
        assert!(picked.expect("picks").is_none(), "left to the tree merge");
        let rewritten = rewrite_series(&repo, base, &[Step::Pick(second), Step::Pick(first)]);
        assert!(rewritten.expect("runs").is_none());
    }

    #[test]
    fn mail_dates_become_git_times() {
        let t = mail_time("Tue, 1 Dec 2026 18:04:55 +0100").expect("parses");
        assert_eq!(t.seconds(), 1_796_144_695);
        assert_eq!(t.offset_minutes(), 60);
        let t = mail_time("Thu, 1 Jan 1970 00:00:00 -0130").expect("parses");
        assert_eq!(t.seconds(), 90 * 60);
        assert_eq!(t.offset_minutes(), -90);
        assert!(mail_time("yesterday").is_none());
        assert!(mail_time("Tue, 99 Dec 2026 18:04:55 +0100").is_none());
    }
}
