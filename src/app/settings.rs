//! Persistence for the app: trainee profiles, settings (language, text
//! size) and attempts, all through the records store. Everything the app
//! saves goes through `Records`, so the store is swapped in one place.
//! When the store cannot be opened the app keeps working for the session
//! (profiles in memory, nothing saved) and says so on the start screen.

use counterpart_core::play::engine::Step;
use counterpart_core::scenario::model::{Lang, Message, Text};
use counterpart_core::play::engine::Script;
use counterpart_core::play::score::AttemptResult;
use counterpart_core::records::store::{AttemptRecord, AttemptSummary, Profile, Store, utc_stamp};
use counterpart_core::library::Library;
use counterpart_core::records::report::{file_stem, write_bundle};
use bevy::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub const TEXT_SCALE_MIN: f32 = 0.8;
pub const TEXT_SCALE_MAX: f32 = 2.0;
pub const TEXT_SCALE_STEP: f32 = 0.1;

#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub lang: Lang,
    /// egui zoom factor: 1.0 at 1280×720, about 1.4 on a 1080p projector.
    pub text_scale: f32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { lang: Lang::Zh, text_scale: 1.0 }
    }
}

impl Settings {
    pub fn scaled(self, steps: f32) -> f32 {
        let scale = self.text_scale + steps * TEXT_SCALE_STEP;
        ((scale * 10.0).round() / 10.0).clamp(TEXT_SCALE_MIN, TEXT_SCALE_MAX)
    }
}

#[derive(Resource, Debug)]
pub struct Records {
    store: Option<Store>,
    /// Profiles created while the store is unavailable.
    memory: Vec<Profile>,
    /// Why nothing is being saved, shown to the trainee in the interface's language.
    pub problem: Option<Text>,
}

impl Records {
    pub fn open_default() -> Records {
        let path = Store::default_path();
        match Store::open(&path) {
            Ok(store) => Records { store: Some(store), memory: Vec::new(), problem: None },
            Err(e) => {
                warn!("records store unavailable: {e}");
                Records::unavailable(e.message())
            }
        }
    }

    pub fn unavailable(problem: Text) -> Records {
        Records { store: None, memory: Vec::new(), problem: Some(problem) }
    }

    /// The store itself, for features that cannot work without one (drills).
    pub fn store(&self) -> Option<&Store> {
        self.store.as_ref()
    }

    pub fn is_saving(&self) -> bool {
        self.store.is_some()
    }

    pub fn load_settings(&self) -> Settings {
        let mut settings = Settings::default();
        let Some(store) = &self.store else { return settings };
        if let Ok(Some(lang)) = store.setting("language") {
            settings.lang = if lang == "en" { Lang::En } else { Lang::Zh };
        }
        if let Ok(Some(scale)) = store.setting("text_scale")
            && let Ok(scale) = scale.parse::<f32>()
            && scale.is_finite()
        {
            settings.text_scale = scale.clamp(TEXT_SCALE_MIN, TEXT_SCALE_MAX);
        }
        settings
    }

    pub fn save_settings(&self, settings: &Settings) {
        let Some(store) = &self.store else { return };
        let lang = match settings.lang {
            Lang::Zh => "zh",
            Lang::En => "en",
        };
        let saved = store
            .set_setting("language", lang)
            .and_then(|_| store.set_setting("text_scale", &format!("{:.1}", settings.text_scale)));
        if let Err(e) = saved {
            warn!("could not save settings: {e}");
        }
    }

    pub fn profiles(&self) -> Result<Vec<Profile>, Text> {
        match &self.store {
            Some(store) => store.profiles().map_err(|e| e.message()),
            None => Ok(self.memory.clone()),
        }
    }

    /// Trainee profiles with their employee numbers (工号), by name.
    pub fn trainees(&self) -> Result<Vec<(Profile, Option<String>)>, Text> {
        match &self.store {
            Some(store) => store
                .trainees()
                .map(|ts| ts.into_iter().map(|t| (t.profile, t.employee_id)).collect())
                .map_err(|e| e.message()),
            None => Ok(self.memory.iter().map(|p| (p.clone(), None)).collect()),
        }
    }

    /// The trainee who played last or was chosen last (see
    /// `Store::last_trainee`), for the start screen to preselect.
    pub fn last_trainee(&self) -> Option<i64> {
        self.store.as_ref().and_then(|s| s.last_trainee().map_err(|e| warn!("could not read the last trainee: {e}")).ok().flatten())
    }

    /// Notes that `profile` was chosen at the keyboard.
    pub fn mark_used(&self, profile: i64) {
        if let Some(store) = &self.store
            && let Err(e) = store.mark_profile_used(profile)
        {
            warn!("could not note the trainee chosen: {e}");
        }
    }

    /// Saves (or, with `None`, clears) a trainee's employee number.
    pub fn set_employee_id(&self, profile: i64, employee_id: Option<&str>) -> Result<(), Text> {
        match &self.store {
            Some(store) => store.set_employee_id(profile, employee_id).map_err(|e| e.message()),
            None => Err(Text::new("记录库不可用，工号无法保存", "the records store is unavailable, so the employee number cannot be saved")),
        }
    }

    pub fn create_profile(&mut self, name: &str) -> Result<Profile, Text> {
        match &self.store {
            Some(store) => store.create_profile(name).map_err(|e| e.message()),
            None => {
                let name = name.trim();
                if name.is_empty() {
                    return Err(Text::new("学员姓名不能为空", "a profile name cannot be empty"));
                }
                if self.memory.iter().any(|p| p.name == name) {
                    return Err(Text::new(format!("已存在同名学员档案“{name}”"), format!("a profile named \"{name}\" already exists")));
                }
                let profile = Profile { id: self.memory.len() as i64 + 1, name: name.to_string(), created_at: String::new() };
                self.memory.push(profile.clone());
                Ok(profile)
            }
        }
    }

