//! The Kconfig macro language, as scripts/kconfig/preprocess.c implements it.
//!
//! Variables (`=` recursive, `:=` simple, `+=` append), user-defined functions called with
//! `$(name,arg,...)`, the built-in functions (`shell`, `info`, `warning-if`, `error-if`,
//! `filename`, `lineno`) and environment variables. Environment reads are recorded as the
//! kernel records them for include/config/auto.conf.cmd.
//!
//! `$(shell,...)` runs a command only as the [`ShellPolicy`] allows: a command written by the
//! author of a patch under review must not run on the reviewer's machine unless asked.
//! Outputs are cached by command text in a [`ShellCache`] that callers may share.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

/// Built-in functions and their (min, max) argument counts, as function_table[] in preprocess.c.
const FUNCTIONS: &[(&str, usize, usize)] = &[
    ("error-if", 2, 2),
    ("filename", 0, 0),
    ("info", 1, 1),
    ("lineno", 0, 0),
    ("shell", 1, 1),
    ("warning-if", 2, 2),
];

/// FUNCTION_MAX_ARGS in preprocess.c.
const MAX_ARGS: usize = 16;
/// "Too deep recursive expansion" past this depth, as in variable_expand().
const MAX_EXPANSION_DEPTH: u32 = 1000;
/// References open inside one another, whatever variables they name. variable_expand()
/// bounds each variable alone, so a function whose body nests its recursive call inside
/// 300 other references (`f = $(a$(a...$(f,x)...))`, 1.2 KB) nests 300,000 deep before
/// f reaches its limit: at about 1 KB of stack a level, past the 256 MiB of xenlint's
/// threads. Ten times the one-variable limit (about 10 MB of stack), so that plain
/// recursion, or recursion inside a few references, still ends in the kernel's message.
const MAX_REFERENCE_NESTING: u32 = 10 * MAX_EXPANSION_DEPTH;
/// Bytes one expansion (or one variable's value) may hold. preprocess.c has no limit and a
/// Kconfig file of a posted patch doubling a variable forty times would take terabytes;
/// the kernel's biggest expansion (a `$(shell,...)` output, a cc-option flag list) is a
/// few hundred bytes.
#[cfg(not(fuzzing))]
const MAX_EXPANSION_BYTES: usize = 1 << 20;
/// The fuzz targets (built with `--cfg fuzzing`) spend the same budgets with smaller
/// figures, so that an input that exhausts one costs microseconds, not a tenth of a second.
#[cfg(fuzzing)]
const MAX_EXPANSION_BYTES: usize = 1 << 10;
/// References one expansion may expand (one statement's worth), and all expansions of a
/// tree: `A1 = $(A0)$(A0)` ... `A40 = $(A39)$(A39)` with an empty `A0` produces nothing
/// and still takes 2^40 steps. A whole 6.12 tree expands a few thousand references.
#[cfg(not(fuzzing))]
const MAX_EXPANSION_STEPS: u64 = 1 << 20;
#[cfg(not(fuzzing))]
const MAX_TREE_STEPS: u64 = 8 << 20;
#[cfg(fuzzing)]
const MAX_EXPANSION_STEPS: u64 = 1 << 11;
#[cfg(fuzzing)]
const MAX_TREE_STEPS: u64 = 1 << 13;

/// Which `$(shell,...)` commands may run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellPolicy {
    /// Never run a command: the answer is decided from the command text alone, the same
    /// on every machine ([`super::shell_model`]): Kconfig.include's idioms are evaluated,
    /// compiler probes say `n`, the toolchain is a GNU one of unknown version.
    Never,
    /// Run every command as make would (`sh -c`, in a scratch directory).
    Trusted,
    /// Run only the commands in this set (for a series: the commands of its base); others
    /// get the `Never` answer.
    Allow(HashSet<String>),
}

impl ShellPolicy {
    fn allows(&self, command: &str) -> bool {
        match self {
            ShellPolicy::Never => false,
            ShellPolicy::Trusted => true,
            ShellPolicy::Allow(set) => set.contains(command),
        }
    }
}

/// How one `$(shell,...)` was answered.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ShellRecord {
    pub command: String,
    pub output: String,
    /// False when the policy refused to run it and the empty answer was used.
    pub ran: bool,
    pub file: String,
    pub line: u32,
}

/// Command outputs by command text. Clone it to share one cache between parses: a command
/// another parse is running is waited for, not run again ([`ShellCache::get_or_run`]).
#[derive(Debug, Clone, Default)]
pub struct ShellCache {
    inner: Arc<(Mutex<Answers>, std::sync::Condvar)>,
}

