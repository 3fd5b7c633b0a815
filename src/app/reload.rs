//! Live reload in the app: every scenario folder (the bundled one, shared
//! folders from the config file, the trainers' folder) is watched
//! (core::reload), a save wakes the sleeping event loop, and the library, the author view
//! and an encounter in progress move to the new version. A version that
//! fails to load leaves the last good one in use and shows its diagnostics
//! in a banner under the top bar on every screen until it is fixed.

use counterpart_core::library::{Library, with_config_problems};
use counterpart_core::library::sources::{Source, Sources, discover};
use super::run::CurrentRun;
use super::screens::{ContentRect, UiSet, root_ui};
use super::session::Scenarios;
use super::settings::Settings;
use super::views::author::rejected_banner;
use super::views::tr;
use super::views::widgets::ACCENT;
use counterpart_core::scenario::diag::Diagnostic;
use counterpart_core::library::load::{LoadedFile, display_path};
use counterpart_core::scenario::model::Text;
use counterpart_core::library::reload::{Change, Reloader, WatchMode};
use bevy::prelude::*;
use bevy::winit::{EventLoopProxy, EventLoopProxyWrapper, WinitUserEvent};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Seconds a "reloaded" note stays under the top bar.
const NOTE_TIME: Duration = Duration::from_secs(6);

/// The watched folders, in the library's order, and how they were found.
#[derive(Resource)]
pub struct Watch {
    pub folders: Vec<(Source, Reloader)>,
    pub found: Sources,
}

impl Watch {
    /// The library of every folder's files as last loaded.
    pub fn library(&self) -> Library {
        let folders = self.folders.iter().map(|(source, reloader)| (source.clone(), reloader.files())).collect();
        Library::from_sources(with_config_problems(&self.found, folders))
    }
}

/// What the last reloads left to say.
#[derive(Resource, Default, Debug, Clone)]
pub struct ReloadStatus {
    /// Files whose newest version failed while an older one stays in use.
    pub rejected: Vec<(PathBuf, Vec<Diagnostic>)>,
    /// Notes on the last reload (what changed, what the encounter did).
    pub notes: Vec<Text>,
    /// When the last reload happened, for hiding the notes. A wall-clock
    /// instant: Bevy's frame time lags behind after the app slept.
    pub at: Option<Instant>,
    /// Frames to redraw after a reload so new glyphs settle.
    settle: u8,
}

impl ReloadStatus {
    pub fn rejected_for(&self, path: &Path) -> Vec<Diagnostic> {
        self.rejected.iter().find(|(p, _)| p == path).map(|(_, d)| d.clone()).unwrap_or_default()
    }
}

/// The folders being opened on a background thread at start-up: reading
/// and validating a large library takes seconds, and the window should not
/// wait for it. A Mutex only because a resource must be `Sync`.
#[derive(Resource)]
struct Opening(Mutex<Receiver<Vec<(Source, Reloader)>>>);

/// Opens every scenario folder with a watcher that wakes the app's event
/// loop. The folders are read on a background thread so the first frame
/// does not wait for validation; `Scenarios::loading` says it is under way
/// and `receive` puts the library in place when it is ready. A trainers'
/// folder created while the app runs is read at the next start: only
/// folders that exist at start are watched.
pub fn install(app: &mut App, folder: PathBuf) {
    let proxy = app.world().get_resource::<EventLoopProxyWrapper>().map(|p| (**p).clone());
    let found = discover(&folder);
    for problem in &found.problems {
        warn!("{}: {}", problem.location(), problem.message);
    }
    let mut scenarios = Scenarios::new(folder, Library::default());
    scenarios.sources = found.clone();
    scenarios.loading = true;
    let (tx, rx) = mpsc::channel();
    let sources = found.sources.clone();
    let spawned = std::thread::Builder::new().name("scenario-load".into()).spawn(move || {
        let folders = open_folders(&sources, proxy.clone());
        // Fails only when the app closed before the library was ready.
        let _ = tx.send(folders);
        wake(&proxy);
    });
    if let Err(e) = spawned {
        // No thread to spare: read the folders here, as before.
        warn!("cannot start the loading thread ({e}); loading the scenarios before the window opens");
        let proxy = app.world().get_resource::<EventLoopProxyWrapper>().map(|p| (**p).clone());
        let (tx, rx_now) = mpsc::channel();
        let _ = tx.send(open_folders(&found.sources, proxy));
        app.insert_resource(Opening(Mutex::new(rx_now)));
    } else {
        app.insert_resource(Opening(Mutex::new(rx)));
    }
    app.insert_resource(scenarios);
    app.insert_resource(Found(found));
    app.insert_resource(ReloadStatus::default());
    app.add_systems(Update, (receive, reload.run_if(resource_exists::<Watch>)).chain());
    app.add_systems(EguiPrimaryContextPass, banner.after(UiSet::Global).before(UiSet::Screen));
}

