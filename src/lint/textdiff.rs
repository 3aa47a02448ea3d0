//! Text comparisons between a commit and its parent, by a diff (the `similar` crate), never
//! by guessing: which lines a commit wrote, and how two lists of lines pair up.

use std::collections::BTreeSet;

use similar::{capture_diff_slices, Algorithm, DiffOp, TextDiff};

/// The lines (1-based numbers in `new`) that the change from `old` to `new` wrote:
/// inserted, or replacing others. A line that only moved because lines were added above
/// it is not one of them.
pub fn written_lines(old: &str, new: &str) -> BTreeSet<u32> {
    let diff = TextDiff::from_lines(old, new);
    let mut out = BTreeSet::new();
    for op in diff.ops() {
        if let DiffOp::Insert {
            new_index, new_len, ..
        }
        | DiffOp::Replace {
            new_index, new_len, ..
        } = *op
        {
            out.extend((new_index..new_index + new_len).map(|i| i as u32 + 1));
        }
    }
    out
}

/// The first difference between two lists: `(Some(old), Some(new))` for a line replaced,
/// `(None, Some(new))` for one added, `(Some(old), None)` for one removed, as indices.
pub fn first_change<T: PartialEq + std::hash::Hash + Eq + Ord>(
    old: &[T],
    new: &[T],
) -> Option<(Option<usize>, Option<usize>)> {
    capture_diff_slices(Algorithm::Myers, old, new)
        .into_iter()
        .find_map(|op| match op {
            DiffOp::Equal { .. } => None,
            DiffOp::Insert { new_index, .. } => Some((None, Some(new_index))),
            DiffOp::Delete { old_index, .. } => Some((Some(old_index), None)),
            DiffOp::Replace {
                old_index,
                new_index,
                ..
            } => Some((Some(old_index), Some(new_index))),
        })
}

/// The lines of `old` and `new` as a diff hunk of `keyword` lines: `-` for lines only in
/// `old`, `+` for lines only in `new`, a space for lines in both (no header: the finding
/// names the files).
pub fn hunk<T: AsRef<str> + Clone + std::hash::Hash + Eq + Ord>(
    keyword: &str,
    old: &[T],
    new: &[T],
) -> String {
    let mut out = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, old, new) {
        for change in op.iter_changes(old, new) {
            let sign = match change.tag() {
                similar::ChangeTag::Equal => ' ',
                similar::ChangeTag::Delete => '-',
                similar::ChangeTag::Insert => '+',
            };
            out.push(format!("{sign} {keyword} {}", change.value().as_ref()));
        }
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_moved_by_an_insertion_are_not_written() {
        let old = "a\nb\nc\n";
        let new = "a\nx\nb\nc2\n";
        assert_eq!(written_lines(old, new), BTreeSet::from([2, 4]));
    }

    #[test]
    fn an_inserted_line_is_an_addition_not_a_shifted_pairing() {
        let old = ["depends on DVB_USB", "depends on I2C"];
        let new = ["depends on BROKEN", "depends on DVB_USB", "depends on I2C"];
        assert_eq!(first_change(&old, &new), Some((None, Some(0))));
        let changed = ["depends on DVB_USB && BROKEN", "depends on I2C"];
        assert_eq!(first_change(&old, &changed), Some((Some(0), Some(0))));
        let dropped = ["depends on I2C"];
        assert_eq!(first_change(&old, &dropped), Some((Some(0), None)));
        assert_eq!(first_change(&old, &old), None);
        assert_eq!(
            hunk(
                "depends on",
                &["DVB_USB", "I2C"],
                &["BROKEN", "DVB_USB", "I2C"]
            ),
            "+ depends on BROKEN\n  depends on DVB_USB\n  depends on I2C"
        );
    }
}
