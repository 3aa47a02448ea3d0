//! What a configuration builds: walk the tree as `make vmlinux modules` does, from the
//! top-level Kbuild (with the arch Makefile's `core-y`, `libs-y` and `drivers-y`) down every
//! directory Kbuild descends into, applying scripts/Makefile.lib's rules to each directory's
//! lists: composite objects, `lib-y`, `obj-m` filtered by `obj-y`, `subdir-y`, and the
//! `need-builtin` / `need-modorder` flags scripts/Makefile.build passes down.
//!
//! The result is every object compiled, each with the kind of build it serves and the
//! Makefile line that brought it in. Host programs (scripts/) are not part of it.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use crate::make::{normalize, pattern_matches, Make, Origin, Rule, SharedVars, Unknown, SRCTREE};
use crate::source::{Source, SourceError};
use crate::{FastMap, FastSet};

/// How an object ends up in the kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Linked into vmlinux (`obj-y`, `lib-y`, `extra-y`).
    BuiltIn,
    /// Part of a loadable module (`obj-m`).
    Module,
}

/// One compiled object.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Object {
    pub kind: Kind,
    /// The list that named it: `obj-y`, `obj-m`, `lib-y`, `extra-y`, `always-y`.
    pub list: &'static str,
    /// The Makefile line that named the object (for a part of a composite object, the
    /// line naming the part).
    pub file: String,
    pub line: u32,
    /// CONFIG_ symbols that gate it, from its own line, the conditionals around it, the
    /// composite it is part of and every directory above it.
    pub gates: Vec<String>,
}

/// Every object of one configuration.
#[derive(Debug, Default, PartialEq, serde::Serialize)]
pub struct ObjectSet {
    /// Shared with the walks before when their directories are taken (`WalkMemo`): a
    /// set costs its map, not its objects again.
    pub objects: BTreeMap<Arc<str>, Arc<Object>>,
    /// Directories visited, in order.
    pub dirs: Vec<String>,
    /// Constructs not understood on lines that decide the build.
    pub unknown: Vec<Unknown>,
    /// Directories `$(wildcard)` listed (files added or removed there can change the set).
    #[serde(skip)]
    pub dirs_listed: Vec<String>,
}

/// The architecture and configuration to walk for.
pub struct Request<'a> {
    pub arch: &'a str,
    pub srcarch: &'a str,
    /// `CONFIG_X` -> value, as include/config/auto.conf has them (symbols set to n absent),
    /// shared by the walks of one configuration.
    pub config: &'a SharedVars,
}

/// The values of a `.config` as auto.conf has them.
pub fn config_values(dot_config: &str) -> SharedVars {
    autoconf_vars(crate::kconfig::confdata::config_assignments(dot_config))
}

/// The `CONFIG_` variables auto.conf sets for symbols with `values` (name without the
/// prefix, value as in .config): those set to n are absent.
pub fn autoconf_vars<'v>(values: impl Iterator<Item = (&'v str, &'v str)>) -> SharedVars {
    SharedVars::from_pairs(
        values
            .filter(|(_, v)| *v != "n")
            .map(|(k, v)| (format!("CONFIG_{k}"), autoconf_value(v))),
    )
}

/// auto.conf writes strings without their quotes and escapes (conf_write_autoconf()).
pub fn autoconf_value(value: &str) -> String {
    let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else {
        return value.to_string();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Directories one walk enters (each at most once, by its normalised path). A 6.12
/// allmodconfig walk enters about 5,000; past this the rest are not entered and the
/// directory that named them is recorded.
#[cfg(not(fuzzing))]
pub const MAX_WALK_DIRS: usize = 50_000;
/// The fuzz targets spend the walk's budgets with smaller figures (see kconfig::macros).
#[cfg(fuzzing)]
pub const MAX_WALK_DIRS: usize = 500;

/// Directories evaluated for their rules alone (a prerequisite's directory), per walk.
#[cfg(not(fuzzing))]
pub const MAX_RULE_DIRS: usize = 50_000;
#[cfg(fuzzing)]
pub const MAX_RULE_DIRS: usize = 500;

#[derive(Clone, PartialEq, Eq, Hash)]
struct Visit {
    /// Normalised, inside the tree.
    dir: String,
    need_builtin: bool,
    need_modorder: bool,
    gates: Vec<String>,
    /// The Makefile line naming the directory, for records.
    named_at: (String, u32),
}

/// Walk the tree for `request`.
pub fn objects(source: &dyn Source, request: &Request) -> ObjectSet {
    walk(source, request, None, None, &Default::default()).0
}

/// Walk the tree for `request`, taking each directory's part of the result from `memo`
/// (the walk before this one, of the same arch) when nothing that directory's evaluation
/// read has changed since: no file it read or listed is in `changed` (the paths changed
/// since that walk), every file whose existence alone it asked exists as it did, and every
/// variable it looked up (a `CONFIG_` value, `ARCH_CORE`, ...) has the value it had. The
/// memo is then this walk's. Returns the object set and every file the walk depends on.
///
/// `seeds`: directories of other walks (other arches, other configurations), each taken
/// under the same test, with the paths changed between their commit and this one (none
/// for walks of this very commit).
pub fn objects_reusing(
    source: &dyn Source,
    request: &Request,
    memo: &mut WalkMemo,
    seeds: Option<(&WalkSeeds, &FastSet<String>)>,
    changed: &FastSet<String>,
) -> (ObjectSet, WalkReads) {
    let (set, reads, next) = walk(source, request, Some(&*memo), seeds, changed);
    match next {
        Some(next) => {
            *memo = next;
            (set, reads)
        }
        // A walk budget was reached with directories taken from the memo: what the walk
        // enters past it depends on the order rules were read in. Walk it all again.
        None => {
            let (set, reads, next) = walk(source, request, None, None, changed);
            *memo = next.unwrap_or_default();
            (set, reads)
        }
    }
}

/// What a walk read: the files (by path) and the files whose existence alone it asked.
#[derive(Debug, Default)]
pub struct WalkReads {
    pub reads: Vec<String>,
    pub exists: Vec<(String, bool)>,
}

/// Each directory of the last walk with what its evaluation read and what it gave.
#[derive(Default, Clone)]
pub struct WalkMemo {
    dirs: FastMap<Visit, Arc<DirRecord>>,
    src_is_srctree: bool,
    /// Directories taken from the memo by the last walk.
    pub reused: usize,
}

/// The directories of walks made at one commit, as candidates for other walks of that
/// commit: for another arch, or another configuration. Up to `SEED_CANDIDATES` records of
/// each directory are kept, each evaluated with different inputs.
#[derive(Default, Clone)]
pub struct WalkSeeds {
    dirs: FastMap<Visit, Vec<Arc<DirRecord>>>,
    src_is_srctree: bool,
}

/// Records kept of one directory in `WalkSeeds`.
const SEED_CANDIDATES: usize = 4;

impl WalkSeeds {
    /// Add the directories of `memo`, the memo of a walk of this commit.
    pub fn add(&mut self, memo: &WalkMemo) {
        if memo.dirs.is_empty() {
            return;
        }
        // One commit: the same scripts/Makefile.build for every walk of it.
        self.src_is_srctree = memo.src_is_srctree;
        for (visit, record) in &memo.dirs {
            let kept = self.dirs.entry(visit.clone()).or_default();
            if kept.len() < SEED_CANDIDATES && !kept.iter().any(|r| Arc::ptr_eq(r, record)) {
                kept.push(record.clone());
            }
        }
    }
}

/// What evaluating a directory read, to decide later that it would read the same.
#[derive(Debug, Default)]
struct Inputs {
    /// Variables looked up in the base, with their values (None: not set).
    vars: Vec<(String, Option<String>)>,
    reads: Vec<String>,
    exists: Vec<(String, bool)>,
    /// Directories `$(wildcard)` listed.
    listed: Vec<String>,
}

impl Inputs {
    fn still_hold(&self, base: &Base, changed: &FastSet<String>) -> bool {
        self.vars
            .iter()
            .all(|(name, value)| base.vars.value(name) == value.as_deref())
            && self.reads.iter().all(|path| !changed.contains(path))
            && self.exists.iter().all(|(path, existed)| {
                !changed.contains(path) || base.source.exists(path).ok() == Some(*existed)
            })
            && !changed
                .iter()
                .any(|path| self.listed.iter().any(|l| changes_listing(l, path)))
    }
}

/// Whether a change to `path` can change what a listing of directory `listed` gives: a
/// file added or removed in it, or one below it, whose directory may have appeared or
/// gone with it (`""` is the top of the tree).
pub fn changes_listing(listed: &str, path: &str) -> bool {
    listed.is_empty()
        || path
            .strip_prefix(listed)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// One directory of a walk: what it read, and what it added to the walk.
struct DirRecord {
    inputs: Inputs,
    /// Its objects, directories, records and listings, as a walk of it alone gives them.
    out: ObjectSet,
    /// Directories listed while reading other directories' rules.
    rule_listed: Vec<String>,
    children: Vec<Visit>,
    /// Its own rules, as later directories look them up.
    rules: Option<RuleDir>,
}

/// A directory's rules, with what reading them read.
#[derive(Clone)]
struct RuleDir {
    rules: Arc<[Rule]>,
    inputs: Arc<Inputs>,
}

type RuleDirs = FastMap<String, RuleDir>;

/// The walk's view of the tree: every read and existence question logged.
struct Logged<'a> {
    inner: &'a dyn Source,
    log: Mutex<WalkReads>,
}

impl Logged<'_> {
    fn marks(&self) -> (usize, usize) {
        let log = self.log.lock().expect("walk log lock");
        (log.reads.len(), log.exists.len())
    }

    fn since(&self, (reads, exists): (usize, usize)) -> (Vec<String>, Vec<(String, bool)>) {
        let log = self.log.lock().expect("walk log lock");
        (log.reads[reads..].to_vec(), log.exists[exists..].to_vec())
    }
}

impl Source for Logged<'_> {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, SourceError> {
        let found = self.inner.read(path);
        self.log
            .lock()
            .expect("walk log lock")
            .reads
            .push(path.to_string());
        found
    }

    fn exists(&self, path: &str) -> Result<bool, SourceError> {
        let found = self.inner.exists(path)?;
        self.log
            .lock()
            .expect("walk log lock")
            .exists
            .push((path.to_string(), found));
        Ok(found)
    }

    fn list_dir(&self, path: &str) -> Result<Option<Vec<String>>, SourceError> {
        self.inner.list_dir(path)
    }

    fn local_root(&self) -> Option<&std::path::Path> {
        self.inner.local_root()
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }
}

