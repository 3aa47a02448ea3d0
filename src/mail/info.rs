//! What `git mailinfo --scissors` takes from one patch mail: author, date, the cleaned
//! subject, the commit message and the patch, with in-body headers and scissors lines
//! honoured. The code follows mailinfo.c's functions one by one (named at each) so that
//! the output is the same byte for byte; `tests/mail.rs` compares it with git's.

use super::decode::{decode_header, is_git_space};
use super::mbox::header_value;
use super::{Mail, MailInfo};

/// The headers mailinfo reports, in its order.
const FROM: usize = 0;
const SUBJECT: usize = 1;
const DATE: usize = 2;
const HEADERS: [&str; 3] = ["From", "Subject", "Date"];

/// What `git mailinfo --scissors msg patch` writes for `mail`.
pub fn mailinfo(mail: &Mail) -> MailInfo {
    let mut state = State::default();
    for line in mail.body.split_inclusive('\n') {
        if state.in_patch {
            state.patch.push_str(line);
            state.patch_lines += 1;
        } else if state.commit_message_line(line) {
            state.in_patch = true;
            state.patch.push_str(line);
            state.patch_lines += 1;
        }
    }
    state.flush_inbody_header();
    let posted = [&mail.from, &mail.subject, &mail.date];
    // In-body headers count only when there is a patch (handle_info()).
    let pick = |index: usize| match &state.inbody[index] {
        Some(value) if state.patch_lines > 0 => value.as_str(),
        _ => posted[index].as_str(),
    };
    let (author_name, author_email) = handle_from(&cleanup_space(pick(FROM)));
    MailInfo {
        author_name,
        author_email,
        date: cleanup_space(pick(DATE)),
        subject: cleanup_space(&cleanup_subject(pick(SUBJECT))),
        message: state.message,
        patch: state.patch,
    }
}

struct State {
    header_stage: bool,
    in_patch: bool,
    accumulated: String,
    inbody: [Option<String>; 3],
    message: String,
    patch: String,
    patch_lines: usize,
}

impl Default for State {
    fn default() -> Self {
        State {
            header_stage: true,
            in_patch: false,
            accumulated: String::new(),
            inbody: [None, None, None],
            message: String::new(),
            patch: String::new(),
            patch_lines: 0,
        }
    }
}

impl State {
    /// One line before the patch; true when it starts the patch. Mirrors
    /// handle_commit_msg().
    fn commit_message_line(&mut self, line: &str) -> bool {
        if self.header_stage && (line.is_empty() || line == "\n") {
            if !self.accumulated.is_empty() {
                self.flush_inbody_header();
                self.header_stage = false;
            }
            return false;
        }
        if self.header_stage {
            self.header_stage = self.check_inbody_header(line);
            if self.header_stage {
                return false;
            }
        }
        if is_scissors_line(line) {
            self.message.clear();
            self.header_stage = true;
            self.inbody = [None, None, None];
            return false;
        }
        if patchbreak(line) {
            return true;
        }
        self.message.push_str(line);
        false
    }

    /// Mirrors check_inbody_header(): true while the line belongs to in-body headers.
    fn check_inbody_header(&mut self, line: &str) -> bool {
        if !self.accumulated.is_empty() && (line.starts_with(' ') || line.starts_with('\t')) {
            if is_scissors_line(line) {
                self.flush_inbody_header();
                return false;
            }
            if self.accumulated.ends_with('\n') {
                self.accumulated.pop();
            }
            self.accumulated.push_str(line);
            return true;
        }
        self.flush_inbody_header();
        let bytes = line.as_bytes();
        if line.starts_with(">From") && bytes.get(5).copied().is_some_and(is_git_space) {
            return is_format_patch_separator(&line[1..]);
        }
        if line.starts_with("[PATCH]") && bytes.get(7).copied().is_some_and(is_git_space) {
            self.inbody[SUBJECT] = Some(line.to_string());
            return true;
        }
        let is_header = HEADERS.iter().enumerate().any(|(index, name)| {
            self.inbody[index].is_none() && header_value(bytes, name).is_some()
        });
        if is_header {
            self.accumulated.push_str(line);
        }
        is_header
    }

    /// Mirrors flush_inbody_header_accum() and check_header() for in-body headers: the
    /// first of each header counts.
    fn flush_inbody_header(&mut self) {
        let accumulated = std::mem::take(&mut self.accumulated);
        for (index, name) in HEADERS.iter().enumerate() {
            if self.inbody[index].is_some() {
                continue;
            }
            if let Some(value) = header_value(accumulated.as_bytes(), name) {
                let value = decode_header(value)
                    .unwrap_or_else(|| String::from_utf8_lossy(value).into_owned());
                self.inbody[index] = Some(value);
                return;
            }
        }
    }
}

