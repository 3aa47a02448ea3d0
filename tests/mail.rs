//! `xenlint::mail` against git: every message here goes through `git mailsplit -b
//! --mboxrd` and `git mailinfo --scissors` (what `git am --scissors` runs on an mboxrd)
//! and through split_mbox() + mailinfo(); author, email, subject, date, msg and patch must
//! be the same byte for byte. The messages: `git format-patch` output of a small
//! repository built here, and hand-written ones for each encoding mailinfo handles.
//!
//! Deliberate difference, kept out of these messages: mailinfo converts only the commit
//! message to UTF-8 and leaves the patch in the mail's charset; xenlint decodes the whole
//! body, so a patch posted in latin-1 comes out in UTF-8.

use std::path::Path;
use std::process::{Command, Stdio};

use xenlint::mail::{mailinfo, posted_series, split_mbox, MailInfo};

fn git(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("git");
    command
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", dir)
        .env("GIT_COMMITTER_NAME", "Committer")
        .env("GIT_COMMITTER_EMAIL", "committer@example.org")
        .env("GIT_COMMITTER_DATE", "2024-03-01T12:00:00+0100");
    command
}

fn run(mut command: Command) -> Vec<u8> {
    let output = command.output().expect("git runs");
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// What `git mailsplit` + `git mailinfo --scissors` make of every message of `mbox`.
fn git_mailinfo(mbox: &[u8]) -> Vec<MailInfo> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("mbox"), mbox).expect("mbox written");
    std::fs::create_dir(dir.path().join("split")).expect("split directory");
    run(git(
        dir.path(),
        &["mailsplit", "-b", "--mboxrd", "-osplit", "mbox"],
    ));
    let mut files: Vec<_> = std::fs::read_dir(dir.path().join("split"))
        .expect("split directory")
        .map(|entry| entry.expect("an entry").path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|file| {
            let mut command = git(dir.path(), &["mailinfo", "--scissors", "msg", "patch"]);
            command.stdin(Stdio::from(std::fs::File::open(file).expect("a message")));
            let stdout = String::from_utf8(run(command)).expect("UTF-8 info");
            let field = |name: &str| {
                stdout
                    .lines()
                    .find_map(|line| line.strip_prefix(name))
                    .unwrap_or("")
                    .to_string()
            };
            let read = |name: &str| {
                String::from_utf8(std::fs::read(dir.path().join(name)).expect("output"))
                    .expect("UTF-8 output")
            };
            MailInfo {
                author_name: field("Author: "),
                author_email: field("Email: "),
                date: field("Date: "),
                subject: field("Subject: "),
                message: read("msg"),
                patch: read("patch"),
            }
        })
        .collect()
}

/// Compares every message of `mbox`; returns how many there were.
fn same_as_git(name: &str, mbox: &[u8]) -> usize {
    let theirs = git_mailinfo(mbox);
    let mails = split_mbox(mbox).expect("the mbox splits");
    assert_eq!(mails.len(), theirs.len(), "{name}: messages");
    for (index, (mail, theirs)) in mails.iter().zip(&theirs).enumerate() {
        assert_eq!(&mailinfo(mail), theirs, "{name}: message {}", index + 1);
    }
    theirs.len()
}

