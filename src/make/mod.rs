//! The one GNU make evaluator of xenlint. It reads arch Makefiles before Kconfig runs
//! (KBUILD_DEFCONFIG, CROSS_COMPILE, `NM := $(NM) --synthetic`, for `kconfig::env`) and
//! the Kbuild files of the `make vmlinux modules` walk (for `kbuild::objects`).
//!
//! It owns make's language: variables (recursive and simple, `=`, `:=`, `::=`, `?=`, `+=`,
//! `define`), conditionals, `include`, the text functions, and rules with their recipes
//! (kept, never run). `$(eval ...)` reads its text as Makefile lines where it stands.
//! Calls of functions nobody defines expand to nothing and are recorded as constructs not
//! understood, with file and line, when they reach a list that decides the build.
//!
//! It must not touch `std::fs`, git or processes: files come through `Source` (paths under
//! `$(srctree)` map to the tree), and whatever only the machine can answer (`$(shell ...)`,
//! the compiler search of cc-cross-prefix) is asked of the caller's `Host`, which decides
//! by its own policy whether anything runs. It knows make, not Kbuild: `kbuild::objects`
//! applies scripts/Makefile.lib's rules to the lists.

use crate::source::Source;

mod expand;
mod read;
mod rules;

pub use expand::{normalize, pattern_matches, split_args};

/// Budgets of one evaluation. Makefiles come from patches anyone posts: a variable that
/// doubles itself forty times, a function that calls itself twice per call, an include of
/// itself, must end in a record with file and line, never in a hang or an allocation of
/// gigabytes. Each limit is far above what a kernel needs (measured on the allmodconfig
/// walks of 6.1 and 6.12 x86: the biggest expansion is 24 KB, the most work one
/// evaluation does 120,000 units, the most files one evaluation reads 62), and low enough
/// that spending a budget takes a fraction of a second.
pub mod budget {
    /// References nested inside one another (`$(A)` whose value refers to `$(B)` ...,
    /// `$(call f)` calling `f`).
    pub const MAX_DEPTH: usize = 64;
    /// References open inside one another, whatever they name: MAX_DEPTH counts only
    /// variables and calls, and each of those may nest its inner reference in many
    /// others (`f = $(a$(a...$(call f)...))`: 8,000 of them, 32 KB of Makefile, nest
    /// 512,000 deep at about 600 bytes of stack each, past the 256 MiB of xenlint's
    /// threads). About 6 MB of stack.
    pub const MAX_NESTING: usize = 10_000;
    /// Bytes one expansion may produce.
    #[cfg(not(fuzzing))]
    pub const MAX_VALUE_BYTES: usize = 1 << 20;
    /// The fuzz targets spend the same budgets with smaller figures (see kconfig::macros).
    #[cfg(fuzzing)]
    pub const MAX_VALUE_BYTES: usize = 1 << 10;
    /// Work of one evaluation: one unit per reference expanded, one per byte produced.
    /// Past it, every expansion of the evaluation is empty.
    #[cfg(not(fuzzing))]
    pub const MAX_WORK: u64 = 4 << 20;
    #[cfg(fuzzing)]
    pub const MAX_WORK: u64 = 1 << 14;
    /// Files one evaluation reads through `include`.
    pub const MAX_INCLUDES: usize = 1000;
}

/// What an evaluation may learn from the machine it runs on. The caller decides: the
/// Kbuild walk answers nothing (`NoHost`); the arch-Makefile reader of `kconfig::env`
/// answers by its shell policy.
pub trait Host {
    /// The output of `$(shell command)`, as the command printed it; `None` when the host
    /// does not answer, and the reference is then a construct not understood.
    fn shell(&self, command: &str) -> Option<String>;

    /// `$(call cc-cross-prefix,candidates)` when the tree defines no such function (it
    /// lives in scripts/Makefile.compiler, which an arch Makefile read alone lacks): the
    /// first candidate prefix with a `gcc` on PATH, or `None` to leave the call not
    /// understood.
    fn cc_cross_prefix(&self, candidates: &str) -> Option<String> {
        let _ = candidates;
        None
    }
}

/// A host that answers nothing: no command runs, nothing is looked up.
pub struct NoHost;

impl Host for NoHost {
    fn shell(&self, _command: &str) -> Option<String> {
        None
    }
}

