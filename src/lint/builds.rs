//! What each commit builds, per arch and baseline: the Kbuild walk along the series, reusing
//! the previous commit's object set when nothing the walk read changed.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::git::Oid;

use super::snapshot::Values;
use crate::git::CommitSource;
use crate::kbuild::objects::{autoconf_value, objects, ObjectSet, Request};
use crate::kconfig::env::KernelEnv;
use crate::source::Source;

/// Object sets of one baseline along the series, reusing the previous commit's set when
/// neither the configuration nor any file the walk read changed.
#[derive(Default)]
pub struct ObjectTrack {
    pub sets: Vec<Option<Arc<ObjectSet>>>,
    last_values: Option<Arc<Values>>,
    reads: Vec<(String, Option<Oid>)>,
    /// Files whose existence alone the last walk asked (a source beside an object), with
    /// the answer: a change to their contents leaves the walk as it was.
    exists_asked: HashMap<String, bool>,
    pub walks: usize,
}

impl ObjectTrack {
    pub fn push(
        &mut self,
        source: &CommitSource,
        env: &KernelEnv,
        values: Option<&Arc<Values>>,
        changed: &HashSet<String>,
    ) {
        let Some(values) = values else {
            self.sets.push(None);
            return;
        };
        let same_config = self
            .last_values
            .as_ref()
            .is_some_and(|v| Arc::ptr_eq(v, values) || **v == **values);
        let listed = self
            .sets
            .last()
            .and_then(|s| s.as_ref())
            .map(|s| s.dirs_listed.as_slice())
            .unwrap_or(&[]);
        let same_files = self.reads.iter().all(|(path, _)| !changed.contains(path))
            && !changed.iter().any(|path| {
                let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
                listed.iter().any(|l| l == dir)
            })
            && changed
                .iter()
                .all(|path| match self.exists_asked.get(path) {
                    Some(&existed) => source.exists(path).ok() == Some(existed),
                    None => true,
                });
        if let Some(Some(last)) = self.sets.last() {
            if same_config && same_files {
                let last = last.clone();
                self.sets.push(Some(last));
                return;
            }
        }
        let config: HashMap<String, String> = values
            .iter()
            .filter(|(_, v)| v.as_str() != "n")
            .map(|(k, v)| (format!("CONFIG_{k}"), autoconf_value(v)))
            .collect();
        let before = source.reads.lock().expect("reads lock").len();
        let before_exists = source.exists_asked.lock().expect("exists lock").len();
        let set = objects(
            source,
            &Request {
                arch: &env.arch,
                srcarch: &env.srcarch,
                config: &config,
            },
        );
        self.reads = source.reads.lock().expect("reads lock")[before..].to_vec();
        self.exists_asked = source.exists_asked.lock().expect("exists lock")[before_exists..]
            .iter()
            .cloned()
            .collect();
        self.walks += 1;
        self.last_values = Some(values.clone());
        self.sets.push(Some(Arc::new(set)));
    }
}
