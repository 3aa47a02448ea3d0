//! Spans of a series: the commit where something appears after the base, and the one that
//! takes it away again.

use std::collections::BTreeSet;

/// Where a change first appears after the base, and the commit that takes it away again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakSpan {
    pub culprit: usize,
    pub repair: Option<usize>,
}

/// Items of `sets` that are not in the base set, with the commits that bring them in and
/// (if any) take them out again.
pub fn new_items<K: Ord + Clone>(sets: &[BTreeSet<K>]) -> Vec<(K, BreakSpan)> {
    let mut out = Vec::new();
    for i in 1..sets.len() {
        for item in sets[i].difference(&sets[i - 1]) {
            if sets[0].contains(item) {
                continue;
            }
            let repair = (i + 1..sets.len()).find(|&j| !sets[j].contains(item));
            out.push((item.clone(), BreakSpan { culprit: i, repair }));
        }
    }
    out
}