/// "From <40 hex> Mon Sep 17 00:00:00 2001\n", the first line of `git format-patch`.
fn is_format_patch_separator(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("From ") else {
        return false;
    };
    let hex = rest
        .bytes()
        .take_while(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        .count();
    hex == 40 && &rest[40..] == " Mon Sep 17 00:00:00 2001\n"
}

/// A line that starts the patch: "diff -", "Index: ", "--- file" or "---" and
/// whitespace. Mirrors patchbreak().
fn patchbreak(line: &str) -> bool {
    if line.starts_with("diff -") || line.starts_with("Index: ") {
        return true;
    }
    let bytes = line.as_bytes();
    if bytes.len() < 4 || !line.starts_with("---") {
        return false;
    }
    if bytes[3] == b' ' && !bytes.get(4).copied().is_some_and(is_git_space) {
        return true;
    }
    for &byte in &bytes[3..] {
        if byte == b'\n' {
            return true;
        }
        if !is_git_space(byte) {
            break;
        }
    }
    false
}

/// A "-- >8 --" line: at least 8 visible bytes, the perforation (dashes and scissors)
/// more than a third of them, dashes and scissors more than half of the perforation.
/// Mirrors is_scissors_line().
fn is_scissors_line(line: &str) -> bool {
    let bytes = line.as_bytes();
    let (mut scissors, mut gap, mut perforation) = (0usize, 0usize, 0usize);
    let mut in_perforation = false;
    let (mut first_visible, mut last_visible) = (None, None);
    let mut at = 0;
    while at < bytes.len() && bytes[at] != 0 {
        let byte = bytes[at];
        if is_git_space(byte) {
            if in_perforation {
                perforation += 1;
                gap += 1;
            }
            at += 1;
            continue;
        }
        last_visible = Some(at);
        first_visible.get_or_insert(at);
        if byte == b'-' {
            in_perforation = true;
            perforation += 1;
            at += 1;
            continue;
        }
        let pair = bytes.get(at..at + 2).unwrap_or(&[]);
        if matches!(pair, b">8" | b"8<" | b">%" | b"%<") {
            in_perforation = true;
            perforation += 2;
            scissors += 2;
            // mailinfo steps over the pair's second byte without counting it visible.
            at += 2;
            continue;
        }
        in_perforation = false;
        at += 1;
    }
    let visible = match (first_visible, last_visible) {
        (Some(first), Some(last)) => last - first + 1,
        _ => 0,
    };
    scissors > 0 && 8 <= visible && visible < perforation * 3 && gap * 2 < perforation
}

/// Runs of whitespace become one space. Mirrors cleanup_space().
fn cleanup_space(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_space = false;
    for ch in text.chars() {
        if ch.is_ascii() && is_git_space(ch as u8) {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(ch);
            in_space = false;
        }
    }
    out
}

fn trim_c_space(text: &str) -> &str {
    text.trim_matches(|ch: char| ch.is_ascii() && is_git_space(ch as u8))
}

/// Leading "Re:", "[...]", whitespace and colons removed. Mirrors cleanup_subject()
/// without -k or -b.
fn cleanup_subject(subject: &str) -> String {
    let mut rest = subject;
    loop {
        let bytes = rest.as_bytes();
        match bytes.first() {
            Some(b'r' | b'R') => {
                if bytes.len() > 3 && matches!(bytes[1], b'e' | b'E') && bytes[2] == b':' {
                    rest = &rest[3..];
                    continue;
                }
                break;
            }
            Some(b' ' | b'\t' | b':') => rest = &rest[1..],
            Some(b'[') => match rest.find(']') {
                Some(close) => rest = &rest[close + 1..],
                None => break,
            },
            _ => break,
        }
    }
    trim_c_space(rest).to_string()
}

/// `"quoted strings"` lose their quotes and `\` escapes, `(comments)` their escapes.
/// Mirrors unquote_quoted_pair().
fn unquote_quoted_pair(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    // Open comments, and whether the enclosing context is a quoted string.
    let mut comment_depth = 0usize;
    let mut quoted = false;
    while let Some(ch) = chars.next() {
        if ch == '\0' {
            break;
        }
        if quoted {
            match ch {
                '\\' => out.extend(chars.next().filter(|&c| c != '\0')),
                '"' => quoted = false,
                _ => out.push(ch),
            }
        } else if comment_depth > 0 {
            match ch {
                '\\' => out.extend(chars.next().filter(|&c| c != '\0')),
                '(' => {
                    out.push('(');
                    comment_depth += 1;
                }
                ')' => {
                    out.push(')');
                    comment_depth -= 1;
                }
                _ => out.push(ch),
            }
        } else {
            match ch {
                '"' => quoted = true,
                '(' => {
                    out.push('(');
                    comment_depth = 1;
                }
                _ => out.push(ch),
            }
        }
    }
    out
}

/// Name and address of a From value. Mirrors handle_from(), parse_bogus_from() and
/// get_sane_name().
fn handle_from(from: &str) -> (String, String) {
    let unquoted = unquote_quoted_pair(from);
    let bytes = unquoted.as_bytes();
    let Some(mut at) = unquoted.find('@') else {
        // parse_bogus_from(): "John Doe <johndoe>".
        let Some(open) = from.find('<') else {
            return (String::new(), String::new());
        };
        let Some(close) = from[open..].find('>') else {
            return (String::new(), String::new());
        };
        let email = from[open + 1..open + close].to_string();
        let name = trim_c_space(&from[..open]).to_string();
        return (sane_name(name, &email), email);
    };
    let mut name_bytes = bytes.to_vec();
    while at > 0 {
        let before = bytes[at - 1];
        if is_git_space(before) {
            break;
        }
        if before == b'<' {
            name_bytes[at - 1] = b' ';
            break;
        }
        at -= 1;
    }
    let length = bytes[at..]
        .iter()
        .position(|&b| matches!(b, b' ' | b'\n' | b'\t' | b'\r' | 0x0b | 0x0c | b'>'))
        .unwrap_or(bytes.len() - at);
    let email = unquoted[at..at + length].to_string();
    let removed_end = (at + length + 1).min(bytes.len());
    name_bytes.drain(at..removed_end);
    let name = String::from_utf8_lossy(&name_bytes).into_owned();
    let name = cleanup_space(&name);
    let mut name = trim_c_space(&name);
    if name.len() >= 2 && name.starts_with('(') && name.ends_with(')') {
        name = &name[1..name.len() - 1];
    }
    (sane_name(name.to_string(), &email), email)
}

/// The address stands in for an empty, overlong or address-like name.
fn sane_name(name: String, email: &str) -> String {
    if name.is_empty() || name.len() > 60 || name.contains(['@', '<', '>']) {
        email.to_string()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_cleaned_as_mailinfo_does() {
        assert_eq!(
            cleanup_subject("[PATCH v2 3/7] x86/xen: fix"),
            "x86/xen: fix"
        );
        assert_eq!(cleanup_subject("Re: [RFC] re:[PATCH] a"), "a");
        assert_eq!(cleanup_subject("Re:"), "Re:");
        assert_eq!(cleanup_subject("[unclosed"), "[unclosed");
        assert_eq!(cleanup_subject("Remove x"), "Remove x");
    }

    #[test]
    fn from_values() {
        let from = |s: &str| handle_from(s);
        assert_eq!(from("A B <a@b.c>"), ("A B".into(), "a@b.c".into()));
        assert_eq!(from("a@b.c (A B)"), ("A B".into(), "a@b.c".into()));
        assert_eq!(
            from("\"Doe, John\" <j@d.e>"),
            ("Doe, John".into(), "j@d.e".into())
        );
        assert_eq!(from("<a@b.c>"), ("a@b.c".into(), "a@b.c".into()));
        assert_eq!(from("Bogus <nobody>"), ("Bogus".into(), "nobody".into()));
        assert_eq!(from("nothing"), (String::new(), String::new()));
        assert_eq!(from("@"), ("@".into(), "@".into()));
    }

    #[test]
    fn scissors() {
        assert!(is_scissors_line("-- >8 --\n"));
        assert!(is_scissors_line(
            "------------------------ >8 ------------------------\n"
        ));
        assert!(!is_scissors_line("-- >8\n"));
        assert!(!is_scissors_line("--- a/file\n"));
    }

    #[test]
    fn patch_breaks() {
        assert!(patchbreak("---\n"));
        assert!(patchbreak("--- a/x\n"));
        assert!(patchbreak("diff --git a/x b/x\n"));
        assert!(patchbreak("---  \n"));
        assert!(patchbreak("--- \n"));
        assert!(patchbreak("--- "));
        assert!(!patchbreak("----\n"));
        assert!(!patchbreak("---x\n"));
    }
}