    /// Best overall score per scenario id and whether that attempt passed.
    pub fn best(&self, profile: i64) -> HashMap<String, (f32, bool)> {
        self.store.as_ref().and_then(|store| store.best_by_scenario(profile).ok()).unwrap_or_default()
    }

    pub fn attempts(&self, profile: i64) -> Result<Vec<AttemptSummary>, Text> {
        match &self.store {
            Some(store) => store.attempts(Some(profile)).map_err(|e| e.message()),
            None => Ok(Vec::new()),
        }
    }

    pub fn unfinished(&self, profile: i64) -> Result<Vec<AttemptSummary>, Text> {
        match &self.store {
            Some(store) => store.unfinished_attempts(profile).map_err(|e| e.message()),
            None => Ok(Vec::new()),
        }
    }

    pub fn attempt(&self, attempt: i64) -> Result<AttemptRecord, Text> {
        match &self.store {
            Some(store) => store.attempt(attempt).map_err(|e| e.message()),
            None => Err(self.problem.clone().unwrap_or_else(no_store)),
        }
    }

    /// Opens an attempt of `script` with what its statements need stored
    /// with it (titles, texts, the trainee's identity), so records export
    /// the same from any folder and after any edit.
    pub fn begin_attempt(&self, profile: i64, script: &Script, seed: u64) -> Result<Option<i64>, Text> {
        match &self.store {
            Some(store) => store.begin_attempt_for(profile, script, seed).map(Some).map_err(|e| e.message()),
            None => Ok(None),
        }
    }

    pub fn record_step(&self, attempt: Option<i64>, index: usize, step: &Step) -> Result<(), Text> {
        match (&self.store, attempt) {
            (Some(store), Some(attempt)) => store.record_step(attempt, index, step).map_err(|e| e.message()),
            _ => Ok(()),
        }
    }

    pub fn finish_attempt(&self, attempt: Option<i64>, result: &AttemptResult) -> Result<(), Text> {
        match (&self.store, attempt) {
            (Some(store), Some(attempt)) => store.finish_attempt(attempt, result).map_err(|e| e.message()),
            _ => Ok(()),
        }
    }

    /// Writes CSV, JSON and HTML reports of one trainee's attempts into a new
    /// folder under `export_root()` and returns that folder.
    pub fn export(&self, profile: &Profile, scripts: &Library) -> Result<PathBuf, Text> {
        let Some(store) = &self.store else {
            return Err(self.problem.clone().unwrap_or_else(no_store));
        };
        let records = store
            .attempts(Some(profile.id))
            .and_then(|list| list.iter().map(|a| store.attempt(a.id)).collect::<Result<Vec<_>, _>>())
            .map_err(|e| e.message())?;
        let stamp: String = utc_stamp().chars().filter(|c| c.is_ascii_digit()).take(14).collect();
        let dir = export_root(store).join(format!("{}-{stamp}", file_stem(&profile.name)));
        write_bundle(&dir, &records, scripts).map_err(|e| Text::new(format!("导出失败：{e}"), format!("the export failed: {e}")))?;
        Ok(dir)
    }

    /// Writes the citizen's copy of a one-time notice as `stem`.html into a
    /// notices folder where the exports go (the system's temporary folder
    /// when there is no records store) and returns its path.
    pub fn write_notice(&self, stem: &str, html: &str) -> Result<PathBuf, Text> {
        let root = match &self.store {
            Some(store) => export_root(store),
            None => std::env::temp_dir().join("counterpart"),
        };
        let dir = root.join("告知单 notices");
        std::fs::create_dir_all(&dir).map_err(|e| io_problem(&dir, &e))?;
        let path = dir.join(format!("{}.html", file_stem(stem)));
        std::fs::write(&path, html).map_err(|e| io_problem(&path, &e))?;
        Ok(path)
    }

    pub fn abandon(&self, attempt: Option<i64>) {
        if let (Some(store), Some(attempt)) = (&self.store, attempt)
            && let Err(e) = store.mark_abandoned(attempt)
        {
            warn!("could not mark attempt {attempt} abandoned: {e}");
        }
    }
}

fn no_store() -> Text {
    Text::new("学员记录库不可用", "no records store")
}

/// A file that could not be written, named in both languages' sentence.
pub fn io_problem(path: &Path, e: &std::io::Error) -> Text {
    Text::new(format!("无法写入 {}：{e}", path.display()), format!("cannot write {}: {e}", path.display()))
}

/// Where exports go: `COUNTERPART_EXPORT_DIR` if set, else a folder in the
/// user's Documents (where a trainer looks for files), else beside the
/// records database.
pub fn export_root(store: &Store) -> PathBuf {
    if let Some(dir) = std::env::var_os("COUNTERPART_EXPORT_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let documents = directories::UserDirs::new().and_then(|u| u.document_dir().map(Path::to_path_buf)).filter(|d| d.is_dir());
    match documents {
        Some(docs) => docs.join("Counterpart 导出"),
        None => store.path().parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf).join("exports"),
    }
}

pub(super) fn plugin(app: &mut App) {
    let records = Records::open_default();
    let settings = records.load_settings();
    app.insert_resource(settings).insert_resource(records);
}