#[derive(Debug, Default)]
struct Answers {
    outputs: HashMap<String, String>,
    /// Commands being run by some thread, their answers not in yet.
    running: HashSet<String>,
}

impl ShellCache {
    pub fn new() -> Self {
        Self::default()
    }

    fn answers(&self) -> std::sync::MutexGuard<'_, Answers> {
        self.inner
            .0
            .lock()
            .expect("shell cache lock is never poisoned: no panics while held")
    }

    pub fn get(&self, command: &str) -> Option<String> {
        self.answers().outputs.get(command).cloned()
    }

    pub fn insert(&self, command: &str, output: String) {
        self.answers().outputs.insert(command.to_string(), output);
    }

    /// The answer to `command`: the cached one, the one of the thread running it now
    /// (waited for), or else what `run` gives, cached.
    pub fn get_or_run(&self, command: &str, run: impl FnOnce() -> String) -> String {
        let mut answers = self.answers();
        loop {
            if let Some(output) = answers.outputs.get(command) {
                return output.clone();
            }
            if !answers.running.contains(command) {
                break;
            }
            answers = (self.inner.1)
                .wait(answers)
                .expect("shell cache lock is never poisoned: no panics while held");
        }
        answers.running.insert(command.to_string());
        drop(answers);
        // Whatever happens in `run`, the command stops running with it, its answer (if it
        // gave one) in at the same moment, and those waiting for it are woken.
        struct Running<'a>(&'a ShellCache, &'a str, Option<String>);
        impl Drop for Running<'_> {
            fn drop(&mut self) {
                let mut answers = self.0.answers();
                answers.running.remove(self.1);
                if let Some(output) = self.2.take() {
                    answers.outputs.insert(self.1.to_string(), output);
                }
                self.0.inner.1.notify_all();
            }
        }
        let mut running = Running(self, command, None);
        let output = run();
        running.2 = Some(output.clone());
        drop(running);
        output
    }

    pub fn len(&self) -> usize {
        self.answers().outputs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every cached command and output, sorted by command.
    pub fn entries(&self) -> BTreeMap<String, String> {
        (self.answers().outputs.iter())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Load entries saved by `entries()` (a JSON object), replacing none already present.
    pub fn extend(&self, entries: BTreeMap<String, String>) {
        let outputs = &mut self.answers().outputs;
        for (command, output) in entries {
            outputs.entry(command).or_insert(output);
        }
    }
}

/// `$(shell,...)` answers (command -> output) with the directory `from` named `to` in both:
/// answers name the scratch directory of the run that got them.
pub fn renamed(
    answers: std::collections::BTreeMap<String, String>,
    from: &str,
    to: &str,
) -> std::collections::BTreeMap<String, String> {
    (answers.into_iter())
        .map(|(command, output)| (command.replace(from, to), output.replace(from, to)))
        .collect()
}

/// How commands run: policy, cache, and the environment and directory they run in.
#[derive(Debug, Clone)]
pub struct ShellRunner {
    pub policy: ShellPolicy,
    pub cache: ShellCache,
    /// Variables exported to commands, as the kernel's Makefile exports them to conf.
    pub env: Vec<(String, String)>,
    /// Where commands run. Probes such as cc-option create temporary files in the current
    /// directory; they must not land in the user's tree.
    pub workdir: Option<PathBuf>,
    /// What must be done before a command runs (writing out the scripts commands call),
    /// done by the first command that is not answered from the cache.
    pub prepare: Option<Prepare>,
    /// Commands the cache cannot answer, noted instead of run and answered with
    /// [`UNKNOWN_OUTPUT`]: a first reading that learns what a tree asks, so that
    /// [`ShellRunner::prefetch`] runs them side by side before the reading that counts.
    pub noted: Option<Arc<Mutex<Vec<String>>>>,
}

/// What a noting runner answers for a command it did not run. A command whose text holds
/// it was made from such an answer: one the real reading may never ask, never run ahead.
pub const UNKNOWN_OUTPUT: &str = "@xenlint-unknown-output@";

/// Work done once, before the first command a [`ShellRunner`] starts, by whichever
/// runner sharing it gets there first; runs answered from the cache never do it.
#[derive(Clone)]
pub struct Prepare(Arc<PrepareInner>);

type PrepareError = Box<dyn std::error::Error + Send + Sync>;

struct PrepareInner {
    work: Box<dyn Fn() -> Result<(), PrepareError> + Send + Sync>,
    outcome: OnceLock<Result<(), PrepareError>>,
}

impl std::fmt::Debug for Prepare {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepare")
            .field("done", &self.0.outcome.get().is_some())
            .finish()
    }
}

