//! contrib/patchwork-xenlint.py against a patchwork API served locally
//! (tests/patchwork/fake_patchwork.py, objects shaped as patchwork's 1.2 schema): the Xen
//! fixture posted with `git format-patch --thread --cover-letter --base=base` gets one
//! check per patch, on the patch id patchwork gave its Message-ID; the incomplete series
//! on the first page is skipped; --dry-run posts nothing; a series without a base is not
//! tested unless --guess-base is passed through.

mod common;

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The fixture's series as `git format-patch` files in `dir`.
fn format_patch(repo: &Path, dir: &Path) {
    common::git_ok(
        repo,
        &[
            "format-patch",
            "--thread",
            "--cover-letter",
            "--base=base",
            "-q",
            "-o",
            dir.to_str().expect("a UTF-8 temporary path"),
            "base..master",
        ],
    );
}

struct Run {
    returncode: i64,
    stdout: String,
    stderr: String,
    requests: Vec<serde_json::Value>,
    posts: Vec<serde_json::Value>,
}

/// The poller run by the fake server on the Xen fixture, with `extra` options; `token`
/// goes to PATCHWORK_TOKEN.
fn poll(server_options: &[&str], extra: &[&str], token: Option<&str>) -> Run {
    let repo = common::xen_fixture(false);
    let patches = tempfile::tempdir().expect("tempdir");
    format_patch(repo.path(), patches.path());
    let mut cmd = std::process::Command::new("python3");
    cmd.arg(root().join("tests/patchwork/fake_patchwork.py"))
        .arg(patches.path())
        .args(server_options)
        .arg("--")
        .arg("python3")
        .arg(root().join("contrib/patchwork-xenlint.py"))
        .args(["--url", "{url}", "--project", "xen"])
        .args(["--since", "2026-06-01T00:00:00", "--arch", "x86"])
        .arg("--repo")
        .arg(repo.path())
        .args(["--xenlint", env!("CARGO_BIN_EXE_xenlint")])
        .args(extra)
        .env_remove("PATCHWORK_TOKEN");
    if let Some(token) = token {
        cmd.env("PATCHWORK_TOKEN", token);
    }
    let out = cmd.output().expect("python3 runs");
    assert!(
        out.status.success(),
        "fake_patchwork.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the server's JSON");
    let list = |key: &str| json[key].as_array().expect("a list").clone();
    Run {
        returncode: json["returncode"].as_i64().expect("a status"),
        stdout: json["stdout"].as_str().expect("text").to_string(),
        stderr: json["stderr"].as_str().expect("text").to_string(),
        requests: list("requests"),
        posts: list("posts"),
    }
}

/// The patch ids fake_patchwork.py gives patches 1..6, in order.
const PATCH_IDS: [u32; 6] = [1001, 1011, 1021, 1031, 1041, 1051];

/// What `xenlint series base..master --arch x86` finds: patches 2 and 3 cause the breaks
/// (XEN_BUILD_HYPERVISOR used before it exists, XEN_PVH lost), 4 and 5 do not bisect
/// because patch 2 is not repaired until patch 6.
const STATES: [&str; 6] = ["success", "fail", "fail", "warning", "warning", "success"];

#[test]
fn every_patch_gets_its_check() {
    let run = poll(&[], &[], Some("secret"));
    assert_eq!(run.returncode, 0, "{}", run.stderr);
    assert_eq!(run.posts.len(), 6, "{}", run.stderr);
    for (i, post) in run.posts.iter().enumerate() {
        assert_eq!(
            post["path"],
            format!("/api/1.2/patches/{}/checks/", PATCH_IDS[i])
        );
        assert_eq!(post["authorization"], "Token secret");
        assert_eq!(post["content_type"], "application/json");
        assert_eq!(post["body"]["context"], "xenlint");
        assert_eq!(post["body"]["state"], STATES[i], "patch {}", i + 1);
    }
    let description = |i: usize| run.posts[i]["body"]["description"].as_str().unwrap_or("");
    assert!(description(1).contains("XL0010 undefined-gate (XEN_BUILD_HYPERVISOR)"));
    assert!(description(2).contains("XL0001 bisect-break (XEN_PVH)"));
    assert!(description(3).contains("does not bisect"));
    assert!(description(0).starts_with("no findings"));

    // Both pages listed with the filters, the incomplete series never downloaded.
    let gets: Vec<String> = run
        .requests
        .iter()
        .filter(|r| r["method"] == "GET")
        .map(|r| format!("{} {}", r["path"].as_str().unwrap_or(""), r["query"]))
        .collect();
    assert_eq!(
        gets[0],
        r#"/api/1.2/series/ {"project":["xen"],"since":["2026-06-01T00:00:00"]}"#
    );
    assert!(gets[1].contains(r#""page":["2"]"#), "{gets:?}");
    assert!(gets.iter().any(|g| g.starts_with("/project/xen/cover/")));
    assert!(gets.iter().any(|g| g.starts_with("/series/42/mbox/")));
    assert!(!gets.iter().any(|g| g.contains("/series/41/")));
    assert!(run.stderr.contains("series 41 (half a series): incomplete"));
    assert!(run.stderr.contains("6 checks posted, 0 failed"));
}

#[test]
fn dry_run_prints_and_posts_nothing() {
    let run = poll(&[], &["--dry-run"], None);
    assert_eq!(run.returncode, 0, "{}", run.stderr);
    assert!(run.posts.is_empty());
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{}", run.stdout);
    for (i, line) in lines.iter().enumerate() {
        assert!(line.starts_with("POST http://127.0.0.1:"), "{line}");
        assert!(line.contains(&format!("/api/1.2/patches/{}/checks/ ", PATCH_IDS[i])));
        assert!(
            line.contains(&format!(r#""state": "{}""#, STATES[i])),
            "{line}"
        );
    }
    assert!(run.stderr.contains("6 checks would post"));
}

#[test]
fn a_series_without_its_base_is_not_tested_unless_guessed() {
    // Without the cover letter the base-commit: trailer is gone: xenlint says "not
    // tested" (exit status 3) and no check is posted.
    let run = poll(&["--no-cover"], &[], Some("secret"));
    assert_eq!(run.returncode, 0, "{}", run.stderr);
    assert!(run.posts.is_empty());
    assert!(run.stderr.contains("not tested"), "{}", run.stderr);

    let run = poll(&["--no-cover"], &["--guess-base"], Some("secret"));
    assert_eq!(run.returncode, 0, "{}", run.stderr);
    let states: Vec<&str> = run
        .posts
        .iter()
        .map(|p| p["body"]["state"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(states, STATES);
}

#[test]
fn failures_are_reported() {
    // No token and no --dry-run: a usage error before any request.
    let run = poll(&[], &[], None);
    assert_eq!(run.returncode, 2);
    assert!(run.requests.is_empty());
    assert!(run.stderr.contains("PATCHWORK_TOKEN"));

    // xenlint cannot run: the series fails, nothing is posted, exit status 1.
    let run = poll(&[], &["--xenlint", "/nonexistent/xenlint"], Some("secret"));
    assert_eq!(run.returncode, 1);
    assert!(run.posts.is_empty());
    assert!(
        run.stderr.contains("series 42: /nonexistent/xenlint"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("0 checks posted, 1 failed"));
}
