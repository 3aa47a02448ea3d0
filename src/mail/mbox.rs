//! An mbox split into messages, the way `git mailsplit --mboxrd` and `git mailinfo` read
//! it: "From " separator lines, `>From ` un-quoting, CRLF line ends, folded headers, and
//! each message's body decoded (transfer encoding, multipart parts, charset) to UTF-8.
//!
//! Reads bytes only: no file, no repository. Linear in the input.

use super::decode::{decode_header, is_git_space, to_utf8, TransferEncoding};
use super::{Mail, MailError, MAX_MBOX_BYTES};

/// Nested multipart boundaries mailinfo follows (MAX_BOUNDARIES in mailinfo.h).
const MAX_BOUNDARIES: usize = 5;

/// Splits an mbox (or one bare message) into its messages.
pub fn split_mbox(bytes: &[u8]) -> Result<Vec<Mail>, MailError> {
    if bytes.len() > MAX_MBOX_BYTES {
        return Err(MailError::TooLarge {
            size: bytes.len(),
            limit: MAX_MBOX_BYTES,
        });
    }
    // mailsplit skips whitespace before the first message, even within a line.
    let skipped = bytes.iter().take_while(|&&b| is_git_space(b)).count();
    let first_line = 1 + bytes[..skipped].iter().filter(|&&b| b == b'\n').count();
    let bytes = &bytes[skipped..];
    let mut mails = Vec::new();
    // The line number of the current message's separator, and its text: lines without
    // their carriage return, un-quoted, in one buffer (no allocation per line). The text
    // starts with the "From " line, as mailsplit writes it: mailinfo reads that line as
    // a header, which matters for what follows it.
    let mut current: Option<(usize, Vec<u8>)> = None;
    // A bare message is one message, whatever "From " lines it has (mailsplit -b).
    let mut bare = false;
    for (index, raw) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        let line_number = first_line + index;
        let line = match raw {
            [head @ .., b'\r', b'\n'] => head,
            [head @ .., b'\n'] => head,
            _ => raw,
        };
        let separator = !bare && is_from_line(raw);
        if separator {
            if let Some((at, text)) = current.take() {
                mails.push(parse_message(at, &text));
            }
            current = Some((line_number, Vec::new()));
        }
        let (_, text) = current.get_or_insert_with(|| {
            // Not an mbox: one bare message.
            bare = true;
            (1, Vec::new())
        });
        text.extend_from_slice(if separator { line } else { unquote_from(line) });
        if raw.ends_with(b"\n") {
            text.push(b'\n');
        }
    }
    if let Some((at, text)) = current {
        mails.push(parse_message(at, &text));
    }
    Ok(mails)
}

/// mboxrd: `>From `, `>>From ` ... lose one `>`.
fn unquote_from(line: &[u8]) -> &[u8] {
    let quotes = line.iter().take_while(|&&b| b == b'>').count();
    if quotes > 0 && line[quotes..].starts_with(b"From ") {
        &line[1..]
    } else {
        line
    }
}

/// The line of `text` at byte `at` (with its newline) and where the next one starts.
fn line_at(text: &[u8], at: usize) -> Option<(&[u8], usize)> {
    let rest = text.get(at..).filter(|rest| !rest.is_empty())?;
    let end = rest
        .iter()
        .position(|&b| b == b'\n')
        .map_or(rest.len(), |newline| newline + 1);
    Some((&rest[..end], at + end))
}

/// A "From " line that separates messages: "From <anything> ... hh:mm[:ss] ... year",
/// with a time and a year after 1990. Mirrors is_from_line() in git's mailsplit.c, so
/// that "From here on" in a commit message does not split it.
pub(super) fn is_from_line(raw: &[u8]) -> bool {
    // `raw` is the line as read, its "\r\n" or "\n" included: mailsplit looks for the
    // colon from the third byte before the end, so a colon just before the newline
    // does not count.
    let length = raw.len();
    if length < 20 || !raw.starts_with(b"From ") {
        return false;
    }
    let Some(colon) = (5..=length - 3).rev().find(|&at| raw[at] == b':') else {
        return false;
    };
    let digit = |at: usize| raw.get(at).is_some_and(u8::is_ascii_digit);
    let time = [colon - 4, colon - 2, colon - 1, colon + 1, colon + 2];
    if !time.into_iter().all(digit) {
        return false;
    }
    // strtol(): C whitespace, a sign, digits (saturating).
    let rest = &raw[colon + 3..];
    let rest = &rest[rest
        .iter()
        .take_while(|&&b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
        .count()..];
    let (negative, digits) = match rest.first() {
        Some(b'-') => (true, &rest[1..]),
        Some(b'+') => (false, &rest[1..]),
        _ => (false, rest),
    };
    let year = digits
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .fold(0u64, |year, &b| {
            year.saturating_mul(10).saturating_add(u64::from(b - b'0'))
        });
    !negative && year > 90
}

/// One header line, unfolded, as read_one_header_line() in mailinfo.c returns it.
struct HeaderReader<'a> {
    text: &'a [u8],
    /// Byte offset of the next line.
    at: usize,
}