impl Prepare {
    pub fn new(work: impl Fn() -> Result<(), PrepareError> + Send + Sync + 'static) -> Self {
        Prepare(Arc::new(PrepareInner {
            work: Box::new(work),
            outcome: OnceLock::new(),
        }))
    }

    /// Do the work unless it was done; whether it succeeded.
    fn ensure(&self) -> bool {
        self.0.outcome.get_or_init(|| (self.0.work)()).is_ok()
    }

    /// Whether the work was done at all.
    pub fn done(&self) -> bool {
        self.0.outcome.get().is_some()
    }

    /// The work's error, if it was done and failed (commands were then answered as
    /// failed ones are, and whoever shares this must not trust their answers).
    pub fn error(&self) -> Option<&PrepareError> {
        self.0.outcome.get().and_then(|r| r.as_ref().err())
    }
}

impl ShellRunner {
    pub fn new(policy: ShellPolicy) -> Self {
        ShellRunner {
            policy,
            cache: ShellCache::new(),
            env: Vec::new(),
            workdir: None,
            prepare: None,
            noted: None,
        }
    }

    /// Run `commands` (in the order given, `jobs` at a time, each once) that the policy
    /// allows and the cache cannot answer, their answers into the cache: what a reading
    /// runs one after the other when it comes to them. A command made from an unknown
    /// answer ([`UNKNOWN_OUTPUT`]) is left alone.
    pub fn prefetch(&self, commands: &[String], jobs: usize) {
        let mut seen = HashSet::new();
        let todo: Vec<&String> = (commands.iter())
            .filter(|c| !c.contains(UNKNOWN_OUTPUT) && seen.insert(c.as_str()))
            .filter(|c| self.policy.allows(c) && self.cache.get(c).is_none())
            .collect();
        let next = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..jobs.min(todo.len()) {
                scope.spawn(|| {
                    while let Some(command) =
                        todo.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                    {
                        self.cache.get_or_run(command, || self.spawn(command));
                    }
                });
            }
        });
    }

    /// Output of `command` after do_shell()'s clean-up, or `None` when the policy forbids it.
    fn run(&self, command: &str) -> Option<String> {
        if !self.policy.allows(command) {
            return None;
        }
        if let Some(output) = self.cache.get(command) {
            return Some(output);
        }
        if let Some(noted) = &self.noted {
            noted
                .lock()
                .expect("noted commands lock")
                .push(command.to_string());
            return Some(UNKNOWN_OUTPUT.to_string());
        }
        Some(self.cache.get_or_run(command, || self.spawn(command)))
    }

    fn spawn(&self, command: &str) -> String {
        if self.prepare.as_ref().is_some_and(|p| !p.ensure()) {
            return String::new();
        }
        crate::exec::note_command(command);
        let mut cmd = std::process::Command::new("/bin/sh");
        cmd.arg("-c").arg(command);
        cmd.stdin(std::process::Stdio::null());
        cmd.stderr(std::process::Stdio::inherit());
        for (name, value) in &self.env {
            cmd.env(name, value);
        }
        let scratch;
        match &self.workdir {
            Some(dir) => {
                cmd.current_dir(dir);
            }
            None => {
                scratch = std::env::temp_dir();
                cmd.current_dir(&scratch);
            }
        }
        let raw = match cmd.output() {
            Ok(out) => out.stdout,
            Err(_) => Vec::new(),
        };
        clean_shell_output(&raw)
    }
}

/// do_shell(): keep at most 4095 bytes, drop trailing newlines, turn the others into spaces.
fn clean_shell_output(raw: &[u8]) -> String {
    let mut bytes = &raw[..raw.len().min(4095)];
    while let [rest @ .., b'\n'] = bytes {
        bytes = rest;
    }
    let text: Vec<u8> = bytes
        .iter()
        .map(|&b| if b == b'\n' { b' ' } else { b })
        .collect();
    String::from_utf8_lossy(&text).into_owned()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Recursive,
    Simple,
    Append,
}

#[derive(Debug, Clone)]
struct Variable {
    value: String,
    flavor: Flavor,
    expanding: u32,
}