/// A repository with three commits on a base: non-ASCII authors, a subject long enough
/// to be folded, trailers, a UTF-8 diff.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path();
    run(git(path, &["init", "-q", "-b", "master"]));
    let commit = |author: &str, email: &str, file: &str, text: &str, message: &str| {
        std::fs::write(path.join(file), text).expect("file written");
        run(git(path, &["add", file]));
        let mut command = git(path, &["commit", "-q", "-m", message]);
        command
            .env("GIT_AUTHOR_NAME", author)
            .env("GIT_AUTHOR_EMAIL", email)
            .env("GIT_AUTHOR_DATE", "2024-02-29T10:00:00+0100");
        run(command);
    };
    commit(
        "Base",
        "base@example.org",
        "grant.c",
        "int frames;\n",
        "base",
    );
    commit(
        "Jürgen Groß",
        "jgross@suse.com",
        "grant.c",
        "unsigned int frames;\n",
        "x86/xen: make the grant table frame count unsigned so that the hypercall page setup works on every guest type\n\n\
         The frame count can never be negative.\nFrom here on it is unsigned.\n\n\
         Fixes: 0123456789ab (\"xen: grant table\")\n\
         Reviewed-by: Roger Pau Monné <roger.pau@citrix.com>\n\
         Signed-off-by: Jürgen Groß <jgross@suse.com>",
    );
    commit(
        "Ødegård, Ståle",
        "stale@example.no",
        "README",
        "Größe: überall\n",
        "docs: a README\n\nSigned-off-by: \"Ødegård, Ståle\" <stale@example.no>",
    );
    commit(
        "Plain Author",
        "plain@example.org",
        "grant.c",
        "unsigned int frames;\nint more;\n",
        "xen: one more\n\n-- >8 --\nnot scissors in a commit? it is, for mailinfo\n\nSigned-off-by: Plain Author <plain@example.org>",
    );
    dir
}

#[test]
fn format_patch_output_is_read_as_git_mailinfo_reads_it() {
    let repo = repository();
    let base = String::from_utf8(run(git(
        repo.path(),
        &["rev-list", "--max-parents=0", "HEAD"],
    )))
    .expect("an id");
    let base = base.trim();
    let range = format!("{base}..HEAD");
    let mut total = 0;
    for extra in [
        &["--cover-letter", "--base", base, "-v2"][..],
        &["--from=Sender Name <sender@example.org>", "--rfc"][..],
        &["--thread", "--subject-prefix=PATCH net-next", "-n"][..],
    ] {
        let mut args = vec!["format-patch", "--stdout"];
        args.extend_from_slice(extra);
        args.push(&range);
        let mbox = run(git(repo.path(), &args));
        total += same_as_git(&format!("format-patch {extra:?}"), &mbox);
    }
    assert_eq!(total, 10);
}

#[test]
fn format_patch_series_with_cover_and_base() {
    let repo = repository();
    let base = String::from_utf8(run(git(
        repo.path(),
        &["rev-list", "--max-parents=0", "HEAD"],
    )))
    .expect("an id");
    let base = base.trim();
    let mbox = run(git(
        repo.path(),
        &[
            "format-patch",
            "--stdout",
            "--cover-letter",
            &format!("--base={base}"),
            "-v2",
            &format!("{base}..HEAD"),
        ],
    ));
    let series = posted_series(split_mbox(&mbox).expect("splits")).expect("a series");
    assert_eq!(series.revision, 2);
    assert_eq!(series.base_commit.as_deref(), Some(base));
    assert!(series.cover.is_some());
    let numbers: Vec<_> = series.patches.iter().map(|p| (p.number, p.total)).collect();
    assert_eq!(numbers, [(1, 3), (2, 3), (3, 3)]);
    assert_eq!(series.patches[0].info.author_name, "Jürgen Groß");
    assert!(series.patches[0]
        .info
        .subject
        .ends_with("on every guest type"));
    assert!(series.skipped.is_empty(), "{:?}", series.skipped);
}

const PATCH: &str = "---\n grant.c | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\n\n\
diff --git a/grant.c b/grant.c\nindex 1111111..2222222 100644\n--- a/grant.c\n+++ b/grant.c\n\
@@ -1 +1 @@\n-int frames;\n+unsigned int frames;\n-- \n2.47.0\n";

fn message(headers: &str, body: &str) -> Vec<u8> {
    format!("{headers}\n{body}").into_bytes()
}

