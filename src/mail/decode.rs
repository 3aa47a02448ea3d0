//! Byte-level decoding of mail: RFC 2047 encoded words in headers, quoted-printable and
//! base64 transfer encodings, and the charsets a patch is posted in, all to UTF-8.
//!
//! Every function takes any bytes and returns: garbage is kept or dropped the way git
//! mailinfo does, never an error or a panic, and all work is linear in the input.

/// git's `isspace()` (sane_ctype in git-compat-util.h), which mailinfo and mailsplit test
/// bytes with: space, tab, newline and carriage return, not C's vertical tab or form feed.
pub(super) fn is_git_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Quoted-printable: `=XX` becomes the byte, `=` before a newline (or at the end) ends the
/// text there (a soft line break), any other `=` is kept. In an encoded word (`rfc2047`),
/// `_` is a space. Mirrors decode_q_segment() in git's mailinfo.c, which stops at a NUL.
pub(super) fn decode_quoted_printable(input: &[u8], rfc2047: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut at = 0;
    while at < input.len() {
        let byte = input[at];
        at += 1;
        match byte {
            0 => break,
            b'=' => {
                let next = input.get(at).copied().unwrap_or(0);
                if next == b'\n' || next == 0 {
                    break;
                }
                let pair = (
                    hex_value(next),
                    input.get(at + 1).copied().and_then(hex_value),
                );
                if let (Some(high), Some(low)) = pair {
                    out.push(high << 4 | low);
                    at += 2;
                } else {
                    out.push(b'=');
                }
            }
            b'_' if rfc2047 => out.push(b' '),
            _ => out.push(byte),
        }
    }
    out
}

/// Base64, skipping every byte outside the alphabet (padding and newlines included), so
/// that garbage decodes to less, never to an error. Mirrors decode_b_segment().
pub(super) fn decode_base64(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 3);
    let mut position = 0;
    let mut accumulator: u8 = 0;
    for &byte in input {
        let value = match byte {
            0 => break,
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        match position {
            0 => accumulator = value << 2,
            1 => {
                out.push(accumulator | value >> 4);
                accumulator = (value & 15) << 4;
            }
            2 => {
                out.push(accumulator | value >> 2);
                accumulator = (value & 3) << 6;
            }
            _ => out.push(accumulator | value),
        }
        position = (position + 1) % 4;
    }
    out
}

/// A Content-Transfer-Encoding, as mailinfo tells them apart (a substring test).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TransferEncoding {
    Plain,
    QuotedPrintable,
    Base64,
}

impl TransferEncoding {
    pub(super) fn from_header(value: &str) -> TransferEncoding {
        let value = value.to_ascii_lowercase();
        if value.contains("base64") {
            TransferEncoding::Base64
        } else if value.contains("quoted-printable") {
            TransferEncoding::QuotedPrintable
        } else {
            TransferEncoding::Plain
        }
    }

    /// One raw body line (with its newline) decoded; mailinfo decodes line by line.
    pub(super) fn decode_line(self, line: &[u8], out: &mut Vec<u8>) {
        match self {
            TransferEncoding::Plain => out.extend_from_slice(line),
            TransferEncoding::QuotedPrintable => {
                out.extend(decode_quoted_printable(line, false));
            }
            TransferEncoding::Base64 => out.extend(decode_base64(line)),
        }
    }
}

/// `bytes` in `charset` as UTF-8. UTF-8, US-ASCII, an empty charset and unknown ones are
/// read as UTF-8 (invalid sequences become U+FFFD); ISO-8859-1/15 and Windows-1252 are
/// mapped byte by byte.
pub(super) fn to_utf8(bytes: &[u8], charset: &str) -> String {
    // Names compare on their letters and digits, as iconv's do: "ISO_8859-1" is
    // "iso88591". An RFC 2231 language ("iso-8859-1*fr") is not part of the name.
    let name: String = charset
        .split('*')
        .next()
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let table: fn(u8) -> char = match name.as_str() {
        "iso88591" | "latin1" | "l1" => latin1,
        "iso885915" | "latin9" => latin9,
        "windows1252" | "cp1252" | "xcp1252" => windows1252,
        _ => return String::from_utf8_lossy(bytes).into_owned(),
    };
    // A mislabelled UTF-8 text is common (a client that declares latin-1 and sends UTF-8);
    // the byte tables still decide, as git mailinfo's iconv does.
    bytes.iter().map(|&byte| table(byte)).collect()
}

