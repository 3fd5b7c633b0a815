//! The loaded library: scenario files read, validated and analysed once
//! (`load`), the checks they pass (`validate`), a `Library` of scripts by
//! id and by file, and the folder watch that reloads them (`reload`).
//! A library is read from several folders (`sources`): the bundled one,
//! shared folders from the config file and the trainers' folder; each file
//! keeps the folder it came from, and a later folder's scenario replaces an
//! earlier one with the same id.

pub mod city;
pub mod file;
pub mod knowledge;
pub mod load;
pub mod reload;
pub mod sources;
pub mod validate;

use crate::library::load::{LoadedFile, display_path, load_all, reject_duplicate_ids};
use crate::library::sources::{Source, SourceKind, Sources};
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
    /// The folders read, in order; empty for a library of loose files.
    sources: Vec<Source>,
    /// For each file, its folder's index in `sources` (empty when `sources` is).
    origin: Vec<usize>,
    /// Scenarios a later folder replaced, in the order found.
    overrides: Vec<Override>,
}

/// A scenario in a later folder that replaces one with the same id in an
/// earlier folder. The replaced file is not offered for play and gets no
/// card; this is what the library says about it instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub id: String,
    /// The file in use.
    pub winner: PathBuf,
    pub winner_source: Source,
    /// The file set aside.
    pub replaced: PathBuf,
    pub replaced_source: Source,
}

impl Override {
    /// One line for `validate` and `list`: which file wins and why.
    pub fn message(&self) -> String {
        format!(
            "scenario \"{}\": {} ({}) is used instead of {} ({}); a scenario in a later folder replaces one with the same id",
            self.id,
            display_path(&self.winner),
            self.winner_source.kind.label().en,
            display_path(&self.replaced),
            self.replaced_source.kind.label().en,
        )
    }
}

/// Each folder's files; folders other than the bundled one use the bundled
/// city profile and knowledge base when they have none of their own.
fn load_folders(sources: &[Source]) -> Vec<(Source, Vec<LoadedFile>)> {
    sources
        .iter()
        .map(|s| (s.clone(), crate::library::load::load_all_sharing(std::slice::from_ref(&s.folder), shared_home(sources, s))))
        .collect()
}

/// Where `source` borrows a city profile and knowledge base from: the
/// bundled folder, for every other folder.
pub fn shared_home<'a>(sources: &'a [Source], source: &Source) -> Option<&'a std::path::Path> {
    sources
        .iter()
        .find(|s| s.kind == SourceKind::Bundled)
        .filter(|bundled| bundled.folder != source.folder)
        .map(|bundled| bundled.folder.as_path())
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
        Library { files, by_id, ..Library::default() }
    }

    /// Loads each folder of `sources`, in order (see `from_sources`).
    pub fn load_sources(sources: &[Source]) -> Library {
        Library::from_sources(load_folders(sources))
    }

    /// The folders `discover` found, loaded, with a broken config file
    /// shown as a file that failed to load.
    pub fn load_discovered(found: &Sources) -> Library {
        Library::from_sources(with_config_problems(found, load_folders(&found.sources)))
    }

    /// A library of several folders' files, earliest folder first. Within
    /// one folder an id shared by two files is an error on the later file,
    /// as ever: that is a slip. Across folders it is how a trainer replaces
    /// a bundled scenario, so the later folder's file wins and the library
    /// records an `Override`. Only a file that loaded replaces another: a
    /// broken trainer's copy leaves the bundled scenario playable.
    pub fn from_sources(folders: Vec<(Source, Vec<LoadedFile>)>) -> Library {
        let mut files: Vec<LoadedFile> = Vec::new();
        let mut origin: Vec<usize> = Vec::new();
        let mut overrides = Vec::new();
        let sources: Vec<Source> = folders.iter().map(|(s, _)| s.clone()).collect();
        for (index, (source, mut loaded)) in folders.into_iter().enumerate() {
            reject_duplicate_ids(&mut loaded);
            for file in loaded {
                if let Some(script) = file.script() {
                    let id = &script.scenario.id;
                    let earlier = files.iter().position(|f| f.script().is_some_and(|s| &s.scenario.id == id));
                    if let Some(at) = earlier {
                        let replaced = files.remove(at);
                        let replaced_source = sources[origin.remove(at)].clone();
                        overrides.push(Override {
                            id: id.clone(),
                            winner: file.path.clone(),
                            winner_source: source.clone(),
                            replaced: replaced.path,
                            replaced_source,
                        });
                    }
                }
                files.push(file);
                origin.push(index);
            }
        }
        let by_id = files.iter().filter_map(LoadedFile::script).map(|s| (s.scenario.id.clone(), s.clone())).collect();
        Library { files, by_id, sources, origin, overrides }
    }

    /// The folders this library was read from, in order.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// The folder the file at `path` came from.
    pub fn source_of(&self, path: &Path) -> Option<&Source> {
        let at = self.files.iter().position(|f| f.path == path)?;
        self.origin.get(at).and_then(|&i| self.sources.get(i))
    }

    /// Every scenario a later folder replaced.
    pub fn overrides(&self) -> &[Override] {
        &self.overrides
    }

    /// What the file at `path` replaced, when it did (the last, if a chain).
    pub fn replaced_by(&self, path: &Path) -> Option<&Override> {
        self.overrides.iter().rev().find(|o| o.winner == path)
    }

    /// A library of scripts that came from no file: records of scenarios
    /// loaded one by one, and tests.
    pub fn from_scripts(scripts: impl IntoIterator<Item = Arc<Script>>) -> Library {
        Library { by_id: scripts.into_iter().map(|s| (s.scenario.id.clone(), s)).collect(), ..Library::default() }
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

}