#[test]
fn hand_written_messages_are_read_as_git_mailinfo_reads_them() {
    let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
    let plain = "From: Jan Beulich <jbeulich@suse.com>\nSubject: [PATCH] x86: plain\nDate: Mon, 2 Jan 2023 10:00:00 +0100";
    cases.push((
        "quoted-printable",
        message(
            "From: Jan Beulich <jbeulich@suse.com>\nSubject: [PATCH v3 02/17] x86/xen: qp\nDate: Mon, 2 Jan 2023 10:00:00 +0100\nContent-Type: text/plain; charset=\"utf-8\"\nContent-Transfer-Encoding: quoted-printable",
            "A soft line break in a long=\n line, caf=C3=A9, an =3D sign, a bad =ZZ escape.\n\nSigned-off-by: Jan Beulich <jbeulich@suse.com>\n---\n a.c | 2 +-\n\ndiff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -1 +1 @@\n-int x =3D 1;\n+int x =3D 2;\n",
        ),
    ));
    cases.push((
        "base64",
        message(
            "From: =?UTF-8?B?SsO8cmdlbiBHcm/Dnw==?= <jgross@suse.com>\nSubject: =?utf-8?B?W1BBVENIXSBHcmFudCB0YWJsZTogZ3LDtsOfZQ==?=\nDate: Tue, 3 Jan 2023 11:00:00 +0000\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: base64",
            "TWFrZSB0aGUgZ3JhbnQgdGFibGUgY29kZSBjb3BlIHdpdGggYSBtaXNzaW5nIGZyYW1lIGxpc3Qu\nCgpTaWduZWQtb2ZmLWJ5OiBKdWVyZ2VuIEdyb3NzIDxqZ3Jvc3NAc3VzZS5jb20+Ci0tLQogZ3Jh\nbnQuYyB8IDIgKy0KCmRpZmYgLS1naXQgYS9ncmFudC5jIGIvZ3JhbnQuYwotLS0gYS9ncmFudC5j\nCisrKyBiL2dyYW50LmMKQEAgLTEgKzEgQEAKLWludCBmcmFtZXM7Cit1bnNpZ25lZCBpbnQgZnJh\nbWVzOwo=\n",
        ),
    ));
    let mut latin1 = message(
        "From: =?iso-8859-1?q?Andr=E9_Dupont?= <andre@example.fr>\nSubject: [PATCH 1/1] xen: =?ISO-8859-1?Q?caf=E9?=\n =?iso-8859-1?q?_cr=E8me?= folded\nDate: Wed, 4 Jan 2023 12:00:00 +0100\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit",
        "Caf\u{fffd} au lait.\n\nSigned-off-by: Andr\u{fffd} Dupont <andre@example.fr>\n",
    );
    replace(&mut latin1, "\u{fffd}".as_bytes(), b"\xe9");
    latin1.extend_from_slice(PATCH.as_bytes());
    cases.push(("iso-8859-1", latin1));
    let mut cp1252 = message(
        "From: \"O'Neil, \\\"Q\\\" (Quinn)\" <q@example.com>\nSubject: [PATCH] =?windows-1252?Q?=93quoted=94?=\nContent-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: quoted-printable",
        "It=92s =93smart=94 =80 quoting.\n\n",
    );
    cp1252.extend_from_slice(PATCH.as_bytes());
    cases.push(("windows-1252", cp1252));
    cases.push((
        "scissors",
        message(
            "From: Reviewer <rev@example.org>\nSubject: Re: [PATCH 2/3] xen: discussion\nDate: Thu, 5 Jan 2023 09:00:00 +0000",
            &format!("On Wed, someone wrote:\n> quoted\n\nHow about this?\n\n-- >8 --\nFrom: Real Author <real@example.org>\nSubject: [PATCH] xen: the fix\n  folded on\nDate: Fri, 6 Jan 2023 08:00:00 +0000\n\nThe real message.\n\nSigned-off-by: Real Author <real@example.org>\n{PATCH}"),
        ),
    ));
    cases.push((
        "in-body From",
        message(
            plain,
            &format!("From: =?UTF-8?q?Ren=C3=A9_Author?= <rene@example.org>\n\n[PATCH] ignored as a second subject\nbody\n{PATCH}"),
        ),
    ));
    cases.push((
        "in-body [PATCH] subject",
        message(
            plain,
            &format!("\n\n[PATCH] the subject in the body\n\nbody\n{PATCH}"),
        ),
    ));
    cases.push((
        "in-body header without a patch",
        message(plain, "From: Other <other@example.org>\n\nno patch here\n"),
    ));
    cases.push((
        "CRLF",
        message(
            plain,
            &format!("body line\n\nSigned-off-by: X <x@y.z>\n{PATCH}"),
        )
        .iter()
        .flat_map(|&b| {
            if b == b'\n' {
                vec![b'\r', b'\n']
            } else {
                vec![b]
            }
        })
        .collect(),
    ));
    let mbox = format!(
        "From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001\n{plain}\n\n>From the start of a line\n>>From twice quoted\n\n{PATCH}\n\
         From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: Second <second@example.org>\nSubject: [PATCH 2/2] second\n\nFrom here on no separator.\n>From again\n{PATCH}"
    );
    cases.push(("mboxrd", mbox.into_bytes()));
    cases.push((
        "multipart",
        message(
            "From: Multi Part <mp@example.org>\nSubject: [PATCH] xen: multipart\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"==XYZ==\"",
            &format!("This is a multi-part message in MIME format.\n--==XYZ==\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nThe message, caf=E9.\n\n--==XYZ==\nContent-Type: text/x-patch; charset=us-ascii\nContent-Disposition: attachment; filename=\"x.patch\"\n\n{PATCH}--==XYZ==--\nepilogue\n"),
        ),
    ));
    cases.push((
        "odd From values",
        message(
            "From: john.doe@example.org (John Doe)\nSubject: [RFC PATCH v2 1/3] re: Re:  spaced   out\nDate:  Sat,  7 Jan 2023 07:00:00 +0000",
            &format!("\n\n   \nText after blank lines.\n{PATCH}"),
        ),
    ));
    cases.push((
        "format-patch separator in the body",
        message(
            plain,
            &format!(">From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001\nFrom: Inner <inner@example.org>\n\nbody\n{PATCH}"),
        ),
    ));
    let mut compared = 0;
    for (name, bytes) in cases.iter().chain(&found_by_fuzzing()) {
        compared += same_as_git(name, bytes);
    }
    // Three mboxes of two messages each.
    assert_eq!(compared, cases.len() + found_by_fuzzing().len() + 3);
}