impl HeaderReader<'_> {
    /// The next header (continuations joined with one space each, trailing whitespace
    /// gone), or `None` at the line that ends the header block, which stays unread.
    fn next_header(&mut self) -> Option<Vec<u8>> {
        let (line, mut next_at) = line_at(self.text, self.at)?;
        let mut header = rtrim(line).to_vec();
        if header.is_empty() || !is_rfc2822_header(&header) {
            return None;
        }
        while let Some((next, after)) = line_at(self.text, next_at) {
            if !matches!(next.first(), Some(b' ' | b'\t')) {
                break;
            }
            // The continuation's first byte becomes a space, then trailing whitespace
            // goes, that space included when nothing else is left.
            let continuation = rtrim(&next[1..]);
            if !continuation.is_empty() {
                header.push(b' ');
                header.extend_from_slice(continuation);
            }
            next_at = after;
        }
        self.at = next_at;
        Some(header)
    }
}

fn rtrim(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|&b| !is_git_space(b))
        .map_or(0, |at| at + 1);
    &bytes[..end]
}

/// A header field name and a colon, or an mbox "From " line. Mirrors is_rfc2822_header().
fn is_rfc2822_header(line: &[u8]) -> bool {
    if line.starts_with(b"From ") || line.starts_with(b">From ") {
        return true;
    }
    for &byte in line {
        match byte {
            b':' => return true,
            33..=57 | 59..=126 => continue,
            _ => return false,
        }
    }
    false
}

/// The value of `line` if it is the header `name` (any case, whitespace after the colon
/// skipped). Mirrors skip_header() in mailinfo.c.
pub(super) fn header_value<'a>(line: &'a [u8], name: &str) -> Option<&'a [u8]> {
    let head = line.get(..name.len())?;
    if !head.eq_ignore_ascii_case(name.as_bytes()) || line.get(name.len()) != Some(&b':') {
        return None;
    }
    let value = &line[name.len() + 1..];
    let skip = value.iter().take_while(|&&b| is_git_space(b)).count();
    Some(&value[skip..])
}

/// A decoded header value; one git would refuse (a broken encoded word) stays raw.
fn decoded(value: &[u8]) -> String {
    decode_header(value).unwrap_or_else(|| String::from_utf8_lossy(value).into_owned())
}

/// The value of `name=` in a Content-Type (quoted or up to `;` or whitespace). Mirrors
/// slurp_attr().
fn attribute(value: &str, name: &str) -> Option<String> {
    let lower = value.to_ascii_lowercase();
    let at = lower.find(name)? + name.len();
    let rest = &value[at..];
    let text = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next().unwrap_or(""),
        None => rest.split([';', ' ', '\t']).next().unwrap_or(""),
    };
    Some(text.to_string())
}

/// Message ids in `<...>`, in order; a value without brackets is one id.
fn message_ids(value: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let id = rest[open + 1..open + close].trim();
        if !id.is_empty() {
            ids.push(id.to_string());
        }
        rest = &rest[open + close + 1..];
    }
    if ids.is_empty() && !value.trim().is_empty() && !value.contains('<') {
        ids.extend(value.split_whitespace().next().map(String::from));
    }
    ids
}

/// What the content headers of a message or a part say.
#[derive(Default)]
struct Content {
    charset: String,
    encoding: Option<TransferEncoding>,
}

impl Content {
    fn apply(&mut self, header: &[u8], boundaries: &mut Vec<Vec<u8>>) {
        if let Some(value) = header_value(header, "Content-Type") {
            let value = decoded(value);
            if let Some(boundary) = attribute(&value, "boundary=") {
                if boundaries.len() < MAX_BOUNDARIES {
                    boundaries.push([b"--", boundary.as_bytes()].concat());
                }
            }
            self.charset = attribute(&value, "charset=").unwrap_or_default();
        } else if let Some(value) = header_value(header, "Content-Transfer-Encoding") {
            self.encoding = Some(TransferEncoding::from_header(&decoded(value)));
        }
    }
}

/// The From, Subject and Date headers, decoded; `None` until one is seen.
#[derive(Default)]
struct Posted {
    from: Option<String>,
    subject: Option<String>,
    date: Option<String>,
}

impl Posted {
    /// Takes `header` if it is one of the three and, unless `overwrite`, not yet set.
    /// Mirrors the first loop of check_header().
    fn take(&mut self, header: &[u8], overwrite: bool) -> bool {
        for (name, slot) in [
            ("From", &mut self.from),
            ("Subject", &mut self.subject),
            ("Date", &mut self.date),
        ] {
            if slot.is_some() && !overwrite {
                continue;
            }
            if let Some(value) = header_value(header, name) {
                *slot = Some(decoded(value));
                return true;
            }
        }
        false
    }
}

