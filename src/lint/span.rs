//! Spans of a series: the commit where something appears after the base, and the one that
//! takes it away again.

use std::collections::{BTreeMap, BTreeSet};

/// Where a change first appears after the base, and the commit that takes it away again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakSpan {
    pub culprit: usize,
    pub repair: Option<usize>,
}

/// A set of items along a series: a `BTreeSet`, or the keys of a map held elsewhere.
pub trait Items<K> {
    /// In order.
    fn items<'a>(&'a self) -> impl Iterator<Item = &'a K>
    where
        K: 'a;
    fn has(&self, item: &K) -> bool;
}

impl<K: Ord> Items<K> for BTreeSet<K> {
    fn items<'a>(&'a self) -> impl Iterator<Item = &'a K>
    where
        K: 'a,
    {
        self.iter()
    }
    fn has(&self, item: &K) -> bool {
        self.contains(item)
    }
}

impl<K: Ord, V> Items<K> for &BTreeMap<K, V> {
    fn items<'a>(&'a self) -> impl Iterator<Item = &'a K>
    where
        K: 'a,
    {
        self.keys()
    }
    fn has(&self, item: &K) -> bool {
        self.contains_key(item)
    }
}

/// Items of `sets` that are not in the base set, with the commits that bring them in and
/// (if any) take them out again.
pub fn new_items<K: Ord + Clone, S: Items<K>>(sets: &[S]) -> Vec<(K, BreakSpan)> {
    let mut out = Vec::new();
    for i in 1..sets.len() {
        for item in sets[i].items().filter(|item| !sets[i - 1].has(item)) {
            if sets[0].has(item) {
                continue;
            }
            let repair = (i + 1..sets.len()).find(|&j| !sets[j].has(item));
            out.push((item.clone(), BreakSpan { culprit: i, repair }));
        }
    }
    out
}