/// The walk itself. With a memo, also the memo of this walk, or None when a budget was
/// reached with directories taken from the memo.
fn walk(
    source: &dyn Source,
    request: &Request,
    memo: Option<&WalkMemo>,
    seeds: Option<(&WalkSeeds, &FastSet<String>)>,
    changed: &FastSet<String>,
) -> (ObjectSet, WalkReads, Option<WalkMemo>) {
    let logged = Logged {
        inner: source,
        log: Mutex::new(WalkReads::default()),
    };
    let source: &dyn Source = &logged;
    let mut set = ObjectSet::default();
    // 6.10 and later: `src` is the source directory; before, it is the object directory.
    let src_is_srctree = source
        .read("scripts/Makefile.build")
        .ok()
        .flatten()
        .is_some_and(|t| {
            String::from_utf8_lossy(&t).contains("src := $(if $(VPATH),$(VPATH)/)$(obj)")
        });

    let fixed: [(&str, &str); 10] = [
        ("srctree", SRCTREE),
        ("objtree", "."),
        ("VPATH", SRCTREE),
        ("ARCH", request.arch),
        ("SRCARCH", request.srcarch),
        ("KBUILD_BUILTIN", "1"),
        ("KBUILD_MODULES", "1"),
        ("CONFIG_SHELL", "sh"),
        ("space", " "),
        ("comma", ","),
    ];
    // auto.conf's values, read after the fixed ones: a `CONFIG_SHELL` there wins.
    let mut vars = crate::make::Vars::over(request.config);
    for &(k, v) in fixed
        .iter()
        .filter(|(k, _)| request.config.value(k).is_none())
    {
        vars.set(k.to_string(), v.to_string());
    }

    // The arch Makefile, read by the top Makefile after auto.conf: ARCH_CORE, ARCH_LIB,
    // ARCH_DRIVERS and exported variables (BITS on x86). It starts from the same variables
    // as every directory, shared rather than copied.
    let mut arch_make = Make::with_base(source, &vars);
    arch_make.set("core-y", "");
    arch_make.set("drivers-y", "");
    arch_make.set("libs-y", "lib/");
    let arch_makefile = format!("arch/{}/Makefile", request.srcarch);
    arch_make.include(&arch_makefile);
    let core = arch_make.value("core-y");
    let libs = arch_make.words("libs-y");
    let drivers = format!(
        "{} {}",
        arch_make.value("drivers-y"),
        arch_make.value("drivers-m")
    );
    let exported = arch_make.exported();
    set.unknown.extend(std::mem::take(&mut arch_make.unknown));
    set.dirs_listed
        .extend(std::mem::take(&mut arch_make.dirs_listed));
    drop(arch_make);
    vars.set("ARCH_CORE".into(), core);
    vars.set(
        "ARCH_LIB".into(),
        libs.iter()
            .filter(|w| w.ends_with('/'))
            .cloned()
            .collect::<Vec<_>>()
            .join(" "),
    );
    vars.set("ARCH_DRIVERS".into(), drivers);
    for (name, value) in exported {
        vars.set(name, value);
    }

    // The top Makefile's prepare0 builds scripts/mod (its empty.o is compiled for the
    // target, to probe the ELF format for modpost), then the tree from `.`.
    let mut queue = VecDeque::from([
        Visit {
            dir: "scripts/mod".into(),
            need_builtin: false,
            need_modorder: false,
            gates: Vec::new(),
            named_at: ("Makefile".into(), 0),
        },
        Visit {
            dir: ".".into(),
            need_builtin: true,
            need_modorder: true,
            gates: Vec::new(),
            named_at: ("Makefile".into(), 0),
        },
    ]);
    let base = Base {
        source,
        logged: &logged,
        listed: Default::default(),
        vars,
        src_is_srctree,
        rule_work: Cell::new(MAX_RULE_WORK),
        used: Default::default(),
        capped: Cell::new(false),
    };
    let memo = memo.filter(|m| m.src_is_srctree == src_is_srctree);
    let seeds = seeds.filter(|(s, _)| s.src_is_srctree == src_is_srctree);
    let mut next = WalkMemo {
        src_is_srctree,
        ..WalkMemo::default()
    };
    let mut rule_dirs = RuleDirs::default();
    // Directories are queued as make spells them and entered once by their normalised
    // path, so `a/./` and `a/b/../` are `a`.
    let mut seen = FastSet::default();
    // Every directory's objects in walk order, made one map at the end.
    let mut objects: Vec<(Arc<str>, Arc<Object>)> = Vec::new();
    while let Some(visit) = queue.pop_front() {
        let entered = tree_dir(&visit.dir).unwrap_or_else(|| visit.dir.clone());
        if !seen.insert(entered) {
            continue;
        }
        if seen.len() > MAX_WALK_DIRS {
            set.unknown.push(Unknown {
                file: visit.named_at.0.clone(),
                line: visit.named_at.1,
                construct: format!(
                    "walk past {MAX_WALK_DIRS} directories: {} and the rest not entered",
                    visit.dir
                ),
            });
            base.capped.set(true);
            break;
        }
        let kept = memo
            .and_then(|m| m.dirs.get(&visit))
            .filter(|record| record.inputs.still_hold(&base, changed))
            .or_else(|| {
                let (seeds, since) = seeds?;
                let kept = seeds.dirs.get(&visit)?;
                kept.iter()
                    .find(|record| record.inputs.still_hold(&base, since))
            });
        let record = match kept {
            Some(record) => {
                next.reused += 1;
                record.clone()
            }
            None => Arc::new(walk_recorded(&base, &visit, &mut rule_dirs)),
        };
        add_dir(&mut set, &mut objects, &record.out);
        base.listed
            .borrow_mut()
            .extend(record.rule_listed.iter().cloned());
        queue.extend(record.children.iter().cloned());
        if let Some(rules) = &record.rules {
            rule_dirs.insert(visit.dir.clone(), rules.clone());
        }
        next.dirs.insert(visit, record);
    }
    set.objects = object_map(objects);
    set.dirs_listed.append(&mut base.listed.borrow_mut());
    set.dirs_listed.sort();
    set.dirs_listed.dedup();
    // Files the directories taken from the memo read count as read by this walk.
    let mut reads = std::mem::take(&mut *logged.log.lock().expect("walk log lock"));
    if next.reused > 0 {
        for record in next.dirs.values() {
            reads.reads.extend(record.inputs.reads.iter().cloned());
            reads.exists.extend(record.inputs.exists.iter().cloned());
        }
    }
    let next = if base.capped.get() {
        // Which directories a budget cuts off depends on the order rules were read in.
        (next.reused == 0).then(WalkMemo::default)
    } else {
        Some(next)
    };
    (set, reads, next)
}