/// A message the preprocessor produced, with the position it was produced at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MacroEvent {
    /// `$(info,...)`: conf prints it on stdout.
    Info(String),
    /// `$(warning-if,y,...)`.
    Warning(String),
    /// `$(error-if,y,...)` and expansion errors; conf stops there.
    Error(String),
}

/// The state of the macro language while one tree is parsed.
pub struct Preprocessor {
    variables: HashMap<String, Variable>,
    /// Environment visible to the tree (make's exported variables).
    env: HashMap<String, String>,
    /// Environment variables read, in first-use order.
    pub env_used: Vec<(String, String)>,
    pub shell: ShellRunner,
    pub shell_log: Vec<ShellRecord>,
    /// Position used by `$(filename)`, `$(lineno)` and messages.
    pub filename: String,
    pub lineno: u32,
    pub events: Vec<(String, u32, MacroEvent)>,
    /// Set once an error has been raised in the current expansion; stops runaway work.
    failed: bool,
    /// References expanded in the current expansion, and in the whole tree.
    steps: u64,
    tree_steps: u64,
    /// References being expanded, each inside the one before (see MAX_REFERENCE_NESTING).
    nesting: u32,
    /// Expansions and assignments so far: a stretch of the tree that leaves it unchanged
    /// neither read nor changed the macro language's state.
    entries: u64,
    /// Files with an expansion or an assignment, in first-use order, maybe repeated
    /// (`Model::macro_files`).
    pub used_in: Vec<String>,
}

impl Preprocessor {
    pub fn new(env: HashMap<String, String>, shell: ShellRunner) -> Self {
        Preprocessor {
            variables: HashMap::new(),
            env,
            env_used: Vec::new(),
            shell,
            shell_log: Vec::new(),
            filename: String::new(),
            lineno: 0,
            events: Vec::new(),
            failed: false,
            steps: 0,
            tree_steps: 0,
            nesting: 0,
            entries: 0,
            used_in: Vec::new(),
        }
    }

    fn error(&mut self, message: String) {
        if !self.failed {
            self.events.push((
                self.filename.clone(),
                self.lineno,
                MacroEvent::Error(message),
            ));
        }
        self.failed = true;
    }

    /// A new top-level expansion: errors and the per-expansion budget start again.
    fn start(&mut self) {
        self.entries += 1;
        if self.used_in.last() != Some(&self.filename) {
            self.used_in.push(self.filename.clone());
        }
        self.failed = false;
        self.steps = 0;
    }

    /// Expansions and assignments so far.
    pub fn entries(&self) -> u64 {
        self.entries
    }

    /// variable_add(): define or extend a variable from an assignment statement.
    pub fn assign(&mut self, name: &str, value: &str, flavor: Flavor) {
        self.start();
        let existing = self.variables.get(name).map(|v| v.flavor);
        let (flavor, append) = match (existing, flavor) {
            // For defined variables, += inherits the existing flavor.
            (Some(old), Flavor::Append) => (old, true),
            // For undefined ones, += is recursive.
            (None, Flavor::Append) => (Flavor::Recursive, false),
            (_, other) => (other, false),
        };
        let new_value = if flavor == Flavor::Simple {
            let expanded = self.expand_string(value, &[]);
            self.unless_failed(expanded)
        } else {
            value.to_string()
        };
        let entry = self.variables.entry(name.to_string()).or_insert(Variable {
            value: String::new(),
            flavor,
            expanding: 0,
        });
        entry.flavor = flavor;
        if append {
            entry.value.push(' ');
            entry.value.push_str(&new_value);
        } else {
            entry.value = new_value;
        }
        // `+=` of a recursive variable adds text unexpanded: a value grows a line at a
        // time, and is bounded like an expansion.
        if entry.value.len() > MAX_EXPANSION_BYTES {
            entry.value.clear();
            self.error(format!(
                "value of '{name}' larger than {MAX_EXPANSION_BYTES} bytes, taken as empty"
            ));
        }
    }

    /// Expand every reference in `input` (expand_string()).
    pub fn expand_all(&mut self, input: &str) -> String {
        self.start();
        let expanded = self.expand_string(input, &[]);
        self.unless_failed(expanded)
    }

    /// A top-level expansion that raised an error is empty: what was expanded before the
    /// error (half of a budget) is no value the tree meant.
    fn unless_failed(&self, expanded: String) -> String {
        if self.failed {
            String::new()
        } else {
            expanded
        }
    }