fn parse_message(line: usize, text: &[u8]) -> Mail {
    // mailinfo skips whitespace before the first header.
    let first = text
        .iter()
        .position(|&b| !is_git_space(b))
        .unwrap_or(text.len());
    let mut reader = HeaderReader {
        text: &text[first..],
        at: 0,
    };
    let mut mail = Mail {
        line,
        message_id: String::new(),
        subject: String::new(),
        from: String::new(),
        date: String::new(),
        in_reply_to: None,
        references: Vec::new(),
        body: String::new(),
    };
    let mut content = Content::default();
    let mut boundaries = Vec::new();
    let mut last_header = Vec::new();
    let mut posted = Posted::default();
    while let Some(header) = reader.next_header() {
        if posted.take(&header, true) {
            // The last of a repeated From, Subject or Date wins, as in mailinfo.
        } else if let Some(value) = header_value(&header, "Message-Id") {
            mail.message_id = message_ids(&decoded(value))
                .into_iter()
                .next()
                .unwrap_or_default();
        } else if let Some(value) = header_value(&header, "In-Reply-To") {
            mail.in_reply_to = message_ids(&decoded(value)).into_iter().next();
        } else if let Some(value) = header_value(&header, "References") {
            mail.references = message_ids(&decoded(value));
        } else {
            content.apply(&header, &mut boundaries);
        }
        last_header = header;
    }
    // The line that ended the headers is the body's first, trimmed as mailinfo reads it.
    let body = match line_at(reader.text, reader.at) {
        Some((first, rest)) => [rtrim(first), b"\n", &reader.text[rest..]].concat(),
        // A message that ends in its headers: mailinfo's line buffer is not cleared at
        // the end of the file, so the last header is read again, as the body.
        None => last_header,
    };
    mail.body = decode_body(&body, content, boundaries, &mut posted);
    mail.from = posted.from.unwrap_or_default();
    mail.subject = posted.subject.unwrap_or_default();
    mail.date = posted.date.unwrap_or_default();
    mail
}

/// The body text mailinfo's filters see: each line transfer-decoded, multipart parts in
/// order with a newline at each closing boundary, converted to UTF-8 by each part's
/// charset. Mirrors handle_body() and handle_boundary() in mailinfo.c.
fn decode_body(
    text: &[u8],
    mut content: Content,
    mut boundaries: Vec<Vec<u8>>,
    posted: &mut Posted,
) -> String {
    let is_boundary = |line: &[u8], boundaries: &[Vec<u8>]| {
        boundaries.last().is_some_and(|b| line.starts_with(b))
    };
    // The byte offset of the next line at or after `from` that is a boundary.
    let find_boundary = |mut from: usize, boundaries: &[Vec<u8>]| {
        while let Some((line, next)) = line_at(text, from) {
            if is_boundary(line, boundaries) {
                return Some(from);
            }
            from = next;
        }
        None
    };
    let mut body = String::new();
    let mut part = Vec::new();
    let mut at = 0;
    if !boundaries.is_empty() {
        // Skip up to the first boundary (the preamble), looking from the line after the
        // one that ended the headers, as find_boundary() reads on before it looks.
        let second = line_at(text, 0).map_or(text.len(), |(_, next)| next);
        match find_boundary(second, &boundaries) {
            Some(found) => at = found,
            None => return body,
        }
    }
    let mut replenished = false;
    while let Some((line, next)) = line_at(text, at) {
        if !replenished && is_boundary(line, &boundaries) {
            append(&mut body, to_utf8(&part, &content.charset));
            part.clear();
            let (mut boundary, mut after) = (line, next);
            loop {
                let top = boundaries.last().map_or(0, Vec::len);
                if boundary.get(top..top + 2) != Some(b"--") {
                    break;
                }
                // A closing boundary: back to the enclosing multipart's next boundary.
                boundaries.pop();
                body.push('\n');
                let Some(found) = find_boundary(after, &boundaries) else {
                    return body;
                };
                (boundary, after) = line_at(text, found).expect("a boundary line was found");
            }
            content = Content::default();
            let mut reader = HeaderReader { text, at: after };
            while let Some(header) = reader.next_header() {
                // A part's From, Subject or Date counts where the message has none.
                if !posted.take(&header, false) {
                    content.apply(&header, &mut boundaries);
                }
            }
            // The line that ended the part's headers is dropped, and the next one is
            // read as text even if it is a boundary, as handle_boundary() does.
            at = line_at(text, reader.at).map_or(text.len(), |(_, next)| next);
            replenished = true;
            continue;
        }
        let encoding = content.encoding.unwrap_or(TransferEncoding::Plain);
        if replenished && !line.ends_with(b"\n") {
            // handle_boundary() reads this line without its newline and adds one.
            encoding.decode_line(&[line, b"\n"].concat(), &mut part);
        } else {
            encoding.decode_line(line, &mut part);
        }
        replenished = false;
        at = next;
    }
    append(&mut body, to_utf8(&part, &content.charset));
    body
}

/// `body` + `text`, without a copy when `body` is empty (a message of one part).
fn append(body: &mut String, text: String) {
    if body.is_empty() {
        *body = text;
    } else {
        body.push_str(&text);
    }
}