/// `folders` and, when the config file is broken, its message as one more
/// failed file after them (the app builds its folders from its watchers).
pub fn with_config_problems(found: &Sources, mut folders: Vec<(Source, Vec<LoadedFile>)>) -> Vec<(Source, Vec<LoadedFile>)> {
    if let (false, Some(config)) = (found.problems.is_empty(), &found.config) {
        folders.push((Source::new(SourceKind::Config, config), vec![LoadedFile::failed(config, found.problems.clone())]));
    }
    folders
}

impl std::ops::Index<&str> for Library {
    type Output = Arc<Script>;

    /// The script with this id; panics when there is none, like a map.
    fn index(&self, id: &str) -> &Arc<Script> {
        self.script(id).unwrap_or_else(|| panic!("no scenario with id {id:?} in the library"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::sources::SourceKind;

    const REFERENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/hotline-water-outage.ron");

    fn reference() -> String {
        std::fs::read_to_string(REFERENCE).expect("the reference scenario is readable")
    }

    fn folders() -> (tempfile::TempDir, Source, Source) {
        let dir = tempfile::tempdir().unwrap();
        let bundled = Source::new(SourceKind::Bundled, dir.path().join("bundled"));
        let trainers = Source::new(SourceKind::Trainers, dir.path().join("trainers"));
        std::fs::create_dir(&bundled.folder).unwrap();
        std::fs::create_dir(&trainers.folder).unwrap();
        (dir, bundled, trainers)
    }

    #[test]
    fn a_trainers_scenario_with_a_bundled_id_wins_and_the_library_says_so() {
        let (_dir, bundled, trainers) = folders();
        let source = reference();
        std::fs::write(bundled.folder.join("water.ron"), &source).unwrap();
        let other = source.replacen("id: \"hotline-water-outage\"", "id: \"hotline-water-outage-2\"", 1);
        assert_ne!(other, source, "the fixture's id is where the test expects it");
        std::fs::write(bundled.folder.join("water-2.ron"), &other).unwrap();
        let mine = trainers.folder.join("our-water.ron");
        std::fs::write(&mine, source.replacen("Day two without water", "Day two without water (our version)", 1)).unwrap();

        let library = Library::load_sources(&[bundled.clone(), trainers.clone()]);
        assert_eq!(library.files().len(), 2, "the replaced bundled file gets no card");
        let script = library.script("hotline-water-outage").unwrap();
        assert_eq!(script.scenario.title.en, "Day two without water (our version)");
        assert_eq!(library.file_of("hotline-water-outage").unwrap().path, mine);
        assert_eq!(library.source_of(&mine), Some(&trainers));
        assert_eq!(library.source_of(&bundled.folder.join("water-2.ron")), Some(&bundled));
        let note = library.replaced_by(&mine).expect("the override is recorded");
        assert_eq!(note.replaced, bundled.folder.join("water.ron"));
        assert_eq!(note.replaced_source, bundled);
        let message = note.message();
        assert!(message.contains("our-water.ron") && message.contains("water.ron") && message.contains("trainers' folder"), "{message}");
        assert_eq!(library.overrides().len(), 1);
    }

    #[test]
    fn a_trainers_folder_uses_the_bundled_city_profile_and_knowledge_base() {
        let bundled = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios"));
        let (_dir, _, trainers) = folders();
        let copy = trainers.folder.join("our-water.ron");
        let source = std::fs::read_to_string(bundled.join("hotline-water-outage.ron")).unwrap();
        assert!(source.contains("local_rules") && source.contains("work_order"), "the copy cites city rules and knowledge");
        std::fs::write(&copy, &source).unwrap();
        let codes = |files: &[LoadedFile]| -> Vec<String> {
            files.iter().flat_map(|f| f.errors().iter().chain(f.warnings.iter())).map(|d| d.code.to_string()).collect()
        };

        // Alone, the folder has no city profile and no knowledge base.
        let alone = load_all(std::slice::from_ref(&trainers.folder));
        assert!(!codes(&alone).is_empty(), "without sharing the copy must be reported");

        let sources = [Source::new(SourceKind::Bundled, bundled), trainers.clone()];
        let shared = shared_home(&sources, &trainers);
        assert_eq!(shared, Some(bundled));
        assert_eq!(shared_home(&sources, &sources[0]), None, "the bundled folder borrows from nobody");
        let borrowed = crate::library::load::load_all_sharing(std::slice::from_ref(&trainers.folder), shared);
        assert_eq!(borrowed.len(), 1, "the bundled knowledge files are not listed again: {:?}", borrowed.iter().map(|f| &f.path).collect::<Vec<_>>());
        assert!(borrowed[0].script().is_some());
        assert_eq!(codes(&borrowed), Vec::<String>::new());

        // The app's reloader sees the same.
        let reloader = crate::library::reload::Reloader::new_sharing(trainers.folder.clone(), shared.map(Path::to_path_buf));
        assert_eq!(codes(&reloader.files()), Vec::<String>::new());
    }

    #[test]
    fn a_duplicate_id_within_one_folder_is_still_an_error_on_the_file_not_used() {
        let (_dir, bundled, trainers) = folders();
        std::fs::write(trainers.folder.join("a.ron"), reference()).unwrap();
        std::fs::write(trainers.folder.join("b.ron"), reference()).unwrap();
        // b was saved before a: a, the more recent, is used.
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::options().write(true).open(trainers.folder.join("b.ron")).unwrap().set_modified(old).unwrap();
        let library = Library::load_sources(&[bundled, trainers.clone()]);
        assert_eq!(library.files().len(), 2);
        assert!(library.files()[0].script().is_some());
        let error = &library.files()[1].errors()[0];
        assert_eq!(error.code, "duplicate-scenario-id");
        assert!(error.message.contains("a.ron") && error.message.contains("saved more recently"), "{error}");
        assert!(library.overrides().is_empty());
    }

    #[test]
    fn a_broken_trainers_copy_leaves_the_bundled_scenario_playable() {
        let (_dir, bundled, trainers) = folders();
        std::fs::write(bundled.folder.join("water.ron"), reference()).unwrap();
        std::fs::write(trainers.folder.join("water.ron"), reference().replacen("minutes:", "minuts:", 1)).unwrap();
        let library = Library::load_sources(&[bundled.clone(), trainers]);
        assert_eq!(library.file_of("hotline-water-outage").unwrap().path, bundled.folder.join("water.ron"));
        assert_eq!(library.files().len(), 2, "the broken copy is an error card beside it");
        assert!(library.overrides().is_empty());
    }

    #[test]
    fn a_broken_config_file_is_a_card_and_the_folders_still_load() {
        let (dir, bundled, _) = folders();
        std::fs::write(bundled.folder.join("water.ron"), reference()).unwrap();
        let config = dir.path().join("config.ron");
        std::fs::write(&config, "(scenario_folders: [\"unclosed)").unwrap();
        let found = crate::library::sources::discover_with(&bundled.folder, None, Some(config.clone()));
        let library = Library::load_discovered(&found);
        assert!(library.contains("hotline-water-outage"));
        let card = library.file(&config).expect("the config's problem is shown as a file");
        assert_eq!(card.errors()[0].code, "broken-config");
        assert_eq!(library.source_of(&config).map(|s| s.kind), Some(SourceKind::Config));
    }

    #[test]
    fn a_folder_that_cannot_be_read_is_an_error_card_from_that_source() {
        let (dir, bundled, _) = folders();
        std::fs::write(bundled.folder.join("water.ron"), reference()).unwrap();
        let share = Source::new(SourceKind::Shared, dir.path().join("unplugged-share"));
        let library = Library::load_sources(&[bundled, share.clone()]);
        assert!(library.contains("hotline-water-outage"));
        let card = library.files().last().unwrap();
        assert!(card.errors()[0].message.contains("cannot read the folder"), "{:?}", card.errors());
        assert_eq!(library.source_of(&card.path), Some(&share));
    }
}