/// Shapes where a differential run over the fuzzing corpus found xenlint and git apart.
fn found_by_fuzzing() -> Vec<(&'static str, Vec<u8>)> {
    let cases: [(&str, &[u8]); 12] = [
        ("whitespace then a quoted From", b"\t\t\n\t>From \t\t\nCont bee-e"),
        ("bare message with From lines", b"From 5462 @@\n a\nFrom x Mon Sep 17 00:00:00 2001\nFrom: A <a@b.c>\n\nbody\n"),
        ("separator, blank line, header", b"From x Mon Sep 17 00:00:00 2001\n\nDate: Mon, 1 Jan 2024\n"),
        ("separator alone", b"From a@b Mon Sep 17 00:00:00 2001\nFrom: A <a@b.c>\n\nx\n---\n\nFrom b@c Mon Sep 17 00:00:00 2001\n"),
        ("message ending in its headers", b"From: A <a@b.c>\nSubject: x\nContent-Type: mmi"),
        ("unknown header last", b"From: 2/2] b\t\nIn-Reply-ToRefer::enc3e< --\n"),
        ("blank continuation", b"rkm:\x02\n "),
        ("boundary right after the headers", b"From: A <a@b.c>\nContent-Type: multipart/mixed; boundary=B\n--B\nCoforma @@\n a\n+b\n--B--\n"),
        ("Date in a part", b"From: A <a@b.c>\nContent-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\nDate: Mon, 1 Jan 2024\nSubject: late\n\nmsg\n---\n a\n--B--\n"),
        ("a colon before the newline", b"From a@b Mon Sep 17 00:00:00 2001\nSubject: one\n\nx\nFrom b@c Mon Sep 17 00:00:00 2001:\nSubject: two\n\ny\n"),
        ("a part ending without a newline", b"From: A <a@b.c>\nContent-Type: multipart/mixed; boundary=B\n\n--B\nFrom: A\nX\nre-Be:y peM"),
        ("vertical tab and form feed are not spaces", b"From: Re\x0bal <r@x>\nSubject: [PATCH\x0b\x0b] a\x0c\x0cb\n\n\x0c\x0cbody\n"),
    ];
    cases
        .into_iter()
        .map(|(name, bytes)| (name, bytes.to_vec()))
        .collect()
}