/// The value `$(srctree)` has during an evaluation. Paths starting with it are read from the
/// tree; it is no real directory.
pub const SRCTREE: &str = "/@srctree";

/// Where a word of a list came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: u32,
    /// CONFIG_ symbols (without the prefix) named in the assignment's left side and in the
    /// conditionals around it: what gates the word.
    pub gates: Vec<String>,
}

/// A rule of a Makefile: `targets: prerequisites` and the first line of its recipe.
#[derive(Debug, Clone)]
pub struct Rule {
    pub targets: Vec<String>,
    pub prereqs: Vec<String>,
    pub recipe: String,
    /// The recipe compiles its target (`cc_o_c`, `as_o_S`, or a `cmd_*` of the Makefile's
    /// own that runs the compiler with `-c`); set by `take_rules`.
    pub compiles: bool,
    pub file: String,
    pub line: u32,
}

/// A construct the evaluator could not follow, on a line that decides the build.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unknown {
    pub file: String,
    pub line: u32,
    pub construct: String,
}

/// Simple variables shared by many evaluations: those set here over a layer many walks
/// share as it is (`SharedVars`: auto.conf's `CONFIG_` values).
#[derive(Debug, Default)]
pub struct Vars {
    own: crate::FastMap<String, Var>,
    shared: SharedVars,
}

/// Simple variables set once and read by many evaluations without a copy.
#[derive(Debug, Default, Clone)]
pub struct SharedVars(std::sync::Arc<crate::FastMap<String, Var>>);

impl SharedVars {
    /// The variables `pairs` sets, a later value replacing an earlier one.
    pub fn from_pairs<I: IntoIterator<Item = (String, String)>>(pairs: I) -> SharedVars {
        SharedVars(std::sync::Arc::new(
            pairs
                .into_iter()
                .map(|(n, v)| (n, Var::simple(v)))
                .collect(),
        ))
    }

    /// The value of variable `name`, if it is set.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.value.as_str())
    }
}

impl Vars {
    /// Variables starting from `shared`, which those set here override.
    pub fn over(shared: &SharedVars) -> Vars {
        Vars {
            own: Default::default(),
            shared: shared.clone(),
        }
    }

    fn get(&self, name: &str) -> Option<&Var> {
        self.own.get(name).or_else(|| self.shared.0.get(name))
    }

    /// The value of variable `name`, if it is set.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.get(name).map(|v| v.value.as_str())
    }

    /// Set simple variable `name` (a later value replaces an earlier one).
    pub fn set(&mut self, name: String, value: String) {
        self.own.insert(name, Var::simple(value));
    }
}

#[derive(Debug, Clone)]
struct Var {
    value: String,
    recursive: bool,
    /// Its value holds the result of a construct not understood.
    tainted: bool,
}

impl Var {
    fn simple(value: String) -> Var {
        Var {
            value,
            recursive: false,
            tainted: false,
        }
    }
}

/// One make evaluation: the variables of one directory's sub-make.
pub struct Make<'s> {
    source: &'s dyn Source,
    /// Answers `$(shell ...)` and cc-cross-prefix; `NoHost` unless the caller gives one.
    host: &'s dyn Host,
    /// Variables every directory starts with (auto.conf, the top Makefile's exports),
    /// shared rather than copied: the directory's own assignments go to `vars`.
    base: Option<&'s Vars>,
    /// Names `undefine`d here: unset whatever `base` says, until assigned again here.
    undefined: crate::FastSet<String>,
    vars: crate::FastMap<String, Var>,
    exported: Vec<String>,
    /// Arguments of the `$(call ...)` being expanded: `$(1)`, `$(2)`...
    frames: Vec<Vec<String>>,
    /// Constructs not understood during the current line.
    hits: Vec<String>,
    /// Words of lists with their origin, by variable then word; the first assignment wins.
    origins: crate::FastMap<String, crate::FastMap<String, Origin>>,
    /// The text of each list when its words were last recorded (`record_origins`), and
    /// whether those words were the text's own (a simple list, or one without references).
    origins_scanned: crate::FastMap<String, (String, bool)>,
    pub unknown: Vec<Unknown>,
    /// The budget records among `unknown` (a budget spent, a variable referencing itself):
    /// make itself would stop or run out of memory there.
    pub limits: Vec<Unknown>,
    /// Rules, with targets and prerequisites expanded as make does when it reads them.
    pub rules: Vec<Rule>,
    /// Files read (includes too), for reuse decisions.
    pub files_read: Vec<String>,
    /// Directories `$(wildcard)` listed: a file added there can change the result.
    pub dirs_listed: Vec<String>,
    /// Names looked up in `base` (found there or not), for reuse decisions.
    base_reads: std::cell::RefCell<crate::FastSet<String>>,
    depth: usize,
    /// References being expanded, each inside the one before (`budget::MAX_NESTING`).
    nesting: usize,
    /// Recursive variables being expanded, innermost last: one found again here
    /// references itself, which make stops at.
    expanding: Vec<String>,
    /// Work done so far (see `budget::MAX_WORK`).
    work: u64,
    /// The work budget ran out: expansions are empty from then on.
    exhausted: bool,
    /// The file and line being evaluated, for budget records.
    position: (String, u32),
    /// Expanding only for the evaluator's records: `$(eval)` assigns nothing.
    bookkeeping: bool,
    /// `$(eval)`s being read, innermost last.
    evaluating: usize,
}

