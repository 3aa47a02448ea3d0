//! posted_series() and split_mbox() on small hand-made mboxes.

use super::{posted_series, split_mbox, MailError, PostedSeries};

const DIFF: &str =
    "---\n a.c | 2 +-\n\ndiff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -1 +1 @@\n-a\n+b\n";

/// One message: subject, Message-ID, In-Reply-To (or ""), body.
fn message(subject: &str, id: &str, reply_to: &str, body: &str) -> String {
    let reply = if reply_to.is_empty() {
        String::new()
    } else {
        format!("In-Reply-To: <{reply_to}>\nReferences: <{reply_to}>\n")
    };
    format!(
        "From xenlint Mon Sep 17 00:00:00 2001\nFrom: A U Thor <author@example.org>\n\
         Subject: {subject}\nMessage-ID: <{id}>\n{reply}Date: Mon, 1 Jan 2024 00:00:00 +0000\n\n\
         {body}"
    )
}

fn patch(subject: &str, id: &str, reply_to: &str) -> String {
    message(
        subject,
        id,
        reply_to,
        &format!("Change.\n\nSigned-off-by: A <a@b.c>\n{DIFF}"),
    )
}

fn read_series(mbox: &str) -> Result<PostedSeries, MailError> {
    posted_series(split_mbox(mbox.as_bytes()).expect("splits"))
}

fn numbers(series: &PostedSeries) -> Vec<(u32, usize, usize)> {
    series
        .patches
        .iter()
        .map(|p| (p.revision, p.number, p.total))
        .collect()
}

#[test]
fn the_newest_revision_is_linted() {
    let mut mbox = String::new();
    for n in 1..=3 {
        mbox += &patch(
            &format!("[PATCH {n}/3] v1 patch {n}"),
            &format!("v1-{n}@x"),
            "",
        );
    }
    for n in 1..=3 {
        mbox += &patch(
            &format!("[PATCH v2 {n}/3] v2 patch {n}"),
            &format!("v2-{n}@x"),
            "",
        );
    }
    let series = read_series(&mbox).expect("a series");
    assert_eq!(series.revision, 2);
    assert_eq!(numbers(&series), [(2, 1, 3), (2, 2, 3), (2, 3, 3)]);
    assert_eq!(series.patches[1].info.subject, "v2 patch 2");
    assert_eq!(series.skipped.len(), 3);
    assert!(series
        .skipped
        .iter()
        .all(|note| note.contains("v1, older than v2")));
    assert!(
        series.skipped[0].contains("<v1-1@x>"),
        "{:?}",
        series.skipped
    );
}

#[test]
fn cover_letter_gives_the_base_commit_and_replies_are_skipped() {
    let cover = message(
        "[PATCH v3 0/2] x86/xen: a series",
        "cover@x",
        "",
        "The series.\n\nbase-commit: 0123456789abcdef0123456789abcdef01234567\n\
         prerequisite-patch-id: 89abcdef0123456789abcdef0123456789abcdef\n-- \n2.47.0\n",
    );
    let mbox = cover
        + &patch("[PATCH v3 2/2] second", "p2@x", "cover@x")
        + &message(
            "Re: [PATCH v3 1/2] first",
            "r1@x",
            "p1@x",
            "> quoted\nLooks good.\n",
        )
        + &patch("[PATCH v3 1/2] first", "p1@x", "cover@x")
        + &message(
            "[PATCH v3 1/2] first",
            "talk@x",
            "p1@x",
            "A comment, no diff.\n",
        );
    let series = read_series(&mbox).expect("a series");
    assert_eq!(numbers(&series), [(3, 1, 2), (3, 2, 2)]);
    assert_eq!(
        series.cover.as_ref().map(|c| c.message_id.as_str()),
        Some("cover@x")
    );
    assert_eq!(
        series.base_commit.as_deref(),
        Some("0123456789abcdef0123456789abcdef01234567")
    );
    assert_eq!(
        series.prerequisite_patch_ids,
        ["89abcdef0123456789abcdef0123456789abcdef"]
    );
    assert_eq!(series.skipped.len(), 2, "{:?}", series.skipped);
    assert!(series.skipped[0].contains("<r1@x>") && series.skipped[0].contains("a reply"));
    assert!(series.skipped[1].contains("<talk@x>") && series.skipped[1].contains("no diff"));
}

