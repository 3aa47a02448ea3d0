//! `--format email`: a reply to each patch that has findings, in the manner of the kernel's
//! build robots: what was tested, the diagnostics as plain text, the patch that repairs
//! them, and the command that reproduces them. A patch posted as mail gets a reply threaded
//! under it (`Re:` subject, In-Reply-To, References); a patch of a plain git series a
//! report mail of its own. The mails form an mbox (mboxrd: body lines starting with
//! `>*From ` get one more `>`), so one or several read the same way.
//!
//! Date and Message-ID are left to whatever sends the mails; From is a placeholder address
//! in the reserved `.invalid` domain, which a sender is expected to replace.

use super::human::plain_findings;
use super::shared::{count_words, shell_quote};
use crate::lint::{Finding, Report};

const FROM: &str = "xenlint <xenlint@invalid>";

/// One mail for each patch with findings, as an mbox; empty when no patch has any.
pub fn email(report: &Report) -> String {
    (1..report.commits.len())
        .filter_map(|index| patch_email(report, index))
        .collect()
}

/// The mail about patch `index` (an index of `Report::commits`), `From ` line first, or
/// nothing when the patch has no findings.
pub fn patch_email(report: &Report, index: usize) -> Option<String> {
    let commit = report.commits.get(index)?;
    let findings: Vec<&Finding> = report.findings_of(index).collect();
    if findings.is_empty() {
        return None;
    }
    let patches = report.commits.len() - 1;
    let mut headers = vec![format!("From: {FROM}")];
    match &commit.mail {
        Some(mail) => {
            if !mail.from.is_empty() {
                headers.push(format!("To: {}", encode_address(&mail.from)));
            }
            let posted = mail.subject.trim();
            let already_reply = posted
                .get(..3)
                .is_some_and(|re| re.eq_ignore_ascii_case("re:"));
            let subject = if already_reply {
                posted.to_string()
            } else {
                format!("Re: {posted}")
            };
            headers.push(format!("Subject: {}", encode_header(&subject)));
            // A patch posted without a Message-ID (`git format-patch` without --thread)
            // has nothing to thread under.
            let own = (!mail.message_id.is_empty()).then(|| angle(&mail.message_id));
            if let Some(own) = &own {
                headers.push(format!("In-Reply-To: {own}"));
            }
            let mut references: Vec<String> = mail
                .references
                .iter()
                .filter(|r| !r.is_empty())
                .map(|r| angle(r))
                .collect();
            if let Some(own) = own.filter(|own| !references.contains(own)) {
                references.push(own);
            }
            if !references.is_empty() {
                // One id per line, folded, so no header line grows past what mail allows.
                headers.push(format!("References: {}", references.join("\n ")));
            }
        }
        None => {
            let subject = format!("[xenlint] {}", commit.summary);
            headers.push(format!("Subject: {}", encode_header(&subject)));
        }
    }
    headers.push("MIME-Version: 1.0".to_string());
    headers.push("Content-Type: text/plain; charset=utf-8".to_string());
    headers.push("Content-Transfer-Encoding: 8bit".to_string());

    let position = match &commit.mail {
        Some(mail) => format!("{}/{}", mail.number, mail.total),
        None => format!("{index}/{patches}"),
    };
    let base = &report.commits[0];
    let mut body = String::new();
    body.push_str(&format!(
        "Hi,\n\nxenlint checked this series for commits that break bisection through Kconfig and\nKbuild. Patch {position} has {}.\n\n",
        count_words(&findings)
    ));
    body.push_str("What was tested:\n");
    body.push_str(&format!(
        "  base:      {} (\"{}\"), from {}\n",
        base.commit,
        base.summary,
        report.base_source.describe()
    ));
    body.push_str(&format!(
        "  patch:     {position} {} (\"{}\")\n",
        commit.commit, commit.summary
    ));
    body.push_str(&format!("  arches:    {}\n", report.arches.join(", ")));
    body.push_str(&format!("  baselines: {}\n\n", report.baselines.join(", ")));
    body.push_str("Diagnostics:\n\n");
    body.push_str(&plain_findings(&findings));

    let mut repairs: Vec<usize> = findings.iter().filter_map(|f| f.repair_index).collect();
    repairs.sort_unstable();
    repairs.dedup();
    for repair in repairs {
        let Some(fixer) = report.commits.get(repair) else {
            continue;
        };
        let codes: Vec<&str> = findings
            .iter()
            .filter(|f| f.repair_index == Some(repair))
            .map(|f| f.code)
            .collect();
        let fixer_position = match &fixer.mail {
            Some(mail) => format!("{}/{}", mail.number, mail.total),
            None => format!("{repair}/{patches}"),
        };
        body.push_str(&format!(
            "Repaired later in the series ({}) by patch {fixer_position}:\n  {} (\"{}\")\nUntil then the tree does not bisect; moving that change into this patch keeps every\ncommit of the series whole.\n\n",
            codes.join(", "),
            fixer.commit,
            fixer.summary
        ));
    }
    if !report.command_line.is_empty() {
        body.push_str("Reproduce, in a repository with the series:\n");
        body.push_str(&format!("  {}\n\n", shell_quote(&report.command_line)));
    }
    body.push_str(&format!(
        "`xenlint explain CODE` documents each check.\n\n-- \nxenlint {}\n",
        env!("CARGO_PKG_VERSION")
    ));

    let mut mail = format!("From {} Mon Sep 17 00:00:00 2001\n", commit.commit);
    for header in headers {
        mail.push_str(&header);
        mail.push('\n');
    }
    mail.push('\n');
    for line in body.lines() {
        if line.trim_start_matches('>').starts_with("From ") {
            mail.push('>');
        }
        mail.push_str(line);
        mail.push('\n');
    }
    // mbox: a blank line ends each message before the next `From ` line.
    mail.push('\n');
    Some(mail)
}