/// Variables whose words decide what is built (and not compiler flags).
pub fn is_list_var(name: &str) -> bool {
    if name.contains("flags") || name.contains("FLAGS") {
        return false;
    }
    name.starts_with("obj-")
        || name.starts_with("lib-")
        || name.starts_with("subdir-")
        || name.starts_with("extra-")
        || name.starts_with("always-")
        || name.ends_with("-y")
        || name.ends_with("-m")
        || name.ends_with("-objs")
        || name.ends_with('-')
}

pub use crate::config_name::config_names;

impl<'s> Make<'s> {
    pub fn new(source: &'s dyn Source) -> Self {
        Make {
            source,
            host: &NoHost,
            base: None,
            undefined: Default::default(),
            vars: Default::default(),
            exported: Vec::new(),
            frames: Vec::new(),
            hits: Vec::new(),
            origins: Default::default(),
            origins_scanned: Default::default(),
            unknown: Vec::new(),
            limits: Vec::new(),
            rules: Vec::new(),
            files_read: Vec::new(),
            dirs_listed: Vec::new(),
            base_reads: Default::default(),
            depth: 0,
            nesting: 0,
            expanding: Vec::new(),
            work: 0,
            exhausted: false,
            position: (String::new(), 0),
            bookkeeping: false,
            evaluating: 0,
        }
    }

    /// The same evaluation, asking `host` what only the machine can answer.
    pub fn with_host(mut self, host: &'s dyn Host) -> Self {
        self.host = host;
        self
    }

    /// An evaluation starting from `base`.
    pub fn with_base(source: &'s dyn Source, base: &'s Vars) -> Self {
        let mut make = Make::new(source);
        make.base = Some(base);
        make
    }

    fn get(&self, name: &str) -> Option<&Var> {
        self.vars.get(name).or_else(|| {
            let base = self.base.filter(|_| !self.undefined.contains(name))?;
            let mut reads = self.base_reads.borrow_mut();
            if !reads.contains(name) {
                reads.insert(name.to_string());
            }
            base.get(name)
        })
    }

    /// The names this evaluation looked up in its base so far, found there or not: with
    /// the same files, a base that gives them the same values gives the same evaluation.
    pub fn base_reads(&self) -> Vec<String> {
        let mut names: Vec<String> = self.base_reads.borrow().iter().cloned().collect();
        names.sort();
        names
    }

    /// Set a simple variable.
    pub fn set(&mut self, name: &str, value: &str) {
        self.vars.insert(
            name.to_string(),
            Var {
                value: value.to_string(),
                recursive: false,
                tainted: false,
            },
        );
    }

