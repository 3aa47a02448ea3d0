//! Parsed subtrees kept for reuse: what a `source` statement brought into the model (the
//! file and every file it sourced in turn), so that a tree sourcing the same files in the
//! same place splices the entries in instead of lexing and parsing them again. A commit
//! that changes one Kconfig file parses that file and the files on its `source` chain; the
//! other subtrees come from the commit before it, and an arch reuses the subtrees of the
//! arches read before it (`drivers/Kconfig` reads alike under every arch).
//!
//! The parser records a subtree (`Recording`) for the files it pushes at depths 2 to
//! `RECORD_DEPTH` of the `source` chain (the top `Kconfig` is depth 1), and keeps it
//! (`Fragment`) only when its parse depended on nothing outside it but what is kept with
//! it:
//! - every file it read, with its blob id (a file `osource` found missing, as none): a
//!   splice needs each to be the same blob;
//! - where it was sourced: the open blocks (conf's parser stack), the operands its entries
//!   inherit from the enclosing block, and the Kconfig dialect; no enclosing `visible if`
//!   (prompts would inherit it) and no enclosing choice;
//! - the symbols it looked up, by name, in the order it first looked each up: replaying the
//!   lookups creates missing symbols in the order a parse would have;
//! - what it did to symbols that may exist outside it (types, choice-member checks,
//!   `transitional`, `optional`), replayed in order, with conf's warnings where the symbol's
//!   state outside now differs;
//! - the budgets it spent (operands, `select` lines per target, inherited `visible if`): a
//!   splice that would pass one is not made, and the parse reports it where it happens.
//!
//! Not kept: a subtree with any message (the tree's messages stay in order), any macro
//! expansion or assignment (the macro language's state is global), `option` statements,
//! named choices (6.1: they join a choice of the same name), blocks left open or closed
//! across its end, and one whose end was read as part of a statement outside it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::model::{FileId, Menu, MenuId, Property, SymbolId, SymbolType};
use crate::source::ContentId as Oid;

/// Files pushed at most this deep in the `source` chain are recorded: deep enough that one
/// `$(...)` in a driver of drivers/gpu/drm/ (6.12: msm, at depth 5) leaves the other
/// drivers there kept, not every file under drivers/gpu/drm/ parsed again for each tree.
/// A level deeper costs more in recording than it keeps (measured on the bench series).
pub(super) const RECORD_DEPTH: usize = 5;

/// The entries and properties the cache holds at most, over every subtree it keeps (about
/// three full trees' worth; a 6.12 tree has some 60,000). Past it, the subtrees used
/// longest ago go first.
const MAX_HELD: usize = 200_000;

/// What a subtree's parse depended on from the statement that sourced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Context {
    /// The Kconfig dialect (`Dialect::bool_choices_only`, `Dialect::optional_choices`).
    pub bool_choices_only: bool,
    pub optional_choices: bool,
    /// Open `if`, `menu` and `choice` blocks around the `source` statement.
    pub blocks: u32,
    /// Operands each entry inherits from the enclosing block.
    pub inherited: u32,
}

/// A symbol a subtree looked up, as it names it.
#[derive(Debug, Clone)]
pub(super) enum SymRef {
    Named {
        /// Shared by the trees the subtree is spliced into while they record.
        name: Arc<str>,
        is_const: bool,
    },
    /// The anonymous symbol of a `choice`, made at the choice.
    Choice,
}

/// What a subtree did to a symbol that may exist outside it, in recorded ids.
#[derive(Debug, Clone, Copy)]
pub(super) enum Op {
    /// menu_set_type() for an entry.
    SetType(MenuId, SymbolType),
    /// The checks of a choice member (entry, symbol).
    ChoiceMember(MenuId, SymbolId),
    Transitional(SymbolId),
    Optional(SymbolId),
}

/// Counters of the parser when a recording starts.
#[derive(Debug, Clone, Copy)]
pub(super) struct Marks {
    pub menus: usize,
    pub props: usize,
    pub diagnostics: usize,
    pub tree_operands: u64,
    pub visibility: usize,
    pub macro_entries: u64,
    pub sourced: u32,
    pub bytes: u64,
}

