//! The series a maintainer would apply from an mbox, chosen as `b4 am` does: the newest
//! revision (vN), its cover letter (0/M), its patches 1..=M in order; replies, messages
//! without a diff and older revisions left out with a note each.

use std::collections::{BTreeMap, HashSet};

use super::{mailinfo, Mail, MailError, PostedPatch, PostedSeries};

/// What the bracketed prefix of a subject says: "[RFC PATCH net-next v2 3/7]".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Prefix {
    number: Option<usize>,
    total: Option<usize>,
    revision: Option<u32>,
}

/// The tokens of the leading bracket groups ("[RFC][PATCH v2 1/3]" is one prefix): i/M
/// and vN anywhere among them, everything else (PATCH, RFC, net-next, 6.1) ignored.
fn parse_prefix(subject: &str) -> Prefix {
    let mut prefix = Prefix::default();
    let mut rest = subject.trim_start();
    while let Some(inside) = rest.strip_prefix('[') {
        let Some(close) = inside.find(']') else {
            break;
        };
        for token in inside[..close].split(|c: char| c.is_whitespace() || c == ',') {
            let lower = token.to_ascii_lowercase();
            let version = lower.strip_prefix("patch").unwrap_or(&lower);
            if let Some((number, total)) = token.split_once('/') {
                // "0/0" is no count: M is at least 1.
                let total = small_number(total).filter(|&total| total > 0);
                if let (Some(number), Some(total)) = (small_number(number), total) {
                    prefix.number = Some(number);
                    prefix.total = Some(total);
                }
            } else if let Some(digits) = version.strip_prefix('v') {
                if let Some(revision) = small_number(digits).and_then(|n| u32::try_from(n).ok()) {
                    prefix.revision = Some(revision);
                }
            }
        }
        rest = inside[close + 1..].trim_start();
    }
    prefix
}

/// A decimal number of at most 6 digits ("007" is 7).
fn small_number(text: &str) -> Option<usize> {
    if text.is_empty() || text.len() > 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn is_reply(subject: &str) -> bool {
    subject
        .trim_start()
        .get(..3)
        .is_some_and(|head| head.eq_ignore_ascii_case("re:"))
}

/// A patch mailinfo found that changes files: a git or plain diff, not just a "---".
fn has_diff(patch: &str) -> bool {
    let mut previous = "";
    for line in patch.lines() {
        if line.starts_with("diff -")
            || line.starts_with("Index: ")
            || (previous.starts_with("--- ") && line.starts_with("+++ "))
        {
            return true;
        }
        previous = line;
    }
    false
}

/// How a note names a message: its subject and Message-ID, and its mbox line.
fn describe(mail: &Mail) -> String {
    let subject: String = mail.subject.chars().take(160).collect();
    let id: String = mail.message_id.chars().take(160).collect();
    if id.is_empty() {
        format!("`{subject}` (mbox line {})", mail.line)
    } else {
        format!("`{subject}` <{id}> (mbox line {})", mail.line)
    }
}

/// The value of the first `key` line ("base-commit: 1234abcd") in `body`, if it is a hex
/// object name.
fn trailer_values(body: &str, key: &str) -> Vec<String> {
    body.lines()
        .filter_map(|line| line.strip_prefix(key))
        .filter_map(|value| value.split_whitespace().next())
        .filter(|value| {
            (7..=64).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_hexdigit())
        })
        .map(str::to_ascii_lowercase)
        .collect()
}

