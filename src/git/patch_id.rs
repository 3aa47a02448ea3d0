//! `git patch-id --stable` over patch text: the id of a change that survives rebasing,
//! rewording and reformatting. It reads the text the way git does, from `git show`,
//! `git format-patch` or a mail: the commit message is skipped, whitespace is removed,
//! `index` lines and hunk line numbers are ignored, and each file's hash is summed into
//! the result (so the order of the files does not matter). Pure: no repository here.

use sha1_smol::Sha1;

/// The stable patch-id of the first patch of `text` (40 hex digits), or `None` when it
/// holds no diff.
pub fn patch_id(text: &[u8]) -> Option<String> {
    patch_ids(text).into_iter().next()
}

/// The stable patch-id of each patch of `text`, as `git patch-id --stable` prints them,
/// in order. A `commit <id>` or `From <id>` line (or a line opening with an object id)
/// starts a new patch; patches without a diff have no id and are left out.
pub fn patch_ids(text: &[u8]) -> Vec<String> {
    let mut ids = Vec::new();
    let mut reader = PatchReader::new();
    for line in text.split_inclusive(|&b| b == b'\n') {
        match reader.line(line) {
            Step::Continue => {}
            Step::Next => {
                ids.extend(reader.finish());
                reader = PatchReader::new();
            }
        }
    }
    ids.extend(reader.finish());
    ids
}

enum Step {
    Continue,
    /// This patch ends here; the following lines belong to the next one.
    Next,
}

/// One patch being read. Mirrors get_one_patchid() in git's builtin/patch-id.c, stable
/// mode, whitespace removed.
struct PatchReader {
    hasher: Sha1,
    /// The sum of the per-file hashes, with carry (flush_one_hunk() in diff.c).
    result: [u8; 20],
    /// Bytes hashed so far: a patch with none has no id.
    patch_len: usize,
    /// Lines left in the current hunk on each side; -1 while reading a file's header.
    before: i64,
    after: i64,
    binary: bool,
    pre_oid: Vec<u8>,
    post_oid: Vec<u8>,
}

impl PatchReader {
    fn new() -> PatchReader {
        PatchReader {
            hasher: Sha1::new(),
            result: [0; 20],
            patch_len: 0,
            before: -1,
            after: -1,
            binary: false,
            pre_oid: Vec::new(),
            post_oid: Vec::new(),
        }
    }

    fn line(&mut self, line: &[u8]) -> Step {
        // "\ No newline at end of file" carries nothing: the newline is whitespace.
        let header = line
            .strip_prefix(b"commit ")
            .or_else(|| line.strip_prefix(b"From "));
        if header.is_none() && line.starts_with(b"\\ ") && line.len() > 12 {
            return Step::Continue;
        }
        if starts_with_object_id(header.unwrap_or(line)) {
            return Step::Next;
        }
        // The commit message, and anything else before the first diff.
        if self.patch_len == 0 && !line.starts_with(b"diff ") {
            return Step::Continue;
        }
        if self.before == -1 {
            if line.starts_with(b"GIT binary patch") || line.starts_with(b"Binary files") {
                // A binary file counts as its two blob ids, as the index line gave them.
                self.binary = true;
                self.before = 0;
                self.hasher.update(&self.pre_oid);
                self.hasher.update(&self.post_oid);
                self.flush_file();
                return Step::Continue;
            } else if let Some(rest) = line.strip_prefix(b"index ") {
                self.index_line(line, rest);
                return Step::Continue;
            } else if line.starts_with(b"--- ") {
                self.before = 1;
                self.after = 1;
            } else if !line.first().is_some_and(u8::is_ascii_alphabetic) {
                return Step::Next;
            }
        }
        if self.binary {
            // Skip the binary data; the next file's "diff " line is not hashed either.
            if line.starts_with(b"diff ") {
                self.binary = false;
                self.before = -1;
            }
            return Step::Continue;
        }
        if self.before == 0 && self.after == 0 {
            if line.starts_with(b"@@ -") {
                scan_hunk_header(line, &mut self.before, &mut self.after);
                return Step::Continue;
            }
            if !line.starts_with(b"diff ") {
                // The end of the diff: a signature, the next mail's text.
                return Step::Next;
            }
            // Another file: its hash is summed on its own.
            self.flush_file();
            self.before = -1;
            self.after = -1;
        }
        match line.first() {
            Some(b'-') => self.before -= 1,
            Some(b'+') => self.after -= 1,
            Some(b' ') => {
                self.before -= 1;
                self.after -= 1;
            }
            _ => {}
        }
        let kept: Vec<u8> = line.iter().copied().filter(|b| !is_c_space(*b)).collect();
        self.patch_len += kept.len();
        self.hasher.update(&kept);
        Step::Continue
    }

    /// `index <pre>..<post>[ <mode>]`: remember the two ids for a binary file.
    fn index_line(&mut self, line: &[u8], rest: &[u8]) {
        let Some(dots) = find(line, b"..") else {
            return;
        };
        let start = line.len() - rest.len();
        let post_start = dots + 2;
        // Up to the mode, else up to (not including) the last byte, the newline.
        let post_end = find(&line[post_start..], b" ")
            .map(|i| post_start + i)
            .unwrap_or(line.len().saturating_sub(1).max(post_start));
        let clip = |bytes: &[u8]| bytes[..bytes.len().min(64)].to_vec();
        self.pre_oid = clip(&line[start.min(dots)..dots]);
        self.post_oid = clip(&line[post_start..post_end]);
    }