#[test]
fn a_missing_patch_is_named() {
    let mbox = patch("[PATCH 1/3] one", "1@x", "") + &patch("[PATCH 3/3] three", "3@x", "");
    let error = read_series(&mbox).expect_err("2/3 is missing");
    assert!(matches!(
        error,
        MailError::MissingPatch {
            number: 2,
            total: 3,
            ..
        }
    ));
    assert_eq!(
        error.to_string(),
        "mbox line 1: v1 of the series has no patch 2/3 (posted: 1/3, 3/3)"
    );
}

#[test]
fn two_messages_for_one_number_and_inconsistent_totals_are_errors() {
    let twice = patch("[PATCH 1/2] one", "1@x", "")
        + &patch("[PATCH 2/2] two", "2@x", "")
        + &patch("[PATCH 2/2] two again", "2b@x", "");
    let error = read_series(&twice).expect_err("two 2/2");
    assert!(matches!(
        error,
        MailError::DuplicatePatch { first_line: 19, .. }
    ));
    assert!(error.to_string().starts_with("mbox line 37: "), "{error}");

    let copy = patch("[PATCH 1/1] one", "1@x", "") + &patch("[PATCH 1/1] one", "1@x", "");
    let series_of_copy = read_series(&copy).expect("a copy is no conflict");
    assert_eq!(series_of_copy.patches.len(), 1);
    assert!(series_of_copy.skipped[0].contains("a copy"));

    let totals = patch("[PATCH 1/2] one", "1@x", "") + &patch("[PATCH 2/3] two", "2@x", "");
    let error = read_series(&totals).expect_err("2 or 3 patches");
    assert!(matches!(
        error,
        MailError::InconsistentTotal {
            expected: 2,
            total: 3,
            ..
        }
    ));
}

#[test]
fn prefixes() {
    let cases = [
        ("[PATCH] lone", (1, 1, 1)),
        ("[PATCH v3] lone", (3, 1, 1)),
        ("[PATCH v3 02/17] x", (3, 2, 17)),
        ("[RFC PATCH v2 1/3] x", (2, 1, 3)),
        ("[PATCH net-next v2 1/3] x", (2, 1, 3)),
        ("[PATCH 6.1 1/3] x", (1, 1, 3)),
        ("[RFC][PATCHv4 1/3] x", (4, 1, 3)),
        ("no brackets", (1, 1, 1)),
    ];
    for (subject, (revision, number, total)) in cases {
        let mut mbox = String::new();
        for n in 1..=total {
            let subject = subject.replacen(&format!("{number}/"), &format!("{n}/"), 1);
            mbox += &patch(&subject, &format!("{n}@x"), "");
        }
        let series = read_series(&mbox).unwrap_or_else(|e| panic!("{subject}: {e}"));
        assert_eq!(series.revision, revision, "{subject}");
        assert_eq!(series.patches.len(), total, "{subject}");
    }
}

#[test]
fn a_partial_reroll_takes_the_rest_from_the_older_revision() {
    let mbox = patch("[PATCH 1/2] one", "1@x", "")
        + &patch("[PATCH 2/2] two", "2@x", "1@x")
        + &patch("[PATCH v2 2/2] two, fixed", "2v2@x", "2@x");
    let series = read_series(&mbox).expect("backfilled");
    assert_eq!(numbers(&series), [(1, 1, 2), (2, 2, 2)]);
    assert!(series
        .skipped
        .iter()
        .any(|n| n.contains("1/2 taken from v1")));
    // Not in the older thread: no backfill, 1/2 is missing.
    let unrelated = patch("[PATCH 1/2] one", "1@x", "")
        + &patch("[PATCH 2/2] two", "2@x", "1@x")
        + &patch("[PATCH v2 2/2] two, fixed", "2v2@x", "");
    assert!(matches!(
        read_series(&unrelated),
        Err(MailError::MissingPatch { number: 1, .. })
    ));
}