    /// expand_one_token(): expand from the start of `input` up to the end of a word
    /// (a character other than alphanumerics, `_` and `-`, outside references). Returns the
    /// expansion and how many bytes of `input` it consumed.
    pub fn expand_token(&mut self, input: &str) -> (String, usize) {
        self.start();
        let (expanded, used) = self.expand_until(input, &[], |c| {
            !(c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
        });
        (self.unless_failed(expanded), used)
    }

    /// expand_dollar(): `input` starts just after a `$`. Returns the expansion and the bytes
    /// consumed (the parenthesised reference, or nothing when no `(` follows).
    pub fn expand_dollar(&mut self, input: &str) -> (String, usize) {
        self.start();
        let (expanded, used) = self.expand_dollar_args(input, &[]);
        (self.unless_failed(expanded), used)
    }

    fn expand_string(&mut self, input: &str, args: &[String]) -> String {
        self.expand_until(input, args, |c| c == 0).0
    }

    fn expand_until(
        &mut self,
        input: &str,
        args: &[String],
        is_end: impl Fn(u8) -> bool,
    ) -> (String, usize) {
        let bytes = input.as_bytes();
        let mut out = String::new();
        let mut literal_start = 0;
        let mut pos = 0;
        loop {
            let c = bytes.get(pos).copied().unwrap_or(0);
            if c == b'$' {
                out.push_str(&input[literal_start..pos]);
                let (expansion, used) = self.expand_dollar_args(&input[pos + 1..], args);
                out.push_str(&expansion);
                if out.len() > MAX_EXPANSION_BYTES {
                    // Later references of this expansion are empty too (failed).
                    out.clear();
                    self.error(format!(
                        "expansion larger than {MAX_EXPANSION_BYTES} bytes, taken as empty"
                    ));
                }
                pos += 1 + used;
                literal_start = pos;
                continue;
            }
            if c == 0 || is_end(c) {
                break;
            }
            pos += 1;
        }
        out.push_str(&input[literal_start..pos]);
        (out, pos)
    }

    fn expand_dollar_args(&mut self, input: &str, args: &[String]) -> (String, usize) {
        let bytes = input.as_bytes();
        // Only `$(` starts a reference; a `$` before anything else stays as it is.
        if bytes.first() != Some(&b'(') {
            return ("$".to_string(), 0);
        }
        let mut nest = 0i32;
        let mut end = None;
        for (index, &c) in bytes.iter().enumerate().skip(1) {
            match c {
                b'(' => nest += 1,
                b')' => {
                    if nest == 0 {
                        end = Some(index);
                        break;
                    }
                    nest -= 1;
                }
                _ => {}
            }
        }
        let Some(end) = end else {
            self.error(format!(
                "unterminated reference to '{}': missing ')'",
                &input[1..]
            ));
            return (String::new(), input.len());
        };
        if self.failed {
            return (String::new(), end + 1);
        }
        self.steps += 1;
        self.tree_steps += 1;
        if self.steps > MAX_EXPANSION_STEPS {
            self.error(format!(
                "expansion budget of {MAX_EXPANSION_STEPS} references spent"
            ));
            return (String::new(), end + 1);
        }
        if self.tree_steps > MAX_TREE_STEPS {
            // Said once: every later expansion of the tree is empty for the same reason.
            if self.tree_steps == MAX_TREE_STEPS + 1 {
                self.error(format!(
                    "expansion budget of {MAX_TREE_STEPS} references for the tree spent"
                ));
            }
            self.failed = true;
            return (String::new(), end + 1);
        }
        if self.nesting >= MAX_REFERENCE_NESTING {
            self.error(format!(
                "expansion nested deeper than {MAX_REFERENCE_NESTING} references"
            ));
            return (String::new(), end + 1);
        }
        self.nesting += 1;
        let value = self.eval_clause(&input[1..end], args);
        self.nesting -= 1;
        (value, end + 1)
    }

    /// eval_clause(): the inside of `$(...)`: an argument reference, a variable or user
    /// function, a built-in function, or an environment variable.
    fn eval_clause(&mut self, clause: &str, args: &[String]) -> String {
        if let Ok(n) = clause.parse::<usize>() {
            if n > 0 && n <= args.len() && clause.bytes().all(|b| b.is_ascii_digit()) {
                return args[n - 1].clone();
            }
        }
        // Split on top-level commas.
        let mut parts: Vec<&str> = Vec::new();
        let mut nest = 0i32;
        let mut start = 0;
        for (index, c) in clause.bytes().enumerate() {
            match c {
                b',' if nest == 0 => {
                    parts.push(&clause[start..index]);
                    start = index + 1;
                }
                b'(' => nest += 1,
                b')' => nest -= 1,
                _ => {}
            }
        }
        parts.push(&clause[start..]);
        if parts.len() > MAX_ARGS {
            self.error("too many function arguments".to_string());
            return String::new();
        }
        let name = self.expand_string(parts[0], args);
        let call_args: Vec<String> = parts[1..]
            .iter()
            .map(|part| self.expand_string(part, args))
            .collect();
        if self.failed {
            return String::new();
        }
        if let Some(value) = self.expand_variable(&name, &call_args) {
            return value;
        }
        if let Some(value) = self.call_function(&name, &call_args) {
            return value;
        }
        if call_args.is_empty() {
            if let Some(value) = self.expand_env(&name) {
                return value;
            }
        }
        String::new()
    }

    fn expand_variable(&mut self, name: &str, args: &[String]) -> Option<String> {
        let var = self.variables.get_mut(name)?;
        if args.is_empty() && var.expanding > 0 {
            self.error(format!(
                "Recursive variable '{name}' references itself (eventually)"
            ));
            return Some(String::new());
        }
        if var.expanding > MAX_EXPANSION_DEPTH {
            self.error("Too deep recursive expansion".to_string());
            return Some(String::new());
        }
        var.expanding += 1;
        let (flavor, value) = (var.flavor, var.value.clone());
        let result = if flavor == Flavor::Recursive {
            self.expand_string(&value, args)
        } else {
            value
        };
        if let Some(var) = self.variables.get_mut(name) {
            var.expanding -= 1;
        }
        Some(result)
    }

    fn call_function(&mut self, name: &str, args: &[String]) -> Option<String> {
        let &(_, min, max) = FUNCTIONS.iter().find(|(fname, _, _)| *fname == name)?;
        if args.len() < min {
            self.error(format!("too few function arguments passed to '{name}'"));
            return Some(String::new());
        }
        if args.len() > max {
            self.error(format!("too many function arguments passed to '{name}'"));
            return Some(String::new());
        }
        let here = (self.filename.clone(), self.lineno);
        let value = match name {
            "error-if" => {
                if args[0] == "y" {
                    self.error(args[1].clone());
                }
                String::new()
            }
            "filename" => self.filename.clone(),
            "info" => {
                self.events
                    .push((here.0, here.1, MacroEvent::Info(args[0].clone())));
                String::new()
            }
            "lineno" => self.lineno.to_string(),
            "shell" => {
                let command = &args[0];
                let (output, ran) = match self.shell.run(command) {
                    Some(output) => (output, true),
                    None => (super::shell_model::answer(command), false),
                };
                self.shell_log.push(ShellRecord {
                    command: command.clone(),
                    output: output.clone(),
                    ran,
                    file: here.0,
                    line: here.1,
                });
                output
            }
            "warning-if" => {
                if args[0] == "y" {
                    self.events
                        .push((here.0, here.1, MacroEvent::Warning(args[1].clone())));
                }
                String::new()
            }
            _ => unreachable!("FUNCTIONS lists only the names matched above"),
        };
        Some(value)
    }

    fn expand_env(&mut self, name: &str) -> Option<String> {
        if name.is_empty() {
            return None;
        }
        if let Some((_, value)) = self.env_used.iter().find(|(n, _)| n == name) {
            return Some(value.clone());
        }
        let value = self.env.get(name)?.clone();
        self.env_used.push((name.to_string(), value.clone()));
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pp() -> Preprocessor {
        let env = HashMap::from([("ARCH".to_string(), "x86".to_string())]);
        Preprocessor::new(env, ShellRunner::new(ShellPolicy::Never))
    }

    #[test]
    fn recursive_and_simple_variables() {
        let mut p = pp();
        p.assign("A", "$(B)", Flavor::Recursive);
        p.assign("C", "$(B)", Flavor::Simple);
        p.assign("B", "late", Flavor::Recursive);
        assert_eq!(p.expand_all("$(A)/$(C)"), "late/");
        p.assign("A", "more", Flavor::Append);
        assert_eq!(p.expand_all("$(A)"), "late more");
    }

    #[test]
    fn user_functions_take_arguments() {
        let mut p = pp();
        p.assign("greet", "hello,$(1)-$(2)", Flavor::Recursive);
        assert_eq!(p.expand_all("$(greet,a,b)"), "hello,a-b");
    }

    #[test]
    fn environment_reads_are_recorded_once() {
        let mut p = pp();
        assert_eq!(p.expand_all("$(ARCH) $(ARCH) $(NOPE)"), "x86 x86 ");
        assert_eq!(p.env_used, vec![("ARCH".to_string(), "x86".to_string())]);
    }

    #[test]
    fn self_reference_is_an_error_not_a_hang() {
        let mut p = pp();
        p.assign("X", "$(X)", Flavor::Recursive);
        assert_eq!(p.expand_all("$(X)"), "");
        assert!(matches!(
            &p.events[0].2,
            MacroEvent::Error(m) if m.contains("references itself")
        ));
    }

    #[test]
    fn doubled_variables_spend_a_budget() {
        for (flavor, first) in [
            (Flavor::Simple, "x"),
            (Flavor::Recursive, "x"),
            (Flavor::Recursive, ""),
        ] {
            let mut p = pp();
            p.assign("A0", first, flavor);
            for i in 1..=40 {
                p.lineno = i;
                p.assign(&format!("A{i}"), &format!("$(A{0})$(A{0})", i - 1), flavor);
            }
            p.lineno = 41;
            let value = p.expand_all("$(A40)");
            assert!(value.is_empty(), "{} bytes", value.len());
            let errors: Vec<(u32, &MacroEvent)> = p.events.iter().map(|e| (e.1, &e.2)).collect();
            let want = match (flavor, first) {
                (Flavor::Simple, _) => (21, "larger than 1048576 bytes"),
                // A20 alone takes 2^21 references.
                _ => (41, "budget of 1048576 references"),
            };
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0].0, want.0);
            assert!(matches!(errors[0].1, MacroEvent::Error(m) if m.contains(want.1)));
        }
    }

