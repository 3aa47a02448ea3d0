//! The bad-input catalogue: hostile or malformed command lines, repository content,
//! settings and hook input, each run against a fresh copy of the clean Xen fixture. Every
//! case checks the exit status and that the output names the culprit (argument, revision,
//! file:line), and, whatever the case: that no program of the series ran (a canary file
//! the series' scripts would create), that every file under `.git` is byte-identical
//! afterwards, that no temporary file is left behind, and that nothing panicked.

mod common;

use std::time::Duration;

/// What is run: `xenlint ARGS` in the repository, or the pre-push hook with STDIN.
enum Run {
    Xenlint(&'static [&'static str]),
    Hook(&'static str),
}

struct Case {
    name: &'static str,
    /// Bash run in the repository before the snapshot of `.git`: `commit MESSAGE` commits
    /// everything; `$CANARY` is the file a script of the series would create if run.
    setup: &'static str,
    run: Run,
    code: i32,
    /// Text the output (stdout and stderr) must contain.
    expect: &'static [&'static str],
}

const PRELUDE: &str = r#"set -e
commit() { git add -A; git -c user.name=T -c user.email=t@example.org commit -q -m "$1"; }
evil() { printf '#!/bin/sh\ntouch "%s"\necho "gcc (GCC) 99"\n' "$CANARY" > "$1"; chmod +x "$1"; }
"#;

const SERIES: &[&str] = &[
    "series",
    "base..master",
    "--arch",
    "x86",
    "--fail-on",
    "never",
];

macro_rules! series {
    ($($arg:literal),*) => {
        Run::Xenlint(&["series", "base..master", "--arch", "x86", "--fail-on", "never", $($arg),*])
    };
}