/// How the folders were found, kept until the watchers are in place.
#[derive(Resource)]
struct Found(Sources);

fn wake(proxy: &Option<EventLoopProxy<WinitUserEvent>>) {
    if let Some(proxy) = proxy {
        // Fails only when the event loop is gone, i.e. the app is closing.
        let _ = proxy.send_event(WinitUserEvent::WakeUp);
    }
}

fn open_folders(sources: &[Source], proxy: Option<EventLoopProxy<WinitUserEvent>>) -> Vec<(Source, Reloader)> {
    sources
        .iter()
        .map(|source| {
            let proxy = proxy.clone();
            let shared = counterpart_core::library::shared_home(sources, source).map(Path::to_path_buf);
            let reloader = Reloader::watch_sharing(source.folder.clone(), shared, move || wake(&proxy));
            let shown = display_path(&source.folder);
            match reloader.mode() {
                WatchMode::Events => info!("watching {shown} for changes"),
                WatchMode::Polling { reason } => warn!("watching {shown} by polling: {reason}"),
                WatchMode::Off { reason } => warn!("live reload of {shown} is off: {reason}"),
                WatchMode::Manual => {}
            }
            (source.clone(), reloader)
        })
        .collect()
}

/// Puts the library in place once the loading thread has read the folders.
fn receive(
    opening: Option<Res<Opening>>,
    found: Option<Res<Found>>,
    mut scenarios: ResMut<Scenarios>,
    mut status: ResMut<ReloadStatus>,
    mut commands: Commands,
) {
    let (Some(opening), Some(found)) = (opening, found) else { return };
    let received = opening.0.lock().map_err(|_| TryRecvError::Disconnected).and_then(|rx| rx.try_recv());
    let folders = match received {
        Ok(folders) => folders,
        Err(TryRecvError::Empty) => return,
        Err(TryRecvError::Disconnected) => {
            // The thread died without a library (a bug in loading): say so
            // on every screen rather than wait for ever.
            error!("the scenario folders could not be loaded");
            scenarios.loading = false;
            status.notes = vec![Text::new(
                "场景库载入失败，请关闭后重新打开；运行 counterpart validate 可以看到原因",
                "The scenario library failed to load: close and reopen the app; counterpart validate shows why",
            )];
            status.at = Some(Instant::now());
            commands.remove_resource::<Opening>();
            return;
        }
    };
    let watch = Watch { folders, found: found.0.clone() };
    scenarios.library = watch.library();
    scenarios.loading = false;
    status.rejected = rejected(&watch);
    commands.insert_resource(watch);
    commands.remove_resource::<Opening>();
    commands.remove_resource::<Found>();
}

fn rejected(watch: &Watch) -> Vec<(PathBuf, Vec<Diagnostic>)> {
    watch
        .folders
        .iter()
        .flat_map(|(_, reloader)| reloader.entries())
        .filter(|e| !e.rejected.is_empty())
        .map(|e| (e.file.path.clone(), e.rejected.clone()))
        .collect()
}

fn reload(mut watch: ResMut<Watch>, mut scenarios: ResMut<Scenarios>, mut current: ResMut<CurrentRun>, mut status: ResMut<ReloadStatus>) {
    // Every folder's flag is taken, so one save never reloads twice.
    rescan(&mut watch, &mut scenarios, &mut current, &mut status, |reloader| reloader.take_dirty());
}

/// Reads every folder again now, for a change the app made itself (a
/// repaired file), so it shows at once whatever the watching mode.
pub fn rescan_now(watch: Option<ResMut<Watch>>, mut scenarios: ResMut<Scenarios>, mut current: ResMut<CurrentRun>, mut status: ResMut<ReloadStatus>) {
    if let Some(mut watch) = watch {
        rescan(&mut watch, &mut scenarios, &mut current, &mut status, |reloader| {
            reloader.take_dirty();
            true
        });
    }
}