    #[test]
    fn references_nested_inside_a_recursive_call_are_bounded() {
        // Each call of f opens 300 references before it calls f again: 300,000 levels
        // before f alone is too deep. The thread has room for the 10,000 levels allowed.
        let run = || {
            let mut p = pp();
            let body = format!("{}$(f,x){}", "$(a".repeat(300), ")".repeat(300));
            p.assign("f", &body, Flavor::Recursive);
            p.lineno = 2;
            let value = p.expand_all("$(f,x)");
            (value, p.events)
        };
        let (value, events) = std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(run)
            .expect("spawn")
            .join()
            .expect("no panic");
        assert_eq!(value, "");
        let errors: Vec<(u32, &MacroEvent)> = events.iter().map(|e| (e.1, &e.2)).collect();
        assert_eq!(
            errors,
            vec![(
                2,
                &MacroEvent::Error("expansion nested deeper than 10000 references".to_string())
            )]
        );
    }

    #[test]
    fn never_policy_answers_from_the_command_text() {
        let mut p = pp();
        assert_eq!(p.expand_all("[$(shell,echo hi)]"), "[hi]");
        assert_eq!(p.expand_all("[$(shell,id -u)]"), "[]");
        assert!(p.shell_log.iter().all(|r| !r.ran));
        p.assign(
            "if-success",
            "$(shell,{ $(1); } >/dev/null 2>&1 && echo \"$(2)\" || echo \"$(3)\")",
            Flavor::Recursive,
        );
        p.assign("success", "$(if-success,$(1),y,n)", Flavor::Recursive);
        p.assign("failure", "$(if-success,$(1),n,y)", Flavor::Recursive);
        assert_eq!(p.expand_all("$(success,gcc -v)"), "n");
        assert_eq!(p.expand_all("$(failure,gcc -v)"), "y");
    }

