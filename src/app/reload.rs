//! Live reload in the app: the scenario folder is watched (core::reload),
//! a save wakes the sleeping event loop, and the library, the author view
//! and an encounter in progress move to the new version. A version that
//! fails to load leaves the last good one in use and shows its diagnostics
//! in a banner under the top bar on every screen until it is fixed.

use counterpart_core::library::Library;
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
use bevy::winit::{EventLoopProxyWrapper, WinitUserEvent};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Seconds a "reloaded" note stays under the top bar.
const NOTE_TIME: Duration = Duration::from_secs(6);

/// The watched folder.
#[derive(Resource)]
pub struct Watch(pub Reloader);

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

/// Opens the scenario folder with a watcher that wakes the app's event
/// loop, and inserts the session and the watcher.
pub fn install(app: &mut App, folder: PathBuf) {
    let proxy = app.world().get_resource::<EventLoopProxyWrapper>().map(|p| (**p).clone());
    let reloader = Reloader::watch(folder.clone(), move || {
        if let Some(proxy) = &proxy {
            // Fails only when the event loop is gone, i.e. the app is closing.
            let _ = proxy.send_event(WinitUserEvent::WakeUp);
        }
    });
    match reloader.mode() {
        WatchMode::Events => info!("watching {} for changes", display_path(&folder)),
        WatchMode::Polling { reason } => warn!("watching {} by polling: {reason}", display_path(&folder)),
        WatchMode::Off { reason } => warn!("live reload is off: {reason}"),
        WatchMode::Manual => {}
    }
    let mut status = ReloadStatus::default();
    status.rejected = rejected(&reloader);
    app.insert_resource(Scenarios::new(folder, Library::from_files(reloader.files())));
    app.insert_resource(Watch(reloader));
    app.insert_resource(status);
    app.add_systems(Update, reload);
    app.add_systems(EguiPrimaryContextPass, banner.after(UiSet::Global).before(UiSet::Screen));
}

fn rejected(reloader: &Reloader) -> Vec<(PathBuf, Vec<Diagnostic>)> {
    reloader
        .entries()
        .iter()
        .filter(|e| !e.rejected.is_empty())
        .map(|e| (e.file.path.clone(), e.rejected.clone()))
        .collect()
}

fn reload(mut watch: ResMut<Watch>, mut scenarios: ResMut<Scenarios>, mut current: ResMut<CurrentRun>, mut status: ResMut<ReloadStatus>) {
    if !watch.0.take_dirty() {
        return;
    }
    let changes = watch.0.rescan();
    if changes.is_empty() {
        return;
    }
    let notes = apply_reload(&mut scenarios, &mut current, watch.0.files(), &changes);
    status.rejected = rejected(&watch.0);
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
    scenarios.library = Library::from_files(files);
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
                .flat_map(|(_, ds)| ds.iter().take(3).map(|d| format!("{}: {}", d.location(), d.message)))
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