/// Add what one directory gave to the walk's set, as walking it there would have; its
/// objects to `objects` (`object_map` makes them the set's).
fn add_dir(set: &mut ObjectSet, objects: &mut Vec<(Arc<str>, Arc<Object>)>, dir: &ObjectSet) {
    objects.extend(dir.objects.iter().map(|(p, o)| (p.clone(), o.clone())));
    set.dirs.extend(dir.dirs.iter().cloned());
    set.unknown.extend(dir.unknown.iter().cloned());
    set.dirs_listed.extend(dir.dirs_listed.iter().cloned());
}

/// The walk's objects from every directory's, in walk order: an object named in several
/// directories is the one of the lowest kind, the first named among those. Sorted once
/// and built in one go, rather than looked up and inserted one at a time.
fn object_map(mut objects: Vec<(Arc<str>, Arc<Object>)>) -> BTreeMap<Arc<str>, Arc<Object>> {
    // Stable: objects of one path and kind stay in walk order.
    objects.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.kind.cmp(&b.1.kind)));
    objects.dedup_by(|later, first| later.0 == first.0);
    objects.into_iter().collect()
}

/// Walk one directory on its own, recording what it read.
fn walk_recorded(base: &Base, visit: &Visit, rule_dirs: &mut RuleDirs) -> DirRecord {
    let marks = base.source_marks();
    let used_from = base.used.borrow().len();
    let listed_from = base.listed.borrow().len();
    let mut out = ObjectSet::default();
    let mut children = VecDeque::new();
    let own = walk_dir(base, visit, &mut out, &mut children, rule_dirs);
    let (reads, exists) = base.source_since(marks);
    let rule_listed = base.listed.borrow()[listed_from..].to_vec();
    let mut inputs = Inputs {
        vars: base.values_of(
            own.as_ref()
                .map(|(names, _)| names.as_slice())
                .unwrap_or(&[]),
        ),
        reads,
        exists,
        listed: out
            .dirs_listed
            .iter()
            .chain(&rule_listed)
            .cloned()
            .collect(),
    };
    for used in &base.used.borrow()[used_from..] {
        inputs.vars.extend(used.vars.iter().cloned());
        inputs.reads.extend(used.reads.iter().cloned());
        inputs.exists.extend(used.exists.iter().cloned());
        inputs.listed.extend(used.listed.iter().cloned());
    }
    base.used.borrow_mut().truncate(used_from);
    inputs.vars.sort();
    inputs.vars.dedup();
    inputs.reads.sort();
    inputs.reads.dedup();
    inputs.listed.sort();
    inputs.listed.dedup();
    DirRecord {
        inputs,
        out,
        rule_listed,
        children: children.into(),
        rules: own.map(|(_, rules)| rules),
    }
}

/// What every directory's sub-make starts from.
struct Base<'a> {
    source: &'a dyn Source,
    /// The same source, with its log of what was read.
    logged: &'a Logged<'a>,
    /// Directories listed by `$(wildcard)` in directories evaluated for their rules.
    listed: std::cell::RefCell<Vec<String>>,
    vars: crate::make::Vars,
    src_is_srctree: bool,
    /// Rule lookups left for the directory being walked (`MAX_RULE_WORK` each): hostile
    /// pattern rules with many prerequisites make the lookups branch at every link.
    rule_work: Cell<u32>,
    /// What reading the rules of the directories looked up so far read, in order.
    used: RefCell<Vec<Arc<Inputs>>>,
    /// A walk budget (MAX_WALK_DIRS, MAX_RULE_DIRS) was reached.
    capped: Cell<bool>,
}

impl Base<'_> {
    fn source_marks(&self) -> (usize, usize) {
        self.logged.marks()
    }

    fn source_since(&self, marks: (usize, usize)) -> (Vec<String>, Vec<(String, bool)>) {
        self.logged.since(marks)
    }

    /// `names` with the values the base gives them.
    fn values_of(&self, names: &[String]) -> Vec<(String, Option<String>)> {
        names
            .iter()
            .map(|name| (name.clone(), self.vars.value(name).map(str::to_string)))
            .collect()
    }
}

/// Rule lookups (follow and makeable steps) one directory may spend; a kernel directory
/// spends a few thousand.
#[cfg(not(fuzzing))]
const MAX_RULE_WORK: u32 = 100_000;
#[cfg(fuzzing)]
const MAX_RULE_WORK: u32 = 5_000;

impl Base<'_> {
    /// Spend one rule lookup; false once the directory's allowance is gone.
    fn spend_rule_work(&self) -> bool {
        let left = self.rule_work.get();
        if left == 0 {
            return false;
        }
        self.rule_work.set(left - 1);
        true
    }
}

