//! Which arch each worker lints next, and how: arches are independent, so they are spread
//! over the machine's cores, the ones a series changes most first; an arch taken while
//! others wait reads its trees on its worker's thread, the last ones pipeline their own
//! work over threads of their own (`trees::read_ahead`).

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// The arches still to lint, taken from the end.
pub(super) struct ArchQueue {
    order: Mutex<Vec<String>>,
    cores: usize,
}

impl ArchQueue {
    pub(super) fn new(arches: &[String], changed: &[HashSet<String>], cores: usize) -> Self {
        ArchQueue {
            order: Mutex::new(work_order(arches, changed)),
            cores,
        }
    }

    /// The next arch, and whether its trees are read ahead on threads of their own: only
    /// when fewer arches are left than cores. While other arches wait, they keep the cores
    /// busy, and handing each tree from thread to thread costs more than it overlaps.
    pub(super) fn next(&self) -> Option<(String, bool)> {
        let mut order = self.order.lock().expect("queue lock");
        let arch = order.pop()?;
        Some((arch, order.len() + 1 < self.cores))
    }
}

/// The arches in the order the workers take them (from the end): the arches whose own
/// `arch/` directory the series changes most are taken first. Each such commit makes a tree
/// of that arch again, where an arch the series leaves alone reuses its tree; taken last, a
/// long arch would leave the other cores idle while it ends.
fn work_order(arches: &[String], changed: &[HashSet<String>]) -> Vec<String> {
    // Commits that change something under arch/<dir>/, by <dir>: one pass over the paths.
    let mut commits: HashMap<&str, usize> = HashMap::new();
    for paths in changed {
        let dirs: HashSet<&str> = (paths.iter())
            .filter_map(|p| p.strip_prefix("arch/")?.split_once('/'))
            .map(|(dir, _)| dir)
            .collect();
        dirs.into_iter()
            .for_each(|dir| *commits.entry(dir).or_default() += 1);
    }
    let mut order = arches.to_vec();
    // Stable: arches alike keep the order they came in.
    order.sort_by_key(|arch| commits.get(arch.as_str()).copied().unwrap_or(0));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_arches_a_series_changes_most_are_taken_first() {
        let arches: Vec<String> = ["arm64", "riscv", "x86"].map(String::from).to_vec();
        let commit = |paths: &[&str]| paths.iter().map(|p| p.to_string()).collect();
        let changed: Vec<HashSet<String>> = vec![
            commit(&[]),
            commit(&["arch/x86/Kconfig", "arch/x86/xen/Kconfig"]),
            commit(&["arch/arm64/Kconfig", "drivers/Kconfig"]),
            commit(&["arch/x86/Makefile"]),
            commit(&["arch/x86_64/Kconfig"]),
        ];
        let mut order = work_order(&arches, &changed);
        // Workers pop from the end: x86 (two commits), then arm64 (one), then riscv.
        let taken: Vec<String> = std::iter::from_fn(|| order.pop()).collect();
        assert_eq!(taken, ["x86", "arm64", "riscv"]);
    }

    #[test]
    fn only_the_last_arches_read_ahead() {
        let arches: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let queue = ArchQueue::new(&arches, &[], 2);
        let taken: Vec<(String, bool)> = std::iter::from_fn(|| queue.next()).collect();
        let ahead: Vec<bool> = taken.iter().map(|(_, ahead)| *ahead).collect();
        assert_eq!(ahead, [false, false, true]);
        // One arch on two cores: it has them to itself.
        let queue = ArchQueue::new(&arches[..1], &[], 2);
        assert_eq!(queue.next(), Some(("a".to_string(), true)));
        assert_eq!(queue.next(), None);
    }
}