    #[test]
    fn shell_output_is_cleaned_like_do_shell() {
        assert_eq!(clean_shell_output(b"a\nb\n\n"), "a b");
    }

    #[test]
    fn token_expansion_stops_at_word_end() {
        let mut p = pp();
        p.assign("V", "y", Flavor::Recursive);
        assert_eq!(p.expand_token("$(V) && B"), ("y".to_string(), 4));
        assert_eq!(p.expand_token("A$(V)-b c"), ("Ay-b".to_string(), 7));
    }

    #[test]
    fn preparation_waits_for_a_command_that_runs_and_is_done_once() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let done = Arc::new(AtomicUsize::new(0));
        let counter = done.clone();
        let mut shell = ShellRunner::new(ShellPolicy::Trusted);
        shell.cache.insert("kept", "answer".to_string());
        shell.prepare = Some(Prepare::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }));
        assert_eq!(shell.run("kept").as_deref(), Some("answer"));
        assert_eq!(
            done.load(Ordering::SeqCst),
            0,
            "an answer kept needs nothing"
        );
        let other = shell.clone();
        assert_eq!(shell.run("echo one").as_deref(), Some("one"));
        assert_eq!(other.run("echo two").as_deref(), Some("two"));
        assert_eq!(
            done.load(Ordering::SeqCst),
            1,
            "done once for every runner sharing it"
        );
        assert!(shell
            .prepare
            .as_ref()
            .is_some_and(|p| p.done() && p.error().is_none()));
    }

    #[test]
    fn a_failed_preparation_answers_as_a_failed_command_and_keeps_its_error() {
        let dir = std::env::temp_dir().join(format!("xenlint-prepare-{}", std::process::id()));
        let canary = dir.join("ran");
        let mut shell = ShellRunner::new(ShellPolicy::Trusted);
        shell.prepare = Some(Prepare::new(|| Err("disk full".into())));
        let command = format!(
            "mkdir -p {0} && touch {1} && echo ran",
            dir.display(),
            canary.display()
        );
        assert_eq!(shell.run(&command).as_deref(), Some(""));
        assert!(!canary.exists(), "the command ran without what it needs");
        let error = shell.prepare.as_ref().and_then(Prepare::error);
        assert_eq!(error.map(ToString::to_string).as_deref(), Some("disk full"));
    }

    #[test]
    fn a_noting_runner_notes_what_it_cannot_answer_and_runs_nothing() {
        let noted = Arc::new(Mutex::new(Vec::new()));
        let mut shell = ShellRunner::new(ShellPolicy::Trusted);
        shell.cache.insert("kept", "answer".to_string());
        shell.noted = Some(noted.clone());
        let dir = std::env::temp_dir().join(format!("xenlint-noted-{}", std::process::id()));
        let command = format!("mkdir -p {0} && echo ran", dir.display());
        assert_eq!(shell.run(&command).as_deref(), Some(UNKNOWN_OUTPUT));
        assert_eq!(shell.run("kept").as_deref(), Some("answer"));
        assert!(!dir.exists(), "noted, not run");
        assert_eq!(*noted.lock().expect("lock"), [command]);
    }

    #[test]
    fn a_command_another_thread_is_running_is_waited_for_not_run_again() {
        let cache = ShellCache::new();
        let runs = std::sync::atomic::AtomicUsize::new(0);
        let started = std::sync::Barrier::new(2);
        std::thread::scope(|scope| {
            let first = scope.spawn(|| {
                cache.get_or_run("probe", || {
                    started.wait();
                    // The other thread asks while this one runs.
                    std::thread::sleep(std::time::Duration::from_millis(100));
                    runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    "first".to_string()
                })
            });
            started.wait();
            let second = cache.get_or_run("probe", || {
                runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                "second".to_string()
            });
            assert_eq!(second, "first");
            assert_eq!(first.join().expect("no panic"), "first");
        });
        assert_eq!(runs.load(std::sync::atomic::Ordering::SeqCst), 1);
        // A run that panics leaves the command to be run by the next asker.
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            cache.get_or_run("broken", || panic!("the command's runner failed"))
        }));
        assert!(panicked.is_err());
        assert_eq!(cache.get_or_run("broken", || "ran".to_string()), "ran");
    }

    #[test]
    fn prefetch_runs_side_by_side_what_the_policy_allows_and_nothing_made_of_a_mark() {
        let dir = std::env::temp_dir().join(format!("xenlint-prefetch-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        // Each waits (five seconds at most) for the other to start: "together" only when
        // both run at once.
        let meet = |mine: &str, theirs: &str| {
            format!(
                "touch {0}/{mine}; for i in $(seq 100); do [ -e {0}/{theirs} ] && echo together && exit; sleep 0.05; done; echo alone",
                dir.display()
            )
        };
        let (first, second) = (meet("a", "b"), meet("b", "a"));
        let marked = format!("touch {}/marked; echo {UNKNOWN_OUTPUT}", dir.display());
        let refused = format!("touch {}/refused", dir.display());
        let allowed: HashSet<String> = [&first, &second, &marked].map(|c| c.to_string()).into();
        let shell = ShellRunner::new(ShellPolicy::Allow(allowed));
        let commands = [
            first.clone(),
            second.clone(),
            first.clone(),
            marked,
            refused,
        ];
        shell.prefetch(&commands, 2);
        assert_eq!(shell.cache.get(&first).as_deref(), Some("together"));
        assert_eq!(shell.cache.get(&second).as_deref(), Some("together"));
        assert_eq!(shell.cache.len(), 2);
        assert!(!dir.join("marked").exists() && !dir.join("refused").exists());
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
