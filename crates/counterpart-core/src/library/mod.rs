//! The loaded library: scenario files read, validated and analysed once
//! (`load`), the checks they pass (`validate`), a `Library` of scripts by
//! id and by file, and the folder watch that reloads them (`reload`).

pub mod city;
pub mod file;
pub mod knowledge;
pub mod load;
pub mod reload;
pub mod validate;

use crate::library::load::{LoadedFile, load_all, reject_duplicate_ids};
use crate::play::engine::Script;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The scenarios on offer: every loaded file in folder order, and the
/// playable scripts by scenario id. Built once from the loaded files and
/// rebuilt when they change, so nothing else keeps its own map.
#[derive(Debug, Clone, Default)]
pub struct Library {
    files: Vec<LoadedFile>,
    by_id: HashMap<String, Arc<Script>>,
}

impl Library {
    /// Loads every scenario under `paths` (files or folders).
    pub fn load(paths: &[PathBuf]) -> Library {
        Library::from_files(load_all(paths))
    }

    /// A library of `files`; an id shared by two files is an error on the later one.
    pub fn from_files(mut files: Vec<LoadedFile>) -> Library {
        reject_duplicate_ids(&mut files);
        let by_id = files.iter().filter_map(LoadedFile::script).map(|s| (s.scenario.id.clone(), s.clone())).collect();
        Library { files, by_id }
    }

    /// A library of scripts that came from no file: records of scenarios
    /// loaded one by one, and tests.
    pub fn from_scripts(scripts: impl IntoIterator<Item = Arc<Script>>) -> Library {
        Library { files: Vec::new(), by_id: scripts.into_iter().map(|s| (s.scenario.id.clone(), s)).collect() }
    }

    /// The playable script with this scenario id.
    pub fn script(&self, id: &str) -> Option<&Arc<Script>> {
        self.by_id.get(id)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    /// Every playable script, in no particular order.
    pub fn scripts(&self) -> impl Iterator<Item = &Arc<Script>> {
        self.by_id.values()
    }

    /// Every loaded file, playable or not, in folder order.
    pub fn files(&self) -> &[LoadedFile] {
        &self.files
    }

    /// The file at `path`.
    pub fn file(&self, path: &Path) -> Option<&LoadedFile> {
        self.files.iter().find(|f| f.path == path)
    }

    /// The file whose script has this scenario id.
    pub fn file_of(&self, id: &str) -> Option<&LoadedFile> {
        self.files.iter().find(|f| f.script().is_some_and(|s| s.scenario.id == id))
    }

    pub fn into_files(self) -> Vec<LoadedFile> {
        self.files
    }
}

impl std::ops::Index<&str> for Library {
    type Output = Arc<Script>;

    /// The script with this id; panics when there is none, like a map.
    fn index(&self, id: &str) -> &Arc<Script> {
        self.script(id).unwrap_or_else(|| panic!("no scenario with id {id:?} in the library"))
    }
}