fn rescan(watch: &mut Watch, scenarios: &mut Scenarios, current: &mut CurrentRun, status: &mut ReloadStatus, due: impl Fn(&Reloader) -> bool) {
    let mut changes = Vec::new();
    for (_, reloader) in &mut watch.folders {
        if due(reloader) {
            changes.extend(reloader.rescan());
        }
    }
    if changes.is_empty() {
        return;
    }
    let notes = apply_reload_library(scenarios, current, watch.library(), &changes);
    status.rejected = rejected(watch);
    status.notes = notes;
    status.at = Some(Instant::now());
    status.settle = 3;
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| display_path(path), |n| n.to_string_lossy().into_owned())
}

/// Puts reloaded `files` into the library: the selection and an encounter
/// in progress name their file by path, and the encounter continues on
/// the new version when its choices still lead to the same turn. Returns
/// what to tell the author.
pub fn apply_reload(scenarios: &mut Scenarios, current: &mut CurrentRun, files: Vec<LoadedFile>, changes: &[Change]) -> Vec<Text> {
    apply_reload_library(scenarios, current, Library::from_files(files), changes)
}

/// `apply_reload` with the library already built (from several folders).
pub fn apply_reload_library(scenarios: &mut Scenarios, current: &mut CurrentRun, library: Library, changes: &[Change]) -> Vec<Text> {
    let mut notes: Vec<Text> = changes
        .iter()
        .map(|change| {
            let name = file_name(change.path());
            match change {
                Change::Added(_) => Text::new(format!("新增 {name}"), format!("added {name}")),
                Change::Updated(_) => Text::new(format!("已重新载入 {name}"), format!("reloaded {name}")),
                Change::Kept(_) => Text::new(format!("{name} 有错误，继续使用上一个可用版本"), format!("{name} has errors; the last good version stays in use")),
                Change::Failed(_) => Text::new(format!("{name} 无法载入"), format!("{name} failed to load")),
                Change::Removed(_) => Text::new(format!("已移除 {name}"), format!("removed {name}")),
                Change::Unreadable { message, .. } => Text::new(format!("无法读取场景文件夹：{message}"), format!("cannot read the scenario folder: {message}")),
            }
        })
        .collect();
    scenarios.library = library;
    if let Some(run) = current.0.as_mut() {
        match scenarios.library.file(&run.file) {
            None => {
                if !run.finished {
                    notes.push(Text::new(
                        "场景文件已移除；本次对练继续使用原来的版本",
                        "The scenario file was removed; this encounter continues on the version it started with",
                    ));
                }
            }
            Some(file) => {
                if let Some(script) = file.script().cloned()
                    && !run.finished
                    && !Arc::ptr_eq(&script, run.encounter.script())
                {
                    match run.encounter.carry_over(script) {
                        Ok(encounter) => {
                            run.encounter = encounter;
                            notes.push(Text::new("对练在新版本上继续", "The encounter continues on the new version"));
                        }
                        Err(e) => notes.push(Text::new(
                            format!("本次对练继续使用旧版本：{e}"),
                            format!("This encounter stays on the old version: {e}"),
                        )),
                    }
                }
            }
        }
    }
    notes
}

/// Under the top bar on every screen: the errors of rejected edits, and
/// for a few seconds what the last reload did. The screen draws below it.
fn banner(
    mut contexts: EguiContexts,
    mut content: ResMut<ContentRect>,
    mut status: ResMut<ReloadStatus>,
    settings: Res<Settings>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    if status.settle > 0 {
        status.settle -= 1;
        ctx.request_repaint();
    }
    let lang = settings.lang;
    let left = status.at.map_or(Duration::ZERO, |at| NOTE_TIME.saturating_sub(at.elapsed()));
    let notes = !status.notes.is_empty() && !left.is_zero();
    if notes {
        // Wake once more to take the note down.
        ctx.request_repaint_after(left.max(Duration::from_millis(50)));
    }
    if status.rejected.is_empty() && !notes {
        return Ok(());
    }
    let mut root = root_ui(ctx, content.0, "reload-banner");
    let panel = egui::Panel::top("reload-banner").show(&mut root, |ui| {
        ui.add_space(2.0);
        if !status.rejected.is_empty() {
            let lines: Vec<String> = status
                .rejected
                .iter()
                .flat_map(|(_, ds)| ds.iter().take(3).map(|d| format!("{}: {}", d.location(), d.message_in(lang))))
                .collect();
            rejected_banner(ui, lang, &lines);
        }
        if notes {
            let text = status.notes.iter().map(|n| n.get(lang)).collect::<Vec<_>>().join(tr(lang, "；", "; "));
            ui.label(egui::RichText::new(text).color(ACCENT));
        }
        ui.add_space(2.0);
    });
    content.0.min.y = panel.response.rect.max.y;
    Ok(())
}