const CASES: &[Case] = &[
    // ---- Command lines
    Case {
        name: "unknown arch",
        setup: "",
        run: Run::Xenlint(&["series", "base..master", "--arch", "nosucharch"]),
        code: 2,
        expect: &["--arch `nosucharch`", "arches here"],
    },
    Case {
        name: "empty arch",
        setup: "",
        run: Run::Xenlint(&["series", "base..master", "--arch="]),
        code: 2,
        expect: &["--arch ``"],
    },
    Case {
        name: "misspelt baseline",
        setup: "",
        run: series!("--baseline", "x86_64_defconfg"),
        code: 2,
        expect: &["--baseline `x86_64_defconfg`"],
    },
    Case {
        name: "missing fragment",
        setup: "",
        run: series!("--baseline", "defconfig+nosuch.config"),
        code: 2,
        expect: &["nosuch.config"],
    },
    Case {
        name: "garbage .config",
        setup: "printf 'CONFIG_X=y\\n<html>\\n' > /tmp/../$TMPDIR/../garbage.config 2>/dev/null || true; printf 'CONFIG_X=y\\n<html>\\n' > garbage.config",
        run: series!("--config", "garbage.config"),
        code: 2,
        expect: &["garbage.config:2", "not a .config line"],
    },
    Case {
        name: "missing .config",
        setup: "",
        run: series!("--config", "missing.config"),
        code: 2,
        expect: &["missing.config"],
    },
    Case {
        name: "missing settings file",
        setup: "",
        run: series!("--settings", "nosuch.toml"),
        code: 2,
        expect: &["--settings nosuch.toml"],
    },
    Case {
        name: "settings with an unknown field",
        setup: "printf 'arch = [\"x86\"]\\n' > mine.toml",
        run: series!("--settings", "mine.toml"),
        code: 2,
        expect: &["mine.toml", "unknown field `arch`"],
    },
    Case {
        name: "settings ignoring an unknown check",
        setup: "printf 'ignore = [\"XL9999\"]\\n' > mine.toml",
        run: series!("--settings", "mine.toml"),
        code: 2,
        expect: &["mine.toml", "XL9999"],
    },
    Case {
        name: "unknown revision",
        setup: "",
        run: Run::Xenlint(&["series", "nosuch..master"]),
        code: 2,
        expect: &["revision `nosuch`"],
    },
    Case {
        name: "unknown tip",
        setup: "",
        run: Run::Xenlint(&["series", "base..nosuch"]),
        code: 2,
        expect: &["revision `nosuch`"],
    },
    Case {
        name: "reversed range",
        setup: "",
        run: Run::Xenlint(&["series", "master..base"]),
        code: 2,
        expect: &["holds no commits"],
    },
    Case {
        name: "root commit alone",
        setup: "",
        run: Run::Xenlint(&["series", "base~100"]),
        code: 2,
        expect: &["base~100"],
    },
    Case {
        name: "not a repository",
        setup: "",
        run: Run::Xenlint(&["series", "base..master", "--repo", "/"]),
        code: 2,
        expect: &["not in a git repository"],
    },
    Case {
        name: "make variable without a value",
        setup: "",
        run: series!("--make-var", "CROSS_COMPILE"),
        code: 2,
        expect: &["CROSS_COMPILE", "VAR=VALUE"],
    },
    Case {
        name: "unknown fail-on",
        setup: "",
        run: Run::Xenlint(&["series", "base..master", "--fail-on", "sometimes"]),
        code: 2,
        expect: &["sometimes"],
    },
    Case {
        name: "unknown format",
        setup: "",
        run: Run::Xenlint(&["series", "base..master", "--format", "xml"]),
        code: 2,
        expect: &["xml"],
    },
    Case {
        name: "unknown command",
        setup: "",
        run: Run::Xenlint(&["lint-everything"]),
        code: 2,
        expect: &["lint-everything"],
    },
    Case {
        name: "unknown check",
        setup: "",
        run: Run::Xenlint(&["explain", "XL9999"]),
        code: 2,
        expect: &["XL9999"],
    },
    // ---- Programs a series ships or names
    Case {
        name: "CC set to a script of the series",
        setup: "evil evil.sh; echo 'CC := ./evil.sh' >> arch/x86/Makefile; commit cc",
        run: series!(),
        code: 0,
        expect: &["XL0004", "arch/x86/Makefile:2", "not run"],
    },
    Case {
        name: "CROSS_COMPILE into the series",
        setup: "mkdir -p tools; evil tools/x-gcc; echo 'CROSS_COMPILE := tools/x-' >> arch/x86/Makefile; commit cross",
        run: series!(),
        code: 0,
        expect: &["XL0004", "CROSS_COMPILE"],
    },
    Case {
        name: "CC through an interpreter",
        setup: "evil evil.sh; echo 'CC := sh evil.sh' >> arch/x86/Makefile; commit cc",
        run: series!(),
        code: 0,
        expect: &["XL0004"],
    },
    Case {
        name: "CC with shell syntax",
        setup: "evil evil.sh; echo 'CC := gcc;./evil.sh' >> arch/x86/Makefile; commit cc",
        run: series!(),
        code: 0,
        expect: &["XL0004"],
    },
    Case {
        name: "HOSTCC, LD and AR set to scripts",
        setup: "evil evil.sh; printf 'HOSTCC := ./evil.sh\\nLD := ./evil.sh\\nAR := ./evil.sh\\n' >> arch/x86/Makefile; commit tools",
        run: series!(),
        code: 0,
        expect: &["commits x 1 arches"],
    },
    Case {
        name: "$(shell) in an arch Makefile",
        setup: "evil evil.sh; echo 'X := $(shell ./evil.sh)' >> arch/x86/Makefile; commit shell",
        run: series!(),
        code: 0,
        expect: &["commits x 1 arches"],
    },
    Case {
        name: "$(shell) in a Kbuild file",
        setup: "evil evil.sh; echo 'obj-y += $(shell ./evil.sh)' >> arch/x86/Kbuild; commit shell",
        run: series!(),
        code: 0,
        expect: &["arch/x86/Kbuild:", "not understood"],
    },
    Case {
        name: "$(shell,...) added to Kconfig",
        setup: "evil evil.sh; printf 'config EVIL\\n\\tstring\\n\\tdefault \"$(shell,./evil.sh)\"\\n' >> arch/x86/xen/Kconfig; commit shell",
        run: series!(),
        code: 0,
        expect: &["XL0004", "./evil.sh"],
    },
    Case {
        name: "a script the base runs, changed by the series",
        setup: "git checkout -q base; mkdir -p scripts; printf '#!/bin/sh\\necho y\\n' > scripts/probe.sh; chmod +x scripts/probe.sh; printf 'config PROBED\\n\\tdef_bool $(shell,$(srctree)/scripts/probe.sh)\\n' >> arch/x86/xen/Kconfig; commit probe; git tag -f base >/dev/null; git checkout -q -B master; evil scripts/probe.sh; commit 'change the probe'",
        run: series!(),
        code: 0,
        expect: &["1 commits x 1 arches"],
    },
    Case {
        name: "settings committed by the series",
        setup: "printf 'ignore = [\"kconfig-error\"]\\n' > .xenlint.toml; printf 'config BAD\\n\\tbool (\\n' >> arch/x86/xen/Kconfig; commit 'quiet'; git checkout -q base",
        run: series!(),
        code: 0,
        expect: &["XL0002"],
    },
    // ---- Trees that are no kernel, or broken Kconfig
    Case {
        name: "top Makefile without VERSION",
        setup: "sed -i 's/^VERSION = /V = /' Makefile; commit 'no version'; sed -i 's/^V = /VERSION = /' Makefile; commit 'version back'",
        run: series!(),
        code: 0,
        expect: &["XL0012", "VERSION"],
    },
    Case {
        name: "top Makefile removed",
        setup: "git rm -q Makefile; commit 'no makefile'",
        run: series!(),
        code: 0,
        expect: &["XL0012", "no top-level Makefile"],
    },
    Case {
        name: "arch Kconfig removed",
        setup: "git rm -q arch/x86/Kconfig; commit 'no arch'",
        run: series!(),
        code: 0,
        expect: &["XL0012", "arch/x86/Kconfig"],
    },
    Case {
        name: "Kconfig syntax error",
        setup: "printf 'config BAD\\n\\tbool (\\n' >> arch/x86/xen/Kconfig; commit bad",
        run: series!(),
        code: 0,
        expect: &["XL0002", "arch/x86/xen/Kconfig:"],
    },
    Case {
        name: "source of a missing file",
        setup: "printf 'source \"nowhere/Kconfig\"\\n' >> arch/x86/xen/Kconfig; commit missing",
        run: series!(),
        code: 0,
        expect: &["XL0002", "nowhere/Kconfig"],
    },
    Case {
        name: "source of a host file",
        setup: "printf 'source \"/etc/passwd\"\\n' >> arch/x86/xen/Kconfig; commit host",
        run: series!(),
        code: 0,
        expect: &["XL0002", "can't open file \"/etc/passwd\""],
    },
    Case {
        name: "recursive source",
        setup: "printf 'source \"arch/x86/xen/Kconfig\"\\n' >> arch/x86/xen/Kconfig; commit loop",
        run: series!(),
        code: 0,
        expect: &["XL0002", "arch/x86/xen/Kconfig"],
    },
    Case {
        name: "macro that references itself",
        setup: "printf 'X = $(X)\\nconfig M\\n\\tstring\\n\\tdefault \"$(X)\"\\n' >> arch/x86/xen/Kconfig; commit macro",
        run: series!(),
        code: 0,
        expect: &["XL0002", "arch/x86/xen/Kconfig"],
    },
    Case {
        name: "non-UTF-8 bytes in Kconfig",
        setup: "printf 'config BYTES\\n\\tbool \"\\377\\376\"\\n' >> arch/x86/xen/Kconfig; commit bytes",
        run: series!(),
        code: 0,
        expect: &["commits x 1 arches"],
    },
    Case {
        name: "NUL bytes in a Makefile",
        setup: "printf 'obj-y += \\000\\000.o\\n' >> arch/x86/Kbuild; commit nul",
        run: series!(),
        code: 0,
        expect: &["commits x 1 arches"],
    },
    Case {
        name: "a one-megabyte Kconfig line",
        setup: "{ printf 'config LONG\\n\\tbool \"'; head -c 1000000 /dev/zero | tr '\\0' a; printf '\"\\n'; } >> arch/x86/xen/Kconfig; commit long",
        run: series!(),
        code: 0,
        expect: &["commits x 1 arches"],
    },
    Case {
        name: "terminal escapes in a commit summary and a Kconfig line",
        setup: "printf 'config ESC\\n\\tbool \"\\033[2J\\033]0;title\\007\"\\n\\tdepends on (\\n' >> arch/x86/xen/Kconfig; commit \"$(printf 'x86: \\033[31mred')\"",
        run: series!(),
        code: 0,
        expect: &["XL0002", "x86: "],
    },
    // ---- Content that would hang or exhaust memory without budgets
    Case {
        name: "a Kbuild directory naming itself",
        setup: "echo 'obj-y += ./' >> drivers/xen/Makefile; commit self",
        run: series!(),
        code: 0,
        expect: &["drivers/xen/Makefile:"],
    },
    Case {
        name: "a recursive make variable referencing itself",
        setup: "echo 'X = $(X)$(X)' >> drivers/xen/Makefile; echo 'obj-y += $(X)' >> drivers/xen/Makefile; commit rec",
        run: series!(),
        code: 0,
        expect: &["drivers/xen/Makefile:", "references itself"],
    },
    Case {
        name: "make variables doubled forty times",
        setup: "{ echo 'A0 := xxxxxxxx'; for i in $(seq 1 40); do echo \"A$i := \\$(A$((i-1)))\\$(A$((i-1)))\"; done; echo 'obj-y += $(A40)'; } >> drivers/xen/Makefile; commit double",
        run: series!(),
        code: 0,
        expect: &["drivers/xen/Makefile:"],
    },
    Case {
        name: "Kconfig macros doubled forty times",
        setup: "{ echo 'A0 := xxxxxxxx'; for i in $(seq 1 40); do echo \"A$i := \\$(A$((i-1)))\\$(A$((i-1)))\"; done; printf 'config BIG\\n\\tstring\\n\\tdefault \"$(A40)\"\\n'; } >> arch/x86/xen/Kconfig; commit double",
        run: series!(),
        code: 0,
        expect: &["XL0002", "arch/x86/xen/Kconfig:"],
    },
    // ---- Broken repositories
    Case {
        name: "missing object",
        setup: "h=$(git rev-parse master~3:arch/x86/xen/Kconfig); rm .git/objects/${h:0:2}/${h:2}",
        run: series!(),
        code: 2,
        expect: &["the repository is corrupt", "arch/x86/xen/Kconfig"],
    },
    // ---- Series posted as mail
    Case {
        name: "empty mbox",
        setup: ": > empty.mbox",
        run: Run::Xenlint(&["mbox", "empty.mbox", "--arch", "x86"]),
        code: 2,
        expect: &["empty.mbox", "no patch"],
    },
    Case {
        name: "mbox missing a patch",
        setup: "git format-patch -q --stdout --base=base base..master | awk '/^From [0-9a-f]+ Mon Sep 17/{n++} n!=2' > gap.mbox",
        run: Run::Xenlint(&["mbox", "gap.mbox", "--arch", "x86"]),
        code: 2,
        expect: &["gap.mbox", "no patch 2/"],
    },
    Case {
        name: "mbox naming a base this repository lacks",
        setup: "git format-patch -q --stdout --base=base base..master | sed 's/^base-commit: .*/base-commit: 0123456789abcdef0123456789abcdef01234567/' > far.mbox",
        run: Run::Xenlint(&["mbox", "far.mbox", "--arch", "x86"]),
        code: 3,
        expect: &["not tested", "0123456789abcdef0123456789abcdef01234567", "--base"],
    },
    Case {
        name: "mbox that does not apply to the base given",
        setup: "git format-patch -q --stdout base..master > late.mbox",
        run: Run::Xenlint(&["mbox", "late.mbox", "--arch", "x86", "--base", "master"]),
        code: 3,
        expect: &["not tested", "patch 1/", "does not apply"],
    },
    Case {
        name: "posted series shipping settings that ignore its findings",
        setup: "git tag old master; printf 'ignore = [\"XL0004\"]\\n' > .xenlint.toml; evil evil.sh; echo 'CC := ./evil.sh' >> arch/x86/Makefile; commit quiet; git format-patch -q --stdout --base=old old..master > quiet.mbox; git reset -q --hard old",
        run: Run::Xenlint(&["mbox", "quiet.mbox", "--arch", "x86", "--fail-on", "never"]),
        code: 0,
        expect: &["XL0004"],
    },
    // ---- The pre-push hook
    Case {
        name: "hook given garbage",
        setup: "",
        run: Run::Hook("not a ref line\n\n   \nrefs/heads/x zzz refs/heads/x yyy\n"),
        code: 0,
        expect: &[],
    },
    Case {
        name: "hook given a hostile push",
        setup: "git tag old master; evil evil.sh; echo 'CC := ./evil.sh' >> arch/x86/Makefile; commit cc",
        run: Run::Hook("refs/heads/master NEW refs/heads/master OLD\n"),
        code: 0,
        expect: &["XL0004"],
    },
];

