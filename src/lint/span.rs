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
    /// Whether `other` is this very set (then nothing is new in it).
    fn is(&self, _other: &Self) -> bool {
        false
    }
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
    fn is(&self, other: &Self) -> bool {
        std::ptr::eq(*self, *other)
    }
}

/// Items of `sets` that are not in the base set, with the commits that bring them in and
/// (if any) take them out again.
pub fn new_items<K: Ord + Clone, S: Items<K>>(sets: &[S]) -> Vec<(K, BreakSpan)> {
    let mut out = Vec::new();
    for i in (1..sets.len()).filter(|&i| !sets[i].is(&sets[i - 1])) {
        for item in difference(sets[i].items(), sets[i - 1].items()) {
            if sets[0].has(item) {
                continue;
            }
            let repair = (i + 1..sets.len()).find(|&j| !sets[j].has(item));
            out.push((item.clone(), BreakSpan { culprit: i, repair }));
        }
    }
    out
}

/// The items of `new` not in `old`, both in order: one walk over both, as
/// `BTreeSet::difference` does (a lookup per item costs more when the sets are alike).
fn difference<'a, K: Ord + 'a>(
    new: impl Iterator<Item = &'a K>,
    old: impl Iterator<Item = &'a K>,
) -> impl Iterator<Item = &'a K> {
    let mut old = old.peekable();
    new.filter(move |item| {
        while old.next_if(|o| o < item).is_some() {}
        old.peek() != Some(item)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_items_are_those_missing_from_the_commit_before_and_the_base() {
        let sets: Vec<BTreeSet<u32>> = [&[1, 2][..], &[1, 3, 4], &[3, 4], &[2, 4], &[2, 4]]
            .iter()
            .map(|s| s.iter().copied().collect())
            .collect();
        let span = |culprit, repair| BreakSpan { culprit, repair };
        // 2 is in the base: never new. 3 comes at 1 and goes at 3; 4 comes at 1 for good.
        assert_eq!(
            new_items(&sets),
            [(3, span(1, Some(3))), (4, span(1, None))]
        );
        // The same maps by reference give the same.
        let maps: Vec<BTreeMap<u32, ()>> = (sets.iter())
            .map(|s| s.iter().map(|&k| (k, ())).collect())
            .collect();
        let refs: Vec<&BTreeMap<u32, ()>> = vec![&maps[0], &maps[1], &maps[2], &maps[3], &maps[3]];
        assert_eq!(new_items(&refs), new_items(&sets));
    }

    #[test]
    fn the_difference_of_sorted_items_walks_both_once() {
        let (new, old) = ([1, 3, 5, 7, 9], [0, 3, 4, 9, 10]);
        let left: Vec<&i32> = difference(new.iter(), old.iter()).collect();
        assert_eq!(left, [&1, &5, &7]);
        assert_eq!(difference(new.iter(), [].iter()).count(), 5);
        assert_eq!(difference([].iter(), old.iter()).count(), 0);
    }
}
