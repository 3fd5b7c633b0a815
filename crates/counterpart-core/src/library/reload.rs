//! Live reload of a scenario folder for the authoring loop.
//!
//! A `Reloader` holds the library as last loaded and, on `rescan`, reloads
//! only the files whose bytes changed. A change that fails to load never
//! replaces a version that worked: the last good script stays in use and
//! the new diagnostics are kept beside it (`Entry::rejected`), so an author
//! sees the error while the scenario stays playable.
//!
//! Watching uses the OS's file events through `notify` (inotify on Linux),
//! falling back to `notify`'s polling watcher where events are unavailable
//! (an inotify limit, some network and container file systems). Events are
//! debounced, because one save from an editor is often several writes and a
//! rename, and then reported through a flag plus a caller's wake-up
//! function: the app sleeps between inputs and must be woken to reload.

use crate::scenario::diag::Diagnostic;
use crate::library::city::CityRules;
use crate::library::load::{LoadedFile, display_path, in_parallel, load_bytes_in, reject_duplicate_ids, scenario_files};
use notify::{EventKind, RecursiveMode, Watcher};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Quiet time after the last file event before the folder is rescanned.
pub(crate) const DEBOUNCE: Duration = Duration::from_millis(80);
/// How often the polling fallback looks at the files.
pub(crate) const POLL_INTERVAL: Duration = Duration::from_millis(400);

/// One scenario file as the reloader knows it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// What is in use: the newest version that loaded, or, when no version
    /// ever loaded, the newest failure.
    pub file: LoadedFile,
    /// Errors of the newest version on disk when it failed to load and an
    /// older good version is still in use; empty otherwise.
    pub rejected: Vec<Diagnostic>,
    digest: Option<u64>,
}

/// What a rescan found, one per file that changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Added(PathBuf),
    /// A new version loaded and replaced the old one.
    Updated(PathBuf),
    /// A new version failed to load; the last good version stays in use.
    Kept(PathBuf),
    /// A new version failed to load and there is no good version to keep.
    Failed(PathBuf),
    Removed(PathBuf),
    /// The folder itself could not be listed; nothing was changed.
    Unreadable { path: PathBuf, message: String },
}

impl Change {
    pub fn path(&self) -> &Path {
        match self {
            Change::Added(p) | Change::Updated(p) | Change::Kept(p) | Change::Failed(p) | Change::Removed(p) => p,
            Change::Unreadable { path, .. } => path,
        }
    }
}

/// How the reloader learns about changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchMode {
    /// Only when `rescan` is called.
    Manual,
    /// OS file events.
    Events,
    /// Polling, because events could not be set up (the reason is kept).
    Polling { reason: String },
    /// Neither worked; only manual rescans (both reasons are kept).
    Off { reason: String },
}

pub struct Reloader {
    root: PathBuf,
    /// The bundled folder, whose city profile a folder without its own uses.
    shared: Option<PathBuf>,
    entries: Vec<Entry>,
    dirty: Arc<AtomicBool>,
    mode: WatchMode,
    /// Kept alive for as long as the reloader; dropping it ends the
    /// debounce thread. A Mutex only to make the reloader `Sync`.
    _watcher: Option<Mutex<Box<dyn Watcher + Send>>>,
}

impl std::fmt::Debug for Reloader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reloader").field("root", &self.root).field("mode", &self.mode).finish_non_exhaustive()
    }
}

fn digest(bytes: &[u8]) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

fn read_and_load(path: &Path, city: &CityRules) -> (LoadedFile, Option<u64>) {
    match std::fs::read(path) {
        Ok(bytes) => (load_bytes_in(&bytes, path, city), Some(digest(&bytes))),
        Err(e) => (
            LoadedFile::failed(path, vec![Diagnostic::error("unreadable", &display_path(path), format!("cannot read the file: {e}")).zh(format!("无法读取文件：{e}"), None)]),
            None,
        ),
    }
}

impl Reloader {
    /// Loads the scenarios under `root` (a folder, or one file) without
    /// watching: changes are picked up by calling `rescan`.
    pub fn new(root: PathBuf) -> Reloader {
        Reloader::new_sharing(root, None)
    }