fn run_case(case: &Case) -> Result<(), String> {
    let repo = common::xen_fixture(true);
    let dir = repo.path();
    let scratch = tempfile::tempdir().expect("tempdir");
    let canary = scratch.path().join("canary");
    let tmpdir = scratch.path().join("tmp");
    std::fs::create_dir(&tmpdir).expect("mkdir");
    let setup = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("{PRELUDE}{}", case.setup))
        .current_dir(dir)
        .env("CANARY", &canary)
        .env("TMPDIR", &tmpdir)
        .status()
        .expect("bash");
    if !setup.success() {
        return Err("setup failed".into());
    }
    let before = common::git_snapshot(dir);
    let output = match &case.run {
        Run::Xenlint(args) => {
            let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_xenlint"));
            cmd.args(*args);
            if args.first() == Some(&"series") && !args.contains(&"--repo") {
                cmd.arg("--repo").arg(dir);
            }
            cmd.current_dir(dir)
                .env("TMPDIR", &tmpdir)
                .env("NO_COLOR", "1");
            run_with_timeout(cmd, None)
        }
        Run::Hook(stdin) => {
            let stdin = stdin
                .replace("NEW", &common::rev(dir, "master"))
                .replace("OLD", &common::rev(dir, "old"));
            let mut cmd = std::process::Command::new("bash");
            cmd.arg(concat!(env!("CARGO_MANIFEST_DIR"), "/hooks/pre-push"))
                .args(["origin", "https://example.org/linux.git"])
                .current_dir(dir)
                .env("XENLINT", env!("CARGO_BIN_EXE_xenlint"))
                .env("TMPDIR", &tmpdir);
            run_with_timeout(cmd, Some(stdin))
        }
    }?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let mut problems = Vec::new();
    if output.status.code() != Some(case.code) {
        problems.push(format!(
            "exit status {:?}, expected {}",
            output.status.code(),
            case.code
        ));
    }
    for want in case.expect {
        if !text.contains(want) {
            problems.push(format!("output lacks `{want}`"));
        }
    }
    if text.contains("panicked") || text.contains("RUST_BACKTRACE") {
        problems.push("panicked".into());
    }
    if text.contains('\u{1b}') {
        problems.push("a raw escape character reached the output".into());
    }
    if canary.exists() {
        problems.push("a program of the series ran".into());
    }
    if common::git_snapshot(dir) != before {
        problems.push("the repository changed".into());
    }
    let left: Vec<_> = std::fs::read_dir(&tmpdir).expect("tmp").collect();
    if !left.is_empty() {
        problems.push(format!("{} temporary entries left", left.len()));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}\n--- output\n{}", problems.join("; "), text))
    }
}

/// Run with a 60 s limit: a hang is a failure of its own, not a stuck test.
fn run_with_timeout(
    mut cmd: std::process::Command,
    stdin: Option<String>,
) -> Result<std::process::Output, String> {
    use std::io::Write;
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| e.to_string())?;
    let mut input = child.stdin.take().expect("stdin");
    // A hook may end without reading its input: a closed pipe is not a failure.
    if let Err(e) = input.write_all(stdin.unwrap_or_default().as_bytes()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(e.to_string());
        }
    }
    drop(input);
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(out) => out.map_err(|e| e.to_string()),
        Err(_) => {
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
            Err("hung for 60 s".into())
        }
    }
}

#[test]
fn the_catalogue_has_forty_cases() {
    assert!(CASES.len() >= 40, "{} cases", CASES.len());
    let mut names: Vec<_> = CASES.iter().map(|c| c.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), CASES.len(), "case names are distinct");
    assert!(SERIES.contains(&"series"));
}

#[test]
fn every_hostile_input_is_handled() {
    // All cases run, then every failure is listed (not one stopping the rest).
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|case| run_case(case).err().map(|e| format!("[{}] {e}", case.name)))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