/// A message id in angle brackets.
fn angle(id: &str) -> String {
    let id = id.trim();
    if id.starts_with('<') && id.ends_with('>') {
        id.to_string()
    } else {
        format!("<{}>", id.trim_matches(['<', '>']))
    }
}

/// An address header's value: the display name before `<...>` encoded as a header value
/// needs, the address itself left as it is.
fn encode_address(value: &str) -> String {
    match value.rfind('<') {
        Some(start) if start > 0 => {
            let name = value[..start]
                .trim()
                .trim_matches('"')
                .replace(['\r', '\n'], " ");
            let address = value[start..].trim().replace(['\r', '\n'], "");
            if name.bytes().any(|b| !(0x20..0x7f).contains(&b)) {
                format!("{} {address}", encode_header(&name))
            } else if name.chars().any(|c| "()<>[]:;@\\,.\"".contains(c)) {
                let quoted = name.replace('\\', "\\\\").replace('"', "\\\"");
                format!("\"{quoted}\" {address}")
            } else {
                format!("{name} {address}")
            }
        }
        _ => value.replace(['\r', '\n'], " "),
    }
}

/// A header value: as it is when printable ASCII, else RFC 2047 encoded words (UTF-8,
/// Q encoding) of at most 75 characters each, folded onto continuation lines. Line breaks
/// in the value become spaces, so a value cannot add headers of its own.
fn encode_header(value: &str) -> String {
    let value = value.replace(['\r', '\n'], " ");
    if value.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return value;
    }
    let mut words = Vec::new();
    let mut word = String::new();
    for c in value.chars() {
        let mut encoded = String::new();
        if c.is_ascii_alphanumeric() || "!*+-/".contains(c) {
            encoded.push(c);
        } else if c == ' ' {
            encoded.push('_');
        } else {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                encoded.push_str(&format!("={byte:02X}"));
            }
        }
        // `=?utf-8?q?` and `?=` take 12 of the 75.
        if word.len() + encoded.len() > 63 {
            words.push(std::mem::take(&mut word));
        }
        word.push_str(&encoded);
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
        .iter()
        .map(|w| format!("=?utf-8?q?{w}?="))
        .collect::<Vec<_>>()
        .join("\n ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_get_angle_brackets_once() {
        assert_eq!(angle("a@b"), "<a@b>");
        assert_eq!(angle(" <a@b> "), "<a@b>");
    }

    #[test]
    fn non_ascii_headers_are_encoded_words() {
        assert_eq!(encode_header("plain [PATCH]"), "plain [PATCH]");
        assert_eq!(encode_header("Jörg"), "=?utf-8?q?J=C3=B6rg?=");
        assert_eq!(encode_header("a\nBcc: x"), "a Bcc: x");
        assert_eq!(
            encode_address("Jörg Rödel <j@example.org>"),
            "=?utf-8?q?J=C3=B6rg_R=C3=B6del?= <j@example.org>"
        );
        assert_eq!(
            encode_address("\"Doe, J.\" <j@example.org>"),
            "\"Doe, J.\" <j@example.org>"
        );
        let long = "ü".repeat(40);
        assert!(encode_header(&long).lines().all(|line| line.len() <= 76));
    }
}
