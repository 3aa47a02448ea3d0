//! The temporary directories a run writes to (a base's `scripts/` for Kconfig commands,
//! the demo's repository), removed however the run ends: on return and on a panic (the
//! guard's drop) and on SIGINT, SIGTERM or SIGHUP (the handler `main` installs). Nothing
//! else of xenlint writes outside the paths a user names.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Directories alive now, for the signal handler.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A temporary directory removed when dropped, and by [`remove_all_before_exit`] on a
/// signal.
pub struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new(prefix: &str) -> std::io::Result<Scratch> {
        // Created and registered under the lock: a signal between the two would leave a
        // directory the handler does not know.
        let mut live = LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let dir = tempfile::Builder::new()
            .prefix(&format!("xenlint-{prefix}-"))
            .tempdir()?;
        live.push(dir.path().to_path_buf());
        Ok(Scratch { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let mut live = LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        live.retain(|p| p != self.dir.path());
    }
}

/// Remove every live scratch directory: what the signal handler does before the process
/// exits (it runs on a thread of its own, so waiting for the lock is safe). Workers may
/// still be writing into a directory while it goes: removal is tried until it is gone.
pub fn remove_all_before_exit() {
    let live = LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    remove(&live);
    // Held until the process exits: no new directory is made after the removal.
    std::mem::forget(live);
}

fn remove(dirs: &[PathBuf]) {
    for dir in dirs {
        for _ in 0..100 {
            let _ = std::fs::remove_dir_all(dir);
            if !dir.exists() {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_directories_go_on_drop_and_on_remove_all() {
        let first = Scratch::new("test").expect("scratch");
        let path = first.path().to_path_buf();
        std::fs::write(path.join("f"), "x").expect("write");
        drop(first);
        assert!(!path.exists());
        let second = Scratch::new("test").expect("scratch");
        let path = second.path().to_path_buf();
        std::fs::create_dir_all(path.join("a/b")).expect("mkdir");
        let registered = LIVE.lock().expect("lock").clone();
        assert!(registered.contains(&path));
        remove(&registered);
        assert!(!path.exists());
    }
}
