//! The input is a revision range, parsed against a small repository made once: a line of
//! commits on `main`, a branch `topic` forked from it, a merge, tags, a root commit.
#![no_main]

use std::path::Path;
use std::sync::{Mutex, OnceLock};

use git2::{Oid, Repository, Signature, Time};
use libfuzzer_sys::fuzz_target;

fn commit(repo: &Repository, message: &str, content: &str, parents: &[Oid]) -> Oid {
    let sig = Signature::new(
        "A U Thor",
        "author@example.com",
        &Time::new(1_700_000_000, 0),
    )
    .expect("valid signature");
    let blob = repo.blob(content.as_bytes()).expect("write blob");
    let mut builder = repo.treebuilder(None).expect("tree builder");
    builder.insert("Kconfig", blob, 0o100644).expect("insert");
    let tree = repo
        .find_tree(builder.write().expect("write tree"))
        .expect("find tree");
    let parents: Vec<_> = parents
        .iter()
        .map(|p| repo.find_commit(*p).expect("parent exists"))
        .collect();
    let parents: Vec<_> = parents.iter().collect();
    repo.commit(None, &sig, &sig, message, &tree, &parents)
        .expect("write commit")
}

fn make_repo(dir: &Path) -> Repository {
    let repo = Repository::init_bare(dir).expect("init");
    let root = commit(&repo, "root", "config A\n", &[]);
    let mut main = vec![root];
    for n in 1..6 {
        let parent = *main.last().expect("one commit");
        main.push(commit(
            &repo,
            &format!("main {n}"),
            &format!("config A{n}\n"),
            &[parent],
        ));
    }
    let topic1 = commit(&repo, "topic 1", "config T1\n", &[main[2]]);
    let topic2 = commit(&repo, "topic 2", "config T2\n", &[topic1]);
    let merge = commit(&repo, "Merge topic", "config M\n", &[main[5], topic2]);
    let tip = |oid: Oid| repo.find_commit(oid).expect("commit exists");
    repo.branch("main", &tip(merge), true).expect("branch");
    repo.branch("topic", &tip(topic2), true).expect("branch");
    repo.tag_lightweight("v1", tip(main[1]).as_object(), true)
        .expect("tag");
    let sig = Signature::new(
        "A U Thor",
        "author@example.com",
        &Time::new(1_700_000_000, 0),
    )
    .expect("valid signature");
    repo.tag("v2", tip(main[4]).as_object(), &sig, "annotated", true)
        .expect("tag");
    repo.set_head("refs/heads/main").expect("head");
    repo
}

/// The repository lives for the whole run (a static: LeakSanitizer does not count it); its
/// directory is removed by the next `tempfile` clean-up of the system, not by the run.
static REPO: OnceLock<Mutex<Repository>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Ok(range) = std::str::from_utf8(data) else {
        return;
    };
    let repo = REPO.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir").keep();
        Mutex::new(make_repo(&dir))
    });
    let repo = repo.lock().expect("one thread");
    let _ = xenlint::git::series(&repo, range);
});