    /// `new`, with the city profile of `shared` (the bundled library) used
    /// when `root` has none of its own.
    pub(crate) fn new_sharing(root: PathBuf, shared: Option<PathBuf>) -> Reloader {
        let mut reloader = Reloader {
            root,
            shared,
            entries: Vec::new(),
            dirty: Arc::new(AtomicBool::new(false)),
            mode: WatchMode::Manual,
            _watcher: None,
        };
        reloader.rescan();
        reloader
    }

    /// Loads the scenarios under `root` and watches it. `wake` is called
    /// (from another thread) once a burst of changes has settled; then
    /// `take_dirty` is true and the owner should `rescan`.
    pub fn watch(root: PathBuf, wake: impl Fn() + Send + 'static) -> Reloader {
        Reloader::watch_sharing(root, None, wake)
    }

    /// `watch`, sharing the city profile of `shared` as `new_sharing` does.
    pub fn watch_sharing(root: PathBuf, shared: Option<PathBuf>, wake: impl Fn() + Send + 'static) -> Reloader {
        let mut reloader = Reloader::new_sharing(root, shared);
        let (tx, rx) = mpsc::channel::<notify::Result<notify::Event>>();
        let target = reloader.watch_target();
        let events = notify::recommended_watcher(tx.clone()).and_then(|mut w| {
            w.watch(&target, RecursiveMode::NonRecursive)?;
            Ok(Box::new(w) as Box<dyn Watcher + Send>)
        });
        let watcher = match events {
            Ok(w) => {
                reloader.mode = WatchMode::Events;
                Some(w)
            }
            Err(event_error) => {
                let config = notify::Config::default().with_poll_interval(POLL_INTERVAL);
                let polling = notify::PollWatcher::new(tx, config).and_then(|mut w| {
                    w.watch(&target, RecursiveMode::NonRecursive)?;
                    Ok(Box::new(w) as Box<dyn Watcher + Send>)
                });
                match polling {
                    Ok(w) => {
                        reloader.mode = WatchMode::Polling { reason: format!("file events unavailable: {event_error}") };
                        Some(w)
                    }
                    Err(poll_error) => {
                        reloader.mode = WatchMode::Off {
                            reason: format!("file events unavailable: {event_error}; polling unavailable: {poll_error}"),
                        };
                        None
                    }
                }
            }
        };
        if watcher.is_some() {
            let dirty = reloader.dirty.clone();
            let spawned = std::thread::Builder::new()
                .name("scenario-reload".into())
                .spawn(move || debounce(rx, &dirty, &wake));
            if let Err(e) = spawned {
                reloader.mode = WatchMode::Off { reason: format!("cannot start the reload thread: {e}") };
            }
        }
        reloader._watcher = watcher.map(Mutex::new);
        reloader
    }