fn latin1(byte: u8) -> char {
    char::from(byte)
}

fn latin9(byte: u8) -> char {
    match byte {
        0xa4 => '€',
        0xa6 => 'Š',
        0xa8 => 'š',
        0xb4 => 'Ž',
        0xb8 => 'ž',
        0xbc => 'Œ',
        0xbd => 'œ',
        0xbe => 'Ÿ',
        _ => char::from(byte),
    }
}

fn windows1252(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9f => HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

/// A header value with its RFC 2047 encoded words (`=?charset?Q|B?text?=`) decoded to
/// UTF-8; whitespace between two encoded words is dropped. `None` when an `=?` does not
/// start a well-formed word, where git mailinfo stops with an error.
/// Mirrors decode_header() in git's mailinfo.c.
pub(super) fn decode_header(value: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    let mut first = true;
    while let Some(start) = find(rest, b"=?") {
        let before = &rest[..start];
        // Text before a word is kept, unless it is only whitespace after another word.
        if !before.is_empty() && (first || !before.iter().all(|&b| is_git_space(b))) {
            out.push_str(&String::from_utf8_lossy(before));
        }
        first = false;
        let word = &rest[start + 2..];
        let charset_end = word.iter().position(|&b| b == b'?')?;
        let charset = String::from_utf8_lossy(&word[..charset_end]);
        let encoding = *word.get(charset_end + 1)?;
        if word.get(charset_end + 2) != Some(&b'?') {
            return None;
        }
        let text = &word[charset_end + 3..];
        let text_end = find(text, b"?=")?;
        let decoded = match encoding.to_ascii_lowercase() {
            b'b' => decode_base64(&text[..text_end]),
            b'q' => decode_quoted_printable(&text[..text_end], true),
            _ => return None,
        };
        out.push_str(&to_utf8(&decoded, &charset));
        rest = &text[text_end + 2..];
    }
    out.push_str(&String::from_utf8_lossy(rest));
    Some(out)
}

/// The first occurrence of `needle` in `haystack` (a linear scan: needles are 2 bytes).
pub(super) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_printable_as_mailinfo() {
        assert_eq!(decode_quoted_printable(b"a=3Db=\n", false), b"a=b");
        assert_eq!(decode_quoted_printable(b"a=zz=4", false), b"a=zz=4");
        assert_eq!(decode_quoted_printable(b"x_y=", true), b"x y");
        assert_eq!(decode_quoted_printable(b"=", false), b"");
    }

    #[test]
    fn base64_skips_garbage() {
        assert_eq!(decode_base64(b"aGVsbG8=\n"), b"hello");
        assert_eq!(decode_base64(b"a!G*V\x80sbG8"), b"hello");
        assert_eq!(decode_base64(b"Q"), b"");
    }

    #[test]
    fn encoded_words() {
        assert_eq!(
            decode_header(b"=?iso-8859-1?q?J=FCrgen?= =?utf-8?b?R3Jvw59=?= <j@x>").as_deref(),
            Some("JürgenGroß <j@x>")
        );
        assert_eq!(
            decode_header(b"a =?UTF-8?Q?b_c?= d").as_deref(),
            Some("a b c d")
        );
        assert_eq!(decode_header(b"=?utf-8?q?open"), None);
        assert_eq!(decode_header(b"=?utf-8?x?a?="), None);
        assert_eq!(decode_header(b"=?"), None);
    }

    #[test]
    fn charsets() {
        assert_eq!(to_utf8(b"\xe9", "ISO-8859-1"), "é");
        assert_eq!(to_utf8(b"\xa4", "iso-8859-15"), "€");
        assert_eq!(to_utf8(b"\x93q\x94", "windows-1252"), "“q”");
        assert_eq!(to_utf8(b"\xff", "utf-8"), "\u{fffd}");
        assert_eq!(to_utf8("é".as_bytes(), "\"UTF-8\""), "é");
    }
}