fn replace(bytes: &mut Vec<u8>, from: &[u8], to: &[u8]) {
    let text = bytes.clone();
    bytes.clear();
    let mut at = 0;
    while at < text.len() {
        if text[at..].starts_with(from) {
            bytes.extend_from_slice(to);
            at += from.len();
        } else {
            bytes.push(text[at]);
            at += 1;
        }
    }
}

/// Differential run over a directory of inputs (a fuzzing corpus): every input without a
/// NUL byte that git reads without error and into UTF-8 must give the same result: the
/// committed corpus (fuzz/corpus/mbox), or a whole fuzzing corpus with
/// `MAIL_CORPUS=DIR cargo test --release --test mail corpus`.
#[test]
fn corpus_is_read_as_git_reads_it() {
    let dir = std::env::var_os("MAIL_CORPUS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/mbox"));
    let (mut compared, mut differing) = (0, Vec::new());
    for entry in std::fs::read_dir(dir).expect("a directory") {
        let path = entry.expect("an entry").path();
        let bytes = std::fs::read(&path).expect("an input");
        // git reads C strings: a NUL ends a value or a line early, or is refused.
        if bytes.contains(&0) {
            continue;
        }
        let Some(theirs) = try_git_mailinfo(&bytes) else {
            continue;
        };
        compared += 1;
        let ours: Vec<MailInfo> = split_mbox(&bytes)
            .expect("splits")
            .iter()
            .map(mailinfo)
            .collect();
        // Bytes that are not UTF-8 become U+FFFD here and stay bytes in git, which can
        // change a width test (scissors): a known difference, not compared.
        let lossy = ours.iter().any(|info| {
            [&info.author_name, &info.subject, &info.message, &info.patch]
                .iter()
                .any(|field| field.contains('\u{fffd}'))
        });
        // The other documented difference: the patch of a mail in another charset.
        let patch_converted = declares_other_charset(&bytes)
            && ours.len() == theirs.len()
            && ours.iter().zip(&theirs).all(|(ours, theirs)| {
                MailInfo {
                    patch: theirs.patch.clone(),
                    ..ours.clone()
                } == *theirs
            });
        if ours != theirs && !lossy && !patch_converted {
            differing.push(format!(
                "{}: {}",
                path.display(),
                first_difference(&ours, &theirs)
            ));
        }
    }
    eprintln!("{compared} inputs compared with git");
    assert!(compared > 0, "no input of the corpus was compared");
    assert!(
        differing.is_empty(),
        "{} of {compared} differ:\n{}",
        differing.len(),
        differing.join("\n")
    );
}

/// A `charset=` other than UTF-8 or US-ASCII anywhere in the input.
fn declares_other_charset(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes).to_ascii_lowercase();
    text.match_indices("charset=").any(|(at, _)| {
        let value = text[at + 8..].trim_start_matches('"');
        !(value.starts_with("utf-8") || value.starts_with("us-ascii"))
    })
}

/// git_mailinfo(), or `None` when git refuses the input or writes something not UTF-8.
fn try_git_mailinfo(mbox: &[u8]) -> Option<Vec<MailInfo>> {
    std::panic::catch_unwind(|| git_mailinfo(mbox)).ok()
}

fn first_difference(ours: &[MailInfo], theirs: &[MailInfo]) -> String {
    if ours.len() != theirs.len() {
        return format!("{} messages, git {}", ours.len(), theirs.len());
    }
    for (index, (ours, theirs)) in ours.iter().zip(theirs).enumerate() {
        let fields = [
            ("author", &ours.author_name, &theirs.author_name),
            ("email", &ours.author_email, &theirs.author_email),
            ("date", &ours.date, &theirs.date),
            ("subject", &ours.subject, &theirs.subject),
            ("msg", &ours.message, &theirs.message),
            ("patch", &ours.patch, &theirs.patch),
        ];
        for (name, ours, theirs) in fields {
            if ours != theirs {
                return format!("message {}: {name} {ours:?}, git {theirs:?}", index + 1);
            }
        }
    }
    String::new()
}
