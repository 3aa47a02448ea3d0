//! The output formats of `xenlint series` on the Xen fixture (testrepos/xen-rework.sh): a
//! snapshot of each, written in one run through `--output`; the mails parsed back by
//! Python's `email` package; the GitHub annotation cap; SARIF checked by the official
//! schema and read by real SARIF consumers (scripts/install-clients.sh installs them:
//! without them the client test says why and returns, and fails under
//! XENLINT_REQUIRE_CLIENTS=1, which scripts/test.sh sets).

mod common;

use std::path::Path;
use std::process::Command as Process;

use xenlint::lint::{Baseline, Options, PatchMail, Report};

const FORMATS: &[&str] = &[
    "json",
    "sarif",
    "github",
    "github-summary",
    "email",
    "patchwork",
    "b4-json",
    "checkpatch",
];

/// Every format of one run over the broken fixture, by name, with the run's exit status.
/// The reports go to `xenlint-out/` in the work tree, named relative to it, so that the
/// command line the reports record is the same on every machine.
fn all_formats(repo: &Path) -> (i32, Vec<(&'static str, String)>) {
    let out_dir = repo.join("xenlint-out");
    std::fs::create_dir_all(&out_dir).expect("mkdir");
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("xenlint");
    cmd.args(["series", "base..master", "--format", "human"])
        .current_dir(repo)
        .env("NO_COLOR", "1");
    for format in FORMATS {
        cmd.arg("--output")
            .arg(format!("{format}=xenlint-out/{format}"));
    }
    let out = cmd.output().expect("runs");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("error[XL0001]"),
        "the human report still goes to standard output"
    );
    let texts = FORMATS
        .iter()
        .map(|format| {
            let text = std::fs::read_to_string(out_dir.join(format))
                .unwrap_or_else(|e| panic!("--output {format}: {e}"));
            (*format, text)
        })
        .collect();
    (out.status.code().unwrap_or(-1), texts)
}

#[test]
fn every_format_matches_its_snapshot() {
    let repo = common::xen_fixture(false);
    let (code, texts) = all_formats(repo.path());
    assert_eq!(code, 1);
    for (format, text) in texts {
        if !["github", "github-summary", "email", "checkpatch"].contains(&format) {
            serde_json::from_str::<serde_json::Value>(&text)
                .unwrap_or_else(|e| panic!("{format} is not JSON: {e}"));
        }
        // The JSON report's snapshot is series_xen's.
        if format != "json" {
            insta::assert_snapshot!(format!("xen_rework_{}", format.replace('-', "_")), text);
        }
    }
}

#[test]
fn two_reports_cannot_share_standard_output() {
    let repo = common::xen_fixture(true);
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args([
            "series",
            "base..master",
            "--format",
            "json",
            "--output",
            "sarif=-",
        ])
        .current_dir(repo.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("only one report"));
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["series", "base..master", "--output", "yaml=x"])
        .current_dir(repo.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("b4-json"));
}

#[test]
fn output_alone_replaces_the_human_report() {
    let repo = common::xen_fixture(true);
    let out = assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["series", "base..master", "--output", "patchwork=-"])
        .current_dir(repo.path())
        .output()
        .expect("runs");
    let checks: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json only");
    let checks = checks.as_array().expect("array");
    assert_eq!(checks.len(), 6);
    assert!(checks.iter().all(|c| c["check"]["state"] == "success"));
    assert!(checks.iter().all(|c| c["check"]["context"] == "xenlint"));
}

/// The fixture's report through the library, its patches given the mail they were posted
/// as (`[PATCH v2 i/6]`, threaded under a cover letter).
fn report_with_mail() -> Report {
    let repo = common::xen_fixture(false);
    let path = repo.path().to_path_buf();
    let mut report = common::with_big_stack(move || {
        let repository = xenlint::git::open(&path).expect("open");
        let series = xenlint::git::series(&repository, "base..master").expect("range");
        let options = Options {
            arches: Some(vec!["x86".to_string()]),
            baselines: vec![Baseline::parse("defconfig")],
            overrides: Vec::new(),
            progress: None,
            kbuild: true,
            explain: None,
            cache: None,
            trusted: None,
            incremental: true,
        };
        xenlint::lint::lint(&path, &series, &options).expect("lints")
    });
    let total = report.commits.len() - 1;
    for (index, commit) in report.commits.iter_mut().enumerate().skip(1) {
        commit.mail = Some(PatchMail {
            message_id: format!("<20250101.{index}@example.org>"),
            subject: format!("[PATCH v2 {index}/{total}] {}", commit.summary),
            number: index,
            total,
            revision: 2,
            references: vec!["<20250101.0@example.org>".to_string()],
            from: "Jörg Rödel <joerg@example.org>".to_string(),
        });
    }
    report.command_line = ["xenlint", "series", "base..master", "--arch", "x86 only"]
        .map(String::from)
        .to_vec();
    report
}