impl<'a> Base<'a> {
    /// Evaluate `dir`'s Kbuild (or Makefile) as scripts/Makefile.build includes it.
    /// Returns the evaluation and the file read, or None when the directory has neither.
    fn eval_dir<'b>(
        &'b self,
        dir: &str,
        need_builtin: bool,
        need_modorder: bool,
    ) -> Option<Make<'b>> {
        // A prerequisite's directory may be spelled with `..` past the top.
        let file_dir = match tree_dir(dir)?.as_str() {
            "." => String::new(),
            inside => format!("{inside}/"),
        };
        let mut m = Make::with_base(self.source, &self.vars);
        m.set("obj", dir);
        let src = if self.src_is_srctree {
            format!("{SRCTREE}/{dir}")
        } else {
            dir.to_string()
        };
        m.set("src", &src);
        if need_builtin {
            m.set("need-builtin", "1");
        }
        if need_modorder {
            m.set("need-modorder", "1");
        }
        for list in [
            "obj-y", "obj-m", "lib-y", "lib-m", "always-y", "always-m", "targets", "subdir-y",
            "subdir-m", "extra-y",
        ] {
            m.set(list, "");
        }
        (m.include(&format!("{file_dir}Kbuild")) || m.include(&format!("{file_dir}Makefile")))
            .then_some(m)
    }
}

/// A word of a list that may be a compiled object, before rules decide.
struct Candidate {
    path: String,
    kind: Kind,
    list: &'static str,
    origin: Option<Origin>,
    gates: Vec<String>,
}