#[test]
fn nothing_to_apply() {
    assert!(matches!(
        read_series(""),
        Err(MailError::NoPatch { messages: 0 })
    ));
    let talk = message("Re: [PATCH] x", "r@x", "", "text\n");
    assert!(matches!(
        read_series(&talk),
        Err(MailError::NoPatch { messages: 1 })
    ));
}

#[test]
fn split_lines_ids_and_bare_messages() {
    let mbox = patch("[PATCH 1/2] one", "1@x", "") + &patch("[PATCH 2/2] two", "2@x", "1@x");
    let mails = split_mbox(mbox.as_bytes()).expect("splits");
    assert_eq!(mails.iter().map(|m| m.line).collect::<Vec<_>>(), [1, 19]);
    assert_eq!(mails[1].in_reply_to.as_deref(), Some("1@x"));
    assert_eq!(mails[1].references, ["1@x"]);
    let bare = "\n\nSubject: bare\nMessage-Id: <b@x>\n\nbody\n>From quoted\n";
    let mails = split_mbox(bare.as_bytes()).expect("splits");
    assert_eq!(mails.len(), 1);
    assert_eq!((mails[0].line, mails[0].message_id.as_str()), (1, "b@x"));
    assert_eq!(mails[0].body, "\nbody\nFrom quoted\n");
}

#[test]
fn hostile_shapes_end_quickly_without_panic() {
    let diff = DIFF;
    let cases: Vec<String> = vec![
        format!("Subject: {}", "=?".repeat(4000)),
        format!("Subject: {}", "=?a?q?b?= ".repeat(800)),
        format!("Subject: x\n{}", " y\n".repeat(4000)),
        format!("Subject: x\n\nFrom: a\n{}{diff}", " y\n".repeat(2000)),
        format!("Subject: x\n\n{}{diff}", "-- >8 --\n".repeat(900)),
        "From x@y Thu Jan  1 00:00:00 1970\n".repeat(250),
        format!(
            "Content-Type: multipart/mixed; boundary=a\n\n{}",
            "--a\nContent-Type: multipart/mixed; boundary=a\n\n".repeat(300)
        ),
        (1..200)
            .map(|n| format!("From x@y Thu Jan  1 00:00:00 1970\nSubject: [PATCH {n}/999999] x\n\n{diff}"))
            .collect(),
        "Subject: [PATCH v4294967296 1/1] =?utf-8?b?////?=\nContent-Transfer-Encoding: base64\n\n=\n".into(),
        "Subject: [PATCH]\nContent-Transfer-Encoding: quoted-printable\n\n=\n=4\n=G0\n---".into(),
    ];
    for case in cases {
        let Ok(mails) = split_mbox(case.as_bytes()) else {
            continue;
        };
        for mail in &mails {
            let info = super::mailinfo(mail);
            assert!(info.message.len() + info.patch.len() <= mail.body.len());
        }
        if let Err(error) = posted_series(mails) {
            assert!(error.to_string().len() < 1000, "{error}");
        }
    }
}

#[test]
fn a_cover_letter_of_no_patches_is_no_series() {
    // Found by fuzzing: "[PATCH 0/0]" chose a revision without patches and succeeded.
    let input = include_bytes!("../../tests/fuzz-regressions/mbox-series-without-patch.mbox");
    let mails = split_mbox(input).expect("splits");
    match posted_series(mails) {
        Ok(series) => assert!(!series.patches.is_empty()),
        Err(error) => assert!(matches!(error, MailError::NoPatch { .. }), "{error}"),
    }
    let zero = message("[PATCH v2 0/0] nothing", "c@x", "", "text\n")
        + &patch("[PATCH 1/1] one", "1@x", "");
    let series = read_series(&zero).expect("the patch");
    assert_eq!(numbers(&series), [(1, 1, 1)]);
}