    /// Add the current file's hash to the result, byte by byte with carry.
    fn flush_file(&mut self) {
        let digest = self.hasher.digest().bytes();
        self.hasher.reset();
        let mut carry: u16 = 0;
        for (sum, byte) in self.result.iter_mut().zip(digest) {
            carry += u16::from(*sum) + u16::from(byte);
            *sum = carry as u8;
            carry >>= 8;
        }
    }

    fn finish(mut self) -> Option<String> {
        self.flush_file();
        (self.patch_len > 0).then(|| self.result.iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// isspace() in the C locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// Does the text open with 40 hex digits (a SHA-1 object id)?
fn starts_with_object_id(text: &[u8]) -> bool {
    text.len() >= 40 && text[..40].iter().all(u8::is_ascii_hexdigit)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The line counts of `@@ -a,b +c,d @@` (a count left out is 1). Mirrors
/// scan_hunk_header() in builtin/patch-id.c, malformed headers included: whatever it
/// read before giving up stays.
fn scan_hunk_header(line: &[u8], before: &mut i64, after: &mut i64) {
    let digits = |s: &[u8]| s.iter().take_while(|b| b.is_ascii_digit()).count();
    let number = |s: &[u8]| {
        s.iter()
            .take_while(|b| b.is_ascii_digit())
            .fold(0i64, |n, b| {
                n.saturating_mul(10).saturating_add(i64::from(b - b'0'))
            })
    };
    let mut q = &line[4..];
    let mut n = digits(q);
    if q.get(n) == Some(&b',') {
        q = &q[n + 1..];
        *before = number(q);
        n = digits(q);
    } else {
        *before = 1;
    }
    if n == 0 || q.get(n) != Some(&b' ') || q.get(n + 1) != Some(&b'+') {
        return;
    }
    let mut r = &q[n + 2..];
    n = digits(r);
    if r.get(n) == Some(&b',') {
        r = &r[n + 1..];
        *after = number(r);
    } else {
        *after = 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATCH: &str = "From 1234567890123456789012345678901234567890 Mon Sep 17 00:00:00 2001
From: A <a@example.org>
Subject: [PATCH] x: change

Text.
---
 a | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/a b/a
index 1111111..2222222 100644
--- a/a
+++ b/a
@@ -1,3 +1,3 @@ ctx
 one
-two
+2
 three
diff --git a/b b/b
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/b
@@ -0,0 +1 @@
+b
\\ No newline at end of file
-- 
2.47.3
";

    #[test]
    fn message_index_lines_and_line_numbers_do_not_count() {
        let id = patch_id(PATCH.as_bytes()).expect("an id");
        let reworded = PATCH
            .replace("Text.", "Other text.\n\nMore.")
            .replace("1111111..2222222", "abcdef0..0fedcba")
            .replace("@@ -1,3 +1,3 @@ ctx", "@@ -10,3 +12,3 @@")
            .replace("-- \n2.47.3\n", "-- \n2.30.0\n");
        assert_eq!(patch_id(reworded.as_bytes()).as_deref(), Some(id.as_str()));
        let respaced = PATCH.replace("+2\n", "+ 2 \n");
        assert_eq!(patch_id(respaced.as_bytes()).as_deref(), Some(id.as_str()));
        let changed = PATCH.replace("+2\n", "+3\n");
        assert_ne!(patch_id(changed.as_bytes()).as_deref(), Some(id.as_str()));
    }

    #[test]
    fn files_are_summed_in_any_order() {
        let (head, files) = PATCH.split_once("diff --git a/a").expect("first file");
        let (first, second) = files.split_once("diff --git a/b").expect("second file");
        let (second, tail) = second.split_once("-- \n").expect("signature");
        let swapped = format!("{head}diff --git a/b{second}diff --git a/a{first}-- \n{tail}");
        assert_eq!(patch_id(swapped.as_bytes()), patch_id(PATCH.as_bytes()));
    }

    #[test]
    fn text_without_a_diff_has_no_id() {
        assert_eq!(patch_id(b"Subject: hello\n\nno diff here\n"), None);
        assert_eq!(patch_id(b""), None);
    }

    #[test]
    fn every_patch_of_a_stream_has_its_id() {
        let two = format!("{PATCH}{PATCH}");
        let ids = patch_ids(two.as_bytes());
        assert_eq!(ids.len(), 2);
        assert_eq!(ids[0], ids[1]);
    }

    #[test]
    fn binary_files_count_by_their_blob_ids() {
        let binary = |ids: &str| {
            format!(
                "diff --git a/f b/f\nindex {ids} 100644\nBinary files a/f and b/f differ\n\
                 diff --git a/g b/g\nindex 1..2 100644\n--- a/g\n+++ b/g\n@@ -1 +1 @@\n-a\n+b\n"
            )
        };
        let one = patch_id(binary("aaaaaaa..bbbbbbb").as_bytes());
        assert!(one.is_some());
        assert_ne!(one, patch_id(binary("aaaaaaa..ccccccc").as_bytes()));
    }

    #[test]
    fn hunk_headers_are_read_as_git_reads_them() {
        let (mut before, mut after) = (-1, -1);
        scan_hunk_header(b"@@ -3 +4,7 @@", &mut before, &mut after);
        assert_eq!((before, after), (1, 7));
        scan_hunk_header(b"@@ -0,0 +1 @@ f", &mut before, &mut after);
        assert_eq!((before, after), (0, 1));
    }
}
