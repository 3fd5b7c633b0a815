//! What the screens share, one concern per resource: the scenarios on
//! offer (`Scenarios`) and the trainee at the keyboard (`Trainee`). The
//! encounter in progress is `run::CurrentRun`; the PC's time zone, in
//! which stored UTC times are shown and days counted (`LocalZone`);
//! everything else a screen needs lives in that screen's own resource.

use bevy::prelude::*;
use counterpart_core::library::Library;
use counterpart_core::library::load::LoadedFile;
use counterpart_core::library::sources::Sources;
use counterpart_core::play::engine::Script;
use counterpart_core::records::store::Profile;
use counterpart_core::records::when::Zone;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Scenarios>();
    app.init_resource::<Trainee>();
    app.insert_resource(LocalZone(Zone::system()));
}

/// This PC's time zone (read once at start): the records keep UTC, people
/// read their own clock.
#[derive(Resource, Default, Clone, Debug)]
pub struct LocalZone(pub Zone);

/// The loaded library and the scenario on show (the highlighted card, the
/// author view's file), by file path so that a reload keeps it.
#[derive(Resource, Default)]
pub struct Scenarios {
    /// The bundled folder (`--scenarios`, else `scenarios/`).
    pub folder: PathBuf,
    pub library: Library,
    pub selected: Option<PathBuf>,
    /// Where scenarios are read from (the trainers' folder and config file
    /// even when they do not exist yet), for the About view.
    pub sources: Sources,
    /// True while the folders are still being read and validated in the
    /// background at start-up; `library` is empty until then.
    pub loading: bool,
}

impl Scenarios {
    pub fn new(folder: PathBuf, library: Library) -> Scenarios {
        Scenarios { folder, library, selected: None, sources: Sources::default(), loading: false }
    }

    pub fn files(&self) -> &[LoadedFile] {
        self.library.files()
    }

    /// The playable script of the file at `path`.
    pub fn script_at(&self, path: &Path) -> Option<&Arc<Script>> {
        self.library.file(path).and_then(LoadedFile::script)
    }

    /// The file holding the scenario with this id.
    pub fn path_of(&self, scenario_id: &str) -> Option<PathBuf> {
        self.library.file_of(scenario_id).map(|f| f.path.clone())
    }

    /// The file on show: the selected one, else the first.
    pub fn selected_file(&self) -> Option<&LoadedFile> {
        self.selected.as_deref().and_then(|p| self.library.file(p)).or_else(|| self.files().first())
    }

    /// Position of the file on show among the files, for the library view.
    pub fn selected_index(&self) -> usize {
        self.selected.as_deref().and_then(|p| self.files().iter().position(|f| f.path == p)).unwrap_or(0)
    }

    pub fn select_index(&mut self, index: usize) {
        self.selected = self.files().get(index).map(|f| f.path.clone());
    }

    pub fn select(&mut self, path: &Path) {
        self.selected = Some(path.to_path_buf());
    }

    /// The next playable file after `path`, wrapping around.
    pub fn next_playable(&self, path: &Path) -> Option<PathBuf> {
        let files = self.files();
        let n = files.len();
        // A file that is gone continues from the top of the library.
        let here = files.iter().position(|f| f.path == path).unwrap_or(n.saturating_sub(1));
        (1..=n).map(|k| &files[(here + k) % n]).find(|f| f.script().is_some() && f.path != path).map(|f| f.path.clone())
    }
}

/// Who is practising: chosen on the start screen, named in the top bar,
/// owner of every attempt recorded.
#[derive(Resource, Default)]
pub struct Trainee {
    pub profile: Option<Profile>,
}