/// Walk one directory: its objects into `set`, its subdirectories onto `queue`. Returns
/// the variables its evaluation looked up in the base, and its rules as it left them in
/// `rule_dirs`; None when it has no Makefile.
fn walk_dir(
    base: &Base,
    visit: &Visit,
    set: &mut ObjectSet,
    queue: &mut VecDeque<Visit>,
    rule_dirs: &mut RuleDirs,
) -> Option<(Vec<String>, RuleDir)> {
    let dir = visit.dir.as_str();
    let marks = base.source_marks();
    let Some(mut m) = base.eval_dir(dir, visit.need_builtin, visit.need_modorder) else {
        set.unknown.push(Unknown {
            file: makefile_of(dir),
            line: 0,
            construct: "directory without Kbuild or Makefile".into(),
        });
        return None;
    };
    // Checks and records use the normalised path; `obj` and the objects keep make's.
    let normal_dir = tree_dir(dir).unwrap_or_else(|| dir.to_string());
    set.dirs.push(normal_dir.clone());

    // Paths as make spells them: `arch/arm64/kvm/../../../virt/kvm/kvm_main.o` is not
    // shortened (Kbuild compiles it under that name).
    let at = |w: &str| -> String {
        if dir == "." {
            w.to_string()
        } else {
            format!("{dir}/{w}")
        }
    };
    let gates_of =
        |m: &Make, var: &str, word: &str, inherited: &[String]| -> (Option<Origin>, Vec<String>) {
            let origin = m.origin(var, word).cloned();
            let mut gates: Vec<String> = inherited.to_vec();
            if let Some(o) = &origin {
                for g in &o.gates {
                    if !gates.contains(g) {
                        gates.push(g.clone());
                    }
                }
            }
            (origin, gates)
        };

    // Mirrors scripts/Makefile.lib.
    let obj_y_raw = m.words("obj-y");
    let obj_m_raw: Vec<String> = m
        .words("obj-m")
        .into_iter()
        .filter(|w| !obj_y_raw.contains(w))
        .collect();
    let mut lib_y: Vec<String> = m.words("lib-y");
    lib_y.extend(m.words("lib-m"));
    lib_y.sort();
    lib_y.dedup();
    lib_y.retain(|w| !obj_y_raw.contains(w));

    let mut subdirs: Vec<(String, &'static str)> = Vec::new();
    for (var, words) in [
        ("subdir-y", m.words("subdir-y")),
        ("subdir-m", m.words("subdir-m")),
    ] {
        for w in words {
            subdirs.push((w, var));
        }
    }
    for (var, words) in [("obj-y", &obj_y_raw), ("obj-m", &obj_m_raw)] {
        for w in words.iter().filter(|w| w.ends_with('/')) {
            subdirs.push((w.trim_end_matches('/').to_string(), var));
        }
    }
    // obj-y directories count for modules.order (need-modorder) and built-in.a
    // (need-builtin) only when this directory has those flags.
    let builtin_dirs: Vec<&String> = if visit.need_builtin {
        obj_y_raw.iter().filter(|w| w.ends_with('/')).collect()
    } else {
        Vec::new()
    };
    let modorder_dirs: Vec<&String> = if visit.need_modorder {
        obj_y_raw
            .iter()
            .chain(obj_m_raw.iter())
            .filter(|w| w.ends_with('/'))
            .collect()
    } else {
        Vec::new()
    };

    let composite =
        |m: &mut Make, word: &str, suffixes: &[&str]| -> Option<Vec<(String, String)>> {
            let stem = word.strip_suffix(".o")?;
            let mut any = false;
            let mut parts = Vec::new();
            for suffix in suffixes.iter().chain(std::iter::once(&"-")) {
                let var = format!("{stem}{suffix}");
                let words = m.words(&var);
                if !words.is_empty() {
                    any = true;
                }
                if *suffix != "-" {
                    parts.extend(words.into_iter().map(|w| (var.clone(), w)));
                }
            }
            any.then_some(parts)
        };

    let mut candidates: Vec<Candidate> = Vec::new();
    let mut add = |path: String,
                   kind: Kind,
                   list: &'static str,
                   origin: Option<Origin>,
                   gates: Vec<String>| {
        candidates.push(Candidate {
            path,
            kind,
            list,
            origin,
            gates,
        });
    };

    // obj-y (only where built-in.a is wanted) and obj-m, composites replaced by their parts.
    let obj_y: &[String] = if visit.need_builtin { &obj_y_raw } else { &[] };
    let lists: [(&[String], Kind, &'static str, &[&str]); 2] = [
        (obj_y, Kind::BuiltIn, "obj-y", &["-objs", "-y"]),
        (&obj_m_raw, Kind::Module, "obj-m", &["-objs", "-y", "-m"]),
    ];
    for (words, kind, list, suffixes) in lists {
        for word in words.iter().filter(|w| !w.ends_with('/')) {
            let (origin, gates) = gates_of(&m, list, word, &visit.gates);
            match composite(&mut m, word, suffixes) {
                Some(parts) => {
                    for (var, part) in parts {
                        let (part_origin, part_gates) = gates_of(&m, &var, &part, &gates);
                        add(
                            at(&part),
                            kind,
                            list,
                            part_origin.or(origin.clone()),
                            part_gates,
                        );
                    }
                }
                None => add(at(word), kind, list, origin, gates),
            }
        }
    }
    for word in &lib_y {
        let var = if m.origin("lib-y", word).is_some() {
            "lib-y"
        } else {
            "lib-m"
        };
        let (origin, gates) = gates_of(&m, var, word, &visit.gates);
        add(at(word), Kind::BuiltIn, "lib-y", origin, gates);
    }
    for word in m.words("extra-y") {
        let (origin, gates) = gates_of(&m, "extra-y", &word, &visit.gates);
        add(at(&word), Kind::BuiltIn, "extra-y", origin, gates);
    }

    for word in m.words("always-y").into_iter().chain(m.words("always-m")) {
        let (origin, gates) = gates_of(&m, "always-y", &word, &visit.gates);
        add(at(&word), Kind::BuiltIn, "always-y", origin, gates);
    }
    // Its rules depend on what evaluating it read so far.
    let (reads, exists) = base.source_since(marks);
    let own_rules = RuleDir {
        rules: m.take_rules().into(),
        inputs: Arc::new(Inputs {
            vars: base.values_of(&m.base_reads()),
            reads,
            exists,
            listed: m.dirs_listed.clone(),
        }),
    };
    rule_dirs.insert(dir.to_string(), own_rules.clone());
    let mut seen = FastSet::default();
    base.rule_work.set(MAX_RULE_WORK);
    for candidate in &candidates {
        follow(
            base,
            rule_dirs,
            dir,
            &candidate.path,
            candidate,
            &mut seen,
            set,
            0,
            0,
        );
    }
    if base.rule_work.get() == 0 {
        set.unknown.push(Unknown {
            file: makefile_of(dir),
            line: 0,
            construct: format!(
                "rule following past {MAX_RULE_WORK} lookups: the rest of the directory's rules not followed"
            ),
        });
    }

    let mut ordered: Vec<(String, &'static str)> = Vec::new();
    for (d, var) in subdirs {
        if !ordered.iter().any(|(o, _)| *o == d) {
            ordered.push((d, var));
        }
    }
    ordered.sort();
    for (d, var) in ordered {
        let with_slash = format!("{d}/");
        let need_builtin = builtin_dirs.contains(&&with_slash);
        let need_modorder = modorder_dirs.contains(&&with_slash);
        let word = if var.starts_with("obj-") {
            with_slash.as_str()
        } else {
            d.as_str()
        };
        let (origin, gates) = gates_of(&m, var, word, &visit.gates);
        let named_at = origin.map_or_else(|| (makefile_of(dir), 0), |o| (o.file, o.line));
        // Kbuild enters `a/b/../c` under that name (its objects are compiled as
        // `a/b/../c/x.o`), and `./` forever: a directory is entered once, by its
        // normalised path, and never outside the tree.
        let spelled = at(&d);
        let Some(sub) = tree_dir(&spelled) else {
            set.unknown.push(Unknown {
                file: named_at.0,
                line: named_at.1,
                construct: format!("directory `{word}` outside the tree, not entered"),
            });
            continue;
        };
        // The directory itself or one above it: a cycle make would descend forever.
        if sub == normal_dir || sub == "." || normal_dir.starts_with(&format!("{sub}/")) {
            set.unknown.push(Unknown {
                file: named_at.0,
                line: named_at.1,
                construct: format!("directory `{word}` is `{sub}`, already entered: a cycle"),
            });
            continue;
        }
        queue.push_back(Visit {
            dir: spelled,
            need_builtin,
            need_modorder,
            gates,
            named_at,
        });
    }
    set.unknown.append(&mut m.unknown);
    set.dirs_listed.append(&mut m.dirs_listed);
    Some((m.base_reads(), own_rules))
}

/// `dir`'s Makefile, for records about the directory.
fn makefile_of(dir: &str) -> String {
    if dir == "." {
        "Makefile".into()
    } else {
        format!("{dir}/Makefile")
    }
}

/// `dir` normalised (`a/./b/` and `a/c/../b` are `a/b`, the top is `.`), or None when it
/// leaves the tree (`../`, an absolute path).
fn tree_dir(dir: &str) -> Option<String> {
    if dir.starts_with('/') {
        return None;
    }
    let normal = normalize(dir);
    if normal == ".." || normal.starts_with("../") {
        return None;
    }
    Some(if normal.is_empty() {
        ".".to_string()
    } else {
        normal
    })
}

/// The rules that make `path`: explicit ones naming it, and pattern rules matching it with
/// their prerequisites instantiated. Rules are looked up in the directory being built, then
/// in the directory of `path` (a sub-make such as `$(MAKE) $(build)=$(obj)/rm $@`).
fn rules_for(
    base: &Base,
    rule_dirs: &mut RuleDirs,
    dir: &str,
    path: &str,
    depth: usize,
) -> Vec<(Rule, usize)> {
    let own_dir = match path.rfind('/') {
        Some(i) => &path[..i],
        None => ".",
    };
    let mut found = Vec::new();
    for d in [dir, own_dir] {
        if !rule_dirs.contains_key(d) {
            // Each directory's Makefile is read once per walk; a hostile list of
            // prerequisites in many directories is cut off.
            if rule_dirs.len() >= MAX_RULE_DIRS {
                base.capped.set(true);
                continue;
            }
            let marks = base.source_marks();
            let (rules, vars, listed) = match base.eval_dir(d, false, false) {
                Some(mut m) => {
                    let listed = m.dirs_listed.clone();
                    base.listed.borrow_mut().append(&mut m.dirs_listed);
                    (m.take_rules(), base.values_of(&m.base_reads()), listed)
                }
                None => Default::default(),
            };
            let (reads, exists) = base.source_since(marks);
            let inputs = Arc::new(Inputs {
                vars,
                reads,
                exists,
                listed,
            });
            let rules = rules.into();
            rule_dirs.insert(d.to_string(), RuleDir { rules, inputs });
        }
        // Shared, not copied: matching below needs `rule_dirs` again (makeable()).
        let looked_up = &rule_dirs[d];
        let mut used = base.used.borrow_mut();
        if !used.iter().any(|u| Arc::ptr_eq(u, &looked_up.inputs)) {
            used.push(looked_up.inputs.clone());
        }
        drop(used);
        let rules = looked_up.rules.clone();
        for rule in rules.iter() {
            if rule.targets.iter().any(|t| t == path) {
                found.push((rule.clone(), 0));
                continue;
            }
            for target in rule.targets.iter().filter(|t| t.contains('%')) {
                if pattern_matches(target, path) {
                    let (pre, post) = target.split_once('%').expect("contains %");
                    let stem = &path[pre.len()..path.len() - post.len()];
                    let mut rule = rule.clone();
                    rule.prereqs = rule
                        .prereqs
                        .iter()
                        .map(|p| p.replacen('%', stem, 1))
                        .collect();
                    // A pattern rule applies only when its prerequisites exist or can be
                    // made: `lib-%.o: $(srctree)/lib/%.c` does not make `lib-fdt.pi.o`.
                    if !rule
                        .prereqs
                        .iter()
                        .all(|p| makeable(base, rule_dirs, dir, p, depth))
                    {
                        continue;
                    }
                    // Make prefers the pattern rule with the shortest stem.
                    found.push((rule, 1 + stem.len()));
                    break;
                }
            }
        }
        if d == own_dir {
            break;
        }
    }
    found.sort_by_key(|(_, stem)| *stem);
    found
}

/// A prerequisite that exists in the tree or that some rule can make: an object can be
/// made when its C or assembly source can (scripts/Makefile.build's own rules).
fn makeable(base: &Base, rule_dirs: &mut RuleDirs, dir: &str, path: &str, depth: usize) -> bool {
    if path == "FORCE" {
        return true;
    }
    if !base.spend_rule_work() {
        return false;
    }
    let rel = normalize(
        path.strip_prefix(SRCTREE)
            .unwrap_or(path)
            .trim_start_matches('/'),
    );
    if matches!(base.source.exists(&rel), Ok(true)) {
        return true;
    }
    if path.starts_with(SRCTREE) || depth > 4 {
        return false;
    }
    let is_code = [".o", ".c", ".S", ".rs"]
        .iter()
        .any(|ext| path.ends_with(ext));
    if !is_code {
        // Generated files other than code (host programs, linker scripts, images) come
        // from rules in make's own files that are not read here: assume they can be made.
        return true;
    }
    if !rules_for(base, rule_dirs, dir, path, depth + 1).is_empty() {
        return true;
    }
    match path.strip_suffix(".o") {
        Some(stem) => [".c", ".S", ".rs"]
            .iter()
            .any(|ext| makeable(base, rule_dirs, dir, &format!("{stem}{ext}"), depth + 1)),
        None => false,
    }
}

/// Whether make can compile `path` (`<stem>.o`): a source in the tree (`.c`, `.S`, `.rs`,
/// or a `_shipped` copy), a rule that makes it, or the object itself.
fn has_source(base: &Base, rule_dirs: &mut RuleDirs, dir: &str, path: &str, stem: &str) -> bool {
    makeable(base, rule_dirs, dir, path, 0)
        || [".c_shipped", ".S_shipped"].iter().any(|ext| {
            let rel = normalize(
                format!("{stem}{ext}")
                    .strip_prefix(SRCTREE)
                    .unwrap_or(&format!("{stem}{ext}"))
                    .trim_start_matches('/'),
            );
            matches!(base.source.exists(&rel), Ok(true))
        })
}

/// Decide whether `path` is compiled, and follow the prerequisites of the rules that make
/// it (and its generated source): objects of a vDSO image, a real-mode blob, an objcopy'd
/// `.stub.o` are compiled through them.
#[allow(clippy::too_many_arguments)] // the walk's state, threaded through the recursion
fn follow(
    base: &Base,
    rule_dirs: &mut RuleDirs,
    dir: &str,
    path: &str,
    candidate: &Candidate,
    seen: &mut FastSet<String>,
    set: &mut ObjectSet,
    depth: usize,
    patterns: usize,
) {
    // make never applies one implicit rule twice in a chain; a match-anything rule such as
    // `%: %x` would otherwise grow `a.ox`, `a.oxx`, ... without end. Real chains (vDSO
    // images, generated sources) are a few links long.
    const MAX_CHAIN: usize = 32;
    const MAX_PATTERN_LINKS: usize = 4;
    if depth > MAX_CHAIN
        || !seen.insert(path.to_string())
        || seen.len() > 100_000
        || !base.spend_rule_work()
    {
        return;
    }
    let rules = rules_for(base, rule_dirs, dir, path, 0);
    if let Some(stem) = path.strip_suffix(".o") {
        let recipe = rules.iter().map(|(r, _)| r).find(|r| !r.recipe.is_empty());
        let compiled = recipe.is_none_or(|r| r.compiles);
        // An object make has no source for (a driver whose `.c` the tree lacks) is not
        // built: make would stop there. Names with a second dot (`pkcs8.asn1.o`,
        // `overlay.dtbo.o`) come from make's own pattern rules, which are not read here.
        let generated = stem
            .rsplit('/')
            .next()
            .is_some_and(|name| name.contains('.'));
        if compiled && !generated && !has_source(base, rule_dirs, dir, path, stem) {
            return;
        }
        if compiled {
            let object = Object {
                kind: candidate.kind,
                list: if path == candidate.path {
                    candidate.list
                } else {
                    "prerequisite"
                },
                file: candidate
                    .origin
                    .as_ref()
                    .map(|o| o.file.clone())
                    .unwrap_or_default(),
                line: candidate.origin.as_ref().map_or(0, |o| o.line),
                gates: candidate.gates.clone(),
            };
            match set.objects.get(path) {
                Some(old) if old.kind <= object.kind => {}
                _ => {
                    set.objects.insert(path.into(), Arc::new(object));
                }
            }
            for generated in [format!("{stem}.c"), format!("{stem}.S")] {
                follow(
                    base,
                    rule_dirs,
                    dir,
                    &generated,
                    candidate,
                    seen,
                    set,
                    depth + 1,
                    patterns,
                );
            }
        }
    }
    for (rule, stem) in rules {
        // Make applies an implicit (pattern) rule at most once in a chain; counting pattern
        // links keeps several match-anything rules (`%: %x`, `%: %y`) from multiplying
        // paths. Kernel chains use one or two.
        let pattern = stem > 0;
        if pattern && patterns >= MAX_PATTERN_LINKS {
            continue;
        }
        for prereq in rule.prereqs.iter().filter(|p| *p != "FORCE") {
            follow(
                base,
                rule_dirs,
                dir,
                prereq,
                candidate,
                seen,
                set,
                depth + 1,
                patterns + usize::from(pattern),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::MemSource;

    fn with_sources(mut source: MemSource, files: &[&str]) -> MemSource {
        for file in files {
            source = source.with(file, "");
        }
        source
    }

    #[test]
    fn an_object_named_twice_is_built_in_first_then_first_named() {
        let object = |kind, file: &str| {
            Arc::new(Object {
                kind,
                list: "obj-y",
                file: file.to_string(),
                line: 1,
                gates: Vec::new(),
            })
        };
        let named = vec![
            (Arc::from("b.o"), object(Kind::Module, "m1")),
            (Arc::from("a.o"), object(Kind::Module, "m2")),
            (Arc::from("b.o"), object(Kind::BuiltIn, "y1")),
            (Arc::from("a.o"), object(Kind::Module, "m3")),
            (Arc::from("b.o"), object(Kind::BuiltIn, "y2")),
        ];
        let map = object_map(named);
        let files: Vec<(&str, &str)> = map.iter().map(|(p, o)| (&**p, o.file.as_str())).collect();
        assert_eq!(files, [("a.o", "m2"), ("b.o", "y1")]);
    }

    #[test]
    fn objects_without_a_source_are_not_built() {
        let source = MemSource::new().with("Kbuild", "obj-y += drivers/\n").with(
            "drivers/Makefile",
            "obj-y += here.o gone.o shipped.o key.asn1.o made.o\n\
                 $(obj)/made.c: $(src)/made.tbl\n\t$(call cmd,gen)\n",
        );
        let source = with_sources(
            source,
            &[
                "drivers/here.c",
                "drivers/shipped.c_shipped",
                "drivers/made.tbl",
            ],
        );
        let set = walk(&source, &[]);
        let paths: Vec<&str> = set.objects.keys().map(|p| &**p).collect();
        // gone.o has no source and no rule: make would stop there. key.asn1.o comes from
        // make's own pattern rules.
        assert_eq!(
            paths,
            [
                "drivers/here.o",
                "drivers/key.asn1.o",
                "drivers/made.o",
                "drivers/shipped.o"
            ]
        );
    }

    fn walk(source: &MemSource, config: &[(&str, &str)]) -> ObjectSet {
        let config = SharedVars::from_pairs(
            config
                .iter()
                .map(|(k, v)| (format!("CONFIG_{k}"), v.to_string())),
        );
        objects(
            source,
            &Request {
                arch: "x86",
                srcarch: "x86",
                config: &config,
            },
        )
    }

    fn listed(set: &ObjectSet) -> Vec<(String, Kind)> {
        set.objects
            .iter()
            .map(|(p, o)| (p.to_string(), o.kind))
            .collect()
    }

    #[test]
    fn lists_composites_libraries_and_directories() {
        let source = MemSource::new()
            .with(
                "Kbuild",
                "obj-y += arch/$(SRCARCH)/ $(ARCH_CORE)\nobj-$(CONFIG_NET) += net/\n",
            )
            .with(
                "arch/x86/Makefile",
                "core-y += arch/x86/extra/\nlibs-y += arch/x86/lib/\n",
            )
            .with("arch/x86/Kbuild", "obj-y += kernel/\n")
            .with(
                "arch/x86/kernel/Makefile",
                "obj-y := setup.o comp.o\ncomp-y := part1.o\ncomp-$(CONFIG_SMP) += part2.o\n\
                 comp-$(CONFIG_NONE) += part3.o\nobj-m += both.o\nobj-y += both.o\n\
                 obj-$(CONFIG_MODULE) += drv.o\ndrv-objs := d1.o d2.o\nlib-y += l.o setup.o\n\
                 obj-$(CONFIG_MODULE) += moddir/\nsubdir-y += tools\n",
            )
            .with(
                "arch/x86/kernel/moddir/Makefile",
                "obj-y += ignored.o\nobj-m += m3.o\n",
            )
            .with(
                "arch/x86/kernel/tools/Makefile",
                "always-y += gen.o\nobj-y += not-built.o\n",
            )
            .with(
                "arch/x86/extra/Makefile",
                "ifdef CONFIG_SMP\nobj-y += smp.o\nelse\nobj-y += up.o\nendif\n",
            )
            .with("net/Makefile", "obj-y += socket.o\n");
        let source = with_sources(
            source,
            &[
                "arch/x86/extra/smp.c",
                "arch/x86/extra/up.c",
                "arch/x86/kernel/setup.c",
                "arch/x86/kernel/part1.c",
                "arch/x86/kernel/part2.S",
                "arch/x86/kernel/part3.c",
                "arch/x86/kernel/both.c",
                "arch/x86/kernel/d1.c",
                "arch/x86/kernel/d2.rs",
                "arch/x86/kernel/l.c",
                "arch/x86/kernel/moddir/ignored.c",
                "arch/x86/kernel/moddir/m3.c",
                "arch/x86/kernel/tools/gen.c",
                "arch/x86/kernel/tools/not-built.c",
                "net/socket.c",
            ],
        );
        let set = walk(&source, &[("SMP", "y"), ("MODULE", "m")]);
        assert_eq!(
            listed(&set),
            [
                ("arch/x86/extra/smp.o".to_string(), Kind::BuiltIn),
                ("arch/x86/kernel/both.o".to_string(), Kind::BuiltIn),
                ("arch/x86/kernel/d1.o".to_string(), Kind::Module),
                ("arch/x86/kernel/d2.o".to_string(), Kind::Module),
                ("arch/x86/kernel/l.o".to_string(), Kind::BuiltIn),
                ("arch/x86/kernel/moddir/m3.o".to_string(), Kind::Module),
                ("arch/x86/kernel/part1.o".to_string(), Kind::BuiltIn),
                ("arch/x86/kernel/part2.o".to_string(), Kind::BuiltIn),
                ("arch/x86/kernel/setup.o".to_string(), Kind::BuiltIn),
                ("arch/x86/kernel/tools/gen.o".to_string(), Kind::BuiltIn),
            ]
        );
        let part2 = &set.objects["arch/x86/kernel/part2.o"];
        assert_eq!(
            (part2.file.as_str(), part2.line),
            ("arch/x86/kernel/Makefile", 3)
        );
        assert_eq!(part2.gates, ["SMP"]);
        let d1 = &set.objects["arch/x86/kernel/d1.o"];
        assert_eq!((d1.line, d1.gates.clone()), (8, vec!["MODULE".to_string()]));
        let m3 = &set.objects["arch/x86/kernel/moddir/m3.o"];
        assert_eq!(m3.gates, ["MODULE"]);
        assert!(!set.dirs.contains(&"net".to_string()));
    }

    #[test]
    fn rules_decide_what_is_compiled() {
        let source = MemSource::new()
            .with("Kbuild", "obj-y += lib/ image/\n")
            .with(
                "lib/Makefile",
                "lib-y := a.o b.o\nextra-y := $(lib-y)\nlib-y := $(patsubst %.o,%.stub.o,$(lib-y))\n\
                 $(obj)/%.stub.o: $(obj)/%.o FORCE\n\t$(call if_changed,objcopy)\n",
            )
            .with("lib/a.c", "")
            .with("lib/b.c", "")
            .with(
                "image/Makefile",
                "obj-y += blob.o\n$(obj)/blob.o: $(obj)/sub/image.bin\n\
                 $(obj)/sub/image.bin: FORCE\n\t$(Q)$(MAKE) $(build)=$(obj)/sub $@\n",
            )
            .with(
                "image/sub/Makefile",
                "OBJS = $(addprefix $(obj)/,one.o two.o)\n$(obj)/image.bin: $(obj)/image.elf FORCE\n\t$(call if_changed,objcopy)\n\
                 $(obj)/image.elf: $(OBJS) FORCE\n\t$(call if_changed,ld)\n",
            );
        let source = with_sources(source, &["image/sub/one.c", "image/sub/two.S"]);
        let set = walk(&source, &[]);
        let paths: Vec<&str> = set.objects.keys().map(|p| &**p).collect();
        assert_eq!(
            paths,
            [
                "image/blob.o",
                "image/sub/one.o",
                "image/sub/two.o",
                "lib/a.o",
                "lib/b.o"
            ]
        );
    }

    #[test]
    fn a_directory_named_through_dot_dot_keeps_makes_spelling() {
        // drivers/gpu/drm/amd/amdgpu/Makefile enters `../display/amdgpu_dm/tests/` (7.x):
        // Kbuild compiles its objects as `.../amdgpu/../display/...`.
        let source = MemSource::new()
            .with("Kbuild", "obj-y += a/\n")
            .with("a/Makefile", "obj-y += ../c/\n")
            .with("c/Makefile", "obj-y += in_c.o\n");
        let source = with_sources(source, &["c/in_c.c"]);
        let set = walk(&source, &[]);
        let paths: Vec<&str> = set.objects.keys().map(|p| &**p).collect();
        assert_eq!(paths, ["a/../c/in_c.o"]);
        assert!(set.dirs.contains(&"c".to_string()), "{:?}", set.dirs);
    }

    #[test]
    fn autoconf_strings_lose_their_quotes() {
        let values = config_values(
            "CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_S=\"x \\\"y\\\"\"\nCONFIG_E=\"\"\n",
        );
        assert_eq!(values.value("CONFIG_A"), Some("y"));
        assert_eq!(values.value("CONFIG_S"), Some("x \"y\""));
        assert_eq!(values.value("CONFIG_E"), Some(""));
        assert_eq!(values.value("CONFIG_B"), None);
    }

    /// A tree of three directories for the reuse tests: `a` gated by CONFIG_A, `b` with a
    /// `$(wildcard)`, `c` plain.
    fn three_dirs() -> MemSource {
        MemSource::new()
            .with(
                "Kbuild",
                "obj-$(CONFIG_A) += a/\nobj-y += b/ c/\n",
            )
            .with("a/Makefile", "obj-y += a1.o\nobj-$(CONFIG_A2) += a2.o\n")
            .with("a/a1.c", "")
            .with("a/a2.c", "")
            .with(
                "b/Makefile",
                "obj-y += $(patsubst $(srctree)/$(src)/%.c,%.o,$(wildcard $(srctree)/$(src)/*.c))\n",
            )
            .with("b/b1.c", "")
            .with("c/Makefile", "obj-y += c1.o c2.o\n")
            .with("c/c1.c", "")
            .with("c/c2.c", "")
    }

    fn request_walk(
        source: &MemSource,
        config: &[(&str, &str)],
        memo: &mut WalkMemo,
        changed: &[&str],
    ) -> ObjectSet {
        arch_walk(source, "x86", config, memo, None, changed)
    }

    fn arch_walk(
        source: &MemSource,
        arch: &str,
        config: &[(&str, &str)],
        memo: &mut WalkMemo,
        seeds: Option<&WalkSeeds>,
        changed: &[&str],
    ) -> ObjectSet {
        let config = SharedVars::from_pairs(
            config
                .iter()
                .map(|(k, v)| (format!("CONFIG_{k}"), v.to_string())),
        );
        let changed: FastSet<String> = changed.iter().map(|p| p.to_string()).collect();
        let request = Request {
            arch,
            srcarch: arch,
            config: &config,
        };
        let same_commit = FastSet::default();
        let seeds = seeds.map(|s| (s, &same_commit));
        objects_reusing(source, &request, memo, seeds, &changed).0
    }

    /// The reused walk and a walk from nothing give the same set, to the listings.
    fn assert_same(reused: &ObjectSet, fresh: &ObjectSet) {
        assert_eq!(
            serde_json::to_value(reused).expect("json"),
            serde_json::to_value(fresh).expect("json")
        );
        assert_eq!(reused.dirs_listed, fresh.dirs_listed);
    }

    #[test]
    fn a_makefile_change_walks_that_directory_again_and_no_other() {
        let source = three_dirs();
        let config = [("A", "y")];
        let mut memo = WalkMemo::default();
        let first = request_walk(&source, &config, &mut memo, &[]);
        assert_eq!(memo.reused, 0);
        assert_eq!(first.dirs, [".", "a", "b", "c"]);

        let source = source.with("c/Makefile", "obj-y += c1.o\n");
        let second = request_walk(&source, &config, &mut memo, &["c/Makefile"]);
        // Every directory but `c` is taken as it was (scripts/mod, without a Makefile,
        // counts too).
        assert_eq!(memo.reused, 4, "{:?}", second.dirs);
        assert!(!second.objects.contains_key("c/c2.o"));
        assert_same(&second, &walk(&source, &config));
    }

    #[test]
    fn a_configuration_change_walks_the_directories_that_read_it() {
        let source = three_dirs();
        let mut memo = WalkMemo::default();
        request_walk(&source, &[("A", "y")], &mut memo, &[]);
        // CONFIG_A2 is read by `a` alone.
        let config = [("A", "y"), ("A2", "y")];
        let second = request_walk(&source, &config, &mut memo, &[]);
        assert_eq!(memo.reused, 4);
        assert!(second.objects.contains_key("a/a2.o"));
        assert_same(&second, &walk(&source, &config));
        // CONFIG_A is read by the top: the top is walked again, `a` is not entered.
        let config = [("A2", "y")];
        let third = request_walk(&source, &config, &mut memo, &[]);
        assert!(!third.objects.contains_key("a/a1.o"));
        assert_same(&third, &walk(&source, &config));
    }

    #[test]
    fn another_arch_takes_the_directories_whose_inputs_hold_for_it() {
        // `c` reads SRCARCH, `a` a value the two configurations differ in.
        let source = three_dirs().with(
            "c/Makefile",
            "obj-y += c1.o\nifeq ($(SRCARCH),x86)\nobj-y += c2.o\nendif\n",
        );
        let mut seeds = WalkSeeds::default();
        for (arch, config) in [
            ("x86", [("A", "y"), ("A2", "y")]),
            ("s390", [("A", "y"), ("A2", "n")]),
        ] {
            let mut memo = WalkMemo::default();
            arch_walk(&source, arch, &config, &mut memo, None, &[]);
            seeds.add(&memo);
        }
        // arm64 with s390's configuration takes the top, scripts/mod, `a` (from s390's
        // walk) and `b`, and walks `c` again; with a value nobody had, `a` too.
        for (a2, reused) in [("n", 4), ("m", 3)] {
            let config = [("A", "y"), ("A2", a2)];
            let mut memo = WalkMemo::default();
            let seeded = arch_walk(&source, "arm64", &config, &mut memo, Some(&seeds), &[]);
            let mut nothing = WalkMemo::default();
            let fresh = arch_walk(&source, "arm64", &config, &mut nothing, None, &[]);
            assert_same(&seeded, &fresh);
            assert!(!seeded.objects.contains_key("c/c2.o"));
            assert_eq!(memo.reused, reused, "{:?}", seeded.dirs);
        }
    }

    #[test]
    fn a_later_commit_takes_the_directories_of_an_earlier_walk_that_nothing_changed_in() {
        let earlier = three_dirs();
        let config = [("A", "y"), ("A2", "y")];
        let mut seeds = WalkSeeds::default();
        let mut memo = WalkMemo::default();
        arch_walk(&earlier, "x86", &config, &mut memo, None, &[]);
        seeds.add(&memo);
        // The later commit adds an object to `c`: `c` is walked again, the top, `a`, `b`
        // and scripts/mod are taken; told of no change, the stale `c` is taken too.
        let later = earlier
            .with("c/Makefile", "obj-y += c1.o c2.o c3.o\n")
            .with("c/c3.c", "");
        let vars = SharedVars::from_pairs(
            config
                .iter()
                .map(|(k, v)| (format!("CONFIG_{k}"), v.to_string())),
        );
        let request = Request {
            arch: "x86",
            srcarch: "x86",
            config: &vars,
        };
        let fresh = walk(&later, &config);
        assert!(fresh.objects.contains_key("c/c3.o"));
        let none = FastSet::default();
        for (since, reused, right) in [(vec!["c/Makefile", "c/c3.c"], 4, true), (vec![], 5, false)]
        {
            let since: FastSet<String> = since.into_iter().map(String::from).collect();
            let mut memo = WalkMemo::default();
            let (seeded, _) =
                objects_reusing(&later, &request, &mut memo, Some((&seeds, &since)), &none);
            assert_eq!(memo.reused, reused);
            assert_eq!(seeded.objects.contains_key("c/c3.o"), right);
            if right {
                assert_same(&seeded, &fresh);
            }
        }
    }

    #[test]
    fn a_directory_added_where_a_wildcard_lists_walks_that_directory_again() {
        let source = three_dirs().with(
            "c/Makefile",
            "obj-y += c1.o $(addsuffix /,$(notdir $(wildcard $(srctree)/$(src)/sub*)))\n",
        );
        let config = [("A", "y")];
        let mut memo = WalkMemo::default();
        let first = request_walk(&source, &config, &mut memo, &[]);
        assert!(!first.objects.keys().any(|o| o.starts_with("c/sub")));
        let source = source
            .with("c/sub1/Makefile", "obj-y += s.o\n")
            .with("c/sub1/s.c", "");
        let changed = ["c/sub1/Makefile", "c/sub1/s.c"];
        let second = request_walk(&source, &config, &mut memo, &changed);
        let fresh = walk(&source, &config);
        assert!(
            fresh.objects.contains_key("c/sub1/s.o"),
            "{:?}",
            fresh.objects.keys()
        );
        assert_same(&second, &fresh);
    }

    #[test]
    fn a_file_added_where_a_wildcard_lists_walks_that_directory_again() {
        let source = three_dirs();
        let config = [("A", "y")];
        let mut memo = WalkMemo::default();
        request_walk(&source, &config, &mut memo, &[]);
        let source = source.with("b/b2.c", "");
        let second = request_walk(&source, &config, &mut memo, &["b/b2.c"]);
        assert!(second.objects.contains_key("b/b2.o"));
        assert_eq!(memo.reused, 4);
        assert_same(&second, &walk(&source, &config));
    }

    #[test]
    fn a_source_removed_beside_an_object_walks_that_directory_again() {
        let source = three_dirs();
        let config = [("A", "y")];
        let mut memo = WalkMemo::default();
        request_walk(&source, &config, &mut memo, &[]);
        let mut source = source;
        source.remove("c/c2.c");
        let second = request_walk(&source, &config, &mut memo, &["c/c2.c"]);
        assert!(!second.objects.contains_key("c/c2.o"));
        assert_eq!(memo.reused, 4);
        assert_same(&second, &walk(&source, &config));
        // A change to its contents alone walks nothing again.
        let source = source.with("c/c1.c", "int x;");
        request_walk(&source, &config, &mut memo, &["c/c1.c"]);
        assert_eq!(memo.reused, 5);
    }
}
