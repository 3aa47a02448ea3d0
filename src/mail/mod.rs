//! A patch series posted as mail: an mbox split into messages (`split_mbox`), what
//! `git mailinfo` takes from each patch mail (`mailinfo`), and the series a maintainer
//! would apply from them (`posted_series`: newest revision, cover letter, base commit).
//!
//! Every byte is the poster's: nothing here panics, loops without bound or grows faster
//! than the input, and errors name the mbox line. This module reads bytes only: it
//! touches no file, no repository and runs nothing; applying the patches is the caller's.

mod decode;
mod info;
mod mbox;
mod series;
#[cfg(test)]
mod tests;

pub use info::mailinfo;
pub use mbox::split_mbox;
pub use series::posted_series;

/// The most an mbox may weigh: far above any series (the biggest kernel series are a few
/// MiB), small enough to hold in memory a few times over.
pub const MAX_MBOX_BYTES: usize = 64 << 20;

/// One message of an mbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mail {
    /// 1-based line of its "From " separator in the mbox (1 for a lone message).
    pub line: usize,
    /// Without the angle brackets; empty when absent.
    pub message_id: String,
    /// Decoded (RFC 2047), unfolded, as posted: "[PATCH v2 3/7] x86/xen: ...".
    pub subject: String,
    /// The decoded From header, "Name <addr>".
    pub from: String,
    pub date: String,
    /// Without angle brackets.
    pub in_reply_to: Option<String>,
    /// Without angle brackets, in order.
    pub references: Vec<String>,
    /// The body as git mailinfo reads it, decoded to UTF-8: transfer encoding undone,
    /// the parts of a multipart message in order, each in its charset.
    pub body: String,
}

/// What `git mailinfo` extracts from one patch mail.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MailInfo {
    pub author_name: String,
    pub author_email: String,
    pub date: String,
    /// Cleaned as git mailinfo does by default: "[PATCH v2 3/7] " and "Re: " prefixes
    /// stripped, whitespace squeezed.
    pub subject: String,
    /// The commit message after the subject, as mailinfo's msg file.
    pub message: String,
    /// The diff part, as mailinfo's patch file; in UTF-8, where mailinfo keeps the bytes
    /// of a mail posted in another charset.
    pub patch: String,
}

/// One patch of a posted series.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostedPatch {
    pub mail: Mail,
    /// i of i/M.
    pub number: usize,
    /// M of i/M.
    pub total: usize,
    /// N of vN.
    pub revision: u32,
    pub info: MailInfo,
}

/// The series an mbox posts, as `b4 am` would pick it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostedSeries {
    /// The 0/M message of the chosen revision, if posted.
    pub cover: Option<Mail>,
    /// 1..=M of the newest revision, in order.
    pub patches: Vec<PostedPatch>,
    /// N of [PATCH vN ...], 1 without vN.
    pub revision: u32,
    /// "base-commit: <sha>" of the cover letter, else of patch 1.
    pub base_commit: Option<String>,
    /// "prerequisite-patch-id: <id>" lines, from the same place.
    pub prerequisite_patch_ids: Vec<String>,
    /// What was left out and why: older revisions, replies, messages without a diff.
    pub skipped: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the mbox is {size} bytes, more than the {limit} read")]
    TooLarge { size: usize, limit: usize },
    #[error("no patch in the mbox ({messages} messages, none with a diff)")]
    NoPatch { messages: usize },
    #[error(
        "mbox line {line}: v{revision} of the series has no patch {number}/{total} \
         (posted: {posted})"
    )]
    MissingPatch {
        line: usize,
        revision: u32,
        number: usize,
        total: usize,
        posted: String,
    },
    #[error(
        "mbox line {line}: a second, different message for patch {number}/{total} of \
         v{revision} (the first is at line {first_line})"
    )]
    DuplicatePatch {
        line: usize,
        first_line: usize,
        revision: u32,
        number: usize,
        total: usize,
    },
    #[error(
        "mbox line {line}: `{subject}` says {number}/{total}, but v{revision} of the series \
         has {expected} patches (line {expected_line})"
    )]
    InconsistentTotal {
        line: usize,
        subject: String,
        revision: u32,
        number: usize,
        total: usize,
        expected: usize,
        expected_line: usize,
    },
}