/// Parses an mbox with Python's `mailbox` and `email` packages; returns per message its
/// Subject, In-Reply-To, References, To and whether the body holds `needle`.
fn python_parse(mbox: &str, needle: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("replies.mbox");
    std::fs::write(&path, mbox).expect("write");
    let script = r#"
import email, email.header, email.policy, json, mailbox, sys
out = []
for raw in mailbox.mbox(sys.argv[1]):
    msg = email.message_from_bytes(raw.as_bytes(), policy=email.policy.default)
    body = msg.get_body(preferencelist=("plain",)).get_content()
    out.append({
        "subject": str(msg["Subject"]),
        "in_reply_to": msg["In-Reply-To"] and str(msg["In-Reply-To"]),
        "references": msg["References"] and str(msg["References"]).split(),
        "to": msg["To"] and str(msg["To"]),
        "has_needle": sys.argv[2] in body,
        "defects": [str(d) for d in msg.defects],
    })
print(json.dumps(out))
"#;
    let out = Process::new("python3")
        .args(["-c", script])
        .arg(&path)
        .arg(needle)
        .output()
        .expect("python3 runs (CI installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("python printed json")
}

#[test]
fn replies_thread_under_the_patches_they_answer() {
    let report = common::with_big_stack(report_with_mail);
    let mbox = xenlint::report::email(&report);
    let culprits: Vec<usize> = (1..report.commits.len())
        .filter(|&i| report.findings_of(i).next().is_some())
        .collect();
    assert_eq!(
        culprits,
        vec![2, 3],
        "the fixture breaks at patches 2 and 3"
    );
    let mails = python_parse(&mbox, "xenlint series base..master --arch 'x86 only'");
    let mails = mails.as_array().expect("array");
    assert_eq!(mails.len(), 2, "{mbox}");
    for (mail, index) in mails.iter().zip(culprits) {
        let summary = &report.commits[index].summary;
        assert_eq!(
            mail["subject"],
            format!("Re: [PATCH v2 {index}/6] {summary}")
        );
        assert_eq!(
            mail["in_reply_to"],
            format!("<20250101.{index}@example.org>")
        );
        assert_eq!(
            mail["references"],
            serde_json::json!([
                "<20250101.0@example.org>",
                format!("<20250101.{index}@example.org>")
            ])
        );
        assert_eq!(mail["to"], "Jörg Rödel <joerg@example.org>");
        assert_eq!(mail["has_needle"], true, "{mbox}");
        assert_eq!(mail["defects"], serde_json::json!([]));
    }
    insta::assert_snapshot!("xen_rework_email_threaded", mbox);
}

#[test]
fn a_plain_series_gets_standalone_report_mails() {
    let repo = common::xen_fixture(false);
    let out = assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["series", "base..master", "--format", "email"])
        .current_dir(repo.path())
        .output()
        .expect("runs");
    let mbox = String::from_utf8(out.stdout).expect("utf-8");
    let mails = python_parse(&mbox, "xenlint series base..master --format email");
    let mails = mails.as_array().expect("array");
    assert_eq!(mails.len(), 2);
    assert_eq!(
        mails[0]["subject"],
        "[xenlint] x86/xen: build the Xen objects by role"
    );
    assert_eq!(mails[0]["in_reply_to"], serde_json::Value::Null);
    assert_eq!(mails[0]["references"], serde_json::Value::Null);
    assert_eq!(mails[1]["has_needle"], true);
}