    /// A file is watched through its folder: editors often save by writing
    /// a new file and renaming it over the old one.
    fn watch_target(&self) -> PathBuf {
        if self.root.is_file() {
            self.root.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        } else {
            self.root.clone()
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn mode(&self) -> &WatchMode {
        &self.mode
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// True once after the watcher saw changes settle.
    pub fn take_dirty(&self) -> bool {
        self.dirty.swap(false, Ordering::SeqCst)
    }

    /// The library as the app shows it: one file per entry, in path order,
    /// with duplicate scenario ids reported as `load_all` does.
    pub fn files(&self) -> Vec<LoadedFile> {
        let mut files: Vec<LoadedFile> = self.entries.iter().map(|e| e.file.clone()).collect();
        reject_duplicate_ids(&mut files);
        files
    }

    /// Rereads the folder and reloads every file whose bytes changed.
    pub fn rescan(&mut self) -> Vec<Change> {
        let listed = match scenario_files(&self.root) {
            Ok(listed) => listed,
            Err(e) => {
                let message = format!("cannot read the folder: {e}");
                if self.entries.is_empty() {
                    // At startup this is what the library shows, like load_all.
                    self.entries.push(Entry {
                        file: LoadedFile::failed(&self.root, vec![Diagnostic::error("unreadable", &display_path(&self.root), message.clone()).zh(format!("无法读取文件夹：{e}"), None)]),
                        rejected: vec![],
                        digest: None,
                    });
                }
                return vec![Change::Unreadable { path: self.root.clone(), message }];
            }
        };
        let mut changes = Vec::new();
        self.entries.retain(|entry| {
            let keep = listed.contains(&entry.file.path);
            if !keep && entry.file.path != self.root {
                changes.push(Change::Removed(entry.file.path.clone()));
            }
            keep
        });
        // Read everything, then load the files that changed side by side
        // (validation analyses every persona), then apply in path order.
        let reads: Vec<(PathBuf, std::io::Result<Vec<u8>>)> = listed.into_iter().map(|p| {
            let bytes = std::fs::read(&p);
            (p, bytes)
        }).collect();
        let unchanged = |path: &PathBuf, bytes: &std::io::Result<Vec<u8>>| {
            let new_digest = bytes.as_ref().ok().map(|b| digest(b));
            self.entries.iter().any(|e| &e.file.path == path && e.digest.is_some() && e.digest == new_digest)
        };
        let pending: Vec<(&PathBuf, &std::io::Result<Vec<u8>>, bool)> =
            reads.iter().map(|(path, bytes)| (path, bytes, !unchanged(path, bytes))).collect();
        // The city profile once per rescan, not once per file.
        let folder = if self.root.is_file() { self.root.parent().unwrap_or(Path::new(".")) } else { self.root.as_path() };
        let city = CityRules::for_folder_or(folder, self.shared.as_deref());
        let loads = in_parallel(&pending, |&(path, bytes, changed)| {
            changed.then(|| match bytes {
                Ok(bytes) => (load_bytes_in(bytes, path, &city), Some(digest(bytes))),
                Err(_) => read_and_load(path, &city),
            })
        });
        for ((path, _), load) in reads.iter().zip(loads) {
            let path = path.clone();
            let Some((loaded, new_digest)) = load else { continue };
            match self.entries.iter_mut().find(|e| e.file.path == path) {
                Some(entry) => {
                    let digest = new_digest;
                    entry.digest = digest;
                    if loaded.script().is_some() {
                        entry.file = loaded;
                        entry.rejected.clear();
                        changes.push(Change::Updated(path));
                    } else if entry.file.script().is_some() {
                        entry.rejected = loaded.errors().to_vec();
                        changes.push(Change::Kept(path));
                    } else {
                        entry.file = loaded;
                        changes.push(Change::Failed(path));
                    }
                }
                None => {
                    self.entries.push(Entry { file: loaded, rejected: vec![], digest: new_digest });
                    changes.push(Change::Added(path));
                }
            }
        }
        self.entries.sort_by(|a, b| a.file.path.cmp(&b.file.path));
        changes
    }
}

/// Runs on the watcher's thread: waits for a relevant event, lets the burst
/// settle, then raises the flag and wakes the owner. Ends when the watcher
/// (the channel's sender) is dropped.
fn debounce(rx: mpsc::Receiver<notify::Result<notify::Event>>, dirty: &AtomicBool, wake: &dyn Fn()) {
    while let Ok(event) = rx.recv() {
        if !relevant(&event) {
            continue;
        }
        loop {
            match rx.recv_timeout(DEBOUNCE) {
                Ok(_) => continue,
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        dirty.store(true, Ordering::SeqCst);
        wake();
    }
}

/// Opening and reading files are events too on Linux; the rescan itself
/// reads every file, so counting those would reload forever. Watcher errors
/// count: a rescan is the safe answer to not knowing what happened.
fn relevant(event: &notify::Result<notify::Event>) -> bool {
    match event {
        Ok(event) => !matches!(event.kind, EventKind::Access(_)),
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::Instant;

    const REFERENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/hotline-water-outage.ron");

    fn reference() -> String {
        std::fs::read_to_string(REFERENCE).expect("the reference scenario is readable")
    }

    fn title(reloader: &Reloader, index: usize) -> Option<String> {
        reloader.files()[index].script().map(|s| s.scenario.title.en.clone())
    }

    /// Writes through a temporary file and a rename, as many editors save.
    fn save(path: &Path, text: &str) {
        let tmp = path.with_extension("ron.tmp~");
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, path).unwrap();
    }

    #[test]
    fn a_changed_file_shows_new_content_and_a_broken_change_keeps_the_old() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("water.ron");
        let source = reference();
        std::fs::write(&path, &source).unwrap();
        let mut reloader = Reloader::new(dir.path().to_path_buf());
        assert_eq!(title(&reloader, 0).as_deref(), Some("Day two without water"));
        assert!(reloader.rescan().is_empty(), "nothing changed, nothing reloads");

        let edited = source.replacen("Day two without water", "Day three without water", 1);
        save(&path, &edited);
        assert_eq!(reloader.rescan(), vec![Change::Updated(path.clone())]);
        assert_eq!(title(&reloader, 0).as_deref(), Some("Day three without water"));

        // A typo in a field name: the file no longer loads.
        let broken = edited.replacen("minutes:", "minuts:", 1);
        let line = broken.lines().position(|l| l.contains("minuts:")).unwrap() + 1;
        save(&path, &broken);
        assert_eq!(reloader.rescan(), vec![Change::Kept(path.clone())]);
        assert_eq!(title(&reloader, 0).as_deref(), Some("Day three without water"), "the last good version stays");
        let rejected = &reloader.entries()[0].rejected;
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].line, line);
        assert!(rejected[0].column > 0);
        assert!(rejected[0].message.contains("minuts"), "{}", rejected[0].message);
        assert!(rejected[0].file.ends_with("water.ron"));

        // Fixing it clears the error.
        save(&path, &source);
        assert_eq!(reloader.rescan(), vec![Change::Updated(path.clone())]);
        assert!(reloader.entries()[0].rejected.is_empty());
        assert_eq!(title(&reloader, 0).as_deref(), Some("Day two without water"));
    }

    #[test]
    fn added_and_removed_files_come_and_go_and_a_new_broken_file_is_an_error_card() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.ron");
        std::fs::write(&a, reference()).unwrap();
        let mut reloader = Reloader::new(dir.path().to_path_buf());
        assert_eq!(reloader.files().len(), 1);

        let b = dir.path().join("b.ron");
        std::fs::write(&b, "(id: ").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a scenario").unwrap();
        assert_eq!(reloader.rescan(), vec![Change::Added(b.clone())]);
        let files = reloader.files();
        assert_eq!(files.len(), 2);
        assert!(files[1].script().is_none() && !files[1].errors().is_empty());

        // The same id in a second good file: the file saved last is used,
        // and the other says so.
        std::fs::write(&b, reference()).unwrap();
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::options().write(true).open(&a).unwrap().set_modified(old).unwrap();
        assert_eq!(reloader.rescan(), vec![Change::Updated(b.clone())]);
        assert_eq!(reloader.files()[0].errors()[0].code, "duplicate-scenario-id");
        assert!(reloader.files()[1].script().is_some());

        std::fs::remove_file(&a).unwrap();
        assert_eq!(reloader.rescan(), vec![Change::Removed(a)]);
        let files = reloader.files();
        assert_eq!(files.len(), 1);
        assert!(files[0].script().is_some(), "with the first file gone, the id is no longer a duplicate");
    }

    #[test]
    fn the_watcher_wakes_its_owner_within_a_second_of_a_save() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("water.ron");
        let source = reference();
        std::fs::write(&path, &source).unwrap();
        let wakes = Arc::new(AtomicUsize::new(0));
        let counter = wakes.clone();
        let mut reloader = Reloader::watch(dir.path().to_path_buf(), move || {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        assert!(!matches!(reloader.mode(), WatchMode::Off { .. } | WatchMode::Manual), "{:?}", reloader.mode());
        // Our own reads must not look like changes.
        reloader.rescan();
        std::thread::sleep(Duration::from_millis(300));
        assert!(!reloader.take_dirty(), "reading the files is not a change");

        let saved = Instant::now();
        save(&path, &source.replacen("Day two without water", "Day four without water", 1));
        while !reloader.take_dirty() {
            assert!(saved.elapsed() < Duration::from_secs(1), "no wake-up within a second ({:?})", reloader.mode());
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(wakes.load(Ordering::SeqCst) >= 1);
        assert_eq!(reloader.rescan(), vec![Change::Updated(path)]);
        assert_eq!(title(&reloader, 0).as_deref(), Some("Day four without water"));
    }
}