/// The series an mbox posts. Errors when there is no patch, when the newest revision
/// lacks one of 1..=M, has two different messages for one number, or disagrees on M.
pub fn posted_series(mails: Vec<Mail>) -> Result<PostedSeries, MailError> {
    let messages = mails.len();
    let mut skipped = Vec::new();
    let mut covers: Vec<(Mail, Prefix)> = Vec::new();
    let mut candidates: Vec<PostedPatch> = Vec::new();
    for mail in mails {
        if is_reply(&mail.subject) {
            skipped.push(format!("{}: a reply", describe(&mail)));
            continue;
        }
        let prefix = parse_prefix(&mail.subject);
        if prefix.number == Some(0) {
            covers.push((mail, prefix));
            continue;
        }
        let info = mailinfo(&mail);
        if !has_diff(&info.patch) {
            skipped.push(format!("{}: no diff", describe(&mail)));
            continue;
        }
        candidates.push(PostedPatch {
            number: prefix.number.unwrap_or(1),
            total: prefix.total.unwrap_or(1),
            revision: prefix.revision.unwrap_or(1),
            info,
            mail,
        });
    }
    if candidates.is_empty() {
        return Err(MailError::NoPatch { messages });
    }
    let revision = candidates
        .iter()
        .map(|patch| patch.revision)
        .chain(
            covers
                .iter()
                .map(|(_, prefix)| prefix.revision.unwrap_or(1)),
        )
        .max()
        .expect("there is a candidate");

    let mut cover: Option<Mail> = None;
    for (mail, prefix) in covers {
        let cover_revision = prefix.revision.unwrap_or(1);
        if cover_revision != revision {
            skipped.push(format!(
                "{}: cover letter of v{cover_revision}, older than v{revision}",
                describe(&mail)
            ));
        } else if let Some(first) = &cover {
            skipped.push(format!(
                "{}: a second cover letter of v{revision} (the first is at mbox line {})",
                describe(&mail),
                first.line
            ));
        } else {
            cover = Some(mail);
        }
    }

    let (newest, older): (Vec<PostedPatch>, Vec<PostedPatch>) = candidates
        .into_iter()
        .partition(|patch| patch.revision == revision);
    let mut by_number: BTreeMap<usize, PostedPatch> = BTreeMap::new();
    for patch in newest {
        if let Some(first) = by_number.get(&patch.number) {
            let same_message = (!patch.mail.message_id.is_empty()
                && patch.mail.message_id == first.mail.message_id)
                || (patch.mail.subject == first.mail.subject && patch.info == first.info);
            if same_message {
                skipped.push(format!(
                    "{}: a copy of the message at mbox line {}",
                    describe(&patch.mail),
                    first.mail.line
                ));
                continue;
            }
            return Err(MailError::DuplicatePatch {
                line: patch.mail.line,
                first_line: first.mail.line,
                revision,
                number: patch.number,
                total: patch.total,
            });
        }
        by_number.insert(patch.number, patch);
    }

    // M comes from the cover letter, else from the first patch posted.
    let (expected, expected_line) = match (&cover, by_number.values().min_by_key(|p| p.mail.line)) {
        (Some(cover), _) => (parse_prefix(&cover.subject).total.unwrap_or(0), cover.line),
        (None, Some(first)) => (first.total, first.mail.line),
        (None, None) => (0, 0),
    };
    for patch in by_number.values() {
        if patch.total != expected || patch.number > expected {
            return Err(MailError::InconsistentTotal {
                line: patch.mail.line,
                subject: patch.mail.subject.chars().take(160).collect(),
                revision,
                number: patch.number,
                total: patch.total,
                expected,
                expected_line,
            });
        }
    }
    if by_number.len() < expected {
        backfill(&mut by_number, expected, older, revision, &mut skipped);
    } else {
        for patch in older {
            skipped.push(older_note(&patch, revision));
        }
    }
    if let Some(&number) = (1..=expected).find(|n| !by_number.contains_key(n)).as_ref() {
        // The message stays short whatever M is: the first patches, then a count.
        let mut posted: Vec<String> = by_number
            .keys()
            .take(8)
            .map(|n| format!("{n}/{expected}"))
            .collect();
        if by_number.len() > posted.len() {
            posted.push(format!("{} more", by_number.len() - posted.len()));
        }
        return Err(MailError::MissingPatch {
            line: expected_line,
            revision,
            number,
            total: expected,
            posted: if posted.is_empty() {
                "none".to_string()
            } else {
                posted.join(", ")
            },
        });
    }

    let patches: Vec<PostedPatch> = by_number.into_values().collect();
    if patches.is_empty() {
        return Err(MailError::NoPatch { messages });
    }
    let first_body = patches.first().map_or("", |p| p.mail.body.as_str());
    let cover_body = cover.as_ref().map_or("", |c| c.body.as_str());
    let base_commit = trailer_values(cover_body, "base-commit: ")
        .into_iter()
        .chain(trailer_values(first_body, "base-commit: "))
        .next();
    let mut prerequisite_patch_ids = trailer_values(cover_body, "prerequisite-patch-id: ");
    if prerequisite_patch_ids.is_empty() {
        prerequisite_patch_ids = trailer_values(first_body, "prerequisite-patch-id: ");
    }
    Ok(PostedSeries {
        cover,
        patches,
        revision,
        base_commit,
        prerequisite_patch_ids,
        skipped,
    })
}

fn older_note(patch: &PostedPatch, revision: u32) -> String {
    format!(
        "{}: v{}, older than v{revision}",
        describe(&patch.mail),
        patch.revision
    )
}

/// A partial reroll: "[PATCH v2 2/3]" sent alone in reply to v1's thread re-posts one
/// patch, and b4 takes the others from v1. Done only when every patch of the newest
/// revision answers a message of the older one and the older one has the same M and
/// every missing number; otherwise nothing is filled and the gap is an error.
fn backfill(
    by_number: &mut BTreeMap<usize, PostedPatch>,
    total: usize,
    older: Vec<PostedPatch>,
    revision: u32,
    skipped: &mut Vec<String>,
) {
    // Only the older messages can fill gaps: with more gaps than messages, none is
    // listed (M may be a six-digit number).
    let missing: HashSet<usize> = if total.saturating_sub(by_number.len()) <= older.len() {
        (1..=total).filter(|n| !by_number.contains_key(n)).collect()
    } else {
        HashSet::new()
    };
    let previous = older
        .iter()
        .filter(|p| p.total == total && !missing.is_empty())
        .map(|p| p.revision)
        .max();
    let in_thread = |previous: u32| {
        let ids: HashSet<&str> = older
            .iter()
            .filter(|p| p.revision == previous && !p.mail.message_id.is_empty())
            .map(|p| p.mail.message_id.as_str())
            .collect();
        by_number.values().all(|p| {
            p.mail
                .in_reply_to
                .iter()
                .chain(&p.mail.references)
                .any(|id| ids.contains(id.as_str()))
        })
    };
    let usable = previous.filter(|&previous| {
        let numbers: HashSet<usize> = older
            .iter()
            .filter(|p| p.revision == previous && p.total == total)
            .map(|p| p.number)
            .collect();
        in_thread(previous) && missing.iter().all(|n| numbers.contains(n))
    });
    for patch in older {
        let fills = usable == Some(patch.revision)
            && missing.contains(&patch.number)
            && patch.total == total
            && !by_number.contains_key(&patch.number);
        if fills {
            skipped.push(format!(
                "{}: v{revision} re-posts only some patches; {}/{total} taken from v{}",
                describe(&patch.mail),
                patch.number,
                patch.revision
            ));
            by_number.insert(patch.number, patch);
        } else {
            skipped.push(older_note(&patch, revision));
        }
    }
}