/// A subtree being parsed.
pub(super) struct Recording {
    pub path: String,
    pub id: Oid,
    /// The depth of its file in the `source` chain.
    pub depth: usize,
    /// Tokens consumed when the file was closed, once it is.
    pub closed_at: Option<u64>,
    /// Then: the file and line where its last statement started, and where its last
    /// token ended (none without a statement).
    pub end: Option<(FileId, u32, u32)>,
    /// Something it did is not kept (see the module docs).
    pub tainted: bool,
    pub context: Context,
    /// The block its entries go into.
    pub parent: MenuId,
    pub marks: Marks,
    pub reads: Vec<(String, Option<Oid>)>,
    pub files: Vec<(FileId, String)>,
    files_seen: IdSet,
    pub syms: Vec<(SymbolId, SymRef)>,
    syms_seen: IdSet,
    pub ops: Vec<Op>,
    /// `select` and `imply` lines by target.
    pub selects: Vec<(SymbolId, u32)>,
}

impl Recording {
    pub fn new(
        path: &str,
        id: Oid,
        file: FileId,
        depth: usize,
        context: Context,
        parent: MenuId,
        marks: Marks,
    ) -> Self {
        let mut recording = Recording {
            path: path.to_string(),
            id,
            depth,
            closed_at: None,
            end: None,
            tainted: false,
            context,
            parent,
            marks,
            reads: vec![(path.to_string(), Some(id))],
            files: Vec::new(),
            files_seen: Default::default(),
            syms: Vec::new(),
            syms_seen: Default::default(),
            ops: Vec::new(),
            selects: Vec::new(),
        };
        recording.file(file, path);
        recording
    }

    pub fn file(&mut self, id: FileId, name: &str) {
        if self.files_seen.insert(id.0) {
            self.files.push((id, name.to_string()));
        }
    }

    pub fn has_file(&self, id: FileId) -> bool {
        self.files_seen.contains(id.0)
    }

    /// Note a named symbol the subtree refers to; `name` is asked only for one not noted.
    pub fn symbol(&mut self, id: SymbolId, is_const: bool, name: &mut dyn FnMut() -> Arc<str>) {
        if self.syms_seen.insert(id.0) {
            let name = name();
            self.syms.push((id, SymRef::Named { name, is_const }));
        }
    }

    pub fn choice(&mut self, id: SymbolId) {
        self.syms_seen.insert(id.0);
        self.syms.push((id, SymRef::Choice));
    }
}

/// A set of dense ids (symbols, files of one tree) as bits: a recording notes every
/// symbol a subtree names, and a hashed set cost more than the rest of the note.
#[derive(Default)]
struct IdSet(Vec<u64>);

impl IdSet {
    /// Add `id`; whether it was not there.
    fn insert(&mut self, id: u32) -> bool {
        let (word, bit) = ((id / 64) as usize, 1u64 << (id % 64));
        if word >= self.0.len() {
            self.0.resize(word + 1, 0);
        }
        let new = self.0[word] & bit == 0;
        self.0[word] |= bit;
        new
    }

    fn contains(&self, id: u32) -> bool {
        self.0
            .get((id / 64) as usize)
            .is_some_and(|w| w & (1u64 << (id % 64)) != 0)
    }
}

/// A subtree kept: the model's entries and properties it made, in recorded ids.
#[derive(Debug)]
pub(super) struct Fragment {
    pub context: Context,
    pub reads: Vec<(String, Option<Oid>)>,
    pub files: Vec<(FileId, String)>,
    pub syms: Vec<(SymbolId, SymRef)>,
    /// The block its top entries went into, and the ids its first entry and property had.
    pub parent: MenuId,
    pub menu_base: u32,
    pub prop_base: u32,
    pub menus: Vec<Menu>,
    pub props: Vec<Property>,
    pub entry_operands: Vec<u32>,
    pub ops: Vec<Op>,
    /// `select`/`imply` targets, with their index in `syms` (none for `y`, `m`, `n`) and
    /// their lines.
    pub selects: Vec<(SymbolId, Option<usize>, u32)>,
    pub operands: u64,
    pub visibility: usize,
    /// Files opened by `source` statements inside it, and bytes it read (its own file's
    /// included).
    pub sourced: u32,
    pub bytes: u64,
    /// Where its last statement started and ended (`Recording::end`).
    pub end: Option<(FileId, u32, u32)>,
    last_used: AtomicU64,
}

