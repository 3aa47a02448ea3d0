//! The series of a branch that `b4 prep` manages, found where b4 keeps it: with b4's
//! default cover strategy (`commit`) the cover letter is an empty commit opening the
//! series, its message ending in b4's tracking data, and the series' base is its parent;
//! with `tip-commit` the cover letter is the branch's last commit, and with
//! `branch-description` the tracking data is in `branch.<name>.b4-tracking`; both name a
//! base branch the series forked from. Reads only.

use git2::{Oid, Repository};

/// The line b4 puts between the cover letter and its tracking data.
const MAGIC_MARKER: &str = "--- b4-submit-tracking ---";
/// How far back along the branch a cover letter commit is looked for.
const MAX_SERIES: usize = 1000;

/// The commits of a b4-prepared series: the patches are `from..to` (the cover letter left
/// out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrepRange {
    pub from: Oid,
    pub to: Oid,
}

/// The series of the checked-out branch when `b4 prep` manages it, else `None`.
pub fn b4_prep_range(repo: &Repository) -> Option<PrepRange> {
    let head = repo.head().ok()?;
    let branch = head.shorthand()?.to_string();
    let tip = head.peel_to_commit().ok()?;
    let config = repo.config().ok()?;
    let strategy = config
        .get_string(&format!("branch.{branch}.b4-prep-cover-strategy"))
        .or_else(|_| config.get_string("b4.prep-cover-strategy"))
        .unwrap_or_else(|_| "commit".to_string());
    let fork_point = |tracking: &str| -> Option<Oid> {
        let json: serde_json::Value = serde_json::from_str(tracking).ok()?;
        let base_branch = json.get("series")?.get("base-branch")?.as_str()?;
        let base = repo
            .revparse_single(base_branch)
            .ok()?
            .peel_to_commit()
            .ok()?;
        repo.merge_base(base.id(), tip.id()).ok()
    };
    match strategy.as_str() {
        "commit" => {
            // The newest commit along the first parents carrying the marker.
            let mut commit = tip.clone();
            for _ in 0..MAX_SERIES {
                if commit.message_raw()?.contains(MAGIC_MARKER) {
                    return Some(PrepRange {
                        from: commit.id(),
                        to: tip.id(),
                    });
                }
                commit = commit.parent(0).ok()?;
            }
            None
        }
        "tip-commit" => {
            let message = tip.message_raw()?;
            let (_, tracking) = message.split_once(MAGIC_MARKER)?;
            let from = fork_point(&tracking[tracking.find('{')?..])?;
            Some(PrepRange {
                from,
                to: tip.parent_id(0).ok()?,
            })
        }
        "branch-description" => {
            let tracking = config
                .get_string(&format!("branch.{branch}.b4-tracking"))
                .ok()?;
            Some(PrepRange {
                from: fork_point(&tracking)?,
                to: tip.id(),
            })
        }
        _ => None,
    }
}