#[test]
fn github_annotates_at_most_ten_per_level() {
    let mut report = common::with_big_stack(report_with_mail);
    let template = report
        .findings
        .iter()
        .find(|f| f.severity == xenlint::lint::Severity::Error)
        .expect("an error")
        .clone();
    let errors_before = report
        .findings
        .iter()
        .filter(|f| f.severity == xenlint::lint::Severity::Error)
        .count();
    for n in 0..15 {
        let mut extra = template.clone();
        extra.message = format!("extra, number {n}: 100%");
        report.findings.push(extra);
    }
    let commands = xenlint::report::github(&report);
    let errors = commands
        .lines()
        .filter(|l| l.starts_with("::error "))
        .count();
    assert_eq!(errors, xenlint::report::ANNOTATIONS_PER_LEVEL);
    let left_out = errors_before + 15 - 10;
    let last = commands.lines().last().expect("a line");
    assert!(
        last.starts_with(&format!("::notice title=xenlint::{left_out} more findings")),
        "{last}"
    );
    // Every line is one command: the messages' line breaks and `%` are escaped.
    assert!(commands.lines().all(|l| l.starts_with("::")));
    assert!(commands.contains(": 100%25%0Aculprit: "), "{commands}");
}

use common::clients_dir;

fn have(program: &str, args: &[&str]) -> bool {
    Process::new(common::client(program))
        .args(args)
        .output()
        .is_ok_and(|out| out.status.success())
}

/// True when every client is there; otherwise says what is missing, and fails under
/// XENLINT_REQUIRE_CLIENTS.
fn clients_available(schema: &Path, multitool: &Path) -> bool {
    let mut missing = Vec::new();
    if !schema.exists() {
        missing.push(schema.display().to_string());
    }
    if !multitool.exists() {
        missing.push(multitool.display().to_string());
    }
    if !have("python3", &["-c", "import jsonschema"]) {
        missing.push("python3's jsonschema".to_string());
    }
    if !have("sarif", &["--version"]) {
        missing.push("sarif (PyPI sarif-tools)".to_string());
    }
    if missing.is_empty() {
        return true;
    }
    let message = format!(
        "SARIF clients missing (scripts/install-clients.sh installs them): {}",
        missing.join(", ")
    );
    if std::env::var_os("XENLINT_REQUIRE_CLIENTS").is_some() {
        panic!("{message}");
    }
    eprintln!("SKIPPED: {message}");
    false
}

#[test]
#[ignore = "needs the SARIF clients: scripts/install-clients.sh installs them (scripts/test.sh runs it)"]
fn sarif_is_valid_and_read_by_sarif_consumers() {
    let multitool_dir = clients_dir().join("node_modules/@microsoft/sarif-multitool-linux");
    let schema = multitool_dir.join("sarif-2.1.0.json");
    let multitool = clients_dir().join("node_modules/.bin/sarif-multitool");
    if !clients_available(&schema, &multitool) {
        return;
    }
    let repo = common::xen_fixture(false);
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("xenlint.sarif");
    assert_cmd::cargo::cargo_bin_cmd!("xenlint")
        .args(["series", "base..master", "--output"])
        .arg(format!("sarif={}", log.display()))
        .current_dir(repo.path())
        .assert()
        .code(1);

    // The official schema, with Python's jsonschema.
    let validate = r#"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
log = json.load(open(sys.argv[2]))
cls = jsonschema.validators.validator_for(schema)
errors = list(cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(log))
for e in errors:
    print(e.json_path, e.message)
sys.exit(1 if errors else 0)
"#;
    let out = Process::new(common::client("python3"))
        .args(["-c", validate])
        .arg(&schema)
        .arg(&log)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "schema: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // Microsoft's SARIF multitool: schema and the spec's rules; errors fail.
    let checked = dir.path().join("validation.sarif");
    let out = Process::new(&multitool)
        .arg("validate")
        .arg(&log)
        .arg("-o")
        .arg(&checked)
        .args(["--log", "ForceOverwrite"])
        .output()
        .expect("sarif-multitool runs");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}");
    assert!(!said.contains(": error "), "{said}");

    // sarif-tools reads the results: every finding, by level and rule (one per root cause:
    // the consequences are in each result's message, not results of their own).
    let out = Process::new(common::client("sarif"))
        .args(["summary"])
        .arg(&log)
        .output()
        .expect("sarif runs");
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{summary}");
    assert!(summary.contains("error: 2"), "{summary}");
    assert!(summary.contains("warning: 2"), "{summary}");
    assert!(summary.contains("note: 1"), "{summary}");
    assert!(summary.contains("XL0001"), "{summary}");
}