impl Fragment {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        recording: Recording,
        menus: Vec<Menu>,
        props: Vec<Property>,
        entry_operands: Vec<u32>,
        operands: u64,
        visibility: usize,
        (sourced, bytes): (u32, u64),
    ) -> Fragment {
        let index: HashMap<u32, usize> = recording
            .syms
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (id.0, i))
            .collect();
        // Lines per target, each target once, in first-line order.
        let mut selects: Vec<(SymbolId, Option<usize>, u32)> = Vec::new();
        let mut at: HashMap<u32, usize> = HashMap::new();
        for &(id, n) in &recording.selects {
            match at.get(&id.0) {
                Some(&k) => selects[k].2 += n,
                None => {
                    at.insert(id.0, selects.len());
                    selects.push((id, index.get(&id.0).copied(), n));
                }
            }
        }
        Fragment {
            context: recording.context,
            reads: recording.reads,
            files: recording.files,
            syms: recording.syms,
            parent: recording.parent,
            menu_base: recording.marks.menus as u32,
            prop_base: recording.marks.props as u32,
            menus,
            props,
            entry_operands,
            ops: recording.ops,
            selects,
            operands,
            visibility,
            sourced,
            bytes,
            end: recording.end,
            last_used: AtomicU64::new(0),
        }
    }

    fn weight(&self) -> usize {
        self.menus.len() + self.props.len()
    }
}

/// The subtrees kept for a run, shared by the trees of every commit and arch it reads.
#[derive(Clone, Default)]
pub struct SubtreeCache {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Default)]
struct Inner {
    by_file: HashMap<(String, Oid), Vec<Arc<Fragment>>>,
    held: usize,
    clock: u64,
    spliced: u64,
}

impl SubtreeCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many times a kept subtree was spliced into a tree.
    pub fn spliced(&self) -> u64 {
        self.inner.lock().expect("subtree cache lock").spliced
    }

    pub(super) fn note_splice(&self) {
        self.inner.lock().expect("subtree cache lock").spliced += 1;
    }

    /// The subtrees kept for `path` when it is blob `id`, used last first.
    pub(super) fn candidates(&self, path: &str, id: Oid) -> Vec<Arc<Fragment>> {
        let mut inner = self.inner.lock().expect("subtree cache lock");
        inner.clock += 1;
        let now = inner.clock;
        let key = (path.to_string(), id);
        let Some(list) = inner.by_file.get(&key) else {
            return Vec::new();
        };
        let mut out = list.clone();
        out.sort_by_key(|f| std::cmp::Reverse(f.last_used.load(Ordering::Relaxed)));
        for f in &out {
            f.last_used.store(now, Ordering::Relaxed);
        }
        out
    }

    /// Keep `fragment` for `path` at blob `id`, unless an equal one is kept.
    pub(super) fn insert(&self, path: String, id: Oid, fragment: Fragment) {
        let mut inner = self.inner.lock().expect("subtree cache lock");
        inner.clock += 1;
        fragment.last_used.store(inner.clock, Ordering::Relaxed);
        let weight = fragment.weight();
        if weight > MAX_HELD {
            return;
        }
        let list = inner.by_file.entry((path, id)).or_default();
        if list
            .iter()
            .any(|f| f.context == fragment.context && f.reads == fragment.reads)
        {
            return;
        }
        list.push(Arc::new(fragment));
        inner.held += weight;
        while inner.held > MAX_HELD {
            inner.evict_one();
        }
    }
}

impl Inner {
    fn evict_one(&mut self) {
        let oldest = self
            .by_file
            .iter()
            .flat_map(|(key, list)| {
                list.iter()
                    .enumerate()
                    .map(move |(i, f)| (f.last_used.load(Ordering::Relaxed), key, i))
            })
            .min_by_key(|(used, _, _)| *used)
            .map(|(_, key, i)| (key.clone(), i));
        let Some((key, i)) = oldest else {
            self.held = 0;
            return;
        };
        let list = self.by_file.get_mut(&key).expect("found just now");
        let gone = list.remove(i);
        self.held -= gone.weight();
        if list.is_empty() {
            self.by_file.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::IdSet;

    #[test]
    fn an_id_set_holds_what_was_inserted_across_words() {
        let mut set = IdSet::default();
        assert!(!set.contains(0) && !set.contains(5000));
        for id in [0, 63, 64, 5000] {
            assert!(set.insert(id), "{id} is new");
            assert!(!set.insert(id), "{id} is there");
        }
        let held: Vec<u32> = (0..6000).filter(|&id| set.contains(id)).collect();
        assert_eq!(held, [0, 63, 64, 5000]);
    }
}