    pub fn is_set(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The expanded value of a variable.
    pub fn value(&mut self, name: &str) -> String {
        self.hits.clear();
        self.lookup(name)
    }

    /// The words of a list variable.
    pub fn words(&mut self, name: &str) -> Vec<String> {
        self.value(name)
            .split_whitespace()
            .map(String::from)
            .collect()
    }

    /// Where `word` of list `var` came from.
    pub fn origin(&self, var: &str, word: &str) -> Option<&Origin> {
        self.origins.get(var)?.get(word)
    }

    /// Names and values of exported variables, expanded.
    pub fn exported(&mut self) -> Vec<(String, String)> {
        let names = self.exported.clone();
        names
            .into_iter()
            .map(|n| {
                let v = self.value(&n);
                (n, v)
            })
            .collect()
    }

    fn lookup(&mut self, name: &str) -> String {
        if let Ok(index) = name.parse::<usize>() {
            return self
                .frames
                .last()
                .and_then(|f| f.get(index))
                .cloned()
                .unwrap_or_default();
        }
        let Some(var) = self.get(name) else {
            return String::new();
        };
        let (tainted, recursive) = (var.tainted, var.recursive);
        let text = var.value.clone();
        if tainted {
            self.hits
                .push(format!("$({name}), set from a construct not understood"));
        }
        if recursive {
            if self.expanding.iter().any(|n| n == name) {
                // Mirrors recursively_expand_for_file() in make's expand.c.
                self.budget_error(format!(
                    "*** Recursive variable '{name}' references itself (eventually).  Stop."
                ));
                return String::new();
            }
            if self.depth >= budget::MAX_DEPTH {
                self.budget_error(format!(
                    "expansion of $({name}) nested deeper than {} references",
                    budget::MAX_DEPTH
                ));
                return String::new();
            }
            self.depth += 1;
            self.expanding.push(name.to_string());
            let out = self.expand(&text);
            self.expanding.pop();
            self.depth -= 1;
            out
        } else {
            text
        }
    }

    /// Record that a budget ran out (or a variable references itself) at the line being
    /// evaluated. These go to `unknown` whatever the line assigns: a value cut short can
    /// decide the build through any variable.
    fn budget_error(&mut self, construct: String) {
        let unknown = Unknown {
            file: self.position.0.clone(),
            line: self.position.1,
            construct,
        };
        // Once per file and kind: a list expanded again after the evaluation (from
        // `words()`) must not add the same record at another line.
        let known = self
            .unknown
            .iter()
            .any(|u| u.file == unknown.file && u.construct == unknown.construct);
        if !known {
            self.limits.push(unknown.clone());
            self.unknown.push(unknown);
        }
    }

    /// Count `units` of work; false once the evaluation's budget is spent.
    fn spend(&mut self, units: u64) -> bool {
        if self.exhausted {
            return false;
        }
        self.work = self.work.saturating_add(units);
        if self.work > budget::MAX_WORK {
            self.exhausted = true;
            self.budget_error(format!(
                "expansion budget of {} units spent: the rest of this evaluation expands to nothing",
                budget::MAX_WORK
            ));
            return false;
        }
        true
    }

    /// Whether a value of `len` bytes may be produced; records it when not.
    fn fits(&mut self, len: usize) -> bool {
        if len > budget::MAX_VALUE_BYTES {
            self.budget_error(format!(
                "expansion larger than {} bytes, taken as empty",
                budget::MAX_VALUE_BYTES
            ));
            return false;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::MemSource;

    fn eval(text: &str) -> (MemSource, String) {
        (MemSource::new().with("Makefile", text), String::new())
    }

    #[test]
    fn undefine_unsets_a_variable_of_the_base_too() {
        let (src, _) = eval("");
        let base = Vars::over(&SharedVars::from_pairs([(
            "CONFIG_A".to_string(),
            "y".to_string(),
        )]));
        let mut m = Make::with_base(&src, &base);
        m.eval(
            "Makefile",
            "undefine CONFIG_A\nifdef CONFIG_A\ncore-y += a/\nendif\nB := $(CONFIG_A)x\n\
             CONFIG_A := m\nC := $(CONFIG_A)\nundefine CONFIG_A\nD := $(CONFIG_A)d\n",
        );
        assert_eq!(m.words("core-y"), Vec::<String>::new());
        assert_eq!(m.value("B"), "x");
        assert_eq!(m.value("C"), "m");
        assert_eq!(m.value("D"), "d");
    }

    #[test]
    fn lists_conditionals_and_functions() {
        let (src, _) = eval("");
        let mut m = Make::new(&src);
        m.set("CONFIG_A", "y");
        m.set("CONFIG_B", "m");
        m.eval(
            "Makefile",
            "obj-$(CONFIG_A) += a.o \\\n\tb.o\nobj-$(CONFIG_B) += c.o\nobj-$(CONFIG_C) += d.o\n\
             ifdef CONFIG_A\nobj-y += e.o\nelse\nobj-y += f.o\nendif\n\
             ifeq ($(CONFIG_B),y)\nobj-y += g.o\nelse ifeq ($(CONFIG_B),m)\nobj-m += h.o\nendif\n\
             x-objs := $(patsubst %.c,%.o,one.c two.c)\nobj-y += $(x-objs:.o=.o) $(addprefix sub/,z.o)\n\
             foo: bar\n\tobj-y += recipe.o\nobj-y += $(call nosuch,1)\n",
        );
        assert_eq!(
            m.words("obj-y"),
            ["a.o", "b.o", "e.o", "one.o", "two.o", "sub/z.o"]
        );
        assert_eq!(m.words("obj-m"), ["c.o", "h.o"]);
        assert_eq!(m.words("obj-"), ["d.o"]);
        let origin = m.origin("obj-", "d.o").expect("recorded");
        assert_eq!(
            (origin.line, origin.gates.clone()),
            (4, vec!["C".to_string()])
        );
        assert_eq!(m.origin("obj-y", "b.o").map(|o| o.line), Some(1));
        assert_eq!(
            m.origin("obj-y", "e.o").map(|o| o.gates.clone()),
            Some(vec!["A".into()])
        );
        assert_eq!(m.unknown.len(), 1);
        assert_eq!(m.unknown[0].line, 19);
    }

    #[test]
    fn static_pattern_rules_and_compile_recipes() {
        let src = MemSource::new();
        let mut m = Make::new(&src);
        m.set("obj", "v");
        m.eval(
            "v/Makefile",
            "objs := $(addprefix $(obj)/,a-64.o b-64.o)\n$(objs): %-64.o: %.S FORCE\n\t$(call if_changed_dep,vdsoas)\n\
             $(obj)/x.o: $(obj)/y.o\n\t$(call if_changed,objcopy)\n\
             $(objs): CFLAGS += -m64\n\tnot a recipe of anything\n\
             cmd_vdsoas = $(VDSOCC) $(a_flags) -c -o $@ $<\n",
        );
        let rules = m.take_rules();
        let summary: Vec<(Vec<String>, Vec<String>, bool)> = rules
            .iter()
            .map(|r| (r.targets.clone(), r.prereqs.clone(), r.compiles))
            .collect();
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            summary,
            [
                (s(&["v/a-64.o"]), s(&["v/a.S", "FORCE"]), true),
                (s(&["v/b-64.o"]), s(&["v/b.S", "FORCE"]), true),
                (s(&["v/x.o"]), s(&["v/y.o"]), false),
            ]
        );
    }

    #[test]
    fn functions_and_calls() {
        let src = MemSource::new()
            .with(
                "d/Makefile",
                "include $(srctree)/d/inc.mk\nobj-y += $(notdir $(wildcard $(srctree)/d/*.c))\n",
            )
            .with("d/inc.mk", "f = $(1)-$(2)\nV := $(call f,a,b)\n")
            .with("d/x.c", "")
            .with("d/y.c", "");
        let mut m = Make::new(&src);
        m.set("srctree", SRCTREE);
        assert!(m.include("d/Makefile"));
        assert_eq!(m.value("V"), "a-b");
        assert_eq!(m.words("obj-y"), ["x.c", "y.c"]);
        assert_eq!(
            config_names("obj-$(CONFIG_X86_64) CONFIG_Y xCONFIG_Z"),
            ["X86_64", "Y"]
        );
        assert_eq!(normalize("a/./b/../c"), "a/c");
    }

    fn doubling(op: &str, first: &str) -> String {
        let mut text = format!("A0 {op} {first}\n");
        for i in 1..=40 {
            text.push_str(&format!("A{i} {op} $(A{})$(A{})\n", i - 1, i - 1));
        }
        text.push_str("obj-y += $(A40) ok.o\n");
        text
    }

    #[test]
    fn a_variable_referencing_itself_stops_as_make_does() {
        let src = MemSource::new();
        let mut m = Make::new(&src);
        m.set("obj-y", "");
        m.eval(
            "Makefile",
            "X = $(X)$(X)\nobj-y += $(X) a.o\nY = $(Z)\nZ = $(Y)\nV := $(Y)\n",
        );
        assert_eq!(m.words("obj-y"), ["a.o"]);
        let records: Vec<(u32, &str)> = m
            .unknown
            .iter()
            .map(|u| (u.line, u.construct.as_str()))
            .collect();
        assert_eq!(
            records,
            [
                (
                    2,
                    "*** Recursive variable 'X' references itself (eventually).  Stop."
                ),
                (
                    5,
                    "*** Recursive variable 'Y' references itself (eventually).  Stop."
                ),
            ]
        );
        // A function may call itself: only depth bounds it.
        let mut m = Make::new(&src);
        m.eval(
            "Makefile",
            "f = $(call f,$(1)x)\nV := $(call f,a)\nW := $(call f,b)\n",
        );
        assert_eq!(m.value("V"), "");
        assert_eq!(m.unknown.len(), 1);
        assert_eq!(m.unknown[0].line, 2);
        assert!(m.unknown[0].construct.contains("nested deeper than 64"));
    }

    #[test]
    fn doubled_variables_spend_a_budget_and_evaluation_goes_on() {
        let src = MemSource::new();
        // `:=`: each value is built; the one past the size budget is empty.
        let mut m = Make::new(&src);
        m.set("obj-y", "");
        m.eval("Makefile", &doubling(":=", "x.o"));
        assert_eq!(m.words("obj-y"), ["ok.o"]);
        assert_eq!(m.unknown.len(), 1, "{:?}", m.unknown);
        assert_eq!(m.unknown[0].line, 20);
        assert!(m.unknown[0].construct.contains("larger than 1048576 bytes"));
        // `=`: nothing is built until obj-y is; an empty A0 makes 2^40 references of
        // nothing, stopped by the work budget.
        for first in ["x.o", ""] {
            let mut m = Make::new(&src);
            m.set("obj-y", "");
            m.eval("Makefile", &doubling("=", first));
            assert_eq!(m.words("obj-y"), Vec::<String>::new());
            assert_eq!(m.unknown[0].line, 42, "{:?}", m.unknown);
        }
        let mut m = Make::new(&src);
        m.eval("Makefile", &doubling("=", ""));
        assert!(m.unknown[0].construct.contains("budget"), "{:?}", m.unknown);
        // Functions that multiply their input are bounded before they build anything.
        let mut m = Make::new(&src);
        m.eval(
            "Makefile",
            "A := $(subst x,xxxxxxxxxxxxxxxx,xxxxxxxxxxxxxxxx)\nB := $(subst x,$(A),$(A))\n\
             C := $(subst x,$(B) ,$(B))\nD := $(addprefix $(C),$(C))\n",
        );
        assert_eq!(m.value("B").len(), 65536);
        assert_eq!((m.value("C"), m.value("D")), (String::new(), String::new()));
        assert_eq!(m.unknown.len(), 1, "{:?}", m.unknown);
        assert_eq!(m.unknown[0].line, 3);
    }

    #[test]
    fn references_nested_inside_a_recursive_call_are_bounded() {
        // Each call of f opens 300 references before it calls f again: 19,200 nested
        // references at the 64 calls MAX_DEPTH allows, past MAX_NESTING.
        let run = || {
            let src = MemSource::new();
            let mut m = Make::new(&src);
            let body = format!("{}$(call f){}", "$(a".repeat(300), ")".repeat(300));
            m.eval(
                "Makefile",
                &format!("f = {body}\nV := $(call f)\nW := after\n"),
            );
            let records: Vec<(u32, String)> = m
                .unknown
                .iter()
                .map(|u| (u.line, u.construct.clone()))
                .collect();
            (m.value("V"), m.value("W"), records)
        };
        let (v, w, records) = std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(run)
            .expect("spawn")
            .join()
            .expect("no panic");
        assert_eq!((v.as_str(), w.as_str()), ("", "after"));
        assert_eq!(
            records,
            [(
                2,
                "expansion nested deeper than 10000 references".to_string()
            )]
        );
    }

    #[test]
    fn includes_are_bounded() {
        // A thousand nested includes recurse as deep as a tree allows: on the stack the
        // engine's workers have, not a test thread's 2 MiB.
        std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(includes_are_bounded_on_a_big_stack)
            .expect("spawn")
            .join()
            .expect("no panic");
    }

    fn includes_are_bounded_on_a_big_stack() {
        let mut src = MemSource::new();
        for i in 0..2000 {
            src = src.with(&format!("i/{i}.mk"), format!("include i/{}.mk\n", i + 1));
        }
        let src = src
            .with("Makefile", "include i/0.mk\nV := done\n")
            .with("up.mk", "");
        let mut m = Make::new(&src);
        assert!(m.include("Makefile"));
        assert_eq!(m.value("V"), "done");
        assert_eq!(m.files_read.len(), budget::MAX_INCLUDES);
        assert!(m.unknown[0].construct.contains("more than 1000 files"));
        assert_eq!(m.unknown[0].file, "i/998.mk");
        // Nothing is read beside the tree.
        let mut m = Make::new(&src);
        m.set("srctree", SRCTREE);
        m.eval(
            "x/Makefile",
            "include ../up.mk\n-include ../../etc/passwd\n",
        );
        assert_eq!(m.files_read, Vec::<String>::new());
    }

    /// Answers like a host that runs commands, and records what it was asked.
    struct FakeHost {
        asked: std::cell::RefCell<Vec<String>>,
    }

    impl Host for FakeHost {
        fn shell(&self, command: &str) -> Option<String> {
            self.asked.borrow_mut().push(command.to_string());
            Some(match command {
                "uname -m" => "x86_64\n".to_string(),
                _ => "a\nb\n\n".to_string(),
            })
        }

        fn cc_cross_prefix(&self, candidates: &str) -> Option<String> {
            Some(
                candidates
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("")
                    .to_string(),
            )
        }
    }

    #[test]
    fn arch_makefile_with_a_host() {
        let src = MemSource::new();
        let host = FakeHost {
            asked: Default::default(),
        };
        let mut m = Make::new(&src).with_host(&host);
        m.set("ARCH", "x86");
        m.set("NM", "nm");
        m.set("CROSS_COMPILE", "");
        m.eval(
            "arch/x86/Makefile",
            "ifeq ($(ARCH),x86)\n  ifeq ($(shell uname -m),i386)\n\tK := a\n  else\n\tK := b\n  endif\n\
             else\nK := c\nendif\nNM := $(NM) -B\nall:\n\tK := d\ndefine x\nK := e\nendef\n\
             L := $(shell two lines)\n\
             ifeq ($(CROSS_COMPILE),)\nCROSS_COMPILE := $(call cc-cross-prefix, \\\n  p- q- r-)\nendif\n\
             uname := x86_64\nD := $(if $(filter ppc%,$(uname)),$(uname),ppc64le)_defconfig\n",
        );
        assert_eq!(m.value("K"), "b");
        assert_eq!(m.value("NM"), "nm -B");
        assert_eq!(m.value("L"), "a b");
        assert_eq!(m.value("CROSS_COMPILE"), "q-");
        assert_eq!(m.value("D"), "ppc64le_defconfig");
        assert_eq!(*host.asked.borrow(), ["uname -m", "two lines"]);
        assert!(m.unknown.is_empty());
    }

    #[test]
    fn without_a_host_shell_is_not_understood() {
        let src = MemSource::new();
        let mut m = Make::new(&src);
        m.eval(
            "Makefile",
            "obj-y += $(shell echo a.o)\nX := $(call cc-cross-prefix,p-)\nobj-y += $(X)\n",
        );
        assert_eq!(m.words("obj-y"), Vec::<String>::new());
        let constructs: Vec<&str> = m.unknown.iter().map(|u| u.construct.as_str()).collect();
        assert_eq!(
            constructs,
            ["$(shell ...)", "$(X), set from a construct not understood"]
        );
    }

    #[test]
    fn a_list_word_names_the_line_that_first_gave_it() {
        let src = MemSource::new();
        let mut m = Make::new(&src);
        // obj-y starts undefined, so `+=` makes it recursive; lib-y is simple.
        m.eval(
            "Makefile",
            "foo := a.o\n\
             obj-y += x.o\n\
             obj-y += $(foo)\n\
             foo := b.o\n\
             obj-y += y.o x.o\n\
             lib-y := c.o\n\
             lib-y += d.o\n\
             lib-y := c.o d.o e.o\n",
        );
        let line = |m: &Make, var: &str, word: &str| m.origin(var, word).map(|o| o.line);
        assert_eq!(line(&m, "obj-y", "x.o"), Some(2));
        assert_eq!(line(&m, "obj-y", "a.o"), Some(3));
        // `=` lists are expanded whole when a line adds to them: `$(foo)` now gives b.o.
        assert_eq!(line(&m, "obj-y", "b.o"), Some(5));
        assert_eq!(line(&m, "obj-y", "y.o"), Some(5));
        assert_eq!(line(&m, "lib-y", "c.o"), Some(6));
        assert_eq!(line(&m, "lib-y", "d.o"), Some(7));
        assert_eq!(line(&m, "lib-y", "e.o"), Some(8));
        // A recursive list made simple: its literal text is a word list of its own.
        let mut m = Make::new(&src);
        m.eval(
            "Makefile",
            "foo := x.o\n\
             obj-y = a.o $(foo)\n\
             obj-y := a.o $$(foo) b.o\n",
        );
        assert_eq!(line(&m, "obj-y", "x.o"), Some(2));
        assert_eq!(line(&m, "obj-y", "$(foo)"), Some(3));
        assert_eq!(line(&m, "obj-y", "b.o"), Some(3));
    }

    #[test]
    fn eval_reads_its_text_as_makefile_lines() {
        let src = MemSource::new();
        let mut m = Make::new(&src);
        m.set("obj-y", "");
        m.set("obj-m", "");
        m.set("CONFIG_A", "y");
        // drivers/iommu/generic_pt/fmt/Makefile of 7.x and the foreach form of
        // drivers/platform/x86/intel/Makefile.
        m.eval(
            "Makefile",
            "fmt-$(CONFIG_A) += one\nfmt-$(CONFIG_A) += two\nfmt-$(CONFIG_B) += three\n\
             define create\nobj-$(2) += fmt_$(1).o\nifeq ($(2),m)\nMOD := yes\nendif\n\nendef\n\
             $(eval $(foreach f,$(fmt-y),$(call create,$(f),y)))\n\
             $(foreach t, four, $(eval $(call create,$(t),m)))\n\
             late-y = $(eval SIDE := set)late.o\n",
        );
        assert_eq!(m.words("obj-y"), ["fmt_one.o", "fmt_two.o"]);
        assert_eq!(m.words("obj-m"), ["fmt_four.o"]);
        assert_eq!(m.value("MOD"), "yes");
        // Looking at a list for origins expands it without assigning; make assigns when
        // the list itself is expanded.
        assert!(!m.is_set("SIDE"));
        assert_eq!(m.words("late-y"), ["late.o"]);
        assert_eq!(m.value("SIDE"), "set");
        // Every line an `$(eval)` reads counts as the line of the call.
        assert_eq!(m.origin("obj-y", "fmt_two.o").map(|o| o.line), Some(11));
        assert_eq!(m.origin("obj-m", "fmt_four.o").map(|o| o.line), Some(12));
        assert!(m.unknown.is_empty(), "{:?}", m.unknown);

        // Appending in a loop of evaluations pays for every copy of the value.
        let mut m = Make::new(&src);
        m.eval(
            "Makefile",
            "W := $(wordlist 1,300000,$(foreach a,0 1 2 3 4 5 6 7 8 9,$(foreach b,0 1 2 3 4 5 6 7 8 9,\
             $(foreach c,0 1 2 3 4 5 6 7 8 9,$(foreach d,0 1 2 3 4 5 6 7 8 9,$(foreach e,0 1 2,x$(a)$(b)$(c)$(d)$(e)))))))\n\
             $(foreach w,$(W),$(eval X += $(w)))\nV := after\n",
        );
        assert!(m.value("X").len() < 1 << 20);
        assert!(
            m.unknown.iter().any(|u| u.construct.contains("budget")),
            "{:?}",
            m.unknown
        );

        // An evaluation that evaluates itself stops at the depth budget.
        let mut m = Make::new(&src);
        m.eval(
            "Makefile",
            "f = $(eval $$(call f))\n$(call f)\nV := after\n",
        );
        assert_eq!(m.value("V"), "after");
        assert_eq!(m.unknown.len(), 1, "{:?}", m.unknown);
        assert_eq!(m.unknown[0].line, 2);
        assert!(m.unknown[0].construct.contains("nested deeper"));
    }
}
